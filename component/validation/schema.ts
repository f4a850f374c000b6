// The run-time shape of HitrustRedisArgs: every argument a caller may pass, its type, whether it
// may be a Pulumi Output, and the names that are refused with a reason. A test compares these
// names with the interfaces in component/args.ts, so an argument added there without a check here
// fails the build.
import { Field, Fields, NameHints } from "./shape";

const str = (example?: string, nonEmpty = true): Field => ({ shape: { kind: "string", example, nonEmpty } });
const num = (example?: string): Field => ({ shape: { kind: "number", example } });
const bool: Field = { shape: { kind: "boolean" } };

const nodeCount =
    "the number of nodes decides how many alarms, node IDs and placements the component creates before anything exists";

export const clusterModeFields: Fields = {
    shards: { ...num("3"), required: true, fix: "pass the number of shards, 1 to 500", plainBecause: nodeCount },
    replicasPerShard: {
        ...num("2"),
        required: true,
        fix: "pass the replicas in each shard, 1 to 5",
        plainBecause: nodeCount,
    },
};

const threshold = "each alarm is created with its threshold in its description";
export const alarmFields: Fields = {
    engineCpuPercent: { ...num("80"), plainBecause: threshold },
    memoryPercent: { ...num("80"), plainBecause: threshold },
    evictions: { ...num("100"), plainBecause: threshold },
    newConnections: { ...num("1000"), plainBecause: threshold },
    replicationLagSeconds: { ...num("10"), plainBecause: threshold },
};

const rbacUser =
    "each user becomes its own ElastiCache user, named and checked (no nopass, no password rules) before anything exists";
export const rbacUserFields: Fields = {
    userName: { ...str("'app'"), required: true, fix: "pass the name clients log in with", plainBecause: rbacUser },
    accessString: {
        ...str("'on ~app:* +@read'"),
        required: true,
        fix: "give the Redis ACL rules, for example 'on ~app:* +@read'",
        plainBecause: rbacUser,
    },
    authentication: { ...str("'password' or 'iam'"), plainBecause: rbacUser },
};

export const rbacFields: Fields = {
    users: {
        shape: {
            kind: "list",
            item: {
                shape: {
                    kind: "object",
                    fields: rbacUserFields,
                    example: "{ userName: 'app', accessString: 'on ~app:* +@read' }",
                },
                fix: "pass { userName, accessString } for each user",
                plainBecause: rbacUser,
            },
            example: "[{ userName: 'app', accessString: 'on ~app:* +@read' }]",
        },
        required: true,
        fix: "list at least one user, or drop rbac to use an AUTH token",
        plainBecause: rbacUser,
    },
    dangerousCommands: {
        shape: { kind: "list", item: str("'flushall'"), example: "['flushall', 'keys', '@admin']" },
        plainBecause: rbacUser,
    },
};

export const auditTrailFields: Fields = {
    existingTrailName: {
        ...str("'org-trail'", false),
        required: true,
        fix: "name the existing (organization) trail, or omit auditTrail to create one",
    },
};

const subscriptions = "each address becomes its own topic subscription";
export const alertSubscriptionFields: Fields = {
    emails: {
        shape: { kind: "list", item: str("'oncall@example.org'", false), example: "['oncall@example.org']" },
        plainBecause: subscriptions,
    },
    httpsEndpoints: {
        shape: {
            kind: "list",
            item: str("'https://hooks.example.org/alerts'", false),
            example: "['https://hooks.example.org/alerts']",
        },
        plainBecause: subscriptions,
    },
};

const auditResources = "it decides whether the audit function, its role, schedule and alarms are created";
export const continuousAuditFields: Fields = {
    enabled: { ...bool, plainBecause: auditResources },
    schedule: {
        ...str("'cron(0 8 * * ? *)'"),
        plainBecause: "its EventBridge syntax and frequency are checked up front",
    },
    regions: {
        shape: { kind: "list", item: str("'us-east-1'"), example: "['us-east-1', 'us-west-2']" },
        plainBecause: "each Region code is checked up front",
    },
    securityHub: { ...bool, plainBecause: "it decides whether the function's role may send findings" },
};

