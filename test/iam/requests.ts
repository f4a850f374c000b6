// Requests as the calling AWS services make them: principal, action, resource and the condition keys
// each service is documented to send. Every builder names the pages its shape comes from; nothing here
// is read from the component's code.
import { AccessRequest } from "./evaluate";

export const docs = {
    boundaries:
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html#access_policies_boundaries-delegate",
    iamConditionKeys: "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html",
    iamActions:
        "https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsidentityandaccessmanagementiam.html",
    passRole: "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html",
    globalKeys: "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html",
    elastiCacheSns: "https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/ElastiCacheSNS.html",
    cloudWatchConfusedDeputy:
        "https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cross-service-confused-deputy-prevention.html",
    alarmNotDelivered: "https://repost.aws/knowledge-center/cloudwatch-receive-sns-for-alarm-trigger",
    cloudTrailBucket:
        "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-s3-bucket-policy-for-cloudtrail.html",
    cloudTrailKey:
        "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html",
    cloudTrailKms: "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/how-kms-works-with-cloudtrail.html",
    cloudTrailFiles:
        "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/get-and-view-cloudtrail-log-files.html",
    logsKms: "https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html",
    vendedLogs: "https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/AWS-logs-and-resource-policy.html",
    subscriptionFirehose: "https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/SubscriptionFilters.html",
    firehoseS3: "https://docs.aws.amazon.com/firehose/latest/dev/controlling-access.html",
    firehoseObjectNames: "https://docs.aws.amazon.com/firehose/latest/dev/s3-object-name.html",
    s3Kms: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html",
    s3BucketKey: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-key.html",
    kmsViaService:
        "https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service",
    kmsContext:
        "https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-encryption-context",
    elastiCacheExport: "https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/backups-exporting.html",
    elastiCacheApiPermissions: "https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/IAM.APIReference.html",
    secretsKms: "https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html",
    elastiCacheAtRest: "https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/at-rest-encryption.html",
    kmsGrantForResource:
        "https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-grant-is-for-aws-resource",
    lambdaRole: "https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html",
    lambdaLogs: "https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs.html",
    eventBridgeLambda: "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html",
    s3CopyObject: "https://docs.aws.amazon.com/AmazonS3/latest/API/API_CopyObject.html",
    s3DeleteObject: "https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObject.html",
    s3HeadObject: "https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadObject.html",
    s3ListObjects: "https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html",
    s3ConditionKeys: "https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html",
};

export interface Account {
    account: string;
    region: string;
    partition: string;
}

/** Every request here travels over HTTPS unless a test says otherwise (aws:SecureTransport, global keys). */
const tls = { "aws:SecureTransport": "true" };

/**
 * A service principal's request also carries aws:PrincipalIsAWSService and aws:PrincipalServiceName
 * (global condition keys page: present when an AWS service principal makes the call).
 */
function service(principal: string): Record<string, string> {
    return { ...tls, "aws:PrincipalIsAWSService": "true", "aws:PrincipalServiceName": principal };
}

export function assumedRole(a: Account, roleArn: string, session = "session"): string {
    const name = roleArn.split(":role/")[1]?.split("/").pop();
    return `arn:${a.partition}:sts::${a.account}:assumed-role/${name}/${session}`;
}

// --- SNS ---

/** ElastiCache publishes cluster events; the topic policy must use aws:SourceOwner (ElastiCache guide). */
export function elastiCachePublishes(a: Account, topicArn: string, owner = a.account): AccessRequest {
    return {
        description: "ElastiCache publishes a cluster event to the topic",
        principal: "elasticache.amazonaws.com",
        action: "sns:Publish",
        resource: topicArn,
        resourceAccount: a.account,
        context: { ...service("elasticache.amazonaws.com"), "aws:SourceOwner": owner },
        sources: [docs.elastiCacheSns, docs.globalKeys],
    };
}

/** A CloudWatch alarm action publishes with aws:SourceArn (the alarm) and aws:SourceAccount. */
export function alarmPublishes(a: Account, topicArn: string, alarmArn: string): AccessRequest {
    const sourceAccount = alarmArn.split(":")[4];
    return {
        description: `CloudWatch alarm ${alarmArn} publishes to the topic`,
        principal: "cloudwatch.amazonaws.com",
        action: "sns:Publish",
        resource: topicArn,
        resourceAccount: a.account,
        context: {
            ...service("cloudwatch.amazonaws.com"),
            "aws:SourceArn": alarmArn,
            "aws:SourceAccount": sourceAccount,
        },
        sources: [docs.cloudWatchConfusedDeputy, docs.alarmNotDelivered],
    };
}

// --- CloudTrail ---

