// Every Pulumi project in this repository, run the way `pulumi up` runs it: the CLI's reading of
// Pulumi.yaml `main`, then @pulumi/pulumi's own cmd/run (which picks the file to run from the
// entry point or the nearest package.json) in a process of its own, with mocks in place of the
// engine's monitor. What registers is what `pulumi up` would create; what cmd/run says it ran is
// the program `npm start` previewed.
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as yaml from "js-yaml";
import { languageHostProgram, LanguageHostRunResult, runProgramInChild } from "../tools/langhost";
import { loadProject, runPreview } from "../tools/preview";

const root = path.join(__dirname, "..");
const transpileOnly = { PULUMI_NODEJS_TRANSPILE_ONLY: "true" };

/** Every Pulumi.yaml of the repository outside node_modules and build output. */
function projectFiles(dir = root): string[] {
    const found: string[] = [];
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        if (entry.isDirectory()) {
            if (!["node_modules", ".git", "bin", "reports"].includes(entry.name)) {
                found.push(...projectFiles(path.join(dir, entry.name)));
            }
        } else if (entry.name === "Pulumi.yaml") {
            found.push(path.relative(root, path.join(dir, entry.name)));
        }
    }
    return found.sort();
}

const types = (run: LanguageHostRunResult) => new Set(run.resources.map((r) => r.type));
const component = "hitrust-elasticache:index:HitrustRedis";
const replicationGroup = "aws:elasticache/replicationGroup:ReplicationGroup";

/** Each Node.js project, its stack, and what its program registers. */
const projects: {
    dir: string;
    stack?: string;
    /** The program fails: it refuses its arguments, or exits non-zero after registering. */
    fails?: true;
    check: (run: LanguageHostRunResult) => void;
}[] = [
    {
        dir: ".",
        check: (run) => {
            // The isolated VPC and the cache inside it.
            assert.ok(types(run).has("aws:ec2/vpc:Vpc"));
            assert.strictEqual(run.resources.filter((r) => r.type === component).length, 1);
            assert.ok(run.resources.length > 60, `${run.resources.length} resources`);
        },
    },
    {
        dir: "examples/compliant",
        check: (run) => {
            assert.strictEqual(run.resources.find((r) => r.type === component)?.name, "orders-cache");
            assert.ok(!types(run).has("aws:ec2/vpc:Vpc"), "the example deploys into an existing VPC");
        },
    },
    {
        dir: "examples/noncompliant",
        check: (run) => {
            assert.ok(types(run).has(replicationGroup));
            assert.ok(!types(run).has(component), "the hand-rolled stack does not use the component");
        },
    },
    {
        dir: "examples/rbac",
        check: (run) => {
            assert.ok(types(run).has(component));
            assert.ok(types(run).has("aws:elasticache/user:User"));
        },
    },
    {
        dir: "test/fixtures/autonamed",
        check: (run) => assert.ok(run.resources.some((r) => r.name === "AppCache")),
    },
    {
        dir: "test/fixtures/exits",
        stack: "nonzero",
        fails: true,
        check: (run) =>
            assert.deepStrictEqual(
                run.resources.map((r) => r.name),
                ["exits-cache"],
            ),
    },
    {
        dir: "test/fixtures/invalid",
        fails: true,
        // The component refuses its arguments before registering anything: the error is the
        // component's, from the program Pulumi.yaml names.
        check: (run) => {
            assert.deepStrictEqual(run.resources, []);
            assert.match(run.errors[0]?.message ?? "", /^HitrustRedis 'bad' has invalid arguments:/);
        },
    },
];
/** Projects run by another language host (or made into a project by `pulumi new`). */
const notNodeJs = ["examples/python/Pulumi.yaml", "examples/yaml/Pulumi.yaml"];
const elsewhere = ["templates/hitrust-redis/Pulumi.yaml", "test/fixtures/no-main/Pulumi.yaml"];

