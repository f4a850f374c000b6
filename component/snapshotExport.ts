// Step 5's snapshot export. ElastiCache exports a snapshot (CopySnapshot with TargetBucket)
// as its own canonical user, an AWS-owned account that our KMS key policy cannot name, so it
// cannot write into the SSE-KMS archive. It exports into a private staging bucket with SSE-S3
// default encryption; a scheduled Lambda requests every automatic snapshot not yet archived,
// confirms each export, copies it into the archive under the customer key (or hands a copy too long
// for the invocation to a Step Functions state machine), verifies the copy and deletes the staged
// one (component/lambda/exportSnapshot.js). It publishes the age of the newest archived backup,
// and an alarm on that age reaches the event topic.
//
// Why Step Functions for long copies. A shard's export can be hundreds of GB. S3 copies at most
// 5 GB with one CopyObject; larger objects take a multipart upload of UploadPartCopy parts (5 MiB to
// 5 GiB each, at most 10,000, up to 5 TB: S3 API reference, CopyObject and UploadPartCopy; S3 user
// guide, "Amazon S3 multipart upload limits"), which can outlast Lambda's 15-minute maximum (Lambda
// developer guide, "Configure Lambda function timeout"). The candidates:
//   - S3 Batch Operations' Copy operation copies objects of at most 5 GB ("Copy objects",
//     restrictions) and needs a manifest object and a role of its own per job; beyond 5 GB it only
//     offers "Invoke Lambda", which brings back the 15-minute limit.
//   - S3 Replication copies every new object of a versioned source bucket, not a chosen one, and
//     would need versioning on staging (keeping deleted exports as noncurrent versions).
//   - A Standard Step Functions workflow runs for up to a year and calls S3 directly through its AWS
//     SDK integrations (`arn:aws:states:::aws-sdk:s3:<action>`, "Integrating services with Step
//     Functions"; Step Functions service quotas): CreateMultipartUpload, an Inline Map of
//     UploadPartCopy calls (at most 40 concurrent iterations and 25,000 history events, "Using Map
//     state in Inline mode"; 1,000 parts at most, see `maxHandoffParts` in the job), then
//     CompleteMultipartUpload, or AbortMultipartUpload on failure. No code of ours runs for hours and
//     its role can do nothing but this copy. It is what this component uses.
// The job keeps the bookkeeping (verification, deleting the staged file, the marker), so there is one
// place that decides an export is archived.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as path from "path";
import {
    ArchiveBucket,
    Common,
    archivePrefixes,
    blockPublicAccess,
    componentRolePlacement,
    elastiCacheCanonicalUserId,
} from "./archive";

export const exportFunctionCode = path.join(__dirname, "lambda", "exportSnapshot.js");

/**
 * The Lambda runtime of the export job. AWS's runtime table (Lambda developer guide, "Building
 * Lambda functions with Node.js" and "Lambda runtimes") lists nodejs24.x on Amazon Linux 2023:
 * deprecation 2028-04-30, function create blocked from 2028-06-01, update from 2028-07-01.
 * test/snapshotExport.test.ts fails when the block-create date comes within 180 days.
 */
export const lambdaNodeRuntime = "nodejs24.x";

/**
 * The canonical user ElastiCache writes exports as, per partition ("Exporting a backup", step 2,
 * "Grant ElastiCache access to your S3 bucket in a default Region": GovCloud (US) has its own ID;
 * the China Regions' ID is the one the guide's China edition lists; every other default Region
 * uses `elastiCacheCanonicalUserId`).
 */
export const elastiCacheExportCanonicalUserIds: Record<string, string> = {
    aws: elastiCacheCanonicalUserId,
    "aws-us-gov": "40fa568277ad703bd160f66ae4f83fc9dfdfd06c2f1b5060ca22442ac3ef8be6",
    "aws-cn": "b14d6a125bdf69854ed8ef2e71d8a20b7c490f252229b806e514966e490b8d83",
};

