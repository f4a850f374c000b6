// Facts about ElastiCache and the pure checks built on them, shared by the component (to refuse
// bad arguments) and the policy pack (to reject bad resources), so the two can never disagree.

import { admitsWholeInternet, isValidCidr } from "./cidr";
import {
    compareEngineVersions,
    EngineName,
    featureMinimumVersions,
    firstValkeyVersion,
    hipaaRedisFloor,
    nodeFamily,
    nodeTypeGeneration,
    parseEngineVersion,
    ParsedVersion,
    previousGenerationNodeFamilies as previousFamilies,
    versionAtLeast as atLeast,
} from "./engine";

// The version facts live in core/engine.ts; these names are kept for existing callers.
export type Engine = EngineName;

/** The oldest Redis engine AWS names as HIPAA-eligible; the guide recommends it as the floor. */
export const complianceEngineFloor = hipaaRedisFloor;
/** Valkey is HIPAA-eligible from its first ElastiCache release. */
export const valkeyEngineFloor = firstValkeyVersion;
export const defaultEngineVersions: Record<Engine, string> = { redis: "7.1", valkey: "8.0" };
/** Slow-log delivery needs Redis 6.0+, engine-log 6.2+; Valkey supports both (see core/engine.ts). */
export const slowLogMinimumVersion = featureMinimumVersions.slowLog.redis;
export const engineLogMinimumVersion = featureMinimumVersions.engineLog.redis;
/** `transitEncryptionMode` exists from Redis 7.0.5 (and on every Valkey). */
export const transitModeMinimumVersion = featureMinimumVersions.transitEncryptionMode.redis;
/** RBAC user groups need Redis 6.0+. */
export const rbacMinimumVersion = featureMinimumVersions.rbac.redis;

/** End of standard support per major Redis OSS version (AWS ElastiCache version lifecycle). */
export const redisStandardSupportEnds: readonly { readonly below: string; readonly ended: string }[] = [
    { below: "6.0", ended: "2026-01-31" },
    { below: "7.0", ended: "2027-01-31" },
];

export const defaultRedisPort = 6379;
export const maxBackupRetentionDays = 35;
/**
 * Six calendar years in days, the guide's archive period: 6 x 365 plus the leap days six years
 * can hold (one or two), so 2,192; 2,190 falls one or two days short of six years.
 */
export const sixYearsInDays = 6 * 365 + 2;
/**
 * A Region code as AWS writes them ("Regions and Zones", AWS General Reference,
 * https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-regions.html): `us-east-1`,
 * `us-gov-west-1`, `cn-north-1`. The audit CLI checks `--region` with the same form (tools/audit/cli.ts).
 */
export const regionCodePattern = /^[a-z]{2}(-[a-z]+)+-\d+$/;

/** The partition a Region code belongs to: `cn-*` is aws-cn, `us-gov-*` aws-us-gov, the others aws. */
export function regionPartition(region: string): string {
    return region.startsWith("cn-") ? "aws-cn" : region.startsWith("us-gov-") ? "aws-us-gov" : "aws";
}

/** ElastiCache accepts these non-alphanumeric characters in an AUTH token, and no others. */
export const authTokenSpecials = "!&#$^<>-";
export const authTokenMinLength = 16;
export const authTokenMaxLength = 128;
/** A token of only the characters ElastiCache accepts (letters, digits and `authTokenSpecials`). */
const authTokenCharacters = new RegExp(`^[A-Za-z0-9${authTokenSpecials.replace(/[\\\]^-]/g, "\\$&")}]*$`);

export type Version = ParsedVersion;

/** Parses "7.1", "4.0.10", "6.x" or "7.2.4"; returns undefined for anything else. */
export function parseVersion(text: string): Version | undefined {
    return parseEngineVersion(text);
}

/** Numeric, part-by-part comparison; "6.x" is the newest 6 (see core/engine.ts). */
export function compareVersions(a: Version, b: Version): number {
    return compareEngineVersions(a, b);
}

/** True when `version` is at least `minimum`; both as text. Unparseable versions are not. */
export function versionAtLeast(version: string, minimum: string): boolean {
    return atLeast(version, minimum);
}

/** The engine floor for an engine, overridable for Redis by an org's policy configuration. */
export function engineFloor(engine: Engine, redisFloor: string = complianceEngineFloor): string {
    return engine === "valkey" ? valkeyEngineFloor : redisFloor;
}

/** The parameter group family for an engine and version, e.g. redis 6.2 -> "redis6.x". */
export function parameterGroupFamily(engine: Engine, version: string): string {
    const parsed = parseVersion(version);
    if (!parsed) {
        throw new Error(`'${version}' is not an engine version.`);
    }
    const [major, minor = 0] = parsed.parts;
    if (engine === "valkey") {
        return `valkey${major}`;
    }
    if (major >= 7) {
        return `redis${major}`;
    }
    if (major === 6) {
        return "redis6.x";
    }
    return `redis${major}.${minor}`;
}

/** The date standard support ended or ends for a Redis version; undefined for current ones. */
export function redisStandardSupportEnd(version: string): string | undefined {
    const parsed = parseVersion(version);
    if (!parsed) {
        return undefined;
    }
    for (const entry of redisStandardSupportEnds) {
        // parseVersion keeps each text's answer, so the table's versions are parsed once.
        if (compareVersions(parsed, parseVersion(entry.below)!) < 0) {
            return entry.ended;
        }
    }
    return undefined;
}

