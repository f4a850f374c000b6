// AWS Config managed rules for ElastiCache (component option `awsConfigRules`), under Pulumi mocks.
// The expected identifiers, resource types and parameters are copied from each rule's page of the
// AWS Config managed rules list, not from the module, so a wrong identifier fails here.
import * as aws from "@pulumi/aws";
import * as assert from "assert";
import { configRulesProblems, createConfigRules, ConfigRulesArgs } from "../component/configRules";
import { runUnderMocks } from "../tools/mockrun";
import { HitrustRedis } from "../component/redis";
import { baseArgs } from "./helpers";

const ruleType = "aws:cfg/rule:Rule";

/** Identifier -> resource types, from https://docs.aws.amazon.com/config/latest/developerguide/<rule>.html. */
const documented: Record<string, string[]> = {
    // elasticache-repl-grp-encrypted-at-rest
    ELASTICACHE_REPL_GRP_ENCRYPTED_AT_REST: ["AWS::ElastiCache::ReplicationGroup"],
    // elasticache-repl-grp-encrypted-in-transit
    ELASTICACHE_REPL_GRP_ENCRYPTED_IN_TRANSIT: ["AWS::ElastiCache::ReplicationGroup"],
    // elasticache-repl-grp-redis-auth-enabled (below Redis 6)
    ELASTICACHE_REPL_GRP_REDIS_AUTH_ENABLED: ["AWS::ElastiCache::ReplicationGroup"],
    // elasticache-redis-cluster-automatic-backup-check (parameter snapshotRetentionPeriod, int)
    ELASTICACHE_REDIS_CLUSTER_AUTOMATIC_BACKUP_CHECK: [
        "AWS::ElastiCache::CacheCluster",
        "AWS::ElastiCache::ReplicationGroup",
    ],
    // elasticache-repl-grp-auto-failover-enabled
    ELASTICACHE_REPL_GRP_AUTO_FAILOVER_ENABLED: ["AWS::ElastiCache::ReplicationGroup"],
    // elasticache-subnet-group-check
    ELASTICACHE_SUBNET_GROUP_CHECK: ["AWS::ElastiCache::CacheCluster"],
    // elasticache-supported-engine-version (latestRedisVersion, latestMemcachedVersion: 3-part SemVer)
    ELASTICACHE_SUPPORTED_ENGINE_VERSION: ["AWS::ElastiCache::CacheCluster"],
    // elasticache-auto-minor-version-upgrade-check
    ELASTICACHE_AUTO_MINOR_VERSION_UPGRADE_CHECK: ["AWS::ElastiCache::CacheCluster"],
};
// elasticache-rbac-auth-enabled (Redis 6+ with UserGroupIds)
const rbacRule = "ELASTICACHE_RBAC_AUTH_ENABLED";

async function deploy(args: Partial<ConfigRulesArgs> = {}, withRecorder = false) {
    return runUnderMocks(
        () => {
            const recorder = withRecorder
                ? new aws.cfg.Recorder("recorder", { roleArn: "arn:aws:iam::123456789012:role/config" })
                : undefined;
            createConfigRules("cache", {
                namePrefix: "orders-cache",
                snapshotRetentionDays: 35,
                rbac: false,
                ...(recorder ? { dependsOn: [recorder] } : {}),
                ...args,
            });
        },
        { preview: false },
    );
}

