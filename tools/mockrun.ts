// Runs a Pulumi program under the real @pulumi/pulumi runtime with mocks in place of the engine
// and providers, and records every resource registration the way the engine receives it: type,
// URN, parent, dependencies, property dependencies and the serialized inputs (unknown values as
// the engine's sentinel during preview, secrets still wrapped).
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";

export const mockAccountId = "123456789012";
export const mockRegion = "us-east-1";
export const mockZones = ["us-east-1a", "us-east-1b", "us-east-1c"];

import { sig, unknownSentinel } from "./wire";
import { structPb } from "./sdkModules";
export { fromWire, sig, unknownSentinel } from "./wire";

export interface RecordedResource {
    type: string;
    name: string;
    urn: string;
    custom: boolean;
    parent: string;
    retainOnDelete: boolean;
    dependencies: string[];
    propertyDependencies: Record<string, string[]>;
    /** Inputs as the engine sends them to an analyzer: wire form, resource references as IDs. */
    inputs: Record<string, unknown>;
    /** The state the mock returned (inputs plus computed outputs in update mode). */
    state: Record<string, unknown>;
    /** What a component registered with `registerOutputs`, in wire form. */
    outputs?: Record<string, unknown>;
}

export interface MockRunOptions {
    /** Preview (unknown computed values) or update (every value known). */
    preview: boolean;
    project?: string;
    stack?: string;
    /** Stack configuration, keys without the project prefix (`vpcId`), values as Pulumi stores them. */
    config?: Record<string, string>;
    /** Availability zones of existing subnets, for `aws.ec2.getSubnet`. */
    subnetZones?: Record<string, string>;
    /**
     * VPCs of existing subnets, for `aws.ec2.getSubnet`. A subnet the program creates has the
     * `vpcId` it was given; any other subnet's VPC is left out of the answer (not known to the mock).
     */
    subnetVpcs?: Record<string, string>;
    /** The partition `aws.getPartition` answers (default `aws`). */
    partition?: string;
    /** IAM policy ARNs `aws.iam.getPolicy` does not find (every other policy exists). */
    absentIamPolicies?: string[];
    /** The documents `aws.iam.getPolicy` answers for these policy ARNs (others answer `{}`). */
    iamPolicyDocuments?: Record<string, string>;
    /**
     * Fill in what the provider's Check would before a resource is analyzed or created: auto-names
     * and the documented defaults of properties the pack reads (see `withProviderDefaults`).
     */
    providerDefaults?: boolean;
}

export interface MockRunResult {
    resources: RecordedResource[];
    /** The module's exports, resolved (secrets stay wrapped as Outputs marked secret). */
    exports: Record<string, unknown>;
    /** Errors the program raised, including those thrown inside `apply`. */
    errors: Error[];
    warnings: string[];
}

/** Turns resource references into the ID (or URN) the engine would pass after provider Check. */
function toEngineForm(value: unknown): unknown {
    if (Array.isArray(value)) {
        return value.map(toEngineForm);
    }
    if (value !== null && typeof value === "object") {
        const obj = value as Record<string, unknown>;
        if (obj[sig.key] === sig.resourceReference) {
            return typeof obj.id === "string" && obj.id !== "" ? obj.id : obj.urn;
        }
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(obj)) {
            out[k] = toEngineForm(v);
        }
        return out;
    }
    return value;
}

/**
 * Physical names the AWS provider generates when the program gives none. Pulumi auto-names a
 * resource from its logical name plus "-" and seven random hex digits ("my-role-d7c2fa0",
 * https://www.pulumi.com/docs/iac/concepts/resources/names/#autonaming). pulumi-aws auto-names the
 * input `name` of every resource that has one, up to 255 characters (provider/resources.go,
 * `setAutonaming`), and a few identifiers besides, lower-cased first where AWS stores them in lower
 * case (`tfbridge.AutoNameTransform(..., strings.ToLower)`): ReplicationGroup.replicationGroupId
 * (40; "stored as a lowercase string", CreateReplicationGroup), Cluster.clusterId (50), and
 * s3.Bucket.bucket (63). ElastiCache also stores subnet group names in lower case
 * ("This value is stored as a lowercase string",
 * https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_CreateCacheSubnetGroup.html),
 * which @pulumi/aws documents ("ElastiCache converts this name to lowercase").
 */
