import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import { HitrustRedis, HitrustRedisArgs } from "../component";
import { auditBundle } from "../component/continuousAudit";
import * as path from "path";
import { PackInfo, PolicyPackProcess } from "../tools/analyzer";
import { MockRunResult, RecordedResource, runUnderMocks, sig, unknownSentinel } from "../tools/mockrun";

export const subnetZones = { "subnet-a": "us-east-1a", "subnet-b": "us-east-1b", "subnet-c": "us-east-1c" };

export const baseArgs: HitrustRedisArgs = {
    vpcId: "vpc-123",
    subnetIds: ["subnet-a", "subnet-b", "subnet-c"],
    allowedSecurityGroupIds: ["sg-app"],
};

/** A recorded resource as the engine would send it, for tests that build stacks by hand. */
export function resource(
    type: string,
    name: string,
    inputs: Record<string, unknown>,
    extra: Partial<RecordedResource> = {},
): RecordedResource {
    return {
        type,
        name,
        urn: `urn:pulumi:dev::test::${type}::${name}`,
        custom: true,
        parent: "",
        retainOnDelete: false,
        dependencies: [],
        propertyDependencies: {},
        inputs,
        state: {},
        ...extra,
    };
}

/** Builds the component under mocks and returns what it registered. */
export async function runComponent(
    args: Partial<HitrustRedisArgs> = {},
    options: {
        preview?: boolean;
        zones?: Record<string, string>;
        /** VPCs of the subnets, as `aws.ec2.getSubnet` answers (tools/mockrun.ts subnetVpcs). */
        vpcs?: Record<string, string>;
        name?: string;
        config?: Record<string, string>;
        /** IAM policies the account does not have (tools/mockrun.ts absentIamPolicies). */
        absentIamPolicies?: string[];
        /** Documents aws.iam.getPolicy answers, by policy ARN (tools/mockrun.ts iamPolicyDocuments). */
        iamPolicyDocuments?: Record<string, string>;
        /** The partition aws.getPartition answers. */
        partition?: string;
    } = {},
): Promise<MockRunResult & { component?: HitrustRedis }> {
    let component: HitrustRedis | undefined;
    const result = await runUnderMocks(
        () => {
            component = new HitrustRedis(options.name ?? "cache", { ...baseArgs, ...args } as HitrustRedisArgs);
        },
        {
            preview: options.preview ?? false,
            subnetZones: options.zones ?? subnetZones,
            subnetVpcs: options.vpcs,
            config: options.config,
            absentIamPolicies: options.absentIamPolicies,
            iamPolicyDocuments: options.iamPolicyDocuments,
            partition: options.partition,
        },
    );
    return { ...result, component };
}

export function ofType(result: MockRunResult, type: string): RecordedResource[] {
    return result.resources.filter((r) => r.type === type);
}

export function one(result: MockRunResult, type: string): RecordedResource {
    const found = ofType(result, type);
    assert.strictEqual(found.length, 1, `expected one ${type}, found ${found.length}`);
    return found[0];
}

export const types = {
    replicationGroup: "aws:elasticache/replicationGroup:ReplicationGroup",
    cluster: "aws:elasticache/cluster:Cluster",
    subnetGroup: "aws:elasticache/subnetGroup:SubnetGroup",
    parameterGroup: "aws:elasticache/parameterGroup:ParameterGroup",
    user: "aws:elasticache/user:User",
    userGroup: "aws:elasticache/userGroup:UserGroup",
    securityGroup: "aws:ec2/securityGroup:SecurityGroup",
    ingressRule: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    sgRule: "aws:ec2/securityGroupRule:SecurityGroupRule",
    key: "aws:kms/key:Key",
    topic: "aws:sns/topic:Topic",
    topicPolicy: "aws:sns/topicPolicy:TopicPolicy",
    secret: "aws:secretsmanager/secret:Secret",
    secretVersion: "aws:secretsmanager/secretVersion:SecretVersion",
    password: "random:index/randomPassword:RandomPassword",
    subnet: "aws:ec2/subnet:Subnet",
    logGroup: "aws:cloudwatch/logGroup:LogGroup",
    alarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
};

export function isSecretWrapped(value: unknown): value is { value: unknown } {
    return typeof value === "object" && value !== null && (value as any)[sig.key] === sig.secret;
}

export function isUnknown(value: unknown): boolean {
    return value === unknownSentinel;
}

/** Every plain string in a value, skipping the insides of secret wrappers. */
export function plainStrings(value: unknown, out: string[] = []): string[] {
    if (typeof value === "string") {
        out.push(value);
    } else if (Array.isArray(value)) {
        value.forEach((v) => plainStrings(v, out));
    } else if (value !== null && typeof value === "object" && !isSecretWrapped(value)) {
        Object.values(value).forEach((v) => plainStrings(v, out));
    }
    return out;
}

/**
 * The pack started as the engine starts it and configured with its defaults, for the tests of the
 * calling `describe`: started before them, stopped after; `ready` receives it.
 */
export function usePack(ready: (pack: PolicyPackProcess, info: PackInfo) => void): void {
    let pack: PolicyPackProcess | undefined;
    before(async () => {
        pack = await PolicyPackProcess.start(path.join(__dirname, "..", "policy-pack"));
        const info = await pack.info();
        await pack.configure(info);
        ready(pack, info);
    });
    after(async () => {
        await pack?.stop();
    });
}

/**
 * For the tests of the calling `describe`: the component finds a placeholder of the audit function's
 * bundle (bin/audit-function/index.js, which `npm run build:package` builds) in a temporary folder.
 * Under mocks the archive's content is never read; the placeholder is never packaged.
 */
export function usePlaceholderAuditBundle(): void {
    before(() => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "audit-bundle-"));
        fs.writeFileSync(
            path.join(dir, "index.js"),
            "exports.handler = async () => { throw new Error('placeholder'); };\n",
        );
        auditBundle.directory = dir;
    });
    after(() => {
        auditBundle.directory = undefined;
    });
}
