// End to end: the audit CLI against a local HTTP server that speaks the AWS wire protocols, through
// the real SDK stack (endpoint resolution from AWS_ENDPOINT_URL, SigV4 signing with dummy keys, the
// standard retry mode, XML and JSON parsing). ElastiCache answers in its Query protocol (XML,
// shaped like the API reference's DescribeReplicationGroups example), after one Throttling error;
// every other call is refused with each protocol's AccessDenied, so the report shows gaps.
import * as assert from "assert";
import * as fs from "fs";
import * as http from "http";
import * as os from "os";
import * as path from "path";
import { root, runCli, Seen, startServer } from "./loopbackAws";

describe("npm run audit end to end (local AWS endpoint)", () => {
    let server: http.Server;
    let url: string;
    let seen: Seen[];
    before(async () => ({ server, url, seen } = await startServer()));
    after(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it("reads ElastiCache through AWS_ENDPOINT_URL, retries the throttled call, reports the verdict and the gaps", async () => {
        const reportDir = fs.mkdtempSync(path.join(os.tmpdir(), "audit-e2e-"));
        const home = fs.mkdtempSync(path.join(os.tmpdir(), "audit-home-"));
        const env: NodeJS.ProcessEnv = {
            PATH: process.env.PATH,
            HOME: home,
            AWS_ENDPOINT_URL: url,
            AWS_REGION: "us-east-1",
            AWS_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE",
            AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            AWS_CONFIG_FILE: path.join(home, "config"),
            AWS_SHARED_CREDENTIALS_FILE: path.join(home, "credentials"),
            AWS_EC2_METADATA_DISABLED: "true",
        };
        const run = await runCli(["--report", reportDir], env);
        assert.strictEqual(run.code, 1, `exit code 1 (at-rest encryption off)\n${run.stdout}\n${run.stderr}`);

        // The SDK's standard retry: the throttled call was sent again and succeeded.
        const describes = seen.filter((s) => s.action === "elasticache:DescribeReplicationGroups");
        assert.strictEqual(describes.length, 2, "one throttled attempt, one retry");
        // Signed with the credential chain's (dummy) keys for the default Region.
        assert.match(
            describes[1].authorization,
            /Credential=AKIAIOSFODNN7EXAMPLE\/\d{8}\/us-east-1\/elasticache\/aws4_request/,
        );

        const report = JSON.parse(fs.readFileSync(path.join(reportDir, "report.json"), "utf8"));
        const markdown = fs.readFileSync(path.join(reportDir, "report.md"), "utf8");
        assert.strictEqual(report.mode, "audit");
        assert.match(report.target, /us-east-1/);
        const mandatory = report.findings.filter((f: any) => f.enforcementLevel === "mandatory");
        assert.ok(
            mandatory.some(
                (f: any) =>
                    f.policy === "aws-elasticache-replicationgroup-enable-encryption-at-rest" &&
                    f.resource === "claims-cache",
            ),
            JSON.stringify(mandatory, null, 2),
        );
        // Only settings the XML shows are judged: nothing about the network, whose calls were refused.
        assert.ok(!mandatory.some((f: any) => /securitygroup|subnetgroup-disallow-public/.test(f.policy)));
        const byId = Object.fromEntries(report.controls.map((c: any) => [c.id, c]));
        assert.strictEqual(byId["1903.06d1"].status, "not met");
        const transit = byId["0808.10b2"].evidence.find((e: any) => e.setting === "transitEncryptionEnabled");
        assert.deepStrictEqual(
            [transit.value, transit.source, transit.call],
            ["true", "observed", "elasticache:DescribeReplicationGroups"],
        );
        // Refused calls are gaps named by the action to grant.
        assert.ok(byId["0805.01m1"].gaps.some((g: string) => g.includes("needs ec2:DescribeSecurityGroups")));
        assert.ok(byId["12100.09ab2"].gaps.some((g: string) => g.includes("needs cloudwatch:DescribeAlarms")));
        assert.ok(byId["1620.09l1"].gaps.some((g: string) => g.includes("needs s3:ListAllMyBuckets")));
        assert.ok(byId["19141.06c1"].gaps.some((g: string) => g.includes("needs secretsmanager:ListSecrets")));
        assert.ok(byId["1616.09l1"].gaps.some((g: string) => g.includes("needs elasticache:DescribeSnapshots")));
        assert.strictEqual(byId["1616.09l1"].status, "not evidenced");
        assert.match(markdown, /Not evidenced:/);
        assert.match(run.stderr, /us-east-1 elasticache:DescribeReplicationGroups/, "progress on stderr");
        assert.match(run.stdout, /Evidence report: /);

        // Every request the server saw is granted by the shipped policy.
        const policy = JSON.parse(fs.readFileSync(path.join(root, "tools", "audit", "iam-policy.json"), "utf8"));
        const granted = new Set(policy.Statement.flatMap((s: any) => s.Action));
        const s3Renamed: Record<string, string> = { "s3:ListBuckets": "s3:ListAllMyBuckets" };
        const missing = [...new Set(seen.map((s) => s3Renamed[s.action] ?? s.action))].filter((a) => !granted.has(a));
        assert.deepStrictEqual(missing, []);
    });

    it("--profile takes credentials and Region from the named profile; --quiet prints no progress", async () => {
        const home = fs.mkdtempSync(path.join(os.tmpdir(), "audit-home-"));
        fs.writeFileSync(path.join(home, "config"), "[profile assessor]\nregion = eu-west-1\n");
        fs.writeFileSync(
            path.join(home, "credentials"),
            "[assessor]\naws_access_key_id = AKIAPROFILEEXAMPLE00\naws_secret_access_key = profileSecretKeyEXAMPLE\n",
        );
        const before = seen.length;
        const run = await runCli(
            ["--profile", "assessor", "--quiet", "--report", fs.mkdtempSync(path.join(os.tmpdir(), "audit-e2e-"))],
            {
                PATH: process.env.PATH,
                HOME: home,
                AWS_ENDPOINT_URL: url,
                AWS_CONFIG_FILE: path.join(home, "config"),
                AWS_SHARED_CREDENTIALS_FILE: path.join(home, "credentials"),
                AWS_EC2_METADATA_DISABLED: "true",
            },
        );
        assert.strictEqual(run.code, 1, run.stderr);
        assert.doesNotMatch(run.stderr, /elasticache:Describe/);
        const mine = seen.slice(before);
        assert.ok(mine.length > 0);
        assert.ok(
            mine.every((s) => /Credential=AKIAPROFILEEXAMPLE00\/\d{8}\/eu-west-1\//.test(s.authorization)),
            "every request signed with the profile's keys for the profile's Region",
        );
    });
});
