import * as assert from "assert";
import * as path from "path";
import { HitrustRedisArgs, resolveSettings, ValidationError } from "../component";
import { runUnderMocks } from "../tools/mockrun";
import {
    baseArgs,
    isSecretWrapped,
    isUnknown,
    ofType,
    one,
    plainStrings,
    runComponent,
    subnetZones,
    types,
} from "./helpers";

/** Warnings other than the one every stack that creates its own trail gets (test/archive.test.ts, issue 15). */
const otherThanTrail = (warnings: string[]) => warnings.filter((w) => !w.startsWith("auditTrail:"));

const mockToken = "Mock-Token-0123456789-abcdefghij-ABCDEFGHIJ-!&#$^<>-0123456789xy";

describe("HitrustRedis: defaults (update mode)", () => {
    let result: Awaited<ReturnType<typeof runComponent>>;
    before(async () => {
        result = await runComponent();
        assert.deepStrictEqual(
            result.errors.map((e) => e.message),
            [],
        );
    });

    it("creates a replication group with every compliance setting", () => {
        const rg = one(result, types.replicationGroup).inputs as any;
        assert.strictEqual(rg.engine, "redis");
        assert.strictEqual(rg.engineVersion, "7.1");
        assert.strictEqual(rg.nodeType, "cache.r7g.large");
        assert.strictEqual(rg.port, 6380);
        assert.strictEqual(rg.atRestEncryptionEnabled, true);
        assert.strictEqual(rg.transitEncryptionEnabled, true);
        assert.strictEqual(rg.transitEncryptionMode, "required");
        assert.strictEqual(rg.automaticFailoverEnabled, true);
        assert.strictEqual(rg.multiAzEnabled, true);
        assert.strictEqual(rg.autoMinorVersionUpgrade, true);
        assert.strictEqual(rg.numCacheClusters, 3);
        assert.strictEqual(rg.snapshotRetentionLimit, 35);
        assert.strictEqual(rg.snapshotWindow, "03:00-05:00");
        assert.strictEqual(rg.maintenanceWindow, "sun:05:30-sun:07:00");
        assert.strictEqual(rg.authTokenUpdateStrategy, "ROTATE");
        assert.strictEqual(rg.replicationGroupId, "cache");
        assert.strictEqual(rg.finalSnapshotIdentifier, "cache-final-k3j9x2m1");
        const suffix = one(result, "random:index/randomString:RandomString").inputs as any;
        assert.deepStrictEqual(Object.keys(suffix.keepers).sort(), ["engine", "kmsKey", "port", "replicationGroupId"]);
        assert.strictEqual(rg.userGroupIds, undefined);
    });

    it("wires the group to its own key, subnet group, parameter group, security group and topic", () => {
        const rg = one(result, types.replicationGroup).inputs as any;
        const key = one(result, types.key);
        assert.strictEqual(rg.kmsKeyId, (key.state as any).arn);
        assert.strictEqual(rg.subnetGroupName, (one(result, types.subnetGroup).inputs as any).name);
        assert.strictEqual(rg.parameterGroupName, (one(result, types.parameterGroup).inputs as any).name);
        assert.deepStrictEqual(rg.securityGroupIds, ["sg-cache-sg-id"]);
        assert.strictEqual(rg.notificationTopicArn, (one(result, types.topic).state as any).arn);
    });

    it("spreads the nodes so that a replica sits in another zone than the primary", () => {
        const rg = one(result, types.replicationGroup).inputs as any;
        assert.deepStrictEqual(rg.preferredCacheClusterAzs, ["us-east-1a", "us-east-1b", "us-east-1c"]);
    });

    it("creates a customer-managed key with rotation, a 30-day deletion window, kept on destroy", () => {
        const key = one(result, types.key);
        const inputs = key.inputs as any;
        assert.strictEqual(inputs.enableKeyRotation, true);
        assert.strictEqual(inputs.deletionWindowInDays, 30);
        assert.strictEqual(key.retainOnDelete, true);
        const policy = JSON.parse(inputs.policy);
        const logs = policy.Statement.find((s: any) => s.Sid === "CloudWatchLogsEncryptsCacheLogs");
        assert.strictEqual(logs.Principal.Service, "logs.us-east-1.amazonaws.com");
    });

    it("uses a custom parameter group whose family follows the engine version", () => {
        const pg = one(result, types.parameterGroup).inputs as any;
        assert.strictEqual(pg.family, "redis7");
        assert.deepStrictEqual(pg.parameters ?? [], []);
    });

    it("admits only the listed sources on the cache port, with no inline rules and no egress", () => {
        const sg = one(result, types.securityGroup).inputs as any;
        assert.strictEqual(sg.vpcId, "vpc-123");
        assert.strictEqual(sg.ingress, undefined);
        assert.strictEqual(sg.egress, undefined);
        const rules = ofType(result, types.ingressRule).map((r) => r.inputs as any);
        assert.deepStrictEqual(
            rules.map((r) => [r.referencedSecurityGroupId, r.ipProtocol, r.fromPort, r.toPort, r.securityGroupId]),
            [["sg-app", "tcp", 6380, 6380, "sg-cache-sg-id"]],
        );
        assert.strictEqual(ofType(result, "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule").length, 0);
    });

    it("puts the cache in its own subnet group over the given subnets", () => {
        const sng = one(result, types.subnetGroup).inputs as any;
        assert.deepStrictEqual(sng.subnetIds, ["subnet-a", "subnet-b", "subnet-c"]);
        assert.strictEqual(sng.name, "cache-subnets");
    });

    it("generates a valid AUTH token, keeps it secret and stores it in Secrets Manager under the key", () => {
        const password = one(result, types.password).inputs as any;
        assert.strictEqual(password.length, 64);
        assert.strictEqual(password.overrideSpecial, "!&#$^<>-");
        const rg = one(result, types.replicationGroup).inputs as any;
        assert.ok(isSecretWrapped(rg.authToken), "authToken must be a secret");
        const secret = one(result, types.secret).inputs as any;
        assert.strictEqual(secret.kmsKeyId, (one(result, types.key).state as any).arn);
        assert.strictEqual(secret.recoveryWindowInDays, 30);
        assert.strictEqual(secret.namePrefix, "cache-elasticache-auth-");
        assert.strictEqual(secret.name, undefined);
        const version = one(result, types.secretVersion).inputs as any;
        assert.ok(isSecretWrapped(version.secretString), "secretString must be a secret");
        const stored = JSON.parse((version.secretString as any).value);
        assert.strictEqual(stored.authToken, mockToken);
        assert.strictEqual(stored.port, 6380);
        assert.strictEqual(stored.tls, true);
        assert.strictEqual(stored.host, "master.cache.abc123.use1.cache.amazonaws.com");
    });

    it("never exposes the token in plain text in inputs, state or outputs", () => {
        for (const r of result.resources) {
            for (const s of [...plainStrings(r.inputs), ...plainStrings(r.state)]) {
                assert.ok(!s.includes(mockToken), `${r.type} ${r.name} carries the token in plain text`);
            }
        }
        assert.ok(!JSON.stringify(result.component!.evidence).includes(mockToken));
    });

    it("sends events to an unencrypted topic whose policy uses aws:SourceOwner", () => {
        const topic = one(result, types.topic).inputs as any;
        assert.strictEqual(topic.kmsMasterKeyId, undefined);
        const policy = JSON.parse((one(result, types.topicPolicy).inputs as any).policy);
        const publish = policy.Statement.find((s: any) => s.Sid === "ElastiCachePublishesEvents");
        // The ElastiCache guide's statement: any principal, bound to this account by aws:SourceOwner.
        assert.deepStrictEqual(publish.Principal, { AWS: "*" });
        assert.deepStrictEqual(publish.Condition, { StringEquals: { "aws:SourceOwner": "123456789012" } });
        // aws:SourceAccount would break ElastiCache's association; CloudWatch alarms do send it.
        assert.ok(!JSON.stringify(publish).includes("aws:SourceAccount"));
        const alarms = policy.Statement.find((s: any) => s.Sid === "CloudWatchAlarmsPublish");
        assert.deepStrictEqual(alarms.Principal, { Service: "cloudwatch.amazonaws.com" });
        assert.deepStrictEqual(alarms.Condition, {
            ArnLike: { "aws:SourceArn": "arn:aws:cloudwatch:us-east-1:123456789012:alarm:*" },
            StringEquals: { "aws:SourceAccount": "123456789012" },
        });
    });

    it("exposes evidence for every control the component can prove", () => {
        const controls = new Set(result.component!.evidence.map((e) => e.control));
        for (const id of [
            "0706.10b1",
            "1410.09e2",
            "1601.12c1",
            "1618.09l1",
            "1620.09l1",
            "0805.01m1",
            "0808.10b2",
            "0903.10f1",
            "1903.06d1",
            "19141.06c1",
            "1616.09l1",
            "1270.09ad1",
        ]) {
            assert.ok(controls.has(id as any), `no evidence for ${id}`);
        }
    });

    it("names in its evidence only resources the component registered (no name can drift)", async () => {
        for (const args of [
            {},
            { rbac: { users: [{ userName: "app", accessString: "on ~app:* +@read -@dangerous" }] } },
        ]) {
            const run = await runComponent(args);
            const registered = new Set(run.resources.map((r) => r.name));
            const named = run.component!.evidence.map((e) => e.resource).filter((r) => !r.includes("*"));
            assert.deepStrictEqual(
                named.filter((r) => !registered.has(r)),
                [],
            );
            // Values naming a child (the key, the topic, the user group) name registered ones too.
            for (const e of run.component!.evidence) {
                // (finalSnapshotIdentifier's "cache-final-<suffix>" is a snapshot name, not a child.)
                for (const child of (e.value.match(/\bcache-[a-z0-9-]+/g) ?? []).filter((m) => !m.endsWith("-"))) {
                    assert.ok(registered.has(child), `${e.control} ${e.setting}: ${child} is not registered`);
                }
            }
        }
    });
});

