// Policies across the stack: they follow the property dependencies the engine reports (which
// hold during preview, when IDs are still unknown) from a cache to its neighbours. Each one
// indexes what it needs once, so its cost grows linearly with the stack.
import { PolicyResource } from "@pulumi/policy";
import { isInternetCidr } from "../../../core/checks";
import { at, hasUnknown, isUnknown, knownBoolean, knownNumber, knownString, Plain } from "../props";
import { StackRuleSpec } from "../registry";
import { cacheTypes, types } from "../types";
import { accessStringEnabled } from "./user";

function internetCidrs(values: unknown): string[] {
    return Array.isArray(values) ? values.filter((v): v is string => typeof v === "string" && isInternetCidr(v)) : [];
}

function portRange(props: Plain): string {
    const from = knownNumber(props.fromPort);
    const to = knownNumber(props.toPort);
    const protocol = knownString(props.protocol) ?? knownString(props.ipProtocol);
    if (protocol === "-1" || protocol === "all") {
        return "all ports";
    }
    if (from === undefined) {
        return "some ports";
    }
    return from === to || to === undefined ? `port ${from}` : `ports ${from}-${to}`;
}

export const securityGroupDisallowInternetIngress: StackRuleSpec = {
    name: "aws-elasticache-securitygroup-disallow-internet-ingress",
    description: "Checks that no security group attached to an ElastiCache cache admits 0.0.0.0/0 or ::/0.",
    enforcementLevel: "mandatory",
    severity: "critical",
    controls: ["0805.01m1"],
    tags: ["network"],
    remediationSteps:
        "Remove the rule and admit only the clients' security groups (or private CIDR blocks) on the cache port.",
    check(stack, _config, report) {
        const guarded = stack.referencedBy(cacheTypes, "securityGroupIds", types.securityGroup);
        if (guarded.size === 0) {
            return;
        }
        for (const [sg, cacheName] of guarded) {
            const rules = stack.props(sg).ingress;
            for (const rule of Array.isArray(rules) ? rules : []) {
                const open = [
                    ...internetCidrs(at(rule as Plain, "cidrBlocks")),
                    ...internetCidrs(at(rule as Plain, "ipv6CidrBlocks")),
                ];
                if (open.length > 0) {
                    report(
                        `security group '${sg.name}' guards cache '${cacheName}' and admits ${open.join(" and ")} on ${portRange(rule as Plain)} (inline ingress): remove it and admit only the clients' security groups.`,
                        sg.urn,
                    );
                }
            }
        }
        for (const rule of stack.ofType(types.securityGroupRule, types.ingressRule)) {
            const targets = stack
                .dependencies(rule, "securityGroupId", types.securityGroup)
                .filter((sg) => guarded.has(sg));
            if (targets.length === 0) {
                continue;
            }
            const props = stack.props(rule);
            if (rule.type === types.securityGroupRule && knownString(props.type) !== "ingress") {
                continue;
            }
            const open =
                rule.type === types.securityGroupRule
                    ? [...internetCidrs(props.cidrBlocks), ...internetCidrs(props.ipv6CidrBlocks)]
                    : [props.cidrIpv4, props.cidrIpv6].filter(
                          (c): c is string => typeof c === "string" && isInternetCidr(c),
                      );
            for (const sg of targets) {
                if (open.length > 0) {
                    report(
                        `rule '${rule.name}' opens security group '${sg.name}' of cache '${guarded.get(sg)}' to ${open.join(" and ")} on ${portRange(props)}: remove it and admit only the clients' security groups.`,
                        rule.urn,
                    );
                }
            }
        }
    },
};

export const subnetGroupConfigureMultipleAzs: StackRuleSpec = {
    name: "aws-elasticache-subnetgroup-configure-multiple-azs",
    description: "Checks that ElastiCache subnet groups span at least two availability zones.",
    enforcementLevel: "mandatory",
    severity: "high",
    controls: ["1601.12c1", "1410.09e2", "0805.01m1"],
    tags: ["availability", "network"],
    remediationSteps: "List private subnets in two or more availability zones in `subnetIds`.",
    check(stack, _config, report) {
        for (const group of stack.ofType(types.subnetGroup)) {
            const ids = stack.props(group).subnetIds;
            if (!Array.isArray(ids)) {
                continue;
            }
            if (ids.length === 1) {
                report(
                    `subnet group '${group.name}' has a single subnet, so every node shares one availability zone: add private subnets in other zones.`,
                    group.urn,
                );
                continue;
            }
            const subnets = stack.dependencies(group, "subnetIds", types.subnet);
            if (subnets.length < ids.length) {
                continue; // some subnets live outside the stack; their zones cannot be seen here
            }
            const zones = subnets.map((s) => {
                const props = stack.props(s);
                return isUnknown(props.availabilityZone)
                    ? props.availabilityZone
                    : (props.availabilityZone ?? props.availabilityZoneId);
            });
            if (zones.some((z) => isUnknown(z) || z === undefined)) {
                continue;
            }
            const distinct = new Set(zones);
            if (distinct.size < 2) {
                report(
                    `subnet group '${group.name}' has ${subnets.length} subnets, all in ${[...distinct][0]}: add a private subnet in another availability zone.`,
                    group.urn,
                );
            }
        }
    },
};

