// Engine facts as data: which engine version supports which feature, which version text each
// engine accepts, and which node families are current. The component, the policy pack and the
// report ask these functions and never compare versions themselves, so they cannot disagree.

/** A feature whose availability depends on the engine and its version. */
export type EngineFeature = "slowLog" | "engineLog" | "rbac" | "iamAuth" | "transitEncryptionMode";

/** The engines this toolkit deploys; ElastiCache's `Engine` values (Memcached is out of scope). */
export const engines = ["redis", "valkey"] as const;
export type EngineName = (typeof engines)[number];

/** The oldest Redis OSS version AWS names HIPAA-eligible (ElastiCache "Compliance validation" page). */
export const hipaaRedisFloor = "4.0.10";
/** Valkey's first ElastiCache release; every Valkey version is HIPAA-eligible and supports every feature below. */
export const firstValkeyVersion = "7.2";

/**
 * The oldest version of each engine that supports each feature. Sources:
 * - slowLog, engineLog: "Log delivery" (https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/Log_Delivery.html):
 *   "Slow Log is supported for Valkey 7.x and above, and Redis OSS ... 6.0 onward. Engine Log is supported for
 *   Valkey 7.x and above, and Redis OSS ... 6.2 onward."
 * - rbac: "Role-Based Access Control (RBAC)" (https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/Clusters.RBAC.html):
 *   user groups need Redis OSS 6.0 or later (and any Valkey).
 * - iamAuth: "Authenticating with IAM" (https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/auth-iam.html):
 *   "when your cache is configured to use Valkey or Redis OSS version 7 or above".
 * - transitEncryptionMode: "Enabling in-transit encryption"
 *   (https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/in-transit-encryption-enable.html) and the
 *   CreateReplicationGroup `TransitEncryptionMode` parameter: the preferred/required mode arrived with
 *   Redis OSS 7.0.5 (online TLS migration) and is on every Valkey.
 */
export const featureMinimumVersions: Readonly<Record<EngineFeature, Readonly<Record<EngineName, string>>>> = {
    slowLog: { redis: "6.0", valkey: firstValkeyVersion },
    engineLog: { redis: "6.2", valkey: firstValkeyVersion },
    rbac: { redis: "6.0", valkey: firstValkeyVersion },
    iamAuth: { redis: "7.0", valkey: firstValkeyVersion },
    transitEncryptionMode: { redis: "7.0.5", valkey: firstValkeyVersion },
};

/** How a feature is named in messages. */
export const featureNames: Readonly<Record<EngineFeature, string>> = {
    slowLog: "slow-log delivery",
    engineLog: "engine-log delivery",
    rbac: "RBAC user groups",
    iamAuth: "IAM authentication",
    transitEncryptionMode: "transitEncryptionMode",
};

export interface ParsedVersion {
    readonly parts: readonly number[];
    /** True for "6.x", which ElastiCache reads as the newest 6. */
    readonly wildcard: boolean;
}

/**
 * Parses "7.1", "4.0.10", "6.x" or "7.2.4"; undefined for anything else (including non-strings).
 * The answer is frozen and kept per text: the pack asks for the same few versions on every
 * resource (bounded, should a caller vary them).
 */
export function parseEngineVersion(text: unknown): ParsedVersion | undefined {
    if (typeof text !== "string") {
        return undefined;
    }
    if (parsedVersions.has(text)) {
        return parsedVersions.get(text);
    }
    const parsed = parseVersionText(text);
    if (parsedVersions.size < 1000) {
        parsedVersions.set(text, parsed);
    }
    return parsed;
}

const parsedVersions = new Map<string, ParsedVersion | undefined>();

function parseVersionText(text: string): ParsedVersion | undefined {
    const match = /^(\d+)(?:\.(\d+|x))?(?:\.(\d+))?$/.exec(text.trim());
    if (!match || (match[2] === "x" && match[3] !== undefined)) {
        return undefined;
    }
    const wildcard = match[2] === "x";
    const parts = [Number(match[1])];
    if (match[2] !== undefined && !wildcard) {
        parts.push(Number(match[2]));
    }
    if (match[3] !== undefined) {
        parts.push(Number(match[3]));
    }
    return Object.freeze({ parts: Object.freeze(parts), wildcard });
}

