// Preloaded (node --require) into the audit CLI the audit benchmark starts (bench/audit.ts): when
// the process exits, writes its peak resident set size (process.resourceUsage().maxRSS, kilobytes)
// and CPU time to the file named by BENCH_RSS_FILE.
"use strict";
const fs = require("fs");
if (process.env.BENCH_RSS_FILE) {
    process.on("exit", () => {
        const usage = process.resourceUsage();
        fs.writeFileSync(
            process.env.BENCH_RSS_FILE,
            JSON.stringify({ maxRssKb: usage.maxRSS, cpuMs: (usage.userCPUTime + usage.systemCPUTime) / 1000 }),
        );
    });
}
