// Engine arguments: engine and version (one set of engine facts in core/engine.ts), node type,
// port, the node layout (replicas or cluster mode) with the per-cluster node quotas, parameters and
// the replication group ID.
import * as pulumi from "@pulumi/pulumi";
import { defaultEngineVersions, defaultRedisPort, Engine } from "../../core/checks";
import {
    engineName,
    engineVersionProblem,
    isDataTieringNodeType,
    isNewerThanKnown,
    maxNodesPerCluster,
    nodeFamily,
    nodeTypeGeneration,
    supports,
} from "../../core/engine";
import { ProblemCollector } from "./problems";

/**
 * Nodes per cluster: 90 by default ("Nodes per cluster per instance type (cluster mode enabled)",
 * Amazon ElastiCache endpoints and quotas, https://docs.aws.amazon.com/general/latest/gr/elasticache-service.html),
 * raisable to at most 500 when the engine is Redis OSS 5.0.6+ or Valkey, 250 below 5.0.6
 * ("Creating a replication group ... (Cluster Mode Enabled) from scratch",
 * https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/Replication.CreatingReplGroup.NoExistingCluster.Cluster.html).
 */
export const defaultNodesPerClusterQuota = 90;
/** Shards per cluster-mode group: 1 to 500 (same page). Replicas per shard or group: up to 5. */
export const maxShards = 500;
export const maxReplicas = 5;

export interface Layout {
    readonly numCacheClusters?: number;
    readonly clusterMode?: { readonly shards: number; readonly replicasPerShard: number };
}

function isInteger(value: unknown): value is number {
    return typeof value === "number" && Number.isInteger(value);
}

/** Records "out of range" unless `value` is undefined or a whole number within [min, max]. */
export function checkRange(
    c: ProblemCollector,
    argument: string,
    value: number | undefined,
    min: number,
    max: number,
): boolean {
    if (value !== undefined && (!isInteger(value) || value < min || value > max)) {
        c.add(
            argument,
            isInteger(value) ? `${value} is out of range` : `${value} is not a whole number`,
            `use a whole number from ${min} to ${max}`,
        );
        return false;
    }
    return true;
}

/**
 * The engine in lower case (the provider accepts any letter case: core/engine.ts `engineKey`), or
 * undefined after recording why it is refused.
 */
export function checkEngine(engine: string, c: ProblemCollector): Engine | undefined {
    const name = engineName(engine);
    if (name === undefined) {
        c.add("engine", `'${engine}' is not supported`, "use 'redis' or 'valkey' (memcached is not HIPAA-ready)");
    }
    return name;
}

/** True when the version text is one the provider accepts for the engine, above the HIPAA floor. */
export function checkEngineVersion(engine: Engine, version: string, c: ProblemCollector): boolean {
    const problem = engineVersionProblem(engine, version);
    if (problem !== undefined) {
        // The shared message is "<what is wrong>; <what to use>".
        const [what, ...fix] = problem.split("; ");
        c.add("engineVersion", what, fix.length > 0 ? fix.join("; ") : `use ${defaultEngineVersions[engine]}`);
        return false;
    }
    if (isNewerThanKnown(engine, version)) {
        c.warn(
            `engineVersion: Valkey ${version} is newer than the versions this component knows (core/engine.ts shippedVersions); check that ElastiCache offers it ("Supported engines and versions").`,
        );
    }
    if (engine === "redis" && !supports(engine, version, "slowLog")) {
        c.warn(
            `engineVersion ${version} is past standard support and cannot deliver slow or engine logs; upgrade to ${defaultEngineVersions.redis}.`,
        );
    }
    return true;
}

/**
 * Node types by "Supported node types" (core/engine.ts): malformed, previous-generation and
 * data-tiering types are refused.
 */