describe("AWS Config managed rules (awsConfigRules)", () => {
    it("deploys the documented managed rules, periodic, scoped to the types each evaluates", async () => {
        const run = await deploy();
        assert.deepStrictEqual(run.errors, []);
        const rules = run.resources.filter((r) => r.type === ruleType);
        const byIdentifier: Record<string, Record<string, any>> = Object.fromEntries(
            rules.map((r) => [(r.inputs.source as any).sourceIdentifier, r.inputs]),
        );
        assert.deepStrictEqual(Object.keys(byIdentifier).sort(), Object.keys(documented).sort());
        for (const [identifier, inputs] of Object.entries(byIdentifier)) {
            assert.strictEqual((inputs.source as any).owner, "AWS", identifier);
            assert.deepStrictEqual((inputs.scope as any).complianceResourceTypes, documented[identifier], identifier);
            assert.strictEqual(inputs.maximumExecutionFrequency, "TwentyFour_Hours");
            assert.match(String(inputs.name), /^orders-cache-[a-z-]+$/);
        }
        assert.deepStrictEqual(
            JSON.parse(String(byIdentifier.ELASTICACHE_REDIS_CLUSTER_AUTOMATIC_BACKUP_CHECK.inputParameters)),
            { snapshotRetentionPeriod: "35" },
            "backups are compliant only at the component's retention or more",
        );
        const engine = JSON.parse(String(byIdentifier.ELASTICACHE_SUPPORTED_ENGINE_VERSION.inputParameters));
        assert.match(engine.latestRedisVersion, /^\d+\.\d+\.\d+$/);
        assert.match(engine.latestMemcachedVersion, /^\d+\.\d+\.\d+$/);
        assert.strictEqual(byIdentifier.ELASTICACHE_REPL_GRP_ENCRYPTED_AT_REST.inputParameters, undefined);
    });

    it("an RBAC group gets the RBAC rule instead of the AUTH-token rule; retention follows the component", async () => {
        const run = await deploy({ rbac: true, snapshotRetentionDays: 20, minimumRedisVersion: "7.1.0" });
        const ids = run.resources
            .filter((r) => r.type === ruleType)
            .map((r) => (r.inputs.source as any).sourceIdentifier);
        assert.ok(ids.includes(rbacRule));
        assert.ok(!ids.includes("ELASTICACHE_REPL_GRP_REDIS_AUTH_ENABLED"));
        const backup = run.resources.find(
            (r) => (r.inputs.source as any)?.sourceIdentifier === "ELASTICACHE_REDIS_CLUSTER_AUTOMATIC_BACKUP_CHECK",
        );
        assert.strictEqual(JSON.parse(String(backup!.inputs.inputParameters)).snapshotRetentionPeriod, "20");
        const engine = run.resources.find(
            (r) => (r.inputs.source as any)?.sourceIdentifier === "ELASTICACHE_SUPPORTED_ENGINE_VERSION",
        );
        assert.strictEqual(JSON.parse(String(engine!.inputs.inputParameters)).latestRedisVersion, "7.1.0");
    });

    it("waits for the configuration recorder it is given (the prerequisite)", async () => {
        const run = await deploy({}, true);
        const recorder = run.resources.find((r) => r.type === "aws:cfg/recorder:Recorder")!;
        const rules = run.resources.filter((r) => r.type === ruleType);
        assert.ok(rules.length > 0);
        for (const rule of rules) {
            assert.ok(rule.dependencies.includes(recorder.urn), `${rule.name} depends on the recorder`);
        }
    });

    it("rejects bad arguments, naming each one and its fix", () => {
        assert.deepStrictEqual(
            configRulesProblems({ namePrefix: "orders-cache", snapshotRetentionDays: 35, rbac: false }),
            [],
        );
        const problems = configRulesProblems({
            namePrefix: "",
            snapshotRetentionDays: 0,
            rbac: false,
            minimumRedisVersion: "7.0",
        });
        assert.strictEqual(problems.length, 3, problems.join("\n"));
        assert.match(problems.join("\n"), /namePrefix '' must be/);
        assert.match(
            problems.join("\n"),
            /snapshotRetentionDays is 0: pass the component's retention, a whole number from 1 to 35/,
        );
        assert.match(problems.join("\n"), /minimumRedisVersion '7.0' must have three components, for example "7.0.5"/);
        assert.throws(
            () => createConfigRules("x", { namePrefix: "ok", snapshotRetentionDays: 36, rbac: false }),
            /createConfigRules\(x\): snapshotRetentionDays is 36/,
        );
    });
});

/**
 * Per Region, the rules AWS Config offers there, read from the "AWS Region" line of each rule's page
 * ("All supported AWS regions except ..."), English editions at docs.aws.amazon.com and
 * docs.amazonaws.cn. GovCloud (US) is missing from every ElastiCache rule's page but the
 * automatic-backup check's; Europe (Spain) lacks the AUTH, subnet-group and engine-version rules.
 */
const offeredIn: Record<string, string[]> = {
    "us-gov-west-1": ["ELASTICACHE_REDIS_CLUSTER_AUTOMATIC_BACKUP_CHECK"],
    "eu-south-2": [
        "ELASTICACHE_REPL_GRP_ENCRYPTED_AT_REST",
        "ELASTICACHE_REPL_GRP_ENCRYPTED_IN_TRANSIT",
        "ELASTICACHE_REDIS_CLUSTER_AUTOMATIC_BACKUP_CHECK",
        "ELASTICACHE_REPL_GRP_AUTO_FAILOVER_ENABLED",
        "ELASTICACHE_AUTO_MINOR_VERSION_UPGRADE_CHECK",
    ],
    // Asia Pacific (Taipei) is missing from all of them.
    "ap-east-2": [],
};

