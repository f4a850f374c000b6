// Issue 8: what a real AWS account requires of the policies the component writes, each case
// encoded from the AWS page that documents it. The access-path suite evaluates the same
// documents with an IAM evaluator; these tests pin the shape AWS's guides give.
import * as assert from "assert";
import { keyPolicyDocument, requiredKeyStatements } from "../component/keyPolicy";
import { componentType } from "../component/redis";
import { MockRunResult } from "../tools/mockrun";
import { ofType, one, runComponent, types } from "./helpers";

const account = "123456789012";
const trailArn = `arn:aws:cloudtrail:us-east-1:${account}:trail/cache-audit`;
const statement = (policy: { Statement: any[] }, sid: string) => {
    const found = policy.Statement.find((s) => s.Sid === sid);
    assert.ok(found, `statement ${sid} missing from ${JSON.stringify(policy)}`);
    return found;
};
const named = (result: MockRunResult, name: string) => {
    const found = result.resources.find((r) => r.name === name);
    assert.ok(found, `no resource named ${name}`);
    return found;
};

/**
 * The aws:Source* condition keys each service principal documents in the trust policy of a role it
 * assumes. A service that does not send a key fails a condition on it, and the role cannot be
 * assumed; so a trust policy may use only the keys the service's guide shows.
 * - Step Functions: aws:SourceArn and aws:SourceAccount (Step Functions developer guide, "Creating
 *   an IAM role for your state machine", "Prevent cross-service confused deputy issue",
 *   https://docs.aws.amazon.com/step-functions/latest/dg/procedure-create-iam-role.html).
 * - CloudWatch Logs: aws:SourceArn only (CloudWatch Logs user guide, subscription filters with
 *   Firehose: the role's trust policy limits aws:SourceArn to the account's log resources).
 * - Lambda: none; the execution role's trust policy has no condition (Lambda developer guide,
 *   "Defining Lambda function permissions with an execution role").
 * - Firehose: none of these; sts:ExternalId is the account (Firehose developer guide, "Grant
 *   Firehose access to an Amazon S3 destination").
 */
const documentedTrustKeys: Record<string, string[]> = {
    "states.amazonaws.com": ["aws:SourceArn", "aws:SourceAccount"],
    "logs.amazonaws.com": ["aws:SourceArn"],
    "logs.us-east-1.amazonaws.com": ["aws:SourceArn"],
    "lambda.amazonaws.com": [],
    "firehose.amazonaws.com": [],
};

/** Each aws:Source* key a trust statement puts on a service that does not document it, and each unknown service. */
function trustKeyViolations(policy: { Statement: any[] }): string[] {
    return policy.Statement.flatMap((st) => {
        const services: string[] = [st.Principal?.Service ?? []].flat();
        const keys = Object.values(st.Condition ?? {}).flatMap((block: any) =>
            Object.keys(block).filter((key) => /^aws:Source/i.test(key)),
        );
        return services.flatMap((service) =>
            service in documentedTrustKeys
                ? keys
                      .filter((key) => !documentedTrustKeys[service].some((k) => k.toLowerCase() === key.toLowerCase()))
                      .map((key) => `${service} does not document ${key} for AssumeRole`)
                : [`${service}: no documented trust keys recorded; add them with their source`],
        );
    });
}