function trailContext(trailArn: string) {
    return {
        ...service("cloudtrail.amazonaws.com"),
        "aws:SourceArn": trailArn,
        "aws:SourceAccount": trailArn.split(":")[4],
    };
}

/** CloudTrail checks the bucket ACL before delivering (bucket-policy guide), scoped by the trail's ARN. */
export function trailChecksAcl(a: Account, bucketArn: string, trailArn: string): AccessRequest {
    return {
        description: "CloudTrail reads the archive bucket's ACL",
        principal: "cloudtrail.amazonaws.com",
        action: "s3:GetBucketAcl",
        resource: bucketArn,
        resourceAccount: a.account,
        context: trailContext(trailArn),
        sources: [docs.cloudTrailBucket],
    };
}

/**
 * CloudTrail writes log files (and, with log file validation, digest files) under
 * `<prefix>/AWSLogs/<account>/CloudTrail[-Digest]/<region>/YYYY/MM/DD/` with the canned ACL
 * bucket-owner-full-control (bucket-policy guide; "Finding your CloudTrail log files").
 */
export function trailWrites(
    a: Account,
    bucketArn: string,
    prefix: string | undefined,
    trailArn: string,
    kind: "CloudTrail" | "CloudTrail-Digest" = "CloudTrail",
    region = a.region,
): AccessRequest {
    const account = trailArn.split(":")[4];
    const base = prefix ? `${prefix}/` : "";
    const file =
        kind === "CloudTrail"
            ? `${account}_CloudTrail_${region}_20261129T1005Z_abcdEFGH1234.json.gz`
            : `${account}_CloudTrail-Digest_${region}_trail_${region}_20261129T100500Z.json.gz`;
    return {
        description: `CloudTrail writes a ${kind} file from ${region}`,
        principal: "cloudtrail.amazonaws.com",
        action: "s3:PutObject",
        resource: `${bucketArn}/${base}AWSLogs/${account}/${kind}/${region}/2026/11/29/${file}`,
        resourceAccount: a.account,
        context: { ...trailContext(trailArn), "s3:x-amz-acl": "bucket-owner-full-control" },
        sources: [docs.cloudTrailBucket, docs.cloudTrailFiles],
    };
}

/**
 * CloudTrail's data keys carry the encryption context aws:cloudtrail:arn (the trail) and aws:s3:arn;
 * with an S3 Bucket Key the S3 context is the bucket ARN ("How AWS CloudTrail uses AWS KMS";
 * S3 Bucket Keys guide). DescribeKey carries no encryption context. Decrypt is needed when the bucket
 * uses an S3 Bucket Key (key-policy guide).
 */
export function trailUsesKey(
    a: Account,
    keyArn: string,
    bucketArn: string,
    trailArn: string,
    action: "kms:GenerateDataKey" | "kms:DescribeKey" | "kms:Decrypt",
    contextTrailArn = trailArn,
): AccessRequest {
    const context: Record<string, string> = { ...trailContext(trailArn) };
    if (action !== "kms:DescribeKey") {
        context["kms:EncryptionContext:aws:cloudtrail:arn"] = contextTrailArn;
        context["kms:EncryptionContext:aws:s3:arn"] = bucketArn;
    }
    return {
        description: `CloudTrail calls ${action} on the key`,
        principal: "cloudtrail.amazonaws.com",
        action,
        resource: keyArn,
        resourceAccount: a.account,
        context,
        sources: [docs.cloudTrailKey, docs.cloudTrailKms, docs.s3BucketKey],
    };
}

// --- CloudWatch Logs ---

/** CloudWatch Logs (the Regional principal) uses the key with the log group's ARN as encryption context. */
export function logsUsesKey(
    a: Account,
    keyArn: string,
    logGroupArn: string,
    action: "kms:GenerateDataKey" | "kms:Decrypt",
): AccessRequest {
    const principal = `logs.${a.region}.amazonaws.com`;
    return {
        description: `CloudWatch Logs calls ${action} for ${logGroupArn}`,
        principal,
        action,
        resource: keyArn,
        resourceAccount: a.account,
        context: { ...service(principal), "kms:EncryptionContext:aws:logs:arn": logGroupArn },
        sources: [docs.logsKms, docs.kmsContext],
    };
}

/**
 * Vended log delivery writes through delivery.logs.amazonaws.com, which AWS documents with
 * aws:SourceAccount (the account) and aws:SourceArn in `arn:aws:logs:<region>:<account>:*`
 * ("Logs sent to CloudWatch Logs"). AWS names the source only by that pattern; the request uses one
 * ARN of that form.
 */
