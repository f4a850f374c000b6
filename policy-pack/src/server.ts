// Analyze and AnalyzeStack handlers that do the SDK's per-request work once for all policies.
//
// @pulumi/policy's handlers (server.js, makeAnalyzeRpcFun / makeAnalyzeStackRpcFun) rebuild the
// request for every policy: for a stack, each stack policy gets its own copy of every resource
// (options, property dependencies, proxies, URN map), and every policy call is awaited. With
// this pack's 9 stack policies that alone costs about twice what an empty pack spends on the
// request (measure it: `npm run bench`, column "SDK floor"). These handlers build the resources
// once and then call the same @pulumi/policy policy objects, in the same order, with the same
// arguments, enforcement levels, config, "not applicable" answers and diagnostics as the SDK;
// test/packPerformance.test.ts runs the pack both ways over the Analyzer protocol and requires
// byte-identical answers. Analyze also decides once per resource type and Configure what each
// policy does on that type (skip, "not applicable", run), and encodes the recurring "not
// applicable" answers once: on a replication group, what the pack spent above an empty pack fell
// from about 0.6 ms a call to under 0.1 ms (bench/analyze-loop.ts measures it in process). Configure, ConfigureStack, Remediate and GetAnalyzerInfo stay the SDK's
// (Configure and ConfigureStack are observed, not replaced, so both sides see the same settings).
//
// Set HITRUST_PACK_SDK_HANDLERS=1 to serve with the SDK's own handlers.
import { PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import * as path from "path";

const sdkDir = path.dirname(require.resolve("@pulumi/policy"));
const fromSdk = (id: string) => require(require.resolve(id, { paths: [sdkDir] }));

type Policy = ResourceValidationPolicy | StackValidationPolicy;
type Level = "advisory" | "mandatory" | "remediate" | "disabled";
interface Diagnostic {
    policyName: string;
    policyPackName: string;
    policyPackVersion: string;
    message: string;
    urn?: string;
    description: string;
    enforcementLevel: Level;
    severity?: string;
}

/** Thrown by `args.notApplicable`; not an Error, so that throwing it records no stack trace. */
class NotApplicable {
    constructor(readonly reason?: string) {}
}

/** Where this pack's multi-type policies keep the types they take (set by registry.ts). */
export const appliesToKey = Symbol.for("hitrust-elasticache.appliesTo");

/**
 * Where a policy that judges only some resources keeps which (by URN) and the "not applicable"
 * reason it gives the others (set by registry.ts): the handler answers for it without the call.
 */
export const onlyUrnsKey = Symbol.for("hitrust-elasticache.onlyUrns");

/** The reason a multi-type policy gives for a resource of another type. */
export function notApplicableReason(types: Iterable<string>): string {
    return `applies to ${[...types].join(", ")}`;
}

const throwNotApplicable = (reason?: string): never => {
    throw new NotApplicable(reason);
};

/** The SDK's report function (server.js makeReportViolationFun), unchanged in behaviour. */
function reporter(
    policyName: string,
    packName: string,
    packVersion: string,
    description: string,
    level: Level,
    ds: Diagnostic[],
    severity: string | undefined,
) {
    return (message: any, urn?: string) => {
        if (typeof message === "object" && message !== null) {
            ds.push({
                policyName: message.name || policyName,
                policyPackName: packName,
                policyPackVersion: packVersion,
                message: message.message || message.description || description,
                urn: message.urn,
                description: message.description || description,
                enforcementLevel: message.enforcementLevel || level,
                severity: message.severity || severity,
            });
            return;
        }
        ds.push({
            policyName,
            policyPackName: packName,
            policyPackVersion: packVersion,
            message: message ? `${description}\n${message}` : description,
            urn,
            description,
            enforcementLevel: level,
            severity,
        });
    };
}

/**
 * Replaces the SDK's Analyze and AnalyzeStack handlers when the pack's server registers them.
 * Returns false (changing nothing) when disabled or when the SDK lacks what this relies on.
 */
export function installSharedHandlers(packName: string, policies: Policy[], packLevel: Level = "advisory"): boolean {
    if (process.env.HITRUST_PACK_SDK_HANDLERS === "1") {
        return false;
    }
    const grpc = fromSdk("@grpc/grpc-js");
    const analyzerGrpc = fromSdk("@pulumi/pulumi/proto/analyzer_grpc_pb");
    const analyzerPb = fromSdk("@pulumi/pulumi/proto/analyzer_pb");
    const deserialize = require(path.join(sdkDir, "deserialize.js"));
    const proxy = require(path.join(sdkDir, "proxy.js"));
    const protoutil = require(path.join(sdkDir, "protoutil.js"));
    const policyJs = require(path.join(sdkDir, "policy.js"));
    const needed = [
        grpc.Server?.prototype?.addService,
        analyzerGrpc.AnalyzerService?.analyze?.responseSerialize,
        analyzerPb.AnalyzeResponse?.prototype?.setNotApplicableList,
        deserialize.deserializeProperties,
        proxy.unknownCheckingProxy,
        proxy.UnknownValueError,
        protoutil.makeAnalyzeResponse,
        protoutil.convertEnforcementLevel,
        protoutil.asGrpcError,
        policyJs.isResourcePolicy,
        policyJs.isStackPolicy,
        policyJs.getPulumiType,
    ];
    if (needed.some((f) => f === undefined)) {
        return false;
    }
    const packVersion: string = require(path.join(process.cwd(), "package.json")).version;
    const UnknownValueError = proxy.UnknownValueError;
    let config: Record<string, Record<string, unknown>> = {};
    let stackTags: ReadonlyMap<string, string> = new Map();

    const levelOf = (p: Policy): Level =>
        ((config[p.name]?.enforcementLevel as Level | undefined) || p.enforcementLevel || packLevel) as Level;
    // Each policy's configured properties, built once per Configure rather than on every call,
    // so that a policy sees the same object each time (registry.ts caches its defaults by it).
    let configOf = new Map<string, Record<string, unknown>>();
    const getConfigOf = (name: string): (() => Record<string, unknown>) => {
        return () => {
            let found = configOf.get(name);
            if (found === undefined) {
                const c = config[name];
                // eslint-disable-next-line @typescript-eslint/no-unused-vars
                const { enforcementLevel, ...properties } = c ?? {};
                found = c ? properties : {};
                configOf.set(name, found);
            }
            return found;
        };
    };
    // The same few answers recur on every call (a policy of other types, with the same reason):
    // each is built once and only read after, when a response is serialized.
    const notApplicableMessages = new Map<string, any>();
    /** Each kept answer as an AnalyzeResponse encodes it: its not_applicable entry (tag, length, message). */
    const notApplicableBytes = new WeakMap<object, Buffer>();
    /**
     * Encodes an Analyze response as protobuf's encoder does, with each kept "not applicable"
     * answer copied from its bytes rather than encoded again on every call (a replication group
     * gets 16). The encoder writes fields in number order and not_applicable has the highest, so
     * the answer is the rest of the response, encoded, followed by those entries: the same bytes
     * (test/packPerformance.test.ts compares them with the SDK's). Anything else is encoded whole.
     */
    const encodeAnalyzeResponse =
        (encode: (response: any) => Buffer) =>
        (response: any): Buffer => {
            const list: any[] = response.getNotApplicableList();
            if (list.length === 0) {
                return encode(response);
            }
            const parts: Buffer[] = [];
            for (const na of list) {
                const bytes = notApplicableBytes.get(na);
                if (bytes === undefined) {
                    return encode(response);
                }
                parts.push(bytes);
            }
            response.setNotApplicableList([]);
            try {
                parts.unshift(encode(response));
            } finally {
                response.setNotApplicableList(list);
            }
            return Buffer.concat(parts);
        };
    const pushNotApplicable = (list: any[] | undefined, name: string, reason?: string) => {
        const key = `${name}\n${reason ?? ""}`;
        let na = notApplicableMessages.get(key);
        if (na === undefined) {
            na = new analyzerPb.PolicyNotApplicable();
            na.setPolicyName(name);
            if (reason) {
                na.setReason(reason);
            }
            if (notApplicableMessages.size < 10_000) {
                notApplicableMessages.set(key, na); // bounded, should a reason name each resource
                const one = new analyzerPb.AnalyzeResponse();
                one.setNotApplicableList([na]);
                notApplicableBytes.set(na, Buffer.from(one.serializeBinary()));
            }
        }
        const out = list ?? [];
        out.push(na);
        return out;
    };
    const failure = (p: Policy, e: unknown, ds: Diagnostic[], kind: "validateResource" | "validateStack") => {
        const policyFrom = `policy '${p.name}' from policy pack '${packName}@v${packVersion}'`;
        if (e instanceof UnknownValueError) {
            // eslint-disable-next-line @typescript-eslint/no-unused-vars
            const { [kind]: _validate, name, ...diag } = p as any;
            ds.push({
                policyName: name,
                policyPackName: packName,
                policyPackVersion: packVersion,
                message: `can't run ${policyFrom} during preview: ${(e as Error).message}`,
                ...diag,
                enforcementLevel: "advisory",
            });
            return undefined;
        }
        if (e instanceof NotApplicable) {
            return e;
        }
        throw protoutil.asGrpcError(e, `Error validating resource with ${policyFrom}`);
    };

    /**
     * Runs one validation as the SDK does, its failure handled by `failure`. The SDK awaits every
     * validation; a synchronous one (all of this pack's) is settled at once, without a promise and
     * a turn of the microtask queue per policy, and an asynchronous one is awaited. The answers
     * are the same (test/packPerformance.test.ts compares them byte for byte with the SDK's).
     */
    const settle = (
        p: Policy,
        ds: Diagnostic[],
        kind: "validateResource" | "validateStack",
        run: () => unknown,
    ): ReturnType<typeof failure> | Promise<ReturnType<typeof failure>> => {
        try {
            const result: any = run();
            if (result && typeof result.then === "function") {
                return Promise.resolve(result).then(
                    () => undefined,
                    (e: unknown) => failure(p, e, ds, kind),
                );
            }
            return undefined;
        } catch (e) {
            return failure(p, e, ds, kind);
        }
    };
    const isPromise = (value: unknown): value is Promise<unknown> =>
        typeof (value as Promise<unknown> | undefined)?.then === "function";

    const options = (r: any) => {
        const opts = r.getOptions();
        if (!opts) {
            throw new Error(
                "A more recent version of the Pulumi CLI is required. To upgrade, see https://www.pulumi.com/docs/get-started/install/",
            );
        }
        const timeouts = opts.getCustomtimeouts();
        const result: Record<string, unknown> = {
            protect: opts.getProtect(),
            ignoreChanges: opts.getIgnorechangesList(),
            aliases: opts.getAliasesList(),
            customTimeouts: {
                createSeconds: timeouts?.getCreate() ?? 0.0,
                updateSeconds: timeouts?.getUpdate() ?? 0.0,
                deleteSeconds: timeouts?.getDelete() ?? 0.0,
            },
            additionalSecretOutputs: opts.getAdditionalsecretoutputsList(),
        };
        if (opts.getDeletebeforereplacedefined()) {
            result.deleteBeforeReplace = opts.getDeletebeforereplace();
        }
        if (opts.getParent()) {
            result.parent = opts.getParent();
        }
        return result;
    };
    const providerOf = (r: any) => {
        const prov = r.getProvider();
        if (!prov) {
            return undefined;
        }
        return {
            type: prov.getType(),
            props: proxy.unknownCheckingProxy(deserialize.deserializeProperties(prov.getProperties(), false)),
            urn: prov.getUrn(),
            name: prov.getName(),
        };
    };
    const isTypeOf = (type: string, resourceClass: any): boolean => {
        const pulumiType = policyJs.getPulumiType(resourceClass);
        if (pulumiType) {
            return type === pulumiType;
        }
        const isInstance = resourceClass.isInstance;
        return !!isInstance && typeof isInstance === "function" && isInstance({ __pulumiType: type }) === true;
    };
    /**
     * Adds `props` (and, for stack resources, `opts`) as properties computed on first read: a
     * policy that never reads a resource's properties does not pay for their deserialization.
     */
    const lazyResource = (target: Record<string, any>, message: any) => {
        let props: unknown;
        const propsOf = () =>
            (props ??= proxy.unknownCheckingProxy(deserialize.deserializeProperties(message.getProperties(), false)));
        let opts: unknown;
        Object.defineProperty(target, "props", { enumerable: true, configurable: true, get: propsOf });
        Object.defineProperty(target, "opts", {
            enumerable: true,
            configurable: true,
            get: () => (opts ??= options(message)),
        });
        target.isType = (resourceClass: any) => isTypeOf(target.type, resourceClass);
        target.asType = (resourceClass: any) => (isTypeOf(target.type, resourceClass) ? propsOf() : undefined);
        return target;
    };

    /**
     * What Analyze does for each policy on a resource of one type, worked out once per type and
     * Configure (the levels come from the config): skip it, answer "not applicable" with a
     * message built once, or run it. The same decisions, in the same order, as the loop the SDK
     * runs on every request (server.js makeAnalyzeRpcFun).
     */
    type Step =
        | { readonly run: false; readonly notApplicable: any }
        | {
              readonly run: true;
              readonly policy: ResourceValidationPolicy;
              readonly level: Level;
              readonly validations: readonly ((args: any, report: any) => unknown)[];
              readonly getConfig: () => Record<string, unknown>;
              /** For a policy that judges only some URNs (registry.ts): the test and the answer otherwise. */
              readonly only?: { readonly test: (urn: string) => boolean; readonly notApplicable: any };
          };
    let plans = new Map<string, readonly Step[]>();
    const planFor = (type: string): readonly Step[] => {
        const found = plans.get(type);
        if (found !== undefined) {
            return found;
        }
        const steps: Step[] = [];
        const naStep = (name: string, reason: string) => ({
            run: false as const,
            notApplicable: pushNotApplicable(undefined, name, reason)[0],
        });
        for (const p of policies) {
            let level = levelOf(p);
            if (level === "disabled" || !policyJs.isResourcePolicy(p)) {
                continue;
            }
            const rp = p as ResourceValidationPolicy;
            if (!rp.validateResource) {
                steps.push(naStep(p.name, "Policy does not implement validateResource"));
                continue;
            }
            if (level === "remediate") {
                level = "mandatory";
            }
            let only: { test: (urn: string) => boolean; reason: string } | undefined;
            if (!Array.isArray(rp.validateResource)) {
                const pulumiType = policyJs.getPulumiType(rp.validateResource);
                if (pulumiType && type !== pulumiType) {
                    steps.push(naStep(p.name, `Policy only applies to resources of type '${pulumiType}'`));
                    continue;
                }
                // This pack's multi-type policies say which types they take (registry.ts); for
                // another type they would only call notApplicable with this same reason.
                const types: ReadonlySet<string> | undefined = (rp.validateResource as any)[appliesToKey];
                if (types && !types.has(type)) {
                    steps.push(naStep(p.name, notApplicableReason(types)));
                    continue;
                }
                only = (rp.validateResource as any)[onlyUrnsKey];
            }
            steps.push({
                run: true,
                policy: rp,
                level,
                validations: Array.isArray(rp.validateResource) ? rp.validateResource : [rp.validateResource],
                getConfig: getConfigOf(p.name),
                only: only && { test: only.test, notApplicable: naStep(p.name, only.reason).notApplicable },
            });
        }
        if (plans.size < 1000) {
            plans.set(type, steps); // bounded: one entry per resource type the engine sends
        }
        return steps;
    };

    /**
     * The resource of an Analyze request, shared by its policies: the properties are deserialized
     * (and the options built) on first read, so a policy that never reads them does not pay.
     */
    class AnalyzedResource {
        readonly urn: string;
        readonly name: string;
        readonly provider: unknown;
        readonly isType: (resourceClass: any) => boolean;
        readonly asType: (resourceClass: any) => unknown;
        private propsValue: unknown = undefined;
        private optsValue: unknown = undefined;
        constructor(
            readonly type: string,
            private readonly message: any,
        ) {
            this.urn = message.getUrn();
            this.name = message.getName();
            this.provider = providerOf(message);
            this.isType = (resourceClass) => isTypeOf(type, resourceClass);
            this.asType = (resourceClass) => (isTypeOf(type, resourceClass) ? this.props : undefined);
        }
        get props(): unknown {
            return (this.propsValue ??= proxy.unknownCheckingProxy(
                deserialize.deserializeProperties(this.message.getProperties(), false),
            ));
        }
        get opts(): unknown {
            return (this.optsValue ??= options(this.message));
        }
    }
    /**
     * One policy's arguments, as the SDK builds them (ResourceValidationArgs), with `props` and
     * `opts` read from the shared resource when a policy asks. A class, so that building one per
     * policy and request is a plain allocation (an object literal with getters is not).
     */
    class ResourceArgs {
        readonly type: string;
        readonly urn: string;
        readonly name: string;
        readonly isType: (resourceClass: any) => boolean;
        readonly asType: (resourceClass: any) => unknown;
        readonly stackTags: ReadonlyMap<string, string>;
        readonly notApplicable = throwNotApplicable;
        readonly provider?: unknown;
        constructor(
            private readonly resource: AnalyzedResource,
            readonly getConfig: () => Record<string, unknown>,
        ) {
            this.type = resource.type;
            this.urn = resource.urn;
            this.name = resource.name;
            this.isType = resource.isType;
            this.asType = resource.asType;
            this.stackTags = stackTags;
            if (resource.provider) {
                this.provider = resource.provider;
            }
        }
        get props(): unknown {
            return this.resource.props;
        }
        get opts(): unknown {
            return this.resource.opts;
        }
    }

    const analyzeWith = () => async (call: any, callback: any) => {
        const req = call.request;
        const type: string = req.getType();
        const ds: Diagnostic[] = [];
        let notApplicable: any[] | undefined;
        try {
            let resource: AnalyzedResource | undefined;
            for (const step of planFor(type)) {
                if (!step.run) {
                    (notApplicable ??= []).push(step.notApplicable);
                    continue;
                }
                const p = step.policy;
                const report = reporter(p.name, packName, packVersion, p.description, step.level, ds, p.severity);
                for (const validation of step.validations) {
                    let na: ReturnType<typeof failure> | Promise<ReturnType<typeof failure>>;
                    try {
                        // The SDK checks the options before any policy runs; so do we.
                        resource ??= (options(req), new AnalyzedResource(type, req));
                        if (step.only !== undefined && !step.only.test(resource.urn)) {
                            (notApplicable ??= []).push(step.only.notApplicable);
                            continue;
                        }
                        const result: any = validation(new ResourceArgs(resource, step.getConfig), report);
                        // The SDK awaits every validation; a synchronous one (all of this pack's)
                        // is settled at once, an asynchronous one awaited (see settle).
                        na =
                            result && typeof result.then === "function"
                                ? Promise.resolve(result).then(
                                      () => undefined,
                                      (e: unknown) => failure(p, e, ds, "validateResource"),
                                  )
                                : undefined;
                    } catch (e) {
                        na = failure(p, e, ds, "validateResource");
                    }
                    if (isPromise(na)) {
                        na = await na;
                    }
                    if (na) {
                        notApplicable = pushNotApplicable(notApplicable, p.name, na.reason);
                    }
                }
            }
        } catch (err) {
            callback(err, undefined);
            return;
        }
        callback(undefined, protoutil.makeAnalyzeResponse(ds, notApplicable));
    };

    const analyzeStackWith = (policies: Policy[]) => async (call: any, callback: any) => {
        const req = call.request;
        const list: any[] = req.getResourcesList();
        const ds: Diagnostic[] = [];
        let notApplicable: any[] | undefined;
        let resources: PolicyResource[] | undefined;
        let presentTypes: Set<string> | undefined;
        try {
            for (const p of policies) {
                let level = levelOf(p);
                if (level === "disabled" || !policyJs.isStackPolicy(p)) {
                    continue;
                }
                if (level === "remediate") {
                    level = "mandatory";
                }
                const sp = p as StackValidationPolicy;
                const pulumiType = policyJs.getPulumiType(sp.validateStack);
                if (pulumiType) {
                    presentTypes ??= new Set(list.map((r) => r.getType()));
                    if (!presentTypes.has(pulumiType)) {
                        notApplicable = pushNotApplicable(
                            notApplicable,
                            p.name,
                            `Policy only applies to resources of type '${pulumiType}'`,
                        );
                        continue;
                    }
                }
                const report = reporter(p.name, packName, packVersion, p.description, level, ds, p.severity);
                let na = settle(p, ds, "validateStack", () => {
                    resources ??= buildStack(list);
                    return sp.validateStack(
                        {
                            resources,
                            getConfig: getConfigOf(p.name),
                            stackTags,
                            notApplicable: throwNotApplicable,
                        } as any,
                        report,
                    );
                });
                if (isPromise(na)) {
                    na = await na;
                }
                if (na) {
                    notApplicable = pushNotApplicable(notApplicable, p.name, na.reason);
                }
            }
        } catch (err) {
            callback(err, undefined);
            return;
        }
        callback(undefined, protoutil.makeAnalyzeResponse(ds, notApplicable));
    };

    /** The stack's resources as the SDK builds them for a stack policy, built once. */
    const buildStack = (list: any[]): PolicyResource[] => {
        const byUrn = new Map<string, any>();
        const resolve = (urns: string[]) => urns.map((d) => byUrn.get(d)).filter((d) => d);
        const resources = list.map((r) => {
            if (!r.getOptions()) {
                options(r); // the SDK's error for a CLI too old to send options
            }
            const resource: any = lazyResource({ type: r.getType(), urn: r.getUrn(), name: r.getName() }, r);
            const provider = providerOf(r);
            if (provider) {
                resource.provider = provider;
            }
            // Dependencies as resource objects, resolved on first read (most are never read).
            let dependencies: unknown;
            let propertyDependencies: Record<string, unknown[]> | undefined;
            Object.defineProperty(resource, "dependencies", {
                enumerable: true,
                configurable: true,
                get: () => (dependencies ??= resolve(r.getDependenciesList())),
            });
            Object.defineProperty(resource, "propertyDependencies", {
                enumerable: true,
                configurable: true,
                get: () => {
                    if (propertyDependencies === undefined) {
                        propertyDependencies = {};
                        const map = r.getPropertydependenciesMap();
                        if (map) {
                            for (const [k, v] of map.entries()) {
                                propertyDependencies[k] = resolve(v.getUrnsList());
                            }
                        }
                    }
                    return propertyDependencies;
                },
            });
            byUrn.set(resource.urn, resource);
            return resource;
        });
        list.forEach((r, i) => {
            const parentUrn = r.getParent();
            const parent = parentUrn ? byUrn.get(parentUrn) : undefined;
            if (parent) {
                resources[i].parent = parent;
            }
        });
        return resources;
    };

    const original = grpc.Server.prototype.addService;
    grpc.Server.prototype.addService = function (service: unknown, implementation: Record<string, any>) {
        grpc.Server.prototype.addService = original;
        if (service !== analyzerGrpc.AnalyzerService) {
            return original.call(this, service, implementation);
        }
        const sdkConfigure = implementation.configure;
        const sdkConfigureStack = implementation.configureStack;
        const analyze = analyzerGrpc.AnalyzerService.analyze;
        const definition = {
            ...analyzerGrpc.AnalyzerService,
            analyze: { ...analyze, responseSerialize: encodeAnalyzeResponse(analyze.responseSerialize) },
        };
        return original.call(this, definition, {
            ...implementation,
            analyze: analyzeWith(),
            analyzeStack: analyzeStackWith(policies),
            configure: (call: any, callback: any) => {
                try {
                    const next: Record<string, Record<string, unknown>> = {};
                    for (const [k, v] of call.request.getPolicyconfigMap().entries()) {
                        const props = v.getProperties().toJavaScript();
                        props.enforcementLevel = protoutil.convertEnforcementLevel(v.getEnforcementlevel());
                        next[k] = props;
                    }
                    config = next;
                    configOf = new Map();
                    plans = new Map();
                } catch {
                    // The SDK's handler reports the same error.
                }
                return sdkConfigure(call, callback);
            },
            configureStack: (call: any, callback: any) => {
                try {
                    stackTags = new Map(call.request.getTagsMap().entries());
                } catch {
                    // The SDK's handler reports the same error.
                }
                return sdkConfigureStack(call, callback);
            },
        });
    };
    return true;
}