/**
 * The bucket permissions the same step lists for the canonical user: "List objects" (READ on the
 * bucket), "Write objects" (WRITE) and "Read bucket permissions" (READ_ACP).
 */
export const elastiCacheExportAclPermissions = ["READ", "WRITE", "READ_ACP"];

/**
 * The bucket-policy actions the guide lists for `<region>.elasticache-snapshot.amazonaws.com` in
 * opt-in Regions ("Grant ElastiCache access to your S3 bucket in an opt-in Region").
 */
export const elastiCacheExportPolicyActions = [
    "s3:PutObject",
    "s3:GetObject",
    "s3:ListBucket",
    "s3:GetBucketAcl",
    "s3:ListMultipartUploadParts",
    "s3:ListBucketMultipartUploads",
];

/**
 * The metric the job publishes each run: seconds since the newest archived backup was taken
 * (component/lambda/exportSnapshot.js `archiveAgeMetric`; test/exportSnapshot.test.ts holds the two
 * equal through a real run).
 */
export const archiveAgeMetric = {
    namespace: "HitrustElastiCache/SnapshotArchive",
    metricName: "NewestArchivedBackupAge",
    unit: "Seconds",
};

/**
 * "A day and a bit": backups are daily, an export and its archiving take a few hours after the
 * snapshot (the job waits up to 6 h for an export), and the job runs hourly, so a healthy archive's
 * newest backup is at most about 27 h old. Above 30 h a day was missed.
 */
export const maxArchiveAgeHours = 30;

/** The job also runs hourly, so an export is archived soon after it arrives and the age is fresh. */
export const archiveCheckSchedule = "rate(1 hour)";

/**
 * Days a staged export may wait in the SSE-S3 staging bucket, the only place PHI is not under the
 * customer key: 1, S3's minimum (LifecycleExpiration `Days`, "a non-zero positive integer", S3 API
 * reference, https://docs.aws.amazon.com/AmazonS3/latest/API/API_LifecycleExpiration.html). S3 adds the
 * days to the object's creation time and rounds up to the next midnight UTC ("Lifecycle configuration
 * elements", https://docs.aws.amazon.com/AmazonS3/latest/userguide/intro-lifecycle-rules.html), so a
 * staged export lives 24 to 48 hours: long enough for the hourly runs after its arrival to copy it. A
 * copy that fails beyond that is retried from the automatic snapshot ElastiCache keeps (35 days by
 * default), exported again, never by keeping PHI here longer.
 */
export const stagingExpirationDays = 1;

/** The staging bucket's name prefix: S3 allows 37 characters before the provider's suffix. */
function stagingPrefix(replicationGroupId: string): string {
    return `${replicationGroupId.slice(0, 28).replace(/-+$/, "")}-staging-`;
}

/** The staging bucket's policy: TLS only, and the opt-in-Region export principal. */
export function stagingBucketPolicy(bucketArn: string, region: string): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "DenyInsecureTransport",
                Effect: "Deny",
                Principal: "*",
                Action: "s3:*",
                Resource: [bucketArn, `${bucketArn}/*`],
                Condition: { Bool: { "aws:SecureTransport": "false" } },
            },
            {
                // As the guide writes it: no condition keys, since it documents none that the
                // export principal sends.
                Sid: "ElastiCacheExportsSnapshots",
                Effect: "Allow",
                Principal: { Service: `${region}.elasticache-snapshot.amazonaws.com` },
                Action: elastiCacheExportPolicyActions,
                Resource: [bucketArn, `${bucketArn}/*`],
            },
        ],
    });
}

export interface ExportRoleResources {
    partition: string;
    region: string;
    accountId: string;
    stagingBucketArn: string;
    archiveBucketArn: string;
    keyArn: string;
    logGroupArn: string;
    /** The copy state machine's name; its ARN is built from it, so the policies need no cycle. */
    copyStateMachineName: string;
}

