// Issue 8: the IAM permissions `pulumi up` needs, shipped as docs/deployer-iam-policy.json. Every
// resource type any variant of the component registers must have its API actions listed here (the
// create/read/update/delete calls of the Terraform AWS provider behind @pulumi/aws, named as in the
// Service Authorization Reference), and the policy must allow each of them, without service-wide
// wildcards. A new resource type in the component fails this test until the policy covers it.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { HitrustRedisArgs } from "../component";
import { roleBoundaryPolicyName, rolePath } from "../component/archive";
import { archiveAgeMetric } from "../component/snapshotExport";
import { runComponent, usePlaceholderAuditBundle } from "./helpers";
import { assertAllowed, assertDecision, assertDenied, PolicyDocument, simulateVerbatim } from "./iam/evaluate";
import { Account, deployerCalls, roleCalls } from "./iam/requests";
import { StackModel, T } from "./iam/stackModel";
import {
    deployerPolicy,
    deployerPolicyFiles,
    managedPolicyMaxChars,
    policyChars,
    readPolicy,
} from "./iam/deployerPolicy";

const policy: any = deployerPolicy();

const s3Parts = ["s3:ListBucket", "s3:GetBucketPolicy", "s3:GetBucketTagging"];
/** The API actions each Pulumi resource type calls while it is created, read, updated or deleted. */
const actionsByType: Record<string, string[]> = {
    "aws:kms/key:Key": [
        "kms:CreateKey",
        "kms:DescribeKey",
        "kms:GetKeyPolicy",
        "kms:PutKeyPolicy",
        "kms:GetKeyRotationStatus",
        "kms:EnableKeyRotation",
        "kms:ListResourceTags",
        "kms:TagResource",
        "kms:ScheduleKeyDeletion",
    ],
    "aws:kms/alias:Alias": ["kms:CreateAlias", "kms:ListAliases", "kms:DeleteAlias"],
    "aws:ec2/securityGroup:SecurityGroup": [
        "ec2:CreateSecurityGroup",
        "ec2:DescribeSecurityGroups",
        "ec2:RevokeSecurityGroupEgress",
        "ec2:DeleteSecurityGroup",
        "ec2:CreateTags",
    ],
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": [
        "ec2:AuthorizeSecurityGroupIngress",
        "ec2:DescribeSecurityGroupRules",
        "ec2:RevokeSecurityGroupIngress",
    ],
    "aws:elasticache/subnetGroup:SubnetGroup": [
        "elasticache:CreateCacheSubnetGroup",
        "elasticache:DescribeCacheSubnetGroups",
        "elasticache:DeleteCacheSubnetGroup",
        "elasticache:AddTagsToResource",
        "elasticache:ListTagsForResource",
    ],
    "aws:elasticache/parameterGroup:ParameterGroup": [
        "elasticache:CreateCacheParameterGroup",
        "elasticache:DescribeCacheParameterGroups",
        "elasticache:DescribeCacheParameters",
        "elasticache:ModifyCacheParameterGroup",
        "elasticache:DeleteCacheParameterGroup",
    ],
    "aws:elasticache/replicationGroup:ReplicationGroup": [
        "elasticache:CreateReplicationGroup",
        "elasticache:DescribeReplicationGroups",
        "elasticache:DescribeCacheClusters",
        "elasticache:ModifyReplicationGroup",
        "elasticache:DeleteReplicationGroup",
        // The final snapshot on delete.
        "elasticache:CreateSnapshot",
        // ElastiCache's first cluster in an account creates its service-linked role.
        "iam:CreateServiceLinkedRole",
        // At-rest encryption with a customer key: ElastiCache creates a grant as the caller.
        "kms:CreateGrant",
        "kms:DescribeKey",
        // Log delivery configurations ("Logs sent to CloudWatch Logs", user permissions).
        "logs:CreateLogDelivery",
        "logs:GetLogDelivery",
        "logs:DeleteLogDelivery",
    ],
    "aws:elasticache/user:User": ["elasticache:CreateUser", "elasticache:DescribeUsers", "elasticache:DeleteUser"],
    "aws:elasticache/userGroup:UserGroup": [
        "elasticache:CreateUserGroup",
        "elasticache:DescribeUserGroups",
        "elasticache:ModifyUserGroup",
        "elasticache:DeleteUserGroup",
    ],
    "aws:sns/topic:Topic": ["sns:CreateTopic", "sns:GetTopicAttributes", "sns:DeleteTopic", "sns:ListTagsForResource"],
    "aws:sns/topicPolicy:TopicPolicy": ["sns:SetTopicAttributes", "sns:GetTopicAttributes"],
    "aws:sns/topicSubscription:TopicSubscription": [
        "sns:Subscribe",
        "sns:GetSubscriptionAttributes",
        "sns:Unsubscribe",
    ],
    "aws:cloudwatch/logGroup:LogGroup": [
        "logs:CreateLogGroup",
        "logs:DescribeLogGroups",
        "logs:PutRetentionPolicy",
        "logs:AssociateKmsKey",
        "logs:ListTagsForResource",
        "logs:DeleteLogGroup",
    ],
    "aws:cloudwatch/logResourcePolicy:LogResourcePolicy": [
        "logs:PutResourcePolicy",
        "logs:DescribeResourcePolicies",
        "logs:DeleteResourcePolicy",
    ],
    "aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter": [
        "logs:PutSubscriptionFilter",
        "logs:DescribeSubscriptionFilters",
        "logs:DeleteSubscriptionFilter",
        "iam:PassRole",
    ],
    "aws:cloudwatch/metricAlarm:MetricAlarm": [
        "cloudwatch:PutMetricAlarm",
        "cloudwatch:DescribeAlarms",
        "cloudwatch:ListTagsForResource",
        "cloudwatch:DeleteAlarms",
    ],
    "aws:cloudwatch/eventRule:EventRule": ["events:PutRule", "events:DescribeRule", "events:DeleteRule"],
    "aws:cloudwatch/eventTarget:EventTarget": ["events:PutTargets", "events:ListTargetsByRule", "events:RemoveTargets"],
    "aws:secretsmanager/secret:Secret": [
        "secretsmanager:CreateSecret",
        "secretsmanager:DescribeSecret",
        "secretsmanager:GetResourcePolicy",
        "secretsmanager:DeleteSecret",
    ],
    "aws:secretsmanager/secretVersion:SecretVersion": [
        "secretsmanager:PutSecretValue",
        "secretsmanager:GetSecretValue",
        // Deleting a replaced version moves its stage label off it.
        "secretsmanager:UpdateSecretVersionStage",
        // Secrets Manager encrypts the value under the customer key as the caller.
        "kms:GenerateDataKey",
        "kms:Decrypt",
    ],
    "aws:s3/bucket:Bucket": [
        "s3:CreateBucket",
        "s3:DeleteBucket",
        "s3:GetBucketAcl",
        "s3:GetBucketVersioning",
        ...s3Parts,
        // forceDestroy (the export staging bucket) empties the bucket first: ListObjectVersions and
        // DeleteObjects in the provider's bucket delete.
        "s3:ListBucketVersions",
        "s3:DeleteObject",
        "s3:DeleteObjectVersion",
    ],
    "aws:s3/bucketVersioning:BucketVersioning": ["s3:PutBucketVersioning", "s3:GetBucketVersioning"],
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": [
        "s3:PutEncryptionConfiguration",
        "s3:GetEncryptionConfiguration",
    ],
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": [
        "s3:PutBucketPublicAccessBlock",
        "s3:GetBucketPublicAccessBlock",
    ],
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": [
        "s3:PutBucketOwnershipControls",
        "s3:GetBucketOwnershipControls",
    ],
    "aws:s3/bucketAcl:BucketAcl": ["s3:PutBucketAcl", "s3:GetBucketAcl"],
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": [
        "s3:PutLifecycleConfiguration",
        "s3:GetLifecycleConfiguration",
    ],
    "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration": [
        "s3:PutBucketObjectLockConfiguration",
        "s3:GetBucketObjectLockConfiguration",
    ],
    "aws:s3/bucketPolicy:BucketPolicy": ["s3:PutBucketPolicy", "s3:GetBucketPolicy", "s3:DeleteBucketPolicy"],
    "aws:cloudtrail/trail:Trail": [
        "cloudtrail:CreateTrail",
        "cloudtrail:DescribeTrails",
        "cloudtrail:GetTrailStatus",
        "cloudtrail:StartLogging",
        "cloudtrail:GetEventSelectors",
        "cloudtrail:ListTags",
        "cloudtrail:DeleteTrail",
    ],
    "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream": [
        "firehose:CreateDeliveryStream",
        "firehose:DescribeDeliveryStream",
        "firehose:StartDeliveryStreamEncryption",
        "firehose:ListTagsForDeliveryStream",
        "firehose:DeleteDeliveryStream",
        "iam:PassRole",
        "kms:CreateGrant",
    ],
    "aws:iam/role:Role": ["iam:CreateRole", "iam:GetRole", "iam:ListRolePolicies", "iam:DeleteRole", "iam:TagRole"],
    "aws:iam/rolePolicy:RolePolicy": ["iam:PutRolePolicy", "iam:GetRolePolicy", "iam:DeleteRolePolicy"],
    "aws:lambda/function:Function": [
        "lambda:CreateFunction",
        "lambda:GetFunction",
        "lambda:GetFunctionCodeSigningConfig",
        "lambda:ListVersionsByFunction",
        "lambda:UpdateFunctionCode",
        "lambda:UpdateFunctionConfiguration",
        "lambda:DeleteFunction",
        "iam:PassRole",
    ],
    "aws:lambda/permission:Permission": ["lambda:AddPermission", "lambda:GetPolicy", "lambda:RemovePermission"],
    // terraform-provider-aws internal/service/lambda/function_event_invoke_config.go: Put on create
    // and update, Get on read, Delete on delete.
    "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig": [
        "lambda:PutFunctionEventInvokeConfig",
        "lambda:GetFunctionEventInvokeConfig",
        "lambda:DeleteFunctionEventInvokeConfig",
    ],
    "aws:cfg/rule:Rule": ["config:PutConfigRule", "config:DescribeConfigRules", "config:DeleteConfigRule"],
    // terraform-provider-aws internal/service/sfn/state_machine.go: ValidateStateMachineDefinition
    // while planning (CustomizeDiff, whenever the definition changes), CreateStateMachine (passing
    // the role), DescribeStateMachine and ListStateMachineVersions on every read, UpdateStateMachine,
    // DeleteStateMachine, and the tag APIs. Actions as "Actions, resources, and condition keys for
    // AWS Step Functions" names them
    // (https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsstepfunctions.html):
    // ValidateStateMachineDefinition has no resource type, so it is held on "*"; the others take
    // the stateMachine resource, held on the component's names only (copyStateMachineName).
    "aws:sfn/stateMachine:StateMachine": [
        "states:ValidateStateMachineDefinition",
        "states:CreateStateMachine",
        "states:DescribeStateMachine",
        "states:ListStateMachineVersions",
        "states:UpdateStateMachine",
        "states:DeleteStateMachine",
        "states:TagResource",
        "states:UntagResource",
        "states:ListTagsForResource",
        "iam:PassRole",
    ],
};
/**
 * Lookups the component makes before it creates anything (getCallerIdentity, getSubnet,
 * getCanonicalUserId, getPolicy for the role boundary: the provider's aws_iam_policy data source
 * calls GetPolicy, then GetPolicyVersion for the document, terraform-provider-aws
 * internal/service/iam/policy_data_source.go).
 */
