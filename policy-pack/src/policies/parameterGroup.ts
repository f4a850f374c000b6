// Policy on aws.elasticache.ParameterGroup: no parameter may switch off a log the guide requires
// (core/parameters.ts holds the parameters and the judgement, shared with the component).
//
// A resource policy, not a stack policy: what a group does to the logs depends on the group alone,
// and every cache that names it in `parameterGroupName` (a replication group or a cache cluster;
// serverless caches take no parameter group) runs with its settings. As a resource policy it also
// judges groups found by Insights Discovery, whose audit policy groups run no stack policy, and groups
// that caches in other stacks name. The read state of a group lists the parameters set away from the
// engine defaults (DescribeCacheParameters, Source "user"), which are the ones judged here.
import {
    defaultLoggingParameterLimits,
    isMemcachedFamily,
    LoggingParameterLimits,
    loggingParameterProblem,
} from "../../../core/parameters";
import { at, isUnknown, knownString, Plain } from "../props";
import { ResourceRuleSpec } from "../registry";
import { types } from "../types";

type Limits = { -readonly [K in keyof LoggingParameterLimits]: LoggingParameterLimits[K] };

export const parameterGroupDisallowDisabledLogging: ResourceRuleSpec<Limits> = {
    name: "aws-elasticache-parametergroup-disallow-disabled-logging",
    description:
        "Checks that ElastiCache parameter groups set no parameter that switches off or starves the slow log or the ACL log (slowlog-log-slower-than, slowlog-max-len, acllog-max-len).",
    enforcementLevel: "mandatory",
    severity: "high",
    controls: ["1202.09aa1", "1203.09aa1", "12100.09ab2"],
    tags: ["logging"],
    remediationSteps:
        "Remove the parameter from the group's `parameters` (ElastiCache's defaults keep the logs on: slowlog-log-slower-than 10000, slowlog-max-len 128, acllog-max-len 128), or set a value within the policy's limits.",
    config: {
        maxSlowLogThresholdMicroseconds: {
            type: "integer",
            default: defaultLoggingParameterLimits.maxSlowLogThresholdMicroseconds,
            minimum: 0,
            description:
                "The largest slowlog-log-slower-than accepted, in microseconds; a threshold no command reaches records nothing.",
        },
        minSlowLogLength: {
            type: "integer",
            default: defaultLoggingParameterLimits.minSlowLogLength,
            minimum: 1,
            description:
                "The fewest entries slowlog-max-len may keep; entries beyond it between two of ElastiCache's retrievals are never delivered.",
        },
    },
    resourceTypes: [types.parameterGroup],
    properties: ["family", "parameters"],
    check(props, { config }) {
        if (isMemcachedFamily(props.family)) {
            return undefined;
        }
        const parameters = props.parameters;
        if (!Array.isArray(parameters)) {
            return undefined; // absent, or unknown at preview
        }
        const found: string[] = [];
        for (const entry of parameters) {
            const name = knownString(at(entry as Plain, "name"));
            const value = at(entry as Plain, "value");
            if (name === undefined || isUnknown(value) || value === undefined || value === null) {
                continue;
            }
            const problem = loggingParameterProblem(name, String(value), config);
            if (problem) {
                found.push(`${name} is '${problem.value}': ${problem.problem}; ${problem.fix}.`);
            }
        }
        return found;
    },
};

export const parameterGroupRules: ResourceRuleSpec[] = [parameterGroupDisallowDisabledLogging];
