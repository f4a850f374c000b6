// The evidence report: per HITRUST control of the guide, the requirement, the resources and
// settings that satisfy it, the policies that checked it and their verdict, and what a person
// must attest. Built from what the pack said over the Analyzer protocol and what the component
// registered, never typed by hand. Written as Markdown, JSON and SARIF.
import { redactAccessString } from "../core/acl";
import * as fs from "fs";
import * as path from "path";
import { Control, controls, EvidenceItem, guideSteps } from "../core/controls";
import { PolicyMetadata } from "../policy-pack/src/registry";
import { Diagnostic, PackInfo, PolicyInfo } from "./analyzer";
import type { RecordedResource } from "./mockrun";
import { sig, unknownSentinel } from "./wire";

export type ControlStatus = "met" | "met with advisories" | "not met" | "attestation required" | "not evidenced";

export interface PolicyVerdict {
    name: string;
    enforcementLevel: string;
    severity: string;
    kind: "resource" | "stack";
    /** Resources the policy applied to (resource policies) or the stack (stack policies). */
    checked: number;
    failures: number;
    verdict: "pass" | "fail" | "not applicable" | "disabled" | "not observable" | "not evidenced";
    /** Audit only: resources on which the policy depended on a value no permitted call could read. */
    notEvidenced?: number;
}

/** Audit: the overall result, three states that never merge. */
export type AuditResult = "compliant" | "not compliant" | "not evidenced";

/** Audit: a policy or live check that could not conclude on one resource, and why. */
export interface NotEvidencedReport {
    policy: string;
    resource: string;
    urn: string;
    reason: string;
}

export interface EvidenceRow {
    resource: string;
    type: string;
    setting: string;
    value: string;
    source: "policy check" | "component" | "observed";
    /** Audit only: the API call (IAM action) the value came from, its Region and time. */
    call?: string;
    region?: string;
    observedAt?: string;
}

export interface ControlReport {
    id: string;
    framework: string;
    relatedTo: string;
    topic: string;
    steps: { number: number; title: string }[];
    requirement: string;
    hipaa: readonly string[];
    status: ControlStatus;
    policies: PolicyVerdict[];
    evidence: EvidenceRow[];
    findings: FindingReport[];
    manualAttestation?: string;
    /** Audit only: what could not be read, as "needs <action>" lines. */
    gaps?: string[];
    /** Audit only: what the audit cannot observe for this control, and why. */
    notes?: string[];
}

export interface FindingReport {
    policy: string;
    enforcementLevel: string;
    severity: string;
    resource: string;
    type: string;
    urn: string;
    message: string;
    fix: string;
    controls: string[];
}

export interface EvidenceReport {
    generatedAt: string;
    program: string;
    mode: "preview" | "update" | "audit";
    /** Audit only: what was audited (Regions of a live account, or a stack export file). */
    target?: string;
    /** `liveChecks`: audit only, the checks of a running system reported beside the pack's policies. */
    pack: { name: string; version: string; policies: number; liveChecks?: number };
    summary: {
        resources: number;
        mandatory: number;
        advisory: number;
        controls: Record<ControlStatus, number>;
        /**
         * Preview: no mandatory finding. Audit: `result` is "compliant" (no mandatory finding and
         * every control evidenced or left to attestation).
         */
        compliant: boolean;
        /** Audit only: compliant, not compliant (a mandatory finding) or not evidenced. */
        result?: AuditResult;
        /** Audit only: items that could not be read (refused calls, missing resources). */
        gaps?: number;
        /** Audit only: API calls AWS refused (AccessDenied and its kin). */
        refusedCalls?: number;
        /** Audit only: policy/check results on a resource that depended on an unread value. */
        notEvidenced?: number;
    };
    controls: ControlReport[];
    findings: FindingReport[];
    /** Audit only: every refused call, "needs <action>: what (where)". */
    gaps?: string[];
    /** Audit only: each policy or check that could not conclude on a resource. */
    notEvidenced?: NotEvidencedReport[];
}

