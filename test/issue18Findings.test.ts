// Issue 18, "One finding per cause, said exactly": the cases test/issue18Pack.test.ts leaves
// open. Each failed before its fix.
import * as assert from "assert";
import { clusterDisallowStandaloneRedis } from "../policy-pack/src/policies/cluster";
import * as rg from "../policy-pack/src/policies/replicationGroup";
import { ResourceRuleSpec } from "../policy-pack/src/registry";
import { types } from "../policy-pack/src/types";
import { assertViolations, compliantGroup, rgViolations, violations } from "./policyHelpers";

const group: Record<string, unknown> = { ...compliantGroup, snapshotRetentionLimit: 35 };

/** Each rule's findings, prefixed with its name, under each rule's default config. */
function findings(rules: ResourceRuleSpec[], type: string, props: Record<string, unknown>): string[] {
    return rules.flatMap((rule) => {
        const config = Object.fromEntries(Object.entries(rule.config ?? {}).map(([k, v]) => [k, (v as any).default]));
        return violations(rule, type, props, config).map((m) => `${rule.name}: ${m}`);
    });
}

describe("Issue 18: short backup retention is one finding", () => {
    const backups = [rg.enableAutomaticBackups, rg.configureBackupRetention];

    it("below the mandatory minimum: the mandatory policy's finding alone", () => {
        assertViolations(findings(backups, types.replicationGroup, { ...group, snapshotRetentionLimit: 5 }), [
            "aws-elasticache-replicationgroup-enable-automatic-backups: snapshotRetentionLimit is 5 days, below the minimum of 15: set it to 35 (at least 15).",
        ]);
    });

    it("between the minimum and the recommendation: the advisory finding alone", () => {
        assertViolations(findings(backups, types.replicationGroup, { ...group, snapshotRetentionLimit: 20 }), [
            "aws-elasticache-replicationgroup-configure-backup-retention: snapshotRetentionLimit is 20 days: the guide recommends 35; set it to 35.",
        ]);
    });

    it("the two policies' minimums have one default", () => {
        assert.strictEqual(
            rg.configureBackupRetention.config!.minimumRetentionDays.default,
            rg.enableAutomaticBackups.config!.minimumRetentionDays.default,
        );
    });

    it("an organization's stricter minimum moves both together when configured alike", () => {
        const props = { ...group, snapshotRetentionLimit: 20 };
        assertViolations(
            rgViolations(rg.configureBackupRetention, props, {
                minimumRetentionDays: 30,
                recommendedRetentionDays: 35,
            }),
            [],
        );
        assert.strictEqual(rgViolations(rg.enableAutomaticBackups, props, { minimumRetentionDays: 30 }).length, 1);
    });
});

describe("Issue 18: standalone nodes are told what they cannot have", () => {
    const standalone = {
        engine: "redis",
        engineVersion: "5.0.6",
        nodeType: "cache.r7g.large",
        snapshotRetentionLimit: 35,
    };

    it("one finding names TLS, AUTH, at-rest encryption and failover", () => {
        assertViolations(violations(clusterDisallowStandaloneRedis, types.cluster, standalone), [
            "a standalone redis cluster cannot use TLS (transitEncryptionEnabled is for Memcached only), an AUTH token or at-rest encryption, and has no replica to fail over to: create an aws.elasticache.ReplicationGroup instead.",
        ]);
    });

    it("an engine out of standard support is named, as on a replication group", () => {
        const found = violations(rg.disallowEngineOutOfStandardSupport, types.cluster, standalone);
        assert.strictEqual(found.length, 1, found.join("\n"));
        assert.match(found[0], /^Redis 5\.0\.6 (left|leaves) standard support on 2026-01-31/);
    });

    it("an engine version ElastiCache never shipped, or below the floor, is refused", () => {
        const config = { minimumEngineVersion: "4.0.10" };
        assert.match(
            violations(rg.configureEngineVersion, types.cluster, { ...standalone, engineVersion: "7.2" }, config)[0],
            /^engineVersion ElastiCache never shipped Redis OSS '7\.2'/,
        );
        assert.match(
            violations(rg.configureEngineVersion, types.cluster, { ...standalone, engineVersion: "3.2.10" }, config)[0],
            /^engineVersion 3\.2\.10 is below 4\.0\.10/,
        );
    });

    it("a member of a replication group is judged through its group", () => {
        const member = { replicationGroupId: "phi-cache", engineVersion: "3.2.10" };
        for (const rule of [
            rg.disallowEngineOutOfStandardSupport,
            rg.configureEngineVersion,
            clusterDisallowStandaloneRedis,
        ]) {
            assertViolations(violations(rule, types.cluster, member, { minimumEngineVersion: "4.0.10" }), []);
        }
    });
});