/** The copy state machine's ARN (Step Functions: `arn:<partition>:states:<region>:<account>:stateMachine:<name>`). */
export function stateMachineArn(r: Pick<ExportRoleResources, "partition" | "region" | "accountId">, name: string) {
    return `arn:${r.partition}:states:${r.region}:${r.accountId}:stateMachine:${name}`;
}

/** The state machine's name: 1-80 characters (API reference, CreateStateMachine `name`). */
export function copyStateMachineName(replicationGroupId: string): string {
    return `${replicationGroupId}-snapshot-archive-copy`;
}

/** What the job's role may do, and nothing more. */
export function exportRolePolicy(r: ExportRoleResources): string {
    const snapshots = `${r.archiveBucketArn}/${archivePrefixes.snapshots}/*`;
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            // DescribeSnapshots reads the account's snapshot list (a List-level action), so it is held on "*".
            { Sid: "FindSnapshots", Effect: "Allow", Action: "elasticache:DescribeSnapshots", Resource: "*" },
            {
                Sid: "ExportSnapshots",
                Effect: "Allow",
                Action: "elasticache:CopySnapshot",
                Resource: `arn:${r.partition}:elasticache:${r.region}:${r.accountId}:snapshot:*`,
            },
            // The caller permissions the export guide lists ("Exporting a backup", step 3):
            // ListAllMyBuckets takes no bucket, the rest are held on the staging bucket only.
            { Sid: "ExportFindsBuckets", Effect: "Allow", Action: "s3:ListAllMyBuckets", Resource: "*" },
            // GetBucketAcl besides: CopySnapshot refuses a bucket "not owned by the authenticated
            // user" (API reference, CopySnapshot errors), and AWS does not say how it checks.
            {
                Sid: "ExportChecksStaging",
                Effect: "Allow",
                Action: ["s3:GetBucketLocation", "s3:ListBucket", "s3:GetBucketAcl"],
                Resource: r.stagingBucketArn,
            },
            {
                Sid: "ExportUsesStaging",
                Effect: "Allow",
                Action: ["s3:PutObject", "s3:GetObject", "s3:DeleteObject"],
                Resource: `${r.stagingBucketArn}/*`,
            },
            {
                Sid: "ArchiveListsSnapshots",
                Effect: "Allow",
                Action: "s3:ListBucket",
                Resource: r.archiveBucketArn,
                Condition: { StringLike: { "s3:prefix": `${archivePrefixes.snapshots}/*` } },
            },
            // Put and Get for the copies (CopyObject, up to 5 GB) and the request markers; larger
            // copies are the state machine's.
            {
                Sid: "ArchiveStoresSnapshots",
                Effect: "Allow",
                Action: ["s3:PutObject", "s3:GetObject"],
                Resource: snapshots,
            },
            // A copy that does not fit the invocation goes to the copy state machine; the next runs
            // follow its execution (Step Functions API reference, StartExecution and
            // DescribeExecution; resources as "Actions, resources, and condition keys for AWS Step
            // Functions" lists them: stateMachine for StartExecution, execution for DescribeExecution).
            {
                Sid: "HandOffLongCopies",
                Effect: "Allow",
                Action: "states:StartExecution",
                Resource: stateMachineArn(r, r.copyStateMachineName),
            },
            {
                Sid: "FollowLongCopies",
                Effect: "Allow",
                Action: "states:DescribeExecution",
                Resource: `arn:${r.partition}:states:${r.region}:${r.accountId}:execution:${r.copyStateMachineName}:*`,
            },
            // PutMetricData takes no resource; cloudwatch:namespace limits it to the job's namespace
            // (CloudWatch user guide, "Using condition keys to limit access to CloudWatch namespaces").
            {
                Sid: "PublishArchiveAge",
                Effect: "Allow",
                Action: "cloudwatch:PutMetricData",
                Resource: "*",
                Condition: { StringEquals: { "cloudwatch:namespace": archiveAgeMetric.namespace } },
            },
            // SSE-KMS writes need GenerateDataKey; multipart uploads and reads need Decrypt
            // (S3 user guide, "Using server-side encryption with AWS KMS keys").
            {
                Sid: "ArchiveEncrypts",
                Effect: "Allow",
                Action: ["kms:GenerateDataKey", "kms:Decrypt"],
                Resource: r.keyArn,
                Condition: { StringEquals: { "kms:ViaService": `s3.${r.region}.amazonaws.com` } },
            },
            // The snapshot is encrypted at rest under the key. No AWS page says whether exporting it
            // needs the caller's KMS permissions through ElastiCache, so the role holds them, only
            // through ElastiCache: the first real export cannot fail on them.
            {
                Sid: "ExportReadsEncryptedSnapshot",
                Effect: "Allow",
                Action: ["kms:Decrypt", "kms:DescribeKey", "kms:CreateGrant", "kms:GenerateDataKey"],
                Resource: r.keyArn,
                Condition: { StringEquals: { "kms:ViaService": `elasticache.${r.region}.amazonaws.com` } },
            },
            {
                Sid: "Log",
                Effect: "Allow",
                Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
                Resource: `${r.logGroupArn}:*`,
            },
        ],
    });
}

