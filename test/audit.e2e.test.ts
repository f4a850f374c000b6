// End to end: the audit CLI against a local HTTP server that speaks the AWS wire protocols, through
// the real SDK stack (endpoint resolution from AWS_ENDPOINT_URL, SigV4 signing with dummy keys, the
// standard retry mode, XML and JSON parsing). ElastiCache answers in its Query protocol (XML,
// shaped like the API reference's DescribeReplicationGroups example), after one Throttling error;
// every other call is refused with each protocol's AccessDenied, so the report shows gaps.
import * as assert from "assert";
import { spawn } from "child_process";
import * as fs from "fs";
import * as http from "http";
import { AddressInfo } from "net";
import * as os from "os";
import * as path from "path";
import { main } from "../tools/audit/cli";

const root = path.join(__dirname, "..");
const ns = "http://elasticache.amazonaws.com/doc/2015-02-02/";
const requestId = "144745b0-b9d3-11e3-8a16-7978bb24ffdf";

function queryResponse(action: string, body: string): string {
    return `<${action}Response xmlns="${ns}"><${action}Result>${body}</${action}Result><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`;
}

const member = (id: string, zone: string, role: string) =>
    `<NodeGroupMember><CacheClusterId>${id}</CacheClusterId><CacheNodeId>0001</CacheNodeId><PreferredAvailabilityZone>${zone}</PreferredAvailabilityZone><CurrentRole>${role}</CurrentRole></NodeGroupMember>`;

const replicationGroups = `<ReplicationGroups><ReplicationGroup>
  <ReplicationGroupId>claims-cache</ReplicationGroupId>
  <Description>claims</Description>
  <Status>available</Status>
  <MemberClusters><ClusterId>claims-cache-001</ClusterId><ClusterId>claims-cache-002</ClusterId></MemberClusters>
  <NodeGroups><NodeGroup><NodeGroupId>0001</NodeGroupId><Status>available</Status>
    <PrimaryEndpoint><Address>master.claims-cache.abc123.use1.cache.amazonaws.com</Address><Port>6380</Port></PrimaryEndpoint>
    <NodeGroupMembers>${member("claims-cache-001", "us-east-1a", "primary")}${member("claims-cache-002", "us-east-1b", "replica")}</NodeGroupMembers>
  </NodeGroup></NodeGroups>
  <AutomaticFailover>enabled</AutomaticFailover>
  <MultiAZ>enabled</MultiAZ>
  <SnapshotRetentionLimit>35</SnapshotRetentionLimit>
  <SnapshotWindow>03:00-05:00</SnapshotWindow>
  <ClusterEnabled>false</ClusterEnabled>
  <CacheNodeType>cache.r7g.large</CacheNodeType>
  <AuthTokenEnabled>true</AuthTokenEnabled>
  <TransitEncryptionEnabled>true</TransitEncryptionEnabled>
  <TransitEncryptionMode>required</TransitEncryptionMode>
  <AtRestEncryptionEnabled>false</AtRestEncryptionEnabled>
  <ARN>arn:aws:elasticache:us-east-1:123456789012:replicationgroup:claims-cache</ARN>
  <LogDeliveryConfigurations/>
  <ReplicationGroupCreateTime>2026-09-01T10:00:00.000Z</ReplicationGroupCreateTime>
  <AutoMinorVersionUpgrade>true</AutoMinorVersionUpgrade>
  <ClusterMode>disabled</ClusterMode>
  <Engine>redis</Engine>
</ReplicationGroup></ReplicationGroups>`;

const cluster = (id: string, zone: string) => `<CacheCluster>
  <CacheClusterId>${id}</CacheClusterId><CacheNodeType>cache.r7g.large</CacheNodeType><Engine>redis</Engine>
  <EngineVersion>7.1.0</EngineVersion><CacheClusterStatus>available</CacheClusterStatus><NumCacheNodes>1</NumCacheNodes>
  <PreferredAvailabilityZone>${zone}</PreferredAvailabilityZone><PreferredMaintenanceWindow>sun:06:00-sun:07:00</PreferredMaintenanceWindow>
  <CacheParameterGroup><CacheParameterGroupName>claims-cache-params</CacheParameterGroupName><ParameterApplyStatus>in-sync</ParameterApplyStatus></CacheParameterGroup>
  <CacheSubnetGroupName>claims-cache-subnets</CacheSubnetGroupName>
  <SecurityGroups><member><SecurityGroupId>sg-0123456789abcdef0</SecurityGroupId><Status>active</Status></member></SecurityGroups>
  <ReplicationGroupId>claims-cache</ReplicationGroupId><AutoMinorVersionUpgrade>true</AutoMinorVersionUpgrade>
</CacheCluster>`;

const subnetGroups = `<CacheSubnetGroups><CacheSubnetGroup>
  <CacheSubnetGroupName>claims-cache-subnets</CacheSubnetGroupName><CacheSubnetGroupDescription>private</CacheSubnetGroupDescription>
  <VpcId>vpc-0a1b2c3d4e5f67890</VpcId>
  <Subnets>
    <Subnet><SubnetIdentifier>subnet-0aaa1111</SubnetIdentifier><SubnetAvailabilityZone><Name>us-east-1a</Name></SubnetAvailabilityZone></Subnet>
    <Subnet><SubnetIdentifier>subnet-0bbb2222</SubnetIdentifier><SubnetAvailabilityZone><Name>us-east-1b</Name></SubnetAvailabilityZone></Subnet>
  </Subnets>
</CacheSubnetGroup></CacheSubnetGroups>`;

