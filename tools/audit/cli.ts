#!/usr/bin/env node
// `npm run audit -- [--region R ...] [--profile P] [--report DIR] [--stack-export FILE] [--quiet]`
// Read-only HITRUST evidence audit of running ElastiCache deployments (or of a stack export).
// Exit code 0 compliant, 1 not compliant (a mandatory finding), 3 not evidenced, 2 usage or run error.
import * as fs from "fs";
import { PolicyPackConfigFile } from "../analyzer";
import { UsageError } from "./errors";
import { installCommand, missingMessage, missingRequirements } from "./requirements";

export const usage = `usage: npm run audit -- [options]   (installed: hitrust-elasticache-audit [options])

Audits running Amazon ElastiCache deployments read-only and writes the HITRUST CSF evidence report
(report.md, report.json, report.sarif) with each observed value, the API call it came from and when.

Options:
  --region REGION         Region to audit; repeat for several (default: the SDK's configured Region:
                          AWS_REGION, or the region of the profile)
  --profile NAME          named profile of the shared AWS config files (default: AWS_PROFILE, then
                          the standard credential chain)
  --report DIR            where to write the report (default: reports/audit)
  --stack-export FILE     audit a \`pulumi stack export --file FILE\` offline instead of AWS
  --policy-pack-config F  policy pack config file, as for \`pulumi preview --policy-pack-config\`
  --export-days N         days back that must each have an archived snapshot export (default 7);
                          before them, every calendar month of the archive period needs one
  --archive-bucket G=B    the archive bucket of replication group G is B; repeat per group
                          (default: the bucket tagged hitrust:component like the group, else the
                          component's name <G>-archive-*)
  --auth-secret G=S       the Secrets Manager secret (name or ARN) holding group G's AUTH token;
                          repeat per group (default: tagged like the group, else <G>-elasticache-auth-*)
  --security-hub          also send the findings to AWS Security Hub CSPM (BatchImportFindings, the
                          account's own product, each resource's Region): one finding per HITRUST
                          control and resource, fixed ones resolved, deleted resources' archived;
                          writes report.asff.json beside the report. Needs securityhub:GetFindings
                          and securityhub:BatchImportFindings (README, "Security Hub"); a Region
                          without Security Hub is a warning, a refused call or rejected finding
                          makes the exit code 2
  --quiet                 no progress on stderr
  -h, --help              this help

Endpoints and credentials follow the AWS SDK: AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE>,
AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, SSO, instance and container roles.
Throttled calls are retried with backoff (the SDK's standard retry mode).
A refused call (AccessDenied) marks the controls it evidences "not evidenced: needs <action>" and the
audit goes on; tools/audit/iam-policy.json is the read-only policy that grants every call.

The report says how each archive bucket and secret was found (flag, tag or name prefix).

Exit codes:
  0  compliant: no mandatory finding, and every control is evidenced (or left to attestation)
  1  not compliant: at least one mandatory finding
  3  not evidenced: no mandatory finding, but a refused or failed read left a policy, check or
     control without a verdict (the report lists each; grant tools/audit/iam-policy.json)
  2  usage or run error (no credentials, expired session, unreachable endpoint, ...): no report`;

export interface CliOptions {
    regions: string[];
    profile?: string;
    reportDir: string;
    stackExport?: string;
    policyPackConfig?: string;
    exportDays?: number;
    archiveBuckets: Record<string, string>;
    authSecrets: Record<string, string>;
    securityHub?: boolean;
    quiet: boolean;
    help: boolean;
}

// Replication group IDs: 1-40 letters, digits or hyphens, starting with a letter (ElastiCache API
// reference, CreateReplicationGroup ReplicationGroupId).
export const groupPattern = /^[A-Za-z][A-Za-z0-9-]{0,39}$/;
// Bucket names: 3-63 lowercase letters, digits, dots and hyphens, starting and ending with a letter
// or digit (S3 user guide, "General purpose bucket naming rules").
export const bucketPattern = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
// Secret names: up to 512 of letters, digits and /_+=.@- (Secrets Manager API reference,
// CreateSecret Name), or a secret ARN.
export const secretPattern =
    /^([A-Za-z0-9/_+=.@-]{1,512}|arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+)$/;

