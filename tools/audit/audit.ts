// The audit: read what runs (or a stack export), judge it with the pack's own policies and the
// live checks, and write the same evidence report as `npm start`, with observed values.
import * as path from "path";
import { registry } from "../../policy-pack/src/policies";
import { types } from "../../policy-pack/src/types";
import { Diagnostic, PolicyInfo, PolicyPackConfigFile } from "../analyzer";
import { auditExitCodes, buildReport, EvidenceReport, ObservedEvidence, writeReport } from "../report";
import { AwsSession } from "./aws";
import { discover } from "./discover";
import { evaluate, Evaluation } from "./evaluate";
import { defaultLiveOptions, LiveCheck, liveChecks, LiveOptions, LiveResult, runLiveChecks } from "./live";
import { explainRunError, UsageError } from "./errors";
import { Inventory, notRead } from "./model";
import { stackExportInventory } from "./stackExport";

export interface AuditOptions {
    /** Regions to read; empty means the SDK's configured Region. */
    regions: string[];
    profile?: string;
    stackExport?: string;
    reportDir: string;
    policyPackConfig?: PolicyPackConfigFile;
    live?: Partial<Omit<LiveOptions, "now">>;
    now?: Date;
    log?: (line: string) => void;
    /** For tests: an existing session (clients already mocked). */
    session?: AwsSession;
    /** Replication group ID -> archive bucket (--archive-bucket). */
    archiveBuckets?: Record<string, string>;
    /** Replication group ID -> auth secret name or ARN (--auth-secret). */
    authSecrets?: Record<string, string>;
}

/**
 * Exit codes: one per result, so that a pipeline can tell them apart (README "Live audit", --help).
 * 2 is a usage or run error (no report).
 */
export const exitCodes = auditExitCodes;

/** True when a value (or anything inside it) is the marker of a value no permitted call could read. */
function containsUnread(value: unknown): boolean {
    if (value === notRead) {
        return true;
    }
    if (Array.isArray(value)) {
        return value.some(containsUnread);
    }
    if (value !== null && typeof value === "object") {
        return Object.values(value).some(containsUnread);
    }
    return false;
}

export interface AuditOutcome {
    inventory: Inventory;
    evaluation: Evaluation;
    live: LiveResult[];
    report: EvidenceReport;
    reportFiles: string[];
    calls: AwsSession["calls"];
    /** Attempts AWS answered with a throttling error, each retried by the SDK. */
    throttled: number;
    exitCode: number;
}

/**
 * Policies whose property a running cache does not show, with what the report says instead.
 * ElastiCache never returns the AUTH token (only AuthTokenEnabled), and FinalSnapshotIdentifier is
 * a parameter of DeleteReplicationGroup that nothing stores (ElastiCache API reference).
 */
export const notObservableLive: Record<string, { controls: string[]; text: string }> = {
    "aws-elasticache-replicationgroup-configure-final-snapshot": {
        controls: ["1620.09l1"],
        text: "final snapshot on deletion: FinalSnapshotIdentifier is a DeleteReplicationGroup parameter that ElastiCache does not store; preview checks it (aws-elasticache-replicationgroup-configure-final-snapshot).",
    },
    "aws-elasticache-replicationgroup-enforce-auth-token-complexity": {
        controls: ["19141.06c1"],
        text: "AUTH token strength: ElastiCache returns only AuthTokenEnabled, never the token; preview checks it (aws-elasticache-replicationgroup-enforce-auth-token-complexity).",
    },
    "aws-elasticache-replicationgroup-configure-strong-auth-token": {
        controls: ["19141.06c1"],
        text: "AUTH token character mix: ElastiCache never returns the token; preview checks it (aws-elasticache-replicationgroup-configure-strong-auth-token).",
    },
};

function liveInfo(check: LiveCheck): PolicyInfo {
    return {
        name: check.id,
        kind: "resource",
        displayName: check.id,
        description: check.description,
        enforcementLevel: check.enforcementLevel,
        severity: check.severity,
        framework: {
            name: "HITRUST CSF",
            version: "live audit",
            reference: check.controls.join(", "),
            specification: check.description,
        },
        tags: ["elasticache", "hitrust", "live"],
        remediationSteps: check.remediation,
        url: "",
    };
}

