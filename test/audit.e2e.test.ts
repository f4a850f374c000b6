// End to end: the audit CLI against a local HTTP server that speaks the AWS wire protocols, through
// the real SDK stack (endpoint resolution from AWS_ENDPOINT_URL, SigV4 signing with dummy keys, the
// standard retry mode, XML and JSON parsing). ElastiCache answers in its Query protocol (XML,
// shaped like the API reference's DescribeReplicationGroups example), after one Throttling error;
// every other call is refused with each protocol's AccessDenied, so the report shows gaps.
import * as assert from "assert";
import * as fs from "fs";
import * as http from "http";
import { AddressInfo } from "net";
import * as os from "os";
import * as path from "path";
import { main } from "../tools/audit/cli";
import { expiredKey, loopbackEnv, root, runCli, Seen, startServer } from "./loopbackAws";

describe("npm run audit end to end (local AWS endpoint)", () => {
    let server: http.Server;
    let url: string;
    let seen: Seen[];
    before(async () => ({ server, url, seen } = await startServer()));
    after(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it("reads ElastiCache through AWS_ENDPOINT_URL, retries the throttled call, reports the verdict and the gaps", async () => {
        const reportDir = fs.mkdtempSync(path.join(os.tmpdir(), "audit-e2e-"));
        const env = loopbackEnv(url);
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

describe("npm run audit: run errors a person can act on", () => {
    let server: http.Server;
    let url: string;
    before(async () => ({ server, url } = await startServer()));
    after(() => new Promise<void>((resolve) => server.close(() => resolve())));

    /** The CLI in process with exactly `env` (plus PATH), stdout and stderr captured. */
    async function cli(args: string[], env: NodeJS.ProcessEnv) {
        const saved = process.env;
        const home = fs.mkdtempSync(path.join(os.tmpdir(), "audit-home-"));
        process.env = {
            PATH: saved.PATH,
            HOME: home,
            AWS_CONFIG_FILE: path.join(home, "config"),
            AWS_SHARED_CREDENTIALS_FILE: path.join(home, "credentials"),
            AWS_EC2_METADATA_DISABLED: "true",
            ...env,
        };
        const write = process.stdout.write.bind(process.stdout);
        const err = process.stderr.write.bind(process.stderr);
        let stdout = "";
        let stderr = "";
        (process.stdout as any).write = (t: string) => ((stdout += t), true);
        (process.stderr as any).write = (t: string) => ((stderr += t), true);
        const reportDir = fs.mkdtempSync(path.join(os.tmpdir(), "audit-err-"));
        try {
            const code = await main(["--region", "us-east-1", "--quiet", "--report", reportDir, ...args]);
            return { code, stdout, stderr, reportDir };
        } finally {
            (process.stdout as any).write = write;
            (process.stderr as any).write = err;
            process.env = saved;
        }
    }

    const oneLine = (text: string) => {
        // Node prints its process warnings (once per process) on stderr too: not the audit's.
        const own = text.replace(/\(node:\d+\) Warning:[\s\S]*?--trace-warnings[^\n]*\n/, "");
        const lines = own.trim().split("\n");
        assert.strictEqual(lines.length, 1, `one line, got:\n${text}`);
        return lines[0];
    };

    it("no credentials anywhere: one line naming AWS_PROFILE / --profile and the key variables", async () => {
        const run = await cli([], { AWS_ENDPOINT_URL: url });
        assert.strictEqual(run.code, 2);
        const line = oneLine(run.stderr);
        assert.match(
            line,
            /^error: no AWS credentials found: set AWS_PROFILE \(or pass --profile NAME\).*AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY/,
        );
        // Not the SDK's own words.
        assert.doesNotMatch(line, /Could not load credentials from any providers/);
        assert.deepStrictEqual(fs.readdirSync(run.reportDir), []);
    });

    it("an endpoint nobody answers: one line naming the address and AWS_ENDPOINT_URL", async () => {
        // A port that was just free: nothing listens there.
        const closed = await new Promise<number>((resolve) => {
            const probe = http.createServer().listen(0, "127.0.0.1", () => {
                const { port } = probe.address() as AddressInfo;
                probe.close(() => resolve(port));
            });
        });
        const run = await cli([], {
            AWS_ENDPOINT_URL: `http://127.0.0.1:${closed}`,
            AWS_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE",
            AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            AWS_MAX_ATTEMPTS: "1",
        });
        assert.strictEqual(run.code, 2);
        const line = oneLine(run.stderr);
        assert.match(
            line,
            new RegExp(
                `^error: cannot reach 127\\.0\\.0\\.1:${closed} \\(ECONNREFUSED\\) \\(elasticache:DescribeReplicationGroups in us-east-1\\): check AWS_ENDPOINT_URL`,
            ),
        );
    });

    it("an expired session token: one line saying to refresh it", async () => {
        const run = await cli([], {
            AWS_ENDPOINT_URL: url,
            AWS_ACCESS_KEY_ID: expiredKey,
            AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            AWS_SESSION_TOKEN: "IQoJb3JpZ2luX2VjEXAMPLETOKEN",
        });
        assert.strictEqual(run.code, 2);
        const line = oneLine(run.stderr);
        assert.match(
            line,
            /^error: ExpiredTokenException: the AWS session has expired \(elasticache:DescribeReplicationGroups in us-east-1\): get fresh credentials/,
        );
        assert.doesNotMatch(line, /The security token included in the request is expired/);
    });
});