const autoNamed: Record<string, { property: string; maxLength: number; lowercase: boolean; conflicts: string[] }> = {
    "aws:elasticache/replicationGroup:ReplicationGroup": {
        property: "replicationGroupId",
        maxLength: 40,
        lowercase: true,
        conflicts: [],
    },
    "aws:elasticache/cluster:Cluster": { property: "clusterId", maxLength: 50, lowercase: true, conflicts: [] },
    "aws:elasticache/subnetGroup:SubnetGroup": { property: "name", maxLength: 255, lowercase: true, conflicts: [] },
    "aws:s3/bucket:Bucket": { property: "bucket", maxLength: 63, lowercase: true, conflicts: ["bucketPrefix"] },
    "aws:s3/bucketV2:BucketV2": { property: "bucket", maxLength: 63, lowercase: true, conflicts: ["bucketPrefix"] },
};

/**
 * Provider defaults (Terraform schema `Default`, applied by the bridge in Check) of properties the
 * policy pack reads, as @pulumi/aws documents them: ReplicationGroup `engine` "Default is `redis`",
 * `automaticFailoverEnabled` and `multiAzEnabled` "Defaults to `false`"; ec2.Subnet
 * `mapPublicIpOnLaunch` "Default is `false`"; kms.Key `enableKeyRotation` "Defaults to `false`".
 * A default is skipped when a property it conflicts with is set (a secondary of a global
 * datastore takes its engine from the primary).
 */
const defaults: Record<string, { values: Record<string, unknown>; conflicts: Record<string, string[]> }> = {
    "aws:elasticache/replicationGroup:ReplicationGroup": {
        values: { engine: "redis", automaticFailoverEnabled: false, multiAzEnabled: false },
        conflicts: { engine: ["globalReplicationGroupId"] },
    },
    "aws:ec2/subnet:Subnet": { values: { mapPublicIpOnLaunch: false }, conflicts: {} },
    "aws:kms/key:Key": { values: { enableKeyRotation: false }, conflicts: {} },
};

const nameInputCache = new Map<string, boolean>();

/** Whether the @pulumi/aws args of `type` have a `name` input (pulumi-aws auto-names those). */
export function hasNameInput(type: string): boolean {
    const cached = nameInputCache.get(type);
    if (cached !== undefined) {
        return cached;
    }
    let found = false;
    const match = /^aws:([A-Za-z0-9]+\/[A-Za-z0-9]+):([A-Za-z0-9]+)$/.exec(type);
    if (match) {
        try {
            const awsDir = path.dirname(require.resolve("@pulumi/aws/package.json"));
            const text = fs.readFileSync(path.join(awsDir, `${match[1]}.d.ts`), "utf8");
            const start = text.indexOf(`export interface ${match[2]}Args {`);
            const end = start < 0 ? -1 : text.indexOf("\n}", start);
            found = start >= 0 && /^\s+name\?:/m.test(text.slice(start, end));
        } catch {
            found = false;
        }
    }
    nameInputCache.set(type, found);
    return found;
}

const isSet = (value: unknown) => value !== undefined && value !== null && value !== "";

/** `base` + "-" + seven hex digits derived from the URN: random-looking, but the same every run. */
export function autoName(base: string, urn: string, maxLength: number, lowercase: boolean): string {
    const suffix = createHash("sha256").update(urn).digest("hex").slice(0, 7);
    const prefix = `${lowercase ? base.toLowerCase() : base}-`;
    return `${prefix.slice(0, Math.max(0, maxLength - suffix.length))}${suffix}`;
}

/**
 * The inputs as the AWS provider's Check returns them: auto-names and the defaults the pack reads
 * filled in where the program left them out. Other values are untouched.
 */
export function withProviderDefaults(
    type: string,
    name: string,
    urn: string,
    inputs: Record<string, unknown>,
): Record<string, unknown> {
    const out = { ...inputs };
    const naming =
        autoNamed[type] ??
        (hasNameInput(type)
            ? { property: "name", maxLength: 255, lowercase: false, conflicts: ["namePrefix"] }
            : undefined);
    if (naming && !isSet(out[naming.property]) && !naming.conflicts.some((c) => isSet(out[c]))) {
        out[naming.property] = autoName(name, urn, naming.maxLength, naming.lowercase);
    }
    const typeDefaults = defaults[type];
    for (const [key, value] of Object.entries(typeDefaults?.values ?? {})) {
        const conflicting = (typeDefaults.conflicts[key] ?? []).some((c) => isSet(out[c]));
        if (out[key] === undefined && !conflicting) {
            out[key] = value;
        }
    }
    return out;
}

