// Replication group policies on staying patched: an eligible engine version in standard
// support, current-generation nodes, a custom parameter group and automatic minor upgrades.
import { complianceEngineFloor, nodeTypeProblem, redisStandardSupportEnd } from "../../../../core/checks";
import { engineVersionProblem, firstValkeyVersion, parseEngineVersion, versionAtLeast } from "../../../../core/engine";
import { isMissing, isUnknown, knownBoolean, knownString } from "../../props";
import { ResourceRuleSpec } from "../../registry";
import { types } from "../../types";
import { engineOf, inherits, rg } from "./common";

export const configureEngineVersion: ResourceRuleSpec<{ minimumEngineVersion: string }> = {
    name: "aws-elasticache-replicationgroup-configure-engine-version",
    description:
        "Checks that ElastiCache replication groups and standalone clusters run an engine version ElastiCache offers and AWS names HIPAA-eligible (Redis 4.0.10 or later, or Valkey).",
    enforcementLevel: "mandatory",
    severity: "high",
    controls: ["0706.10b1"],
    tags: ["vulnerability-management"],
    remediationSteps: "Upgrade `engineVersion` to a current version (Redis 7.1 or Valkey 8.0).",
    config: {
        minimumEngineVersion: {
            type: "string",
            default: complianceEngineFloor,
            pattern: "^\\d+(\\.\\d+){0,2}$",
            description: "The oldest Redis engine version allowed, compared as a version (4.0.10 < 6.2 < 7.1).",
        },
    },
    resourceTypes: [types.replicationGroup, types.cluster],
    properties: ["engine", "engineVersion"],
    check(props, { config, discovered, type }) {
        if (type === types.cluster && !isMissing(props.replicationGroupId)) {
            return undefined; // a member runs its group's engine
        }
        const engine = engineOf(props);
        const version = props.engineVersion;
        if (
            isUnknown(engine) ||
            isUnknown(version) ||
            isMissing(version) ||
            inherits(props, "engineVersion", discovered)
        ) {
            return undefined; // a missing version means the newest, which is eligible
        }
        if (engine !== "redis" && engine !== "valkey") {
            return undefined; // a replication group runs only these; the provider refuses others
        }
        const text = String(version);
        const floor = engine === "valkey" ? firstValkeyVersion : String(config.minimumEngineVersion);
        // The version text the provider accepts, from core/engine.ts; a version below the floor
        // gets the floor's message below, which names the configured floor.
        const problem = engineVersionProblem(engine, text);
        if (problem !== undefined && (parseEngineVersion(text) === undefined || versionAtLeast(text, floor))) {
            return `engineVersion ${problem}.`;
        }
        return versionAtLeast(text, floor)
            ? undefined
            : `engineVersion ${text} is below ${floor}, the oldest allowed ${engine} version: upgrade to ${engine === "valkey" ? "8.0" : "7.1"}.`;
    },
};

export const configureCurrentGenerationNodeType: ResourceRuleSpec = {
    name: "aws-elasticache-replicationgroup-configure-current-generation-node-type",
    description:
        "Checks that ElastiCache replication groups use current-generation node types, which HIPAA eligibility requires.",
    enforcementLevel: "mandatory",
    severity: "medium",
    controls: ["0706.10b1"],
    tags: ["vulnerability-management"],
    remediationSteps: "Set `nodeType` to a current-generation type such as cache.r7g.large or cache.m7g.large.",
    resourceTypes: [types.replicationGroup, types.cluster],
    properties: ["nodeType"],
    check(props) {
        const nodeType = knownString(props.nodeType);
        if (nodeType === undefined) {
            return undefined;
        }
        // The families come from core/engine.ts (nodeTypeGeneration); T2 is previous generation.
        const problem = nodeTypeProblem(nodeType);
        return problem ? `${problem}.` : undefined;
    },
};

