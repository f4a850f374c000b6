// Whether the component runs for a program in another language. `pulumi package add` serves this
// package through the Node.js language host, which starts `node <resolved @pulumi/pulumi/cmd/run-plugin> <dir>`
// (sdk/nodejs/cmd/pulumi-language-nodejs/main.go, `RunPlugin`), and run-plugin
// (sdk/nodejs/cmd/run-plugin/run.ts, `run`) requires the package main and hands the exported
// ComponentResource classes to `componentProviderHost`, whose `ComponentProvider.construct` calls
// `new HitrustRedis(name, inputs, opts)` for each Construct request. A TypeScript program runs
// under `cmd/run` instead and builds the component in its own process.
//
// Why it matters: a Construct request's inputs are deserialized by the SDK's `deserializeInputs`
// (sdk/nodejs/provider/server.ts): a value the caller marked secret arrives as an Output marked
// secret, a plain one as a plain value. The inferred schema cannot mark `authToken` secret
// (provider/experimental/schema.ts has no `secret` field), so the generated Python, Go and .NET
// SDKs do not wrap it as a hand-written schema's `secret: true` would (pkg/codegen/python/gen.go
// `genResource`: `pulumi.Output.secret(...)`; pkg/codegen/go/gen.go `genResource`:
// `pulumi.ToSecret`). The component therefore checks it itself; see validation/auth.ts.
// test/construct.test.ts starts the real host and fails when this detection stops working.

const runPluginEntry = /[\\/]cmd[\\/]run-plugin[\\/]index\.js$/;

/** True when this process is the component host a program in another language talks to. */
export function servedToOtherLanguages(): boolean {
    return runPluginEntry.test(require.main?.filename ?? "");
}