/** Every argument of HitrustRedisArgs. */
export const argumentFields: Fields = {
    vpcId: {
        ...str("'vpc-0abc1234'"),
        required: true,
        input: true,
        fix: "pass the ID of the VPC that holds the cache's subnets",
    },
    subnetIds: {
        shape: {
            kind: "list",
            item: { ...str("'subnet-0abc1234'"), input: true, fix: "pass the subnet's ID (subnet-...)" },
            example: "[subnetA.id, subnetB.id]",
        },
        required: true,
        fix: "pass private subnets in at least two availability zones",
        plainBecause:
            "the component counts the subnets and looks each one up for its availability zone before anything exists",
    },
    allowedSecurityGroupIds: {
        shape: {
            kind: "list",
            item: { ...str("'sg-0abc1234'"), input: true, fix: "pass the security group's ID (sg-...)" },
            example: "[appSecurityGroup.id]",
        },
        plainBecause: "each group becomes its own ingress rule, so the component must know how many there are",
    },
    allowedCidrBlocks: {
        shape: { kind: "list", item: str("'10.0.0.0/16'"), example: "['10.0.0.0/16']" },
        plainBecause:
            "each block is checked for public address space and becomes its own ingress rule before anything exists",
    },
    engine: {
        ...str("'redis' or 'valkey'"),
        plainBecause: "it decides the parameter group family, log types and authentication features",
    },
    engineVersion: {
        ...str("'7.1'"),
        plainBecause: "it decides the parameter group family, log types and authentication features",
    },
    nodeType: { ...str("'cache.r7g.large'"), plainBecause: "previous-generation node types are refused up front" },
    replicas: { ...num("2"), plainBecause: nodeCount },
    clusterMode: {
        shape: { kind: "object", fields: clusterModeFields, example: "{ shards: 3, replicasPerShard: 2 }" },
        plainBecause: nodeCount,
    },
    port: {
        ...num("6380"),
        plainBecause: "it is written into the security group rules and checked against the well-known port",
    },
    parameters: {
        shape: { kind: "map", example: "{ 'maxmemory-policy': 'volatile-lru' }" },
        plainBecause: "the parameters are merged with the component's own (cluster-enabled) and checked",
    },
    kmsKeyArn: {
        ...str("'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab'"),
        input: true,
        fix: "pass the ARN of a customer-managed KMS key, or omit kmsKeyArn to have one created",
    },
    authToken: {
        ...str(undefined, false),
        input: true,
        secret: true,
        fix: "pass 16 to 128 letters, digits and ! & # $ ^ < > -, or omit authToken to have one generated",
    },
    authTokenSecret: {
        ...str("'arn:aws:secretsmanager:us-east-1:111122223333:secret:cache-token-AbCdEf'"),
        input: true,
        fix: "pass the ARN or name of the Secrets Manager secret that holds the token, or omit authTokenSecret",
    },
    authTokenRotation: {
        ...str("'2026-11'"),
        plainBecause: "it is the keeper that decides whether a new token is generated",
    },
    authTokenUpdateStrategy: { ...str("'ROTATE' or 'SET'"), plainBecause: "DELETE is refused up front" },
    rbac: {
        shape: {
            kind: "object",
            fields: rbacFields,
            example: "{ users: [{ userName: 'app', accessString: 'on ~app:* +@read' }] }",
        },
        plainBecause: rbacUser,
    },
    snapshotRetentionDays: { ...num("35"), plainBecause: "it is checked against the 1 to 35 days ElastiCache keeps" },
    snapshotWindow: {
        ...str("'03:00-05:00'"),
        plainBecause: "it is checked against the maintenance window and decides the archive schedule",
    },
    maintenanceWindow: { ...str("'sun:05:30-sun:07:00'"), plainBecause: "it is checked against the snapshot window" },
    logRetentionDays: { ...num("365"), plainBecause: "it must be a retention value CloudWatch Logs accepts" },
    alarms: {
        shape: { kind: "object", fields: alarmFields, example: "{ engineCpuPercent: 80 }" },
        plainBecause: threshold,
    },
    auditTrail: {
        shape: { kind: "object", fields: auditTrailFields, example: "{ existingTrailName: 'org-trail' }" },
        plainBecause: "it decides whether the component creates a trail",
    },
    archiveRetentionDays: { ...num("2192"), plainBecause: "it is checked against the six-year archive period" },
    archiveObjectLock: { ...bool, plainBecause: "Object Lock can only be chosen when the bucket is created" },
    archiveSchedule: { ...str("'cron(0 7 * * ? *)'"), plainBecause: "its EventBridge syntax is checked up front" },
    alertSubscriptions: {
        shape: {
            kind: "object",
            fields: alertSubscriptionFields,
            example: "{ emails: ['oncall@example.org'] }",
        },
        plainBecause: subscriptions,
    },
    awsConfigRules: { ...bool, plainBecause: "it decides whether the Config rules are created" },
    continuousAudit: {
        shape: {
            kind: "object",
            fields: continuousAuditFields,
            example: "{ schedule: 'cron(0 8 * * ? *)', regions: ['us-east-1'] }",
        },
        plainBecause: auditResources,
    },
    replicationGroupId: { ...str("'orders-cache'"), plainBecause: "every child resource is named after it" },
    description: { ...str("'Orders cache'", false), plainBecause: "it is passed on as text" },
    tags: {
        shape: { kind: "map", example: "{ team: 'care' }" },
        plainBecause: "the component adds its compliance tags to them and checks the AWS tag limits",
    },
};

