// Reading ElastiCache access strings (Redis ACL rules) the way the engine reads them: keywords are
// case-insensitive, rules apply left to right, and a rule can carry a password that must never be
// echoed. Shared by the component's validation, the policy pack and the report.
//
// Rules: https://redis.io/docs/latest/commands/acl-setuser/ ("nopass", "resetpass", ">password",
// "<password", "#hash", "!hash"); ElastiCache access strings use the same syntax
// (https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/Clusters.RBAC.html, "Specifying Permissions
// Using an Access String"). Redis compares rule keywords with strcasecmp, so "NOPASS" is "nopass".

import { redisCommands } from "./redisCommands";

/** The rule prefixes whose remainder is a password or a password hash. */
const secretPrefixes = [">", "<", "#", "!"];

/**
 * Splits an access string into its rules: whitespace-separated, except that a Redis 7 selector,
 * `(` to `)`, is one rule whatever it holds (ACL SETUSER takes each selector as one argument,
 * https://redis.io/docs/latest/operate/oss_and_stack/management/security/acl/#selectors).
 */
export function accessRules(access: string): string[] {
    if (typeof access !== "string") {
        return [];
    }
    const rules: string[] = [];
    let selector: string[] | undefined;
    for (const word of access.split(/\s+/).filter((w) => w.length > 0)) {
        if (selector) {
            selector.push(word);
        } else if (word.startsWith("(")) {
            selector = [word];
        } else {
            rules.push(word);
        }
        if (selector && selector[selector.length - 1].endsWith(")")) {
            rules.push(selector.join(" "));
            selector = undefined;
        }
    }
    if (selector) {
        rules.push(selector.join(" "));
    }
    return rules;
}

/** True when an access string leaves the user enabled: the last of `on`, `off` and `reset` (which turns it off) is `on`. */
export function accessStringEnabled(access: string): boolean {
    let enabled = false;
    for (const rule of accessRules(access)) {
        const keyword = rule.toLowerCase();
        if (keyword === "on" || keyword === "off") {
            enabled = keyword === "on";
        } else if (keyword === "reset") {
            enabled = false;
        }
    }
    return enabled;
}

/** What one permission context (the user's root permissions, or a selector) grants. */
interface AclContext {
    commands: Set<string>;
    readAll: boolean;
    writeAll: boolean;
}

/** Every command and subcommand the table knows, and each category's members. */
const allCommands = Object.keys(redisCommands);
const byCategory = new Map<string, string[]>();
for (const [name, command] of Object.entries(redisCommands)) {
    for (const category of command.categories) {
        byCategory.set(category, [...(byCategory.get(category) ?? []), name]);
    }
}

/**
 * True when a key pattern matches every key: only `*` and at most one `?` (`*`, `**`, `?*`), as
 * Redis's glob matching (stringmatchlen) reads them. A `?` needs one character: the empty key is
 * not counted.
 */
function matchesEveryKey(pattern: string): boolean {
    return /^[*?]+$/.test(pattern) && pattern.includes("*") && (pattern.match(/\?/g) ?? []).length <= 1;
}

/** The commands a `+x`/`-x` rule names: a category, a command with its subcommands, or one subcommand. */
function namedCommands(name: string): string[] {
    const lower = name.toLowerCase();
    if (lower.startsWith("@")) {
        return lower === "@all" ? allCommands : (byCategory.get(lower.slice(1)) ?? []);
    }
    return allCommands.filter((c) => c === lower || c.startsWith(`${lower}|`));
}

/** Applies one rule to a context, as ACL SETUSER does (https://redis.io/docs/latest/commands/acl-setuser/). */
function applyToContext(context: AclContext, rule: string): void {
    const lower = rule.toLowerCase();
    if (lower === "allcommands") {
        applyToContext(context, "+@all");
    } else if (lower === "nocommands") {
        applyToContext(context, "-@all");
    } else if (lower === "allkeys") {
        context.readAll = context.writeAll = true;
    } else if (lower === "resetkeys") {
        context.readAll = context.writeAll = false;
    } else if (rule.startsWith("+") || rule.startsWith("-")) {
        for (const command of namedCommands(rule.slice(1))) {
            if (rule.startsWith("+")) {
                context.commands.add(command);
            } else {
                context.commands.delete(command);
            }
        }
    } else {
        const keys = /^(?:%([RW]{1,2}))?~(.*)$/i.exec(rule);
        if (keys && matchesEveryKey(keys[2])) {
            const flags = (keys[1] ?? "RW").toUpperCase();
            context.readAll ||= flags.includes("R");
            context.writeAll ||= flags.includes("W");
        }
    }
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
 * (`%RW~*`, `%R~* %W~*`, `~**`), and categories are Redis's own (core/redisCommands.ts).
 */
export function accessGrant(access: string): AccessGrant {
    const fresh = (): AclContext => ({ commands: new Set(), readAll: false, writeAll: false });
    let root = fresh();
    let selectors: AclContext[] = [];
    for (const rule of accessRules(access)) {
        const lower = rule.toLowerCase();
        if (lower === "on" || lower === "off") {
            continue; // accessStringEnabled
        } else if (lower === "reset") {
            root = fresh();
            selectors = [];
        } else if (lower === "clearselectors") {
            selectors = [];
        } else if (rule.startsWith("(") && rule.endsWith(")")) {
            const selector = fresh();
            for (const inner of rule
                .slice(1, -1)
                .split(/\s+/)
                .filter((w) => w.length > 0)) {
                applyToContext(selector, inner);
            }
            selectors.push(selector);
        } else {
            applyToContext(root, rule);
        }
    }
    const contexts = [root, ...selectors];
    const everyCommandOnEveryKey = allCommands.every((command) =>
        contexts.some((c) => c.commands.has(command) && (redisCommands[command].keyless || (c.readAll && c.writeAll))),
    );
    return { enabled: accessStringEnabled(access), everyCommandOnEveryKey };
}

/**
 * True when the rules, applied left to right, leave the user with no password required: a `nopass`
 * not followed by `resetpass` or a new password (`>...`, `#...`), which each clear it.
 */
export function accessStringAllowsNoPassword(access: string): boolean {
    let nopass = false;
    for (const rule of accessRules(access)) {
        const keyword = rule.toLowerCase();
        if (keyword === "nopass") {
            nopass = true;
        } else if (keyword === "resetpass" || keyword === "reset" || rule.startsWith(">") || rule.startsWith("#")) {
            nopass = false;
        }
    }
    return nopass;
}

/** True when any rule carries a password or hash (which belongs in the user's passwords, not here). */
export function accessStringHasSecret(access: string): boolean {
    return accessRules(access).some((rule) => secretPrefixes.includes(rule[0]) && rule.length > 1);
}

/** The access string with every password and hash replaced by `***`, safe for diagnostics and reports. */
export function redactAccessString(access: string): string {
    if (typeof access !== "string") {
        return String(access);
    }
    return access.replace(/(^|\s)([><#!])\S+/g, "$1$2***");
}
