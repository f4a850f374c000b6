// Step 5's archive and step 6's audit trail: the archive bucket (six years, Glacier, kept on
// destroy), the cache logs' copy into it, the CloudTrail trail, and the daily snapshot export.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { auditReportFolder } from "../core/auditFunction";
import { trailArn } from "./keyPolicy";
import { Settings } from "./validate";

/**
 * The canonical user ElastiCache exports snapshots as, in the AWS Regions opened before
 * 2019 (AWS ElastiCache guide, "Grant ElastiCache access to your Amazon S3 bucket"). Exports
 * rely on this ACL grant; opt-in Regions use the bucket-policy grant to
 * `<region>.elasticache-snapshot.amazonaws.com` instead, which the bucket policy also carries.
 */
export const elastiCacheCanonicalUserId = "540804c33a284a299d2547575ce1010f2312ef3da9b3a053c8bc45bf233e4353";

export interface AccountContext {
    accountId: pulumi.Output<string>;
    partition: pulumi.Output<string>;
    region: pulumi.Output<string>;
    /** The role boundary's ARN once found in the account (checkedRoleBoundary). */
    roleBoundary?: pulumi.Output<string>;
}

export interface Common {
    name: string;
    settings: Settings;
    keyArn: pulumi.Output<string>;
    account: AccountContext;
    tags: Record<string, string>;
    parent: pulumi.Resource;
}

/** The archive bucket's top-level prefixes: snapshots, cache logs, trail records, the audit's dated reports. */
export const archivePrefixes = { snapshots: "snapshots", logs: "logs", trail: "cloudtrail", audit: auditReportFolder };

/**
 * The IAM path of every role the component creates. The deployer's IAM permissions reach only
 * roles under it (docs/deployer-iam-policy.json), so the deployer cannot create, change or pass
 * any other role (IAM user guide, "IAM identifiers", paths).
 */
export const rolePath = "/hitrust-elasticache/";

/**
 * The permissions boundary every role of the component carries: a customer managed policy an
 * account administrator creates once per account from docs/role-boundary-policy.json, at
 * `rolePath`. The deployer may create a role only with this boundary and may never change it (IAM
 * user guide, "Permissions boundaries for IAM entities", delegating responsibility to others:
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html#access_policies_boundaries-delegate),
 * so no role it creates can do more than the boundary allows, whatever policy it is given.
 */
export const roleBoundaryPolicyName = "hitrust-elasticache-role-boundary";

/** The boundary's ARN in the stack's account: `arn:<partition>:iam::<account>:policy/hitrust-elasticache/...`. */
export function roleBoundaryArn(account: Pick<AccountContext, "accountId" | "partition">): pulumi.Output<string> {
    return pulumi.interpolate`arn:${account.partition}:iam::${account.accountId}:policy${rolePath}${roleBoundaryPolicyName}`;
}

/** What the provider says when the boundary policy is not in the account (IAM GetPolicy: NoSuchEntity). */
const boundaryMissing = /NoSuchEntity|couldn't find resource|empty result|not found|does not exist/i;

/**
 * The boundary's ARN, once a lookup found the policy (`aws.iam.getPolicy`, IAM GetPolicy, which the
 * deployer policy grants on this ARN only). IAM refuses CreateRole with a boundary that does not
 * exist (NoSuchEntity, "CreateRole" API reference errors), which would stop `pulumi up` halfway,
 * after the key, the buckets and the topic were created; the lookup runs at preview, so a missing
 * boundary stops the preview instead, with the one command that creates it.
 */
export function checkedRoleBoundary(
    account: Pick<AccountContext, "accountId" | "partition">,
    parent: pulumi.Resource,
    requiredActions: readonly string[] = [],
): pulumi.Output<string> {
    return roleBoundaryArn(account).apply(async (arn) => {
        let found: aws.iam.GetPolicyResult;
        try {
            found = await aws.iam.getPolicy({ arn }, { parent });
        } catch (e) {
            if (boundaryMissing.test(String((e as Error)?.message ?? e))) {
                throw new pulumi.RunError(roleBoundaryMissingMessage(arn));
            }
            throw e;
        }
        // The data source reads the default version's document (GetPolicyVersion), so a boundary
        // created before an option's roles existed shows here, before its role fails at run time.
        const missing = boundaryMissingActions(found.policy, requiredActions);
        if (missing.length > 0) {
            void pulumi.log.warn(roleBoundaryOutdatedMessage(arn, missing), parent);
        }
        return arn;
    });
}

