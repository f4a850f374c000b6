// The archive job's logic (component/lambda/exportSnapshot.js), run through the real AWS SDK v3
// clients against the service model in test/exportWorld.ts, which checks every request against
// the values the API references allow. Item by item:
//   - every available automatic snapshot not archived or requested is requested, so a backup that
//     finished after a run, or an export that went missing, is picked up by the next run
//     (ElastiCache API reference, CopySnapshot: a retry needs a new TargetSnapshotName);
//   - copies that do not fit the invocation go to the copy state machine, whose definition
//     (component/snapshotExport.ts) is executed here by test/stateMachine.ts against the same model;
//   - the age of the newest archived backup is published before any copy is tried.
import * as assert from "assert";
import { mockClient } from "aws-sdk-client-mock";
import { DescribeSnapshotsCommand, ElastiCacheClient } from "@aws-sdk/client-elasticache";
import { SFNClient, StartExecutionCommand } from "@aws-sdk/client-sfn";
import { CloudWatchClient, PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import {
    CopyObjectCommand,
    HeadObjectCommand,
    ListObjectsV2Command,
    S3Client,
    UploadPartCopyCommand,
} from "@aws-sdk/client-s3";

import { archivedExportDays } from "../tools/audit/live";
import { archiveAgeMetric, copyStateMachineDefinition } from "../component/snapshotExport";
import {
    GiB,
    MiB,
    World,
    allowed,
    archive,
    assertArchiveWritesUseTheKey,
    copyMachineArn,
    elastiCacheError,
    install,
    keyArn,
    options,
    runCopyExecutions,
    s3Error,
    snapshot,
    staging,
} from "./exportWorld";

const job = require("../component/lambda/exportSnapshot.js");

describe("Snapshot archive job", () => {
    let world: World;
    let env: ReturnType<typeof install>;
    let log: typeof console.log;
    beforeEach(() => {
        world = new World();
        env = install(world);
        log = console.log;
        console.log = () => undefined;
    });
    afterEach(() => {
        console.log = log;
        env.ec.restore();
        env.s.restore();
        env.sf.restore();
        env.cw.restore();
    });
    /** A test whose every request must also be one the API references allow. */
    const it = (title: string, body: () => Promise<void>) =>
        globalThis.it(title, async () => {
            await body();
            assert.deepStrictEqual(world.violations, [], "requests outside what the API references allow");
        });

    const run = (extra: Record<string, unknown> = {}) => job.runExport(env.clients, options(world, extra));

    it("requests the export of every available automatic snapshot, newest first, across pages, into staging", async () => {
        world.describePageSize = 1;
        world.snapshots = [
            snapshot("automatic.cache-2026-11-26-05-00", "2026-11-26T05:10:00Z"),
            snapshot("automatic.cache-2026-11-28-05-00", "2026-11-28T05:10:00Z", "creating"),
            snapshot("automatic.cache-2026-11-27-05-00", "2026-11-27T05:10:00Z"),
        ];
        const result = await run();
        assert.strictEqual(result.newestSnapshot, "automatic.cache-2026-11-27-05-00");
        assert.deepStrictEqual(
            result.requests.map((r: any) => [r.snapshot, r.status]),
            [
                ["automatic.cache-2026-11-27-05-00", "requested"],
                ["automatic.cache-2026-11-26-05-00", "requested"],
            ],
        );
        const describes = env.ec.commandCalls(DescribeSnapshotsCommand).map((c) => c.args[0].input);
        assert.strictEqual(describes.length, 3, "every page is read");
        assert.ok(describes.every((d) => d.SnapshotSource === "system" && d.ReplicationGroupId === "cache"));
        assert.deepStrictEqual(
            describes.map((d) => d.Marker),
            [undefined, "m1", "m2"],
        );
        assert.strictEqual(world.copySnapshotRequests.length, 2, "the snapshot still being taken waits for its turn");
        const request = world.copySnapshotRequests[0];
        assert.strictEqual(request.SourceSnapshotName, "automatic.cache-2026-11-27-05-00");
        assert.strictEqual(request.TargetBucket, staging);
        // The request is recorded before CopySnapshot, in the archive, under the customer key.
        const marker = world.marker(`snapshots/${request.TargetSnapshotName}.export.json`);
        assert.strictEqual(marker.status, "requested");
        assert.strictEqual(marker.snapshotName, "automatic.cache-2026-11-27-05-00");
        assert.strictEqual(marker.target, request.TargetSnapshotName);
        assert.strictEqual(marker.expectedObjects, 1);
        assert.ok(new Date(marker.requestedAt).getTime() <= world.now.getTime());
        assertArchiveWritesUseTheKey(env.s);
    });

    it("two overlapping runs request one export; a later run does not request it again", async () => {
        world.snapshots = [snapshot("automatic.cache-2026-11-28-05-00", "2026-11-28T05:10:00Z")];
        const [a, b] = await Promise.all([run(), run()]);
        assert.deepStrictEqual([a.requests[0].status, b.requests[0].status].sort(), ["already requested", "requested"]);
        assert.strictEqual(world.copySnapshotRequests.length, 1, "CopySnapshot once");
        const again = await run();
        assert.deepStrictEqual(again.requests, [], "already requested: nothing to do");
        assert.strictEqual(world.copySnapshotRequests.length, 1);
    });

    it("next run: confirms the arrived export of every shard, archives it with SSE-KMS, verifies, deletes the staged copy", async () => {
        world.snapshots = [snapshot("automatic.cache-2026-11-27-05-00", "2026-11-27T05:10:00Z", "available", 2)];
        world.now = new Date("2026-11-27T08:00:00Z");
        await run();
        const target = world.copySnapshotRequests[0].TargetSnapshotName;
        world.tick(20 * 60 * 1000);
        world.deliver(target, [{ size: 7 * MiB }, { size: 9 * MiB }]);
        // The next day: yesterday's export is confirmed, today's is requested.
        world.now = new Date("2026-11-28T08:00:00Z");
        world.snapshots.push(snapshot("automatic.cache-2026-11-28-05-00", "2026-11-28T05:10:00Z", "available", 2));
        const result = await run();
        assert.deepStrictEqual(result.confirmed, [target]);
        assert.strictEqual(result.newestSnapshot, "automatic.cache-2026-11-28-05-00");
        assert.deepStrictEqual(
            result.requests.map((r: any) => [r.snapshot, r.status]),
            [["automatic.cache-2026-11-28-05-00", "requested"]],
        );
        const archived = world.buckets.get(archive)!;
        for (const [file, size] of [
            [`${target}-0001.rdb`, 7 * MiB],
            [`${target}-0002.rdb`, 9 * MiB],
        ] as const) {
            const copy = archived.get(`snapshots/${file}`);
            assert.ok(copy, `snapshots/${file} archived`);
            assert.strictEqual(copy.size, size);
            assert.strictEqual(copy.sse, "aws:kms");
            assert.strictEqual(copy.kmsKeyId, keyArn);
            assert.ok(!world.buckets.get(staging)!.has(file), `${file} removed from staging`);
        }
        const marker = world.marker(`snapshots/${target}.export.json`);
        assert.strictEqual(marker.status, "archived");
        assert.deepStrictEqual(
            marker.objects.map((o: any) => [o.key, o.size]),
            [
                [`snapshots/${target}-0001.rdb`, 7 * MiB],
                [`snapshots/${target}-0002.rdb`, 9 * MiB],
            ],
        );
        const copies = env.s.commandCalls(CopyObjectCommand).map((c) => c.args[0].input);
        assert.ok(copies.every((c) => c.CopySource!.startsWith(`${staging}/`) && c.CopySourceIfMatch));
        assert.strictEqual(env.s.commandCalls(HeadObjectCommand).length, 2, "each copy verified");
        assertArchiveWritesUseTheKey(env.s);
    });

    it("the audit counts a day only once the job has archived the export, not when it wrote its request marker", async () => {
        // The archive as ListObjectsV2 would list it to the audit.
        const listing = () =>
            [...world.buckets.get(archive)!.entries()]
                .filter(([key]) => key.startsWith("snapshots/"))
                .map(([Key, o]) => ({ Key, LastModified: o.lastModified, Size: o.size }));
        world.snapshots = [snapshot("automatic.cache-2026-11-27-05-00", "2026-11-27T05:10:00Z")];
        world.now = new Date("2026-11-27T08:00:00Z");
        await run();
        const target = world.copySnapshotRequests[0].TargetSnapshotName;
        // The run requested an export and left its marker; nothing is archived yet.
        assert.ok(world.marker(`snapshots/${target}.export.json`));
        assert.deepStrictEqual(archivedExportDays(listing()), []);
        // A later run the same day, still before the export arrives: still nothing archived.
        world.now = new Date("2026-11-27T10:00:00Z");
        assert.deepStrictEqual((await run()).pending, [target]);
        assert.deepStrictEqual(archivedExportDays(listing()), []);
        world.deliver(target, [{ size: 3 * MiB }]);
        world.tick(60 * 1000);
        assert.deepStrictEqual((await run()).confirmed, [target]);
        assert.deepStrictEqual(archivedExportDays(listing()), ["2026-11-27"]);
    });

    it("hands an export above 5 GB to the copy state machine, in parts S3 accepts; the next run archives it", async () => {
        const size = 11 * GiB + 123;
        world.snapshots = [snapshot("automatic.cache-2026-11-27-05-00", "2026-11-27T05:10:00Z")];
        world.now = new Date("2026-11-27T08:00:00Z");
        await run();
        const target = world.copySnapshotRequests[0].TargetSnapshotName;
        world.tick(60 * 60 * 1000);
        world.deliver(target, [{ size }]);
        world.tick(60 * 60 * 1000);
        const handed = await run();
        assert.deepStrictEqual(handed.copying, [target]);
        assert.strictEqual(env.s.commandCalls(CopyObjectCommand).length, 0, "CopyObject stops at 5 GB");
        const [execution] = [...world.executions.values()];
        const input = JSON.parse(execution.input);
        assert.deepStrictEqual(input.target, { bucket: archive, key: `snapshots/${target}-0001.rdb` });
        assert.strictEqual(input.copySource, `${staging}/${target}-0001.rdb`);
        assert.strictEqual(world.marker(`snapshots/${target}.export.json`).status, "copying");
        // A run while the execution is still running changes nothing and starts nothing new.
        world.tick(60 * 60 * 1000);
        assert.deepStrictEqual((await run()).copying, [target]);
        assert.strictEqual(world.executions.size, 1);

        // Step Functions runs the component's definition: parts go through the S3 model's checks.
        const [ran] = await runCopyExecutions(world, copyStateMachineDefinition(), env.clients.s3);
        assert.strictEqual(ran.status, "SUCCEEDED", `${ran.error}: ${ran.cause}`);
        const parts = env.s.commandCalls(UploadPartCopyCommand).map((c) => c.args[0].input);
        assert.strictEqual(parts.length, 12, "1 GiB parts");
        assert.ok(
            parts.every((p) => p.CopySourceIfMatch === world.buckets.get(staging)!.get(`${target}-0001.rdb`)!.etag),
        );
        const copy = world.buckets.get(archive)!.get(`snapshots/${target}-0001.rdb`)!;
        assert.strictEqual(copy.size, size);
        assert.strictEqual(copy.sse, "aws:kms");
        assert.strictEqual(copy.kmsKeyId, keyArn);
        assert.strictEqual(world.uploads.size, 0, "no upload left open");

        world.tick(60 * 60 * 1000);
        const done = await run();
        assert.deepStrictEqual(done.confirmed, [target]);
        assert.strictEqual(world.marker(`snapshots/${target}.export.json`).status, "archived");
        assert.ok(!world.buckets.get(staging)!.has(`${target}-0001.rdb`), "staged copy deleted once verified");
        assertArchiveWritesUseTheKey(env.s);
    });

    it("splits any export into 5 MiB to 5 GiB contiguous parts, at most 1,000, and refuses what S3 cannot take", async () => {
        for (const size of [1, 5 * MiB, 11 * GiB + 123, 400 * GiB, 1000 * GiB + 1, 4900 * GiB]) {
            const parts = job.copyParts(size);
            assert.ok(parts.length >= 1 && parts.length <= 1000, `${size}: ${parts.length} parts`);
            let next = 0;
            parts.forEach((p: any, i: number) => {
                const [first, last] = /^bytes=(\d+)-(\d+)$/.exec(p.CopySourceRange)!.slice(1).map(Number);
                assert.strictEqual(p.PartNumber, i + 1);
                assert.strictEqual(first, next, "contiguous");
                const bytes = last - first + 1;
                assert.ok(bytes <= allowed.partBytes[1], "at most 5 GiB a part");
                assert.ok(i === parts.length - 1 || bytes >= allowed.partBytes[0], "at least 5 MiB but the last");
                next = last + 1;
            });
            assert.strictEqual(next, size, "the whole object");
        }
        assert.throws(() => job.copyParts(5001 * GiB), /needs more than 1000 parts of 5 GiB/);
    });

    it("a shard too large for the time left goes to the copy state machine; the later day is still requested and the age published first", async () => {
        // Yesterday's export of a two-shard group arrived: one shard of 400 GiB, one of 3 GiB.
        world.snapshots = [snapshot("automatic.cache-2026-11-27-05-00", "2026-11-27T05:10:00Z", "available", 2)];
        world.now = new Date("2026-11-27T08:00:00Z");
        await run();
        const yesterday = world.copySnapshotRequests[0].TargetSnapshotName;
        world.tick(3600e3);
        world.deliver(yesterday, [{ size: 400 * GiB }, { size: 3 * GiB }]);
        // Today: a new backup, and an invocation with 100 s left (3 GiB needs 192 s at 16 MiB/s).
        world.now = new Date("2026-11-28T08:00:00Z");
        world.snapshots.push(snapshot("automatic.cache-2026-11-28-05-00", "2026-11-28T05:10:00Z", "available", 2));
        world.calls = [];
        world.metrics = [];
        const runAt = world.now.getTime();
        const result = await run({ remainingMs: () => 100e3 });
        assert.strictEqual(env.s.commandCalls(CopyObjectCommand).length, 0, "no copy is tried in the Lambda");
        assert.strictEqual(world.executions.size, 2, "both shards handed off");
        assert.deepStrictEqual(result.copying, [yesterday]);
        assert.deepStrictEqual(
            result.requests.map((r: any) => r.snapshot),
            ["automatic.cache-2026-11-28-05-00"],
        );
        // The request and the age come before any copy work.
        const order = world.calls.map((c) => c.split(" ")[0]);
        assert.deepStrictEqual(order.slice(0, 2), ["CopySnapshot", "PutMetricData"]);
        assert.ok(order.indexOf("StartExecution") > order.indexOf("PutMetricData"));
        const [metric] = world.metrics.map((m) => m.datum);
        // Nothing archived yet: the archive owes every day since yesterday's backup.
        assert.strictEqual(metric.Value, Math.round((runAt - Date.parse("2026-11-27T05:10:00Z")) / 1000));
        const inputs = [...world.executions.values()].map((e) => JSON.parse(e.input));
        assert.deepStrictEqual(
            inputs.map((i) => [i.size, i.parts.length]),
            [
                [400 * GiB, 400],
                [3 * GiB, 3],
            ],
        );

        await runCopyExecutions(world, copyStateMachineDefinition(), env.clients.s3);
        world.tick(3600e3);
        const next = await run();
        assert.deepStrictEqual(next.confirmed, [yesterday]);
        assert.ok(next.archiveAge.hours < 30, "the archive is fresh again");
    });

    it("starts a failed copy again and fails the run so the Errors alarm fires", async () => {
        world.snapshots = [snapshot("automatic.cache-2026-11-27-05-00", "2026-11-27T05:10:00Z")];
        world.now = new Date("2026-11-27T08:00:00Z");
        await run();
        const target = world.copySnapshotRequests[0].TargetSnapshotName;
        world.tick(3600e3);
        world.deliver(target, [{ size: 6 * GiB }]);
        world.tick(3600e3);
        await run();
        const [first] = [...world.executions.values()];
        // The staged object changes under the copy: every part's CopySourceIfMatch fails.
        world.buckets.get(staging)!.get(`${target}-0001.rdb`)!.etag = '"changed"';
        const [failed] = await runCopyExecutions(world, copyStateMachineDefinition(), env.clients.s3);
        assert.strictEqual(failed.status, "FAILED");
        assert.strictEqual(failed.error, "ArchiveCopyFailed");
        assert.strictEqual(world.uploads.size, 0, "the failed upload was aborted");
        world.tick(3600e3);
        await assert.rejects(
            run(),
            new RegExp(
                `the copy of ${target}-0001\\.rdb into the archive \\(${first.arn}\\) ended FAILED: ArchiveCopyFailed`,
            ),
        );
        assert.strictEqual(world.executions.size, 2, "a new try under a new name");
        assert.strictEqual(JSON.parse([...world.executions.values()][1].input).sourceETag, '"changed"');
    });

    it("a backup still running at the daily run is requested by the next run, so its day is archived", async () => {
        // 2026-11-27 07:00: yesterday's export is archived; today's backup is still being taken.
        world.snapshots = [snapshot("automatic.cache-2026-11-26-05-00", "2026-11-26T05:10:00Z")];
        world.now = new Date("2026-11-26T07:00:00Z");
        await run();
        world.deliver(world.copySnapshotRequests[0].TargetSnapshotName, [{ size: MiB }]);
        world.snapshots.push(snapshot("automatic.cache-2026-11-27-05-00", "2026-11-27T06:50:00Z", "creating"));
        world.now = new Date("2026-11-27T07:00:00Z");
        await run();
        assert.strictEqual(world.copySnapshotRequests.length, 1, "nothing new available to request");
        // The backup finishes; the next day's run finds two unarchived days' snapshots.
        world.snapshots[1].SnapshotStatus = "available";
        world.snapshots.push(snapshot("automatic.cache-2026-11-28-05-00", "2026-11-28T05:10:00Z"));
        world.now = new Date("2026-11-28T07:00:00Z");
        await run();
        assert.deepStrictEqual(
            world.copySnapshotRequests.slice(1).map((r) => r.SourceSnapshotName),
            ["automatic.cache-2026-11-28-05-00", "automatic.cache-2026-11-27-05-00"],
            "the late day is requested too",
        );
        for (const request of world.copySnapshotRequests.slice(1)) {
            world.deliver(request.TargetSnapshotName, [{ size: 2 * MiB }]);
        }
        world.tick(3600e3);
        assert.deepStrictEqual((await run()).confirmed.sort(), [
            "cache-2026-11-27-05-00-export",
            "cache-2026-11-28-05-00-export",
        ]);
        const archivedKeys = [...world.buckets.get(archive)!.keys()].filter((k) => k.endsWith(".rdb"));
        assert.deepStrictEqual(archivedKeys.sort(), [
            "snapshots/cache-2026-11-26-05-00-export-0001.rdb",
            "snapshots/cache-2026-11-27-05-00-export-0001.rdb",
            "snapshots/cache-2026-11-28-05-00-export-0001.rdb",
        ]);
    });

    it("an export that went missing is requested again under a new name, and the retry is archived", async () => {
        world.snapshots = [snapshot("automatic.cache-2026-11-27-05-00", "2026-11-27T05:10:00Z")];
        world.now = new Date("2026-11-27T08:00:00Z");
        await run();
        const first = world.copySnapshotRequests[0].TargetSnapshotName;
        // A partial object is left behind: CopySnapshot refuses that name again.
        world.deliver(first, [{ size: 0 }]);
        world.now = new Date("2026-11-27T15:00:00Z");
        await assert.rejects(run(), /has not arrived/);
        world.tick(3600e3);
        const retry = await run();
        assert.deepStrictEqual(
            world.copySnapshotRequests.map((r) => [r.SourceSnapshotName, r.TargetSnapshotName]),
            [
                ["automatic.cache-2026-11-27-05-00", first],
                ["automatic.cache-2026-11-27-05-00", "cache-2026-11-27-05-00-export-retry2"],
            ],
            "requested again, under a name no object has",
        );
        assert.deepStrictEqual(
            retry.requests.map((r: any) => [r.status, r.target, r.attempt]),
            [["requested", "cache-2026-11-27-05-00-export-retry2", 2]],
        );
        const marker = world.marker(`snapshots/${first}.export.json`);
        assert.strictEqual(marker.status, "requested");
        assert.deepStrictEqual(
            marker.earlierAttempts.map((a: any) => [a.target, a.status]),
            [[first, "missing"]],
        );
        world.deliver("cache-2026-11-27-05-00-export-retry2", [{ size: 5 * MiB }]);
        world.tick(3600e3);
        assert.deepStrictEqual((await run()).confirmed, ["cache-2026-11-27-05-00-export-retry2"]);
        assert.ok(world.buckets.get(archive)!.has("snapshots/cache-2026-11-27-05-00-export-retry2-0001.rdb"));
    });

    it("keeps at most maxRequestsPerRun exports outstanding and requests the rest on later runs", async () => {
        world.snapshots = [1, 2, 3, 4, 5].map((d) =>
            snapshot(`automatic.cache-2026-11-2${d}-05-00`, `2026-11-2${d}T05:10:00Z`),
        );
        world.now = new Date("2026-11-25T08:00:00Z");
        const first = await run({ maxRequestsPerRun: 2 });
        assert.deepStrictEqual(
            first.requests.map((r: any) => r.snapshot),
            ["automatic.cache-2026-11-25-05-00", "automatic.cache-2026-11-24-05-00"],
        );
        assert.deepStrictEqual(first.deferred, [
            "automatic.cache-2026-11-23-05-00",
            "automatic.cache-2026-11-22-05-00",
            "automatic.cache-2026-11-21-05-00",
        ]);
        world.tick(3600e3);
        assert.deepStrictEqual((await run({ maxRequestsPerRun: 2 })).requests, [], "two still outstanding");
        for (const request of world.copySnapshotRequests) {
            world.deliver(request.TargetSnapshotName, [{ size: MiB }]);
        }
        world.tick(3600e3);
        await run({ maxRequestsPerRun: 2 }); // archives both
        world.tick(3600e3);
        const later = await run({ maxRequestsPerRun: 2 });
        assert.deepStrictEqual(
            later.requests.map((r: any) => r.snapshot),
            ["automatic.cache-2026-11-23-05-00", "automatic.cache-2026-11-22-05-00"],
        );
    });

    it("a snapshot ElastiCache reports busy (InvalidSnapshotState) waits for the next run without failing", async () => {
        world.snapshots = [snapshot("automatic.cache-2026-11-28-05-00", "2026-11-28T05:10:00Z")];
        world.copySnapshotFailure = elastiCacheError("InvalidSnapshotStateFault", 400, "The snapshot is busy");
        const busy = await run();
        assert.deepStrictEqual(busy.deferred, ["automatic.cache-2026-11-28-05-00"]);
        world.copySnapshotFailure = undefined;
        world.tick(3600e3);
        const next = await run();
        assert.deepStrictEqual(
            next.requests.map((r: any) => [r.status, r.target]),
            [["requested", "cache-2026-11-28-05-00-export"]],
        );
    });

    it("publishes the newest archived backup's age each run, in the namespace and name the alarm watches", async () => {
        world.snapshots = [snapshot("automatic.cache-2026-11-27-05-00", "2026-11-27T05:10:00Z")];
        world.now = new Date("2026-11-27T08:00:00Z");
        await run();
        const target = world.copySnapshotRequests[0].TargetSnapshotName;
        world.deliver(target, [{ size: MiB }]);
        world.tick(3600e3);
        await run();
        world.now = new Date("2026-11-29T05:10:00Z");
        world.snapshots.push(snapshot("automatic.cache-2026-11-28-05-00", "2026-11-28T05:10:00Z"));
        await run();
        // In whole minutes: the model's clock moves a second with every write.
        const data = world.metrics.map((m) => [
            m.namespace,
            m.datum.MetricName,
            m.datum.Unit,
            Math.floor(m.datum.Value / 60) * 60,
            m.datum.Dimensions,
        ]);
        const dims = [{ Name: "ReplicationGroupId", Value: "cache" }];
        const ns = archiveAgeMetric.namespace;
        const name = archiveAgeMetric.metricName;
        assert.deepStrictEqual(data, [
            // Nothing archived yet: owed since the oldest available snapshot (taken 05:10).
            [ns, name, "Seconds", 10200, dims],
            [ns, name, "Seconds", 13800, dims],
            // Archived in that run, published again: the same backup, so the same age.
            [ns, name, "Seconds", 13800, dims],
            // Two days on, the 28th's export not archived: the newest archived backup is 48 h old.
            [ns, name, "Seconds", 48 * 3600, dims],
        ]);
    });

    it("waits for a late export, then marks it missing and fails so the Errors alarm fires", async () => {
        world.snapshots = [snapshot("automatic.cache-2026-11-27-05-00", "2026-11-27T05:10:00Z")];
        world.now = new Date("2026-11-27T08:00:00Z");
        await run();
        const target = world.copySnapshotRequests[0].TargetSnapshotName;
        // An empty file and one written before the request do not count as the export.
        world.deliver(target, [{ size: 0 }]);
        world.buckets.get(staging)!.get(`${target}-0001.rdb`)!.lastModified = new Date("2026-11-27T07:00:00Z");
        world.now = new Date("2026-11-27T10:00:00Z");
        const early = await run();
        assert.deepStrictEqual(early.pending, [target], "within the wait: pending, no failure");
        world.now = new Date("2026-11-28T08:00:00Z");
        world.snapshots.push(snapshot("automatic.cache-2026-11-28-05-00", "2026-11-28T05:10:00Z"));
        await assert.rejects(
            run(),
            new RegExp(
                `the export of automatic\\.cache-2026-11-27-05-00 requested at 2026-11-27T08:00:0\\d\\.\\d+Z has not arrived in ` +
                    `s3://${staging} after 24 h \\(0 of 1 file\\(s\\) ${target}-NNNN\\.rdb; ignored as empty or older than the ` +
                    `request: ${target}-0001\\.rdb\\)`,
            ),
        );
        assert.strictEqual(world.marker(`snapshots/${target}.export.json`).status, "missing");
        // Today's export was still requested, and the missing one alarms once, not every day.
        assert.strictEqual(world.copySnapshotRequests.length, 2);
        world.tick(60 * 1000);
        const after = await run();
        assert.deepStrictEqual(after.missing, []);
    });

    it("keeps the staged copy and fails when the archived copy is not encrypted with the customer key", async () => {
        world.snapshots = [snapshot("automatic.cache-2026-11-27-05-00", "2026-11-27T05:10:00Z")];
        world.now = new Date("2026-11-27T08:00:00Z");
        await run();
        const target = world.copySnapshotRequests[0].TargetSnapshotName;
        world.tick(3600e3);
        world.deliver(target, [{ size: 3 * MiB }]);
        world.tick(3600e3);
        world.headOverride = { ServerSideEncryption: "AES256", SSEKMSKeyId: undefined };
        await assert.rejects(
            run(),
            new RegExp(
                `archiving the export ${target} failed: Error: archived copy s3://${archive}/snapshots/${target}-0001\\.rdb ` +
                    `failed verification: encryption AES256 instead of aws:kms, KMS key undefined instead of ${keyArn}`,
            ),
        );
        assert.ok(world.buckets.get(staging)!.has(`${target}-0001.rdb`), "the staged copy stays for the next run");
        assert.strictEqual(world.marker(`snapshots/${target}.export.json`).status, "requested");
        // Once the archive behaves, the next run finishes the job.
        world.headOverride = undefined;
        world.tick(3600e3);
        const result = await run();
        assert.deepStrictEqual(result.confirmed, [target]);
    });

    it("finishes a run that archived the files but stopped before updating the marker", async () => {
        world.snapshots = [snapshot("automatic.cache-2026-11-27-05-00", "2026-11-27T05:10:00Z")];
        world.now = new Date("2026-11-27T08:00:00Z");
        await run();
        const target = world.copySnapshotRequests[0].TargetSnapshotName;
        world.buckets.get(archive)!.set(`snapshots/${target}-0001.rdb`, {
            size: 4 * MiB,
            lastModified: world.tick(3600e3),
            etag: world.nextEtag(),
            sse: "aws:kms",
            kmsKeyId: keyArn,
        });
        world.tick(3600e3);
        const result = await run();
        assert.deepStrictEqual(result.confirmed, [target]);
        assert.strictEqual(env.s.commandCalls(CopyObjectCommand).length, 0);
        assert.strictEqual(world.marker(`snapshots/${target}.export.json`).status, "archived");
    });

    it("fails when the newest automatic snapshot is too old, and still requests its export", async () => {
        world.snapshots = [snapshot("automatic.cache-2026-11-20-05-00", "2026-11-20T04:00:00Z")];
        await assert.rejects(
            run(),
            /the newest automatic snapshot automatic\.cache-2026-11-20-05-00 is 196 h old \(limit 36 h\): automatic backups have stopped/,
        );
        assert.strictEqual(world.copySnapshotRequests.length, 1);
    });

    it("fails when there is no automatic snapshot", async () => {
        world.snapshots = [
            { ...snapshot("manual-one", "2026-11-28T04:00:00Z"), SnapshotSource: "manual" },
            snapshot("automatic.cache-2026-11-28-05-00", "2026-11-28T05:10:00Z", "creating"),
        ];
        await assert.rejects(run(), /no available automatic snapshot of cache: check that automatic backups run/);
        assert.strictEqual(world.copySnapshotRequests.length, 0);
    });

    it("records a rejected CopySnapshot, fails, and lets the next run request it again", async () => {
        world.snapshots = [snapshot("automatic.cache-2026-11-28-05-00", "2026-11-28T05:10:00Z")];
        world.copySnapshotFailure = elastiCacheError(
            "InvalidParameterCombination",
            400,
            "ElastiCache has not been granted WRITE permissions on the S3 Bucket",
        );
        await assert.rejects(
            run(),
            new RegExp(
                `CopySnapshot of automatic\\.cache-2026-11-28-05-00 to s3://${staging} failed: InvalidParameterCombination: ` +
                    "ElastiCache has not been granted WRITE permissions on the S3 Bucket",
            ),
        );
        const target = world.copySnapshotRequests[0].TargetSnapshotName;
        assert.strictEqual(world.marker(`snapshots/${target}.export.json`).status, "request-failed");
        world.copySnapshotFailure = undefined;
        world.tick(600e3);
        const retry = await run();
        assert.strictEqual(retry.requests[0].status, "requested");
        assert.strictEqual(world.copySnapshotRequests[1].TargetSnapshotName, target, "no object was made: same name");
        assert.strictEqual(world.copySnapshotRequests.length, 2);
        assert.strictEqual(world.marker(`snapshots/${target}.export.json`).status, "requested");
    });

    it("names every missing or bad setting and what to set", async () => {
        await assert.rejects(
            job.runExport(env.clients, { replicationGroupId: "cache", kmsKeyArn: "alias/archive" }),
            (err: Error) => {
                assert.strictEqual(
                    err.message,
                    [
                        "snapshot export job misconfigured:",
                        "  - STAGING_BUCKET is not set: set it to the bucket ElastiCache exports into (the HitrustRedis component sets it)",
                        "  - ARCHIVE_BUCKET is not set: set it to the SSE-KMS archive bucket (the HitrustRedis component sets it)",
                        "  - COPY_STATE_MACHINE_ARN is not set: set it to the ARN of the state machine that copies large exports (the HitrustRedis component sets it)",
                        '  - ARCHIVE_KMS_KEY_ARN "alias/archive" is not a KMS key ARN: use arn:<partition>:kms:<region>:<account>:key/<id>',
                    ].join("\n"),
                );
                return true;
            },
        );
    });

    it("passes AWS errors through as the run's failure", async () => {
        world.snapshots = [snapshot("automatic.cache-2026-11-28-05-00", "2026-11-28T05:10:00Z")];
        env.s.on(ListObjectsV2Command).rejects(s3Error("AccessDenied", 403, "Access Denied"));
        await assert.rejects(run(), /Access Denied/);
    });
});

describe("Snapshot archive job: the Lambda handler", () => {
    it("reads its settings from the environment and builds the runtime's SDK clients", async () => {
        const ec = mockClient(ElastiCacheClient);
        const s = mockClient(S3Client);
        const sf = mockClient(SFNClient);
        const cw = mockClient(CloudWatchClient);
        const saved = { ...process.env };
        const log = console.log;
        const logged: string[] = [];
        console.log = (line: string) => logged.push(line);
        try {
            Object.assign(process.env, {
                REPLICATION_GROUP_ID: "cache",
                STAGING_BUCKET: staging,
                ARCHIVE_BUCKET: archive,
                ARCHIVE_PREFIX: "snapshots",
                ARCHIVE_KMS_KEY_ARN: keyArn,
                COPY_STATE_MACHINE_ARN: copyMachineArn,
                AWS_REGION: "us-east-1",
            });
            cw.on(PutMetricDataCommand).resolves({});
            s.on(ListObjectsV2Command).resolves({ KeyCount: 0, IsTruncated: false });
            ec.on(DescribeSnapshotsCommand).resolves({ Snapshots: [] });
            await assert.rejects(
                job.handler({}, { getRemainingTimeInMillis: () => 890e3 }),
                /no available automatic snapshot of cache/,
            );
            // Even then the archive's age is published (0: nothing is owed yet), so the alarm has data.
            assert.strictEqual(cw.commandCalls(PutMetricDataCommand).length, 1);
            assert.strictEqual(sf.commandCalls(StartExecutionCommand).length, 0);
            assert.deepStrictEqual(
                s.commandCalls(ListObjectsV2Command).map((c) => [c.args[0].input.Bucket, c.args[0].input.Prefix]),
                [[archive, "snapshots/"]],
            );
            assert.strictEqual(ec.commandCalls(DescribeSnapshotsCommand)[0].args[0].input.ReplicationGroupId, "cache");
            assert.match(logged.join("\n"), /"replicationGroupId":"cache"/);
        } finally {
            console.log = log;
            process.env = saved;
            ec.restore();
            s.restore();
            sf.restore();
            cw.restore();
        }
    });

    it("takes the optional limits from the environment as numbers", () => {
        assert.deepStrictEqual(
            job.optionsFromEnvironment({
                REPLICATION_GROUP_ID: "cache",
                STAGING_BUCKET: staging,
                ARCHIVE_BUCKET: archive,
                ARCHIVE_KMS_KEY_ARN: keyArn,
                COPY_STATE_MACHINE_ARN: copyMachineArn,
                EXPORT_TIMEOUT_HOURS: "8",
                MAX_REQUESTS_PER_RUN: "2",
            }),
            {
                replicationGroupId: "cache",
                stagingBucket: staging,
                archiveBucket: archive,
                prefix: "snapshots",
                kmsKeyArn: keyArn,
                copyStateMachineArn: copyMachineArn,
                exportTimeoutHours: 8,
                maxRequestsPerRun: 2,
            },
        );
    });
});
