// Runs the pack's own policies on observed resources, in process, the way the @pulumi/policy
// server calls them (server.js makeAnalyzeRpcFun / makeAnalyzeStackRpcFun): disabled policies
// skipped, the single-type fast path, props behind the SDK's unknown-checking proxy, getConfig
// returning the configured properties (schema defaults first, as the engine's Configure sends
// them), notApplicable thrown and caught, violations as "<description>\n<message>". So preview and
// audit judge a setting with the same code and can never disagree.
import { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import * as fs from "fs";
import * as path from "path";
import { packName } from "../../policy-pack/src/pack";
import { registry } from "../../policy-pack/src/policies";
import {
    Diagnostic,
    EnforcementLevel,
    PackInfo,
    PolicyInfo,
    PolicyPackConfigFile,
    resolvePolicyConfig,
} from "../analyzer";
import { AuditResource, notRead } from "./model";
import { isSecret, unwrapSecret } from "./stackExport";

const proxy = require("@pulumi/policy/proxy");
const policyModule = require("@pulumi/policy/policy");

type Policy = ResourceValidationPolicy | StackValidationPolicy;

class NotApplicable extends Error {
    constructor(readonly reason?: string) {
        super(reason ?? "Policy does not apply");
    }
}

/**
 * The pack's version: policy-pack/package.json above this file (sources, or a compiled copy in
 * bin/), else the version of the package this file ships in (the pack is published with it).
 */
export function packVersion(from: string = __dirname): string {
    let packageVersion: string | undefined;
    for (let dir = from; ; dir = path.dirname(dir)) {
        const pack = path.join(dir, "policy-pack", "package.json");
        if (fs.existsSync(pack)) {
            return JSON.parse(fs.readFileSync(pack, "utf8")).version;
        }
        const own = path.join(dir, "package.json");
        if (packageVersion === undefined && fs.existsSync(own)) {
            packageVersion = JSON.parse(fs.readFileSync(own, "utf8")).version;
        }
        if (path.dirname(dir) === dir) {
            if (packageVersion === undefined) {
                throw new Error(`no package.json above ${from}: cannot tell the policy pack's version`);
            }
            return packageVersion;
        }
    }
}

/** What GetAnalyzerInfo would say about the pack, built from the same policy objects. */
export function packInfo(policies: Policy[] = registry.policies()): PackInfo {
    return {
        name: packName,
        version: packVersion(),
        displayName: packName,
        supportsConfig: true,
        policies: policies.map((p): PolicyInfo => ({
            name: p.name,
            kind: "validateStack" in p ? "stack" : "resource",
            displayName: p.displayName ?? p.name,
            description: p.description,
            enforcementLevel: (p.enforcementLevel ?? "advisory") as EnforcementLevel,
            severity: p.severity ?? "",
            framework: p.framework as PolicyInfo["framework"],
            tags: p.tags ?? [],
            remediationSteps: p.remediationSteps ?? "",
            url: p.url ?? "",
            configSchema: p.configSchema
                ? {
                      properties: p.configSchema.properties as Record<string, any>,
                      required: p.configSchema.required ?? [],
                  }
                : undefined,
        })),
    };
}

/**
 * The engine's wire form to what a policy sees, as the SDK's deserializer does: the unknown
 * sentinel becomes the SDK's unknown value, a secret its plaintext (unknown when encrypted).
 */
function fromWire(value: unknown): unknown {
    if (value === notRead) {
        return proxy.unknownStringValue;
    }
    if (isSecret(value)) {
        return fromWire(unwrapSecret(value, notRead));
    }
    if (Array.isArray(value)) {
        return value.map(fromWire);
    }
    if (value !== null && typeof value === "object") {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fromWire(v)]));
    }
    return value;
}

export interface Evaluation {
    info: PackInfo;
    levels: Record<string, string>;
    findings: Diagnostic[];
    /** URN -> resource policies that applied to it (did not say "not applicable"). */
    applied: Map<string, string[]>;
    /** Policies the audit does not run on live resources, with the reason. */
    skipped: Record<string, string>;
}

export interface EvaluateOptions {
    configFile?: PolicyPackConfigFile;
    /** Policies whose property the live API does not return, with the reason. */
    skip?: Record<string, string>;
}

