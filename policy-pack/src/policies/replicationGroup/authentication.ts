// Replication group policies on who may connect: an AUTH token or an RBAC user group.
import { authTokenCharacterTypes, authTokenProblems, authTokenSpecials } from "../../../../core/checks";
import { featureMinimum, parseEngineVersion, supports } from "../../../../core/engine";
import { isMissing, isUnknown, knownString } from "../../props";
import { isRedacted } from "../../readState";
import { ResourceRuleSpec } from "../../registry";
import { engineOf, inherits, namedEntries, rg } from "./common";

export const enableAuthentication: ResourceRuleSpec = {
    name: "aws-elasticache-replicationgroup-enable-authentication",
    description:
        "Checks that ElastiCache replication groups require clients to authenticate with an AUTH token or RBAC user group.",
    enforcementLevel: "mandatory",
    severity: "critical",
    controls: ["0808.10b2", "19141.06c1"],
    tags: ["authentication"],
    remediationSteps:
        "Set `authToken` to a generated secret (for example a `random.RandomPassword`) and keep it in Secrets Manager, or set `userGroupIds` to an RBAC user group whose `default` user is disabled.",
    resourceTypes: rg,
    properties: ["authToken", "authTokenWo", "userGroupIds", "engineVersion"],
    check(props, { discovered }) {
        const candidates = [props.authToken, props.authTokenWo, props.userGroupIds];
        if (candidates.some(isUnknown) || inherits(props, "authentication", discovered)) {
            return undefined;
        }
        const hasToken = !isMissing(props.authToken) || !isMissing(props.authTokenWo);
        // [""] names no user group: ElastiCache would get an empty ID, not a group.
        const hasGroup = namedEntries(props.userGroupIds).length > 0;
        const engine = engineOf(props);
        const version = knownString(props.engineVersion);
        if (
            hasGroup &&
            typeof engine === "string" &&
            version !== undefined &&
            parseEngineVersion(version) !== undefined &&
            !supports(engine, version, "rbac")
        ) {
            return `userGroupIds needs Redis ${featureMinimum("redis", "rbac")} or later but engineVersion is ${version}: upgrade the engine or use an authToken.`;
        }
        if (hasToken || hasGroup) {
            return undefined;
        }
        if (discovered) {
            // AWS never returns the token, and the provider's read state has no AuthTokenEnabled:
            // aws-elasticache-replicationgroup-missing-unreadable-settings says so instead.
            return undefined;
        }
        if (Array.isArray(props.userGroupIds) && props.userGroupIds.length > 0) {
            return "userGroupIds lists only empty IDs and no authToken is set, so any client on the network can connect: name a real RBAC user group or set an authToken kept in Secrets Manager.";
        }
        return "neither authToken nor userGroupIds is set, so any client on the network can connect: set an authToken kept in Secrets Manager or an RBAC user group.";
    },
};

/**
 * Where a group's AUTH token can be set: `authToken`, or the write-only `authTokenWo` (with
 * `authTokenWoVersion`), which the provider sends to ElastiCache as the same `AuthToken`
 * (https://www.pulumi.com/registry/packages/aws/api-docs/elasticache/replicationgroup/#authtokenwo_nodejs)
 * and which ElastiCache holds to the same rules
 * (https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/auth.html).
 */
const tokenProperties = ["authToken", "authTokenWo"];
const tokenNames: Readonly<Record<string, string>> = {
    authToken: "the AUTH token",
    authTokenWo: "the write-only AUTH token (authTokenWo)",
};

export const enforceAuthTokenComplexity: ResourceRuleSpec = {
    name: "aws-elasticache-replicationgroup-enforce-auth-token-complexity",
    description: `Checks that ElastiCache AUTH tokens are 16 to 128 characters of letters, digits and ${authTokenSpecials.split("").join(" ")}.`,
    enforcementLevel: "mandatory",
    severity: "high",
    controls: ["19141.06c1"],
    tags: ["authentication"],
    remediationSteps: `Generate the token, for example \`new random.RandomPassword(name, { length: 64, overrideSpecial: "${authTokenSpecials}" })\`, and keep it secret.`,
    resourceTypes: rg,
    properties: tokenProperties,
    check(props) {
        let found: string[] | undefined; // allocated only for a finding: this runs on every group
        for (const property of tokenProperties) {
            // The token arrives in plain text here; it must never be echoed in a message.
            const token = props[property];
            if (typeof token !== "string" || token === "" || isRedacted(token)) {
                continue; // absent, or a secret `pulumi policy analyze` could not decrypt
            }
            const problems = authTokenProblems(token);
            if (problems.length > 0) {
                (found ??= []).push(`${tokenNames[property]} ${problems.join(" and ")}: generate a new one.`);
            }
        }
        return found;
    },
};

export const configureStrongAuthToken: ResourceRuleSpec = {
    name: "aws-elasticache-replicationgroup-configure-strong-auth-token",
    description: "Checks that ElastiCache AUTH tokens mix at least three character types, as AWS recommends.",
    enforcementLevel: "advisory",
    severity: "medium",
    controls: ["19141.06c1"],
    tags: ["authentication"],
    remediationSteps:
        "Generate the token with upper- and lowercase letters, digits and one of `! & # $ ^ < > -` (the component's generated token does).",
    resourceTypes: rg,
    properties: tokenProperties,
    check(props) {
        let found: string[] | undefined; // allocated only for a finding: this runs on every group
        for (const property of tokenProperties) {
            const token = props[property];
            if (typeof token !== "string" || token === "" || isRedacted(token) || authTokenProblems(token).length > 0) {
                continue; // absent or refused outright: other policies' findings
            }
            const types = authTokenCharacterTypes(token);
            if (types < 3) {
                (found ??= []).push(
                    `${tokenNames[property]} uses ${types} of the 4 character types (upper, lower, digits, ${authTokenSpecials.split("").join(" ")}): generate one that mixes at least three.`,
                );
            }
        }
        return found;
    },
};
