// Stack policy on the KMS keys that encrypt caches.
import { isUnknown, knownBoolean } from "../props";
import { StackRuleSpec } from "../registry";
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
