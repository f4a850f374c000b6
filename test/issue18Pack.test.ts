// Issue 18, "The pack": each way the pack judged a resource otherwise than AWS does, one test per
// case. Each case failed before its fix.
import * as assert from "assert";
import { resolveSettings } from "../component";
import { engineKey, engineName, supports } from "../core/engine";
import {
    clusterDisallowMemcached,
    clusterDisallowStandaloneRedis,
    memcachedMessage,
} from "../policy-pack/src/policies/cluster";
import { kmsKeyEnableRotation } from "../policy-pack/src/policies/kmsKey";
import * as rg from "../policy-pack/src/policies/replicationGroup";
import { securityGroupDisallowInternetIngress } from "../policy-pack/src/policies/securityGroup";
import { userEnforcePasswordRequired } from "../policy-pack/src/policies/user";
import { ResourceRuleSpec } from "../policy-pack/src/registry";
import { types } from "../policy-pack/src/types";
import { baseArgs } from "./helpers";
import {
    assertViolations,
    compliantGroup,
    rgViolations,
    stackViolations,
    StackResourceSpec,
    U,
    violations,
} from "./policyHelpers";

const group: Record<string, unknown> = { ...compliantGroup, snapshotRetentionLimit: 35 };

describe("Issue 18: engine names in any letter case", () => {
    it("core reads the engine as the provider does, in any case", () => {
        assert.strictEqual(engineName("Redis"), "redis");
        assert.strictEqual(engineName("VALKEY"), "valkey");
        assert.strictEqual(engineName("memcached"), undefined);
        assert.strictEqual(engineKey("Memcached"), "memcached");
        assert.strictEqual(supports("Valkey", "7.2", "iamAuth"), true);
        assert.strictEqual(supports("REDIS", "5.0.6", "rbac"), false);
    });

    for (const engine of ["Redis", "REDIS"]) {
        it(`a ${engine} 3.2.6 is below the HIPAA floor`, () => {
            assertViolations(rgViolations(rg.configureEngineVersion, { ...group, engine, engineVersion: "3.2.6" }), [
                "engineVersion 3.2.6 is below 4.0.10, the oldest allowed redis version: upgrade to 7.1.",
            ]);
        });
    }

    it("a Valkey 7.0 does not exist", () => {
        assertViolations(
            rgViolations(rg.configureEngineVersion, { ...group, engine: "Valkey", engineVersion: "7.0" }),
            ["engineVersion 7.0 is below 7.2, the oldest allowed valkey version: upgrade to 8.0."],
        );
    });

    for (const engine of ["Valkey", "VALKEY"]) {
        it(`a ${engine} group without atRestEncryptionEnabled is encrypted by the provider's default`, () => {
            const props: Record<string, unknown> = { ...group, engine, engineVersion: "8.0" };
            delete props.atRestEncryptionEnabled;
            assertViolations(rgViolations(rg.enableEncryptionAtRest, props), []);
        });
    }

    it("a Redis 5.0.6 group cannot use a user group", () => {
        const props: Record<string, unknown> = {
            ...group,
            engine: "Redis",
            engineVersion: "5.0.6",
            userGroupIds: ["users"],
        };
        delete props.authToken;
        assertViolations(rgViolations(rg.enableAuthentication, props), [
            "userGroupIds needs Redis 6.0 or later but engineVersion is 5.0.6: upgrade the engine or use an authToken.",
        ]);
    });

    it("a Redis 5.0.6 group is out of standard support", () => {
        const found = rgViolations(rg.disallowEngineOutOfStandardSupport, {
            ...group,
            engine: "Redis",
            engineVersion: "5.0.6",
        });
        assert.strictEqual(found.length, 1, found.join("\n"));
        assert.match(found[0], /^Redis 5\.0\.6 left standard support on 2026-01-31/);
    });

    it("a Memcached cluster is memcached", () => {
        const props = { engine: "Memcached", nodeType: "cache.r7g.large" };
        assertViolations(violations(clusterDisallowMemcached, types.cluster, props), [memcachedMessage]);
        assertViolations(violations(clusterDisallowStandaloneRedis, types.cluster, props), []);
    });

    it("the component takes a capitalised engine as the provider does, and deploys it in lower case", () => {
        const { settings } = resolveSettings("cache", { ...baseArgs, engine: "Valkey" as any, engineVersion: "8.0" });
        assert.strictEqual(settings.engine, "valkey");
        assert.strictEqual(settings.parameterGroupFamily, "valkey8");
    });
});

