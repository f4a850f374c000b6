// Reading ElastiCache access strings (Redis ACL rules) the way the engine reads them: keywords are
// case-insensitive, rules apply left to right, and a rule can carry a password that must never be
// echoed. Shared by the component's validation, the policy pack and the report.
//
// Rules: https://redis.io/docs/latest/commands/acl-setuser/ ("nopass", "resetpass", ">password",
// "<password", "#hash", "!hash"); ElastiCache access strings use the same syntax, with limits
// (https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/Clusters.RBAC.html, "Specifying Permissions
// Using an Access String" and the limitations above it). Redis compares rule keywords with
// strcasecmp, so "NOPASS" is "nopass". The simulation below follows Redis 7.0's src/acl.c
// (ACLSetUser, ACLSetSelector, ACLMergeSelectorArguments) and is held to a real redis-server by
// test/acl.test.ts.
import { createHash } from "crypto";
import { redisCategories, redisCommands, redisNoAuthCommands } from "./redisCommands";

/** The rule prefixes whose remainder is a password or a password hash. */
const secretPrefixes = [">", "<", "#", "!"];

/**
 * Every character some splitter takes for a separator: JavaScript's `\s` (which includes the
 * no-break and other Unicode spaces), C's isspace (Redis's sdssplitargs), Python's str.split()
 * (which adds U+001C-U+001F and U+0085) and Go's unicode.IsSpace. ElastiCache documents "a list of
 * space-delimited rules" and not how it splits them, so a verdict must hold under each.
 */
const separator = /[\s\x1c-\x1f\x85\u180e]/;
const separators = /[\s\x1c-\x1f\x85\u180e]+/;

/** C's isspace() in the C locale, which Redis uses to refuse whitespace in key and channel patterns. */
const cSpace = /[ \t\n\v\f\r\0]/;

/**
 * ElastiCache's restricted commands ("Restricted commands",
 * https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/ClientConfig.RestrictedCommands.html): "to
 * deliver a managed service experience ... the following commands are unavailable". The RBAC page
 * adds "You can't use forbidden and renamed commands as part of the access string. If you specify a
 * forbidden or a renamed command, an exception will be thrown."
 */
export const elasticacheRestrictedCommands: readonly string[] = [
    "bgrewriteaof",
    "bgsave",
    "config",
    "debug",
    "migrate",
    "replicaof",
    "save",
    "slaveof",
    "shutdown",
    "sync",
];

/**
 * The commands an enabled user should not be granted unless the organization says otherwise (the
 * pack's `dangerousCommands` config, the component's `rbac.dangerousCommands`). Each is offered by
 * ElastiCache (none is restricted, see above: CONFIG, DEBUG and SHUTDOWN are left out because no
 * ElastiCache user can run them) and each reaches past the user's key patterns:
 * - `flushall`, `flushdb`: delete every key of every (or the current) database, whatever the user's
 *   key patterns; `swapdb` swaps two whole databases. Redis files all three under @dangerous, and
 *   `+@write` grants them.
 * - `keys`: lists every key name (names often carry identifiers) whatever the key patterns, and
 *   blocks the engine while it scans (Redis's @dangerous; `+@read` grants it).
 * - `monitor`: streams every command every client runs, with its arguments, that is other users'
 *   data (@admin, @dangerous).
 * - `client|kill`: ends other users' connections (@admin, @dangerous).
 */
export const defaultDangerousCommands: readonly string[] = [
    "flushall",
    "flushdb",
    "swapdb",
    "keys",
    "monitor",
    "client|kill",
];

// ---------------------------------------------------------------------------------------------
// Splitting

/**
 * Redis's sdssplitargs (src/sds.c), which Redis applies to the inside of a selector `( ... )` and to
 * inline commands and redis.conf lines: blanks separate arguments, and double or single quotes
 * group them (with `\xHH`, `\n`... escapes inside double quotes). Undefined on unbalanced quotes.
 */
