// The snapshot export's long-copy path, as IAM evaluates it (test/iam/evaluate.ts):
//   - the copy state machine's role allows every request a real execution of the component's
//     definition makes (run by test/stateMachine.ts through the S3 model of test/exportWorld.ts),
//     grants nothing those requests do not use, and cannot touch the job's markers or anything else;
//   - only Step Functions, for this state machine in this account, can assume that role
//     (Step Functions developer guide, "Creating an IAM role for your state machine", "Prevent
//     cross-service confused deputy issue");
//   - the job's role may start and follow executions of this state machine only, and publish
//     metrics in its own namespace only.
// IAM actions per request: S3 user guide, "Required permissions for Amazon S3 API operations"
// (CreateMultipartUpload, UploadPartCopy and CompleteMultipartUpload need s3:PutObject on the
// target, UploadPartCopy s3:GetObject on the source, AbortMultipartUpload its own action); SSE-KMS
// multipart uploads need kms:GenerateDataKey and kms:Decrypt through S3 ("Using server-side
// encryption with AWS KMS keys"); Step Functions and CloudWatch resources and condition keys as the
// Service Authorization Reference lists them.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import {
    AbortMultipartUploadCommand,
    CompleteMultipartUploadCommand,
    CreateMultipartUploadCommand,
    UploadPartCopyCommand,
} from "@aws-sdk/client-s3";
import {
    copyRolePolicy,
    copyStateMachineDefinition,
    copyTrustPolicy,
    exportRolePolicy,
    ExportRoleResources,
} from "../component/snapshotExport";
import { rolePath } from "../component/archive";
import { AccessRequest, PolicyDocument, assertAllowed, assertDenied, simulateVerbatim } from "./iam/evaluate";
import { docs, roleCalls } from "./iam/requests";
import {
    GiB,
    World,
    account,
    archive,
    install,
    keyArn,
    options,
    runCopyExecutions,
    snapshot,
    staging,
} from "./exportWorld";

const job = require("../component/lambda/exportSnapshot.js");

const a = { account, region: "us-east-1", partition: "aws" };
const machineName = "cache-snapshot-archive-copy";
const machineArn = `arn:aws:states:us-east-1:${account}:stateMachine:${machineName}`;
const copyRoleArn = `arn:aws:iam::${account}:role${rolePath}cache-snapshot-archive-copy`;
const jobRoleArn = `arn:aws:iam::${account}:role${rolePath}cache-snapshot-archive`;
const resources: ExportRoleResources = {
    partition: "aws",
    region: "us-east-1",
    accountId: account,
    stagingBucketArn: `arn:aws:s3:::${staging}`,
    archiveBucketArn: `arn:aws:s3:::${archive}`,
    keyArn,
    logGroupArn: `arn:aws:logs:us-east-1:${account}:log-group:/aws/lambda/cache-snapshot-archive`,
    copyStateMachineName: machineName,
};
/**
 * Both roles live under the component's path with its permissions boundary (component/archive.ts),
 * so AWS allows a request only if the role's policy and the boundary an administrator created from
 * docs/role-boundary-policy.json both allow it (IAM user guide, "Permissions boundaries for IAM entities").
 */
const boundary = JSON.parse(
    fs.readFileSync(path.join(__dirname, "..", "docs", "role-boundary-policy.json"), "utf8"),
) as PolicyDocument;
const copyPolicies = {
    identityPolicies: { copy: JSON.parse(copyRolePolicy(resources)) as PolicyDocument },
    permissionsBoundary: boundary,
};
const jobPolicies = {
    identityPolicies: { job: JSON.parse(exportRolePolicy(resources)) as PolicyDocument },
    permissionsBoundary: boundary,
};
/** The component's key policy delegates to IAM (AccountAdministers), so the role policy decides. */
const keyPolicy: PolicyDocument = {
    Version: "2012-10-17",
    Statement: [
        { Effect: "Allow", Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: "kms:*", Resource: "*" },
    ],
};
const sources = {
    s3Permissions: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/using-with-s3-policy-actions.html",
    // "Creating an IAM role for your state machine", section "Prevent cross-service confused deputy issue".
    sfnDeputy: "https://docs.aws.amazon.com/step-functions/latest/dg/procedure-create-iam-role.html",
    sfnActions: "https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsstepfunctions.html",
    cwNamespace: "https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/iam-cw-condition-keys-namespace.html",
};
const object = (bucket: string, key: string) => `arn:aws:s3:::${bucket}/${key}`;
const copyCalls = (action: string, resource: string, why: string, context: Record<string, string> = {}) =>
    roleCalls(a, copyRoleArn, action, resource, context, `copy state machine: ${why}`, [sources.s3Permissions]);
const viaS3 = (action: string, why: string) =>
    copyCalls(action, keyArn, why, { "kms:ViaService": "s3.us-east-1.amazonaws.com" });

