// Turns what the component registered under Pulumi mocks into the policy documents AWS would hold:
// key, topic, bucket, log-resource, trust, role and function policies, with every ARN in the form
// AWS gives it. The mock engine invents ARNs for some resource types (`arn:aws:iam:<region>:...:<name>`
// for a role); those are replaced by the ARN AWS documents for the type, so a policy that names a
// resource by reference is evaluated against the same ARN the request carries.
import * as assert from "assert";
import { MockRunResult, RecordedResource, mockAccountId, mockRegion } from "../../tools/mockrun";
import { PolicyDocument, PolicyStatement } from "./evaluate";

export const T = {
    key: "aws:kms/key:Key",
    topic: "aws:sns/topic:Topic",
    topicPolicy: "aws:sns/topicPolicy:TopicPolicy",
    bucket: "aws:s3/bucket:Bucket",
    bucketPolicy: "aws:s3/bucketPolicy:BucketPolicy",
    bucketAcl: "aws:s3/bucketAcl:BucketAcl",
    bucketOwnership: "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
    bucketEncryption: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    role: "aws:iam/role:Role",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
    policy: "aws:iam/policy:Policy",
    rolePolicyAttachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    logGroup: "aws:cloudwatch/logGroup:LogGroup",
    logResourcePolicy: "aws:cloudwatch/logResourcePolicy:LogResourcePolicy",
    subscriptionFilter: "aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter",
    firehose: "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream",
    trail: "aws:cloudtrail/trail:Trail",
    alarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
    eventRule: "aws:cloudwatch/eventRule:EventRule",
    eventTarget: "aws:cloudwatch/eventTarget:EventTarget",
    lambda: "aws:lambda/function:Function",
    stateMachine: "aws:sfn/stateMachine:StateMachine",
    lambdaPermission: "aws:lambda/permission:Permission",
    secret: "aws:secretsmanager/secret:Secret",
    replicationGroup: "aws:elasticache/replicationGroup:ReplicationGroup",
};

export class StackModel {
    readonly account = mockAccountId;
    readonly region = mockRegion;
    readonly partition = "aws";
    private readonly arnMap = new Map<string, string>();

    constructor(readonly run: MockRunResult) {
        assert.deepStrictEqual(
            run.errors.map((e) => e.message),
            [],
            "the component must build without errors",
        );
        for (const r of run.resources) {
            const mock = r.state.arn;
            const real = this.documentedArn(r);
            if (typeof mock === "string" && real !== undefined && mock !== real) {
                const earlier = this.arnMap.get(mock);
                assert.ok(earlier === undefined || earlier === real, `two resources share the mock ARN ${mock}`);
                this.arnMap.set(mock, real);
            }
        }
    }

    /** The ARN AWS gives the resource, where the mock engine's stand-in differs from it. */
    private documentedArn(r: RecordedResource): string | undefined {
        const name = (r.inputs.name as string | undefined) ?? r.name;
        const { partition: p, region, account } = this;
        switch (r.type) {
            // IAM identifiers: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-arns
            case T.role:
                return `arn:${p}:iam::${account}:role${(r.inputs.path as string | undefined) ?? "/"}${name}`;
            case T.policy:
                return `arn:${p}:iam::${account}:policy${(r.inputs.path as string | undefined) ?? "/"}${name}`;
            // Service Authorization Reference, resource types of CloudWatch Logs, Firehose, EventBridge, CloudWatch.
            case T.logGroup:
                return `arn:${p}:logs:${region}:${account}:log-group:${name}`;
            case T.firehose:
                return `arn:${p}:firehose:${region}:${account}:deliverystream/${name}`;
            case T.eventRule:
                return `arn:${p}:events:${region}:${account}:rule/${name}`;
            case T.alarm:
                return `arn:${p}:cloudwatch:${region}:${account}:alarm:${name}`;
            // Service Authorization Reference, resource types of AWS Step Functions (stateMachine).
            case T.stateMachine:
                return `arn:${p}:states:${region}:${account}:stateMachine:${name}`;
            default:
                return undefined;
        }
    }