/** Deterministic stand-ins for values a provider computes. */
function computedOutputs(type: string, name: string, inputs: Record<string, any>): Record<string, unknown> {
    const arn = (service: string, resource: string) => `arn:aws:${service}:${mockRegion}:${mockAccountId}:${resource}`;
    switch (type) {
        case "aws:elasticache/replicationGroup:ReplicationGroup": {
            const rgId = inputs.replicationGroupId ?? name;
            const clustered = inputs.clusterMode === "enabled";
            return {
                arn: arn("elasticache", `replicationgroup:${rgId}`),
                primaryEndpointAddress: clustered ? undefined : `master.${rgId}.abc123.use1.cache.amazonaws.com`,
                readerEndpointAddress: clustered ? undefined : `replica.${rgId}.abc123.use1.cache.amazonaws.com`,
                configurationEndpointAddress: clustered
                    ? `clustercfg.${rgId}.abc123.use1.cache.amazonaws.com`
                    : undefined,
            };
        }
        case "aws:kms/key:Key":
            return { arn: arn("kms", `key/${name}-key-id`), keyId: `${name}-key-id` };
        case "aws:sns/topic:Topic":
            return { arn: arn("sns", inputs.name ?? name) };
        case "aws:secretsmanager/secret:Secret":
            return { arn: arn("secretsmanager", `secret:${inputs.name ?? name}-AbCdEf`) };
        case "random:index/randomPassword:RandomPassword":
            // The provider returns `result` as a secret; so does the mock.
            return {
                result: pulumi.secret(
                    "Mock-Token-0123456789-abcdefghij-ABCDEFGHIJ-!&#$^<>-0123456789xyz".slice(0, inputs.length ?? 32),
                ),
            };
        case "random:index/randomString:RandomString":
            return { result: "k3j9x2m1".slice(0, inputs.length ?? 8) };
        case "aws:s3/bucket:Bucket": {
            const bucket = inputs.bucket ?? `${inputs.bucketPrefix ?? name}mock0001`;
            return { bucket, arn: `arn:aws:s3:::${bucket}` };
        }
        case "aws:lambda/function:Function":
            return { arn: arn("lambda", `function:${inputs.name ?? name}`) };
        case "aws:cloudtrail/trail:Trail":
            return { arn: arn("cloudtrail", `trail/${inputs.name ?? name}`) };
        case "aws:elasticache/userGroup:UserGroup":
            return { arn: arn("elasticache", `usergroup:${inputs.userGroupId}`) };
        case "aws:elasticache/user:User":
            return { arn: arn("elasticache", `user:${inputs.userId}`) };
        default:
            return { arn: arn(type.split(":")[1]?.split("/")[0] ?? "svc", name) };
    }
}

function mockId(type: string, name: string): string {
    const prefix: Record<string, string> = {
        "aws:ec2/securityGroup:SecurityGroup": "sg-",
        "aws:ec2/subnet:Subnet": "subnet-",
        "aws:ec2/vpc:Vpc": "vpc-",
    };
    return `${prefix[type] ?? ""}${name}-id`;
}

/** A module of the @pulumi/pulumi copy in `sdkDir` (the program's own), or of ours. */
function sdkModule(sdkDir: string | undefined, id: string): any {
    return require(sdkDir ? path.join(sdkDir, id) : `@pulumi/pulumi/${id}`);
}

/**
 * The engine names a resource `urn:pulumi:<stack>::<project>::<parent types$type>::<name>`, leaving
 * out the root Stack's type (pkg/resource/deploy/deployment.go, generateURN: `if parent != "" &&
 * parent.QualifiedType() != resource.RootStackType`). MockMonitor prefixes every parent's type.
 */
export const rootStackType = "pulumi:pulumi:Stack";
function engineUrn(parent: string, type: string, name: string, stack: string, project: string): string {
    const qualified = parent ? parent.split("::")[2] : "";
    const prefix = qualified && qualified !== rootStackType ? `${qualified}$` : "";
    return `urn:pulumi:${stack}::${project}::${prefix}${type}::${name}`;
}

/** What a run under mocks records, as the engine would receive it. */
interface MockSession {
    mocks: pulumi.runtime.Mocks;
    resources: RecordedResource[];
    /** What the program's Stack registered as its outputs (wire form), once it has. */
    stackOutputs?: Record<string, unknown>;
    /** Puts the SDK back as it was. */
    restore(): void;
}

