// Policies on aws.elasticache.ServerlessCache.
import { engineKey } from "../../../core/engine";
import { isMissing, isUnknown } from "../props";
import { ResourceRuleSpec } from "../registry";
import { types } from "../types";
import { memcachedMessage } from "./cluster";

export const serverlessDisallowMemcached: ResourceRuleSpec = {
    name: "aws-elasticache-serverlesscache-disallow-memcached",
    description:
        "Checks that ElastiCache serverless caches do not run Memcached, which cannot meet the HIPAA safeguards.",
    enforcementLevel: "mandatory",
    severity: "high",
    controls: ["0808.10b2", "1616.09l1"],
    tags: ["authentication"],
    remediationSteps: "Set `engine` to `redis` or `valkey` and give the cache a user group.",
    resourceTypes: [types.serverlessCache],
    properties: ["engine"],
    check(props) {
        return engineKey(props.engine) === "memcached" ? memcachedMessage : undefined;
    },
};

export const serverlessEnableAuthentication: ResourceRuleSpec = {
    name: "aws-elasticache-serverlesscache-enable-authentication",
    description:
        "Checks that Redis and Valkey ElastiCache serverless caches require RBAC authentication through a user group.",
    enforcementLevel: "mandatory",
    severity: "critical",
    controls: ["0808.10b2", "19141.06c1"],
    tags: ["authentication"],
    remediationSteps: "Create an `aws.elasticache.UserGroup` whose `default` user is disabled and set `userGroupId`.",
    resourceTypes: [types.serverlessCache],
    properties: ["userGroupId"],
    check(props) {
        const group = props.userGroupId;
        if (isUnknown(group) || engineKey(props.engine) === "memcached") {
            return undefined;
        }
        return isMissing(group)
            ? "userGroupId is not set, so any client on the network can connect: attach an RBAC user group with the default user disabled."
            : undefined;
    },
};

export const serverlessCacheRules: ResourceRuleSpec[] = [serverlessDisallowMemcached, serverlessEnableAuthentication];
