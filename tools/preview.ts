#!/usr/bin/env node
// `npm start [-- PROGRAM_DIR] [--policy-pack-config FILE] [--update] [--report DIR]`
// An offline `pulumi preview --policy-pack policy-pack`: the program runs under the Pulumi mock
// runtime, the pack runs as the engine starts it and judges every resource over gRPC, and an
// evidence report is written. Exit code 0 without a mandatory finding, 1 with one, 2 on error.
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as path from "path";
import { parseArgs } from "util";
import {
    Diagnostic,
    PackInfo,
    PolicyPackConfigFile,
    PolicyPackProcess,
    readPolicyPackConfigFile,
    resolvePolicyConfig,
} from "./analyzer";
import {
    LanguageHostProgram,
    languageHostProgram,
    LanguageHostRunResult,
    readProjectFile,
    runProgramInChild,
} from "./langhost";
import type { RecordedResource } from "./mockrun";
import type { PolicyMetadata } from "../policy-pack/src/registry";
import { buildReport, EvidenceReport, headline, writeReport } from "./report";

export interface PreviewOptions {
    /** A Pulumi project directory (with Pulumi.yaml). */
    programDir: string;
    packDir: string;
    policyPackConfig?: string;
    mode: "preview" | "update";
    stack: string;
    reportDir?: string;
    log?: (line: string) => void;
}

export interface PreviewOutcome {
    project: string;
    /** The file the language host ran, as it reported it. */
    programFile: string;
    run: LanguageHostRunResult;
    info: PackInfo;
    findings: Diagnostic[];
    report: EvidenceReport;
    reportFiles: string[];
    exitCode: number;
    /** Milliseconds from the start of the run at which each phase ended (programStarted: began). */
    timings: { programStarted: number; packReady: number; programDone: number; analyzed: number; reported: number };
}

interface Project {
    name: string;
    program: LanguageHostProgram;
    config: Record<string, string>;
}

/** Reads Pulumi.yaml (name, runtime, main, config defaults) and Pulumi.<stack>.yaml config. */
export function loadProject(dir: string, stack: string): Project {
    const project = readProjectFile(dir);
    const program = languageHostProgram(dir, project);
    const name = program.name;
    const config: Record<string, string> = {};
    const asConfigValue = (v: unknown) => (typeof v === "string" ? v : JSON.stringify(v));
    for (const [key, spec] of Object.entries<any>(project?.config ?? {})) {
        // A project config entry is either a plain default or a typed declaration with `default`.
        const declared = spec !== null && typeof spec === "object" && !Array.isArray(spec);
        if (!declared || "default" in spec) {
            config[key.includes(":") ? key : `${name}:${key}`] = asConfigValue(declared ? spec.default : spec);
        }
    }
    const stackFile = path.join(dir, `Pulumi.${stack}.yaml`);
    if (fs.existsSync(stackFile)) {
        const stackConfig = (yaml.load(fs.readFileSync(stackFile, "utf8")) as any)?.config ?? {};
        for (const [key, value] of Object.entries(stackConfig)) {
            if (value !== null && typeof value === "object" && "secure" in (value as any)) {
                throw new Error(
                    `${stackFile}: secure config '${key}' cannot be decrypted offline; use a plain test value.`,
                );
            }
            config[key.includes(":") ? key : `${name}:${key}`] = asConfigValue(value);
        }
    }
    return { name, program, config };
}

/**
 * What the report needs to know of each policy (controls, resource types, properties). The build
 * writes it beside the compiled pack (bin/policy-pack/metadata.json, tools/packageLayout.js), so the
 * installed tool does not load the pack's policies and @pulumi/policy; from the sources, the
 * registry itself.
 */
function policyMetadata(): PolicyMetadata[] {
    const built = path.join(__dirname, "..", "policy-pack", "metadata.json");
    if (path.extname(__filename) === ".js" && fs.existsSync(built)) {
        return JSON.parse(fs.readFileSync(built, "utf8"));
    }
    return (require("../policy-pack/src/policies") as typeof import("../policy-pack/src/policies")).registry.metadata();
}

/**
 * Why a program registered no resource of its own, and the fix: most often Pulumi.yaml names no
 * `main`, so cmd/run ran the entry of the nearest package.json (a library's, say).
 */
