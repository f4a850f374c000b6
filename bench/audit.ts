// The audit benchmark (`npm run bench` runs it after the pack benchmark; `npx ts-node
// --transpile-only bench/audit.ts` runs it alone): the audit as users run it, the CLI in a child
// process (as `npm run audit` does), against a loopback endpoint that stands in for a whole account
// (test/loopbackAccount.ts: every API the audit calls, over HTTP through AWS_ENDPOINT_URL), with a
// delay on every answer and EC2's documented request throttling, part of whose tokens the
// account's other callers spend. Reports wall time and the CLI's peak memory (maxRSS) beside
// issue 16's targets, the calls made and the attempts throttled (and retried).
//
// Environment:
//   BENCH_AUDIT=0                 skip it
//   BENCH_AUDIT_CACHES            replication groups in all (default 1000), spread over the Regions
//   BENCH_AUDIT_REGIONS           comma-separated Regions (default us-east-1,us-west-2,eu-west-1,ap-southeast-2)
//   BENCH_AUDIT_LATENCY_MS        delay added to every answer (default 50)
//   BENCH_AUDIT_EC2_BACKGROUND    EC2 tokens per second and API spent by other callers, of the 20
//                                 refilled (default 15)
//   BENCH_AUDIT_CPU_PROF=<dir>    write the CLI's V8 CPU profile there
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { performance } from "perf_hooks";
import { startAccount } from "../test/loopbackAccount";
import { loopbackEnv } from "../test/loopbackAws";

/** Issue 16's targets ("Scale"): 1,000 caches over four Regions at 50 ms a call. */
const targets = { seconds: 120, memoryMb: 1024 } as const;
const root = path.join(__dirname, "..");