/** An observed value for a control, from a check only a running system answers (audit). */
export interface ObservedEvidence {
    control: string;
    row: EvidenceRow;
}

export interface ReportInput {
    program: string;
    mode: "preview" | "update" | "audit";
    target?: string;
    /** Audit: observed evidence from live checks. */
    observed?: ObservedEvidence[];
    /** Audit: refused calls, each with the controls it leaves without evidence. */
    gaps?: { controls: string[]; text: string }[];
    /** Audit: per control, what cannot be observed and why. */
    notes?: { controls: string[]; text: string }[];
    /** Audit: policies not run because a running system does not show their property. */
    notObservable?: string[];
    /** Audit: the live checks among `info.policies` (names). */
    liveChecks?: string[];
    /** Audit: checks that a refused call left without any result. */
    notEvidenced?: string[];
    /** Audit: URN -> policies and checks that could not conclude there, with the reason. */
    unevidenced?: Map<string, { policy: string; reason: string }[]>;
    /** Audit: the number of calls AWS refused. */
    refusedCalls?: number;
    info: PackInfo;
    /** Enforcement levels after configuration. */
    levels: Record<string, string>;
    metadata: PolicyMetadata[];
    resources: RecordedResource[];
    findings: Diagnostic[];
    /** URN -> names of the resource policies that ran on it (did not say "not applicable"). */
    applied: Map<string, string[]>;
    now?: Date;
}

const secretName = /token|password|secret|passwords/i;

/** A property value as the report may show it: secrets and unknowns never in plain text. */
export function displayValue(property: string, value: unknown): string {
    if (secretName.test(property) && value !== undefined && value !== unknownSentinel) {
        return "[secret]";
    }
    if (property === "accessString" && typeof value === "string") {
        return redactAccessString(value); // a password rule in an access string (core/acl.ts)
    }
    const render = (v: unknown): unknown => {
        if (v === unknownSentinel) {
            return "(known after update)";
        }
        if (Array.isArray(v)) {
            return v.map(render);
        }
        if (v !== null && typeof v === "object") {
            if ((v as any)[sig.key] === sig.secret) {
                return "[secret]";
            }
            return Object.fromEntries(
                Object.entries(v).map(([k, x]) => [k, secretName.test(k) ? "[secret]" : render(x)]),
            );
        }
        return v;
    };
    const shown = render(value);
    return typeof shown === "string" ? shown : JSON.stringify(shown);
}

function controlsOf(info: PolicyInfo | undefined): string[] {
    return info?.framework?.reference ? info.framework.reference.split(", ") : [];
}

function componentEvidence(resources: RecordedResource[]): { item: EvidenceItem; component: RecordedResource }[] {
    const out: { item: EvidenceItem; component: RecordedResource }[] = [];
    for (const resource of resources) {
        const items = resource.outputs?.evidence;
        if (Array.isArray(items)) {
            for (const item of items) {
                out.push({ item: item as EvidenceItem, component: resource });
            }
        }
    }
    return out;
}

