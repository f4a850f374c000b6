// The scheduled audit function (tools/audit/scheduled.ts): its settings, dated keys, metrics and
// write permissions as pure functions, then the bundle the package ships
// (bin/audit-function/index.js) required in a child process, as Lambda's Node.js runtime loads
// `index.handler`, with no node_modules in reach, against the loopback AWS endpoint
// (test/loopbackAws.ts), which checks each PutObject and PutMetricData against the API reference.
import * as assert from "assert";
import { spawn } from "child_process";
import { createHash } from "crypto";
import * as fs from "fs";
import * as http from "http";
import * as os from "os";
import * as path from "path";
import { keyPolicyDocument } from "../component/keyPolicy";
import { controls as catalog } from "../core/controls";
import {
    accountMetrics,
    auditFunctionEnv,
    auditMetricNamespace,
    auditSecurityHubStatements,
    auditWriteStatements,
    functionDimension,
} from "../core/auditFunction";
import { metricBatches, readConfig, reportPrefix, reserveMs, runMetrics } from "../tools/audit/scheduled";
import { asffViolations } from "./asff";
import { AccessRequest, assertAllowed, assertDenied, PolicyDocument } from "./iam/evaluate";
import {
    Cache,
    cacheAnswers,
    loopbackEnv,
    putMetricDataProblems,
    putObjectProblems,
    root,
    Seen,
    signedRegion,
    startServer,
    StoredObject,
} from "./loopbackAws";
import { account, FakeHub, securityHubRoute } from "./securityHubFixture";

const bundle = path.join(root, "bin", "audit-function", "index.js");

/** The latest change to the sources the bundle is built from. */
function newestSource(): number {
    let newest = 0;
    const walk = (dir: string) => {
        for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
            const full = path.join(dir, entry.name);
            if (entry.isDirectory()) {
                walk(full);
            } else if (/\.(ts|js|json)$/.test(entry.name)) {
                newest = Math.max(newest, fs.statSync(full).mtimeMs);
            }
        }
    };
    for (const dir of ["core", "component", "policy-pack/src", "tools"]) {
        walk(path.join(root, dir));
    }
    return Math.max(newest, fs.statSync(path.join(root, "package-lock.json")).mtimeMs);
}

