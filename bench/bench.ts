// `npm run bench`: what the engine pays for the pack, as ratios to a pack with no policy at all.
//
// - Requests are encoded once, before timing, as the engine sends them (AnalyzeRequest with the
//   resource's inputs; AnalyzeStackRequest with every resource, its parent, dependencies and
//   property dependencies), and sent as raw bytes: the client's encoding is not measured.
// - The pack's own CPU time is read from the pack process (process.cpuUsage, over an IPC channel
//   opened by bench/cpu-probe.js, preloaded into both packs), so other load on the machine and
//   the client's work do not count; wall time is shown beside it.
// - Both packs run side by side and are measured in interleaved rounds (the order flips every
//   round); each ratio is the median of the per-round ratios, with the lowest and highest shown.
//
// Start-up: spawn to serving GetAnalyzerInfo. Analyze: a replication group, and the component's
// whole stack one resource at a time. AnalyzeStack: the stack copied to ~1,000 and ~5,000
// resources; the growth between the two says whether the cost is linear in the stack size.
//
// Environment: BENCH_ROUNDS (default 7), BENCH_ANALYZE (Analyze calls per round, default 2000),
// BENCH_STACK (AnalyzeStack calls per size per round, default 3). The pack runs from its compiled
// main, as `pulumi preview` runs it: the benchmark compiles it first (BENCH_NO_BUILD=1 skips that).
// BENCH_CPU_PROF=<dir> writes each pack's V8 CPU profile (.cpuprofile) there, to see where it spends.
import { ChildProcess, execFileSync, spawn } from "child_process";
import * as path from "path";
import { performance } from "perf_hooks";
import { analyzeRequest, analyzeStackRequest, resolvePolicyConfig } from "../tools/analyzer";
import { RecordedResource } from "../tools/mockrun";
import { componentStack, scaled } from "./stack";
import { emptyPb, grpc, structPb } from "../tools/sdkModules";
import { benchAudit } from "./audit";

const analyzerPb = require("@pulumi/pulumi/proto/analyzer_pb");

/** Issue 18's targets ("Cost"): the pack's CPU as a multiple of the empty pack's. */
const targets = { startUp: 1.05, analyze: 1.4, analyzeStack: 1.4 } as const;

const root = path.join(__dirname, "..");
const packDirs = {
    hitrust: path.join(root, "policy-pack"),
    empty: path.join(__dirname, "empty-pack"),
    floor: path.join(__dirname, "sdk-floor-pack"),
};
type PackName = keyof typeof packDirs;
const service = "/pulumirpc.Analyzer/";
const identity = (b: Buffer) => b;

/** A pack process with a raw-bytes gRPC client and a line to ask it for its CPU time. */
class Pack {
    private constructor(
        readonly child: ChildProcess,
        private readonly client: any,
    ) {}

    static async start(dir: string): Promise<{ pack: Pack; startMs: number; startCpuMs: number }> {
        const t0 = performance.now();
        const runner = require.resolve("@pulumi/pulumi/cmd/run-policy-pack");
        const child = spawn(
            process.execPath,
            [
                // BENCH_CPU_PROF=<dir>: each pack writes a V8 CPU profile there when it stops.
                ...(process.env.BENCH_CPU_PROF ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : []),
                "--require",
                path.join(__dirname, "cpu-probe.js"),
                runner,
                "127.0.0.1:0",
                ".",
            ],
            {
                cwd: dir,
                stdio: ["ignore", "pipe", "pipe", "ipc"],
            },
        );
        let stderr = "";
        child.stderr!.on("data", (chunk) => (stderr += chunk));
        const port = await new Promise<number>((resolve, reject) => {
            let stdout = "";
            child.stdout!.on("data", (chunk) => {
                stdout += chunk;
                const match = /^(\d+)\s*$/m.exec(stdout);
                if (match) {
                    resolve(Number(match[1]));
                }
            });
            child.on("exit", (code) => reject(new Error(`pack in ${dir} exited with ${code}:\n${stderr}`)));
        });
        const client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
        const pack = new Pack(child, client);
        await pack.call("GetAnalyzerInfo", Buffer.from(new emptyPb.Empty().serializeBinary()));
        const startMs = performance.now() - t0;
        return { pack, startMs, startCpuMs: await pack.cpuMs() };
    }

    call(method: string, bytes: Buffer): Promise<Buffer> {
        return new Promise((resolve, reject) =>
            this.client.makeUnaryRequest(`${service}${method}`, identity, identity, bytes, (err: any, res: Buffer) =>
                err ? reject(err) : resolve(res),
            ),
        );
    }

    /** The pack process's user + system CPU time so far, in milliseconds. */
    cpuMs(): Promise<number> {
        return new Promise((resolve) => {
            this.child.once("message", (m: any) => resolve(m.cpu / 1000));
            this.child.send("cpu");
        });
    }