describe("HitrustRedis: preview mode (unknown outputs)", () => {
    it("registers the same resources with unknown computed values and raises nothing", async () => {
        const result = await runComponent({}, { preview: true });
        assert.deepStrictEqual(result.errors, []);
        const rg = one(result, types.replicationGroup).inputs as any;
        assert.ok(isUnknown(rg.kmsKeyId));
        assert.ok(isUnknown(rg.authToken));
        assert.deepStrictEqual(rg.securityGroupIds.map(isUnknown), [true]);
        assert.strictEqual(rg.atRestEncryptionEnabled, true);
        assert.strictEqual(rg.transitEncryptionMode, "required");
        const update = await runComponent({}, { preview: false });
        assert.deepStrictEqual(result.resources.map((r) => r.urn).sort(), update.resources.map((r) => r.urn).sort());
    });
});

describe("HitrustRedis: options", () => {
    it("valkey uses the valkey family and engine", async () => {
        const result = await runComponent({ engine: "valkey" });
        const rg = one(result, types.replicationGroup).inputs as any;
        assert.strictEqual(rg.engine, "valkey");
        assert.strictEqual(rg.engineVersion, "8.0");
        assert.strictEqual(rg.transitEncryptionMode, "required");
        assert.strictEqual((one(result, types.parameterGroup).inputs as any).family, "valkey8");
    });

    it("Redis 6.2 gets the redis6.x family and no transit mode, which it does not support", async () => {
        const result = await runComponent({ engineVersion: "6.2" });
        const rg = one(result, types.replicationGroup).inputs as any;
        assert.strictEqual(rg.transitEncryptionEnabled, true);
        assert.strictEqual(rg.transitEncryptionMode, undefined);
        assert.strictEqual((one(result, types.parameterGroup).inputs as any).family, "redis6.x");
        assert.deepStrictEqual(otherThanTrail(result.warnings), []);
    });

    it("Redis 5.0.6 is accepted with a warning that it is past standard support", async () => {
        const result = await runComponent({ engineVersion: "5.0.6" });
        assert.deepStrictEqual(result.errors, []);
        assert.strictEqual((one(result, types.parameterGroup).inputs as any).family, "redis5.0");
        assert.deepStrictEqual(otherThanTrail(result.warnings), [
            "engineVersion 5.0.6 is past standard support and cannot deliver slow or engine logs; upgrade to 7.1.",
        ]);
    });

    it("cluster mode sets shards, replicas per shard and cluster-enabled, and leaves placement to ElastiCache", async () => {
        const result = await runComponent({ clusterMode: { shards: 3, replicasPerShard: 2 } });
        const rg = one(result, types.replicationGroup).inputs as any;
        assert.strictEqual(rg.clusterMode, "enabled");
        assert.strictEqual(rg.numNodeGroups, 3);
        assert.strictEqual(rg.replicasPerNodeGroup, 2);
        assert.strictEqual(rg.numCacheClusters, undefined);
        assert.strictEqual(rg.preferredCacheClusterAzs, undefined);
        assert.deepStrictEqual((one(result, types.parameterGroup).inputs as any).parameters, [
            { name: "cluster-enabled", value: "yes" },
        ]);
        assert.strictEqual(result.component!.settings.clusterMode?.shards, 3);
    });

    it("merges caller parameters into the custom parameter group", async () => {
        const result = await runComponent({ parameters: { "maxmemory-policy": "volatile-lru", timeout: "300" } });
        assert.deepStrictEqual((one(result, types.parameterGroup).inputs as any).parameters, [
            { name: "maxmemory-policy", value: "volatile-lru" },
            { name: "timeout", value: "300" },
        ]);
    });

    it("uses a caller's key and creates none", async () => {
        const arn = "arn:aws:kms:us-east-1:123456789012:key/caller";
        const result = await runComponent({ kmsKeyArn: arn });
        assert.strictEqual(ofType(result, types.key).length, 0);
        assert.strictEqual((one(result, types.replicationGroup).inputs as any).kmsKeyId, arn);
        assert.strictEqual((one(result, types.secret).inputs as any).kmsKeyId, arn);
    });

    it("uses a caller's valid token as a secret and generates none", async () => {
        const token = "Caller-Token-123456789!";
        const result = await runComponent({ authToken: token });
        assert.strictEqual(ofType(result, types.password).length, 0);
        const rg = one(result, types.replicationGroup).inputs as any;
        assert.ok(isSecretWrapped(rg.authToken));
        assert.strictEqual(rg.authToken.value, token);
    });

    it("RBAC creates password users, a disabled default user and a user group instead of a token", async () => {
        const result = await runComponent({
            rbac: { users: [{ userName: "app", accessString: "on ~app:* +@read +@write -@dangerous" }] },
        });
        assert.deepStrictEqual(result.errors, []);
        const users = ofType(result, types.user).map((u) => u.inputs as any);
        assert.deepStrictEqual(
            users.map((u) => [u.userId, u.userName, u.accessString, u.authenticationMode.type]),
            [
                ["cache-default", "default", "off -@all", "password"],
                ["cache-app", "app", "on ~app:* +@read +@write -@dangerous", "password"],
            ],
        );
        for (const u of users) {
            assert.ok(u.authenticationMode.passwords.every(isSecretWrapped), "passwords must be secrets");
            assert.strictEqual(u.noPasswordRequired, undefined);
        }
        const group = one(result, types.userGroup).inputs as any;
        assert.deepStrictEqual(group.userIds, ["cache-default", "cache-app"]);
        const rg = one(result, types.replicationGroup).inputs as any;
        assert.strictEqual(rg.authToken, undefined);
        assert.deepStrictEqual(rg.userGroupIds, ["cache-users"]);
        const stored = JSON.parse((one(result, types.secretVersion).inputs as any).secretString.value);
        assert.deepStrictEqual(Object.keys(stored).sort(), ["app", "host", "port", "readerHost", "tls"]);
    });

    it("RBAC IAM users need no password and use the user name as ID", async () => {
        const result = await runComponent({
            rbac: { users: [{ userName: "svc", accessString: "on ~* +@read -@dangerous", authentication: "iam" }] },
        });
        const iam = ofType(result, types.user).find((u) => (u.inputs as any).userName === "svc")!.inputs as any;
        assert.deepStrictEqual(iam.authenticationMode, { type: "iam" });
        assert.strictEqual(iam.userId, "svc");
    });

    it("a new rotation value changes the generator's keepers, and SET is accepted", async () => {
        const result = await runComponent({ authTokenRotation: "2026-11", authTokenUpdateStrategy: "SET" });
        assert.deepStrictEqual((one(result, types.password).inputs as any).keepers, { rotation: "2026-11" });
        assert.strictEqual((one(result, types.replicationGroup).inputs as any).authTokenUpdateStrategy, "SET");
    });

    it("warns on port 6379 and on a cache nobody can reach", async () => {
        const result = await runComponent({ port: 6379, allowedSecurityGroupIds: [] });
        assert.deepStrictEqual(otherThanTrail(result.warnings), [
            "No allowedSecurityGroupIds or allowedCidrBlocks: nothing can reach the cache until a rule is added to its security group.",
            "port: 6379 is the well-known Redis port the guide advises against; choose another port such as 6380.",
        ]);
    });

    it("offers no switch for compliance settings: each one is refused as always on, and nothing is created", async () => {
        const result = await runComponent({
            atRestEncryptionEnabled: false,
            transitEncryptionEnabled: false,
            multiAzEnabled: false,
            automaticFailoverEnabled: false,
            autoMinorVersionUpgrade: false,
        } as any);
        assert.strictEqual(result.resources.length, 0);
        assert.ok(result.errors[0] instanceof ValidationError);
        assert.deepStrictEqual((result.errors[0] as ValidationError).problems, [
            "atRestEncryptionEnabled: cannot be set: encryption at rest (with a customer-managed KMS key) is always on; remove it.",
            "transitEncryptionEnabled: cannot be set: encryption in transit (TLS) is always on; remove it.",
            "multiAzEnabled: cannot be set: Multi-AZ is always on; remove it.",
            "automaticFailoverEnabled: cannot be set: automatic failover is always on; remove it.",
            "autoMinorVersionUpgrade: cannot be set: automatic minor version upgrades (security patches) are always on; remove it.",
        ]);
    });

    it("warns on a caller token that mixes fewer than three character types", async () => {
        const result = await runComponent({ authToken: "abcdefghij0123456789" });
        assert.deepStrictEqual(result.errors, []);
        assert.deepStrictEqual(otherThanTrail(result.warnings), [
            "authToken: mixes fewer than three of upper, lower, digits and ! & # $ ^ < > -; AWS recommends three. Omit authToken to have a strong one generated.",
        ]);
    });

    it("keeps compliance tags over caller tags", async () => {
        const result = await runComponent({ tags: { team: "care", "compliance:framework": "none" } });
        const tags = (one(result, types.replicationGroup).inputs as any).tags;
        assert.strictEqual(tags.team, "care");
        assert.strictEqual(tags["compliance:framework"], "HITRUST CSF");
    });
});

