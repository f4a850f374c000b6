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
import { cacheOwners, isCache, namesOf, plural, regionOfUrn, summarize } from "./reportSummary";

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

/**
 * The audit's exit code per result, so that a pipeline can tell them apart (README "Live audit",
 * --help); 2 is a usage or run error, with no report.
 */
export const auditExitCodes = { compliant: 0, "not compliant": 1, "not evidenced": 3 } as const;

/** The one-minute summary: one line per HITRUST control. */
export interface ControlSummary {
    id: string;
    topic: string;
    status: ControlStatus;
    /**
     * The caches by their state under this control: "not met" (a mandatory finding on the cache or
     * a resource it uses), "not evidenced" (a value it depends on was not read, or nothing shows the
     * control for it), "met" (evidence, advisories allowed). Absent for a control left to attestation.
     */
    caches?: { met: number; "not met": number; "not evidenced": number };
    mandatory: number;
    advisory: number;
    /** Policy or check results of this control without a verdict (audit). */
    notEvidenced: number;
    /** What touches the most caches (or resources) under this control, in words. */
    cause?: string;
}

/** The one-minute summary: one line per cache (replication group, serverless cache, standalone cluster). */
export interface CacheSummary {
    name: string;
    type: string;
    urn: string;
    region?: string;
    result: AuditResult;
    /** Controls with a mandatory finding on the cache or a resource it uses. */
    notMet: string[];
    /** Controls it leaves unevidenced (not read, or no evidence for this cache). */
    notEvidenced: string[];
    /** Controls met with an advisory finding. */
    advisories: string[];
    mandatory: number;
    advisory: number;
}

/** A change that clears findings (a policy's fix) or not-evidenced results (a permission to grant). */
export interface FixSummary {
    kind: "fix" | "grant";
    /** The policy whose fix this is (kind "fix") or the IAM action to grant (kind "grant"). */
    name: string;
    level: "mandatory" | "advisory" | "not evidenced";
    text: string;
    /** Findings (fix) or not-evidenced results and unread items (grant) it clears. */
    clears: number;
    caches: number;
    controls: string[];
}

/** Audit: a policy or live check that could not conclude on one resource, and why. */
export interface NotEvidencedReport {
    policy: string;
    resource: string;
    urn: string;
    reason: string;
    /** The caches this result concerns (the resource itself, or the caches that use it). */
    caches: string[];
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
    /** Every evidence row of this control (an assessor samples them), with its call, Region and time. */
    evidence: EvidenceRow[];
    /** The control's findings are in the report's `findings`, each naming its `controls`: counts here. */
    mandatory: number;
    advisory: number;
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
    /** The caches this finding concerns (the resource itself, or the caches that use it). */
    caches: string[];
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
        /** The caches by result (compliant, not compliant, not evidenced). */
        caches: Record<AuditResult, number> & { total: number };
        /** One line per control, worst first. */
        perControl: ControlSummary[];
        /** One line per cache, worst first. */
        perCache: CacheSummary[];
        /** The changes that clear the most findings and not-evidenced results, most first. */
        fixes: FixSummary[];
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
    /**
     * Audit: refused calls, each with the controls it leaves without evidence and what it concerns
     * (a resource's name or URN, or a Region: then every cache of that Region).
     */
    gaps?: { controls: string[]; text: string; resource?: string }[];
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
    const owners = cacheOwners(input.resources);
    const cacheName = new Map(input.resources.filter(isCache).map((r) => [r.urn, r.name]));
    const cachesOf = (urn: string) => (owners.get(urn) ?? []).map((u) => cacheName.get(u)!);

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
            caches: cachesOf(d.urn),
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
    // Control -> the caches with an evidence row for it (for the per-cache summary).
    const evidenced = new Map<string, Set<string>>();
    const evidences = (control: string, urn: string) => {
        const set = evidenced.get(control) ?? new Set<string>();
        (owners.get(urn) ?? []).forEach((o) => set.add(o));
        evidenced.set(control, set);
    };
    const urnsByName = new Map<string, string[]>();
    for (const r of input.resources) {
        urnsByName.set(r.name, [...(urnsByName.get(r.name) ?? []), r.urn]);
    }
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
                    evidences(control, urn);
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

