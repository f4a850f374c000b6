// In-process loop over the pack's Analyze handler for one replication group, to find and check
// per-call costs quickly (`npm run bench` is the measure of record; this one is for profiling).
//
//   npx ts-node --transpile-only bench/analyze-loop.ts [calls]         # the sources (policy-pack/src)
//   BENCH_LOOP_BIN=1 npx ts-node --transpile-only bench/analyze-loop.ts  # the compiled pack (npx tsc -p policy-pack)
//   node --cpu-prof --cpu-prof-dir=/tmp/prof -r ts-node/register/transpile-only bench/analyze-loop.ts
//   BENCH_LOOP_STACK=5000 npx ts-node --transpile-only bench/analyze-loop.ts 20  # AnalyzeStack of ~5,000 resources instead
//
// Each call does what the pack process does for an Analyze request: decode the request bytes,
// run the handler (pack's server.ts, configured as the engine configures it) and encode the
// response. The same decode and an empty response, as the empty pack answers, are timed apart:
// "pack's own" is the difference, the share `npm run bench` divides by the empty pack's.
import * as path from "path";
import { analyzeRequest, analyzeStackRequest, resolvePolicyConfig } from "../tools/analyzer";
import { RecordedResource } from "../tools/mockrun";
import { componentStack, scaled } from "./stack";

const stackSize = Number(process.env.BENCH_LOOP_STACK ?? 0);
const calls = Number(process.argv[2] ?? (stackSize > 0 ? 20 : 20000));
const fromBin = process.env.BENCH_LOOP_BIN === "1";
const src = fromBin ? path.join(__dirname, "..", "policy-pack", "bin", "policy-pack", "src") : "../policy-pack/src";
const sdkDir = path.dirname(require.resolve("@pulumi/policy"));
const fromSdk = (id: string) => require(require.resolve(id, { paths: [sdkDir] }));
const grpc = fromSdk("@grpc/grpc-js");
const analyzerGrpc = fromSdk("@pulumi/pulumi/proto/analyzer_grpc_pb");
const analyzerPb = fromSdk("@pulumi/pulumi/proto/analyzer_pb");
const structPb = fromSdk("google-protobuf/google/protobuf/struct_pb");
const emptyPb = fromSdk("google-protobuf/google/protobuf/empty_pb");

function cpuMs(): number {
    const { user, system } = process.cpuUsage();
    return (user + system) / 1000;
}

async function main() {
    const template = await componentStack();
    const group = template.find((r) => r.type === "aws:elasticache/replicationGroup:ReplicationGroup")!;
    const stack = scaled(template, Math.ceil(stackSize / template.length));
    const method = stackSize > 0 ? "analyzeStack" : "analyze";
    const Request = stackSize > 0 ? analyzerPb.AnalyzeStackRequest : analyzerPb.AnalyzeRequest;
    const Response = analyzerPb.AnalyzeResponse; // AnalyzeStack answers with one too
    // AnalyzeStack carries the resources' outputs (the state after the update), as in bench.ts.
    const state = (r: RecordedResource) => (Object.keys(r.state).length > 0 ? r.state : r.inputs);
    const bytes = Buffer.from(
        (stackSize > 0 ? analyzeStackRequest(stack, state) : analyzeRequest(group)).serializeBinary(),
    );

    const { packArgs, packName } = require(`${src}/pack`);
    const { installSharedHandlers } = require(`${src}/server`);
    const args = packArgs();
    let handlers: Record<string, any> | undefined;
    let definition: Record<string, any> | undefined;
    const addService = grpc.Server.prototype.addService;
    grpc.Server.prototype.addService = function (service: Record<string, any>, implementation: Record<string, any>) {
        definition = service;
        handlers = implementation;
    };
    if (!installSharedHandlers(packName, args.policies, args.enforcementLevel)) {
        throw new Error("the pack's handlers were not installed");
    }
    const ok = (_call: unknown, callback: any) => callback(undefined, new emptyPb.Empty());
    grpc.Server.prototype.addService.call({}, analyzerGrpc.AnalyzerService, { configure: ok, configureStack: ok });
    grpc.Server.prototype.addService = addService;

    // Configure as the engine does: every policy with its level and schema defaults.
    const resolved = resolvePolicyConfig({ name: packName, policies: args.policies } as any);
    const levels = ["advisory", "mandatory", "disabled", "remediate"];
    const configure = new analyzerPb.ConfigureAnalyzerRequest();
    for (const [name, { enforcementLevel, properties }] of Object.entries(resolved)) {
        const config = new analyzerPb.PolicyConfig();
        config.setEnforcementlevel(levels.indexOf(enforcementLevel));
        config.setProperties(structPb.Struct.fromJavaScript(properties));
        configure.getPolicyconfigMap().set(name, config);
    }
    await new Promise((resolve) => handlers!.configure({ request: configure }, resolve));

    let answer: Buffer | undefined;
    const analyze = () =>
        new Promise<void>((resolve, reject) =>
            handlers![method]({ request: Request.deserializeBinary(bytes) }, (err: unknown, res: any) => {
                if (err) {
                    reject(err);
                    return;
                }
                answer = definition![method].responseSerialize(res);
                resolve();
            }),
        );
    const floor = () =>
        new Promise<void>((resolve) => {
            Request.deserializeBinary(bytes);
            analyzerGrpc.AnalyzerService[method].responseSerialize(new Response());
            resolve();
        });
    const time = async (work: () => Promise<void>, n: number) => {
        const t0 = cpuMs();
        for (let i = 0; i < n; i++) {
            await work();
        }
        return (cpuMs() - t0) / n;
    };
    await time(analyze, Math.min(2000, Math.ceil(calls / 5)));
    await time(floor, Math.min(2000, Math.ceil(calls / 5)));
    const rounds = 5;
    const packs: number[] = [];
    const floors: number[] = [];
    for (let r = 0; r < rounds; r++) {
        packs.push(await time(analyze, calls / rounds));
        floors.push(await time(floor, calls / rounds));
    }
    const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
    const response = Response.deserializeBinary(answer!);
    console.log(
        `${fromBin ? "bin" : "src"}: ${calls} ${stackSize > 0 ? `AnalyzeStack calls of ${stack.length} resources` : "Analyze calls of a replication group"} ` +
            `(${response.getDiagnosticsList().length} diagnostics, ${response.getNotApplicableList().length} not applicable): ` +
            `${median(packs).toFixed(4)} ms CPU per call, ` +
            `decode + empty answer ${median(floors).toFixed(4)} ms: pack's own ${(median(packs) - median(floors)).toFixed(4)} ms`,
    );
}

main().catch((e) => {
    console.error(e);
    process.exit(1);
});
