// The component's public types. They are also the schema other Pulumi languages see: the
// multi-language host (@pulumi/pulumi/provider/experimental) infers it from these declarations,
// so enums are `as const` objects, object types are named interfaces, and every description
// says what happens when the argument is left out (the schema carries no other default).
import * as pulumi from "@pulumi/pulumi";

/** The cache engine. */
export const Engine = {
    /** Redis OSS. */
    Redis: "redis",
    /** Valkey, the open-source fork of Redis OSS 7.2. */
    Valkey: "valkey",
} as const;
export type Engine = (typeof Engine)[keyof typeof Engine];

/** How ElastiCache applies a changed AUTH token. `DELETE` would turn authentication off, so it is not offered. */
export const AuthTokenUpdateStrategy = {
    /** Old and new token are both accepted until the next change. */
    Rotate: "ROTATE",
    /** Only the new token is accepted. */
    Set: "SET",
} as const;
export type AuthTokenUpdateStrategy = (typeof AuthTokenUpdateStrategy)[keyof typeof AuthTokenUpdateStrategy];

/** How an RBAC user authenticates. */
export const RbacAuthentication = {
    /** A password the component generates, keeps as a Pulumi secret and stores in Secrets Manager. */
    Password: "password",
    /** IAM authentication (engine 7.0+); the user name must equal the user ID. */
    Iam: "iam",
} as const;
export type RbacAuthentication = (typeof RbacAuthentication)[keyof typeof RbacAuthentication];

/** A user of RBAC authentication. */
export interface RbacUser {
    /** The Redis user name clients log in with. Must not be `default` (the component disables that one). */
    userName: string;
    /**
     * The Redis ACL access string, for example `on ~app:* +@read +@write -@dangerous`. Must be rules
     * Redis accepts, separated by plain spaces, without `nopass`, passwords, `reset` or ElastiCache's
     * restricted commands, and must not grant `rbac.dangerousCommands`.
     * See https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/Clusters.RBAC.html
     */
    accessString: string;
    /**
     * `password` or `iam`. Defaults to `password`: the component generates a password, keeps it as a
     * Pulumi secret and stores it in Secrets Manager. With `iam` (engine 7.0+) the user name must equal the user ID.
     */
    authentication?: RbacAuthentication;
}

/** RBAC authentication instead of a single AUTH token. */
export interface Rbac {
    /** One or more users; the open `default` user is replaced by a disabled one. */
    users: RbacUser[];
    /**
     * Commands (`flushall`), subcommands (`client|kill`) and categories (`@dangerous`) no enabled user
     * may be granted, as the policy pack's `aws-elasticache-user-disallow-dangerous-commands` config.
     * Defaults to the pack's default: FLUSHALL, FLUSHDB, SWAPDB, KEYS, MONITOR and CLIENT KILL.
     */
    dangerousCommands?: string[];
}

/** Cluster mode (sharding). Without it the group has one shard with `replicas` replicas. */
export interface ClusterMode {
    /** Number of shards (node groups), 1 to 500. */
    shards: number;
    /** Replicas in each shard, 1 to 5: a shard without a replica cannot fail over. */
    replicasPerShard: number;
}

/** Thresholds of the CloudWatch alarms on every node. */
export interface AlarmThresholds {
    /** Engine CPU percent, 1 to 100. Defaults to 80. */
    engineCpuPercent?: number;
    /** Memory used, percent of maxmemory, 1 to 100. Defaults to 80. */
    memoryPercent?: number;
    /** Evicted keys in 5 minutes, 0 or more. Defaults to 100. */
    evictions?: number;
    /** New connections in 5 minutes (a spike signals misuse), 1 or more. Defaults to 1000. */
    newConnections?: number;
    /** Replication lag in seconds, 1 to 3600. Defaults to 10. */
    replicationLagSeconds?: number;
}

/** An existing CloudTrail trail to rely on instead of a new one. */
export interface AuditTrail {
    /** The name of the existing (for example organization) trail that records the cache's API actions. */
    existingTrailName: string;
}

/** Who receives the event topic's alerts. */
export interface AlertSubscriptions {
    /** Email addresses; each must confirm the subscription. Defaults to none. */
    emails?: string[];
    /** HTTPS endpoints; each must confirm the subscription. Defaults to none. */
    httpsEndpoints?: string[];
}

/**
 * The in-account audit: the same checks as `npm run audit`, run by a scheduled Lambda function with its
 * own read-only role, writing a dated report to the archive bucket, HITRUST findings to Security Hub and
 * a metric per control to CloudWatch. It audits every ElastiCache resource of the account in its
 * Regions, not only this stack's: turn it on in one stack per account.
 */
export interface ContinuousAudit {
    /** Deploy the audit function. Defaults to true when `continuousAudit` is given; pass false to remove it. */
    enabled?: boolean;
    /**
     * When the audit runs, as an EventBridge `cron(...)` or `rate(...)` expression that runs at least once a
     * day and at most once an hour. Defaults to daily, three hours after the snapshot window ends (after the
     * day's backup and its archive run).
     * See https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-scheduled-rule-pattern.html
     */
    schedule?: string;
    /** The Regions audited, as Region codes such as `us-east-1`, of the stack's partition. Defaults to the stack's Region. */
    regions?: string[];
    /**
     * Send the findings to Security Hub in each audited Region (a Region where Security Hub is not enabled is
     * a warning of the run, not a failure). Defaults to true.
     */
    securityHub?: boolean;
}