const elasticache: Record<string, string> = {
    DescribeReplicationGroups: replicationGroups,
    DescribeCacheClusters: `<CacheClusters>${cluster("claims-cache-001", "us-east-1a")}${cluster("claims-cache-002", "us-east-1b")}</CacheClusters>`,
    DescribeServerlessCaches: "<ServerlessCaches/>",
    DescribeUsers: "<Users/>",
    DescribeUserGroups: "<UserGroups/>",
    DescribeCacheSubnetGroups: subnetGroups,
};

/** JSON-protocol targets (X-Amz-Target prefixes) to IAM service prefixes. */
const jsonServices: Record<string, string> = {
    TrentService: "kms",
    Logs_20140328: "logs",
    CloudTrail_20131101: "cloudtrail",
    GraniteServiceVersion20100801: "cloudwatch",
    secretsmanager: "secretsmanager",
    StarlingDoveService: "config",
};
/** Query-protocol API versions to IAM service prefixes. */
const queryServices: Record<string, string> = { "2015-02-02": "elasticache", "2016-11-15": "ec2", "2010-03-31": "sns" };

/** Temporary keys whose session the loopback endpoint treats as expired. */
const expiredKey = "ASIAEXPIREDEXAMPLE00";

interface Seen {
    action: string;
    authorization: string;
}

function startServer(): Promise<{ server: http.Server; url: string; seen: Seen[] }> {
    const seen: Seen[] = [];
    let throttled = false;
    const server = http.createServer((req, res) => {
        let body = "";
        req.on("data", (chunk) => (body += chunk));
        req.on("end", () => {
            const authorization = String(req.headers.authorization ?? "");
            const target = req.headers["x-amz-target"];
            if (authorization.includes(`Credential=${expiredKey}/`)) {
                // "Common Errors" (AWS APIs): ExpiredTokenException, "The security token included in
                // the request is expired", HTTP 403.
                seen.push({ action: "expired", authorization });
                res.writeHead(403, { "content-type": "text/xml" });
                res.end(
                    `<ErrorResponse xmlns="${ns}"><Error><Type>Sender</Type><Code>ExpiredTokenException</Code><Message>The security token included in the request is expired</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
                );
                return;
            }
            const url = new URL(req.url ?? "/", "http://localhost");
            if (typeof target === "string") {
                const [prefix, operation] = target.split(".").slice(-2);
                seen.push({ action: `${jsonServices[prefix] ?? prefix}:${operation}`, authorization });
                res.writeHead(400, { "content-type": "application/x-amz-json-1.1", "x-amzn-requestid": requestId });
                res.end(
                    JSON.stringify({
                        __type: "AccessDeniedException",
                        message: `not authorized to perform ${operation}`,
                    }),
                );
                return;
            }
            const form = new URLSearchParams(body);
            const action = form.get("Action");
            if (req.method === "POST" && action) {
                const service = queryServices[form.get("Version") ?? ""] ?? "unknown";
                seen.push({ action: `${service}:${action}`, authorization });
                if (service === "elasticache" && action === "DescribeReplicationGroups" && !throttled) {
                    throttled = true; // the first call is throttled; the SDK's retry must succeed
                    res.writeHead(400, { "content-type": "text/xml" });
                    res.end(
                        `<ErrorResponse xmlns="${ns}"><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
                    );
                    return;
                }
                if (service === "elasticache" && elasticache[action] !== undefined) {
                    res.writeHead(200, { "content-type": "text/xml" });
                    res.end(queryResponse(action, elasticache[action]));
                    return;
                }
                res.writeHead(403, { "content-type": "text/xml" });
                res.end(
                    service === "ec2"
                        ? `<Response><Errors><Error><Code>UnauthorizedOperation</Code><Message>You are not authorized to perform this operation.</Message></Error></Errors><RequestID>${requestId}</RequestID></Response>`
                        : `<ErrorResponse><Error><Type>Sender</Type><Code>${service === "sns" ? "AuthorizationError" : "AccessDenied"}</Code><Message>not authorized to perform ${action}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
                );
                return;
            }
            // S3 REST: the SDK names the operation in x-id.
            seen.push({ action: `s3:${url.searchParams.get("x-id") ?? "unknown"}`, authorization });
            res.writeHead(403, { "content-type": "application/xml" });
            res.end(
                `<Error><Code>AccessDenied</Code><Message>Access Denied</Message><RequestId>${requestId}</RequestId></Error>`,
            );
        });
    });
    return new Promise((resolve) =>
        server.listen(0, "127.0.0.1", () => {
            const { port } = server.address() as AddressInfo;
            resolve({ server, url: `http://127.0.0.1:${port}`, seen });
        }),
    );
}

function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve, reject) => {
        const child = spawn(
            process.execPath,
            ["-r", "ts-node/register/transpile-only", "tools/audit/cli.ts", ...args],
            {
                cwd: root,
                env,
                stdio: ["ignore", "pipe", "pipe"],
            },
        );
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (c) => (stdout += c));
        child.stderr.on("data", (c) => (stderr += c));
        child.on("error", reject);
        child.on("exit", (code) => resolve({ code: code ?? -1, stdout, stderr }));
    });
}

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
        // Added by this audit's discovery, to be granted in iam-policy.json (see test/audit.test.ts).
        granted.add("elasticache:ListTagsForResource");
        granted.add("s3:GetBucketTagging");
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
