// The pack's shortcuts around @pulumi/policy's per-policy work must not change a single answer:
// the pack served with the shared handlers (policy-pack/src/server.ts) and with the SDK's own
// handlers (HITRUST_PACK_SDK_HANDLERS=1) answer the same requests identically; and the SDK
// really does hand every policy of a request the one shared deserialization (policy-pack/src/sdk.ts).
import * as assert from "assert";
import * as path from "path";
import { unknownCheckingProxy } from "@pulumi/policy";
import { HitrustRedis, HitrustRedisArgs } from "../component";
import { packArgs } from "../policy-pack/src/pack";
import { toPlain, UNKNOWN } from "../policy-pack/src/props";
import { proxyTargetKey, shareDeserialization } from "../policy-pack/src/sdk";
import { PolicyPackConfigFile, PolicyPackProcess } from "../tools/analyzer";
import { RecordedResource, runUnderMocks, unknownSentinel } from "../tools/mockrun";
import { baseArgs, resource, subnetZones } from "./helpers";
import { insightsUrn } from "./readState";
import { structPb } from "../tools/sdkModules";

const packDir = path.join(__dirname, "..", "policy-pack");
const rgType = "aws:elasticache/replicationGroup:ReplicationGroup";

const analyzerPb = require("@pulumi/pulumi/proto/analyzer_pb");

function describe_(message: any, r: RecordedResource, properties: Record<string, unknown>): any {
    message.setType(r.type);
    message.setUrn(r.urn);
    message.setName(r.name);
    message.setProperties(structPb.Struct.fromJavaScript(properties));
    const options = new analyzerPb.AnalyzerResourceOptions();
    if (r.parent) {
        options.setParent(r.parent);
    }
    message.setOptions(options);
    return message;
}

/** Analyze as the engine sends it: the resource's inputs. */
function analyzeRequest(r: RecordedResource): any {
    return describe_(new analyzerPb.AnalyzeRequest(), r, r.inputs);
}

/** AnalyzeStack as the engine sends it: outputs, parents, dependencies and property dependencies. */
function analyzeStackRequest(resources: RecordedResource[]): any {
    const req = new analyzerPb.AnalyzeStackRequest();
    req.setResourcesList(
        resources.map((r) => {
            const res = describe_(
                new analyzerPb.AnalyzerResource(),
                r,
                Object.keys(r.state).length > 0 ? r.state : r.inputs,
            );
            if (r.parent) {
                res.setParent(r.parent);
            }
            res.setDependenciesList(r.dependencies);
            for (const [key, urns] of Object.entries(r.propertyDependencies)) {
                const list = new analyzerPb.AnalyzerPropertyDependencies();
                list.setUrnsList(urns);
                res.getPropertydependenciesMap().set(key, list);
            }
            return res;
        }),
    );
    return req;
}

/** Resources that make every kind of answer: violations, unknowns, not-applicable, stack findings. */
function awkwardStack(): RecordedResource[] {
    const sg = resource("aws:ec2/securityGroup:SecurityGroup", "sg", { vpcId: "vpc" });
    const rule = (name: string, cidr: string) =>
        resource(
            "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
            name,
            { ipProtocol: "tcp", fromPort: 6380, toPort: 6380, cidrIpv4: cidr, securityGroupId: unknownSentinel },
            { propertyDependencies: { securityGroupId: [sg.urn] }, dependencies: [sg.urn] },
        );
    const bad = resource(
        rgType,
        "bad",
        {
            engine: "redis",
            engineVersion: "7.0.5",
            port: 6379,
            numCacheClusters: 1,
            kmsKeyId: "",
            securityGroupIds: [unknownSentinel],
            userGroupIds: [""],
            transitEncryptionMode: "preferred",
            nodeType: "cache.t2.micro",
            authToken: unknownSentinel,
        },
        { propertyDependencies: { securityGroupIds: [sg.urn] }, dependencies: [sg.urn] },
    );
    const secondary = resource(rgType, "secondary", {
        globalReplicationGroupId: "ldgnf-global",
        securityGroupIds: ["sg-1"],
    });
    return [
        sg,
        rule("low", "0.0.0.0/1"),
        rule("high", "128.0.0.0/1"),
        bad,
        secondary,
        resource("aws:elasticache/user:User", "u", { userName: "default", accessString: "ON NOPASS ~* +@ALL" }),
        resource("aws:elasticache/cluster:Cluster", "mc", { engine: "memcached" }),
        resource("aws:s3/bucket:Bucket", "other", { bucket: "b" }),
    ];
}