/**
 * The actions of `required` no Allow statement of the boundary names (by its `Action` patterns,
 * wildcards included). Empty when the document cannot be judged this way: not JSON, no statements,
 * or an Allow written with `NotAction`.
 */
export function boundaryMissingActions(document: string | undefined, required: readonly string[]): string[] {
    let statements: Record<string, unknown>[];
    try {
        const parsed = JSON.parse(document ?? "");
        statements = [parsed?.Statement ?? []].flat();
    } catch {
        return [];
    }
    const allows = statements.filter((st) => st?.Effect === "Allow");
    if (allows.length === 0 || allows.some((st) => st.NotAction !== undefined)) {
        return [];
    }
    const patterns = allows.flatMap((st) => [st.Action ?? []].flat() as string[]);
    const matches = (pattern: string, action: string) =>
        new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}$`, "i").test(action);
    return required.filter((action) => !patterns.some((pattern) => matches(pattern, action)));
}

/** The one command that makes the current boundary document the default version. */
export function boundaryUpdateCommand(arn: string): string {
    return (
        `aws iam create-policy-version --set-as-default --policy-arn ${arn} ` +
        `--policy-document file://node_modules/hitrust-elasticache/docs/role-boundary-policy.json`
    );
}

/** The warning for a boundary that lacks actions a role of this stack needs. */
export function roleBoundaryOutdatedMessage(arn: string, missing: readonly string[]): string {
    return (
        `the permissions boundary ${arn} does not allow ${missing.join(", ")}, which a role of this stack needs ` +
        `(the boundary predates it); the role is created, but those calls will be refused. An account administrator ` +
        `publishes the current boundary as its default version (README, "Continuous audit in the account"):\n  ` +
        boundaryUpdateCommand(arn)
    );
}

/** The message for a missing boundary: what, why, and the one command an administrator runs. */
export function roleBoundaryMissingMessage(arn: string): string {
    return (
        `the permissions boundary ${arn} does not exist in this account. Every IAM role this component ` +
        `creates carries it, so that the deployer cannot create a role stronger than the boundary ` +
        `(README, "Permissions boundary"). An account administrator creates it once per account:\n` +
        `  aws iam create-policy --path ${rolePath} --policy-name ${roleBoundaryPolicyName} ` +
        `--policy-document file://node_modules/hitrust-elasticache/docs/role-boundary-policy.json`
    );
}

/** Where every role of the component lives and what bounds it: spread into each `aws.iam.Role`. */
export function componentRolePlacement(account: AccountContext): {
    path: string;
    permissionsBoundary: pulumi.Output<string>;
} {
    return { path: rolePath, permissionsBoundary: account.roleBoundary ?? roleBoundaryArn(account) };
}

/** The trail's name is fixed ahead so the bucket policy can name its ARN without a cycle. */
export function trailName(settings: Settings): string {
    return `${settings.replicationGroupId}-audit`;
}

export interface ArchiveBucket {
    bucket: aws.s3.Bucket;
    policy: aws.s3.BucketPolicy;
    parts: pulumi.Resource[];
}

/** All four S3 public-access blocks on: no public ACL or policy can ever apply to the bucket. */
export function blockPublicAccess(
    name: string,
    bucket: aws.s3.Bucket,
    opts: pulumi.CustomResourceOptions,
): aws.s3.BucketPublicAccessBlock {
    return new aws.s3.BucketPublicAccessBlock(
        name,
        {
            bucket: bucket.id,
            blockPublicAcls: true,
            blockPublicPolicy: true,
            ignorePublicAcls: true,
            restrictPublicBuckets: true,
        },
        opts,
    );
}