describe("Issue 18: the write-only token is judged like authToken", () => {
    const withWo = (authTokenWo: string): Record<string, unknown> => {
        const props: Record<string, unknown> = { ...group, authTokenWo, authTokenWoVersion: 1 };
        delete props.authToken;
        return props;
    };

    it("a short write-only token with a forbidden character is refused", () => {
        assertViolations(rgViolations(rg.enforceAuthTokenComplexity, withWo("short@token")), [
            "the write-only AUTH token (authTokenWo) must be 16 to 128 characters long (it has 11) and may contain only letters, digits and the characters ! & # $ ^ < > - (found '@'): generate a new one.",
        ]);
    });

    it("a write-only token of one character type is weak", () => {
        assertViolations(rgViolations(rg.configureStrongAuthToken, withWo("abcdefghijklmnopqrstu")), [
            "the write-only AUTH token (authTokenWo) uses 1 of the 4 character types (upper, lower, digits, ! & # $ ^ < > -): generate one that mixes at least three.",
        ]);
    });

    it("a strong write-only token passes both", () => {
        const props = withWo("Generated-Token-0123456789-abc!");
        assertViolations(rgViolations(rg.enforceAuthTokenComplexity, props), []);
        assertViolations(rgViolations(rg.configureStrongAuthToken, props), []);
    });
});

describe("Issue 18: a key behind an alias is checked for rotation", () => {
    const key = (enableKeyRotation: boolean): StackResourceSpec => ({
        name: "key",
        type: types.kmsKey,
        props: { enableKeyRotation },
    });
    const alias: StackResourceSpec = {
        name: "alias",
        type: types.kmsAlias,
        props: { name: "alias/phi-cache", targetKeyId: U },
        deps: { targetKeyId: ["key"] },
    };
    const notRotating =
        "KMS key 'key' encrypts cache 'cache' through alias 'alias' but does not rotate: set enableKeyRotation to true.";

    it("a cache that names the alias by reference", () => {
        const found = stackViolations(kmsKeyEnableRotation, [
            key(false),
            alias,
            {
                name: "cache",
                type: types.replicationGroup,
                props: { ...group, kmsKeyId: U },
                deps: { kmsKeyId: ["alias"] },
            },
        ]);
        assert.deepStrictEqual(found, [{ name: "key", message: notRotating }]);
    });

    for (const kmsKeyId of ["alias/phi-cache", "arn:aws:kms:us-east-1:123456789012:alias/phi-cache"]) {
        it(`a cache that names the alias as ${kmsKeyId}`, () => {
            const found = stackViolations(kmsKeyEnableRotation, [
                key(false),
                alias,
                { name: "cache", type: types.serverlessCache, props: { kmsKeyId } },
            ]);
            assert.deepStrictEqual(found, [{ name: "key", message: notRotating }]);
        });
    }

    it("a rotating key behind the alias, and an alias no cache names, pass", () => {
        const cache: StackResourceSpec = {
            name: "cache",
            type: types.replicationGroup,
            props: { ...group, kmsKeyId: "alias/phi-cache" },
        };
        assert.deepStrictEqual(stackViolations(kmsKeyEnableRotation, [key(true), alias, cache]), []);
        assert.deepStrictEqual(
            stackViolations(kmsKeyEnableRotation, [key(false), alias, { ...cache, props: { ...group } }]),
            [],
        );
    });
});

