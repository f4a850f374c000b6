// Runs a Pulumi project's program the way `pulumi preview` and `pulumi up` do, with mocks in place
// of the engine's resource monitor and providers:
//   1. the CLI turns Pulumi.yaml's `main` into a program directory and an entry point
//      (pulumi/pulumi pkg/engine/project.go, getPwdMain): no `main` gives the project folder and
//      "."; a folder gives that folder and "."; a file gives its folder and its base name;
//   2. the Node.js language host resolves `@pulumi/pulumi/cmd/run` from the program directory
//      (sdk/nodejs/cmd/pulumi-language-nodejs/main.go, locateModule), sets PULUMI_CONFIG,
//      PULUMI_CONFIG_SECRET_KEYS and, unless the runtime option `typescript` is false,
//      PULUMI_NODEJS_TYPESCRIPT=true (execRuntime, parseOptions: typescript defaults to true), and
//      starts `node [nodeargs] <cmd/run> --monitor .. --engine .. --project .. --root-directory ..
//      --stack .. --pwd <program dir> [--dry-run] --parallel .. <entry point>` (constructArguments);
//   3. cmd/run itself picks the file to run: the entry point, or with "." the nearest package.json's
//      `exports["."]`, else its `main`, else the folder's index (cmd/run/run.js, function run).
// Steps 1 and 2 are the Go CLI's and are done here as it does them; step 3 is @pulumi/pulumi's own
// code, run unchanged. The engine's side of the Engine service (logs) is served here over gRPC, so
// cmd/run's own messages (which program it runs, its warnings and errors) arrive as the engine
// would receive them.
import { spawn } from "child_process";
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as os from "os";
import * as path from "path";
import type { LanguageHostChildRecord, LanguageHostChildRequest, MockRunOptions, MockRunResult } from "./mockrun";
import { fromWire } from "./wire";
import { emptyPb, grpc } from "./sdkModules";

const engineGrpc = require("@pulumi/pulumi/proto/engine_grpc_pb");
const enginePb = require("@pulumi/pulumi/proto/engine_pb");

/** The Pulumi.yaml of a project, as far as running its program goes. */
export interface LanguageHostProgram {
    /** The project name. */
    name: string;
    /** The folder of Pulumi.yaml. */
    root: string;
    /** The program directory the language host is given (`--pwd`). */
    pwd: string;
    /** The entry point: a file name in `pwd`, or "." for "let cmd/run decide". */
    entryPoint: string;
    /** Runtime options (`runtime.options` in Pulumi.yaml). */
    typescript: boolean;
    tsconfig?: string;
    nodeargs?: string;
}

/** Pulumi.yaml of the project in `root`, parsed; an error that says what to pass when there is none. */
export function readProjectFile(root: string): any {
    const projectFile = path.join(root, "Pulumi.yaml");
    if (!fs.existsSync(projectFile)) {
        throw new Error(
            `${root} is not a Pulumi project: it has no Pulumi.yaml; pass the folder that holds Pulumi.yaml as PROGRAM_DIR.`,
        );
    }
    return yaml.load(fs.readFileSync(projectFile, "utf8")) ?? {};
}

/** Reads Pulumi.yaml's runtime and `main` as the CLI and the Node.js language host do. */
export function languageHostProgram(root: string, project: any = readProjectFile(root)): LanguageHostProgram {
    const projectFile = path.join(root, "Pulumi.yaml");
    const runtime = typeof project.runtime === "string" ? project.runtime : project.runtime?.name;
    if (runtime !== "nodejs") {
        throw new Error(
            `${projectFile}: runtime ${JSON.stringify(runtime)} is not nodejs; the offline preview runs Node.js (TypeScript or JavaScript) programs. Preview a ${runtime} program with \`pulumi preview --policy-pack\`.`,
        );
    }
    const options = (typeof project.runtime === "object" ? project.runtime.options : undefined) ?? {};
    // pulumi-language-nodejs parseOptions: typescript defaults to true and must be a boolean.
    if (options.typescript !== undefined && typeof options.typescript !== "boolean") {
        throw new Error(`${projectFile}: runtime.options.typescript must be true or false.`);
    }
    const name = String(project.name ?? path.basename(root));
    // pkg/engine/project.go, getPwdMain.
    let pwd = root;
    let entryPoint = ".";
    if (project.main !== undefined && project.main !== "") {
        const main = path.resolve(root, String(project.main));
        if (!fs.existsSync(main)) {
            throw new Error(
                `${projectFile}: main ${JSON.stringify(project.main)} does not exist (project 'main' could not be read); set \`main\` to the program's entry file, such as index.ts.`,
            );
        }
        if (fs.statSync(main).isDirectory()) {
            pwd = main;
        } else {
            pwd = path.dirname(main);
            entryPoint = path.basename(main);
        }
    }
    return {
        name,
        root,
        pwd,
        entryPoint,
        typescript: options.typescript ?? true,
        tsconfig: typeof options.tsconfig === "string" ? options.tsconfig : undefined,
        nodeargs: typeof options.nodeargs === "string" ? options.nodeargs : undefined,
    };
}

