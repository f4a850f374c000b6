// The archive job's logic, driven through the real AWS SDK v3 clients with every command mocked
// (aws-sdk-client-mock). The mocks behave like the services as their API references describe
// them, and every request the job sends is checked against the values those references allow,
// written out here by hand, never taken from the code under test:
//   ElastiCache API reference: DescribeSnapshots, CopySnapshot, Snapshot, NodeSnapshot.
//   ElastiCache guide, "Exporting a backup": the export's name (1 to 1,000 characters, stored in
//     lower case) and its files `<name>-0001.rdb`, one per shard; the bucket name rules.
//   S3 API reference: ListObjectsV2, GetObject, PutObject, CopyObject, HeadObject, DeleteObject,
//     CreateMultipartUpload, UploadPartCopy, CompleteMultipartUpload, AbortMultipartUpload.
//   S3 user guide: "Amazon S3 multipart upload limits" (parts 5 MiB to 5 GiB, 1 to 10,000),
//     "Copying an object using multipart upload" (CopyObject up to 5 GB), "How to prevent object
//     overwrites with conditional writes" (If-None-Match only `*`, 412 Precondition Failed).
import * as assert from "assert";
import { mockClient } from "aws-sdk-client-mock";
import {
    CopySnapshotCommand,
    DescribeSnapshotsCommand,
    ElastiCacheClient,
    ElastiCacheServiceException,
} from "@aws-sdk/client-elasticache";
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

import { archivedExportDays } from "../tools/audit/live";

