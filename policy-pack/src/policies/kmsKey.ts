// Stack policy on the KMS keys that encrypt caches.
import { isUnknown, knownBoolean } from "../props";
import { ResourceRuleSpec, StackRuleSpec } from "../registry";
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
        const keys = stack.referencedBy([types.replicationGroup, types.serverlessCache], "kmsKeyId", types.kmsKey);
        for (const [key, cacheName] of keys) {
            const rotation = stack.props(key).enableKeyRotation;
            if (!isUnknown(rotation) && knownBoolean(rotation) !== true) {
                report(
                    `KMS key '${key.name}' encrypts cache '${cacheName}' but does not rotate: set enableKeyRotation to true.`,
                    key.urn,
                );
            }
        }
    },
};

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