export interface HitrustRedisArgs {
    /** The VPC the cache's security group lives in. Required. */
    vpcId: pulumi.Input<string>;
    /**
     * Private subnets for the cache's own subnet group, in at least two availability zones. Required.
     * The component looks the subnets up to learn their zones and spreads the nodes over them.
     */
    subnetIds: pulumi.Input<string>[];
    /** Security groups whose members may connect on the cache port. Defaults to none. */
    allowedSecurityGroupIds?: pulumi.Input<string>[];
    /**
     * Private CIDR blocks that may connect on the cache port. `0.0.0.0/0` and `::/0` are refused.
     * Defaults to none.
     */
    allowedCidrBlocks?: string[];

    /** `redis` or `valkey`. Defaults to `redis`. */
    engine?: Engine;
    /**
     * Engine version. Defaults to the current version of the engine (Redis 7.1, Valkey 8.0).
     * Redis below 4.0.10 is not HIPAA-eligible and is refused.
     */
    engineVersion?: string;
    /**
     * Node type. Defaults to `cache.r7g.large`. Previous-generation types are refused, and so is the
     * data-tiering r6gd family: ElastiCache cannot export its backups to S3, which the archive needs.
     */
    nodeType?: string;
    /** Replicas of the primary (without cluster mode), 1 to 5. Defaults to 2. */
    replicas?: number;
    /** Cluster mode: shards x replicas. Defaults to off (one shard). */
    clusterMode?: ClusterMode;
    /** The port clients connect to. Defaults to 6380; 6379, the well-known default, draws a warning. */
    port?: number;
    /** Engine parameters merged into the component's custom parameter group. Defaults to none. */
    parameters?: Record<string, string>;

    /**
     * A customer-managed KMS key (ARN) for encryption at rest, the secret and logs. Its key policy must
     * grant the statements `requiredKeyStatements` returns. Defaults to a new key with rotation and a
     * 30-day deletion window.
     */
    kmsKeyArn?: pulumi.Input<string>;
    /**
     * The AUTH token: 16 to 128 characters of letters, digits and `! & # $ ^ < > -`. Pass it as a
     * secret; from Python, Go, .NET and YAML a plain (not secret) value is refused. Defaults to a
     * generated 64-character token, kept secret and stored in Secrets Manager.
     */
    authToken?: pulumi.Input<string>;
    /**
     * The ARN or name of an existing Secrets Manager secret that holds the AUTH token, as its text or
     * as JSON with an `authToken` key; the component reads it when it deploys and keeps it secret, so
     * the token never passes through your program. Not with `authToken` or `rbac`. Defaults to none
     * (`authToken`, or a generated token).
     */
    authTokenSecret?: pulumi.Input<string>;
    /**
     * Change this value (for example to a date) to generate a new AUTH token. With the `ROTATE`
     * strategy the old token keeps working until the next update with `SET`. Defaults to none (no rotation).
     */
    authTokenRotation?: string;
    /**
     * How ElastiCache applies a changed token: `ROTATE` accepts old and new until the next change;
     * `SET` accepts only the new one. Defaults to `ROTATE`. `DELETE` would turn authentication off and is refused.
     */
    authTokenUpdateStrategy?: AuthTokenUpdateStrategy;
    /** RBAC users instead of an AUTH token (engine 6.0+). Defaults to none (an AUTH token). */
    rbac?: Rbac;

    /** Days automatic backups are kept, 1 to 35. Defaults to 35, the guide's recommendation. */
    snapshotRetentionDays?: number;
    /** Daily backup window, `hh24:mi-hh24:mi` UTC, at least 60 minutes. Defaults to `03:00-05:00`. */
    snapshotWindow?: string;
    /**
     * Weekly maintenance window, `ddd:hh24:mi-ddd:hh24:mi` UTC, 60 minutes to 24 hours, not
     * overlapping the snapshot window. Defaults to `sun:05:30-sun:07:00`.
     */
    maintenanceWindow?: string;

    /**
     * Days the slow log and engine log stay in CloudWatch Logs: a CloudWatch retention value of
     * at least 90 (the guide keeps audit records 90 days online). Defaults to 365.
     */
    logRetentionDays?: number;
    /** Alarm thresholds; every alarm notifies the event topic. Defaults to the defaults of each threshold. */
    alarms?: AlarmThresholds;

