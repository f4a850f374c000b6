// The Pulumi wire forms of special values, for the tools that read recorded resources without
// loading the Pulumi SDK (the offline preview's own process, the report, the Analyzer client).

/** The Pulumi wire signatures of special values. */
export const sig = {
    key: "4dabf18193072939515e22adb298388d",
    secret: "1b47061264138c4ac30d75fd1eb44270",
    resourceReference: "5cf8f73096256a8f31e491e813e4eb8e",
};
export const unknownSentinel = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** A stack output in wire form as `resolveOutput` shows it: secrets as "[secret]". */
export function fromWire(value: unknown): unknown {
    if (Array.isArray(value)) {
        return value.map(fromWire);
    }
    if (value !== null && typeof value === "object") {
        const obj = value as Record<string, unknown>;
        if (obj[sig.key] === sig.secret) {
            return "[secret]";
        }
        return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, fromWire(v)]));
    }
    return value;
}
