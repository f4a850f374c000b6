// The archive job's logic against a mocked ElastiCache and S3 client.
import * as assert from "assert";

const { exportNewestSnapshot, handler } = require("../component/lambda/exportSnapshot.js");

type Call = [string, any];

function api(pages: any[][], existingKeys = 0) {
    const calls: Call[] = [];
    let page = 0;
    return {
        calls,
        describeSnapshots: async (params: any) => {
            calls.push(["describeSnapshots", params]);
            const snapshots = pages[page] ?? [];
            page++;
            return { Snapshots: snapshots, Marker: page < pages.length ? `m${page}` : undefined };
        },
        copySnapshot: async (params: any) => {
            calls.push(["copySnapshot", params]);
            return {};
        },
        listObjects: async (params: any) => {
            calls.push(["listObjects", params]);
            return { KeyCount: existingKeys };
        },
    };
}

const snap = (name: string, time: string, status = "available") => ({
    SnapshotName: name,
    SnapshotStatus: status,
    SnapshotSource: "automated",
    NodeSnapshots: [{ SnapshotCreateTime: time }, { SnapshotCreateTime: time }],
});
const options = {
    replicationGroupId: "cache",
    bucket: "archive",
    prefix: "snapshots",
    now: new Date("2026-11-28T08:00:00Z"),
};

describe("Snapshot archive job", () => {
    it("exports the newest available automatic snapshot across pages", async () => {
        const fake = api([
            [
                snap("automatic.cache-2026-11-26", "2026-11-26T04:00:00Z"),
                snap("automatic.cache-2026-11-28", "2026-11-28T04:00:00Z", "creating"),
            ],
            [snap("automatic.cache-2026-11-27", "2026-11-27T04:00:00Z")],
        ]);
        const result = await exportNewestSnapshot(fake, options);
        assert.deepStrictEqual(result, {
            status: "exported",
            snapshot: "automatic.cache-2026-11-27",
            target: "snapshots/automatic.cache-2026-11-27",
        });
        assert.deepStrictEqual(
            fake.calls.map((c) => c[0]),
            ["describeSnapshots", "describeSnapshots", "listObjects", "copySnapshot"],
        );
        assert.deepStrictEqual(fake.calls[0][1], {
            ReplicationGroupId: "cache",
            SnapshotSource: "automated",
            MaxRecords: 50,
            Marker: undefined,
        });
        assert.strictEqual(fake.calls[1][1].Marker, "m1");
        assert.deepStrictEqual(fake.calls[3][1], {
            SourceSnapshotName: "automatic.cache-2026-11-27",
            TargetSnapshotName: "snapshots/automatic.cache-2026-11-27",
            TargetBucket: "archive",
        });
    });

    it("does not export the same snapshot twice", async () => {
        const fake = api([[snap("automatic.cache-2026-11-28", "2026-11-28T04:00:00Z")]], 1);
        const result = await exportNewestSnapshot(fake, options);
        assert.strictEqual(result.status, "already archived");
        assert.ok(!fake.calls.some((c) => c[0] === "copySnapshot"));
    });

    it("fails (and so alarms) when there is no snapshot", async () => {
        await assert.rejects(
            exportNewestSnapshot(api([[]]), options),
            /no available automatic snapshot of cache: check that automatic backups run/,
        );
    });

    it("fails when the newest snapshot is stale and already archived: backups have stopped", async () => {
        const fake = api([[snap("automatic.cache-2026-11-20", "2026-11-20T04:00:00Z")]], 1);
        await assert.rejects(
            exportNewestSnapshot(fake, options),
            /the newest snapshot automatic\.cache-2026-11-20 is 196 h old: automatic backups have stopped/,
        );
    });

    it("fails on missing settings and passes AWS errors through", async () => {
        await assert.rejects(
            exportNewestSnapshot(api([]), { ...options, bucket: "" }),
            /REPLICATION_GROUP_ID and ARCHIVE_BUCKET must be set/,
        );
        const failing = {
            ...api([[snap("s", "2026-11-28T04:00:00Z")]]),
            copySnapshot: async () => {
                throw new Error("AccessDenied");
            },
        };
        await assert.rejects(exportNewestSnapshot(failing, options), /AccessDenied/);
    });

    it("the handler reads its settings from the environment and uses the runtime's AWS SDK", async () => {
        assert.strictEqual(typeof handler, "function");
        const source = require("fs").readFileSync(require.resolve("../component/lambda/exportSnapshot.js"), "utf8");
        assert.match(source, /require\("@aws-sdk\/client-elasticache"\)/);
        assert.match(source, /process\.env\.REPLICATION_GROUP_ID/);
    });
});