export async function evaluate(resources: AuditResource[], options: EvaluateOptions = {}): Promise<Evaluation> {
    const policies = registry.policies();
    const info = packInfo(policies);
    const resolved = resolvePolicyConfig(info, options.configFile);
    const skipped = options.skip ?? {};
    const findings: Diagnostic[] = [];
    const applied = new Map<string, string[]>(resources.map((r) => [r.urn, []]));
    const propsOf = new Map(resources.map((r) => [r, proxy.unknownCheckingProxy(fromWire(r.inputs))]));

    for (const policy of policies) {
        const { enforcementLevel: configured, properties } = resolved[policy.name];
        if (configured === "disabled" || policy.name in skipped) {
            continue;
        }
        const level = configured === "remediate" ? "mandatory" : configured;
        const getConfig = () => ({ ...properties });
        const report = (urn: string) => (message: any, reportedUrn?: string) => {
            const text = typeof message === "object" ? message.message : message;
            findings.push({
                policyName: policy.name,
                policyPackName: info.name,
                policyPackVersion: info.version,
                description: policy.description,
                message: text ? `${policy.description}\n${text}` : policy.description,
                enforcementLevel: level as EnforcementLevel,
                severity: policy.severity ?? "",
                urn: reportedUrn ?? urn,
            });
        };
        const notApplicable = (reason?: string) => {
            throw new NotApplicable(reason);
        };
        if ("validateResource" in policy && policy.validateResource) {
            const validations = Array.isArray(policy.validateResource)
                ? policy.validateResource
                : [policy.validateResource];
            const onlyType = validations.length === 1 ? policyModule.getPulumiType(validations[0]) : undefined;
            for (const resource of resources) {
                if (onlyType && onlyType !== resource.type) {
                    continue;
                }
                let applies = true;
                for (const validation of validations) {
                    const props = propsOf.get(resource);
                    const args: any = {
                        type: resource.type,
                        props,
                        urn: resource.urn,
                        name: resource.name,
                        opts: { protect: false, ignoreChanges: [], aliases: [], customTimeouts: {} },
                        isType: (cls: any) => policyModule.getPulumiType(cls) === resource.type,
                        asType: (cls: any) => (policyModule.getPulumiType(cls) === resource.type ? props : undefined),
                        getConfig,
                        notApplicable,
                    };
                    try {
                        await Promise.resolve(validation(args, report(resource.urn)));
                    } catch (e) {
                        if (e instanceof NotApplicable) {
                            applies = false;
                        } else if (e instanceof proxy.UnknownValueError) {
                            // A value no permitted call could read: the gap is reported on its own.
                        } else {
                            throw new Error(`policy ${policy.name} failed on ${resource.urn}: ${(e as Error).message}`);
                        }
                    }
                }
                if (applies) {
                    applied.get(resource.urn)!.push(policy.name);
                }
            }
        } else if ("validateStack" in policy) {
            const byUrn = new Map<string, any>();
            const list = resources.map((r) => {
                const props = propsOf.get(r);
                const item: any = {
                    type: r.type,
                    props,
                    urn: r.urn,
                    name: r.name,
                    opts: { protect: false, ignoreChanges: [], aliases: [], customTimeouts: {} },
                    dependencies: [],
                    propertyDependencies: {},
                    isType: (cls: any) => policyModule.getPulumiType(cls) === r.type,
                    asType: (cls: any) => (policyModule.getPulumiType(cls) === r.type ? props : undefined),
                };
                byUrn.set(r.urn, item);
                return item;
            });
            resources.forEach((r, i) => {
                const item = list[i];
                if (r.parent && byUrn.has(r.parent)) {
                    item.parent = byUrn.get(r.parent);
                }
                item.dependencies = r.dependencies.map((d) => byUrn.get(d)).filter(Boolean);
                for (const [key, urns] of Object.entries(r.propertyDependencies)) {
                    item.propertyDependencies[key] = urns.map((d) => byUrn.get(d)).filter(Boolean);
                }
            });
            try {
                await Promise.resolve(
                    policy.validateStack(
                        { resources: list, getConfig, notApplicable } as any,
                        (message: any, urn?: string) => report(urn ?? "")(message, urn),
                    ),
                );
            } catch (e) {
                if (!(e instanceof NotApplicable) && !(e instanceof proxy.UnknownValueError)) {
                    throw new Error(`policy ${policy.name} failed: ${(e as Error).message}`);
                }
            }
        }
    }
    const levels = Object.fromEntries(
        Object.entries(resolved).map(([name, v]) => [name, name in skipped ? "disabled" : v.enforcementLevel]),
    );
    return { info, levels, findings, applied, skipped };
}