export function noResourcesError(program: LanguageHostProgram, ran: string | undefined): Error {
    const projectFile = path.join(program.root, "Pulumi.yaml");
    const ranText = ran ? path.relative(process.cwd(), ran) || ran : "the program";
    if (program.entryPoint === ".") {
        const manifest = nearestPackageJson(program.pwd);
        const entry = manifest
            ? typeof manifest.data.exports === "object" || typeof manifest.data.exports === "string"
                ? 'its `exports["."]`'
                : manifest.data.main
                  ? "its `main`"
                  : undefined
            : undefined;
        const why =
            manifest && entry
                ? `${projectFile} names no \`main\`, so the Node.js language host ran ${ranText}, the entry of ${path.relative(process.cwd(), manifest.file) || manifest.file} (${entry})`
                : `${projectFile} names no \`main\`, so the Node.js language host ran ${ranText}`;
        return new Error(
            `${why}, and it registered no resources: \`pulumi up\` would plan to delete every resource of the stack. Set \`main\` in Pulumi.yaml to the file that declares your resources (for example \`main: index.ts\`).`,
        );
    }
    return new Error(
        `${ranText} (the \`main\` of ${projectFile}) registered no resources: \`pulumi up\` would plan to delete every resource of the stack. Point \`main\` at the file that declares your resources, and create them when that file is loaded (or export a function that does).`,
    );
}

function nearestPackageJson(dir: string): { file: string; data: any } | undefined {
    for (let d = dir; ; d = path.dirname(d)) {
        const file = path.join(d, "package.json");
        if (fs.existsSync(file)) {
            try {
                return { file, data: JSON.parse(fs.readFileSync(file, "utf8")) };
            } catch {
                return undefined;
            }
        }
        if (path.dirname(d) === d) {
            return undefined;
        }
    }
}

/** A folder the report can be written to, made if missing; else an error naming `what` and the fix. */
export function ensureWritableDir(dir: string, what: string): void {
    try {
        fs.mkdirSync(dir, { recursive: true });
        if (!fs.statSync(dir).isDirectory()) {
            throw Object.assign(new Error("not a folder"), { code: "ENOTDIR" });
        }
        fs.accessSync(dir, fs.constants.W_OK);
        const probe = path.join(dir, `.write-test-${process.pid}`);
        fs.writeFileSync(probe, "");
        fs.unlinkSync(probe);
    } catch (e) {
        const code = (e as NodeJS.ErrnoException).code ?? (e instanceof Error ? e.message : String(e));
        throw new Error(
            `${what} ${dir} cannot be written (${code}): pass a folder you may write to, for example --report reports/<name>.`,
        );
    }
}

/**
 * Runs the program under mocks and hands every resource to the pack, as `pulumi preview` does:
 * the pack starts while the program runs (in parallel), the program runs in a process of its own,
 * and the exit code is decided here. Everything that can be checked before the run is checked
 * first (project, pack folder, config file, report folder).
 */