const job = require("../component/lambda/exportSnapshot.js");

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;
const account = "123456789012";
const keyArn = `arn:aws:kms:us-east-1:${account}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const staging = "cache-staging-20261128000000000000000001";
const archive = "cache-archive-20261128000000000000000001";

// ---------------------------------------------------------------------------------------------
// Allowed request values, from the API references named above.
// ---------------------------------------------------------------------------------------------
const allowed = {
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

function s3Error(name: string, status: number, message: string): S3ServiceException {
    return new S3ServiceException({ name, $fault: "client", $metadata: { httpStatusCode: status }, message });
}

function elastiCacheError(name: string, status: number, message: string): ElastiCacheServiceException {
    return new ElastiCacheServiceException({ name, $fault: "client", $metadata: { httpStatusCode: status }, message });
}

class World {
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
function snapshot(name: string, time: string, status = "available", shards = 1) {
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

function install(world: World) {
    const elasticache = new ElastiCacheClient({
        region: "us-east-1",
        credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" },
    });
    const s3 = new S3Client({
        region: "us-east-1",
        credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" },
    });
    const ec = mockClient(elasticache);
    const s = mockClient(s3);

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

    return { clients: { elasticache, s3 }, ec, s };
}

const options = (world: World, extra: Record<string, unknown> = {}) => ({
    replicationGroupId: "cache",
    stagingBucket: staging,
    archiveBucket: archive,
    prefix: "snapshots",
    kmsKeyArn: keyArn,
    now: world.now,
    ...extra,
});

/** Every request to the archive that writes data must ask for SSE-KMS under the customer key. */
function assertArchiveWritesUseTheKey(s: ReturnType<typeof mockClient>) {
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

describe("Snapshot archive job", () => {
    let world: World;
    let env: ReturnType<typeof install>;
    let log: typeof console.log;
    beforeEach(() => {
        world = new World();
        env = install(world);
        log = console.log;
        console.log = () => undefined;
    });
    afterEach(() => {
        console.log = log;
        env.ec.restore();
        env.s.restore();
    });
    /** A test whose every request must also be one the API references allow. */
    const it = (title: string, body: () => Promise<void>) =>
        globalThis.it(title, async () => {
            await body();
            assert.deepStrictEqual(world.violations, [], "requests outside what the API references allow");
        });

    const run = (extra: Record<string, unknown> = {}) => job.runExport(env.clients, options(world, extra));

    it("requests the export of the newest available automatic snapshot, across pages, into staging", async () => {
        world.describePageSize = 1;
        world.snapshots = [
            snapshot("automatic.cache-2026-11-26-05-00", "2026-11-26T05:10:00Z"),
            snapshot("automatic.cache-2026-11-28-05-00", "2026-11-28T05:10:00Z", "creating"),
            snapshot("automatic.cache-2026-11-27-05-00", "2026-11-27T05:10:00Z"),
        ];
        const result = await run();
        assert.strictEqual(result.snapshot, "automatic.cache-2026-11-27-05-00");
        assert.strictEqual(result.request.status, "requested");
        const describes = env.ec.commandCalls(DescribeSnapshotsCommand).map((c) => c.args[0].input);
        assert.strictEqual(describes.length, 3, "every page is read");
        assert.ok(describes.every((d) => d.SnapshotSource === "system" && d.ReplicationGroupId === "cache"));
        assert.deepStrictEqual(
            describes.map((d) => d.Marker),
            [undefined, "m1", "m2"],
        );
        assert.strictEqual(world.copySnapshotRequests.length, 1);
        const request = world.copySnapshotRequests[0];
        assert.strictEqual(request.SourceSnapshotName, "automatic.cache-2026-11-27-05-00");
        assert.strictEqual(request.TargetBucket, staging);
        // The request is recorded before CopySnapshot, in the archive, under the customer key.
        const marker = world.marker(`snapshots/${request.TargetSnapshotName}.export.json`);
        assert.strictEqual(marker.status, "requested");
        assert.strictEqual(marker.snapshotName, "automatic.cache-2026-11-27-05-00");
        assert.strictEqual(marker.target, request.TargetSnapshotName);
        assert.strictEqual(marker.expectedObjects, 1);
        assert.ok(new Date(marker.requestedAt).getTime() <= world.now.getTime());
        assertArchiveWritesUseTheKey(env.s);
    });

    it("two overlapping runs request one export; a later run does not request it again", async () => {
        world.snapshots = [snapshot("automatic.cache-2026-11-28-05-00", "2026-11-28T05:10:00Z")];
        const [a, b] = await Promise.all([run(), run()]);
        assert.deepStrictEqual([a.request.status, b.request.status].sort(), ["already requested", "requested"]);
        assert.strictEqual(world.copySnapshotRequests.length, 1, "CopySnapshot once");
        const again = await run();
        assert.strictEqual(again.request.status, "already requested");
        assert.strictEqual(world.copySnapshotRequests.length, 1);
    });

    it("next run: confirms the arrived export of every shard, archives it with SSE-KMS, verifies, deletes the staged copy", async () => {
        world.snapshots = [snapshot("automatic.cache-2026-11-27-05-00", "2026-11-27T05:10:00Z", "available", 2)];
        world.now = new Date("2026-11-27T08:00:00Z");
        await run();
        const target = world.copySnapshotRequests[0].TargetSnapshotName;
        world.tick(20 * 60 * 1000);
        world.deliver(target, [{ size: 7 * MiB }, { size: 9 * MiB }]);
        // The next day: yesterday's export is confirmed, today's is requested.
        world.now = new Date("2026-11-28T08:00:00Z");
        world.snapshots.push(snapshot("automatic.cache-2026-11-28-05-00", "2026-11-28T05:10:00Z", "available", 2));
        const result = await run();
        assert.deepStrictEqual(result.confirmed, [target]);
        assert.strictEqual(result.snapshot, "automatic.cache-2026-11-28-05-00");
        assert.strictEqual(result.request.status, "requested");
        const archived = world.buckets.get(archive)!;
        for (const [file, size] of [
            [`${target}-0001.rdb`, 7 * MiB],
            [`${target}-0002.rdb`, 9 * MiB],
        ] as const) {
            const copy = archived.get(`snapshots/${file}`);
            assert.ok(copy, `snapshots/${file} archived`);
            assert.strictEqual(copy.size, size);
            assert.strictEqual(copy.sse, "aws:kms");
            assert.strictEqual(copy.kmsKeyId, keyArn);
            assert.ok(!world.buckets.get(staging)!.has(file), `${file} removed from staging`);
        }
        const marker = world.marker(`snapshots/${target}.export.json`);
        assert.strictEqual(marker.status, "archived");
        assert.deepStrictEqual(
            marker.objects.map((o: any) => [o.key, o.size]),
            [
                [`snapshots/${target}-0001.rdb`, 7 * MiB],
                [`snapshots/${target}-0002.rdb`, 9 * MiB],
            ],
        );
        const copies = env.s.commandCalls(CopyObjectCommand).map((c) => c.args[0].input);
        assert.ok(copies.every((c) => c.CopySource!.startsWith(`${staging}/`) && c.CopySourceIfMatch));
        assert.strictEqual(env.s.commandCalls(HeadObjectCommand).length, 2, "each copy verified");
        assertArchiveWritesUseTheKey(env.s);
    });

    it("the audit counts a day only once the job has archived the export, not when it wrote its request marker", async () => {
        // The archive as ListObjectsV2 would list it to the audit.
        const listing = () =>
            [...world.buckets.get(archive)!.entries()]
                .filter(([key]) => key.startsWith("snapshots/"))
                .map(([Key, o]) => ({ Key, LastModified: o.lastModified, Size: o.size }));
        world.snapshots = [snapshot("automatic.cache-2026-11-27-05-00", "2026-11-27T05:10:00Z")];
        world.now = new Date("2026-11-27T08:00:00Z");
        await run();
        const target = world.copySnapshotRequests[0].TargetSnapshotName;
        // The run requested an export and left its marker; nothing is archived yet.
        assert.ok(world.marker(`snapshots/${target}.export.json`));
        assert.deepStrictEqual(archivedExportDays(listing()), []);
        // A later run the same day, still before the export arrives: still nothing archived.
        world.now = new Date("2026-11-27T10:00:00Z");
        assert.deepStrictEqual((await run()).pending, [target]);
        assert.deepStrictEqual(archivedExportDays(listing()), []);
        world.deliver(target, [{ size: 3 * MiB }]);
        world.tick(60 * 1000);
        assert.deepStrictEqual((await run()).confirmed, [target]);
        assert.deepStrictEqual(archivedExportDays(listing()), ["2026-11-27"]);
    });

    it("copies an export above 5 GB with UploadPartCopy, in parts S3 accepts", async () => {
        const size = 11 * GiB + 123;
        world.snapshots = [snapshot("automatic.cache-2026-11-27-05-00", "2026-11-27T05:10:00Z")];
        world.now = new Date("2026-11-27T08:00:00Z");
        await run();
        const target = world.copySnapshotRequests[0].TargetSnapshotName;
        world.tick(60 * 60 * 1000);
        world.deliver(target, [{ size }]);
        world.tick(60 * 60 * 1000);
        const result = await run();
        assert.deepStrictEqual(result.confirmed, [target]);
        assert.strictEqual(env.s.commandCalls(CopyObjectCommand).length, 0, "CopyObject stops at 5 GB");
        const parts = env.s.commandCalls(UploadPartCopyCommand).map((c) => c.args[0].input);
        assert.ok(parts.length >= 3);
        const copy = world.buckets.get(archive)!.get(`snapshots/${target}-0001.rdb`)!;
        assert.strictEqual(copy.size, size);
        assert.strictEqual(copy.sse, "aws:kms");
        assert.strictEqual(copy.kmsKeyId, keyArn);
        assert.strictEqual(world.uploads.size, 0, "no upload left open");
        assertArchiveWritesUseTheKey(env.s);
    });

    it("waits for a late export, then marks it missing and fails so the Errors alarm fires", async () => {
        world.snapshots = [snapshot("automatic.cache-2026-11-27-05-00", "2026-11-27T05:10:00Z")];
        world.now = new Date("2026-11-27T08:00:00Z");
        await run();
        const target = world.copySnapshotRequests[0].TargetSnapshotName;
        // An empty file and one written before the request do not count as the export.
        world.deliver(target, [{ size: 0 }]);
        world.buckets.get(staging)!.get(`${target}-0001.rdb`)!.lastModified = new Date("2026-11-27T07:00:00Z");
        world.now = new Date("2026-11-27T10:00:00Z");
        const early = await run();
        assert.deepStrictEqual(early.pending, [target], "within the wait: pending, no failure");
        world.now = new Date("2026-11-28T08:00:00Z");
        world.snapshots.push(snapshot("automatic.cache-2026-11-28-05-00", "2026-11-28T05:10:00Z"));
        await assert.rejects(
            run(),
            new RegExp(
                `the export of automatic\\.cache-2026-11-27-05-00 requested at 2026-11-27T08:00:0\\d\\.\\d+Z has not arrived in ` +
                    `s3://${staging} after 24 h \\(0 of 1 file\\(s\\) ${target}-NNNN\\.rdb; ignored as empty or older than the ` +
                    `request: ${target}-0001\\.rdb\\)`,
            ),
        );
        assert.strictEqual(world.marker(`snapshots/${target}.export.json`).status, "missing");
        // Today's export was still requested, and the missing one alarms once, not every day.
        assert.strictEqual(world.copySnapshotRequests.length, 2);
        world.tick(60 * 1000);
        const after = await run();
        assert.deepStrictEqual(after.missing, []);
    });

    it("keeps the staged copy and fails when the archived copy is not encrypted with the customer key", async () => {
        world.snapshots = [snapshot("automatic.cache-2026-11-27-05-00", "2026-11-27T05:10:00Z")];
        world.now = new Date("2026-11-27T08:00:00Z");
        await run();
        const target = world.copySnapshotRequests[0].TargetSnapshotName;
        world.tick(3600e3);
        world.deliver(target, [{ size: 3 * MiB }]);
        world.tick(3600e3);
        world.headOverride = { ServerSideEncryption: "AES256", SSEKMSKeyId: undefined };
        await assert.rejects(
            run(),
            new RegExp(
                `archiving the export ${target} failed: Error: archived copy s3://${archive}/snapshots/${target}-0001\\.rdb ` +
                    `failed verification: encryption AES256 instead of aws:kms, KMS key undefined instead of ${keyArn}`,
            ),
        );
        assert.ok(world.buckets.get(staging)!.has(`${target}-0001.rdb`), "the staged copy stays for the next run");
        assert.strictEqual(world.marker(`snapshots/${target}.export.json`).status, "requested");
        // Once the archive behaves, the next run finishes the job.
        world.headOverride = undefined;
        world.tick(3600e3);
        const result = await run();
        assert.deepStrictEqual(result.confirmed, [target]);
    });

    it("finishes a run that archived the files but stopped before updating the marker", async () => {
        world.snapshots = [snapshot("automatic.cache-2026-11-27-05-00", "2026-11-27T05:10:00Z")];
        world.now = new Date("2026-11-27T08:00:00Z");
        await run();
        const target = world.copySnapshotRequests[0].TargetSnapshotName;
        world.buckets.get(archive)!.set(`snapshots/${target}-0001.rdb`, {
            size: 4 * MiB,
            lastModified: world.tick(3600e3),
            etag: world.nextEtag(),
            sse: "aws:kms",
            kmsKeyId: keyArn,
        });
        world.tick(3600e3);
        const result = await run();
        assert.deepStrictEqual(result.confirmed, [target]);
        assert.strictEqual(env.s.commandCalls(CopyObjectCommand).length, 0);
        assert.strictEqual(world.marker(`snapshots/${target}.export.json`).status, "archived");
    });

    it("fails when the newest automatic snapshot is too old, and still requests its export", async () => {
        world.snapshots = [snapshot("automatic.cache-2026-11-20-05-00", "2026-11-20T04:00:00Z")];
        await assert.rejects(
            run(),
            /the newest automatic snapshot automatic\.cache-2026-11-20-05-00 is 196 h old \(limit 36 h\): automatic backups have stopped/,
        );
        assert.strictEqual(world.copySnapshotRequests.length, 1);
    });

    it("fails when there is no automatic snapshot", async () => {
        world.snapshots = [
            { ...snapshot("manual-one", "2026-11-28T04:00:00Z"), SnapshotSource: "manual" },
            snapshot("automatic.cache-2026-11-28-05-00", "2026-11-28T05:10:00Z", "creating"),
        ];
        await assert.rejects(run(), /no available automatic snapshot of cache: check that automatic backups run/);
        assert.strictEqual(world.copySnapshotRequests.length, 0);
    });

    it("records a rejected CopySnapshot, fails, and lets the next run request it again", async () => {
        world.snapshots = [snapshot("automatic.cache-2026-11-28-05-00", "2026-11-28T05:10:00Z")];
        world.copySnapshotFailure = elastiCacheError(
            "InvalidParameterCombination",
            400,
            "ElastiCache has not been granted WRITE permissions on the S3 Bucket",
        );
        await assert.rejects(
            run(),
            new RegExp(
                `CopySnapshot of automatic\\.cache-2026-11-28-05-00 to s3://${staging} failed: InvalidParameterCombination: ` +
                    "ElastiCache has not been granted WRITE permissions on the S3 Bucket",
            ),
        );
        const target = world.copySnapshotRequests[0].TargetSnapshotName;
        assert.strictEqual(world.marker(`snapshots/${target}.export.json`).status, "request-failed");
        world.copySnapshotFailure = undefined;
        world.tick(600e3);
        const retry = await run();
        assert.strictEqual(retry.request.status, "requested");
        assert.strictEqual(world.copySnapshotRequests.length, 2);
        assert.strictEqual(world.marker(`snapshots/${target}.export.json`).status, "requested");
    });

    it("names every missing or bad setting and what to set", async () => {
        await assert.rejects(
            job.runExport(env.clients, { replicationGroupId: "cache", kmsKeyArn: "alias/archive" }),
            (err: Error) => {
                assert.strictEqual(
                    err.message,
                    [
                        "snapshot export job misconfigured:",
                        "  - STAGING_BUCKET is not set: set it to the bucket ElastiCache exports into (the HitrustRedis component sets it)",
                        "  - ARCHIVE_BUCKET is not set: set it to the SSE-KMS archive bucket (the HitrustRedis component sets it)",
                        '  - ARCHIVE_KMS_KEY_ARN "alias/archive" is not a KMS key ARN: use arn:<partition>:kms:<region>:<account>:key/<id>',
                    ].join("\n"),
                );
                return true;
            },
        );
    });

    it("passes AWS errors through as the run's failure", async () => {
        world.snapshots = [snapshot("automatic.cache-2026-11-28-05-00", "2026-11-28T05:10:00Z")];
        env.s.on(ListObjectsV2Command).rejects(s3Error("AccessDenied", 403, "Access Denied"));
        await assert.rejects(run(), /Access Denied/);
    });
});