    /** Replaces mock-engine ARNs in a string by the documented ones (whole ARNs, or ARN + `:`/`/` suffix). */
    normalize(text: string): string {
        let out = text;
        const mocks = [...this.arnMap.keys()].sort((a, b) => b.length - a.length);
        for (const mock of mocks) {
            const escaped = mock.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
            out = out.replace(new RegExp(`${escaped}(?=$|[:/"*])`, "g"), this.arnMap.get(mock)!);
        }
        return out;
    }

    all(type: string): RecordedResource[] {
        return this.run.resources.filter((r) => r.type === type);
    }

    one(type: string, where: (r: RecordedResource) => boolean = () => true, what = type): RecordedResource {
        const found = this.all(type).filter(where);
        assert.strictEqual(found.length, 1, `expected one ${what}, found ${found.length}: ${found.map((r) => r.name)}`);
        return found[0];
    }

    maybeOne(type: string, where: (r: RecordedResource) => boolean = () => true): RecordedResource | undefined {
        const found = this.all(type).filter(where);
        assert.ok(found.length <= 1, `expected at most one ${type}, found ${found.map((r) => r.name)}`);
        return found[0];
    }

    arn(r: RecordedResource): string {
        const real = this.documentedArn(r);
        if (real !== undefined) {
            return real;
        }
        assert.strictEqual(typeof r.state.arn, "string", `${r.type} ${r.name} has no ARN under mocks`);
        return r.state.arn as string;
    }

    /** A string input with mock ARNs replaced. */
    input(r: RecordedResource, path: string): string {
        const value = path.split(".").reduce<any>((v, k) => (v === undefined ? undefined : v[k]), r.inputs);
        assert.strictEqual(typeof value, "string", `${r.type} ${r.name}: input ${path} is ${JSON.stringify(value)}`);
        return this.normalize(value);
    }

    /** A policy document held in a string input, parsed, with mock ARNs replaced. */
    policy(r: RecordedResource, field = "policy"): PolicyDocument {
        return parsePolicy(this.input(r, field), `${r.type} ${r.name}.${field}`);
    }

    /** Whether `value` (an input that referenced `r`) names it: by mock ID, name, ARN or bucket name. */
    refersTo(value: unknown, r: RecordedResource): boolean {
        if (typeof value !== "string") {
            return false;
        }
        const names = [`${r.name}-id`, r.inputs.name, r.state.bucket, r.state.arn, this.arn(r)];
        return names.some((n) => typeof n === "string" && (n === value || this.normalize(value) === n));
    }

    // --- the resources the access paths run through ---

    get topic(): RecordedResource {
        return this.one(T.topic);
    }

    topicPolicy(): PolicyDocument {
        const topic = this.topic;
        return this.policy(this.one(T.topicPolicy, (p) => this.refersTo(p.inputs.arn, topic), "topic policy"));
    }

    /** The component's own key, if it made one. */
    get key(): RecordedResource | undefined {
        return this.maybeOne(T.key);
    }

    bucketPolicy(bucket: RecordedResource): PolicyDocument {
        return this.policy(
            this.one(T.bucketPolicy, (p) => this.refersTo(p.inputs.bucket, bucket), `policy of ${bucket.name}`),
        );
    }

    bucketArn(bucket: RecordedResource): string {
        return this.arn(bucket);
    }

    roleByArn(arn: string): RecordedResource {
        return this.one(T.role, (r) => this.arn(r) === this.normalize(arn), `role ${arn}`);
    }

    trustPolicy(role: RecordedResource): PolicyDocument {
        return this.policy(role, "assumeRolePolicy");
    }

