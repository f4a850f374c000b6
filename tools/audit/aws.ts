// The AWS side of the audit: one SDK v3 client per service and Region, created with the standard
// credential chain and endpoint settings, every request recorded (service, operation, IAM action,
// Region, time, outcome) for the progress log, the evidence and the IAM policy test.
import { CloudTrailClient } from "@aws-sdk/client-cloudtrail";
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { ConfigServiceClient } from "@aws-sdk/client-config-service";
import { EC2Client } from "@aws-sdk/client-ec2";
import { ElastiCacheClient } from "@aws-sdk/client-elasticache";
import { KMSClient } from "@aws-sdk/client-kms";
import { S3Client } from "@aws-sdk/client-s3";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SecurityHubClient } from "@aws-sdk/client-securityhub";
import { SNSClient } from "@aws-sdk/client-sns";
import { STSClient } from "@aws-sdk/client-sts";

/** Service prefixes as IAM names them (Service Authorization Reference), with their SDK client. */
export const clientClasses = {
    elasticache: ElastiCacheClient,
    ec2: EC2Client,
    kms: KMSClient,
    s3: S3Client,
    logs: CloudWatchLogsClient,
    cloudtrail: CloudTrailClient,
    cloudwatch: CloudWatchClient,
    sns: SNSClient,
    secretsmanager: SecretsManagerClient,
    config: ConfigServiceClient,
    securityhub: SecurityHubClient,
    sts: STSClient,
} as const;

export type Service = keyof typeof clientClasses;
export type ClientOf<S extends Service> = InstanceType<(typeof clientClasses)[S]>;

/**
 * API operations whose IAM action has another name. Everywhere else the action is the operation's
 * name. S3: "Actions, resources, and condition keys for Amazon S3"
 * (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html), whose
 * action table names the API each action authorizes (ListObjectsV2 is authorized by s3:ListBucket,
 * GetBucketEncryption by s3:GetEncryptionConfiguration, and so on).
 */
const renamedActions: Record<string, string> = {
    "s3:ListObjectsV2": "s3:ListBucket",
    "s3:ListBuckets": "s3:ListAllMyBuckets",
    "s3:GetBucketEncryption": "s3:GetEncryptionConfiguration",
    "s3:GetPublicAccessBlock": "s3:GetBucketPublicAccessBlock",
    "s3:GetBucketLifecycleConfiguration": "s3:GetLifecycleConfiguration",
    "s3:GetObjectLockConfiguration": "s3:GetBucketObjectLockConfiguration",
};

/** The IAM action that authorizes an API operation of a service. */
export function iamAction(service: Service, operation: string): string {
    const plain = `${service}:${operation}`;
    return renamedActions[plain] ?? plain;
}

/** "DescribeReplicationGroupsCommand" -> "DescribeReplicationGroups". */
export function operationOf(command: object): string {
    return command.constructor.name.replace(/Command$/, "");
}

// Each protocol's "not authorized" error: AccessDenied (ElastiCache "Common Errors", S3 "Error
// responses"), AccessDeniedException (the JSON services), UnauthorizedOperation ("Error codes for
// the Amazon EC2 API"), AuthorizationError (SNS "Common Errors").
const deniedCodes = new Set([
    "AccessDenied", // S3, query protocols
    "AccessDeniedException", // JSON protocols (KMS, Logs, CloudTrail, Secrets Manager, Config, CloudWatch)
    "UnauthorizedOperation", // EC2
    "AuthorizationError", // SNS
    "AuthorizationErrorException",
]);
// A 403 about the credentials themselves is a run error, not a missing permission.
const credentialCodes = new Set([
    "InvalidClientTokenId",
    "SignatureDoesNotMatch",
    "ExpiredToken",
    "ExpiredTokenException",
    "UnrecognizedClientException",
    "InvalidAccessKeyId",
]);

/** True when AWS refused the call for lack of permission (the audit then records a gap and goes on). */
export function isAccessDenied(error: unknown): boolean {
    const e = error as { name?: string; Code?: string; $metadata?: { httpStatusCode?: number } };
    const code = e?.name ?? e?.Code ?? "";
    if (deniedCodes.has(code)) {
        return true;
    }
    return e?.$metadata?.httpStatusCode === 403 && !credentialCodes.has(code);
}

/** True for an error name (or one of several) that a call may legitimately answer with. */
export function isError(error: unknown, ...names: string[]): boolean {
    const name = (error as { name?: string })?.name ?? "";
    return names.includes(name);
}

