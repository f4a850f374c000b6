// `npm run bench`: the pack against an empty pack on the same @pulumi/policy, in one run, as
// ratios. Start-up (spawn to serving), thousands of Analyze calls, and AnalyzeStack on stacks of
// a few hundred and a few thousand resources, with how the cost grows with the stack.
import * as path from "path";
import { performance } from "perf_hooks";
import { HitrustRedis } from "../component";
import { PolicyPackProcess } from "../tools/analyzer";
import { RecordedResource, runUnderMocks } from "../tools/mockrun";

const root = path.join(__dirname, "..");
const packs = { hitrust: path.join(root, "policy-pack"), empty: path.join(__dirname, "empty-pack") };

function median(values: number[]): number {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)];
}

/** `copies` copies of the component's stack, each with its own URNs and dependencies. */
function scaled(template: RecordedResource[], copies: number): RecordedResource[] {
    const out: RecordedResource[] = [];
    for (let i = 0; i < copies; i++) {
        const rename = (urn: string) => (urn ? `${urn}-${i}` : urn);
        for (const r of template) {
            out.push({
                ...r,
                urn: rename(r.urn),
                name: `${r.name}-${i}`,
                parent: rename(r.parent),
                dependencies: r.dependencies.map(rename),
                propertyDependencies: Object.fromEntries(
                    Object.entries(r.propertyDependencies).map(([k, v]) => [k, v.map(rename)]),
                ),
            });
        }
    }
    return out;
}

async function timeStart(dir: string, runs: number): Promise<number> {
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
        const t0 = performance.now();
        const pack = await PolicyPackProcess.start(dir);
        await pack.info();
        times.push(performance.now() - t0);
        await pack.stop();
    }
    return median(times);
}

async function main() {
    const runs = Number(process.env.BENCH_RUNS ?? 7);
    const analyzeCalls = Number(process.env.BENCH_ANALYZE ?? 2000);
    console.log(
        `Benchmark: ${runs} starts each, ${analyzeCalls} Analyze calls, AnalyzeStack at 2 sizes; medians of ${runs}.`,
    );
    const run = await runUnderMocks(
        () =>
            new HitrustRedis("bench", {
                vpcId: "vpc-1",
                subnetIds: ["subnet-a", "subnet-b"],
                allowedSecurityGroupIds: ["sg-app"],
            }),
        { preview: false },
    );
    const template = run.resources;
    const per = template.length;
    const small = scaled(template, Math.ceil(300 / per));
    const large = scaled(template, Math.ceil(3000 / per));

    const results: Record<string, Record<string, number>> = { hitrust: {}, empty: {} };
    for (const [name, dir] of Object.entries(packs)) {
        results[name].start = await timeStart(dir, runs);
        const pack = await PolicyPackProcess.start(dir);
        const info = await pack.info();
        await pack.configure(info);
        // Warm up, then time.
        for (const r of template) {
            await pack.analyze(r);
        }
        const t0 = performance.now();
        for (let i = 0; i < analyzeCalls; i++) {
            await pack.analyze(template[i % per]);
        }
        results[name].analyze = (performance.now() - t0) / analyzeCalls;
        for (const [label, stack] of [
            ["stackSmall", small],
            ["stackLarge", large],
        ] as const) {
            const times: number[] = [];
            for (let i = 0; i < runs; i++) {
                const t = performance.now();
                await pack.analyzeStack(stack);
                times.push(performance.now() - t);
            }
            results[name][label] = median(times);
        }
        await pack.stop();
    }

    const h = results.hitrust;
    const e = results.empty;
    const rows = [
        ["start-up to serving (ms)", h.start, e.start],
        [`Analyze, per call (ms, ${analyzeCalls} calls)`, h.analyze, e.analyze],
        [`AnalyzeStack, ${small.length} resources (ms)`, h.stackSmall, e.stackSmall],
        [`AnalyzeStack, ${large.length} resources (ms)`, h.stackLarge, e.stackLarge],
    ] as const;
    console.log("");
    console.log(`| measure | hitrust-elasticache | empty pack | ratio |`);
    console.log(`|---|---|---|---|`);
    for (const [label, a, b] of rows) {
        console.log(`| ${label} | ${a.toFixed(2)} | ${b.toFixed(2)} | ${(a / b).toFixed(2)}x |`);
    }
    const growth = (h.stackLarge / h.stackSmall).toFixed(1);
    const size = (large.length / small.length).toFixed(1);
    console.log("");
    console.log(
        `AnalyzeStack growth: ${size}x the resources took ${growth}x the time (linear would be ${size}x; the empty pack: ${(e.stackLarge / e.stackSmall).toFixed(1)}x).`,
    );
}

main().catch((e) => {
    console.error(e);
    process.exit(1);
});
