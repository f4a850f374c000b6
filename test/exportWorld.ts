// A small model of ElastiCache, S3, Step Functions and CloudWatch behind the real AWS SDK v3 clients,
// with every command mocked (aws-sdk-client-mock), for the archive job's tests. The mocks behave like
// the services as their API references describe them, and every request is checked against the
// values those references allow, written out here by hand, never taken from the code under test:
//   ElastiCache API reference: DescribeSnapshots, CopySnapshot, Snapshot, NodeSnapshot.
//   ElastiCache guide, "Exporting a backup": the export's name (1 to 1,000 characters, stored in
//     lower case) and its files `<name>-0001.rdb`, one per shard; the bucket name rules.
//   S3 API reference: ListObjectsV2, GetObject, PutObject, CopyObject, HeadObject, DeleteObject,
//     CreateMultipartUpload, UploadPartCopy, CompleteMultipartUpload, AbortMultipartUpload.
//   S3 user guide: "Amazon S3 multipart upload limits" (parts 5 MiB to 5 GiB, 1 to 10,000),
//     "Copying an object using multipart upload" (CopyObject up to 5 GB), "How to prevent object
//     overwrites with conditional writes" (If-None-Match only `*`, 412 Precondition Failed).
//   Step Functions API reference: StartExecution (name 1-80 characters of letters, digits, `-`
//     and `_`; input at most 256 KiB; the same name and input while running answers with the same
//     execution, another input fails ExecutionAlreadyExists), DescribeExecution (statuses).
//   CloudWatch API reference: PutMetricData (Namespace 1-255 characters, not starting "AWS/";
//     MetricName 1-255; at most 30 dimensions; the StandardUnit values), MetricDatum.
import * as assert from "assert";
import { mockClient } from "aws-sdk-client-mock";
import {
    CopySnapshotCommand,
    DescribeSnapshotsCommand,
    ElastiCacheClient,
    ElastiCacheServiceException,
} from "@aws-sdk/client-elasticache";
import {
    DescribeExecutionCommand,
    ExecutionAlreadyExists,
    SFNClient,
    StartExecutionCommand,
} from "@aws-sdk/client-sfn";
import { CloudWatchClient, PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import {
    AbortMultipartUploadCommand,
    CompleteMultipartUploadCommand,
    CopyObjectCommand,
    CreateMultipartUploadCommand,
    DeleteObjectCommand,
    GetObjectCommand,
    HeadObjectCommand,
    ListObjectsV2Command,
    PutObjectCommand,
    S3Client,
    S3ServiceException,
    UploadPartCopyCommand,
} from "@aws-sdk/client-s3";

import { runStateMachine } from "./stateMachine";

export const GiB = 1024 ** 3;
export const MiB = 1024 ** 2;
export const account = "123456789012";
export const keyArn = `arn:aws:kms:us-east-1:${account}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
export const staging = "cache-staging-20261128000000000000000001";
export const archive = "cache-archive-20261128000000000000000001";
export const copyMachineArn = `arn:aws:states:us-east-1:${account}:stateMachine:cache-snapshot-archive-copy`;

// ---------------------------------------------------------------------------------------------
// Allowed request values, from the API references named above.
// ---------------------------------------------------------------------------------------------
export const allowed = {
    /** DescribeSnapshots SnapshotSource: "system" | "user" ("automated"/"manual" are response values). */
    snapshotSource: ["system", "user"],
    /** DescribeSnapshots MaxRecords: minimum 20, maximum 50. */
    maxRecords: [20, 50],
    /** S3 ServerSideEncryption (x-amz-server-side-encryption). */
    serverSideEncryption: ["AES256", "aws:fsx", "aws:kms", "aws:kms:dsse"],
    /** S3 ChecksumAlgorithm (x-amz-checksum-algorithm). */
    checksumAlgorithm: ["CRC32", "CRC32C", "SHA1", "SHA256", "CRC64NVME"],
    /** CopyObject MetadataDirective. */
    metadataDirective: ["COPY", "REPLACE"],
    /** ListObjectsV2 MaxKeys: at most 1,000 keys a page. */
    maxKeys: 1000,
    /** Object key names: at most 1,024 bytes of UTF-8 (S3 user guide, "Naming Amazon S3 objects"). */
    keyBytes: 1024,
    /** Multipart limits. */
    partNumber: [1, 10000],
    partBytes: [5 * MiB, 5 * GiB],
    copyObjectMaxBytes: 5 * GiB,
    /** StartExecution name: 1-80 of [A-Za-z0-9-_]; input at most 256 KiB. */
    executionName: /^[A-Za-z0-9_-]{1,80}$/,
    executionInputBytes: 256 * 1024,
    /** DescribeExecution status values. */
    executionStatus: ["RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED", "PENDING_REDRIVE"],
    /** CloudWatch StandardUnit values (API reference, MetricDatum Unit). */
    units: [
        "Seconds",
        "Microseconds",
        "Milliseconds",
        "Bytes",
        "Kilobytes",
        "Megabytes",
        "Gigabytes",
        "Terabytes",
        "Bits",
        "Kilobits",
        "Megabits",
        "Gigabits",
        "Terabits",
        "Percent",
        "Count",
        "Bytes/Second",
        "Kilobytes/Second",
        "Megabytes/Second",
        "Gigabytes/Second",
        "Terabytes/Second",
        "Bits/Second",
        "Kilobits/Second",
        "Megabits/Second",
        "Gigabits/Second",
        "Terabits/Second",
        "Count/Second",
        "None",
    ],
};

/** Bucket names ElastiCache accepts: DNS-compliant (ElastiCache guide, "Exporting a backup", step 1). */
function bucketNameProblems(name: unknown): string[] {
    if (typeof name !== "string") {
        return ["bucket name missing"];
    }
    const problems: string[] = [];
    if (name.length < 3 || name.length > 63) {
        problems.push(`bucket name ${name} must be 3 to 63 characters`);
    }
    for (const label of name.split(".")) {
        if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(label)) {
            problems.push(`bucket name label ${label} must start and end with a lowercase letter or digit`);
        }
    }
    if (/^\d+\.\d+\.\d+\.\d+$/.test(name)) {
        problems.push(`bucket name ${name} must not look like an IP address`);
    }
    return problems;
}

// ---------------------------------------------------------------------------------------------
// A small model of ElastiCache and S3, answering as the API references describe.
// ---------------------------------------------------------------------------------------------
interface StoredObject {
    body?: string;
    size: number;
    lastModified: Date;
    etag: string;
    sse: string;
    kmsKeyId?: string;
    versionId?: string;
    checksumAlgorithm?: string;
}

interface Upload {
    bucket: string;
    key: string;
    sse: string;
    kmsKeyId?: string;
    parts: Map<number, { first: number; last: number; etag: string }>;
    source?: string;
}

export function s3Error(name: string, status: number, message: string): S3ServiceException {
    return new S3ServiceException({ name, $fault: "client", $metadata: { httpStatusCode: status }, message });
}

export function elastiCacheError(name: string, status: number, message: string): ElastiCacheServiceException {
    return new ElastiCacheServiceException({ name, $fault: "client", $metadata: { httpStatusCode: status }, message });
}

export interface Execution {
    arn: string;
    name: string;
    input: string;
    status: string;
    error?: string;
    cause?: string;
}

export class World {
    now = new Date("2026-11-28T08:00:00Z");
    snapshots: any[] = [];
    /** Snapshots per DescribeSnapshots page; the service uses MaxRecords, tests use fewer to page. */
    describePageSize?: number;
    buckets = new Map<string, Map<string, StoredObject>>([
        [staging, new Map()],
        [archive, new Map()],
    ]);
    /** Each bucket's default encryption, as the component configures them. */
    defaults: Record<string, { sse: string; kmsKeyId?: string }> = {
        [staging]: { sse: "AES256" },
        [archive]: { sse: "aws:kms", kmsKeyId: keyArn },
    };
    uploads = new Map<string, Upload>();
    violations: string[] = [];
    copySnapshotRequests: any[] = [];
    /** Step Functions executions of the copy state machine, by name. */
    executions = new Map<string, Execution>();
    /** Every datum the job published, with the namespace and the time it was sent. */
    metrics: { namespace: string; datum: any }[] = [];
    /** The order the services saw requests in: "<Command> <detail>". */
    calls: string[] = [];
    copySnapshotFailure?: Error;
    /** Makes HeadObject report a different encryption than the object got (a tampered copy). */
    headOverride?: Record<string, unknown>;
    private counter = 0;

    tick(ms = 1000): Date {
        this.now = new Date(this.now.getTime() + ms);
        return this.now;
    }

    nextEtag(): string {
        this.counter++;
        return `"etag${this.counter.toString().padStart(4, "0")}"`;
    }

    violation(command: string, problem: string) {
        this.violations.push(`${command}: ${problem}`);
    }

    bucket(command: string, name: unknown): Map<string, StoredObject> {
        const found = typeof name === "string" ? this.buckets.get(name) : undefined;
        if (!found) {
            this.violation(command, `unknown bucket ${String(name)}`);
            throw s3Error("NoSuchBucket", 404, "The specified bucket does not exist");
        }
        return found;
    }

    checkKey(command: string, key: unknown) {
        if (typeof key !== "string" || key.length === 0) {
            this.violation(command, "Key is required");
        } else if (Buffer.byteLength(key, "utf8") > allowed.keyBytes) {
            this.violation(command, `Key longer than ${allowed.keyBytes} bytes`);
        }
    }

    /** The SSE request headers: allowed values, and a key only with aws:kms. */
    encryption(command: string, bucket: string, input: any): { sse: string; kmsKeyId?: string } {
        if (input.ServerSideEncryption !== undefined) {
            if (!allowed.serverSideEncryption.includes(input.ServerSideEncryption)) {
                this.violation(command, `ServerSideEncryption ${input.ServerSideEncryption} not allowed`);
            }
            if (input.SSEKMSKeyId !== undefined && !String(input.ServerSideEncryption).startsWith("aws:kms")) {
                this.violation(command, "SSEKMSKeyId is only valid with aws:kms or aws:kms:dsse");
            }
            return { sse: input.ServerSideEncryption, kmsKeyId: input.SSEKMSKeyId ?? this.defaults[bucket].kmsKeyId };
        }
        if (input.SSEKMSKeyId !== undefined) {
            this.violation(command, "SSEKMSKeyId without ServerSideEncryption");
        }
        return this.defaults[bucket];
    }

    checksum(command: string, input: any) {
        if (input.ChecksumAlgorithm !== undefined && !allowed.checksumAlgorithm.includes(input.ChecksumAlgorithm)) {
            this.violation(command, `ChecksumAlgorithm ${input.ChecksumAlgorithm} not allowed`);
        }
    }

    /** CopySource: "<bucket>/<key>", URL-encoded, optionally "?versionId=". */
    copySource(command: string, value: unknown): { bucket: string; key: string; object: StoredObject } {
        if (typeof value !== "string" || !/^[^/?]+\/.+$/.test(value)) {
            this.violation(command, `CopySource ${String(value)} is not "<bucket>/<key>"`);
            throw s3Error("InvalidArgument", 400, "Invalid copy source");
        }
        const slash = value.indexOf("/");
        const bucket = value.slice(0, slash);
        const key = decodeURIComponent(value.slice(slash + 1).split("?")[0]);
        const object = this.bucket(command, bucket).get(key);
        if (!object) {
            throw s3Error("NoSuchKey", 404, "The specified key does not exist.");
        }
        return { bucket, key, object };
    }

    /** ElastiCache writing an export into the staging bucket, as its canonical user does. */
    deliver(target: string, files: { size: number; at?: Date }[]) {
        // ElastiCache stores the target name in lower case (API reference, CopySnapshot).
        const name = target.toLowerCase();
        files.forEach((file, i) =>
            this.buckets.get(staging)!.set(`${name}-${String(i + 1).padStart(4, "0")}.rdb`, {
                size: file.size,
                lastModified: file.at ?? this.now,
                etag: this.nextEtag(),
                sse: "AES256",
            }),
        );
    }

    marker(key: string): any {
        const obj = this.buckets.get(archive)!.get(key);
        return obj?.body ? JSON.parse(obj.body) : undefined;
    }
}

/** An automatic snapshot as DescribeSnapshots returns it (API reference, Snapshot and NodeSnapshot). */
export function snapshot(name: string, time: string, status = "available", shards = 1) {
    return {
        SnapshotName: name,
        ReplicationGroupId: "cache",
        ReplicationGroupDescription: "HIPAA cache",
        SnapshotStatus: status,
        SnapshotSource: "automated",
        CacheNodeType: "cache.r7g.large",
        Engine: "redis",
        EngineVersion: "7.1",
        NumNodeGroups: shards,
        SnapshotRetentionLimit: 35,
        SnapshotWindow: "05:00-06:00",
        NodeSnapshots: Array.from({ length: shards }, (_, i) => ({
            CacheClusterId: `cache-000${i + 1}-002`,
            NodeGroupId: `000${i + 1}`,
            CacheNodeId: "0001",
            CacheSize: "5 MB",
            CacheNodeCreateTime: new Date("2026-01-01T00:00:00Z"),
            SnapshotCreateTime: new Date(time),
        })),
    };
}

export function install(world: World) {
    const elasticache = new ElastiCacheClient({
        region: "us-east-1",
        credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" },
    });
    const s3 = new S3Client({
        region: "us-east-1",
        credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" },
    });
    const sfn = new SFNClient({
        region: "us-east-1",
        credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" },
    });
    const cloudwatch = new CloudWatchClient({
        region: "us-east-1",
        credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" },
    });
    const ec = mockClient(elasticache);
    const s = mockClient(s3);
    const sf = mockClient(sfn);
    const cw = mockClient(cloudwatch);

    ec.on(DescribeSnapshotsCommand).callsFake((input: any) => {
        const c = "DescribeSnapshots";
        if (input.SnapshotSource !== undefined && !allowed.snapshotSource.includes(input.SnapshotSource)) {
            world.violation(c, `SnapshotSource "${input.SnapshotSource}" is not one of ${allowed.snapshotSource}`);
            throw elastiCacheError("InvalidParameterValue", 400, "Invalid SnapshotSource");
        }
        if (
            input.MaxRecords !== undefined &&
            (input.MaxRecords < allowed.maxRecords[0] || input.MaxRecords > allowed.maxRecords[1])
        ) {
            world.violation(c, `MaxRecords ${input.MaxRecords} outside ${allowed.maxRecords}`);
        }
        if (input.ReplicationGroupId !== "cache") {
            world.violation(c, `ReplicationGroupId ${input.ReplicationGroupId} is not the group's`);
        }
        const matching = world.snapshots.filter(
            (s) =>
                input.SnapshotSource === undefined ||
                (input.SnapshotSource === "system" ? s.SnapshotSource === "automated" : s.SnapshotSource === "manual"),
        );
        const size = world.describePageSize ?? input.MaxRecords ?? 50;
        const start = input.Marker ? Number(input.Marker.slice(1)) : 0;
        const end = start + size;
        return { Snapshots: matching.slice(start, end), Marker: end < matching.length ? `m${end}` : undefined };
    });

    ec.on(CopySnapshotCommand).callsFake((input: any) => {
        const c = "CopySnapshot";
        world.copySnapshotRequests.push(input);
        world.calls.push(`${c} ${input.TargetSnapshotName}`);
        if (typeof input.SourceSnapshotName !== "string" || input.SourceSnapshotName === "") {
            world.violation(c, "SourceSnapshotName is required");
        }
        const target = input.TargetSnapshotName;
        if (typeof target !== "string" || target.length < 1 || target.length > 1000) {
            world.violation(c, "TargetSnapshotName must be 1 to 1,000 characters");
        } else if (target !== target.toLowerCase()) {
            world.violation(c, `TargetSnapshotName ${target} is stored in lower case, so the files would not match it`);
        }
        if (input.TargetBucket !== staging) {
            world.violation(c, `TargetBucket ${input.TargetBucket} is not the staging bucket`);
        }
        bucketNameProblems(input.TargetBucket).forEach((p) => world.violation(c, p));
        if (input.KmsKeyId !== undefined) {
            world.violation(c, "KmsKeyId encrypts a snapshot copy inside ElastiCache; an export to S3 must not set it");
        }
        if (world.copySnapshotFailure) {
            throw world.copySnapshotFailure;
        }
        const source = world.snapshots.find((s) => s.SnapshotName === input.SourceSnapshotName);
        if (!source) {
            throw elastiCacheError("SnapshotNotFoundFault", 404, `Snapshot ${input.SourceSnapshotName} not found`);
        }
        if (source.SnapshotStatus !== "available") {
            throw elastiCacheError(
                "InvalidSnapshotStateFault",
                400,
                "The current state of the snapshot does not allow it",
            );
        }
        // API reference, CopySnapshot error messages: "The S3 bucket %s already contains an object
        // with key %s. Solution: Give the TargetSnapshotName a new and unique value."
        const taken = [...world.buckets.get(staging)!.keys()].find((k) =>
            k.startsWith(`${String(target).toLowerCase()}-`),
        );
        if (taken) {
            throw elastiCacheError(
                "InvalidParameterCombination",
                400,
                `The S3 bucket ${staging} already contains an object with key ${taken}.`,
            );
        }
        return { Snapshot: { ...source, SnapshotName: target, SnapshotStatus: "exporting", SnapshotSource: "manual" } };
    });

    s.on(ListObjectsV2Command).callsFake((input: any) => {
        const c = "ListObjectsV2";
        const objects = world.bucket(c, input.Bucket);
        if (input.MaxKeys !== undefined && (input.MaxKeys < 1 || input.MaxKeys > allowed.maxKeys)) {
            world.violation(c, `MaxKeys ${input.MaxKeys} above ${allowed.maxKeys}`);
        }
        const keys = [...objects.keys()].filter((k) => k.startsWith(input.Prefix ?? "")).sort();
        const start = input.ContinuationToken ? Number(input.ContinuationToken.slice(1)) : 0;
        const size = Math.min(input.MaxKeys ?? 1000, 2); // small pages, so paging is exercised
        const page = keys.slice(start, start + size);
        const truncated = start + size < keys.length;
        return {
            IsTruncated: truncated,
            NextContinuationToken: truncated ? `t${start + size}` : undefined,
            KeyCount: page.length,
            Contents: page.map((Key) => {
                const o = objects.get(Key)!;
                return { Key, Size: o.size, LastModified: o.lastModified, ETag: o.etag, StorageClass: "STANDARD" };
            }),
        };
    });

    s.on(GetObjectCommand).callsFake((input: any) => {
        const c = "GetObject";
        world.checkKey(c, input.Key);
        const o = world.bucket(c, input.Bucket).get(input.Key);
        if (!o) {
            throw s3Error("NoSuchKey", 404, "The specified key does not exist.");
        }
        return {
            Body: { transformToString: async () => o.body ?? "" },
            ETag: o.etag,
            ContentLength: o.size,
            LastModified: o.lastModified,
            ServerSideEncryption: o.sse,
            SSEKMSKeyId: o.kmsKeyId,
        };
    });

    s.on(PutObjectCommand).callsFake((input: any) => {
        const c = "PutObject";
        world.checkKey(c, input.Key);
        const objects = world.bucket(c, input.Bucket);
        world.checksum(c, input);
        if (input.IfNoneMatch !== undefined && input.IfNoneMatch !== "*") {
            world.violation(c, `IfNoneMatch accepts only "*", got ${input.IfNoneMatch}`);
        }
        if (input.IfNoneMatch !== undefined && input.IfMatch !== undefined) {
            world.violation(c, "IfMatch and IfNoneMatch together");
        }
        const existing = objects.get(input.Key);
        if (input.IfNoneMatch === "*" && existing) {
            throw s3Error("PreconditionFailed", 412, "At least one of the pre-conditions you specified did not hold");
        }
        if (input.IfMatch !== undefined) {
            if (!existing) {
                throw s3Error("NoSuchKey", 404, "The specified key does not exist.");
            }
            if (existing.etag !== input.IfMatch) {
                throw s3Error(
                    "PreconditionFailed",
                    412,
                    "At least one of the pre-conditions you specified did not hold",
                );
            }
        }
        const body = String(input.Body);
        const etag = world.nextEtag();
        objects.set(input.Key, {
            body,
            size: Buffer.byteLength(body),
            lastModified: world.tick(),
            etag,
            ...world.encryption(c, input.Bucket, input),
            checksumAlgorithm: input.ChecksumAlgorithm,
        });
        return { ETag: etag };
    });

    s.on(CopyObjectCommand).callsFake((input: any) => {
        const c = "CopyObject";
        world.calls.push(`${c} ${input.Key}`);
        world.checkKey(c, input.Key);
        const objects = world.bucket(c, input.Bucket);
        world.checksum(c, input);
        if (input.MetadataDirective !== undefined && !allowed.metadataDirective.includes(input.MetadataDirective)) {
            world.violation(c, `MetadataDirective ${input.MetadataDirective} not allowed`);
        }
        const source = world.copySource(c, input.CopySource);
        if (source.object.size > allowed.copyObjectMaxBytes) {
            throw s3Error(
                "InvalidRequest",
                400,
                "The specified copy source is larger than the maximum allowable size for a copy source: 5368709120",
            );
        }
        if (input.CopySourceIfMatch !== undefined && input.CopySourceIfMatch !== source.object.etag) {
            throw s3Error("PreconditionFailed", 412, "At least one of the pre-conditions you specified did not hold");
        }
        const etag = world.nextEtag();
        objects.set(input.Key, {
            size: source.object.size,
            lastModified: world.tick(),
            etag,
            versionId: `v${etag}`,
            ...world.encryption(c, input.Bucket, input),
        });
        return { CopyObjectResult: { ETag: etag, LastModified: world.now } };
    });

    s.on(HeadObjectCommand).callsFake((input: any) => {
        const o = world.bucket("HeadObject", input.Bucket).get(input.Key);
        if (!o) {
            throw s3Error("NotFound", 404, "Not Found");
        }
        return {
            ContentLength: o.size,
            ETag: o.etag,
            LastModified: o.lastModified,
            VersionId: o.versionId,
            ServerSideEncryption: o.sse,
            SSEKMSKeyId: o.kmsKeyId,
            ...(world.headOverride ?? {}),
        };
    });

    s.on(DeleteObjectCommand).callsFake((input: any) => {
        world.checkKey("DeleteObject", input.Key);
        world.bucket("DeleteObject", input.Bucket).delete(input.Key);
        return {};
    });

    s.on(CreateMultipartUploadCommand).callsFake((input: any) => {
        const c = "CreateMultipartUpload";
        world.checkKey(c, input.Key);
        world.bucket(c, input.Bucket);
        world.checksum(c, input);
        const id = `upload-${world.uploads.size + 1}`;
        world.uploads.set(id, {
            bucket: input.Bucket,
            key: input.Key,
            ...world.encryption(c, input.Bucket, input),
            parts: new Map(),
        });
        return { Bucket: input.Bucket, Key: input.Key, UploadId: id };
    });

    s.on(UploadPartCopyCommand).callsFake((input: any) => {
        const c = "UploadPartCopy";
        const upload = world.uploads.get(input.UploadId);
        if (!upload || upload.bucket !== input.Bucket || upload.key !== input.Key) {
            throw s3Error("NoSuchUpload", 404, "The specified upload does not exist.");
        }
        if (
            !Number.isInteger(input.PartNumber) ||
            input.PartNumber < allowed.partNumber[0] ||
            input.PartNumber > allowed.partNumber[1]
        ) {
            world.violation(c, `PartNumber ${input.PartNumber} outside ${allowed.partNumber}`);
        }
        const source = world.copySource(c, input.CopySource);
        const range = /^bytes=(\d+)-(\d+)$/.exec(input.CopySourceRange ?? "");
        if (!range) {
            world.violation(c, `CopySourceRange ${input.CopySourceRange} is not "bytes=first-last"`);
            throw s3Error("InvalidArgument", 400, "Invalid range");
        }
        const [first, last] = [Number(range[1]), Number(range[2])];
        if (first > last || last >= source.object.size) {
            world.violation(
                c,
                `CopySourceRange ${input.CopySourceRange} outside the ${source.object.size}-byte source`,
            );
        }
        if (last - first + 1 > allowed.partBytes[1]) {
            world.violation(c, `part ${input.PartNumber} larger than 5 GiB`);
        }
        if (input.CopySourceIfMatch !== undefined && input.CopySourceIfMatch !== source.object.etag) {
            throw s3Error("PreconditionFailed", 412, "At least one of the pre-conditions you specified did not hold");
        }
        const etag = world.nextEtag();
        upload.parts.set(input.PartNumber, { first, last, etag });
        upload.source = `${source.bucket}/${source.key}`;
        return { CopyPartResult: { ETag: etag, LastModified: world.now } };
    });

    s.on(CompleteMultipartUploadCommand).callsFake((input: any) => {
        const c = "CompleteMultipartUpload";
        const upload = world.uploads.get(input.UploadId);
        if (!upload) {
            throw s3Error("NoSuchUpload", 404, "The specified upload does not exist.");
        }
        const parts: any[] = input.MultipartUpload?.Parts ?? [];
        parts.forEach((p, i) => {
            const stored = upload.parts.get(p.PartNumber);
            if (i > 0 && p.PartNumber <= parts[i - 1].PartNumber) {
                world.violation(c, "parts must be listed in ascending PartNumber order");
            }
            if (!stored || stored.etag !== p.ETag) {
                world.violation(c, `part ${p.PartNumber} ETag does not match the uploaded part`);
                return;
            }
            const size = stored.last - stored.first + 1;
            if (i < parts.length - 1 && size < allowed.partBytes[0]) {
                world.violation(c, `part ${p.PartNumber} smaller than 5 MiB and not the last`);
            }
            if (i > 0 && stored.first !== upload.parts.get(parts[i - 1].PartNumber)!.last + 1) {
                world.violation(c, `part ${p.PartNumber} does not continue the previous part`);
            }
        });
        const size = parts.reduce((sum, p) => {
            const stored = upload.parts.get(p.PartNumber);
            return sum + (stored ? stored.last - stored.first + 1 : 0);
        }, 0);
        const etag = world.nextEtag();
        world.buckets.get(upload.bucket)!.set(upload.key, {
            size,
            lastModified: world.tick(),
            etag,
            versionId: `v${etag}`,
            sse: upload.sse,
            kmsKeyId: upload.kmsKeyId,
        });
        world.uploads.delete(input.UploadId);
        return { Bucket: upload.bucket, Key: upload.key, ETag: etag };
    });

    s.on(AbortMultipartUploadCommand).callsFake((input: any) => {
        world.uploads.delete(input.UploadId);
        return {};
    });

    sf.on(StartExecutionCommand).callsFake((input: any) => {
        const c = "StartExecution";
        world.calls.push(`${c} ${input.name}`);
        if (input.stateMachineArn !== copyMachineArn) {
            world.violation(c, `stateMachineArn ${input.stateMachineArn} is not the copy state machine`);
        }
        if (typeof input.name !== "string" || !allowed.executionName.test(input.name)) {
            world.violation(c, `name ${input.name} is not 1-80 letters, digits, - or _`);
        }
        if (typeof input.input !== "string" || Buffer.byteLength(input.input) > allowed.executionInputBytes) {
            world.violation(c, "input missing or above 256 KiB");
        }
        const existing = world.executions.get(input.name);
        if (existing) {
            if (existing.input === input.input && existing.status === "RUNNING") {
                return { executionArn: existing.arn, startDate: world.now };
            }
            throw new ExecutionAlreadyExists({ message: `Execution Already Exists: '${existing.arn}'`, $metadata: {} });
        }
        const arn = `arn:aws:states:us-east-1:${account}:execution:cache-snapshot-archive-copy:${input.name}`;
        world.executions.set(input.name, { arn, name: input.name, input: input.input, status: "RUNNING" });
        return { executionArn: arn, startDate: world.now };
    });
    sf.on(DescribeExecutionCommand).callsFake((input: any) => {
        world.calls.push(`DescribeExecution ${input.executionArn}`);
        const found = [...world.executions.values()].find((e) => e.arn === input.executionArn);
        if (!found) {
            world.violation("DescribeExecution", `unknown execution ${input.executionArn}`);
            throw new Error("ExecutionDoesNotExist");
        }
        return {
            executionArn: found.arn,
            stateMachineArn: copyMachineArn,
            name: found.name,
            status: found.status,
            error: found.error,
            cause: found.cause,
            startDate: world.now,
        };
    });
    cw.on(PutMetricDataCommand).callsFake((input: any) => {
        const c = "PutMetricData";
        world.calls.push(`${c} ${input.Namespace}`);
        if (typeof input.Namespace !== "string" || input.Namespace.length < 1 || input.Namespace.length > 255) {
            world.violation(c, "Namespace must be 1-255 characters");
        } else if (/^AWS\//.test(input.Namespace)) {
            world.violation(c, `Namespace ${input.Namespace} starts with AWS/, which is reserved`);
        }
        for (const datum of input.MetricData ?? []) {
            if (typeof datum.MetricName !== "string" || datum.MetricName.length < 1 || datum.MetricName.length > 255) {
                world.violation(c, "MetricName must be 1-255 characters");
            }
            if (datum.Unit !== undefined && !allowed.units.includes(datum.Unit)) {
                world.violation(c, `Unit ${datum.Unit} is not a StandardUnit`);
            }
            if ((datum.Dimensions ?? []).length > 30) {
                world.violation(c, "at most 30 dimensions");
            }
            if (!Number.isFinite(datum.Value)) {
                world.violation(c, `Value ${datum.Value} is not a number`);
            }
            world.metrics.push({ namespace: input.Namespace, datum });
        }
        return {};
    });

    return { clients: { elasticache, s3, sfn, cloudwatch }, ec, s, sf, cw };
}

