// Turns rule specifications into @pulumi/policy policies with uniform metadata taken from the
// control catalog, and keeps the registry the pack is assembled from (duplicates refused).
import {
    EnforcementLevel,
    PolicyConfigSchema,
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationPolicy,
} from "@pulumi/policy";
import * as fs from "fs";
import * as path from "path";
import { control, ControlId, hitrustVersion } from "../../core/controls";
import { Plain, toPlain } from "./props";
import { isDiscovered } from "./readState";
import { shareDeserialization } from "./sdk";
import { appliesToKey, notApplicableReason, onlyUrnsKey } from "./server";

// Before any policy runs: the SDK then deserializes each request once for all policies.
shareDeserialization();

export const namePattern = /^aws-elasticache-[a-z]+-(missing|disallow|enable|configure|enforce)-[a-z0-9-]+$/;
/**
 * Where each policy's documentation lives, from the one place that says where the pack is
 * published: policy-pack/package.json (`repository` with its `directory`, else `homepage`).
 */
export function docsUrlFrom(pkg: { repository?: unknown; homepage?: unknown }): string {
    const repository = pkg.repository as { url?: unknown; directory?: unknown } | string | undefined;
    const url = typeof repository === "string" ? repository : repository?.url;
    if (typeof url === "string" && /github\.com/.test(url)) {
        const base = url
            .replace(/^git\+/, "")
            .replace(/^git@github\.com:/, "https://github.com/")
            .replace(/\.git$/, "");
        const directory =
            typeof repository === "object" && typeof repository.directory === "string" ? repository.directory : "";
        return `${base}/blob/main/${directory ? `${directory.replace(/^\/|\/$/g, "")}/` : ""}README.md`;
    }
    if (typeof pkg.homepage === "string" && pkg.homepage !== "") {
        return pkg.homepage.replace(/#.*$/, "");
    }
    throw new Error(
        "policy-pack/package.json names neither a repository nor a homepage: the policies need a docs URL.",
    );
}

/** policy-pack/package.json, from the sources (src/) or the compiled pack (bin/policy-pack/src/). */
function packPackageJson(): { repository?: unknown; homepage?: unknown } {
    for (const candidate of [
        path.join(__dirname, "..", "package.json"),
        path.join(__dirname, "..", "..", "..", "package.json"),
    ]) {
        if (fs.existsSync(candidate)) {
            const pkg = JSON.parse(fs.readFileSync(candidate, "utf8"));
            if (pkg.name === "hitrust-elasticache-policies") {
                return pkg;
            }
        }
    }
    throw new Error(`policy-pack/package.json not found from ${__dirname}`);
}

export const docsUrl = docsUrlFrom(packPackageJson());

/** One setting of a policy's config schema; `default` is the value a policy sees when none is configured. */
export type ConfigProperty<T = unknown> = {
    type: "integer" | "string" | "array" | "number" | "boolean";
    default: T;
    description: string;
    minimum?: number;
    maximum?: number;
    pattern?: string;
    items?: { type: string; pattern?: string };
};

/** The schema of a policy's config `C`: one property per key, each with a default of the key's type. */
export type ConfigSchema<C> = { [K in keyof C]: ConfigProperty<C[K]> };

/** No config. */
export type NoConfig = Record<string, never>;

interface CommonSpec<C> {
    /** `aws-elasticache-<resource>-<verb>-<thing>`. */
    name: string;
    /** A full sentence that starts "Checks that". */
    description: string;
    enforcementLevel: EnforcementLevel;
    severity: Severity;
    controls: ControlId[];
    tags: string[];
    remediationSteps: string;
    /** Thresholds an organization may tune, with safe defaults (as awsguard's typed `getConfig<Args>()`). */
    config?: ConfigSchema<C>;
}

export interface ResourceContext<C = NoConfig> {
    readonly type: string;
    readonly name: string;
    readonly urn: string;
    /**
     * Found by Insights Discovery (an audit policy group): the properties are AWS's read state, in
     * which what AWS never returns is absent and a false, 0, "" or [] may be dropped (readState.ts).
     */
    readonly discovered: boolean;
    /** The policy's config: schema defaults under what the organization configured. */
    readonly config: Readonly<C>;
}

export interface ResourceRuleSpec<C = any> extends CommonSpec<C> {
    /** The Pulumi types the rule applies to. */
    resourceTypes: string[];
    /** The properties the rule reads: the evidence a passing resource shows in the report. */
    properties: string[];
    /** Returns what is wrong (one line each), or nothing. Values unknown at preview are `UNKNOWN`. */
    check(props: Plain, context: ResourceContext<C>): string | string[] | undefined;
    /**
     * For policies that judge only resources found by Insights Discovery (audit groups run no
     * stack policy, and read state lacks what AWS never returns): what judges planned resources
     * instead, given as the "not applicable" reason for them.
     */
    discoveredOnly?: string;
    /** A safe, mechanical fix, run only when an organization sets the policy to `remediate`. */
    remediate?(props: Record<string, any>, context: ResourceContext<C>): Record<string, any> | undefined;
}

export interface StackRuleSpec<C = any> extends CommonSpec<C> {
    /**
     * A type the policy has nothing to check without. When the stack has no resource of it, the
     * SDK answers "not applicable" without building the stack's resources for this policy.
     */
    requires?: string;
    check(stack: StackIndex, config: Readonly<C>, report: (message: string, urn: string) => void): void;
}

export type Rule = ResourceRuleSpec | StackRuleSpec;

/** Every rule with its metadata, for the report and for tests. */
export interface PolicyMetadata {
    name: string;
    description: string;
    enforcementLevel: EnforcementLevel;
    severity: Severity;
    controls: ControlId[];
    kind: "resource" | "stack";
    resourceTypes: string[];
    properties: string[];
    remediable: boolean;
}

function configSchema(spec: CommonSpec<unknown>): PolicyConfigSchema | undefined {
    if (!spec.config) {
        return undefined;
    }
    return { properties: spec.config as any };
}

/** Schema defaults under whatever the organization configured (the SDK does not apply defaults). */
export function configWithDefaults<C>(spec: CommonSpec<C>, configured: Record<string, any> | undefined): C {
    const out: Record<string, any> = {};
    for (const [key, property] of Object.entries<ConfigProperty>(spec.config ?? {})) {
        out[key] = property.default;
    }
    for (const [key, value] of Object.entries(configured ?? {})) {
        if (key !== "enforcementLevel" && value !== undefined) {
            out[key] = value;
        }
    }
    return out as C;
}

/** "aws-elasticache-replicationgroup-enable-multi-az" -> "ReplicationGroup: enable multi az". */
export function displayName(name: string): string {
    const [, resource, ...rest] = name.replace(/^aws-/, "").split("-");
    const resources: Record<string, string> = {
        replicationgroup: "Replication group",
        cluster: "Cache cluster",
        serverlesscache: "Serverless cache",
        subnetgroup: "Subnet group",
        parametergroup: "Parameter group",
        securitygroup: "Security group",
        loggroup: "Log group",
        usergroup: "User group",
        user: "User",
        kmskey: "KMS key",
        notificationtopic: "Notification topic",
    };
    return `ElastiCache ${(resources[resource] ?? resource).toLowerCase()}: ${rest.join(" ")}`;
}

function metadata(spec: CommonSpec<unknown>) {
    const controls = spec.controls.map(control);
    return {
        name: spec.name,
        displayName: displayName(spec.name),
        description: spec.description,
        enforcementLevel: spec.enforcementLevel,
        severity: spec.severity,
        framework: {
            name: controls.some((c) => c.framework === "HITRUST CSF") ? "HITRUST CSF" : "HIPAA",
            version: hitrustVersion,
            reference: spec.controls.join(", "),
            specification: [
                ...controls.map((c) => `${c.id}: ${c.requirement}`),
                `HIPAA: ${[...new Set(controls.flatMap((c) => c.hipaa))].join(", ")}.`,
            ].join(" "),
        },
        tags: [
            ...new Set([
                ...spec.tags,
                "elasticache",
                "hitrust",
                "hipaa",
                ...controls.flatMap((c) => c.hipaa.map((h) => `hipaa-${h}`)),
            ]),
        ],
        remediationSteps: spec.remediationSteps,
        url: `${docsUrl}#${spec.name}`,
        configSchema: configSchema(spec),
    };
}

/**
 * `configWithDefaults` for one policy, computed once per configured object: the pack's server
 * hands a policy the same object until the next Configure (server.ts), so a call pays for it once.
 */
function cachedConfig<C>(spec: CommonSpec<C>): (configured: Record<string, any> | undefined) => C {
    const cache = new WeakMap<object, C>();
    let unconfigured: C | undefined;
    return (configured) => {
        if (configured === undefined || configured === null) {
            return (unconfigured ??= configWithDefaults(spec, undefined));
        }
        let found = cache.get(configured);
        if (found === undefined) {
            found = configWithDefaults(spec, configured);
            cache.set(configured, found);
        }
        return found;
    };
}

/**
 * What a rule's check is told about the resource beyond its properties, read from the policy's
 * arguments when the check asks: most checks read none of it, and this runs for every policy on
 * every resource.
 */
class Context<C> implements ResourceContext<C> {
    constructor(
        private readonly args: ResourceValidationArgs,
        private readonly configOf: (configured: Record<string, any> | undefined) => C,
    ) {}
    get type(): string {
        return this.args.type;
    }
    get name(): string {
        return this.args.name;
    }
    get urn(): string {
        return this.args.urn;
    }
    get discovered(): boolean {
        return isDiscovered(this.args.urn);
    }
    get config(): Readonly<C> {
        return this.configOf(this.args.getConfig<Record<string, any>>());
    }
}

export function toResourcePolicy(spec: ResourceRuleSpec): ResourceValidationPolicy {
    const types = new Set(spec.resourceTypes);
    const configOf = cachedConfig(spec);
    const context = (args: ResourceValidationArgs): ResourceContext => new Context(args, configOf);
    const otherType = notApplicableReason(types);
    const notDiscovered = spec.discoveredOnly
        ? `Judges only resources found by Insights Discovery: ${spec.discoveredOnly}`
        : undefined;
    const validateResource = (args: ResourceValidationArgs, report: ReportViolation) => {
        if (!types.has(args.type)) {
            // Reported back to the engine, so a report can tell "checked and passed" from "not checked".
            return args.notApplicable(otherType);
        }
        if (notDiscovered !== undefined && !isDiscovered(args.urn)) {
            return args.notApplicable(notDiscovered);
        }
        const found = spec.check(toPlain(args.props), context(args));
        if (typeof found === "string") {
            report(found);
        } else if (found !== undefined) {
            for (const message of found) {
                report(message);
            }
        }
    };
    if (notDiscovered !== undefined) {
        // For the pack's own handlers (server.ts): answer "not applicable" without the call.
        (validateResource as any)[onlyUrnsKey] = { test: isDiscovered, reason: notDiscovered };
    }
    const remediateResource = spec.remediate
        ? (args: ResourceValidationArgs) =>
              types.has(args.type)
                  ? spec.remediate!(toPlain(args.props) as Record<string, any>, context(args))
                  : undefined
        : undefined;
    if (types.size === 1) {
        // The SDK's own fast path (as in validateResourceOfType): for a single-type policy the
        // server answers "not applicable" for other types without deserializing the properties.
        const [only] = types;
        (validateResource as any).__pulumiType = only;
        if (remediateResource) {
            (remediateResource as any).__pulumiType = only;
        }
    } else {
        // For the pack's own handlers (server.ts): answer "not applicable" without the call.
        (validateResource as any)[appliesToKey] = types;
    }
    return { ...metadata(spec), validateResource, ...(remediateResource ? { remediateResource } : {}) };
}

/**
 * The stack seen by one stack policy: resources indexed by URN and by type once, so that every
 * lookup is constant time and the policy stays linear in the size of the stack.
 */
export class StackIndex {
    private readonly byType = new Map<string, PolicyResource[]>();
    private readonly plain = new Map<PolicyResource, Plain>();

    private static readonly built = new WeakMap<readonly PolicyResource[], StackIndex>();

    /**
     * The index of a stack, built once per request: the pack's own handlers (server.ts) hand
     * every stack policy the same resource list; the SDK's handlers hand each a new one.
     */
    static of(resources: PolicyResource[]): StackIndex {
        let index = StackIndex.built.get(resources);
        if (index === undefined) {
            index = new StackIndex(resources);
            StackIndex.built.set(resources, index);
        }
        return index;
    }

    constructor(readonly resources: PolicyResource[]) {
        for (const resource of resources) {
            const list = this.byType.get(resource.type);
            if (list) {
                list.push(resource);
            } else {
                this.byType.set(resource.type, [resource]);
            }
        }
    }

    ofType(...types: string[]): PolicyResource[] {
        return types.flatMap((t) => this.byType.get(t) ?? []);
    }

    props(resource: PolicyResource): Plain {
        let found = this.plain.get(resource);
        if (!found) {
            found = toPlain(resource.props);
            this.plain.set(resource, found);
        }
        return found;
    }

    /**
     * The resources of `type` that a property of any resource of `fromTypes` depends on, each
     * with the name of the first resource that refers to it (for messages).
     */
    referencedBy(fromTypes: readonly string[], property: string, type: string): Map<PolicyResource, string> {
        const found = new Map<PolicyResource, string>();
        for (const source of this.ofType(...fromTypes)) {
            for (const target of this.dependencies(source, property, type)) {
                if (!found.has(target)) {
                    found.set(target, source.name);
                }
            }
        }
        return found;
    }

    /** The resources a property of `resource` depends on, as the engine reports them. */
    dependencies(resource: PolicyResource, property: string, ...types: string[]): PolicyResource[] {
        const deps = resource.propertyDependencies?.[property] ?? [];
        return types.length === 0 ? deps : deps.filter((d) => types.includes(d.type));
    }
}

export function toStackPolicy(spec: StackRuleSpec): StackValidationPolicy {
    const validateStack: StackValidationPolicy["validateStack"] = (args, report) => {
        const index = StackIndex.of(args.resources);
        spec.check(index, configWithDefaults(spec, args.getConfig<Record<string, any>>()), (message, urn) =>
            report(message, urn),
        );
    };
    if (spec.requires) {
        // The SDK's own fast path (as in validateStackResourcesOfType).
        (validateStack as any).__pulumiType = spec.requires;
    }
    return { ...metadata(spec), validateStack };
}

export function isStackRule(rule: Rule): rule is StackRuleSpec {
    return !("resourceTypes" in rule);
}

/** The rules of the pack. Refuses a second rule of the same name and names off the scheme. */
export class Registry {
    private readonly rules = new Map<string, Rule>();

    add(...rules: Rule[]): this {
        for (const rule of rules) {
            if (this.rules.has(rule.name)) {
                throw new Error(`A policy named '${rule.name}' is already registered.`);
            }
            if (!namePattern.test(rule.name)) {
                throw new Error(
                    `Policy name '${rule.name}' does not follow aws-elasticache-<resource>-<verb>-<thing>.`,
                );
            }
            if (!rule.description.startsWith("Checks that ")) {
                throw new Error(`The description of '${rule.name}' must start with "Checks that ".`);
            }
            rule.controls.forEach(control);
            this.rules.set(rule.name, rule);
        }
        return this;
    }

    all(): Rule[] {
        return [...this.rules.values()];
    }

    policies(): (ResourceValidationPolicy | StackValidationPolicy)[] {
        return this.all().map((rule) => (isStackRule(rule) ? toStackPolicy(rule) : toResourcePolicy(rule)));
    }

    metadata(): PolicyMetadata[] {
        return this.all().map((rule) => ({
            name: rule.name,
            description: rule.description,
            enforcementLevel: rule.enforcementLevel,
            severity: rule.severity,
            controls: rule.controls,
            kind: isStackRule(rule) ? "stack" : "resource",
            resourceTypes: isStackRule(rule) ? [] : rule.resourceTypes,
            properties: isStackRule(rule) ? [] : rule.properties,
            remediable: !isStackRule(rule) && rule.remediate !== undefined,
        }));
    }
}