/**
 * What the copy state machine's role may do: read a staged export, write its copy (a multipart
 * upload: CreateMultipartUpload, UploadPartCopy and CompleteMultipartUpload need s3:PutObject,
 * UploadPartCopy also s3:GetObject on the source; AbortMultipartUpload its own action: S3 user
 * guide, "Required permissions for Amazon S3 API operations") under the customer key (multipart
 * uploads with SSE-KMS need kms:GenerateDataKey and kms:Decrypt: S3 user guide, "Using
 * server-side encryption with AWS KMS keys"). Only `.rdb` objects: it cannot touch the markers.
 */
export function copyRolePolicy(r: ExportRoleResources): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "ReadStagedExports",
                Effect: "Allow",
                Action: "s3:GetObject",
                Resource: `${r.stagingBucketArn}/*.rdb`,
            },
            {
                Sid: "WriteArchivedExports",
                Effect: "Allow",
                Action: ["s3:PutObject", "s3:AbortMultipartUpload"],
                Resource: `${r.archiveBucketArn}/${archivePrefixes.snapshots}/*.rdb`,
            },
            {
                Sid: "ArchiveEncrypts",
                Effect: "Allow",
                Action: ["kms:GenerateDataKey", "kms:Decrypt"],
                Resource: r.keyArn,
                Condition: { StringEquals: { "kms:ViaService": `s3.${r.region}.amazonaws.com` } },
            },
        ],
    });
}

/**
 * Step Functions assumes the copy role for this state machine only: aws:SourceAccount and
 * aws:SourceArn, as the Step Functions developer guide recommends for a state machine's role
 * ("Creating an IAM role for your state machine", "Prevent cross-service confused deputy issue",
 * https://docs.aws.amazon.com/step-functions/latest/dg/procedure-create-iam-role.html).
 */
export function copyTrustPolicy(r: Pick<ExportRoleResources, "partition" | "region" | "accountId">, name: string) {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            {
                Effect: "Allow",
                Principal: { Service: "states.amazonaws.com" },
                Action: "sts:AssumeRole",
                Condition: {
                    StringEquals: { "aws:SourceAccount": r.accountId },
                    ArnLike: { "aws:SourceArn": stateMachineArn(r, name) },
                },
            },
        ],
    });
}

/**
 * The copy state machine (Amazon States Language, JSONPath). Its input comes from the job's
 * `handOff`: `copySource` ("<bucket>/<url-encoded key>"), `sourceETag`, `target` {bucket, key},
 * `kmsKeyArn` and `parts` [{PartNumber, CopySourceRange}]. Each task is an AWS SDK integration
 * whose Parameters are the S3 API's request fields. CopySourceIfMatch makes every part fail if
 * the staged object changed; a failure aborts the upload so no part lingers (the archive's
 * lifecycle also aborts incomplete uploads after 7 days).
 */