/**
 * Compares numerically, part by part; missing parts count as 0 ("4.0" = "4.0.0"), so "4.0.9" <
 * "4.0.10" and "10.0" > "9.9". A "6.x" compares as 6.9999: the newest 6.
 */
export function compareEngineVersions(a: ParsedVersion, b: ParsedVersion): number {
    for (let i = 0; i < 3; i++) {
        const pa = partOf(a, i);
        const pb = partOf(b, i);
        if (pa !== pb) {
            return pa < pb ? -1 : 1;
        }
    }
    return 0;
}

/** Part `i` of a version, a missing part being 0, or 9999 after a wildcard. */
function partOf(v: ParsedVersion, i: number): number {
    return i < v.parts.length ? v.parts[i] : v.wildcard ? 9999 : 0;
}

/** True when both parse and `version` >= `minimum`. */
export function versionAtLeast(version: unknown, minimum: string): boolean {
    const v = parseEngineVersion(version);
    const m = parseEngineVersion(minimum);
    return v !== undefined && m !== undefined && compareEngineVersions(v, m) >= 0;
}

/**
 * The engine as AWS reads it, in lower case: the provider validates `engine` without regard to
 * letter case (terraform-provider-aws internal/service/elasticache/replication_group.go,
 * `validation.StringInSlice([]string{engineRedis, engineValkey}, true)`, the `true` being
 * ignoreCase) and passes the text on to CreateReplicationGroup's `Engine`
 * (https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_CreateReplicationGroup.html),
 * so `"Redis"` and `"VALKEY"` reach a stack and an analyzer as written. Undefined for a non-string.
 */
export function engineKey(engine: unknown): string | undefined {
    if (typeof engine !== "string") {
        return undefined;
    }
    // The common spellings need no new string.
    return engine === "redis" || engine === "valkey" || engine === "memcached" ? engine : engine.toLowerCase();
}

/** The engine, in any letter case, as one this toolkit deploys; undefined for anything else. */
export function engineName(engine: unknown): EngineName | undefined {
    const key = engineKey(engine);
    return key === "redis" || key === "valkey" ? key : undefined;
}

/**
 * Whether `engine` at `version` supports `feature`. False when the engine is not redis/valkey or
 * the version does not parse, so a caller can never enable a feature on a guess.
 */
export function supports(engine: string, version: string, feature: EngineFeature): boolean {
    const name = engineName(engine);
    return name !== undefined && versionAtLeast(version, featureMinimumVersions[feature][name]);
}

/** The oldest version of an engine with a feature, for messages ("needs Redis 6.2 or later"). */
export function featureMinimum(engine: EngineName, feature: EngineFeature): string {
    return featureMinimumVersions[feature][engine];
}

/**
 * The version text the provider and ElastiCache accept, per the @pulumi/aws `ReplicationGroup.engineVersion`
 * doc (https://www.pulumi.com/registry/packages/aws/api-docs/elasticache/replicationgroup/#engineversion_nodejs):
 * "If the version is 7 or higher, the major and minor version should be set, e.g., 7.2. If the version is 6,
 * the major and minor version can be set, e.g., 6.2, or the minor version can be unspecified ..., e.g., 6.x.
 * Otherwise, specify the full version desired, e.g., 5.0.6." Valkey versions are major.minor (7.2, 8.0, 8.1).
 */
export const versionForms: readonly { readonly engine: EngineName; readonly pattern: RegExp; readonly form: string }[] =
    [
        { engine: "redis", pattern: /^[1-5]\.\d+\.\d+$/, form: "the full version for Redis 4 and 5, such as '5.0.6'" },
        { engine: "redis", pattern: /^6\.(\d+|x)$/, form: "'6.x', '6.0' or '6.2' for Redis 6" },
        {
            engine: "redis",
            pattern: /^([7-9]|[1-9]\d+)\.\d+$/,
            form: "major.minor for Redis 7 and later, such as '7.1'",
        },
        { engine: "valkey", pattern: /^([7-9]|[1-9]\d+)\.\d+$/, form: "major.minor for Valkey, such as '8.0'" },
    ];

