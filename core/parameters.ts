// Engine parameters that switch off a log the guide requires (step 6, "Logging & monitoring": "Audit
// logging must always be on and in place while the system is active"), as data and one pure function.
// The component refuses them in its `parameters` argument; the policy pack rejects a parameter group
// (aws.elasticache.ParameterGroup, planned or discovered) that sets them. A parameter group is named
// by `parameterGroupName` on a replication group or a cache cluster; serverless caches take no
// parameter group (ServerlessCache has no such property), so nothing here applies to them.
//
// Sources:
// - ElastiCache "Engine specific parameters" (formerly "Redis-specific parameters"),
//   https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/ParameterGroups.Engine.html, Redis OSS
//   2.6.13 table (carried into every later family): "slowlog-log-slower-than | Default: 10000 Type:
//   integer Modifiable: Yes | The maximum execution time, in microseconds, for commands to be logged by
//   the Redis Slow Log feature"; "slowlog-max-len | Default: 128 Type: integer Modifiable: Yes | The
//   maximum length of the Redis Slow Log". Redis OSS 6.x table: "acllog-max-len (added in 6.0) |
//   Default: 128 Type: number Modifiable: Yes | the max number of entries in the ACL log".
//   (Text as of awsdocs/amazon-elasticache-docs doc_source/redis/ParameterGroups.Redis.md, 2021.)
// - ElastiCache "Log delivery", https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/Log_Delivery.html:
//   "A fixed number of Slow log entries are retrieved from the engine periodically. Depending on the
//   value specified for engine parameter slowlog-max-len, additional slow log entries might not be
//   delivered to the destination."
// - The engine's own meaning of the values (redis.conf, "SLOW LOG": "a negative number disables the
//   slow log, while a value of zero forces the logging of every command"; valkey-io/valkey
//   src/config.c: slowlog-log-slower-than accepts -1 and up, slowlog-max-len and acllog-max-len 0 and
//   up). Valkey 8.1 renamed the two slow-log settings `commandlog-execution-slower-than` and
//   `commandlog-slow-execution-max-len` and keeps the old names as aliases (same file:
//   createLongLongConfig("commandlog-execution-slower-than", "slowlog-log-slower-than", ...)), so both
//   names are judged.
// - The engine log has no parameter in ElastiCache's lists (`loglevel` is not among them), so no
//   parameter can switch it off; only its delivery can be left out, which
//   aws-elasticache-replicationgroup-enable-log-delivery judges.
import { ControlId } from "./controls";

/** Thresholds an organization may tune; the defaults are the component's fixed limits. */
export interface LoggingParameterLimits {
    /**
     * The largest slow-log threshold accepted, in microseconds. ElastiCache's default is 10,000 (10 ms);
     * a threshold no command reaches records nothing, as surely as -1 does. Defaults to 1,000,000 (1 s).
     */
    readonly maxSlowLogThresholdMicroseconds: number;
    /**
     * The fewest slow-log entries kept between two of ElastiCache's retrievals; fewer loses entries
     * before delivery (Log delivery page). Defaults to 128, ElastiCache's own default.
     */
    readonly minSlowLogLength: number;
}

export const defaultLoggingParameterLimits: LoggingParameterLimits = {
    maxSlowLogThresholdMicroseconds: 1_000_000,
    minSlowLogLength: 128,
};

/** One parameter that can switch a required log off, with how to judge its value. */
export interface LoggingParameter {
    /** Every name the engine accepts for it (lower case; Valkey 8.1 aliases included). */
    readonly names: readonly string[];
    /** The log it governs, as messages name it. */
    readonly log: string;
    readonly controls: readonly ControlId[];
    /** What is wrong with an integer value, or undefined when it keeps the log on. */
    judge(value: number, limits: LoggingParameterLimits): string | undefined;
    /** The value to set instead, for messages. */
    fix(limits: LoggingParameterLimits): string;
}

const loggingControls: readonly ControlId[] = ["1202.09aa1", "1203.09aa1", "12100.09ab2"];

