// Policies on aws.elasticache.ReplicationGroup: one property (or one closely tied pair) each.
import {
    authTokenCharacterTypes,
    authTokenProblems,
    authTokenSpecials,
    complianceEngineFloor,
    defaultRedisPort,
    engineLogMinimumVersion,
    maxBackupRetentionDays,
    nodeTypeProblem,
    parseVersion,
    rbacMinimumVersion,
    redisStandardSupportEnd,
    slowLogMinimumVersion,
    valkeyEngineFloor,
    versionAtLeast,
} from "../../../core/checks";
import { at, isMissing, isUnknown, knownBoolean, knownNumber, knownString, Plain, UNKNOWN } from "../props";
import { ResourceRuleSpec } from "../registry";
import { types } from "../types";

const rg = [types.replicationGroup];

/** The engine; missing means the provider default, redis. UNKNOWN stays UNKNOWN. */
export function engineOf(props: Plain): string | typeof UNKNOWN {
    const engine = props.engine;
    if (isUnknown(engine)) {
        return UNKNOWN;
    }
    return knownString(engine) ?? "redis";
}

/**
 * True when the group is (or may be, while the ID is unknown) a secondary of a global
 * replication group: it then inherits engine, version, encryption and AUTH from the primary,
 * which is checked in its own right, and leaves them out of its own properties.
 */
export function inheritsFromGlobal(props: Plain): boolean {
    const global = props.globalReplicationGroupId;
    return isUnknown(global) || (typeof global === "string" && global !== "");
}

/** Flags a boolean that must be true; a missing value counts as false unless `missingIsTrue`. */
function mustBeTrue(value: unknown, property: string, fix: string, missingIsTrue = false): string | undefined {
    if (isUnknown(value)) {
        return undefined;
    }
    if (isMissing(value)) {
        return missingIsTrue ? undefined : `${property} is not set, so it is off: ${fix}`;
    }
    return knownBoolean(value) === true ? undefined : `${property} is false: ${fix}`;
}

export const enableEncryptionAtRest: ResourceRuleSpec = {
    name: "aws-elasticache-replicationgroup-enable-encryption-at-rest",
    description: "Checks that ElastiCache replication groups encrypt data at rest.",
    enforcementLevel: "mandatory",
    severity: "critical",
    controls: ["1903.06d1"],
    tags: ["encryption"],
    remediationSteps:
        "Set `atRestEncryptionEnabled: true`. At-rest encryption can only be chosen when a group is created: create a new encrypted group, restore a snapshot into it, and switch clients over.",
    resourceTypes: rg,
    properties: ["atRestEncryptionEnabled", "engine"],
    check(props) {
        if (inheritsFromGlobal(props)) {
            return undefined;
        }
        // The provider turns at-rest encryption on for Valkey when the property is left out.
        const valkey = engineOf(props) === "valkey";
        return mustBeTrue(
            props.atRestEncryptionEnabled,
            "atRestEncryptionEnabled",
            "set atRestEncryptionEnabled to true (only possible at creation: create an encrypted group and restore a snapshot into it).",
            valkey,
        );
    },
};

export const enableEncryptionInTransit: ResourceRuleSpec = {
    name: "aws-elasticache-replicationgroup-enable-encryption-in-transit",
    description: "Checks that ElastiCache replication groups encrypt traffic in transit with TLS.",
    enforcementLevel: "mandatory",
    severity: "critical",
    controls: ["0808.10b2"],
    tags: ["encryption", "network"],
    remediationSteps:
        'Set `transitEncryptionEnabled: true` (with `transitEncryptionMode: "required"` on Redis 7.0.5+ or Valkey) and connect clients with TLS.',
    resourceTypes: rg,
    properties: ["transitEncryptionEnabled"],
    check(props) {
        if (inheritsFromGlobal(props)) {
            return undefined;
        }
        return mustBeTrue(
            props.transitEncryptionEnabled,
            "transitEncryptionEnabled",
            'set transitEncryptionEnabled to true and transitEncryptionMode to "required", and connect clients with TLS.',
        );
    },
};