/** The IAM requests one S3 command of the state machine causes. */
function iamRequestsOf(command: string, input: any): AccessRequest[] {
    const target = object(input.Bucket, input.Key);
    switch (command) {
        case "CreateMultipartUploadCommand":
            return [
                copyCalls("s3:PutObject", target, command),
                viaS3("kms:GenerateDataKey", command),
                viaS3("kms:Decrypt", command),
            ];
        case "UploadPartCopyCommand": {
            const slash = input.CopySource.indexOf("/");
            const source = object(
                input.CopySource.slice(0, slash),
                decodeURIComponent(input.CopySource.slice(slash + 1)),
            );
            return [
                copyCalls("s3:GetObject", source, `${command} source`),
                copyCalls("s3:PutObject", target, command),
                viaS3("kms:GenerateDataKey", command),
                viaS3("kms:Decrypt", command),
            ];
        }
        case "CompleteMultipartUploadCommand":
            return [copyCalls("s3:PutObject", target, command), viaS3("kms:Decrypt", command)];
        case "AbortMultipartUploadCommand":
            return [copyCalls("s3:AbortMultipartUpload", target, command)];
        default:
            throw new Error(`no IAM mapping for ${command}: add it with its source`);
    }
}

async function decide(request: AccessRequest): Promise<void> {
    await assertAllowed(
        request,
        request.action.startsWith("kms:") ? { ...copyPolicies, resourcePolicy: keyPolicy } : copyPolicies,
    );
}

describe("Snapshot export: the copy state machine's role", () => {
    /** One successful and one aborted execution of the component's definition, every S3 command recorded. */
    async function recordExecutions(): Promise<{ command: string; input: any }[]> {
        const world = new World();
        const env = install(world);
        const log = console.log;
        console.log = () => undefined;
        try {
            world.snapshots = [snapshot("automatic.cache-2026-11-27-05-00", "2026-11-27T05:10:00Z", "available", 2)];
            world.now = new Date("2026-11-27T08:00:00Z");
            await job.runExport(env.clients, options(world));
            world.tick(3600e3);
            world.deliver(world.copySnapshotRequests[0].TargetSnapshotName, [{ size: 7 * GiB }, { size: 6 * GiB }]);
            world.tick(3600e3);
            await job.runExport(env.clients, options(world));
            // The second shard's source changes under its copy: that execution aborts its upload.
            const shard2 = [...world.buckets.get(staging)!.keys()].find((k) => k.endsWith("-0002.rdb"))!;
            world.buckets.get(staging)!.get(shard2)!.etag = '"changed"';
            const ran = await runCopyExecutions(world, copyStateMachineDefinition(), env.clients.s3);
            assert.deepStrictEqual(
                ran.map((e) => e.status),
                ["SUCCEEDED", "FAILED"],
            );
            assert.deepStrictEqual(world.violations, []);
            const s3Commands = [
                CreateMultipartUploadCommand,
                UploadPartCopyCommand,
                CompleteMultipartUploadCommand,
                AbortMultipartUploadCommand,
            ];
            return s3Commands.flatMap((Command) =>
                env.s
                    .commandCalls(Command as any)
                    .map((call) => ({ command: Command.name, input: call.args[0].input })),
            );
        } finally {
            console.log = log;
            env.ec.restore();
            env.s.restore();
            env.sf.restore();
            env.cw.restore();
        }
    }

    it("allows every request an execution makes, and grants nothing those requests do not use", async function () {
        this.timeout(120000);
        const commands = await recordExecutions();
        assert.deepStrictEqual([...new Set(commands.map((c) => c.command))].sort(), [
            "AbortMultipartUploadCommand",
            "CompleteMultipartUploadCommand",
            "CreateMultipartUploadCommand",
            "UploadPartCopyCommand",
        ]);
        const requests = commands.flatMap((c) => iamRequestsOf(c.command, c.input));
        const seen = new Set<string>();
        for (const request of requests) {
            const id = `${request.action} ${request.resource} ${JSON.stringify(request.context)}`;
            if (!seen.has(id)) {
                seen.add(id);
                await decide(request);
            }
        }
        const used = new Set(requests.map((r) => r.action));
        const granted = (copyPolicies.identityPolicies.copy.Statement as any[]).flatMap((s) => [].concat(s.Action));
        assert.deepStrictEqual(
            granted.filter((action: string) => !used.has(action)),
            [],
        );
    });

    const denied: [string, AccessRequest][] = [
        [
            "overwriting a job marker",
            copyCalls("s3:PutObject", object(archive, "snapshots/x-export.export.json"), "marker"),
        ],
        [
            "reading a job marker",
            copyCalls("s3:GetObject", object(archive, "snapshots/x-export.export.json"), "marker"),
        ],
        [
            "writing outside the snapshots prefix",
            copyCalls("s3:PutObject", object(archive, "cloudtrail/x.rdb"), "trail"),
        ],
        ["reading the archive", copyCalls("s3:GetObject", object(archive, "snapshots/x-0001.rdb"), "archive")],
        ["deleting a staged export", copyCalls("s3:DeleteObject", object(staging, "x-0001.rdb"), "delete")],
        [
            "deleting an archived export",
            copyCalls("s3:DeleteObject", object(archive, "snapshots/x-0001.rdb"), "delete"),
        ],
        ["reading another bucket", copyCalls("s3:GetObject", object("someone-else", "x.rdb"), "other bucket")],
        [
            "using the key outside S3",
            copyCalls("kms:Decrypt", keyArn, "other service", {
                "kms:ViaService": "secretsmanager.us-east-1.amazonaws.com",
            }),
        ],
        [
            "exporting a snapshot",
            copyCalls("elasticache:CopySnapshot", `arn:aws:elasticache:us-east-1:${account}:snapshot:x`, "export"),
        ],
    ];
    for (const [what, request] of denied) {
        it(`denies ${what}`, async () => {
            await assertDenied(
                request,
                request.action.startsWith("kms:") ? { ...copyPolicies, resourcePolicy: keyPolicy } : copyPolicies,
            );
        });
    }
});

