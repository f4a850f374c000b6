// What the replication group policies share: the engine with its provider default, what a
// secondary of a global datastore inherits, and the "must be true" reading of a flag.
import { engineKey } from "../../../../core/engine";
import { isMissing, isUnknown, knownBoolean, Plain, UNKNOWN } from "../../props";
import { types } from "../../types";

export const rg = [types.replicationGroup];

/**
 * The engine in lower case, as AWS reads it ("Redis" is redis: core/engine.ts `engineKey`);
 * missing means the provider default, redis. UNKNOWN stays UNKNOWN.
 */
export function engineOf(props: Plain): string | typeof UNKNOWN {
    const engine = props.engine;
    if (isUnknown(engine)) {
        return UNKNOWN;
    }
    return engineKey(engine) ?? "redis";
}

/**
 * True when the group is (or may be, while the ID is unknown) a secondary of a global datastore.
 * A secondary takes the datastore's settings: the GlobalReplicationGroup API object carries
 * Engine, EngineVersion, CacheNodeType, AtRestEncryptionEnabled, TransitEncryptionEnabled and
 * AuthTokenEnabled (https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_GlobalReplicationGroup.html),
 * and the provider refuses `nodeType` and `numNodeGroups` beside `globalReplicationGroupId`.
 */
export function isGlobalSecondary(props: Plain): boolean {
    const global = props.globalReplicationGroupId;
    return isUnknown(global) || (typeof global === "string" && global !== "");
}

/** The settings a secondary leaves to its global datastore, as property groups. */
export const inheritedSettings = {
    atRestEncryption: ["atRestEncryptionEnabled"],
    transitEncryption: ["transitEncryptionEnabled"],
    authentication: ["authToken", "authTokenWo", "userGroupIds"],
    engineVersion: ["engineVersion"],
} as const;
export type InheritedSetting = keyof typeof inheritedSettings;

/**
 * True when this group is a secondary that leaves `setting` to its datastore (every property of
 * the setting absent). Never for a discovered group: its read state carries the datastore's
 * values, and a flag absent from it is off (readState.ts). Only then may a resource policy skip it: a value the secondary sets itself
 * is checked like any other, and the stack policy `...-disallow-unchecked-global-secondary` makes
 * sure the datastore's own value is checked somewhere.
 */
export function inherits(props: Plain, setting: InheritedSetting, discovered = false): boolean {
    return (
        !discovered &&
        isGlobalSecondary(props) &&
        inheritedSettings[setting].every((property) => {
            const value = props[property];
            return isMissing(value) || (Array.isArray(value) && value.every(isMissing));
        })
    );
}

/** Flags a boolean that must be true; a missing value counts as false unless `missingIsTrue`. */
export function mustBeTrue(value: unknown, property: string, fix: string, missingIsTrue = false): string | undefined {
    if (isUnknown(value)) {
        return undefined;
    }
    if (isMissing(value)) {
        return missingIsTrue ? undefined : `${property} is not set, so it is off: ${fix}`;
    }
    return knownBoolean(value) === true ? undefined : `${property} is false: ${fix}`;
}

/** Entries of a list that name something: non-empty strings, or values unknown at preview. */
export function namedEntries(value: unknown): unknown[] {
    return Array.isArray(value) ? value.filter((v) => isUnknown(v) || (typeof v === "string" && v.trim() !== "")) : [];
}
