// `--stack-export FILE`: the deployed resources of a `pulumi stack export` file, for teams that
// cannot give an assessor AWS access. The state holds each resource's inputs and outputs (what the
// provider read back after the update), its parent and its (property) dependencies, so the pack's
// resource and stack policies run on it as they do at preview. Secrets stay wrapped: a policy sees
// the plaintext of `--show-secrets` exports and an unknown value for encrypted ones, the report
// never shows either.
import * as fs from "fs";
import { sig } from "../mockrun";
import { AuditResource, Inventory } from "./model";

export class StackExportError extends Error {}

function isSecret(value: unknown): value is Record<string, unknown> {
    return value !== null && typeof value === "object" && (value as any)[sig.key] === sig.secret;
}

/** Reads and checks the file; every problem names the file and what to do. */
export function readStackExport(file: string): { resources: any[]; time?: string } {
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch (e) {
        throw new StackExportError(
            `--stack-export ${file} cannot be read (${(e as NodeJS.ErrnoException).code ?? e}): pass the file written by \`pulumi stack export --file FILE\`.`,
        );
    }
    let parsed: any;
    try {
        parsed = JSON.parse(text);
    } catch (e) {
        throw new StackExportError(
            `--stack-export ${file} is not JSON (${(e as Error).message}): pass the file written by \`pulumi stack export --file FILE\`.`,
        );
    }
    const deployment = parsed?.deployment ?? parsed;
    if (!deployment || !Array.isArray(deployment.resources)) {
        throw new StackExportError(
            `--stack-export ${file} has no deployment.resources: it is not a \`pulumi stack export\` file (version 3).`,
        );
    }
    return { resources: deployment.resources, time: deployment.manifest?.time };
}

/** Turns the state's resources into the audit's resources (custom resources only, no providers). */
export function stackExportInventory(file: string): Inventory {
    const { resources, time } = readStackExport(file);
    const at = time ? new Date(time).toISOString() : "";
    const out: AuditResource[] = [];
    for (const r of resources) {
        if (!r || typeof r.urn !== "string" || typeof r.type !== "string") {
            continue;
        }
        if (r.custom === false || r.type.startsWith("pulumi:providers:") || r.type === "pulumi:pulumi:Stack") {
            continue;
        }
        // Outputs are what AWS reported after the update; inputs fill in what a provider leaves out.
        const inputs: Record<string, unknown> = { ...(r.inputs ?? {}), ...(r.outputs ?? {}) };
        out.push({
            type: r.type,
            name: r.urn.split("::").pop() ?? r.urn,
            urn: r.urn,
            custom: true,
            parent: r.parent ?? "",
            retainOnDelete: r.retainOnDelete === true,
            dependencies: Array.isArray(r.dependencies) ? r.dependencies : [],
            propertyDependencies: r.propertyDependencies ?? {},
            inputs,
            state: {},
            source: { call: `pulumi stack export (${file})`, region: "", at },
        });
    }
    return {
        target: `stack export ${file}${time ? ` (state of ${at})` : ""}`,
        regions: [],
        resources: out,
        caches: [],
        regionFacts: [],
        gaps: [],
    };
}

/** A secret wrapper as a policy sees it: the plaintext value, or unknown when encrypted. */
export function unwrapSecret(value: Record<string, unknown>, unknown: unknown): unknown {
    if ("plaintext" in value && typeof value.plaintext === "string") {
        try {
            return JSON.parse(value.plaintext);
        } catch {
            return value.plaintext;
        }
    }
    if ("value" in value) {
        return value.value;
    }
    return unknown;
}

export { isSecret };