/**
 * Installs the recording mock monitor on the SDK in `sdkDir`: every registration recorded with its
 * wire inputs (after the provider's Check where `providerDefaults` asks for it), every response's
 * state, every component's outputs. `onStackOutputs` is called when the root Stack registers its
 * outputs, which it does once the program has run and its resources are registered.
 */
function installMocks(options: MockRunOptions, sdkDir?: string, onStackOutputs?: () => void): MockSession {
    const resources: RecordedResource[] = [];
    const subnetZones: Record<string, string> = { ...(options.subnetZones ?? {}) };
    const subnetVpcs: Record<string, string> = { ...(options.subnetVpcs ?? {}) };
    const mocksModule = sdkModule(sdkDir, "runtime/mocks");
    const settingsModule = sdkModule(sdkDir, "runtime/settings");
    const monitorProto = mocksModule.MockMonitor.prototype;
    const originalRegister = monitorProto.registerResource;
    const originalRegisterOutputs = monitorProto.registerResourceOutputs;
    const originalNewUrn = monitorProto.newUrn;
    const originalShutdown = monitorProto.signalAndWaitForShutdown;
    const record = new Map<string, RecordedResource>();
    const session: MockSession = { mocks: undefined as unknown as pulumi.runtime.Mocks, resources, restore };
    monitorProto.newUrn = function (parent: string, type: string, name: string) {
        return engineUrn(parent, type, name, settingsModule.getStack(), settingsModule.getProject());
    };
    // The engine answers once every step is done; under mocks every step is done at once.
    monitorProto.signalAndWaitForShutdown = function (_req: unknown, callback: (e: null, r: unknown) => void) {
        callback(null, {});
    };
    monitorProto.registerResource = function (this: any, req: any, callback: any) {
        if (req.getType() === rootStackType) {
            return originalRegister.call(this, req, callback);
        }
        const propertyDependencies: Record<string, string[]> = {};
        req.getPropertydependenciesMap().forEach((deps: any, key: string) => {
            propertyDependencies[key] = deps.getUrnsList();
        });
        const urn = this.newUrn(req.getParent(), req.getType(), req.getName());
        let wireInputs: Record<string, unknown> = req.getObject()?.toJavaScript() ?? {};
        if (options.providerDefaults && req.getCustom()) {
            // As the provider's Check: the filled-in inputs are what the engine analyzes and creates.
            const checked = withProviderDefaults(req.getType(), req.getName(), urn, wireInputs);
            if (Object.keys(checked).length !== Object.keys(wireInputs).length) {
                wireInputs = checked;
                req.setObject(structPb.Struct.fromJavaScript(checked));
            }
        }
        const entry: RecordedResource = {
            type: req.getType(),
            name: req.getName(),
            urn,
            custom: req.getCustom(),
            parent: req.getParent(),
            retainOnDelete: !!req.getRetainondelete?.(),
            dependencies: req.getDependenciesList(),
            propertyDependencies,
            inputs: toEngineForm(wireInputs) as Record<string, unknown>,
            state: {},
        };
        resources.push(entry);
        record.set(entry.urn, entry);
        return originalRegister.call(this, req, (err: any, resp: any) => {
            if (resp) {
                entry.state = resp.getObject()?.toJavaScript() ?? {};
            }
            callback(err, resp);
        });
    };
    monitorProto.registerResourceOutputs = function (this: any, req: any, callback: any) {
        const outputs = req.getOutputs()?.toJavaScript() ?? {};
        const entry = record.get(req.getUrn());
        if (entry) {
            entry.outputs = outputs;
        } else if (req.getUrn().split("::")[2] === rootStackType) {
            session.stackOutputs = outputs;
            return originalRegisterOutputs.call(this, req, (err: any, resp: any) => {
                callback(err, resp);
                onStackOutputs?.();
            });
        }
        return originalRegisterOutputs.call(this, req, callback);
    };
    // The SDK stamps every internal promise with `new Error().stack`, for a leak report few read
    // (PULUMI_DEBUG_PROMISE_LEAKS). Under ts-node each stack is source-mapped, which made that
    // most of the time of a large program (2 ms a resource). Unless leaks are being debugged, the
    // stamp is taken with an empty trace.
    const debuggable = sdkModule(sdkDir, "runtime/debuggable");
    const originalDebuggable = debuggable.debuggablePromise;
    if (!debuggable.debugPromiseLeaks) {
        debuggable.debuggablePromise = function (this: unknown, ...args: unknown[]) {
            const limit = Error.stackTraceLimit;
            Error.stackTraceLimit = 0;
            try {
                return originalDebuggable.apply(this, args);
            } finally {
                Error.stackTraceLimit = limit;
            }
        };
    }
    function restore() {
        monitorProto.registerResource = originalRegister;
        monitorProto.registerResourceOutputs = originalRegisterOutputs;
        monitorProto.newUrn = originalNewUrn;
        monitorProto.signalAndWaitForShutdown = originalShutdown;
        debuggable.debuggablePromise = originalDebuggable;
    }

    session.mocks = {
        newResource(args) {
            const inputs = args.inputs as Record<string, any>;
            if (args.type === "aws:ec2/subnet:Subnet" && typeof inputs.availabilityZone === "string") {
                subnetZones[mockId(args.type, args.name)] = inputs.availabilityZone;
            }
            if (args.type === "aws:ec2/subnet:Subnet" && typeof inputs.vpcId === "string") {
                subnetVpcs[mockId(args.type, args.name)] = inputs.vpcId;
            }
            if (options.preview || !args.custom) {
                return { id: options.preview ? undefined : `${args.name}-id`, state: inputs };
            }
            return {
                id: mockId(args.type, args.name),
                state: { ...inputs, ...computedOutputs(args.type, args.name, inputs) },
            };
        },
        call(args) {
            switch (args.token) {
                case "aws:index/getCallerIdentity:getCallerIdentity":
                    return {
                        accountId: mockAccountId,
                        arn: `arn:aws:iam::${mockAccountId}:user/ci`,
                        userId: "AIDAMOCK",
                        id: mockAccountId,
                    };
                case "aws:index/getPartition:getPartition":
                    return {
                        partition: options.partition ?? "aws",
                        dnsSuffix: "amazonaws.com",
                        id: options.partition ?? "aws",
                    };
                case "aws:index/getRegion:getRegion":
                    return { region: mockRegion, name: mockRegion, id: mockRegion };
                case "aws:index/getAvailabilityZones:getAvailabilityZones":
                    return { names: mockZones, zoneIds: ["use1-az1", "use1-az2", "use1-az4"], id: mockRegion };
                case "aws:s3/getCanonicalUserId:getCanonicalUserId":
                    return { id: "mock-owner-canonical-id", displayName: "owner" };
                case "aws:ec2/getSubnet:getSubnet": {
                    const id = String(args.inputs.id);
                    // Subnets the program did not create get zones in turn, as a real VPC's would.
                    if (subnetZones[id] === undefined) {
                        subnetZones[id] = mockZones[Object.keys(subnetZones).length % mockZones.length];
                    }
                    const zone = subnetZones[id];
                    return { id, availabilityZone: zone, ...(subnetVpcs[id] ? { vpcId: subnetVpcs[id] } : {}) };
                }
                case "aws:iam/getPolicy:getPolicy":
                    if (options.absentIamPolicies?.includes(String(args.inputs.arn))) {
                        // terraform-provider-aws internal/service/iam/policy_data_source.go: "reading IAM
                        // Policy (%s): %s" around findPolicyByARN's NotFoundError, whose text is
                        // "couldn't find resource" (terraform-plugin-sdk helper/retry/error.go).
                        // The engine hands the provider's error to the SDK as the gRPC status details
                        // (@pulumi/pulumi runtime/invoke.ts: `new Error(err.details)`).
                        const details = `invocation of aws:iam/getPolicy:getPolicy returned an error: invoking aws:iam/getPolicy:getPolicy: 1 error occurred:\n\t* reading IAM Policy (${args.inputs.arn}): couldn't find resource`;
                        throw Object.assign(new Error(details), { details, code: 2 });
                    }
                    return {
                        ...args.inputs,
                        policy: options.iamPolicyDocuments?.[String(args.inputs.arn)] ?? "{}",
                        path: "/",
                    };
                default:
                    return args.inputs;
            }
        },
    };
    return session;
}

