// Stack policy on the KMS keys that encrypt caches.
import { isUnknown, knownBoolean } from "../props";
import { PolicyResource } from "@pulumi/policy";
import { ResourceRuleSpec, StackIndex, StackRuleSpec } from "../registry";
import { types } from "../types";

export const kmsKeyEnableRotation: StackRuleSpec = {
    name: "aws-elasticache-kmskey-enable-rotation",
    description: "Checks that the KMS keys encrypting ElastiCache caches rotate automatically.",
    enforcementLevel: "advisory",
    severity: "medium",
    controls: ["0903.10f1"],
    tags: ["encryption"],
    remediationSteps: "Set `enableKeyRotation: true` on the key.",
    requires: types.kmsKey,
    check(stack, _config, report) {
        for (const [key, { cache, alias }] of keysOfCaches(stack)) {
            const rotation = stack.props(key).enableKeyRotation;
            if (!isUnknown(rotation) && knownBoolean(rotation) !== true) {
                const through = alias === undefined ? "" : ` through alias '${alias}'`;
                report(
                    `KMS key '${key.name}' encrypts cache '${cache}'${through} but does not rotate: set enableKeyRotation to true.`,
                    key.urn,
                );
            }
        }
    },
};

const cachesWithKeys = [types.replicationGroup, types.serverlessCache];

/**
 * The stack's keys that encrypt a cache, each with the first cache (and the alias it went
 * through, if any). `kmsKeyId` takes a key ID or ARN, or an alias name or alias ARN
 * (CreateReplicationGroup `KmsKeyId`, https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_CreateReplicationGroup.html;
 * KMS resolves an alias to its target key: "Using aliases",
 * https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html), so a cache may name an
 * `aws.kms.Alias` by reference or by its `alias/...` name, and the alias's `targetKeyId` the key.
 */
function keysOfCaches(stack: StackIndex): Map<PolicyResource, { cache: string; alias?: string }> {
    const found = new Map<PolicyResource, { cache: string; alias?: string }>();
    for (const [key, cache] of stack.referencedBy(cachesWithKeys, "kmsKeyId", types.kmsKey)) {
        found.set(key, { cache });
    }
    const aliases = stack.ofType(types.kmsAlias);
    if (aliases.length === 0) {
        return found;
    }
    for (const cache of stack.ofType(...cachesWithKeys)) {
        const kmsKeyId = stack.props(cache).kmsKeyId;
        for (const alias of aliases) {
            if (
                !stack.dependencies(cache, "kmsKeyId", types.kmsAlias).includes(alias) &&
                !namesAlias(kmsKeyId, stack.props(alias).name)
            ) {
                continue;
            }
            for (const key of stack.dependencies(alias, "targetKeyId", types.kmsKey)) {
                if (!found.has(key)) {
                    found.set(key, { cache: cache.name, alias: alias.name });
                }
            }
        }
    }
    return found;
}

/** True when `kmsKeyId` is the alias `name` ("alias/phi") or its ARN ("arn:aws:kms:...:alias/phi"). */
function namesAlias(kmsKeyId: unknown, name: unknown): boolean {
    return (
        typeof kmsKeyId === "string" &&
        typeof name === "string" &&
        name !== "" &&
        (kmsKeyId === name || kmsKeyId.endsWith(`:${name}`))
    );
}

/**
 * A key that is plainly a cache's on its own: its key policy lets it be used through ElastiCache
 * (`kms:ViaService` elasticache.<region>.amazonaws.com,
 * https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service),
 * as the component's key policy does, or its description says it encrypts ElastiCache.
 */
export function isCacheKey(policy: unknown, description: unknown): boolean {
    return (
        (typeof policy === "string" && /elasticache\.[a-z0-9-]+\.amazonaws\.com/i.test(policy)) ||
        (typeof description === "string" && /\belasticache\b/i.test(description))
    );
}

export const kmsKeyEnableDiscoveredRotation: ResourceRuleSpec = {
    ...kmsKeyEnableRotation,
    name: "aws-elasticache-kmskey-enable-discovered-rotation",
    description:
        "Checks that discovered KMS keys whose key policy or description ties them to ElastiCache rotate automatically.",
    resourceTypes: [types.kmsKey],
    properties: ["policy", "description", "enableKeyRotation"],
    discoveredOnly: `at preview ${kmsKeyEnableRotation.name} judges the keys a cache names.`,
    check(props) {
        if (!isCacheKey(props.policy, props.description)) {
            return undefined;
        }
        // A false is dropped from read state: absent means off, as it does in a plan.
        return knownBoolean(props.enableKeyRotation) === true
            ? undefined
            : "the key encrypts ElastiCache (its key policy or description says so) but does not rotate: set enableKeyRotation to true.";
    },
};
