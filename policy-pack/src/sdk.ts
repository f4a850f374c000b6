// Work the @pulumi/policy SDK repeats for every policy, done once per request instead.
//
// The SDK's Analyze handler deserializes a resource's properties once per resource policy, and
// its AnalyzeStack handler deserializes every resource once per stack policy (server.js,
// makeAnalyzeRpcFun / makeAnalyzeStackRpcFun), although the request, and so its properties
// Struct, is the same object each time (google-protobuf caches message fields). Keyed by that
// Struct, the first deserialization is kept and handed to every later policy of the request; the
// cache holds it weakly, so it goes with the request. Nothing in this pack mutates properties
// (remediations return new objects), which is what makes sharing one copy safe.
//
// Each policy still receives its own args, report function, config and enforcement level from
// the SDK, so every policy stays separately named and configurable in Pulumi Cloud.
import * as path from "path";

const sdkDir = path.dirname(require.resolve("@pulumi/policy"));

type Deserialize = (struct: unknown, proxySecrets: boolean) => unknown;

const marker = Symbol.for("hitrust-elasticache.sharedDeserialization");

/**
 * Makes the SDK deserialize each request's properties once for all policies. Returns false (and
 * changes nothing) when the SDK does not have the shape this relies on, so a future SDK is only
 * slower, never wrong. A test pins that the SDK calls through the shared function.
 */
export function shareDeserialization(): boolean {
    const deserialize = require(path.join(sdkDir, "deserialize.js"));
    if (deserialize[marker]) {
        return true;
    }
    const original: Deserialize = deserialize.deserializeProperties;
    if (typeof original !== "function") {
        return false;
    }
    const caches = [new WeakMap<object, unknown>(), new WeakMap<object, unknown>()];
    const shared: Deserialize = (struct, proxySecrets) => {
        if (struct === null || typeof struct !== "object") {
            return original(struct, proxySecrets);
        }
        const cache = caches[proxySecrets ? 1 : 0];
        let found = cache.get(struct);
        if (found === undefined) {
            found = original(struct, proxySecrets);
            cache.set(struct, found);
        }
        return found;
    };
    deserialize.deserializeProperties = shared;
    deserialize[marker] = original;
    return true;
}

/** The SDK's name for "give me the object behind this unknown-checking proxy" (proxy.ts). */
export const proxyTargetKey: string = require(path.join(sdkDir, "proxy.js")).getSpecialProxyTarget;
/** The sentinels the SDK deserializes unknown values to (proxy.ts). */
export const unknownSentinels: ReadonlySet<unknown> = new Set(
    Object.entries(require(path.join(sdkDir, "proxy.js")))
        .filter(([key]) => /^unknown[A-Z]\w*Value$/.test(key))
        .map(([, value]) => value),
);