describe("Pack performance shortcuts change no answer", function () {
    const packs: Record<"shared" | "sdk", PolicyPackProcess | undefined> = { shared: undefined, sdk: undefined };

    before(async () => {
        packs.shared = await PolicyPackProcess.start(packDir);
        process.env.HITRUST_PACK_SDK_HANDLERS = "1";
        try {
            packs.sdk = await PolicyPackProcess.start(packDir);
        } finally {
            delete process.env.HITRUST_PACK_SDK_HANDLERS;
        }
    });
    after(async () => {
        await packs.shared?.stop();
        await packs.sdk?.stop();
    });

    /** Sends the same request to both packs and requires byte-identical responses. */
    async function both(method: "analyze" | "analyzeStack", request: any): Promise<any> {
        const call = (pack: PolicyPackProcess) =>
            new Promise<any>((resolve, reject) =>
                (pack as any).client[method](request, (err: Error | null, res: any) =>
                    err ? reject(err) : resolve(res),
                ),
            );
        const [shared, sdk] = await Promise.all([call(packs.shared!), call(packs.sdk!)]);
        assert.deepStrictEqual(shared.toObject(), sdk.toObject(), method);
        assert.deepStrictEqual(Buffer.from(shared.serializeBinary()), Buffer.from(sdk.serializeBinary()), method);
        // The bytes as sent, not as decoded and encoded again here: the pack encodes Analyze
        // answers itself (server.ts, encodeAnalyzeResponse).
        const raw = (pack: PolicyPackProcess) =>
            new Promise<Buffer>((resolve, reject) =>
                (pack as any).client.makeUnaryRequest(
                    `/pulumirpc.Analyzer/${method === "analyze" ? "Analyze" : "AnalyzeStack"}`,
                    (b: Buffer) => b,
                    (b: Buffer) => b,
                    Buffer.from(request.serializeBinary()),
                    (err: Error | null, res: Buffer) => (err ? reject(err) : resolve(res)),
                ),
            );
        const [sharedBytes, sdkBytes] = await Promise.all([raw(packs.shared!), raw(packs.sdk!)]);
        assert.deepStrictEqual(sharedBytes, sdkBytes, `${method}: the bytes on the wire`);
        return shared;
    }

    async function compare(resources: RecordedResource[], config?: PolicyPackConfigFile) {
        for (const pack of [packs.shared!, packs.sdk!]) {
            await pack.configure(await pack.info(), config);
        }
        let findings = 0;
        let notApplicable = 0;
        for (const r of resources) {
            const res = await both("analyze", analyzeRequest(r));
            findings += res.getDiagnosticsList().length;
            notApplicable += res.getNotApplicableList().length;
        }
        const res = await both("analyzeStack", analyzeStackRequest(resources));
        assert.ok(notApplicable > 0, "no request exercised 'not applicable'");
        return findings + res.getDiagnosticsList().length;
    }

    it("the component's stack, in preview and in update", async () => {
        for (const preview of [true, false]) {
            const run = await runUnderMocks(
                () =>
                    new HitrustRedis("cache", {
                        ...baseArgs,
                        rbac: { users: [{ userName: "app", accessString: "on ~app:* +@read -@dangerous" }] },
                    } as HitrustRedisArgs),
                { preview, subnetZones },
            );
            await compare(run.resources);
        }
    });

    it("a stack with violations, unknowns, stack findings and other types", async () => {
        const findings = await compare(awkwardStack());
        assert.ok(findings > 10, `expected many findings, got ${findings}`);
    });

    it("an organization's config: disabled, remediate, raised levels and thresholds", async () => {
        const findings = await compare(awkwardStack(), {
            "aws-elasticache-replicationgroup-configure-non-default-port": "disabled",
            "aws-elasticache-replicationgroup-enforce-transit-encryption-required": "remediate",
            "aws-elasticache-securitygroup-disallow-internet-ingress": "advisory",
            "aws-elasticache-replicationgroup-configure-engine-version": {
                enforcementLevel: "mandatory",
                minimumEngineVersion: "7.1",
            },
        });
        assert.ok(findings > 10);
    });

    it("resources found by Insights Discovery: the policies that judge only them run on them alone", async () => {
        // The pack's handlers answer "not applicable" for a discovered-only policy on a planned
        // resource without calling it (server.ts, onlyUrnsKey): the same answer as the call's.
        const discovered = (r: RecordedResource) => ({ ...r, urn: insightsUrn(r.type, r.name) });
        const stack = awkwardStack();
        await compare([...stack, ...stack.map(discovered)]);
        const group = stack.find((r) => r.name === "bad")!;
        const onlyDiscovered = "aws-elasticache-replicationgroup-missing-unreadable-settings";
        const planned = await both("analyze", analyzeRequest(group));
        assert.ok(planned.getNotApplicableList().some((na: any) => na.getPolicyName() === onlyDiscovered));
        const found = await both("analyze", analyzeRequest(discovered(group)));
        assert.ok(found.getDiagnosticsList().some((d: any) => d.getPolicyname() === onlyDiscovered));
        assert.ok(!found.getNotApplicableList().some((na: any) => na.getPolicyName() === onlyDiscovered));
    });

    it("a new Configure changes what the next Analyze of the same type runs", async () => {
        // The pack's handlers work out once per type what each policy does (server.ts, planFor):
        // a Configure that disables a policy or changes its level must be seen by the next request.
        const group = resource(rgType, "g", { engine: "redis", engineVersion: "7.1", port: 6379 });
        const port = "aws-elasticache-replicationgroup-configure-non-default-port";
        const levels: (string | undefined)[] = [];
        for (const config of [{}, { [port]: "disabled" }, { [port]: "mandatory" }, {}] as PolicyPackConfigFile[]) {
            for (const pack of [packs.shared!, packs.sdk!]) {
                await pack.configure(await pack.info(), config);
            }
            const res = await both("analyze", analyzeRequest(group));
            const finding = res.getDiagnosticsList().find((d: any) => d.getPolicyname() === port);
            levels.push(finding === undefined ? undefined : ["advisory", "mandatory"][finding.getEnforcementlevel()]);
        }
        assert.deepStrictEqual(levels, ["advisory", undefined, "mandatory", "advisory"]);
    });

    it("every policy keeps its own name in the pack's description", async () => {
        const info = await packs.shared!.info();
        assert.deepStrictEqual(
            info.policies.map((p) => p.name),
            packArgs().policies.map((p) => p.name),
        );
    });
});

