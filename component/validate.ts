// Defaults and validation of the component's arguments: plain functions that run before any
// resource is registered, so a bad argument creates nothing.
import {
    authTokenCharacterTypes,
    authTokenProblems,
    complianceEngineFloor,
    compareVersions,
    defaultEngineVersions,
    defaultRedisPort,
    Engine,
    engineLogMinimumVersion,
    slowLogMinimumVersion,
    engineFloor,
    isCidr,
    isInternetCidr,
    maxBackupRetentionDays,
    maximumMaintenanceWindowMinutes,
    minimumWindowMinutes,
    nodeTypeProblem,
    parameterGroupFamily,
    parseMaintenanceWindow,
    parseSnapshotWindow,
    parseVersion,
    rbacMinimumVersion,
    transitModeMinimumVersion,
    versionAtLeast,
    windowsOverlap,
} from "../core/checks";
import { HitrustRedisArgs } from "./args";

export const defaults = {
    engine: "redis" as Engine,
    nodeType: "cache.r7g.large",
    replicas: 2,
    port: 6380,
    snapshotRetentionDays: maxBackupRetentionDays,
    snapshotWindow: "03:00-05:00",
    maintenanceWindow: "sun:05:30-sun:07:00",
    authTokenUpdateStrategy: "ROTATE" as const,
    authTokenLength: 64,
    logRetentionDays: 365,
    archiveRetentionDays: 2190,
    alarms: {
        engineCpuPercent: 80,
        memoryPercent: 80,
        evictions: 100,
        newConnections: 1000,
        replicationLagSeconds: 10,
    },
};

/** The retention values CloudWatch Logs accepts. */
export const cloudWatchRetentionDays = [
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];
export const minimumLogRetentionDays = 90;
/** Six years, the guide's archive period for backups (and well over a year for logs). */
export const minimumArchiveRetentionDays = 2190;

/** The settings the component builds with: every default applied, every value checked. */
export interface Settings {
    readonly replicationGroupId: string;
    readonly engine: Engine;
    readonly engineVersion: string;
    readonly parameterGroupFamily: string;
    readonly nodeType: string;
    readonly port: number;
    /** Nodes in the single shard (primary + replicas); undefined in cluster mode. */
    readonly numCacheClusters?: number;
    readonly clusterMode?: { readonly shards: number; readonly replicasPerShard: number };
    readonly parameters: Record<string, string>;
    readonly transitEncryptionMode?: "required";
    readonly authentication: "token" | "rbac";
    readonly authTokenUpdateStrategy: "ROTATE" | "SET";
    readonly snapshotRetentionDays: number;
    readonly snapshotWindow: string;
    readonly maintenanceWindow: string;
    readonly allowedCidrBlocks: string[];
    /** Log types the engine can deliver (slow-log from 6.0, engine-log from 6.2). */
    readonly logTypes: ("slow-log" | "engine-log")[];
    readonly logRetentionDays: number;
    readonly alarms: Required<NonNullable<HitrustRedisArgs["alarms"]>>;
    /** Node IDs ElastiCache will give the members, which CloudWatch metrics are keyed by. */
    readonly nodeIds: string[];
    readonly archiveRetentionDays: number;
    readonly archiveSchedule: string;
    /** The existing trail to rely on, or undefined to create one. */
    readonly existingTrailName?: string;
}

/** Thrown when arguments are invalid; lists every problem at once. */
export class ValidationError extends Error {
    constructor(
        readonly resourceName: string,
        readonly problems: string[],
    ) {
        super(`HitrustRedis '${resourceName}' has invalid arguments:\n` + problems.map((p) => `  - ${p}`).join("\n"));
        this.name = "ValidationError";
    }
}

function isInteger(value: unknown): value is number {
    return typeof value === "number" && Number.isInteger(value);
}

function checkRange(problems: string[], arg: string, value: number | undefined, min: number, max: number) {
    if (value !== undefined && (!isInteger(value) || value < min || value > max)) {
        problems.push(`${arg}: ${value} is out of range; use a whole number from ${min} to ${max}.`);
    }
}

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

const replicationGroupIdPattern = /^[a-z](?:[a-z0-9]|-(?!-)){0,39}$/;

/** Why a caller-supplied AUTH token is refused, as argument problems (the token is never echoed). */
export function authTokenArgumentProblems(token: string): string[] {
    return authTokenProblems(token).map(
        (p) => `authToken: ${p}; supply a different token or omit authToken to have one generated.`,
    );
}