describe("Programs as the Node.js language host runs them (cmd/run)", function () {
    this.timeout(300000);

    it("every Pulumi.yaml of the repository is covered here", () => {
        assert.deepStrictEqual(
            projectFiles(),
            [...projects.map((p) => path.join(p.dir, "Pulumi.yaml")), ...notNodeJs, ...elsewhere].sort(),
        );
        for (const file of notNodeJs) {
            const runtime = (yaml.load(fs.readFileSync(path.join(root, file), "utf8")) as any).runtime;
            assert.notStrictEqual(typeof runtime === "string" ? runtime : runtime.name, "nodejs", file);
        }
    });

    for (const project of projects) {
        it(`${project.dir}: cmd/run runs its index.ts, which registers its resources`, async () => {
            const dir = path.join(root, project.dir);
            const { name, config } = loadProject(dir, project.stack ?? "dev");
            const run = await runProgramInChild(dir, {
                preview: true,
                project: name,
                stack: project.stack ?? "dev",
                config,
                providerDefaults: true,
                env: transpileOnly,
            });
            assert.strictEqual(run.programFile, path.join(dir, "index.ts"));
            if (project.fails) {
                assert.ok(run.errors.length > 0, "the program was expected to fail");
            } else {
                assert.ok(run.resources.length > 0);
                assert.deepStrictEqual(run.errors, []);
            }
            project.check(run);
        });
    }

    it("the examples type-check as the language host compiles them (ts-node's defaults, no tsconfig.json)", async () => {
        // cmd/run type-checks unless PULUMI_NODEJS_TRANSPILE_ONLY or `noCheck` says otherwise.
        const dir = path.join(root, "examples", "compliant");
        assert.ok(!fs.existsSync(path.join(dir, "tsconfig.json")));
        const { name, config } = loadProject(dir, "dev");
        const run = await runProgramInChild(dir, {
            preview: true,
            project: name,
            config,
            env: { PULUMI_NODEJS_TRANSPILE_ONLY: "false" },
        });
        assert.deepStrictEqual(run.errors, []);
        assert.ok(run.resources.some((r) => r.type === component));
    });

    describe("a Pulumi.yaml without `main` inside an npm package runs the package's entry", () => {
        const dir = path.join(root, "test", "fixtures", "no-main");

        it("cmd/run runs the package's exports['.'] (the component library), which registers nothing", async () => {
            assert.deepStrictEqual(languageHostProgram(dir), {
                name: "hitrust-no-main",
                root: dir,
                pwd: dir,
                entryPoint: ".",
                typescript: true,
                tsconfig: undefined,
                nodeargs: undefined,
            });
            const run = await runProgramInChild(dir, { preview: true, env: transpileOnly });
            assert.strictEqual(run.programFile, path.join(root, "bin", "component", "index.js"));
            assert.deepStrictEqual(run.resources, []);
            assert.deepStrictEqual(run.errors, []);
        });

        it("npm start refuses it: which file ran, from which package.json, and the fix", async () => {
            const reportDir = fs.mkdtempSync(path.join(os.tmpdir(), "hitrust-nomain-"));
            const outcome = await runPreview({
                programDir: dir,
                packDir: path.join(root, "policy-pack"),
                mode: "preview",
                stack: "dev",
                reportDir,
            });
            assert.strictEqual(outcome.exitCode, 2);
            assert.strictEqual(outcome.run.errors.length, 1);
            assert.match(
                outcome.run.errors[0].message,
                /Pulumi\.yaml names no `main`, so the Node\.js language host ran bin\/component\/index\.js, the entry of package\.json \(its `exports\["\."\]`\), and it registered no resources: `pulumi up` would plan to delete every resource of the stack\. Set `main` in Pulumi\.yaml to the file that declares your resources \(for example `main: index\.ts`\)\./,
            );
            assert.deepStrictEqual(fs.readdirSync(reportDir), []);
        });
    });

    describe("Pulumi.yaml `main` as the CLI reads it (pkg/engine/project.go, getPwdMain)", () => {
        const scratch = () => {
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hitrust-main-"));
            fs.mkdirSync(path.join(dir, "src"));
            fs.writeFileSync(path.join(dir, "src", "index.ts"), "export {};\n");
            return dir;
        };
        const write = (dir: string, project: object) =>
            fs.writeFileSync(path.join(dir, "Pulumi.yaml"), yaml.dump(project));

        it("a file: its folder is the program directory and its name the entry point", () => {
            const dir = scratch();
            write(dir, { name: "p", runtime: "nodejs", main: "src/index.ts" });
            const program = languageHostProgram(dir);
            assert.strictEqual(program.pwd, path.join(dir, "src"));
            assert.strictEqual(program.entryPoint, "index.ts");
        });

        it("a folder: the program directory, and the entry point left to cmd/run", () => {
            const dir = scratch();
            write(dir, { name: "p", runtime: { name: "nodejs", options: { typescript: false } }, main: "src/" });
            const program = languageHostProgram(dir);
            assert.strictEqual(program.pwd, path.join(dir, "src"));
            assert.strictEqual(program.entryPoint, ".");
            assert.strictEqual(program.typescript, false);
        });

        it("a main that does not exist, a runtime other than nodejs and a non-boolean typescript are refused", () => {
            const dir = scratch();
            write(dir, { name: "p", runtime: "nodejs", main: "nope.ts" });
            assert.throws(
                () => languageHostProgram(dir),
                /main "nope\.ts" does not exist .*set `main` to the program's entry file/,
            );
            write(dir, { name: "p", runtime: "yaml" });
            assert.throws(
                () => languageHostProgram(dir),
                /runtime "yaml" is not nodejs; .*pulumi preview --policy-pack/,
            );
            write(dir, { name: "p", runtime: { name: "nodejs", options: { typescript: "yes" } } });
            assert.throws(() => languageHostProgram(dir), /runtime\.options\.typescript must be true or false/);
        });
    });

    it("npm start previews what cmd/run ran: the report's SARIF points at that file", () => {
        const reportDir = fs.mkdtempSync(path.join(os.tmpdir(), "hitrust-sarif-"));
        const run = spawnSync(process.execPath, ["tools/start.js", "examples/noncompliant", "--report", reportDir], {
            cwd: root,
            encoding: "utf8",
        });
        assert.strictEqual(run.status, 1, run.stderr + run.stdout);
        assert.match(run.stderr, /The program examples\/noncompliant\/index\.ts registered \d+ resources/);
        const sarif = JSON.parse(fs.readFileSync(path.join(reportDir, "report.sarif"), "utf8"));
        const uris = new Set(
            sarif.runs[0].results.flatMap((r: any) =>
                r.locations.map((l: any) => l.physicalLocation.artifactLocation.uri),
            ),
        );
        assert.deepStrictEqual([...uris], ["examples/noncompliant/index.ts"]);
    });
});