describe("Issue 8: the stack as a real account sees it", () => {
    let result: MockRunResult;
    before(async () => {
        result = await runComponent({}, { preview: false });
        assert.deepStrictEqual(result.errors, []);
    });

    describe("CloudTrail can use the key (CloudTrail user guide, 'Configure AWS KMS key policies for CloudTrail')", () => {
        let policy: { Statement: any[] };
        before(() => {
            policy = JSON.parse((one(result, types.key).inputs as any).policy);
        });

        it("encrypts with the trail's encryption context, scoped to the trail", () => {
            const encrypt = statement(policy, "CloudTrailEncryptsAuditTrail");
            assert.deepStrictEqual(encrypt.Principal, { Service: "cloudtrail.amazonaws.com" });
            assert.strictEqual(encrypt.Action, "kms:GenerateDataKey*");
            assert.deepStrictEqual(encrypt.Condition, {
                StringEquals: { "aws:SourceArn": trailArn },
                StringLike: { "kms:EncryptionContext:aws:cloudtrail:arn": `arn:aws:cloudtrail:*:${account}:trail/*` },
            });
        });

        it("describes the key without an encryption-context condition (DescribeKey requests carry none)", () => {
            for (const s of policy.Statement.filter((x) => [x.Action].flat().includes("kms:DescribeKey"))) {
                if (s.Principal.Service === "cloudtrail.amazonaws.com") {
                    assert.ok(!JSON.stringify(s.Condition ?? {}).includes("kms:EncryptionContext"), JSON.stringify(s));
                }
            }
            const describe = statement(policy, "CloudTrailDescribesKey");
            assert.deepStrictEqual(describe.Condition, { StringEquals: { "aws:SourceArn": trailArn } });
        });

        it("may decrypt, as CloudTrail must when the bucket uses an S3 Bucket Key", () => {
            const encryption = named(result, "cache-archive-encryption");
            const archiveRules = (encryption.inputs as any).rules;
            assert.strictEqual(archiveRules[0].bucketKeyEnabled, true);
            const decrypt = statement(policy, "CloudTrailUsesBucketKey");
            assert.strictEqual(decrypt.Action, "kms:Decrypt");
            assert.deepStrictEqual(decrypt.Condition, { StringEqualsIfExists: { "aws:SourceArn": trailArn } });
        });

        it("names the trail the component actually creates", () => {
            const trail = one(result, "aws:cloudtrail/trail:Trail");
            assert.strictEqual(`arn:aws:cloudtrail:us-east-1:${account}:trail/${(trail.inputs as any).name}`, trailArn);
        });
    });

    describe("ElastiCache log delivery does not depend on the deployer (CloudWatch Logs, 'Logs sent to CloudWatch Logs')", () => {
        const cacheGroups = () =>
            ofType(result, types.logGroup).filter((g) => (g.inputs as any).name.startsWith("/aws/elasticache/"));
        const policies = () => ofType(result, "aws:cloudwatch/logResourcePolicy:LogResourcePolicy");

        it("attaches to each cache log group its own policy for delivery.logs.amazonaws.com, scoped to that group", () => {
            assert.strictEqual(cacheGroups().length, 2);
            assert.strictEqual(policies().length, 2);
            for (const group of cacheGroups()) {
                const groupArn = (group.state as any).arn;
                const attached = policies().filter((p) => (p.inputs as any).resourceArn === groupArn);
                assert.strictEqual(attached.length, 1, `one policy on ${(group.inputs as any).name}`);
                const doc = JSON.parse((attached[0].inputs as any).policyDocument);
                const write = statement(doc, "ElastiCacheLogDelivery");
                assert.deepStrictEqual(write.Principal, { Service: "delivery.logs.amazonaws.com" });
                assert.deepStrictEqual(write.Action, ["logs:CreateLogStream", "logs:PutLogEvents"]);
                assert.deepStrictEqual(write.Resource, [`${groupArn}:log-stream:*`]);
                assert.deepStrictEqual(write.Condition, {
                    StringEquals: { "aws:SourceAccount": account },
                    ArnLike: { "aws:SourceArn": `arn:aws:logs:us-east-1:${account}:*` },
                });
            }
        });

        it("uses none of the account's 10 account-level resource policies (PutResourcePolicy API reference: no policyName)", () => {
            for (const policy of policies()) {
                assert.strictEqual((policy.inputs as any).policyName, undefined, policy.name);
            }
        });

        it("exists before the group starts delivering", () => {
            for (const policy of policies()) {
                assert.ok(one(result, types.replicationGroup).dependencies.includes(policy.urn), policy.name);
            }
        });
    });

    describe("trust policies in the form each service documents", () => {
        const trust = (name: string) => JSON.parse((named(result, name).inputs as any).assumeRolePolicy);

        it("Firehose: sts:ExternalId is the account (Firehose guide, 'Grant Firehose access to an Amazon S3 destination')", () => {
            const [s] = trust("cache-log-archive-firehose").Statement;
            assert.deepStrictEqual(s.Principal, { Service: "firehose.amazonaws.com" });
            assert.deepStrictEqual(s.Condition, { StringEquals: { "sts:ExternalId": account } });
        });

        it("CloudWatch Logs: aws:SourceArn of this account's log resources (CloudWatch Logs guide, subscription filters with Firehose)", () => {
            const [s] = trust("cache-log-archive-logs").Statement;
            assert.deepStrictEqual(s.Principal, { Service: ["logs.amazonaws.com", "logs.us-east-1.amazonaws.com"] });
            assert.deepStrictEqual(s.Condition, {
                StringLike: { "aws:SourceArn": `arn:aws:logs:us-east-1:${account}:*` },
            });
        });

        it("Step Functions: aws:SourceAccount and aws:SourceArn of the copy state machine (Step Functions guide, 'Prevent cross-service confused deputy issue')", () => {
            const [s] = trust("cache-snapshot-archive-copy").Statement;
            assert.deepStrictEqual(s.Principal, { Service: "states.amazonaws.com" });
            assert.deepStrictEqual(s.Condition, {
                StringEquals: { "aws:SourceAccount": account },
                ArnLike: {
                    "aws:SourceArn": `arn:aws:states:us-east-1:${account}:stateMachine:cache-snapshot-archive-copy`,
                },
            });
        });

        it("each service is trusted only with the aws:Source* keys it documents for AssumeRole", () => {
            const roles = ofType(result, "aws:iam/role:Role");
            const checked = roles.flatMap((role) =>
                trustKeyViolations(JSON.parse((role.inputs as any).assumeRolePolicy)).map((v) => `${role.name}: ${v}`),
            );
            assert.deepStrictEqual(checked, []);
            // Every service principal of the stack is one the table knows, so a new one cannot pass unread.
            const services = new Set(
                roles.flatMap((role) =>
                    JSON.parse((role.inputs as any).assumeRolePolicy).Statement.flatMap((st: any) =>
                        [st.Principal?.Service ?? []].flat(),
                    ),
                ),
            );
            assert.ok(
                services.has("states.amazonaws.com") && services.has("lambda.amazonaws.com"),
                [...services].join(),
            );
        });

        it("the rule refuses aws:SourceAccount for a service that does not document it (Lambda, Firehose, CloudWatch Logs)", () => {
            const trustWith = (service: string, condition: object) => ({
                Statement: [
                    {
                        Effect: "Allow",
                        Principal: { Service: service },
                        Action: "sts:AssumeRole",
                        Condition: condition,
                    },
                ],
            });
            for (const service of ["lambda.amazonaws.com", "firehose.amazonaws.com", "logs.amazonaws.com"]) {
                assert.strictEqual(
                    trustKeyViolations(trustWith(service, { StringEquals: { "aws:SourceAccount": account } })).length,
                    1,
                    service,
                );
            }
            assert.strictEqual(
                trustKeyViolations(trustWith("lambda.amazonaws.com", { ArnLike: { "aws:SourceArn": trailArn } }))
                    .length,
                1,
            );
            assert.strictEqual(trustKeyViolations(trustWith("ec2.amazonaws.com", {})).length, 1, "an unknown service");
            assert.deepStrictEqual(
                trustKeyViolations(
                    trustWith("states.amazonaws.com", {
                        StringEquals: { "aws:SourceAccount": account },
                        ArnLike: { "aws:SourceArn": `arn:aws:states:us-east-1:${account}:stateMachine:x` },
                    }),
                ),
                [],
            );
        });
    });

    it("names the archived cache logs .gz: CloudWatch Logs delivers subscription data gzip-compressed", () => {
        const stream = one(result, "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream").inputs as any;
        assert.strictEqual(stream.extendedS3Configuration.compressionFormat, "UNCOMPRESSED");
        assert.strictEqual(stream.extendedS3Configuration.fileExtension, ".gz");
    });
});