/** Runs bad arguments under mocks and returns the one error; asserts nothing was registered. */
async function rejected(args: Partial<HitrustRedisArgs>, zones?: Record<string, string>): Promise<string> {
    const result = await runComponent(args, { zones });
    assert.strictEqual(result.resources.length, 0, "a refused argument must register nothing");
    assert.strictEqual(result.errors.length, 1, `expected one error, got ${result.errors.map((e) => e.message)}`);
    assert.ok(result.errors[0] instanceof ValidationError);
    return result.errors[0].message;
}

function problem(message: string): string {
    return `HitrustRedis 'cache' has invalid arguments:\n  - ${message}`;
}

describe("HitrustRedis: bad input", () => {
    const cases: [string, Partial<HitrustRedisArgs>, string][] = [
        [
            "one subnet",
            { subnetIds: ["subnet-a"] },
            "subnetIds: 1 subnet given; pass private subnets in at least two availability zones.",
        ],
        [
            "the same subnet twice",
            { subnetIds: ["subnet-a", "subnet-a"] },
            "subnetIds[1]: 'subnet-a' repeats subnetIds[0]; list each subnet once.",
        ],
        ["no VPC", { vpcId: "" }, "vpcId: empty; pass the ID of the VPC that holds the cache's subnets."],
        [
            "retention 0",
            { snapshotRetentionDays: 0 },
            "snapshotRetentionDays: 0 turns automatic backups off; use 1 to 35 (35 recommended).",
        ],
        [
            "retention 40",
            { snapshotRetentionDays: 40 },
            "snapshotRetentionDays: 40 is out of range; use a whole number from 1 to 35.",
        ],
        [
            "retention 2.5",
            { snapshotRetentionDays: 2.5 },
            "snapshotRetentionDays: 2.5 is not a whole number; use a whole number from 1 to 35.",
        ],
        [
            "snapshot window format",
            { snapshotWindow: "3am-5am" },
            "snapshotWindow: '3am-5am' is not hh24:mi-hh24:mi (UTC); use for example '03:00-05:00'.",
        ],
        [
            "snapshot window too short",
            { snapshotWindow: "03:00-03:30" },
            "snapshotWindow: '03:00-03:30' is shorter than 60 minutes; widen it to at least an hour.",
        ],
        [
            "maintenance window format",
            { maintenanceWindow: "sunday 05:00" },
            "maintenanceWindow: 'sunday 05:00' is not ddd:hh24:mi-ddd:hh24:mi (UTC); use for example 'sun:05:30-sun:07:00'.",
        ],
        [
            "maintenance window too short",
            { maintenanceWindow: "sun:05:00-sun:05:30" },
            "maintenanceWindow: 'sun:05:00-sun:05:30' lasts 30 minutes; make it last from 60 minutes to 24 hours.",
        ],
        [
            "windows overlap",
            { snapshotWindow: "04:00-06:00", maintenanceWindow: "wed:05:00-wed:07:00" },
            "snapshotWindow: '04:00-06:00' overlaps maintenanceWindow 'wed:05:00-wed:07:00'; move one so that they do not overlap.",
        ],
        [
            "windows overlap across midnight",
            { snapshotWindow: "23:30-01:00", maintenanceWindow: "sat:22:00-sun:00:30" },
            "snapshotWindow: '23:30-01:00' overlaps maintenanceWindow 'sat:22:00-sun:00:30'; move one so that they do not overlap.",
        ],
        [
            "engine below the floor",
            { engineVersion: "4.0.9" },
            "engineVersion: Redis '4.0.9' is below 4.0.10, the oldest HIPAA-eligible Redis OSS; use 7.1 or Valkey.",
        ],
        [
            "engine 3.2.6",
            { engineVersion: "3.2.6" },
            "engineVersion: Redis '3.2.6' is below 4.0.10, the oldest HIPAA-eligible Redis OSS; use 7.1 or Valkey.",
        ],
        [
            "engine not a version",
            { engineVersion: "latest" },
            "engineVersion: 'latest' is not a redis engine version; use the full version for Redis 4 and 5, such as '5.0.6', or '6.x', '6.0' or '6.2' for Redis 6, or major.minor for Redis 7 and later, such as '7.1'.",
        ],
        [
            "valkey below its first release",
            { engine: "valkey", engineVersion: "7.0" },
            "engineVersion: Valkey '7.0' does not exist on ElastiCache; Valkey starts at 7.2.",
        ],
        [
            "memcached",
            { engine: "memcached" as any },
            "engine: 'memcached' is not supported; use 'redis' or 'valkey' (memcached is not HIPAA-ready).",
        ],
        [
            "internet CIDR",
            { allowedCidrBlocks: ["0.0.0.0/0"] },
            "allowedCidrBlocks[0]: '0.0.0.0/0' admits the whole internet; list the private ranges or security groups of the clients instead.",
        ],
        [
            "internet IPv6 CIDR",
            { allowedCidrBlocks: ["::/0"] },
            "allowedCidrBlocks[0]: '::/0' admits the whole internet; list the private ranges or security groups of the clients instead.",
        ],
        [
            "not a CIDR",
            { allowedCidrBlocks: ["10.0.0.0"] },
            "allowedCidrBlocks[0]: '10.0.0.0' is not a CIDR block; use the form 10.0.0.0/16 (or fd00:1234::/64 for IPv6).",
        ],
        [
            "token of 12 characters",
            { authToken: "Short-Token1" },
            "authToken: must be 16 to 128 characters long (it has 12); supply a different token or omit authToken to have one generated.",
        ],
        [
            "token with @",
            { authToken: "Token-With-At@0123456" },
            "authToken: may contain only letters, digits and the characters ! & # $ ^ < > - (found '@'); supply a different token or omit authToken to have one generated.",
        ],
        [
            "cluster mode with zero replicas",
            { clusterMode: { shards: 2, replicasPerShard: 0 } },
            "clusterMode.replicasPerShard: 0 leaves every shard without a replica to fail over to; use 1 to 5.",
        ],
        [
            "cluster mode with too many shards",
            { clusterMode: { shards: 501, replicasPerShard: 1 } },
            "clusterMode.shards: 501 is out of range; use a whole number from 1 to 500.",
        ],
        ["zero replicas", { replicas: 0 }, "replicas: 0 leaves no replica for Multi-AZ failover; use 1 to 5."],
        ["six replicas", { replicas: 6 }, "replicas: 6 is out of range; use a whole number from 1 to 5."],
        ["port out of range", { port: 80 }, "port: 80 is out of range; use a whole number from 1024 to 65535."],
        [
            "previous-generation node",
            { nodeType: "cache.m3.medium" },
            "nodeType: 'cache.m3.medium' is a previous-generation node type; use a current generation such as cache.r7g.large or cache.m7g.large.",
        ],
        [
            // AWS no longer creates clusters on T2 ("Supported node types", previous generation).
            "T2 node",
            { nodeType: "cache.t2.medium" },
            "nodeType: 'cache.t2.medium' is a previous-generation node type; use a current generation such as cache.r7g.large or cache.m7g.large.",
        ],
        [
            // "Exporting a backup" (https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/backups-exporting.html):
            // "Exporting a backup to Amazon S3 is not supported for clusters using data tiering", and
            // r6gd nodes must set DataTiering ("Data tiering in ElastiCache", API ReplicationGroup.DataTiering).
            "data-tiering node",
            { nodeType: "cache.r6gd.xlarge" },
            "nodeType: 'cache.r6gd.xlarge' is a data-tiering node type: ElastiCache requires dataTieringEnabled on it and cannot export a data-tiering cluster's backups to S3 (\"Exporting a backup\"), which the six-year snapshot archive needs; use a node type without data tiering, such as cache.r7g.large or cache.r6g.large.",
        ],
        [
            "not a node type",
            { nodeType: "r7g.large" },
            "nodeType: 'r7g.large' is not an ElastiCache node type; use the form cache.<family>.<size>, such as cache.r7g.large.",
        ],
        [
            "DELETE token strategy",
            { authTokenUpdateStrategy: "DELETE" as any },
            "authTokenUpdateStrategy: 'DELETE' is not allowed; use 'ROTATE' (default) or 'SET'; DELETE would turn authentication off.",
        ],
        [
            "cluster-enabled parameter",
            { parameters: { "cluster-enabled": "no" } },
            "parameters: 'cluster-enabled' is managed by the component; use clusterMode instead.",
        ],
        [
            "bad replication group ID",
            { replicationGroupId: "1-Cache" },
            "replicationGroupId: '1-Cache' is not a replication group ID; use 1 to 40 lowercase letters, digits and single hyphens, starting with a letter and not ending with a hyphen.",
        ],
        [
            "token and RBAC",
            {
                authToken: "Valid-Token-0123456789",
                rbac: { users: [{ userName: "app", accessString: "on ~* +@read -@dangerous" }] },
            },
            "authToken: set together with rbac; set either authToken or rbac, not both.",
        ],
        [
            "RBAC without users",
            { rbac: { users: [] } },
            "rbac.users: no users; list at least one user, or drop rbac to use an AUTH token.",
        ],
        [
            "RBAC nopass",
            { rbac: { users: [{ userName: "app", accessString: "on nopass ~* +@all -@dangerous" }] } },
            "rbac.users[0].accessString: 'nopass' (in any case) lets the user in without a password; remove it.",
        ],
        [
            "RBAC default user",
            { rbac: { users: [{ userName: "default", accessString: "on ~* +@read -@dangerous" }] } },
            "rbac.users[0].userName: 'default' is the open default user, which the component disables; choose another name.",
        ],
        [
            "RBAC IAM user with capitals",
            {
                rbac: {
                    users: [{ userName: "Batch", accessString: "on ~* +@read -@dangerous", authentication: "iam" }],
                },
            },
            "rbac.users[0].userName: 'Batch' must be lowercase for IAM authentication, whose user ID must equal the user name; use 'batch'.",
        ],
        [
            "RBAC on Redis 5",
            {
                engineVersion: "5.0.6",
                rbac: { users: [{ userName: "app", accessString: "on ~* +@read -@dangerous" }] },
            },
            "rbac: RBAC needs Redis 6.0 or later; raise engineVersion or use an AUTH token.",
        ],
    ];
    for (const [label, args, message] of cases) {
        it(`refuses ${label} before creating anything`, async () => {
            assert.strictEqual(await rejected(args), problem(message));
        });
    }

    it("lists every problem in one error", () => {
        assert.throws(
            () =>
                resolveSettings("cache", {
                    ...baseArgs,
                    subnetIds: ["subnet-a"],
                    snapshotRetentionDays: 40,
                    allowedCidrBlocks: ["0.0.0.0/0"],
                }),
            (e: ValidationError) => {
                assert.deepStrictEqual(e.problems, [
                    "subnetIds: 1 subnet given; pass private subnets in at least two availability zones.",
                    "allowedCidrBlocks[0]: '0.0.0.0/0' admits the whole internet; list the private ranges or security groups of the clients instead.",
                    "snapshotRetentionDays: 40 is out of range; use a whole number from 1 to 35.",
                ]);
                return true;
            },
        );
    });

    it("refuses subnets that all sit in one zone once the zones are known", async () => {
        const result = await runComponent(
            {},
            { zones: { "subnet-a": "us-east-1a", "subnet-b": "us-east-1a", "subnet-c": "us-east-1a" } },
        );
        const messages = result.errors.map((e) => e.message);
        assert.ok(
            messages.some((m) =>
                m.endsWith(
                    problem(
                        "subnetIds: all subnets are in us-east-1a; pass private subnets in at least two availability zones.",
                    ),
                ),
            ),
            messages.join("\n"),
        );
    });

    it("checks a token that is still an Output when it resolves, with the same message", async () => {
        const pulumi = await import("@pulumi/pulumi");
        const result = await runComponent({ authToken: pulumi.output("Token-With-At@0123456") });
        const messages = result.errors.map((e) => e.message);
        assert.ok(
            messages.some((m) =>
                m.endsWith(
                    problem(
                        "authToken: may contain only letters, digits and the characters ! & # $ ^ < > - (found '@'); supply a different token or omit authToken to have one generated.",
                    ),
                ),
            ),
            messages.join("\n"),
        );
        const rg = ofType(result, types.replicationGroup);
        for (const r of rg) {
            assert.ok(!plainStrings(r.inputs).some((s) => s.includes("Token-With-At")));
        }
    });
});