describe("Issue 18: a disabled user needs no password", () => {
    const disabledDefault = { userId: "phi-default", userName: "default", engine: "redis", accessString: "off -@all" };
    const cases: [string, Record<string, unknown>][] = [
        ["noPasswordRequired", { ...disabledDefault, noPasswordRequired: true }],
        [
            "authenticationMode no-password-required",
            { ...disabledDefault, authenticationMode: { type: "no-password-required" } },
        ],
        ["nopass", { ...disabledDefault, accessString: "OFF nopass -@all" }],
    ];
    for (const [label, props] of cases) {
        it(`a disabled default user with ${label} passes`, () => {
            assertViolations(violations(userEnforcePasswordRequired, types.user, props), []);
        });
    }

    it("an enabled one, or one whose access string is unknown, is still refused", () => {
        const props = { ...disabledDefault, noPasswordRequired: true };
        const message =
            "noPasswordRequired is true: remove it and give the user a generated password or IAM authentication.";
        assertViolations(
            violations(userEnforcePasswordRequired, types.user, { ...props, accessString: "off on ~app:* +@read" }),
            [message],
        );
        assertViolations(violations(userEnforcePasswordRequired, types.user, { ...props, accessString: U }), [message]);
    });
});

describe("Issue 18: the VPC's default security group is judged like any other", () => {
    const cache = (...groups: string[]): StackResourceSpec => ({
        name: "cache",
        type: types.replicationGroup,
        props: { ...group, securityGroupIds: groups.map(() => U) },
        deps: { securityGroupIds: groups },
    });
    const openInline = [{ protocol: "tcp", fromPort: 6380, toPort: 6380, cidrBlocks: ["0.0.0.0/0"] }];
    const vpc: StackResourceSpec = { name: "vpc", type: types.vpc, props: { cidrBlock: "10.0.0.0/16" } };

    it("an aws.ec2.DefaultSecurityGroup opened inline", () => {
        const found = stackViolations(securityGroupDisallowInternetIngress, [
            cache("default-sg"),
            { name: "default-sg", type: types.defaultSecurityGroup, props: { vpcId: "vpc-1", ingress: openInline } },
        ]);
        assert.deepStrictEqual(found, [
            {
                name: "default-sg",
                message:
                    "default security group 'default-sg' guards cache 'cache' and admits 0.0.0.0/0 on port 6380 (inline ingress): remove it and admit only the clients' security groups.",
            },
        ]);
    });

    it("the VPC's defaultSecurityGroupId opened by a rule", () => {
        const found = stackViolations(securityGroupDisallowInternetIngress, [
            vpc,
            cache("vpc"),
            {
                name: "open",
                type: types.ingressRule,
                props: { ipProtocol: "-1", cidrIpv4: "0.0.0.0/0", securityGroupId: U },
                deps: { securityGroupId: ["vpc"] },
            },
        ]);
        assert.deepStrictEqual(found, [
            {
                name: "open",
                message:
                    "rule 'open' opens the default security group of VPC 'vpc' of cache 'cache' to 0.0.0.0/0 on all ports: remove it and admit only the clients' security groups.",
            },
        ]);
    });

    it("the VPC's defaultSecurityGroupId, opened inline on the DefaultSecurityGroup that adopts it", () => {
        const found = stackViolations(securityGroupDisallowInternetIngress, [
            vpc,
            cache("vpc"),
            {
                name: "default-sg",
                type: types.defaultSecurityGroup,
                props: { vpcId: U, ingress: openInline },
                deps: { vpcId: ["vpc"] },
            },
        ]);
        assert.deepStrictEqual(
            found.map((f) => f.name),
            ["default-sg"],
        );
    });

    it("a closed default group passes", () => {
        const found = stackViolations(securityGroupDisallowInternetIngress, [
            cache("default-sg"),
            { name: "default-sg", type: types.defaultSecurityGroup, props: { vpcId: "vpc-1", ingress: [] } },
        ]);
        assert.deepStrictEqual(found, []);
    });
});

