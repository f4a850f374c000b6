// The multi-language package as the engine runs it: the compiled package started through
// `node @pulumi/pulumi/cmd/run-plugin <dir> <engine>`, as the Node.js language host's RunPlugin does,
// talking to a fake engine (ResourceMonitor and Engine gRPC services) that records every
// registration, invoke and log line the component sends while it serves Construct. One build and
// one host process serve every test file that asks for them (schema.test.ts, construct.test.ts):
// starting run-plugin type-checks the package, which takes most of the time.
import * as assert from "assert";
import { ChildProcess, spawn, spawnSync } from "child_process";
import * as path from "path";
import { servingPort } from "../tools/analyzer";
import { mockAccountId, mockRegion } from "../tools/mockrun";
import { emptyPb, grpc, pulumiDir, structPb } from "../tools/sdkModules";

const root = path.join(__dirname, "..");
const providerGrpc = require("@pulumi/pulumi/proto/provider_grpc_pb");
const providerPb = require("@pulumi/pulumi/proto/provider_pb");
const resourceGrpc = require("@pulumi/pulumi/proto/resource_grpc_pb");
const resourcePb = require("@pulumi/pulumi/proto/resource_pb");
const engineGrpc = require("@pulumi/pulumi/proto/engine_grpc_pb");
const enginePb = require("@pulumi/pulumi/proto/engine_pb");

/** One RegisterResource call as the engine received it (inputs in wire form). */
export interface Registration {
    type: string;
    name: string;
    custom: boolean;
    parent: string;
    urn: string;
    inputs: Record<string, unknown>;
}

export interface EngineRecord {
    registrations: Registration[];
    outputs: { urn: string; outputs: Record<string, unknown> }[];
    invokes: { token: string; args: Record<string, unknown> }[];
    logs: { severity: number; message: string }[];
}

/** What the fake engine's invokes answer; `secretValues` maps a secret ID to its SecretString. */
export const lookups = {
    subnetZones: { "subnet-a": "us-east-1a", "subnet-b": "us-east-1b", "subnet-c": "us-east-1c" } as Record<
        string,
        string
    >,
    secretValues: {} as Record<string, string>,
};

function invokeResult(token: string, args: Record<string, any>): Record<string, unknown> {
    switch (token) {
        case "aws:index/getCallerIdentity:getCallerIdentity":
            return { accountId: mockAccountId, arn: `arn:aws:iam::${mockAccountId}:user/ci`, userId: "AIDA", id: "x" };
        case "aws:index/getPartition:getPartition":
            return { partition: "aws", dnsSuffix: "amazonaws.com", id: "aws" };
        case "aws:index/getRegion:getRegion":
            return { region: mockRegion, name: mockRegion, id: mockRegion };
        case "aws:ec2/getSubnet:getSubnet":
            return { id: args.id, availabilityZone: lookups.subnetZones[args.id], vpcId: "vpc-123" };
        case "aws:secretsmanager/getSecretVersion:getSecretVersion": {
            const value = lookups.secretValues[args.secretId];
            if (value === undefined) {
                throw new Error(`ResourceNotFoundException: Secrets Manager can't find the specified secret.`);
            }
            // Returned unmarked, the worst a provider could do: the component must mark it itself.
            return { arn: args.secretId, id: args.secretId, secretId: args.secretId, secretString: value };
        }
        default:
            return args;
    }
}

/** A ResourceMonitor and Engine that answer as the engine does in preview and record every call. */
class FakeEngine {
    record: EngineRecord = { registrations: [], outputs: [], invokes: [], logs: [] };
    private readonly server = new grpc.Server();