export function checkNodeType(nodeType: string, c: ProblemCollector): void {
    const generation = nodeTypeGeneration(nodeType);
    if (nodeFamily(nodeType) === undefined) {
        c.add(
            "nodeType",
            `'${nodeType}' is not an ElastiCache node type`,
            "use the form cache.<family>.<size>, such as cache.r7g.large",
        );
    } else if (generation === "previous") {
        c.add(
            "nodeType",
            `'${nodeType}' is a previous-generation node type`,
            "use a current generation such as cache.r7g.large or cache.m7g.large",
        );
    } else if (isDataTieringNodeType(nodeType)) {
        // The six-year archive is built from daily S3 exports of the automatic snapshots.
        c.add(
            "nodeType",
            `'${nodeType}' is a data-tiering node type: ElastiCache requires dataTieringEnabled on it and cannot export a data-tiering cluster's backups to S3 ("Exporting a backup"), which the six-year snapshot archive needs`,
            "use a node type without data tiering, such as cache.r7g.large or cache.r6g.large",
        );
    } else if (generation === "unknown") {
        c.warn(
            `nodeType: '${nodeType}' is not a node family this component knows; check that it is a current-generation type on "Supported node types".`,
        );
    }
}

export function checkPort(port: number | undefined, c: ProblemCollector): void {
    checkRange(c, "port", port, 1024, 65535);
    if (port === defaultRedisPort) {
        c.warn(
            `port: ${defaultRedisPort} is the well-known Redis port the guide advises against; choose another port such as 6380.`,
        );
    }
}

/**
 * Replicas or cluster mode, and the nodes they add up to, bounded as AWS bounds them before any
 * node, alarm or placement is computed (500 x 5 shards would be 3,000 nodes and 15,000 alarms).
 */
export function checkLayout(
    args: { replicas?: number; clusterMode?: { shards: number; replicasPerShard: number } },
    engine: Engine,
    version: string,
    defaultReplicas: number,
    c: ProblemCollector,
): Layout {
    if (args.clusterMode !== undefined) {
        if (args.replicas !== undefined) {
            c.add(
                "replicas",
                "set together with clusterMode",
                "set either replicas or clusterMode.replicasPerShard, not both",
            );
        }
        const { shards, replicasPerShard } = args.clusterMode;
        const shardsOk = checkRange(c, "clusterMode.shards", shards, 1, maxShards);
        let replicasOk = false;
        if (replicasPerShard === 0) {
            c.add(
                "clusterMode.replicasPerShard",
                "0 leaves every shard without a replica to fail over to",
                `use 1 to ${maxReplicas}`,
            );
        } else {
            replicasOk = checkRange(c, "clusterMode.replicasPerShard", replicasPerShard, 1, maxReplicas);
        }
        if (shardsOk && replicasOk) {
            const nodes = shards * (replicasPerShard + 1);
            const hardBound = maxNodesPerCluster(engine, version);
            if (nodes > hardBound) {
                c.add(
                    "clusterMode",
                    `${shards} shards x ${replicasPerShard + 1} nodes is ${nodes.toLocaleString("en-US")} nodes; ElastiCache allows at most ${hardBound} per cluster`,
                    `use at most ${Math.floor(hardBound / (replicasPerShard + 1))} shards with ${replicasPerShard} replicas each`,
                );
            } else if (nodes > defaultNodesPerClusterQuota) {
                c.warn(
                    `clusterMode: ${shards} shards x ${replicasPerShard + 1} nodes is ${nodes} nodes, above the default quota of ${defaultNodesPerClusterQuota} nodes per cluster; request an increase of "Nodes per cluster" in Service Quotas (ElastiCache) before deploying.`,
                );
            }
        }
        return { clusterMode: { shards, replicasPerShard } };
    }
    if (args.replicas === 0) {
        c.add("replicas", "0 leaves no replica for Multi-AZ failover", `use 1 to ${maxReplicas}`);
    } else {
        checkRange(c, "replicas", args.replicas, 1, maxReplicas);
    }
    return { numCacheClusters: (args.replicas ?? defaultReplicas) + 1 };
}

