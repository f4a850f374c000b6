// The audit's result as AWS Security Hub CSPM findings (ASFF): one finding per HITRUST control and
// resource, sent with BatchImportFindings to the account's own product in the resource's Region.
// Pure functions build the findings (buildFindings), decide what the run may resolve or archive
// (coverageOf, planLifecycle) and cut batches (toBatches); publishFindings does the calls through
// an injected AwsSession, so the CLI and a scheduled function run the same code.
//
// Sources (AWS documentation):
// - ASFF fields and limits: API reference "AwsSecurityFinding"
//   (https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_AwsSecurityFinding.html), also in
//   the SDK's model (node_modules/@aws-sdk/client-securityhub, models_2.d.ts).
// - Required attributes, the 90-day deletion, CreatedAt = UpdatedAt on creation, UpdatedAt only
//   grows: "Required top-level ASFF attributes"
//   (https://docs.aws.amazon.com/securityhub/latest/userguide/asff-required-attributes.html).
// - Create or update by Id, updates with an older or equal UpdatedAt ignored, Severity and Types
//   through FindingProviderFields, FailedFindings with InvalidAccess when Security Hub is off:
//   "BatchImportFindings for finding providers"
//   (https://docs.aws.amazon.com/securityhub/latest/userguide/finding-update-batchimportfindings.html).
// - 100 findings and 6 MB per call, 240 KB per finding, 10 TPS per account per Region with a burst
//   of 30: partner guide "Guidelines for using the BatchImportFindings API"
//   (https://docs.aws.amazon.com/securityhub/latest/partnerguide/guidelines-batchimportfindings.html).
// - GetFindings 3 TPS, burst 6; findings deleted 90 days after the last update: "Quotas for
//   Security Hub CSPM" (https://docs.aws.amazon.com/securityhub/latest/userguide/securityhub_limits.html).
import type {
    AwsSecurityFinding,
    AwsSecurityFindingFilters,
    ResourceDetails,
    SeverityLabel,
} from "@aws-sdk/client-securityhub";
import { BatchImportFindingsCommand, GetFindingsCommand } from "@aws-sdk/client-securityhub";
import { GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { control as catalogControl, controls as catalog, ControlId, hitrustVersion } from "../../core/controls";
import { docsUrl } from "../../policy-pack/src/registry";
import { types } from "../../policy-pack/src/types";
import type { PolicyInfo } from "../analyzer";
import type { AuditOutcome } from "./audit";
import { AwsSession, isAccessDenied, isError } from "./aws";
import { AuditResource } from "./model";

export type Finding = AwsSecurityFinding;
export type ComplianceStatus = "PASSED" | "FAILED" | "WARNING" | "NOT_AVAILABLE";

/** The limits this module keeps (see the sources above). */
export const limits = {
    /** BatchImportFindings: findings per call, bytes per finding (240 KB), bytes per call (6 MB). */
    findingsPerCall: 100,
    bytesPerFinding: 240 * 1000,
    bytesPerCall: 6 * 1000 * 1000,
    /** Requests per second and burst, per account and Region. */
    importRate: 10,
    importBurst: 30,
    getFindingsRate: 3,
    getFindingsBurst: 6,
    /** GetFindings MaxResults (API reference "GetFindings": 1 to 100). */
    pageSize: 100,
    id: 512,
    generatorId: 512,
    title: 256,
    description: 1024,
    /** Remediation.Recommendation.Text: "Maximum of 512 length" (API reference "Recommendation"). */
    recommendation: 512,
    /** Compliance.RelatedRequirements: "Maximum number of 32 items" (API reference "Compliance"). */
    relatedRequirements: 32,
    /** Resources[].Details.Other: up to 50 pairs, key fewer than 128 and value fewer than 1,024 characters ("Other object in ASFF"). */
    otherEntries: 50,
    otherKey: 127,
    otherValue: 1023,
    /** ProductFields: up to 50 pairs, key up to 128 and value up to 2048 characters. */
    productFieldValue: 2048,
    /** Days after its last update that Security Hub deletes a finding. */
    retentionDays: 90,
} as const;

/** GeneratorId and Id start with this; GetFindings finds this tool's findings by it (PREFIX). */
export const generatorPrefix = "hitrust-elasticache/";
export const schemaVersion = "2018-10-08";

/**
 * ASFF Types, "namespace/category/classifier" ("Types taxonomy for ASFF",
 * https://docs.aws.amazon.com/securityhub/latest/userguide/securityhub-findings-format-type-taxonomy.html):
 * the defined HIPAA classifier (every control of the catalog serves HIPAA sections), and a HITRUST
 * classifier under the same category, which the taxonomy allows ("the defined categories and
 * classifiers may also be used, but are not required"; the namespace must be a defined one).
 */
export const findingTypes = [
    "Software and Configuration Checks/Industry and Regulatory Standards/HIPAA Controls (USA)",
    "Software and Configuration Checks/Industry and Regulatory Standards/HITRUST CSF Controls",
];

/**
 * Resource types: one of the ASFF types where one exists (Resource.Type, "If possible, set Type to
 * one of the supported resource types ... If the resource does not match any of the provided
 * types, then set Type to Other"; the supported types are the ResourceDetails objects, checked
 * here at compile time against the SDK's ResourceDetails). ASFF has no ElastiCache or CloudWatch
 * Logs type: those resources are Other, with their details in Details.Other.
 */
type AsffResourceType = Exclude<keyof ResourceDetails, "Other">;
const asffResourceTypes: Record<string, AsffResourceType> = {
    [types.securityGroup]: "AwsEc2SecurityGroup",
    [types.defaultSecurityGroup]: "AwsEc2SecurityGroup",
    [types.subnet]: "AwsEc2Subnet",
    [types.routeTable]: "AwsEc2RouteTable",
    [types.vpc]: "AwsEc2Vpc",
    [types.kmsKey]: "AwsKmsKey",
    [types.snsTopic]: "AwsSnsTopic",
    [types.metricAlarm]: "AwsCloudWatchAlarm",
};

export function asffResourceType(pulumiType: string): string {
    return asffResourceTypes[pulumiType] ?? "Other";
}

/**
 * Resource kinds (service:resource-type of the ARN) that the audit lists Region-wide, with the
 * listing call. Only findings of these kinds can be archived when their resource is gone: a kind
 * the audit reads only through a cache (security groups, keys, log groups, ...) is not looked at
 * once nothing refers to it, so its absence says nothing.
 */
export const listedKinds: Record<string, string> = {
    "elasticache:replicationgroup": "elasticache:DescribeReplicationGroups",
    "elasticache:serverlesscache": "elasticache:DescribeServerlessCaches",
    "elasticache:cluster": "elasticache:DescribeCacheClusters",
    "elasticache:user": "elasticache:DescribeUsers",
    "elasticache:usergroup": "elasticache:DescribeUserGroups",
};

/**
 * The statements the auditing role needs for --security-hub, beside tools/audit/iam-policy.json.
 * "Actions, resources, and condition keys for AWS Security Hub" (Service Authorization Reference,
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_awssecurityhub.html):
 * BatchImportFindings authorizes on the product resource
 * (arn:${Partition}:securityhub:${Region}:${Account}:product/${Company}/${ProductId}) and takes
 * securityhub:TargetAccount ("Filters access by the AwsAccountId field that is specified in the
 * request"), held here to the role's own account with the global key aws:PrincipalAccount as a
 * policy variable ("IAM policy elements: Variables and tags",
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html). Another
 * account's product is another account's resource, which an identity policy alone never opens.
 * GetFindings has no required resource. sts:GetCallerIdentity needs no permission.
 */
export const iamStatements = [
    {
        Sid: "SendFindingsOfOwnAccount",
        Effect: "Allow",
        Action: "securityhub:BatchImportFindings",
        Resource: "arn:*:securityhub:*:*:product/*/default",
        Condition: { StringEquals: { "securityhub:TargetAccount": "${aws:PrincipalAccount}" } },
    },
    {
        Sid: "ReadOwnFindingsBack",
        Effect: "Allow",
        Action: "securityhub:GetFindings",
        Resource: "*",
    },
];

// ---------------------------------------------------------------------------------------------
// Small helpers

/** `text` cut to `max` characters, ending in an ellipsis when cut. */
export function clip(text: string, max: number): string {
    const flat = text.replace(/\s+/g, " ").trim();
    return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

interface ArnParts {
    partition: string;
    service: string;
    region: string;
    account: string;
    resource: string;
}

export function parseArn(arn: string): ArnParts | undefined {
    const m = /^arn:([^:]+):([^:]+):([^:]*):([^:]*):(.+)$/.exec(arn);
    return m ? { partition: m[1], service: m[2], region: m[3], account: m[4], resource: m[5] } : undefined;
}

/** "elasticache:replicationgroup" for arn:aws:elasticache:...:replicationgroup:x; "ec2:security-group" for .../sg-1. */
export function kindOf(arn: string): string {
    const parts = parseArn(arn);
    return parts ? `${parts.service}:${parts.resource.split(/[:/]/)[0]}` : "";
}

/**
 * The ARN a finding names: the resource's URN when it is an ARN. The audit stands in some URNs
 * without the account (EC2 route tables, log groups read by name): those get the caller's account
 * and partition. A stand-in for something not read (a "*" in it) or an ID that is not an ARN has
 * no resource to name, and no finding.
 */
export function findingArn(urn: string, account: string, partition: string): string | undefined {
    const parts = parseArn(urn);
    if (!parts || urn.includes("*")) {
        return undefined;
    }
    if (parts.account === "" && parts.region !== "") {
        return `arn:${partition}:${parts.service}:${parts.region}:${account}:${parts.resource}`;
    }
    return urn;
}

/** Deterministic from control and resource ARN; at most 512 characters (AwsSecurityFinding.Id). */
export function findingId(control: string, arn: string): string {
    const plain = `${generatorPrefix}${control}/${arn}`;
    if (plain.length <= limits.id) {
        return plain;
    }
    return `${generatorPrefix}${control}/sha256/${createHash("sha256").update(arn).digest("hex")}`;
}

export function generatorId(control: string): string {
    return `${generatorPrefix}hitrust-csf/${control}`;
}

export function productArn(partition: string, region: string, account: string): string {
    return `arn:${partition}:securityhub:${region}:${account}:product/${account}/default`;
}

/** "HITRUST CSF v9.x/0903.10f1", in the "<standard> <version>/<requirement>" form of Security Hub's own findings ("PCI DSS v3.2.1/3.4"). */
export function relatedRequirements(id: ControlId): string[] {
    const control = catalogControl(id);
    const version = /v[0-9][0-9.x]*/.exec(hitrustVersion)?.[0] ?? "";
    const own = control.framework === "HITRUST CSF" ? [`HITRUST CSF ${version}/${id}`] : [];
    return [...own, ...control.hipaa.map((section) => `HIPAA 45 CFR ${section}`)].slice(0, limits.relatedRequirements);
}

const severityRank = ["low", "medium", "high", "critical"];
const severityLabel = (s: string): SeverityLabel =>
    (({ low: "LOW", medium: "MEDIUM", high: "HIGH", critical: "CRITICAL" }) as Record<string, SeverityLabel>)[s] ??
    "MEDIUM";
const highest = (severities: string[]) =>
    severities.reduce((a, b) => (severityRank.indexOf(b) > severityRank.indexOf(a) ? b : a), severities[0] ?? "low");

/** Live checks have no policy page: their table is in the README's audit section. */
const liveChecksUrl = docsUrl.endsWith("/policy-pack/README.md")
    ? new URL("../README.md#what-it-reads-and-what-it-checks", docsUrl).toString()
    : docsUrl;

// ---------------------------------------------------------------------------------------------
// Building the findings

/** What the audit said about one check (a pack policy or a live check) on one resource. */
interface CheckResult {
    name: string;
    level: string;
    severity: string;
    controls: string[];
    verdict: "pass" | "fail" | "not evidenced";
    message?: string;
    remediation: string;
    url: string;
}

export type AuditResult = Pick<AuditOutcome, "inventory" | "evaluation" | "live" | "report">;

export interface BuildContext {
    account: string;
    partition: string;
    now: Date;
}

const regionSuffix = / \([a-z]{2}(-[a-z]+)+-\d+\)$/;

/** The names a gap may use for a resource: its name, the last part of its ARN, its ID inputs. */
function namesOf(resource: AuditResource): Set<string> {
    const names = new Set([resource.name.replace(regionSuffix, "")]);
    const last = resource.urn.split(/[:/]/).pop();
    if (last) {
        names.add(last);
    }
    for (const key of ["replicationGroupId", "clusterId", "name", "userId", "userGroupId"]) {
        const v = resource.inputs?.[key];
        if (typeof v === "string") {
            names.add(v);
        }
    }
    return names;
}

function regionOfResource(resource: AuditResource, fallback: string): string {
    return parseArn(resource.urn)?.region || resource.source?.region || fallback;
}

/** One ASFF finding per HITRUST control and resource that a check judged or a gap left open. */
export function buildFindings(outcome: AuditResult, ctx: BuildContext): Finding[] {
    const { inventory, evaluation, live, report } = outcome;
    const now = ctx.now.toISOString();
    const infos = new Map<string, PolicyInfo>(evaluation.info.policies.map((p) => [p.name, p]));
    const levelOf = (name: string, fallback: string) => {
        const level = evaluation.levels[name] ?? fallback;
        return level === "remediate" ? "mandatory" : level;
    };
    const checksOf = new Map<string, Map<string, CheckResult>>();
    const add = (urn: string, result: CheckResult) => {
        const map = checksOf.get(urn) ?? new Map<string, CheckResult>();
        if (!map.has(result.name)) {
            map.set(result.name, result);
        }
        checksOf.set(urn, map);
    };
    const fromPolicy = (name: string, verdict: CheckResult["verdict"], message?: string): CheckResult | undefined => {
        const info = infos.get(name);
        if (!info) {
            return undefined;
        }
        return {
            name,
            level: levelOf(name, info.enforcementLevel),
            severity: info.severity,
            controls: info.framework?.reference ? info.framework.reference.split(", ") : [],
            verdict,
            message,
            remediation: info.remediationSteps,
            url: info.url || docsUrl,
        };
    };
    // Live checks first: they carry the action a refused call needs.
    for (const r of live) {
        if (r.status === "not applicable") {
            continue;
        }
        add(r.urn, {
            name: r.check.id,
            level: r.check.enforcementLevel,
            severity: r.check.severity,
            controls: r.check.controls,
            verdict: r.status === "pass" ? "pass" : r.status === "fail" ? "fail" : "not evidenced",
            message: r.status === "not evidenced" && r.needs ? `${r.message} (needs ${r.needs})` : r.message,
            remediation: r.check.remediation,
            url: liveChecksUrl,
        });
    }
    // Every failure the report lists (resource and stack policies alike), on the resource it names.
    for (const f of report.findings) {
        const result = fromPolicy(f.policy, "fail", f.message);
        if (result) {
            add(f.urn, { ...result, level: f.enforcementLevel });
        }
    }
    // Resource policies that ran on a resource and reported nothing passed there.
    for (const [urn, names] of evaluation.applied) {
        for (const name of names) {
            const result = fromPolicy(name, "pass");
            if (result) {
                add(urn, result);
            }
        }
    }

    // Gaps: a refused call named by the resource it concerns (a cache, for its neighbours too), or
    // by the Region for a Region-wide listing.
    const byUrn = new Map(inventory.resources.map((r) => [r.urn, r]));
    const resourceGaps = new Map<string, { control: string; text: string }[]>();
    const regionGaps = new Map<string, { control: string; text: string }[]>();
    for (const gap of inventory.gaps) {
        const text = `${gap.what}: needs ${gap.needs}`;
        if (inventory.regions.includes(gap.resource)) {
            const list = regionGaps.get(gap.resource) ?? [];
            list.push(...gap.controls.map((control) => ({ control, text })));
            regionGaps.set(gap.resource, list);
            continue;
        }
        for (const resource of inventory.resources) {
            if (namesOf(resource).has(gap.resource)) {
                const list = resourceGaps.get(resource.urn) ?? [];
                list.push(...gap.controls.map((control) => ({ control, text })));
                resourceGaps.set(resource.urn, list);
            }
        }
    }

    const findings: Finding[] = [];
    const urns = new Set([...checksOf.keys(), ...resourceGaps.keys()]);
    for (const urn of [...urns].sort()) {
        const resource = byUrn.get(urn);
        const arn = findingArn(urn, ctx.account, ctx.partition);
        if (!resource || !arn) {
            continue;
        }
        const region = regionOfResource(resource, inventory.regions[0] ?? "");
        const checks = [...(checksOf.get(urn)?.values() ?? [])];
        const ids = new Set([
            ...checks.flatMap((c) => c.controls),
            ...(resourceGaps.get(urn) ?? []).map((g) => g.control),
        ]);
        for (const id of catalog.map((c) => c.id).filter((c) => ids.has(c))) {
            const mine = checks.filter((c) => c.controls.includes(id));
            const gaps = [
                ...(resourceGaps.get(urn) ?? []).filter((g) => g.control === id).map((g) => g.text),
                ...(mine.length > 0 ? (regionGaps.get(region) ?? []).filter((g) => g.control === id) : []).map(
                    (g) => g.text,
                ),
                ...mine.filter((c) => c.verdict === "not evidenced").map((c) => `${c.name}: ${c.message ?? ""}`),
            ];
            findings.push(
                findingFor({
                    id,
                    resource,
                    arn,
                    region,
                    checks: mine,
                    gaps: [...new Set(gaps)],
                    evidence: (report.controls.find((c) => c.id === id)?.evidence ?? []).filter(
                        (e) => e.resource === resource.name,
                    ),
                    ctx,
                    now,
                }),
            );
        }
    }
    return findings;
}

function statusOf(checks: CheckResult[], gaps: string[]): ComplianceStatus {
    const failed = checks.filter((c) => c.verdict === "fail");
    if (failed.some((c) => c.level === "mandatory")) {
        return "FAILED";
    }
    if (gaps.length > 0) {
        return "NOT_AVAILABLE"; // a check that could not run may hide a failure
    }
    return failed.length > 0 ? "WARNING" : "PASSED";
}

const statusText: Record<ComplianceStatus, string> = {
    FAILED: "Not met: a mandatory check failed",
    WARNING: "Met with advisories: only advisory checks failed",
    NOT_AVAILABLE: "Not evidenced: a call the check needs was refused or could not be read",
    PASSED: "Met: every check passed",
};

function findingFor(input: {
    id: ControlId;
    resource: AuditResource;
    arn: string;
    region: string;
    checks: CheckResult[];
    gaps: string[];
    evidence: { setting: string; value: string; call?: string; observedAt?: string }[];
    ctx: BuildContext;
    now: string;
}): Finding {
    const { id, resource, arn, region, checks, gaps, evidence, ctx, now } = input;
    const control = catalogControl(id);
    const status = statusOf(checks, gaps);
    const failed = checks.filter((c) => c.verdict === "fail");
    const mandatoryFirst = [...failed].sort(
        (a, b) => Number(b.level === "mandatory") - Number(a.level === "mandatory"),
    );
    const passed = checks.filter((c) => c.verdict === "pass");
    const name = resource.name;

    const lines = [
        `${statusText[status]} on ${name}.`,
        ...mandatoryFirst.map((c) => `Failed (${c.level}) ${c.name}: ${c.message ?? ""}`),
        ...gaps.map((g) => `Not evidenced: ${g}.`),
        ...(passed.length ? [`Passed: ${passed.map((c) => c.name).join(", ")}.`] : []),
        `Requirement: ${control.requirement}`,
    ];
    const remediation =
        mandatoryFirst[0]?.remediation ??
        (gaps.length
            ? `Grant the auditing role what the check needs (${gaps.join("; ")}); see tools/audit/iam-policy.json, then run the audit again.`
            : `No change needed: keep the settings that satisfy ${id}.`);
    const url = (mandatoryFirst[0] ?? checks[0])?.url ?? docsUrl;

    // Details.Other: what the finding is about, each check's verdict and each observed value,
    // within 50 entries (key < 128, value < 1,024 characters).
    const other: [string, string][] = [
        ["HitrustControl", id],
        ["ResourceType", resource.type],
        ["ResourceName", name],
        ...checks.map((c): [string, string] => [`check/${c.name}`, `${c.verdict}${c.message ? `: ${c.message}` : ""}`]),
        ...gaps.map((g, i): [string, string] => [`gap/${i + 1}`, g]),
        ...evidence.map((e): [string, string] => [
            `observed/${e.setting}`,
            `${e.value}${e.call ? ` (${e.call}, ${e.observedAt ?? ""})` : ""}`,
        ]),
    ];
    const kept = other.length > limits.otherEntries ? other.slice(0, limits.otherEntries - 1) : other;
    if (kept.length < other.length) {
        kept.push(["Truncated", `${other.length - kept.length} more entries in report.json`]);
    }
    const details = Object.fromEntries(
        kept.map(([k, v]) => [clip(k, limits.otherKey), clip(v || "-", limits.otherValue)]),
    );

    const severity: { Label: SeverityLabel; Original: string } = {
        Label:
            status === "FAILED" || status === "WARNING"
                ? severityLabel(highest(failed.map((c) => c.severity)))
                : "INFORMATIONAL",
        Original: highest(checks.map((c) => c.severity)),
    };
    const fields = `${ctx.account}/default/`;
    return {
        SchemaVersion: schemaVersion,
        Id: findingId(id, arn),
        ProductArn: productArn(ctx.partition, region, ctx.account),
        GeneratorId: generatorId(id),
        AwsAccountId: ctx.account,
        Region: region,
        Types: findingTypes,
        CreatedAt: now,
        UpdatedAt: now,
        LastObservedAt: now,
        Severity: severity,
        Title: clip(`HITRUST CSF ${id} ${control.topic}: ${name}`, limits.title),
        Description: clip(lines.join(" "), limits.description),
        Remediation: { Recommendation: { Text: clip(remediation, limits.recommendation), Url: url } },
        ProductFields: {
            // "company-id/product-id/field-name", as the ProductFields documentation suggests.
            [`${fields}HitrustControl`]: id,
            [`${fields}ResourceType`]: resource.type,
            [`${fields}Checks`]: clip(checks.map((c) => c.name).join(", ") || "-", limits.productFieldValue),
        },
        Resources: [
            {
                Type: asffResourceType(resource.type),
                Id: arn,
                Partition: ctx.partition as any,
                Region: region,
                Details: { Other: details },
            },
        ],
        Compliance: { Status: status, RelatedRequirements: relatedRequirements(id) },
        FindingProviderFields: { Severity: severity, Types: findingTypes },
        RecordState: "ACTIVE",
    };
}

// ---------------------------------------------------------------------------------------------
// What this run covered, and what it may therefore resolve or archive

export interface Coverage {
    /** Regions the run audited. */
    regions: string[];
    /** Per Region, the resource kinds whose Region-wide listing succeeded. */
    listed: Record<string, string[]>;
    /** ARNs of every resource the run saw. */
    present: string[];
    /** Per Region, the controls the run evidenced there (a check ran, no call refused). */
    controls: Record<string, string[]>;
}

export function coverageOf(
    outcome: AuditResult & Pick<AuditOutcome, "calls">,
    account: string,
    partition: string,
): Coverage {
    const { inventory, report, live, calls } = outcome;
    const listed: Record<string, string[]> = {};
    const controls: Record<string, string[]> = {};
    // Checks that ran this run (any verdict but disabled or not observable).
    const ran = new Set(
        report.controls
            .filter((c) => c.policies.some((p) => p.verdict !== "disabled" && p.verdict !== "not observable"))
            .map((c) => c.id),
    );
    const cacheRegions = new Map<string, Set<string>>();
    for (const cache of inventory.caches) {
        const set = cacheRegions.get(cache.id) ?? new Set<string>();
        set.add(cache.region);
        cacheRegions.set(cache.id, set);
    }
    for (const region of inventory.regions) {
        const here = calls.filter((c) => c.region === region);
        listed[region] = Object.entries(listedKinds)
            .filter(
                ([, action]) =>
                    here.some((c) => c.action === action && c.outcome === "ok") &&
                    !here.some((c) => c.action === action && c.outcome !== "ok"),
            )
            .map(([kind]) => kind);
        const gapped = new Set<string>();
        for (const gap of inventory.gaps) {
            // A gap names a Region, a cache (for itself and its neighbours) or something else (a
            // bucket, a trail): the last counts against every Region.
            const where = inventory.regions.includes(gap.resource)
                ? new Set([gap.resource])
                : (cacheRegions.get(gap.resource) ?? new Set(inventory.regions));
            if (where.has(region)) {
                gap.controls.forEach((c) => gapped.add(c));
            }
        }
        for (const r of live) {
            if (r.status === "not evidenced" && (parseArn(r.urn)?.region ?? region) === region) {
                r.check.controls.forEach((c) => gapped.add(c));
            }
        }
        controls[region] = [...ran].filter((c) => !gapped.has(c));
    }
    const present = [
        ...inventory.resources.map((r) => findingArn(r.urn, account, partition)),
        ...inventory.caches.map((c) => c.arn),
    ].filter((a): a is string => a !== undefined);
    return { regions: [...inventory.regions], listed, present: [...new Set(present)], controls };
}

export interface LifecyclePlan {
    /** Everything to send: this run's findings, resolutions and archivings. */
    send: Finding[];
    resolved: string[];
    archived: string[];
    /** Active findings of this tool left alone, with why. */
    kept: { id: string; reason: string }[];
}

const controlOfFinding = (f: Finding) => (f.GeneratorId ?? "").split("/").pop() ?? "";

/** A timestamp later than `previous` and not before `now`: Security Hub ignores an update whose UpdatedAt is not later. */
export function nextUpdate(now: Date, previous?: string): string {
    const before = previous ? Date.parse(previous) : NaN;
    return new Date(Number.isNaN(before) || before < now.getTime() ? now.getTime() : before + 1).toISOString();
}

/** The fields of an existing finding that BatchImportFindings takes back, without what Security Hub or its users own. */
function reissue(existing: Finding, changes: Partial<Finding>): Finding {
    const ownFields = Object.fromEntries(
        Object.entries(existing.ProductFields ?? {}).filter(([k]) => !k.startsWith("aws/")),
    );
    return {
        SchemaVersion: existing.SchemaVersion ?? schemaVersion,
        Id: existing.Id,
        ProductArn: existing.ProductArn,
        GeneratorId: existing.GeneratorId,
        AwsAccountId: existing.AwsAccountId,
        Region: existing.Region,
        Types: existing.FindingProviderFields?.Types ?? existing.Types ?? findingTypes,
        CreatedAt: existing.CreatedAt,
        UpdatedAt: existing.UpdatedAt,
        Severity: existing.FindingProviderFields?.Severity ?? existing.Severity,
        Title: existing.Title,
        Description: existing.Description,
        Remediation: existing.Remediation,
        ProductFields: ownFields,
        Resources: existing.Resources,
        Compliance: existing.Compliance,
        FindingProviderFields: {
            Severity: existing.FindingProviderFields?.Severity ?? existing.Severity,
            Types: existing.FindingProviderFields?.Types ?? existing.Types ?? findingTypes,
        },
        RecordState: existing.RecordState,
        ...changes,
    };
}

/**
 * This run's findings with CreatedAt kept from their first sighting; and for this tool's active
 * findings that the run did not produce: resolved (PASSED) when the resource is still there and the
 * run evidenced the control in its Region; archived when the resource is gone and the run listed
 * that kind of resource in that Region and evidenced the control there; otherwise left alone.
 */
export function planLifecycle(current: Finding[], existing: Finding[], coverage: Coverage, now: Date): LifecyclePlan {
    const before = new Map(existing.map((f) => [f.Id!, f]));
    const send: Finding[] = current.map((f) => {
        const old = before.get(f.Id!);
        const updatedAt = nextUpdate(now, old?.UpdatedAt);
        // On creation CreatedAt and UpdatedAt are the same; afterwards CreatedAt stays.
        return { ...f, CreatedAt: old?.CreatedAt ?? updatedAt, UpdatedAt: updatedAt, LastObservedAt: updatedAt };
    });
    const produced = new Set(current.map((f) => f.Id));
    const present = new Set(coverage.present);
    const resolved: string[] = [];
    const archived: string[] = [];
    const kept: { id: string; reason: string }[] = [];
    for (const old of existing) {
        if (produced.has(old.Id) || !old.Id?.startsWith(generatorPrefix)) {
            continue;
        }
        const arn = old.Resources?.[0]?.Id ?? "";
        const region = old.Region ?? parseArn(arn)?.region ?? "";
        const control = controlOfFinding(old);
        if (!coverage.regions.includes(region)) {
            kept.push({ id: old.Id, reason: `Region ${region} was not audited` });
            continue;
        }
        if (!(coverage.controls[region] ?? []).includes(control)) {
            kept.push({ id: old.Id, reason: `${control} was not evidenced in ${region} this run` });
            continue;
        }
        const updatedAt = nextUpdate(now, old.UpdatedAt);
        if (present.has(arn)) {
            resolved.push(old.Id);
            send.push(
                reissue(old, {
                    UpdatedAt: updatedAt,
                    LastObservedAt: updatedAt,
                    Compliance: { ...old.Compliance, Status: "PASSED" },
                    Severity: { ...old.Severity, Label: "INFORMATIONAL" },
                    FindingProviderFields: {
                        Severity: { ...(old.FindingProviderFields?.Severity ?? old.Severity), Label: "INFORMATIONAL" },
                        Types: old.FindingProviderFields?.Types ?? old.Types ?? findingTypes,
                    },
                    Description: clip(
                        `Met: no check of ${control} reports a problem on this resource in the run of ${now.toISOString()}. ${old.Description ?? ""}`,
                        limits.description,
                    ),
                    RecordState: "ACTIVE",
                }),
            );
            continue;
        }
        const kind = kindOf(arn);
        if (!(kind in listedKinds)) {
            kept.push({ id: old.Id, reason: `${kind || arn} is not listed Region-wide by the audit` });
            continue;
        }
        if (!(coverage.listed[region] ?? []).includes(kind)) {
            kept.push({ id: old.Id, reason: `${listedKinds[kind]} did not succeed in ${region} this run` });
            continue;
        }
        archived.push(old.Id);
        send.push(reissue(old, { UpdatedAt: updatedAt, RecordState: "ARCHIVED" }));
    }
    return { send, resolved, archived, kept };
}

// ---------------------------------------------------------------------------------------------
// Batches and pacing

export const sizeOf = (finding: Finding) => Buffer.byteLength(JSON.stringify(finding), "utf8");

/** Batches of at most 100 findings and 6 MB; a finding over 240 KB is refused here, by Id. */
export function toBatches(findings: Finding[]): { batches: Finding[][]; refused: { Id: string; reason: string }[] } {
    const batches: Finding[][] = [];
    const refused: { Id: string; reason: string }[] = [];
    const envelope = Buffer.byteLength('{"Findings":[]}');
    let batch: Finding[] = [];
    let bytes = envelope;
    for (const finding of findings) {
        const size = sizeOf(finding);
        if (size > limits.bytesPerFinding) {
            refused.push({
                Id: finding.Id ?? "(no Id)",
                reason: `${size} bytes, over BatchImportFindings' ${limits.bytesPerFinding} bytes (240 KB) per finding: not sent`,
            });
            continue;
        }
        if (batch.length === limits.findingsPerCall || bytes + size + 1 > limits.bytesPerCall) {
            batches.push(batch);
            batch = [];
            bytes = envelope;
        }
        batch.push(finding);
        bytes += size + 1;
    }
    if (batch.length > 0) {
        batches.push(batch);
    }
    return { batches, refused };
}

/** A token bucket: at most `burst` requests at once, refilled at `rate` per second. */
export class Pacer {
    private tokens: number;
    private last: number;
    constructor(
        private readonly rate: number,
        private readonly burst: number,
        private readonly clock: () => number = Date.now,
        private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
    ) {
        this.tokens = burst;
        this.last = clock();
    }

    async take(): Promise<void> {
        for (;;) {
            const now = this.clock();
            this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.rate);
            this.last = now;
            if (this.tokens >= 1) {
                this.tokens -= 1;
                return;
            }
            await this.sleep(Math.ceil(((1 - this.tokens) / this.rate) * 1000));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Sending

export interface RegionResult {
    region: string;
    productArn: string;
    /** "sent": calls made (see failed); "not enabled": Security Hub is off there; "denied"/"error": see message. */
    state: "sent" | "not enabled" | "denied" | "error";
    sent: number;
    resolved: string[];
    archived: string[];
    kept: { id: string; reason: string }[];
    /** Findings Security Hub (or the size check) did not take, each with its error. */
    failed: { Id: string; ErrorCode: string; ErrorMessage: string }[];
    messages: string[];
}

export interface PublishResult {
    account: string;
    partition: string;
    /** Every finding planned for sending (the content of report.asff.json). */
    findings: Finding[];
    regions: RegionResult[];
    /** Not failures: Security Hub not enabled in a Region, findings left alone. */
    warnings: string[];
    /** Failures: refused calls, findings not taken. */
    errors: string[];
    file?: string;
}

export interface PublishOptions {
    session: AwsSession;
    now?: Date;
    log?: (line: string) => void;
    /** Where to write report.asff.json (the report directory). */
    reportDir?: string;
    /** For tests: the pacing clock and sleep. */
    clock?: () => number;
    sleep?: (ms: number) => Promise<void>;
    /** Further attempts of a call still throttled after the SDK's own retries. */
    throttleRetries?: number;
}

const notSubscribed = (e: unknown) => isError(e, "InvalidAccessException");
const throttled = (e: unknown) =>
    isError(e, "LimitExceededException", "ThrottlingException", "TooManyRequestsException") ||
    (e as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode === 429;

/** The account and partition of the caller: BatchImportFindings takes findings only for the calling account. */
export async function callerIdentity(
    session: AwsSession,
    region: string,
): Promise<{ account: string; partition: string }> {
    // GetCallerIdentity needs no permission ("No permissions are required to perform this
    // operation", STS API reference, https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html).
    const identity = await session.client("sts", region).send(new GetCallerIdentityCommand({}));
    const partition = parseArn(identity.Arn ?? "")?.partition;
    if (!identity.Account || !partition) {
        throw new Error(`sts:GetCallerIdentity returned no account or ARN (${JSON.stringify(identity)})`);
    }
    return { account: identity.Account, partition };
}

/** This tool's active findings in one Region (GetFindings, paginated, at GetFindings' rate). */
async function activeFindings(
    session: AwsSession,
    region: string,
    product: string,
    account: string,
    pacer: Pacer,
): Promise<Finding[]> {
    // Filtered by Region too: with cross-Region aggregation, GetFindings in the aggregation Region
    // also returns linked Regions' findings ("Quotas": "The GetFindings operation retrieves
    // findings from linked Regions and the aggregation Region").
    const filters: AwsSecurityFindingFilters = {
        ProductArn: [{ Value: product, Comparison: "EQUALS" }],
        AwsAccountId: [{ Value: account, Comparison: "EQUALS" }],
        GeneratorId: [{ Value: generatorPrefix, Comparison: "PREFIX" }],
        RecordState: [{ Value: "ACTIVE", Comparison: "EQUALS" }],
        Region: [{ Value: region, Comparison: "EQUALS" }],
    };
    const out: Finding[] = [];
    let token: string | undefined;
    do {
        await pacer.take();
        const page = await session
            .client("securityhub", region)
            .send(new GetFindingsCommand({ Filters: filters, MaxResults: limits.pageSize, NextToken: token }));
        out.push(...(page.Findings ?? []));
        token = page.NextToken || undefined;
    } while (token);
    return out;
}

export interface ImportResult {
    state: RegionResult["state"];
    sent: number;
    failed: RegionResult["failed"];
}

/**
 * BatchImportFindings in one Region: batches of at most 100 findings and 6 MB, paced at 10 calls a
 * second (burst 30); a call still throttled after the SDK's retries is tried again after a pause;
 * every finding not taken is returned with its error, none dropped. Stops at a refusal.
 */
export async function importFindings(
    session: AwsSession,
    region: string,
    findings: Finding[],
    options: Pick<PublishOptions, "clock" | "sleep" | "throttleRetries"> = {},
): Promise<ImportResult> {
    const result: ImportResult = { state: "sent", sent: 0, failed: [] };
    const { batches, refused } = toBatches(findings);
    for (const r of refused) {
        result.failed.push({ Id: r.Id, ErrorCode: "FindingTooLarge", ErrorMessage: r.reason });
    }
    const pacer = new Pacer(limits.importRate, limits.importBurst, options.clock, options.sleep);
    const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
    for (const batch of batches) {
        for (let attempt = 0; ; attempt++) {
            await pacer.take();
            try {
                const answer = await session
                    .client("securityhub", region)
                    .send(new BatchImportFindingsCommand({ Findings: batch }));
                result.sent += answer.SuccessCount ?? 0;
                for (const f of answer.FailedFindings ?? []) {
                    result.failed.push({
                        Id: f.Id ?? "",
                        ErrorCode: f.ErrorCode ?? "",
                        ErrorMessage: f.ErrorMessage ?? "",
                    });
                }
                break;
            } catch (e) {
                if (throttled(e) && attempt < (options.throttleRetries ?? 3)) {
                    await sleep(1000 * 2 ** (attempt + 1));
                    continue;
                }
                result.state = notSubscribed(e)
                    ? "not enabled"
                    : isAccessDenied(e)
                      ? "denied"
                      : throttled(e)
                        ? "sent"
                        : "error";
                for (const f of batch) {
                    result.failed.push({
                        Id: f.Id!,
                        ErrorCode: (e as Error).name ?? "Error",
                        ErrorMessage: (e as Error).message ?? String(e),
                    });
                }
                break;
            }
        }
        if (result.state !== "sent") {
            break;
        }
    }
    return result;
}

/**
 * Sends the audit's findings to Security Hub in each Region: reads this tool's active findings back
 * (CreatedAt, resolution, archiving), writes report.asff.json, then imports in paced batches.
 */
export async function publishFindings(
    outcome: AuditResult & Pick<AuditOutcome, "calls">,
    options: PublishOptions,
): Promise<PublishResult> {
    const log = options.log ?? (() => undefined);
    const now = options.now ?? new Date();
    const { session } = options;
    const home = outcome.inventory.regions[0];
    if (!home) {
        throw new Error("Security Hub findings need a live audit of at least one Region (not a stack export).");
    }
    const { account, partition } = await callerIdentity(session, home);
    const current = buildFindings(outcome, { account, partition, now });
    const coverage = coverageOf(outcome, account, partition);
    const regions = [...new Set([...outcome.inventory.regions, ...current.map((f) => f.Region!)])];
    const warnings: string[] = [];
    const errors: string[] = [];
    const results: RegionResult[] = [];
    const plans = new Map<string, LifecyclePlan>();

    for (const region of regions) {
        const product = productArn(partition, region, account);
        const result: RegionResult = {
            region,
            productArn: product,
            state: "sent",
            sent: 0,
            resolved: [],
            archived: [],
            kept: [],
            failed: [],
            messages: [],
        };
        results.push(result);
        const mine = current.filter((f) => f.Region === region);
        let existing: Finding[] = [];
        try {
            log(`Security Hub ${region}: reading this tool's active findings ...`);
            existing = await activeFindings(
                session,
                region,
                product,
                account,
                new Pacer(limits.getFindingsRate, limits.getFindingsBurst, options.clock, options.sleep),
            );
        } catch (e) {
            if (notSubscribed(e)) {
                result.state = "not enabled";
                const text = `Security Hub is not enabled in ${region} (${(e as Error).name}: ${(e as Error).message}): ${mine.length} findings not sent there. Enable Security Hub CSPM in ${region} to receive them.`;
                result.messages.push(text);
                warnings.push(text);
                continue;
            }
            if (isAccessDenied(e)) {
                const text = `securityhub:GetFindings was refused in ${region} (${(e as Error).name}): findings are sent without first-sighting dates, and nothing is resolved or archived there. Grant the auditing role securityhub:GetFindings (README, "Security Hub").`;
                result.messages.push(text);
                errors.push(text);
            } else {
                throw e;
            }
        }
        const plan = planLifecycle(mine, existing, coverage, now);
        plans.set(region, plan);
        result.resolved = plan.resolved;
        result.archived = plan.archived;
        result.kept = plan.kept;
        for (const k of plan.kept) {
            log(`Security Hub ${region}: ${k.id} left as it is: ${k.reason}.`);
        }
    }

    const planned = [...plans.values()].flatMap((p) => p.send).sort((a, b) => a.Id!.localeCompare(b.Id!));
    let file: string | undefined;
    if (options.reportDir) {
        fs.mkdirSync(options.reportDir, { recursive: true });
        file = path.join(options.reportDir, "report.asff.json");
        fs.writeFileSync(file, JSON.stringify({ Findings: planned }, null, 2) + "\n");
    }

    for (const result of results) {
        const plan = plans.get(result.region);
        if (!plan || result.state !== "sent") {
            continue;
        }
        const imported = await importFindings(session, result.region, plan.send, options);
        result.state = imported.state;
        result.sent = imported.sent;
        result.failed = imported.failed;
        // "InvalidAccess" in FailedFindings: Security Hub (or the product) is not enabled there.
        const invalidAccess = result.failed.filter((f) => /InvalidAccess/.test(f.ErrorCode));
        const unsent = plan.send.length - result.sent - result.failed.length;
        if (
            result.state === "not enabled" ||
            (result.sent === 0 && invalidAccess.length > 0 && invalidAccess.length === result.failed.length)
        ) {
            result.state = "not enabled";
            const text = `Security Hub is not enabled in ${result.region} (${result.failed[0]?.ErrorMessage || "InvalidAccess"}): ${plan.send.length} findings not sent there. Enable Security Hub CSPM in ${result.region} to receive them.`;
            result.messages.push(text);
            warnings.push(text);
            continue;
        }
        if (result.state === "denied") {
            const text = `securityhub:BatchImportFindings was refused in ${result.region}: ${plan.send.length - result.sent} findings not sent. Grant the auditing role securityhub:BatchImportFindings on ${result.productArn} (README, "Security Hub").`;
            result.messages.push(text);
            errors.push(text);
            continue;
        }
        for (const f of result.failed) {
            errors.push(`${result.region}: finding ${f.Id} not taken: ${f.ErrorCode}: ${f.ErrorMessage}`);
        }
        if (unsent > 0 && result.state === "error") {
            errors.push(`${result.region}: ${unsent} findings not sent after the error above.`);
        }
        log(
            `Security Hub ${result.region}: ${result.sent} findings imported (${result.resolved.length} resolved, ${result.archived.length} archived), ${result.failed.length} not taken.`,
        );
    }
    return { account, partition, findings: planned, regions: results, warnings, errors, file };
}

/** The CLI's entry: a session of its own (same profile), the findings sent, lines to print. */
export async function sendToSecurityHub(
    outcome: AuditOutcome,
    options: { profile?: string; reportDir?: string; log?: (line: string) => void; session?: AwsSession },
): Promise<{ result: PublishResult; lines: string[] }> {
    const session = options.session ?? new AwsSession({ profile: options.profile, log: options.log });
    try {
        const result = await publishFindings(outcome, { session, reportDir: options.reportDir, log: options.log });
        const lines = [
            ...result.regions.map(
                (r) =>
                    `Security Hub ${r.region}: ${r.state === "sent" ? `${r.sent} findings imported into ${r.productArn} (${r.resolved.length} resolved, ${r.archived.length} archived, ${r.failed.length} not taken)` : r.state}.`,
            ),
            ...result.warnings.map((w) => `warning: ${w}`),
            ...result.errors.map((e) => `error: ${e}`),
        ];
        const kept = result.regions.reduce((n, r) => n + r.kept.length, 0);
        if (kept > 0) {
            lines.push(
                `Security Hub: ${kept} earlier findings left as they are: their Region, resource kind or control was not covered by this run (the progress log names each).`,
            );
        }
        if (result.file) {
            lines.push(`ASFF findings: ${result.file}`);
        }
        return { result, lines };
    } finally {
        if (!options.session) {
            session.destroy();
        }
    }
}
