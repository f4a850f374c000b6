// Loaded with `node -r` before @pulumi/pulumi's cmd/run, in the program's own process: puts the
// recording mock monitor where cmd/run would connect to the engine's (tools/mockrun.ts,
// serveLanguageHostChild). Plain JavaScript, so that cmd/run alone registers TypeScript for the
// program, as it does under `pulumi up`. Compiled (bin/tools/mockrun.js) when installed from npm;
// in the repository the TypeScript source, compiled by a ts-node scoped to this folder.
"use strict";
const fs = require("fs");
const path = require("path");

let mockrun = path.join(__dirname, "mockrun.js");
if (!fs.existsSync(mockrun)) {
    mockrun = path.join(__dirname, "mockrun.ts");
    require("ts-node").register({
        transpileOnly: true,
        scope: true,
        scopeDir: __dirname,
        skipProject: true,
        compilerOptions: { module: "commonjs", target: "es2020", esModuleInterop: true },
    });
}
require(mockrun).serveLanguageHostChild(JSON.parse(process.env.HITRUST_MOCKRUN));
