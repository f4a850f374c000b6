// Replication group policies on being watched: events to a topic, slow and engine logs
// delivered, and CloudWatch alarms on the group (a stack policy: alarms are other resources).
import { PolicyResource } from "@pulumi/policy";
import { featureMinimum, parseEngineVersion, supports } from "../../../../core/engine";
import { at, hasUnknown, isMissing, isUnknown, knownString, Plain } from "../../props";
import { ResourceRuleSpec, StackRuleSpec } from "../../registry";
import { types } from "../../types";
import { engineOf, rg } from "./common";

export const configureNotificationTopic: ResourceRuleSpec = {
    name: "aws-elasticache-replicationgroup-configure-notification-topic",
    description: "Checks that ElastiCache replication groups send their events to an SNS topic.",
    enforcementLevel: "advisory",
    severity: "medium",
    controls: ["1270.09ad1", "12100.09ab2"],
    tags: ["monitoring"],
    remediationSteps:
        "Create an SNS topic without at-rest encryption (ElastiCache cannot publish to an encrypted one; events carry no PHI) whose policy lets ElastiCache publish as its guide documents (any principal, `aws:SourceOwner` = the account), and set `notificationTopicArn`.",
    resourceTypes: rg,
    properties: ["notificationTopicArn"],
    check(props, { discovered }) {
        // Never in read state: aws-elasticache-replicationgroup-missing-unreadable-settings names it.
        return !discovered && isMissing(props.notificationTopicArn)
            ? "notificationTopicArn is not set, so failovers and node replacements go unnoticed: send the events to an SNS topic."
            : undefined;
    },
};

export const enableLogDelivery: ResourceRuleSpec = {
    name: "aws-elasticache-replicationgroup-enable-log-delivery",
    description: "Checks that ElastiCache replication groups deliver their slow log and engine log.",
    enforcementLevel: "advisory",
    severity: "medium",
    controls: ["1202.09aa1", "1203.09aa1", "12100.09ab2"],
    tags: ["logging"],
    remediationSteps: `Add \`logDeliveryConfigurations\` for \`slow-log\` and \`engine-log\` to CloudWatch log groups (JSON format, KMS-encrypted, kept 90 days or more). Needs Redis ${featureMinimum("redis", "engineLog")}+ or Valkey.`,
    resourceTypes: rg,
    properties: ["logDeliveryConfigurations"],
    check(props) {
        const configs = props.logDeliveryConfigurations;
        const engine = engineOf(props);
        const version = props.engineVersion;
        if (isUnknown(configs) || isUnknown(engine) || isUnknown(version)) {
            return undefined;
        }
        const delivered = new Set<string>();
        for (const entry of Array.isArray(configs) ? configs : []) {
            const logType = at(entry as Plain, "logType");
            if (isUnknown(logType)) {
                return undefined;
            }
            delivered.add(String(logType));
        }
        const versionText = knownString(version);
        // A missing version means the newest; an unparseable one is the engine-version policy's finding.
        const can = (feature: "slowLog" | "engineLog") =>
            versionText === undefined ||
            parseEngineVersion(versionText) === undefined ||
            supports(engine, versionText, feature);
        const engineLogMinimum = featureMinimum("redis", "engineLog");
        const missing = ["slow-log", "engine-log"].filter((t) => !delivered.has(t));
        if (missing.length === 0) {
            return undefined;
        }
        if (!can("slowLog")) {
            return `engine ${versionText} cannot deliver slow or engine logs: upgrade to Redis ${engineLogMinimum}+ and deliver both to CloudWatch Logs.`;
        }
        if (!can("engineLog") && missing.includes("engine-log")) {
            return missing.includes("slow-log")
                ? `no slow-log is delivered and engine ${versionText} cannot deliver the engine-log: add slow-log delivery and upgrade to ${engineLogMinimum}+.`
                : `engine ${versionText} cannot deliver the engine-log: upgrade to ${engineLogMinimum}+ and deliver it.`;
        }
        return `${missing.join(" and ")} ${missing.length === 1 ? "is" : "are"} not delivered: add logDeliveryConfigurations for ${missing.join(" and ")} to a CloudWatch log group.`;
    },
};

/**
 * The replication group IDs a dimension value names: the group itself ("id") or one of its
 * nodes ("id-001", cluster mode "id-0001-001"), as CloudWatch's CacheClusterId carries them.
 */
export function groupIdsIn(value: string): string[] {
    const group = value.replace(/-\d{4}-\d{3}$/, "").replace(/-\d{3}$/, "");
    return group === value ? [value] : [value, group];
}

export const replicationGroupConfigureAlarms: StackRuleSpec = {
    name: "aws-elasticache-replicationgroup-configure-alarms",
    description: "Checks that CloudWatch alarms watch each ElastiCache replication group for malfunction or misuse.",
    enforcementLevel: "advisory",
    severity: "medium",
    controls: ["12100.09ab2", "1270.09ad1"],
    tags: ["monitoring"],
    remediationSteps:
        "Create `aws.cloudwatch.MetricAlarm`s in the AWS/ElastiCache namespace (CPU, memory, evictions, connections, replication lag) with the group's ID in their dimensions and actions to the event topic.",
    requires: types.replicationGroup,
    check(stack, _config, report) {
        const groups = stack.ofType(types.replicationGroup);
        if (groups.length === 0) {
            return;
        }
        // First by property dependencies alone, which needs no alarm's properties: an alarm whose
        // dimensions depend on the group watches it. Only groups left over need the full reading.
        const byDependency = new Set<PolicyResource>();
        for (const alarm of stack.ofType(types.metricAlarm)) {
            stack.dependencies(alarm, "dimensions").forEach((d) => byDependency.add(d));
        }
        if (groups.every((g) => byDependency.has(g))) {
            return;
        }
        const alarms = stack.ofType(types.metricAlarm).filter((a) => {
            const namespace = stack.props(a).namespace;
            return isUnknown(namespace) || namespace === "AWS/ElastiCache";
        });
        // An alarm whose dimensions are unknown might watch any cache: then nothing can be said.
        const undecided = alarms.some(
            (a) => hasUnknown(stack.props(a).dimensions) && stack.dependencies(a, "dimensions").length === 0,
        );
        if (undecided) {
            return;
        }
        // Index once what the alarms watch: groups they depend on, and group IDs their dimensions name.
        const watched = new Set<PolicyResource>();
        const watchedIds = new Set<string>();
        for (const alarm of alarms) {
            stack.dependencies(alarm, "dimensions").forEach((d) => watched.add(d));
            const dimensions = stack.props(alarm).dimensions;
            if (dimensions !== null && typeof dimensions === "object") {
                for (const value of Object.values(dimensions)) {
                    if (typeof value === "string") {
                        groupIdsIn(value).forEach((id) => watchedIds.add(id));
                    }
                }
            }
        }
        for (const group of groups) {
            const id = knownString(stack.props(group).replicationGroupId);
            if (!watched.has(group) && !(id !== undefined && watchedIds.has(id))) {
                report(
                    `no CloudWatch alarm watches replication group '${group.name}': add alarms on CPU, memory, evictions, connections and replication lag that notify the event topic.`,
                    group.urn,
                );
            }
        }
    },
};
