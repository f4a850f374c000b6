// Defaults and validation of the component's arguments: plain functions that run before any
// resource is registered, so a bad argument creates nothing. Each concern has its own module; they
// all report into one ProblemCollector, thrown as one ValidationError.
import * as pulumi from "@pulumi/pulumi";
import { defaultEngineVersions, Engine, maxBackupRetentionDays, parameterGroupFamily } from "../../core/checks";
import { supports } from "../../core/engine";
import { ContinuousAuditSettings, HitrustRedisArgs } from "../args";
import { minimumArchiveRetentionDays, checkArchive } from "./archive";
import { servedToOtherLanguages } from "../host";
import { authTokenArgumentProblems, authTokenSecretIdProblem, checkAuth, plainAuthTokenProblem } from "./auth";
import { checkBackups } from "./backups";
import { checkContinuousAudit } from "./continuousAudit";
import { kmsKeyArnProblem, kmsKeyRegionProblem } from "./encryption";
import {
    checkEngine,
    checkEngineVersion,
    checkLayout,
    checkNodeType,
    checkParameters,
    checkPort,
    checkDescription,
    checkReplicationGroupId,
    claimReplicationGroupId,
    deriveReplicationGroupId,
} from "./engine";
import { checkLogging } from "./logging";
import { checkNetwork, idProblem } from "./network";
import { checkLoggingParameters } from "./parameters";
import { formatProblem, ProblemCollector, ValidationError } from "./problems";
import { argumentFields, nameHints } from "./schema";
import { checkObject, isEventual } from "./shape";
import { checkTags } from "./tags";

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
    archiveRetentionDays: minimumArchiveRetentionDays,
    alarms: {
        engineCpuPercent: 80,
        memoryPercent: 80,
        evictions: 100,
        newConnections: 1000,
        replicationLagSeconds: 10,
    },
};

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
    /** The in-account audit (component/continuousAudit.ts); undefined when it is off. */
    readonly continuousAudit?: ContinuousAuditSettings;
}

/**
 * The arguments that may be Pulumi Outputs, each wrapped so that a bad value fails with a
 * ValidationError naming the argument when it resolves (plain values are passed through as they are).
 */
export interface CheckedInputs {
    readonly vpcId: pulumi.Input<string>;
    readonly subnetIds: pulumi.Input<string>[];
    readonly allowedSecurityGroupIds: pulumi.Input<string>[];
    readonly kmsKeyArn?: pulumi.Input<string>;
    /** From another language, an Output that is not secret fails when it resolves (plain values are refused up front). */
    readonly authToken?: pulumi.Input<string>;
    readonly authTokenSecret?: pulumi.Input<string>;
}

/** `value` itself when plain; when an Output, one that throws `check`'s problems on resolve. */
export function checkOnResolve<T>(
    resourceName: string,
    value: pulumi.Input<T>,
    check: (resolved: unknown) => string[],
): pulumi.Input<T> {
    if (!isEventual(value)) {
        return value;
    }
    return pulumi.output(value).apply((resolved) => {
        const problems = check(resolved);
        if (problems.length > 0) {
            throw new ValidationError(resourceName, problems);
        }
        return resolved as pulumi.Unwrap<T>;
    }) as pulumi.Input<T>;
}

function idCheck(argument: string, prefix: string, what: string, fix?: string): (v: unknown) => string[] {
    return (v) => {
        const p = idProblem(v, prefix, what);
        return p ? [formatProblem({ argument, problem: p.problem, fix: fix ?? p.fix })] : [];
    };
}

/**
 * `value` itself when plain; when an Output, one that fails with `problem` on resolve unless it is
 * marked secret. Secret-ness is known even while the value is not (preview), so this refuses in preview too.
 */
export function secretOnResolve<T>(resourceName: string, value: pulumi.Input<T>, problem: string): pulumi.Input<T> {
    if (!isEventual(value)) {
        return value;
    }
    const supplied = pulumi.output(value);
    return pulumi.output(pulumi.isSecret(supplied)).apply((secret) => {
        if (!secret) {
            throw new ValidationError(resourceName, [problem]);
        }
        return supplied;
    }) as pulumi.Input<T>;
}

