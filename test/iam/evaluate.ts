// Evaluates one AWS request against IAM policy documents with @cloud-copilot/iam-simulate (AGPL-3.0:
// a devDependency used by tests only, never part of what this package publishes).
//
// Two guards make the evaluator trustworthy for these tests:
// - KMS's colon-templated condition keys (`kms:EncryptionContext:<context key>`, AWS KMS developer guide,
//   "kms:EncryptionContext:context-key",
//   https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-encryption-context)
//   are not recognised by the simulator's context-key check, which only expands "/" templates such as
//   `aws:PrincipalTag/<key>`: it drops them from the request silently, so every statement conditioned
//   on them fails to match. We rewrite them, in the policy copy and in the request alike, to one "/"
//   template the simulator keeps (`aws:RequestTag/<marker><context key>`), after checking that neither
//   side already uses that template. The rewrite is proved by tests that a wrong context is denied.
// - Any context key the simulator still drops, or any policy it cannot parse, fails the test: a
//   request must be evaluated exactly as written.
import { anonymousPrincipal, runSimulation } from "@cloud-copilot/iam-simulate";

export type Decision = "Allowed" | "ExplicitlyDenied" | "ImplicitlyDenied";

export interface PolicyDocument {
    Version?: string;
    Id?: string;
    Statement: PolicyStatement[] | PolicyStatement;
}

export type PolicyStatement = Record<string, unknown>;

/** One request as the calling service makes it. */
export interface AccessRequest {
    /** What the test calls this path, for messages. */
    description: string;
    /** An IAM ARN, a service principal (`cloudtrail.amazonaws.com`), or "anonymous" for an unsigned request. */
    principal: string;
    action: string;
    resource: string;
    /** The account that owns the resource. */
    resourceAccount: string;
    /** Condition keys the caller's request carries, as AWS documents them (original spelling). */
    context: Record<string, string | string[]>;
    /** The AWS documentation pages that say what this request looks like. */
    sources: string[];
}

export interface Policies {
    /** The resource's own policy: bucket, topic, key, trust or function policy. */
    resourcePolicy?: PolicyDocument;
    /** The caller's identity policies (role policies), by name. */
    identityPolicies?: Record<string, PolicyDocument>;
    /**
     * The caller's permissions boundary: a request is allowed only if the boundary allows it too
     * (IAM user guide, "Permissions boundaries for IAM entities", evaluating effective permissions,
     * https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html).
     */
    permissionsBoundary?: PolicyDocument;
}

export interface Evaluation {
    decision: Decision;
    /** A statement-by-statement account of the decision, for failure messages. */
    explanation: string;
}

const encryptionContextPrefix = "kms:encryptioncontext:";
/** The "/" template the simulator keeps; the marker keeps the rewritten keys apart from real tags. */
export const rewrittenContextPrefix = "aws:RequestTag/kms-encryption-context.";

/** `kms:EncryptionContext:aws:logs:arn` -> `aws:RequestTag/kms-encryption-context.aws:logs:arn`; others unchanged. */
export function rewriteConditionKey(key: string): string {
    return key.toLowerCase().startsWith(encryptionContextPrefix)
        ? rewrittenContextPrefix + key.slice(encryptionContextPrefix.length)
        : key;
}

function assertTemplateUnused(keys: string[], where: string): void {
    const clash = keys.find((k) => k.toLowerCase().startsWith(rewrittenContextPrefix.toLowerCase()));
    if (clash !== undefined) {
        throw new Error(`${where} already uses ${clash}; the encryption-context rewrite would be ambiguous.`);
    }
}

/** A copy of the policy with every `kms:EncryptionContext:<key>` condition key rewritten. */
export function rewritePolicy(policy: PolicyDocument): PolicyDocument {
    const statements = Array.isArray(policy.Statement) ? policy.Statement : [policy.Statement];
    return {
        ...policy,
        Statement: statements.map((statement) => {
            const condition = statement.Condition as Record<string, Record<string, unknown>> | undefined;
            if (condition === undefined) {
                return statement;
            }
            const rewritten: Record<string, Record<string, unknown>> = {};
            for (const [operator, block] of Object.entries(condition)) {
                assertTemplateUnused(Object.keys(block), `Policy condition ${operator}`);
                rewritten[operator] = Object.fromEntries(
                    Object.entries(block).map(([key, value]) => [rewriteConditionKey(key), value]),
                );
            }
            return { ...statement, Condition: rewritten };
        }),
    };
}

export function rewriteContext(context: Record<string, string | string[]>): Record<string, string | string[]> {
    assertTemplateUnused(Object.keys(context), "The request context");
    return Object.fromEntries(Object.entries(context).map(([key, value]) => [rewriteConditionKey(key), value]));
}