function groupValue(flag: string, text: string, valuePattern: RegExp, valueWhat: string): [string, string] {
    const at = text.indexOf("=");
    const group = at > 0 ? text.slice(0, at) : "";
    const value = at > 0 ? text.slice(at + 1) : "";
    if (!groupPattern.test(group) || value === "") {
        throw new UsageError(`${flag} '${text}' must be GROUP=${valueWhat}, GROUP a replication group ID.`);
    }
    if (!valuePattern.test(value)) {
        throw new UsageError(
            `${flag} '${text}': '${value}' is not ${valueWhat === "BUCKET" ? "an S3 bucket name" : "a secret name or ARN"}.`,
        );
    }
    // ElastiCache stores group IDs in lower case.
    return [group.toLowerCase(), value];
}

export const regionPattern = /^[a-z]{2}(-[a-z]+)+-\d+$/;

export function parseArgs(argv: string[]): CliOptions {
    const options: CliOptions = {
        regions: [],
        reportDir: "reports/audit",
        archiveBuckets: {},
        authSecrets: {},
        quiet: false,
        help: false,
    };
    const valueOf = (i: number, flag: string) => {
        const value = argv[i + 1];
        if (value === undefined || value.startsWith("--")) {
            throw new UsageError(`${flag} needs a value; see --help`);
        }
        return value;
    };
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        if (arg === "--region") {
            const region = valueOf(i++, arg);
            if (!regionPattern.test(region)) {
                throw new UsageError(`--region '${region}' is not a Region code: use a code such as us-east-1.`);
            }
            options.regions.push(region);
        } else if (arg === "--profile") {
            options.profile = valueOf(i++, arg);
        } else if (arg === "--report") {
            options.reportDir = valueOf(i++, arg);
        } else if (arg === "--stack-export") {
            options.stackExport = valueOf(i++, arg);
        } else if (arg === "--policy-pack-config") {
            options.policyPackConfig = valueOf(i++, arg);
        } else if (arg === "--export-days") {
            const text = valueOf(i++, arg);
            const days = Number(text);
            if (!Number.isInteger(days) || days < 1 || days > 35) {
                throw new UsageError(`--export-days '${text}' must be a whole number from 1 to 35.`);
            }
            options.exportDays = days;
        } else if (arg === "--archive-bucket") {
            const [group, bucket] = groupValue(arg, valueOf(i++, arg), bucketPattern, "BUCKET");
            options.archiveBuckets[group] = bucket;
        } else if (arg === "--auth-secret") {
            const [group, secret] = groupValue(arg, valueOf(i++, arg), secretPattern, "SECRET");
            options.authSecrets[group] = secret;
        } else if (arg === "--security-hub") {
            options.securityHub = true;
        } else if (arg === "--quiet" || arg === "-q") {
            options.quiet = true;
        } else if (arg === "--help" || arg === "-h") {
            options.help = true;
        } else {
            throw new UsageError(`unknown argument '${arg}'; see --help`);
        }
    }
    if (options.stackExport && (options.regions.length > 0 || options.profile)) {
        throw new UsageError("--stack-export audits a file offline: leave out --region and --profile.");
    }
    if (
        options.stackExport &&
        (Object.keys(options.archiveBuckets).length > 0 || Object.keys(options.authSecrets).length > 0)
    ) {
        throw new UsageError("--stack-export audits a file offline: leave out --archive-bucket and --auth-secret.");
    }
    if (options.stackExport && options.securityHub) {
        throw new UsageError("--security-hub sends findings about running resources: leave out --stack-export.");
    }
    return options;
}