describe("Issue 18: one finding per cause, said exactly", () => {
    const findings = (rules: ResourceRuleSpec[], props: Record<string, unknown>) =>
        rules.flatMap((rule) => rgViolations(rule, props).map((m) => `${rule.name}: ${m}`));
    const availability = [rg.enableAutomaticFailover, rg.enableMultiAz, rg.configureReplicas];

    it("a single-node group draws one finding: no replica", () => {
        for (const props of [
            { ...group, numCacheClusters: 1, automaticFailoverEnabled: false, multiAzEnabled: false },
            { ...group, numCacheClusters: undefined, automaticFailoverEnabled: undefined, multiAzEnabled: undefined },
        ]) {
            assertViolations(findings(availability, props), [
                "aws-elasticache-replicationgroup-configure-replicas: the group has 1 node and no replica, so it can neither fail over nor be Multi-AZ: set numCacheClusters to 2 or more, with automaticFailoverEnabled and multiAzEnabled true.",
            ]);
        }
    });

    it("a cluster-mode group without replicas draws one finding", () => {
        const props = {
            ...group,
            numCacheClusters: undefined,
            numNodeGroups: 2,
            replicasPerNodeGroup: 0,
            automaticFailoverEnabled: false,
            multiAzEnabled: false,
        };
        assert.deepStrictEqual(
            findings(availability, props).map((f) => f.split(":")[0]),
            ["aws-elasticache-replicationgroup-configure-replicas"],
        );
    });

    it("a group with replicas and failover off still draws the failover finding", () => {
        assertViolations(findings(availability, { ...group, automaticFailoverEnabled: false }), [
            "aws-elasticache-replicationgroup-enable-automatic-failover: automaticFailoverEnabled is false: set automaticFailoverEnabled to true and keep at least one replica.",
        ]);
    });

    it("with at-rest encryption off, no key finding claims a key encrypts the data", () => {
        const props = { ...group, atRestEncryptionEnabled: false, kmsKeyId: undefined };
        assertViolations(findings([rg.enableEncryptionAtRest, rg.configureCustomerManagedKey], props), [
            "aws-elasticache-replicationgroup-enable-encryption-at-rest: atRestEncryptionEnabled is false: set atRestEncryptionEnabled to true (only possible at creation: create an encrypted group and restore a snapshot into it).",
        ]);
    });

    it("with at-rest encryption on and no key, the key is said to be AWS owned", () => {
        const props = {
            ...group,
            engine: "valkey",
            engineVersion: "8.0",
            atRestEncryptionEnabled: undefined,
            kmsKeyId: undefined,
        };
        assertViolations(findings([rg.enableEncryptionAtRest, rg.configureCustomerManagedKey], props), [
            "aws-elasticache-replicationgroup-configure-customer-managed-key: kmsKeyId is not set, so ElastiCache's default key, which AWS owns, encrypts the data: set kmsKeyId to a customer-managed key with rotation.",
        ]);
    });
});

describe("Issue 18: naming the VPC's default security group is refused like an empty list", () => {
    const rule = rg.disallowDefaultSecurityGroup;
    const cacheNaming = (name: string, type: string = types.replicationGroup): StackResourceSpec => ({
        name: "cache",
        type,
        props: { ...group, securityGroupIds: [U] },
        deps: { securityGroupIds: [name] },
    });

    it("is the empty-list policy's twin", () => {
        assert.strictEqual(rule.enforcementLevel, rg.configureSecurityGroups.enforcementLevel);
        assert.deepStrictEqual(rule.controls, rg.configureSecurityGroups.controls);
    });

    it("an aws.ec2.DefaultSecurityGroup, even with no rule", () => {
        const found = stackViolations(rule, [
            { name: "default-sg", type: types.defaultSecurityGroup, props: { vpcId: "vpc-1", ingress: [] } },
            cacheNaming("default-sg"),
        ]);
        assert.deepStrictEqual(found, [
            {
                name: "cache",
                message:
                    "securityGroupIds of cache 'cache' names default security group 'default-sg', the VPC's default group, which an empty list would use too: attach a security group of the cache's own that admits only its clients.",
            },
        ]);
    });

    it("a Vpc's defaultSecurityGroupId, on a serverless cache", () => {
        const found = stackViolations(rule, [
            { name: "vpc", type: types.vpc, props: {} },
            cacheNaming("vpc", types.serverlessCache),
        ]);
        assert.deepStrictEqual(found, [
            {
                name: "cache",
                message:
                    "securityGroupIds of cache 'cache' names the default security group of VPC 'vpc' (its defaultSecurityGroupId), which an empty list would use too: attach a security group of the cache's own that admits only its clients.",
            },
        ]);
    });

    it("a security group of the cache's own passes", () => {
        const found = stackViolations(rule, [
            { name: "vpc", type: types.vpc, props: {} },
            { name: "sg", type: types.securityGroup, props: { vpcId: U }, deps: { vpcId: ["vpc"] } },
            cacheNaming("sg"),
        ]);
        assert.deepStrictEqual(found, []);
    });
});
