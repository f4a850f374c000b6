// Issue 17, "In the account": the audit (`npm run audit`) as a scheduled Lambda function of the
// account, with its own role: the audit's read permissions (tools/audit/iam-policy.json) narrowed to
// this account, Security Hub's (tools/audit/securityHub.ts iamStatements) when on, and only the writes
// its run needs: the dated report into the archive bucket under `audit-reports/`, the metrics of its
// namespace, its own log group. Two alarms reach the event topic: a mandatory control that stays not
// met, and a day without a completed run.
//
// The function's code is the audit bundle `npm run build:package` writes to bin/audit-function/
// (handler `index.handler`); the environment below is its whole configuration.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as fs from "fs";
import * as path from "path";
import {
    accountMetrics,
    auditFunctionEnv,
    auditMetricNamespace,
    auditReportPrefix,
    auditSecurityHubStatements,
    auditWriteStatements,
    functionDimension,
} from "../core/auditFunction";
import { ArchiveBucket, Common, componentRolePlacement } from "./archive";
import { lambdaNodeRuntime, lambdaTrustPolicy } from "./snapshotExport";

/** Hours without a completed run before the missed-run alarm: a day (the schedule's longest interval) plus two. */
export const missedRunHours = 26;

/**
 * Lambda's maximum timeout, 900 seconds ("Configure Lambda function timeout",
 * https://docs.aws.amazon.com/lambda/latest/dg/configuration-timeout.html): the audit reads every
 * Region side by side and needs what it can get; a run that does not finish publishes no
 * `AuditRunsCompleted`, and the missed-run alarm says so.
 */
export const auditTimeoutSeconds = 900;

/**
 * 1,769 MB: "At 1,769 MB, a function has the equivalent of one vCPU" ("Configure Lambda function
 * memory", https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html). The audit is one
 * Node.js thread whose time goes to evaluating the pack's policies and parsing API answers, so a whole
 * vCPU makes it as fast as it can be and more memory would buy CPU it cannot use; its working set (the
 * account's inventory, the findings, the reports) is a few MB per cache.
 */
export const auditMemoryMb = 1769;

/** The function's name (at most 64 characters: a replication group ID has at most 40). */
export function auditFunctionName(replicationGroupId: string): string {
    return `${replicationGroupId}-hitrust-audit`;
}

/** Tests point this at a placeholder bundle; left undefined, the package's own bundle is used. */
export const auditBundle: { directory?: string } = {};

/**
 * The folder of the audit bundle (index.js with `handler`): bin/audit-function beside the compiled
 * component (bin/component -> bin/audit-function), or, when the component runs from its TypeScript
 * sources, the same folder under bin/. Undefined when neither has the bundle.
 */
export function auditBundleDirectory(): string | undefined {
    const candidates = auditBundle.directory
        ? [auditBundle.directory]
        : [path.join(__dirname, "..", "audit-function"), path.join(__dirname, "..", "bin", "audit-function")];
    return candidates.find((dir) => fs.existsSync(path.join(dir, "index.js")));
}

export const auditBundleMissingProblem = {
    argument: "continuousAudit",
    problem: "the audit function's bundle (bin/audit-function/index.js) is not in this package",
    fix: "run npm run build:package (or reinstall hitrust-elasticache), or omit continuousAudit",
};

/** What `pulumi up` says whenever the audit is on: it reads the whole account, so one stack is enough. */
export function continuousAuditWarning(functionName: string, regions: string[]): string {
    const where = regions.length > 0 ? regions.join(", ") : "the stack's Region";
    return (
        `continuousAudit: this stack deploys the in-account audit '${functionName}', which audits every ElastiCache ` +
        `resource of the account in ${where}, not only this stack's cache. Turn it on in one stack per account: ` +
        `in every other stack leave continuousAudit out, or each one runs the same audit, sends the same findings ` +
        `to Security Hub and is billed again. See README, "Continuous audit in the account".`
    );
}

export interface AuditRoleResources {
    partition: string;
    accountId: string;
    /** The stack's Region: the archive bucket's, where the function writes through S3. */
    region: string;
    archiveBucketArn: string;
    keyArn: string;
    logGroupArn: string;
    securityHub: boolean;
}

type Statement = Record<string, unknown>;

