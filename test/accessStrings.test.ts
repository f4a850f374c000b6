// Issue 18, access strings without a server: the dangerous-commands and syntax judgements of the
// pack and the component, their config, their messages, and redaction wherever a string is shown.
// test/acl.test.ts holds the same judgements to a real redis-server.
import * as assert from "assert";
import {
    accessStringSyntaxProblems,
    commandGrants,
    dangerousCommandSet,
    defaultDangerousCommands,
    redactAccessString,
} from "../core/acl";
import { HitrustRedisArgs, resolveSettings, ValidationError } from "../component";
import {
    userDisallowDangerousCommands,
    userEnforceAccessStringSyntax,
    userEnforcePasswordRequired,
} from "../policy-pack/src/policies/user";
import { displayValue } from "../tools/report";
import { baseArgs } from "./helpers";
import { U, violations } from "./policyHelpers";

const user = "aws:elasticache/user:User";
const dangerous = (accessString: unknown, config: Record<string, unknown> = {}) =>
    violations(userDisallowDangerousCommands, user, { accessString }, config);
const syntax = (accessString: unknown) => violations(userEnforceAccessStringSyntax, user, { accessString });

/** The component's problems for one RBAC user (resolveSettings refuses before anything is created). */
function componentProblems(accessString: string, dangerousCommands?: unknown): string[] {
    try {
        resolveSettings("cache", {
            ...baseArgs,
            rbac: { users: [{ userName: "app", accessString }], ...(dangerousCommands ? { dangerousCommands } : {}) },
        } as HitrustRedisArgs);
        return [];
    } catch (e) {
        assert.ok(e instanceof ValidationError, String(e));
        return e.problems;
    }
}

describe("aws-elasticache-user-disallow-dangerous-commands", () => {
    it("names the command and the category that granted it: -@all +@read still allows KEYS", () => {
        assert.deepStrictEqual(dangerous("on ~app:* -@all +@read"), [
            "the access string 'on ~app:* -@all +@read' grants KEYS (through '+@read'): take them away (for example -@dangerous, or -keys after the rule that grants it).",
        ]);
    });

    it("follows rule order, selectors and first arguments", () => {
        assert.deepStrictEqual(dangerous("on ~app:* +@read -keys"), []);
        assert.deepStrictEqual(dangerous("on ~app:* +@read +@write -@dangerous"), []);
        assert.match(
            dangerous("on ~app:* +@read -keys (~* +flushdb)")[0],
            /FLUSHDB \(through '\+flushdb' in selector '\(~\* \+flushdb\)'\)/,
        );
        assert.match(
            dangerous("on ~* -@all +flushall|async")[0],
            /FLUSHALL with first argument 'async' \(through '\+flushall\|async'\)/,
        );
        assert.match(
            dangerous("on ~app:* +@write")[0],
            /FLUSHALL \(through '\+@write'\), FLUSHDB \(through '\+@write'\), SWAPDB/,
        );
        assert.match(dangerous("on ~* +@all")[0], /CLIENT KILL .*KEYS .*MONITOR/);
    });

    it("leaves disabled users and unknown strings alone", () => {
        assert.deepStrictEqual(dangerous("off ~* +@all"), []);
        assert.deepStrictEqual(dangerous("on ~* +@all off"), []);
        assert.deepStrictEqual(dangerous(U), []);
    });

    it("takes the organization's list from config: commands, subcommands and categories", () => {
        assert.deepStrictEqual(dangerous("on ~app:* -@all +@read", { dangerousCommands: ["flushall"] }), []);
        assert.match(
            dangerous("on ~app:* +get +client|list", { dangerousCommands: ["@admin"] })[0],
            /CLIENT LIST \(through '\+client\|list'\)/,
        );
        assert.match(dangerous("on ~app:* +@read", { dangerousCommands: ["SCAN"] })[0], /SCAN \(through '\+@read'\)/);
        assert.deepStrictEqual(dangerous("on ~* +@all", { dangerousCommands: [] }), []);
        assert.deepStrictEqual(dangerous("on ~app:* +get", { dangerousCommands: ["flushal"] }), [
            "the policy's dangerousCommands config names 'flushal', which Redis does not know: name commands, subcommands (client|kill) or categories (@dangerous).",
        ]);
    });

    it("skips ElastiCache's restricted commands, which no user can run there", () => {
        assert.deepStrictEqual(dangerousCommandSet(["config", "debug", "shutdown"]), { commands: [], unknown: [] });
        assert.ok(!dangerousCommandSet(["@dangerous"]).commands.includes("debug"));
        assert.ok(dangerousCommandSet(["@dangerous"]).commands.includes("flushall"));
    });

    it("has a default every entry of which Redis knows and ElastiCache offers", () => {
        assert.deepStrictEqual(dangerousCommandSet(defaultDangerousCommands), {
            commands: ["client|kill", "flushall", "flushdb", "keys", "monitor", "swapdb"],
            unknown: [],
        });
        assert.deepStrictEqual(userDisallowDangerousCommands.config!.dangerousCommands.default, [
            ...defaultDangerousCommands,
        ]);
        assert.strictEqual(userDisallowDangerousCommands.enforcementLevel, "mandatory");
    });

    it("counts AUTH and HELLO as granted to everyone (Redis runs them whatever the rules say)", () => {
        assert.deepStrictEqual(
            commandGrants("on -@all", ["auth", "get"]).map((g) => g.command),
            ["auth"],
        );
    });
});