let running = false;

/**
 * Runs `program` (a function, or the path of a module) in this process under mocks and returns
 * what it registered. For components and fragments in tests; a Pulumi project is run as the
 * language host runs it by `runProgramInChild`. One run at a time: mocks are process-wide.
 */
export async function runUnderMocks(
    program: string | (() => unknown),
    options: MockRunOptions,
): Promise<MockRunResult> {
    if (running) {
        throw new Error("runUnderMocks: another run is in progress; mocks are process-wide.");
    }
    running = true;
    const project = options.project ?? "hitrust-elasticache";
    const errors: Error[] = [];
    const warnings: string[] = [];
    // The engine stops a program at its first error; a registration whose input failed never
    // completes, so waiting for every RPC would hang. Stop waiting shortly after the first error.
    let signalError: () => void = () => undefined;
    const firstError = new Promise<void>((resolve) => (signalError = () => setTimeout(resolve, 50)));
    const onRejection = (reason: unknown) => {
        errors.push(reason instanceof Error ? reason : new Error(String(reason)));
        signalError();
    };
    process.on("unhandledRejection", onRejection);
    const session = installMocks(options);
    const originalLog = pulumi.log.warn;
    (pulumi.log as any).warn = (message: string) => {
        warnings.push(message);
    };

    try {
        await pulumi.runtime.setMocks(session.mocks, project, options.stack ?? "dev", options.preview);
        const config: Record<string, string> = {};
        for (const [key, value] of Object.entries(options.config ?? {})) {
            config[key.includes(":") ? key : `${project}:${key}`] = value;
        }
        pulumi.runtime.setAllConfig(config);
        let exported: Record<string, unknown> = {};
        try {
            if (typeof program === "string") {
                const resolved = require.resolve(path.resolve(program));
                delete require.cache[resolved];
                exported = { ...require(resolved) };
            } else {
                await program();
            }
        } catch (e) {
            onRejection(e);
        }
        // Wait for every registration, and for applies to settle, before reading the record.
        const settings = require("@pulumi/pulumi/runtime/settings");
        try {
            await Promise.race([settings.waitForRPCs(), firstError]);
        } catch (e) {
            onRejection(e);
        }
        await new Promise((resolve) => setTimeout(resolve, 10));
        // After an error some outputs never settle; their exports are left out.
        const exports: Record<string, unknown> = {};
        if (errors.length === 0) {
            for (const [key, value] of Object.entries(exported)) {
                exports[key] = await resolveOutput(value);
            }
        }
        return { resources: session.resources, exports, errors: dedupe(errors), warnings };
    } finally {
        session.restore();
        (pulumi.log as any).warn = originalLog;
        process.removeListener("unhandledRejection", onRejection);
        running = false;
    }
}

