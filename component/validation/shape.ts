// Run-time type checks. Callers in JavaScript, Python, Go, .NET and YAML have no TypeScript types,
// so every argument's shape is checked before its value: a string where a list belongs, "35" where
// a number belongs, null, a Pulumi Output where a plain value is needed, and names that do not exist.
import * as pulumi from "@pulumi/pulumi";
import { ProblemCollector } from "./problems";

export type Shape =
    | { readonly kind: "string"; readonly example?: string; readonly nonEmpty?: boolean }
    | { readonly kind: "number"; readonly example?: string }
    | { readonly kind: "boolean" }
    | { readonly kind: "list"; readonly item: Field; readonly example: string }
    /** An object of string values (tags, engine parameters). */
    | { readonly kind: "map"; readonly example: string }
    | { readonly kind: "object"; readonly fields: Fields; readonly example: string };

export interface Field {
    readonly shape: Shape;
    readonly required?: boolean;
    /** What to pass when the argument is missing or empty. */
    readonly fix?: string;
    /** A `pulumi.Input`: a Pulumi Output is accepted here and checked when it resolves. */
    readonly input?: boolean;
    /** Why an Output cannot be accepted here (for plain arguments). */
    readonly plainBecause?: string;
    /** Never echo the value in a message (tokens). */
    readonly secret?: boolean;
}

export type Fields = Readonly<Record<string, Field>>;

/** What the caller wrote instead of a known name: its meaning for the message. */
export interface NameHints {
    /** Names that switch a compliance setting, which is always on: the reason shown. */
    readonly forbidden?: Readonly<Record<string, string>>;
    /** Names from the aws provider's ReplicationGroup and their counterpart here. */
    readonly aliases?: Readonly<Record<string, string>>;
}

/** A Pulumi Output or a promise: a value not known until the program runs. */
export function isEventual(value: unknown): boolean {
    return (
        pulumi.Output.isInstance(value) ||
        (typeof value === "object" && value !== null && typeof (value as { then?: unknown }).then === "function")
    );
}

/** How a value is named in a message; secrets are never shown. */
export function describeValue(value: unknown, secret = false): string {
    if (value === null) {
        return "null";
    }
    if (Array.isArray(value)) {
        return "a list";
    }
    if (isEventual(value)) {
        return "a Pulumi Output";
    }
    switch (typeof value) {
        case "string":
            return secret ? "a string" : `the string '${value.length > 80 ? `${value.slice(0, 77)}...` : value}'`;
        case "number":
            return secret ? "a number" : `the number ${value}`;
        case "boolean":
            return secret ? "a boolean" : String(value);
        case "object":
            return "an object";
        default:
            return `a ${typeof value}`;
    }
}

function expected(shape: Shape): string {
    switch (shape.kind) {
        case "string":
            return shape.example ? `text such as ${shape.example}` : "text";
        case "number":
            return shape.example ? `a number such as ${shape.example}` : "a number";
        case "boolean":
            return "true or false";
        case "list":
        case "map":
        case "object":
            return shape.example;
    }
}

/** Edit distance, case-insensitive, for "did you mean". */
function distance(a: string, b: string): number {
    const s = a.toLowerCase();
    const t = b.toLowerCase();
    let previous = Array.from({ length: t.length + 1 }, (_, j) => j);
    for (let i = 1; i <= s.length; i++) {
        const current = [i];
        for (let j = 1; j <= t.length; j++) {
            current[j] = Math.min(
                previous[j] + 1,
                current[j - 1] + 1,
                previous[j - 1] + (s[i - 1] === t[j - 1] ? 0 : 1),
            );
        }
        previous = current;
    }
    return previous[t.length];
}

/** The valid name closest to `name`, if it is close enough to be a slip (at most a third of it differs). */
export function nearestName(name: string, valid: readonly string[]): string | undefined {
    let best: string | undefined;
    let bestDistance = Infinity;
    for (const candidate of valid) {
        const d = distance(name, candidate);
        if (d < bestDistance) {
            best = candidate;
            bestDistance = d;
        }
    }
    if (best !== undefined && bestDistance <= Math.max(2, Math.floor(Math.max(name.length, best.length) / 3))) {
        return best;
    }
    // A shortened name ("engineCpu" for "engineCpuPercent") when only one valid name starts with it.
    const lower = name.toLowerCase();
    const extended = valid.filter((v) => lower.length >= 4 && v.toLowerCase().startsWith(lower));
    return extended.length === 1 ? extended[0] : undefined;
}

const numberText = /^\s*[+-]?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?\s*$/i;

/**
 * Checks one value against its field. Returns the value when it has the right shape (Outputs kept
 * where the field is an input), or undefined after recording a problem, so later checks can read
 * the cleaned value without meeting a wrong type.
 */