describe("Issue 8: a caller's own key", () => {
    it("warns at preview and outputs the statements the caller must merge", async () => {
        const keyArn = `arn:aws:kms:us-east-1:${account}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
        const result = await runComponent({ kmsKeyArn: keyArn }, { preview: false });
        assert.deepStrictEqual(result.errors, []);
        assert.strictEqual(ofType(result, types.key).length, 0);
        assert.ok(
            result.warnings.some((w) => w.includes("kmsKeyArn") && w.includes("requiredKeyStatements")),
            result.warnings.join("\n"),
        );
        const outputs = result.resources.find((r) => r.type === componentType)!.outputs!;
        const merged = JSON.parse(outputs.requiredKeyPolicyStatements as string);
        assert.deepStrictEqual(
            merged,
            JSON.parse(
                JSON.stringify(
                    requiredKeyStatements({
                        accountId: account,
                        partition: "aws",
                        region: "us-east-1",
                        replicationGroupId: "cache",
                        trailName: "cache-audit",
                    }),
                ),
            ),
        );
    });

    it("requiredKeyStatements leaves CloudTrail out when an existing trail is used", () => {
        const use = { accountId: account, partition: "aws", region: "eu-west-1", replicationGroupId: "orders" };
        const sids = requiredKeyStatements(use).map((s) => s.Sid);
        assert.deepStrictEqual(sids, ["CloudWatchLogsEncryptsCacheLogs", "AccountUsesKeyThroughServices"]);
        const logs = requiredKeyStatements(use)[0];
        assert.deepStrictEqual(logs.Principal, { Service: "logs.eu-west-1.amazonaws.com" });
        assert.deepStrictEqual(logs.Condition, {
            ArnLike: {
                "kms:EncryptionContext:aws:logs:arn": [
                    `arn:aws:logs:eu-west-1:${account}:log-group:/aws/elasticache/orders/*`,
                    `arn:aws:logs:eu-west-1:${account}:log-group:/aws/lambda/orders-*`,
                ],
            },
        });
    });

    it("the component's own key policy is the account's administration plus exactly those statements", () => {
        const use = {
            accountId: account,
            partition: "aws",
            region: "us-east-1",
            replicationGroupId: "c",
            trailName: "t",
        };
        const doc = keyPolicyDocument(use);
        assert.deepStrictEqual(doc.Statement.slice(1), requiredKeyStatements(use));
        assert.deepStrictEqual(doc.Statement[0].Principal, { AWS: `arn:aws:iam::${account}:root` });
    });
});