/**
 * Why an AUTH token would be refused, or [] when it is acceptable. Never echoes the token: the
 * messages may end up in logs and reports.
 */
export function authTokenProblems(token: string): string[] {
    const lengthOk = token.length >= authTokenMinLength && token.length <= authTokenMaxLength;
    if (lengthOk && authTokenCharacters.test(token)) {
        return []; // the common case, in one pass: no character needs naming
    }
    const problems: string[] = [];
    if (!lengthOk) {
        problems.push(
            `must be ${authTokenMinLength} to ${authTokenMaxLength} characters long (it has ${token.length})`,
        );
    }
    const bad = new Set<string>();
    for (const ch of token) {
        if (!/[A-Za-z0-9]/.test(ch) && !authTokenSpecials.includes(ch)) {
            bad.add(/[\x20-\x7e]/.test(ch) ? ch : "a non-printable or non-ASCII character");
        }
    }
    if (bad.size > 0) {
        problems.push(
            `may contain only letters, digits and the characters ${authTokenSpecials.split("").join(" ")} ` +
                `(found ${[...bad].map((c) => (c.length === 1 ? `'${c}'` : c)).join(", ")})`,
        );
    }
    return problems;
}

/** How many of the four character types (upper, lower, digit, special) a token uses; AWS recommends three or more. */
export function authTokenCharacterTypes(token: string): number {
    let types = 0;
    for (const type of characterTypes) {
        if (type.test(token)) {
            types++;
        }
    }
    return types;
}

const characterTypes: readonly RegExp[] = [/[A-Z]/, /[a-z]/, /[0-9]/, /[^A-Za-z0-9]/];

/** Node families AWS lists as previous generation (T2 included); they are not HIPAA-eligible. */
export const previousGenerationNodeFamilies: readonly string[] = previousFamilies;

/** Why a node type is not acceptable, or undefined when it is not a previous-generation type. */
export function nodeTypeProblem(nodeType: string): string | undefined {
    if (nodeFamily(nodeType) === undefined) {
        return `'${nodeType}' is not an ElastiCache node type (expected the form cache.r7g.large)`;
    }
    if (nodeTypeGeneration(nodeType) === "previous") {
        return `'${nodeType}' is a previous-generation node type; use a current generation such as cache.r7g.large or cache.m7g.large`;
    }
    return undefined;
}

/** A block that admits every public IPv4 or IPv6 address (0.0.0.0/0, ::/0, 0.0.0.0/0 written otherwise). */
export function isInternetCidr(cidr: string): boolean {
    return admitsWholeInternet([cidr]);
}

/** A valid IPv4 or IPv6 CIDR block: an address `net.isIP` accepts and a prefix within its family's width. */
export function isCidr(cidr: string): boolean {
    return isValidCidr(cidr);
}

const days = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
const minutesPerDay = 24 * 60;
const minutesPerWeek = 7 * minutesPerDay;

/** A window as minute ranges in the week: [start, end) with end > start (may pass the week's end). */
export interface Window {
    readonly start: number;
    readonly length: number;
}

function clock(text: string): number | undefined {
    const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(text);
    return match ? Number(match[1]) * 60 + Number(match[2]) : undefined;
}

/** Parses a daily snapshot window "hh24:mi-hh24:mi" (UTC) into minutes of the day. */
export function parseSnapshotWindow(text: string): Window | undefined {
    const [from, to, extra] = text.split("-");
    const start = from === undefined ? undefined : clock(from);
    const end = to === undefined ? undefined : clock(to);
    if (start === undefined || end === undefined || extra !== undefined) {
        return undefined;
    }
    const length = (end - start + minutesPerDay) % minutesPerDay;
    return { start, length };
}

/** Parses a weekly maintenance window "ddd:hh24:mi-ddd:hh24:mi" (UTC) into minutes of the week. */
export function parseMaintenanceWindow(text: string): Window | undefined {
    const match = /^([a-z]{3}):(\d\d:\d\d)-([a-z]{3}):(\d\d:\d\d)$/.exec(text.toLowerCase());
    if (!match) {
        return undefined;
    }
    const startDay = days.indexOf(match[1]);
    const endDay = days.indexOf(match[3]);
    const startClock = clock(match[2]);
    const endClock = clock(match[4]);
    if (startDay < 0 || endDay < 0 || startClock === undefined || endClock === undefined) {
        return undefined;
    }
    const start = startDay * minutesPerDay + startClock;
    const end = endDay * minutesPerDay + endClock;
    return { start, length: (end - start + minutesPerWeek) % minutesPerWeek };
}

/** True when a daily snapshot window and a weekly maintenance window share any minute. */
export function windowsOverlap(snapshot: Window, maintenance: Window): boolean {
    for (let day = 0; day < 7; day++) {
        const a = day * minutesPerDay + snapshot.start;
        // Compare on a doubled week so that windows that wrap past Saturday midnight still meet.
        for (const shift of [-minutesPerWeek, 0, minutesPerWeek]) {
            const b = maintenance.start + shift;
            if (a < b + maintenance.length && b < a + snapshot.length) {
                return true;
            }
        }
    }
    return false;
}

export const minimumWindowMinutes = 60;
export const maximumMaintenanceWindowMinutes = 24 * 60;