/**
 * Applies defaults and checks every argument. Returns the settings and the warnings; throws one
 * ValidationError naming each bad argument and its fix.
 */
export function resolveSettings(name: string, args: HitrustRedisArgs): { settings: Settings; warnings: string[] } {
    const problems: string[] = [];
    const warnings: string[] = [];

    if (args === undefined || args === null) {
        throw new ValidationError(name, ["args: missing; pass at least vpcId and subnetIds."]);
    }
    if (args.vpcId === undefined || args.vpcId === "") {
        problems.push("vpcId: missing; pass the ID of the VPC that holds the cache's subnets.");
    }
    // Subnet IDs that are still Outputs cannot be compared yet; the known ones can.
    const knownSubnetIds = Array.isArray(args.subnetIds) ? args.subnetIds.filter((s) => typeof s === "string") : [];
    if (!Array.isArray(args.subnetIds) || args.subnetIds.length < 2) {
        const count = Array.isArray(args.subnetIds) ? args.subnetIds.length : 0;
        problems.push(
            `subnetIds: ${count} subnet${count === 1 ? "" : "s"} given; pass private subnets in at least two availability zones.`,
        );
    } else if (new Set(knownSubnetIds).size !== knownSubnetIds.length) {
        problems.push("subnetIds: the same subnet is listed twice; list each subnet once.");
    }

    const cidrs = args.allowedCidrBlocks ?? [];
    for (const cidr of cidrs) {
        if (typeof cidr !== "string" || !isCidr(cidr)) {
            problems.push(`allowedCidrBlocks: '${cidr}' is not a CIDR block; use the form 10.0.0.0/16.`);
        } else if (isInternetCidr(cidr)) {
            problems.push(
                `allowedCidrBlocks: '${cidr}' admits the whole internet; list the private ranges or security groups of the clients instead.`,
            );
        }
    }
    if (cidrs.length === 0 && (args.allowedSecurityGroupIds ?? []).length === 0) {
        warnings.push(
            "No allowedSecurityGroupIds or allowedCidrBlocks: nothing can reach the cache until a rule is added to its security group.",
        );
    }

    const engine = args.engine ?? defaults.engine;
    if (engine !== "redis" && engine !== "valkey") {
        problems.push(`engine: '${engine}' is not supported; use 'redis' or 'valkey' (memcached is not HIPAA-ready).`);
    }
    const knownEngine: Engine = engine === "valkey" ? "valkey" : "redis";
    const engineVersion = args.engineVersion ?? defaultEngineVersions[knownEngine];
    const parsedVersion = parseVersion(engineVersion);
    let family = "";
    if (!parsedVersion) {
        problems.push(`engineVersion: '${engineVersion}' is not a version; use a version such as '7.1'.`);
    } else {
        const floor = engineFloor(knownEngine);
        if (compareVersions(parsedVersion, parseVersion(floor)!) < 0) {
            problems.push(
                knownEngine === "redis"
                    ? `engineVersion: ${engineVersion} is below ${complianceEngineFloor}, the oldest HIPAA-eligible Redis; use ${defaultEngineVersions.redis} or at least ${complianceEngineFloor}.`
                    : `engineVersion: ${engineVersion} is below ${floor}, the first Valkey on ElastiCache; use ${defaultEngineVersions.valkey}.`,
            );
        } else {
            family = parameterGroupFamily(knownEngine, engineVersion);
            if (knownEngine === "redis" && !versionAtLeast(engineVersion, "6.0")) {
                warnings.push(
                    `engineVersion ${engineVersion} is past standard support and cannot deliver slow or engine logs; upgrade to ${defaultEngineVersions.redis}.`,
                );
            }
        }
    }

    const nodeType = args.nodeType ?? defaults.nodeType;
    const nodeProblem = typeof nodeType === "string" ? nodeTypeProblem(nodeType) : "missing";
    if (nodeProblem) {
        problems.push(`nodeType: ${nodeProblem}.`);
    }

    checkRange(problems, "port", args.port, 1024, 65535);
    const port = args.port ?? defaults.port;
    if (port === defaultRedisPort) {
        warnings.push(
            `port: ${defaultRedisPort} is the well-known Redis port the guide advises against; choose another port such as ${defaults.port}.`,
        );
    }

    let numCacheClusters: number | undefined;
    let clusterMode: Settings["clusterMode"];
    if (args.clusterMode !== undefined) {
        if (args.replicas !== undefined) {
            problems.push("replicas: set either replicas or clusterMode.replicasPerShard, not both.");
        }
        const { shards, replicasPerShard } = args.clusterMode;
        checkRange(problems, "clusterMode.shards", shards, 1, 500);
        if (replicasPerShard === 0) {
            problems.push(
                "clusterMode.replicasPerShard: 0 leaves every shard without a replica to fail over to; use 1 to 5.",
            );
        } else {
            checkRange(problems, "clusterMode.replicasPerShard", replicasPerShard, 1, 5);
        }
        clusterMode = { shards, replicasPerShard };
    } else {
        if (args.replicas === 0) {
            problems.push("replicas: 0 leaves no replica for Multi-AZ failover; use 1 to 5.");
        } else {
            checkRange(problems, "replicas", args.replicas, 1, 5);
        }
        numCacheClusters = (args.replicas ?? defaults.replicas) + 1;
    }

    const parameters: Record<string, string> = {};
    for (const [key, value] of Object.entries(args.parameters ?? {})) {
        if (key === "cluster-enabled") {
            problems.push("parameters: 'cluster-enabled' is managed by the component; use clusterMode instead.");
        } else if (typeof value !== "string") {
            problems.push(`parameters: the value of '${key}' must be a string.`);
        } else {
            parameters[key] = value;
        }
    }
    if (clusterMode) {
        parameters["cluster-enabled"] = "yes";
    }

    const transitEncryptionMode =
        knownEngine === "valkey" || versionAtLeast(engineVersion, transitModeMinimumVersion) ? "required" : undefined;

    if (args.rbac !== undefined && args.authToken !== undefined) {
        problems.push("authToken: set either authToken or rbac, not both.");
    }
    if (typeof args.authToken === "string") {
        problems.push(...authTokenArgumentProblems(args.authToken));
        if (authTokenProblems(args.authToken).length === 0 && authTokenCharacterTypes(args.authToken) < 3) {
            warnings.push(
                "authToken: mixes fewer than three of upper, lower, digits and ! & # $ ^ < > -; AWS recommends three. Omit authToken to have a strong one generated.",
            );
        }
    }
    const strategy = args.authTokenUpdateStrategy ?? defaults.authTokenUpdateStrategy;
    if (strategy !== "ROTATE" && strategy !== "SET") {
        problems.push(
            `authTokenUpdateStrategy: '${strategy}' is not allowed; use 'ROTATE' (default) or 'SET'. DELETE would turn authentication off.`,
        );
    }
    if (args.rbac !== undefined) {
        problems.push(...rbacProblems(args.rbac, knownEngine, engineVersion));
    }

    if (args.snapshotRetentionDays === 0) {
        problems.push("snapshotRetentionDays: 0 turns automatic backups off; use 1 to 35 (35 recommended).");
    } else {
        checkRange(problems, "snapshotRetentionDays", args.snapshotRetentionDays, 1, maxBackupRetentionDays);
    }

    const snapshotWindow = args.snapshotWindow ?? defaults.snapshotWindow;
    const maintenanceWindow = args.maintenanceWindow ?? defaults.maintenanceWindow;
    const snapshot = parseSnapshotWindow(snapshotWindow);
    const maintenance = parseMaintenanceWindow(maintenanceWindow);
    if (!snapshot) {
        problems.push(
            `snapshotWindow: '${snapshotWindow}' is not hh24:mi-hh24:mi (UTC); use for example '03:00-05:00'.`,
        );
    } else if (snapshot.length < minimumWindowMinutes) {
        problems.push(`snapshotWindow: '${snapshotWindow}' is shorter than 60 minutes; widen it to at least an hour.`);
    }
    if (!maintenance) {
        problems.push(
            `maintenanceWindow: '${maintenanceWindow}' is not ddd:hh24:mi-ddd:hh24:mi (UTC); use for example 'sun:05:30-sun:07:00'.`,
        );
    } else if (maintenance.length < minimumWindowMinutes || maintenance.length > maximumMaintenanceWindowMinutes) {
        problems.push(`maintenanceWindow: '${maintenanceWindow}' must last from 60 minutes to 24 hours.`);
    }
    if (snapshot && maintenance && windowsOverlap(snapshot, maintenance)) {
        problems.push(
            `snapshotWindow: '${snapshotWindow}' overlaps maintenanceWindow '${maintenanceWindow}'; move one so that they do not overlap.`,
        );
    }

    if (args.logRetentionDays !== undefined) {
        if (
            !cloudWatchRetentionDays.includes(args.logRetentionDays) ||
            args.logRetentionDays < minimumLogRetentionDays
        ) {
            problems.push(
                `logRetentionDays: ${args.logRetentionDays} is not allowed; use a CloudWatch retention of at least ${minimumLogRetentionDays} days (${cloudWatchRetentionDays.filter((d) => d >= minimumLogRetentionDays).join(", ")}).`,
            );
        }
    }
    const alarmArgs = args.alarms ?? {};
    checkRange(problems, "alarms.engineCpuPercent", alarmArgs.engineCpuPercent, 1, 100);
    checkRange(problems, "alarms.memoryPercent", alarmArgs.memoryPercent, 1, 100);
    checkRange(problems, "alarms.evictions", alarmArgs.evictions, 0, 1_000_000_000);
    checkRange(problems, "alarms.newConnections", alarmArgs.newConnections, 1, 1_000_000_000);
    checkRange(problems, "alarms.replicationLagSeconds", alarmArgs.replicationLagSeconds, 1, 3600);

    checkRange(problems, "archiveRetentionDays", args.archiveRetentionDays, minimumArchiveRetentionDays, 36500);
    if (args.auditTrail !== undefined) {
        const trail = args.auditTrail?.existingTrailName;
        if (typeof trail !== "string" || trail.trim() === "") {
            problems.push(
                "auditTrail.existingTrailName: empty; name the existing (organization) trail, or omit auditTrail to create one.",
            );
        }
    }
    for (const email of args.alertSubscriptions?.emails ?? []) {
        if (typeof email !== "string" || !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) {
            problems.push(
                `alertSubscriptions.emails: '${email}' is not an email address; use the form name@example.org.`,
            );
        }
    }
    for (const url of args.alertSubscriptions?.httpsEndpoints ?? []) {
        if (typeof url !== "string" || !/^https:\/\/[^\s/]+/.test(url)) {
            problems.push(
                `alertSubscriptions.httpsEndpoints: '${url}' is not an https:// URL; alerts must travel over TLS.`,
            );
        }
    }
    let archiveSchedule = args.archiveSchedule;
    if (
        archiveSchedule !== undefined &&
        !/^(cron\(.+\)|rate\(\d+ (minute|minutes|hour|hours|day|days)\))$/.test(archiveSchedule)
    ) {
        problems.push(
            `archiveSchedule: '${archiveSchedule}' is not an EventBridge schedule; use for example 'cron(0 7 * * ? *)' or 'rate(1 day)'.`,
        );
    }
    if (archiveSchedule === undefined && snapshot) {
        // Two hours after the snapshot window ends, so the day's snapshot is there to copy.
        const end = (snapshot.start + snapshot.length + 120) % (24 * 60);
        archiveSchedule = `cron(${end % 60} ${Math.floor(end / 60)} * * ? *)`;
    }

    const replicationGroupId = args.replicationGroupId ?? deriveReplicationGroupId(name);
    if (!replicationGroupIdPattern.test(replicationGroupId) || replicationGroupId.endsWith("-")) {
        problems.push(
            `replicationGroupId: '${replicationGroupId}' must be 1 to 40 lowercase letters, digits and single hyphens, starting with a letter and not ending with a hyphen.`,
        );
    }

    if (problems.length > 0) {
        throw new ValidationError(name, problems);
    }
    return {
        settings: {
            replicationGroupId,
            engine: knownEngine,
            engineVersion,
            parameterGroupFamily: family,
            nodeType,
            port,
            numCacheClusters,
            clusterMode,
            parameters,
            transitEncryptionMode,
            authentication: args.rbac ? "rbac" : "token",
            authTokenUpdateStrategy: strategy,
            snapshotRetentionDays: args.snapshotRetentionDays ?? defaults.snapshotRetentionDays,
            snapshotWindow,
            maintenanceWindow,
            allowedCidrBlocks: cidrs,
            logTypes: [
                ...(knownEngine === "valkey" || versionAtLeast(engineVersion, slowLogMinimumVersion)
                    ? ["slow-log" as const]
                    : []),
                ...(knownEngine === "valkey" || versionAtLeast(engineVersion, engineLogMinimumVersion)
                    ? ["engine-log" as const]
                    : []),
            ],
            logRetentionDays: args.logRetentionDays ?? defaults.logRetentionDays,
            alarms: { ...defaults.alarms, ...alarmArgs },
            nodeIds: nodeIds(replicationGroupId, numCacheClusters, clusterMode),
            archiveRetentionDays: args.archiveRetentionDays ?? defaults.archiveRetentionDays,
            archiveSchedule: archiveSchedule ?? "cron(0 7 * * ? *)",
            existingTrailName: args.auditTrail?.existingTrailName,
        },
        warnings,
    };
}

