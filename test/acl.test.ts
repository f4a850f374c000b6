// Access strings judged by core/acl.ts against a real Redis: Debian's redis-server on a loopback
// port, started and stopped here. Each string of a generated corpus is given to ACL SETUSER, and
// Redis's own ACL GETUSER and ACL DRYRUN (https://redis.io/docs/latest/commands/acl-dryrun/) say
// whether the user is on and whether every command runs on any key. Our verdict may never call a
// string safer than Redis treats it.
import * as assert from "assert";
import { createHash } from "crypto";
import {
    accessGrant,
    accessRules,
    accessStringHasSecret,
    accessStringSyntaxProblems,
    commandAllowed,
    defaultDangerousCommands,
    elasticacheRestrictedCommands,
    redactAccessString,
    splitAccessString,
    splitArgs,
    Splitting,
} from "../core/acl";
import { redisCategories, redisCommands, redisNoAuthCommands, redisVersion } from "../core/redisCommands";
import {
    userDisallowBroadAccess,
    userDisallowDangerousCommands,
    userEnforceAccessStringSyntax,
} from "../policy-pack/src/policies/user";
import { violations } from "./policyHelpers";
import { CommandInfo, commandInfo, redisAvailable, RedisServer, Reply } from "./redis";

const isError = (r: Reply): r is { error: string } => typeof r === "object" && r !== null && "error" in r;

/** A small seeded generator, so the random part of the corpus is the same every run. */
function seeded(seed: number): () => number {
    let x = seed >>> 0;
    return () => {
        x ^= x << 13;
        x ^= x >>> 17;
        x ^= x << 5;
        return (x >>> 0) / 0x100000000;
    };
}

/** Realistic strings, the edge cases Redis reads its own way, and seeded combinations of rules. */
function corpus(): string[] {
    const realistic = [
        "on ~* +@all",
        "on ~app:* +@read +@write -@dangerous",
        "on ~* &* +@all",
        "on ~cache:* -@all +get +set +del +expire",
        "off ~* +@all",
        "on ~* +@read",
        "on allkeys allcommands",
        "on allkeys allchannels allcommands",
        "on ~sessions:* +@all -@dangerous",
        "on %R~* +@read",
    ];
    const edge = [
        "on %RW~* +@all",
        "on %R~* %W~* +@all",
        "on ~** +@all",
        "on ~?* +@all",
        "on ~* +@fast +@slow",
        "on (~* +@all)",
        "on ~app:* +@read (~* +@all)",
        "on ~* +@all -flushall",
        "on ~* resetkeys +@all",
        "on ~* +@all -config",
        "on ~* +@all -config|set",
        "on ~* -@all +@read +@write +@admin +@dangerous",
        "on ~* +@all (~app:* +@read) clearselectors",
        "on ~* +@all off on",
        "on ~* +@all reset on ~app:* +@read",
        "on ~* nocommands +@all",
        "on ~* allcommands -@all",
        "on %W~* %R~app:* +@all",
        "on ~??* +@all",
        "on ~*a* +@all",
        "ON ~* +@ALL",
        "on ~* +@all -@dangerous +flushall",
        // AUTH, HELLO, QUIT and RESET run whatever the rules say (COMMAND INFO flag no_auth).
        "on ~* +@all -auth",
        "on ~* +@all -auth -hello -quit -reset",
        // First arguments: FLUSHALL ASYNC only, SELECT 0 only.
        "on ~* -@all +flushall|async",
        "on ~* +@all -flushall +flushall|async",
        "on ~* +select|0 +get",
        "on ~app:* -@all +@read",
        "on ~app:* +@read +@write",
        "on ~app:* +@read +@write -@dangerous",
        "on ~app:* +@read -keys",
        "on ~app:* +get (~* +keys)",
        // An argument opening a selector restarts the one being gathered (Redis 7.0).
        "on ~app:* +get (~app:* (~* +@all)",
        "on ~* +@all -client|kill -monitor -@keyspace",
        "on ~* +@admin",
        "on ~* +client -client|kill",
        "on ~* +@all -@slow +config|get",
    ];
    const vocabulary = [
        "on",
        "off",
        "~*",
        "~**",
        "~?*",
        "%RW~*",
        "%R~*",
        "%W~*",
        "~app:*",
        "allkeys",
        "resetkeys",
        "+@all",
        "-@all",
        "allcommands",
        "nocommands",
        "+@read",
        "+@write",
        "+@fast",
        "+@slow",
        "-@dangerous",
        "+@dangerous",
        "-@admin",
        "-flushall",
        "+flushall",
        "+get",
        "-get",
        "+config|get",
        "-config",
        "-config|set",
        "+config",
        "reset",
        "(~* +@all)",
        "(~app:* +@read)",
        "(%R~* +@read)",
        "clearselectors",
        "&*",
        "allchannels",
        "resetchannels",
        "+flushall|async",
        "+keys",
        "-keys",
        "+@keyspace",
        "-@keyspace",
        "+client|kill",
        "-client",
        "+@admin",
        "-@write",
        "-auth",
        "+monitor",
        "(~* +flushdb)",
    ];
    const random = seeded(20261204);
    const generated: string[] = [];
    for (let i = 0; i < 360; i++) {
        // Half start from every command on every key, written one of several ways, then change it.
        const bases = [
            ["on"],
            ["on", "~*", "+@all"],
            ["on", "allkeys", "allcommands"],
            ["on", "%RW~*", "+@fast", "+@slow"],
        ];
        const rules = [...bases[i % 2 === 0 ? 0 : 1 + Math.floor(random() * 3)]];
        const n = 1 + Math.floor(random() * 4);
        for (let j = 0; j < n; j++) {
            rules.push(vocabulary[Math.floor(random() * vocabulary.length)]);
        }
        generated.push(rules.join(" "));
    }
    return [...new Set([...realistic, ...edge, ...generated])];
}