    async start(): Promise<number> {
        const struct = (s: any) => (s ? s.toJavaScript() : {});
        this.server.addService(resourceGrpc.ResourceMonitorService, {
            supportsFeature: (call: any, cb: any) => {
                const resp = new resourcePb.SupportsFeatureResponse();
                resp.setHassupport(true);
                cb(null, resp);
            },
            registerResource: (call: any, cb: any) => {
                const req = call.request;
                const urn = `urn:pulumi:dev::consumer::${req.getType()}::${req.getName()}`;
                const inputs = struct(req.getObject());
                this.record.registrations.push({
                    type: req.getType(),
                    name: req.getName(),
                    custom: req.getCustom(),
                    parent: req.getParent(),
                    urn,
                    inputs,
                });
                const resp = new resourcePb.RegisterResourceResponse();
                resp.setUrn(urn);
                resp.setId("");
                resp.setObject(structPb.Struct.fromJavaScript(inputs));
                cb(null, resp);
            },
            registerResourceOutputs: (call: any, cb: any) => {
                this.record.outputs.push({ urn: call.request.getUrn(), outputs: struct(call.request.getOutputs()) });
                cb(null, new emptyPb.Empty());
            },
            invoke: (call: any, cb: any) => {
                const token = call.request.getTok();
                const args = struct(call.request.getArgs());
                this.record.invokes.push({ token, args });
                try {
                    const resp = new providerPb.InvokeResponse();
                    resp.setReturn(structPb.Struct.fromJavaScript(invokeResult(token, args)));
                    cb(null, resp);
                } catch (e) {
                    cb(e, undefined);
                }
            },
            registerPackage: (call: any, cb: any) => {
                const resp = new resourcePb.RegisterPackageResponse();
                resp.setRef("package-ref");
                cb(null, resp);
            },
            signalAndWaitForShutdown: (call: any, cb: any) => cb(null, new emptyPb.Empty()),
        });
        this.server.addService(engineGrpc.EngineService, {
            log: (call: any, cb: any) => {
                this.record.logs.push({ severity: call.request.getSeverity(), message: call.request.getMessage() });
                cb(null, new emptyPb.Empty());
            },
            getRootResource: (call: any, cb: any) => cb(null, new enginePb.GetRootResourceResponse()),
            setRootResource: (call: any, cb: any) => cb(null, new enginePb.SetRootResourceResponse()),
        });
        return new Promise((resolve, reject) =>
            this.server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err: Error, port: number) =>
                err ? reject(err) : resolve(port),
            ),
        );
    }

    stop(): void {
        this.server.forceShutdown();
    }
}

export interface ConstructOutcome {
    /** The Construct response's state (wire form), or undefined when Construct failed. */
    state?: Record<string, unknown>;
    /** The gRPC error's text when Construct failed. */
    error?: string;
    /** Everything the component sent the engine during this Construct. */
    record: EngineRecord;
}

/** The running package: GetSchema and Construct over gRPC, one call at a time. */
export class ComponentHost {
    constructor(
        private readonly child: ChildProcess,
        private readonly engine: FakeEngine,
        private readonly monitorPort: number,
        private readonly client: any,
        readonly stderr: () => string,
    ) {}

    async getSchema(): Promise<any> {
        const response: any = await new Promise((resolve, reject) =>
            this.client.getSchema(new providerPb.GetSchemaRequest(), (err: Error | null, r: unknown) =>
                err ? reject(new Error(`${err.message}\n${this.stderr()}`)) : resolve(r),
            ),
        );
        return JSON.parse(response.getSchema());
    }

    /** Calls Construct as the engine does for a preview; `inputs` are in wire form (secrets wrapped). */
    async construct(type: string, name: string, inputs: Record<string, unknown>): Promise<ConstructOutcome> {
        this.engine.record = { registrations: [], outputs: [], invokes: [], logs: [] };
        const req = new providerPb.ConstructRequest();
        req.setProject("consumer");
        req.setStack("dev");
        req.setDryrun(true);
        req.setParallel(8);
        req.setMonitorendpoint(`127.0.0.1:${this.monitorPort}`);
        req.setType(type);
        req.setName(name);
        req.setInputs(structPb.Struct.fromJavaScript(inputs));
        req.getConfigMap().set("aws:region", mockRegion);
        const outcome: ConstructOutcome = await new Promise((resolve) =>
            this.client.construct(req, (err: Error | null, resp: any) =>
                resolve(
                    err
                        ? { error: err.message, record: this.engine.record }
                        : { state: resp.getState()?.toJavaScript() ?? {}, record: this.engine.record },
                ),
            ),
        );
        // Errors raised inside an apply reach the engine as log lines after Construct answers.
        await new Promise((resolve) => setTimeout(resolve, 200));
        return outcome;
    }

    stop(): void {
        this.client.close();
        this.engine.stop();
        if (this.child.exitCode === null) {
            this.child.kill();
        }
    }
}

let started: Promise<ComponentHost> | undefined;

/** Builds the package as `prepare` does and starts it once for the whole test run. */
export function componentHost(): Promise<ComponentHost> {
    started ??= (async () => {
        // The host requires the package main, the compiled component: build it as `prepare` does.
        const build = spawnSync("npm", ["run", "build:package"], { cwd: root, encoding: "utf8" });
        assert.strictEqual(build.status, 0, build.stdout + build.stderr);
        const engine = new FakeEngine();
        const enginePort = await engine.start();
        const runner = path.join(pulumiDir, "cmd", "run-plugin");
        const child = spawn(process.execPath, [runner, root, `127.0.0.1:${enginePort}`], {
            cwd: root,
            stdio: ["ignore", "pipe", "pipe"],
        });
        const { port, stderr } = await servingPort(child, "the provider", 180000);
        const client = new providerGrpc.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
        return new ComponentHost(child, engine, enginePort, client, stderr);
    })();
    return started;
}

// A root hook: runs once after every test file, whichever of them started the host.
after(async () => {
    if (started) {
        (await started.catch(() => undefined))?.stop();
        started = undefined;
    }
});