    for (const { item, component } of fromComponents) {
        evidences(item.control, component.urn);
    }
    for (const o of input.observed ?? []) {
        for (const urn of urnsByName.get(o.row.resource) ?? []) {
            evidences(o.control, urn);
        }
    }

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
            mandatory: controlFindings.filter((f) => f.enforcementLevel === "mandatory").length,
            advisory: controlFindings.filter((f) => f.enforcementLevel !== "mandatory").length,
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
            caches: cachesOf(urn),
        })),
    );
    const audit = input.mode === "audit";
    // Not evidenced: a read failed (gaps), a policy or check could not conclude, or a control has
    // neither evidence nor a finding. A control whose only verdicts are advisory findings has
    // evidence of its state (the finding); an account without any resource has nothing to evidence.
    const unevidencedControls = reports.filter(
        (r) => r.status === "not evidenced" && r.mandatory === 0 && r.advisory === 0,
    );
    const result: AuditResult =
        mandatory > 0
            ? "not compliant"
            : (input.gaps ?? []).length > 0 ||
                notEvidenced.length > 0 ||
                (input.resources.length > 0 && unevidencedControls.length > 0)
              ? "not evidenced"
              : "compliant";
    // A gap concerns the caches of the resource it names, or every cache of the Region it names.
    const named = new Map<string, string[]>();
    for (const r of input.resources) {
        for (const n of namesOf(r)) {
            named.set(n, [...new Set([...(named.get(n) ?? []), ...(owners.get(r.urn) ?? [])])]);
        }
    }
    const cacheUrns = [...cacheName.keys()];
    const gapCaches = (resource: string | undefined) =>
        resource === undefined ? [] : (named.get(resource) ?? cacheUrns.filter((u) => regionOfUrn(u) === resource));
    const { perControl, perCache, fixes } = summarize({
        resources: input.resources,
        controls: reports,
        findings,
        notEvidenced,
        gaps: (input.gaps ?? []).map((g) => ({ ...g, caches: gapCaches(g.resource) })),
        evidenced,
        policyControls: (policy) => controlsOf(policyInfo.get(policy)),
        fixOf: (policy) => policyInfo.get(policy)?.remediationSteps ?? "",
        owners,
    });
    const cacheCount = (r: AuditResult) => perCache.filter((c) => c.result === r).length;
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
            caches: {
                total: perCache.length,
                compliant: cacheCount("compliant"),
                "not compliant": cacheCount("not compliant"),
                "not evidenced": cacheCount("not evidenced"),
            },
            perControl,
            perCache,
            fixes,
        },
        controls: reports,
        findings,
        ...(audit ? { gaps: (input.gaps ?? []).map((g) => g.text), notEvidenced } : {}),
    };
}

const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");

/**
 * How much of each list report.md shows: a person reads the summary in a minute and samples the
 * details; report.json keeps every row (report.sarif every finding and open result).
 */
export const markdownLimits = {
    /** Caches in the summary's table (the worst). */
    summaryCaches: 10,
    /** Rows of the "Caches" section (all caches up to this many). */
    caches: 500,
    /** Fixes in the summary. */
    fixes: 5,
    /** Evidence rows, findings and gaps shown per control. */
    perControl: 20,
    /** Rows of the report-wide lists (refused calls, results without a verdict, findings). */
    lists: 50,
};

/** The first `limit` items, and a line saying how many more there are and where. */
function bounded<T>(items: T[], limit: number, render: (item: T) => string, more: (n: number) => string): string[] {
    const shown = items.slice(0, limit).map(render);
    return items.length > limit ? [...shown, more(items.length - limit)] : shown;
}

/**
 * Items taken in turn from each group (in the order groups first appear): a list cut at a few rows
 * then shows every policy's findings, not the first policy's only.
 */
function interleave<T>(items: T[], key: (item: T) => string): T[] {
    const groups = new Map<string, T[]>();
    for (const item of items) {
        const list = groups.get(key(item)) ?? [];
        list.push(item);
        groups.set(key(item), list);
    }
    const out: T[] = [];
    for (let i = 0; out.length < items.length; i++) {
        for (const list of groups.values()) {
            if (i < list.length) {
                out.push(list[i]);
            }
        }
    }
    return out;
}

/** Mandatory findings first, then advisory; within each, the policies in turn. */
function inTurn(findings: FindingReport[]): FindingReport[] {
    const level = (mandatory: boolean) =>
        interleave(
            findings.filter((f) => (f.enforcementLevel === "mandatory") === mandatory),
            (f) => f.policy,
        );
    return [...level(true), ...level(false)];
}

