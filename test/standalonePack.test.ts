// The policy pack on its own, as its users get it: from a clean copy of the repository,
// `cd policy-pack && npm ci && npm run build` with nothing installed at the root, started the way
// `pulumi preview --policy-pack` starts it (its own @pulumi/pulumi's run-policy-pack) and asked
// GetAnalyzerInfo over gRPC; then `npm pack` (what `pulumi policy publish` uploads) unpacked on a
// stand-in enforcing machine that installs only the pack's `dependencies` and starts it again.
import * as assert from "assert";
import { ChildProcess, execFileSync, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as yaml from "js-yaml";
import { registry } from "../policy-pack/src/policies";
import { servingPort } from "../tools/analyzer";
import { cleanCopy, cleanEnv, mustRun, npmCache, root } from "./packaging";
import { emptyPb, grpc } from "../tools/sdkModules";

// The test plays the engine: its gRPC client comes from our own @pulumi/pulumi.
const analyzerGrpc = require("@pulumi/pulumi/proto/analyzer_grpc_pb");

/** Every node_modules folder Node.js would search from `dir` upwards. */
function nodeModulesAbove(dir: string): string[] {
    const found: string[] = [];
    for (let d = path.resolve(dir); ; d = path.dirname(d)) {
        if (fs.existsSync(path.join(d, "node_modules"))) {
            found.push(path.join(d, "node_modules"));
        }
        if (path.dirname(d) === d) {
            return found;
        }
    }
}

interface StartedPack {
    child: ChildProcess;
    info: { name: string; version: string; policies: string[] };
    stderr: string;
}

/**
 * Starts the pack as the CLI does: `node <its @pulumi/pulumi>/cmd/run-policy-pack <engine> .` with
 * the pack folder as working directory, waits for the port it prints, then calls GetAnalyzerInfo.
 */
async function startPack(packDir: string): Promise<StartedPack> {
    const runner = require.resolve("@pulumi/pulumi/cmd/run-policy-pack", { paths: [packDir] });
    assert.ok(runner.startsWith(path.join(packDir, "node_modules")), `run-policy-pack resolved outside: ${runner}`);
    const child = spawn(process.execPath, [runner, "127.0.0.1:0", "."], { cwd: packDir, env: cleanEnv() });
    const { port, stderr } = await servingPort(child, "the pack", 60000);
    const client = new analyzerGrpc.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    try {
        const res: any = await new Promise((resolve, reject) =>
            client.getAnalyzerInfo(new emptyPb.Empty(), (err: Error | null, r: unknown) =>
                err ? reject(err) : resolve(r),
            ),
        );
        return {
            child,
            stderr: stderr(),
            info: {
                name: res.getName(),
                version: res.getVersion(),
                policies: res.getPoliciesList().map((p: any) => p.getName()),
            },
        };
    } finally {
        client.close();
    }
}

function stop(pack: StartedPack | undefined): void {
    if (pack && pack.child.exitCode === null) {
        pack.child.kill();
    }
}

describe("The policy pack stands alone", function () {
    this.timeout(600000);
    let work: string;
    let packDir: string;
    const started: StartedPack[] = [];
    const expectedPolicies = registry
        .policies()
        .map((p) => p.name)
        .sort();

    before(() => {
        fs.mkdirSync(npmCache, { recursive: true });
        work = fs.mkdtempSync(path.join(os.tmpdir(), "hitrust-pack-"));
        packDir = path.join(cleanCopy(work), "policy-pack");
        assert.deepStrictEqual(nodeModulesAbove(packDir), [], "a node_modules above the copy would hide a gap");
        mustRun("npm", ["ci", "--no-audit", "--no-fund", "--prefer-offline"], packDir);
        mustRun("npm", ["run", "build"], packDir);
    });
    after(() => {
        started.forEach(stop);
        fs.rmSync(work, { recursive: true, force: true });
    });

    it("installs from its own lock file, with TypeScript as its own devDependency", () => {
        const pkg = JSON.parse(fs.readFileSync(path.join(packDir, "package.json"), "utf8"));
        assert.ok(pkg.devDependencies.typescript, "TypeScript must be the pack's devDependency");
        assert.ok(fs.existsSync(path.join(packDir, "package-lock.json")));
        assert.deepStrictEqual(nodeModulesAbove(packDir), [path.join(packDir, "node_modules")]);
        assert.ok(fs.existsSync(path.join(packDir, pkg.main)), `${pkg.main} was not built`);
    });

    it("starts through its own run-policy-pack and answers GetAnalyzerInfo", async () => {
        const pack = await startPack(packDir);
        started.push(pack);
        const pkg = JSON.parse(fs.readFileSync(path.join(packDir, "package.json"), "utf8"));
        assert.strictEqual(pack.info.name, "hitrust-elasticache");
        assert.strictEqual(pack.info.version, pkg.version);
        assert.deepStrictEqual([...pack.info.policies].sort(), expectedPolicies);
    });

    it("npm pack yields exactly the compiled pack, its manifest and docs: what `pulumi policy publish` uploads", () => {
        const out = mustRun("npm", ["pack", "--json", "--pack-destination", work], packDir);
        const info = JSON.parse(out.slice(out.indexOf("[")))[0];
        const files: string[] = info.files.map((f: { path: string }) => f.path).sort();
        const built: string[] = [];
        (function walk(dir: string) {
            for (const entry of fs.readdirSync(path.join(packDir, dir), { withFileTypes: true })) {
                const rel = path.posix.join(dir, entry.name);
                if (entry.isDirectory()) {
                    walk(rel);
                } else if (rel.endsWith(".js")) {
                    built.push(rel);
                }
            }
        })("bin");
        const expected = ["PulumiPolicy.yaml", "README.md", "config.example.json", "package.json", ...built].sort();
        assert.deepStrictEqual(files, expected);
        assert.ok(!files.includes("tsconfig.json"), "a tsconfig.json would make run-policy-pack compile with it");
        fs.renameSync(path.join(work, info.filename), path.join(work, "published.tgz"));
    });

    it("the published tarball starts on an enforcing machine that installs only its dependencies", async () => {
        const machine = path.join(work, "enforcing");
        fs.mkdirSync(machine);
        execFileSync("tar", ["-xzf", path.join(work, "published.tgz"), "-C", machine]);
        const unpacked = path.join(machine, "package");
        mustRun("npm", ["install", "--omit=dev", "--no-audit", "--no-fund", "--prefer-offline"], unpacked);
        const pack = await startPack(unpacked);
        started.push(pack);
        assert.strictEqual(pack.info.name, "hitrust-elasticache");
        assert.deepStrictEqual([...pack.info.policies].sort(), expectedPolicies);
    });

    it("the GitHub Actions workflow runs the pack installed with the package, with a config that names only its policies", async () => {
        const workflow: any = yaml.load(
            fs.readFileSync(path.join(root, "templates", "github-actions", "hitrust-elasticache.yml"), "utf8"),
        );
        // What the workflow names under node_modules/hitrust-elasticache is this package's build.
        const installed = (p: string) => {
            assert.match(p, /^node_modules\/hitrust-elasticache\//, `${p} is not in the installed package`);
            return path.join(root, p.replace(/^node_modules\/hitrust-elasticache\//, ""));
        };
        const steps: any[] = workflow.jobs["pulumi-preview"].steps;
        const preview = steps.find((s) => typeof s.uses === "string" && s.uses.startsWith("pulumi/actions@"));
        assert.ok(preview, "no pulumi/actions step");
        assert.strictEqual(preview.with.policyPacks, "${{ env.PACK_DIR }}");
        assert.strictEqual(preview.with.policyPackConfigs, "${{ env.POLICY_CONFIG }}");
        const packPath = installed(workflow.env.PACK_DIR);
        assert.ok(fs.existsSync(path.join(packPath, "PulumiPolicy.yaml")), `${packPath} is not a policy pack`);
        // Started as the CLI starts a local pack; its SDKs resolve from the project's node_modules.
        const { PolicyPackProcess } = await import("../tools/analyzer");
        const pack = await PolicyPackProcess.start(packPath);
        try {
            const info = await pack.info();
            assert.strictEqual(info.name, "hitrust-elasticache");
            assert.deepStrictEqual(info.policies.map((p) => p.name).sort(), expectedPolicies);
        } finally {
            await pack.stop();
        }
        const configFile = installed(workflow.env.POLICY_CONFIG);
        const config = JSON.parse(fs.readFileSync(configFile, "utf8"));
        for (const key of Object.keys(config).filter((k) => k !== "all")) {
            assert.ok(expectedPolicies.includes(key), `${configFile} configures ${key}, which the pack lacks`);
        }
        const report = workflow.jobs["policy-report"].steps;
        const start = report.find((s: any) => /hitrust-elasticache-preview /.test(String(s.run)));
        assert.ok(start, "the offline job does not run hitrust-elasticache-preview");
        assert.match(start.run, /--policy-pack "\$PACK_DIR" --policy-pack-config "\$POLICY_CONFIG"/);
        const upload = report.find((s: any) => String(s.uses).startsWith("github/codeql-action/upload-sarif"));
        const reportDir = /--report (\S+)/.exec(start.run)![1];
        assert.strictEqual(upload.with.sarif_file, `${reportDir}/report.sarif`);
    });
});