/**
 * ACL DRYRUN arguments for a command: its name (and subcommand), then `k` up to its arity. A
 * one-character key: a pattern must match it to count as every key (the empty key is not judged).
 */
function dryRunArgs(command: CommandInfo, firstArgument?: string): string[] {
    const words = command.name.split("|");
    const count = Math.max(Math.abs(command.arity), words.length + (firstArgument === undefined ? 0 : 1));
    const rest = Array.from({ length: count - words.length }, () => "k");
    if (firstArgument !== undefined) {
        rest[0] = firstArgument;
    }
    return [...words, ...rest];
}

/**
 * The first arguments a string allows by its text alone (`+flushall|async` gives flushall ->
 * async), so that DRYRUN probes them: read from the rules, not from core/acl.ts.
 */
function firstArgumentsNamed(access: string): Map<string, string[]> {
    const out = new Map<string, string[]>();
    for (const word of access.split(/[\s()]+/)) {
        const m = /^\+([^|@]+)\|([^|]+)$/.exec(word);
        if (m && !Object.keys(redisCommands).some((c) => c.startsWith(`${m[1].toLowerCase()}|`))) {
            out.set(m[1].toLowerCase(), [...(out.get(m[1].toLowerCase()) ?? []), m[2]]);
        }
    }
    return out;
}

/** DRYRUN's answer says the command itself is refused (not a key or channel). */
const refusesCommand = (reply: Reply) => typeof reply === "string" && / permissions to run the '/.test(reply);

