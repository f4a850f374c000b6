// The contract between the in-account audit function (tools/audit/scheduled.ts, bundled into
// bin/audit-function) and the component that deploys it (component/continuousAudit.ts): the
// environment the component sets, where the dated reports go, the metrics the function publishes and
// the component alarms on, and the writes the function's role allows. Data only: the component loads
// this without the audit's AWS SDK clients.

/** The environment variables the component sets on the function (its whole configuration). */
export const auditFunctionEnv = {
    regions: "HITRUST_AUDIT_REGIONS",
    bucket: "HITRUST_AUDIT_REPORT_BUCKET",
    prefix: "HITRUST_AUDIT_REPORT_PREFIX",
    securityHub: "HITRUST_AUDIT_SECURITY_HUB",
    archiveBuckets: "HITRUST_AUDIT_ARCHIVE_BUCKETS",
    authSecrets: "HITRUST_AUDIT_AUTH_SECRETS",
    policyConfig: "HITRUST_AUDIT_POLICY_CONFIG",
} as const;

/** The folder of the archive bucket that holds the dated reports (`HITRUST_AUDIT_REPORT_PREFIX`'s default). */
export const auditReportFolder = "audit-reports";
export const auditReportPrefix = `${auditReportFolder}/`;

/** The metrics' namespace: the component's alarms and the role's cloudwatch:namespace condition name it. */
export const auditMetricNamespace = "HitrustElastiCache/Audit";

/**
 * Per HITRUST control, one metric per state with the dimension Control: 1 for the control's state
 * this run, 0 for the others, so each state's history is a line on a graph. "met with advisories"
 * counts as Met; "attestation required" (evidence on paper, not in AWS) publishes none.
 */
export const controlStateMetrics = { met: "Met", notMet: "NotMet", notEvidenced: "NotEvidenced" } as const;

/** The run's own metrics, which the component alarms on. */
export const accountMetrics = {
    /** Controls "not met" this run (a mandatory finding), published every run, 0 included. */
    mandatoryNotMet: "MandatoryControlsNotMet",
    /** 1 per run that read everything it was asked to and archived its report. */
    runsCompleted: "AuditRunsCompleted",
} as const;

/**
 * Every metric carries the dimension Function, the function's name (Lambda sets
 * AWS_LAMBDA_FUNCTION_NAME in every function's environment: "Defined runtime environment variables",
 * https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime),
 * and each alarm watches its own function's: two stacks that both run the audit in one account and
 * Region would otherwise keep each other's missed-run alarm quiet and raise each other's not-met alarm.
 */
export const functionDimension = "Function";

type Statement = Record<string, unknown>;

/**
 * Security Hub (tools/audit/securityHub.ts iamStatements) for one account: BatchImportFindings into
 * the account's own product (`product/<account>/default`) with findings of this account only
 * (`securityhub:TargetAccount`), and GetFindings, which has no required resource type and no condition
 * key, so it cannot be narrowed: the role can read every finding of the account, and the audit keeps
 * only its own product's (Service Authorization Reference, "Actions, resources, and condition keys for
 * AWS Security Hub", https://docs.aws.amazon.com/service-authorization/latest/reference/list_awssecurityhub.html).
 */
export function auditSecurityHubStatements(partition: string, accountId: string): Statement[] {
    return [
        {
            Sid: "SendFindingsOfThisAccount",
            Effect: "Allow",
            Action: "securityhub:BatchImportFindings",
            Resource: `arn:${partition}:securityhub:*:${accountId}:product/${accountId}/default`,
            Condition: { StringEquals: { "securityhub:TargetAccount": accountId } },
        },
        { Sid: "ReadOwnFindingsBack", Effect: "Allow", Action: "securityhub:GetFindings", Resource: "*" },
    ];
}

export interface AuditWriteResources {
    /** The archive bucket's Region (kms:ViaService s3.<region>.amazonaws.com). */
    region: string;
    bucketArn: string;
    /** The dated reports' prefix, ending in "/". */
    prefix: string;
    /** The archive bucket's KMS key. */
    keyArn: string;
}

/**
 * The writes of a run, and no other:
 * - the dated reports: s3:PutObject under the prefix only. The archive bucket is SSE-KMS under the
 *   component's key, so each PutObject needs kms:GenerateDataKey on it ("Using server-side encryption
 *   with AWS KMS keys", S3 user guide,
 *   https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html), held only through
 *   S3 (kms:ViaService); no kms:Decrypt, which only multipart uploads need (the function sends one
 *   PutObject per file). The key policy lets IAM policies of the account grant it
 *   (component/keyPolicy.ts); the bucket policy denies only requests without TLS.
 * - the metrics: PutMetricData takes no resource; `cloudwatch:namespace` holds it to the audit's
 *   namespace ("Using condition keys to limit access to CloudWatch namespaces",
 *   https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/iam-cw-condition-keys-namespace.html).
 */
export function auditWriteStatements(r: AuditWriteResources): Statement[] {
    return [
        {
            Sid: "WriteDatedReports",
            Effect: "Allow",
            Action: "s3:PutObject",
            Resource: `${r.bucketArn}/${r.prefix}*`,
        },
        {
            Sid: "EncryptReportsThroughS3",
            Effect: "Allow",
            Action: "kms:GenerateDataKey",
            Resource: r.keyArn,
            Condition: { StringEquals: { "kms:ViaService": `s3.${r.region}.amazonaws.com` } },
        },
        {
            Sid: "PublishAuditMetrics",
            Effect: "Allow",
            Action: "cloudwatch:PutMetricData",
            Resource: "*",
            Condition: { StringEquals: { "cloudwatch:namespace": auditMetricNamespace } },
        },
    ];
}