export interface CallRecord {
    service: Service;
    operation: string;
    action: string;
    region: string;
    at: string;
    /** "skipped": not made, because the session's `stopReading` said the run must stop reading. */
    outcome: "ok" | "denied" | "error" | "skipped";
    error?: string;
}

/**
 * The error a call gets when the session stops reading (a scheduled run near its time limit). It
 * carries HTTP 403 so that every reader treats it as a refused call: what it would have read
 * becomes a gap, "not evidenced", never a verdict.
 */
export class ReadingStopped extends Error {
    override readonly name = "ReadingStopped";
    readonly $metadata = { httpStatusCode: 403 };
}

export interface SessionOptions {
    /** A named profile of the shared config files (else AWS_PROFILE or the default chain). */
    profile?: string;
    log?: (line: string) => void;
    now?: () => Date;
    /** Attempts per call, first included, for the SDK's standard retry mode. */
    maxAttempts?: number;
    /**
     * Asked before each call: a reason to stop reading (the time left is too short), or undefined.
     * Once it answers, every later call is skipped with ReadingStopped.
     */
    stopReading?: () => string | undefined;
}

/** The clients of one audit run and the record of every call they made. */
export class AwsSession {
    readonly calls: CallRecord[] = [];
    private readonly clients = new Map<string, any>();
    readonly now: () => Date;
    private readonly log: (line: string) => void;
    /** Why the session stopped reading (SessionOptions.stopReading), once it has. */
    stoppedReading?: string;

    constructor(private readonly options: SessionOptions = {}) {
        this.now = options.now ?? (() => new Date());
        this.log = options.log ?? (() => undefined);
    }

    /**
     * The client of a service in a Region. Credentials, endpoints (AWS_ENDPOINT_URL and
     * AWS_ENDPOINT_URL_<SERVICE>, "Service-specific endpoints",
     * https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html) and the default
     * Region come from the SDK's own resolution; the
     * SDK's "standard" retry mode retries throttling and transient errors with exponential backoff
     * and jitter ("Retry behavior", AWS SDKs and Tools reference guide,
     * https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html).
     */
    client<S extends Service>(service: S, region: string | undefined): ClientOf<S> {
        const key = `${service}@${region ?? ""}`;
        let client = this.clients.get(key);
        if (!client) {
            const Class = clientClasses[service] as any;
            client = new Class({
                ...(region ? { region } : {}),
                ...(this.options.profile ? { profile: this.options.profile } : {}),
                retryMode: "standard",
                maxAttempts: this.options.maxAttempts ?? 5,
            });
            this.record(client, service, region);
            this.clients.set(key, client);
        }
        return client;
    }

    /** The Region the SDK resolves without --region (AWS_REGION, the profile's region, ...). */
    async defaultRegion(): Promise<string> {
        const probe = new ElastiCacheClient(this.options.profile ? { profile: this.options.profile } : {});
        try {
            return await probe.config.region();
        } finally {
            probe.destroy();
        }
    }

    /** Wraps `send` (which the SDK's paginators also use) so that every request is recorded. */
    private record(client: any, service: Service, region: string | undefined) {
        const send = client.send.bind(client);
        client.send = async (command: object, ...rest: unknown[]) => {
            const operation = operationOf(command);
            const record: CallRecord = {
                service,
                operation,
                action: iamAction(service, operation),
                region: region ?? "",
                at: this.now().toISOString(),
                outcome: "ok",
            };
            this.calls.push(record);
            const stop = this.stoppedReading ?? this.options.stopReading?.();
            if (stop !== undefined) {
                this.stoppedReading = stop;
                record.outcome = "skipped";
                record.error = "ReadingStopped";
                throw new ReadingStopped(`${record.action} not called: ${stop}`);
            }
            this.log(`  ${region ?? ""} ${service}:${operation}`);
            try {
                return await send(command, ...rest);
            } catch (e) {
                record.outcome = isAccessDenied(e) ? "denied" : "error";
                record.error = (e as Error)?.name ?? String(e);
                if (record.outcome === "denied") {
                    this.log(`  ${region ?? ""} ${service}:${operation}: access denied (needs ${record.action})`);
                }
                throw e;
            }
        };
    }

    destroy() {
        for (const client of this.clients.values()) {
            client.destroy?.();
        }
        this.clients.clear();
    }
}
