// Reading ElastiCache access strings (Redis ACL rules) the way the engine reads them: keywords are
// case-insensitive, rules apply left to right, and a rule can carry a password that must never be
// echoed. Shared by the component's validation, the policy pack and the report.
//
// Rules: https://redis.io/docs/latest/commands/acl-setuser/ ("nopass", "resetpass", ">password",
// "<password", "#hash", "!hash"); ElastiCache access strings use the same syntax
// (https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/Clusters.RBAC.html, "Specifying Permissions
// Using an Access String"). Redis compares rule keywords with strcasecmp, so "NOPASS" is "nopass".

/** The rule prefixes whose remainder is a password or a password hash. */
const secretPrefixes = [">", "<", "#", "!"];

/** Splits an access string into its rules (whitespace-separated, as the engine does). */
export function accessRules(access: string): string[] {
    return typeof access === "string" ? access.split(/\s+/).filter((rule) => rule.length > 0) : [];
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