const resultWords: Record<AuditResult, string> = {
    compliant: "No mandatory finding, and every control evidenced or left to attestation.",
    "not compliant": "At least one mandatory finding.",
    "not evidenced": "No mandatory finding, but a control could not be shown: a read was refused or found nothing.",
};

/**
 * The summary's headline, a few lines whatever the size of the account: the result with its exit
 * code, the caches and controls by state, the worst controls and caches, and the first fix. The
 * consoles of `npm start` and the audit print it; report.md opens with it.
 */
export function headline(report: EvidenceReport): string[] {
    const s = report.summary;
    const c = s.caches;
    const lines: string[] = [];
    if (s.result) {
        lines.push(`Result: ${s.result.toUpperCase()} (exit ${auditExitCodes[s.result]}).`);
    } else {
        lines.push(
            `Result: ${s.mandatory > 0 ? `NOT COMPLIANT, ${plural(s.mandatory, "mandatory finding")} (exit 1)` : "no mandatory finding (exit 0)"}.`,
        );
    }
    lines.push(
        `Caches (${c.total}): ${c["not compliant"]} not compliant, ${c["not evidenced"]} not evidenced, ${c.compliant} compliant.`,
    );
    lines.push(
        `${report.mode === "audit" ? "Findings" : "Policy findings"}: ${s.mandatory} mandatory, ${s.advisory} advisory. HITRUST controls: ${s.controls.met} met, ${s.controls["met with advisories"]} met with advisories, ${s.controls["not met"]} not met, ${s.controls["attestation required"]} to attest by hand, ${s.controls["not evidenced"]} not evidenced.`,
    );
    const worst = s.perControl.filter((x) => x.status === "not met" || x.status === "not evidenced").slice(0, 3);
    if (worst.length > 0) {
        lines.push("Worst controls:");
        for (const x of worst) {
            lines.push(`  ${x.id} (${x.topic}): ${x.status}${x.cause ? `; ${x.cause}` : ""}`);
        }
    }
    const caches = s.perCache.filter((x) => x.result !== "compliant");
    if (caches.length > 0) {
        lines.push(
            `Worst caches: ${caches
                .slice(0, 3)
                .map(
                    (x) =>
                        `${x.name} (${x.notMet.length ? `not met: ${x.notMet.join(", ")}` : `not evidenced: ${x.notEvidenced.join(", ")}`})`,
                )
                .join("; ")}${caches.length > 3 ? `; ${caches.length - 3} more` : ""}.`,
        );
    }
    const fix = s.fixes[0];
    if (fix) {
        lines.push(`First fix: ${fix.kind === "fix" ? `${fix.name}: ` : ""}${fix.text} (${fixReach(fix)}).`);
    }
    return lines;
}

function fixReach(f: FixSummary): string {
    const what = f.kind === "fix" ? plural(f.clears, "finding") : plural(f.clears, "not-evidenced result");
    return `clears ${what}${f.caches ? ` on ${plural(f.caches, "cache")}` : ""}`;
}

const cachesCell = (x: ControlSummary) =>
    x.caches ? `${x.caches.met} / ${x.caches["not met"]} / ${x.caches["not evidenced"]}` : "-";