export const loggingParameters: readonly LoggingParameter[] = [
    {
        names: ["slowlog-log-slower-than", "commandlog-execution-slower-than"],
        log: "the slow log",
        controls: loggingControls,
        judge: (value, limits) =>
            value < 0
                ? "a negative threshold switches the slow log off, so no command is recorded or delivered"
                : value > limits.maxSlowLogThresholdMicroseconds
                  ? `a threshold of ${value} microseconds records only commands slower than ${value / 1_000_000} s, so the slow log stays empty (at most ${limits.maxSlowLogThresholdMicroseconds} is accepted)`
                  : undefined,
        fix: () => "remove it (ElastiCache's default is 10000 microseconds)",
    },
    {
        names: ["slowlog-max-len", "commandlog-slow-execution-max-len"],
        log: "the slow log",
        controls: loggingControls,
        judge: (value, limits) =>
            value <= 0
                ? "a length of 0 keeps no slow-log entry, so ElastiCache has nothing to deliver"
                : value < limits.minSlowLogLength
                  ? `a length of ${value} keeps fewer entries than ElastiCache's default of 128, and entries beyond it between two retrievals are never delivered`
                  : undefined,
        fix: (limits) => `remove it or set at least ${limits.minSlowLogLength} (ElastiCache's default is 128)`,
    },
    {
        names: ["acllog-max-len"],
        log: "the ACL log",
        controls: ["12100.09ab2", "1203.09aa1"],
        judge: (value) =>
            value <= 0
                ? "a length of 0 switches the ACL log off, the engine's only record of denied commands and failed authentications"
                : undefined,
        fix: () => "remove it (ElastiCache's default is 128)",
    },
];

const byName = new Map<string, LoggingParameter>(loggingParameters.flatMap((p) => p.names.map((n) => [n, p])));

/** The logging parameter a name stands for, in any letter case; undefined for any other parameter. */
export function loggingParameter(name: unknown): LoggingParameter | undefined {
    return typeof name === "string" ? byName.get(name.trim().toLowerCase()) : undefined;
}

/** What a parameter setting does to a required log. */
export interface LoggingParameterProblem {
    /** The parameter's name as it was given. */
    readonly parameter: string;
    readonly value: string;
    readonly problem: string;
    readonly fix: string;
    readonly controls: readonly ControlId[];
}

/**
 * What one parameter setting does to a required log: undefined when the parameter governs none, or
 * keeps it on. A value that is not an integer is reported as such for a logging parameter (AWS refuses
 * it: the parameters are integers). Names are read in any case, values with surrounding blanks.
 */
export function loggingParameterProblem(
    name: string,
    value: string,
    limits: LoggingParameterLimits = defaultLoggingParameterLimits,
): LoggingParameterProblem | undefined {
    const parameter = loggingParameter(name);
    if (!parameter) {
        return undefined;
    }
    const text = String(value).trim();
    if (!/^[-+]?\d+$/.test(text)) {
        return {
            parameter: name,
            value,
            problem: `not an integer (${parameter.log} settings are integers)`,
            fix: parameter.fix(limits),
            controls: parameter.controls,
        };
    }
    const problem = parameter.judge(Number(text), limits);
    return problem
        ? { parameter: name, value, problem, fix: parameter.fix(limits), controls: parameter.controls }
        : undefined;
}

/** Every problem of a set of parameters, in the order given. */
export function loggingParameterProblems(
    parameters: Iterable<readonly [string, string]>,
    limits: LoggingParameterLimits = defaultLoggingParameterLimits,
): LoggingParameterProblem[] {
    const out: LoggingParameterProblem[] = [];
    for (const [name, value] of parameters) {
        const found = loggingParameterProblem(name, value, limits);
        if (found) {
            out.push(found);
        }
    }
    return out;
}

/** True for a parameter group family of Memcached, which has none of these parameters. */
export function isMemcachedFamily(family: unknown): boolean {
    return typeof family === "string" && family.trim().toLowerCase().startsWith("memcached");
}