export function buildReport(input: ReportInput): EvidenceReport {
    const byUrn = new Map(input.resources.map((r) => [r.urn, r]));
    const policyInfo = new Map(input.info.policies.map((p) => [p.name, p]));
    const meta = new Map(input.metadata.map((m) => [m.name, m]));

    const findings: FindingReport[] = input.findings.map((d) => {
        const resource = byUrn.get(d.urn);
        const info = policyInfo.get(d.policyName);
        const lines = d.message.split("\n");
        return {
            policy: d.policyName,
            enforcementLevel: d.enforcementLevel,
            severity: d.severity,
            resource: resource?.name ?? d.urn.split("::").pop() ?? d.urn,
            type: resource?.type ?? "",
            urn: d.urn,
            message: lines.slice(1).join(" ") || lines[0],
            fix: info?.remediationSteps ?? "",
            controls: controlsOf(info),
        };
    });

    const verdicts = new Map<string, PolicyVerdict>();
    for (const policy of input.info.policies) {
        const kind = policy.kind === "stack" ? "stack" : "resource";
        const level = input.levels[policy.name] ?? policy.enforcementLevel;
        const checked =
            kind === "stack" ? 1 : [...input.applied.values()].filter((names) => names.includes(policy.name)).length;
        const failures = findings.filter((f) => f.policy === policy.name).length;
        const unevidenced = [...(input.unevidenced?.values() ?? [])].filter((list) =>
            list.some((u) => u.policy === policy.name),
        ).length;
        verdicts.set(policy.name, {
            name: policy.name,
            enforcementLevel: level,
            severity: policy.severity,
            kind,
            checked,
            failures,
            ...(input.unevidenced ? { notEvidenced: unevidenced } : {}),
            verdict: input.notObservable?.includes(policy.name)
                ? "not observable"
                : checked === 0 && failures === 0 && input.notEvidenced?.includes(policy.name)
                  ? "not evidenced"
                  : level === "disabled"
                    ? "disabled"
                    : failures > 0
                      ? "fail"
                      : unevidenced > 0
                        ? "not evidenced"
                        : checked === 0
                          ? "not applicable"
                          : "pass",
        });
    }

    // Evidence from checks: each property a policy read on a resource it passed.
    const policyEvidence = new Map<string, EvidenceRow[]>();
    for (const [urn, names] of input.applied) {
        const resource = byUrn.get(urn);
        if (!resource) {
            continue;
        }
        for (const name of names) {
            if (findings.some((f) => f.policy === name && f.urn === urn)) {
                continue;
            }
            for (const property of meta.get(name)?.properties ?? []) {
                if (!(property in resource.inputs)) {
                    continue;
                }
                if (input.mode === "audit" && resource.inputs[property] === unknownSentinel) {
                    continue; // not read (a refused call): a gap, not evidence
                }
                type Source = { call: string; region: string; at: string };
                const audited = resource as { source?: Source; propertySources?: Record<string, Source> };
                const observed = audited.propertySources?.[property] ?? audited.source;
                for (const control of controlsOf(policyInfo.get(name))) {
                    const rows = policyEvidence.get(control) ?? [];
                    if (!rows.some((r) => r.resource === resource.name && r.setting === property)) {
                        rows.push({
                            resource: resource.name,
                            type: resource.type,
                            setting: property,
                            value: displayValue(property, resource.inputs[property]),
                            source: observed ? "observed" : "policy check",
                            ...(observed
                                ? { call: observed.call, region: observed.region, observedAt: observed.at }
                                : {}),
                        });
                    }
                    policyEvidence.set(control, rows);
                }
            }
        }
    }
    const fromComponents = componentEvidence(input.resources);

    const reports: ControlReport[] = controls.map((control: Control) => {
        const policies = [...verdicts.values()].filter((v) => controlsOf(policyInfo.get(v.name)).includes(control.id));
        const controlFindings = findings.filter((f) => f.controls.includes(control.id));
        const evidence = [
            ...(policyEvidence.get(control.id) ?? []),
            ...fromComponents
                .filter(({ item }) => item.control === control.id)
                .map(({ item, component }) => ({
                    resource: item.resource,
                    type: component.type,
                    setting: item.setting,
                    value: displayValue(item.setting, item.value),
                    source: "component" as const,
                })),
            ...(input.observed ?? []).filter((o) => o.control === control.id).map((o) => o.row),
        ];
        const gaps = (input.gaps ?? []).filter((g) => g.controls.includes(control.id)).map((g) => g.text);
        const notes = (input.notes ?? []).filter((n) => n.controls.includes(control.id)).map((n) => n.text);
        let status: ControlStatus;
        if (controlFindings.some((f) => f.enforcementLevel === "mandatory")) {
            status = "not met";
        } else if (gaps.length > 0 || policies.some((p) => p.verdict === "not evidenced")) {
            status = "not evidenced";
        } else if (policies.length === 0) {
            status = "attestation required";
        } else if (!policies.some((p) => p.verdict === "pass" || p.verdict === "fail") || evidence.length === 0) {
            status = "not evidenced";
        } else if (controlFindings.length > 0) {
            status = "met with advisories";
        } else {
            status = "met";
        }
        return {
            id: control.id,
            framework: control.framework,
            relatedTo: control.relatedTo,
            topic: control.topic,
            steps: control.steps.map((n) => guideSteps.find((s) => s.number === n)!),
            requirement: control.requirement,
            hipaa: control.hipaa,
            status,
            policies,
            evidence,
            findings: controlFindings,
            manualAttestation: control.manualAttestation,
            ...(input.mode === "audit" ? { gaps: [...new Set(gaps)], notes: [...new Set(notes)] } : {}),
        };
    });

    const count = (s: ControlStatus) => reports.filter((r) => r.status === s).length;
    const mandatory = findings.filter((f) => f.enforcementLevel === "mandatory").length;
    const notEvidenced: NotEvidencedReport[] = [...(input.unevidenced?.entries() ?? [])].flatMap(([urn, list]) =>
        list.map((u) => ({
            policy: u.policy,
            resource: byUrn.get(urn)?.name ?? urn.split("::").pop() ?? urn,
            urn,
            reason: u.reason,
        })),
    );
    const audit = input.mode === "audit";
    // Not evidenced: a read failed (gaps), a policy or check could not conclude, or a control has
    // neither evidence nor a finding. A control whose only verdicts are advisory findings has
    // evidence of its state (the finding); an account without any resource has nothing to evidence.
    const unevidencedControls = reports.filter((r) => r.status === "not evidenced" && r.findings.length === 0);
    const result: AuditResult =
        mandatory > 0
            ? "not compliant"
            : (input.gaps ?? []).length > 0 ||
                notEvidenced.length > 0 ||
                (input.resources.length > 0 && unevidencedControls.length > 0)
              ? "not evidenced"
              : "compliant";
    return {
        generatedAt: (input.now ?? new Date()).toISOString(),
        program: input.program,
        mode: input.mode,
        ...(input.target ? { target: input.target } : {}),
        pack: {
            name: input.info.name,
            version: input.info.version,
            policies: input.info.policies.length - (input.liveChecks?.length ?? 0),
            ...(input.liveChecks ? { liveChecks: input.liveChecks.length } : {}),
        },
        summary: {
            resources: input.resources.length,
            mandatory,
            advisory: findings.filter((f) => f.enforcementLevel === "advisory").length,
            controls: {
                met: count("met"),
                "met with advisories": count("met with advisories"),
                "not met": count("not met"),
                "attestation required": count("attestation required"),
                "not evidenced": count("not evidenced"),
            },
            compliant: audit ? result === "compliant" : mandatory === 0,
            ...(audit
                ? {
                      result,
                      gaps: (input.gaps ?? []).length,
                      refusedCalls: input.refusedCalls ?? 0,
                      notEvidenced: notEvidenced.length,
                  }
                : {}),
        },
        controls: reports,
        findings,
        ...(audit ? { gaps: (input.gaps ?? []).map((g) => g.text), notEvidenced } : {}),
    };
}

