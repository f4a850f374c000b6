// The customer-managed key's policy: who may use the key for what. The services the stack relies on
// call KMS as themselves (CloudTrail, CloudWatch Logs) or through a role of ours (Firehose, the export
// job, Secrets Manager and ElastiCache on behalf of the deployer); each statement below is written in
// the form the calling service's own key-policy guide gives, so a real account accepts it.
import * as pulumi from "@pulumi/pulumi";

export interface PolicyStatement {
    Sid: string;
    Effect: "Allow" | "Deny";
    Principal: { AWS: string | string[] } | { Service: string | string[] };
    Action: string | string[];
    Resource: string | string[];
    Condition?: Record<string, Record<string, string | string[]>>;
}

/** Where the key is used; plain values, so a caller can compute the statements before deploying. */
export interface KeyUse {
    /** The AWS account that owns the cache, e.g. `123456789012`. */
    accountId: string;
    /** `aws`, `aws-cn` or `aws-us-gov`. */
    partition: string;
    /** The cache's Region, e.g. `us-east-1`. */
    region: string;
    /** The replication group ID: the cache's log groups are named after it. */
    replicationGroupId: string;
    /** The name of the trail the stack creates; omit when an existing trail is used. */
    trailName?: string;
}

/** The trail's ARN as CloudTrail sends it in `aws:SourceArn`: the trail's home Region. */
export function trailArn(use: Pick<KeyUse, "accountId" | "partition" | "region"> & { trailName: string }): string {
    return `arn:${use.partition}:cloudtrail:${use.region}:${use.accountId}:trail/${use.trailName}`;
}

/** The log groups the stack creates and encrypts with the key (the cache logs, the export job's log). */
export function keyLogGroupArns(use: KeyUse): string[] {
    const prefix = `arn:${use.partition}:logs:${use.region}:${use.accountId}:log-group:`;
    return [
        `${prefix}/aws/elasticache/${use.replicationGroupId}/*`,
        `${prefix}/aws/lambda/${use.replicationGroupId}-*`,
    ];
}

const logsActions = ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"];

/**
 * The statements a key must carry for the stack to work, beyond the account's own administration.
 * The component puts them in the key it creates; a caller who brings a key (`kmsKeyArn`) must merge
 * them into that key's policy (see README, "Bringing your own key"), or CloudWatch Logs cannot
 * create the encrypted log groups and CloudTrail cannot create the trail.
 */
export function requiredKeyStatements(use: KeyUse): PolicyStatement[] {
    const { accountId, partition, region } = use;
    const statements: PolicyStatement[] = [
        // CloudWatch Logs, "Encrypt log data in CloudWatch Logs using AWS KMS", step 2: the Regional
        // service principal, bound to log groups of this account by the encryption context.
        {
            Sid: "CloudWatchLogsEncryptsCacheLogs",
            Effect: "Allow",
            Principal: { Service: `logs.${region}.amazonaws.com` },
            Action: logsActions,
            Resource: "*",
            Condition: { ArnLike: { "kms:EncryptionContext:aws:logs:arn": keyLogGroupArns(use) } },
        },
        // Roles of this account (Firehose, the export job) and Secrets Manager and ElastiCache acting for
        // the deployer use the key only through these services ("kms:ViaService", AWS KMS developer
        // guide), and still need IAM permission of their own.
        {
            Sid: "AccountUsesKeyThroughServices",
            Effect: "Allow",
            Principal: { AWS: `arn:${partition}:iam::${accountId}:root` },
            Action: [
                "kms:Encrypt",
                "kms:Decrypt",
                "kms:ReEncrypt*",
                "kms:GenerateDataKey*",
                "kms:DescribeKey",
                "kms:CreateGrant",
            ],
            Resource: "*",
            Condition: {
                StringEquals: {
                    "kms:CallerAccount": accountId,
                    "kms:ViaService": ["elasticache", "secretsmanager", "s3", "firehose"].map(
                        (service) => `${service}.${region}.amazonaws.com`,
                    ),
                },
            },
        },
    ];
    if (use.trailName !== undefined) {
        const sourceArn = trailArn({ ...use, trailName: use.trailName });
        // CloudTrail user guide, "Configure AWS KMS key policies for CloudTrail": encrypt with the
        // trail's encryption context; describe the key with no encryption context (DescribeKey
        // requests carry none); decrypt because the archive bucket uses an S3 Bucket Key. Each is
        // scoped to this trail with aws:SourceArn, as that guide recommends.
        statements.push(
            {
                Sid: "CloudTrailEncryptsAuditTrail",
                Effect: "Allow",
                Principal: { Service: "cloudtrail.amazonaws.com" },
                Action: "kms:GenerateDataKey*",
                Resource: "*",
                Condition: {
                    StringEquals: { "aws:SourceArn": sourceArn },
                    StringLike: {
                        "kms:EncryptionContext:aws:cloudtrail:arn": `arn:${partition}:cloudtrail:*:${accountId}:trail/*`,
                    },
                },
            },
            {
                Sid: "CloudTrailDescribesKey",
                Effect: "Allow",
                Principal: { Service: "cloudtrail.amazonaws.com" },
                Action: "kms:DescribeKey",
                Resource: "*",
                Condition: { StringEquals: { "aws:SourceArn": sourceArn } },
            },
            {
                Sid: "CloudTrailUsesBucketKey",
                Effect: "Allow",
                Principal: { Service: "cloudtrail.amazonaws.com" },
                Action: "kms:Decrypt",
                Resource: "*",
                // The guide's Decrypt statement has no condition; IfExists keeps other trails out
                // without refusing a bucket-key request that carries no aws:SourceArn.
                Condition: { StringEqualsIfExists: { "aws:SourceArn": sourceArn } },
            },
        );
    }
    return statements;
}

/** The policy of the key the component creates: the account administers it, the stack uses it. */
export function keyPolicyDocument(use: KeyUse): { Version: string; Statement: PolicyStatement[] } {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "AccountAdministers",
                Effect: "Allow",
                Principal: { AWS: `arn:${use.partition}:iam::${use.accountId}:root` },
                Action: "kms:*",
                Resource: "*",
            },
            ...requiredKeyStatements(use),
        ],
    };
}

export function keyPolicy(
    accountId: pulumi.Input<string>,
    partition: pulumi.Input<string>,
    region: pulumi.Input<string>,
    replicationGroupId: string,
    trailName: string | undefined,
): pulumi.Output<string> {
    return pulumi
        .all([accountId, partition, region])
        .apply(([account, part, reg]) =>
            JSON.stringify(
                keyPolicyDocument({ accountId: account, partition: part, region: reg, replicationGroupId, trailName }),
            ),
        );
}
