// Issue 18, "Parameter groups": a parameter group can switch off the logs the guide requires (step 6,
// "Audit logging must always be on"). One judgement (core/parameters.ts) for the component, which
// refuses such `parameters`, and the pack, which rejects such a group. Values and their meaning:
// ElastiCache "Engine specific parameters" (slowlog-log-slower-than, slowlog-max-len, acllog-max-len:
// integers, defaults 10000, 128, 128), "Log delivery" (entries beyond slowlog-max-len between two
// retrievals are not delivered), redis.conf / valkey src/config.c (a negative threshold disables the
// slow log; Valkey 8.1 names them commandlog-execution-slower-than and commandlog-slow-execution-max-len).
import * as assert from "assert";
import { resolveSettings, ValidationError } from "../component";
import {
    defaultLoggingParameterLimits,
    loggingParameter,
    loggingParameterProblem,
    loggingParameterProblems,
} from "../core/parameters";
import { parameterGroupDisallowDisabledLogging } from "../policy-pack/src/policies/parameterGroup";
import { registry } from "../policy-pack/src/policies";
import { types } from "../policy-pack/src/types";
import { baseArgs, one, runComponent, types as recorded } from "./helpers";
import { assertViolations, U, violations } from "./policyHelpers";

const group = (parameters: unknown, extra: Record<string, unknown> = {}) => ({
    name: "phi-cache-params",
    family: "redis7",
    parameters,
    ...extra,
});
const judge = (props: Record<string, unknown>, config: Record<string, unknown> = {}, urn?: string) =>
    violations(parameterGroupDisallowDisabledLogging, types.parameterGroup, props, config, urn);