/**
 * Why the provider or ElastiCache would refuse `version` for `engine`, or why it is below the HIPAA
 * floor; undefined when the text is accepted. The message says which form to use.
 */
export function engineVersionProblem(engine: string, version: string): string | undefined {
    // A pure function of two short texts, asked for every replication group the pack analyzes:
    // answered once per pair (a few pairs per program; bounded, should a caller vary them).
    if (typeof engine !== "string" || typeof version !== "string") {
        return versionProblem(engine, version);
    }
    const key = `${engine}\n${version}`;
    if (versionProblems.has(key)) {
        return versionProblems.get(key);
    }
    const problem = versionProblem(engine, version);
    if (versionProblems.size < 1000) {
        versionProblems.set(key, problem);
    }
    return problem;
}

const versionProblems = new Map<string, string | undefined>();

function versionProblem(engine: string, version: string): string | undefined {
    const name = engineName(engine);
    if (name === undefined) {
        return `engine '${String(engine)}' is not supported; use 'redis' or 'valkey'`;
    }
    if (typeof version !== "string" || parseEngineVersion(version) === undefined) {
        return `'${String(version)}' is not a ${name} engine version; use ${formsOf(name)}`;
    }
    const text = version;
    if (!versionForms.some((f) => f.engine === name && f.pattern.test(text))) {
        return `'${text}' is not a version text the provider accepts for ${name}; use ${formsOf(name)}`;
    }
    const floor = name === "valkey" ? firstValkeyVersion : hipaaRedisFloor;
    if (!versionAtLeast(text, floor)) {
        return name === "valkey"
            ? `Valkey '${text}' does not exist on ElastiCache; Valkey starts at ${firstValkeyVersion}`
            : `Redis '${text}' is below ${hipaaRedisFloor}, the oldest HIPAA-eligible Redis OSS; use 7.1 or Valkey`;
    }
    if (!isShippedVersion(name, text) && !isNewerThanKnown(name, text)) {
        return name === "redis"
            ? `ElastiCache never shipped Redis OSS '${text}'; use one of ${shippedVersions.redis.join(", ")}, or engine 'valkey' (Valkey 7.2 followed Redis OSS 7.1)`
            : `ElastiCache never shipped Valkey '${text}'; use one of ${shippedVersions.valkey.join(", ")}`;
    }
    return undefined;
}

/**
 * The engine versions ElastiCache offers for node-based clusters, as CreateReplicationGroup's
 * `EngineVersion` takes them. "Supported engines and versions"
 * (https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/supported-engine-versions.html) and
 * "Engine versions and upgrading in ElastiCache"
 * (https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/engine-versions.html):
 * - Redis OSS: 7.1, 7.0, 6.2, 6.0, 5.0.6, 5.0.5, 5.0.4, 5.0.3, 5.0.0, 4.0.10 (and the end-of-life
 *   3.x and 2.x, below the HIPAA floor). "ElastiCache ... support[s] all Redis OSS 7.1 and earlier
 *   versions": there is no Redis OSS 7.2 or 8 on ElastiCache; what followed 7.1 is Valkey 7.2, "compatible
 *   with Redis OSS 7.2". From 6.0 on, "ElastiCache will offer a single version for each minor release"
 *   (Upgrade considerations), so a Redis 6 or 7 version is major.minor; "6.x" is the provider's name for
 *   the newest 6 (@pulumi/aws `ReplicationGroup.engineVersion`).
 * - Valkey: 7.2, 8.0, 8.1, 8.2, 9.0, 9.1.
 * The Redis OSS line is closed, so a version not listed is refused. A Valkey version newer than the
 * newest listed may have been released since this table was written: it is not refused here
 * (`isNewerThanKnown`), and the component warns about it.
 */
export const shippedVersions: Readonly<Record<EngineName, readonly string[]>> = {
    redis: ["4.0.10", "5.0.0", "5.0.3", "5.0.4", "5.0.5", "5.0.6", "6.0", "6.2", "6.x", "7.0", "7.1"],
    valkey: ["7.2", "8.0", "8.1", "8.2", "9.0", "9.1"],
};

