// `npm start [-- PROGRAM_DIR] [--policy-pack-config FILE] [--update] [--report DIR]`
// An offline `pulumi preview --policy-pack policy-pack`: the program runs under the Pulumi mock
// runtime, the pack runs as the engine starts it and judges every resource over gRPC, and an
// evidence report is written. Exit code 0 without a mandatory finding, 1 with one, 2 on error.
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as path from "path";
import { registry } from "../policy-pack/src/policies";
import { Diagnostic, PackInfo, PolicyPackConfigFile, PolicyPackProcess, resolvePolicyConfig } from "./analyzer";
import { MockRunResult, RecordedResource, runUnderMocks } from "./mockrun";
import { buildReport, EvidenceReport, writeReport } from "./report";

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
    programFile: string;
    run: MockRunResult;
    info: PackInfo;
    findings: Diagnostic[];
    report: EvidenceReport;
    reportFiles: string[];
    exitCode: number;
}

interface Project {
    name: string;
    programFile: string;
    config: Record<string, string>;
}

/** Reads Pulumi.yaml (name, main, config defaults) and Pulumi.<stack>.yaml config. */
export function loadProject(dir: string, stack: string): Project {
    const projectFile = path.join(dir, "Pulumi.yaml");
    if (!fs.existsSync(projectFile)) {
        throw new Error(`${dir} is not a Pulumi project: it has no Pulumi.yaml`);
    }
    const project = yaml.load(fs.readFileSync(projectFile, "utf8")) as any;
    const name = String(project?.name ?? path.basename(dir));
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
    let main = project?.main ? path.join(dir, project.main) : dir;
    if (fs.existsSync(main) && fs.statSync(main).isDirectory()) {
        main = path.join(main, "index.ts");
    }
    return { name, programFile: main, config };
}

/** Runs the program under mocks and hands every resource to the pack, as `pulumi preview` does. */
export async function runPreview(options: PreviewOptions): Promise<PreviewOutcome> {
    const log = options.log ?? (() => undefined);
    const dir = path.resolve(options.programDir);
    const project = loadProject(dir, options.stack);
    const configFile: PolicyPackConfigFile | undefined = options.policyPackConfig
        ? JSON.parse(fs.readFileSync(options.policyPackConfig, "utf8"))
        : undefined;

    log(`Starting policy pack ${path.relative(process.cwd(), options.packDir) || "."} ...`);
    const pack = await PolicyPackProcess.start(options.packDir);
    try {
        const info = await pack.info();
        const resolved = resolvePolicyConfig(info, configFile);
        await pack.configure(info, configFile);
        log(
            `Running ${path.relative(process.cwd(), project.programFile)} under the Pulumi mock runtime (${options.mode}) ...`,
        );
        const run = await runUnderMocks(project.programFile, {
            preview: options.mode === "preview",
            project: project.name,
            stack: options.stack,
            config: project.config,
        });
        const findings: Diagnostic[] = [];
        const applied = new Map<string, string[]>();
        const resourcePolicies = info.policies.filter((p) => p.kind !== "stack").map((p) => p.name);
        if (run.errors.length === 0) {
            for (const resource of run.resources) {
                const { diagnostics, notApplicable } = await pack.analyzeResource(resource);
                findings.push(...diagnostics);
                applied.set(
                    resource.urn,
                    resourcePolicies.filter(
                        (n) => !notApplicable.includes(n) && resolved[n]?.enforcementLevel !== "disabled",
                    ),
                );
            }
            findings.push(...(await pack.analyzeStack(run.resources)));
        }
        const levels = Object.fromEntries(Object.entries(resolved).map(([k, v]) => [k, v.enforcementLevel]));
        const report = buildReport({
            program: path.relative(process.cwd(), dir) || ".",
            mode: options.mode,
            info,
            levels,
            metadata: registry.metadata(),
            resources: run.resources,
            findings,
            applied,
        });
        const reportDir = options.reportDir ?? path.join("reports", project.name);
        const reportFiles =
            run.errors.length === 0
                ? writeReport(reportDir, report, info, path.relative(process.cwd(), project.programFile))
                : [];
        const exitCode = run.errors.length > 0 ? 2 : report.summary.mandatory > 0 ? 1 : 0;
        return {
            project: project.name,
            programFile: project.programFile,
            run,
            info,
            findings,
            report,
            reportFiles,
            exitCode,
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
    for (const level of ["mandatory", "advisory"]) {
        for (const d of findings.filter((f) => f.enforcementLevel === level)) {
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
    const s = outcome.report.summary;
    lines.push("", "Resources:", `    + ${s.resources} to create`);
    lines.push(
        "",
        `Policy findings: ${s.mandatory} mandatory, ${s.advisory} advisory. HITRUST controls: ${s.controls.met} met, ${s.controls["met with advisories"]} met with advisories, ${s.controls["not met"]} not met, ${s.controls["attestation required"]} to attest by hand, ${s.controls["not evidenced"]} not evidenced.`,
    );
    lines.push(`Evidence report: ${outcome.reportFiles.map((f) => path.relative(process.cwd(), f)).join(", ")}`);
    return lines.join("\n");
}

function parseArgs(argv: string[]): PreviewOptions {
    const options: PreviewOptions = { programDir: ".", packDir: "policy-pack", mode: "preview", stack: "dev" };
    const valueOf = (i: number, flag: string) => {
        const value = argv[i + 1];
        if (value === undefined || value.startsWith("--")) {
            throw new Error(`${flag} needs a value`);
        }
        return value;
    };
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        if (arg === "--policy-pack-config") {
            options.policyPackConfig = valueOf(i++, arg);
        } else if (arg === "--policy-pack") {
            options.packDir = valueOf(i++, arg);
        } else if (arg === "--report") {
            options.reportDir = valueOf(i++, arg);
        } else if (arg === "--stack") {
            options.stack = valueOf(i++, arg);
        } else if (arg === "--update") {
            options.mode = "update";
        } else if (arg === "--help" || arg === "-h") {
            console.log(
                "usage: npm start -- [PROGRAM_DIR] [--policy-pack DIR] [--policy-pack-config FILE] [--stack NAME] [--update] [--report DIR]",
            );
            process.exit(0);
        } else if (arg.startsWith("--")) {
            throw new Error(`unknown option ${arg}; see --help`);
        } else {
            options.programDir = arg;
        }
    }
    return options;
}

async function main() {
    const options = parseArgs(process.argv.slice(2));
    const outcome = await runPreview({ ...options, log: (line) => process.stderr.write(`${line}\n`) });
    console.log(renderConsole(outcome, options.stack, options.packDir));
    process.exitCode = outcome.exitCode;
}

if (require.main === module) {
    main().catch((e) => {
        console.error(`error: ${e instanceof Error ? e.message : e}`);
        process.exitCode = 2;
    });
}