describe(`Access strings against a real Redis (redis-server, table of Redis ${redisVersion})`, function () {
    this.timeout(120000);
    let server: RedisServer;
    let commands: CommandInfo[];

    before(async function () {
        assert.ok(
            redisAvailable(),
            "redis-server is not installed: `.ci/run` installs Debian's redis-server (apt-get install redis-server)",
        );
        server = await RedisServer.start();
        commands = await commandInfo(server);
    });
    after(() => server?.stop());

    it("core/redisCommands.ts is the server's own COMMAND INFO (names, keys, ACL categories)", async () => {
        assert.strictEqual(server.version, redisVersion, "regenerate core/redisCommands.ts: npx ts-node test/redis.ts");
        assert.deepStrictEqual(
            Object.fromEntries(commands.map((c) => [c.name, { keyless: c.firstKey === 0, categories: c.categories }])),
            JSON.parse(JSON.stringify(redisCommands)),
        );
        const [categories] = await server.pipeline([["ACL", "CAT"]]);
        assert.deepStrictEqual(categories, redisCategories);
        assert.deepStrictEqual(
            commands.filter((c) => c.flags.includes("no_auth")).map((c) => c.name),
            redisNoAuthCommands,
        );
    });

    it("never calls a string safer than Redis does: on/off, every command on every key and each command agree", async () => {
        const strings = corpus();
        const disagreements: string[] = [];
        const commandDisagreements: string[] = [];
        const dangerousDisagreements: string[] = [];
        const dangerous = new Set(defaultDangerousCommands);
        let judged = 0;
        let broad = 0;
        let dangerousStrings = 0;
        for (const access of strings) {
            const rules = accessRules(access);
            const [set] = await server.pipeline([["ACL", "SETUSER", "probe", "reset", ...rules]]);
            if (isError(set)) {
                continue; // Redis refuses the string: the syntax test below judges those.
            }
            const named = firstArgumentsNamed(access);
            const probes = commands.flatMap((c) => [
                { command: c.name, firstArgument: undefined as string | undefined, args: dryRunArgs(c) },
                ...(named.get(c.name) ?? []).map((arg) => ({
                    command: c.name,
                    firstArgument: arg,
                    args: dryRunArgs(c, arg),
                })),
            ]);
            const replies = await server.pipeline([
                ["ACL", "GETUSER", "probe"],
                ...probes.map((p) => ["ACL", "DRYRUN", "probe", ...p.args]),
            ]);
            const user = replies[0] as Reply[];
            const flags = user[user.indexOf("flags") + 1] as string[];
            const redisEnabled = flags.includes("on");
            const answers = replies.slice(1);
            // DRYRUN answers OK, or a text saying which command, key or channel is refused; an error
            // reply is about the arguments, not the permissions. Pub/sub channels (`&pattern`) are
            // another dimension than commands on keys, and not judged here.
            const redisBroad = !answers
                .slice(0, probes.length)
                .some(
                    (r, i) =>
                        probes[i].firstArgument === undefined &&
                        typeof r === "string" &&
                        r !== "OK" &&
                        !/ channel$/.test(r.replace(/'[^']*'/g, "").trim()),
                );
            const ours = accessGrant(access);
            judged++;
            broad += redisBroad ? 1 : 0;
            if (ours.enabled !== redisEnabled || ours.everyCommandOnEveryKey !== redisBroad) {
                disagreements.push(
                    `${JSON.stringify(access)}: Redis on=${redisEnabled} broad=${redisBroad}; ours on=${ours.enabled} broad=${ours.everyCommandOnEveryKey}`,
                );
            }
            // Each command (with each first argument the string names): may the user run it at all?
            // DRYRUN refuses "to run the 'x' command" only when no context allows the command.
            const redisGrantsDangerous = new Set<string>();
            probes.forEach((probe, i) => {
                const reply = answers[i];
                if (isError(reply)) {
                    return;
                }
                const redisAllows = !refusesCommand(reply);
                if (redisAllows && dangerous.has(probe.command)) {
                    redisGrantsDangerous.add(probe.command);
                }
                const oursAllows = commandAllowed(access, probe.command, probe.firstArgument ?? "k");
                if (redisAllows !== oursAllows) {
                    commandDisagreements.push(
                        `${JSON.stringify(access)} ${probe.args.join(" ")}: Redis ${redisAllows}, ours ${oursAllows}`,
                    );
                }
            });
            // The dangerous-commands policy flags exactly the enabled users Redis lets run one of them.
            const flagged =
                violations(userDisallowDangerousCommands, "aws:elasticache/user:User", { accessString: access })
                    .length > 0;
            const redisFlag = redisEnabled && redisGrantsDangerous.size > 0;
            dangerousStrings += redisFlag ? 1 : 0;
            if (flagged !== redisFlag) {
                dangerousDisagreements.push(
                    `${JSON.stringify(access)}: Redis grants ${[...redisGrantsDangerous].join(", ") || "none"} (on=${redisEnabled}); policy flagged=${flagged}`,
                );
            }
        }
        assert.deepStrictEqual(disagreements, []);
        assert.deepStrictEqual(commandDisagreements.slice(0, 20), []);
        assert.deepStrictEqual(
            dangerousDisagreements,
            [],
            "aws-elasticache-user-disallow-dangerous-commands disagrees",
        );
        // The pack's policy says what core/acl.ts says, string for string.
        const policyDisagrees = strings.filter((access) => {
            const grant = accessGrant(access);
            const flagged =
                violations(userDisallowBroadAccess, "aws:elasticache/user:User", { accessString: access }).length > 0;
            return flagged !== (grant.enabled && grant.everyCommandOnEveryKey);
        });
        assert.deepStrictEqual(policyDisagrees, [], "aws-elasticache-user-disallow-broad-access disagrees with Redis");
        assert.ok(judged > 300, `only ${judged} strings accepted by Redis`);
        assert.ok(broad > 30 && broad < judged - 30, `a corpus with ${broad} broad strings of ${judged} tests little`);
        assert.ok(
            dangerousStrings > 30 && dangerousStrings < judged - 30,
            `a corpus with ${dangerousStrings} dangerous strings of ${judged} tests little`,
        );
    });

    /**
     * Rules Redis refuses, and rules ElastiCache does not take: each bad rule alone, after valid
     * rules, and inside a selector, then seeded mixtures with valid rules.
     */
    function invalidCorpus(): string[] {
        const bad = [
            // unknown commands, subcommands and first arguments
            "+nosuchcommand",
            "-flushal",
            "+get|x|y",
            "-get|x",
            "+config|nosuch",
            "-client|nosuch",
            "+client|",
            "+flushall|",
            "+config|get|x",
            "+select|0|1",
            "+",
            "-",
            "+|get",
            // categories
            "+@bogus",
            "-@",
            "+@",
            "+@all|x",
            "+@read|x",
            "-@Readd",
            // key and channel patterns
            "%~*",
            "%",
            "%X~a",
            "%RR~a",
            "%RWR~a",
            "~* ~app:*",
            "allkeys %R~a",
            "&* &chan",
            "allchannels &x",
            // selectors
            "(~* +get",
            "(~*",
            "((~* +get)",
            "(~* +get))",
            "(on)",
            "(reset)",
            "(nopass)",
            "(clearselectors)",
            "(~* +nosuch)",
            "(~* +@all) x)",
            "(~* (+get))",
            ")",
            "x)",
            // stray words
            "foo",
            "onn",
            "of",
            "allkey",
            "nocommand",
            "all-commands",
            "~",
            "&",
            "1",
            // passwords (valid for Redis, refused by ElastiCache)
            ">Xk7-Vb2-Mn4",
            ">",
            "<Xk7-Vb2-Mn4",
            "#abc",
            `#${"ab".repeat(32)}`,
            `!${"ab".repeat(32)}`,
            "!abc",
            "(>Xk7)",
            // reset (valid for Redis, refused by ElastiCache)
            "reset",
            "RESET",
            // ElastiCache's restricted commands (valid for Redis)
            "+config",
            "-config",
            "+config|get",
            "-debug",
            "+shutdown|nosave",
            "-bgsave",
            "(~* -save)",
            // separators other than a space, and quotes
            "~a\tb",
            "\t+get",
            "~app\u00a0*",
            "+get\n+set",
            "'~*'",
            '"+@all"',
            "~it's",
        ];
        const valid = [
            "on",
            "off",
            "~app:*",
            "%R~*",
            "+@read",
            "-@all",
            "+get",
            "-@dangerous",
            "(~x:* +set)",
            "allkeys",
            "resetkeys",
        ];
        const out: string[] = [];
        for (const b of bad) {
            out.push(b, `on ~app:* +@read ${b}`, `${b} on ~app:* +get`, `on (~app:* ${b})`);
        }
        const random = seeded(18);
        for (let i = 0; i < 150; i++) {
            const words: string[] = [];
            for (let j = 0; j < 2 + Math.floor(random() * 4); j++) {
                words.push(
                    random() < 0.3
                        ? bad[Math.floor(random() * bad.length)]
                        : valid[Math.floor(random() * valid.length)],
                );
            }
            out.push(words.join(" "));
        }
        return [...new Set(out)];
    }

    /** What ElastiCache's pages leave out, read from the text by a test of its own (spaces split the rules). */
    function outsideElastiCache(access: string): string[] {
        const reasons: string[] = [];
        const restricted = new Set(elasticacheRestrictedCommands);
        for (const rule of access.split(" ").filter((w) => w.length > 0)) {
            if (/[^\S ]|["']/.test(rule)) {
                reasons.push("separator");
            }
            for (const word of rule.replace(/^\(|\)$/g, "").split(/\s+/)) {
                if (/^[><#!]/.test(word)) {
                    reasons.push("password");
                }
                if (word.toLowerCase() === "reset") {
                    reasons.push("reset");
                }
                if (/^[+-][^@]/.test(word) && restricted.has(word.slice(1).split("|")[0].toLowerCase())) {
                    reasons.push("restricted");
                }
            }
        }
        return [...new Set(reasons)].sort();
    }

    it("rejects every string Redis rejects, and otherwise only strings outside ElastiCache's documented subset", async () => {
        const strings = [...invalidCorpus(), ...corpus()];
        const missed: string[] = [];
        const wrong: string[] = [];
        let refusedByRedis = 0;
        let outside = 0;
        for (const access of strings) {
            // ElastiCache documents space-delimited rules: the string is sent split on spaces.
            const args = splitAccessString(access, "spaces")!;
            const [set] = await server.pipeline([["ACL", "SETUSER", "probe", "reset", ...args]]);
            const problems = accessStringSyntaxProblems(access);
            const policy = violations(userEnforceAccessStringSyntax, "aws:elasticache/user:User", {
                accessString: access,
            });
            assert.strictEqual(
                policy.length,
                problems.length,
                `${JSON.stringify(access)}: the policy reports what core/acl.ts finds`,
            );
            if (isError(set)) {
                refusedByRedis++;
                if (problems.length === 0) {
                    missed.push(`${JSON.stringify(access)}: Redis says ${set.error}; we find nothing`);
                }
                continue;
            }
            const expected = outsideElastiCache(access);
            const kinds = [...new Set(problems.map((p) => p.kind))].sort();
            outside += expected.length > 0 ? 1 : 0;
            if (kinds.includes("redis") || JSON.stringify(kinds) !== JSON.stringify(expected)) {
                wrong.push(
                    `${JSON.stringify(access)}: Redis accepts it; expected ${expected.join(",") || "nothing"}, we say ${problems.map((p) => `${p.kind} ${p.rule}`).join("; ") || "nothing"}`,
                );
            }
        }
        assert.deepStrictEqual(missed, [], "strings Redis refuses that we accept");
        assert.deepStrictEqual(wrong, [], "strings Redis accepts that we judge otherwise than ElastiCache's pages");
        assert.ok(refusedByRedis > 300, `only ${refusedByRedis} strings refused by Redis`);
        assert.ok(outside > 50, `only ${outside} strings outside ElastiCache's subset`);
    });

    it("whitespace inside a password: detected and redacted whether the string is split on spaces, on any whitespace, or by Redis's own sdssplitargs", async () => {
        // Passwords of distinctive pieces, joined by a tab, a no-break space, an em space, an
        // ideographic space, a vertical tab, a line separator, or quoted with a plain space.
        const joins = ["\t", "\u00a0", "\u2003", "\u3000", "\v", "\f", "\u2028", "\u0085", "\u001f"];
        const strings = [
            ...joins.map((j) => `on >Xk7${j}Vb2${j}Mn4 ~app:* +get`),
            ...joins.map((j) => `on ~app:* +get <Xk7${j}Vb2 >Qz8${j}Wp3`),
            ...joins.map((j) => `on${j}>Xk7${j}Vb2 ~app:*`),
            `on ">Xk7 Vb2 Mn4" ~app:* +get`,
            `on '>Xk7 Vb2' ~app:*`,
            `on ">Xk7\\x20Vb2" ~app:*`,
            `on "\\x3eXk7 Vb2" ~app:*`,
            `on >Xk7"Vb2 Mn4" ~app:*`,
            `on >Xk7 (~app:* +get)`,
            `on (>Xk7 Vb2) ~app:*`,
            `on ~app:* #${"ab".repeat(32)}`,
        ];
        const sha256 = (t: string) => createHash("sha256").update(t, "utf8").digest("hex");
        const leaks: string[] = [];
        const unexplained: string[] = [];
        let stored = 0;
        for (const access of strings) {
            const redacted = redactAccessString(access);
            const readings: { splitting: Splitting; reply: Reply; args?: string[] }[] = [];
            for (const splitting of ["spaces", "whitespace"] as Splitting[]) {
                const args = splitAccessString(access, splitting)!;
                const [reply] = await server.pipeline([["ACL", "SETUSER", "probe", "reset", ...args]]);
                readings.push({ splitting, reply, args });
            }
            if (!/[\r\n\u2028\u0085]/.test(access)) {
                // Inline: Redis splits the line itself (sdssplitargs, quotes and escapes included).
                readings.push({
                    splitting: "quoted",
                    reply: await server.inline(`ACL SETUSER probe reset ${access}`),
                    args: splitArgs(access),
                });
            }
            for (const { splitting, reply, args } of readings) {
                if (isError(reply)) {
                    continue;
                }
                const [user] = await server.pipeline([["ACL", "GETUSER", "probe"]]);
                const hashes = (user as Reply[])[(user as Reply[]).indexOf("passwords") + 1] as string[];
                // Each password Redis stored, in plain text: a '>' argument whose hash Redis holds.
                const plain = (args ?? []).filter((a) => a.startsWith(">")).map((a) => a.slice(1));
                for (const hash of hashes) {
                    const text = plain.find((p) => sha256(p) === hash) ?? (access.includes(hash) ? hash : undefined);
                    if (text === undefined) {
                        unexplained.push(`${JSON.stringify(access)} (${splitting}): a password we cannot name`);
                        continue;
                    }
                    stored++;
                    if (!accessStringHasSecret(access)) {
                        leaks.push(`${JSON.stringify(access)} (${splitting}): not detected`);
                    }
                    // No piece of three characters or more of the password survives redaction.
                    for (let i = 0; i + 3 <= text.length; i++) {
                        const piece = text.slice(i, i + 3);
                        if (/\S{3}/.test(piece) && redacted.includes(piece)) {
                            leaks.push(
                                `${JSON.stringify(access)} (${splitting}): '${piece}' of the password shows in ${JSON.stringify(redacted)}`,
                            );
                        }
                    }
                }
            }
        }
        assert.deepStrictEqual(unexplained, []);
        assert.deepStrictEqual(leaks, []);
        assert.ok(stored > 25, `Redis stored only ${stored} passwords: the test tests little`);
    });
});