export const enforceTransitEncryptionRequired: ResourceRuleSpec = {
    name: "aws-elasticache-replicationgroup-enforce-transit-encryption-required",
    description:
        'Checks that ElastiCache replication groups do not accept plaintext connections (transit mode "preferred").',
    enforcementLevel: "mandatory",
    severity: "high",
    controls: ["0808.10b2"],
    tags: ["encryption", "network"],
    remediationSteps:
        'Set `transitEncryptionMode: "required"` once every client connects with TLS. The remediation sets it for you when the policy is set to `remediate`.',
    resourceTypes: rg,
    properties: ["transitEncryptionMode"],
    check(props) {
        const mode = props.transitEncryptionMode;
        if (mode === "preferred") {
            return 'transitEncryptionMode is "preferred", which still accepts plaintext connections: set it to "required" once clients use TLS.';
        }
        return undefined;
    },
    remediate(props) {
        return props.transitEncryptionMode === "preferred"
            ? { ...props, transitEncryptionMode: "required" }
            : undefined;
    },
};

export const enableAuthentication: ResourceRuleSpec = {
    name: "aws-elasticache-replicationgroup-enable-authentication",
    description:
        "Checks that ElastiCache replication groups require clients to authenticate with an AUTH token or RBAC user group.",
    enforcementLevel: "mandatory",
    severity: "critical",
    controls: ["0808.10b2", "19141.06c1"],
    tags: ["authentication"],
    remediationSteps:
        "Set `authToken` to a generated secret (for example a `random.RandomPassword`) and keep it in Secrets Manager, or set `userGroupIds` to an RBAC user group whose `default` user is disabled.",
    resourceTypes: rg,
    properties: ["authToken", "authTokenWo", "userGroupIds", "engineVersion"],
    check(props) {
        const candidates = [props.authToken, props.authTokenWo, props.userGroupIds];
        if (candidates.some(isUnknown) || inheritsFromGlobal(props)) {
            return undefined;
        }
        const hasToken = !isMissing(props.authToken) || !isMissing(props.authTokenWo);
        const groups = props.userGroupIds;
        const hasGroup = Array.isArray(groups) && groups.length > 0;
        const version = knownString(props.engineVersion);
        if (
            hasGroup &&
            engineOf(props) === "redis" &&
            version !== undefined &&
            !versionAtLeast(version, rbacMinimumVersion)
        ) {
            return `userGroupIds needs Redis ${rbacMinimumVersion} or later but engineVersion is ${version}: upgrade the engine or use an authToken.`;
        }
        if (hasToken || hasGroup) {
            return undefined;
        }
        return "neither authToken nor userGroupIds is set, so any client on the network can connect: set an authToken kept in Secrets Manager or an RBAC user group.";
    },
};

export const enforceAuthTokenComplexity: ResourceRuleSpec = {
    name: "aws-elasticache-replicationgroup-enforce-auth-token-complexity",
    description: `Checks that ElastiCache AUTH tokens are 16 to 128 characters of letters, digits and ${authTokenSpecials.split("").join(" ")}.`,
    enforcementLevel: "mandatory",
    severity: "high",
    controls: ["19141.06c1"],
    tags: ["authentication"],
    remediationSteps: `Generate the token, for example \`new random.RandomPassword(name, { length: 64, overrideSpecial: "${authTokenSpecials}" })\`, and keep it secret.`,
    resourceTypes: rg,
    properties: ["authToken"],
    check(props) {
        // The token arrives in plain text here; it must never be echoed in a message.
        const token = props.authToken;
        if (typeof token !== "string" || token === "") {
            return undefined;
        }
        const problems = authTokenProblems(token);
        return problems.length > 0 ? `the AUTH token ${problems.join(" and ")}: generate a new one.` : undefined;
    },
};

export const configureStrongAuthToken: ResourceRuleSpec = {
    name: "aws-elasticache-replicationgroup-configure-strong-auth-token",
    description: "Checks that ElastiCache AUTH tokens mix at least three character types, as AWS recommends.",
    enforcementLevel: "advisory",
    severity: "medium",
    controls: ["19141.06c1"],
    tags: ["authentication"],
    remediationSteps:
        "Generate the token with upper- and lowercase letters, digits and one of `! & # $ ^ < > -` (the component's generated token does).",
    resourceTypes: rg,
    properties: ["authToken"],
    check(props) {
        const token = props.authToken;
        if (typeof token !== "string" || token === "" || authTokenProblems(token).length > 0) {
            return undefined; // absent or refused outright: other policies' findings
        }
        const types = authTokenCharacterTypes(token);
        return types < 3
            ? `the AUTH token uses ${types} of the 4 character types (upper, lower, digits, ${authTokenSpecials.split("").join(" ")}): generate one that mixes at least three.`
            : undefined;
    },
};