export async function benchAudit(): Promise<void> {
    if (process.env.BENCH_AUDIT === "0") {
        return;
    }
    const caches = Number(process.env.BENCH_AUDIT_CACHES ?? 1000);
    const regions = (process.env.BENCH_AUDIT_REGIONS ?? "us-east-1,us-west-2,eu-west-1,ap-southeast-2").split(",");
    const latencyMs = Number(process.env.BENCH_AUDIT_LATENCY_MS ?? 50);
    const background = Number(process.env.BENCH_AUDIT_EC2_BACKGROUND ?? 15);
    const { server, url, stats, groups } = await startAccount({
        caches,
        regions,
        latencyMs,
        ec2BackgroundPerSecond: background,
    });
    const reportDir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-audit-"));
    const rssFile = path.join(reportDir, "rss.json");
    const load = os.loadavg();
    console.log("");
    console.log(
        `## The audit: ${groups} replication groups over ${regions.length} Regions, ${latencyMs} ms a call, ` +
            `EC2 throttled at ${20 - background} tokens/s per API left by other callers (load average ${load
                .map((l) => l.toFixed(2))
                .join(" ")}, ${os.cpus().length} CPUs)`,
    );
    const t0 = performance.now();
    const standInCpu = process.cpuUsage();
    const phases: [number, string, number][] = [];
    const run = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve, reject) => {
        const child = spawn(
            process.execPath,
            [
                ...(process.env.BENCH_AUDIT_CPU_PROF
                    ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_AUDIT_CPU_PROF}`]
                    : []),
                "--require",
                path.join(__dirname, "rss-probe.js"),
                "-r",
                "ts-node/register/transpile-only",
                "tools/audit/cli.ts",
                ...regions.flatMap((r) => ["--region", r]),
                "--report",
                reportDir,
            ],
            { cwd: root, env: { ...loopbackEnv(url), BENCH_RSS_FILE: rssFile }, stdio: ["ignore", "pipe", "pipe"] },
        );
        let stdout = "";
        let stderr = "";
        let partial = "";
        child.stdout.on("data", (c) => (stdout += c));
        child.stderr.on("data", (c: Buffer) => {
            // Progress lines (not the per-call ones, which start with two spaces) with their time.
            const lines = (partial + c.toString()).split("\n");
            partial = lines.pop() ?? "";
            for (const line of lines) {
                if (!line.startsWith("  ") && !/replication group /.test(line)) {
                    phases.push([(performance.now() - t0) / 1000, line, Date.now()]);
                }
            }
            stderr = (stderr + c).slice(-20000);
        });
        child.on("error", reject);
        child.on("exit", (code) => resolve({ code: code ?? -1, stdout, stderr }));
    });
    const seconds = (performance.now() - t0) / 1000;
    const standIn = process.cpuUsage(standInCpu);
    server.close();
    const usage = fs.existsSync(rssFile) ? JSON.parse(fs.readFileSync(rssFile, "utf8")) : undefined;
    const memoryMb = usage ? usage.maxRssKb / 1024 : NaN;
    const summary = /Audited [^\n]*/.exec(run.stdout)?.[0] ?? "(no summary)";
    const reportMb = fs
        .readdirSync(reportDir)
        .filter((f) => /^report\./.test(f))
        .map((f) => `${f} ${(fs.statSync(path.join(reportDir, f)).size / 1e6).toFixed(1)} MB`);
    console.log(`CLI exit ${run.code}: ${summary}`);
    const first = (re: RegExp) => phases.find(([, l]) => re.test(l))?.[0];
    const discovering = first(/discovering ElastiCache/);
    const judging = first(/^Judging/);
    console.log(
        `Phases: start-up ${discovering?.toFixed(1)} s, discovery ${judging !== undefined && discovering !== undefined ? (judging - discovering).toFixed(1) : "?"} s, ` +
            `judging and report ${judging !== undefined ? (seconds - judging).toFixed(1) : "?"} s`,
    );
    if (run.code !== 0 && run.code !== 1) {
        console.log(run.stderr.split("\n").slice(-10).join("\n"));
    }
    console.log(
        `Requests at the endpoint: ${stats.requests} (${Object.entries(stats.byService)
            .map(([s, n]) => `${s} ${n}`)
            .join(", ")}); throttled: ${stats.throttled}` +
            (Object.keys(stats.unknown).length ? `; NOT ANSWERED: ${JSON.stringify(stats.unknown)}` : ""),
    );
    const peaks = Object.entries(stats.peakInFlight)
        .filter(([key]) => key.endsWith(`@${regions[0]}`))
        .map(([key, n]) => `${key.split("@")[0]} ${n}`);
    console.log(`Most requests in flight in ${regions[0]}: ${peaks.join(", ")}`);
    console.log(
        `Report: ${reportMb.join(", ")}; CPU: the CLI ${usage ? (usage.cpuMs / 1000).toFixed(1) : "?"} s, ` +
            `the stand-in endpoint ${((standIn.user + standIn.system) / 1e6).toFixed(1)} s`,
    );
    console.log(
        `${seconds < targets.seconds ? "meets" : "MISSES"} target wall time < ${targets.seconds} s: ${seconds.toFixed(1)} s`,
    );
    const judgingAt = phases.find(([, l]) => /^Judging/.test(l))?.[2];
    const samples: [number, number][] = usage?.samples ?? [];
    const peakMb = (keep: (t: number) => boolean) =>
        Math.max(0, ...samples.filter(([t]) => keep(t)).map(([, kb]) => kb)) / 1024;
    console.log(
        `${memoryMb < targets.memoryMb ? "meets" : "MISSES"} target peak memory < ${targets.memoryMb} MB: ${memoryMb.toFixed(0)} MB (maxRSS)` +
            (judgingAt
                ? `; sampled peak until judging ${peakMb((t) => t < judgingAt).toFixed(0)} MB, ` +
                  `while judging and writing the report ${peakMb((t) => t >= judgingAt).toFixed(0)} MB`
                : ""),
    );
    console.log(
        `load average after: ${os
            .loadavg()
            .map((l) => l.toFixed(2))
            .join(" ")}`,
    );
}

if (require.main === module) {
    benchAudit().catch((e) => {
        console.error(e);
        process.exit(1);
    });
}