export function copyStateMachineDefinition(partition = "aws"): Record<string, unknown> {
    // Service integration ARNs carry the partition, like every ARN (`arn:aws-us-gov:states:::...` in
    // GovCloud, "Amazon Resource Names (ARNs) in AWS GovCloud (US)",
    // https://docs.aws.amazon.com/govcloud-us/latest/UserGuide/using-govcloud-arns.html); a fixed
    // `arn:aws:` makes every execution fail there (aws/aws-cdk#4597).
    const sdk = (action: string) => `arn:${partition}:states:::aws-sdk:s3:${action}`;
    const retry = [{ ErrorEquals: ["States.ALL"], IntervalSeconds: 5, MaxAttempts: 4, BackoffRate: 2 }];
    const toAbort = [{ ErrorEquals: ["States.ALL"], ResultPath: "$.error", Next: "AbortUpload" }];
    return {
        Comment: "Copies one staged ElastiCache export into the archive under the customer key, in parts.",
        StartAt: "CreateUpload",
        // A day at most; the job starts a new try after a timeout.
        TimeoutSeconds: 86400,
        States: {
            CreateUpload: {
                Type: "Task",
                Resource: sdk("createMultipartUpload"),
                Parameters: {
                    "Bucket.$": "$.target.bucket",
                    "Key.$": "$.target.key",
                    ServerSideEncryption: "aws:kms",
                    "SSEKMSKeyId.$": "$.kmsKeyArn",
                    BucketKeyEnabled: true,
                },
                ResultSelector: { "UploadId.$": "$.UploadId" },
                ResultPath: "$.upload",
                Retry: retry,
                Next: "CopyParts",
            },
            CopyParts: {
                Type: "Map",
                ItemsPath: "$.parts",
                MaxConcurrency: 10,
                ItemSelector: {
                    "Bucket.$": "$.target.bucket",
                    "Key.$": "$.target.key",
                    "UploadId.$": "$.upload.UploadId",
                    "CopySource.$": "$.copySource",
                    "CopySourceIfMatch.$": "$.sourceETag",
                    "PartNumber.$": "$$.Map.Item.Value.PartNumber",
                    "CopySourceRange.$": "$$.Map.Item.Value.CopySourceRange",
                },
                ItemProcessor: {
                    ProcessorConfig: { Mode: "INLINE" },
                    StartAt: "CopyPart",
                    States: {
                        CopyPart: {
                            Type: "Task",
                            Resource: sdk("uploadPartCopy"),
                            Parameters: {
                                "Bucket.$": "$.Bucket",
                                "Key.$": "$.Key",
                                "UploadId.$": "$.UploadId",
                                "CopySource.$": "$.CopySource",
                                "CopySourceIfMatch.$": "$.CopySourceIfMatch",
                                "PartNumber.$": "$.PartNumber",
                                "CopySourceRange.$": "$.CopySourceRange",
                            },
                            ResultSelector: { "ETag.$": "$.CopyPartResult.ETag" },
                            ResultPath: "$.copied",
                            Retry: retry,
                            Next: "PartDone",
                        },
                        PartDone: {
                            Type: "Pass",
                            Parameters: { "PartNumber.$": "$.PartNumber", "ETag.$": "$.copied.ETag" },
                            End: true,
                        },
                    },
                },
                ResultPath: "$.parts",
                Catch: toAbort,
                Next: "CompleteUpload",
            },
            CompleteUpload: {
                Type: "Task",
                Resource: sdk("completeMultipartUpload"),
                Parameters: {
                    "Bucket.$": "$.target.bucket",
                    "Key.$": "$.target.key",
                    "UploadId.$": "$.upload.UploadId",
                    MultipartUpload: { "Parts.$": "$.parts" },
                },
                ResultPath: null,
                Retry: retry,
                Catch: toAbort,
                End: true,
            },
            AbortUpload: {
                Type: "Task",
                Resource: sdk("abortMultipartUpload"),
                Parameters: {
                    "Bucket.$": "$.target.bucket",
                    "Key.$": "$.target.key",
                    "UploadId.$": "$.upload.UploadId",
                },
                ResultPath: null,
                Retry: retry,
                Catch: [{ ErrorEquals: ["States.ALL"], ResultPath: "$.abortError", Next: "CopyFailed" }],
                Next: "CopyFailed",
            },
            CopyFailed: {
                Type: "Fail",
                Error: "ArchiveCopyFailed",
                Cause: "A part or the completion of the archive copy failed; the upload was aborted.",
            },
        },
    };
}

