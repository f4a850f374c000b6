// Stack policy on the CloudWatch log groups that receive a cache's slow and engine logs.
import { PolicyResource } from "@pulumi/policy";
import { at, knownNumber, knownString, Plain } from "../props";
import { StackRuleSpec } from "../registry";
import { types } from "../types";

export const logGroupConfigureRetention: StackRuleSpec<{ minimumRetentionDays: number }> = {
    name: "aws-elasticache-loggroup-configure-retention",
    description: "Checks that CloudWatch log groups receiving ElastiCache logs keep them at least 90 days.",
    enforcementLevel: "mandatory",
    severity: "medium",
    controls: ["1204.09aa1", "1202.09aa1"],
    tags: ["logging"],
    remediationSteps:
        "Set `retentionInDays` to 90 or more (or 0, never expire) and archive the logs for a year beyond that.",
    config: {
        minimumRetentionDays: {
            type: "integer",
            default: 90,
            minimum: 1,
            maximum: 3653,
            description: "The fewest days cache logs must stay in CloudWatch Logs.",
        },
    },
    requires: types.logGroup,
    check(stack, config, report) {
        const minimum = config.minimumRetentionDays;
        const byName = new Map<string, PolicyResource>();
        for (const logGroup of stack.ofType(types.logGroup)) {
            const name = knownString(stack.props(logGroup).name);
            if (name !== undefined) {
                byName.set(name, logGroup);
            }
        }
        const receiving = new Set<PolicyResource>();
        for (const cache of stack.ofType(types.replicationGroup, types.cluster)) {
            stack.dependencies(cache, "logDeliveryConfigurations", types.logGroup).forEach((g) => receiving.add(g));
            const configs = stack.props(cache).logDeliveryConfigurations;
            for (const entry of Array.isArray(configs) ? configs : []) {
                const destination = knownString(at(entry as Plain, "destination"));
                const found = destination === undefined ? undefined : byName.get(destination);
                if (found) {
                    receiving.add(found);
                }
            }
        }
        for (const logGroup of receiving) {
            const days = knownNumber(stack.props(logGroup).retentionInDays);
            if (days !== undefined && days > 0 && days < minimum) {
                report(
                    `log group '${logGroup.name}' receives cache logs but keeps them ${days} days: set retentionInDays to at least ${minimum} and archive them for a year.`,
                    logGroup.urn,
                );
            }
        }
    },
};