export function deliveryWrites(
    a: Account,
    logGroupName: string,
    action: "logs:CreateLogStream" | "logs:PutLogEvents",
    sourceAccount = a.account,
): AccessRequest {
    return {
        description: `Log delivery calls ${action} on ${logGroupName}`,
        principal: "delivery.logs.amazonaws.com",
        action,
        resource: `arn:${a.partition}:logs:${a.region}:${a.account}:log-group:${logGroupName}:log-stream:elasticache-delivery-1`,
        resourceAccount: a.account,
        context: {
            ...service("delivery.logs.amazonaws.com"),
            "aws:SourceAccount": sourceAccount,
            "aws:SourceArn": `arn:${a.partition}:logs:${a.region}:${sourceAccount}:delivery-source:elasticache`,
        },
        sources: [docs.vendedLogs],
    };
}

/**
 * CloudWatch Logs assumes the subscription role with aws:SourceArn in its own namespace (subscription
 * guide). The guide's trust policy has named the service both `logs.amazonaws.com` and
 * `logs.<region>.amazonaws.com` over time, so both forms are tested.
 */
export function logsAssumesSubscriptionRole(
    a: Account,
    roleArn: string,
    logGroupArn: string,
    form: "global" | "regional" = "regional",
): AccessRequest {
    const principal = form === "global" ? "logs.amazonaws.com" : `logs.${a.region}.amazonaws.com`;
    return {
        description: `CloudWatch Logs (${principal}) assumes the subscription filter's role`,
        principal,
        action: "sts:AssumeRole",
        resource: roleArn,
        resourceAccount: a.account,
        context: { ...service(principal), "aws:SourceArn": `${logGroupArn}:*` },
        sources: [docs.subscriptionFirehose],
    };
}

// --- Firehose ---

/** Firehose assumes its delivery role with sts:ExternalId = the account ("Grant Firehose access to S3"). */
export function firehoseAssumesRole(a: Account, roleArn: string, externalId = a.account): AccessRequest {
    return {
        description: "Firehose assumes its delivery role",
        principal: "firehose.amazonaws.com",
        action: "sts:AssumeRole",
        resource: roleArn,
        resourceAccount: a.account,
        context: { ...service("firehose.amazonaws.com"), "sts:ExternalId": externalId },
        sources: [docs.firehoseS3],
    };
}

// --- S3 and KMS through a role ---

export function roleCalls(
    a: Account,
    roleArn: string,
    action: string,
    resource: string,
    context: Record<string, string | string[]>,
    description: string,
    sources: string[],
): AccessRequest {
    return {
        description,
        principal: assumedRole(a, roleArn),
        action,
        resource,
        resourceAccount: a.account,
        context: { ...tls, "aws:PrincipalArn": roleArn, "aws:PrincipalAccount": a.account, ...context },
        sources,
    };
}

/**
 * S3 asks KMS for a data key on the caller's behalf: kms:ViaService = s3.<region>.amazonaws.com and,
 * with an S3 Bucket Key, the encryption context aws:s3:arn = the bucket ARN (S3 SSE-KMS and Bucket Key guides).
 */
export function s3UsesKeyFor(
    a: Account,
    roleArn: string,
    keyArn: string,
    bucketArn: string,
    action: "kms:GenerateDataKey" | "kms:Decrypt",
): AccessRequest {
    return roleCalls(
        a,
        roleArn,
        action,
        keyArn,
        { "kms:ViaService": `s3.${a.region}.amazonaws.com`, "kms:EncryptionContext:aws:s3:arn": bucketArn },
        `S3 calls ${action} on the key for ${roleArn}`,
        [docs.s3Kms, docs.s3BucketKey, docs.kmsViaService],
    );
}

// --- Secrets Manager ---

/**
 * Secrets Manager calls KMS with the caller's permissions: kms:ViaService =
 * secretsmanager.<region>.amazonaws.com and the encryption context SecretARN / SecretVersionId
 * ("Secret encryption and decryption in AWS Secrets Manager").
 */
export function secretsManagerUsesKey(
    a: Account,
    callerRoleArn: string,
    keyArn: string,
    secretArn: string,
    action: "kms:GenerateDataKey" | "kms:Decrypt",
): AccessRequest {
    return roleCalls(
        a,
        callerRoleArn,
        action,
        keyArn,
        {
            "kms:ViaService": `secretsmanager.${a.region}.amazonaws.com`,
            "kms:EncryptionContext:SecretARN": secretArn,
            "kms:EncryptionContext:SecretVersionId": "EXAMPLE1-90ab-cdef-fedc-ba987SECRET1",
        },
        `Secrets Manager calls ${action} for ${callerRoleArn}`,
        [docs.secretsKms, docs.kmsViaService],
    );
}

/**
 * The caller's own IAM policy that Secrets Manager's guide shows for a customer key: the KMS actions only
 * through Secrets Manager in this Region. Written here from the guide; the component does not make it.
 */
