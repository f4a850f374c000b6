import * as pulumi from "@pulumi/pulumi";
import { Engine } from "../core/checks";

/** A user of RBAC authentication. */
export interface RbacUserArgs {
    /** The Redis user name clients log in with. Must not be `default` (the component disables that one). */
    userName: string;
    /**
     * The Redis ACL access string, for example `on ~app:* +@read +@write -@dangerous`.
     * Must not contain `nopass`. See https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/Clusters.RBAC.html
     */
    accessString: string;
    /**
     * `password` (default): the component generates a password, keeps it as a Pulumi secret and
     * stores it in Secrets Manager. `iam`: the user authenticates with IAM (engine 7.0+), and the
     * user name must equal the user ID.
     */
    authentication?: "password" | "iam";
}

/** RBAC authentication instead of a single AUTH token. */
export interface RbacArgs {
    /** One or more users; the open `default` user is replaced by a disabled one. */
    users: RbacUserArgs[];
}

/** Cluster mode (sharding). Without it the group has one shard with `replicas` replicas. */
export interface ClusterModeArgs {
    /** Number of shards (node groups), 1 to 500. */
    shards: number;
    /** Replicas in each shard, 1 to 5: a shard without a replica cannot fail over. */
    replicasPerShard: number;
}

/** Thresholds of the CloudWatch alarms on every node. */
export interface AlarmThresholdArgs {
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

export interface HitrustRedisArgs {
    /** The VPC the cache's security group lives in. */
    vpcId: pulumi.Input<string>;
    /**
     * Private subnets for the cache's own subnet group, in at least two availability zones.
     * The component looks the subnets up to learn their zones and spreads the nodes over them.
     */
    subnetIds: pulumi.Input<string>[];
    /** Security groups whose members may connect on the cache port. */
    allowedSecurityGroupIds?: pulumi.Input<string>[];
    /** Private CIDR blocks that may connect on the cache port. `0.0.0.0/0` and `::/0` are refused. */
    allowedCidrBlocks?: string[];

    /** `redis` (default) or `valkey`. */
    engine?: Engine;
    /**
     * Engine version. Defaults to the current version of the engine (Redis 7.1, Valkey 8.0).
     * Redis below 4.0.10 is not HIPAA-eligible and is refused.
     */
    engineVersion?: string;
    /** Node type. Defaults to `cache.r7g.large`. Previous-generation types are refused. */
    nodeType?: string;
    /** Replicas of the primary (without cluster mode), 1 to 5. Defaults to 2. */
    replicas?: number;
    /** Cluster mode: shards x replicas. Defaults to off (one shard). */
    clusterMode?: ClusterModeArgs;
    /** The port clients connect to. Defaults to 6380; 6379, the well-known default, draws a warning. */
    port?: number;
    /** Engine parameters merged into the component's custom parameter group. */
    parameters?: Record<string, string>;

    /**
     * A customer-managed KMS key (ARN) for encryption at rest, the secret and logs.
     * @default - a new key with rotation and a 30-day deletion window
     */
    kmsKeyArn?: pulumi.Input<string>;
    /**
     * The AUTH token. Must be 16 to 128 characters of letters, digits and `! & # $ ^ < > -`.
     * @default - a generated 64-character token, kept secret and stored in Secrets Manager
     */
    authToken?: pulumi.Input<string>;
    /**
     * Change this value (for example to a date) to generate a new AUTH token. With the
     * `ROTATE` strategy the old token keeps working until the next update with `SET`.
     */
    authTokenRotation?: string;
    /**
     * How ElastiCache applies a changed token: `ROTATE` (default) accepts old and new until the
     * next change; `SET` accepts only the new one. `DELETE` would turn authentication off and is refused.
     */
    authTokenUpdateStrategy?: "ROTATE" | "SET";
    /** RBAC users instead of an AUTH token (engine 6.0+). */
    rbac?: RbacArgs;

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
    /** Alarm thresholds; every alarm notifies the event topic. */
    alarms?: AlarmThresholdArgs;

    /**
     * The audit trail of API actions on the cache (who, what, when, outcome).
     * @default - a new multi-region CloudTrail trail with log file validation, KMS encryption and
     * the archive bucket as its store. Name an existing (organization) trail instead to use it.
     */
    auditTrail?: { existingTrailName: string };
    /**
     * Days snapshots, logs and trail records are kept in the archive bucket before they may
     * expire: at least 2190 (six years, the guide's archive period). Defaults to 2190.
     */
    archiveRetentionDays?: number;
    /** Turn on S3 Object Lock (governance mode) for the archive bucket. Defaults to false. */
    archiveObjectLock?: boolean;
    /**
     * When the daily job copies the newest automatic snapshot to the archive bucket, as an
     * EventBridge `cron(...)` or `rate(...)` expression. Defaults to two hours after the snapshot window ends.
     */
    archiveSchedule?: string;
    /** People and systems that receive the event topic's alerts. */
    alertSubscriptions?: { emails?: string[]; httpsEndpoints?: string[] };

    /** The replication group ID; 1 to 40 lowercase letters, digits and hyphens. Defaults to one derived from the name. */
    replicationGroupId?: string;
    /** A description of the replication group. */
    description?: string;
    /** Tags for every resource the component creates. */
    tags?: Record<string, string>;
}
