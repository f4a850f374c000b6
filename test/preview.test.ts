// The main job: the offline preview of each example and of the root program, judged by the pack
// over gRPC, and the evidence report it writes.
import * as assert from "assert";
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { controls } from "../core/controls";
import { displayValue, EvidenceReport } from "../tools/report";
import { loadProject, PreviewOutcome, renderConsole, runPreview } from "../tools/preview";

const root = path.join(__dirname, "..");
const packDir = path.join(root, "policy-pack");
const mockToken = "Mock-Token-0123456789";

async function preview(
    dir: string,
    extra: { policyPackConfig?: string; mode?: "preview" | "update" } = {},
): Promise<PreviewOutcome & { dir: string }> {
    const reportDir = fs.mkdtempSync(path.join(os.tmpdir(), "hitrust-report-"));
    const outcome = await runPreview({
        programDir: path.join(root, dir),
        packDir,
        mode: extra.mode ?? "preview",
        stack: "dev",
        reportDir,
        policyPackConfig: extra.policyPackConfig,
    });
    return { ...outcome, dir: reportDir };
}

function readReport(dir: string): { json: EvidenceReport; markdown: string; sarif: any; all: string } {
    const markdown = fs.readFileSync(path.join(dir, "report.md"), "utf8");
    const jsonText = fs.readFileSync(path.join(dir, "report.json"), "utf8");
    const sarifText = fs.readFileSync(path.join(dir, "report.sarif"), "utf8");
    return { json: JSON.parse(jsonText), markdown, sarif: JSON.parse(sarifText), all: markdown + jsonText + sarifText };
}

