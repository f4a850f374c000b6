// The pack as the engine runs it: started through @pulumi/pulumi's run-policy-pack from its
// compiled main, spoken to over the Analyzer gRPC protocol.
import * as assert from "assert";
import * as path from "path";
import { HitrustRedis, HitrustRedisArgs } from "../component";
import { analyzeAll, Diagnostic, PackInfo, PolicyPackProcess, resolvePolicyConfig } from "../tools/analyzer";
import { runUnderMocks, unknownSentinel } from "../tools/mockrun";
import { baseArgs, resource, subnetZones, usePack, usePlaceholderAuditBundle } from "./helpers";

const packDir = path.join(__dirname, "..", "policy-pack");
const rgType = "aws:elasticache/replicationGroup:ReplicationGroup";

const summary = (ds: Diagnostic[]) => ds.map((d) => `${d.enforcementLevel} ${d.policyName}`).sort();

describe("The policy pack over the Analyzer protocol", function () {
    let pack: PolicyPackProcess;
    let info: PackInfo;

    usePack((started, described) => {
        pack = started;
        info = described;
    });

    it("starts from its compiled main and describes itself", () => {
        const packageJson = require(path.join(packDir, "package.json"));
        assert.strictEqual(packageJson.main, "bin/policy-pack/src/index.js");
        assert.strictEqual(info.name, "hitrust-elasticache");
        assert.strictEqual(info.version, packageJson.version);
        assert.strictEqual(info.supportsConfig, true);
        assert.strictEqual(info.policies.length, 53);
        const backups = info.policies.find(
            (p) => p.name === "aws-elasticache-replicationgroup-enable-automatic-backups",
        )!;
        assert.strictEqual(backups.enforcementLevel, "mandatory");
        assert.strictEqual(backups.severity, "high");
        assert.strictEqual(backups.framework?.reference, "1616.09l1, 1618.09l1");
        assert.strictEqual(backups.kind, "resource");
        assert.strictEqual(info.policies.filter((p) => p.kind === "stack").length, 11);
        assert.strictEqual(backups.configSchema?.properties.minimumRetentionDays.default, 15);
        assert.match(info.name, /^[a-zA-Z0-9-_.]{1,100}$/);
    });

    it("rejects a non-compliant replication group with one-line messages after the description", async () => {
        const ds = await pack.analyze(
            resource(rgType, "bad", { engine: "redis", engineVersion: "4.0.9", port: 6379, numCacheClusters: 1 }),
        );
        const backups = ds.find((d) => d.policyName === "aws-elasticache-replicationgroup-enable-automatic-backups")!;
        assert.strictEqual(
            backups.message,
            "Checks that ElastiCache replication groups, standalone clusters and serverless caches take automatic backups and keep them long enough.\nautomatic backups are off (snapshotRetentionLimit is not set): set snapshotRetentionLimit to 35.",
        );
        assert.strictEqual(backups.enforcementLevel, "mandatory");
        assert.strictEqual(backups.severity, "high");
        assert.strictEqual(backups.policyPackName, "hitrust-elasticache");
        const mandatory = ds
            .filter((d) => d.enforcementLevel === "mandatory")
            .map((d) => d.policyName)
            .sort();
        // One finding per cause (issue 18): the single node is configure-replicas' finding alone
        // (no failover, no Multi-AZ), and with at-rest encryption off no key finding follows.
        assert.deepStrictEqual(mandatory, [
            "aws-elasticache-replicationgroup-configure-engine-version",
            "aws-elasticache-replicationgroup-configure-replicas",
            "aws-elasticache-replicationgroup-configure-security-groups",
            "aws-elasticache-replicationgroup-configure-subnet-group",
            "aws-elasticache-replicationgroup-enable-authentication",
            "aws-elasticache-replicationgroup-enable-automatic-backups",
            "aws-elasticache-replicationgroup-enable-encryption-at-rest",
            "aws-elasticache-replicationgroup-enable-encryption-in-transit",
        ]);
        for (const d of ds) {
            assert.strictEqual(d.message.split("\n").length, 2, d.message);
        }
    });

    it("reports known defects beside unknown values and never a 'cannot run during preview' note", async () => {
        const ds = await pack.analyze(
            resource(rgType, "half-known", {
                atRestEncryptionEnabled: false,
                kmsKeyId: unknownSentinel,
                authToken: unknownSentinel,
                securityGroupIds: [unknownSentinel],
                subnetGroupName: unknownSentinel,
                transitEncryptionEnabled: true,
                automaticFailoverEnabled: true,
                multiAzEnabled: true,
                numCacheClusters: 2,
                snapshotRetentionLimit: 35,
                port: 6380,
                parameterGroupName: "p",
                snapshotWindow: "03:00-05:00",
                maintenanceWindow: "sun:05:30-sun:07:00",
                finalSnapshotIdentifier: unknownSentinel,
                notificationTopicArn: unknownSentinel,
                logDeliveryConfigurations: unknownSentinel,
            }),
        );
        assert.deepStrictEqual(summary(ds), ["mandatory aws-elasticache-replicationgroup-enable-encryption-at-rest"]);
    });

    it("unwraps secrets for the check and never echoes them", async () => {
        const secret = { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value: "Bad@Token" };
        const ds = await pack.analyze(resource(rgType, "secret", { authToken: secret }));
        const token = ds.find(
            (d) => d.policyName === "aws-elasticache-replicationgroup-enforce-auth-token-complexity",
        )!;
        assert.ok(token, "the token was not checked");
        assert.ok(!ds.some((d) => d.message.includes("Bad@Token")));
    });

    it("follows property dependencies in AnalyzeStack", async () => {
        const sg = resource("aws:ec2/securityGroup:SecurityGroup", "sg", {
            ingress: [{ protocol: "tcp", fromPort: 6380, toPort: 6380, cidrBlocks: ["0.0.0.0/0"] }],
        });
        const rg = resource(
            rgType,
            "rg",
            { securityGroupIds: [unknownSentinel] },
            { propertyDependencies: { securityGroupIds: [sg.urn] }, dependencies: [sg.urn] },
        );
        const ds = await pack.analyzeStack([sg, rg]);
        const open = ds.find((d) => d.policyName === "aws-elasticache-securitygroup-disallow-internet-ingress")!;
        assert.strictEqual(open.urn, sg.urn);
        assert.strictEqual(open.enforcementLevel, "mandatory");
    });

    describe("configured with an organization's config file", () => {
        const orgConfig = {
            all: "mandatory" as const,
            "aws-elasticache-replicationgroup-enable-automatic-backups": { minimumRetentionDays: 30 },
            "aws-elasticache-replicationgroup-configure-non-default-port": "disabled" as const,
            "aws-elasticache-replicationgroup-enforce-transit-encryption-required": {
                enforcementLevel: "remediate" as const,
            },
        };
        before(async () => pack.configure(info, orgConfig));
        after(async () => pack.configure(info));

        it("applies thresholds and enforcement levels", async () => {
            const ds = await pack.analyze(
                resource(rgType, "tuned", { snapshotRetentionLimit: 20, port: 6379, autoMinorVersionUpgrade: false }),
            );
            const backups = ds.find(
                (d) => d.policyName === "aws-elasticache-replicationgroup-enable-automatic-backups",
            )!;
            assert.ok(
                backups.message.endsWith(
                    "snapshotRetentionLimit is 20 days, below the minimum of 30: set it to 35 (at least 30).",
                ),
            );
            assert.ok(!ds.some((d) => d.policyName === "aws-elasticache-replicationgroup-configure-non-default-port"));
            const upgrade = ds.find(
                (d) => d.policyName === "aws-elasticache-replicationgroup-enable-auto-minor-version-upgrade",
            )!;
            assert.strictEqual(upgrade.enforcementLevel, "mandatory");
        });

        it("remediates transit mode when set to remediate", async () => {
            const fixes = await pack.remediate(
                resource(rgType, "preferred", { transitEncryptionEnabled: true, transitEncryptionMode: "preferred" }),
            );
            assert.deepStrictEqual(
                fixes.map((f) => [f.policyName, f.properties.transitEncryptionMode]),
                [["aws-elasticache-replicationgroup-enforce-transit-encryption-required", "required"]],
            );
        });
    });

    it("refuses config values that break the policy's schema", () => {
        const backups = "aws-elasticache-replicationgroup-enable-automatic-backups";
        assert.throws(
            () => resolvePolicyConfig(info, { [backups]: { minimumRetentionDays: 40 } }),
            /policy pack config: aws-elasticache-replicationgroup-enable-automatic-backups.minimumRetentionDays must be at most 35 \(got 40\)/,
        );
        assert.throws(
            () => resolvePolicyConfig(info, { [backups]: { minimumRetentionDays: "7" } }),
            /minimumRetentionDays must be a whole number \(got "7"\)/,
        );
        assert.throws(
            () =>
                resolvePolicyConfig(info, {
                    "aws-elasticache-replicationgroup-configure-engine-version": { minimumEngineVersion: "seven" },
                }),
            /minimumEngineVersion must match/,
        );
        assert.throws(
            () =>
                resolvePolicyConfig(info, {
                    "aws-elasticache-replicationgroup-configure-non-default-port": { allowedPorts: [6380, "x"] },
                }),
            /allowedPorts items must be a whole number \(got "x"\)/,
        );
        assert.throws(
            () => resolvePolicyConfig(info, { all: "strict" as any }),
            /"all" must be one of advisory, mandatory, disabled, remediate/,
        );
    });

    it("refuses a config file that names a policy or setting the pack lacks", () => {
        assert.throws(
            () => resolvePolicyConfig(info, { "no-such-policy": "advisory" }),
            /names policies that are not in pack hitrust-elasticache: no-such-policy/,
        );
        assert.throws(
            () =>
                resolvePolicyConfig(info, {
                    "aws-elasticache-replicationgroup-enable-automatic-backups": { minimumDays: 3 },
                }),
            /'minimumDays' is not a setting of policy aws-elasticache-replicationgroup-enable-automatic-backups/,
        );
    });

    describe("closes the loop: the component's resources pass the pack with no finding", () => {
        usePlaceholderAuditBundle();
        const variants: [string, Partial<HitrustRedisArgs>][] = [
            ["continuous audit", { continuousAudit: {} }],
            ["defaults", {}],
            ["valkey", { engine: "valkey" }],
            ["cluster mode", { clusterMode: { shards: 2, replicasPerShard: 1 } }],
            ["RBAC", { rbac: { users: [{ userName: "app", accessString: "on ~app:* +@read +@write -@dangerous" }] } }],
            [
                "caller key and CIDR",
                { kmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/k", allowedCidrBlocks: ["10.0.0.0/16"] },
            ],
        ];
        for (const preview of [true, false]) {
            for (const [label, args] of variants) {
                it(`${label} (${preview ? "preview" : "update"})`, async () => {
                    const run = await runUnderMocks(
                        () => new HitrustRedis("cache", { ...baseArgs, ...args } as HitrustRedisArgs),
                        {
                            preview,
                            subnetZones,
                        },
                    );
                    assert.deepStrictEqual(run.errors, []);
                    const ds = await analyzeAll(pack, run.resources);
                    assert.deepStrictEqual(
                        ds.map((d) => `${d.policyName}: ${d.message}`),
                        [],
                    );
                });
            }
            it(`the root program (${preview ? "preview" : "update"})`, async () => {
                const run = await runUnderMocks(path.join(__dirname, "..", "index.ts"), { preview });
                const ds = await analyzeAll(pack, run.resources);
                assert.deepStrictEqual(
                    ds.map((d) => `${d.policyName}: ${d.message}`),
                    [],
                );
            });
        }
    });
});
