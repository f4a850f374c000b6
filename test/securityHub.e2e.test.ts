// End to end: `npm run audit -- --security-hub` twice against the loopback AWS stand-in
// (test/loopbackAws.ts), through the real SDK stack: STS answers GetCallerIdentity in its Query
// protocol, Security Hub answers GetFindings (POST /findings) and BatchImportFindings (POST
// /findings/import) in its REST-JSON protocol from the stand-in of test/securityHubFixture.ts, the
// first import after a 429 LimitExceededException (the SDK's standard retry must send it again).
// Between the runs one cache is fixed and the other deleted: the second run resolves and archives.
import * as assert from "assert";
import * as fs from "fs";
import * as http from "http";
import * as os from "os";
import * as path from "path";
import { asffViolations } from "./asff";
import { cluster, loopbackEnv, member, runCli, Seen, startServer } from "./loopbackAws";
import { account, FakeHub } from "./securityHubFixture";

interface Cache {
    id: string;
    transit: boolean;
}

const groupXml = (c: Cache) => `<ReplicationGroup>
  <ReplicationGroupId>${c.id}</ReplicationGroupId><Description>${c.id}</Description><Status>available</Status>
  <MemberClusters><ClusterId>${c.id}-001</ClusterId><ClusterId>${c.id}-002</ClusterId></MemberClusters>
  <NodeGroups><NodeGroup><NodeGroupId>0001</NodeGroupId><Status>available</Status>
    <PrimaryEndpoint><Address>master.${c.id}.abc123.use1.cache.amazonaws.com</Address><Port>6379</Port></PrimaryEndpoint>
    <NodeGroupMembers>${member(`${c.id}-001`, "us-east-1a", "primary")}${member(`${c.id}-002`, "us-east-1b", "replica")}</NodeGroupMembers>
  </NodeGroup></NodeGroups>
  <AutomaticFailover>enabled</AutomaticFailover><MultiAZ>enabled</MultiAZ>
  <SnapshotRetentionLimit>35</SnapshotRetentionLimit><SnapshotWindow>03:00-05:00</SnapshotWindow>
  <ClusterEnabled>false</ClusterEnabled><CacheNodeType>cache.r7g.large</CacheNodeType>
  <AuthTokenEnabled>true</AuthTokenEnabled>
  <TransitEncryptionEnabled>${c.transit}</TransitEncryptionEnabled>${c.transit ? "<TransitEncryptionMode>required</TransitEncryptionMode>" : ""}
  <AtRestEncryptionEnabled>true</AtRestEncryptionEnabled>
  <ARN>arn:aws:elasticache:us-east-1:${account}:replicationgroup:${c.id}</ARN>
  <LogDeliveryConfigurations/>
  <ReplicationGroupCreateTime>2026-09-01T10:00:00.000Z</ReplicationGroupCreateTime>
  <AutoMinorVersionUpgrade>true</AutoMinorVersionUpgrade><ClusterMode>disabled</ClusterMode><Engine>redis</Engine>
</ReplicationGroup>`;

/** ElastiCache answers for the caches of the account as it stands. */
function answers(caches: Cache[]): Record<string, string> {
    return {
        DescribeReplicationGroups: `<ReplicationGroups>${caches.map(groupXml).join("")}</ReplicationGroups>`,
        DescribeCacheClusters: `<CacheClusters>${caches
            .map((c) =>
                [`${c.id}-001`, `${c.id}-002`]
                    .map((id, i) => cluster(id, i === 0 ? "us-east-1a" : "us-east-1b").replace(/claims-cache/g, c.id))
                    .join(""),
            )
            .join("")}</CacheClusters>`,
        DescribeServerlessCaches: "<ServerlessCaches/>",
        DescribeUsers: "<Users/>",
        DescribeUserGroups: "<UserGroups/>",
    };
}