/**
 * The audit's reads (tools/audit/iam-policy.json) narrowed to this account.
 * - Calls that name no resource (the Describe, List and DescribeTrails calls that list what the
 *   account has) stay on "*": "When the action doesn't act on a named resource ... the value of the
 *   resource in the policy is a wildcard (*)" (ElastiCache guide, "Resource-level permissions",
 *   https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/IAM.ResourceLevelPermissions.html), and
 *   the EC2, Logs, CloudTrail, Secrets Manager and Config list actions have no resource type at all
 *   (Service Authorization Reference). They answer with the signing account's resources only.
 * - Calls on a named resource whose ARN carries the account get ARNs of this account (Service
 *   Authorization Reference, each service's resource types): a cache key, trail, topic, log group or
 *   Config rule of another account is refused, and the audit records the gap.
 * - S3 bucket ARNs carry no account, so the bucket reads carry `s3:ResourceAccount`, which S3
 *   defines for each of them ("Actions, resources, and condition keys for Amazon S3",
 *   https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html).
 */
export function auditReadStatements(partition: string, accountId: string): Statement[] {
    const arn = (service: string, resource: string) => `arn:${partition}:${service}:*:${accountId}:${resource}`;
    const ownBuckets = { StringEquals: { "s3:ResourceAccount": accountId } };
    return [
        {
            Sid: "ListTheAccount",
            Effect: "Allow",
            Action: [
                "elasticache:DescribeReplicationGroups",
                "elasticache:DescribeCacheClusters",
                "elasticache:DescribeServerlessCaches",
                "elasticache:DescribeUsers",
                "elasticache:DescribeUserGroups",
                "elasticache:DescribeSnapshots",
                "elasticache:DescribeServerlessCacheSnapshots",
                "ec2:DescribeSubnets",
                "ec2:DescribeRouteTables",
                "ec2:DescribeSecurityGroups",
                "s3:ListAllMyBuckets",
                "logs:DescribeLogGroups",
                "cloudtrail:DescribeTrails",
                "cloudwatch:DescribeAlarms",
                "secretsmanager:ListSecrets",
                "config:DescribeConfigRules",
            ],
            Resource: "*",
        },
        {
            Sid: "ReadCacheSettingsOfThisAccount",
            Effect: "Allow",
            Action: [
                "elasticache:DescribeCacheParameters",
                "elasticache:DescribeCacheSubnetGroups",
                "elasticache:ListTagsForResource",
            ],
            Resource: arn("elasticache", "*"),
        },
        {
            Sid: "ReadKeyMetadataOfThisAccount",
            Effect: "Allow",
            Action: ["kms:DescribeKey", "kms:GetKeyRotationStatus"],
            Resource: arn("kms", "key/*"),
        },
        {
            Sid: "ReadLogStreamsOfThisAccount",
            Effect: "Allow",
            Action: "logs:DescribeLogStreams",
            Resource: arn("logs", "log-group:*"),
        },
        // Any account's trail: in a member account of an organization, DescribeTrails lists the
        // organization trail, whose ARN carries the management account, and "you must provide the full
        // ARN of that trail" to GetTrailStatus (CloudTrail API reference, GetTrailStatus,
        // https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_GetTrailStatus.html). A
        // trail takes no resource policy (PutResourcePolicy attaches to event data stores, dashboards
        // and channels only), so no other account's trail can be opened to the role by this.
        {
            Sid: "ReadTrailStatusOfOrganizationTrails",
            Effect: "Allow",
            Action: "cloudtrail:GetTrailStatus",
            Resource: `arn:${partition}:cloudtrail:*:*:trail/*`,
        },
        {
            Sid: "ReadTopicsOfThisAccount",
            Effect: "Allow",
            Action: "sns:GetTopicAttributes",
            Resource: arn("sns", "*"),
        },
        {
            Sid: "ReadConfigRuleResultsOfThisAccount",
            Effect: "Allow",
            Action: "config:GetComplianceDetailsByConfigRule",
            Resource: arn("config", "config-rule/*"),
        },
        {
            Sid: "FindArchiveBucketsByTagOfThisAccount",
            Effect: "Allow",
            Action: "s3:GetBucketTagging",
            Resource: `arn:${partition}:s3:::*`,
            Condition: ownBuckets,
        },
        {
            Sid: "ReadArchiveBucketSettingsOfThisAccount",
            Effect: "Allow",
            Action: [
                "s3:GetBucketVersioning",
                "s3:GetEncryptionConfiguration",
                "s3:GetBucketPublicAccessBlock",
                "s3:GetLifecycleConfiguration",
                "s3:GetBucketObjectLockConfiguration",
            ],
            Resource: `arn:${partition}:s3:::*-archive-*`,
            Condition: ownBuckets,
        },
        {
            Sid: "ListArchivedExportsOfThisAccount",
            Effect: "Allow",
            Action: "s3:ListBucket",
            Resource: `arn:${partition}:s3:::*-archive-*`,
            Condition: {
                StringEquals: { "s3:ResourceAccount": accountId },
                StringLike: { "s3:prefix": "snapshots/*" },
            },
        },
    ];
}