const lookups = [
    "sts:GetCallerIdentity",
    "ec2:DescribeSubnets",
    "s3:ListAllMyBuckets",
    "iam:GetPolicy",
    "iam:GetPolicyVersion",
];
/** Types that call no AWS API. */
const local = new Set(["random:index/randomString:RandomString", "random:index/randomPassword:RandomPassword"]);

function matches(pattern: string, action: string): boolean {
    const re = new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}$`, "i");
    return re.test(action);
}
function allowed(action: string): boolean {
    return policy.Statement.some(
        (s: any) => s.Effect === "Allow" && [s.Action].flat().some((p: string) => matches(p, action)),
    );
}

describe("Issue 8: the deployer's IAM policy (docs/deployer-iam-policy.json)", () => {
    const variants: Record<string, Partial<HitrustRedisArgs>> = {
        defaults: {},
        rbac: { rbac: { users: [{ userName: "app", accessString: "on ~app:* +@read -@dangerous" }] } },
        "cluster mode, object lock, AWS Config rules": {
            clusterMode: { shards: 2, replicasPerShard: 1 },
            archiveObjectLock: true,
            awsConfigRules: true,
        },
        "caller key, existing trail, subscriptions": {
            kmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
            auditTrail: { existingTrailName: "org-trail" },
            alertSubscriptions: { emails: ["oncall@example.org"] },
        },
        "continuous audit": { continuousAudit: {} },
    };
    usePlaceholderAuditBundle();
    const seen = new Set<string>();
    before(async () => {
        for (const args of Object.values(variants)) {
            const result = await runComponent(args);
            assert.deepStrictEqual(result.errors, []);
            result.resources.filter((r) => r.custom).forEach((r) => seen.add(r.type));
        }
    });

    it("knows the API actions of every resource type the component registers", () => {
        const unknown = [...seen].filter((type) => !local.has(type) && !(type in actionsByType));
        assert.deepStrictEqual(unknown, [], "add these types' actions to actionsByType and to the policy");
    });

    it("allows every action those resources and the component's lookups need", () => {
        const needed = [...lookups, ...[...seen].flatMap((type) => actionsByType[type] ?? [])];
        assert.deepStrictEqual(
            [...new Set(needed)].filter((action) => !allowed(action)),
            [],
        );
    });

    it("grants no service-wide wildcard, and passes roles only to the services that use them", () => {
        for (const s of policy.Statement) {
            for (const action of [s.Action].flat()) {
                assert.ok(action !== "*" && !/:\*$/.test(action), `${s.Sid}: ${action}`);
            }
        }
        const pass = policy.Statement.find(
            (s: any) => s.Effect === "Allow" && [s.Action].flat().includes("iam:PassRole"),
        );
        assert.deepStrictEqual(pass.Condition, {
            StringEquals: {
                "iam:PassedToService": [
                    "firehose.amazonaws.com",
                    "lambda.amazonaws.com",
                    "logs.amazonaws.com",
                    "states.amazonaws.com",
                ],
            },
        });
        assert.ok(!allowed("iam:CreateUser") && !allowed("kms:DisableKey") && !allowed("s3:PutObject"));
    });

    it("is the policies the README shows, each within IAM's size limit for a managed policy", () => {
        const readme = fs.readFileSync(path.join(__dirname, "..", "README.md"), "utf8");
        for (const file of deployerPolicyFiles) {
            assert.ok(readme.includes(file), `README must point at ${file}`);
            const chars = policyChars(readPolicy(file));
            assert.ok(chars <= managedPolicyMaxChars, `${file}: ${chars} characters, over ${managedPolicyMaxChars}`);
        }
        // Each statement once, in one file: a Sid repeated across the files would be a copy to keep in step.
        const sids = deployerPolicyFiles.flatMap((f) => [readPolicy(f).Statement].flat().map((s) => s.Sid));
        assert.deepStrictEqual(
            sids.filter((sid, i) => sids.indexOf(sid) !== i),
            [],
        );
    });
});

// Issue 15, item 9: iam:CreateRole and iam:PutRolePolicy on any role, with iam:PassRole and
// lambda:CreateFunction, let the holder make a role with any permissions, hand it to a function and
// run as it. The policy follows the IAM user guide's pattern for delegating role creation
// ("Permissions boundaries for IAM entities", delegating responsibility to others,
// https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html#access_policies_boundaries-delegate):
// roles only under the component's path, only with the boundary an administrator created, the
// boundary itself out of reach, and roles passed only from that path to the services that use them.
// Each request is evaluated as IAM evaluates it (test/iam/evaluate.ts).
describe("Issue 15: the deployer cannot become administrator (permissions boundary, IAM evaluator)", () => {
    const a: Account = { account: "123456789012", region: "us-east-1", partition: "aws" };
    const deployer = { identityPolicies: { deployer: policy as PolicyDocument } };
    const boundary = `arn:aws:iam::${a.account}:policy${rolePath}${roleBoundaryPolicyName}`;
    const ourRole = `arn:aws:iam::${a.account}:role${rolePath}cache-snapshot-archive-1a2b3c4`;
    const otherRole = `arn:aws:iam::${a.account}:role/Admin`;
    const bounded = { "iam:PermissionsBoundary": boundary };

    it("creates a role, and writes its policy, only under the component's path and only with the boundary", async () => {
        await assertAllowed(deployerCalls(a, "iam:CreateRole", ourRole, bounded), deployer);
        await assertAllowed(deployerCalls(a, "iam:PutRolePolicy", ourRole, bounded), deployer);
        // No boundary (the request carries no iam:PermissionsBoundary), another boundary, another path.
        await assertDenied(deployerCalls(a, "iam:CreateRole", ourRole), deployer);
        await assertDenied(deployerCalls(a, "iam:PutRolePolicy", ourRole), deployer);
        const adminBoundary = { "iam:PermissionsBoundary": "arn:aws:iam::aws:policy/AdministratorAccess" };
        await assertDenied(deployerCalls(a, "iam:CreateRole", ourRole, adminBoundary), deployer);
        const ownPolicy = { "iam:PermissionsBoundary": `arn:aws:iam::${a.account}:policy${rolePath}mine` };
        await assertDenied(deployerCalls(a, "iam:CreateRole", ourRole, ownPolicy), deployer);
        await assertDenied(deployerCalls(a, "iam:CreateRole", otherRole, bounded), deployer);
        await assertDenied(deployerCalls(a, "iam:PutRolePolicy", otherRole, bounded), deployer);
    });

    it("attaches no managed policy to any role, and creates no user, policy or access key", async () => {
        for (const role of [ourRole, otherRole]) {
            await assertDenied(deployerCalls(a, "iam:AttachRolePolicy", role, bounded), deployer);
        }
        const user = `arn:aws:iam::${a.account}:user/x`;
        for (const action of ["iam:CreateUser", "iam:AttachUserPolicy", "iam:PutUserPolicy", "iam:CreateAccessKey"]) {
            await assertDenied(deployerCalls(a, action, user), deployer);
        }
        await assertDenied(
            deployerCalls(a, "iam:CreatePolicy", `arn:aws:iam::${a.account}:policy${rolePath}x`),
            deployer,
        );
    });

    it("passes only roles under the path, only to Firehose, Lambda, CloudWatch Logs and Step Functions", async () => {
        for (const service of [
            "lambda.amazonaws.com",
            "firehose.amazonaws.com",
            "logs.amazonaws.com",
            "states.amazonaws.com",
        ]) {
            await assertAllowed(
                deployerCalls(a, "iam:PassRole", ourRole, { "iam:PassedToService": service }),
                deployer,
            );
            await assertDenied(
                deployerCalls(a, "iam:PassRole", otherRole, { "iam:PassedToService": service }),
                deployer,
            );
        }
        await assertDenied(
            deployerCalls(a, "iam:PassRole", ourRole, { "iam:PassedToService": "ec2.amazonaws.com" }),
            deployer,
        );
    });

    it("can never change, replace or delete the boundary policy", async () => {
        for (const action of [
            "iam:CreatePolicyVersion",
            "iam:SetDefaultPolicyVersion",
            "iam:DeletePolicyVersion",
            "iam:DeletePolicy",
        ]) {
            await assertDecision("ExplicitlyDenied", deployerCalls(a, action, boundary), deployer);
        }
    });

    it("can never remove a role's boundary or set another one", async () => {
        await assertDecision(
            "ExplicitlyDenied",
            deployerCalls(a, "iam:DeleteRolePermissionsBoundary", ourRole, bounded),
            deployer,
        );
        await assertDecision(
            "ExplicitlyDenied",
            deployerCalls(a, "iam:PutRolePermissionsBoundary", ourRole, bounded),
            deployer,
        );
    });

    it("still deploys what the component registers: each role (its path and boundary), each role passed, the function", async () => {
        const m = new StackModel(await runComponent({}));
        const roles = m.all(T.role);
        assert.ok(roles.length >= 3, "the Firehose, subscription and export roles");
        for (const role of roles) {
            const arn = m.arn(role);
            assert.ok(arn.includes(`:role${rolePath}`), `${role.name} is under ${rolePath}: ${arn}`);
            const context = { "iam:PermissionsBoundary": m.normalize(String(role.inputs.permissionsBoundary)) };
            // iam:PermissionsBoundary is a condition key of the calls that set or use a boundary
            // (Service Authorization Reference, IAM actions), not of TagRole, GetRole or DeleteRole.
            for (const action of ["iam:CreateRole", "iam:PutRolePolicy"]) {
                await assertAllowed(deployerCalls(a, action, arn, context), deployer);
            }
            for (const action of ["iam:TagRole", "iam:GetRole", "iam:GetRolePolicy", "iam:DeleteRole"]) {
                await assertAllowed(deployerCalls(a, action, arn), deployer);
            }
        }
        const passed: [string, string][] = [
            [m.input(m.one(T.lambda), "role"), "lambda.amazonaws.com"],
            [m.input(m.one(T.firehose), "extendedS3Configuration.roleArn"), "firehose.amazonaws.com"],
            ...m.all(T.subscriptionFilter).map((f): [string, string] => [m.input(f, "roleArn"), "logs.amazonaws.com"]),
            [m.input(m.one(T.stateMachine), "roleArn"), "states.amazonaws.com"],
        ];
        for (const [role, service] of passed) {
            await assertAllowed(
                deployerCalls(a, "iam:PassRole", m.arn(m.roleByArn(role)), { "iam:PassedToService": service }),
                deployer,
            );
        }
        for (const action of ["lambda:CreateFunction", "lambda:UpdateFunctionCode", "lambda:AddPermission"]) {
            await assertAllowed(deployerCalls(a, action, m.arn(m.one(T.lambda))), deployer);
        }
        // The copy state machine, by the name the component gives it (Step Functions resource
        // stateMachine in the Service Authorization Reference); its definition is validated on "*".
        const machine = m.arn(m.one(T.stateMachine));
        for (const action of [
            "states:CreateStateMachine",
            "states:DescribeStateMachine",
            "states:ListStateMachineVersions",
            "states:UpdateStateMachine",
            "states:TagResource",
            "states:DeleteStateMachine",
        ]) {
            await assertAllowed(deployerCalls(a, action, machine), deployer);
        }
        const validate = await simulateVerbatim(
            deployerCalls(a, "states:ValidateStateMachineDefinition", "*"),
            deployer,
        );
        assert.strictEqual(validate.resultType !== "error" && validate.overallResult, "Allowed");
        // Each schedule and alarm of the stack (EventBridge rule and CloudWatch alarm ARNs).
        for (const rule of m.all(T.eventRule)) {
            for (const action of ["events:PutRule", "events:PutTargets", "events:TagResource", "events:DeleteRule"]) {
                await assertAllowed(deployerCalls(a, action, m.arn(rule)), deployer);
            }
        }
        for (const alarm of m.all(T.alarm)) {
            for (const action of ["cloudwatch:PutMetricAlarm", "cloudwatch:TagResource", "cloudwatch:DeleteAlarms"]) {
                await assertAllowed(deployerCalls(a, action, m.arn(alarm)), deployer);
            }
        }
        // Every bucket the component creates, named by its bucketPrefix as S3 will name it.
        for (const bucket of m.all(T.bucket)) {
            const arn = `arn:aws:s3:::${String(bucket.inputs.bucketPrefix)}20261204000000000000000001`;
            for (const action of ["s3:CreateBucket", "s3:PutBucketPolicy", "s3:PutLifecycleConfiguration"]) {
                await assertAllowed(deployerCalls(a, action, arn), deployer);
            }
        }
    });

    it("administers only the component's buckets, and deletes objects only in the staging bucket (forceDestroy)", async () => {
        for (const action of [
            "s3:PutBucketPolicy",
            "s3:DeleteBucket",
            "s3:PutBucketAcl",
            "s3:PutLifecycleConfiguration",
        ]) {
            await assertDenied(deployerCalls(a, action, "arn:aws:s3:::patient-uploads"), deployer);
        }
        await assertAllowed(
            deployerCalls(a, "s3:DeleteObject", "arn:aws:s3:::cache-staging-2026/x-0001.rdb"),
            deployer,
        );
        for (const object of [
            "arn:aws:s3:::patient-uploads/x.csv",
            "arn:aws:s3:::cache-archive-2026/snapshots/x-0001.rdb",
        ]) {
            await assertDenied(deployerCalls(a, "s3:DeleteObject", object), deployer);
            await assertDenied(deployerCalls(a, "s3:DeleteObjectVersion", object), deployer);
        }
    });

    // Issue 17: the in-account audit's function, role, log group, schedule and alarms (continuousAudit).
    describe("with the in-account audit", () => {
        usePlaceholderAuditBundle();

        it("creates and passes its role (path, boundary), and creates its function, schedule and alarms", async () => {
            const m = new StackModel(await runComponent({ continuousAudit: {} }));
            const fn = m.one(T.lambda, (f) => f.inputs.name === "cache-hitrust-audit", "audit function");
            const role = m.roleByArn(m.input(fn, "role"));
            const arn = m.arn(role);
            assert.ok(arn.includes(`:role${rolePath}`), arn);
            const context = { "iam:PermissionsBoundary": m.normalize(String(role.inputs.permissionsBoundary)) };
            for (const action of ["iam:CreateRole", "iam:PutRolePolicy"]) {
                await assertAllowed(deployerCalls(a, action, arn, context), deployer);
            }
            await assertAllowed(
                deployerCalls(a, "iam:PassRole", arn, { "iam:PassedToService": "lambda.amazonaws.com" }),
                deployer,
            );
            for (const action of [
                "lambda:CreateFunction",
                "lambda:UpdateFunctionCode",
                "lambda:UpdateFunctionConfiguration",
                "lambda:AddPermission",
                "lambda:DeleteFunction",
            ]) {
                await assertAllowed(deployerCalls(a, action, m.arn(fn)), deployer);
            }
            const rule = m.one(T.eventRule, (r) => r.inputs.name === "cache-hitrust-audit");
            for (const action of ["events:PutRule", "events:PutTargets", "events:DeleteRule"]) {
                await assertAllowed(deployerCalls(a, action, m.arn(rule)), deployer);
            }
            for (const alarm of m.all(T.alarm).filter((x) => String(x.inputs.name).includes("hitrust-audit"))) {
                await assertAllowed(deployerCalls(a, "cloudwatch:PutMetricAlarm", m.arn(alarm)), deployer);
            }
        });
    });

    it("changes the code of the component's export function only, not of other functions (which may run as any role)", async () => {
        const fn = (name: string) => `arn:aws:lambda:${a.region}:${a.account}:function:${name}`;
        for (const action of [
            "lambda:UpdateFunctionCode",
            "lambda:UpdateFunctionConfiguration",
            "lambda:CreateFunction",
        ]) {
            await assertAllowed(deployerCalls(a, action, fn("cache-snapshot-archive")), deployer);
            await assertAllowed(deployerCalls(a, action, fn("cache-hitrust-audit")), deployer);
            await assertDenied(deployerCalls(a, action, fn("account-admin-automation")), deployer);
        }
    });

    it("administers only the component's copy state machines, not other workflows (which may run as any role)", async () => {
        const machine = (name: string) => `arn:aws:states:${a.region}:${a.account}:stateMachine:${name}`;
        for (const action of ["states:CreateStateMachine", "states:UpdateStateMachine", "states:DeleteStateMachine"]) {
            await assertAllowed(deployerCalls(a, action, machine("cache-snapshot-archive-copy")), deployer);
            await assertDenied(deployerCalls(a, action, machine("payments-settlement")), deployer);
        }
        // Nor does it run any workflow, its own included: executions are the export job's.
        await assertDenied(deployerCalls(a, "states:StartExecution", machine("cache-snapshot-archive-copy")), deployer);
    });
});

describe("Issue 15: the role boundary (docs/role-boundary-policy.json) holds whatever policy a role is given", () => {
    const a: Account = { account: "123456789012", region: "us-east-1", partition: "aws" };
    const boundary: PolicyDocument = JSON.parse(
        fs.readFileSync(path.join(__dirname, "..", "docs", "role-boundary-policy.json"), "utf8"),
    );
    const role = `arn:aws:iam::${a.account}:role${rolePath}cache-snapshot-archive-1a2b3c4`;
    // The worst a deployer could write into a role under the path: every action on every resource.
    const everything: PolicyDocument = {
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }],
    };
    const asRole = { identityPolicies: { everything }, permissionsBoundary: boundary };
    const call = (action: string, resource: string, context: Record<string, string> = {}) =>
        roleCalls(a, role, action, resource, context, `a bounded role with '*' calls ${action}`, [
            "https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html",
        ]);

    it("grants nothing in IAM, STS or Organizations, and no key or bucket administration", async () => {
        const adminRole = `arn:aws:iam::${a.account}:role/Admin`;
        for (const action of [
            "iam:CreateRole",
            "iam:PutRolePolicy",
            "iam:AttachRolePolicy",
            "iam:PassRole",
            "iam:UpdateAssumeRolePolicy",
            "sts:AssumeRole",
        ]) {
            await assertDenied(call(action, adminRole), asRole);
        }
        const user = `arn:aws:iam::${a.account}:user/x`;
        for (const action of ["iam:CreateUser", "iam:CreateAccessKey", "iam:AttachUserPolicy"]) {
            await assertDenied(call(action, user), asRole);
        }
        await assertDenied(call("organizations:LeaveOrganization", "*"), asRole);
        const key = `arn:aws:kms:${a.region}:${a.account}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
        for (const action of ["kms:PutKeyPolicy", "kms:ScheduleKeyDeletion", "kms:CreateGrant", "kms:Decrypt"]) {
            await assertDenied(call(action, key), asRole);
        }
        for (const action of ["s3:PutBucketPolicy", "s3:DeleteBucket", "s3:PutBucketObjectLockConfiguration"]) {
            await assertDenied(call(action, "arn:aws:s3:::cache-archive-20261204"), asRole);
        }
        await assertDenied(
            call("s3:BypassGovernanceRetention", "arn:aws:s3:::cache-archive-20261204/snapshots/x"),
            asRole,
        );
        await assertDenied(
            call("lambda:UpdateFunctionCode", `arn:aws:lambda:${a.region}:${a.account}:function:x`),
            asRole,
        );
    });

    it("reaches objects of the component's buckets only, not other buckets", async () => {
        await assertAllowed(call("s3:PutObject", "arn:aws:s3:::cache-archive-20261204/snapshots/x-0001.rdb"), asRole);
        await assertAllowed(call("s3:GetObject", "arn:aws:s3:::cache-staging-20261204/x-0001.rdb"), asRole);
        for (const action of ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]) {
            await assertDenied(call(action, "arn:aws:s3:::payroll-exports/2026/x.csv"), asRole);
        }
        await assertDenied(call("s3:ListBucket", "arn:aws:s3:::payroll-exports"), asRole);
    });

    // The export job hands long copies to its state machine and publishes the archive's age
    // (component/snapshotExport.ts exportRolePolicy): the boundary allows those on the component's
    // state machines and in the job's namespace only (Service Authorization Reference, Step Functions
    // resources stateMachine and execution; CloudWatch user guide, "Using condition keys to limit
    // access to CloudWatch namespaces").
    it("runs and follows only the component's copy state machines, and publishes only in the archive's namespace", async () => {
        const states = `arn:aws:states:${a.region}:${a.account}`;
        await assertAllowed(
            call("states:StartExecution", `${states}:stateMachine:cache-snapshot-archive-copy`),
            asRole,
        );
        await assertAllowed(
            call("states:DescribeExecution", `${states}:execution:cache-snapshot-archive-copy:run-1`),
            asRole,
        );
        await assertDenied(call("states:StartExecution", `${states}:stateMachine:payments-settlement`), asRole);
        await assertDenied(call("states:DescribeExecution", `${states}:execution:payments-settlement:run-1`), asRole);
        for (const action of ["states:UpdateStateMachine", "states:DeleteStateMachine"]) {
            await assertDenied(call(action, `${states}:stateMachine:cache-snapshot-archive-copy`), asRole);
        }
        await assertDenied(
            call("states:StopExecution", `${states}:execution:cache-snapshot-archive-copy:run-1`),
            asRole,
        );
        const publish = async (namespace: string) => {
            const r = await simulateVerbatim(
                call("cloudwatch:PutMetricData", "*", { "cloudwatch:namespace": namespace }),
                asRole,
            );
            return r.resultType !== "error" && r.overallResult;
        };
        assert.strictEqual(await publish(archiveAgeMetric.namespace), "Allowed");
        assert.strictEqual(await publish("AWS/ElastiCache"), "ImplicitlyDenied");
    });

    it("uses keys only through S3 and ElastiCache (kms:ViaService)", async () => {
        const key = `arn:aws:kms:${a.region}:${a.account}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
        // A key whose policy lets IAM policies govern it (AWS KMS developer guide, "Default key policy").
        const withKey = {
            ...asRole,
            resourcePolicy: {
                Version: "2012-10-17",
                Statement: [
                    {
                        Effect: "Allow",
                        Principal: { AWS: `arn:aws:iam::${a.account}:root` },
                        Action: "kms:*",
                        Resource: "*",
                    },
                ],
            },
        };
        await assertAllowed(
            call("kms:GenerateDataKey", key, { "kms:ViaService": `s3.${a.region}.amazonaws.com` }),
            withKey,
        );
        await assertDenied(
            call("kms:Decrypt", key, { "kms:ViaService": `secretsmanager.${a.region}.amazonaws.com` }),
            withKey,
        );
        await assertDenied(call("kms:Decrypt", key), withKey);
    });
});