function dedupe(errors: Error[]): Error[] {
    return [...new Set(errors)];
}

/** Resolves an exported Output: unknown ones as `unknownSentinel`, secret ones as "[secret]". */
async function resolveOutput(value: unknown): Promise<unknown> {
    if (!pulumi.Output.isInstance(value)) {
        return value;
    }
    const output = value as any;
    if (!(await output.isKnown)) {
        return unknownSentinel;
    }
    if (await output.isSecret) {
        return "[secret]";
    }
    return output.promise();
}

// ---------------------------------------------------------------------------------------------
// The language host's side of a run. `pulumi up` starts `node @pulumi/pulumi/cmd/run` in the
// program's process; `tools/langhost.ts` starts it the same way with `langhost-preload.js`
// loaded first, which calls `serveLanguageHostChild` to put the mock monitor in the engine's place.

/** What the preload is told through the environment (HITRUST_MOCKRUN). */
export interface LanguageHostChildRequest {
    options: MockRunOptions;
    /** The @pulumi/pulumi package whose cmd/run runs the program. */
    sdkDir: string;
    /** Where the record is written when the process exits. */
    resultFile: string;
}

/** What the child writes to `resultFile` on exit. */
export interface LanguageHostChildRecord {
    resources: RecordedResource[];
    stackOutputs?: Record<string, unknown>;
}

/** In the program's process, before cmd/run: mocks in place of the engine's monitor, a record on exit. */
export function serveLanguageHostChild(request: LanguageHostChildRequest): void {
    const { options, sdkDir, resultFile } = request;
    const write = () => {
        const record: LanguageHostChildRecord = { resources: session.resources, stackOutputs: session.stackOutputs };
        fs.writeFileSync(resultFile, JSON.stringify(record));
    };
    // Written once the Stack has its outputs (a program that never ends is stopped after that),
    // and again when the process exits.
    const session = installMocks(options, sdkDir, () => {
        write();
        process.send?.({ kind: "registered" });
    });
    // setMocks sets the monitor synchronously (its body has no await before it); cmd/run then finds
    // the mock monitor where it would connect to the engine's.
    void sdkModule(sdkDir, "runtime/mocks").setMocks(
        session.mocks,
        options.project ?? "project",
        options.stack ?? "dev",
        options.preview,
    );
    // The IPC channel must not keep the program alive: the language host waits for the event loop
    // to drain, and so does cmd/run before it signals shutdown.
    (process as any).channel?.unref?.();
    process.on("exit", write);
}