export function secretsCallerPolicy(a: Account, keyArn: string) {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Effect: "Allow",
                Action: ["kms:GenerateDataKey", "kms:Decrypt"],
                Resource: keyArn,
                Condition: { StringEquals: { "kms:ViaService": `secretsmanager.${a.region}.amazonaws.com` } },
            },
        ],
    };
}

// --- ElastiCache at rest ---

/**
 * ElastiCache uses a customer key with the permissions of whoever creates the replication group: it
 * calls KMS through elasticache.<region>.amazonaws.com (kms:ViaService, kms:CallerAccount), creating a
 * grant for itself (kms:GrantIsForAWSResource) ("At-Rest Encryption in ElastiCache", customer managed keys).
 */
export function elastiCacheUsesKeyForDeployer(
    a: Account,
    deployerRoleArn: string,
    keyArn: string,
    action: "kms:CreateGrant" | "kms:DescribeKey",
): AccessRequest {
    const context: Record<string, string> = {
        "kms:ViaService": `elasticache.${a.region}.amazonaws.com`,
        "kms:CallerAccount": a.account,
    };
    if (action === "kms:CreateGrant") {
        context["kms:GrantIsForAWSResource"] = "true";
    }
    return roleCalls(a, deployerRoleArn, action, keyArn, context, `ElastiCache calls ${action} for the deployer`, [
        docs.elastiCacheAtRest,
        docs.kmsViaService,
        docs.kmsGrantForResource,
    ]);
}

// --- Lambda and EventBridge ---

/** Lambda assumes the execution role; its documented trust policy has no condition (execution-role guide). */
export function lambdaAssumesRole(a: Account, roleArn: string): AccessRequest {
    return {
        description: "Lambda assumes the function's execution role",
        principal: "lambda.amazonaws.com",
        action: "sts:AssumeRole",
        resource: roleArn,
        resourceAccount: a.account,
        context: service("lambda.amazonaws.com"),
        sources: [docs.lambdaRole],
    };
}

/** An EventBridge rule invokes its target with aws:SourceArn = the rule and aws:SourceAccount (EventBridge guide). */
export function eventBridgeInvokes(a: Account, functionArn: string, ruleArn: string): AccessRequest {
    return {
        description: `EventBridge rule ${ruleArn} invokes the function`,
        principal: "events.amazonaws.com",
        action: "lambda:InvokeFunction",
        resource: functionArn,
        resourceAccount: a.account,
        context: {
            ...service("events.amazonaws.com"),
            "aws:SourceArn": ruleArn,
            "aws:SourceAccount": ruleArn.split(":")[4],
        },
        sources: [docs.eventBridgeLambda],
    };
}

// --- Callers who must be refused ---

export const otherAccount = "999999999999";

/** A role in another account whose own IAM policy allows everything: only the resource's policy can stop it. */
export function foreignAdmin(a: Account) {
    const roleArn = `arn:${a.partition}:iam::${otherAccount}:role/admin`;
    return {
        principal: `arn:${a.partition}:sts::${otherAccount}:assumed-role/admin/session`,
        roleArn,
        identityPolicies: {
            admin: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] },
        },
    };
}

/** A role of this account whose IAM policy allows everything, to show the resource policy's own denials. */
export function localAdmin(a: Account) {
    const roleArn = `arn:${a.partition}:iam::${a.account}:role/admin`;
    return {
        roleArn,
        identityPolicies: {
            admin: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] },
        },
    };
}

// --- the deployer's own IAM calls ---

/** The role `pulumi up` runs as, in the tests. */
export const deployerRoleArn = (a: Account) => `arn:${a.partition}:iam::${a.account}:role/deployer`;

/**
 * A call the deployer makes itself (IAM and Lambda APIs). IAM puts the role's permissions boundary in
 * `iam:PermissionsBoundary`: for CreateRole the boundary requested, for PutRolePolicy and the other
 * role calls the boundary the role already has; a role without one sends no key (IAM user guide,
 * "IAM and AWS STS condition context keys", iam:PermissionsBoundary). PassRole carries
 * `iam:PassedToService` (IAM user guide, "Grant a user permissions to pass a role to an AWS service").
 */
export function deployerCalls(
    a: Account,
    action: string,
    resource: string,
    context: Record<string, string | string[]> = {},
    description = `the deployer calls ${action} on ${resource}`,
): AccessRequest {
    const role = deployerRoleArn(a);
    return {
        description,
        principal: assumedRole(a, role),
        action,
        resource,
        resourceAccount: a.account,
        context: { ...tls, "aws:PrincipalArn": role, "aws:PrincipalAccount": a.account, ...context },
        sources: [docs.boundaries, docs.iamConditionKeys, docs.iamActions, docs.passRole],
    };
}