    async stop(): Promise<void> {
        this.client.close();
        const exited = new Promise((resolve) => this.child.once("exit", resolve));
        this.child.kill("SIGTERM");
        await exited;
    }
}

function struct(value: Record<string, unknown>): any {
    return structPb.Struct.fromJavaScript(value);
}

function encodeAnalyze(r: RecordedResource): Buffer {
    return Buffer.from(analyzeRequest(r).serializeBinary());
}

function encodeAnalyzeStack(resources: RecordedResource[]): Buffer {
    // AnalyzeStack carries the resources' outputs (the state after the update).
    const state = (r: RecordedResource) => (Object.keys(r.state).length > 0 ? r.state : r.inputs);
    return Buffer.from(analyzeStackRequest(resources, state).serializeBinary());
}

/** The Configure request the engine sends: every policy with its level and schema defaults. */
async function encodeConfigure(pack: Pack): Promise<Buffer> {
    const infoBytes = await pack.call("GetAnalyzerInfo", Buffer.from(new emptyPb.Empty().serializeBinary()));
    const info = analyzerPb.AnalyzerInfo.deserializeBinary(infoBytes);
    const levels = ["advisory", "mandatory", "disabled", "remediate"] as const;
    const policies = info.getPoliciesList().map((p: any) => ({
        name: p.getName(),
        enforcementLevel: levels[p.getEnforcementlevel()],
        configSchema: p.getConfigschema()
            ? { properties: p.getConfigschema().getProperties()?.toJavaScript() ?? {}, required: [] }
            : undefined,
    }));
    const resolved = resolvePolicyConfig({ name: info.getName(), policies } as any);
    const req = new analyzerPb.ConfigureAnalyzerRequest();
    for (const [name, { enforcementLevel, properties }] of Object.entries(resolved)) {
        const config = new analyzerPb.PolicyConfig();
        config.setEnforcementlevel(levels.indexOf(enforcementLevel as any));
        config.setProperties(struct(properties));
        req.getPolicyconfigMap().set(name, config);
    }
    return Buffer.from(req.serializeBinary());
}

interface Sample {
    cpu: number;
    wall: number;
}

async function measure(pack: Pack, work: () => Promise<void>): Promise<Sample> {
    const cpu0 = await pack.cpuMs();
    const t0 = performance.now();
    await work();
    const wall = performance.now() - t0;
    return { cpu: (await pack.cpuMs()) - cpu0, wall };
}