export function checkParameters(parameters: Record<string, string>, c: ProblemCollector): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [key, value] of Object.entries(parameters)) {
        if (key === "cluster-enabled") {
            c.add("parameters", "'cluster-enabled' is managed by the component", "use clusterMode instead");
        } else {
            out[key] = value;
        }
    }
    return out;
}

const replicationGroupIdPattern = /^[a-z](?:[a-z0-9]|-(?!-)){0,39}$/;

/** A replication group ID derived from the component name: lowercase, hyphens, at most 40 characters. */
export function deriveReplicationGroupId(name: string): string {
    let id = name
        .toLowerCase()
        .replace(/[^a-z0-9-]+/g, "-")
        .replace(/-+/g, "-")
        .replace(/^[^a-z]+/, "");
    id = id.slice(0, 40).replace(/-+$/, "");
    return id || "hitrust-redis";
}

export function checkReplicationGroupId(id: string, c: ProblemCollector): void {
    if (!replicationGroupIdPattern.test(id) || id.endsWith("-")) {
        c.add(
            "replicationGroupId",
            `'${id}' is not a replication group ID`,
            "use 1 to 40 lowercase letters, digits and single hyphens, starting with a letter and not ending with a hyphen",
        );
    }
}

/**
 * The group's description. CreateReplicationGroup requires `ReplicationGroupDescription`
 * (https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_CreateReplicationGroup.html,
 * "Required: Yes"), and the provider refuses an empty one before AWS sees it (terraform-provider-aws
 * internal/service/elasticache/replication_group.go: `description` is `Required` with
 * `validation.StringIsNotEmpty`). A description of only spaces passes that check but describes
 * nothing, so it is refused too.
 */
export function checkDescription(description: string | undefined, c: ProblemCollector): void {
    if (description !== undefined && description.trim() === "") {
        c.add(
            "description",
            description === "" ? "empty" : "only whitespace",
            "describe the cache in a few words, or omit description for 'HITRUST CSF-ready <engine> for <name>'",
        );
    }
}

/**
 * Replication group IDs claimed by the caches of this program, so that two of them cannot ask
 * ElastiCache for the same ID (the second CreateReplicationGroup would fail with
 * ReplicationGroupAlreadyExists, after the first had been created). IDs are unique per account
 * and Region ("Creating a replication group": "must be unique"); this registry sees only one
 * program, and the program's caches share a provider unless they are given others, so it compares
 * IDs only. A Pulumi program runs in its own process, and so does the component host (one process
 * per deployment); under mocks (tests) each run installs a new monitor, which starts a new registry.
 */
const claimedIds = new WeakMap<object, Map<string, string>>();
const processIds = new Map<string, string>();

function idRegistry(): Map<string, string> | undefined {
    if (!pulumi.runtime.hasMonitor()) {
        return undefined; // no deployment (a plain script or test): nothing is created to collide
    }
    const monitor: unknown = pulumi.runtime.getMonitor();
    if (typeof monitor !== "object" || monitor === null || monitor.constructor?.name !== "MockMonitor") {
        return processIds;
    }
    let ids = claimedIds.get(monitor);
    if (ids === undefined) {
        ids = new Map();
        claimedIds.set(monitor, ids);
    }
    return ids;
}

/**
 * Claims `id` for the component `name`; records a problem when another cache of the program has
 * it (given, or derived from a long name that shortens to the same 40 characters).
 */
export function claimReplicationGroupId(id: string, name: string, given: boolean, c: ProblemCollector): void {
    const ids = idRegistry();
    if (ids === undefined) {
        return;
    }
    // ElastiCache stores the ID in lower case (the provider's StateFunc lower-cases it).
    const key = id.toLowerCase();
    const holder = ids.get(key);
    if (holder !== undefined && holder !== name) {
        c.add(
            "replicationGroupId",
            given
                ? `'${id}' is already the replication group ID of HitrustRedis '${holder}' in this program`
                : `'${id}', derived from the name '${name}', is already the replication group ID of HitrustRedis '${holder}' in this program (IDs are cut to 40 characters)`,
            "give each cache its own replicationGroupId",
        );
        return;
    }
    ids.set(key, name);
}
