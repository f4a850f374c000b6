// `npm run build:package` (and so `npm pack`): bundles tools/audit/scheduled.ts into one minified
// CommonJS file, bin/audit-function/index.js, the scheduled audit function's code (handler
// index.handler), with the AWS SDK v3 clients it uses inside it.
//
// The SDK clients are bundled rather than taken from the runtime: "To have full control of the
// dependencies your function uses, package all of your dependencies with your deployment package"
// (the runtime's SDK is updated by Lambda from time to time; "Best practices for working with AWS
// Lambda functions", https://docs.aws.amazon.com/lambda/latest/dg/best-practices.html). The target
// is the Node.js of the component's Lambda runtime (component/snapshotExport.ts lambdaNodeRuntime).
// The result (about 6.3 MB, 1.6 MB zipped) must stay under Lambda's deployment package limits, 50 MB
// zipped for a direct upload and 250 MB unzipped ("Lambda quotas",
// https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html); the test
// test/scheduledFunction.test.ts checks the file.
//
// A few modules find their siblings at run time through require.resolve or package.json files
// beside them, which a one-file bundle does not have: `rewrites` turns each into a static import
// or a value read at build time. Each rewrite must match, so a change to those lines fails the
// build instead of the function.
"use strict";
const fs = require("fs");
const path = require("path");

const root = path.join(__dirname, "..");
const outFile = path.join(root, "bin", "audit-function", "index.js");

/** The Lambda runtime's Node.js major version, from the component's runtime name (nodejs24.x -> node24). */
function nodeTarget() {
    const source = fs.readFileSync(path.join(root, "component", "snapshotExport.ts"), "utf8");
    const m = /export const lambdaNodeRuntime = "nodejs(\d+)\.x"/.exec(source);
    if (!m) {
        throw new Error("component/snapshotExport.ts: lambdaNodeRuntime not found");
    }
    return `node${m[1]}`;
}

function rewrites() {
    const pack = JSON.parse(fs.readFileSync(path.join(root, "policy-pack", "package.json"), "utf8"));
    const packJson = JSON.stringify({
        name: pack.name,
        version: pack.version,
        repository: pack.repository,
        homepage: pack.homepage,
    });
    return {
        "policy-pack/src/sdk.ts": [
            ['path.dirname(require.resolve("@pulumi/policy"))', '""'],
            ['require(path.join(sdkDir, "deserialize.js"))', 'require("@pulumi/policy/deserialize.js")'],
            ['require(path.join(sdkDir, "proxy.js"))', 'require("@pulumi/policy/proxy.js")'],
        ],
        "policy-pack/src/server.ts": [['path.dirname(require.resolve("@pulumi/policy"))', '""']],
        "policy-pack/src/registry.ts": [["docsUrlFrom(packPackageJson())", `docsUrlFrom(${packJson})`]],
        "tools/sdkModules.ts": [
            ['path.dirname(require.resolve("@pulumi/pulumi/package.json"))', '""'],
            ['fromPulumi("@grpc/grpc-js")', 'require("@grpc/grpc-js")'],
            [
                'fromPulumi("google-protobuf/google/protobuf/struct_pb")',
                'require("google-protobuf/google/protobuf/struct_pb")',
            ],
            [
                'fromPulumi("google-protobuf/google/protobuf/empty_pb")',
                'require("google-protobuf/google/protobuf/empty_pb")',
            ],
        ],
        "tools/audit/evaluate.ts": [["version: packVersion(),", `version: ${JSON.stringify(pack.version)},`]],
    };
}

const rewritePlugin = {
    name: "one-file",
    setup(build) {
        const table = rewrites();
        build.onLoad({ filter: /\.ts$/ }, (args) => {
            const rel = path.relative(root, args.path).split(path.sep).join("/");
            const list = table[rel];
            if (!list) {
                return undefined;
            }
            let text = fs.readFileSync(args.path, "utf8");
            for (const [from, to] of list) {
                if (!text.includes(from)) {
                    throw new Error(`${rel}: '${from}' not found: update tools/buildAuditFunction.js`);
                }
                text = text.split(from).join(to);
            }
            return { contents: text, loader: "ts" };
        });
    },
};

/**
 * Packages the audit's modules import for what the function never runs, replaced by a stand-in
 * that throws when used: the provider SDK (component/ modules the audit takes constants from also
 * declare resources) and the TypeScript compiler (@pulumi/pulumi's closure serialization). They
 * are 9 of the bundle's 15 MB.
 */
const notInFunction = ["@pulumi/aws", "typescript"];

const stubPlugin = {
    name: "not-in-function",
    setup(build) {
        const filter = new RegExp(`^(${notInFunction.map((n) => n.replace(/[/.]/g, "\\$&")).join("|")})$`);
        build.onResolve({ filter }, (args) => ({ path: args.path, namespace: "not-in-function" }));
        build.onLoad({ filter: /.*/, namespace: "not-in-function" }, (args) => ({
            contents: `const fail = () => { throw new Error(${JSON.stringify(`${args.path} is not in the audit function's bundle`)}); };
const stub = new Proxy(function () {}, {
    get: (target, key) => (key === "then" || typeof key === "symbol" ? undefined : key === "__esModule" ? false : stub),
    apply: fail,
    construct: fail,
});
module.exports = stub;`,
            loader: "js",
        }));
    },
};

async function buildAuditFunction() {
    const esbuild = require("esbuild");
    fs.rmSync(path.dirname(outFile), { recursive: true, force: true });
    const result = await esbuild.build({
        entryPoints: [path.join(root, "tools", "audit", "scheduled.ts")],
        outfile: outFile,
        bundle: true,
        platform: "node",
        format: "cjs",
        target: nodeTarget(),
        minify: true,
        legalComments: "none",
        // Class names stay: the audit records each call by its command class (aws.ts operationOf).
        keepNames: true,
        logLevel: "error",
        plugins: [rewritePlugin, stubPlugin],
        metafile: process.env.HITRUST_BUNDLE_META === "1",
    });
    if (result.metafile) {
        // HITRUST_BUNDLE_META=1: what each package adds to the bundle, for `esbuild --analyze`-style reading.
        fs.writeFileSync(
            path.join(require("os").tmpdir(), "audit-function.meta.json"),
            JSON.stringify(result.metafile),
        );
    }
    if (result.errors.length > 0) {
        throw new Error(result.errors.map((e) => e.text).join("\n"));
    }
    return outFile;
}

module.exports = { buildAuditFunction, outFile };

if (require.main === module) {
    buildAuditFunction().then(
        (file) => console.log(`${path.relative(root, file)}: ${fs.statSync(file).size} bytes`),
        (e) => {
            console.error(e.message);
            process.exitCode = 1;
        },
    );
}