    /** Every identity policy of the role: inline (RolePolicy or inlinePolicies) and attached customer policies. */
    rolePolicies(role: RecordedResource): Record<string, PolicyDocument> {
        const out: Record<string, PolicyDocument> = {};
        for (const rp of this.all(T.rolePolicy).filter((p) => this.refersTo(p.inputs.role, role))) {
            out[`inline ${rp.name}`] = this.policy(rp);
        }
        for (const [i, inline] of ((role.inputs.inlinePolicies as any[]) ?? []).entries()) {
            out[`inline ${inline.name ?? i}`] = parsePolicy(this.normalize(inline.policy), `${role.name} inline ${i}`);
        }
        for (const att of this.all(T.rolePolicyAttachment).filter((a) => this.refersTo(a.inputs.role, role))) {
            const policyArn = this.normalize(att.inputs.policyArn as string);
            const customer = this.all(T.policy).find((p) => this.arn(p) === policyArn || this.refersTo(policyArn, p));
            assert.ok(
                customer !== undefined,
                `${role.name} has the managed policy ${policyArn} attached, whose text cannot be read offline; ` +
                    `an access path through it cannot be proven here`,
            );
            out[`attached ${customer.name}`] = this.policy(customer);
        }
        return out;
    }

    /** The policy Lambda builds from AddPermission for each `aws.lambda.Permission` on the function. */
    functionPolicy(fn: RecordedResource): PolicyDocument {
        const fnArn = this.arn(fn);
        const permissions = this.all(T.lambdaPermission).filter((p) => this.refersTo(p.inputs.function, fn));
        // The statement AddPermission writes (Lambda developer guide, "Viewing resource-based IAM policies in
        // Lambda", https://docs.aws.amazon.com/lambda/latest/dg/access-control-resource-based.html): the
        // principal, the action, the function ARN, `ArnLike AWS:SourceArn` when a source ARN is given and
        // `StringEquals AWS:SourceAccount` when a source account is given.
        const statements: PolicyStatement[] = permissions.map((p) => {
            const condition: Record<string, Record<string, string>> = {};
            if (typeof p.inputs.sourceArn === "string") {
                condition.ArnLike = { "AWS:SourceArn": this.normalize(p.inputs.sourceArn) };
            }
            if (typeof p.inputs.sourceAccount === "string") {
                condition.StringEquals = { "AWS:SourceAccount": p.inputs.sourceAccount };
            }
            const principal = p.inputs.principal as string;
            return {
                Sid: p.name,
                Effect: "Allow",
                Principal: principal.endsWith(".amazonaws.com") ? { Service: principal } : { AWS: principal },
                Action: p.inputs.action,
                Resource: fnArn,
                ...(Object.keys(condition).length > 0 ? { Condition: condition } : {}),
            };
        });
        return { Version: "2012-10-17", Statement: statements };
    }

    logResourcePolicies(): PolicyDocument[] {
        return this.all(T.logResourcePolicy).map((p) => this.policy(p, "policyDocument"));
    }

    /** The resource-scoped policy attached to a log group (LogResourcePolicy with `resourceArn`). */
    logGroupPolicy(group: RecordedResource): PolicyDocument {
        return this.policy(
            this.one(T.logResourcePolicy, (p) => this.refersTo(p.inputs.resourceArn, group), `policy of ${group.name}`),
            "policyDocument",
        );
    }
}

export function parsePolicy(text: string, where: string): PolicyDocument {
    let parsed: any;
    try {
        parsed = JSON.parse(text);
    } catch (e) {
        throw new Error(`${where} is not JSON: ${(e as Error).message}`);
    }
    assert.ok(parsed && parsed.Statement !== undefined, `${where} has no Statement`);
    return parsed as PolicyDocument;
}

/** All statements of several policies as one document (for example, several log resource policies). */
export function combine(policies: PolicyDocument[]): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: policies.flatMap((p) => (Array.isArray(p.Statement) ? p.Statement : [p.Statement])),
    };
}