export const enableAutomaticFailover: ResourceRuleSpec = {
    name: "aws-elasticache-replicationgroup-enable-automatic-failover",
    description: "Checks that ElastiCache replication groups fail over to a replica automatically.",
    enforcementLevel: "mandatory",
    severity: "high",
    controls: ["1410.09e2", "1618.09l1"],
    tags: ["availability"],
    remediationSteps: "Set `automaticFailoverEnabled: true` and keep at least one replica.",
    resourceTypes: rg,
    properties: ["automaticFailoverEnabled"],
    check(props) {
        return mustBeTrue(
            props.automaticFailoverEnabled,
            "automaticFailoverEnabled",
            "set automaticFailoverEnabled to true and keep at least one replica.",
        );
    },
};

export const enableMultiAz: ResourceRuleSpec = {
    name: "aws-elasticache-replicationgroup-enable-multi-az",
    description: "Checks that ElastiCache replication groups are Multi-AZ.",
    enforcementLevel: "mandatory",
    severity: "high",
    controls: ["1410.09e2", "1601.12c1"],
    tags: ["availability"],
    remediationSteps: "Set `multiAzEnabled: true` with `automaticFailoverEnabled: true` and replicas in other zones.",
    resourceTypes: rg,
    properties: ["multiAzEnabled"],
    check(props) {
        return mustBeTrue(
            props.multiAzEnabled,
            "multiAzEnabled",
            "set multiAzEnabled to true with automatic failover and a replica in another zone.",
        );
    },
};

export const configureReplicas: ResourceRuleSpec = {
    name: "aws-elasticache-replicationgroup-configure-replicas",
    description: "Checks that ElastiCache replication groups have at least one replica of every primary.",
    enforcementLevel: "mandatory",
    severity: "high",
    controls: ["1601.12c1", "1618.09l1"],
    tags: ["availability"],
    remediationSteps: "Set `numCacheClusters` to 2 or more, or in cluster mode `replicasPerNodeGroup` to 1 or more.",
    resourceTypes: rg,
    properties: ["numCacheClusters", "numNodeGroups", "replicasPerNodeGroup", "nodeGroupConfigurations"],
    check(props) {
        const shards = props.numNodeGroups;
        const perShard = props.replicasPerNodeGroup;
        const nodes = props.numCacheClusters;
        if ([shards, perShard, nodes].some(isUnknown)) {
            return undefined;
        }
        const nodeGroups = props.nodeGroupConfigurations;
        if (Array.isArray(nodeGroups) && nodeGroups.length > 0) {
            const bare = nodeGroups.filter((g) => {
                const count = knownNumber(at(g as Plain, "replicaCount"));
                return count !== undefined && count < 1;
            });
            return bare.length > 0
                ? "a node group in nodeGroupConfigurations has replicaCount 0: give every shard at least one replica."
                : undefined;
        }
        if (!isMissing(shards) || !isMissing(perShard) || props.clusterMode === "enabled") {
            const replicas = knownNumber(perShard);
            if (replicas === undefined || replicas < 1) {
                return `cluster mode with ${replicas ?? 0} replicas per shard cannot fail over: set replicasPerNodeGroup to 1 or more.`;
            }
            return undefined;
        }
        const count = knownNumber(nodes) ?? 1;
        return count < 2
            ? `the group has ${count} node${count === 1 ? "" : "s"} and no replica: set numCacheClusters to 2 or more.`
            : undefined;
    },
};