export async function runAudit(options: AuditOptions): Promise<AuditOutcome> {
    const log = options.log ?? (() => undefined);
    const now = options.now ?? new Date();
    let inventory: Inventory;
    const session = options.session ?? new AwsSession({ profile: options.profile, log, now: () => new Date() });
    try {
        if (options.stackExport) {
            log(`Reading stack export ${options.stackExport} ...`);
            inventory = stackExportInventory(options.stackExport);
        } else {
            let regions = options.regions;
            if (regions.length === 0) {
                try {
                    regions = [await session.defaultRegion()];
                } catch {
                    throw new UsageError(
                        "no AWS Region: pass --region REGION or set AWS_REGION (or a region in the AWS_PROFILE profile).",
                    );
                }
            }
            const liveOptions = { ...defaultLiveOptions, ...options.live };
            try {
                inventory = await discover(session, {
                    regions,
                    log,
                    archiveBuckets: options.archiveBuckets,
                    authSecrets: options.authSecrets,
                    archiveRetentionDays: liveOptions.archiveRetentionDays,
                    exportDays: liveOptions.exportDays,
                });
            } catch (e) {
                // The call that raised the error (calls run side by side: not always the last one made).
                const failed = session.callOf(e);
                throw explainRunError(e, failed?.outcome === "error" ? failed : undefined);
            }
        }
    } finally {
        if (!options.session) {
            session.destroy();
        }
    }

    // Several Regions may hold caches of the same name: the report names each with its Region.
    const multiRegion = inventory.regions.length > 1;
    const regionOf = (arn: string) => arn.split(":")[3] ?? "";
    if (multiRegion) {
        for (const r of inventory.resources) {
            if (r.source?.region) {
                r.name = `${r.name} (${r.source.region})`;
            }
        }
    }
    const label = (resource: string, urn: string) => (multiRegion ? `${resource} (${regionOf(urn)})` : resource);

    log(`Judging ${inventory.resources.length} resources with the policy pack ...`);
    const live = options.stackExport ? [] : runLiveChecks(inventory, { ...defaultLiveOptions, ...options.live, now });
    const evaluation = await evaluate(inventory.resources, {
        configFile: options.policyPackConfig,
        skip: options.stackExport
            ? {}
            : Object.fromEntries(Object.entries(notObservableLive).map(([k, v]) => [k, v.text])),
    });

    // Live checks join the pack's policies in the report, with their own rules in SARIF.
    const checks = [...(Object.values(liveChecks) as LiveCheck[])];
    for (const r of live) {
        if (!checks.some((c) => c.id === r.check.id)) {
            checks.push(r.check); // one check per deployed AWS Config rule
        }
    }
    const info = {
        ...evaluation.info,
        policies: [...evaluation.info.policies, ...(live.length ? checks.map(liveInfo) : [])],
    };
    const findings: Diagnostic[] = [...evaluation.findings];
    const applied = new Map(evaluation.applied);
    // A policy that passed on a resource while a property it reads was never read (a refused or
    // failed call) did not pass: it has no verdict there ("not evidenced"), in every part of the report.
    const unevidenced = new Map<string, { policy: string; reason: string }[]>();
    const addUnevidenced = (urn: string, policy: string, reason: string) => {
        const list = unevidenced.get(urn) ?? [];
        if (!list.some((u) => u.policy === policy)) {
            list.push({ policy, reason });
        }
        unevidenced.set(urn, list);
    };
    /** The actions whose refusal (or not-found) left a resource's values unread. */
    const needsFor = (resource: { name: string; urn: string }) => [
        ...new Set(
            inventory.gaps
                .filter(
                    (g) =>
                        g.resource === resource.name ||
                        g.resource === resource.urn ||
                        g.what.includes(resource.urn) ||
                        g.what.includes(` ${resource.name}`),
                )
                .map((g) => g.needs),
        ),
    ];
    if (!options.stackExport) {
        const properties = new Map(registry.metadata().map((m) => [m.name, m.properties]));
        const byUrn = new Map(inventory.resources.map((r) => [r.urn, r]));
        for (const [urn, names] of applied) {
            const resource = byUrn.get(urn);
            if (!resource) {
                continue;
            }
            const concluded: string[] = [];
            for (const name of names) {
                const unread = (properties.get(name) ?? []).filter(
                    (p) => p in resource.inputs && containsUnread(resource.inputs[p]),
                );
                if (unread.length > 0 && !findings.some((f) => f.policyName === name && f.urn === urn)) {
                    const needs = needsFor(resource);
                    addUnevidenced(
                        urn,
                        name,
                        `${unread.join(", ")} not read${needs.length ? ` (needs ${needs.join(", ")})` : ""}`,
                    );
                } else {
                    concluded.push(name);
                }
            }
            applied.set(urn, concluded);
        }
        // A stack policy reads the resources of the type it requires: when one of them holds an
        // unread value and the policy reported nothing, it did not pass on that resource.
        for (const rule of registry.all()) {
            const requires = (rule as { requires?: string }).requires;
            if ("resourceTypes" in rule || !requires || findings.some((f) => f.policyName === rule.name)) {
                continue;
            }
            for (const resource of inventory.resources.filter((r) => r.type === requires)) {
                const unread = Object.keys(resource.inputs).filter((k) => containsUnread(resource.inputs[k]));
                if (unread.length > 0) {
                    const needs = needsFor(resource);
                    addUnevidenced(
                        resource.urn,
                        rule.name,
                        `${unread.join(", ")} of ${resource.name} not read${needs.length ? ` (needs ${needs.join(", ")})` : ""}`,
                    );
                }
            }
        }
    }
    const observed: ObservedEvidence[] = [];
    const gaps: { controls: string[]; text: string; resource: string }[] = [];
    const gapTexts = new Set<string>();
    const addGap = (controls: string[], text: string, resource: string) => {
        if (!gapTexts.has(text)) {
            gapTexts.add(text);
            gaps.push({ controls, text, resource });
        }
    };
    // A call the session skipped (it stopped reading before a time limit) left its items unread for
    // lack of time, not of permission: the report says so, unless the same action was also refused.
    const skipped = new Set(session.calls.filter((c) => c.outcome === "skipped").map((c) => c.action));
    const refused = new Set(session.calls.filter((c) => c.outcome === "denied").map((c) => c.action));
    for (const g of inventory.gaps) {
        addGap(
            g.controls,
            g.kind === "missing"
                ? `not found: ${g.what} (${g.resource}): ${g.needs} answered ${g.error}`
                : skipped.has(g.needs) && !refused.has(g.needs)
                  ? `not read, the run stopped reading (${session.stoppedReading}): ${g.what} (${g.resource})`
                  : `needs ${g.needs}: ${g.what} (${g.resource})`,
            g.resource,
        );
    }
    const cacheType = types.replicationGroup;
    for (const r of live) {
        if (r.status === "not evidenced") {
            addGap(r.check.controls, `${r.check.id} on ${label(r.resource, r.urn)}: ${r.message}`, r.urn);
            addUnevidenced(r.urn, r.check.id, `${r.resource}: ${r.message}`);
            continue;
        }
        if (r.status === "not applicable") {
            continue;
        }
        const names = applied.get(r.urn) ?? [];
        if (!names.includes(r.check.id)) {
            applied.set(r.urn, [...names, r.check.id]);
        }
        if (r.status === "fail") {
            findings.push({
                policyName: r.check.id,
                policyPackName: info.name,
                policyPackVersion: info.version,
                description: r.check.description,
                message: `${r.check.description}\n${r.message}`,
                enforcementLevel: r.check.enforcementLevel,
                severity: r.check.severity,
                urn: r.urn,
            });
        }
        for (const e of r.evidence) {
            for (const control of r.check.controls) {
                observed.push({
                    control,
                    row: {
                        resource: label(r.resource, r.urn),
                        type: cacheType,
                        setting: e.setting,
                        value: e.value,
                        source: "observed",
                        call: e.source.call,
                        region: e.source.region,
                        observedAt: e.source.at,
                    },
                });
            }
        }
    }
    for (const cache of inventory.caches) {
        if (cache.parameters) {
            const { value, source } = cache.parameters;
            observed.push({
                control: "0706.10b1",
                row: {
                    resource: label(cache.id, cache.arn),
                    type: cacheType,
                    setting: `parameters set in ${value.group}`,
                    value: JSON.stringify(value.parameters),
                    source: "observed",
                    call: source.call,
                    region: source.region,
                    observedAt: source.at,
                },
            });
        }
    }
    const notes = options.stackExport
        ? [
              {
                  controls: ["1616.09l1", "1620.09l1", "1202.09aa1", "1203.09aa1", "1270.09ad1"],
                  text: "a stack export shows configuration only: backups taken, archived exports, log delivery, trail status and alarm subscribers need a live audit.",
              },
          ]
        : Object.values(notObservableLive);
    const report = buildReport({
        program: options.stackExport ?? "live",
        mode: "audit",
        target: inventory.target,
        info,
        levels: { ...evaluation.levels, ...Object.fromEntries(checks.map((c) => [c.id, c.enforcementLevel])) },
        metadata: registry.metadata(),
        resources: inventory.resources as any,
        findings,
        applied,
        observed,
        gaps,
        notes,
        notObservable: Object.keys(evaluation.skipped),
        liveChecks: live.length ? checks.map((c) => c.id) : undefined,
        notEvidenced: [...new Set(live.filter((r) => r.status === "not evidenced").map((r) => r.check.id))],
        ...(options.stackExport ? {} : { unevidenced }),
        refusedCalls: session.calls.filter((c) => c.outcome === "denied").length,
        now,
    });
    const reportFiles = writeReport(options.reportDir, report, info, options.stackExport ?? "aws");
    return {
        inventory,
        evaluation,
        live,
        report,
        reportFiles,
        calls: session.calls,
        throttled: session.throttled,
        exitCode: exitCodes[report.summary.result ?? (report.summary.mandatory > 0 ? "not compliant" : "compliant")],
    };
}

export function relative(file: string): string {
    return path.relative(process.cwd(), file) || file;
}