/**
 * Runs every RUNNING execution of the copy state machine to its end, through the S3 model: each
 * `arn:aws:states:::aws-sdk:s3:<action>` task sends the S3 SDK command of that name with the
 * task's Parameters, so the model checks them as it checks the job's own requests.
 */
export async function runCopyExecutions(
    world: World,
    definition: Record<string, unknown>,
    s3: S3Client,
): Promise<Execution[]> {
    const ran: Execution[] = [];
    for (const execution of world.executions.values()) {
        if (execution.status !== "RUNNING") {
            continue;
        }
        const outcome = await runStateMachine(definition, JSON.parse(execution.input), (action, params) =>
            s3.send(s3CommandFor(action, params)),
        );
        execution.status = outcome.status;
        execution.error = outcome.error;
        execution.cause = outcome.cause;
        ran.push(execution);
    }
    return ran;
}

/** The S3 SDK command a Step Functions `aws-sdk:s3:<action>` task calls. */
function s3CommandFor(action: string, params: any): any {
    const commands: Record<string, any> = {
        createMultipartUpload: CreateMultipartUploadCommand,
        uploadPartCopy: UploadPartCopyCommand,
        completeMultipartUpload: CompleteMultipartUploadCommand,
        abortMultipartUpload: AbortMultipartUploadCommand,
    };
    const Command = commands[action];
    if (!Command) {
        throw new Error(`the S3 model has no ${action}`);
    }
    return new Command(params);
}

export const options = (world: World, extra: Record<string, unknown> = {}) => ({
    replicationGroupId: "cache",
    stagingBucket: staging,
    archiveBucket: archive,
    prefix: "snapshots",
    kmsKeyArn: keyArn,
    copyStateMachineArn: copyMachineArn,
    now: world.now,
    ...extra,
});

/** Every request to the archive that writes data must ask for SSE-KMS under the customer key. */
export function assertArchiveWritesUseTheKey(s: ReturnType<typeof mockClient>) {
    const writes = [
        ...s.commandCalls(PutObjectCommand as any),
        ...s.commandCalls(CopyObjectCommand as any),
        ...s.commandCalls(CreateMultipartUploadCommand as any),
    ]
        .map((call) => call.args[0].input as any)
        .filter((input) => input.Bucket === archive);
    assert.ok(writes.length > 0);
    for (const input of writes) {
        assert.strictEqual(input.ServerSideEncryption, "aws:kms", `${input.Key} must be written with SSE-KMS`);
        assert.strictEqual(input.SSEKMSKeyId, keyArn, `${input.Key} must be encrypted with the customer key`);
    }
}