export function checkField(
    value: unknown,
    field: Field,
    path: string,
    c: ProblemCollector,
    hints: NameHints = {},
): unknown {
    const shape = field.shape;
    if (value === undefined) {
        if (field.required) {
            c.add(path, "missing", field.fix ?? `pass ${expected(shape)}`);
        }
        return undefined;
    }
    if (value === null) {
        c.add(
            path,
            "null",
            field.fix ??
                (field.required
                    ? `pass ${expected(shape)}`
                    : `omit ${path} to use its default, or pass ${expected(shape)}`),
        );
        return undefined;
    }
    if (isEventual(value)) {
        if (field.input && shape.kind === "string") {
            return value;
        }
        c.add(
            path,
            `a Pulumi Output cannot be used here, because ${field.plainBecause ?? "the component checks it and decides from it what to create before anything exists"}`,
            shape.kind === "list" && shape.item.input
                ? `pass a plain list; its items may be Outputs, as in ${shape.example}`
                : `pass ${expected(shape)} as a plain value (a literal or stack configuration)`,
        );
        return undefined;
    }
    switch (shape.kind) {
        case "string":
            if (typeof value !== "string") {
                c.add(
                    path,
                    `${describeValue(value, field.secret)} is not text`,
                    typeof value === "number" && !field.secret
                        ? `write it in quotes${shape.example ? `, such as ${shape.example}` : ""}`
                        : (field.fix ?? `pass ${expected(shape)}`),
                );
                return undefined;
            }
            if (shape.nonEmpty && value.trim() === "") {
                c.add(path, "empty", field.fix ?? `pass ${expected(shape)}`);
                return undefined;
            }
            return value;
        case "number":
            if (typeof value === "string" && numberText.test(value)) {
                c.add(path, `'${value}' is a string, not a number`, `write ${value.trim()} without quotes`);
                return undefined;
            }
            if (typeof value !== "number") {
                c.add(path, `${describeValue(value)} is not a number`, `pass ${expected(shape)}`);
                return undefined;
            }
            if (!Number.isFinite(value)) {
                c.add(path, `${value} is not a finite number`, `pass ${expected(shape)}`);
                return undefined;
            }
            return value;
        case "boolean":
            if (typeof value !== "boolean") {
                c.add(
                    path,
                    `${describeValue(value)} is not a boolean`,
                    typeof value === "string" ? "pass true or false, without quotes" : "pass true or false",
                );
                return undefined;
            }
            return value;
        case "list": {
            if (!Array.isArray(value)) {
                c.add(
                    path,
                    typeof value === "string"
                        ? `${describeValue(value)} is a single string, not a list`
                        : `${describeValue(value)} is not a list`,
                    typeof value === "string" ? `wrap it in a list: ['${value}']` : `pass ${shape.example}`,
                );
                return undefined;
            }
            const items: unknown[] = [];
            value.forEach((item, i) => {
                const checked = checkField(
                    item,
                    { ...shape.item, required: true, plainBecause: shape.item.plainBecause ?? field.plainBecause },
                    `${path}[${i}]`,
                    c,
                    hints,
                );
                if (checked !== undefined) {
                    items.push(checked);
                }
            });
            return items.length === value.length ? items : undefined;
        }
        case "map": {
            if (typeof value !== "object" || Array.isArray(value)) {
                c.add(path, `${describeValue(value)} is not an object of names to text`, `pass ${shape.example}`);
                return undefined;
            }
            const out: Record<string, string> = {};
            let ok = true;
            for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
                const checked = checkField(
                    item,
                    { shape: { kind: "string" }, required: true, plainBecause: field.plainBecause },
                    `${path}.${key}`,
                    c,
                );
                if (checked === undefined) {
                    ok = false;
                } else {
                    out[key] = checked as string;
                }
            }
            return ok ? out : undefined;
        }
        case "object":
            if (typeof value !== "object" || Array.isArray(value)) {
                c.add(path, `${describeValue(value)} is not an object`, `pass ${shape.example}`);
                return undefined;
            }
            return checkObject(value as Record<string, unknown>, shape.fields, path, c, hints);
    }
}

/** Checks every field of an object and refuses names it does not define; returns the cleaned object. */
export function checkObject(
    value: Record<string, unknown>,
    fields: Fields,
    path: string,
    c: ProblemCollector,
    hints: NameHints = {},
): Record<string, unknown> | undefined {
    const prefix = path === "" ? "" : `${path}.`;
    const valid = Object.keys(fields);
    let ok = true;
    for (const key of Object.keys(value)) {
        if (Object.prototype.hasOwnProperty.call(fields, key)) {
            continue;
        }
        ok = false;
        const forbidden = path === "" ? hints.forbidden?.[key] : undefined;
        const alias = path === "" ? hints.aliases?.[key] : undefined;
        if (forbidden !== undefined) {
            c.add(`${prefix}${key}`, `cannot be set: ${forbidden}`, "remove it");
        } else if (alias !== undefined) {
            c.add(
                `${prefix}${key}`,
                "is the aws provider's name, not an argument of HitrustRedis",
                `use ${alias} instead`,
            );
        } else {
            const near = nearestName(key, valid);
            c.add(
                `${prefix}${key}`,
                `is not an argument of HitrustRedis${path === "" ? "" : ` ${path}`}`,
                near !== undefined ? `did you mean ${prefix}${near}?` : `remove it (valid: ${valid.join(", ")})`,
            );
        }
    }
    const out: Record<string, unknown> = {};
    for (const [key, field] of Object.entries(fields)) {
        const checked = checkField(value[key], field, `${prefix}${key}`, c, hints);
        if (checked !== undefined) {
            out[key] = checked;
        } else if (value[key] !== undefined) {
            ok = false;
        }
    }
    // A nested object with a bad field is dropped so later checks never see half of it; the
    // top level stays, so each concern still checks its own arguments.
    return ok || path === "" ? out : undefined;
}