describe("The root program (default stack)", () => {
    for (const preview of [true, false]) {
        it(`deploys an isolated VPC and a compliant cache with no configuration (${preview ? "preview" : "update"})`, async () => {
            const result = await runUnderMocks(path.join(__dirname, "..", "index.ts"), { preview });
            assert.deepStrictEqual(result.errors, []);
            assert.strictEqual(ofType(result, "aws:ec2/internetGateway:InternetGateway").length, 0);
            assert.strictEqual(ofType(result, "aws:ec2/natGateway:NatGateway").length, 0);
            const subnets = ofType(result, types.subnet).map((s) => s.inputs as any);
            assert.strictEqual(subnets.length, 3);
            assert.ok(subnets.every((s) => s.mapPublicIpOnLaunch === false));
            assert.deepStrictEqual(
                subnets.map((s) => s.availabilityZone),
                ["us-east-1a", "us-east-1b", "us-east-1c"],
            );
            const rg = one(result, types.replicationGroup).inputs as any;
            assert.strictEqual(rg.atRestEncryptionEnabled, true);
            assert.strictEqual(rg.multiAzEnabled, true);
            const rules = ofType(result, types.ingressRule).map((r) => (r.inputs as any).cidrIpv4);
            assert.deepStrictEqual(rules, ["10.42.0.0/16"]);
            assert.strictEqual(result.exports.authSecretArn !== undefined, true);
            assert.ok(!JSON.stringify(result.exports).includes(mockToken));
        });
    }

    it("uses an existing VPC and subnets from config", async () => {
        const result = await runUnderMocks(path.join(__dirname, "..", "index.ts"), {
            preview: false,
            config: { vpcId: "vpc-existing", subnetIds: JSON.stringify(["subnet-a", "subnet-b"]), engine: "valkey" },
            subnetZones,
        });
        assert.deepStrictEqual(result.errors, []);
        assert.strictEqual(ofType(result, "aws:ec2/vpc:Vpc").length, 0);
        assert.deepStrictEqual((one(result, types.subnetGroup).inputs as any).subnetIds, ["subnet-a", "subnet-b"]);
        assert.strictEqual((one(result, types.replicationGroup).inputs as any).engine, "valkey");
    });
});