/** The function's own log group: the only log it writes. */
function auditLogStatement(logGroupArn: string): Statement {
    return {
        Sid: "Log",
        Effect: "Allow",
        Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
        Resource: `${logGroupArn}:*`,
    };
}

/** The function role's one inline policy. */
export function auditRolePolicy(r: AuditRoleResources): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            ...auditReadStatements(r.partition, r.accountId),
            ...(r.securityHub ? auditSecurityHubStatements(r.partition, r.accountId) : []),
            ...auditWriteStatements({ ...r, bucketArn: r.archiveBucketArn, prefix: auditReportPrefix }),
            auditLogStatement(r.logGroupArn),
        ],
    });
}

/** Every action the role is given, for the check that the account's boundary allows them (archive.ts). */
export function auditRoleActions(securityHub: boolean): string[] {
    const placeholder = {
        partition: "aws",
        accountId: "0",
        region: "x",
        archiveBucketArn: "b",
        keyArn: "k",
        logGroupArn: "l",
    };
    const statements: Statement[] = JSON.parse(auditRolePolicy({ ...placeholder, securityHub })).Statement;
    return [...new Set(statements.flatMap((st) => [st.Action as string | string[]].flat()))];
}

export interface ContinuousAuditParts {
    fn: aws.lambda.Function;
    role: aws.iam.Role;
    rolePolicy: aws.iam.RolePolicy;
    logGroup: aws.cloudwatch.LogGroup;
    rule: aws.cloudwatch.EventRule;
    target: aws.cloudwatch.EventTarget;
    permission: aws.lambda.Permission;
    /** No retries of a failed scheduled run: the next run is the retry. */
    invokeConfig: aws.lambda.FunctionEventInvokeConfig;
    alarms: aws.cloudwatch.MetricAlarm[];
}