export function createArchiveBucket(c: Common & { objectLock: boolean; createTrail: boolean }): ArchiveBucket {
    const { name, settings, keyArn, account, tags, parent } = c;
    const opts = { parent, retainOnDelete: true };
    const bucket = new aws.s3.Bucket(
        `${name}-archive`,
        {
            bucketPrefix: `${settings.replicationGroupId.slice(0, 28)}-archive-`,
            tags,
        },
        // Six years of backups must outlive `pulumi destroy`. Object Lock is switched on by its own
        // configuration resource below (S3 allows it on existing buckets), never by the bucket's
        // `objectLockEnabled`, which replaces the bucket when it changes; stacks created with it set
        // keep it through ignoreChanges rather than lose their archive to a replacement.
        { ...opts, ignoreChanges: ["objectLockEnabled"] },
    );
    const parts: pulumi.Resource[] = [];
    parts.push(
        new aws.s3.BucketVersioning(
            `${name}-archive-versioning`,
            { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } },
            opts,
        ),
        new aws.s3.BucketServerSideEncryptionConfiguration(
            `${name}-archive-encryption`,
            {
                bucket: bucket.id,
                rules: [
                    {
                        applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: keyArn },
                        bucketKeyEnabled: true,
                    },
                ],
            },
            opts,
        ),
        blockPublicAccess(`${name}-archive-public-access`, bucket, opts),
    );
    // ACLs off: every object belongs to the account. ElastiCache never writes here (its exports land
    // in the export job's staging bucket), so no ACL grant is needed; CloudTrail's
    // bucket-owner-full-control ACL header is accepted with ACLs off (S3 user guide, "Controlling
    // ownership of objects and disabling ACLs").
    parts.push(
        new aws.s3.BucketOwnershipControls(
            `${name}-archive-ownership`,
            { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } },
            opts,
        ),
        new aws.s3.BucketLifecycleConfiguration(
            `${name}-archive-lifecycle`,
            {
                bucket: bucket.id,
                rules: [
                    {
                        id: "glacier-then-keep-six-years",
                        status: "Enabled",
                        filter: {},
                        transitions: [
                            { days: 30, storageClass: "GLACIER" },
                            { days: 180, storageClass: "DEEP_ARCHIVE" },
                        ],
                        expiration: { days: settings.archiveRetentionDays },
                        noncurrentVersionTransitions: [{ noncurrentDays: 30, storageClass: "GLACIER" }],
                        noncurrentVersionExpiration: { noncurrentDays: settings.archiveRetentionDays },
                        abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
                    },
                ],
            },
            opts,
        ),
    );
    if (c.objectLock) {
        // S3 turns Object Lock on for an existing versioned bucket (S3 user guide, "Enabling S3 Object
        // Lock"), so switching it on later changes the bucket in place. S3 cannot turn it off again:
        // removing the option later leaves the lock (retainOnDelete) and the component warns.
        parts.push(
            new aws.s3.BucketObjectLockConfiguration(
                `${name}-archive-lock`,
                {
                    bucket: bucket.id,
                    objectLockEnabled: "Enabled",
                    rule: { defaultRetention: { mode: "GOVERNANCE", days: settings.archiveRetentionDays } },
                },
                { ...opts, dependsOn: [...parts] },
            ),
        );
    }
    const policy = new aws.s3.BucketPolicy(
        `${name}-archive-policy`,
        {
            bucket: bucket.id,
            policy: archiveBucketPolicy(bucket.arn, account, c.createTrail ? trailName(settings) : undefined),
        },
        { ...opts, dependsOn: parts },
    );
    return { bucket, policy, parts };
}

/** TLS only; CloudTrail writes under its prefix (CloudTrail user guide, "Amazon S3 bucket policy for CloudTrail"). */
export function archiveBucketPolicy(
    bucketArn: pulumi.Input<string>,
    account: AccountContext,
    trail: string | undefined,
): pulumi.Output<string> {
    return pulumi
        .all([bucketArn, account.accountId, account.partition, account.region])
        .apply(([arn, accountId, partition, region]) => {
            const trailSourceArn = trail ? trailArn({ accountId, partition, region, trailName: trail }) : undefined;
            const statements: object[] = [
                {
                    Sid: "DenyInsecureTransport",
                    Effect: "Deny",
                    Principal: "*",
                    Action: "s3:*",
                    Resource: [arn, `${arn}/*`],
                    Condition: { Bool: { "aws:SecureTransport": "false" } },
                },
            ];
            if (trailSourceArn) {
                statements.push(
                    {
                        Sid: "CloudTrailChecksAcl",
                        Effect: "Allow",
                        Principal: { Service: "cloudtrail.amazonaws.com" },
                        Action: "s3:GetBucketAcl",
                        Resource: arn,
                        Condition: { StringEquals: { "aws:SourceArn": trailSourceArn } },
                    },
                    {
                        Sid: "CloudTrailWrites",
                        Effect: "Allow",
                        Principal: { Service: "cloudtrail.amazonaws.com" },
                        Action: "s3:PutObject",
                        Resource: `${arn}/${archivePrefixes.trail}/AWSLogs/${accountId}/*`,
                        Condition: {
                            StringEquals: {
                                "s3:x-amz-acl": "bucket-owner-full-control",
                                "aws:SourceArn": trailSourceArn,
                            },
                        },
                    },
                );
            }
            return JSON.stringify({ Version: "2012-10-17", Statement: statements });
        });
}