export async function runPreview(options: PreviewOptions): Promise<PreviewOutcome> {
    const log = options.log ?? (() => undefined);
    const dir = path.resolve(options.programDir);
    const project = loadProject(dir, options.stack);
    const packDir = path.resolve(options.packDir);
    if (!fs.existsSync(path.join(packDir, "PulumiPolicy.yaml"))) {
        throw new Error(
            `--policy-pack ${options.packDir} is not a policy pack (it has no PulumiPolicy.yaml): pass the folder of a Pulumi policy pack, such as policy-pack.`,
        );
    }
    const configSource = options.policyPackConfig ? `policy pack config ${options.policyPackConfig}` : undefined;
    const configFile: PolicyPackConfigFile | undefined = options.policyPackConfig
        ? readPolicyPackConfigFile(options.policyPackConfig)
        : undefined;
    const reportDir = options.reportDir ?? path.join("reports", project.name);
    ensureWritableDir(reportDir, options.reportDir !== undefined ? "--report" : "the report folder");

    const start = Date.now();
    const timings = { programStarted: 0, packReady: 0, programDone: 0, analyzed: 0, reported: 0 };
    const where = path.relative(process.cwd(), project.program.pwd) || ".";
    log(
        `Running ${where} (entry ${project.program.entryPoint}) as the Node.js language host does, under the Pulumi mock runtime (${options.mode}) ...`,
    );
    timings.programStarted = Date.now() - start;
    const runDone = runProgramInChild(project.program, {
        preview: options.mode === "preview",
        project: project.name,
        stack: options.stack,
        config: project.config,
        providerDefaults: true,
        // Type checking is `tsc`'s job (and the language host's unless told otherwise, as here);
        // the same variable makes `pulumi up` skip it (cmd/run/run.js).
        env: { PULUMI_NODEJS_TRANSPILE_ONLY: process.env.PULUMI_NODEJS_TRANSPILE_ONLY ?? "true" },
        onOutput: (line) => log(`  program: ${line}`),
    })
        .catch((e: unknown): LanguageHostRunResult => ({
            resources: [],
            exports: {},
            errors: [e instanceof Error ? e : new Error(String(e))],
            warnings: [],
            exitCode: null,
        }))
        .then((run) => {
            timings.programDone = Date.now() - start;
            if (run.errors.length === 0 && run.resources.length === 0) {
                run.errors.push(noResourcesError(project.program, run.programFile));
            }
            log(
                `The program ${run.programFile ? path.relative(process.cwd(), run.programFile) : ""} registered ${run.resources.length} resources (${(timings.programDone / 1000).toFixed(1)} s).`,
            );
            return run;
        });
    log(`Starting policy pack ${path.relative(process.cwd(), packDir) || "."} ...`);
    const packReady = (async () => {
        const pack = await PolicyPackProcess.start(packDir);
        try {
            const info = await pack.info();
            const resolved = resolvePolicyConfig(info, configFile, configSource);
            await pack.configure(info, configFile);
            timings.packReady = Date.now() - start;
            return { pack, info, resolved };
        } catch (e) {
            await pack.stop();
            throw e;
        }
    })();
    const [packStarted, run] = await Promise.all([
        packReady.then(
            (value) => ({ value, error: undefined }),
            (error: unknown) => ({ value: undefined, error }),
        ),
        runDone,
    ]);
    if (!packStarted.value) {
        throw packStarted.error;
    }
    const { pack, info, resolved } = packStarted.value;
    try {
        const findings: Diagnostic[] = [];
        const applied = new Map<string, string[]>();
        const resourcePolicies = info.policies.filter((p) => p.kind !== "stack").map((p) => p.name);
        if (run.errors.length === 0) {
            const results = await pack.analyzeResources(run.resources);
            run.resources.forEach((resource, i) => {
                const { diagnostics, notApplicable } = results[i];
                findings.push(...diagnostics);
                applied.set(
                    resource.urn,
                    resourcePolicies.filter(
                        (n) => !notApplicable.includes(n) && resolved[n]?.enforcementLevel !== "disabled",
                    ),
                );
            });
            findings.push(...(await pack.analyzeStack(run.resources)));
        }
        timings.analyzed = Date.now() - start;
        const programFile = run.programFile ?? path.join(project.program.pwd, project.program.entryPoint);
        const levels = Object.fromEntries(Object.entries(resolved).map(([k, v]) => [k, v.enforcementLevel]));
        const report = buildReport({
            program: path.relative(process.cwd(), dir) || ".",
            mode: options.mode,
            info,
            levels,
            // Loaded once the program and the pack are running: it is most of this tool's start.
            metadata: policyMetadata(),
            resources: run.resources,
            findings,
            applied,
        });
        const reportFiles =
            run.errors.length === 0
                ? writeReport(reportDir, report, info, path.relative(process.cwd(), programFile))
                : [];
        const exitCode = run.errors.length > 0 ? 2 : report.summary.mandatory > 0 ? 1 : 0;
        timings.reported = Date.now() - start;
        return {
            project: project.name,
            programFile,
            run,
            info,
            findings,
            report,
            reportFiles,
            exitCode,
            timings,
        };
    } finally {
        await pack.stop();
    }
}

function tree(resources: RecordedResource[], project: string, stack: string): string[] {
    const children = new Map<string, RecordedResource[]>();
    const urns = new Set(resources.map((r) => r.urn));
    for (const r of resources) {
        const parent = r.parent && urns.has(r.parent) ? r.parent : "";
        children.set(parent, [...(children.get(parent) ?? []), r]);
    }
    const rows: [string, string][] = [["pulumi:pulumi:Stack", `${project}-${stack}`]];
    const walk = (parent: string, prefix: string) => {
        const list = children.get(parent) ?? [];
        list.forEach((r, i) => {
            const last = i === list.length - 1;
            rows.push([`${prefix}${last ? "└─ " : "├─ "}${r.type}`, r.name]);
            walk(r.urn, `${prefix}${last ? "   " : "│  "}`);
        });
    };
    walk("", "");
    const width = Math.max(...rows.map(([t]) => t.length)) + 2;
    return [`     ${"Type".padEnd(width)}Name`, ...rows.map(([type, name]) => ` +   ${type.padEnd(width)}${name}`)];
}

