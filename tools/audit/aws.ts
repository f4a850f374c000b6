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

/**
 * How fast the audit reads one service in one Region. AWS throttles API requests per account and
 * Region, so each service and Region has its own limiter: at most `concurrency` requests in flight
 * and a token bucket of `burst` tokens refilled at `perSecond` (per operation where the service
 * publishes per-operation rates, else one bucket for the service). Every rate sits under the one AWS
 * documents, which the account's other callers share; a throttle that still happens is retried by
 * the SDK's standard retry mode. `documented` is that published rate (requests per second), or
 * undefined where the service publishes none.
 */
export interface RequestLimit {
    concurrency: number;
    perSecond: number;
    burst: number;
    documented?: number;
    /** True where AWS keeps one bucket per API action (EC2): each operation gets a bucket of this rate. */
    perOperation?: boolean;
    /** Operations with their own published rate (a bucket of their own). */
    operations?: Record<string, { perSecond: number; burst: number; documented: number }>;
    source: string;
}

/** The audit's request limits per service (and Region), with the page each rate comes from. */
export const requestLimits: Partial<Record<Service, RequestLimit>> = {
    // "Request throttling for the Amazon EC2 API", request token bucket sizes and refill rates:
    // non-mutating actions (Describe*) have a bucket of 100 tokens refilled at 20 per second, and
    // "each API is evaluated individually".
    ec2: {
        concurrency: 8,
        perSecond: 10,
        burst: 20,
        documented: 20,
        perOperation: true,
        source: "https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-throttling.html",
    },
    // CloudWatch Logs quotas: DescribeLogGroups 10 transactions per second per account and Region;
    // DescribeLogStreams "has a limit of 25 transactions per second, after which transactions are
    // throttled" (API reference, DescribeLogStreams).
    logs: {
        concurrency: 6,
        perSecond: 5,
        burst: 5,
        operations: {
            DescribeLogGroups: { perSecond: 8, burst: 8, documented: 10 },
            DescribeLogStreams: { perSecond: 20, burst: 20, documented: 25 },
        },
        source: "https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/cloudwatch_limits_cwl.html",
    },
    // AWS KMS "Request quotas": DescribeKey 2,000 and GetKeyRotationStatus 1,000 requests per second
    // (shared by every caller in the account and Region).
    kms: {
        concurrency: 10,
        perSecond: 100,
        burst: 100,
        documented: 1000,
        source: "https://docs.aws.amazon.com/kms/latest/developerguide/requests-per-second.html",
    },
    // "AWS Secrets Manager quotas": ListSecrets 100 requests per second (DescribeSecret 40,000; the
    // audit lists with filters and never describes or reads a secret).
    secretsmanager: {
        concurrency: 5,
        perSecond: 50,
        burst: 50,
        documented: 100,
        source: "https://docs.aws.amazon.com/secretsmanager/latest/userguide/reference_limits.html",
    },
    // "Amazon SNS endpoints and quotas": API throttling per action and Region, in the hundreds of
    // transactions per second or more for the topic read actions; 20 per second stays far below.
    sns: {
        concurrency: 5,
        perSecond: 20,
        burst: 20,
        source: "https://docs.aws.amazon.com/general/latest/gr/sns.html",
    },
    // "AWS CloudTrail endpoints and quotas": DescribeTrails and GetTrailStatus 10 transactions per
    // second per account and Region.
    cloudtrail: {
        concurrency: 2,
        perSecond: 5,
        burst: 5,
        documented: 10,
        source: "https://docs.aws.amazon.com/general/latest/gr/ct.html",
    },
    // "CloudWatch service quotas": DescribeAlarms 9 transactions per second per account and Region.
    cloudwatch: {
        concurrency: 2,
        perSecond: 4,
        burst: 4,
        documented: 9,
        source: "https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_limits.html",
    },
    // "Service Limits" of AWS Config list per-API rates in Service Quotas; the audit makes a handful
    // of Config calls per Region, so 2 per second costs nothing and stays under any of them.
    config: {
        concurrency: 1,
        perSecond: 2,
        burst: 2,
        source: "https://docs.aws.amazon.com/config/latest/developerguide/configlimits.html",
    },
    // Amazon S3 "Best practices design patterns: optimizing Amazon S3 performance": at least 5,500
    // GET/HEAD requests per second per partitioned prefix of a bucket.
    s3: {
        concurrency: 16,
        perSecond: 200,
        burst: 200,
        documented: 5500,
        source: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/optimizing-performance.html",
    },
    // ElastiCache publishes no request rates ("Quotas for ElastiCache" lists resource quotas only):
    // the EC2 refill rate of one non-mutating action (the nearest published control-plane figure),
    // here shared by every ElastiCache operation the audit makes.
    elasticache: {
        concurrency: 8,
        perSecond: 20,
        burst: 20,
        source: "https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/quota-limits.html",
    },
    // Security Hub and STS are not limited here: the Security Hub exporter paces its own calls
    // (securityHub.ts, "Quotas for Security Hub CSPM") and STS is called once.
};

/** Waits until `ms` have passed (the limiter's clock, replaceable in tests). */
export type Sleep = (ms: number) => Promise<void>;
const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** A token bucket: `burst` tokens, refilled at `perSecond`; takes one token per request, in order. */
export class TokenBucket {
    private tokens: number;
    private last: number;
    private queue: Promise<void> = Promise.resolve();

    constructor(
        private readonly perSecond: number,
        private readonly burst: number,
        private readonly clock: () => number = Date.now,
        private readonly sleep: Sleep = realSleep,
    ) {
        this.tokens = burst;
        this.last = clock();
    }

