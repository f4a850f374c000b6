// Policies on aws.elasticache.User (RBAC). Access strings are read as the engine reads them
// (core/acl.ts: case-insensitive, left to right) and never echoed with a password in them.
import { accessGrant, accessStringAllowsNoPassword, accessStringEnabled, redactAccessString } from "../../../core/acl";

export { accessStringEnabled };
import { at, isUnknown, knownBoolean, knownString } from "../props";
import { ResourceRuleSpec } from "../registry";
import { types } from "../types";

export const userEnforcePasswordRequired: ResourceRuleSpec = {
    name: "aws-elasticache-user-enforce-password-required",
    description: "Checks that ElastiCache RBAC users cannot connect without a password or IAM authentication.",
    enforcementLevel: "mandatory",
    severity: "critical",
    controls: ["0808.10b2", "19141.06c1"],
    tags: ["authentication"],
    remediationSteps:
        'Remove `noPasswordRequired` and `nopass`, and set `authenticationMode` to `{ type: "password", passwords: [...] }` with generated secrets or `{ type: "iam" }`.',
    resourceTypes: [types.user],
    properties: ["noPasswordRequired", "authenticationMode", "accessString"],
    check(props) {
        const access = knownString(props.accessString);
        if (access !== undefined && !accessStringEnabled(access)) {
            // An "off" user has no access to the cache, password or not ("Role-Based Access
            // Control (RBAC)", https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/Clusters.RBAC.html:
            // "you pass on or off as a part of the access string ... the user is assigned off and
            // doesn't have access rights to the cache"). It is the usual stand-in for the built-in
            // `default` user, which every user group must contain.
            return undefined;
        }
        const problems: string[] = [];
        if (knownBoolean(props.noPasswordRequired) === true) {
            problems.push(
                "noPasswordRequired is true: remove it and give the user a generated password or IAM authentication.",
            );
        }
        const mode = at(props, "authenticationMode", "type");
        if (!isUnknown(mode) && knownString(mode) === "no-password-required") {
            problems.push(
                'authenticationMode is "no-password-required": use "password" with generated passwords or "iam".',
            );
        }
        if (access !== undefined && accessStringAllowsNoPassword(access)) {
            problems.push("the access string contains 'nopass': remove it so the user must authenticate.");
        }
        return problems;
    },
};

export const userDisallowBroadAccess: ResourceRuleSpec = {
    name: "aws-elasticache-user-disallow-broad-access",
    description: "Checks that ElastiCache RBAC users are not granted every command on every key.",
    enforcementLevel: "advisory",
    severity: "medium",
    controls: ["19141.06c1"],
    tags: ["authentication", "least-privilege"],
    remediationSteps:
        "Grant the key patterns and command categories the application needs, for example `on ~app:* +@read +@write -@dangerous`.",
    resourceTypes: [types.user],
    properties: ["accessString"],
    check(props) {
        const access = knownString(props.accessString);
        if (access === undefined) {
            return undefined;
        }
        // Read as Redis applies it (core/acl.ts, checked against a real redis-server): rules in
        // order, selectors, every way of writing all keys or all commands.
        const grant = accessGrant(access);
        return grant.enabled && grant.everyCommandOnEveryKey
            ? `the access string '${redactAccessString(access)}' grants every command on every key: limit it to the keys and command categories the application needs.`
            : undefined;
    },
};

export const userRules: ResourceRuleSpec[] = [userEnforcePasswordRequired, userDisallowBroadAccess];