/** Findings listed on the console (mandatory first); the evidence report lists every one. */
export const consoleFindings = 25;

export function renderConsole(outcome: PreviewOutcome, stack: string, packDir: string): string {
    const lines: string[] = [];
    const mode = outcome.report.mode === "preview" ? "Previewing update" : "Updating";
    lines.push(`${mode} (${stack}) [offline, mock runtime]:`, "");
    lines.push(...tree(outcome.run.resources, outcome.project, stack));
    for (const warning of outcome.run.warnings) {
        lines.push("", `warning: ${warning}`);
    }
    if (outcome.run.errors.length > 0) {
        lines.push("", "Diagnostics:");
        for (const error of outcome.run.errors) {
            lines.push(`  error: ${error.message.replace(/\n/g, "\n    ")}`);
        }
        lines.push("", "The program failed; no policy was evaluated.");
        return lines.join("\n");
    }
    const { info, findings } = outcome;
    lines.push("", "Policies:");
    const mark = outcome.report.summary.mandatory > 0 ? "❌" : "✅";
    lines.push(`    ${mark} ${info.name}@v${info.version} (local: ${packDir})`);
    // Mandatory first, then advisory, at most consoleFindings of them: the report holds them all.
    const listed = ["mandatory", "advisory"].flatMap((level) => findings.filter((f) => f.enforcementLevel === level));
    for (const level of ["mandatory", "advisory"]) {
        for (const d of listed.slice(0, consoleFindings).filter((f) => f.enforcementLevel === level)) {
            const resource = outcome.run.resources.find((r) => r.urn === d.urn);
            const fix = info.policies.find((p) => p.name === d.policyName)?.remediationSteps;
            const [description, ...message] = d.message.split("\n");
            lines.push(
                `        - [${level}]  ${d.policyName}  (${resource ? `${resource.type}: ${resource.name}` : d.urn})`,
            );
            lines.push(`          ${description}`);
            lines.push(`          ${message.join(" ")}`);
            if (fix) {
                lines.push(`          Fix: ${fix}`);
            }
        }
    }
    if (listed.length > consoleFindings) {
        lines.push(`        ... and ${listed.length - consoleFindings} more findings in the evidence report`);
    }
    const s = outcome.report.summary;
    lines.push("", "Resources:", `    + ${s.resources} to create`);
    lines.push("", ...headline(outcome.report));
    lines.push(`Evidence report: ${outcome.reportFiles.map((f) => path.relative(process.cwd(), f)).join(", ")}`);
    return lines.join("\n");
}

/**
 * The pack this tool was built with: policy-pack/ beside tools/ in the repository, bin/policy-pack/
 * beside bin/tools/ in the npm package. Shown relative to the working directory.
 */
export function defaultPackDir(): string {
    return path.relative(process.cwd(), path.join(__dirname, "..", "policy-pack")) || ".";
}

/** The command line's options: what each takes, for messages and --help. */
const flags = {
    "policy-pack": {
        type: "string",
        value: "DIR",
        what: "the policy pack folder (default: the pack installed with this tool)",
    },
    "policy-pack-config": { type: "string", value: "FILE", what: "a policy config JSON file, as pulumi takes it" },
    stack: { type: "string", value: "NAME", what: "the stack whose Pulumi.<NAME>.yaml config is read (default dev)" },
    report: { type: "string", value: "DIR", what: "the folder for the evidence report (default reports/<project>)" },
    update: { type: "boolean", value: "", what: "judge the stack as `pulumi up` would, every value known" },
    help: { type: "boolean", value: "", what: "print this help", short: "h" },
} as const;

export const usage = [
    "usage: npm start -- [PROGRAM_DIR] [--policy-pack DIR] [--policy-pack-config FILE] [--stack NAME] [--update] [--report DIR]",
    "",
    "  PROGRAM_DIR  a Pulumi project folder (with Pulumi.yaml); default: the current folder",
    ...Object.entries(flags).map(([name, f]) => `  --${`${name} ${f.value}`.trim().padEnd(25)}${f.what}`),
].join("\n");