describe("aws-elasticache-user-enforce-access-string-syntax", () => {
    const cases: [string, RegExp][] = [
        ["on ~* +@all reset", /rule 'reset' would remove the passwords ElastiCache manages/],
        ["on -config +get", /rule '-config' names CONFIG, which ElastiCache restricts/],
        ["on ~* +nosuchcommand", /rule '\+nosuchcommand' Redis refuses it: Unknown command or category name in ACL/],
        ["on ~* +@bogus", /rule '\+@bogus' Redis refuses it/],
        ["on ~* ~app:*", /rule '~app:\*' Redis refuses it: a key pattern after '~\*'/],
        ["on (~* +get", /rule '\(~\*' opens a selector/],
        ["on (~* +get)) +set", /rule '\(~\* \+get\)\)' Redis refuses it/],
        ["on\t~* +get", /rule 'on\\t~\*' holds whitespace other than a plain space/],
        ["on '~*' +get", /rule ''~\*'' holds a quote/],
        ["on >S3cret-Passw0rd ~*", /rule '>\*\*\*' is a password rule/],
    ];
    for (const [access, message] of cases) {
        it(`names the rule at fault in ${JSON.stringify(access)}`, () => {
            const found = syntax(access);
            assert.ok(
                found.some((m) => message.test(m)),
                found.join("\n"),
            );
            assert.ok(!found.join(" ").includes("S3cret"), "a password leaked");
        });
    }

    it("accepts what Redis and ElastiCache accept", () => {
        for (const access of [
            "on ~app:* +@read -@dangerous",
            "off -@all",
            "on %R~app:* &* +@read (~x:* +set) clearselectors",
            "on ~* +select|0 nopass resetpass",
        ]) {
            assert.deepStrictEqual(syntax(access), [], access);
        }
        assert.deepStrictEqual(syntax(U), []);
        assert.strictEqual(userEnforceAccessStringSyntax.enforcementLevel, "mandatory");
    });
});

describe("The component judges access strings as the pack does", () => {
    it("refuses a dangerous grant, naming the argument, the command and the rule", () => {
        assert.deepStrictEqual(componentProblems("on ~app:* -@all +@read"), [
            "rbac.users[0].accessString: grants KEYS (through '+@read'), listed in rbac.dangerousCommands; take them away after the rule that grants them (for example -@dangerous, or -keys), or leave them out of rbac.dangerousCommands.",
        ]);
        assert.deepStrictEqual(componentProblems("on ~app:* +@read -@dangerous"), []);
    });

    it("takes rbac.dangerousCommands instead of the default, and refuses names Redis does not know", () => {
        assert.deepStrictEqual(componentProblems("on ~app:* -@all +@read", ["flushall"]), []);
        assert.match(componentProblems("on ~app:* +get +info", ["info"])[0], /grants INFO \(through '\+info'\)/);
        assert.deepStrictEqual(componentProblems("on ~app:* +get", ["flushal", "@nope"]), [
            "rbac.dangerousCommands: names 'flushal', '@nope', which Redis does not know; name commands ('flushall'), subcommands ('client|kill') or categories ('@dangerous').",
        ]);
    });

    it("refuses what Redis or ElastiCache would refuse at deploy, naming the rule", () => {
        assert.deepStrictEqual(componentProblems("on ~app:* +get reset"), [
            "rbac.users[0].accessString: rule 'reset' would remove the passwords ElastiCache manages, and ElastiCache refuses it; remove it; start the string with 'on' or 'off' and the permissions.",
        ]);
        assert.match(componentProblems("on ~app:* +gett")[0], /rule '\+gett' Redis refuses it: Unknown command/);
        assert.match(
            componentProblems("on ~app:* -debug +get")[0],
            /rule '-debug' names DEBUG, which ElastiCache restricts/,
        );
        assert.match(componentProblems("on ~app:*\t+get")[0], /holds whitespace other than a plain space/);
    });

    it("agrees with the pack on every string the pack judges", () => {
        const strings = [
            "on ~app:* -@all +@read",
            "on ~app:* +@read -@dangerous",
            "on ~* +@all",
            "on ~app:* +gett",
            "on ~app:* +get reset",
            "on ~* -@all +flushall|async",
            "on ~app:* +get (~* +keys)",
            "off ~* +@all",
        ];
        for (const access of strings) {
            const pack =
                syntax(access).length +
                dangerous(access).length +
                violations(userEnforcePasswordRequired, user, { accessString: access }).length;
            assert.strictEqual(componentProblems(access).length > 0, pack > 0, access);
        }
    });
});

describe("Redaction: no fragment of a password, whatever splits the string", () => {
    const cases: [string, string][] = [
        ["on >Xk7\tVb2 ~app:*", "on >*** ~app:*"],
        ["on >Xk7\u00a0Vb2\u2003Mn4 ~app:* +get", "on >*** ~app:* +get"],
        ["on\t>Xk7\tVb2 ~app:*", "on\t>*** ~app:*"],
        ['on ">Xk7 Vb2" ~app:*', "on >*** ~app:*"],
        ["on '>Xk7 Vb2' ~app:*", "on >*** ~app:*"],
        ['on "\\x3eXk7 Vb2" ~app:*', "on >*** ~app:*"],
        ['on >Xk7"Vb2 Mn4" ~app:*', "on >*** ~app:*"],
        ["on (>Xk7 Vb2) ~app:*", "on (>*** Vb2) ~app:*"],
        ["on >s3cret <old-secret #5e884898da28 !5e88 ~app:* +@read", "on >*** <*** #*** !*** ~app:* +@read"],
    ];
    for (const [access, expected] of cases) {
        it(JSON.stringify(access), () => {
            assert.strictEqual(redactAccessString(access), expected);
        });
    }

    it("in rule names of syntax problems and in the report's evidence", () => {
        const access = "on >Xk7\u00a0Vb2 ~app:*";
        assert.ok(!JSON.stringify(accessStringSyntaxProblems(access)).includes("Vb2"));
        assert.strictEqual(displayValue("accessString", access), "on >*** ~app:*");
    });
});
