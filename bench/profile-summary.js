#!/usr/bin/env node
// Summarizes a V8 .cpuprofile (from `BENCH_CPU_PROF=<dir> npm run bench`): self and total time per
// function, optionally only inside the calls of one function (the pack's Analyze handler, say).
//
//   node bench/profile-summary.js <file.cpuprofile> [--under <functionName>[@<file part>]] [--top N] [--by file]
//
// --under keeps only samples whose stack passes through that function (by name, and by a part of
// its script URL when given), so the time of Analyze calls can be told from AnalyzeStack's.
// --by file adds self time per script instead of per function.
"use strict";
const fs = require("fs");

const args = process.argv.slice(2);
const file = args.find((a) => !a.startsWith("--") && !/^\d+$/.test(a) && args[args.indexOf(a) - 1] !== "--under");
const option = (name) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
};
if (!file) {
    console.error("usage: node bench/profile-summary.js <file.cpuprofile> [--under fn[@file]] [--top N] [--by file]");
    process.exit(2);
}
const top = Number(option("--top") ?? 40);
const by = option("--by") ?? "function";
const under = option("--under");
const [underName, underFile] = under ? under.split("@") : [];

const profile = JSON.parse(fs.readFileSync(file, "utf8"));
const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of profile.nodes) {
    for (const c of n.children ?? []) {
        parent.set(c, n.id);
    }
}
const short = (url) =>
    url
        .replace(/^file:\/\//, "")
        .replace(/^.*\/node_modules\//, "~/")
        .replace(/^.*\/wt-[^/]+\//, "");
const label = (n) => {
    const f = n.callFrame;
    return by === "file"
        ? short(f.url) || `(${f.functionName || "native"})`
        : `${f.functionName || "(anonymous)"} ${short(f.url)}:${f.lineNumber + 1}`;
};
const matches = (n) =>
    n.callFrame.functionName === underName && (underFile === undefined || n.callFrame.url.includes(underFile));

const self = new Map();
const total = new Map();
let all = 0;
let kept = 0;
const stackOf = (id) => {
    const out = [];
    for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
        out.push(nodes.get(cur));
    }
    return out;
};
const cache = new Map();
profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i + 1] ?? 0;
    all += dt;
    let stack = cache.get(id);
    if (stack === undefined) {
        stack = stackOf(id);
        cache.set(id, stack);
    }
    if (underName && !stack.some(matches)) {
        return;
    }
    kept += dt;
    const own = label(stack[0]);
    self.set(own, (self.get(own) ?? 0) + dt);
    for (const l of new Set(stack.map(label))) {
        total.set(l, (total.get(l) ?? 0) + dt);
    }
});
const ms = (us) => (us / 1000).toFixed(1).padStart(9);
console.log(`profile ${(all / 1000).toFixed(0)} ms; ${under ? `under ${under}: ` : ""}${(kept / 1000).toFixed(0)} ms`);
console.log("\nself ms   total ms  function");
for (const [l, t] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`${ms(t)} ${ms(total.get(l))}  ${l}`);
}
console.log("\ntotal ms  function (by inclusive time)");
for (const [l, t] of [...total].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`${ms(t)}  ${l}`);
}
