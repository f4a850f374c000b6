// Access strings judged by core/acl.ts against a real Redis: Debian's redis-server on a loopback
// port, started and stopped here. Each string of a generated corpus is given to ACL SETUSER, and
// Redis's own ACL GETUSER and ACL DRYRUN (https://redis.io/docs/latest/commands/acl-dryrun/) say
// whether the user is on and whether every command runs on any key. Our verdict may never call a
// string safer than Redis treats it.
import * as assert from "assert";
import { accessGrant, accessRules } from "../core/acl";
import { redisCommands, redisVersion } from "../core/redisCommands";
import { userDisallowBroadAccess } from "../policy-pack/src/policies/user";
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
function dryRunArgs(command: CommandInfo): string[] {
    const words = command.name.split("|");
    const count = Math.max(Math.abs(command.arity), words.length);
    return [...words, ...Array.from({ length: count - words.length }, () => "k")];
}

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

    it("core/redisCommands.ts is the server's own COMMAND INFO (names, keys, ACL categories)", () => {
        assert.strictEqual(server.version, redisVersion, "regenerate core/redisCommands.ts: npx ts-node test/redis.ts");
        assert.deepStrictEqual(
            Object.fromEntries(commands.map((c) => [c.name, { keyless: c.firstKey === 0, categories: c.categories }])),
            JSON.parse(JSON.stringify(redisCommands)),
        );
    });

    it("never calls a string safer than Redis does: on/off and every command on every key agree", async () => {
        const strings = corpus();
        const disagreements: string[] = [];
        let judged = 0;
        let broad = 0;
        for (const access of strings) {
            const rules = accessRules(access);
            const [set] = await server.pipeline([["ACL", "SETUSER", "probe", "reset", ...rules]]);
            if (isError(set)) {
                continue; // Redis refuses the string; the syntax check is a separate concern.
            }
            const replies = await server.pipeline([
                ["ACL", "GETUSER", "probe"],
                ...commands.map((c) => ["ACL", "DRYRUN", "probe", ...dryRunArgs(c)]),
            ]);
            const user = replies[0] as Reply[];
            const flags = user[user.indexOf("flags") + 1] as string[];
            const redisEnabled = flags.includes("on");
            // DRYRUN answers OK, or a text saying which command, key or channel is refused; an error
            // reply is about the arguments, not the permissions. Pub/sub channels (`&pattern`) are
            // another dimension than commands on keys, and not judged here.
            const redisBroad = !replies
                .slice(1)
                .some(
                    (r) => typeof r === "string" && r !== "OK" && !/ channel$/.test(r.replace(/'[^']*'/g, "").trim()),
                );
            const ours = accessGrant(access);
            judged++;
            broad += redisBroad ? 1 : 0;
            if (ours.enabled !== redisEnabled || ours.everyCommandOnEveryKey !== redisBroad) {
                disagreements.push(
                    `${JSON.stringify(access)}: Redis on=${redisEnabled} broad=${redisBroad}; ours on=${ours.enabled} broad=${ours.everyCommandOnEveryKey}`,
                );
            }
        }
        assert.deepStrictEqual(disagreements, []);
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
    });
});