export function renderMarkdown(report: EvidenceReport): string {
    const lines: string[] = [];
    const s = report.summary;
    const limits = markdownLimits;
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
    lines.push(`- Generated: ${report.generatedAt}; ${plural(s.resources, "resource")}`);
    if (report.mode === "preview") {
        lines.push(
            `- Values unknown until deployment are shown as "(known after update)" and are checked again at update.`,
        );
    }

    // The one-minute summary.
    lines.push("", "## Summary", "");
    const [result, caches, findings] = headline(report);
    lines.push(
        `**${result}** ${s.result ? resultWords[s.result] : "Exit 0 without a mandatory finding, 1 with one."}`,
        "",
    );
    lines.push(`- ${caches}`, `- ${findings}`);
    if (report.mode === "audit" && (s.gaps || s.notEvidenced)) {
        lines.push(
            `- Not evidenced: ${plural(s.gaps ?? 0, "item")} could not be read (${plural(s.refusedCalls ?? 0, "refused call")}; see "Not evidenced" below and grant tools/audit/iam-policy.json); ${plural(s.notEvidenced ?? 0, "policy or check result")} depend on them.`,
        );
    }
    if (report.mode === "audit") {
        lines.push(
            `- Exit codes: ${Object.entries(auditExitCodes)
                .map(([r, code]) => `${code} ${r}`)
                .join(", ")}, 2 a usage or run error (no report).`,
        );
    }
    lines.push(
        "",
        "Per control, worst first. Caches: how many meet the control / do not (a mandatory finding) / are not evidenced.",
        "",
        "| Control | Topic | Guide step | Status | Caches met / not met / not evidenced | Top cause |",
        "|---|---|---|---|---|---|",
    );
    const byId = new Map(report.controls.map((c) => [c.id, c]));
    for (const x of s.perControl) {
        const c = byId.get(x.id)!;
        lines.push(
            `| ${x.id} | ${cell(x.topic)} | ${c.steps.map((st) => st.number).join(", ")} | ${x.status} | ${cachesCell(x)} | ${cell(x.cause ?? (x.status === "attestation required" ? "attest by hand" : "-"))} |`,
        );
    }
    const cacheRow = (x: CacheSummary) =>
        `| ${cell(x.name)} | ${x.result} | ${x.notMet.join(", ") || "-"} | ${x.notEvidenced.join(", ") || "-"} | ${x.mandatory} / ${x.advisory} |`;
    const cacheHeader = [
        "| Cache | Result | Controls not met | Controls not evidenced | Findings (mandatory / advisory) |",
        "|---|---|---|---|---|",
    ];
    lines.push("", `Per cache, worst first (${plural(s.perCache.length, "cache")}):`, "");
    if (s.perCache.length === 0) {
        lines.push("No cache in this report.");
    } else {
        lines.push(...cacheHeader);
        lines.push(
            ...bounded(
                s.perCache,
                limits.summaryCaches,
                cacheRow,
                (n) => `| ${n} more: see "Caches" below and report.json summary.perCache | | | | |`,
            ),
        );
    }
    if (s.fixes.length > 0) {
        lines.push("", "Fixes that clear the most, first:", "");
        s.fixes.slice(0, limits.fixes).forEach((f, i) => {
            lines.push(
                `${i + 1}. [${f.level}] ${f.kind === "fix" ? `${f.name}: ` : ""}${f.text.replace(/\n/g, " ")} (${fixReach(f)}; ${f.controls.join(", ")})`,
            );
        });
        if (s.fixes.length > limits.fixes) {
            lines.push("", `${s.fixes.length - limits.fixes} more in report.json summary.fixes.`);
        }
    }
    lines.push(
        "",
        `The details follow, each list cut at ${limits.perControl} rows per control and ${limits.lists} rows report-wide; report.json holds every evidence row (with its call, Region and time), finding and gap, and report.sarif every finding.`,
    );

    if (s.perCache.length > limits.summaryCaches) {
        lines.push("", "## Caches", "", ...cacheHeader);
        lines.push(
            ...bounded(
                s.perCache,
                limits.caches,
                cacheRow,
                (n) => `| ${n} more in report.json summary.perCache | | | | |`,
            ),
        );
    }

    for (const c of report.controls) {
        const where = `report.json, controls (id ${c.id})`;
        lines.push("", `## ${c.framework} ${c.id}: ${c.topic} (${c.status})`, "");
        lines.push(`**Requirement.** ${c.requirement}`, "");
        lines.push(
            `Guide steps: ${c.steps.map((st) => `${st.number} (${st.title})`).join("; ")}. Related to: ${c.relatedTo}. HIPAA: ${c.hipaa.join(", ")}.`,
        );
        if (c.evidence.length > 0) {
            lines.push("", "| Resource | Setting | Value | Source |", "|---|---|---|---|");
            lines.push(
                ...bounded(
                    c.evidence,
                    limits.perControl,
                    (e) => {
                        const source = e.call
                            ? `${e.source}: ${e.call} (${e.region || "-"}, ${e.observedAt})`
                            : e.source;
                        return `| ${cell(e.resource)} | ${cell(e.setting)} | ${cell(e.value)} | ${cell(source)} |`;
                    },
                    (n) => `| ${n} more rows in ${where}.evidence | | | |`,
                ),
            );
        }
        if (c.policies.length > 0) {
            lines.push("", "| Policy | Level | Checked | Verdict |", "|---|---|---|---|");
            for (const p of c.policies) {
                lines.push(
                    `| ${p.name} | ${p.enforcementLevel} | ${p.kind === "stack" ? "stack" : p.checked} | ${p.verdict}${p.failures ? ` (${p.failures})` : ""}${p.verdict === "not evidenced" && p.notEvidenced ? ` (${p.notEvidenced})` : ""} |`,
                );
            }
        }
        const controlFindings = inTurn(report.findings.filter((f) => f.controls.includes(c.id)));
        if (controlFindings.length > 0) {
            lines.push("", "Findings:");
            lines.push(
                ...bounded(
                    controlFindings,
                    limits.perControl,
                    (f) => `- [${f.enforcementLevel}] ${f.resource}: ${f.message}`,
                    (n) => `- ${n} more in report.json, findings (controls include ${c.id})`,
                ),
            );
        }
        if (c.gaps && c.gaps.length > 0) {
            lines.push("", "Not evidenced:");
            lines.push(
                ...bounded(
                    c.gaps,
                    limits.perControl,
                    (gap) => `- ${gap}`,
                    (n) => `- ${n} more in ${where}.gaps`,
                ),
            );
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
        lines.push(
            ...bounded(
                report.gaps,
                limits.lists,
                (gap) => `- ${gap}`,
                (n) => `- ${n} more in report.json, gaps`,
            ),
        );
    }
    if (report.notEvidenced && report.notEvidenced.length > 0) {
        lines.push("", "## Not evidenced (policies and checks without a verdict)", "");
        lines.push("| Policy | Resource | Why |", "|---|---|---|");
        lines.push(
            ...bounded(
                report.notEvidenced,
                limits.lists,
                (n) => `| ${n.policy} | ${cell(n.resource)} | ${cell(n.reason)} |`,
                (n) => `| ${n} more in report.json, notEvidenced (and report.sarif, kind "open") | | |`,
            ),
        );
    }
    lines.push("", "## Findings", "");
    if (report.findings.length === 0) {
        lines.push("None.");
    } else {
        lines.push("| Level | Severity | Policy | Resource | Message | Fix |", "|---|---|---|---|---|---|");
        const ordered = inTurn(report.findings);
        lines.push(
            ...bounded(
                ordered,
                limits.lists,
                (f) =>
                    `| ${f.enforcementLevel} | ${f.severity} | ${f.policy} | ${cell(f.resource)} | ${cell(f.message)} | ${cell(f.fix)} |`,
                (n) => `| ${n} more in report.json, findings, and report.sarif | | | | | |`,
            ),
        );
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

/** A value with nothing nested deeper than a list of plain values: one line of report.json. */
function isFlat(value: unknown): boolean {
    const plain = (v: unknown) => v === null || typeof v !== "object";
    const flatList = (v: unknown) => plain(v) || (Array.isArray(v) && v.every(plain));
    return (
        flatList(value) ||
        (value !== null && typeof value === "object" && !Array.isArray(value) && Object.values(value).every(flatList))
    );
}

/**
 * report.json: indented like JSON.stringify(value, null, 2), except that each element of a list
 * that is a flat record (an evidence row, a finding, a policy verdict) takes one line, which keeps
 * a large account's file a third smaller and still easy to grep and diff.
 */
export function reportJson(value: unknown, indent = ""): string {
    const inner = `${indent}  `;
    if (typeof (value as { toJSON?: unknown })?.toJSON === "function") {
        return JSON.stringify(value) ?? "null"; // a Date, say: as JSON.stringify writes it
    }
    if (Array.isArray(value)) {
        if (value.length === 0) {
            return "[]";
        }
        const items = value.map((v) => (isFlat(v) ? (JSON.stringify(v) ?? "null") : reportJson(v, inner)));
        return `[\n${items.map((t) => inner + t).join(",\n")}\n${indent}]`;
    }
    if (value !== null && typeof value === "object") {
        const entries = Object.entries(value).filter(([, v]) => v !== undefined);
        if (entries.length === 0) {
            return "{}";
        }
        return `{\n${entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${reportJson(v, inner)}`).join(",\n")}\n${indent}}`;
    }
    return JSON.stringify(value) ?? "null";
}

/** Writes report.md, report.json and report.sarif into `dir`; returns their paths. */
export function writeReport(dir: string, report: EvidenceReport, info: PackInfo, programFile: string): string[] {
    fs.mkdirSync(dir, { recursive: true });
    const files: [string, string][] = [
        ["report.md", renderMarkdown(report)],
        ["report.json", reportJson(report) + "\n"],
        ["report.sarif", JSON.stringify(renderSarif(report, info, programFile), null, 2) + "\n"],
    ];
    return files.map(([name, text]) => {
        const file = path.join(dir, name);
        fs.writeFileSync(file, text);
        return file;
    });
}