describe("Snapshot export: who may assume the copy role", () => {
    const trust = JSON.parse(copyTrustPolicy(resources, machineName)) as PolicyDocument;
    /** Step Functions assumes a state machine's role with aws:SourceArn and aws:SourceAccount. */
    const stepFunctionsAssumes = (sourceArn: string, principal = "states.amazonaws.com"): AccessRequest => ({
        description: `${principal} assumes the copy role for ${sourceArn}`,
        principal,
        action: "sts:AssumeRole",
        resource: copyRoleArn,
        resourceAccount: account,
        context: {
            "aws:SecureTransport": "true",
            "aws:PrincipalIsAWSService": "true",
            "aws:PrincipalServiceName": principal,
            "aws:SourceArn": sourceArn,
            "aws:SourceAccount": sourceArn.split(":")[4],
        },
        sources: [sources.sfnDeputy, docs.globalKeys],
    });

    it("Step Functions, for the copy state machine", async () => {
        await assertAllowed(stepFunctionsAssumes(machineArn), { resourcePolicy: trust });
    });
    it("not for another state machine of the account", async () => {
        await assertDenied(stepFunctionsAssumes(`arn:aws:states:us-east-1:${account}:stateMachine:other`), {
            resourcePolicy: trust,
        });
    });
    it("not for a state machine of the same name in another account", async () => {
        await assertDenied(stepFunctionsAssumes(`arn:aws:states:us-east-1:210987654321:stateMachine:${machineName}`), {
            resourcePolicy: trust,
        });
    });
    it("not another service", async () => {
        await assertDenied(stepFunctionsAssumes(machineArn, "lambda.amazonaws.com"), { resourcePolicy: trust });
    });
});

describe("Snapshot export: the job's role and the long-copy path", () => {
    const jobCalls = (action: string, resource: string, context: Record<string, string> = {}) =>
        roleCalls(a, jobRoleArn, action, resource, context, `export job ${action} ${resource}`, [
            sources.sfnActions,
            sources.cwNamespace,
        ]);
    const execution = (machine: string) => `arn:aws:states:us-east-1:${account}:execution:${machine}:run-1`;

    it("starts and follows executions of the copy state machine, and publishes in its namespace", async () => {
        await assertAllowed(jobCalls("states:StartExecution", machineArn), jobPolicies);
        await assertAllowed(jobCalls("states:DescribeExecution", execution(machineName)), jobPolicies);
        await assertAllowed(
            jobCalls("cloudwatch:PutMetricData", "*", { "cloudwatch:namespace": job.archiveAgeMetric.namespace }),
            jobPolicies,
        );
    });
    it("nothing else in Step Functions or CloudWatch", async () => {
        const other = `arn:aws:states:us-east-1:${account}:stateMachine:other`;
        await assertDenied(jobCalls("states:StartExecution", other), jobPolicies);
        await assertDenied(jobCalls("states:DescribeExecution", execution("other")), jobPolicies);
        await assertDenied(jobCalls("states:StopExecution", execution(machineName)), jobPolicies);
        await assertDenied(jobCalls("states:UpdateStateMachine", machineArn), jobPolicies);
        // A request on "*" the simulator answers as a wildcard result with no detail when nothing
        // allows it, which evaluate() does not take: read its overall decision directly.
        const otherNamespace = await simulateVerbatim(
            jobCalls("cloudwatch:PutMetricData", "*", { "cloudwatch:namespace": "AWS/ElastiCache" }),
            jobPolicies,
        );
        assert.strictEqual(otherNamespace.resultType !== "error" && otherNamespace.overallResult, "ImplicitlyDenied");
        await assertDenied(
            jobCalls("cloudwatch:PutMetricAlarm", `arn:aws:cloudwatch:us-east-1:${account}:alarm:x`),
            jobPolicies,
        );
    });
    it("no longer holds s3:AbortMultipartUpload: multipart copies are the state machine's", async () => {
        await assertDenied(jobCalls("s3:AbortMultipartUpload", object(archive, "snapshots/x-0001.rdb")), jobPolicies);
    });
});
