// Issue 8: the IAM permissions `pulumi up` needs, shipped as docs/deployer-iam-policy.json. Every
// resource type any variant of the component registers must have its API actions listed here (the
// create/read/update/delete calls of the Terraform AWS provider behind @pulumi/aws, named as in the
// Service Authorization Reference), and the policy must allow each of them, without service-wide
// wildcards. A new resource type in the component fails this test until the policy covers it.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { HitrustRedisArgs } from "../component";
import { runComponent } from "./helpers";

const policy = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "docs", "deployer-iam-policy.json"), "utf8"));

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
    "aws:cfg/rule:Rule": ["config:PutConfigRule", "config:DescribeConfigRules", "config:DeleteConfigRule"],
};
/** Lookups the component makes before it creates anything (getCallerIdentity, getSubnet, getCanonicalUserId). */
const lookups = ["sts:GetCallerIdentity", "ec2:DescribeSubnets", "s3:ListAllMyBuckets"];
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
    };
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
        const pass = policy.Statement.find((s: any) => [s.Action].flat().includes("iam:PassRole"));
        assert.deepStrictEqual(pass.Condition, {
            StringEquals: {
                "iam:PassedToService": ["firehose.amazonaws.com", "lambda.amazonaws.com", "logs.amazonaws.com"],
            },
        });
        assert.ok(!allowed("iam:CreateUser") && !allowed("kms:DisableKey") && !allowed("s3:PutObject"));
    });

    it("is the policy the README shows", () => {
        const readme = fs.readFileSync(path.join(__dirname, "..", "README.md"), "utf8");
        assert.ok(readme.includes("docs/deployer-iam-policy.json"), "README must point at the deployer policy");
    });
});