describe("Issue 18: parameters that switch off a required log (core/parameters.ts)", () => {
    it("knows each logging parameter by every name the engine takes, in any case", () => {
        for (const name of ["slowlog-log-slower-than", "commandlog-execution-slower-than", "SLOWLOG-LOG-SLOWER-THAN"]) {
            assert.strictEqual(loggingParameter(name)?.names[0], "slowlog-log-slower-than", name);
        }
        for (const name of ["slowlog-max-len", "commandlog-slow-execution-max-len"]) {
            assert.strictEqual(loggingParameter(name)?.names[0], "slowlog-max-len", name);
        }
        assert.strictEqual(loggingParameter("acllog-max-len")?.log, "the ACL log");
        // Parameters that govern no required log are not judged at all.
        for (const name of ["maxmemory-policy", "timeout", "latency-tracking", "commandlog-request-larger-than"]) {
            assert.strictEqual(loggingParameter(name), undefined, name);
        }
    });

    for (const [name, value, what] of [
        ["slowlog-log-slower-than", "-1", /negative threshold switches the slow log off/],
        ["slowlog-log-slower-than", " -5 ", /negative threshold/],
        ["commandlog-execution-slower-than", "-1", /negative threshold/],
        ["slowlog-log-slower-than", "3600000000", /records only commands slower than 3600 s/],
        ["slowlog-max-len", "0", /keeps no slow-log entry/],
        ["commandlog-slow-execution-max-len", "0", /keeps no slow-log entry/],
        ["slowlog-max-len", "10", /fewer entries than ElastiCache's default of 128/],
        ["acllog-max-len", "0", /switches the ACL log off/],
        ["slowlog-max-len", "lots", /not an integer/],
    ] as const) {
        it(`${name} = '${value}' defeats the log`, () => {
            const found = loggingParameterProblem(name, value);
            assert.ok(found, "no problem found");
            assert.match(found.problem, what);
        });
    }

    for (const [name, value] of [
        ["slowlog-log-slower-than", "0"], // logs every command
        ["slowlog-log-slower-than", "10000"],
        ["slowlog-log-slower-than", String(defaultLoggingParameterLimits.maxSlowLogThresholdMicroseconds)],
        ["slowlog-max-len", "128"],
        ["slowlog-max-len", "1024"],
        ["acllog-max-len", "1"],
        ["maxmemory-policy", "-1"],
    ] as const) {
        it(`${name} = '${value}' keeps the log on`, () => {
            assert.strictEqual(loggingParameterProblem(name, value), undefined);
        });
    }

    it("takes limits as configuration", () => {
        const limits = { maxSlowLogThresholdMicroseconds: 50_000, minSlowLogLength: 256 };
        assert.ok(loggingParameterProblem("slowlog-log-slower-than", "60000", limits));
        assert.ok(loggingParameterProblem("slowlog-max-len", "128", limits));
        assert.deepStrictEqual(
            loggingParameterProblems([
                ["slowlog-max-len", "0"],
                ["timeout", "0"],
                ["acllog-max-len", "0"],
            ]).map((p) => p.parameter),
            ["slowlog-max-len", "acllog-max-len"],
        );
    });
});

describe("Issue 18: aws-elasticache-parametergroup-disallow-disabled-logging", () => {
    it("is in the pack, mandatory, with the logging controls of the guide's step 6", () => {
        const meta = registry.metadata().find((m) => m.name === parameterGroupDisallowDisabledLogging.name);
        assert.ok(meta);
        assert.strictEqual(meta.enforcementLevel, "mandatory");
        assert.deepStrictEqual(meta.controls, ["1202.09aa1", "1203.09aa1", "12100.09ab2"]);
        assert.deepStrictEqual(meta.resourceTypes, [types.parameterGroup]);
    });

    it("passes a group that keeps the logs on, and one that sets nothing", () => {
        assertViolations(
            judge(
                group([
                    { name: "maxmemory-policy", value: "volatile-lru" },
                    { name: "slowlog-log-slower-than", value: "5000" },
                    { name: "slowlog-max-len", value: "256" },
                ]),
            ),
            [],
        );
        assertViolations(judge(group(undefined)), []);
        assertViolations(judge(group([])), []);
    });

    it("fails a slow log set never to record, naming each parameter", () => {
        assertViolations(
            judge(
                group([
                    { name: "slowlog-log-slower-than", value: "-1" },
                    { name: "slowlog-max-len", value: "0" },
                    { name: "acllog-max-len", value: "0" },
                ]),
            ),
            [
                "slowlog-log-slower-than is '-1': a negative threshold switches the slow log off, so no command is recorded or delivered; remove it (ElastiCache's default is 10000 microseconds).",
                "slowlog-max-len is '0': a length of 0 keeps no slow-log entry, so ElastiCache has nothing to deliver; remove it or set at least 128 (ElastiCache's default is 128).",
                "acllog-max-len is '0': a length of 0 switches the ACL log off, the engine's only record of denied commands and failed authentications; remove it (ElastiCache's default is 128).",
            ],
        );
    });

    it("fails a Valkey 8.1 group that uses the new names", () => {
        const found = judge(group([{ name: "commandlog-execution-slower-than", value: "-1" }], { family: "valkey8" }));
        assert.strictEqual(found.length, 1, found.join("\n"));
        assert.match(found[0], /^commandlog-execution-slower-than is '-1'/);
    });

    it("reads the limits from the policy's configuration", () => {
        const props = group([{ name: "slowlog-log-slower-than", value: "200000" }]);
        assertViolations(judge(props), []);
        assert.strictEqual(judge(props, { maxSlowLogThresholdMicroseconds: 100_000 }).length, 1);
    });

    it("never fails on values unknown at preview, and still reports the known ones beside them", () => {
        assertViolations(judge(group(U)), []);
        assertViolations(judge(group([{ name: "slowlog-max-len", value: U }])), []);
        assertViolations(judge(group([{ name: U, value: "0" }])), []);
        assert.strictEqual(
            judge(
                group([
                    { name: "slowlog-log-slower-than", value: U },
                    { name: "slowlog-max-len", value: "0" },
                ]),
            ).length,
            1,
        );
    });

    it("leaves Memcached groups alone (they have no slow log)", () => {
        assertViolations(judge(group([{ name: "slowlog-max-len", value: "0" }], { family: "memcached1.6" })), []);
    });

    it("judges a group found by Insights Discovery (an audit group runs no stack policy)", () => {
        const found = judge(
            group([{ name: "slowlog-log-slower-than", value: "-1" }]),
            {},
            "urn:insights:123456789012/us-east-1::aws::aws:elasticache/parameterGroup:ParameterGroup::phi-cache-params",
        );
        assert.strictEqual(found.length, 1, found.join("\n"));
    });
});

describe("Issue 18: the component refuses parameters that switch off a required log", () => {
    const refused = (parameters: Record<string, string>) => {
        try {
            resolveSettings("cache", { ...baseArgs, parameters });
        } catch (e) {
            assert.ok(e instanceof ValidationError, String(e));
            return e.problems;
        }
        return [];
    };

    it("names the argument, the parameter and the fix", () => {
        assert.deepStrictEqual(
            refused({ "slowlog-log-slower-than": "-1", "slowlog-max-len": "0", "acllog-max-len": "0" }),
            [
                "parameters.slowlog-log-slower-than: '-1': a negative threshold switches the slow log off, so no command is recorded or delivered; remove it (ElastiCache's default is 10000 microseconds).",
                "parameters.slowlog-max-len: '0': a length of 0 keeps no slow-log entry, so ElastiCache has nothing to deliver; remove it or set at least 128 (ElastiCache's default is 128).",
                "parameters.acllog-max-len: '0': a length of 0 switches the ACL log off, the engine's only record of denied commands and failed authentications; remove it (ElastiCache's default is 128).",
            ],
        );
    });

    it("refuses a threshold no command reaches, the Valkey 8.1 names and non-integers", () => {
        const problems = refused({
            "slowlog-log-slower-than": "86400000000",
            "commandlog-slow-execution-max-len": "0",
            "slowlog-max-len": "many",
        });
        assert.strictEqual(problems.length, 3, problems.join("\n"));
        assert.match(problems[0], /^parameters\.slowlog-log-slower-than: '86400000000': a threshold of/);
        assert.match(problems[1], /^parameters\.commandlog-slow-execution-max-len: '0'/);
        assert.match(
            problems[2],
            /^parameters\.slowlog-max-len: 'many': not an integer \(the slow log settings are integers\)/,
        );
    });

    it("accepts parameters that keep the logs on, and deploys them in its own parameter group", async () => {
        const parameters = {
            "slowlog-log-slower-than": "5000",
            "slowlog-max-len": "512",
            "maxmemory-policy": "noeviction",
        };
        assert.deepStrictEqual(refused(parameters), []);
        const result = await runComponent({ parameters });
        assert.deepStrictEqual(result.errors, []);
        const pg = one(result, recorded.parameterGroup);
        // Closes the loop: the component's own group passes the pack's policy.
        assertViolations(judge(pg.inputs as Record<string, unknown>), []);
        assert.ok(
            (pg.inputs.parameters as { name: string }[]).some((p) => p.name === "slowlog-max-len"),
            JSON.stringify(pg.inputs.parameters),
        );
    });

    it("takes no existing parameter group: parameterGroupName points to parameters", () => {
        assert.throws(
            () => resolveSettings("cache", { ...baseArgs, parameterGroupName: "legacy" } as any),
            /parameterGroupName.*parameters \(the component creates the cache's own parameter group\)/s,
        );
    });
});
