// Preloaded (node --require) into each policy pack the benchmark starts: answers a request on the
// IPC channel with the process's own CPU time (process.cpuUsage, microseconds), so the benchmark
// reads what the pack spent, not what the client or the rest of the machine did.
"use strict";
if (typeof process.send === "function") {
    process.on("message", (message) => {
        if (message === "cpu") {
            const { user, system } = process.cpuUsage();
            process.send({ cpu: user + system });
        }
    });
    // The channel must not keep the pack alive once the benchmark is done with it.
    process.channel.unref();
}
if (process.execArgv.includes("--cpu-prof")) {
    // The profile is written on a normal exit only; the benchmark stops packs with SIGTERM.
    process.on("SIGTERM", () => process.exit(0));
}