describe("npm run audit -- --security-hub end to end (local AWS endpoint)", () => {
    let server: http.Server;
    let url: string;
    let seen: Seen[];
    const hub = new FakeHub();
    const elasticache: Record<string, string> = {};
    let throttledOnce = false;

    before(async () => {
        ({ server, url, seen } = await startServer({
            elasticache,
            route: (req, body, res, seen) => {
                const authorization = String(req.headers.authorization ?? "");
                const form = new URLSearchParams(body);
                if (form.get("Action") === "GetCallerIdentity" && form.get("Version") === "2011-06-15") {
                    seen.push({ action: "sts:GetCallerIdentity", authorization });
                    res.writeHead(200, { "content-type": "text/xml" });
                    res.end(
                        `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>arn:aws:sts::${account}:assumed-role/hitrust-audit/daily</Arn><UserId>AROAEXAMPLE:daily</UserId><Account>${account}</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>01234567-89ab-cdef-0123-456789abcdef</RequestId></ResponseMetadata></GetCallerIdentityResponse>`,
                    );
                    return true;
                }
                if (req.method !== "POST" || (req.url !== "/findings" && req.url !== "/findings/import")) {
                    return false;
                }
                // The Region is the SigV4 credential scope's.
                const region = /Credential=[^/]+\/\d{8}\/([^/]+)\/securityhub\//.exec(authorization)?.[1] ?? "";
                const operation = req.url === "/findings" ? "GetFindings" : "BatchImportFindings";
                seen.push({ action: `securityhub:${operation}`, authorization });
                const reply = (status: number, payload: object, type?: string) => {
                    res.writeHead(status, {
                        "content-type": "application/json",
                        ...(type ? { "x-amzn-errortype": type } : {}),
                    });
                    res.end(JSON.stringify(payload));
                };
                if (operation === "BatchImportFindings" && !throttledOnce) {
                    throttledOnce = true;
                    reply(429, { Message: "Rate exceeded", Code: "LimitExceededException" }, "LimitExceededException");
                    return true;
                }
                try {
                    const input = JSON.parse(body);
                    reply(200, operation === "GetFindings" ? hub.get(region, input) : hub.import(region, input));
                } catch (e) {
                    reply(400, { Message: (e as Error).message }, "InvalidInputException");
                }
                return true;
            },
        }));
    });
    after(() => new Promise<void>((resolve) => server.close(() => resolve())));

    async function run(caches: Cache[]) {
        Object.assign(elasticache, answers(caches));
        const reportDir = fs.mkdtempSync(path.join(os.tmpdir(), "securityhub-e2e-"));
        const result = await runCli(["--security-hub", "--report", reportDir], loopbackEnv(url));
        return { ...result, reportDir };
    }

    it("sends valid findings, then resolves the fixed problem and archives the deleted cache's covered findings", async () => {
        const first = await run([
            { id: "claims-cache", transit: false },
            { id: "orders-cache", transit: true },
        ]);
        assert.strictEqual(first.code, 1, `a mandatory finding, findings delivered\n${first.stdout}\n${first.stderr}`);
        assert.match(
            first.stdout,
            /Security Hub us-east-1: \d+ findings imported into arn:aws:securityhub:us-east-1:123456789012:product\/123456789012\/default/,
        );
        // The SDK's standard retry sent the throttled import again.
        const imports = seen.filter((s) => s.action === "securityhub:BatchImportFindings");
        assert.ok(imports.length >= 2 && throttledOnce);
        assert.match(imports[0].authorization, /\/us-east-1\/securityhub\/aws4_request/);
        const file = JSON.parse(fs.readFileSync(path.join(first.reportDir, "report.asff.json"), "utf8"));
        assert.ok(file.Findings.length > 10);
        assert.deepStrictEqual(file.Findings.flatMap(asffViolations), []);
        assert.strictEqual(hub.store.size, file.Findings.length, "every finding taken");
        assert.strictEqual(hub.find("0808.10b2", "claims-cache")!.Compliance!.Status, "FAILED");

        const second = await run([{ id: "claims-cache", transit: true }]);
        assert.strictEqual(
            second.code,
            1,
            `other mandatory findings remain; no delivery error\n${second.stdout}\n${second.stderr}`,
        );
        const fixed = hub.find("0808.10b2", "claims-cache")!;
        assert.deepStrictEqual([fixed.Compliance!.Status, fixed.RecordState], ["PASSED", "ACTIVE"]);
        assert.strictEqual(fixed.CreatedAt, hub.find("1410.09e2", "claims-cache")!.CreatedAt);
        assert.strictEqual(hub.find("0808.10b2", "orders-cache")!.RecordState, "ARCHIVED");
        // At-rest encryption's control also needs the archive bucket, whose reads were refused:
        // not evidenced this run, so the deleted cache's finding is not archived.
        assert.strictEqual(hub.find("1903.06d1", "orders-cache")!.RecordState, "ACTIVE");
        assert.match(second.stdout, /\d+ resolved, \d+ archived/);
        assert.match(second.stdout, /earlier findings left as they are/);
        const secondFile = JSON.parse(fs.readFileSync(path.join(second.reportDir, "report.asff.json"), "utf8"));
        assert.deepStrictEqual(secondFile.Findings.flatMap(asffViolations), []);
    });
});