export const disallowSingleAzPlacement: ResourceRuleSpec = {
    name: "aws-elasticache-replicationgroup-disallow-single-az-placement",
    description: "Checks that ElastiCache replication groups do not pin every node to one availability zone.",
    enforcementLevel: "mandatory",
    severity: "high",
    controls: ["1601.12c1", "1410.09e2"],
    tags: ["availability"],
    remediationSteps:
        "List different zones in `preferredCacheClusterAzs` (primary first, a replica in another zone), or in cluster mode in each shard's `replicaAvailabilityZones`, or leave them out so ElastiCache balances the nodes.",
    resourceTypes: rg,
    properties: ["preferredCacheClusterAzs", "nodeGroupConfigurations"],
    check(props) {
        const problems: string[] = [];
        const zones = props.preferredCacheClusterAzs;
        if (Array.isArray(zones) && zones.length >= 2 && !zones.some(isUnknown) && new Set(zones).size === 1) {
            problems.push(
                `preferredCacheClusterAzs puts all ${zones.length} nodes in ${zones[0]}: list a second zone for at least one replica.`,
            );
        }
        // Cluster mode: each shard's primary and replicas, when their zones are given.
        const groups = props.nodeGroupConfigurations;
        for (const [i, group] of (Array.isArray(groups) ? groups : []).entries()) {
            const primary = at(group as Plain, "primaryAvailabilityZone");
            const replicas = at(group as Plain, "replicaAvailabilityZones");
            if (
                typeof primary !== "string" ||
                !Array.isArray(replicas) ||
                replicas.length === 0 ||
                replicas.some(isUnknown)
            ) {
                continue;
            }
            if (replicas.every((z) => z === primary)) {
                const shard = knownString(at(group as Plain, "nodeGroupId")) ?? String(i + 1);
                problems.push(
                    `shard ${shard} puts its primary and every replica in ${primary}: give a replica another zone in replicaAvailabilityZones.`,
                );
            }
        }
        return problems;
    },
};

export const enableAutomaticBackups: ResourceRuleSpec = {
    name: "aws-elasticache-replicationgroup-enable-automatic-backups",
    description:
        "Checks that ElastiCache replication groups, standalone clusters and serverless caches take automatic backups and keep them long enough.",
    enforcementLevel: "mandatory",
    severity: "high",
    controls: ["1616.09l1", "1618.09l1"],
    tags: ["backup"],
    remediationSteps:
        "Set `snapshotRetentionLimit` to 35 (the guide's recommendation; at least the configured minimum).",
    config: {
        minimumRetentionDays: {
            type: "integer",
            default: 15,
            minimum: 1,
            maximum: maxBackupRetentionDays,
            description:
                "The fewest days automatic backups may be kept (the strictest public rule set, cdk-nag's HIPAA pack, asks for 15).",
        },
    },
    resourceTypes: [types.replicationGroup, types.cluster, types.serverlessCache],
    properties: ["snapshotRetentionLimit"],
    check(props, { config, type }) {
        if (type === types.cluster && !isMissing(props.replicationGroupId)) {
            return undefined; // a member of a replication group is backed up with its group
        }
        if (props.engine === "memcached") {
            return undefined; // memcached cannot back up at all; the memcached policies reject it
        }
        const retention = props.snapshotRetentionLimit;
        if (isUnknown(retention)) {
            return undefined;
        }
        const days = knownNumber(retention) ?? 0;
        const minimum: number = config.minimumRetentionDays;
        if (days === 0) {
            return `automatic backups are off (snapshotRetentionLimit is ${isMissing(retention) ? "not set" : "0"}): set snapshotRetentionLimit to 35.`;
        }
        return days < minimum
            ? `snapshotRetentionLimit is ${days} days, below the minimum of ${minimum}: set it to 35 (at least ${minimum}).`
            : undefined;
    },
};

export const configureEngineVersion: ResourceRuleSpec = {
    name: "aws-elasticache-replicationgroup-configure-engine-version",
    description:
        "Checks that ElastiCache replication groups run a HIPAA-eligible engine version (Redis 4.0.10 or later, or Valkey).",
    enforcementLevel: "mandatory",
    severity: "high",
    controls: ["0706.10b1"],
    tags: ["vulnerability-management"],
    remediationSteps: "Upgrade `engineVersion` to a current version (Redis 7.1 or Valkey 8.0).",
    config: {
        minimumEngineVersion: {
            type: "string",
            default: complianceEngineFloor,
            pattern: "^\\d+(\\.\\d+){0,2}$",
            description: "The oldest Redis engine version allowed, compared as a version (4.0.10 < 6.2 < 7.1).",
        },
    },
    resourceTypes: rg,
    properties: ["engine", "engineVersion"],
    check(props, { config }) {
        const engine = engineOf(props);
        const version = props.engineVersion;
        if (isUnknown(engine) || isUnknown(version) || isMissing(version) || inheritsFromGlobal(props)) {
            return undefined; // a missing version means the newest, which is eligible
        }
        const text = String(version);
        if (!parseVersion(text)) {
            return `engineVersion '${text}' is not a version: set a version such as 7.1.`;
        }
        const floor = engine === "valkey" ? valkeyEngineFloor : String(config.minimumEngineVersion);
        return versionAtLeast(text, floor)
            ? undefined
            : `engineVersion ${text} is below ${floor}, the oldest allowed ${engine} version: upgrade to ${engine === "valkey" ? "8.0" : "7.1"}.`;
    },
};