describe("Snapshot archive job: the Lambda handler", () => {
    it("reads its settings from the environment and builds the runtime's SDK clients", async () => {
        const ec = mockClient(ElastiCacheClient);
        const s = mockClient(S3Client);
        const saved = { ...process.env };
        const log = console.log;
        const logged: string[] = [];
        console.log = (line: string) => logged.push(line);
        try {
            Object.assign(process.env, {
                REPLICATION_GROUP_ID: "cache",
                STAGING_BUCKET: staging,
                ARCHIVE_BUCKET: archive,
                ARCHIVE_PREFIX: "snapshots",
                ARCHIVE_KMS_KEY_ARN: keyArn,
                AWS_REGION: "us-east-1",
            });
            s.on(ListObjectsV2Command).resolves({ KeyCount: 0, IsTruncated: false });
            ec.on(DescribeSnapshotsCommand).resolves({ Snapshots: [] });
            await assert.rejects(job.handler(), /no available automatic snapshot of cache/);
            assert.deepStrictEqual(
                s.commandCalls(ListObjectsV2Command).map((c) => [c.args[0].input.Bucket, c.args[0].input.Prefix]),
                [[archive, "snapshots/"]],
            );
            assert.strictEqual(ec.commandCalls(DescribeSnapshotsCommand)[0].args[0].input.ReplicationGroupId, "cache");
            assert.match(logged.join("\n"), /"replicationGroupId":"cache"/);
        } finally {
            console.log = log;
            process.env = saved;
            ec.restore();
            s.restore();
        }
    });

    it("takes the optional limits from the environment as numbers", () => {
        assert.deepStrictEqual(
            job.optionsFromEnvironment({
                REPLICATION_GROUP_ID: "cache",
                STAGING_BUCKET: staging,
                ARCHIVE_BUCKET: archive,
                ARCHIVE_KMS_KEY_ARN: keyArn,
                EXPORT_TIMEOUT_HOURS: "8",
            }),
            {
                replicationGroupId: "cache",
                stagingBucket: staging,
                archiveBucket: archive,
                prefix: "snapshots",
                kmsKeyArn: keyArn,
                exportTimeoutHours: 8,
            },
        );
    });
});