describe("Scheduled audit function: settings from the environment", () => {
    const good = { [auditFunctionEnv.bucket]: "claims-archive-1a2b3c" };

    it("reads the component's variables, with the defaults", () => {
        assert.deepStrictEqual(readConfig(good), {
            regions: [],
            bucket: "claims-archive-1a2b3c",
            prefix: "audit-reports/",
            securityHub: false,
            archiveBuckets: {},
            authSecrets: {},
            policyPackConfig: undefined,
        });
        const config = readConfig({
            ...good,
            [auditFunctionEnv.regions]: "us-east-1, eu-west-1,us-east-1",
            [auditFunctionEnv.prefix]: "evidence/daily/",
            [auditFunctionEnv.securityHub]: "true",
            [auditFunctionEnv.archiveBuckets]: JSON.stringify({ Orders: "orders-archive-9f8e7d" }),
            [auditFunctionEnv.authSecrets]: JSON.stringify({ orders: "orders-elasticache-auth-abc" }),
            [auditFunctionEnv.policyConfig]: JSON.stringify({
                "aws-elasticache-replicationgroup-enable-multi-az": "advisory",
            }),
        });
        assert.deepStrictEqual(config.regions, ["us-east-1", "eu-west-1"]);
        assert.strictEqual(config.prefix, "evidence/daily/");
        assert.strictEqual(config.securityHub, true);
        assert.deepStrictEqual(config.archiveBuckets, { orders: "orders-archive-9f8e7d" });
        assert.deepStrictEqual(config.authSecrets, { orders: "orders-elasticache-auth-abc" });
        assert.ok(config.policyPackConfig);
    });

    it("gathers every bad value into one error naming each variable and the fix", () => {
        assert.throws(
            () =>
                readConfig({
                    [auditFunctionEnv.regions]: "us-east-1,Virginia",
                    [auditFunctionEnv.prefix]: "/reports",
                    [auditFunctionEnv.securityHub]: "yes",
                    [auditFunctionEnv.archiveBuckets]: '{"orders": "Not_A_Bucket"}',
                    [auditFunctionEnv.authSecrets]: "orders=secret",
                    [auditFunctionEnv.policyConfig]: "[1]",
                }),
            (e: Error) => {
                for (const expected of [
                    /HITRUST_AUDIT_REGIONS: 'Virginia' is not a Region code: use codes such as us-east-1/,
                    /HITRUST_AUDIT_REPORT_BUCKET is not set: set it to the archive bucket/,
                    /HITRUST_AUDIT_REPORT_PREFIX: '\/reports' is not a key prefix/,
                    /HITRUST_AUDIT_SECURITY_HUB: 'yes' must be true or false/,
                    /HITRUST_AUDIT_ARCHIVE_BUCKETS: the value of 'orders' \("Not_A_Bucket"\) is not an S3 bucket name/,
                    /HITRUST_AUDIT_AUTH_SECRETS is not JSON .*: set it to a JSON object/,
                    /HITRUST_AUDIT_POLICY_CONFIG must be a JSON object/,
                ]) {
                    assert.match(e.message, expected);
                }
                return /nothing was read or written/.test(e.message);
            },
        );
        assert.throws(
            () => readConfig({ ...good, [auditFunctionEnv.archiveBuckets]: '{"1orders": "orders-archive"}' }),
            /HITRUST_AUDIT_ARCHIVE_BUCKETS: '1orders' is not a replication group ID/,
        );
        assert.throws(
            () => readConfig({ ...good, [auditFunctionEnv.bucket]: "Claims_Archive" }),
            /HITRUST_AUDIT_REPORT_BUCKET: 'Claims_Archive' is not an S3 bucket name/,
        );
    });

    it("dates each run's folder by UTC day, then run time", () => {
        assert.strictEqual(
            reportPrefix("audit-reports/", new Date("2026-12-04T06:00:00.123Z")),
            "audit-reports/2026/12/04/2026-12-04T06-00-00Z/",
        );
    });
});

describe("Scheduled audit function: metrics", () => {
    const runAt = new Date("2026-12-04T06:00:00Z");
    const statuses = ["met", "met with advisories", "not met", "attestation required", "not evidenced"] as const;
    const report = { controls: catalog.map((c, i) => ({ id: c.id, status: statuses[i % statuses.length] })) as any };

    it("publishes three state metrics per evidenced control, the count not met, and a completed run", () => {
        const data = runMetrics(report, runAt, true);
        const stated = report.controls.filter((c: any) => c.status !== "attestation required");
        assert.strictEqual(data.length, stated.length * 3 + 2);
        const value = (name: string, control?: string) =>
            data.find((d) => d.MetricName === name && (control ? d.Dimensions?.[0]?.Value === control : !d.Dimensions))
                ?.Value;
        const notMet = report.controls.filter((c: any) => c.status === "not met");
        assert.strictEqual(value(accountMetrics.mandatoryNotMet), notMet.length);
        assert.strictEqual(value(accountMetrics.runsCompleted), 1);
        assert.deepStrictEqual(
            ["Met", "NotMet", "NotEvidenced"].map((m) => value(m, notMet[0].id)),
            [0, 1, 0],
        );
        const advisories = report.controls.find((c: any) => c.status === "met with advisories");
        assert.strictEqual(value("Met", advisories.id), 1);
        // An incomplete run (reading stopped) publishes no AuditRunsCompleted.
        assert.ok(!runMetrics(report, runAt, false).some((d) => d.MetricName === accountMetrics.runsCompleted));
        assert.deepStrictEqual(putMetricDataProblems({ Namespace: auditMetricNamespace, MetricData: data }, 0), []);
    });

    it("cuts requests at 1,000 metrics", () => {
        const many = Array.from({ length: 2345 }, (_, i) => ({
            MetricName: "Met",
            Value: 1,
            Unit: "Count" as const,
            Dimensions: [{ Name: "Control", Value: `c${i}` }],
        }));
        const batches = metricBatches(many);
        assert.deepStrictEqual(
            batches.map((b) => b.length),
            [1000, 1000, 345],
        );
        for (const b of batches) {
            const body = JSON.stringify({ Namespace: auditMetricNamespace, MetricData: b });
            assert.deepStrictEqual(putMetricDataProblems(JSON.parse(body), Buffer.byteLength(body)), []);
        }
    });
});