/** Lambda assumes the role; Lambda's execution-role guide documents no condition for it. */
export const lambdaTrustPolicy = JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
});

/** The staging bucket ElastiCache exports into: private, SSE-S3, short-lived objects. */
function createStagingBucket(c: Common) {
    const { name, settings, account, tags, parent } = c;
    const opts = { parent };
    const bucket = new aws.s3.Bucket(
        `${name}-export-staging`,
        // Only transient copies live here; the archive keeps the exports.
        { bucketPrefix: stagingPrefix(settings.replicationGroupId), forceDestroy: true, tags },
        opts,
    );
    const encryption = new aws.s3.BucketServerSideEncryptionConfiguration(
        `${name}-export-staging-encryption`,
        { bucket: bucket.id, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] },
        opts,
    );
    const publicAccess = blockPublicAccess(`${name}-export-staging-public-access`, bucket, opts);
    // The canonical-user grant needs ACLs, so the owner keeps them ("BucketOwnerPreferred"); the
    // public access block refuses any public ACL.
    const ownership = new aws.s3.BucketOwnershipControls(
        `${name}-export-staging-ownership`,
        { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerPreferred" } },
        opts,
    );
    const owner = aws.s3.getCanonicalUserIdOutput({ parent });
    const acl = new aws.s3.BucketAcl(
        `${name}-export-staging-acl`,
        {
            bucket: bucket.id,
            accessControlPolicy: {
                owner: { id: owner.id },
                grants: pulumi.all([owner.id, account.partition]).apply(([ownerId, partition]) => {
                    const exporter = elastiCacheExportCanonicalUserIds[partition];
                    if (!exporter) {
                        throw new Error(
                            `snapshot export: no ElastiCache export canonical user is documented for partition ${partition}`,
                        );
                    }
                    return [
                        { grantee: { type: "CanonicalUser", id: ownerId }, permission: "FULL_CONTROL" },
                        ...elastiCacheExportAclPermissions.map((permission) => ({
                            grantee: { type: "CanonicalUser", id: exporter },
                            permission,
                        })),
                    ];
                }),
            },
        },
        { ...opts, dependsOn: [ownership, publicAccess] },
    );
    const lifecycle = new aws.s3.BucketLifecycleConfiguration(
        `${name}-export-staging-lifecycle`,
        {
            bucket: bucket.id,
            rules: [
                {
                    id: "expire-staged-exports",
                    status: "Enabled",
                    filter: {},
                    expiration: { days: stagingExpirationDays },
                    abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
                },
            ],
        },
        opts,
    );
    const policy = new aws.s3.BucketPolicy(
        `${name}-export-staging-policy`,
        {
            bucket: bucket.id,
            policy: pulumi.all([bucket.arn, account.region]).apply(([arn, region]) => stagingBucketPolicy(arn, region)),
        },
        { ...opts, dependsOn: [publicAccess] },
    );
    return { bucket, policy, parts: [encryption, publicAccess, ownership, acl, lifecycle, policy] };
}

/**
 * Every IAM role of the snapshot export, created here and only here: the Lambda job's and the copy
 * state machine's. Each gets exactly one inline policy.
 */
function createJobRole(
    c: Common,
    resourceName: string,
    assumeRolePolicy: pulumi.Input<string>,
    policy: pulumi.Input<string>,
): { role: aws.iam.Role; policy: aws.iam.RolePolicy } {
    const role = new aws.iam.Role(
        resourceName,
        { assumeRolePolicy, ...componentRolePlacement(c.account), tags: c.tags },
        { parent: c.parent },
    );
    const rolePolicy = new aws.iam.RolePolicy(resourceName, { role: role.id, policy }, { parent: c.parent });
    return { role, policy: rolePolicy };
}

