// Stack policy on the CloudWatch log groups that receive a cache's slow and engine logs.
import { PolicyResource } from "@pulumi/policy";
import { at, knownNumber, knownString, Plain } from "../props";
import { ResourceRuleSpec, StackRuleSpec } from "../registry";
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

/**
 * A log group that is plainly a cache's on its own: named as ElastiCache log delivery is set up
 * by the component (`/aws/elasticache/<group id>/<log type>`, component/redis.ts). Log delivery
 * may name any log group (https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/Log_Delivery.html);
 * others are judged at preview, where the cache's delivery configuration links them.
 */
export const elastiCacheLogGroupName = /^\/aws\/elasticache\//i;

export const logGroupConfigureDiscoveredRetention: ResourceRuleSpec<{ minimumRetentionDays: number }> = {
    ...logGroupConfigureRetention,
    name: "aws-elasticache-loggroup-configure-discovered-retention",
    description:
        "Checks that discovered CloudWatch log groups named for ElastiCache (/aws/elasticache/...) keep their logs at least 90 days.",
    resourceTypes: [types.logGroup],
    properties: ["name", "retentionInDays"],
    discoveredOnly: `at preview ${logGroupConfigureRetention.name} judges the log groups a cache delivers to.`,
    check(props, { config }) {
        const name = knownString(props.name);
        if (name === undefined || !elastiCacheLogGroupName.test(name)) {
            return undefined;
        }
        // Absent from read state means 0, never expire (PutRetentionPolicy; the bridge drops 0).
        const days = knownNumber(props.retentionInDays);
        const minimum = config.minimumRetentionDays;
        return days !== undefined && days > 0 && days < minimum
            ? `log group '${name}' receives cache logs but keeps them ${days} days: set retentionInDays to at least ${minimum} and archive them for a year.`
            : undefined;
    },
};
