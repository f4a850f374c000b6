// The audit as a scheduled AWS Lambda function in the audited account: the same run as
// `npm run audit` (runAudit: the pack's policies and the live checks; then Security Hub through
// sendToSecurityHub, as cli.ts does), its report archived under a dated prefix of the archive
// bucket, and one CloudWatch metric per HITRUST control and state. `npm run build:package` bundles
// this file into bin/audit-function/index.js (tools/buildAuditFunction.js), handler index.handler.
//
// Sources (AWS documentation):
// - 15 minutes per invocation at most; deployment package 50 MB zipped (direct upload), 250 MB
//   unzipped: "Lambda quotas" (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html).
// - context.getRemainingTimeInMillis(): "Returns the number of milliseconds left before the
//   execution times out" ("Using the Lambda context object to retrieve Node.js function
//   information", https://docs.aws.amazon.com/lambda/latest/dg/nodejs-context.html).
// - PutObject: "The Content-MD5 or x-amz-sdk-checksum-algorithm header is required for any request
//   to upload an object with a retention period configured using Amazon S3 Object Lock" (API
//   reference, https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html); a bucket's
//   default retention applies to each new object version ("Locking objects with Object Lock",
//   https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lock.html).
// - SSE-KMS: a PutObject needs kms:GenerateDataKey on the key; kms:Decrypt is needed for multipart
//   uploads only ("Multipart upload API and permissions",
//   https://docs.aws.amazon.com/AmazonS3/latest/userguide/mpuoverview.html#mpuAndPermissions), so
//   the reports (each far below 5 GB, one PutObject each) need no kms:Decrypt.
// - PutMetricData: at most 1,000 different metrics and 1 MB per request, up to 30 dimensions per
//   metric (API reference, https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricData.html);
//   the cloudwatch:namespace condition key ("Actions, resources, and condition keys for Amazon
//   CloudWatch", https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudwatch.html).
// - kms:ViaService ("AWS KMS condition keys",
//   https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service).
import { PutMetricDataCommand, type MetricDatum } from "@aws-sdk/client-cloudwatch";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
    accountMetrics,
    auditFunctionEnv,
    auditMetricNamespace,
    auditReportPrefix,
    controlStateMetrics,
    functionDimension,
} from "../../core/auditFunction";
import type { PolicyPackConfigFile } from "../analyzer";
import type { EvidenceReport } from "../report";
import { runAudit } from "./audit";
import { AwsSession } from "./aws";
import { bucketPattern, groupPattern, regionPattern, secretPattern } from "./cli";
import { buildFindings, callerIdentity, sendToSecurityHub } from "./securityHub";

/** PutMetricData limits (API reference, see the sources above). */
export const metricLimits = { metricsPerCall: 1000, bytesPerCall: 1000 * 1000 } as const;

/**
 * Time kept back from reading for judging, the report, its upload, Security Hub and the metrics.
 * Reading stops when less than this is left (the handler asks context.getRemainingTimeInMillis()
 * before each AWS call). Measured on the loopback endpoint: about 0.1 s per cache to judge, report
 * and publish; for 1,000 caches (18,000 findings) Security Hub adds about 80 s at its documented
 * rates (180 GetFindings pages at 3 a second, 180 imports at 10 a second): about 3 minutes, kept
 * with a minute to spare.
 */
export const reserveMs = 240_000;

export interface ScheduledConfig {
    /** Regions to audit; empty: the function's own Region (AWS_REGION). */
    regions: string[];
    bucket: string;
    prefix: string;
    securityHub: boolean;
    archiveBuckets: Record<string, string>;
    authSecrets: Record<string, string>;
    policyPackConfig?: PolicyPackConfigFile;
}

export class ConfigError extends Error {
    override readonly name = "ConfigError";
}

function jsonOf(name: string, text: string, problems: string[]): unknown {
    try {
        return JSON.parse(text);
    } catch (e) {
        problems.push(`${name} is not JSON (${(e as Error).message}): set it to a JSON object.`);
        return undefined;
    }
}