/**
 * The job that exports every automatic snapshot to the archive (daily on `archiveSchedule` and
 * hourly), the state machine that copies large exports, and their alarms.
 */
export function createSnapshotExport(
    c: Common & { archive: ArchiveBucket; topicArn: pulumi.Output<string>; group: aws.elasticache.ReplicationGroup },
) {
    const { name, settings, keyArn, account, tags, parent } = c;
    const functionName = `${settings.replicationGroupId}-snapshot-archive`;
    const copyMachineName = copyStateMachineName(settings.replicationGroupId);
    const staging = createStagingBucket(c);
    const logGroup = new aws.cloudwatch.LogGroup(
        `${name}-snapshot-archive-logs`,
        { name: `/aws/lambda/${functionName}`, retentionInDays: settings.logRetentionDays, kmsKeyId: keyArn, tags },
        { parent },
    );
    const roleResources = pulumi
        .all([
            account.partition,
            account.region,
            account.accountId,
            staging.bucket.arn,
            c.archive.bucket.arn,
            keyArn,
            logGroup.arn,
        ])
        .apply(
            ([
                partition,
                region,
                accountId,
                stagingBucketArn,
                archiveBucketArn,
                key,
                logGroupArn,
            ]): ExportRoleResources => ({
                partition,
                region,
                accountId,
                stagingBucketArn,
                archiveBucketArn,
                keyArn: key,
                logGroupArn,
                copyStateMachineName: copyMachineName,
            }),
        );
    const jobRole = createJobRole(
        c,
        `${name}-snapshot-archive`,
        lambdaTrustPolicy,
        roleResources.apply(exportRolePolicy),
    );
    const copyRole = createJobRole(
        c,
        `${name}-snapshot-archive-copy`,
        roleResources.apply((r) => copyTrustPolicy(r, copyMachineName)),
        roleResources.apply(copyRolePolicy),
    );
    const copyMachine = new aws.sfn.StateMachine(
        `${name}-snapshot-archive-copy`,
        {
            name: copyMachineName,
            type: "STANDARD",
            roleArn: copyRole.role.arn,
            definition: account.partition.apply((partition) => JSON.stringify(copyStateMachineDefinition(partition))),
            tags,
        },
        { parent, dependsOn: [copyRole.policy] },
    );
    const fn = new aws.lambda.Function(
        `${name}-snapshot-archive`,
        {
            name: functionName,
            description: `Exports every automatic snapshot of ${settings.replicationGroupId} and archives it under the customer key.`,
            runtime: lambdaNodeRuntime,
            handler: "index.handler",
            code: new pulumi.asset.AssetArchive({ "index.js": new pulumi.asset.FileAsset(exportFunctionCode) }),
            role: jobRole.role.arn,
            // Lambda's maximum (Lambda developer guide, "Configure Lambda function timeout"). The job
            // never needs it whole: requests and checks come first, and copies that do not fit the
            // time left go to the state machine.
            timeout: 900,
            memorySize: 256,
            environment: {
                variables: {
                    REPLICATION_GROUP_ID: settings.replicationGroupId,
                    STAGING_BUCKET: staging.bucket.bucket,
                    ARCHIVE_BUCKET: c.archive.bucket.bucket,
                    ARCHIVE_PREFIX: archivePrefixes.snapshots,
                    ARCHIVE_KMS_KEY_ARN: keyArn,
                    COPY_STATE_MACHINE_ARN: copyMachine.arn,
                },
            },
            loggingConfig: { logFormat: "JSON", logGroup: logGroup.name },
            tags,
        },
        { parent, dependsOn: [jobRole.policy, c.group, ...staging.parts, c.archive.policy] },
    );
    const schedules = [
        { suffix: "", schedule: settings.archiveSchedule, description: "Daily snapshot export and archive" },
        {
            suffix: "-hourly",
            schedule: archiveCheckSchedule,
            description: "Hourly: archives arrived exports, requests late backups, publishes the archive's age",
        },
    ].map(({ suffix, schedule, description }) => {
        const rule = new aws.cloudwatch.EventRule(
            `${name}-snapshot-archive${suffix}`,
            { name: `${functionName}${suffix}`, description, scheduleExpression: schedule, tags },
            { parent },
        );
        const target = new aws.cloudwatch.EventTarget(
            `${name}-snapshot-archive${suffix}`,
            { rule: rule.name, arn: fn.arn },
            { parent },
        );
        const permission = new aws.lambda.Permission(
            `${name}-snapshot-archive${suffix}`,
            {
                action: "lambda:InvokeFunction",
                function: fn.name,
                principal: "events.amazonaws.com",
                sourceArn: rule.arn,
            },
            { parent },
        );
        return { rule, target, permission };
    });
    const alarmArgs = {
        namespace: "AWS/Lambda",
        dimensions: { FunctionName: functionName },
        statistic: "Sum",
        evaluationPeriods: 1,
        alarmActions: [c.topicArn],
        okActions: [c.topicArn],
        tags,
    };
    const alarms = [
        new aws.cloudwatch.MetricAlarm(
            `${name}-snapshot-archive-errors`,
            {
                ...alarmArgs,
                name: `${functionName}-errors`,
                alarmDescription: `The snapshot export of ${settings.replicationGroupId} failed: an export did not arrive or could not be archived, or backups stopped.`,
                metricName: "Errors",
                period: 3600,
                threshold: 0,
                comparisonOperator: "GreaterThanThreshold",
                treatMissingData: "notBreaching",
            },
            { parent, dependsOn: [fn] },
        ),
        new aws.cloudwatch.MetricAlarm(
            `${name}-snapshot-archive-missed`,
            {
                ...alarmArgs,
                name: `${functionName}-missed`,
                alarmDescription: `The snapshot export of ${settings.replicationGroupId} did not run in a day.`,
                metricName: "Invocations",
                period: 86400,
                threshold: 1,
                comparisonOperator: "LessThanThreshold",
                treatMissingData: "breaching",
            },
            { parent, dependsOn: [fn] },
        ),
        // The archive's own freshness, whatever the job reports about itself. The job publishes the
        // age every hour; three hours without a data point count as breaching ("Configuring how
        // CloudWatch alarms treat missing data": `breaching` treats missing data points as over the
        // threshold), so a job that stopped running or publishing alarms too.
        new aws.cloudwatch.MetricAlarm(
            `${name}-snapshot-archive-age`,
            {
                name: `${functionName}-age`,
                alarmDescription: `The newest archived backup of ${settings.replicationGroupId} is more than ${maxArchiveAgeHours} h old: a day's export is missing from the archive.`,
                namespace: archiveAgeMetric.namespace,
                metricName: archiveAgeMetric.metricName,
                dimensions: { ReplicationGroupId: settings.replicationGroupId },
                statistic: "Maximum",
                unit: archiveAgeMetric.unit,
                period: 3600,
                evaluationPeriods: 3,
                datapointsToAlarm: 3,
                threshold: maxArchiveAgeHours * 3600,
                comparisonOperator: "GreaterThanThreshold",
                treatMissingData: "breaching",
                alarmActions: [c.topicArn],
                okActions: [c.topicArn],
                tags,
            },
            { parent, dependsOn: [fn] },
        ),
    ];
    return {
        fn,
        role: jobRole.role,
        rolePolicy: jobRole.policy,
        copyRole: copyRole.role,
        copyRolePolicy: copyRole.policy,
        copyStateMachine: copyMachine,
        rule: schedules[0].rule,
        target: schedules[0].target,
        permission: schedules[0].permission,
        schedules,
        alarms,
        logGroup,
        stagingBucket: staging.bucket,
        stagingBucketPolicy: staging.policy,
    };
}
