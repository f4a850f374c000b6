// Replication group policies on surviving a node or zone failure.
import { at, isMissing, isUnknown, knownNumber, knownString, Plain } from "../../props";
import { ResourceRuleSpec } from "../../registry";
import { mustBeTrue, rg } from "./common";

/**
 * True when the group is known to have no replica at all: one node, or no shard with a replica.
 * Automatic failover and Multi-AZ then cannot be enabled ("Minimizing downtime in ElastiCache by
 * using Multi-AZ", https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/AutoFailover.html:
 * Multi-AZ with automatic failover needs at least one replica), so the missing replica is the one
 * cause, and only aws-elasticache-replicationgroup-configure-replicas reports it.
 */
export function hasNoReplica(props: Plain): boolean {
    const shards = props.numNodeGroups;
    const perShard = props.replicasPerNodeGroup;
    const nodes = props.numCacheClusters;
    const nodeGroups = props.nodeGroupConfigurations;
    if (isUnknown(shards) || isUnknown(perShard) || isUnknown(nodes) || isUnknown(nodeGroups)) {
        return false;
    }
    const fallback = knownNumber(perShard) ?? 0;
    if (Array.isArray(nodeGroups) && nodeGroups.length > 0) {
        return nodeGroups.every((g) => {
            const own = at(g as Plain, "replicaCount");
            return !isUnknown(own) && (isMissing(own) ? fallback : (knownNumber(own) ?? fallback)) < 1;
        });
    }
    if (!isMissing(shards) || !isMissing(perShard) || props.clusterMode === "enabled") {
        return fallback < 1;
    }
    return (knownNumber(nodes) ?? 1) < 2;
}

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
        const problem = mustBeTrue(
            props.automaticFailoverEnabled,
            "automaticFailoverEnabled",
            "set automaticFailoverEnabled to true and keep at least one replica.",
        );
        // Without a replica there is nothing to fail over to: one cause, configure-replicas' finding.
        return problem !== undefined && hasNoReplica(props) ? undefined : problem;
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
        const problem = mustBeTrue(
            props.multiAzEnabled,
            "multiAzEnabled",
            "set multiAzEnabled to true with automatic failover and a replica in another zone.",
        );
        // Without a replica no node sits in another zone: one cause, configure-replicas' finding.
        return problem !== undefined && hasNoReplica(props) ? undefined : problem;
    },
};

export const configureReplicas: ResourceRuleSpec = {
    name: "aws-elasticache-replicationgroup-configure-replicas",
    description: "Checks that ElastiCache replication groups have at least one replica of every primary.",
    enforcementLevel: "mandatory",
    severity: "high",
    // 1410.09e2 too: a group without a replica can have neither failover nor Multi-AZ, and only this policy says so.
    controls: ["1601.12c1", "1618.09l1", "1410.09e2"],
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
        if (isUnknown(nodeGroups)) {
            return undefined;
        }
        if (Array.isArray(nodeGroups) && nodeGroups.length > 0) {
            // A shard without its own replicaCount takes replicasPerNodeGroup, whose default is 0
            // (CreateReplicationGroup: ReplicasPerNodeGroup, NodeGroupConfiguration.ReplicaCount).
            const fallback = knownNumber(perShard) ?? 0;
            const bare = nodeGroups.filter((g) => {
                const own = at(g as Plain, "replicaCount");
                if (isUnknown(own)) {
                    return false;
                }
                return (isMissing(own) ? fallback : (knownNumber(own) ?? fallback)) < 1;
            });
            if (bare.length === 0) {
                return undefined;
            }
            const unset = bare.every((g) => isMissing(at(g as Plain, "replicaCount")));
            return unset
                ? `${bare.length} of ${nodeGroups.length} node groups in nodeGroupConfigurations set no replicaCount and replicasPerNodeGroup is ${isMissing(perShard) ? "not set" : fallback}, so those shards have no replica: set replicaCount (or replicasPerNodeGroup) to 1 or more.`
                : "a node group in nodeGroupConfigurations has replicaCount 0: give every shard at least one replica.";
        }
        if (!isMissing(shards) || !isMissing(perShard) || props.clusterMode === "enabled") {
            const replicas = knownNumber(perShard);
            if (replicas === undefined || replicas < 1) {
                return `cluster mode with ${replicas ?? 0} replicas per shard can neither fail over nor be Multi-AZ: set replicasPerNodeGroup to 1 or more, with automaticFailoverEnabled and multiAzEnabled true.`;
            }
            return undefined;
        }
        const count = knownNumber(nodes) ?? 1;
        return count < 2
            ? `the group has ${count} node${count === 1 ? "" : "s"} and no replica, so it can neither fail over nor be Multi-AZ: set numCacheClusters to 2 or more, with automaticFailoverEnabled and multiAzEnabled true.`
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