/** Runs the simulator without the rewrite: only for the test that shows why the rewrite exists. */
export async function simulateVerbatim(request: AccessRequest, policies: Policies) {
    return runSimulation(simulation(request, policies, false), {});
}

function simulation(request: AccessRequest, policies: Policies, rewrite: boolean) {
    const prepare = (p: PolicyDocument) => (rewrite ? rewritePolicy(p) : p);
    const anonymous = request.principal === "anonymous";
    return {
        request: {
            principal: anonymous ? anonymousPrincipal : request.principal,
            action: request.action,
            resource: { resource: request.resource, accountId: request.resourceAccount },
            contextVariables: rewrite ? rewriteContext(request.context) : request.context,
        },
        identityPolicies: anonymous
            ? []
            : Object.entries(policies.identityPolicies ?? {}).map(([name, policy]) => ({
                  name,
                  policy: prepare(policy),
              })),
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        resourcePolicy: policies.resourcePolicy ? prepare(policies.resourcePolicy) : undefined,
        permissionBoundaryPolicies:
            policies.permissionsBoundary && !anonymous
                ? [{ name: "permissions boundary", policy: prepare(policies.permissionsBoundary) }]
                : undefined,
    };
}

export async function evaluate(request: AccessRequest, policies: Policies): Promise<Evaluation> {
    const result = await runSimulation(simulation(request, policies, true), {});
    if (result.resultType === "error") {
        throw new Error(`${request.description}: the simulator refused the input: ${JSON.stringify(result.errors)}`);
    }
    const single = result.resultType === "single" ? result.result : result.results[0];
    if (single === undefined && result.resultType === "wildcard" && result.overallResult !== "Allowed") {
        // A "*" resource that no statement allows: the simulator lists no per-statement result.
        return { decision: result.overallResult as Decision, explanation: "no statement allows this action on *" };
    }
    if (single === undefined) {
        throw new Error(`${request.description}: the simulator returned no result for ${request.resource}`);
    }
    const ignored = single.ignoredContextKeys ?? [];
    if (ignored.length > 0) {
        throw new Error(
            `${request.description}: the simulator dropped context keys ${ignored.join(", ")}; ` +
                `the request would not be evaluated as AWS evaluates it.`,
        );
    }
    return { decision: result.overallResult as Decision, explanation: explain(single.analysis) };
}

function explain(analysis: any): string {
    const lines: string[] = [`result ${analysis.result} (same account: ${analysis.sameAccount})`];
    const section = (label: string, part: any) => {
        if (!part) {
            return;
        }
        lines.push(`${label}: ${part.result}`);
        for (const [kind, list] of [
            ["deny", part.denyStatements],
            ["allow", part.allowStatements],
            ["unmatched", part.unmatchedStatements],
        ] as const) {
            for (const s of list ?? []) {
                const e = s.explain ?? {};
                const failed = (e.conditions ?? [])
                    .filter((c: any) => !c.matches)
                    .map((c: any) => `${c.operator} ${c.conditionKeyValue}`);
                lines.push(
                    `  ${kind} ${s.statement?.sid?.() ?? e.identifier ?? "?"}: action ${e.actionMatch}, resource ${e.resourceMatch}, ` +
                        `principal ${e.principalMatch}, condition ${e.conditionMatch}` +
                        (failed.length ? ` (unmet: ${failed.join("; ")})` : ""),
                );
            }
        }
    };
    section("identity", analysis.identityAnalysis);
    section("permissions boundary", analysis.permissionBoundaryAnalysis);
    section("resource", analysis.resourceAnalysis);
    return lines.join("\n");
}

function describe(request: AccessRequest): string {
    return (
        `${request.description}\n  ${request.principal} ${request.action} ${request.resource}\n` +
        `  context ${JSON.stringify(request.context)}\n  sources: ${request.sources.join(" ")}`
    );
}

export async function assertDecision(
    expected: Decision | "Denied",
    request: AccessRequest,
    policies: Policies,
): Promise<void> {
    const { decision, explanation } = await evaluate(request, policies);
    const ok = expected === "Denied" ? decision !== "Allowed" : decision === expected;
    if (!ok) {
        throw new Error(
            `expected ${expected}, got ${decision}\n${describe(request)}\n${explanation}\n` +
                `resource policy: ${JSON.stringify(policies.resourcePolicy ?? null)}\n` +
                `identity policies: ${JSON.stringify(policies.identityPolicies ?? {})}` +
                (policies.permissionsBoundary
                    ? `\npermissions boundary: ${JSON.stringify(policies.permissionsBoundary)}`
                    : ""),
        );
    }
}

export const assertAllowed = (request: AccessRequest, policies: Policies) =>
    assertDecision("Allowed", request, policies);
export const assertDenied = (request: AccessRequest, policies: Policies) => assertDecision("Denied", request, policies);
