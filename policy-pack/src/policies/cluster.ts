// Policies on aws.elasticache.Cluster (a single node, or a member of a replication group).
import { engineKey } from "../../../core/engine";
import { isMissing, isUnknown } from "../props";
import { ResourceRuleSpec } from "../registry";
import { types } from "../types";

export const memcachedMessage =
    "engine is memcached, which has no authentication, no at-rest encryption and no backups: use a Redis or Valkey replication group.";

export const clusterDisallowMemcached: ResourceRuleSpec = {
    name: "aws-elasticache-cluster-disallow-memcached",
    description: "Checks that ElastiCache clusters do not run Memcached, which cannot meet the HIPAA safeguards.",
    enforcementLevel: "mandatory",
    severity: "high",
    controls: ["0808.10b2", "1903.06d1", "1616.09l1"],
    tags: ["encryption", "authentication"],
    remediationSteps:
        "Replace the Memcached cluster with an `aws.elasticache.ReplicationGroup` running Redis or Valkey.",
    resourceTypes: [types.cluster],
    properties: ["engine"],
    check(props) {
        return engineKey(props.engine) === "memcached" ? memcachedMessage : undefined;
    },
};

export const clusterDisallowStandaloneRedis: ResourceRuleSpec = {
    name: "aws-elasticache-cluster-disallow-standalone-redis",
    description:
        "Checks that Redis and Valkey ElastiCache clusters belong to a replication group, which alone offers replicas, TLS, an AUTH token and at-rest encryption.",
    enforcementLevel: "mandatory",
    severity: "high",
    controls: ["1410.09e2", "1601.12c1", "0808.10b2", "1903.06d1", "19141.06c1"],
    tags: ["availability", "encryption", "authentication"],
    remediationSteps: "Use an `aws.elasticache.ReplicationGroup` (or set `replicationGroupId` to add the node to one).",
    resourceTypes: [types.cluster],
    properties: ["engine", "replicationGroupId"],
    check(props) {
        const group = props.replicationGroupId;
        if (isUnknown(props.engine) || isUnknown(group) || !isMissing(group)) {
            return undefined;
        }
        const engine = engineKey(props.engine) ?? "redis";
        if (engine === "memcached") {
            return undefined;
        }
        // aws.elasticache.Cluster has no authToken, atRestEncryptionEnabled or kmsKeyId, and its
        // transitEncryptionEnabled is "Supported only with Memcached versions 1.6.12 and later ...
        // For Redis or Valkey transit encryption, use aws.elasticache.ReplicationGroup instead"
        // (@pulumi/aws elasticache.Cluster, https://www.pulumi.com/registry/packages/aws/api-docs/elasticache/cluster/).
        // One cause, so one finding that names everything it costs.
        return `a standalone ${engine} cluster cannot use TLS (transitEncryptionEnabled is for Memcached only), an AUTH token or at-rest encryption, and has no replica to fail over to: create an aws.elasticache.ReplicationGroup instead.`;
    },
};

export const clusterRules: ResourceRuleSpec[] = [clusterDisallowMemcached, clusterDisallowStandaloneRedis];
