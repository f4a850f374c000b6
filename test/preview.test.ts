// The main job: the offline preview of each example and of the root program, judged by the pack
// over gRPC, and the evidence report it writes.
import * as assert from "assert";
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { controls } from "../core/controls";
import { PackInfo, readPolicyPackConfigFile, resolvePolicyConfig } from "../tools/analyzer";
import { runProgramInChild } from "../tools/langhost";
import { hasNameInput, withProviderDefaults } from "../tools/mockrun";
import { displayValue, EvidenceReport } from "../tools/report";
import {
    loadProject,
    parseCommandLine,
    PreviewOutcome,
    consoleFindings,
    renderConsole,
    runPreview,
} from "../tools/preview";

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
        // The summary comes first; its per-cache table has the program's one replication group.
        assert.strictEqual(
            markdown.split("\n").find((l) => l.startsWith("## ")),
            "## Summary",
        );
        assert.match(markdown, /\n\| orders-cache-rg \| compliant \| - \| - \| 0 \/ 0 \|\n/);
        assert.deepStrictEqual(
            json.summary.perCache.map((c) => [c.name, c.result]),
            [["orders-cache-rg", "compliant"]],
        );
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
            // One finding per cause (issue 18): the single node is configure-replicas' finding (no
            // failover, no Multi-AZ findings), and with at-rest encryption off no key finding follows.
            "aws-elasticache-replicationgroup-configure-engine-version",
            "aws-elasticache-replicationgroup-configure-replicas",
            "aws-elasticache-replicationgroup-configure-subnet-group",
            "aws-elasticache-replicationgroup-enable-automatic-backups",
            "aws-elasticache-replicationgroup-enable-encryption-at-rest",
            "aws-elasticache-replicationgroup-enforce-auth-token-complexity",
            "aws-elasticache-replicationgroup-enforce-transit-encryption-required",
            "aws-elasticache-securitygroup-disallow-internet-ingress",
            "aws-elasticache-subnetgroup-configure-multiple-azs",
            "aws-elasticache-subnetgroup-disallow-default-name",
            "aws-elasticache-subnetgroup-disallow-public-subnets",
            // `on ~* +@all` grants FLUSHALL, KEYS, MONITOR... (issue 18).
            "aws-elasticache-user-disallow-dangerous-commands",
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
                // At-rest encryption off, so no key: the cryptographic-controls policy is not met.
                "0903.10f1",
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
        // The count follows the component (other issues add resources); the line must match the run.
        assert.ok(outcome.run.resources.length > 50, `only ${outcome.run.resources.length} resources`);
        assert.match(text, new RegExp(`\\+ ${outcome.run.resources.length} to create`));
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
        // At most consoleFindings findings, then the report's headline.
        const listed = text.split("\n").filter((l) => /^ {8}- \[(mandatory|advisory)\]/.test(l)).length;
        assert.strictEqual(listed, Math.min(consoleFindings, outcome.findings.length));
        if (outcome.findings.length > consoleFindings) {
            assert.match(
                text,
                new RegExp(`and ${outcome.findings.length - consoleFindings} more findings in the evidence report`),
            );
        }
        assert.match(text, /^Result: NOT COMPLIANT, \d+ mandatory findings \(exit 1\)\.$/m);
        assert.match(text, /^Caches \(2\): 2 not compliant, 0 not evidenced, 0 compliant\.$/m);
        assert.match(text, /^First fix: /m);
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
        assert.match(bad.stdout, /Policy findings: 18 mandatory/);
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
            assert.strictEqual(info.policies.length, 53);
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
        // The pack is tested with the SDKs the root installs: the same @pulumi/policy line, and a
        // @pulumi/pulumi range the installed SDK satisfies.
        assert.strictEqual(pkg.dependencies["@pulumi/policy"], rootPkg.devDependencies["@pulumi/policy"]);
        assert.ok(
            require("semver").satisfies(
                require("@pulumi/pulumi/package.json").version,
                pkg.dependencies["@pulumi/pulumi"],
            ),
        );
    });
});

const cliEntry = [require.resolve("ts-node/dist/bin"), "--transpile-only", "tools/preview.ts"];
function cli(args: string[]) {
    return spawnSync(process.execPath, [...cliEntry, ...args], { cwd: root, encoding: "utf8" });
}
const tmp = (prefix: string) => fs.mkdtempSync(path.join(os.tmpdir(), prefix));