export const disallowDefaultParameterGroup: ResourceRuleSpec = {
    name: "aws-elasticache-replicationgroup-disallow-default-parameter-group",
    description: "Checks that ElastiCache replication groups use a custom parameter group rather than a default.* one.",
    enforcementLevel: "advisory",
    severity: "low",
    controls: ["0706.10b1"],
    tags: ["configuration"],
    remediationSteps:
        "Create an `aws.elasticache.ParameterGroup` of the engine's family and set `parameterGroupName` to it.",
    resourceTypes: rg,
    properties: ["parameterGroupName"],
    check(props) {
        const name = props.parameterGroupName;
        if (isUnknown(name)) {
            return undefined;
        }
        if (isMissing(name)) {
            return "parameterGroupName is not set, so the engine's default parameter group applies: create a custom parameter group and set parameterGroupName.";
        }
        return String(name).startsWith("default.")
            ? `parameterGroupName '${name}' is a default group that cannot be changed: create a custom parameter group.`
            : undefined;
    },
};

export const configureMaintenanceWindow: ResourceRuleSpec = {
    name: "aws-elasticache-replicationgroup-configure-maintenance-window",
    description:
        "Checks that ElastiCache replication groups are patched in a maintenance window the organization chose.",
    enforcementLevel: "advisory",
    severity: "low",
    controls: ["0706.10b1", "1620.09l1"],
    tags: ["vulnerability-management"],
    remediationSteps:
        "Set `maintenanceWindow` (ddd:hh24:mi-ddd:hh24:mi UTC) to a low-traffic hour that does not overlap the snapshot window.",
    resourceTypes: rg,
    properties: ["maintenanceWindow"],
    check(props) {
        return isMissing(props.maintenanceWindow)
            ? "maintenanceWindow is not set, so ElastiCache picks one at random: set a window such as sun:05:30-sun:07:00."
            : undefined;
    },
};

export const enableAutoMinorVersionUpgrade: ResourceRuleSpec = {
    name: "aws-elasticache-replicationgroup-enable-auto-minor-version-upgrade",
    description:
        "Checks that ElastiCache replication groups receive minor engine upgrades (security patches) automatically.",
    enforcementLevel: "advisory",
    severity: "medium",
    controls: ["0706.10b1"],
    tags: ["vulnerability-management"],
    remediationSteps:
        "Set `autoMinorVersionUpgrade: true` (the provider default). The remediation sets it for you when the policy is set to `remediate`.",
    resourceTypes: [types.replicationGroup, types.cluster],
    properties: ["autoMinorVersionUpgrade"],
    check(props, { discovered }) {
        const value = props.autoMinorVersionUpgrade;
        if (knownBoolean(value) === false) {
            return "autoMinorVersionUpgrade is false, so security patches wait for a manual upgrade: set it to true.";
        }
        // Left out of a plan, AWS turns it on; left out of read state it is a dropped false.
        return discovered && isMissing(value)
            ? "autoMinorVersionUpgrade is absent from the read state, so it is false and security patches wait for a manual upgrade: set it to true."
            : undefined;
    },
    remediate(props) {
        return knownBoolean(props.autoMinorVersionUpgrade) === false
            ? { ...props, autoMinorVersionUpgrade: true }
            : undefined;
    },
};

export const disallowEngineOutOfStandardSupport: ResourceRuleSpec = {
    name: "aws-elasticache-replicationgroup-disallow-engine-out-of-standard-support",
    description:
        "Checks that ElastiCache replication groups and standalone clusters run an engine version still in AWS standard support.",
    enforcementLevel: "advisory",
    severity: "medium",
    controls: ["0706.10b1"],
    tags: ["vulnerability-management"],
    remediationSteps: "Upgrade `engineVersion` to Redis 7.1 or Valkey 8.0 before standard support ends.",
    resourceTypes: [types.replicationGroup, types.cluster],
    properties: ["engine", "engineVersion"],
    check(props, { type }) {
        if (type === types.cluster && !isMissing(props.replicationGroupId)) {
            return undefined; // a member runs its group's engine
        }
        const engine = engineOf(props);
        const version = knownString(props.engineVersion);
        if (engine !== "redis" || version === undefined) {
            return undefined;
        }
        const ends = redisStandardSupportEnd(version);
        if (ends === undefined) {
            return undefined;
        }
        const today = new Date().toISOString().slice(0, 10);
        return ends <= today
            ? `Redis ${version} left standard support on ${ends} (extended support is billed and ends): upgrade to 7.1.`
            : `Redis ${version} leaves standard support on ${ends}: plan the upgrade to 7.1.`;
    },
};