export const subnetGroupDisallowPublicSubnets: StackRuleSpec = {
    name: "aws-elasticache-subnetgroup-disallow-public-subnets",
    description:
        "Checks that ElastiCache subnet groups contain only private subnets: no public IPs on launch and no route to an internet gateway.",
    enforcementLevel: "mandatory",
    severity: "high",
    controls: ["0805.01m1"],
    tags: ["network"],
    remediationSteps:
        "Use private subnets for the cache: `mapPublicIpOnLaunch: false` and route tables without a route to an internet gateway.",
    check(stack, _config, report) {
        // Route tables that reach an internet gateway, inline or through aws.ec2.Route.
        const publicTables = new Set<PolicyResource>();
        for (const table of stack.ofType(types.routeTable)) {
            if (stack.dependencies(table, "routes", types.internetGateway).length > 0) {
                publicTables.add(table);
            }
        }
        for (const route of stack.ofType(types.route)) {
            if (stack.dependencies(route, "gatewayId", types.internetGateway).length > 0) {
                stack.dependencies(route, "routeTableId", types.routeTable).forEach((t) => publicTables.add(t));
            }
        }
        const publicSubnets = new Set<PolicyResource>();
        for (const association of stack.ofType(types.routeTableAssociation)) {
            if (stack.dependencies(association, "routeTableId", types.routeTable).some((t) => publicTables.has(t))) {
                stack.dependencies(association, "subnetId", types.subnet).forEach((s) => publicSubnets.add(s));
            }
        }
        for (const group of stack.ofType(types.subnetGroup)) {
            for (const subnet of stack.dependencies(group, "subnetIds", types.subnet)) {
                const reasons: string[] = [];
                if (knownBoolean(stack.props(subnet).mapPublicIpOnLaunch) === true) {
                    reasons.push("gives instances public IPs (mapPublicIpOnLaunch)");
                }
                if (publicSubnets.has(subnet)) {
                    reasons.push("routes to an internet gateway");
                }
                if (reasons.length > 0) {
                    report(
                        `subnet '${subnet.name}' of subnet group '${group.name}' ${reasons.join(" and ")}: put the cache in private subnets.`,
                        subnet.urn,
                    );
                }
            }
        }
    },
};

export const logGroupConfigureRetention: StackRuleSpec = {
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
    check(stack, config, report) {
        const minimum: number = config.minimumRetentionDays;
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

export const userGroupDisallowEnabledDefaultUser: StackRuleSpec = {
    name: "aws-elasticache-usergroup-disallow-enabled-default-user",
    description:
        "Checks that ElastiCache user groups do not contain an enabled 'default' user, which clients may use without naming a user.",
    enforcementLevel: "mandatory",
    severity: "high",
    controls: ["0808.10b2", "19141.06c1"],
    tags: ["authentication"],
    remediationSteps:
        "Put a user named `default` with access string `off -@all` (and a generated password) in the group instead of the built-in `default` user.",
    check(stack, _config, report) {
        for (const group of stack.ofType(types.userGroup)) {
            const ids = stack.props(group).userIds;
            if (Array.isArray(ids) && ids.includes("default")) {
                report(
                    `user group '${group.name}' contains the built-in 'default' user, which needs no password and may run every command: replace it with a disabled user named 'default'.`,
                    group.urn,
                );
            }
            for (const user of stack.dependencies(group, "userIds", types.user)) {
                const props = stack.props(user);
                const access = knownString(props.accessString);
                if (knownString(props.userName) === "default" && access !== undefined && accessStringEnabled(access)) {
                    report(
                        `user group '${group.name}' contains user '${user.name}' named 'default' with access '${access}': set its access string to 'off -@all'.`,
                        user.urn,
                    );
                }
            }
        }
    },
};

export const kmsKeyEnableRotation: StackRuleSpec = {
    name: "aws-elasticache-kmskey-enable-rotation",
    description: "Checks that the KMS keys encrypting ElastiCache caches rotate automatically.",
    enforcementLevel: "advisory",
    severity: "medium",
    controls: ["0903.10f1"],
    tags: ["encryption"],
    remediationSteps: "Set `enableKeyRotation: true` on the key.",
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
    check(stack, _config, report) {
        const groups = stack.ofType(types.replicationGroup);
        if (groups.length === 0) {
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

export const notificationTopicDisallowEncryption: StackRuleSpec = {
    name: "aws-elasticache-notificationtopic-disallow-encryption",
    description:
        "Checks that the SNS topics receiving ElastiCache events are not encrypted at rest, which silently stops ElastiCache from publishing.",
    enforcementLevel: "advisory",
    severity: "medium",
    controls: ["1270.09ad1"],
    tags: ["monitoring"],
    remediationSteps:
        "Remove `kmsMasterKeyId` from the event topic (cluster events carry no PHI) and allow elasticache.amazonaws.com to publish under `aws:SourceOwner`.",
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

export const stackRules: StackRuleSpec[] = [
    securityGroupDisallowInternetIngress,
    subnetGroupConfigureMultipleAzs,
    subnetGroupDisallowPublicSubnets,
    logGroupConfigureRetention,
    userGroupDisallowEnabledDefaultUser,
    kmsKeyEnableRotation,
    replicationGroupConfigureAlarms,
    notificationTopicDisallowEncryption,
];