export async function main(argv: string[]): Promise<number> {
    let options: CliOptions;
    try {
        options = parseArgs(argv);
    } catch (e) {
        process.stderr.write(`error: ${(e as Error).message}\n`);
        return 2;
    }
    if (options.help) {
        process.stdout.write(
            `${usage}\n\nBeside the package, the audit needs its optional peers, installed with:\n  ${installCommand()}\n`,
        );
        return 0;
    }
    const progress = progressLog(options.quiet === true);
    const log = progress.log;
    try {
        let policyPackConfig: PolicyPackConfigFile | undefined;
        if (options.policyPackConfig) {
            try {
                policyPackConfig = JSON.parse(fs.readFileSync(options.policyPackConfig, "utf8"));
            } catch (e) {
                throw new UsageError(`--policy-pack-config ${options.policyPackConfig}: ${(e as Error).message}`);
            }
        }
        // Loaded here so that --help and usage errors answer at once.
        const { relative, runAudit } = await loadAudit();
        const { headline } = await import("../report");
        const outcome = await runAudit({
            regions: options.regions,
            profile: options.profile,
            stackExport: options.stackExport,
            reportDir: options.reportDir,
            policyPackConfig,
            live: options.exportDays ? { exportDays: options.exportDays } : undefined,
            archiveBuckets: options.archiveBuckets,
            authSecrets: options.authSecrets,
            log,
        });
        const s = outcome.report.summary;
        const refused = outcome.calls.filter((c) => c.outcome === "denied");
        // The report's headline, a few lines for any number of caches; report.md has the rest.
        const lines = [
            `Audited ${outcome.report.target}: ${s.resources} resources, ${outcome.calls.length} API calls${outcome.throttled ? ` (${outcome.throttled} throttled attempts, retried)` : ""}.`,
            ...headline(outcome.report),
        ];
        if (s.result === "not evidenced" || refused.length > 0) {
            const actions = [...new Set(refused.map((c) => c.action))].sort();
            lines.push(
                `Not evidenced: ${s.notEvidenced ?? 0} policy or check results, ${s.gaps ?? 0} unread items; ${refused.length} refused call${refused.length === 1 ? "" : "s"}${actions.length ? ` (${actions.join(", ")})` : ""}${refused.length ? "; grant tools/audit/iam-policy.json to the auditing role" : ""}.`,
            );
        }
        lines.push(`Evidence report: ${outcome.reportFiles.map(relative).join(", ")}`);
        // Security Hub (tools/audit/securityHub.ts): one call site, after the audit.
        const hub = options.securityHub
            ? await (await import("./securityHub")).sendToSecurityHub(outcome, { ...options, log })
            : undefined;
        lines.push(...(hub?.lines ?? []));
        progress.flush();
        process.stdout.write(`${lines.join("\n")}\n`);
        return hub?.result.errors.length ? 2 : outcome.exitCode;
    } catch (e) {
        progress.flush();
        process.stderr.write(`error: ${e instanceof Error ? e.message : String(e)}\n`);
        return 2;
    }
}

/**
 * Progress on stderr, one line per Region, cache and API call. The per-call lines (indented) are
 * written in batches (at most every 100 ms or 64 KB): a large account makes tens of thousands of
 * calls, and each write to a pipe is a blocking system call. Any other line flushes at once.
 */
function progressLog(quiet: boolean): { log: (line: string) => void; flush: () => void } {
    let pending = "";
    let timer: NodeJS.Timeout | undefined;
    const flush = () => {
        if (timer) {
            clearTimeout(timer);
            timer = undefined;
        }
        if (pending) {
            process.stderr.write(pending);
            pending = "";
        }
    };
    const log = (line: string) => {
        pending += `${line}\n`;
        if (pending.length >= 65536 || !line.startsWith("  ")) {
            flush();
        } else {
            timer ??= setTimeout(flush, 100);
        }
    };
    return { log: quiet ? () => undefined : log, flush };
}

/**
 * The audit runs the pack's policies (@pulumi/policy) and reads AWS with the SDK v3 clients: optional
 * peers of the published package, which users of the component do not receive (requirements.ts).
 */
async function loadAudit(): Promise<typeof import("./audit")> {
    const missing = missingRequirements();
    if (missing.length > 0) {
        throw new UsageError(missingMessage(missing));
    }
    return import("./audit");
}

if (require.main === module) {
    main(process.argv.slice(2)).then(
        (code) => (process.exitCode = code),
        (e) => {
            process.stderr.write(`error: ${e instanceof Error ? e.message : String(e)}\n`);
            process.exitCode = 2;
        },
    );
}