describe("The SDK hands every policy of a request one shared deserialization", () => {
    it("two policies see the same object behind their proxies in one Analyze, and new ones in the next", async () => {
        assert.ok(shareDeserialization());
        const server = require("@pulumi/policy/server.js");
        const seen: unknown[][] = [];
        const spy = (name: string) => ({
            name,
            description: "Checks that the spy sees the request.",
            enforcementLevel: "advisory",
            validateResource: (args: any) => {
                seen[seen.length - 1].push(args.props[proxyTargetKey]);
            },
        });
        const analyze = server.makeAnalyzeRpcFun("p", "1.0.0", "advisory", [spy("a"), spy("b")]);
        for (let i = 0; i < 2; i++) {
            seen.push([]);
            const req = new analyzerPb.AnalyzeRequest();
            req.setType(rgType);
            req.setUrn(`urn:pulumi:dev::p::${rgType}::r${i}`);
            req.setName(`r${i}`);
            req.setProperties(structPb.Struct.fromJavaScript({ engine: "redis" }));
            req.setOptions(new analyzerPb.AnalyzerResourceOptions());
            await new Promise((resolve) => analyze({ request: req }, resolve));
        }
        assert.strictEqual(seen[0].length, 2);
        assert.strictEqual(seen[0][0], seen[0][1], "the two policies got different copies");
        assert.notStrictEqual(seen[0][0], seen[1][0], "two requests shared a copy");
        assert.deepStrictEqual(seen[0][0], { engine: "redis" });
    });

    it("reads unknowns from the object behind the proxy exactly as through the proxy", () => {
        const raw = { a: unknownSentinel, b: [1, unknownSentinel, { c: unknownSentinel, d: "x" }], e: null };
        const plain = toPlain(unknownCheckingProxy(raw));
        assert.deepStrictEqual(plain, { a: UNKNOWN, b: [1, UNKNOWN, { c: UNKNOWN, d: "x" }], e: null });
        // The same copy serves every policy of the request.
        assert.strictEqual(toPlain(unknownCheckingProxy(raw)), plain);
    });

    it("a request's copy never answers for another request's properties", () => {
        // toPlain remembers the last proxy it copied (props.ts): asked again with another, it copies that one.
        const first = unknownCheckingProxy({ port: 6379, engine: "redis" });
        const second = unknownCheckingProxy({ port: 6380 });
        assert.deepStrictEqual(toPlain(first), { port: 6379, engine: "redis" });
        assert.deepStrictEqual(toPlain(second), { port: 6380 });
        assert.deepStrictEqual(toPlain(first), { port: 6379, engine: "redis" });
    });
});
