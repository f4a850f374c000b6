// The snapshot export's resources (component/snapshotExport.ts), registered under Pulumi mocks, and
// the job's role evaluated by a real IAM policy evaluator against every request the job makes.
// Expected values are written here from the AWS pages that define them, not from the code:
//   Lambda developer guide, "Building Lambda functions with Node.js" (runtime table, also in
//     "Lambda runtimes"): https://docs.aws.amazon.com/lambda/latest/dg/lambda-nodejs.html
//   ElastiCache guide, "Exporting a backup", step 2 "Grant ElastiCache access to your Amazon S3
//     bucket" (default Regions: canonical-user ACL with List objects, Write objects, Read bucket
//     permissions; opt-in Regions: bucket policy for <region>.elasticache-snapshot.amazonaws.com) and
//     step 3 (the caller's S3 permissions):
//     https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/backups-exporting.html
//   S3 user guide, "Required permissions for Amazon S3 API operations" and "Using server-side
//     encryption with AWS KMS keys (SSE-KMS)": the IAM actions each S3 request needs.
import * as assert from "assert";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { runSimulation } from "@cloud-copilot/iam-simulate";
import { mockClient } from "aws-sdk-client-mock";
import { CopySnapshotCommand, DescribeSnapshotsCommand, ElastiCacheClient } from "@aws-sdk/client-elasticache";
import { DescribeExecutionCommand, SFNClient, StartExecutionCommand } from "@aws-sdk/client-sfn";
import { CloudWatchClient, PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import {
    AbortMultipartUploadCommand,
    CompleteMultipartUploadCommand,
    CopyObjectCommand,
    CreateMultipartUploadCommand,
    DeleteObjectCommand,
    GetObjectCommand,
    HeadObjectCommand,
    ListObjectsV2Command,
    PutObjectCommand,
    S3Client,
    UploadPartCopyCommand,
} from "@aws-sdk/client-s3";
import { resolveSettings } from "../component/validate";
import {
    copyStateMachineDefinition,
    createSnapshotExport,
    exportRolePolicy,
    lambdaNodeRuntime,
} from "../component/snapshotExport";
import { MockRunResult, RecordedResource, mockAccountId, runUnderMocks } from "../tools/mockrun";
import { baseArgs } from "./helpers";

const job = require("../component/lambda/exportSnapshot.js");

/** AWS's runtime table for Node.js (Lambda developer guide, "Building Lambda functions with Node.js"). */
const nodeRuntimeTable: Record<string, { deprecation: string; blockCreate: string; blockUpdate: string }> = {
    "nodejs24.x": { deprecation: "2028-04-30", blockCreate: "2028-06-01", blockUpdate: "2028-07-01" },
    "nodejs22.x": { deprecation: "2027-04-30", blockCreate: "2027-06-01", blockUpdate: "2027-07-01" },
    "nodejs20.x": { deprecation: "2026-04-30", blockCreate: "2026-08-31", blockUpdate: "2026-09-30" },
};
const runtimeMarginDays = 180;

/** Why a runtime is not safe to create functions on as of `today`, or undefined. */
function runtimeProblem(runtime: string, today: Date): string | undefined {
    const row = nodeRuntimeTable[runtime];
    if (!row) {
        return `${runtime} is not in AWS's Node.js runtime table held by this test; add its dates from the Lambda guide`;
    }
    const daysLeft = Math.floor((Date.parse(`${row.blockCreate}T00:00:00Z`) - today.getTime()) / 864e5);
    if (daysLeft < runtimeMarginDays) {
        return `${runtime}: Lambda blocks creating functions on ${row.blockCreate} (${daysLeft} days away); move lambdaNodeRuntime to a newer runtime`;
    }
    return undefined;
}

const exporterCanonicalId = "540804c33a284a299d2547575ce1010f2312ef3da9b3a053c8bc45bf233e4353";
const govCloudExporterCanonicalId = "40fa568277ad703bd160f66ae4f83fc9dfdfd06c2f1b5060ca22442ac3ef8be6";
const optInRegionActions = [
    "s3:GetBucketAcl",
    "s3:GetObject",
    "s3:ListBucket",
    "s3:ListBucketMultipartUploads",
    "s3:ListMultipartUploadParts",
    "s3:PutObject",
];

const t = {
    bucket: "aws:s3/bucket:Bucket",
    encryption: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    publicAccess: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    ownership: "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
    acl: "aws:s3/bucketAcl:BucketAcl",
    lifecycle: "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    bucketPolicy: "aws:s3/bucketPolicy:BucketPolicy",
    lambda: "aws:lambda/function:Function",
    role: "aws:iam/role:Role",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
    logGroup: "aws:cloudwatch/logGroup:LogGroup",
    alarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
    rule: "aws:cloudwatch/eventRule:EventRule",
    target: "aws:cloudwatch/eventTarget:EventTarget",
    permission: "aws:lambda/permission:Permission",
};

class TestParent extends pulumi.ComponentResource {
    constructor() {
        super("test:index:ExportParent", "cache", {}, {});
    }
}

/** Builds only the export, beside a stand-in archive bucket, key, topic and group. */
async function runExportUnderMocks(partition = "aws"): Promise<MockRunResult & { exported?: any }> {
    let exported: any;
    const result = await runUnderMocks(
        () => {
            const { settings } = resolveSettings("cache", baseArgs);
            const parent = new TestParent();
            const key = new aws.kms.Key("cache-key", {}, { parent });
            const archiveBucket = new aws.s3.Bucket("cache-archive", { bucketPrefix: "cache-archive-" }, { parent });
            const archivePolicy = new aws.s3.BucketPolicy(
                "cache-archive-policy",
                { bucket: archiveBucket.id, policy: "{}" },
                { parent },
            );
            const topic = new aws.sns.Topic("cache-events", {}, { parent });
            const group = new aws.elasticache.ReplicationGroup(
                "cache",
                { replicationGroupId: "cache", description: "test" },
                { parent },
            );
            const exporter = createSnapshotExport({
                name: "cache",
                settings,
                keyArn: key.arn,
                account: {
                    accountId: pulumi.output(mockAccountId),
                    partition: pulumi.output(partition),
                    region: pulumi.output("us-east-1"),
                },
                tags: { Compliance: "HITRUST" },
                parent,
                archive: { bucket: archiveBucket, policy: archivePolicy, parts: [] },
                topicArn: topic.arn,
                group,
            });
            exported = exporter;
        },
        { preview: false },
    );
    return { ...result, exported };
}

const keyArnOf = (result: MockRunResult) =>
    (result.resources.find((r) => r.type === "aws:kms/key:Key")!.state as any).arn as string;
const copyMachineArnOf = (result: MockRunResult) =>
    (result.resources.find((r) => r.type === "aws:sfn/stateMachine:StateMachine")!.state as any).arn as string;
const byName = (result: MockRunResult, name: string): RecordedResource => {
    const found = result.resources.find((r) => r.name === name);
    assert.ok(found, `no resource named ${name}`);
    return found;
};
const inputs = (result: MockRunResult, name: string) => byName(result, name).inputs as any;
const ofTypeNamed = (result: MockRunResult, type: string, name: string): RecordedResource => {
    const found = result.resources.find((r) => r.type === type && r.name === name);
    assert.ok(found, `no ${type} named ${name}`);
    return found;
};

describe("Snapshot export: Lambda runtime", () => {
    it("runs on a runtime AWS accepts for creation for at least 180 more days", () => {
        assert.strictEqual(runtimeProblem(lambdaNodeRuntime, new Date()), undefined);
    });

    it("the check rejects the runtime the job used before, and Node.js 22 six months ahead", () => {
        const issueDate = new Date("2026-11-29T00:00:00Z");
        assert.match(
            runtimeProblem("nodejs20.x", issueDate)!,
            /blocks creating functions on 2026-08-31 \(-90 days away\)/,
        );
        assert.strictEqual(runtimeProblem("nodejs22.x", issueDate), undefined, "184 days left on 2026-11-29");
        assert.match(runtimeProblem("nodejs22.x", new Date("2026-12-05T00:00:00Z"))!, /2027-06-01 \(178 days away\)/);
        assert.match(runtimeProblem("nodejs26.x", issueDate)!, /not in AWS's Node.js runtime table/);
    });
});

describe("Snapshot export: resources", () => {
    let result: MockRunResult & { exported?: any };
    before(async () => {
        result = await runExportUnderMocks();
        assert.deepStrictEqual(result.errors, []);
    });

    it("runs the tested job code on the chosen runtime, without reserved concurrency", () => {
        const fn = ofTypeNamed(result, t.lambda, "cache-snapshot-archive").inputs as any;
        assert.strictEqual(fn.runtime, lambdaNodeRuntime);
        assert.strictEqual(fn.handler, "index.handler");
        assert.ok(!("reservedConcurrentExecutions" in fn), "reserved concurrency fails on low-quota accounts");
        assert.ok(JSON.stringify(fn.code).includes("exportSnapshot.js"), "the function ships the tested code");
    });

    it("creates a private SSE-S3 staging bucket that only holds transient copies", () => {
        const bucket = inputs(result, "cache-export-staging");
        assert.strictEqual(bucket.forceDestroy, true);
        assert.match(bucket.bucketPrefix, /^cache-staging-$/);
        assert.ok(bucket.bucketPrefix.length <= 37, "S3 bucket prefixes leave 26 characters for the suffix");
        assert.deepStrictEqual(bucket.tags, { Compliance: "HITRUST" });
        assert.deepStrictEqual(inputs(result, "cache-export-staging-encryption").rules, [
            { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } },
        ]);
        const pab = inputs(result, "cache-export-staging-public-access");
        assert.deepStrictEqual(
            [pab.blockPublicAcls, pab.blockPublicPolicy, pab.ignorePublicAcls, pab.restrictPublicBuckets],
            [true, true, true, true],
        );
        const [rule] = inputs(result, "cache-export-staging-lifecycle").rules;
        assert.strictEqual(rule.status, "Enabled");
        // 1 day, S3's minimum: staged exports hold PHI under SSE-S3 (issue 15; test/archive.test.ts).
        assert.strictEqual(rule.expiration.days, 1, "staged copies expire after 1 day");
        assert.strictEqual(rule.abortIncompleteMultipartUpload.daysAfterInitiation, 1);
    });

    it("grants ElastiCache's canonical user exactly what the export guide lists, by ACL", () => {
        assert.strictEqual(
            inputs(result, "cache-export-staging-ownership").rule.objectOwnership,
            "BucketOwnerPreferred",
        );
        const grants = inputs(result, "cache-export-staging-acl").accessControlPolicy.grants.map((g: any) => [
            g.grantee.type,
            g.grantee.id,
            g.permission,
        ]);
        assert.deepStrictEqual(grants, [
            ["CanonicalUser", "mock-owner-canonical-id", "FULL_CONTROL"],
            // List objects, Write objects, Read bucket permissions.
            ["CanonicalUser", exporterCanonicalId, "READ"],
            ["CanonicalUser", exporterCanonicalId, "WRITE"],
            ["CanonicalUser", exporterCanonicalId, "READ_ACP"],
        ]);
        const acl = byName(result, "cache-export-staging-acl");
        for (const before of ["cache-export-staging-ownership", "cache-export-staging-public-access"]) {
            assert.ok(acl.dependencies.includes(byName(result, before).urn), `the ACL waits for ${before}`);
        }
    });

    it("grants the opt-in-Region export principal the guide's actions, and denies requests without TLS", () => {
        const bucketArn = (ofTypeNamed(result, t.bucket, "cache-export-staging").state as any).arn;
        const policy = JSON.parse(inputs(result, "cache-export-staging-policy").policy);
        assert.deepStrictEqual(
            policy.Statement.find((s: any) => s.Effect === "Deny"),
            {
                Sid: "DenyInsecureTransport",
                Effect: "Deny",
                Principal: "*",
                Action: "s3:*",
                Resource: [bucketArn, `${bucketArn}/*`],
                Condition: { Bool: { "aws:SecureTransport": "false" } },
            },
        );
        const allows = policy.Statement.filter((s: any) => s.Effect === "Allow");
        assert.strictEqual(allows.length, 1);
        assert.deepStrictEqual(allows[0].Principal, { Service: "us-east-1.elasticache-snapshot.amazonaws.com" });
        assert.deepStrictEqual([...allows[0].Action].sort(), optInRegionActions);
        assert.deepStrictEqual(allows[0].Resource, [bucketArn, `${bucketArn}/*`]);
        assert.strictEqual(allows[0].Condition, undefined, "the guide documents no condition for this principal");
    });

    it("uses GovCloud's export canonical user in aws-us-gov", async () => {
        const gov = await runExportUnderMocks("aws-us-gov");
        assert.deepStrictEqual(gov.errors, []);
        const ids = inputs(gov, "cache-export-staging-acl").accessControlPolicy.grants.map((g: any) => g.grantee.id);
        assert.deepStrictEqual(ids.slice(1), [
            govCloudExporterCanonicalId,
            govCloudExporterCanonicalId,
            govCloudExporterCanonicalId,
        ]);
    });

    it("refuses a partition for which AWS documents no export canonical user", async () => {
        const other = await runExportUnderMocks("aws-iso");
        assert.match(
            other.errors.map((e) => e.message).join("\n"),
            /snapshot export: no ElastiCache export canonical user is documented for partition aws-iso/,
        );
    });

    it("runs the job hourly besides the daily schedule, each rule allowed to invoke it", () => {
        const rules = result.resources.filter((r) => r.type === t.rule).map((r) => r.inputs as any);
        assert.deepStrictEqual(
            rules.map((r) => [r.name, r.scheduleExpression]),
            [
                ["cache-snapshot-archive", "cron(0 7 * * ? *)"],
                ["cache-snapshot-archive-hourly", "rate(1 hour)"],
            ],
        );
        const permissions = result.resources.filter((r) => r.type === t.permission);
        assert.strictEqual(permissions.length, 2);
        const ruleArns = result.resources.filter((r) => r.type === t.rule).map((r) => (r.state as any).arn);
        assert.deepStrictEqual(
            permissions.map((p) => (p.inputs as any).sourceArn),
            ruleArns,
            "each permission names its own rule",
        );
    });

    it("creates the copy state machine as a Standard workflow with its own role, running the tested definition", () => {
        const machine = ofTypeNamed(result, "aws:sfn/stateMachine:StateMachine", "cache-snapshot-archive-copy");
        const inputs = machine.inputs as any;
        // Standard: executions up to a year; Express stops at five minutes (Step Functions developer
        // guide, "Choosing workflow type").
        assert.strictEqual(inputs.type, "STANDARD");
        assert.strictEqual(inputs.name, "cache-snapshot-archive-copy");
        assert.ok(inputs.name.length <= 80, "state machine names are 1-80 characters");
        assert.deepStrictEqual(JSON.parse(inputs.definition), copyStateMachineDefinition());
        const copyRole = ofTypeNamed(result, t.role, "cache-snapshot-archive-copy");
        assert.strictEqual(inputs.roleArn, (copyRole.state as any).arn);
        assert.ok(
            machine.dependencies.includes(ofTypeNamed(result, t.rolePolicy, "cache-snapshot-archive-copy").urn),
            "the state machine waits for its role's policy",
        );
        const trust = JSON.parse((copyRole.inputs as any).assumeRolePolicy);
        assert.deepStrictEqual(trust.Statement, [
            {
                Effect: "Allow",
                Principal: { Service: "states.amazonaws.com" },
                Action: "sts:AssumeRole",
                Condition: {
                    StringEquals: { "aws:SourceAccount": mockAccountId },
                    ArnLike: {
                        "aws:SourceArn": `arn:aws:states:us-east-1:${mockAccountId}:stateMachine:cache-snapshot-archive-copy`,
                    },
                },
            },
        ]);
        for (const field of ["copyStateMachine", "copyRole", "copyRolePolicy"]) {
            assert.ok(result.exported[field], `createSnapshotExport returns ${field}`);
        }
    });

    it("lets Lambda assume the role with no condition", () => {
        const role = ofTypeNamed(result, t.role, "cache-snapshot-archive");
        assert.deepStrictEqual(JSON.parse((role.inputs as any).assumeRolePolicy), {
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
        });
    });

    it("gives the job its buckets, key and the archive prefix, and waits for the staging grants", () => {
        const fn = ofTypeNamed(result, t.lambda, "cache-snapshot-archive");
        const stagingName = (byName(result, "cache-export-staging").state as any).bucket;
        const archiveName = (byName(result, "cache-archive").state as any).bucket;
        assert.deepStrictEqual((fn.inputs as any).environment.variables, {
            REPLICATION_GROUP_ID: "cache",
            STAGING_BUCKET: stagingName,
            ARCHIVE_BUCKET: archiveName,
            ARCHIVE_PREFIX: "snapshots",
            ARCHIVE_KMS_KEY_ARN: keyArnOf(result),
            COPY_STATE_MACHINE_ARN: copyMachineArnOf(result),
        });
        assert.deepStrictEqual(job.optionsFromEnvironment((fn.inputs as any).environment.variables), {
            replicationGroupId: "cache",
            stagingBucket: stagingName,
            archiveBucket: archiveName,
            prefix: "snapshots",
            kmsKeyArn: keyArnOf(result),
            copyStateMachineArn: copyMachineArnOf(result),
        });
        for (const name of ["cache-export-staging-acl", "cache-export-staging-policy", "cache-archive-policy"]) {
            assert.ok(fn.dependencies.includes(byName(result, name).urn), `the function waits for ${name}`);
        }
        assert.ok((fn.inputs as any).timeout <= 900, "Lambda's maximum timeout is 900 s");
    });

    it("keeps the schedule, the Errors and missed-run alarms, alarms on the archive's age, and returns what callers need", () => {
        assert.strictEqual(
            (ofTypeNamed(result, t.lambda, "cache-snapshot-archive").inputs as any).name,
            "cache-snapshot-archive",
        );
        const rule = result.resources.find((r) => r.type === t.rule)!;
        assert.strictEqual((rule.inputs as any).scheduleExpression, "cron(0 7 * * ? *)");
        assert.strictEqual(
            (result.resources.find((r) => r.type === t.permission)!.inputs as any).principal,
            "events.amazonaws.com",
        );
        const topicArn = (result.resources.find((r) => r.type === "aws:sns/topic:Topic")!.state as any).arn;
        const alarms = result.resources.filter((r) => r.type === t.alarm).map((a) => a.inputs as any);
        assert.deepStrictEqual(
            alarms.map((a) => [a.metricName, a.comparisonOperator, a.treatMissingData, a.alarmActions]),
            [
                ["Errors", "GreaterThanThreshold", "notBreaching", [topicArn]],
                ["Invocations", "LessThanThreshold", "breaching", [topicArn]],
                ["NewestArchivedBackupAge", "GreaterThanThreshold", "breaching", [topicArn]],
            ],
        );
        // The age alarm watches what the job publishes (test/exportSnapshot.test.ts holds the job's
        // namespace, name, unit and dimension to these through a run), over "a day and a bit".
        const age = alarms[2];
        assert.deepStrictEqual(
            [age.namespace, age.metricName, age.unit, age.dimensions, age.statistic],
            [
                job.archiveAgeMetric.namespace,
                job.archiveAgeMetric.metricName,
                "Seconds",
                { ReplicationGroupId: "cache" },
                "Maximum",
            ],
        );
        assert.ok(
            age.threshold > 24 * 3600 && age.threshold <= 36 * 3600,
            "more than a day, less than a day and a half",
        );
        // Missing data breaches only once the job has missed several hourly runs.
        assert.strictEqual(age.period, 3600);
        assert.ok(age.evaluationPeriods >= 2 && age.evaluationPeriods <= 6);
        assert.deepStrictEqual(age.okActions, [topicArn]);
        for (const field of ["fn", "rule", "alarms", "logGroup", "stagingBucket", "role"]) {
            assert.ok(result.exported[field], `createSnapshotExport returns ${field}`);
        }
        assert.strictEqual(result.exported.alarms.length, 3);
    });
});

// ---------------------------------------------------------------------------------------------
// The role against every request the job makes, evaluated by @cloud-copilot/iam-simulate.
// ---------------------------------------------------------------------------------------------
const region = "us-east-1";
const role = `arn:aws:iam::${mockAccountId}:role/cache-snapshot-archive`;

interface IamRequest {
    why: string;
    action: string;
    resource: string;
    context?: Record<string, string>;
}

/**
 * The IAM requests one SDK command causes (S3 user guide, "Required permissions for Amazon S3 API
 * operations"; SSE-KMS: writes call kms:GenerateDataKey, reads and multipart uploads kms:Decrypt,
 * each through S3, so with kms:ViaService s3.<region>.amazonaws.com).
 */
function iamRequestsOf(command: string, input: any, keyArn: string, archive: string): IamRequest[] {
    const object = (bucket: string, key: string) => `arn:aws:s3:::${bucket}/${key}`;
    const source = () => {
        const slash = input.CopySource.indexOf("/");
        return object(input.CopySource.slice(0, slash), decodeURIComponent(input.CopySource.slice(slash + 1)));
    };
    const viaS3 = { "kms:ViaService": `s3.${region}.amazonaws.com` };
    const kms = (action: string) => ({ why: `${command} with SSE-KMS`, action, resource: keyArn, context: viaS3 });
    const kmsIfArchive = (...actions: string[]) => (input.Bucket === archive ? actions.map(kms) : []);
    switch (command) {
        case "DescribeSnapshotsCommand":
            return [{ why: command, action: "elasticache:DescribeSnapshots", resource: "*" }];
        case "CopySnapshotCommand":
            return [
                {
                    why: command,
                    action: "elasticache:CopySnapshot",
                    resource: `arn:aws:elasticache:${region}:${mockAccountId}:snapshot:${input.SourceSnapshotName}`,
                },
                // The caller's S3 permissions ElastiCache checks before exporting (export guide, step 3).
                { why: `${command}: caller check`, action: "s3:ListAllMyBuckets", resource: "*" },
                {
                    why: `${command}: caller check`,
                    action: "s3:GetBucketLocation",
                    resource: `arn:aws:s3:::${input.TargetBucket}`,
                },
                {
                    why: `${command}: caller check`,
                    action: "s3:ListBucket",
                    resource: `arn:aws:s3:::${input.TargetBucket}`,
                },
                ...["s3:PutObject", "s3:GetObject", "s3:DeleteObject"].map((action) => ({
                    why: `${command}: caller check`,
                    action,
                    resource: object(input.TargetBucket, `${input.TargetSnapshotName}-0001.rdb`),
                })),
                // Not documented either way, granted so a real export cannot fail on them: the bucket
                // ownership check ("not owned by the authenticated user") and the snapshot's key,
                // used through ElastiCache.
                {
                    why: `${command}: ownership check`,
                    action: "s3:GetBucketAcl",
                    resource: `arn:aws:s3:::${input.TargetBucket}`,
                },
                ...["kms:Decrypt", "kms:DescribeKey", "kms:CreateGrant", "kms:GenerateDataKey"].map((action) => ({
                    why: `${command}: encrypted snapshot`,
                    action,
                    resource: keyArn,
                    context: { "kms:ViaService": `elasticache.${region}.amazonaws.com` },
                })),
            ];
        case "ListObjectsV2Command":
            return [
                {
                    why: command,
                    action: "s3:ListBucket",
                    resource: `arn:aws:s3:::${input.Bucket}`,
                    context: { "s3:prefix": input.Prefix },
                },
            ];
        case "GetObjectCommand":
            return [
                { why: command, action: "s3:GetObject", resource: object(input.Bucket, input.Key) },
                ...kmsIfArchive("kms:Decrypt"),
            ];
        case "HeadObjectCommand":
            return [{ why: command, action: "s3:GetObject", resource: object(input.Bucket, input.Key) }];
        case "PutObjectCommand":
            return [
                { why: command, action: "s3:PutObject", resource: object(input.Bucket, input.Key) },
                // If-Match also needs s3:GetObject (S3 user guide, conditional writes).
                ...(input.IfMatch
                    ? [
                          {
                              why: `${command} If-Match`,
                              action: "s3:GetObject",
                              resource: object(input.Bucket, input.Key),
                          },
                      ]
                    : []),
                ...kmsIfArchive("kms:GenerateDataKey"),
            ];
        case "CopyObjectCommand":
            return [
                { why: `${command} source`, action: "s3:GetObject", resource: source() },
                { why: command, action: "s3:PutObject", resource: object(input.Bucket, input.Key) },
                ...kmsIfArchive("kms:GenerateDataKey"),
            ];
        case "CreateMultipartUploadCommand":
            return [
                { why: command, action: "s3:PutObject", resource: object(input.Bucket, input.Key) },
                ...kmsIfArchive("kms:GenerateDataKey", "kms:Decrypt"),
            ];
        case "UploadPartCopyCommand":
            return [
                { why: `${command} source`, action: "s3:GetObject", resource: source() },
                { why: command, action: "s3:PutObject", resource: object(input.Bucket, input.Key) },
                ...kmsIfArchive("kms:GenerateDataKey", "kms:Decrypt"),
            ];
        case "CompleteMultipartUploadCommand":
            return [
                { why: command, action: "s3:PutObject", resource: object(input.Bucket, input.Key) },
                ...kmsIfArchive("kms:Decrypt"),
            ];
        case "AbortMultipartUploadCommand":
            return [{ why: command, action: "s3:AbortMultipartUpload", resource: object(input.Bucket, input.Key) }];
        case "DeleteObjectCommand":
            return [{ why: command, action: "s3:DeleteObject", resource: object(input.Bucket, input.Key) }];
        // Step Functions service authorization reference: StartExecution on the stateMachine
        // resource, DescribeExecution on the execution resource.
        case "StartExecutionCommand":
            return [{ why: command, action: "states:StartExecution", resource: input.stateMachineArn }];
        case "DescribeExecutionCommand":
            return [{ why: command, action: "states:DescribeExecution", resource: input.executionArn }];
        // PutMetricData has no resource; the request carries cloudwatch:namespace (CloudWatch user
        // guide, "Using condition keys to limit access to CloudWatch namespaces").
        case "PutMetricDataCommand":
            return [
                {
                    why: command,
                    action: "cloudwatch:PutMetricData",
                    resource: "*",
                    context: { "cloudwatch:namespace": input.Namespace },
                },
            ];
        default:
            throw new Error(`no IAM mapping for ${command}: add it with its source`);
    }
}

/** The component's key policy delegates to IAM (AccountAdministers), so the role policy decides. */
const keyPolicyDelegatingToIam = {
    Version: "2012-10-17",
    Statement: [
        { Effect: "Allow", Principal: { AWS: `arn:aws:iam::${mockAccountId}:root` }, Action: "kms:*", Resource: "*" },
    ],
};

async function decide(policy: any, request: IamRequest): Promise<string> {
    const response = await runSimulation(
        {
            identityPolicies: [{ name: "cache-snapshot-archive", policy }],
            serviceControlPolicies: [],
            resourceControlPolicies: [],
            resourcePolicy: request.action.startsWith("kms:") ? (keyPolicyDelegatingToIam as any) : undefined,
            request: {
                principal: role,
                action: request.action,
                resource: { resource: request.resource, accountId: mockAccountId },
                contextVariables: request.context ?? {},
            },
        },
        {},
    );
    if (response.resultType === "error") {
        throw new Error(`${request.why}: the simulator refused the request: ${JSON.stringify(response.errors)}`);
    }
    return response.overallResult;
}

describe("Snapshot export: the role allows every request the job makes, and no more", () => {
    const staging = "cache-staging-mock0001";
    const archive = "cache-archive-mock0001";
    const keyArn = `arn:aws:kms:${region}:${mockAccountId}:key/cache-key-id`;
    const logGroupArn = `arn:aws:logs:${region}:${mockAccountId}:log-group:/aws/lambda/cache-snapshot-archive`;
    const policy = JSON.parse(
        exportRolePolicy({
            partition: "aws",
            region,
            accountId: mockAccountId,
            stagingBucketArn: `arn:aws:s3:::${staging}`,
            archiveBucketArn: `arn:aws:s3:::${archive}`,
            keyArn,
            logGroupArn,
            copyStateMachineName: "cache-snapshot-archive-copy",
        }),
    );
    const copyMachineArn = `arn:aws:states:${region}:${mockAccountId}:stateMachine:cache-snapshot-archive-copy`;

    /**
     * Runs the job through a day with a 1-shard and a 6 GiB shard export (handed to the copy state
     * machine), then the next run that archives both, recording every command.
     */
    async function recordJobCommands(): Promise<{ command: string; input: any }[]> {
        const ec = mockClient(ElastiCacheClient);
        const s3 = mockClient(S3Client);
        const sfn = mockClient(SFNClient);
        const cw = mockClient(CloudWatchClient);
        const objects = new Map<string, { size: number; etag: string; sse?: string; body?: string; at: Date }>();
        const now = new Date("2026-11-28T08:00:00Z");
        const put = (bucket: string, key: string, v: any) => objects.set(`${bucket}/${key}`, { at: now, ...v });
        const marker = {
            schema: 1,
            snapshotName: "automatic.cache-2026-11-27-05-00",
            target: "cache-2026-11-27-05-00-export",
            expectedObjects: 2,
            requestedAt: "2026-11-27T08:00:00.000Z",
            status: "requested",
        };
        put(archive, "snapshots/cache-2026-11-27-05-00-export.export.json", {
            size: 100,
            etag: '"m1"',
            body: JSON.stringify(marker),
            at: new Date("2026-11-27T08:00:00Z"),
        });
        put(staging, "cache-2026-11-27-05-00-export-0001.rdb", { size: 4 * 1024 ** 2, etag: '"s1"' });
        put(staging, "cache-2026-11-27-05-00-export-0002.rdb", { size: 6 * 1024 ** 3, etag: '"s2"' });
        s3.on(ListObjectsV2Command).callsFake((i: any) => ({
            IsTruncated: false,
            Contents: [...objects.entries()]
                .filter(([k]) => k.startsWith(`${i.Bucket}/${i.Prefix}`))
                .map(([k, v]) => ({
                    Key: k.slice(i.Bucket.length + 1),
                    Size: v.size,
                    ETag: v.etag,
                    LastModified: v.at,
                })),
        }));
        s3.on(GetObjectCommand).callsFake((i: any) => {
            const o = objects.get(`${i.Bucket}/${i.Key}`)!;
            return { ETag: o.etag, Body: { transformToString: async () => o.body } };
        });
        s3.on(PutObjectCommand).callsFake((i: any) => {
            put(i.Bucket, i.Key, { size: 1, etag: `"p${objects.size}"`, body: i.Body });
            return { ETag: `"p${objects.size}"` };
        });
        const copied = (i: any) => {
            const slash = i.CopySource.indexOf("/");
            const src = objects.get(
                `${i.CopySource.slice(0, slash)}/${decodeURIComponent(i.CopySource.slice(slash + 1))}`,
            )!;
            put(i.Bucket, i.Key, { size: src.size, etag: '"c"', sse: "aws:kms" });
        };
        s3.on(CopyObjectCommand).callsFake((i: any) => (copied(i), { CopyObjectResult: { ETag: '"c"' } }));
        s3.on(CreateMultipartUploadCommand).resolves({ UploadId: "u1" });
        s3.on(UploadPartCopyCommand).callsFake(
            (i: any) => (copied(i), { CopyPartResult: { ETag: `"${i.PartNumber}"` } }),
        );
        s3.on(CompleteMultipartUploadCommand).resolves({});
        s3.on(AbortMultipartUploadCommand).resolves({});
        s3.on(HeadObjectCommand).callsFake((i: any) => ({
            ContentLength: objects.get(`${i.Bucket}/${i.Key}`)!.size,
            ServerSideEncryption: "aws:kms",
            SSEKMSKeyId: keyArn,
        }));
        s3.on(DeleteObjectCommand).resolves({});
        ec.on(DescribeSnapshotsCommand).resolves({
            Snapshots: [
                {
                    SnapshotName: "automatic.cache-2026-11-28-05-00",
                    SnapshotStatus: "available",
                    SnapshotSource: "automated",
                    NumNodeGroups: 2,
                    NodeSnapshots: [{ NodeGroupId: "0001", SnapshotCreateTime: new Date("2026-11-28T05:10:00Z") }],
                },
            ],
        });
        ec.on(CopySnapshotCommand).resolves({});
        sfn.on(StartExecutionCommand).callsFake((i: any) => ({
            executionArn: `arn:aws:states:${region}:${mockAccountId}:execution:cache-snapshot-archive-copy:${i.name}`,
        }));
        sfn.on(DescribeExecutionCommand).resolves({ status: "RUNNING" });
        cw.on(PutMetricDataCommand).resolves({});
        const log = console.log;
        console.log = () => undefined;
        try {
            const clients = {
                elasticache: new ElastiCacheClient({ region }),
                s3: new S3Client({ region }),
                sfn: new SFNClient({ region }),
                cloudwatch: new CloudWatchClient({ region }),
            };
            const settings = {
                replicationGroupId: "cache",
                stagingBucket: staging,
                archiveBucket: archive,
                kmsKeyArn: keyArn,
                copyStateMachineArn: copyMachineArn,
                now,
            };
            const handed = await job.runExport(clients, settings);
            assert.deepStrictEqual(handed.copying, ["cache-2026-11-27-05-00-export"]);
            assert.strictEqual(handed.requests[0].status, "requested");
            const running = await job.runExport(clients, { ...settings, now: new Date(now.getTime() + 3600e3) });
            assert.deepStrictEqual(running.copying, ["cache-2026-11-27-05-00-export"]);
            // The state machine's copy lands (its own role's requests are test/exportCopyAccess.test.ts's).
            put(archive, "snapshots/cache-2026-11-27-05-00-export-0002.rdb", { size: 6 * 1024 ** 3, etag: '"m"' });
            const outcome = await job.runExport(clients, { ...settings, now: new Date(now.getTime() + 7200e3) });
            assert.deepStrictEqual(outcome.confirmed, ["cache-2026-11-27-05-00-export"]);
            return [...ec.calls(), ...s3.calls(), ...sfn.calls(), ...cw.calls()].map((call) => {
                const command = call.args[0] as any;
                return { command: command.constructor.name, input: command.input };
            });
        } finally {
            console.log = log;
            ec.restore();
            s3.restore();
            sfn.restore();
            cw.restore();
        }
    }

    it("allows each of them", async function () {
        this.timeout(120000);
        const commands = await recordJobCommands();
        const names = new Set(commands.map((c) => c.command));
        for (const expected of [
            "CopyObjectCommand",
            "StartExecutionCommand",
            "DescribeExecutionCommand",
            "PutMetricDataCommand",
            "CopySnapshotCommand",
            "DeleteObjectCommand",
        ]) {
            assert.ok(names.has(expected), `the recorded day covers ${expected}`);
        }
        const requests = commands.flatMap((c) => iamRequestsOf(c.command, c.input, keyArn, archive));
        requests.push(
            { why: "Lambda logs", action: "logs:CreateLogStream", resource: `${logGroupArn}:log-stream:2026/11/28/x` },
            { why: "Lambda logs", action: "logs:PutLogEvents", resource: `${logGroupArn}:log-stream:2026/11/28/x` },
        );
        const seen = new Set<string>();
        const denied: string[] = [];
        for (const request of requests) {
            const id = `${request.action} ${request.resource} ${JSON.stringify(request.context ?? {})}`;
            if (seen.has(id)) {
                continue;
            }
            seen.add(id);
            const decision = await decide(policy, request);
            if (decision !== "Allowed") {
                denied.push(`${request.why}: ${id} -> ${decision}`);
            }
        }
        assert.deepStrictEqual(denied, []);
        // Nothing granted that no request needs.
        const used = new Set(requests.map((r) => r.action));
        const granted = policy.Statement.flatMap((s: any) => [].concat(s.Action));
        assert.deepStrictEqual(
            granted.filter((a: string) => !used.has(a)),
            [],
        );
    });

    const denials: [string, IamRequest][] = [
        [
            "writing elsewhere in the archive",
            { why: "", action: "s3:PutObject", resource: `arn:aws:s3:::${archive}/cloudtrail/x` },
        ],
        [
            "deleting an archived export",
            { why: "", action: "s3:DeleteObject", resource: `arn:aws:s3:::${archive}/snapshots/x-0001.rdb` },
        ],
        [
            "listing the audit trail",
            {
                why: "",
                action: "s3:ListBucket",
                resource: `arn:aws:s3:::${archive}`,
                context: { "s3:prefix": "cloudtrail/" },
            },
        ],
        ["reading another bucket", { why: "", action: "s3:GetObject", resource: "arn:aws:s3:::someone-else/x" }],
        [
            "using the key outside S3",
            {
                why: "",
                action: "kms:Decrypt",
                resource: keyArn,
                context: { "kms:ViaService": `secretsmanager.${region}.amazonaws.com` },
            },
        ],
        [
            "deleting a snapshot",
            {
                why: "",
                action: "elasticache:DeleteSnapshot",
                resource: `arn:aws:elasticache:${region}:${mockAccountId}:snapshot:x`,
            },
        ],
        [
            "writing another log group",
            {
                why: "",
                action: "logs:PutLogEvents",
                resource: `arn:aws:logs:${region}:${mockAccountId}:log-group:other:log-stream:x`,
            },
        ],
    ];
    for (const [what, request] of denials) {
        it(`denies ${what}`, async () => {
            assert.strictEqual(await decide(policy, { ...request, why: what }), "ImplicitlyDenied");
        });
    }
});