describe("npm start hardening", () => {
    describe("the program runs in a process of its own; the CLI decides the exit code", () => {
        it("process.exit(0) from a timer cannot turn mandatory findings into exit 0", () => {
            // Inside the CLI's process this program ended the CLI with 0 while the pack judged it.
            const run = cli(["test/fixtures/exits", "--stack", "timer", "--report", tmp("r-")]);
            assert.strictEqual(run.status, 1, run.stderr + run.stdout);
            const mandatory = Number(/Policy findings: (\d+) mandatory/.exec(run.stdout)?.[1]);
            assert.ok(mandatory > 0, run.stdout);
            assert.match(run.stdout, /enable-encryption-at-rest/);
        });

        it("a program that crashes exits 2 with its message (npm start)", () => {
            const run = cli(["test/fixtures/exits", "--stack", "crash", "--report", tmp("r-")]);
            assert.strictEqual(run.status, 2, run.stderr + run.stdout);
            // cmd/run's own report of the exception (its stack), as the engine receives it.
            assert.match(run.stdout, /error: Error: exits fixture: the program fell over in a timer\n\s+at /);
            assert.match(run.stdout, /The program failed; no policy was evaluated\./);
        });

        const endings: [string, RegExp][] = [
            [
                "early",
                /the program ended itself \(exit code [01]\) before its resources were registered, so the stack cannot be judged: remove any process\.exit call/,
            ],
            ["crash", /^Error: exits fixture: the program fell over in a timer\n\s+at /],
            ["nonzero", /the program failed after registering its resources \(exit code 4\)/],
        ];
        for (const [how, message] of endings) {
            it(`a program that ${how === "early" ? "ends itself before its registrations settle" : how === "crash" ? "throws from a timer" : "exits non-zero"} yields exit 2 and no report`, async () => {
                const reportDir = tmp("r-");
                const outcome = await runPreview({
                    programDir: path.join(root, "test/fixtures/exits"),
                    packDir,
                    mode: "preview",
                    stack: how,
                    reportDir,
                });
                assert.strictEqual(outcome.exitCode, 2);
                assert.strictEqual(outcome.run.errors.length, 1);
                assert.match(outcome.run.errors[0].message, message);
                assert.deepStrictEqual(outcome.findings, []);
                assert.deepStrictEqual(fs.readdirSync(reportDir), []);
            });
        }
        it("a program that never ends is stopped once its resources are registered, with a warning", async () => {
            const run = await runProgramInChild(path.join(root, "test/fixtures/exits"), {
                preview: true,
                project: "hitrust-exits",
                config: { how: "linger" },
                lingerMs: 1000,
            });
            assert.deepStrictEqual(run.errors, []);
            assert.deepStrictEqual(
                run.resources.map((r) => r.name),
                ["exits-cache"],
            );
            assert.ok(
                run.warnings.some((w) =>
                    /kept running 1 s after its resources were registered .*; it was stopped/.test(w),
                ),
                run.warnings.join("\n"),
            );
        });
    });

    describe("provider auto-names and defaults (offline update fidelity)", () => {
        const autonamed = path.join(root, "test/fixtures/autonamed");

        it("an ordinary program relying on auto-names gets the same mandatory verdict with --update as without", async () => {
            const [previewed, updated] = [
                await preview("test/fixtures/autonamed"),
                await preview("test/fixtures/autonamed", { mode: "update" }),
            ];
            const mandatory = (o: PreviewOutcome) =>
                [
                    ...new Set(o.findings.filter((f) => f.enforcementLevel === "mandatory").map((f) => f.policyName)),
                ].sort();
            assert.deepStrictEqual(mandatory(updated), mandatory(previewed));
            for (const outcome of [previewed, updated]) {
                assert.deepStrictEqual(outcome.run.errors, []);
                assert.ok(
                    !outcome.findings.some(
                        (f) => f.policyName === "aws-elasticache-replicationgroup-configure-subnet-group",
                    ),
                    "false finding: subnetGroupName is the subnet group's auto-name",
                );
            }
            const byName = (o: PreviewOutcome, name: string) => o.run.resources.find((r) => r.name === name)!;
            // ElastiCache stores subnet group names and replication group IDs in lower case; log
            // group names keep their case.
            const groupName = byName(updated, "AppCacheSubnets").inputs.name as string;
            assert.match(groupName, /^appcachesubnets-[0-9a-f]{7}$/);
            assert.strictEqual(byName(updated, "AppCache").inputs.subnetGroupName, groupName);
            assert.match(byName(updated, "AppCache").inputs.replicationGroupId as string, /^appcache-[0-9a-f]{7}$/);
            assert.match(byName(updated, "AppSlowLog").inputs.name as string, /^AppSlowLog-[0-9a-f]{7}$/);
            assert.match(byName(updated, "app-cache-sg").inputs.name as string, /^app-cache-sg-[0-9a-f]{7}$/);
            // The provider names a resource once, at Check, so preview shows the same name.
            assert.strictEqual(byName(previewed, "AppCacheSubnets").inputs.name, groupName);
            // The program's own values stay as written.
            assert.strictEqual(byName(updated, "AppCache").inputs.engine, "valkey");
        });

        it("without the provider's names the update run reproduces the false 'subnetGroupName is not set'", async () => {
            const run = await runProgramInChild(autonamed, {
                preview: false,
                project: "hitrust-autonamed",
                providerDefaults: false,
            });
            assert.deepStrictEqual(run.errors, []);
            const cache = run.resources.find((r) => r.name === "AppCache")!;
            assert.strictEqual(cache.inputs.subnetGroupName, undefined);
        });

        const urn = (type: string, name: string) => `urn:pulumi:dev::p::${type}::${name}`;
        const cases: [string, string, Record<string, unknown>, Record<string, unknown | RegExp>][] = [
            ["aws:elasticache/subnetGroup:SubnetGroup", "Cache-Subnets", {}, { name: /^cache-subnets-[0-9a-f]{7}$/ }],
            ["aws:elasticache/subnetGroup:SubnetGroup", "x", { name: "Mine" }, { name: "Mine" }],
            [
                "aws:elasticache/replicationGroup:ReplicationGroup",
                "A-Very-Long-Logical-Name-For-A-Replication-Group-In-Prod",
                {},
                {
                    replicationGroupId: /^a-very-long-logical-name-for-a-re[0-9a-f]{7}$/,
                    engine: "redis",
                    automaticFailoverEnabled: false,
                    multiAzEnabled: false,
                },
            ],
            [
                "aws:elasticache/replicationGroup:ReplicationGroup",
                "secondary",
                { globalReplicationGroupId: "ldgnf-global", automaticFailoverEnabled: true },
                { engine: undefined, automaticFailoverEnabled: true },
            ],
            ["aws:elasticache/cluster:Cluster", "Node", {}, { clusterId: /^node-[0-9a-f]{7}$/ }],
            ["aws:cloudwatch/logGroup:LogGroup", "SlowLog", {}, { name: /^SlowLog-[0-9a-f]{7}$/ }],
            ["aws:ec2/securityGroup:SecurityGroup", "sg", { namePrefix: "cache-" }, { name: undefined }],
            ["aws:s3/bucket:Bucket", "Archive", {}, { bucket: /^archive-[0-9a-f]{7}$/ }],
            ["aws:s3/bucket:Bucket", "Archive", { bucketPrefix: "archive-" }, { bucket: undefined }],
            ["aws:kms/key:Key", "key", {}, { name: undefined, enableKeyRotation: false }],
            ["aws:ec2/subnet:Subnet", "s", { mapPublicIpOnLaunch: true }, { mapPublicIpOnLaunch: true }],
            ["random:index/randomPassword:RandomPassword", "p", { length: 32 }, { name: undefined, length: 32 }],
        ];
        for (const [type, name, inputs, expected] of cases) {
            it(`fills ${type} '${name}' ${JSON.stringify(inputs)} as the provider's Check would`, () => {
                const out = withProviderDefaults(type, name, urn(type, name), inputs);
                for (const [key, want] of Object.entries(expected)) {
                    if (want instanceof RegExp) {
                        assert.match(String(out[key]), want, key);
                    } else {
                        assert.deepStrictEqual(out[key], want, key);
                    }
                }
            });
        }

        it("auto-names are random-looking but stable per resource", () => {
            const type = "aws:elasticache/subnetGroup:SubnetGroup";
            const a = withProviderDefaults(type, "g", urn(type, "g"), {}).name;
            assert.strictEqual(withProviderDefaults(type, "g", urn(type, "g"), {}).name, a);
            assert.notStrictEqual(withProviderDefaults(type, "g", `${urn(type, "g")}-other-parent`, {}).name, a);
            assert.ok(hasNameInput("aws:sns/topic:Topic"));
            assert.ok(!hasNameInput("aws:kms/key:Key"));
        });
    });

    it("starts the policy pack while the program runs, not after", async () => {
        const outcome = await preview("examples/compliant");
        assert.strictEqual(outcome.exitCode, 0);
        const t = outcome.timings;
        assert.ok(
            t.programStarted < t.packReady,
            `program started at ${t.programStarted} ms, pack ready at ${t.packReady} ms`,
        );
        assert.ok(t.programDone <= t.analyzed && t.packReady <= t.analyzed);
    });

    it("judges a 4,000-resource stack whose messages exceed gRPC's 4 MiB default", async function () {
        this.timeout(300000);
        const dir = tmp("hitrust-large-");
        fs.symlinkSync(path.join(root, "node_modules"), path.join(dir, "node_modules"), "dir");
        fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: large\nruntime: nodejs\n");
        // Long names make each AnalyzeStack diagnostic large (the size, not the count, is what gRPC
        // limits; fewer resources with longer names keep the test fast); one subnet each is a
        // mandatory finding.
        fs.writeFileSync(
            path.join(dir, "index.ts"),
            [
                'import * as aws from "@pulumi/aws";',
                'const pad = "x".repeat(1000);',
                "for (let i = 0; i < 4000; i++) {",
                '    new aws.elasticache.SubnetGroup(`group-${i}-${pad}`, { name: `group-${i}`, subnetIds: ["subnet-0a1b2c3d"] });',
                "}",
            ].join("\n"),
        );
        const outcome = await runPreview({
            programDir: dir,
            packDir,
            mode: "preview",
            stack: "dev",
            reportDir: tmp("r-"),
        });
        assert.deepStrictEqual(outcome.run.errors, []);
        assert.strictEqual(outcome.run.resources.length, 4000);
        const single = outcome.findings.filter(
            (f) => f.policyName === "aws-elasticache-subnetgroup-configure-multiple-azs",
        );
        assert.strictEqual(single.length, 4000);
        assert.strictEqual(outcome.exitCode, 1);
        // The AnalyzeStack reply alone is larger than gRPC's default 4 MiB receive limit.
        const bytes = single.reduce(
            (n, f) => n + Buffer.byteLength(f.message + f.urn + f.description + f.policyName),
            0,
        );
        assert.ok(bytes > 4 * 1024 * 1024, `only ${bytes} bytes`);
    });

    describe("messages", () => {
        const fakeInfo: PackInfo = {
            name: "pack",
            version: "1.0.0",
            displayName: "pack",
            supportsConfig: true,
            policies: [
                {
                    name: "p-one",
                    kind: "resource",
                    displayName: "",
                    description: "",
                    enforcementLevel: "mandatory",
                    severity: "high",
                    tags: [],
                    remediationSteps: "",
                    url: "",
                    configSchema: { properties: { days: { type: "integer", default: 1 } }, required: [] },
                },
            ],
        };
        const configCases: [string, string, RegExp][] = [
            ["null", "null", /config .*null\.json must hold a JSON object, \{ "all": .*; it holds null\./],
            ["an array", '["mandatory"]', /config .*an array\.json must hold a JSON object.*; it holds an array/],
            ["a string", '"mandatory"', /must hold a JSON object.*; it holds the string "mandatory"/],
            [
                "a trailing comma",
                '{\n  "all": "mandatory",\n}',
                /config .*a trailing comma\.json is not valid JSON: line 3, column 1: .*Fix the file/,
            ],
            ["a bare word", '{\n  "all": mandatory\n}', /is not valid JSON: line 2, column 10:/],
            ["nothing", "", /is not valid JSON: line 1, column 1:/],
        ];
        for (const [what, text, message] of configCases) {
            it(`a policy config holding ${what} is refused with the file's name`, () => {
                const file = path.join(tmp("cfg-"), `${what}.json`);
                fs.writeFileSync(file, text);
                assert.throws(() => readPolicyPackConfigFile(file), message);
            });
        }

        const entryCases: [string, unknown, RegExp][] = [
            [
                "null",
                null,
                /"p-one" must be an enforcement level \(advisory, mandatory, disabled, remediate\) or an object .*; it is null/,
            ],
            ["an array", ["advisory"], /"p-one" must be an enforcement level .*; it is an array/],
            ["a number", 3, /"p-one" must be an enforcement level .*; it is the number 3/],
            ["an unknown level", "strict", /"strict" is not an enforcement level \(policy p-one\); use one of/],
            ["an inherited name", { enforcementLevel: "constructor" }, /"constructor" is not an enforcement level/],
            ["an unknown setting", { dayz: 2 }, /'dayz' is not a setting of policy p-one; its settings are days/],
        ];
        for (const [what, entry, message] of entryCases) {
            it(`a policy entry holding ${what} names the file, the policy and the fix`, () => {
                assert.throws(
                    () => resolvePolicyConfig(fakeInfo, { "p-one": entry as any }, "policy pack config org.json"),
                    (e: Error) => e.message.startsWith("policy pack config org.json") && message.test(e.message),
                );
            });
        }

        it("a bad config file, report folder or pack folder fails before the run", async () => {
            const nullConfig = path.join(tmp("cfg-"), "null.json");
            fs.writeFileSync(nullConfig, "null");
            const notAFolder = path.join(tmp("r-"), "file");
            fs.writeFileSync(notAFolder, "");
            const base = {
                programDir: path.join(root, "examples/compliant"),
                packDir,
                mode: "preview" as const,
                stack: "dev",
            };
            const started = Date.now();
            await assert.rejects(
                runPreview({ ...base, policyPackConfig: nullConfig }),
                /null\.json must hold a JSON object/,
            );
            await assert.rejects(
                runPreview({ ...base, reportDir: path.join(notAFolder, "report") }),
                /--report .*file\/report cannot be written \(ENOTDIR\): pass a folder you may write to/,
            );
            await assert.rejects(
                runPreview({ ...base, packDir: path.join(root, "examples") }),
                /--policy-pack .*examples is not a policy pack \(it has no PulumiPolicy\.yaml\)/,
            );
            assert.ok(Date.now() - started < 3000, "the checks ran after the program or the pack");
        });

        const argvCases: [string[], RegExp][] = [
            [["--bogus"], /^unknown option --bogus; see --help$/],
            [["--reprot", "r"], /^unknown option --reprot; see --help \(did you mean --report\?\)$/],
            [["-x"], /^unknown option -x; see --help/],
            [["--report"], /^--report needs a value: --report DIR, the folder for the evidence report/],
            [["--report", "--update"], /^--report needs a value: --report DIR/],
            [["--report", ""], /^--report needs a value/],
            [["--stack"], /^--stack needs a value: --stack NAME/],
            [["--policy-pack-config"], /^--policy-pack-config needs a value: --policy-pack-config FILE/],
            [["--update=yes"], /^--update takes no value: write --update alone\.$/],
            [
                ["examples/compliant", "examples/rbac"],
                /^only one PROGRAM_DIR may be given, got 2 \(examples\/compliant, examples\/rbac\)/,
            ],
            [["--stack", "a/b"], /^--stack "a\/b" is not a stack name: use up to 100 letters/],
            [["no/such/dir"], /^PROGRAM_DIR no\/such\/dir is not a folder: pass the folder of a Pulumi project/],
            [
                ["--policy-pack-config", "no-such.json"],
                /^--policy-pack-config no-such\.json is not a file: pass the path/,
            ],
        ];
        for (const [argv, message] of argvCases) {
            it(`npm start ${argv.join(" ") || "(empty)"}: refused with the flag and the fix`, () => {
                const cwd = process.cwd();
                process.chdir(root);
                try {
                    assert.throws(
                        () => parseCommandLine(argv),
                        (e: Error) => message.test(e.message) || assert.fail(e.message),
                    );
                } finally {
                    process.chdir(cwd);
                }
            });
        }

        it("npm start reads good arguments with util.parseArgs", () => {
            const cwd = process.cwd();
            process.chdir(root);
            try {
                assert.deepStrictEqual(
                    parseCommandLine([
                        "examples/compliant",
                        "--update",
                        "--stack",
                        "prod",
                        "--report",
                        "r",
                        "--policy-pack",
                        "p",
                    ]),
                    {
                        help: false,
                        options: {
                            programDir: "examples/compliant",
                            packDir: "p",
                            policyPackConfig: undefined,
                            mode: "update",
                            stack: "prod",
                            reportDir: "r",
                        },
                    },
                );
                assert.deepStrictEqual(parseCommandLine(["-h"]), { help: true });
            } finally {
                process.chdir(cwd);
            }
        });

        it("npm start with an unwritable --report exits 2 before starting anything", () => {
            const file = path.join(tmp("r-"), "file");
            fs.writeFileSync(file, "");
            const run = cli(["examples/compliant", "--report", path.join(file, "out")]);
            assert.strictEqual(run.status, 2, run.stderr);
            assert.match(run.stderr, /error: --report .* cannot be written \(ENOTDIR\)/);
            assert.doesNotMatch(run.stderr, /Starting policy pack/);
        });
    });
});