    /**
     * The audit trail of API actions on the cache (who, what, when, outcome). One trail records every
     * cache of the account, and CloudTrail allows only 5 per Region (not adjustable; a multi-Region
     * trail counts in every Region): name the first stack's trail (`<replicationGroupId>-audit`) or
     * your organization's trail here in every other stack. Defaults to a new multi-region CloudTrail
     * trail with log file validation, KMS encryption and the archive bucket as its store, with a
     * warning that names it.
     */
    auditTrail?: AuditTrail;
    /**
     * Days snapshots, logs and trail records are kept in the archive bucket before they may
     * expire: at least 2192 (six calendar years, leap days included: the guide's archive period). Defaults to 2192.
     */
    archiveRetentionDays?: number;
    /** Turn on S3 Object Lock (governance mode) for the archive bucket. Defaults to false. */
    archiveObjectLock?: boolean;
    /**
     * When the daily run of the archive job requests every automatic snapshot not yet archived, as an
     * EventBridge `cron(...)` or `rate(...)` expression; the job also runs hourly. Defaults to two hours
     * after the snapshot window ends.
     */
    archiveSchedule?: string;
    /** People and systems that receive the event topic's alerts. Defaults to none. */
    alertSubscriptions?: AlertSubscriptions;
    /**
     * Deploys AWS Config managed rules for ElastiCache, which evaluate the cache continuously. Needs
     * an AWS Config configuration recorder in the account and Region. Rules AWS Config does not
     * offer in the Region (`aws:region`; GovCloud lacks most) are skipped with a warning and a gap
     * in `evidence`. Defaults to false.
     */
    awsConfigRules?: boolean;
    /**
     * Deploys the audit as a scheduled function in the account (daily by default): dated reports in the
     * archive bucket, findings in Security Hub, a metric per control and alarms on the event topic. It
     * audits the whole account's caches in its Regions, so turn it on in one stack per account; its role
     * needs the current permissions boundary (README, "Continuous audit in the account"). Defaults to off.
     */
    continuousAudit?: ContinuousAudit;

    /**
     * The replication group ID; 1 to 40 lowercase letters, digits and hyphens. Defaults to one derived
     * from the resource name.
     */
    replicationGroupId?: string;
    /** A description of the replication group. Defaults to "HITRUST CSF-ready <engine> for <name>". */
    description?: string;
    /** Tags for every resource the component creates. Defaults to none. */
    tags?: Record<string, string>;
}

/** One piece of evidence: a resource of the component and the setting that satisfies a control. */
export interface EvidenceRecord {
    /** The HITRUST CSF control (or HIPAA section) the setting satisfies. */
    control: string;
    /** The Pulumi logical name or type of the resource that carries the setting. */
    resource: string;
    /** The setting. */
    setting: string;
    /** Its value, never a secret. */
    value: string;
}

// The names the argument types had before they became schema types (Python appends "Args" itself).
export type RbacUserArgs = RbacUser;
export type RbacArgs = Rbac;
export type ClusterModeArgs = ClusterMode;
export type AlarmThresholdArgs = AlarmThresholds;

/** The settings the component was built with, every default applied and every value checked. */
export interface HitrustRedisSettings {
    /** The replication group ID. */
    replicationGroupId: string;
    /** The engine. */
    engine: Engine;
    /** The engine version. */
    engineVersion: string;
    /** The family of the custom parameter group. */
    parameterGroupFamily: string;
    /** The node type. */
    nodeType: string;
    /** The port clients connect to. */
    port: number;
    /** Nodes in the single shard (primary and replicas); absent in cluster mode. */
    numCacheClusters?: number;
    /** Shards and replicas per shard; absent without cluster mode. */
    clusterMode?: ClusterMode;
    /** The engine parameters of the custom parameter group. */
    parameters: Record<string, string>;
    /** `required` where the engine supports the transit encryption mode. */
    transitEncryptionMode?: string;
    /** `token` (an AUTH token) or `rbac` (RBAC users). */
    authentication: string;
    /** How a changed AUTH token is applied. */
    authTokenUpdateStrategy: AuthTokenUpdateStrategy;
    /** Days automatic backups are kept. */
    snapshotRetentionDays: number;
    /** The daily backup window (UTC). */
    snapshotWindow: string;
    /** The weekly maintenance window (UTC). */
    maintenanceWindow: string;
    /** CIDR blocks that may connect. */
    allowedCidrBlocks: string[];
    /** The log types delivered to CloudWatch Logs (`slow-log`, `engine-log`). */
    logTypes: string[];
    /** Days logs stay in CloudWatch Logs. */
    logRetentionDays: number;
    /** The alarm thresholds. */
    alarms: AlarmThresholds;
    /** The node IDs, which CloudWatch metrics are keyed by. */
    nodeIds: string[];
    /** Days the archive bucket keeps snapshots, logs and trail records. */
    archiveRetentionDays: number;
    /** When the daily job archives the newest snapshot. */
    archiveSchedule: string;
    /** The existing trail relied on; absent when the component created one. */
    existingTrailName?: string;
    /** The in-account audit's settings; absent when it is off. */
    continuousAudit?: ContinuousAuditSettings;
}

/** The in-account audit as deployed. */
export interface ContinuousAuditSettings {
    /** The EventBridge schedule expression of its runs. */
    schedule: string;
    /** The Regions it audits; empty when it audits the stack's Region (known when deploying). */
    regions: string[];
    /** Whether it sends findings to Security Hub. */
    securityHub: boolean;
}
