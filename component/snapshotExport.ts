// Step 5's daily snapshot export. ElastiCache exports a snapshot (CopySnapshot with TargetBucket)
// as its own canonical user, an AWS-owned account that our KMS key policy cannot name, so it
// cannot write into the SSE-KMS archive. It exports into a private staging bucket with SSE-S3
// default encryption; a scheduled Lambda confirms each export, copies it into the archive under
// the customer key, verifies the copy and deletes the staged one (component/lambda/exportSnapshot.js).
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
 * Days a staged export may wait in the SSE-S3 staging bucket, the only place PHI is not under the
 * customer key: 1, S3's minimum (LifecycleExpiration `Days`, "a non-zero positive integer", S3 API
 * reference, https://docs.aws.amazon.com/AmazonS3/latest/API/API_LifecycleExpiration.html). S3 adds the
 * days to the object's creation time and rounds up to the next midnight UTC ("Lifecycle configuration
 * elements", https://docs.aws.amazon.com/AmazonS3/latest/userguide/intro-lifecycle-rules.html), so a
 * staged export lives 24 to 48 hours: long enough for the daily run after its arrival to copy it. A
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
            // Put and Get for the copies and the request markers; Abort to clean up a failed
            // multipart copy of an export above 5 GB.
            {
                Sid: "ArchiveStoresSnapshots",
                Effect: "Allow",
                Action: ["s3:PutObject", "s3:GetObject", "s3:AbortMultipartUpload"],
                Resource: snapshots,
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

/** The daily job that exports the newest automatic snapshot to the archive, and its alarms. */
export function createSnapshotExport(
    c: Common & { archive: ArchiveBucket; topicArn: pulumi.Output<string>; group: aws.elasticache.ReplicationGroup },
) {
    const { name, settings, keyArn, account, tags, parent } = c;
    const functionName = `${settings.replicationGroupId}-snapshot-archive`;
    const staging = createStagingBucket(c);
    const logGroup = new aws.cloudwatch.LogGroup(
        `${name}-snapshot-archive-logs`,
        { name: `/aws/lambda/${functionName}`, retentionInDays: settings.logRetentionDays, kmsKeyId: keyArn, tags },
        { parent },
    );
    const role = new aws.iam.Role(
        `${name}-snapshot-archive`,
        { assumeRolePolicy: lambdaTrustPolicy, ...componentRolePlacement(account), tags },
        { parent },
    );
    const rolePolicy = new aws.iam.RolePolicy(
        `${name}-snapshot-archive`,
        {
            role: role.id,
            policy: pulumi
                .all([
                    account.partition,
                    account.region,
                    account.accountId,
                    staging.bucket.arn,
                    c.archive.bucket.arn,
                    keyArn,
                    logGroup.arn,
                ])
                .apply(([partition, region, accountId, stagingBucketArn, archiveBucketArn, key, logGroupArn]) =>
                    exportRolePolicy({
                        partition,
                        region,
                        accountId,
                        stagingBucketArn,
                        archiveBucketArn,
                        keyArn: key,
                        logGroupArn,
                    }),
                ),
        },
        { parent },
    );
    const fn = new aws.lambda.Function(
        `${name}-snapshot-archive`,
        {
            name: functionName,
            description: `Exports the newest automatic snapshot of ${settings.replicationGroupId} and archives it under the customer key.`,
            runtime: lambdaNodeRuntime,
            handler: "index.handler",
            code: new pulumi.asset.AssetArchive({ "index.js": new pulumi.asset.FileAsset(exportFunctionCode) }),
            role: role.arn,
            // Copying a multi-GB export runs server-side but can take minutes; Lambda's maximum.
            timeout: 900,
            memorySize: 256,
            environment: {
                variables: {
                    REPLICATION_GROUP_ID: settings.replicationGroupId,
                    STAGING_BUCKET: staging.bucket.bucket,
                    ARCHIVE_BUCKET: c.archive.bucket.bucket,
                    ARCHIVE_PREFIX: archivePrefixes.snapshots,
                    ARCHIVE_KMS_KEY_ARN: keyArn,
                },
            },
            loggingConfig: { logFormat: "JSON", logGroup: logGroup.name },
            tags,
        },
        { parent, dependsOn: [rolePolicy, c.group, ...staging.parts, c.archive.policy] },
    );
    const rule = new aws.cloudwatch.EventRule(
        `${name}-snapshot-archive`,
        {
            name: functionName,
            description: "Daily snapshot export and archive",
            scheduleExpression: settings.archiveSchedule,
            tags,
        },
        { parent },
    );
    const target = new aws.cloudwatch.EventTarget(
        `${name}-snapshot-archive`,
        { rule: rule.name, arn: fn.arn },
        { parent },
    );
    const permission = new aws.lambda.Permission(
        `${name}-snapshot-archive`,
        { action: "lambda:InvokeFunction", function: fn.name, principal: "events.amazonaws.com", sourceArn: rule.arn },
        { parent },
    );
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
    ];
    return {
        fn,
        role,
        rolePolicy,
        rule,
        target,
        permission,
        alarms,
        logGroup,
        stagingBucket: staging.bucket,
        stagingBucketPolicy: staging.policy,
    };
}
