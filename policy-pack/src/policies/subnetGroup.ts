// Policies on aws.elasticache.SubnetGroup: its name (a resource policy), its zones and the
// privacy of its subnets (stack policies: subnets are other resources; their routes: routes.ts).
import { isUnknown, knownBoolean, knownString } from "../props";
import { ResourceRuleSpec, StackRuleSpec } from "../registry";
import { types } from "../types";

export const subnetGroupDisallowDefaultName: ResourceRuleSpec = {
    name: "aws-elasticache-subnetgroup-disallow-default-name",
    description:
        "Checks that ElastiCache subnet groups are not named 'default', the name of the group caches fall into unasked.",
    enforcementLevel: "mandatory",
    severity: "medium",
    controls: ["0805.01m1"],
    tags: ["network"],
    remediationSteps: "Name the subnet group after the cache it serves, for example `<cache>-subnets`.",
    resourceTypes: [types.subnetGroup],
    properties: ["name"],
    check(props) {
        const name = props.name;
        if (isUnknown(name)) {
            return undefined;
        }
        return knownString(name)?.toLowerCase() === "default"
            ? "the subnet group is named 'default': give it a name of its own, such as '<cache>-subnets'."
            : undefined;
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
    requires: types.subnetGroup,
    check(stack, _config, report) {
        for (const group of stack.ofType(types.subnetGroup)) {
            const ids = stack.props(group).subnetIds;
            if (!Array.isArray(ids)) {
                continue;
            }
            if (ids.length === 0) {
                report(
                    `subnet group '${group.name}' lists no subnet: add private subnets in two or more availability zones.`,
                    group.urn,
                );
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
        "Checks that ElastiCache subnet groups contain no subnet that gives public IPs on launch (routes to an internet gateway are judged by aws-elasticache-subnetgroup-disallow-internet-routes).",
    enforcementLevel: "mandatory",
    severity: "high",
    controls: ["0805.01m1"],
    tags: ["network"],
    remediationSteps: "Use private subnets for the cache: set `mapPublicIpOnLaunch: false` on each of them.",
    requires: types.subnetGroup,
    check(stack, _config, report) {
        for (const group of stack.ofType(types.subnetGroup)) {
            for (const subnet of stack.dependencies(group, "subnetIds", types.subnet)) {
                if (knownBoolean(stack.props(subnet).mapPublicIpOnLaunch) === true) {
                    report(
                        `subnet '${subnet.name}' of subnet group '${group.name}' gives instances public IPs (mapPublicIpOnLaunch): put the cache in private subnets.`,
                        subnet.urn,
                    );
                }
            }
        }
    },
};

export const subnetGroupRules: ResourceRuleSpec[] = [subnetGroupDisallowDefaultName];
export const subnetGroupStackRules: StackRuleSpec[] = [
    subnetGroupConfigureMultipleAzs,
    subnetGroupDisallowPublicSubnets,
];

export const subnetGroupConfigureDiscoveredMultipleAzs: ResourceRuleSpec = {
    ...subnetGroupConfigureMultipleAzs,
    name: "aws-elasticache-subnetgroup-configure-discovered-multiple-azs",
    description: "Checks that discovered ElastiCache subnet groups list more than one subnet.",
    resourceTypes: [types.subnetGroup],
    properties: ["subnetIds"],
    discoveredOnly: `at preview ${subnetGroupConfigureMultipleAzs.name} judges subnet groups with their subnets' zones.`,
    check(props) {
        // The read state lists the subnets but not their zones, so only a single subnet is
        // certain to leave one zone (a subnet lies in one zone: https://docs.aws.amazon.com/vpc/latest/userguide/configure-subnets.html).
        const ids = props.subnetIds;
        return Array.isArray(ids) && ids.length === 1
            ? "the subnet group has a single subnet, so every node shares one availability zone: add private subnets in other zones."
            : undefined;
    },
};