const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");

export function renderMarkdown(report: EvidenceReport): string {
    const lines: string[] = [];
    const s = report.summary;
    lines.push(`# HITRUST CSF evidence: ElastiCache`, "");
    if (report.mode === "audit") {
        lines.push(
            `- Audited: ${report.target ?? report.program} (read-only; values observed, with the call and time)`,
        );
    } else {
        lines.push(`- Program: \`${report.program}\` (${report.mode}, offline, mock runtime)`);
    }
    lines.push(
        `- Policy pack: ${report.pack.name}@v${report.pack.version}, ${report.pack.policies} policies${report.pack.liveChecks !== undefined ? `, and ${report.pack.liveChecks} checks of the running system` : ""}`,
    );
    lines.push(`- Generated: ${report.generatedAt}`);
    if (s.result) {
        lines.push(
            `- Result: **${s.result}** (${s.mandatory} mandatory finding${s.mandatory === 1 ? "" : "s"}, ${s.advisory} advisory; ${s.controls["not evidenced"]} control${s.controls["not evidenced"] === 1 ? "" : "s"} not evidenced); ${s.resources} resources`,
        );
    } else {
        lines.push(
            `- Result: **${s.compliant ? "no mandatory finding" : `${s.mandatory} mandatory finding${s.mandatory === 1 ? "" : "s"}`}**, ${s.advisory} advisory; ${s.resources} resources`,
        );
    }
    if (report.mode === "audit" && (s.gaps || s.notEvidenced)) {
        lines.push(
            `- Not evidenced: ${s.gaps} item${s.gaps === 1 ? "" : "s"} could not be read (${s.refusedCalls} refused call${s.refusedCalls === 1 ? "" : "s"}; see "Not evidenced" below and grant tools/audit/iam-policy.json); ${s.notEvidenced} policy or check result${s.notEvidenced === 1 ? "" : "s"} depend on them.`,
        );
    }
    if (report.mode === "preview") {
        lines.push(
            `- Values unknown until deployment are shown as "(known after update)" and are checked again at update.`,
        );
    }
    lines.push("", "| Control | Topic | Guide step | Status | Policies (pass/fail) |", "|---|---|---|---|---|");
    for (const c of report.controls) {
        const pass = c.policies.filter((p) => p.verdict === "pass").length;
        const fail = c.policies.filter((p) => p.verdict === "fail").length;
        lines.push(
            `| ${c.id} | ${cell(c.topic)} | ${c.steps.map((st) => st.number).join(", ")} | ${c.status} | ${c.policies.length ? `${pass}/${fail}` : "-"} |`,
        );
    }
    for (const c of report.controls) {
        lines.push("", `## ${c.framework} ${c.id}: ${c.topic} (${c.status})`, "");
        lines.push(`**Requirement.** ${c.requirement}`, "");
        lines.push(
            `Guide steps: ${c.steps.map((st) => `${st.number} (${st.title})`).join("; ")}. Related to: ${c.relatedTo}. HIPAA: ${c.hipaa.join(", ")}.`,
        );
        if (c.evidence.length > 0) {
            lines.push("", "| Resource | Setting | Value | Source |", "|---|---|---|---|");
            for (const e of c.evidence) {
                const source = e.call ? `${e.source}: ${e.call} (${e.region || "-"}, ${e.observedAt})` : e.source;
                lines.push(`| ${cell(e.resource)} | ${cell(e.setting)} | ${cell(e.value)} | ${cell(source)} |`);
            }
        }
        if (c.policies.length > 0) {
            lines.push("", "| Policy | Level | Checked | Verdict |", "|---|---|---|---|");
            for (const p of c.policies) {
                lines.push(
                    `| ${p.name} | ${p.enforcementLevel} | ${p.kind === "stack" ? "stack" : p.checked} | ${p.verdict}${p.failures ? ` (${p.failures})` : ""}${p.verdict === "not evidenced" && p.notEvidenced ? ` (${p.notEvidenced})` : ""} |`,
                );
            }
        }
        if (c.findings.length > 0) {
            lines.push("", "Findings:");
            for (const f of c.findings) {
                lines.push(`- [${f.enforcementLevel}] ${f.resource}: ${f.message}`);
            }
        }
        if (c.gaps && c.gaps.length > 0) {
            lines.push("", "Not evidenced:");
            for (const gap of c.gaps) {
                lines.push(`- ${gap}`);
            }
        }
        if (c.notes && c.notes.length > 0) {
            lines.push("", "Not observable in a running system:");
            for (const note of c.notes) {
                lines.push(`- ${note}`);
            }
        }
        if (c.manualAttestation) {
            lines.push("", `- [ ] **Attest by hand:** ${c.manualAttestation}`);
        }
    }
    if (report.gaps && report.gaps.length > 0) {
        lines.push("", "## Not evidenced (refused calls)", "");
        lines.push("Grant the auditing role tools/audit/iam-policy.json and run the audit again.", "");
        for (const gap of report.gaps) {
            lines.push(`- ${gap}`);
        }
    }
    if (report.notEvidenced && report.notEvidenced.length > 0) {
        lines.push("", "## Not evidenced (policies and checks without a verdict)", "");
        lines.push("| Policy | Resource | Why |", "|---|---|---|");
        for (const n of report.notEvidenced) {
            lines.push(`| ${n.policy} | ${cell(n.resource)} | ${cell(n.reason)} |`);
        }
    }
    lines.push("", "## Findings", "");
    if (report.findings.length === 0) {
        lines.push("None.");
    } else {
        lines.push("| Level | Severity | Policy | Resource | Message | Fix |", "|---|---|---|---|---|---|");
        for (const f of report.findings) {
            lines.push(
                `| ${f.enforcementLevel} | ${f.severity} | ${f.policy} | ${cell(f.resource)} | ${cell(f.message)} | ${cell(f.fix)} |`,
            );
        }
    }
    lines.push("");
    return lines.join("\n");
}