function isShippedVersion(engine: EngineName, version: string): boolean {
    // As written: ElastiCache takes "7.1", not "7.01".
    return shippedVersions[engine].includes(version);
}

/** True for a Valkey version above every version in `shippedVersions` (one released since); never for Redis OSS. */
export function isNewerThanKnown(engine: EngineName, version: string): boolean {
    const v = parseEngineVersion(version);
    if (engine !== "valkey" || v === undefined) {
        return false;
    }
    return shippedVersions.valkey.every((known) => compareEngineVersions(parseEngineVersion(known)!, v) < 0);
}

function formsOf(engine: EngineName): string {
    return versionForms
        .filter((f) => f.engine === engine)
        .map((f) => f.form)
        .join(", or ");
}

/**
 * Node families by generation, from "Supported node types"
 * (https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/CacheNodes.SupportedTypes.html), section
 * "Current generation (Valkey or Redis OSS)" and "Previous generation". The page's note: "Amazon ElastiCache is
 * transitioning T2 instances to previous generation status. You will no longer be able to create new
 * ElastiCache clusters using T2 instances", so T2 is listed as previous generation here.
 */
export const currentGenerationNodeFamilies: readonly string[] = [
    "m7g",
    "m6g",
    "m5",
    "m4",
    "t4g",
    "t3",
    "r7g",
    "r6g",
    "r6gd",
    "r5",
    "r4",
    "c7gn",
];
export const previousGenerationNodeFamilies: readonly string[] = ["t2", "t1", "m1", "m2", "m3", "c1", "r3"];

/**
 * Node families whose clusters tier data between memory and SSD. "Data tiering in ElastiCache"
 * (https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/data-tiering.html): replication groups
 * "that use a node type from the r6gd family have their data tiered"; the API's
 * `ReplicationGroup.DataTiering`: "This parameter must be set to true when using r6gd nodes". And
 * "Exporting a backup" (https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/backups-exporting.html):
 * "Exporting a backup to Amazon S3 is not supported for clusters using data tiering."
 */
export const dataTieringNodeFamilies: readonly string[] = ["r6gd"];

/** True when the node type's family always tiers data to SSD (and so cannot export backups to S3). */
export function isDataTieringNodeType(nodeType: string): boolean {
    const family = nodeFamily(nodeType);
    return family !== undefined && dataTieringNodeFamilies.includes(family);
}

/** The node type's family ("r7g" for cache.r7g.large), or undefined when it is not of the form cache.<family>.<size>. */
export function nodeFamily(nodeType: string): string | undefined {
    if (typeof nodeType !== "string") {
        return undefined;
    }
    const match = /^cache\.([a-z]+\d+[a-z]*)\.([a-z0-9]+)$/.exec(nodeType);
    return match ? match[1] : undefined;
}

/**
 * "current" or "previous" per the Supported node types page; "unknown" for a malformed type or a
 * family the page did not list when this table was written (a newer family, most likely).
 */
export function nodeTypeGeneration(nodeType: string): "current" | "previous" | "unknown" {
    const family = nodeFamily(nodeType);
    if (family === undefined) {
        return "unknown";
    }
    if (currentGenerationNodeFamilies.includes(family)) {
        return "current";
    }
    return previousGenerationNodeFamilies.includes(family) ? "previous" : "unknown";
}

/**
 * The most nodes (and shards) one cluster can have once the quota is raised: "The node or shard
 * limit can be increased to a maximum of 500 per cluster if the engine version is Valkey 7.2 and
 * higher or Redis OSS 5.0.6 and higher ... For versions below 5.0.6, the limit is 250 per cluster"
 * ("Managing clusters in ElastiCache", https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/Clusters.html).
 * The default quota is 90 nodes per cluster. An unparseable version gets the lower bound.
 */
export const nodesPerClusterLimits = { raised: 500, before: 250, from: { redis: "5.0.6", valkey: "7.2" } } as const;

export function maxNodesPerCluster(engine: string, version: string): number {
    const name = engineName(engine);
    return name !== undefined && versionAtLeast(version, nodesPerClusterLimits.from[name])
        ? nodesPerClusterLimits.raised
        : nodesPerClusterLimits.before;
}
