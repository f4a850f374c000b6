// Policies on aws.elasticache.SubnetGroup.
import { isUnknown, knownString } from "../props";
import { ResourceRuleSpec } from "../registry";
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

export const subnetGroupRules: ResourceRuleSpec[] = [subnetGroupDisallowDefaultName];