export function renderSarif(report: EvidenceReport, info: PackInfo, programFile: string): object {
    const level = (l: string) => (l === "mandatory" ? "error" : l === "advisory" ? "warning" : "note");
    const securitySeverity: Record<string, string> = { low: "3.0", medium: "5.5", high: "8.0", critical: "9.5" };
    return {
        $schema: "https://json.schemastore.org/sarif-2.1.0.json",
        version: "2.1.0",
        runs: [
            {
                tool: {
                    driver: {
                        name: info.name,
                        version: info.version,
                        informationUri: "https://github.com/hitrust-elasticache/hitrust-elasticache",
                        rules: info.policies.map((p) => ({
                            id: p.name,
                            name: p.name,
                            shortDescription: { text: p.description },
                            fullDescription: {
                                text: p.framework ? `${p.description} ${p.framework.specification}` : p.description,
                            },
                            help: { text: p.remediationSteps },
                            helpUri: p.url,
                            defaultConfiguration: { level: level(p.enforcementLevel) },
                            properties: {
                                tags: [
                                    ...p.tags,
                                    ...(p.framework
                                        ? p.framework.reference.split(", ").map((c) => `HITRUST-${c}`)
                                        : []),
                                ],
                                "security-severity": securitySeverity[p.severity] ?? "5.0",
                            },
                        })),
                    },
                },
                results: [
                    ...report.findings.map((f) => ({
                        ruleId: f.policy,
                        level: level(f.enforcementLevel),
                        message: { text: `${f.resource}: ${f.message}` },
                        locations: [
                            {
                                physicalLocation: { artifactLocation: { uri: programFile } },
                                logicalLocations: [{ fullyQualifiedName: f.urn, name: f.resource, kind: "resource" }],
                            },
                        ],
                    })),
                    // SARIF 2.1.0, result.kind "open": the tool could not determine whether the rule
                    // is satisfied (3.27.9); any kind but "fail" takes level "none".
                    ...(report.notEvidenced ?? []).map((n) => ({
                        ruleId: n.policy,
                        kind: "open",
                        level: "none",
                        message: { text: `${n.resource}: not evidenced: ${n.reason}` },
                        locations: [
                            {
                                physicalLocation: { artifactLocation: { uri: programFile } },
                                logicalLocations: [{ fullyQualifiedName: n.urn, name: n.resource, kind: "resource" }],
                            },
                        ],
                    })),
                ],
            },
        ],
    };
}

/** Writes report.md, report.json and report.sarif into `dir`; returns their paths. */
export function writeReport(dir: string, report: EvidenceReport, info: PackInfo, programFile: string): string[] {
    fs.mkdirSync(dir, { recursive: true });
    const files: [string, string][] = [
        ["report.md", renderMarkdown(report)],
        ["report.json", JSON.stringify(report, null, 2) + "\n"],
        ["report.sarif", JSON.stringify(renderSarif(report, info, programFile), null, 2) + "\n"],
    ];
    return files.map(([name, text]) => {
        const file = path.join(dir, name);
        fs.writeFileSync(file, text);
        return file;
    });
}
