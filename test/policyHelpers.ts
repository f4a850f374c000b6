import * as assert from "assert";
import { PolicyResource, unknownCheckingProxy } from "@pulumi/policy";
import { ResourceRuleSpec, StackRuleSpec, toResourcePolicy, toStackPolicy } from "../policy-pack/src/registry";
import { unknownSentinel } from "../tools/mockrun";

export const U = unknownSentinel;

/** Runs one resource rule through the real SDK policy object, with the SDK's unknown-checking proxy. */
export function violations(
    rule: ResourceRuleSpec,
    type: string,
    props: Record<string, unknown>,
    config: Record<string, unknown> = {},
    urn = `urn:pulumi:dev::p::${type}::r`,
): string[] {
    const messages: string[] = [];
    const policy = toResourcePolicy(rule);
    const proxied = unknownCheckingProxy(props);
    const notApplicable = new Error("not applicable");
    try {
        (policy.validateResource as any)(
            {
                type,
                props: proxied,
                urn,
                name: "r",
                opts: {},
                stackTags: new Map(),
                getConfig: () => config,
                isType: () => false,
                asType: () => undefined,
                notApplicable: () => {
                    throw notApplicable;
                },
            },
            (message: string) => messages.push(message),
        );
    } catch (e) {
        if (e !== notApplicable) {
            throw e;
        }
    }
    return messages;
}

export interface StackResourceSpec {
    name: string;
    type: string;
    props: Record<string, unknown>;
    /** Property -> names of the resources it depends on. */
    deps?: Record<string, string[]>;
}

/** Runs one stack rule over resources linked by property dependencies, as the SDK builds them. */
export function stackViolations(
    rule: StackRuleSpec,
    specs: StackResourceSpec[],
    config: Record<string, unknown> = {},
): { message: string; name: string }[] {
    const byName = new Map<string, PolicyResource>();
    const resources: PolicyResource[] = specs.map((spec) => {
        const resource: any = {
            type: spec.type,
            props: unknownCheckingProxy(spec.props),
            urn: `urn:pulumi:dev::p::${spec.type}::${spec.name}`,
            name: spec.name,
            opts: {},
            dependencies: [],
            propertyDependencies: {},
            isType: () => false,
            asType: () => undefined,
        };
        byName.set(spec.name, resource);
        return resource;
    });
    specs.forEach((spec, i) => {
        for (const [key, names] of Object.entries(spec.deps ?? {})) {
            resources[i].propertyDependencies[key] = names.map((n) => {
                const found = byName.get(n);
                assert.ok(found, `no resource named ${n}`);
                return found!;
            });
        }
        resources[i].dependencies.push(...Object.values(resources[i].propertyDependencies).flat());
    });
    const out: { message: string; name: string }[] = [];
    const policy = toStackPolicy(rule);
    (policy.validateStack as any)(
        { resources, getConfig: () => config, stackTags: new Map(), notApplicable: () => undefined },
        (message: string, urn: string) => out.push({ message, name: urn.split("::").pop()! }),
    );
    return out;
}

/** Prints every violation when the expectation fails. */
export function assertViolations(actual: string[], expected: string[]) {
    assert.deepStrictEqual(actual, expected, `violations were:\n${actual.join("\n") || "(none)"}`);
}

/** A replication group that passes every resource policy of the pack, for tests that change one setting. */
export const compliantGroup: Record<string, unknown> = {
    replicationGroupId: "phi-cache",
    engine: "redis",
    engineVersion: "7.1",
    nodeType: "cache.r7g.large",
    subnetGroupName: "phi-cache-subnets",
    securityGroupIds: ["sg-1"],
    numCacheClusters: 3,
    automaticFailoverEnabled: true,
    multiAzEnabled: true,
    atRestEncryptionEnabled: true,
    kmsKeyId: "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    transitEncryptionEnabled: true,
    transitEncryptionMode: "required",
    authToken: "Generated-Token-0123456789-abc!",
};

/** Runs one resource rule on a replication group. */
export function rgViolations(
    rule: ResourceRuleSpec,
    props: Record<string, unknown>,
    config: Record<string, unknown> = {},
): string[] {
    return violations(rule, "aws:elasticache/replicationGroup:ReplicationGroup", props, config);
}