export const configureSubnetGroup: ResourceRuleSpec = {
    name: "aws-elasticache-replicationgroup-configure-subnet-group",
    description:
        "Checks that ElastiCache replication groups run in a VPC in a subnet group of their own, not the default one.",
    enforcementLevel: "mandatory",
    severity: "high",
    controls: ["0805.01m1"],
    tags: ["network"],
    remediationSteps:
        "Create an `aws.elasticache.SubnetGroup` of private subnets in two or more zones and set `subnetGroupName` to it.",
    resourceTypes: rg,
    properties: ["subnetGroupName"],
    check(props) {
        const name = props.subnetGroupName;
        if (isUnknown(name)) {
            return undefined;
        }
        if (isMissing(name)) {
            return "subnetGroupName is not set, so the cache lands in the default subnet group: create a subnet group of private subnets and set subnetGroupName.";
        }
        return String(name).toLowerCase() === "default"
            ? "subnetGroupName is 'default': create a subnet group of private subnets for the cache and use it."
            : undefined;
    },
};

export const configureSecurityGroups: ResourceRuleSpec = {
    name: "aws-elasticache-replicationgroup-configure-security-groups",
    description: "Checks that ElastiCache replication groups are guarded by security groups of their own.",
    enforcementLevel: "mandatory",
    severity: "high",
    controls: ["0805.01m1"],
    tags: ["network"],
    remediationSteps:
        "Create a security group that admits only the clients' security groups on the cache port and set `securityGroupIds` to it.",
    resourceTypes: [types.replicationGroup, types.serverlessCache],
    properties: ["securityGroupIds"],
    check(props) {
        const groups = props.securityGroupIds;
        if (isUnknown(groups)) {
            return undefined;
        }
        return Array.isArray(groups) && groups.length > 0
            ? undefined
            : "securityGroupIds is empty, so the VPC's default security group applies: attach a security group that admits only the cache's clients.";
    },
};

export const configureCurrentGenerationNodeType: ResourceRuleSpec = {
    name: "aws-elasticache-replicationgroup-configure-current-generation-node-type",
    description:
        "Checks that ElastiCache replication groups use current-generation node types, which HIPAA eligibility requires.",
    enforcementLevel: "mandatory",
    severity: "medium",
    controls: ["0706.10b1"],
    tags: ["vulnerability-management"],
    remediationSteps: "Set `nodeType` to a current-generation type such as cache.r7g.large or cache.m7g.large.",
    resourceTypes: [types.replicationGroup, types.cluster],
    properties: ["nodeType"],
    check(props) {
        const nodeType = knownString(props.nodeType);
        if (nodeType === undefined) {
            return undefined;
        }
        const problem = nodeTypeProblem(nodeType);
        return problem ? `${problem}.` : undefined;
    },
};

// Advisory: what the guide recommends beyond the hard requirements.

export const configureNonDefaultPort: ResourceRuleSpec = {
    name: "aws-elasticache-replicationgroup-configure-non-default-port",
    description: "Checks that ElastiCache replication groups listen on a port other than the well-known 6379.",
    enforcementLevel: "advisory",
    severity: "low",
    controls: ["0706.10b1"],
    tags: ["network"],
    remediationSteps:
        "Set `port` to a port other than 6379 (for example 6380), or to one of the organization's allowed ports.",
    config: {
        allowedPorts: {
            type: "array",
            items: { type: "integer" },
            default: [],
            description: "Ports the organization allows; empty allows any port but 6379.",
        },
    },
    resourceTypes: rg,
    properties: ["port"],
    check(props, { config }) {
        const port = props.port;
        if (isUnknown(port)) {
            return undefined;
        }
        const value = knownNumber(port) ?? defaultRedisPort;
        const allowed: number[] = config.allowedPorts ?? [];
        if (value === defaultRedisPort) {
            return `the cache listens on ${defaultRedisPort}${isMissing(port) ? " (port not set)" : ""}, the well-known Redis port: set port to another value${allowed.length ? ` (allowed: ${allowed.join(", ")})` : " such as 6380"}.`;
        }
        return allowed.length > 0 && !allowed.includes(value)
            ? `port ${value} is not among the allowed ports ${allowed.join(", ")}: use one of them.`
            : undefined;
    },
};

