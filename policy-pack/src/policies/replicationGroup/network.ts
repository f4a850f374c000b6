// Replication group policies on network placement: its own subnet group, its own security
// groups, and a port other than the well-known one.
import { defaultRedisPort } from "../../../../core/checks";
import { isMissing, isUnknown, knownNumber } from "../../props";
import { ResourceRuleSpec, StackRuleSpec } from "../../registry";
import { types } from "../../types";
import { namedEntries, rg } from "./common";

export const configureSubnetGroup: ResourceRuleSpec = {
    name: "aws-elasticache-replicationgroup-configure-subnet-group",
    description:
        "Checks that ElastiCache replication groups run in a VPC in a subnet group of their own, not the default one.",
    enforcementLevel: "mandatory",
    severity: "high",
    controls: ["0805.01m1"],
    tags: ["network"],
    remediationSteps:
        "Create an `aws.elasticache.SubnetGroup` of private subnets in two or more zones and set `subnetGroupName` to it.",
    resourceTypes: rg,
    properties: ["subnetGroupName"],
    check(props) {
        const name = props.subnetGroupName;
        if (isUnknown(name)) {
            return undefined;
        }
        if (isMissing(name)) {
            return "subnetGroupName is not set, so the cache lands in the default subnet group: create a subnet group of private subnets and set subnetGroupName.";
        }
        return String(name).toLowerCase() === "default"
            ? "subnetGroupName is 'default': create a subnet group of private subnets for the cache and use it."
            : undefined;
    },
};

export const configureSecurityGroups: ResourceRuleSpec = {
    name: "aws-elasticache-replicationgroup-configure-security-groups",
    description: "Checks that ElastiCache replication groups are guarded by security groups of their own.",
    enforcementLevel: "mandatory",
    severity: "high",
    controls: ["0805.01m1"],
    tags: ["network"],
    remediationSteps:
        "Create a security group that admits only the clients' security groups on the cache port and set `securityGroupIds` to it.",
    resourceTypes: [types.replicationGroup, types.serverlessCache],
    properties: ["securityGroupIds"],
    check(props) {
        const groups = props.securityGroupIds;
        if (isUnknown(groups)) {
            return undefined;
        }
        if (namedEntries(groups).length > 0) {
            return undefined;
        }
        // [""] names no security group: the VPC's default one applies just as with [].
        return Array.isArray(groups) && groups.length > 0
            ? "securityGroupIds lists only empty IDs, so the VPC's default security group applies: attach a security group that admits only the cache's clients."
            : "securityGroupIds is empty, so the VPC's default security group applies: attach a security group that admits only the cache's clients.";
    },
};

export const disallowDefaultSecurityGroup: StackRuleSpec = {
    name: "aws-elasticache-replicationgroup-disallow-default-security-group",
    description:
        "Checks that ElastiCache replication groups and serverless caches do not name their VPC's default security group, which an empty securityGroupIds would use too.",
    enforcementLevel: configureSecurityGroups.enforcementLevel,
    severity: configureSecurityGroups.severity,
    controls: configureSecurityGroups.controls,
    tags: configureSecurityGroups.tags,
    remediationSteps: configureSecurityGroups.remediationSteps,
    check(stack, _config, report) {
        // The default group is named through an aws.ec2.DefaultSecurityGroup (which adopts it:
        // https://www.pulumi.com/registry/packages/aws/api-docs/ec2/defaultsecuritygroup/) or a
        // Vpc's `defaultSecurityGroupId`, the only security group ID a Vpc has
        // (https://www.pulumi.com/registry/packages/aws/api-docs/ec2/vpc/#defaultsecuritygroupid_nodejs).
        // A literal "sg-..." cannot be told apart from any other group before the update.
        if (stack.ofType(types.defaultSecurityGroup, types.vpc).length === 0) {
            return;
        }
        for (const cache of stack.ofType(...configureSecurityGroups.resourceTypes)) {
            for (const group of stack.dependencies(cache, "securityGroupIds", types.defaultSecurityGroup, types.vpc)) {
                const what =
                    group.type === types.vpc
                        ? `the default security group of VPC '${group.name}' (its defaultSecurityGroupId)`
                        : `default security group '${group.name}', the VPC's default group`;
                report(
                    `securityGroupIds of cache '${cache.name}' names ${what}, which an empty list would use too: attach a security group of the cache's own that admits only its clients.`,
                    cache.urn,
                );
            }
        }
    },
};

export const configureNonDefaultPort: ResourceRuleSpec<{ allowedPorts: number[] }> = {
    name: "aws-elasticache-replicationgroup-configure-non-default-port",
    description: "Checks that ElastiCache replication groups listen on a port other than the well-known 6379.",
    enforcementLevel: "advisory",
    severity: "low",
    controls: ["0706.10b1"],
    tags: ["network"],
    remediationSteps:
        "Set `port` to a port other than 6379 (for example 6380), or to one of the organization's allowed ports.",
    config: {
        allowedPorts: {
            type: "array",
            items: { type: "integer" },
            default: [],
            description: "Ports the organization allows; empty allows any port but 6379.",
        },
    },
    resourceTypes: rg,
    properties: ["port"],
    check(props, { config }) {
        const port = props.port;
        if (isUnknown(port)) {
            return undefined;
        }
        const value = knownNumber(port) ?? defaultRedisPort;
        const allowed = config.allowedPorts;
        if (value === defaultRedisPort) {
            return `the cache listens on ${defaultRedisPort}${isMissing(port) ? " (port not set)" : ""}, the well-known Redis port: set port to another value${allowed.length ? ` (allowed: ${allowed.join(", ")})` : " such as 6380"}.`;
        }
        return allowed.length > 0 && !allowed.includes(value)
            ? `port ${value} is not among the allowed ports ${allowed.join(", ")}: use one of them.`
            : undefined;
    },
};