/** The audit function, its role, log group, schedule and alarms. `c.settings.continuousAudit` must be set. */
export function createContinuousAudit(
    c: Common & {
        archive: ArchiveBucket;
        topicArn: pulumi.Output<string>;
        /** The name of the Secrets Manager secret that holds the cache's credentials. */
        authSecretName: pulumi.Output<string>;
        bundleDirectory: string;
    },
): ContinuousAuditParts {
    const { name, settings, keyArn, account, tags, parent } = c;
    const audit = settings.continuousAudit!;
    const id = settings.replicationGroupId;
    const functionName = auditFunctionName(id);
    void pulumi.log.warn(continuousAuditWarning(functionName, audit.regions), parent);

    // The key policy lets CloudWatch Logs use the key for /aws/lambda/<id>-* (keyPolicy.ts keyLogGroupArns).
    const logGroup = new aws.cloudwatch.LogGroup(
        `${name}-hitrust-audit-logs`,
        { name: `/aws/lambda/${functionName}`, retentionInDays: settings.logRetentionDays, kmsKeyId: keyArn, tags },
        { parent },
    );
    const role = new aws.iam.Role(
        `${name}-hitrust-audit`,
        { assumeRolePolicy: lambdaTrustPolicy, ...componentRolePlacement(account), tags },
        { parent },
    );
    const rolePolicy = new aws.iam.RolePolicy(
        `${name}-hitrust-audit`,
        {
            role: role.id,
            policy: pulumi
                .all([account.partition, account.accountId, account.region, c.archive.bucket.arn, keyArn, logGroup.arn])
                .apply(([partition, accountId, region, archiveBucketArn, key, logGroupArn]) =>
                    auditRolePolicy({
                        partition,
                        accountId,
                        region,
                        archiveBucketArn,
                        keyArn: key,
                        logGroupArn,
                        securityHub: audit.securityHub,
                    }),
                ),
        },
        { parent },
    );
    const fn = new aws.lambda.Function(
        `${name}-hitrust-audit`,
        {
            name: functionName,
            description: `HITRUST audit of the account's ElastiCache resources (stack of ${id}): dated reports, Security Hub findings, metrics.`,
            runtime: lambdaNodeRuntime,
            handler: "index.handler",
            code: new pulumi.asset.FileArchive(c.bundleDirectory),
            role: role.arn,
            timeout: auditTimeoutSeconds,
            memorySize: auditMemoryMb,
            environment: {
                variables: {
                    [auditFunctionEnv.regions]:
                        audit.regions.length > 0 ? audit.regions.join(",") : pulumi.output(account.region),
                    [auditFunctionEnv.bucket]: c.archive.bucket.bucket,
                    [auditFunctionEnv.prefix]: auditReportPrefix,
                    [auditFunctionEnv.securityHub]: String(audit.securityHub),
                    // This stack's group, so the audit finds its archive and secret without guessing.
                    [auditFunctionEnv.archiveBuckets]: c.archive.bucket.bucket.apply((bucket) =>
                        JSON.stringify({ [id]: bucket }),
                    ),
                    [auditFunctionEnv.authSecrets]: c.authSecretName.apply((secret) =>
                        JSON.stringify({ [id]: secret }),
                    ),
                },
            },
            loggingConfig: { logFormat: "JSON", logGroup: logGroup.name },
            tags,
        },
        { parent, dependsOn: [rolePolicy, logGroup, c.archive.policy] },
    );
    // EventBridge invokes the function asynchronously, and Lambda retries a failed or timed-out
    // asynchronous invocation twice by default ("Configuring error handling for Lambda asynchronous
    // invocation", https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html):
    // up to three 15-minute runs, three report folders and three Security Hub imports for one failure
    // that the missed-run alarm below already reports. The next scheduled run is the retry.
    const invokeConfig = new aws.lambda.FunctionEventInvokeConfig(
        `${name}-hitrust-audit`,
        { functionName: fn.name, maximumRetryAttempts: 0 },
        { parent },
    );
    // The snapshot export's mechanism (component/snapshotExport.ts): a scheduled EventBridge rule, the
    // function as its target, and Lambda's permission for EventBridge scoped to that rule's ARN
    // ("Using resource-based policies for Amazon EventBridge", Lambda permissions,
    // https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html).
    const rule = new aws.cloudwatch.EventRule(
        `${name}-hitrust-audit`,
        {
            name: functionName,
            description: `Runs the HITRUST audit of the account's ElastiCache resources (${audit.schedule})`,
            scheduleExpression: audit.schedule,
            tags,
        },
        { parent },
    );
    const target = new aws.cloudwatch.EventTarget(
        `${name}-hitrust-audit`,
        { rule: rule.name, arn: fn.arn },
        { parent },
    );
    const permission = new aws.lambda.Permission(
        `${name}-hitrust-audit`,
        { action: "lambda:InvokeFunction", function: fn.name, principal: "events.amazonaws.com", sourceArn: rule.arn },
        { parent },
    );
    const alarms = [
        // Each run publishes how many mandatory controls are not met; two days in a row at 1 or more
        // alarm (a control fixed the next day does not). Days without a run are left to the alarm below.
        new aws.cloudwatch.MetricAlarm(
            `${name}-hitrust-audit-mandatory-not-met`,
            {
                name: `${functionName}-mandatory-not-met`,
                alarmDescription: `The HITRUST audit of the account found a mandatory control not met in two consecutive days (function ${functionName}; its report is under s3://<archive>/${auditReportPrefix}).`,
                namespace: auditMetricNamespace,
                metricName: accountMetrics.mandatoryNotMet,
                dimensions: { [functionDimension]: functionName },
                statistic: "Maximum",
                period: 86400,
                evaluationPeriods: 2,
                datapointsToAlarm: 2,
                threshold: 1,
                comparisonOperator: "GreaterThanOrEqualToThreshold",
                treatMissingData: "missing",
                alarmActions: [c.topicArn],
                okActions: [c.topicArn],
                tags,
            },
            { parent, dependsOn: [fn] },
        ),
        // A run that completes publishes AuditRunsCompleted. 26 hourly periods without one (a day and two
        // hours of slack) alarm, missing data counting as breaching ("Configuring how CloudWatch alarms
        // treat missing data",
        // https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarms-and-missing-data.html):
        // the schedule stopped, the function failed or timed out, or it could not publish. Hourly periods,
        // not one day, so that a run a few minutes later than the day before cannot leave a period empty;
        // 26 x 3,600 s is within the 7 days PutMetricAlarm allows for periods of an hour or more
        // (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html).
        new aws.cloudwatch.MetricAlarm(
            `${name}-hitrust-audit-missed`,
            {
                name: `${functionName}-missed`,
                alarmDescription: `The HITRUST audit of the account (function ${functionName}) did not complete a run in 26 hours.`,
                namespace: auditMetricNamespace,
                metricName: accountMetrics.runsCompleted,
                dimensions: { [functionDimension]: functionName },
                statistic: "Sum",
                period: 3600,
                evaluationPeriods: missedRunHours,
                datapointsToAlarm: missedRunHours,
                threshold: 1,
                comparisonOperator: "LessThanThreshold",
                treatMissingData: "breaching",
                alarmActions: [c.topicArn],
                okActions: [c.topicArn],
                tags,
            },
            { parent, dependsOn: [fn] },
        ),
    ];
    return { fn, role, rolePolicy, logGroup, rule, target, permission, invokeConfig, alarms };
}
