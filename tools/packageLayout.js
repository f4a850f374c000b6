// After `tsc -p tsconfig.build.json` (npm install's prepare step, and `npm pack`): lays out what the
// compiled tools need beside them in bin/.
// - bin/policy-pack/ becomes a policy pack folder of its own (PulumiPolicy.yaml, package.json whose
//   main is the compiled pack), the default pack of `hitrust-elasticache-preview` and a folder
//   `pulumi preview --policy-pack node_modules/hitrust-elasticache/bin/policy-pack` can run.
// - bin/tools/langhost-preload.js, which the offline preview loads into the program's process, and
//   bin/policy-pack/metadata.json, the policies' metadata its report reads.
"use strict";
const fs = require("fs");
const path = require("path");

const root = path.join(__dirname, "..");

function layOut() {
    const pack = JSON.parse(fs.readFileSync(path.join(root, "policy-pack", "package.json"), "utf8"));
    // The compiled pack sits at bin/policy-pack/src/index.js; nothing is built in this folder.
    pack.main = "src/index.js";
    delete pack.scripts;
    delete pack.devDependencies;
    pack.files = ["src/**/*.js", "PulumiPolicy.yaml", "config.example.json"];
    const out = path.join(root, "bin", "policy-pack");
    fs.mkdirSync(out, { recursive: true });
    fs.writeFileSync(path.join(out, "package.json"), JSON.stringify(pack, null, 4) + "\n");
    for (const file of ["PulumiPolicy.yaml", "config.example.json"]) {
        fs.copyFileSync(path.join(root, "policy-pack", file), path.join(out, file));
    }
    fs.copyFileSync(
        path.join(__dirname, "langhost-preload.js"),
        path.join(root, "bin", "tools", "langhost-preload.js"),
    );
    // What the offline preview's report reads of each policy, so that it need not load the pack.
    const { registry } = require(path.join(out, "src", "policies"));
    fs.writeFileSync(path.join(out, "metadata.json"), JSON.stringify(registry.metadata(), null, 1) + "\n");
}

module.exports = { layOut };