describe("AWS Config managed rules: Regions that lack some", () => {
    for (const [region, offered] of Object.entries(offeredIn)) {
        it(`in ${region}, deploys only the rules offered there and warns about each one skipped`, async () => {
            const run = await deploy({ region });
            assert.deepStrictEqual(run.errors, []);
            const deployed = run.resources
                .filter((r) => r.type === ruleType)
                .map((r) => (r.inputs.source as any).sourceIdentifier);
            assert.deepStrictEqual(deployed.sort(), [...offered].sort());
            const skipped = Object.keys(documented).filter((id) => !offered.includes(id));
            for (const identifier of skipped) {
                const warning = run.warnings.find((w) => w.includes(identifier));
                assert.ok(warning, `no warning for ${identifier} in ${region}: ${run.warnings.join("\n")}`);
                assert.match(warning, new RegExp(`not offer the managed rule ${identifier} in ${region}`));
            }
            assert.strictEqual(run.warnings.length, skipped.length, run.warnings.join("\n"));
        });
    }

    it("deploys every rule in a Region that has them all (us-east-1), without warnings", async () => {
        const run = await deploy({ region: "us-east-1" });
        assert.strictEqual(run.resources.filter((r) => r.type === ruleType).length, Object.keys(documented).length);
        assert.deepStrictEqual(run.warnings, []);
    });

    it("HitrustRedis in GovCloud (aws:region us-gov-west-1) skips the missing rules and records each gap in its evidence", async () => {
        let component: HitrustRedis | undefined;
        const run = await runUnderMocks(
            () => {
                component = new HitrustRedis("cache", { ...baseArgs, awsConfigRules: true });
            },
            { preview: false, config: { "aws:region": "us-gov-west-1" } },
        );
        assert.deepStrictEqual(run.errors, []);
        const deployed = run.resources
            .filter((r) => r.type === ruleType)
            .map((r) => (r.inputs.source as any).sourceIdentifier);
        assert.deepStrictEqual(deployed, offeredIn["us-gov-west-1"]);
        const gaps = component!.evidence.filter((e) => e.setting === "AWS Config managed rule");
        for (const identifier of [
            "ELASTICACHE_REPL_GRP_ENCRYPTED_AT_REST",
            "ELASTICACHE_REPL_GRP_ENCRYPTED_IN_TRANSIT",
        ]) {
            const gap = gaps.find((e) => e.value.includes(identifier));
            assert.ok(gap, `no evidence of the ${identifier} gap: ${JSON.stringify(gaps)}`);
            assert.match(gap.value, /^gap: .* is not offered in us-gov-west-1, not deployed/);
        }
        const atRest = gaps.find((e) => e.value.includes("ELASTICACHE_REPL_GRP_ENCRYPTED_AT_REST"))!;
        assert.strictEqual(atRest.control, "1903.06d1");
        assert.ok(run.warnings.some((w) => /ELASTICACHE_REPL_GRP_ENCRYPTED_AT_REST in us-gov-west-1/.test(w)));
    });
});

describe("HitrustRedis: awsConfigRules", () => {
    it("is off by default (AWS Config needs a configuration recorder) and deploys the rules when set", async () => {
        const { runComponent } = await import("./helpers");
        const off = await runComponent();
        assert.strictEqual(off.resources.filter((r) => r.type === ruleType).length, 0);
        const on = await runComponent({ awsConfigRules: true, snapshotRetentionDays: 20 } as any);
        assert.deepStrictEqual(on.errors, []);
        const rules = on.resources.filter((r) => r.type === ruleType);
        assert.strictEqual(rules.length, 8);
        const backup = rules.find(
            (r) => (r.inputs as any).source.sourceIdentifier === "ELASTICACHE_REDIS_CLUSTER_AUTOMATIC_BACKUP_CHECK",
        )!;
        assert.deepStrictEqual(JSON.parse((backup.inputs as any).inputParameters), { snapshotRetentionPeriod: "20" });
        assert.ok(rules.every((r) => r.parent.endsWith("::cache")));
    });
});