export function splitArgs(line: string): string[] | undefined {
    const out: string[] = [];
    let p = 0;
    const at = (i: number) => (i < line.length ? line[i] : "\0");
    const isCSpace = (c: string) => c !== "\0" && /[ \t\n\v\f\r]/.test(c);
    for (;;) {
        while (p < line.length && isCSpace(line[p])) {
            p++;
        }
        if (p >= line.length) {
            return out;
        }
        let current = "";
        let inq = false;
        let insq = false;
        let done = false;
        while (!done) {
            const c = at(p);
            if (inq) {
                if (c === "\\" && at(p + 1) === "x" && /[0-9a-fA-F]/.test(at(p + 2)) && /[0-9a-fA-F]/.test(at(p + 3))) {
                    current += String.fromCharCode(parseInt(line.slice(p + 2, p + 4), 16));
                    p += 3;
                } else if (c === "\\" && p + 1 < line.length) {
                    p++;
                    const e = line[p];
                    current += ({ n: "\n", r: "\r", t: "\t", b: "\b", a: "\x07" } as Record<string, string>)[e] ?? e;
                } else if (c === '"') {
                    if (p + 1 < line.length && !isCSpace(line[p + 1])) {
                        return undefined;
                    }
                    done = true;
                } else if (p >= line.length) {
                    return undefined;
                } else {
                    current += c;
                }
            } else if (insq) {
                if (c === "\\" && at(p + 1) === "'") {
                    p++;
                    current += "'";
                } else if (c === "'") {
                    if (p + 1 < line.length && !isCSpace(line[p + 1])) {
                        return undefined;
                    }
                    done = true;
                } else if (p >= line.length) {
                    return undefined;
                } else {
                    current += c;
                }
            } else if (c === " " || c === "\n" || c === "\r" || c === "\t" || p >= line.length) {
                done = true;
            } else if (c === '"') {
                inq = true;
            } else if (c === "'") {
                insq = true;
            } else {
                current += c;
            }
            if (p < line.length) {
                p++;
            }
        }
        out.push(current);
    }
}

/** How an access string may be cut into ACL SETUSER arguments. */
export type Splitting = "spaces" | "whitespace" | "quoted";

/**
 * The arguments under each way ElastiCache may split the string: on spaces only, as the RBAC page
 * documents and as Redis's ACL file loader does; on any whitespace, as most clients do; or with
 * quotes, as sdssplitargs does (undefined when its quotes are unbalanced).
 */
export function splitAccessString(access: string, splitting: Splitting): string[] | undefined {
    switch (splitting) {
        case "spaces":
            return access.split(" ").filter((w) => w.length > 0);
        case "whitespace":
            return access.split(separators).filter((w) => w.length > 0);
        case "quoted":
            return splitArgs(access);
    }
}