function checkedInputs(name: string, args: HitrustRedisArgs, fromOtherLanguage: boolean): CheckedInputs {
    const token =
        args.authToken === undefined ? undefined : checkOnResolve(name, args.authToken, authTokenArgumentProblems);
    const kms = args.kmsKeyArn;
    return {
        vpcId: checkOnResolve(
            name,
            args.vpcId,
            idCheck("vpcId", "vpc-", "VPC", "pass the ID of the VPC that holds the cache's subnets"),
        ),
        subnetIds: (args.subnetIds ?? []).map((id, i) =>
            checkOnResolve(name, id, idCheck(`subnetIds[${i}]`, "subnet-", "subnet")),
        ),
        allowedSecurityGroupIds: (args.allowedSecurityGroupIds ?? []).map((id, i) =>
            checkOnResolve(name, id, idCheck(`allowedSecurityGroupIds[${i}]`, "sg-", "security group")),
        ),
        kmsKeyArn:
            kms === undefined
                ? undefined
                : checkOnResolve(name, kms, (v) => {
                      const p = kmsKeyArnProblem(v);
                      return p ? [formatProblem({ argument: "kmsKeyArn", ...p })] : [];
                  }),
        authToken:
            token !== undefined && fromOtherLanguage
                ? secretOnResolve(name, token, formatProblem(plainAuthTokenProblem))
                : token,
        authTokenSecret:
            args.authTokenSecret === undefined
                ? undefined
                : checkOnResolve(name, args.authTokenSecret, (v) => {
                      const p = authTokenSecretIdProblem(v);
                      return p ? [formatProblem({ argument: "authTokenSecret", ...p })] : [];
                  }),
    };
}

export interface ResolveOptions {
    /**
     * The arguments come from a program in another language through the component host, where a
     * credential must arrive marked secret. Defaults to whether this process is that host (../host.ts).
     */
    readonly fromOtherLanguage?: boolean;
    /**
     * The Region the stack deploys to when it is known before deploying (component/configRules.ts
     * `knownDeployRegion`); a key ARN of another Region is then refused up front. Otherwise the
     * component checks the key against the provider's Region when it resolves.
     */
    readonly region?: string;
    /**
     * Claim the replication group ID in the program's registry (component/validation/engine.ts),
     * refusing one another cache of the program holds. The component does; plain calls (tests of
     * the settings) do not.
     */
    readonly claimReplicationGroupId?: boolean;
}

/**
 * Applies defaults and checks every argument: first its run-time type (and that its name exists),
 * then each concern's rules and AWS's quotas. Returns the settings, the warnings, and the arguments
 * that may still be Outputs wrapped to be checked when they resolve; throws one ValidationError
 * naming each bad argument and its fix.
 */
