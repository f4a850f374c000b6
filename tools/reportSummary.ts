// The one-minute summary of the evidence report (issue 16): which caches each resource concerns,
// and from the report's findings, results without a verdict, gaps and evidence, one line per
// control and per cache, worst first, and the fixes that clear the most. Pure functions of what
// buildReport (tools/report.ts) has gathered.
import { cacheTypes, types } from "../policy-pack/src/types";
import type { RecordedResource } from "./mockrun";
import type {
    AuditResult,
    CacheSummary,
    ControlReport,
    ControlStatus,
    ControlSummary,
    FindingReport,
    FixSummary,
    NotEvidencedReport,
} from "./report";

/** The root stack's type (tools/mockrun.ts rootStackType; not imported: it loads @pulumi/pulumi). */
const rootStackType = "pulumi:pulumi:Stack";

/** A resource that runs a cache: a replication group, a serverless cache, or a cluster outside a group. */
export function isCache(r: RecordedResource): boolean {
    return (
        (cacheTypes as readonly string[]).includes(r.type) &&
        !(r.type === types.cluster && typeof r.inputs?.replicationGroupId === "string")
    );
}

/** The Region in an ARN (the audit's URNs), if any. */
export function regionOfUrn(urn: string): string | undefined {
    return urn.startsWith("arn:") ? urn.split(":")[3] || undefined : undefined;
}

/**
 * Which caches each resource concerns, so that a finding on a subnet group or a key counts against
 * the caches that use it: a cache itself; what a cache uses (its dependencies, followed through
 * other resources but not through another cache); what uses such a resource or a cache (an alarm on
 * a group's metrics, a route table association of its subnet); in a program, the other resources of
 * the component that holds the cache; in an account, a Region-wide resource (a trail, the alarm
 * listing) concerns every cache of its Region. Anything else concerns no cache.
 */
export function cacheOwners(resources: RecordedResource[]): Map<string, string[]> {
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const deps = (r: RecordedResource) =>
        [...new Set([...(r.dependencies ?? []), ...Object.values(r.propertyDependencies ?? {}).flat()])].filter(
            (u) => u !== r.urn && byUrn.has(u),
        );
    const caches = resources.filter(isCache);
    const owners = new Map<string, Set<string>>(resources.map((r) => [r.urn, new Set<string>()]));
    for (const cache of caches) {
        owners.get(cache.urn)!.add(cache.urn);
        const queue = deps(cache);
        const seen = new Set<string>(queue);
        while (queue.length > 0) {
            const urn = queue.pop()!;
            const r = byUrn.get(urn)!;
            owners.get(urn)!.add(cache.urn);
            if (isCache(r)) {
                continue;
            }
            for (const next of deps(r)) {
                if (!seen.has(next)) {
                    seen.add(next);
                    queue.push(next);
                }
            }
        }
    }
    // What uses a cache or a cache's resource, transitively (resources in dependency order mostly;
    // a few passes settle the rest).
    for (let pass = 0, changed = true; changed && pass < 8; pass++) {
        changed = false;
        for (const r of resources) {
            const mine = owners.get(r.urn)!;
            if (mine.size > 0) {
                continue;
            }
            for (const d of deps(r)) {
                for (const o of owners.get(d)!) {
                    mine.add(o);
                }
            }
            changed ||= mine.size > 0;
        }
    }
    // A program: the caches under the nearest component (not the stack) that holds any.
    const under = new Map<string, Set<string>>();
    for (const cache of caches) {
        for (let p = cache.parent; p && byUrn.get(p)?.type !== rootStackType; p = byUrn.get(p)?.parent ?? "") {
            const set = under.get(p) ?? new Set<string>();
            set.add(cache.urn);
            under.set(p, set);
        }
    }
    const byRegion = new Map<string, string[]>();
    for (const cache of caches) {
        const region = regionOfUrn(cache.urn);
        if (region) {
            byRegion.set(region, [...(byRegion.get(region) ?? []), cache.urn]);
        }
    }
    const out = new Map<string, string[]>();
    for (const r of resources) {
        let mine = [...owners.get(r.urn)!];
        for (let p: string | undefined = r.urn; mine.length === 0 && p; p = byUrn.get(p)?.parent) {
            mine = [...(under.get(p) ?? [])];
        }
        if (mine.length === 0) {
            const region = regionOfUrn(r.urn);
            mine = region ? (byRegion.get(region) ?? []) : [];
        }
        out.set(r.urn, mine);
    }
    return out;
}

/** The names a gap may use for a resource: its name (without a Region suffix), its ID, its URN. */
export function namesOf(r: RecordedResource): string[] {
    const names = [r.name, r.name.replace(/ \([a-z0-9-]+\)$/, ""), r.urn, r.urn.split(/[:/]/).pop() ?? ""];
    for (const key of ["replicationGroupId", "clusterId", "name", "userId", "userGroupId"]) {
        const v = r.inputs?.[key];
        if (typeof v === "string") {
            names.push(v);
        }
    }
    return names.filter(Boolean);
}

