// Preloaded (node --require) into the audit CLI the audit benchmark starts (bench/audit.ts): when
// the process exits, writes its peak resident set size (process.resourceUsage().maxRSS, kilobytes),
// its CPU time and the resident set size sampled every 250 ms (epoch ms, kilobytes), to the file
// named by BENCH_RSS_FILE, so the benchmark can tell which phase holds the peak.
"use strict";
const fs = require("fs");
if (process.env.BENCH_RSS_FILE) {
    const samples = [];
    setInterval(() => samples.push([Date.now(), Math.round(process.memoryUsage.rss() / 1024)]), 250).unref();
    process.on("exit", () => {
        const usage = process.resourceUsage();
        fs.writeFileSync(
            process.env.BENCH_RSS_FILE,
            JSON.stringify({
                maxRssKb: usage.maxRSS,
                cpuMs: (usage.userCPUTime + usage.systemCPUTime) / 1000,
                samples,
            }),
        );
    });
}