/** True when every splitting reads the string alike: plain spaces between rules, no quotes. */
function splitsAlike(access: string): boolean {
    return !/[^\S ]|[\x1c-\x1f\x85\u180e"']/.test(access);
}

/**
 * ACLMergeSelectorArguments: an argument that opens a selector `(` without closing it is joined,
 * with single spaces, to the following ones up to one that ends with `)`.
 */
export function mergeSelectors(args: string[]): { rules: string[]; unmatched?: string } {
    const rules: string[] = [];
    let selector: string | undefined;
    let opening: string | undefined;
    for (const arg of args) {
        // An opening argument starts the selector afresh, even inside another one (Redis 7.0 drops
        // what it had gathered: `(~app:* (~* +get)` is the selector `(~* +get)`).
        if (arg.startsWith("(") && !arg.endsWith(")")) {
            selector = arg;
            opening = arg;
            continue;
        }
        if (selector !== undefined) {
            selector += ` ${arg}`;
            if (arg.endsWith(")")) {
                rules.push(selector);
                selector = undefined;
            }
            continue;
        }
        rules.push(arg);
    }
    return selector !== undefined ? { rules, unmatched: opening } : { rules };
}

/**
 * The access string's ACL SETUSER arguments under the finest splitting (any whitespace), as most
 * clients would send them (Redis itself joins the pieces of a selector, see mergeSelectors).
 */
export function accessRules(access: string): string[] {
    return typeof access === "string" ? splitAccessString(access, "whitespace")! : [];
}

// ---------------------------------------------------------------------------------------------
// Applying rules as ACL SETUSER does

/** Every command and subcommand the table knows, and each category's members. */
const allCommands = Object.keys(redisCommands);
const containers = new Set(allCommands.filter((c) => c.includes("|")).map((c) => c.split("|")[0]));
const noAuth = new Set(redisNoAuthCommands);
const categories = new Set(redisCategories);
const restricted = new Set(elasticacheRestrictedCommands);

/** ACLLookupCommand: a command, or `container|subcommand`, case-insensitive; undefined if unknown. */
function lookupCommand(name: string): string | undefined {
    const parts = name.toLowerCase().split("|");
    if (parts.length > 2 || parts[0] === "") {
        return undefined;
    }
    if (parts.length === 2 && !containers.has(parts[0])) {
        return undefined; // a command without subcommands takes no `|x` here
    }
    const found = parts.join("|");
    return found in redisCommands ? found : undefined;
}

/** A command with its subcommands, as ACLChangeSelectorPerm changes them together. */
function withSubcommands(command: string): string[] {
    return containers.has(command) ? [command, ...allCommands.filter((c) => c.startsWith(`${command}|`))] : [command];
}

/** One permission context: the user's root permissions or a selector. */
interface Context {
    /** Command -> the rule that granted it. */
    commands: Map<string, string>;
    /** Command -> first arguments allowed (`+select|0`) -> the rule that allowed each. */
    firstArgs: Map<string, Map<string, string>>;
    /** `~*` or `allkeys` (SELECTOR_FLAG_ALLKEYS). */
    allKeysFlag: boolean;
    patterns: Map<string, { read: boolean; write: boolean }>;
    allChannelsFlag: boolean;
    /** The selector's own text; undefined for the root permissions. */
    selector?: string;
}

const freshContext = (selector?: string): Context => ({
    commands: new Map(),
    firstArgs: new Map(),
    allKeysFlag: false,
    patterns: new Map(),
    allChannelsFlag: false,
    selector,
});

interface UserState {
    enabled: boolean;
    nopass: boolean;
    passwords: Set<string>;
    root: Context;
    selectors: Context[];
}

/** Why Redis refuses a rule (ACLSetUserStringError). */
const redisError = {
    syntax: "Syntax error",
    unknown: "Unknown command or category name in ACL",
    afterAllKeys: "a key pattern after '~*' or 'allkeys' (Redis refuses it; use 'resetkeys' first)",
    afterAllChannels: "a channel pattern after '&*' or 'allchannels' (Redis refuses it; use 'resetchannels' first)",
    noSuchPassword: "removes a password the user does not have",
    badHash: "a password hash must be exactly 64 lowercase hexadecimal characters",
    firstArgOfSubcommand: "allowing a first argument of a subcommand is not supported",
} as const;

type RedisError = (typeof redisError)[keyof typeof redisError];

const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");
const isHash = (text: string) => /^[0-9a-f]{64}$/.test(text);

/** ACLSetSelector: applies one rule to a context; the Redis error when it refuses it. */
function applyToContext(context: Context, rule: string): RedisError | undefined {
    const lower = rule.toLowerCase();
    const grant = (command: string, allow: boolean) => {
        for (const c of withSubcommands(command)) {
            if (allow) {
                context.commands.set(c, rule);
            } else {
                context.commands.delete(c);
            }
        }
        context.firstArgs.delete(command);
    };
    if (lower === "allkeys" || rule === "~*") {
        context.allKeysFlag = true;
        context.patterns.clear();
    } else if (lower === "resetkeys") {
        context.allKeysFlag = false;
        context.patterns.clear();
    } else if (lower === "allchannels" || rule === "&*") {
        context.allChannelsFlag = true;
    } else if (lower === "resetchannels") {
        context.allChannelsFlag = false;
    } else if (lower === "allcommands" || lower === "+@all") {
        for (const c of allCommands) {
            context.commands.set(c, rule);
        }
        context.firstArgs.clear();
    } else if (lower === "nocommands" || lower === "-@all") {
        context.commands.clear();
        context.firstArgs.clear();
    } else if (rule.startsWith("~") || rule.startsWith("%")) {
        if (context.allKeysFlag) {
            return redisError.afterAllKeys;
        }
        let read = false;
        let write = false;
        let offset = 1;
        if (rule.startsWith("%")) {
            for (; offset < rule.length; offset++) {
                const c = rule[offset].toUpperCase();
                if (c === "R" && !read) {
                    read = true;
                } else if (c === "W" && !write) {
                    write = true;
                } else if (rule[offset] === "~") {
                    offset++;
                    break;
                } else {
                    return redisError.syntax;
                }
            }
            if (!read && !write) {
                return redisError.syntax;
            }
        } else {
            read = write = true;
        }
        const pattern = rule.slice(offset);
        if (cSpace.test(pattern)) {
            return redisError.syntax;
        }
        const existing = context.patterns.get(pattern);
        context.patterns.set(pattern, { read: read || !!existing?.read, write: write || !!existing?.write });
    } else if (rule.startsWith("&")) {
        if (context.allChannelsFlag) {
            return redisError.afterAllChannels;
        }
        if (cSpace.test(rule.slice(1))) {
            return redisError.syntax;
        }
    } else if (rule.startsWith("+") && rule[1] !== "@") {
        const bar = rule.lastIndexOf("|");
        if (bar < 0) {
            const command = lookupCommand(rule.slice(1));
            if (!command) {
                return redisError.unknown;
            }
            grant(command, true);
            return undefined;
        }
        const base = lookupCommand(rule.slice(1, bar));
        const sub = rule.slice(bar + 1);
        if (!base) {
            return redisError.unknown;
        }
        if (base.includes("|")) {
            return redisError.firstArgOfSubcommand;
        }
        if (sub === "") {
            return redisError.syntax;
        }
        if (containers.has(base)) {
            const command = lookupCommand(rule.slice(1));
            if (!command) {
                return redisError.unknown;
            }
            grant(command, true);
        } else {
            const args = context.firstArgs.get(base) ?? new Map<string, string>();
            if (!args.has(sub.toLowerCase())) {
                args.set(sub.toLowerCase(), rule);
            }
            context.firstArgs.set(base, args);
        }
    } else if (rule.startsWith("-") && rule[1] !== "@") {
        const command = lookupCommand(rule.slice(1));
        if (!command) {
            return redisError.unknown;
        }
        grant(command, false);
    } else if ((rule.startsWith("+") || rule.startsWith("-")) && rule[1] === "@") {
        const category = lower.slice(2);
        if (!categories.has(category)) {
            return redisError.unknown;
        }
        // ACLSetSelectorCommandBitsForCategory: a container in the category changes with all of its
        // subcommands, and each subcommand in it changes on its own.
        for (const command of allCommands) {
            if (redisCommands[command].categories.includes(category)) {
                grant(command, rule.startsWith("+"));
            }
        }
    } else {
        return redisError.syntax;
    }
    return undefined;
}

/** One rule Redis refuses, or one outside what ElastiCache accepts. */
export interface RuleProblem {
    /** The rule at fault, with any password in it redacted. */
    rule: string;
    problem: string;
    fix: string;
    /** `redis`: ACL SETUSER refuses it; otherwise the documented ElastiCache limit it breaks. */
    kind: "redis" | "password" | "reset" | "restricted" | "separator";
}

/** ACLSetUser over every rule; a rule Redis refuses changes nothing and is reported. */
function applyRules(rules: string[]): { state: UserState; refused: { rule: string; error: RedisError }[] } {
    const state: UserState = {
        enabled: false,
        nopass: false,
        passwords: new Set(),
        root: freshContext(),
        selectors: [],
    };
    const refused: { rule: string; error: RedisError }[] = [];
    for (const rule of rules) {
        const lower = rule.toLowerCase();
        let error: RedisError | undefined;
        if (lower === "on" || lower === "off") {
            state.enabled = lower === "on";
        } else if (lower === "skip-sanitize-payload" || lower === "sanitize-payload") {
            // payload sanitizing of RESTORE: not a permission judged here
        } else if (lower === "nopass") {
            state.nopass = true;
            state.passwords.clear();
        } else if (lower === "resetpass") {
            state.nopass = false;
            state.passwords.clear();
        } else if (rule.startsWith(">") || rule.startsWith("#")) {
            const hash = rule.startsWith(">") ? sha256(rule.slice(1)) : rule.slice(1);
            if (!isHash(hash)) {
                error = redisError.badHash;
            } else {
                state.passwords.add(hash);
                state.nopass = false;
            }
        } else if (rule.startsWith("<") || rule.startsWith("!")) {
            const hash = rule.startsWith("<") ? sha256(rule.slice(1)) : rule.slice(1);
            if (!isHash(hash)) {
                error = redisError.badHash;
            } else if (!state.passwords.delete(hash)) {
                error = redisError.noSuchPassword;
            }
        } else if (rule.startsWith("(") && rule.endsWith(")") && rule.length > 1) {
            // aclCreateSelectorFromOpSet: the inside is split by sdssplitargs (an unbalanced quote
            // leaves no argument: an empty selector); one refused rule refuses the selector.
            const selector = freshContext(rule);
            for (const inner of splitArgs(rule.slice(1, -1)) ?? []) {
                error ??= applyToContext(selector, inner);
            }
            if (!error) {
                state.selectors.push(selector);
            }
        } else if (lower === "clearselectors") {
            state.selectors = [];
        } else if (lower === "reset") {
            state.enabled = false;
            state.nopass = false;
            state.passwords.clear();
            state.root = freshContext();
            state.selectors = [];
        } else {
            error = applyToContext(state.root, rule);
        }
        if (error) {
            refused.push({ rule, error });
        }
    }
    return { state, refused };
}

/** Applies the string's rules under one splitting; undefined when that splitting cannot read it. */
function interpret(access: string, splitting: Splitting) {
    const args = splitAccessString(access, splitting);
    if (args === undefined) {
        return undefined;
    }
    const { rules, unmatched } = mergeSelectors(args);
    const { state, refused } = applyRules(rules);
    return { rules, state, refused, unmatched, accepted: unmatched === undefined && refused.length === 0 };
}

/**
 * The user states the string can produce: one when every splitting reads it alike; otherwise each
 * splitting that Redis would accept (or, when none would, each that can be read at all), so that a
 * verdict taken over all of them is never safer than the one ElastiCache's splitting yields.
 */
function userStates(access: string): UserState[] {
    if (typeof access !== "string") {
        return [];
    }
    let states = recentStates.get(access);
    if (!states) {
        states = computeUserStates(access);
        if (recentStates.size >= 256) {
            recentStates.delete(recentStates.keys().next().value!);
        }
        recentStates.set(access, states);
    }
    return states;
}

/** The last strings judged: the pack's policies and the component judge one string several times. */
const recentStates = new Map<string, UserState[]>();

function computeUserStates(access: string): UserState[] {
    const splittings: Splitting[] = splitsAlike(access) ? ["spaces"] : ["spaces", "whitespace", "quoted"];
    const readings = splittings.map((s) => interpret(access, s)).filter((r) => r !== undefined);
    const accepted = readings.filter((r) => r.accepted);
    return (accepted.length > 0 ? accepted : readings).map((r) => r.state);
}

// ---------------------------------------------------------------------------------------------
// Verdicts

/** True when the user is left on (the last of `on`, `off` and `reset`), under any splitting. */
export function accessStringEnabled(access: string): boolean {
    return userStates(access).some((s) => s.enabled);
}

/**
 * True when a key pattern matches every key: only `*` and at most one `?` (`*`, `**`, `?*`), as
 * Redis's glob matching (stringmatchlen) reads them. A `?` needs one character: the empty key is
 * not counted.
 */
function matchesEveryKey(pattern: string): boolean {
    return /^[*?]+$/.test(pattern) && pattern.includes("*") && (pattern.match(/\?/g) ?? []).length <= 1;
}

function everyKey(context: Context, access: "read" | "write"): boolean {
    return context.allKeysFlag || [...context.patterns].some(([p, flags]) => flags[access] && matchesEveryKey(p));
}

/** What an access string grants once Redis has applied its rules, left to right. */
export interface AccessGrant {
    /** The last of `on`/`off`/`reset` leaves the user on. */
    enabled: boolean;
    /**
     * Every command and subcommand (of the Redis version core/redisCommands.ts was made from) can run
     * on every key, through the root permissions or a selector. Pub/sub channels are not judged.
     */
    everyCommandOnEveryKey: boolean;
}

/**
 * Applies the access string's rules in order, as Redis does: later rules undo earlier ones
 * (`+@all -flushall`, `~* resetkeys`), `reset` clears everything, selectors `( ... )` are further
 * contexts (`clearselectors` drops them), key patterns that match every key count as all keys
 * (`%RW~*`, `%R~* %W~*`, `~**`), categories are Redis's own (core/redisCommands.ts), and commands
 * flagged `no_auth` (AUTH, HELLO) run whatever the rules say.
 */
export function accessGrant(access: string): AccessGrant {
    const states = userStates(access);
    const everyCommandOnEveryKey = states.some((state) => {
        const contexts = [state.root, ...state.selectors];
        return allCommands.every(
            (command) =>
                noAuth.has(command) ||
                contexts.some(
                    (c) =>
                        c.commands.has(command) &&
                        (redisCommands[command].keyless || (everyKey(c, "read") && everyKey(c, "write"))),
                ),
        );
    });
    return { enabled: states.some((s) => s.enabled), everyCommandOnEveryKey };
}

/**
 * May the user run `command` (with `firstArgument` as its first argument, when given), through the
 * root permissions or a selector, under any splitting? Key patterns are not considered.
 */
export function commandAllowed(access: string, command: string, firstArgument?: string): boolean {
    const { commands, firstArgs } = permissions(access);
    return (
        noAuth.has(command) ||
        commands.has(command) ||
        (firstArgument !== undefined && !!firstArgs.get(command)?.has(firstArgument.toLowerCase()))
    );
}

/** The commands (and first arguments) any context of any reading allows. */
function permissions(access: string): { commands: Set<string>; firstArgs: Map<string, Set<string>> } {
    const states = userStates(access);
    const cached = summaries.get(states);
    if (cached) {
        return cached;
    }
    const commands = new Set<string>();
    const firstArgs = new Map<string, Set<string>>();
    for (const state of states) {
        for (const context of [state.root, ...state.selectors]) {
            context.commands.forEach((_, c) => commands.add(c));
            context.firstArgs.forEach((args, c) =>
                firstArgs.set(c, new Set([...(firstArgs.get(c) ?? []), ...args.keys()])),
            );
        }
    }
    const summary = { commands, firstArgs };
    summaries.set(states, summary);
    return summary;
}

const summaries = new WeakMap<UserState[], { commands: Set<string>; firstArgs: Map<string, Set<string>> }>();

/** One command an access string grants, and what granted it. */
export interface CommandGrant {
    /** `flushall`, `client|kill`. */
    command: string;
    /** Set when the command is allowed only with this first argument (`+flushall|async`). */
    firstArgument?: string;
    /** The rule that granted it (`+@read`, `allcommands`), or why it is always allowed. */
    grantedBy: string;
    /** The selector `( ... )` the rule sits in, if any. */
    selector?: string;
}

/**
 * Each command of `commands` (names from core/redisCommands.ts) that the user may run, through the
 * root permissions or a selector, with the rule that granted it: `-@all +@read` grants `keys`
 * through `+@read`. Key patterns are not considered: a command granted on some keys is granted.
 */
export function commandGrants(access: string, commands: Iterable<string>): CommandGrant[] {
    const wanted = [...new Set(commands)];
    const found = new Map<string, CommandGrant>();
    for (const state of userStates(access)) {
        for (const context of [state.root, ...state.selectors]) {
            for (const command of wanted) {
                if (found.has(command)) {
                    continue;
                }
                const by = context.commands.get(command);
                const firstArg = by ? undefined : [...(context.firstArgs.get(command) ?? [])][0];
                if (noAuth.has(command)) {
                    found.set(command, { command, grantedBy: "every user (Redis runs it without permission)" });
                } else if (by) {
                    found.set(command, { command, grantedBy: by, selector: context.selector });
                } else if (firstArg) {
                    found.set(command, {
                        command,
                        firstArgument: firstArg[0],
                        grantedBy: firstArg[1],
                        selector: context.selector,
                    });
                }
            }
        }
    }
    return wanted.filter((c) => found.has(c)).map((c) => found.get(c)!);
}

/**
 * The commands a dangerous-commands list names: a command (with its subcommands), one subcommand
 * (`client|kill`) or a category (`@dangerous`), less ElastiCache's restricted commands, which no
 * user can run there. `unknown` lists the entries Redis does not know.
 */
export function dangerousCommandSet(list: readonly string[]): { commands: string[]; unknown: string[] } {
    const commands = new Set<string>();
    const unknown: string[] = [];
    for (const entry of list) {
        const name = typeof entry === "string" ? entry.trim().toLowerCase() : "";
        let members: string[];
        if (name === "@all") {
            members = allCommands;
        } else if (name.startsWith("@")) {
            members = allCommands.filter((c) => redisCommands[c].categories.includes(name.slice(1)));
        } else {
            const command = lookupCommand(name);
            members = command ? withSubcommands(command) : [];
        }
        if (members.length === 0) {
            unknown.push(String(entry));
        }
        for (const m of members) {
            if (!restricted.has(m.split("|")[0])) {
                commands.add(m);
            }
        }
    }
    return { commands: [...commands].sort(), unknown };
}

/** "KEYS (through '+@read')", "FLUSHALL with first argument 'async' (through '+flushall|async' in '(~* ...)')". */
export function describeGrant(grant: CommandGrant): string {
    const name = grant.command.toUpperCase().replace("|", " ");
    const arg = grant.firstArgument !== undefined ? ` with first argument '${grant.firstArgument}'` : "";
    const where = grant.selector ? ` in selector '${redactAccessString(grant.selector)}'` : "";
    const by = grant.grantedBy.startsWith("every user") ? grant.grantedBy : `'${redactAccessString(grant.grantedBy)}'`;
    return `${name}${arg} (through ${by}${where})`;
}

/**
 * True when the rules, applied left to right, leave the user with no password required: a `nopass`
 * not followed by `resetpass`, `reset` or a new password (`>...`, `#...`), which each clear it.
 */
export function accessStringAllowsNoPassword(access: string): boolean {
    return userStates(access).some((s) => s.nopass);
}

// ---------------------------------------------------------------------------------------------
// Syntax: what Redis refuses, and what ElastiCache does not accept

/** How a rule is shown: redacted, with tabs and other unusual characters escaped. */
function showRule(rule: string): string {
    return redactAccessString(rule).replace(/[^\x21-\x7e ]/g, (c) =>
        c === "\t" ? "\\t" : c === "\n" ? "\\n" : `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
    );
}

/**
 * Why ACL SETUSER (Redis of core/redisCommands.ts) or ElastiCache would refuse the access string, one problem
 * per rule at fault, in order. ElastiCache's limits (Clusters.RBAC.html): "You can't specify
 * passwords in an access string", "You can't use the reset command as a part of an access string",
 * "You can't use forbidden and renamed commands" (its restricted commands), and rules are
 * "space-delimited", so any other whitespace, or a quote that a splitter might read, is refused
 * rather than guessed at.
 */
export function accessStringSyntaxProblems(access: string): RuleProblem[] {
    if (typeof access !== "string") {
        return [];
    }
    const problems: RuleProblem[] = [];
    const reading = interpret(access, "spaces")!;
    for (const rule of reading.rules) {
        const lower = rule.toLowerCase();
        const shown = `'${showRule(rule)}'`;
        if (/[^\S ]|[\x1c-\x1f\x85\u180e]/.test(rule)) {
            problems.push({
                rule: shown,
                problem:
                    "holds whitespace other than a plain space (a tab, line break or Unicode space), which splitters read differently: ElastiCache documents space-delimited rules",
                fix: "separate rules with plain spaces and keep whitespace out of rules",
                kind: "separator",
            });
        } else if (/["']/.test(rule)) {
            problems.push({
                rule: shown,
                problem:
                    "holds a quote, which Redis reads as grouping in selectors and configuration lines but not in ACL files",
                fix: "remove the quotes",
                kind: "separator",
            });
        }
        const inner = rule.startsWith("(") && rule.endsWith(")") ? (splitArgs(rule.slice(1, -1)) ?? []) : [rule];
        if (inner.some((r) => secretPrefixes.includes(r[0]))) {
            problems.push({
                rule: shown,
                problem:
                    "is a password rule (>, <, # or !): ElastiCache takes passwords from the user's passwords, not the access string",
                fix: "remove it and set passwords with authenticationMode (or let the component generate them)",
                kind: "password",
            });
        }
        if (lower === "reset") {
            problems.push({
                rule: shown,
                problem: "would remove the passwords ElastiCache manages, and ElastiCache refuses it",
                fix: "remove it; start the string with 'on' or 'off' and the permissions",
                kind: "reset",
            });
        }
        const named = inner
            .filter((r) => /^[+-][^@]/.test(r))
            .map((r) => r.slice(1).split("|")[0].toLowerCase())
            .filter((c) => restricted.has(c));
        if (named.length > 0) {
            problems.push({
                rule: shown,
                problem: `names ${[...new Set(named)].map((c) => c.toUpperCase()).join(", ")}, which ElastiCache restricts (no user can run it) and refuses in an access string`,
                fix: "remove the rule; categories such as -@dangerous may still cover it",
                kind: "restricted",
            });
        }
    }
    for (const { rule, error } of reading.refused) {
        if (!problems.some((p) => p.rule === `'${showRule(rule)}'` && p.kind !== "restricted")) {
            problems.push({
                rule: `'${showRule(rule)}'`,
                problem: `Redis refuses it: ${error}`,
                fix: "write it as ACL SETUSER expects (https://redis.io/docs/latest/commands/acl-setuser/)",
                kind: "redis",
            });
        }
    }
    if (reading.unmatched !== undefined) {
        problems.push({
            rule: `'${showRule(reading.unmatched)}'`,
            problem: "opens a selector '(' that no rule closes with ')'",
            fix: "close the selector, for example '(~app:* +@read)'",
            kind: "redis",
        });
    }
    return problems;
}

// ---------------------------------------------------------------------------------------------
// Secrets

/**
 * The stretches of the string that may be a password or hash under any splitting: from a `>`, `<`,
 * `#` or `!` that can start an argument (at the start, after any whitespace, after a selector's
 * `(`, or as the first character inside quotes) up to the next plain space outside quotes, which
 * is where the widest splitting (spaces only, or sdssplitargs with its quotes) ends it.
 */
function secretSpans(access: string): { start: number; end: number; prefix: string }[] {
    const spans: { start: number; end: number; prefix: string }[] = [];
    for (let i = 0; i < access.length; i++) {
        if (i > 0 && !separator.test(access[i - 1])) {
            continue;
        }
        let j = i;
        while (access[j] === "(") {
            j++;
        }
        let first = access[j];
        if (first === '"' || first === "'") {
            const next = access[j + 1];
            if (first === '"' && next === "\\") {
                const hex = /^x([0-9a-fA-F]{2})/.exec(access.slice(j + 2));
                first = hex ? String.fromCharCode(parseInt(hex[1], 16)) : access[j + 2];
            } else {
                first = next;
            }
        }
        if (first === undefined || !secretPrefixes.includes(first)) {
            continue;
        }
        // Up to the next space outside quotes; an unbalanced quote runs to the end.
        let end = j;
        let quote: string | undefined;
        for (; end < access.length; end++) {
            const c = access[end];
            if (quote) {
                if (c === "\\") {
                    end++;
                } else if (c === quote) {
                    quote = undefined;
                }
            } else if (c === '"' || c === "'") {
                quote = c;
            } else if (c === " ") {
                break;
            }
        }
        spans.push({ start: j, end: Math.min(end, access.length), prefix: first });
    }
    const merged: { start: number; end: number; prefix: string }[] = [];
    for (const span of spans.sort((a, b) => a.start - b.start)) {
        const last = merged[merged.length - 1];
        if (last && span.start <= last.end) {
            last.end = Math.max(last.end, span.end);
        } else {
            merged.push({ ...span });
        }
    }
    return merged;
}

/** True when any rule, under any splitting, carries a password or hash (which belongs in the user's passwords). */
export function accessStringHasSecret(access: string): boolean {
    return typeof access === "string" && secretSpans(access).some((span) => span.end - span.start > 1);
}

/**
 * The access string with every possible password and hash replaced by `>***` (`<***`, `#***`,
 * `!***`), however the string is split: safe for diagnostics, reports and errors.
 */
export function redactAccessString(access: string): string {
    if (typeof access !== "string") {
        return String(access);
    }
    let out = "";
    let at = 0;
    for (const { start, end, prefix } of secretSpans(access)) {
        out += access.slice(at, start) + `${prefix}***`;
        at = end;
    }
    return out + access.slice(at);
}