describe("Offline preview and evidence report", () => {
    it("the compliant example passes and its report covers every control of the guide", async () => {
        const outcome = await preview("examples/compliant", { mode: "update" });
        assert.deepStrictEqual(outcome.run.errors, []);
        assert.strictEqual(outcome.exitCode, 0);
        assert.deepStrictEqual(outcome.findings, []);
        const { json, markdown, all } = readReport(outcome.dir);
        assert.deepStrictEqual(
            json.controls.map((c) => c.id),
            controls.map((c) => c.id),
        );
        for (const c of json.controls) {
            if (c.id === "HIPAA-164.308") {
                assert.strictEqual(c.status, "attestation required");
                assert.ok(c.manualAttestation);
                continue;
            }
            assert.strictEqual(c.status, "met", `${c.id} is ${c.status}`);
            assert.ok(c.evidence.length > 0, `${c.id} has no evidence`);
            assert.ok(
                c.policies.some((p) => p.verdict === "pass"),
                `${c.id} was checked by no policy`,
            );
        }
        const atRest = json.controls.find((c) => c.id === "1903.06d1")!;
        assert.ok(
            atRest.evidence.some(
                (e) =>
                    e.resource === "orders-cache-rg" && e.setting === "atRestEncryptionEnabled" && e.value === "true",
            ),
        );
        assert.match(markdown, /\| HIPAA-164.308 \| BAA \| 1 \| attestation required \| - \|/);
        assert.match(markdown, /- \[ \] \*\*Attest by hand:\*\* Download the accepted AWS Business Associate Addendum/);
        assert.ok(!all.includes(mockToken), "a secret reached the report");
        assert.match(all, /"authToken"|\| authToken \| \[secret\]/);
    });

    it("the noncompliant example is rejected and its report names each failing control", async () => {
        const outcome = await preview("examples/noncompliant");
        assert.strictEqual(outcome.exitCode, 1);
        const mandatory = [
            ...new Set(outcome.findings.filter((f) => f.enforcementLevel === "mandatory").map((f) => f.policyName)),
        ].sort();
        assert.deepStrictEqual(mandatory, [
            "aws-elasticache-cluster-disallow-standalone-redis",
            "aws-elasticache-loggroup-configure-retention",
            "aws-elasticache-replicationgroup-configure-current-generation-node-type",
            "aws-elasticache-replicationgroup-configure-engine-version",
            "aws-elasticache-replicationgroup-configure-replicas",
            "aws-elasticache-replicationgroup-configure-subnet-group",
            "aws-elasticache-replicationgroup-enable-automatic-backups",
            "aws-elasticache-replicationgroup-enable-automatic-failover",
            "aws-elasticache-replicationgroup-enable-encryption-at-rest",
            "aws-elasticache-replicationgroup-enable-multi-az",
            "aws-elasticache-replicationgroup-enforce-auth-token-complexity",
            "aws-elasticache-replicationgroup-enforce-transit-encryption-required",
            "aws-elasticache-securitygroup-disallow-internet-ingress",
            "aws-elasticache-subnetgroup-configure-multiple-azs",
            "aws-elasticache-subnetgroup-disallow-default-name",
            "aws-elasticache-subnetgroup-disallow-public-subnets",
            "aws-elasticache-user-enforce-password-required",
        ]);
        const { json, sarif, all } = readReport(outcome.dir);
        const notMet = json.controls
            .filter((c) => c.status === "not met")
            .map((c) => c.id)
            .sort();
        assert.deepStrictEqual(
            notMet,
            [
                "0706.10b1",
                "0805.01m1",
                "0808.10b2",
                "1202.09aa1",
                "1204.09aa1",
                "1410.09e2",
                "1601.12c1",
                "1616.09l1",
                "1618.09l1",
                "1903.06d1",
                "19141.06c1",
            ].sort(),
        );
        for (const id of notMet) {
            assert.match(
                readReport(outcome.dir).markdown,
                new RegExp(`## HITRUST CSF ${id.replace(".", "\\.")}: .* \\(not met\\)`),
            );
        }
        assert.ok(!all.includes("password@123"), "the example's token reached the report");
        assert.strictEqual(sarif.version, "2.1.0");
        const results = sarif.runs[0].results;
        assert.strictEqual(results.length, outcome.findings.length);
        assert.ok(results.every((r: any) => ["error", "warning"].includes(r.level)));
        assert.strictEqual(sarif.runs[0].tool.driver.rules.length, outcome.info.policies.length);
    });

    it("the RBAC example passes", async () => {
        const outcome = await preview("examples/rbac");
        assert.deepStrictEqual(outcome.run.errors, []);
        assert.deepStrictEqual(
            outcome.findings.map((f) => f.policyName),
            [],
        );
        assert.strictEqual(outcome.exitCode, 0);
    });

    it("the root program passes in preview with unknown values, and says so in the report", async () => {
        const outcome = await preview(".");
        assert.strictEqual(outcome.exitCode, 0);
        const { markdown } = readReport(outcome.dir);
        assert.match(markdown, /\(known after update\)/);
        const text = renderConsole(outcome, "dev", "policy-pack");
        assert.match(text, /✅ hitrust-elasticache@v0\.1\.0 \(local: policy-pack\)/);
        assert.match(text, /\+ 60 to create/);
    });

    it("a program with bad arguments fails with the component's message, exit code 2, no report", async () => {
        const outcome = await preview("test/fixtures/invalid");
        assert.strictEqual(outcome.exitCode, 2);
        assert.strictEqual(outcome.run.resources.length, 0);
        assert.deepStrictEqual(outcome.reportFiles, []);
        const text = renderConsole(outcome, "dev", "policy-pack");
        assert.match(text, /error: HitrustRedis 'bad' has invalid arguments:/);
        assert.match(text, /- subnetIds: 1 subnet given; pass private subnets in at least two availability zones\./);
        assert.match(text, /- snapshotRetentionDays: 40 is out of range; use a whole number from 1 to 35\./);
        assert.match(text, /The program failed; no policy was evaluated\./);
    });

    it("an org config file changes the verdict", async () => {
        const file = path.join(os.tmpdir(), "hitrust-strict.json");
        fs.writeFileSync(
            file,
            JSON.stringify({
                all: "mandatory",
                "aws-elasticache-replicationgroup-configure-non-default-port": { allowedPorts: [7000] },
            }),
        );
        const outcome = await preview("examples/compliant", { policyPackConfig: file });
        assert.strictEqual(outcome.exitCode, 1);
        assert.deepStrictEqual(
            outcome.findings.map((f) => [f.enforcementLevel, f.policyName]),
            [["mandatory", "aws-elasticache-replicationgroup-configure-non-default-port"]],
        );
    });

    it("renders console output like pulumi preview, with fixes", async () => {
        const outcome = await preview("examples/noncompliant");
        const text = renderConsole(outcome, "dev", "policy-pack");
        assert.match(text, /❌ hitrust-elasticache@v0\.1\.0 \(local: policy-pack\)/);
        assert.match(
            text,
            /- \[mandatory\]  aws-elasticache-replicationgroup-enable-encryption-at-rest  \(aws:elasticache\/replicationGroup:ReplicationGroup: legacy-cache\)/,
        );
        assert.match(text, /Fix: Set `atRestEncryptionEnabled: true`/);
        assert.ok(text.indexOf("[mandatory]") < text.indexOf("[advisory]"));
    });

    it("redacts secrets and unknowns in report values", () => {
        assert.strictEqual(displayValue("authToken", "x"), "[secret]");
        assert.strictEqual(displayValue("kmsKeyId", "04da6b54-80e4-46f7-96ec-b56ff0331ba9"), "(known after update)");
        assert.strictEqual(
            displayValue("authenticationMode", { type: "password", passwords: ["p"] }),
            '{"type":"password","passwords":"[secret]"}',
        );
        assert.strictEqual(
            displayValue("x", { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value: "s" }),
            "[secret]",
        );
    });

    it("reads project config defaults and stack config", () => {
        const project = loadProject(path.join(root, "examples", "compliant"), "dev");
        assert.strictEqual(project.name, "hitrust-compliant");
        assert.strictEqual(project.config["hitrust-compliant:vpcId"], "vpc-0a1b2c3d4e5f60718");
        const rootProject = loadProject(root, "dev");
        assert.strictEqual(rootProject.config["hitrust-elasticache:engine"], "redis");
        assert.strictEqual(rootProject.config["hitrust-elasticache:subnetIds"], "[]");
    });

    it("npm start exits 1 for the noncompliant example and 0 for the root program", function () {
        const run = (args: string[]) =>
            spawnSync(
                process.execPath,
                [require.resolve("ts-node/dist/bin"), "--transpile-only", "tools/preview.ts", ...args],
                {
                    cwd: root,
                    encoding: "utf8",
                },
            );
        const bad = run(["examples/noncompliant", "--report", fs.mkdtempSync(path.join(os.tmpdir(), "r-"))]);
        assert.strictEqual(bad.status, 1, bad.stderr);
        assert.match(bad.stderr, /Starting policy pack/);
        assert.match(bad.stdout, /Policy findings: 19 mandatory/);
        const good = run(["--report", fs.mkdtempSync(path.join(os.tmpdir(), "r-"))]);
        assert.strictEqual(good.status, 0, good.stderr + good.stdout);
        const usage = run(["--bogus"]);
        assert.strictEqual(usage.status, 2);
        assert.match(usage.stderr, /unknown option --bogus; see --help/);
    });

    it("the published tarball runs on its own, as on an enforcing machine", async () => {
        const work = fs.mkdtempSync(path.join(os.tmpdir(), "hitrust-publish-"));
        const out = execFileSync("npm", ["pack", "--json", "--ignore-scripts", "--pack-destination", work], {
            cwd: packDir,
            encoding: "utf8",
        });
        const tarball = path.join(work, JSON.parse(out)[0].filename);
        execFileSync("tar", ["-xzf", tarball, "-C", work]);
        const unpacked = path.join(work, "package");
        // The enforcing machine installs the pack's dependencies; link the same versions.
        fs.symlinkSync(path.join(root, "node_modules"), path.join(unpacked, "node_modules"), "dir");
        const { PolicyPackProcess } = await import("../tools/analyzer");
        const pack = await PolicyPackProcess.start(unpacked);
        try {
            const info = await pack.info();
            assert.strictEqual(info.name, "hitrust-elasticache");
            assert.strictEqual(info.policies.length, 41);
        } finally {
            await pack.stop();
        }
    });

    it("the pack ships its compiled code and PulumiPolicy.yaml (npm pack)", () => {
        const out = execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], {
            cwd: packDir,
            encoding: "utf8",
        });
        const files: string[] = JSON.parse(out)[0].files.map((f: any) => f.path);
        assert.ok(files.includes("PulumiPolicy.yaml"));
        assert.ok(files.includes("bin/policy-pack/src/index.js"));
        assert.ok(files.includes("bin/core/controls.js"));
        assert.ok(!files.some((f) => f.endsWith(".ts")), "TypeScript sources would be recompiled on every start");
        const pkg = JSON.parse(fs.readFileSync(path.join(packDir, "package.json"), "utf8"));
        const rootPkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));
        assert.strictEqual(pkg.dependencies["@pulumi/policy"], rootPkg.dependencies["@pulumi/policy"]);
        assert.strictEqual(pkg.dependencies["@pulumi/pulumi"], rootPkg.dependencies["@pulumi/pulumi"]);
    });
});