const statusRank: Record<ControlStatus, number> = {
    "not met": 0,
    "not evidenced": 1,
    "attestation required": 2,
    "met with advisories": 3,
    met: 4,
};
const resultRank: Record<AuditResult, number> = { "not compliant": 0, "not evidenced": 1, compliant: 2 };
export const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** The IAM actions a not-evidenced reason or gap names ("needs a, b" or "needs a:"). */
function neededActions(text: string): string[] {
    const out: string[] = [];
    for (const m of text.matchAll(/needs ([a-z0-9-]+:[A-Za-z0-9]+(?:, [a-z0-9-]+:[A-Za-z0-9]+)*)/g)) {
        out.push(...m[1].split(", "));
    }
    return [...new Set(out)];
}

interface SummaryInput {
    resources: RecordedResource[];
    controls: ControlReport[];
    findings: FindingReport[];
    notEvidenced: NotEvidencedReport[];
    gaps: { controls: string[]; text: string; caches: string[] }[];
    /** Control -> cache URNs that have an evidence row for it. */
    evidenced: Map<string, Set<string>>;
    policyControls: (policy: string) => string[];
    fixOf: (policy: string) => string;
    owners: Map<string, string[]>;
}

export function summarize(s: SummaryInput): {
    perControl: ControlSummary[];
    perCache: CacheSummary[];
    fixes: FixSummary[];
} {
    const caches = s.resources.filter(isCache);
    const judged = s.controls.filter((c) => c.status !== "attestation required").map((c) => c.id);
    type State = { notMet: Set<string>; notEvidenced: Set<string>; advisories: Set<string>; m: number; a: number };
    const state = new Map<string, State>(
        caches.map((c) => [c.urn, { notMet: new Set(), notEvidenced: new Set(), advisories: new Set(), m: 0, a: 0 }]),
    );
    // Per control, what touches how many caches: "cause" -> cache URNs (or resource URNs when none).
    const causes = new Map<string, Map<string, { rank: number; caches: Set<string>; resources: Set<string> }>>();
    const cause = (control: string, text: string, rank: number, cacheUrns: string[], resource: string) => {
        const mine = causes.get(control) ?? new Map();
        const entry = mine.get(text) ?? { rank, caches: new Set<string>(), resources: new Set<string>() };
        cacheUrns.forEach((c) => entry.caches.add(c));
        entry.resources.add(resource);
        mine.set(text, entry);
        causes.set(control, mine);
    };
    const owners = (urn: string) => s.owners.get(urn) ?? [];
    for (const f of s.findings) {
        for (const urn of owners(f.urn)) {
            const st = state.get(urn)!;
            if (f.enforcementLevel === "mandatory") {
                st.m++;
            } else {
                st.a++;
            }
            for (const control of f.controls) {
                (f.enforcementLevel === "mandatory" ? st.notMet : st.advisories).add(control);
            }
        }
        for (const control of f.controls) {
            cause(control, f.policy, f.enforcementLevel === "mandatory" ? 0 : 2, owners(f.urn), f.urn);
        }
    }
    for (const n of s.notEvidenced) {
        const needs = neededActions(n.reason);
        for (const control of s.policyControls(n.policy)) {
            for (const urn of owners(n.urn)) {
                state.get(urn)!.notEvidenced.add(control);
            }
            cause(
                control,
                `${n.policy}: not read${needs.length ? ` (needs ${needs.join(", ")})` : ""}`,
                1,
                owners(n.urn),
                n.urn,
            );
        }
    }
    for (const g of s.gaps) {
        const needs = neededActions(g.text);
        for (const control of g.controls) {
            for (const urn of g.caches) {
                state.get(urn)?.notEvidenced.add(control);
            }
            cause(control, needs.length ? `needs ${needs.join(", ")}` : g.text, 1, g.caches, g.text);
        }
    }
    for (const control of judged) {
        for (const [urn, st] of state) {
            if (!st.notMet.has(control) && !st.advisories.has(control) && !s.evidenced.get(control)?.has(urn)) {
                st.notEvidenced.add(control);
                cause(control, "no evidence for the cache", 1, [urn], urn);
            }
        }
    }
    const order = (ids: Iterable<string>) => s.controls.map((c) => c.id).filter((id) => new Set(ids).has(id));
    const perCache: CacheSummary[] = caches.map((c) => {
        const st = state.get(c.urn)!;
        const notEvidenced = [...st.notEvidenced].filter((id) => !st.notMet.has(id));
        return {
            name: c.name,
            type: c.type,
            urn: c.urn,
            ...(regionOfUrn(c.urn) ? { region: regionOfUrn(c.urn) } : {}),
            result: st.notMet.size > 0 ? "not compliant" : notEvidenced.length > 0 ? "not evidenced" : "compliant",
            notMet: order(st.notMet),
            notEvidenced: order(notEvidenced),
            advisories: order([...st.advisories].filter((id) => !st.notMet.has(id) && !notEvidenced.includes(id))),
            mandatory: st.m,
            advisory: st.a,
        };
    });
    perCache.sort(
        (a, b) =>
            resultRank[a.result] - resultRank[b.result] ||
            b.notMet.length - a.notMet.length ||
            b.notEvidenced.length - a.notEvidenced.length ||
            b.mandatory - a.mandatory ||
            b.advisory - a.advisory ||
            a.name.localeCompare(b.name),
    );

    const perControl: ControlSummary[] = s.controls.map((c) => {
        const judgedHere = judged.includes(c.id);
        const notMet = perCache.filter((x) => x.notMet.includes(c.id)).length;
        const unevidenced = perCache.filter((x) => x.notEvidenced.includes(c.id)).length;
        // The cause that concerns the most caches, worst kind first (mandatory, not evidenced, advisory).
        const top = [...(causes.get(c.id)?.entries() ?? [])]
            .filter(([, e]) => (c.status === "not met" ? e.rank === 0 : true))
            .sort(
                ([ta, a], [tb, b]) =>
                    a.rank - b.rank ||
                    b.caches.size - a.caches.size ||
                    b.resources.size - a.resources.size ||
                    ta.localeCompare(tb),
            )[0];
        const counted = top
            ? top[1].caches.size > 0
                ? plural(top[1].caches.size, "cache")
                : plural(top[1].resources.size, "resource")
            : "";
        return {
            id: c.id,
            topic: c.topic,
            status: c.status,
            ...(judgedHere
                ? {
                      caches: {
                          met: perCache.length - notMet - unevidenced,
                          "not met": notMet,
                          "not evidenced": unevidenced,
                      },
                  }
                : {}),
            mandatory: c.mandatory,
            advisory: c.advisory,
            notEvidenced: s.notEvidenced.filter((n) => s.policyControls(n.policy).includes(c.id)).length,
            ...(top && c.status !== "met" && c.status !== "attestation required"
                ? { cause: `${top[0]} (${counted})` }
                : {}),
        };
    });
    perControl.sort(
        (a, b) =>
            statusRank[a.status] - statusRank[b.status] ||
            (b.caches?.["not met"] ?? 0) - (a.caches?.["not met"] ?? 0) ||
            (b.caches?.["not evidenced"] ?? 0) - (a.caches?.["not evidenced"] ?? 0),
    );

    // Fixes: each failing policy's remediation clears its findings; each refused action, once
    // granted, lets the not-evidenced results that name it conclude.
    const fixes = new Map<string, FixSummary & { cacheSet: Set<string> }>();
    for (const f of s.findings) {
        const key = `fix ${f.policy}`;
        const fix = fixes.get(key) ?? {
            kind: "fix" as const,
            name: f.policy,
            level: f.enforcementLevel === "mandatory" ? ("mandatory" as const) : ("advisory" as const),
            text: s.fixOf(f.policy) || f.message,
            clears: 0,
            caches: 0,
            controls: f.controls,
            cacheSet: new Set<string>(),
        };
        fix.clears++;
        owners(f.urn).forEach((o) => fix.cacheSet.add(o));
        fixes.set(key, fix);
    }
    const grant = (action: string, cacheUrns: string[], controls: string[]) => {
        const key = `grant ${action}`;
        const fix = fixes.get(key) ?? {
            kind: "grant" as const,
            name: action,
            level: "not evidenced" as const,
            text: `grant ${action} to the auditing role (tools/audit/iam-policy.json) and run the audit again`,
            clears: 0,
            caches: 0,
            controls: [],
            cacheSet: new Set<string>(),
        };
        fix.clears++;
        cacheUrns.forEach((o) => fix.cacheSet.add(o));
        fix.controls = [...new Set([...fix.controls, ...controls])];
        fixes.set(key, fix);
    };
    for (const n of s.notEvidenced) {
        for (const action of neededActions(n.reason)) {
            grant(action, owners(n.urn), s.policyControls(n.policy));
        }
    }
    for (const g of s.gaps) {
        for (const action of neededActions(g.text)) {
            grant(action, g.caches, g.controls);
        }
    }
    const levelRank = { mandatory: 0, "not evidenced": 1, advisory: 2 };
    const fixList = [...fixes.values()]
        .map(({ cacheSet, ...f }) => ({ ...f, caches: cacheSet.size, controls: order(f.controls) }))
        .sort(
            (a, b) =>
                levelRank[a.level] - levelRank[b.level] ||
                b.caches - a.caches ||
                b.clears - a.clears ||
                a.name.localeCompare(b.name),
        );
    return { perControl, perCache, fixes: fixList };
}