export interface LanguageHostRunOptions extends MockRunOptions {
    /** Stack configuration with full keys (`project:key`), values as Pulumi stores them. */
    config?: Record<string, string>;
    /** Each line the program writes to stdout or stderr. */
    onOutput?: (line: string) => void;
    /** How long a program may keep running once its resources are registered. */
    lingerMs?: number;
    /** Extra environment for the program's process (PULUMI_NODEJS_TRANSPILE_ONLY, say). */
    env?: Record<string, string>;
}

export interface LanguageHostRunResult extends MockRunResult {
    /** The file cmd/run reported it ran ("Running program '...'"), when it got that far. */
    programFile?: string;
    /** How the program's process ended. */
    exitCode: number | null;
}

interface EngineLog {
    severity: number;
    message: string;
    urn: string;
}

/** The engine's Engine service: the program's log messages, its root resource. */
async function startEngine(): Promise<{ address: string; logs: EngineLog[]; stop: () => void }> {
    const logs: EngineLog[] = [];
    let rootUrn = "";
    const server = new grpc.Server();
    server.addService(engineGrpc.EngineService, {
        log(call: any, callback: any) {
            const req = call.request;
            logs.push({ severity: req.getSeverity(), message: req.getMessage(), urn: req.getUrn() });
            callback(null, new emptyPb.Empty());
        },
        getRootResource(_call: any, callback: any) {
            const resp = new enginePb.GetRootResourceResponse();
            resp.setUrn(rootUrn);
            callback(null, resp);
        },
        setRootResource(call: any, callback: any) {
            rootUrn = call.request.getUrn();
            callback(null, new enginePb.SetRootResourceResponse());
        },
    });
    const port: number = await new Promise((resolve, reject) =>
        server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (e: Error | null, p: number) =>
            e ? reject(e) : resolve(p),
        ),
    );
    return { address: `127.0.0.1:${port}`, logs, stop: () => server.forceShutdown() };
}

/** engine.proto LogSeverity. */
const severity = { debug: 0, info: 1, warning: 2, error: 3 };

function lineSplitter(onLine: (line: string) => void): (chunk: Buffer | string) => void {
    let pending = "";
    return (chunk) => {
        pending += chunk.toString();
        const lines = pending.split("\n");
        pending = lines.pop() ?? "";
        lines.forEach(onLine);
    };
}

/**
 * Runs the project in `root` (its folder, or its Pulumi.yaml as `languageHostProgram` read it) as
 * the Node.js language host does, under mocks, and returns what it
 * registered. A program that crashes, exits non-zero, or ends itself (process.exit) before its
 * registrations settle yields an error naming what happened; it cannot end or succeed the caller.
 */