describe("Loopback endpoint: the API reference's rules for the function's writes", () => {
    it("refuses a PutObject without Content-MD5 or an SDK checksum, or with a wrong one", () => {
        const body = Buffer.from("# report\n");
        const sha256 = createHash("sha256").update(body).digest("base64");
        assert.deepStrictEqual(
            putObjectProblems(
                "a/report.md",
                { "x-amz-sdk-checksum-algorithm": "SHA256", "x-amz-checksum-sha256": sha256 },
                body,
            ),
            [],
        );
        assert.match(
            putObjectProblems("a/report.md", {}, body).join(),
            /Content-MD5 OR x-amz-checksum- HTTP header is required/,
        );
        assert.match(
            putObjectProblems("a/report.md", { "x-amz-sdk-checksum-algorithm": "SHA256" }, body).join(),
            /without an x-amz-checksum-sha256 header or trailer/,
        );
        assert.match(
            putObjectProblems(
                "a/report.md",
                { "x-amz-sdk-checksum-algorithm": "SHA256", "x-amz-checksum-sha256": "AAAA" },
                body,
            ).join(),
            /did not match/,
        );
    });

    it("refuses PutMetricData beyond its limits or in an AWS namespace", () => {
        const datum = (i: number) => ({
            MetricName: "Met",
            Value: 1,
            Unit: "Count",
            Dimensions: [{ Name: "Control", Value: `c${i}` }],
        });
        const many = Array.from({ length: 1001 }, (_, i) => datum(i));
        assert.match(
            putMetricDataProblems({ Namespace: auditMetricNamespace, MetricData: many }, 1000).join(),
            /1001 different metrics/,
        );
        assert.match(
            putMetricDataProblems({ Namespace: "AWS/ElastiCache", MetricData: [datum(1)] }, 100).join(),
            /not beginning with AWS\//,
        );
        assert.match(
            putMetricDataProblems({ Namespace: auditMetricNamespace, MetricData: [datum(1)] }, 2 * 1024 * 1024).join(),
            /at most 1 MB/,
        );
        assert.match(
            putMetricDataProblems(
                { Namespace: auditMetricNamespace, MetricData: [{ ...datum(1), Unit: "Controls" }] },
                100,
            ).join(),
            /Unit "Controls"/,
        );
    });
});