function groupMap(
    name: string,
    text: string | undefined,
    valuePattern: RegExp,
    what: string,
    problems: string[],
): Record<string, string> {
    if (text === undefined || text.trim() === "") {
        return {};
    }
    const value = jsonOf(name, text, problems);
    if (value === undefined) {
        return {};
    }
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
        problems.push(`${name} must be a JSON object of replication group ID -> ${what}, e.g. {"orders":"..."}.`);
        return {};
    }
    const out: Record<string, string> = {};
    for (const [group, v] of Object.entries(value)) {
        if (!groupPattern.test(group)) {
            problems.push(
                `${name}: '${group}' is not a replication group ID (1-40 letters, digits or hyphens, starting with a letter).`,
            );
        } else if (typeof v !== "string" || !valuePattern.test(v)) {
            problems.push(`${name}: the value of '${group}' (${JSON.stringify(v)}) is not ${what}.`);
        } else {
            // ElastiCache stores group IDs in lower case.
            out[group.toLowerCase()] = v;
        }
    }
    return out;
}

// Object key prefixes: S3's "safe characters" (letters, digits, ! - _ . * ' ( ) and / as the
// delimiter; "Naming Amazon S3 objects", https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-keys.html),
// non-empty segments, ending in "/". Keys are at most 1,024 bytes: the dated part takes 35.
const prefixPattern = /^([A-Za-z0-9!_.*'()-]+\/)+$/;
const maxPrefix = 900;

/**
 * The function's settings from its environment. Every problem is gathered into one error that
 * names each variable and the fix; nothing is read from AWS before this passes.
 */
export function readConfig(env: NodeJS.ProcessEnv = process.env): ScheduledConfig {
    const problems: string[] = [];
    const text = (name: string) => (typeof env[name] === "string" ? env[name] : undefined);

    const regions: string[] = [];
    for (const region of (text(auditFunctionEnv.regions) ?? "").split(",").map((r) => r.trim())) {
        if (region === "") {
            continue;
        }
        if (!regionPattern.test(region)) {
            problems.push(
                `${auditFunctionEnv.regions}: '${region}' is not a Region code: use codes such as us-east-1,eu-west-1.`,
            );
        } else if (!regions.includes(region)) {
            regions.push(region);
        }
    }

    const bucket = text(auditFunctionEnv.bucket)?.trim() ?? "";
    if (bucket === "") {
        problems.push(
            `${auditFunctionEnv.bucket} is not set: set it to the archive bucket that keeps the dated reports.`,
        );
    } else if (!bucketPattern.test(bucket)) {
        problems.push(`${auditFunctionEnv.bucket}: '${bucket}' is not an S3 bucket name.`);
    }

    const prefixText = text(auditFunctionEnv.prefix);
    const prefix = prefixText === undefined || prefixText === "" ? auditReportPrefix : prefixText;
    if (!prefixPattern.test(prefix) || prefix.length > maxPrefix) {
        problems.push(
            `${auditFunctionEnv.prefix}: '${prefix}' is not a key prefix: use letters, digits and !-_.*'() in non-empty parts separated by and ending in "/" (at most ${maxPrefix} characters), e.g. ${auditReportPrefix}.`,
        );
    }

    const hubText = (text(auditFunctionEnv.securityHub) ?? "false").trim();
    if (hubText !== "true" && hubText !== "false") {
        problems.push(`${auditFunctionEnv.securityHub}: '${hubText}' must be true or false.`);
    }

    const archiveBuckets = groupMap(
        auditFunctionEnv.archiveBuckets,
        text(auditFunctionEnv.archiveBuckets),
        bucketPattern,
        "an S3 bucket name",
        problems,
    );
    const authSecrets = groupMap(
        auditFunctionEnv.authSecrets,
        text(auditFunctionEnv.authSecrets),
        secretPattern,
        "a secret name or ARN",
        problems,
    );

    let policyPackConfig: PolicyPackConfigFile | undefined;
    const configText = text(auditFunctionEnv.policyConfig);
    if (configText !== undefined && configText.trim() !== "") {
        const value = jsonOf(auditFunctionEnv.policyConfig, configText, problems);
        if (value !== undefined) {
            if (value === null || typeof value !== "object" || Array.isArray(value)) {
                problems.push(
                    `${auditFunctionEnv.policyConfig} must be a JSON object, the content of a --policy-pack-config file.`,
                );
            } else {
                policyPackConfig = value as PolicyPackConfigFile;
            }
        }
    }

    if (problems.length > 0) {
        throw new ConfigError(
            `the audit function's environment is not valid (nothing was read or written):\n - ${problems.join("\n - ")}`,
        );
    }
    return { regions, bucket, prefix, securityHub: hubText === "true", archiveBuckets, authSecrets, policyPackConfig };
}

/** `<prefix>YYYY/MM/DD/<run time, e.g. 2026-12-04T06-00-00Z>/` (UTC): one folder per run, sortable by day. */
export function reportPrefix(prefix: string, runAt: Date): string {
    const iso = runAt.toISOString(); // 2026-12-04T06:00:00.000Z
    const [y, m, d] = iso.slice(0, 10).split("-");
    return `${prefix}${y}/${m}/${d}/${iso.slice(0, 19).replace(/:/g, "-")}Z/`;
}

/** The metric data of a run: three per control, MandatoryControlsNotMet, and AuditRunsCompleted when complete. */
export function runMetrics(
    report: Pick<EvidenceReport, "controls">,
    runAt: Date,
    complete: boolean,
    functionName?: string,
): MetricDatum[] {
    const data: MetricDatum[] = [];
    // Control first, then Function (core/auditFunction.ts functionDimension), which the alarms watch.
    const datum = (MetricName: string, Value: number, control?: string): MetricDatum => {
        const dimensions = [
            ...(control ? [{ Name: "Control", Value: control }] : []),
            ...(functionName ? [{ Name: functionDimension, Value: functionName }] : []),
        ];
        return {
            MetricName,
            Value,
            Unit: "Count",
            Timestamp: runAt,
            ...(dimensions.length ? { Dimensions: dimensions } : {}),
        };
    };
    let notMet = 0;
    for (const control of report.controls) {
        const state =
            control.status === "met" || control.status === "met with advisories"
                ? controlStateMetrics.met
                : control.status === "not met"
                  ? controlStateMetrics.notMet
                  : control.status === "not evidenced"
                    ? controlStateMetrics.notEvidenced
                    : undefined;
        if (control.status === "not met") {
            notMet++;
        }
        if (!state) {
            continue;
        }
        for (const name of Object.values(controlStateMetrics)) {
            data.push(datum(name, name === state ? 1 : 0, control.id));
        }
    }
    data.push(datum(accountMetrics.mandatoryNotMet, notMet));
    if (complete) {
        data.push(datum(accountMetrics.runsCompleted, 1));
    }
    return data;
}

/** Requests of at most 1,000 metrics and 1 MB (the JSON body, with room for the envelope). */
export function metricBatches(data: MetricDatum[]): MetricDatum[][] {
    const batches: MetricDatum[][] = [];
    let current: MetricDatum[] = [];
    let bytes = 0;
    const envelope = 1024;
    for (const d of data) {
        const size = Buffer.byteLength(JSON.stringify(d), "utf8") + 1;
        if (
            current.length > 0 &&
            (current.length >= metricLimits.metricsPerCall || bytes + size + envelope > metricLimits.bytesPerCall)
        ) {
            batches.push(current);
            current = [];
            bytes = 0;
        }
        current.push(d);
        bytes += size;
    }
    if (current.length > 0) {
        batches.push(current);
    }
    return batches;
}

export interface ScheduledResult {
    runAt: string;
    /** True when every read was made and the four reports were archived. */
    complete: boolean;
    /** Why reading stopped early, if it did. */
    stoppedReading?: string;
    skippedCalls: number;
    result: string;
    exitCode: number;
    objects: string[];
    metrics: number;
    securityHub?: { warnings: string[]; errors: string[]; lines: string[] };
}

const contentTypes: Record<string, string> = {
    ".md": "text/markdown; charset=utf-8",
    ".json": "application/json",
    ".sarif": "application/sarif+json",
};

export interface RunOptions {
    now?: Date;
    /** Milliseconds left before the function times out (context.getRemainingTimeInMillis). */
    remainingMs?: () => number;
    log?: (line: string) => void;
    /** The function's name, the metrics' Function dimension (Lambda: context.functionName, AWS_LAMBDA_FUNCTION_NAME). */
    functionName?: string;
}

/** One scheduled run: audit, Security Hub, archive, metrics. Throws only when there is no report, or a write failed. */
export async function runScheduled(config: ScheduledConfig, options: RunOptions = {}): Promise<ScheduledResult> {
    const log = options.log ?? ((line: string) => console.log(line));
    const runAt = options.now ?? new Date();
    const remaining = options.remainingMs;
    const reportDir = fs.mkdtempSync(path.join(os.tmpdir(), "hitrust-audit-"));
    try {
        // Reads stop when too little time is left to judge, archive and publish what was read.
        const reads = new AwsSession({
            log,
            stopReading: () => {
                const left = remaining?.();
                return left !== undefined && left < reserveMs
                    ? `${Math.round(left / 1000)} s left of the function's time limit, ${reserveMs / 1000} s are kept to report`
                    : undefined;
            },
        });
        const outcome = await runAudit({
            regions: config.regions,
            reportDir,
            policyPackConfig: config.policyPackConfig,
            archiveBuckets: config.archiveBuckets,
            authSecrets: config.authSecrets,
            now: runAt,
            log,
            session: reads,
        });
        reads.destroy();
        const skippedCalls = reads.calls.filter((c) => c.outcome === "skipped").length;
        if (reads.stoppedReading) {
            log(
                `warning: reading stopped (${reads.stoppedReading}): ${skippedCalls} calls not made; what they read is not evidenced in this run's report, and AuditRunsCompleted is not published.`,
            );
        }

        const writes = new AwsSession({ log });
        try {
            // The function's own Region (AWS_REGION): the component puts the archive bucket and the
            // alarms on the metrics there, whichever Regions are audited.
            const home = await writes.defaultRegion();
            const errors: string[] = [];
            let hub: ScheduledResult["securityHub"];
            if (config.securityHub) {
                const sent = await sendToSecurityHub(outcome, { reportDir, log, session: writes });
                hub = { warnings: sent.result.warnings, errors: sent.result.errors, lines: sent.lines };
                sent.lines.forEach((l) => log(l));
                errors.push(...sent.result.errors.map((e) => `Security Hub: ${e}`));
            } else {
                // The ASFF findings of this run, without Security Hub: the same builder, no calls but
                // sts:GetCallerIdentity (which needs no permission) for the account.
                const { account, partition } = await callerIdentity(writes, home);
                const findings = buildFindings(outcome, { account, partition, now: runAt });
                fs.writeFileSync(
                    path.join(reportDir, "report.asff.json"),
                    JSON.stringify({ Findings: findings }, null, 2) + "\n",
                );
            }

            const keyPrefix = reportPrefix(config.prefix, runAt);
            const objects: string[] = [];
            for (const name of ["report.md", "report.json", "report.sarif", "report.asff.json"]) {
                const Key = `${keyPrefix}${name}`;
                // One PutObject per file, with an SDK checksum (Object Lock requires one); no
                // encryption or retention headers: the bucket's default encryption (SSE-KMS) and
                // default Object Lock retention apply.
                await writes.client("s3", home).send(
                    new PutObjectCommand({
                        Bucket: config.bucket,
                        Key,
                        Body: fs.readFileSync(path.join(reportDir, name)),
                        ContentType: contentTypes[path.extname(name)],
                        ChecksumAlgorithm: "SHA256",
                    }),
                );
                objects.push(`s3://${config.bucket}/${Key}`);
            }
            log(`Archived the report to s3://${config.bucket}/${keyPrefix}`);

            const complete = !reads.stoppedReading && errors.length === 0;
            const data = runMetrics(outcome.report, runAt, complete, options.functionName);
            for (const batch of metricBatches(data)) {
                await writes
                    .client("cloudwatch", home)
                    .send(new PutMetricDataCommand({ Namespace: auditMetricNamespace, MetricData: batch }));
            }
            log(`Published ${data.length} metrics to ${auditMetricNamespace} in ${home}.`);
            if (errors.length > 0) {
                // After the archive and the metrics: the invocation fails, so that Lambda's Errors
                // metric shows it, with the report kept.
                throw new Error(errors.join("\n"));
            }
            const summary = outcome.report.summary;
            return {
                runAt: runAt.toISOString(),
                complete,
                ...(reads.stoppedReading ? { stoppedReading: reads.stoppedReading } : {}),
                skippedCalls,
                result: summary.result ?? (summary.mandatory > 0 ? "not compliant" : "compliant"),
                exitCode: outcome.exitCode,
                objects,
                metrics: data.length,
                ...(hub ? { securityHub: hub } : {}),
            };
        } finally {
            writes.destroy();
        }
    } finally {
        fs.rmSync(reportDir, { recursive: true, force: true });
    }
}

/** The Lambda handler (index.handler in the bundle). The event (an EventBridge schedule's) is not read. */
export async function handler(
    _event: unknown,
    context?: { getRemainingTimeInMillis?: () => number; functionName?: string },
): Promise<ScheduledResult> {
    const config = readConfig(process.env);
    const remainingMs =
        typeof context?.getRemainingTimeInMillis === "function" ? () => context.getRemainingTimeInMillis!() : undefined;
    const functionName =
        (typeof context?.functionName === "string" && context.functionName) || process.env.AWS_LAMBDA_FUNCTION_NAME;
    return runScheduled(config, { remainingMs, functionName });
}