export async function runProgramInChild(
    root: string | LanguageHostProgram,
    options: LanguageHostRunOptions,
): Promise<LanguageHostRunResult> {
    const { onOutput, lingerMs = 10000, env: extraEnv = {}, config = {}, ...mockOptions } = options;
    const program = typeof root === "string" ? languageHostProgram(path.resolve(root)) : root;
    const project = options.project ?? program.name;
    const stack = options.stack ?? "dev";
    let runPath: string;
    try {
        // locateModule: `node -e "require.resolve('@pulumi/pulumi/cmd/run')"` in the program directory.
        runPath = require.resolve("@pulumi/pulumi/cmd/run", { paths: [program.pwd] });
    } catch {
        throw new Error(
            `${program.pwd}: @pulumi/pulumi is not installed where the program is (It looks like the Pulumi SDK has not been installed): run npm install in the project.`,
        );
    }
    const sdkDir = path.resolve(path.dirname(runPath), "..", "..");
    const engine = await startEngine();
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "hitrust-langhost-"));
    const resultFile = path.join(scratch, "record.json");
    const request: LanguageHostChildRequest = {
        options: { ...mockOptions, project, stack },
        sdkDir,
        resultFile,
    };
    // constructConfig: keys as `<namespace>:config:<name>`.
    const pulumiConfig: Record<string, string> = {};
    for (const [key, value] of Object.entries(config)) {
        const [namespace, ...rest] = key.includes(":") ? key.split(":") : [project, key];
        pulumiConfig[`${namespace}:config:${rest.join(":")}`] = value;
    }
    const args = [
        ...(program.nodeargs ? program.nodeargs.split(/\s+/).filter(Boolean) : []),
        "-r",
        path.join(__dirname, "langhost-preload.js"),
        runPath,
        "--monitor",
        "mock",
        "--engine",
        engine.address,
        "--project",
        project,
        "--root-directory",
        program.root,
        "--stack",
        stack,
        "--pwd",
        program.pwd,
        ...(options.preview ? ["--dry-run"] : []),
        "--parallel",
        "48",
        program.entryPoint,
    ];
    const env: Record<string, string | undefined> = {
        ...process.env,
        ...extraEnv,
        PULUMI_CONFIG: JSON.stringify(pulumiConfig),
        PULUMI_CONFIG_SECRET_KEYS: "[]",
        PULUMI_NODEJS_ENGINE: engine.address,
        PULUMI_NODEJS_PROJECT: project,
        PULUMI_NODEJS_STACK: stack,
        PULUMI_NODEJS_ROOT_DIRECTORY: program.root,
        HITRUST_MOCKRUN: JSON.stringify(request),
    };
    delete env.PULUMI_NODEJS_TYPESCRIPT;
    delete env.TS_NODE_PROJECT;
    if (program.typescript) {
        env.PULUMI_NODEJS_TYPESCRIPT = "true";
    }
    if (program.tsconfig) {
        env.PULUMI_NODEJS_TSCONFIG_PATH = program.tsconfig;
    }
    const child = spawn(process.execPath, args, {
        cwd: program.pwd,
        stdio: ["ignore", "pipe", "pipe", "ipc"],
        env,
    });
    let stderrTail = "";
    const output = onOutput ?? (() => undefined);
    child.stdout!.on("data", lineSplitter(output));
    const errLines = lineSplitter(output);
    child.stderr!.on("data", (chunk) => {
        stderrTail = (stderrTail + chunk.toString()).slice(-8000);
        errLines(chunk);
    });
    let lingered = false;
    let lingerTimer: NodeJS.Timeout | undefined;
    child.on("message", (message: { kind?: string }) => {
        if (message?.kind === "registered" && !lingerTimer) {
            // The language host waits for the program's event loop to drain; so do we, for a while.
            lingerTimer = setTimeout(() => {
                lingered = true;
                child.kill("SIGKILL");
            }, lingerMs);
        }
    });
    const ended: { code: number | null; signal: NodeJS.Signals | null; error?: Error } = await new Promise(
        (resolve) => {
            child.on("error", (error) => resolve({ code: null, signal: null, error }));
            child.on("exit", (code, signal) => resolve({ code, signal }));
        },
    );
    clearTimeout(lingerTimer);
    // Logs the program sent just before it exited are in flight; the engine reads them all.
    await new Promise((resolve) => setImmediate(resolve));
    engine.stop();
    let record: LanguageHostChildRecord = { resources: [] };
    if (fs.existsSync(resultFile)) {
        record = JSON.parse(fs.readFileSync(resultFile, "utf8"));
    }
    fs.rmSync(scratch, { recursive: true, force: true });

    const logs = engine.logs;
    const ran = logs
        .filter((l) => l.severity === severity.debug)
        .map((l) => /^Running program '(.*)' in pwd '/.exec(l.message)?.[1])
        .find((f) => f !== undefined);
    const warnings = logs.filter((l) => l.severity === severity.warning).map((l) => l.message);
    if (lingered) {
        warnings.push(
            `the program kept running ${lingerMs / 1000} s after its resources were registered (an open timer, server or handle); it was stopped. Let the program end when its work is done.`,
        );
    }
    const errors = logs.filter((l) => l.severity === severity.error).map((l) => new Error(l.message));
    const registered = record.stackOutputs !== undefined;
    const said = stderrTail.trim().split("\n").slice(-15).join("\n");
    const { code, signal } = ended;
    if (ended.error) {
        errors.push(new Error(`the program could not be started: ${ended.error.message}`));
    } else if (signal && !lingered) {
        errors.push(new Error(`the program was ended by signal ${signal}${said ? `:\n${said}` : "."}`));
    } else if (!lingered && code !== 0) {
        // cmd/run exits 32 when it has logged the error itself (the messages above).
        if (errors.length === 0 || code !== 32) {
            const endedEarly =
                !registered && /promises were still active\s+at the time that the process exited/.test(said);
            errors.push(
                new Error(
                    endedEarly
                        ? `the program ended itself (exit code ${code}) before its resources were registered, so the stack cannot be judged: remove any process.exit call and let the program return; Pulumi waits for its resources.`
                        : `the program ${registered ? "failed after registering its resources" : "crashed"} (exit code ${code})${said ? `:\n${said}` : "."}`,
                ),
            );
        }
    } else if (!lingered && !registered) {
        errors.push(
            new Error(
                `the program ended itself (exit code ${code}) before its resources were registered, so the stack cannot be judged: remove any process.exit call and let the program return; Pulumi waits for its resources.`,
            ),
        );
    }
    const exports =
        errors.length === 0 && record.stackOutputs ? (fromWire(record.stackOutputs) as Record<string, unknown>) : {};
    return {
        resources: record.resources,
        exports,
        errors: [...new Set(errors)],
        warnings,
        programFile: ran,
        exitCode: code,
    };
}