describe("Scheduled audit function: its writes, evaluated as AWS would", () => {
    const bucketArn = "arn:aws:s3:::claims-archive-1a2b3c";
    const keyArn = `arn:aws:kms:us-east-1:${account}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
    const role = `arn:aws:iam::${account}:role/claims-audit-function`;
    // The archive key's own policy, as the component writes it: the account's roles use the key
    // through S3 (kms:ViaService), with IAM permission of their own.
    const keyPolicy = keyPolicyDocument({
        accountId: account,
        partition: "aws",
        region: "us-east-1",
        replicationGroupId: "claims-cache",
    });
    const policies = {
        identityPolicies: {
            writes: {
                Version: "2012-10-17",
                // What the component gives the role beside the reads (component/continuousAudit.ts).
                Statement: [
                    ...auditWriteStatements({ region: "us-east-1", bucketArn, prefix: "audit-reports/", keyArn }),
                    ...auditSecurityHubStatements("aws", account),
                ],
            },
        },
    };
    const request = (
        description: string,
        action: string,
        resource: string,
        context: Record<string, string> = {},
        resourceAccount = account,
    ): AccessRequest => ({
        description,
        principal: role,
        action,
        resource,
        resourceAccount,
        context: { "aws:PrincipalAccount": account, ...context },
        sources: [
            "https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html",
            "https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html",
            "https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudwatch.html",
            "https://docs.aws.amazon.com/service-authorization/latest/reference/list_awssecurityhub.html",
        ],
    });

    it("allows the dated reports, the key through S3, the metrics and the account's own findings, and nothing beside", async () => {
        const key = `${bucketArn}/audit-reports/2026/12/04/2026-12-04T06-00-00Z/report.json`;
        await assertAllowed(request("a dated report", "s3:PutObject", key), policies);
        await assertDenied(request("outside the prefix", "s3:PutObject", `${bucketArn}/snapshots/x.rdb`), policies);
        await assertDenied(request("a report read back", "s3:GetObject", key), policies);
        // S3 asks KMS for a data key on the caller's behalf (kms:ViaService s3.<region>.amazonaws.com).
        const viaS3 = { "kms:ViaService": "s3.us-east-1.amazonaws.com", "kms:CallerAccount": account };
        const withKey = { ...policies, resourcePolicy: keyPolicy as unknown as PolicyDocument };
        await assertAllowed(request("S3's data key for SSE-KMS", "kms:GenerateDataKey", keyArn, viaS3), withKey);
        await assertDenied(
            request("a data key asked directly", "kms:GenerateDataKey", keyArn, { "kms:CallerAccount": account }),
            withKey,
        );
        await assertDenied(request("kms:Decrypt (multipart uploads only)", "kms:Decrypt", keyArn, viaS3), withKey);
        await assertAllowed(
            request("the audit's metrics", "cloudwatch:PutMetricData", "*", {
                "cloudwatch:namespace": auditMetricNamespace,
            }),
            policies,
        );
        await assertDenied(
            request("another namespace", "cloudwatch:PutMetricData", "*", {
                "cloudwatch:namespace": "AWS/ElastiCache",
            }),
            policies,
        );
        const product = (region: string, owner: string) =>
            `arn:aws:securityhub:${region}:${owner}:product/${owner}/default`;
        await assertAllowed(
            request("findings of this account", "securityhub:BatchImportFindings", product("eu-west-1", account), {
                "securityhub:TargetAccount": account,
            }),
            policies,
        );
        await assertDenied(
            request(
                "findings about another account",
                "securityhub:BatchImportFindings",
                product("eu-west-1", account),
                { "securityhub:TargetAccount": "210987654321" },
            ),
            policies,
        );
        await assertAllowed(request("reading findings back", "securityhub:GetFindings", "*"), policies);
    });
});

/** Runs the bundle in a child process, as Lambda would: require index.js, call handler(event, context). */
function invoke(
    dir: string,
    env: NodeJS.ProcessEnv,
    context: { remainingMs?: number; msPerCheck?: number } = {},
): Promise<{ ok: boolean; result?: any; error?: string; stdout: string; stderr: string }> {
    const script = `
const { handler } = require("./index.js");
let checks = 0;
const context = {
    functionName: "claims-audit",
    getRemainingTimeInMillis: () => ${context.remainingMs ?? 900000} - ${context.msPerCheck ?? 0} * checks++,
};
handler({ source: "aws.scheduler", "detail-type": "Scheduled Event", detail: {} }, context).then(
    (r) => process.stdout.write("\\nRESULT " + JSON.stringify(r) + "\\n"),
    (e) => { process.stdout.write("\\nERROR " + JSON.stringify(e.message) + "\\n"); },
);`;
    return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, ["-e", script], { cwd: dir, env, stdio: ["ignore", "pipe", "pipe"] });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (c) => (stdout += c));
        child.stderr.on("data", (c) => (stderr += c));
        child.on("error", reject);
        child.on("exit", () => {
            const result = /\nRESULT (.*)\n/.exec(stdout)?.[1];
            const error = /\nERROR (.*)\n/.exec(stdout)?.[1];
            resolve({
                ok: result !== undefined,
                result: result ? JSON.parse(result) : undefined,
                error: error ? JSON.parse(error) : undefined,
                stdout,
                stderr,
            });
        });
    });
}

describe("Scheduled audit function: the bundle, invoked against the loopback endpoint", function () {
    this.timeout(300000);
    let server: http.Server;
    let url: string;
    let seen: Seen[];
    let dir: string;
    const hub = new FakeHub();
    const elasticache: Record<string, string> = {};
    const objects = new Map<string, StoredObject>();
    const metrics: { namespace: string; data: any[]; region: string }[] = [];
    const bucket = "claims-archive-1a2b3c";

    before(async () => {
        // `npm run build:package` builds it; a bundle older than a source is built again here.
        if (!fs.existsSync(bundle) || newestSource() > fs.statSync(bundle).mtimeMs) {
            await require("../tools/buildAuditFunction").buildAuditFunction();
        }
        // Only the bundle, away from the repository's node_modules: it must need nothing beside it.
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "audit-function-"));
        fs.copyFileSync(bundle, path.join(dir, "index.js"));
        ({ server, url, seen } = await startServer({ elasticache, objects, metrics, route: securityHubRoute(hub) }));
    });
    after(() => {
        fs.rmSync(dir, { recursive: true, force: true });
        return new Promise<void>((resolve) => server.close(() => resolve()));
    });

    const env = (extra: Record<string, string> = {}) => ({
        ...loopbackEnv(url),
        [auditFunctionEnv.bucket]: bucket,
        [auditFunctionEnv.securityHub]: "true",
        ...extra,
    });
    const runObjects = (result: any) => [...objects.keys()].filter((k) => result.objects.includes(`s3://${k}`)).sort();

    async function run(caches: Cache[], extra: Record<string, string> = {}, context = {}) {
        Object.assign(elasticache, cacheAnswers(caches));
        metrics.length = 0;
        seen.length = 0;
        return invoke(dir, env(extra), context);
    }

    it("is one CommonJS file within Lambda's deployment package limits", () => {
        const size = fs.statSync(bundle).size;
        // 50 MB zipped for a direct upload, 250 MB unzipped ("Lambda quotas"): the file alone must
        // fit the stricter, unzipped.
        assert.ok(size < 50 * 1024 * 1024, `${size} bytes`);
        console.log(`      bin/audit-function/index.js: ${(size / 1e6).toFixed(2)} MB`);
    });

    it("archives the four dated reports, sends valid findings and publishes the metrics; a second run resolves and archives", async () => {
        const first = await run([
            { id: "claims-cache", transit: false },
            { id: "orders-cache", transit: true },
        ]);
        assert.ok(first.ok, `${first.error}\n${first.stdout}\n${first.stderr}`);
        assert.strictEqual(first.result.result, "not compliant");
        assert.strictEqual(first.result.complete, true);
        const prefix = reportPrefix("audit-reports/", new Date(first.result.runAt));
        assert.deepStrictEqual(
            runObjects(first.result),
            ["report.asff.json", "report.json", "report.md", "report.sarif"].map((f) => `${bucket}/${prefix}${f}`),
        );
        for (const key of runObjects(first.result)) {
            // The SDK checksum Object Lock requires (checked against the body by the endpoint).
            assert.strictEqual(objects.get(key)!.headers["x-amz-sdk-checksum-algorithm"], "SHA256");
            // No encryption or retention headers: the bucket's defaults apply.
            assert.ok(
                !Object.keys(objects.get(key)!.headers).some((h) => /server-side-encryption|object-lock/.test(h)),
            );
        }
        const asff = JSON.parse(objects.get(`${bucket}/${prefix}report.asff.json`)!.body.toString("utf8"));
        assert.ok(asff.Findings.length > 10);
        assert.deepStrictEqual(asff.Findings.flatMap(asffViolations), []);
        assert.strictEqual(hub.store.size, asff.Findings.length, "every finding taken");
        assert.strictEqual(hub.find("0808.10b2", "claims-cache")!.Compliance!.Status, "FAILED");
        const report = JSON.parse(objects.get(`${bucket}/${prefix}report.json`)!.body.toString("utf8"));

        // One request, this namespace, the function's Region; one state per control.
        assert.deepStrictEqual(
            metrics.map((m) => [m.namespace, m.region]),
            [[auditMetricNamespace, "us-east-1"]],
        );
        const data = metrics[0].data;
        // Every metric names the function (context.functionName), the dimension the component's alarms watch.
        assert.deepStrictEqual(
            data.filter(
                (d) => !d.Dimensions?.some((x: any) => x.Name === functionDimension && x.Value === "claims-audit"),
            ),
            [],
        );
        const byName = (name: string) => data.filter((d) => d.MetricName === name && d.Dimensions.length === 1);
        assert.deepStrictEqual(
            byName(accountMetrics.mandatoryNotMet).map((d) => d.Value),
            [report.controls.filter((c: any) => c.status === "not met").length],
        );
        assert.ok(byName(accountMetrics.mandatoryNotMet)[0].Value >= 1);
        assert.deepStrictEqual(
            byName(accountMetrics.runsCompleted).map((d) => d.Value),
            [1],
        );
        const transit = data.filter((d) => d.Dimensions?.[0]?.Value === "0808.10b2");
        assert.deepStrictEqual(
            transit.map((d) => [d.MetricName, d.Value]),
            [
                ["Met", 0],
                ["NotMet", 1],
                ["NotEvidenced", 0],
            ],
        );

        // claims-cache fixed, orders-cache deleted.
        const second = await run([{ id: "claims-cache", transit: true }]);
        assert.ok(second.ok, `${second.error}\n${second.stdout}\n${second.stderr}`);
        const fixed = hub.find("0808.10b2", "claims-cache")!;
        assert.deepStrictEqual([fixed.Compliance!.Status, fixed.RecordState], ["PASSED", "ACTIVE"]);
        assert.strictEqual(hub.find("0808.10b2", "orders-cache")!.RecordState, "ARCHIVED");
        // Not evidenced this run (the archive bucket's reads were refused): not archived.
        assert.strictEqual(hub.find("1903.06d1", "orders-cache")!.RecordState, "ACTIVE");
        const secondPrefix = reportPrefix("audit-reports/", new Date(second.result.runAt));
        const secondAsff = JSON.parse(objects.get(`${bucket}/${secondPrefix}report.asff.json`)!.body.toString("utf8"));
        assert.deepStrictEqual(secondAsff.Findings.flatMap(asffViolations), []);
        assert.strictEqual(
            metrics[0].data.find((d: any) => d.Dimensions?.[0]?.Value === "0808.10b2" && d.MetricName === "Met").Value,
            1,
        );
    });

    it("stops reading before the time limit: unread items not evidenced, nothing archived unless its listing was read, no completed run", async () => {
        // The account as the previous test left it: claims-cache's findings active in Security Hub.
        if (hub.find("0808.10b2", "claims-cache")?.RecordState !== "ACTIVE") {
            const setup = await run([{ id: "claims-cache", transit: true }]);
            assert.ok(setup.ok, `${setup.error}\n${setup.stderr}`);
        }
        assert.strictEqual(hub.find("0808.10b2", "claims-cache")!.Compliance!.Status, "PASSED");
        const active = () => [...hub.store.values()].filter((f) => f.RecordState === "ACTIVE").length;
        const before = active();
        // claims-cache is deleted; the next run starts with less than the reserve left: it reads
        // nothing, so it cannot know, and archives nothing.
        const none = await run([], {}, { remainingMs: reserveMs - 1 });
        assert.ok(none.ok, `${none.error}\n${none.stdout}\n${none.stderr}`);
        assert.deepStrictEqual(
            [none.result.complete, none.result.result, none.result.exitCode],
            [false, "not evidenced", 3],
        );
        assert.match(
            none.result.stoppedReading,
            new RegExp(`s left of the function's time limit, ${reserveMs / 1000} s are kept to report`),
        );
        assert.ok(!seen.some((s) => s.action.startsWith("elasticache:")), "no read after the deadline");
        assert.strictEqual(active(), before, "nothing archived by a run that read nothing");
        let prefix = reportPrefix("audit-reports/", new Date(none.result.runAt));
        assert.match(
            objects.get(`${bucket}/${prefix}report.md`)!.body.toString("utf8"),
            /not read, the run stopped reading/,
        );
        const published = () => metrics.flatMap((m) => m.data);
        assert.ok(!published().some((d) => d.MetricName === accountMetrics.runsCompleted));
        assert.ok(published().some((d) => d.MetricName === accountMetrics.mandatoryNotMet));

        // Time for three reads (the listings of replication groups, clusters and serverless
        // caches): claims-cache's absence from a listing that succeeded is known, so its findings
        // of controls the run evidenced are archived; those of a control it left not evidenced
        // (RBAC users and groups were not read) are not.
        const cut = await run([], {}, { remainingMs: reserveMs + 2, msPerCheck: 1 });
        assert.ok(cut.ok, `${cut.error}\n${cut.stdout}\n${cut.stderr}`);
        assert.strictEqual(cut.result.complete, false);
        assert.ok(cut.result.skippedCalls > 0);
        // The Region's listings are read side by side: which arrives first is the network's choice.
        assert.deepStrictEqual(
            seen
                .filter((s) => s.action.startsWith("elasticache:"))
                .map((s) => s.action)
                .sort(),
            [
                "elasticache:DescribeCacheClusters",
                "elasticache:DescribeReplicationGroups",
                "elasticache:DescribeServerlessCaches",
            ],
        );
        prefix = reportPrefix("audit-reports/", new Date(cut.result.runAt));
        const report = JSON.parse(objects.get(`${bucket}/${prefix}report.json`)!.body.toString("utf8"));
        assert.strictEqual(report.controls.find((c: any) => c.id === "0808.10b2").status, "not evidenced");
        assert.strictEqual(hub.find("0808.10b2", "claims-cache")!.RecordState, "ACTIVE");
        assert.strictEqual(hub.find("1410.09e2", "claims-cache")!.RecordState, "ARCHIVED");
        assert.ok(!published().some((d) => d.MetricName === accountMetrics.runsCompleted));
    });

    it("without Security Hub still archives the ASFF findings; writes go to the function's own Region", async () => {
        const sent = hub.imports.length;
        const other = await run([{ id: "claims-cache", transit: false }], {
            [auditFunctionEnv.securityHub]: "false",
            [auditFunctionEnv.regions]: "eu-west-1",
        });
        assert.ok(other.ok, `${other.error}\n${other.stdout}\n${other.stderr}`);
        assert.strictEqual(hub.imports.length, sent, "no call to Security Hub");
        assert.ok(!seen.some((s) => s.action.startsWith("securityhub:")));
        const prefix = reportPrefix("audit-reports/", new Date(other.result.runAt));
        const asff = JSON.parse(objects.get(`${bucket}/${prefix}report.asff.json`)!.body.toString("utf8"));
        assert.ok(asff.Findings.length > 0);
        assert.deepStrictEqual(asff.Findings.flatMap(asffViolations), []);
        // The audited Region is eu-west-1; the archive and the metrics are in AWS_REGION (us-east-1).
        for (const name of ["report.md", "report.json", "report.sarif", "report.asff.json"]) {
            assert.strictEqual(
                signedRegion(String(objects.get(`${bucket}/${prefix}${name}`)!.headers.authorization)),
                "us-east-1",
            );
        }
        assert.deepStrictEqual(
            metrics.map((m) => m.region),
            ["us-east-1"],
        );
    });

    it("refuses bad settings before any AWS call, naming the variable", async () => {
        const bad = await run([], {
            [auditFunctionEnv.bucket]: "Claims_Archive",
            [auditFunctionEnv.regions]: "mars-1",
        });
        assert.ok(!bad.ok);
        assert.match(bad.error!, /HITRUST_AUDIT_REPORT_BUCKET: 'Claims_Archive' is not an S3 bucket name/);
        assert.match(bad.error!, /HITRUST_AUDIT_REGIONS: 'mars-1' is not a Region code/);
        assert.deepStrictEqual(seen, []);
    });
});
