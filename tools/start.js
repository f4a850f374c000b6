// `npm start`: the offline preview, compiled (bin/tools/preview.js, built by npm install) so that
// its start costs no TypeScript compilation; from the sources through ts-node when a source it is
// built from (tools/, core/, policy-pack/src/) is newer than the build, so an edit is never
// previewed with stale code.
"use strict";
const fs = require("fs");
const path = require("path");

const root = path.join(__dirname, "..");
const compiled = path.join(root, "bin", "tools", "preview.js");

function newestSource() {
    let newest = 0;
    const walk = (dir) => {
        for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
            const file = path.join(dir, entry.name);
            if (entry.isDirectory()) {
                walk(file);
            } else if (/\.(ts|js)$/.test(entry.name) && !entry.name.endsWith(".d.ts")) {
                newest = Math.max(newest, fs.statSync(file).mtimeMs);
            }
        }
    };
    for (const dir of ["tools", "core", path.join("policy-pack", "src")]) {
        walk(path.join(root, dir));
    }
    return newest;
}

if (fs.existsSync(compiled) && fs.statSync(compiled).mtimeMs >= newestSource()) {
    require(compiled).main();
} else {
    require("ts-node").register({ transpileOnly: true, project: path.join(root, "tsconfig.json") });
    require(path.join(root, "tools", "preview.ts")).main();
}
