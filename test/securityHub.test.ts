// Security Hub (ASFF) from the live audit, with the Security Hub and STS clients mocked at the
// command level (aws-sdk-client-mock) and answered by the stand-in of test/securityHubFixture.ts.
import {
    BatchImportFindingsCommand,
    GetFindingsCommand,
    LimitExceededException,
    SecurityHubClient,
} from "@aws-sdk/client-securityhub";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import * as assert from "assert";
import { AwsStub, mockClient } from "aws-sdk-client-mock";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { AwsSession } from "../tools/audit/aws";
import { parseArgs } from "../tools/audit/cli";
import {
    buildFindings,
    Finding,
    findingId,
    importFindings,
    limits,
    planLifecycle,
    publishFindings,
    toBatches,
} from "../tools/audit/securityHub";
import { asffViolations } from "./asff";
import { account, AccountState, audit, FakeHub, mockAccount, restoreAccount } from "./securityHubFixture";

const day = (n: number) => new Date(Date.UTC(2026, 11, n, 9));

describe("Security Hub findings (ASFF) from the audit", function () {
    this.timeout(120000);
    let hub: FakeHub;
    let hubMock: AwsStub<any, any, any>;
    let stsMock: AwsStub<any, any, any>;
    let state: AccountState;
    let slept: number[];
    let clock: number;
    const pacing = () => ({
        clock: () => clock,
        sleep: async (ms: number) => {
            slept.push(ms);
            clock += ms;
        },
    });

    beforeEach(() => {
        state = {
            caches: [
                { id: "claims-cache", region: "us-east-1", atRest: false, transit: false },
                { id: "orders-cache", region: "us-east-1", atRest: true, transit: true },
            ],
            refuse: new Set(),
        };
        mockAccount(state);
        hubMock = mockClient(SecurityHubClient);
        hub = new FakeHub();
        hub.attach(hubMock);
        stsMock = mockClient(STSClient);
        stsMock.on(GetCallerIdentityCommand).resolves({
            Account: account,
            Arn: `arn:aws:sts::${account}:assumed-role/hitrust-audit/daily`,
            UserId: "AROAEXAMPLE:daily",
        });
        slept = [];
        clock = 0;
    });
    afterEach(() => {
        restoreAccount();
        hubMock.restore();
        stsMock.restore();
    });

    async function run(regions: string[], when: Date, reportDir?: string) {
        const outcome = await audit(regions, when);
        const session = new AwsSession({ now: () => when });
        try {
            return await publishFindings(outcome, { session, now: when, reportDir, ...pacing() });
        } finally {
            session.destroy();
        }
    }

    it("builds one valid finding per HITRUST control and resource, with a stable Id and the pack's verdicts", async () => {
        const outcome = await audit(["us-east-1"], day(1));
        const findings = buildFindings(outcome, { account, partition: "aws", now: day(1) });
        assert.ok(findings.length > 10);
        for (const f of findings) {
            assert.deepStrictEqual(asffViolations(f), [], f.Id);
        }
        const keys = findings.map((f) => `${f.GeneratorId}|${f.Resources![0].Id}`);
        assert.strictEqual(new Set(keys).size, keys.length, "one finding per control and resource");
        // Stable: the same run built again gives the same Ids.
        const again = buildFindings(outcome, { account, partition: "aws", now: day(2) });
        assert.deepStrictEqual(
            again.map((f) => f.Id),
            findings.map((f) => f.Id),
        );
        const claims = `arn:aws:elasticache:us-east-1:${account}:replicationgroup:claims-cache`;
        const transit = findings.find((f) => f.Id === findingId("0808.10b2", claims))!;
        assert.strictEqual(transit.Compliance!.Status, "FAILED");
        assert.strictEqual(transit.ProductArn, `arn:aws:securityhub:us-east-1:${account}:product/${account}/default`);
        assert.deepStrictEqual(transit.Compliance!.RelatedRequirements!.slice(0, 1), ["HITRUST CSF v9.x/0808.10b2"]);
        assert.strictEqual(transit.Resources![0].Type, "Other", "ASFF has no ElastiCache resource type");
        assert.match(
            transit.Resources![0].Details!.Other![
                "check/aws-elasticache-replicationgroup-enable-encryption-in-transit"
            ],
            /^fail: transitEncryptionEnabled is false/,
        );
        // Severity from the pack's policy (critical), Types from the ASFF taxonomy.
        assert.strictEqual(transit.Severity!.Label, "CRITICAL");
        assert.deepStrictEqual(transit.FindingProviderFields!.Severity, transit.Severity);
        assert.ok(
            transit.Types!.includes(
                "Software and Configuration Checks/Industry and Regulatory Standards/HIPAA Controls (USA)",
            ),
        );
        assert.match(
            transit.Remediation!.Recommendation!.Url!,
            /#aws-elasticache-replicationgroup-enable-encryption-in-transit$/,
        );
        // A control whose checks passed is PASSED (informational); one a refused call left open is NOT_AVAILABLE.
        const orders = `arn:aws:elasticache:us-east-1:${account}:replicationgroup:orders-cache`;
        const passed = findings.find((f) => f.Id === findingId("0808.10b2", orders))!;
        assert.deepStrictEqual([passed.Compliance!.Status, passed.Severity!.Label], ["PASSED", "INFORMATIONAL"]);
        const backups = findings.find((f) => f.Id === findingId("1616.09l1", claims))!;
        assert.strictEqual(backups.Compliance!.Status, "NOT_AVAILABLE");
        assert.match(backups.Description!, /needs elasticache:DescribeSnapshots/);
        // Advisory failures only: WARNING.
        const logs = findings.find((f) => f.Id === findingId("1204.09aa1", claims))!;
        assert.strictEqual(logs.Compliance!.Status, "WARNING");
        // Ids are deterministic and at most 512 characters, also for long ARNs.
        const long = `arn:aws:logs:us-east-1:${account}:log-group:${"x".repeat(600)}`;
        assert.strictEqual(findingId("1204.09aa1", long), findingId("1204.09aa1", long));
        assert.ok(findingId("1204.09aa1", long).length <= 512);
    });

    it("sends every finding to its Region's own product and writes report.asff.json", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "asff-"));
        const result = await run(["us-east-1"], day(1), dir);
        assert.deepStrictEqual(result.errors, []);
        const file = JSON.parse(fs.readFileSync(path.join(dir, "report.asff.json"), "utf8"));
        assert.strictEqual(file.Findings.length, hub.store.size);
        for (const f of file.Findings) {
            assert.deepStrictEqual(asffViolations(f), []);
        }
        assert.strictEqual(result.regions[0].sent, hub.store.size);
        // GetFindings: this tool's active findings of this product in this Region only.
        const filters = hub.gets[0].input.Filters;
        assert.deepStrictEqual(filters.RecordState, [{ Value: "ACTIVE", Comparison: "EQUALS" }]);
        assert.deepStrictEqual(filters.Region, [{ Value: "us-east-1", Comparison: "EQUALS" }]);
        assert.strictEqual(filters.GeneratorId[0].Comparison, "PREFIX");
    });

    it("updates the same Id on the next run: CreatedAt kept from the first sighting, UpdatedAt later", async () => {
        await run(["us-east-1"], day(1));
        const first = hub.find("0808.10b2", "claims-cache")!;
        const count = hub.store.size;
        await run(["us-east-1"], day(2));
        const second = hub.find("0808.10b2", "claims-cache")!;
        assert.strictEqual(hub.store.size, count, "no new finding: the same Ids were updated");
        assert.strictEqual(second.CreatedAt, first.CreatedAt);
        assert.strictEqual(second.UpdatedAt, day(2).toISOString());
        // Every finding was re-sent (Security Hub deletes findings not updated for 90 days).
        assert.ok([...hub.store.values()].every((f) => f.UpdatedAt === day(2).toISOString()));
    });

    it("resolves a fixed problem with PASSED and archives the findings of a deleted cache, only for what the run covered", async () => {
        await run(["us-east-1"], day(1));
        assert.strictEqual(hub.find("0808.10b2", "claims-cache")!.Compliance!.Status, "FAILED");
        // The fix (transit encryption on) and the deletion (orders-cache).
        state.caches[0].transit = true;
        state.caches.splice(1, 1);
        const result = await run(["us-east-1"], day(2));
        const fixed = hub.find("0808.10b2", "claims-cache")!;
        assert.deepStrictEqual([fixed.Compliance!.Status, fixed.RecordState], ["PASSED", "ACTIVE"]);
        // Covered controls of the deleted cache: archived.
        for (const control of ["0808.10b2", "1410.09e2"]) {
            assert.strictEqual(hub.find(control, "orders-cache")!.RecordState, "ARCHIVED", control);
        }
        // A control the run did not evidence (the archive bucket could not be read): left alone.
        const unevidenced = hub.find("1903.06d1", "orders-cache")!;
        assert.strictEqual(unevidenced.RecordState, "ACTIVE");
        assert.strictEqual(unevidenced.UpdatedAt, day(1).toISOString());
        assert.ok(
            result.regions[0].kept.some((k) => k.id === unevidenced.Id && /1903.06d1 was not evidenced/.test(k.reason)),
        );
        // A subnet group is read only through a cache, never listed: its findings are not archived.
        assert.ok(
            [...hub.store.values()]
                .filter((f) => f.Resources![0].Id!.includes(":subnetgroup:orders-cache"))
                .every((f) => f.RecordState === "ACTIVE"),
        );
    });

    it("archives nothing in a Region the run did not audit, nor where the listing was refused", async () => {
        state.caches.push({ id: "eu-cache", region: "eu-west-1", atRest: true, transit: true });
        await run(["us-east-1", "eu-west-1"], day(1));
        assert.strictEqual(hub.find("0808.10b2", "eu-cache", "eu-west-1")!.RecordState, "ACTIVE");
        // eu-cache deleted, but eu-west-1 not audited: its findings stay.
        state.caches = state.caches.filter((c) => c.id !== "eu-cache");
        await run(["us-east-1"], day(2));
        assert.strictEqual(hub.find("0808.10b2", "eu-cache", "eu-west-1")!.RecordState, "ACTIVE");
        assert.ok(hub.gets.every((g) => g.region === "us-east-1" || hub.imports.some((i) => i.region === g.region)));
        // orders-cache deleted, but DescribeReplicationGroups refused: nothing known, nothing archived.
        state.caches = state.caches.filter((c) => c.id !== "orders-cache");
        state.refuse.add("us-east-1 elasticache:DescribeReplicationGroups");
        await run(["us-east-1"], day(3));
        assert.strictEqual(hub.find("0808.10b2", "orders-cache")!.RecordState, "ACTIVE");
        assert.strictEqual(hub.find("1410.09e2", "orders-cache")!.RecordState, "ACTIVE");
    });

    it("archives a gone resource only when its kind was listed in that Region this run", async () => {
        const outcome = await audit(["us-east-1"], day(1));
        const [old] = buildFindings(outcome, { account, partition: "aws", now: day(1) }).filter((f) =>
            f.Id!.includes("0808.10b2/arn:aws:elasticache:us-east-1:123456789012:replicationgroup:orders"),
        );
        const coverage = (listed: string[]) => ({
            regions: ["us-east-1"],
            listed: { "us-east-1": listed },
            present: [],
            controls: { "us-east-1": ["0808.10b2"] },
        });
        const notListed = planLifecycle([], [old], coverage([]), day(2));
        assert.deepStrictEqual(notListed.archived, []);
        assert.match(notListed.kept[0].reason, /elasticache:DescribeReplicationGroups did not succeed in us-east-1/);
        const listed = planLifecycle([], [old], coverage(["elasticache:replicationgroup"]), day(2));
        assert.deepStrictEqual(listed.archived, [old.Id]);
        assert.deepStrictEqual(
            [listed.send[0].RecordState, listed.send[0].UpdatedAt, listed.send[0].CreatedAt],
            ["ARCHIVED", day(2).toISOString(), old.CreatedAt],
        );
        assert.deepStrictEqual(asffViolations(listed.send[0]), []);
    });

    it("Security Hub not enabled in a Region is a warning, not a failure", async () => {
        hub.disabled.add("us-east-1");
        const result = await run(["us-east-1"], day(1));
        assert.deepStrictEqual(result.errors, []);
        assert.strictEqual(result.regions[0].state, "not enabled");
        assert.match(result.warnings[0], /Security Hub is not enabled in us-east-1 .*not subscribed/);
        assert.strictEqual(hub.imports.length, 0);
    });

    it("FailedFindings that all say InvalidAccess (Security Hub off) are the same warning", async () => {
        hubMock.on(BatchImportFindingsCommand).callsFake(async (input: any) => ({
            SuccessCount: 0,
            FailedCount: input.Findings.length,
            FailedFindings: input.Findings.map((f: Finding) => ({
                Id: f.Id,
                ErrorCode: "InvalidAccess",
                ErrorMessage: "Security Hub is not enabled for this account",
            })),
        }));
        const result = await run(["us-east-1"], day(1));
        assert.deepStrictEqual(result.errors, []);
        assert.strictEqual(result.regions[0].state, "not enabled");
        assert.match(result.warnings.join("\n"), /Security Hub is not enabled in us-east-1/);
    });

    it("AccessDenied names the action to grant", async () => {
        const denied = Object.assign(new Error("not authorized"), {
            name: "AccessDeniedException",
            $metadata: { httpStatusCode: 403 },
        });
        hubMock.on(BatchImportFindingsCommand).rejects(denied);
        const result = await run(["us-east-1"], day(1));
        assert.strictEqual(result.regions[0].state, "denied");
        assert.match(result.errors.join("\n"), /securityhub:BatchImportFindings was refused in us-east-1/);
        hubMock.on(GetFindingsCommand).rejects(denied);
        const again = await run(["us-east-1"], day(2));
        assert.match(again.errors.join("\n"), /securityhub:GetFindings was refused in us-east-1/);
    });

    describe("limits (BatchImportFindings)", () => {
        let sample: Finding;
        before(async () => {
            mockAccount({ caches: [{ id: "c", region: "us-east-1", atRest: true, transit: true }], refuse: new Set() });
            sample = buildFindings(await audit(["us-east-1"], day(1)), { account, partition: "aws", now: day(1) })[0];
            restoreAccount();
        });
        const copies = (n: number, pad = 0) =>
            Array.from({ length: n }, (_, i) => ({
                ...sample,
                Id: `${sample.Id}/${i}`,
                ...(pad
                    ? { Resources: [{ ...sample.Resources![0], Details: { Other: { pad: "x".repeat(pad) } } }] }
                    : {}),
            }));
        const session = () => new AwsSession({});

        it("250 findings: 3 calls of at most 100", async () => {
            const result = await importFindings(session(), "us-east-1", copies(250), pacing());
            assert.deepStrictEqual(
                hub.imports.map((i) => i.findings.length),
                [100, 100, 50],
            );
            assert.strictEqual(result.sent, 250);
            assert.deepStrictEqual(slept, [], "within the burst of 30 calls: no wait");
        });

        it("splits by the 6 MB per call and refuses a finding over 240 KB, by Id", async () => {
            const big = copies(100, 0).map((f, i) => ({ ...f, ProductFields: { [`k${i}`]: "y".repeat(100 * 1000) } }));
            const { batches } = toBatches(big as Finding[]);
            assert.ok(batches.length >= 2);
            assert.ok(batches.every((b) => Buffer.byteLength(JSON.stringify({ Findings: b })) <= limits.bytesPerCall));
            const huge = { ...sample, Id: `${sample.Id}/huge`, Description: "z".repeat(300 * 1000) };
            const result = await importFindings(session(), "us-east-1", [...copies(2), huge], pacing());
            assert.strictEqual(result.sent, 2);
            assert.deepStrictEqual(
                result.failed.map((f) => [f.Id, f.ErrorCode]),
                [[huge.Id, "FindingTooLarge"]],
            );
            assert.match(
                result.failed[0].ErrorMessage,
                /over BatchImportFindings' 240000 bytes \(240 KB\) per finding/,
            );
            assert.ok(!hub.imports.some((i) => i.findings.some((f) => f.Id === huge.Id)));
        });

        it("paces calls at 10 a second after a burst of 30", async () => {
            await importFindings(session(), "us-east-1", copies(3200), pacing());
            assert.strictEqual(hub.imports.length, 32);
            // 30 at once, then one token every 100 ms.
            assert.deepStrictEqual(slept, [100, 100]);
        });

        it("retries a call still throttled after the SDK's retries, then reports each finding", async () => {
            const throttle = new LimitExceededException({
                $metadata: { httpStatusCode: 429 },
                message: "Rate exceeded",
            });
            hubMock
                .on(BatchImportFindingsCommand)
                .rejectsOnce(throttle)
                .callsFake(async (input: any) => hub.import("us-east-1", input));
            const once = await importFindings(session(), "us-east-1", copies(5), pacing());
            assert.strictEqual(once.sent, 5);
            assert.deepStrictEqual(slept, [2000]);
            hubMock.on(BatchImportFindingsCommand).rejects(throttle);
            const always = await importFindings(session(), "us-east-1", copies(3), { ...pacing(), throttleRetries: 2 });
            assert.strictEqual(always.sent, 0);
            assert.deepStrictEqual(
                always.failed.map((f) => f.ErrorCode),
                ["LimitExceededException", "LimitExceededException", "LimitExceededException"],
            );
        });

        it("reports FailedFindings per finding, none dropped", async () => {
            const bad = { ...sample, Id: `${sample.Id}/bad`, Title: "t".repeat(300) };
            const result = await importFindings(session(), "us-east-1", [...copies(2), bad], pacing());
            assert.strictEqual(result.sent, 2);
            assert.deepStrictEqual(
                result.failed.map((f) => [f.Id, f.ErrorCode]),
                [[bad.Id, "InvalidInput"]],
            );
            assert.match(result.failed[0].ErrorMessage, /Title must be 1-256 characters/);
        });
    });

    it("--security-hub is a CLI flag; with --stack-export it is refused", () => {
        assert.strictEqual(parseArgs(["--security-hub"]).securityHub, true);
        assert.throws(
            () => parseArgs(["--stack-export", "x.json", "--security-hub"]),
            /--security-hub sends findings about running resources: leave out --stack-export/,
        );
    });
});
