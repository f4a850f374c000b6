// Step 5's archive and step 6's audit trail: the archive bucket (six years, Glacier, kept on
// destroy), the cache logs' copy into it, the CloudTrail trail, and the daily snapshot export.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
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
}

export interface Common {
    name: string;
    settings: Settings;
    keyArn: pulumi.Output<string>;
    account: AccountContext;
    tags: Record<string, string>;
    parent: pulumi.Resource;
}

export const archivePrefixes = { snapshots: "snapshots", logs: "logs", trail: "cloudtrail" };

/** The trail's name is fixed ahead so the bucket policy can name its ARN without a cycle. */
export function trailName(settings: Settings): string {
    return `${settings.replicationGroupId}-audit`;
}

export interface ArchiveBucket {
    bucket: aws.s3.Bucket;
    policy: aws.s3.BucketPolicy;
    parts: pulumi.Resource[];
}

export function createArchiveBucket(c: Common & { objectLock: boolean; createTrail: boolean }): ArchiveBucket {
    const { name, settings, keyArn, account, tags, parent } = c;
    const opts = { parent, retainOnDelete: true };
    const bucket = new aws.s3.Bucket(
        `${name}-archive`,
        {
            bucketPrefix: `${settings.replicationGroupId.slice(0, 28)}-archive-`,
            objectLockEnabled: c.objectLock,
            tags,
        },
        // Six years of backups must outlive `pulumi destroy`.
        opts,
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
        new aws.s3.BucketPublicAccessBlock(
            `${name}-archive-public-access`,
            {
                bucket: bucket.id,
                blockPublicAcls: true,
                blockPublicPolicy: true,
                ignorePublicAcls: true,
                restrictPublicBuckets: true,
            },
            opts,
        ),
    );
    // ElastiCache's export needs an ACL grant, so ACLs stay enabled for the bucket owner's
    // objects ("BucketOwnerPreferred"); the public access block refuses any public ACL.
    const ownership = new aws.s3.BucketOwnershipControls(
        `${name}-archive-ownership`,
        { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerPreferred" } },
        opts,
    );
    parts.push(ownership);
    const owner = aws.s3.getCanonicalUserIdOutput({ parent });
    parts.push(
        new aws.s3.BucketAcl(
            `${name}-archive-acl`,
            {
                bucket: bucket.id,
                accessControlPolicy: {
                    owner: { id: owner.id },
                    grants: [
                        { grantee: { type: "CanonicalUser", id: owner.id }, permission: "FULL_CONTROL" },
                        ...["READ", "WRITE", "READ_ACP"].map((permission) => ({
                            grantee: { type: "CanonicalUser", id: elastiCacheCanonicalUserId },
                            permission,
                        })),
                    ],
                },
            },
            { ...opts, dependsOn: [ownership] },
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
        parts.push(
            new aws.s3.BucketObjectLockConfiguration(
                `${name}-archive-lock`,
                {
                    bucket: bucket.id,
                    rule: { defaultRetention: { mode: "GOVERNANCE", days: settings.archiveRetentionDays } },
                },
                opts,
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

/** TLS only; ElastiCache exports in opt-in Regions; CloudTrail writes under its prefix. */
export function archiveBucketPolicy(
    bucketArn: pulumi.Input<string>,
    account: AccountContext,
    trail: string | undefined,
): pulumi.Output<string> {
    return pulumi
        .all([bucketArn, account.accountId, account.partition, account.region])
        .apply(([arn, accountId, partition, region]) => {
            const trailArn = trail ? `arn:${partition}:cloudtrail:${region}:${accountId}:trail/${trail}` : undefined;
            const statements: object[] = [
                {
                    Sid: "DenyInsecureTransport",
                    Effect: "Deny",
                    Principal: "*",
                    Action: "s3:*",
                    Resource: [arn, `${arn}/*`],
                    Condition: { Bool: { "aws:SecureTransport": "false" } },
                },
                {
                    Sid: "ElastiCacheExportsSnapshots",
                    Effect: "Allow",
                    Principal: { Service: `${region}.elasticache-snapshot.amazonaws.com` },
                    Action: [
                        "s3:PutObject",
                        "s3:GetObject",
                        "s3:ListBucket",
                        "s3:GetBucketAcl",
                        "s3:ListMultipartUploadParts",
                        "s3:ListBucketMultipartUploads",
                    ],
                    Resource: [arn, `${arn}/${archivePrefixes.snapshots}/*`],
                    Condition: { StringEquals: { "aws:SourceAccount": accountId } },
                },
            ];
            if (trailArn) {
                statements.push(
                    {
                        Sid: "CloudTrailChecksAcl",
                        Effect: "Allow",
                        Principal: { Service: "cloudtrail.amazonaws.com" },
                        Action: "s3:GetBucketAcl",
                        Resource: arn,
                        Condition: { StringEquals: { "aws:SourceArn": trailArn } },
                    },
                    {
                        Sid: "CloudTrailWrites",
                        Effect: "Allow",
                        Principal: { Service: "cloudtrail.amazonaws.com" },
                        Action: "s3:PutObject",
                        Resource: `${arn}/${archivePrefixes.trail}/AWSLogs/${accountId}/*`,
                        Condition: {
                            StringEquals: { "s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceArn": trailArn },
                        },
                    },
                );
            }
            return JSON.stringify({ Version: "2012-10-17", Statement: statements });
        });
}

export function assumeRole(service: pulumi.Input<string>, accountId: pulumi.Output<string>): pulumi.Output<string> {
    return pulumi.all([service, accountId]).apply(([principal, account]) =>
        JSON.stringify({
            Version: "2012-10-17",
            Statement: [
                {
                    Effect: "Allow",
                    Principal: { Service: principal },
                    Action: "sts:AssumeRole",
                    Condition: { StringEquals: { "aws:SourceAccount": account } },
                },
            ],
        }),
    );
}

/** Cache logs copied from CloudWatch Logs to the archive bucket through Firehose. */
export function createLogArchive(c: Common & { archive: ArchiveBucket; logGroups: aws.cloudwatch.LogGroup[] }) {
    const { name, settings, keyArn, account, tags, parent } = c;
    if (c.logGroups.length === 0) {
        return { subscriptionFilters: [] as aws.cloudwatch.LogSubscriptionFilter[] };
    }
    const firehoseRole = new aws.iam.Role(
        `${name}-log-archive-firehose`,
        { assumeRolePolicy: assumeRole("firehose.amazonaws.com", account.accountId), tags },
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
                // CloudWatch Logs already delivers gzip-compressed records.
                compressionFormat: "UNCOMPRESSED",
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
            assumeRolePolicy: assumeRole(pulumi.interpolate`logs.${account.region}.amazonaws.com`, account.accountId),
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

/** A multi-region trail with log file validation, encrypted with the key, stored in the archive. */
export function createTrail(c: Common & { archive: ArchiveBucket }): aws.cloudtrail.Trail {
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