export const disallowDefaultParameterGroup: ResourceRuleSpec = {
    name: "aws-elasticache-replicationgroup-disallow-default-parameter-group",
    description: "Checks that ElastiCache replication groups use a custom parameter group rather than a default.* one.",
    enforcementLevel: "advisory",
    severity: "low",
    controls: ["0706.10b1"],
    tags: ["configuration"],
    remediationSteps:
        "Create an `aws.elasticache.ParameterGroup` of the engine's family and set `parameterGroupName` to it.",
    resourceTypes: rg,
    properties: ["parameterGroupName"],
    check(props) {
        const name = props.parameterGroupName;
        if (isUnknown(name)) {
            return undefined;
        }
        if (isMissing(name)) {
            return "parameterGroupName is not set, so the engine's default parameter group applies: create a custom parameter group and set parameterGroupName.";
        }
        return String(name).startsWith("default.")
            ? `parameterGroupName '${name}' is a default group that cannot be changed: create a custom parameter group.`
            : undefined;
    },
};

export const configureCustomerManagedKey: ResourceRuleSpec = {
    name: "aws-elasticache-replicationgroup-configure-customer-managed-key",
    description: "Checks that ElastiCache replication groups encrypt at rest with a customer-managed KMS key.",
    enforcementLevel: "advisory",
    severity: "medium",
    controls: ["0903.10f1", "1903.06d1"],
    tags: ["encryption"],
    remediationSteps:
        "Create an `aws.kms.Key` with `enableKeyRotation: true` and set `kmsKeyId` to its ARN (only possible when the group is created).",
    config: {
        allowedKmsKeyIds: {
            type: "array",
            items: { type: "string" },
            default: [],
            description: "KMS key ARNs or IDs the organization approves; empty approves any customer-managed key.",
        },
    },
    resourceTypes: [types.replicationGroup, types.serverlessCache],
    properties: ["kmsKeyId"],
    check(props, { config }) {
        const key = props.kmsKeyId;
        if (isUnknown(key)) {
            return undefined;
        }
        if (isMissing(key)) {
            return "kmsKeyId is not set, so an AWS-managed key encrypts the data: set kmsKeyId to a customer-managed key with rotation.";
        }
        const allowed: string[] = config.allowedKmsKeyIds ?? [];
        const text = String(key);
        return allowed.length > 0 && !allowed.some((a) => text === a || text.endsWith(`/${a}`))
            ? `kmsKeyId ${text} is not an approved key: use one of the keys in allowedKmsKeyIds.`
            : undefined;
    },
};

export const configureBackupRetention: ResourceRuleSpec = {
    name: "aws-elasticache-replicationgroup-configure-backup-retention",
    description:
        "Checks that ElastiCache replication groups keep automatic backups for the 35 days the guide recommends.",
    enforcementLevel: "advisory",
    severity: "low",
    controls: ["1616.09l1"],
    tags: ["backup"],
    remediationSteps: "Set `snapshotRetentionLimit: 35` and archive snapshots beyond that for six years.",
    config: {
        recommendedRetentionDays: {
            type: "integer",
            default: maxBackupRetentionDays,
            minimum: 1,
            maximum: maxBackupRetentionDays,
            description: "The retention the organization recommends.",
        },
    },
    resourceTypes: rg,
    properties: ["snapshotRetentionLimit"],
    check(props, { config }) {
        const days = knownNumber(props.snapshotRetentionLimit);
        const recommended: number = config.recommendedRetentionDays;
        // Zero or missing retention is the mandatory backup policy's finding, not this one's.
        return days !== undefined && days > 0 && days < recommended
            ? `snapshotRetentionLimit is ${days} days: the guide recommends ${recommended}; set it to ${recommended}.`
            : undefined;
    },
};