/** Names that would switch off what the guide requires; the component always sets them. */
export const forbiddenArguments: Readonly<Record<string, string>> = {
    atRestEncryptionEnabled: "encryption at rest (with a customer-managed KMS key) is always on",
    transitEncryptionEnabled: "encryption in transit (TLS) is always on",
    transitEncryptionMode: "encryption in transit is always required where the engine supports the mode",
    multiAzEnabled: "Multi-AZ is always on",
    automaticFailoverEnabled: "automatic failover is always on",
    autoMinorVersionUpgrade: "automatic minor version upgrades (security patches) are always on",
    noPasswordRequired: "authentication is always required",
};

/** The aws provider's ReplicationGroup names that callers reach for, and what they are called here. */
export const providerAliases: Readonly<Record<string, string>> = {
    kmsKeyId: "kmsKeyArn",
    numCacheClusters: "replicas (the replicas besides the primary)",
    numNodeGroups: "clusterMode.shards",
    replicasPerNodeGroup: "clusterMode.replicasPerShard",
    snapshotRetentionLimit: "snapshotRetentionDays",
    securityGroupIds: "allowedSecurityGroupIds (the component creates the cache's own security group)",
    subnetGroupName: "subnetIds (the component creates the cache's own subnet group)",
    parameterGroupName: "parameters (the component creates the cache's own parameter group)",
    userGroupIds: "rbac",
    notificationTopicArn: "alertSubscriptions (the component creates the event topic)",
    preferredCacheClusterAzs: "subnetIds (nodes are spread over the subnets' zones)",
    finalSnapshotIdentifier: "nothing: the component always takes a final snapshot",
};

export const nameHints: NameHints = { forbidden: forbiddenArguments, aliases: providerAliases };

/** The nested argument objects by the interface name args.ts gives them, for the names test. */
export const nestedFields: Readonly<Record<string, Fields>> = {
    clusterMode: clusterModeFields,
    alarms: alarmFields,
    rbac: rbacFields,
    "rbac.users": rbacUserFields,
    auditTrail: auditTrailFields,
    alertSubscriptions: alertSubscriptionFields,
    continuousAudit: continuousAuditFields,
};
