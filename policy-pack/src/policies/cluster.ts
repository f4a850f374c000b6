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
        "Checks that Redis and Valkey ElastiCache clusters belong to a replication group, which alone offers failover, Multi-AZ and encryption settings.",
    enforcementLevel: "mandatory",
    severity: "high",
    controls: ["1410.09e2", "1601.12c1", "0808.10b2", "1903.06d1"],
    tags: ["availability", "encryption"],
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
        return `a standalone ${engine} cluster has no replica, failover or at-rest encryption setting: create an aws.elasticache.ReplicationGroup instead.`;
    },
};

export const clusterRules: ResourceRuleSpec[] = [clusterDisallowMemcached, clusterDisallowStandaloneRedis];
