// Policies on aws.elasticache.User (RBAC). Access strings are read as the engine reads them
// (core/acl.ts: case-insensitive, left to right) and never echoed with a password in them.
import {
    accessGrant,
    accessStringAllowsNoPassword,
    accessStringEnabled,
    accessStringSyntaxProblems,
    commandGrants,
    dangerousCommandSet,
    defaultDangerousCommands,
    describeGrant,
    redactAccessString,
} from "../../../core/acl";

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

export const userEnforceAccessStringSyntax: ResourceRuleSpec = {
    name: "aws-elasticache-user-enforce-access-string-syntax",
    description:
        "Checks that ElastiCache RBAC users' access strings are rules Redis accepts and ElastiCache allows: no password rules, no reset, no restricted commands, rules separated by plain spaces.",
    enforcementLevel: "mandatory",
    severity: "high",
    controls: ["0808.10b2", "19141.06c1"],
    tags: ["authentication", "least-privilege"],
    remediationSteps:
        "Fix each rule named: remove passwords (`>`, `<`, `#`, `!`; set them in `authenticationMode`), `reset` and ElastiCache's restricted commands (CONFIG, DEBUG, SHUTDOWN...), separate rules with plain spaces, and write rules as ACL SETUSER expects.",
    resourceTypes: [types.user],
    properties: ["accessString"],
    check(props) {
        const access = knownString(props.accessString);
        if (access === undefined) {
            return undefined;
        }
        // Redis's own refusals (core/acl.ts, held to redis-server by test/acl.test.ts) and the
        // limits of https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/Clusters.RBAC.html; a
        // string ElastiCache refuses fails at deploy, one with a password puts it in the state.
        return accessStringSyntaxProblems(access).map(
            (p) => `the access string's rule ${p.rule} ${p.problem}: ${p.fix}.`,
        );
    },
};

/** The dangerous-commands policy's config. */
export interface DangerousCommandsConfig {
    dangerousCommands: string[];
}

export const userDisallowDangerousCommands: ResourceRuleSpec<DangerousCommandsConfig> = {
    name: "aws-elasticache-user-disallow-dangerous-commands",
    description:
        "Checks that enabled ElastiCache RBAC users are not granted commands deemed dangerous (by default FLUSHALL, FLUSHDB, SWAPDB, KEYS, MONITOR and CLIENT KILL), through any rule, category or selector.",
    enforcementLevel: "mandatory",
    severity: "high",
    controls: ["19141.06c1"],
    tags: ["authentication", "least-privilege"],
    remediationSteps:
        "Take the named commands away after the rule that grants them (for example `on ~app:* +@read +@write -@dangerous`, or `-keys` after `+@read`), or list the commands the organization accepts in the policy's `dangerousCommands` config.",
    config: {
        dangerousCommands: {
            type: "array",
            items: { type: "string", pattern: "^@?[A-Za-z_-]+(\\|[A-Za-z_-]+)?$" },
            default: [...defaultDangerousCommands],
            description:
                "Commands (`flushall`), subcommands (`client|kill`) and categories (`@dangerous`) no enabled user may be granted; ElastiCache's restricted commands are skipped, since no user can run them there.",
        },
    },
    resourceTypes: [types.user],
    properties: ["accessString"],
    check(props, { config }) {
        const access = knownString(props.accessString);
        if (access === undefined || !accessStringEnabled(access)) {
            return undefined; // an "off" user cannot connect (see userEnforcePasswordRequired)
        }
        const { commands, unknown } = dangerousCommandSet(config.dangerousCommands);
        const problems = unknown.map(
            (name) =>
                `the policy's dangerousCommands config names '${name}', which Redis does not know: name commands, subcommands (client|kill) or categories (@dangerous).`,
        );
        // Applied as Redis applies it (core/acl.ts): rules in order, categories with their
        // members, selectors, first arguments (`+flushall|async`) and AUTH-like commands that
        // every user may run.
        const grants = commandGrants(access, commands);
        if (grants.length > 0) {
            problems.push(
                `the access string '${redactAccessString(access)}' grants ${grants.map(describeGrant).join(", ")}: take them away (for example -@dangerous, or -${grants[0].command} after the rule that grants it).`,
            );
        }
        return problems;
    },
};

export const userRules: ResourceRuleSpec[] = [
    userEnforcePasswordRequired,
    userDisallowBroadAccess,
    userEnforceAccessStringSyntax,
    userDisallowDangerousCommands,
];