function median(values: number[]): number {
    const sorted = [...values].sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function spread(values: number[]): string {
    const sorted = [...values].sort((a, b) => a - b);
    return `${median(values).toFixed(2)}x (${sorted[0].toFixed(2)}-${sorted[sorted.length - 1].toFixed(2)})`;
}

async function main() {
    if (process.env.BENCH_NO_BUILD !== "1") {
        execFileSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", path.join(root, "policy-pack")], {
            stdio: "inherit",
        });
    }
    const rounds = Number(process.env.BENCH_ROUNDS ?? 7);
    const analyzeCalls = Number(process.env.BENCH_ANALYZE ?? 2000);
    const stackCalls = Number(process.env.BENCH_STACK ?? 3);
    const template = await componentStack();
    const group = template.find((r) => r.type === "aws:elasticache/replicationGroup:ReplicationGroup");
    if (!group) {
        throw new Error("the component registered no replication group");
    }
    const small = scaled(template, Math.ceil(1000 / template.length));
    const large = scaled(template, Math.ceil(5000 / template.length));
    const encoded = {
        group: encodeAnalyze(group),
        each: template.map(encodeAnalyze),
        small: encodeAnalyzeStack(small),
        large: encodeAnalyzeStack(large),
    };
    console.log(
        `Benchmark: ${rounds} interleaved rounds; per round ${analyzeCalls} Analyze calls of a replication group, ` +
            `${analyzeCalls} over the ${template.length} resources of the component's stack, and ${stackCalls} AnalyzeStack ` +
            `calls of ${small.length} and of ${large.length} resources. Pack CPU from the pack process.`,
    );

    const names: PackName[] = ["hitrust", "empty", "floor"];
    const starts: Record<PackName, Sample[]> = { hitrust: [], empty: [], floor: [] };
    const packs = {} as Record<PackName, Pack>;
    // Start-up, interleaved: start and stop each pack once per round; keep the last ones running.
    for (let round = 0; round < rounds; round++) {
        for (const name of round % 2 ? [...names].reverse() : names) {
            const { pack, startMs, startCpuMs } = await Pack.start(packDirs[name]);
            starts[name].push({ wall: startMs, cpu: startCpuMs });
            if (round === rounds - 1) {
                packs[name] = pack;
            } else {
                await pack.stop();
            }
        }
    }
    for (const name of names) {
        await packs[name].call("Configure", await encodeConfigure(packs[name]));
        // Warm up: JIT, caches, lazy requires.
        for (const bytes of encoded.each) {
            await packs[name].call("Analyze", bytes);
        }
        await packs[name].call("AnalyzeStack", encoded.small);
    }

    const measures = {
        "Analyze, replication group": (p: Pack) => async () => {
            for (let i = 0; i < analyzeCalls; i++) {
                await p.call("Analyze", encoded.group);
            }
        },
        "Analyze, every resource of the stack": (p: Pack) => async () => {
            for (let i = 0; i < analyzeCalls; i++) {
                await p.call("Analyze", encoded.each[i % encoded.each.length]);
            }
        },
        [`AnalyzeStack, ${small.length} resources`]: (p: Pack) => async () => {
            for (let i = 0; i < stackCalls; i++) {
                await p.call("AnalyzeStack", encoded.small);
            }
        },
        [`AnalyzeStack, ${large.length} resources`]: (p: Pack) => async () => {
            for (let i = 0; i < stackCalls; i++) {
                await p.call("AnalyzeStack", encoded.large);
            }
        },
    };
    const samples: Record<string, Record<PackName, Sample[]>> = {};
    for (const label of Object.keys(measures)) {
        samples[label] = { hitrust: [], empty: [], floor: [] };
    }
    for (let round = 0; round < rounds; round++) {
        for (const [label, work] of Object.entries(measures)) {
            for (const name of round % 2 ? [...names].reverse() : names) {
                samples[label][name].push(await measure(packs[name], work(packs[name])));
            }
        }
    }
    for (const name of names) {
        await packs[name].stop();
    }

    const ratios = (h: Sample[], e: Sample[], key: keyof Sample) => h.map((s, i) => s[key] / e[i][key]);
    console.log("");
    console.log(
        "| measure | hitrust-elasticache, ms CPU (wall) | empty pack, ms CPU (wall) | ratio CPU, median (min-max) | ratio wall | SDK floor: same policies doing nothing, ratio CPU |",
    );
    console.log("|---|---|---|---|---|---|");
    const ms = (values: Sample[], per: number) =>
        `${(median(values.map((s) => s.cpu)) / per).toFixed(3)} (${(median(values.map((s) => s.wall)) / per).toFixed(3)})`;
    const row = (label: string, by: Record<PackName, Sample[]>, per: number) =>
        console.log(
            `| ${label} | ${ms(by.hitrust, per)} | ${ms(by.empty, per)} | ${spread(ratios(by.hitrust, by.empty, "cpu"))} | ` +
                `${spread(ratios(by.hitrust, by.empty, "wall"))} | ${spread(ratios(by.floor, by.empty, "cpu"))} |`,
        );
    row("start-up to serving", starts, 1);
    for (const label of Object.keys(measures)) {
        const per = label.startsWith("Analyze,") ? analyzeCalls : stackCalls;
        row(`${label} (per call)`, samples[label], per);
    }
    const largeLabel = `AnalyzeStack, ${large.length} resources`;
    const smallLabel = `AnalyzeStack, ${small.length} resources`;
    const growth = (name: PackName) =>
        median(samples[largeLabel][name].map((s) => s.cpu)) / median(samples[smallLabel][name].map((s) => s.cpu));
    const extra = (i: number) =>
        (samples[largeLabel].hitrust[i].cpu - samples[largeLabel].empty[i].cpu) /
        (samples[smallLabel].hitrust[i].cpu - samples[smallLabel].empty[i].cpu);
    console.log("");
    console.log(
        `AnalyzeStack growth (pack CPU): ${(large.length / small.length).toFixed(1)}x the resources took ${growth("hitrust").toFixed(1)}x ` +
            `(empty pack ${growth("empty").toFixed(1)}x); the pack's own share above the empty pack grew ` +
            `${median(Array.from({ length: rounds }, (_, i) => extra(i))).toFixed(1)}x.`,
    );
    const target = (label: string, h: Sample[], e: Sample[], limit: number) => {
        const value = median(ratios(h, e, "cpu"));
        console.log(
            `${value <= limit ? "meets" : "MISSES"} target ${label} <= ${limit}x: ${spread(ratios(h, e, "cpu"))}`,
        );
    };
    console.log("");
    target("start-up", starts.hitrust, starts.empty, targets.startUp);
    target(
        "Analyze (replication group)",
        samples["Analyze, replication group"].hitrust,
        samples["Analyze, replication group"].empty,
        targets.analyze,
    );
    target(
        `AnalyzeStack (${large.length} resources)`,
        samples[largeLabel].hitrust,
        samples[largeLabel].empty,
        targets.analyzeStack,
    );
}

main()
    .then(() => benchAudit()) // bench/audit.ts: the live audit at 1,000 caches (BENCH_AUDIT=0 skips it)
    .catch((e) => {
        console.error(e);
        process.exit(1);
    });