    private refill() {
        const now = this.clock();
        this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.perSecond);
        this.last = now;
    }

    /** Resolves when a token is taken; callers are served in the order they asked. */
    take(): Promise<void> {
        const turn = this.queue.then(async () => {
            this.refill();
            while (this.tokens < 1) {
                await this.sleep(Math.ceil(((1 - this.tokens) / this.perSecond) * 1000));
                this.refill();
            }
            this.tokens -= 1;
        });
        this.queue = turn;
        return turn;
    }
}

/** At most `limit` holders at once; the others wait in order. */
export class Semaphore {
    private held = 0;
    private readonly waiting: (() => void)[] = [];
    /** The most holders seen at once (for the benchmark and the tests). */
    peak = 0;

    constructor(readonly limit: number) {}

    async acquire(): Promise<() => void> {
        if (this.held >= this.limit) {
            await new Promise<void>((resolve) => this.waiting.push(resolve));
        } else {
            this.held++;
        }
        this.peak = Math.max(this.peak, this.held);
        let released = false;
        return () => {
            if (released) {
                return;
            }
            released = true;
            const next = this.waiting.shift();
            if (next) {
                next(); // the slot passes to the next waiter
            } else {
                this.held--;
            }
        };
    }
}

/** One service's limiter in one Region: the concurrency bound and the token buckets. */
export class ServiceLimiter {
    readonly slots: Semaphore;
    private readonly buckets = new Map<string, TokenBucket>();

    constructor(
        readonly limit: RequestLimit,
        private readonly clock: () => number = Date.now,
        private readonly sleep: Sleep = realSleep,
    ) {
        this.slots = new Semaphore(limit.concurrency);
    }

    private bucket(operation: string): TokenBucket {
        const key = this.limit.operations?.[operation] || this.limit.perOperation ? operation : "*";
        let bucket = this.buckets.get(key);
        if (!bucket) {
            const rate = this.limit.operations?.[operation] ?? this.limit;
            bucket = new TokenBucket(rate.perSecond, rate.burst, this.clock, this.sleep);
            this.buckets.set(key, bucket);
        }
        return bucket;
    }

    /** Waits for a slot, then a token; returns the release of the slot. */
    async acquire(operation: string): Promise<() => void> {
        const release = await this.slots.acquire();
        try {
            await this.bucket(operation).take();
        } catch (e) {
            release();
            throw e;
        }
        return release;
    }
}

// Each protocol's throttling error codes ("Retry behavior", AWS SDKs and Tools reference guide; EC2
// RequestLimitExceeded, S3 SlowDown), for the count of throttled attempts.
const throttlingCodes = new Set([
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottledException",
    "TooManyRequestsException",
    "ProvisionedThroughputExceededException",
    "TransactionInProgressException",
    "RequestLimitExceeded",
    "BandwidthLimitExceeded",
    "LimitExceededException",
    "RequestThrottled",
    "SlowDown",
    "PriorRequestNotComplete",
    "EC2ThrottledException",
]);

/** True when AWS answered an attempt with a throttling error. */
export function isThrottling(error: unknown): boolean {
    const e = error as { name?: string; Code?: string; $retryable?: { throttling?: boolean } };
    return e?.$retryable?.throttling === true || throttlingCodes.has(e?.name ?? e?.Code ?? "");
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
    /** Attempts the SDK made when more than one (throttling and transient errors are retried). */
    attempts?: number;
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
    /** Request limits per service, replacing `requestLimits` (for tests). */
    limits?: Partial<Record<Service, RequestLimit>>;
}

/** The clients of one audit run and the record of every call they made. */
export class AwsSession {
    readonly calls: CallRecord[] = [];
    /** Attempts AWS answered with a throttling error (each retried by the SDK while attempts remain). */
    throttled = 0;
    /** The limiter of each service and Region ("service@region"), for the benchmark and the tests. */
    readonly limiters = new Map<string, ServiceLimiter>();
    private readonly clients = new Map<string, any>();
    private readonly failedCalls = new WeakMap<object, CallRecord>();
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
            this.limit(client, service, key);
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

    /**
     * Every attempt of every call (the SDK's retries included) waits for its service's limiter in
     * this Region: a middleware inside the retry loop, so a retried call takes a token again and
     * gives its slot back while it backs off.
     */
    private limit(client: any, service: Service, key: string) {
        const limit = (this.options.limits ?? requestLimits)[service];
        if (!limit) {
            return;
        }
        const limiter = new ServiceLimiter(limit);
        this.limiters.set(key, limiter);
        client.middlewareStack.add(
            (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => async (args: unknown) => {
                const release = await limiter.acquire((context.commandName ?? "").replace(/Command$/, ""));
                try {
                    return await next(args);
                } catch (e) {
                    if (isThrottling(e)) {
                        this.throttled++;
                    }
                    throw e;
                } finally {
                    release();
                }
            },
            { step: "deserialize", priority: "high", name: "auditRequestLimit" },
        );
    }

    /** The record of the call that raised `error` (calls run side by side: not always the last). */
    callOf(error: unknown): CallRecord | undefined {
        return error && typeof error === "object" ? this.failedCalls.get(error) : undefined;
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
                const result = await send(command, ...rest);
                const attempts = result?.$metadata?.attempts;
                if (typeof attempts === "number" && attempts > 1) {
                    record.attempts = attempts;
                }
                return result;
            } catch (e) {
                record.outcome = isAccessDenied(e) ? "denied" : "error";
                record.error = (e as Error)?.name ?? String(e);
                const attempts = (e as { $metadata?: { attempts?: number } })?.$metadata?.attempts;
                if (typeof attempts === "number" && attempts > 1) {
                    record.attempts = attempts;
                }
                if (e && typeof e === "object") {
                    this.failedCalls.set(e, record);
                }
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