export function resolveSettings(
    name: string,
    rawArgs: HitrustRedisArgs,
    options: ResolveOptions = {},
): { settings: Settings; warnings: string[]; inputs: CheckedInputs } {
    const fromOtherLanguage = options.fromOtherLanguage ?? servedToOtherLanguages();
    const c = new ProblemCollector();
    if (rawArgs === undefined || rawArgs === null) {
        throw new ValidationError(name, ["args: missing; pass at least vpcId and subnetIds."]);
    }
    if (typeof rawArgs !== "object" || Array.isArray(rawArgs) || isEventual(rawArgs)) {
        throw new ValidationError(name, [
            "args: not an object of arguments; pass { vpcId, subnetIds, ... } as a plain object.",
        ]);
    }
    // From here on every value has the type its interface promises; ill-typed ones are dropped
    // (and reported), so no later check can crash on them.
    const args = checkObject(
        rawArgs as unknown as Record<string, unknown>,
        argumentFields,
        "",
        c,
        nameHints,
    ) as unknown as HitrustRedisArgs;

    checkNetwork(
        {
            vpcId: args.vpcId,
            subnetIds: args.subnetIds,
            allowedSecurityGroupIds: args.allowedSecurityGroupIds,
            allowedCidrBlocks: args.allowedCidrBlocks,
        },
        c,
    );

    const engine = checkEngine(args.engine ?? defaults.engine, c) ?? "redis";
    const engineVersion = args.engineVersion ?? defaultEngineVersions[engine];
    const versionOk = checkEngineVersion(engine, engineVersion, c);
    checkNodeType(args.nodeType ?? defaults.nodeType, c);
    checkPort(args.port, c);
    const layout = checkLayout(args, engine, engineVersion, defaults.replicas, c);
    const parameters = checkParameters(args.parameters ?? {}, c);
    checkLoggingParameters(parameters, c);
    if (layout.clusterMode) {
        parameters["cluster-enabled"] = "yes";
    }

    if (args.kmsKeyArn !== undefined && !isEventual(args.kmsKeyArn)) {
        const p =
            kmsKeyArnProblem(args.kmsKeyArn) ??
            (options.region === undefined ? undefined : kmsKeyRegionProblem(args.kmsKeyArn, options.region));
        if (p) {
            c.add("kmsKeyArn", p.problem, p.fix);
        }
    }
    const { strategy } = checkAuth(args, engine, engineVersion, defaults.authTokenUpdateStrategy, c, fromOtherLanguage);

    const snapshotWindow = args.snapshotWindow ?? defaults.snapshotWindow;
    const maintenanceWindow = args.maintenanceWindow ?? defaults.maintenanceWindow;
    const { snapshot } = checkBackups(args, snapshotWindow, maintenanceWindow, c);
    const { alarms } = checkLogging(args, c);
    const archive = checkArchive(args, snapshot, c);
    const continuousAudit = checkContinuousAudit(args, snapshot, options.region, c);

    const replicationGroupId = args.replicationGroupId ?? deriveReplicationGroupId(name);
    checkReplicationGroupId(replicationGroupId, c);
    checkDescription(args.description, c);
    checkTags(args.tags ?? {}, c);
    // Claimed only by a cache that is otherwise valid: one refused for other reasons creates nothing.
    if (options.claimReplicationGroupId && c.problems.length === 0) {
        claimReplicationGroupId(replicationGroupId, name, args.replicationGroupId !== undefined, c);
    }

    c.throwIfAny(name);
    const family = versionOk ? parameterGroupFamily(engine, engineVersion) : "";
    return {
        settings: {
            replicationGroupId,
            engine,
            engineVersion,
            parameterGroupFamily: family,
            nodeType: args.nodeType ?? defaults.nodeType,
            port: args.port ?? defaults.port,
            numCacheClusters: layout.numCacheClusters,
            clusterMode: layout.clusterMode,
            parameters,
            transitEncryptionMode: supports(engine, engineVersion, "transitEncryptionMode") ? "required" : undefined,
            authentication: args.rbac ? "rbac" : "token",
            authTokenUpdateStrategy: strategy,
            snapshotRetentionDays: args.snapshotRetentionDays ?? defaults.snapshotRetentionDays,
            snapshotWindow,
            maintenanceWindow,
            allowedCidrBlocks: args.allowedCidrBlocks ?? [],
            logTypes: [
                ...(supports(engine, engineVersion, "slowLog") ? ["slow-log" as const] : []),
                ...(supports(engine, engineVersion, "engineLog") ? ["engine-log" as const] : []),
            ],
            logRetentionDays: args.logRetentionDays ?? defaults.logRetentionDays,
            alarms: { ...defaults.alarms, ...alarms },
            nodeIds: nodeIds(replicationGroupId, layout.numCacheClusters, layout.clusterMode),
            archiveRetentionDays: args.archiveRetentionDays ?? defaults.archiveRetentionDays,
            archiveSchedule: archive.archiveSchedule,
            existingTrailName: archive.existingTrailName,
            ...(continuousAudit ? { continuousAudit } : {}),
        },
        warnings: c.warnings,
        inputs: checkedInputs(name, args, fromOtherLanguage),
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
 * Checks that every subnet is in `vpcId` once both are known. The cache's security group is
 * created in `vpcId`, and "you can assign a security group only to resources created in the same
 * VPC as the security group" ("Security group basics", Amazon VPC User Guide,
 * https://docs.aws.amazon.com/vpc/latest/userguide/vpc-security-groups.html#security-group-basics),
 * so a subnet of another VPC fails the replication group only after the subnet group and the
 * security group exist. A subnet whose VPC the lookup did not return is not judged.
 */
export function subnetVpcProblems(subnets: readonly { id: string; vpcId?: string }[], vpcId: string): string[] {
    return subnets.flatMap((subnet, i) =>
        typeof subnet.vpcId === "string" && subnet.vpcId !== "" && subnet.vpcId !== vpcId
            ? [
                  formatProblem({
                      argument: `subnetIds[${i}]`,
                      problem: `'${subnet.id}' is in ${subnet.vpcId}, not in vpcId ${vpcId}`,
                      fix: `pass subnets of ${vpcId}, or the vpcId of the subnets`,
                  }),
              ]
            : [],
    );
}

/**
 * Preferred zones for the nodes of a single-shard group: round-robin over the distinct zones, so
 * the primary and its first replica never share a zone.
 */
export function spreadNodes(zones: string[], nodes: number): string[] {
    const distinct = [...new Set(zones)].sort();
    return Array.from({ length: nodes }, (_, i) => distinct[i % distinct.length]);
}
