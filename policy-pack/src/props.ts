// Reading resource properties without giving up on the first unknown value. The SDK hands
// policies a proxy that throws on a value unknown during preview; a policy that let it throw
// would miss every known defect beside it. We copy the properties once per request, marking
// each unknown: from the object behind the proxy when the SDK exposes it (reading through the
// proxy costs a trap, a path array and a new proxy per property), else through the proxy.
import { UnknownValueError } from "@pulumi/policy";
import { proxyTargetKey, unknownSentinels } from "./sdk";

/** A value that cannot be known until the update runs (preview). */
export const UNKNOWN: unique symbol = Symbol("unknown during preview");
export type Unknown = typeof UNKNOWN;
export type Plain = { readonly [key: string]: unknown };

export function isUnknown(value: unknown): value is Unknown {
    return value === UNKNOWN;
}

/** Plain copies by the object they were made from: one copy per request for all policies. */
const copies = new WeakMap<object, Plain>();

/** A copy of the SDK's property proxy in which unknown values are `UNKNOWN`. */
export function toPlain(props: unknown): Plain {
    if (props === null || typeof props !== "object") {
        return {};
    }
    // Every policy of a request asks with the same proxy: answered without the proxy's trap.
    if (props === lastProxy) {
        return lastCopy!;
    }
    const target = (props as any)[proxyTargetKey];
    if (target !== null && typeof target === "object" && target !== props) {
        let found = copies.get(target);
        if (found === undefined) {
            found = copyRaw(target) as Plain;
            copies.set(target, found);
        }
        lastProxy = props;
        lastCopy = found;
        return found;
    }
    return copy(props) as Plain;
}

/** The proxy last copied from its target, and the copy (`copies` holds it too). */
let lastProxy: unknown;
let lastCopy: Plain | undefined;

/** Copies a deserialized value, turning the SDK's unknown sentinels into `UNKNOWN`. */
function copyRaw(value: unknown): unknown {
    if (unknownSentinels.has(value)) {
        return UNKNOWN;
    }
    if (Array.isArray(value)) {
        return value.map(copyRaw);
    }
    if (value !== null && typeof value === "object") {
        const out: Record<string, unknown> = {};
        for (const key of Object.keys(value)) {
            out[key] = copyRaw((value as any)[key]);
        }
        return out;
    }
    return value;
}

function read(container: any, key: string | number): unknown {
    try {
        return copy(container[key]);
    } catch (e) {
        if (e instanceof UnknownValueError) {
            return UNKNOWN;
        }
        throw e;
    }
}

function copy(value: unknown): unknown {
    if (Array.isArray(value)) {
        // Reading .length of the proxy is safe; each element may be unknown.
        return Array.from({ length: value.length }, (_, i) => read(value, i));
    }
    if (value !== null && typeof value === "object") {
        const out: Record<string, unknown> = {};
        for (const key of Object.keys(value)) {
            out[key] = read(value, key);
        }
        return out;
    }
    return value;
}

/** The value at a path, `UNKNOWN` if the path crosses an unknown value, undefined if absent. */
export function at(props: Plain, ...path: (string | number)[]): unknown {
    let current: unknown = props;
    for (const key of path) {
        if (isUnknown(current)) {
            return UNKNOWN;
        }
        if (current === null || typeof current !== "object") {
            return undefined;
        }
        current = (current as any)[key];
    }
    return current;
}

/** True when the value or anything inside it is unknown. */
export function hasUnknown(value: unknown): boolean {
    if (isUnknown(value)) {
        return true;
    }
    if (Array.isArray(value)) {
        return value.some(hasUnknown);
    }
    if (value !== null && typeof value === "object") {
        return Object.values(value).some(hasUnknown);
    }
    return false;
}

/** A known string, or undefined when absent, unknown or not a string. */
export function knownString(value: unknown): string | undefined {
    return typeof value === "string" ? value : undefined;
}

/** A known number (numbers may arrive as numeric strings from some programs), else undefined. */
export function knownNumber(value: unknown): number | undefined {
    if (typeof value === "number") {
        return value;
    }
    if (typeof value === "string" && value.trim() !== "" && !Number.isNaN(Number(value))) {
        return Number(value);
    }
    return undefined;
}

/** A known boolean ("true"/"false" strings accepted), else undefined. */
export function knownBoolean(value: unknown): boolean | undefined {
    if (typeof value === "boolean") {
        return value;
    }
    if (value === "true" || value === "false") {
        return value === "true";
    }
    return undefined;
}

/** Absent (undefined, null or an empty string). */
export function isMissing(value: unknown): boolean {
    return value === undefined || value === null || value === "";
}