/** Levenshtein distance, for "did you mean". */
function distance(a: string, b: string): number {
    const row = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
        let previous = row[0];
        row[0] = i;
        for (let j = 1; j <= b.length; j++) {
            const current = row[j];
            row[j] = Math.min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
            previous = current;
        }
    }
    return row[b.length];
}

/**
 * Reads the command line with `util.parseArgs`. Every bad input is an error that names the flag
 * and the fix; the caller exits 2 with it. `--help` yields `{ help: true }`.
 */
export function parseCommandLine(argv: string[]): { help: true } | { help: false; options: PreviewOptions } {
    let parsed: ReturnType<typeof parseArgs>;
    try {
        parsed = parseArgs({ args: argv, options: flags, allowPositionals: true, strict: true });
    } catch (e) {
        const message = e instanceof Error ? e.message : String(e);
        const flag = /'(-[^' <]+)/.exec(message)?.[1] ?? "";
        const code = (e as { code?: string }).code;
        const name = flag.replace(/^-+/, "");
        if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
            const nearest = Object.keys(flags)
                .map((f) => [f, distance(name, f)] as const)
                .sort((a, b) => a[1] - b[1])[0];
            const hint = nearest && nearest[1] <= 3 ? ` (did you mean --${nearest[0]}?)` : "";
            throw new Error(`unknown option ${flag}; see --help${hint}`);
        }
        const spec = flags[name as keyof typeof flags];
        if (spec && spec.type === "boolean") {
            throw new Error(`${flag} takes no value: write ${flag} alone.`);
        }
        if (spec) {
            throw new Error(`${flag} needs a value: ${flag} ${spec.value}, ${spec.what}.`);
        }
        throw new Error(`${message.split("\n")[0]}; see --help`);
    }
    const values = parsed.values as Record<string, string | boolean | undefined>;
    if (values.help) {
        return { help: true };
    }
    for (const [name, spec] of Object.entries(flags)) {
        if (spec.type === "string" && values[name] !== undefined && String(values[name]).trim() === "") {
            throw new Error(`--${name} needs a value: --${name} ${spec.value}, ${spec.what}.`);
        }
    }
    if (parsed.positionals.length > 1) {
        throw new Error(
            `only one PROGRAM_DIR may be given, got ${parsed.positionals.length} (${parsed.positionals.join(", ")}): pass one Pulumi project folder, and put each option's value right after its flag.`,
        );
    }
    const stack = (values.stack as string | undefined) ?? "dev";
    if (!/^[A-Za-z0-9_.-]{1,100}$/.test(stack)) {
        throw new Error(
            `--stack ${JSON.stringify(stack)} is not a stack name: use up to 100 letters, digits, '-', '_' or '.', such as dev.`,
        );
    }
    const programDir = parsed.positionals[0] ?? ".";
    if (!fs.existsSync(programDir) || !fs.statSync(programDir).isDirectory()) {
        throw new Error(
            `PROGRAM_DIR ${programDir} is not a folder: pass the folder of a Pulumi project (the one with Pulumi.yaml).`,
        );
    }
    const config = values["policy-pack-config"] as string | undefined;
    if (config !== undefined && !(fs.existsSync(config) && fs.statSync(config).isFile())) {
        throw new Error(
            `--policy-pack-config ${config} is not a file: pass the path of a JSON policy config, such as policy-pack/config.example.json.`,
        );
    }
    return {
        help: false,
        options: {
            programDir,
            packDir: (values["policy-pack"] as string | undefined) ?? defaultPackDir(),
            policyPackConfig: config,
            mode: values.update ? "update" : "preview",
            stack,
            reportDir: values.report as string | undefined,
        },
    };
}

/** The command: parses the command line, previews, prints, and sets the exit code (2 on an error). */
export async function main(argv: string[] = process.argv.slice(2)): Promise<void> {
    try {
        const command = parseCommandLine(argv);
        if (command.help) {
            console.log(usage);
            return;
        }
        const { options } = command;
        const outcome = await runPreview({ ...options, log: (line) => process.stderr.write(`${line}\n`) });
        console.log(renderConsole(outcome, options.stack, options.packDir));
        process.exitCode = outcome.exitCode;
    } catch (e) {
        console.error(`error: ${e instanceof Error ? e.message : e}`);
        process.exitCode = 2;
    }
}

if (require.main === module) {
    void main();
}