export const configureSnapshotWindow: ResourceRuleSpec = {
    name: "aws-elasticache-replicationgroup-configure-snapshot-window",
    description: "Checks that ElastiCache replication groups take backups in a window the organization chose.",
    enforcementLevel: "advisory",
    severity: "low",
    controls: ["1620.09l1"],
    tags: ["backup"],
    remediationSteps:
        "Set `snapshotWindow` (hh24:mi-hh24:mi UTC, at least 60 minutes) outside peak hours and the maintenance window.",
    resourceTypes: rg,
    properties: ["snapshotWindow"],
    check(props) {
        return isMissing(props.snapshotWindow)
            ? "snapshotWindow is not set, so ElastiCache picks one at random: set a window such as 03:00-05:00 outside the maintenance window."
            : undefined;
    },
};

export const configureMaintenanceWindow: ResourceRuleSpec = {
    name: "aws-elasticache-replicationgroup-configure-maintenance-window",
    description:
        "Checks that ElastiCache replication groups are patched in a maintenance window the organization chose.",
    enforcementLevel: "advisory",
    severity: "low",
    controls: ["0706.10b1", "1620.09l1"],
    tags: ["vulnerability-management"],
    remediationSteps:
        "Set `maintenanceWindow` (ddd:hh24:mi-ddd:hh24:mi UTC) to a low-traffic hour that does not overlap the snapshot window.",
    resourceTypes: rg,
    properties: ["maintenanceWindow"],
    check(props) {
        return isMissing(props.maintenanceWindow)
            ? "maintenanceWindow is not set, so ElastiCache picks one at random: set a window such as sun:05:30-sun:07:00."
            : undefined;
    },
};

export const configureNotificationTopic: ResourceRuleSpec = {
    name: "aws-elasticache-replicationgroup-configure-notification-topic",
    description: "Checks that ElastiCache replication groups send their events to an SNS topic.",
    enforcementLevel: "advisory",
    severity: "medium",
    controls: ["1270.09ad1", "12100.09ab2"],
    tags: ["monitoring"],
    remediationSteps:
        "Create an SNS topic without at-rest encryption (ElastiCache cannot publish to an encrypted one; events carry no PHI) whose policy lets elasticache.amazonaws.com publish under `aws:SourceOwner`, and set `notificationTopicArn`.",
    resourceTypes: rg,
    properties: ["notificationTopicArn"],
    check(props) {
        return isMissing(props.notificationTopicArn)
            ? "notificationTopicArn is not set, so failovers and node replacements go unnoticed: send the events to an SNS topic."
            : undefined;
    },
};

export const configureFinalSnapshot: ResourceRuleSpec = {
    name: "aws-elasticache-replicationgroup-configure-final-snapshot",
    description: "Checks that ElastiCache replication groups take a final snapshot when they are deleted.",
    enforcementLevel: "advisory",
    severity: "medium",
    controls: ["1620.09l1"],
    tags: ["backup"],
    remediationSteps: "Set `finalSnapshotIdentifier` to a unique name (for example with a random suffix).",
    resourceTypes: rg,
    properties: ["finalSnapshotIdentifier"],
    check(props) {
        return isMissing(props.finalSnapshotIdentifier)
            ? "finalSnapshotIdentifier is not set, so deleting the group deletes its data for good: set a unique final snapshot name."
            : undefined;
    },
};

export const enableLogDelivery: ResourceRuleSpec = {
    name: "aws-elasticache-replicationgroup-enable-log-delivery",
    description: "Checks that ElastiCache replication groups deliver their slow log and engine log.",
    enforcementLevel: "advisory",
    severity: "medium",
    controls: ["1202.09aa1", "1203.09aa1", "12100.09ab2"],
    tags: ["logging"],
    remediationSteps:
        "Add `logDeliveryConfigurations` for `slow-log` and `engine-log` to CloudWatch log groups (JSON format, KMS-encrypted, kept 90 days or more). Needs Redis 6.2+ or Valkey.",
    resourceTypes: rg,
    properties: ["logDeliveryConfigurations"],
    check(props) {
        const configs = props.logDeliveryConfigurations;
        const engine = engineOf(props);
        const version = props.engineVersion;
        if (isUnknown(configs) || isUnknown(engine) || isUnknown(version)) {
            return undefined;
        }
        const delivered = new Set<string>();
        for (const entry of Array.isArray(configs) ? configs : []) {
            const logType = at(entry as Plain, "logType");
            if (isUnknown(logType)) {
                return undefined;
            }
            delivered.add(String(logType));
        }
        const versionText = knownString(version);
        const supports = (minimum: string) =>
            engine === "valkey" || versionText === undefined || versionAtLeast(versionText, minimum);
        const missing = ["slow-log", "engine-log"].filter((t) => !delivered.has(t));
        if (missing.length === 0) {
            return undefined;
        }
        if (!supports(slowLogMinimumVersion)) {
            return `engine ${versionText} cannot deliver slow or engine logs: upgrade to Redis ${engineLogMinimumVersion}+ and deliver both to CloudWatch Logs.`;
        }
        if (!supports(engineLogMinimumVersion) && missing.includes("engine-log")) {
            return missing.includes("slow-log")
                ? `no slow-log is delivered and engine ${versionText} cannot deliver the engine-log: add slow-log delivery and upgrade to ${engineLogMinimumVersion}+.`
                : `engine ${versionText} cannot deliver the engine-log: upgrade to ${engineLogMinimumVersion}+ and deliver it.`;
        }
        return `${missing.join(" and ")} ${missing.length === 1 ? "is" : "are"} not delivered: add logDeliveryConfigurations for ${missing.join(" and ")} to a CloudWatch log group.`;
    },
};