/** Member IDs as ElastiCache names them: id-001.. without cluster mode, id-0001-001.. with it. */
export function nodeIds(id: string, nodes: number | undefined, clusterMode: Settings["clusterMode"]): string[] {
    const pad = (n: number, width: number) => String(n).padStart(width, "0");
    if (clusterMode) {
        const ids: string[] = [];
        for (let shard = 1; shard <= clusterMode.shards; shard++) {
            for (let node = 1; node <= clusterMode.replicasPerShard + 1; node++) {
                ids.push(`${id}-${pad(shard, 4)}-${pad(node, 3)}`);
            }
        }
        return ids;
    }
    return Array.from({ length: nodes ?? 0 }, (_, i) => `${id}-${pad(i + 1, 3)}`);
}

const userNamePattern = /^[a-zA-Z][a-zA-Z0-9-]{0,39}$/;

function rbacProblems(rbac: HitrustRedisArgs["rbac"], engine: Engine, engineVersion: string): string[] {
    const problems: string[] = [];
    if (engine === "redis" && !versionAtLeast(engineVersion, rbacMinimumVersion)) {
        problems.push(
            `rbac: RBAC needs Redis ${rbacMinimumVersion} or later; raise engineVersion or use an AUTH token.`,
        );
    }
    const users = rbac?.users ?? [];
    if (users.length === 0) {
        problems.push("rbac.users: no users; list at least one user, or drop rbac to use an AUTH token.");
    }
    const seen = new Set<string>();
    users.forEach((user, i) => {
        const arg = `rbac.users[${i}]`;
        if (typeof user.userName !== "string" || !userNamePattern.test(user.userName)) {
            problems.push(
                `${arg}.userName: '${user.userName}' must be 1 to 40 letters, digits and hyphens, starting with a letter.`,
            );
        } else if (user.userName === "default") {
            problems.push(
                `${arg}.userName: 'default' is the open default user, which the component disables; choose another name.`,
            );
        } else if (seen.has(user.userName)) {
            problems.push(`${arg}.userName: '${user.userName}' is listed twice; give each user its own name.`);
        }
        seen.add(user.userName);
        const access = typeof user.accessString === "string" ? user.accessString.trim() : "";
        if (access === "") {
            problems.push(`${arg}.accessString: missing; give the Redis ACL rules, for example 'on ~app:* +@read'.`);
        } else if (/(^|\s)nopass(\s|$)/.test(access)) {
            problems.push(`${arg}.accessString: 'nopass' lets the user in without a password; remove it.`);
        }
        const mode = user.authentication ?? "password";
        if (mode !== "password" && mode !== "iam") {
            problems.push(`${arg}.authentication: '${mode}' is not allowed; use 'password' or 'iam'.`);
        } else if (
            mode === "iam" &&
            typeof user.userName === "string" &&
            user.userName !== user.userName.toLowerCase()
        ) {
            problems.push(
                `${arg}.userName: '${user.userName}' must be lowercase for IAM authentication, whose user ID must equal the user name.`,
            );
        } else if (mode === "iam" && engine === "redis" && !versionAtLeast(engineVersion, "7.0")) {
            problems.push(
                `${arg}.authentication: IAM authentication needs Redis 7.0 or later; use 'password' or raise engineVersion.`,
            );
        }
    });
    return problems;
}

/** Checks the availability zones of the subnets once they are known. */
export function subnetZoneProblems(zones: string[]): string[] {
    const distinct = new Set(zones);
    if (distinct.size < 2) {
        return [
            `subnetIds: all subnets are in ${[...distinct].join(", ") || "no zone"}; pass private subnets in at least two availability zones.`,
        ];
    }
    return [];
}

/**
 * Preferred zones for the nodes of a single-shard group: round-robin over the distinct zones, so
 * the primary and its first replica never share a zone.
 */
export function spreadNodes(zones: string[], nodes: number): string[] {
    const distinct = [...new Set(zones)].sort();
    return Array.from({ length: nodes }, (_, i) => distinct[i % distinct.length]);
}
