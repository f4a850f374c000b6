// Resources as Insights Discovery and `pulumi import` hand them to a policy pack: the provider's
// read state, rebuilt as inputs by the Terraform bridge. Written once here, after
// pulumi-terraform-bridge pkg/tfbridge/schema.go: ExtractInputsFromOutputs (not a refresh) calls
// extractSchemaInputsObject, which for every property of the read state
// - skips it when the schema knows it neither as optional nor as required (computed-only),
// - skips it when it is optional and isDefaultOrZeroValue: equal to the schema default when there
//   is one, else null, false, 0, "", [] or {} (an object holding only `__defaults` counts as {}),
// - recurses into nested objects (blocks) with their own schema, maps keep every key,
// and adds `__defaults: []` to every object and map it rebuilds.
import * as fs from "fs";
import * as path from "path";

/** One property of a Terraform schema, as far as the rebuild cares. */
export interface FieldSchema {
    /** Computed-only attributes are neither optional nor required. */
    kind: "required" | "optional" | "computed";
    /** The Terraform schema default, if any (e.g. the replication group's engine, "redis"). */
    default?: unknown;
    /** A nested block: the schema of its object(s). */
    block?: ObjectSchema;
    /** A map (tags): keys are data, not properties. */
    map?: boolean;
}
export type ObjectSchema = Record<string, FieldSchema>;

function isDefaultOrZeroValue(field: FieldSchema, value: unknown): boolean {
    if (field.default !== undefined) {
        return field.default === value;
    }
    if (value === null || value === undefined || value === false || value === 0 || value === "") {
        return true;
    }
    if (Array.isArray(value)) {
        return value.length === 0;
    }
    if (typeof value === "object") {
        const keys = Object.keys(value as object);
        return keys.length === 0 || (keys.length === 1 && keys[0] === "__defaults");
    }
    return false;
}

function rebuildValue(field: FieldSchema, value: unknown): unknown {
    if (Array.isArray(value)) {
        return value.map((v) => rebuildValue(field, v));
    }
    if (value !== null && typeof value === "object") {
        if (field.block) {
            return extractInputsFromReadState(value as Record<string, unknown>, field.block);
        }
        if (field.map) {
            return { ...(value as object), __defaults: [] };
        }
    }
    return value;
}

/** The inputs the bridge rebuilds from a read state (extractSchemaInputsObject). */
export function extractInputsFromReadState(
    state: Record<string, unknown>,
    schema: ObjectSchema,
): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(state)) {
        const field = schema[key];
        if (field === undefined || field.kind === "computed") {
            continue; // not an input
        }
        const rebuilt = rebuildValue(field, value);
        if (field.kind === "optional" && isDefaultOrZeroValue(field, rebuilt)) {
            continue; // not required, and a default or zero value
        }
        out[key] = rebuilt;
    }
    out.__defaults = [];
    return out;
}

/**
 * A resource's schema as @pulumi/aws declares it: `<Name>Args` lists the inputs (required without
 * `?`), `<Name>State` every property; what only the state has is computed-only. Nested blocks and
 * Terraform defaults the declarations do not carry are passed in `extra`.
 */
export function awsSchema(module: string, resource: string, extra: ObjectSchema = {}): ObjectSchema {
    const file = path.join(
        path.dirname(require.resolve("@pulumi/aws/package.json")),
        module,
        `${resource[0].toLowerCase()}${resource.slice(1)}.d.ts`,
    );
    const text = fs.readFileSync(file, "utf8");
    const members = (iface: string) => {
        const body = new RegExp(`export interface ${iface} \\{([\\s\\S]*?)\\n\\}`).exec(text)?.[1];
        if (body === undefined) {
            throw new Error(`${iface} not found in ${file}`);
        }
        return [...body.matchAll(/^ {4}(\w+)(\??):/gm)].map((m) => ({ name: m[1], optional: m[2] === "?" }));
    };
    const schema: ObjectSchema = {};
    for (const { name } of members(`${resource}State`)) {
        schema[name] = { kind: "computed" };
    }
    for (const { name, optional } of members(`${resource}Args`)) {
        schema[name] = { kind: optional ? "optional" : "required" };
    }
    for (const [name, field] of Object.entries(extra)) {
        schema[name] = { ...schema[name], ...field };
    }
    return schema;
}

/** A URN of a resource found by Insights Discovery: `urn:insights:<account>/<region>::aws::<type>::<arn-or-id>`. */
export function insightsUrn(type: string, arnOrId: string, account = "123456789012", region = "us-east-1"): string {
    return `urn:insights:${account}/${region}::aws::${type}::${arnOrId}`;
}