export const enableAutoMinorVersionUpgrade: ResourceRuleSpec = {
    name: "aws-elasticache-replicationgroup-enable-auto-minor-version-upgrade",
    description:
        "Checks that ElastiCache replication groups receive minor engine upgrades (security patches) automatically.",
    enforcementLevel: "advisory",
    severity: "medium",
    controls: ["0706.10b1"],
    tags: ["vulnerability-management"],
    remediationSteps:
        "Set `autoMinorVersionUpgrade: true` (the provider default). The remediation sets it for you when the policy is set to `remediate`.",
    resourceTypes: [types.replicationGroup, types.cluster],
    properties: ["autoMinorVersionUpgrade"],
    check(props) {
        return knownBoolean(props.autoMinorVersionUpgrade) === false
            ? "autoMinorVersionUpgrade is false, so security patches wait for a manual upgrade: set it to true."
            : undefined;
    },
    remediate(props) {
        return knownBoolean(props.autoMinorVersionUpgrade) === false
            ? { ...props, autoMinorVersionUpgrade: true }
            : undefined;
    },
};

export const disallowEngineOutOfStandardSupport: ResourceRuleSpec = {
    name: "aws-elasticache-replicationgroup-disallow-engine-out-of-standard-support",
    description: "Checks that ElastiCache replication groups run an engine version still in AWS standard support.",
    enforcementLevel: "advisory",
    severity: "medium",
    controls: ["0706.10b1"],
    tags: ["vulnerability-management"],
    remediationSteps: "Upgrade `engineVersion` to Redis 7.1 or Valkey 8.0 before standard support ends.",
    resourceTypes: rg,
    properties: ["engine", "engineVersion"],
    check(props) {
        const engine = engineOf(props);
        const version = knownString(props.engineVersion);
        if (engine !== "redis" || version === undefined) {
            return undefined;
        }
        const ends = redisStandardSupportEnd(version);
        if (ends === undefined) {
            return undefined;
        }
        const today = new Date().toISOString().slice(0, 10);
        return ends <= today
            ? `Redis ${version} left standard support on ${ends} (extended support is billed and ends): upgrade to 7.1.`
            : `Redis ${version} leaves standard support on ${ends}: plan the upgrade to 7.1.`;
    },
};

export const replicationGroupRules: ResourceRuleSpec[] = [
    enableEncryptionAtRest,
    enableEncryptionInTransit,
    enforceTransitEncryptionRequired,
    enableAuthentication,
    enforceAuthTokenComplexity,
    configureStrongAuthToken,
    enableAutomaticFailover,
    enableMultiAz,
    configureReplicas,
    disallowSingleAzPlacement,
    enableAutomaticBackups,
    configureEngineVersion,
    configureSubnetGroup,
    configureSecurityGroups,
    configureCurrentGenerationNodeType,
    configureNonDefaultPort,
    disallowDefaultParameterGroup,
    configureCustomerManagedKey,
    configureBackupRetention,
    configureSnapshotWindow,
    configureMaintenanceWindow,
    configureNotificationTopic,
    configureFinalSnapshot,
    enableLogDelivery,
    enableAutoMinorVersionUpgrade,
    disallowEngineOutOfStandardSupport,
];