/**
 * A role trust policy for an AWS service principal, with the condition that service's own guide
 * gives. A condition the service does not send (such as `aws:SourceAccount` where it is not
 * documented) makes the role impossible to assume, so none is added by default.
 */
export function serviceTrustPolicy(
    principals: pulumi.Input<string>[],
    condition?: pulumi.Input<Record<string, Record<string, pulumi.Input<string>>>>,
): pulumi.Output<string> {
    return pulumi.all([pulumi.all(principals), pulumi.output(condition)]).apply(([services, cond]) =>
        JSON.stringify({
            Version: "2012-10-17",
            Statement: [
                {
                    Effect: "Allow",
                    Principal: { Service: services.length === 1 ? services[0] : services },
                    Action: "sts:AssumeRole",
                    ...(cond ? { Condition: cond } : {}),
                },
            ],
        }),
    );
}

/**
 * The trust policy of a role for `service`, with no condition (Lambda's execution role form,
 * Lambda developer guide, "Lambda execution role"). The second argument is ignored; it remains
 * for callers written against the earlier signature.
 */
export function assumeRole(service: pulumi.Input<string>, _unused?: unknown): pulumi.Output<string> {
    return serviceTrustPolicy([service]);
}

/** Cache logs copied from CloudWatch Logs to the archive bucket through Firehose. */
export function createLogArchive(c: Common & { archive: ArchiveBucket; logGroups: aws.cloudwatch.LogGroup[] }) {
    const { name, settings, keyArn, account, tags, parent } = c;
    if (c.logGroups.length === 0) {
        return { subscriptionFilters: [] as aws.cloudwatch.LogSubscriptionFilter[] };
    }
    const firehoseRole = new aws.iam.Role(
        `${name}-log-archive-firehose`,
        {
            // Firehose developer guide, "Grant Firehose access to an Amazon S3 destination": the trust
            // policy's only condition is sts:ExternalId, the account ID.
            assumeRolePolicy: serviceTrustPolicy(["firehose.amazonaws.com"], {
                StringEquals: { "sts:ExternalId": account.accountId },
            }),
            ...componentRolePlacement(account),
            tags,
        },
        { parent },
    );
    new aws.iam.RolePolicy(
        `${name}-log-archive-firehose`,
        {
            role: firehoseRole.id,
            policy: pulumi.all([c.archive.bucket.arn, keyArn]).apply(([bucketArn, key]) =>
                JSON.stringify({
                    Version: "2012-10-17",
                    Statement: [
                        {
                            Effect: "Allow",
                            Action: [
                                "s3:AbortMultipartUpload",
                                "s3:GetBucketLocation",
                                "s3:GetObject",
                                "s3:ListBucket",
                                "s3:ListBucketMultipartUploads",
                                "s3:PutObject",
                            ],
                            Resource: [
                                bucketArn,
                                `${bucketArn}/${archivePrefixes.logs}/*`,
                                `${bucketArn}/${archivePrefixes.logs}-errors/*`,
                            ],
                        },
                        { Effect: "Allow", Action: ["kms:GenerateDataKey", "kms:Decrypt"], Resource: key },
                    ],
                }),
            ),
        },
        { parent },
    );
    const stream = new aws.kinesis.FirehoseDeliveryStream(
        `${name}-log-archive`,
        {
            name: `${settings.replicationGroupId}-log-archive`,
            destination: "extended_s3",
            serverSideEncryption: { enabled: true, keyType: "CUSTOMER_MANAGED_CMK", keyArn },
            extendedS3Configuration: {
                roleArn: firehoseRole.arn,
                bucketArn: c.archive.bucket.arn,
                prefix: `${archivePrefixes.logs}/${settings.replicationGroupId}/`,
                errorOutputPrefix: `${archivePrefixes.logs}-errors/${settings.replicationGroupId}/`,
                // CloudWatch Logs delivers subscription data gzip-compressed (CloudWatch Logs user guide,
                // "Using CloudWatch Logs subscription filters"), so Firehose stores it as it comes and
                // names the objects .gz (Firehose API reference, ExtendedS3DestinationConfiguration
                // FileExtension): `gunzip` reads them, each line a JSON CloudWatch Logs message.
                compressionFormat: "UNCOMPRESSED",
                fileExtension: ".gz",
                kmsKeyArn: keyArn,
                bufferingInterval: 300,
                bufferingSize: 5,
            },
            tags,
        },
        { parent, dependsOn: [c.archive.policy] },
    );
    const logsRole = new aws.iam.Role(
        `${name}-log-archive-logs`,
        {
            // CloudWatch Logs user guide, "Subscription filters with Amazon Data Firehose": the
            // service principal (global form, and the Regional form older guides show) with
            // aws:SourceArn of this account's log resources in this Region.
            assumeRolePolicy: serviceTrustPolicy(
                ["logs.amazonaws.com", pulumi.interpolate`logs.${account.region}.amazonaws.com`],
                {
                    StringLike: {
                        "aws:SourceArn": pulumi.interpolate`arn:${account.partition}:logs:${account.region}:${account.accountId}:*`,
                    },
                },
            ),
            ...componentRolePlacement(account),
            tags,
        },
        { parent },
    );
    const logsPolicy = new aws.iam.RolePolicy(
        `${name}-log-archive-logs`,
        {
            role: logsRole.id,
            policy: stream.arn.apply((arn) =>
                JSON.stringify({
                    Version: "2012-10-17",
                    Statement: [
                        { Effect: "Allow", Action: ["firehose:PutRecord", "firehose:PutRecordBatch"], Resource: arn },
                    ],
                }),
            ),
        },
        { parent },
    );
    const subscriptionFilters = c.logGroups.map(
        (logGroup, i) =>
            new aws.cloudwatch.LogSubscriptionFilter(
                `${name}-${settings.logTypes[i]}-archive`,
                {
                    name: "archive",
                    logGroup: logGroup.name,
                    filterPattern: "",
                    destinationArn: stream.arn,
                    roleArn: logsRole.arn,
                },
                { parent, dependsOn: [logsPolicy] },
            ),
    );
    return { stream, subscriptionFilters };
}

