// Stack policy on the RBAC user groups of caches: the users they contain are other resources.
import { redactAccessString } from "../../../core/acl";
import { knownString } from "../props";
import { ResourceRuleSpec, StackRuleSpec } from "../registry";
import { types } from "../types";
import { accessStringEnabled } from "./user";

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
    requires: types.userGroup,
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
                        `user group '${group.name}' contains user '${user.name}' named 'default' with access '${redactAccessString(access)}': set its access string to 'off -@all'.`,
                        user.urn,
                    );
                }
            }
        }
    },
};

export const userGroupDisallowDiscoveredDefaultUser: ResourceRuleSpec = {
    ...userGroupDisallowEnabledDefaultUser,
    name: "aws-elasticache-usergroup-disallow-discovered-default-user",
    description:
        "Checks that discovered ElastiCache user groups do not contain the built-in 'default' user, which needs no password.",
    resourceTypes: [types.userGroup],
    properties: ["userIds"],
    discoveredOnly: `at preview ${userGroupDisallowEnabledDefaultUser.name} judges user groups with their users.`,
    check(props) {
        // The built-in user's ID is "default" (https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/Clusters.RBAC.html);
        // a user of another ID named "default" is a separate resource, judged at preview.
        const ids = props.userIds;
        return Array.isArray(ids) && ids.includes("default")
            ? "the group contains the built-in 'default' user, which needs no password and may run every command: replace it with a disabled user named 'default'."
            : undefined;
    },
};
