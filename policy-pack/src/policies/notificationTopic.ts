// Stack policy on the SNS topics that receive cache events.
import { StackRuleSpec } from "../registry";
import { types } from "../types";

export const notificationTopicDisallowEncryption: StackRuleSpec = {
    name: "aws-elasticache-notificationtopic-disallow-encryption",
    description:
        "Checks that the SNS topics receiving ElastiCache events are not encrypted at rest, which silently stops ElastiCache from publishing.",
    enforcementLevel: "advisory",
    severity: "medium",
    controls: ["1270.09ad1"],
    tags: ["monitoring"],
    remediationSteps:
        "Remove `kmsMasterKeyId` from the event topic (cluster events carry no PHI) and let ElastiCache publish as its guide documents (any principal, `aws:SourceOwner` = the account).",
    requires: types.snsTopic,
    check(stack, _config, report) {
        const topics = stack.referencedBy(
            [types.replicationGroup, types.cluster],
            "notificationTopicArn",
            types.snsTopic,
        );
        for (const [topic, cacheName] of topics) {
            const key = stack.props(topic).kmsMasterKeyId;
            if (typeof key === "string" && key !== "") {
                report(
                    `topic '${topic.name}' receives events of cache '${cacheName}' but is encrypted at rest, so ElastiCache cannot publish to it: remove kmsMasterKeyId.`,
                    topic.urn,
                );
            }
        }
    },
};