/**
 * What `pulumi up` says whenever the component creates a trail. CloudTrail allows 5 trails per
 * Region, a quota that cannot be increased, and a multi-Region trail counts in every Region ("Quotas
 * in AWS CloudTrail", https://docs.aws.amazon.com/awscloudtrail/latest/userguide/WhatIsCloudTrail-Limits.html):
 * one trail per cache stops the sixth stack of an account, sooner where Control Tower or a security
 * team already keeps trails. The trail records the whole account's API activity, so one is enough.
 */
export function newTrailWarning(trail: string): string {
    return (
        `auditTrail: this stack creates the multi-Region CloudTrail trail '${trail}'. CloudTrail allows 5 trails ` +
        `per Region (not adjustable; a multi-Region trail counts in every Region), and one trail records every cache ` +
        `of the account: in every other stack of this account pass auditTrail: { existingTrailName: "${trail}" } ` +
        `(or your organization's trail) instead of creating another. See README, "Quotas to check first".`
    );
}

/** A multi-region trail with log file validation, encrypted with the key, stored in the archive. */
export function createTrail(c: Common & { archive: ArchiveBucket }): aws.cloudtrail.Trail {
    void pulumi.log.warn(newTrailWarning(trailName(c.settings)), c.parent);
    return new aws.cloudtrail.Trail(
        `${c.name}-audit`,
        {
            name: trailName(c.settings),
            s3BucketName: c.archive.bucket.bucket,
            s3KeyPrefix: archivePrefixes.trail,
            isMultiRegionTrail: true,
            includeGlobalServiceEvents: true,
            enableLogFileValidation: true,
            enableLogging: true,
            kmsKeyId: c.keyArn,
            tags: c.tags,
        },
        { parent: c.parent, dependsOn: [c.archive.policy] },
    );
}
