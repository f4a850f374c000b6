// Runs a Pulumi program under the real @pulumi/pulumi runtime with mocks in place of the engine
// and providers, and records every resource registration the way the engine receives it: type,
// URN, parent, dependencies, property dependencies and the serialized inputs (unknown values as
// the engine's sentinel during preview, secrets still wrapped).
import * as pulumi from "@pulumi/pulumi";
import * as path from "path";

export const mockAccountId = "123456789012";
export const mockRegion = "us-east-1";
export const mockZones = ["us-east-1a", "us-east-1b", "us-east-1c"];

/** The Pulumi wire signatures of special values. */
export const sig = {
    key: "4dabf18193072939515e22adb298388d",
    secret: "1b47061264138c4ac30d75fd1eb44270",
    resourceReference: "5cf8f73096256a8f31e491e813e4eb8e",
};
export const unknownSentinel = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

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

let running = false;

/**
 * Runs `program` (a function, or the path of a Pulumi program module) under mocks and returns
 * what it registered. One run at a time: mocks are process-wide.
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
    const resources: RecordedResource[] = [];
    const errors: Error[] = [];
    const warnings: string[] = [];
    const subnetZones: Record<string, string> = { ...(options.subnetZones ?? {}) };
    // The engine stops a program at its first error; a registration whose input failed never
    // completes, so waiting for every RPC would hang. Stop waiting shortly after the first error.
    let signalError: () => void = () => undefined;
    const firstError = new Promise<void>((resolve) => (signalError = () => setTimeout(resolve, 50)));
    const onRejection = (reason: unknown) => {
        errors.push(reason instanceof Error ? reason : new Error(String(reason)));
        signalError();
    };
    process.on("unhandledRejection", onRejection);

    const mocksModule = require("@pulumi/pulumi/runtime/mocks");
    const monitorProto = mocksModule.MockMonitor.prototype;
    const originalRegister = monitorProto.registerResource;
    const originalRegisterOutputs = monitorProto.registerResourceOutputs;
    const originalLog = pulumi.log.warn;
    const record = new Map<string, RecordedResource>();
    monitorProto.registerResource = function (this: any, req: any, callback: any) {
        const propertyDependencies: Record<string, string[]> = {};
        req.getPropertydependenciesMap().forEach((deps: any, key: string) => {
            propertyDependencies[key] = deps.getUrnsList();
        });
        const entry: RecordedResource = {
            type: req.getType(),
            name: req.getName(),
            urn: this.newUrn(req.getParent(), req.getType(), req.getName()),
            custom: req.getCustom(),
            parent: req.getParent(),
            retainOnDelete: !!req.getRetainondelete?.(),
            dependencies: req.getDependenciesList(),
            propertyDependencies,
            inputs: toEngineForm(req.getObject()?.toJavaScript() ?? {}) as Record<string, unknown>,
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
        const entry = record.get(req.getUrn());
        if (entry) {
            entry.outputs = req.getOutputs()?.toJavaScript() ?? {};
        }
        return originalRegisterOutputs.call(this, req, callback);
    };
    (pulumi.log as any).warn = (message: string) => {
        warnings.push(message);
    };

    const mocks: pulumi.runtime.Mocks = {
        newResource(args) {
            const inputs = args.inputs as Record<string, any>;
            if (args.type === "aws:ec2/subnet:Subnet" && typeof inputs.availabilityZone === "string") {
                subnetZones[mockId(args.type, args.name)] = inputs.availabilityZone;
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
                    return { partition: "aws", dnsSuffix: "amazonaws.com", id: "aws" };
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
                    return { id, availabilityZone: zone, vpcId: "vpc-mock" };
                }
                default:
                    return args.inputs;
            }
        },
    };

    try {
        await pulumi.runtime.setMocks(mocks, project, options.stack ?? "dev", options.preview);
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
        return { resources, exports, errors: dedupe(errors), warnings };
    } finally {
        monitorProto.registerResource = originalRegister;
        monitorProto.registerResourceOutputs = originalRegisterOutputs;
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
