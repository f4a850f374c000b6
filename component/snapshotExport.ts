// Step 5's daily snapshot export: a scheduled Lambda copies the newest automatic snapshot of the
// group into the archive, with its role, schedule and alarms.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as path from "path";
import { ArchiveBucket, Common, archivePrefixes, assumeRole } from "./archive";

export const exportFunctionCode = path.join(__dirname, "lambda", "exportSnapshot.js");

/** The daily job that copies the newest automatic snapshot to the archive, and its alarms. */
export function createSnapshotExport(
    c: Common & { archive: ArchiveBucket; topicArn: pulumi.Output<string>; group: aws.elasticache.ReplicationGroup },
) {
    const { name, settings, keyArn, account, tags, parent } = c;
    const functionName = `${settings.replicationGroupId}-snapshot-archive`;
    const logGroup = new aws.cloudwatch.LogGroup(
        `${name}-snapshot-archive-logs`,
        { name: `/aws/lambda/${functionName}`, retentionInDays: settings.logRetentionDays, kmsKeyId: keyArn, tags },
        { parent },
    );
    const role = new aws.iam.Role(
        `${name}-snapshot-archive`,
        { assumeRolePolicy: assumeRole("lambda.amazonaws.com", account.accountId), tags },
        { parent },
    );
    const rolePolicy = new aws.iam.RolePolicy(
        `${name}-snapshot-archive`,
        {
            role: role.id,
            policy: pulumi
                .all([account.partition, account.region, account.accountId, c.archive.bucket.arn, logGroup.arn])
                .apply(([partition, region, accountId, bucketArn, logGroupArn]) =>
                    JSON.stringify({
                        Version: "2012-10-17",
                        Statement: [
                            {
                                Sid: "FindSnapshots",
                                Effect: "Allow",
                                Action: "elasticache:DescribeSnapshots",
                                Resource: "*",
                            },
                            {
                                Sid: "ExportSnapshots",
                                Effect: "Allow",
                                Action: "elasticache:CopySnapshot",
                                Resource: `arn:${partition}:elasticache:${region}:${accountId}:snapshot:*`,
                            },
                            // CopySnapshot to S3 checks the caller can see the bucket (ElastiCache API permissions reference).
                            {
                                Sid: "LocateBucket",
                                Effect: "Allow",
                                Action: ["s3:GetBucketLocation", "s3:ListAllMyBuckets"],
                                Resource: "*",
                            },
                            { Sid: "CheckArchive", Effect: "Allow", Action: "s3:ListBucket", Resource: bucketArn },
                            {
                                Sid: "Log",
                                Effect: "Allow",
                                Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
                                Resource: `${logGroupArn}:*`,
                            },
                        ],
                    }),
                ),
        },
        { parent },
    );
    const fn = new aws.lambda.Function(
        `${name}-snapshot-archive`,
        {
            name: functionName,
            description: `Copies the newest automatic snapshot of ${settings.replicationGroupId} to the archive bucket.`,
            runtime: "nodejs20.x",
            handler: "index.handler",
            code: new pulumi.asset.AssetArchive({ "index.js": new pulumi.asset.FileAsset(exportFunctionCode) }),
            role: role.arn,
            timeout: 120,
            memorySize: 256,
            reservedConcurrentExecutions: 1,
            environment: {
                variables: {
                    REPLICATION_GROUP_ID: settings.replicationGroupId,
                    ARCHIVE_BUCKET: c.archive.bucket.bucket,
                    ARCHIVE_PREFIX: archivePrefixes.snapshots,
                },
            },
            loggingConfig: { logFormat: "JSON", logGroup: logGroup.name },
            tags,
        },
        { parent, dependsOn: [rolePolicy, c.group] },
    );
    const rule = new aws.cloudwatch.EventRule(
        `${name}-snapshot-archive`,
        {
            name: functionName,
            description: "Daily snapshot archive",
            scheduleExpression: settings.archiveSchedule,
            tags,
        },
        { parent },
    );
    new aws.cloudwatch.EventTarget(`${name}-snapshot-archive`, { rule: rule.name, arn: fn.arn }, { parent });
    new aws.lambda.Permission(
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
                alarmDescription: `The snapshot archive of ${settings.replicationGroupId} failed.`,
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
                alarmDescription: `The snapshot archive of ${settings.replicationGroupId} did not run in a day.`,
                metricName: "Invocations",
                period: 86400,
                threshold: 1,
                comparisonOperator: "LessThanThreshold",
                treatMissingData: "breaching",
            },
            { parent, dependsOn: [fn] },
        ),
    ];
    return { fn, rule, alarms, logGroup };
}
