// The daily archive job. It runs on AWS Lambda's Node.js 24 runtime (`lambdaNodeRuntime` in
// component/snapshotExport.ts) and uses the AWS SDK for JavaScript v3 that the runtime bundles
// (Lambda developer guide, "Building Lambda functions with Node.js": Node.js 18 and later runtimes
// include SDK v3). The logic takes its clients as arguments, so tests drive it with the real SDK
// clients mocked at the command level.
//
// Why two buckets: ElastiCache writes an export as its own canonical user (an AWS-owned account),
// which our KMS key policy cannot name, so it cannot write into the SSE-KMS archive. It exports
// into a private staging bucket (SSE-S3); this job then copies each confirmed export into the
// archive under the customer key, verifies the copy and deletes the staged one.
//
// Each run:
//   1. confirms the exports requested by earlier runs (a marker object per request in the
//      archive): once every `<target>-NNNN.rdb` has arrived in staging (non-empty, written after
//      the request), it copies them into the archive with SSE-KMS, checks each copy with
//      HeadObject, deletes the staged copies and marks the request archived; an export that has
//      not arrived after `exportTimeoutHours` is marked missing and fails the run;
//   2. requests the export of the newest available automatic snapshot unless a marker exists,
//      claiming the marker with a conditional write first, so two overlapping runs never both
//      call CopySnapshot (S3 user guide, "How to prevent object overwrites with conditional
//      writes": If-None-Match / If-Match, 412 Precondition Failed, 409 on a concurrent conflict);
//   3. fails when the newest automatic snapshot is older than `maxSnapshotAgeHours`.
// Any failure throws after the rest of the work is done, so the Lambda's Errors alarm fires.
"use strict";

const elasticacheSdk = require("@aws-sdk/client-elasticache");
const s3Sdk = require("@aws-sdk/client-s3");

const GiB = 1024 ** 3;

/**
 * S3 copies an object of up to 5 GB in one CopyObject request; larger objects need a multipart
 * upload with UploadPartCopy (S3 user guide, "Copying an object using multipart upload"; API
 * reference, CopyObject). Parts are 5 MiB to 5 GiB, at most 10,000 (S3 user guide, "Amazon S3
 * multipart upload limits").
 */
const copyObjectLimitBytes = 5 * GiB;
const partSizeBytes = 1 * GiB;
const partCopyConcurrency = 4;

const defaults = { maxSnapshotAgeHours: 36, exportTimeoutHours: 6, markerLookbackDays: 7 };
const markerSuffix = ".export.json";
const markerSchema = 1;

/** The time a snapshot was taken: the newest of its node snapshots. */
function createdAt(snapshot) {
    const times = (snapshot.NodeSnapshots || [])
        .map((n) => (n.SnapshotCreateTime ? new Date(n.SnapshotCreateTime).getTime() : NaN))
        .filter((t) => !Number.isNaN(t));
    return times.length ? Math.max(...times) : NaN;
}

/**
 * The export's name, used as CopySnapshot's TargetSnapshotName. ElastiCache stores that name in
 * lower case and adds `-0001.rdb` (one file per shard) to it (ElastiCache guide, "Exporting a
 * backup"; API reference, CopySnapshot), so the name is lower case and made of letters, digits and
 * hyphens, and never starts with "automatic" (the prefix of ElastiCache's own snapshot names).
 */
function exportName(snapshotName) {
    const base = snapshotName
        .toLowerCase()
        .replace(/^automatic\./, "")
        .replace(/[^a-z0-9-]+/g, "-")
        .replace(/^-+|-+$/g, "");
    return `${base || "snapshot"}-export`;
}

/** How many .rdb files the export writes: one per node group (shard). */
function expectedObjectCount(snapshot) {
    if (Number.isInteger(snapshot.NumNodeGroups) && snapshot.NumNodeGroups > 0) {
        return snapshot.NumNodeGroups;
    }
    const groups = new Set((snapshot.NodeSnapshots || []).map((n) => n.NodeGroupId).filter(Boolean));
    return Math.max(groups.size, 1);
}

function escapeRegExp(text) {
    return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** The staged file name pattern of an export: `<target>-NNNN.rdb`. */
function exportFilePattern(target) {
    return new RegExp(`^${escapeRegExp(target)}-\\d{4}\\.rdb$`);
}

function hours(ms) {
    return Math.round(ms / 36e5);
}

function isConditionFailure(err) {
    const status = err && err.$metadata && err.$metadata.httpStatusCode;
    return (
        status === 412 ||
        status === 409 ||
        (err && (err.name === "PreconditionFailed" || err.name === "ConditionalRequestConflict"))
    );
}

function isNotFound(err) {
    const status = err && err.$metadata && err.$metadata.httpStatusCode;
    return status === 404 || (err && (err.name === "NoSuchKey" || err.name === "NotFound"));
}

/** The key ID part of a KMS key ARN, so an ARN and the ID S3 reports compare equal. */
function keyIdOf(key) {
    const match = /:key\/([^/]+)$/.exec(key || "");
    return match ? match[1] : key;
}

/** Checks the settings and names every missing or bad one, with what to set. */
function checkedOptions(options) {
    const problems = [];
    const required = [
        ["replicationGroupId", "REPLICATION_GROUP_ID", "the replication group whose snapshots are exported"],
        ["stagingBucket", "STAGING_BUCKET", "the bucket ElastiCache exports into"],
        ["archiveBucket", "ARCHIVE_BUCKET", "the SSE-KMS archive bucket"],
        ["kmsKeyArn", "ARCHIVE_KMS_KEY_ARN", "the ARN of the customer key that encrypts the archive"],
    ];
    for (const [field, env, what] of required) {
        if (typeof options[field] !== "string" || options[field].trim() === "") {
            problems.push(`${env} is not set: set it to ${what} (the HitrustRedis component sets it)`);
        }
    }
    if (options.kmsKeyArn && !/^arn:[a-z-]+:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/.test(options.kmsKeyArn)) {
        problems.push(
            `ARCHIVE_KMS_KEY_ARN "${options.kmsKeyArn}" is not a KMS key ARN: use arn:<partition>:kms:<region>:<account>:key/<id>`,
        );
    }
    const resolved = { ...defaults, prefix: "snapshots", ...options };
    for (const field of ["maxSnapshotAgeHours", "exportTimeoutHours", "markerLookbackDays"]) {
        if (!(Number.isFinite(resolved[field]) && resolved[field] > 0)) {
            problems.push(`${field} must be a positive number, got ${resolved[field]}`);
        }
    }
    if (problems.length) {
        throw new Error(`snapshot export job misconfigured:\n  - ${problems.join("\n  - ")}`);
    }
    return { ...resolved, prefix: resolved.prefix.replace(/\/+$/, ""), now: resolved.now || new Date() };
}

/** Every object under a prefix, across pages. */
async function listAll(s3, bucket, prefix) {
    const found = [];
    let token;
    do {
        const page = await s3.send(
            new s3Sdk.ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token, MaxKeys: 1000 }),
        );
        found.push(...(page.Contents || []));
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return found;
}

/** Every available automatic snapshot of the group, across pages. */
async function automaticSnapshots(elasticache, replicationGroupId) {
    const found = [];
    let marker;
    do {
        const page = await elasticache.send(
            new elasticacheSdk.DescribeSnapshotsCommand({
                ReplicationGroupId: replicationGroupId,
                // Request values are `system` (automatic) or `user` (manual); `automated` and
                // `manual` only appear in responses (API reference, DescribeSnapshots).
                SnapshotSource: "system",
                MaxRecords: 50,
                Marker: marker,
            }),
        );
        for (const s of page.Snapshots || []) {
            if (s.SnapshotStatus === "available" && s.SnapshotName && !Number.isNaN(createdAt(s))) {
                found.push(s);
            }
        }
        marker = page.Marker;
    } while (marker);
    return found;
}

/** A marker: the durable record of one export request, kept in the archive beside the export. */
async function readMarker(s3, o, key) {
    try {
        const got = await s3.send(new s3Sdk.GetObjectCommand({ Bucket: o.archiveBucket, Key: key }));
        const body = JSON.parse(await got.Body.transformToString());
        return { key, etag: got.ETag, body };
    } catch (err) {
        if (isNotFound(err)) {
            return undefined;
        }
        throw err;
    }
}

/** Writes a marker only if the condition holds; false when another run got there first. */
async function writeMarker(s3, o, key, body, condition) {
    try {
        const put = await s3.send(
            new s3Sdk.PutObjectCommand({
                Bucket: o.archiveBucket,
                Key: key,
                Body: JSON.stringify(body, null, 2),
                ContentType: "application/json",
                ServerSideEncryption: "aws:kms",
                SSEKMSKeyId: o.kmsKeyArn,
                BucketKeyEnabled: true,
                ChecksumAlgorithm: "SHA256",
                ...condition,
            }),
        );
        return { key, etag: put.ETag, body };
    } catch (err) {
        if (isConditionFailure(err)) {
            return undefined;
        }
        throw err;
    }
}

const archiveEncryption = (o) => ({
    ServerSideEncryption: "aws:kms",
    SSEKMSKeyId: o.kmsKeyArn,
    BucketKeyEnabled: true,
    ChecksumAlgorithm: "SHA256",
});

/** Copies one staged export into the archive under the customer key. */
async function copyToArchive(s3, o, staged, archiveKey) {
    const copySource = `${o.stagingBucket}/${encodeURIComponent(staged.Key)}`;
    if (staged.Size <= copyObjectLimitBytes) {
        await s3.send(
            new s3Sdk.CopyObjectCommand({
                Bucket: o.archiveBucket,
                Key: archiveKey,
                CopySource: copySource,
                CopySourceIfMatch: staged.ETag,
                MetadataDirective: "COPY",
                ...archiveEncryption(o),
            }),
        );
        return;
    }
    const { UploadId } = await s3.send(
        new s3Sdk.CreateMultipartUploadCommand({ Bucket: o.archiveBucket, Key: archiveKey, ...archiveEncryption(o) }),
    );
    try {
        const ranges = [];
        for (let start = 0; start < staged.Size; start += partSizeBytes) {
            ranges.push([start, Math.min(start + partSizeBytes, staged.Size) - 1]);
        }
        const parts = new Array(ranges.length);
        let next = 0;
        const worker = async () => {
            while (next < ranges.length) {
                const i = next++;
                const [first, last] = ranges[i];
                const result = await s3.send(
                    new s3Sdk.UploadPartCopyCommand({
                        Bucket: o.archiveBucket,
                        Key: archiveKey,
                        UploadId,
                        PartNumber: i + 1,
                        CopySource: copySource,
                        CopySourceIfMatch: staged.ETag,
                        CopySourceRange: `bytes=${first}-${last}`,
                    }),
                );
                const part = result.CopyPartResult || {};
                parts[i] = { PartNumber: i + 1, ETag: part.ETag, ChecksumSHA256: part.ChecksumSHA256 };
            }
        };
        await Promise.all(Array.from({ length: Math.min(partCopyConcurrency, ranges.length) }, worker));
        await s3.send(
            new s3Sdk.CompleteMultipartUploadCommand({
                Bucket: o.archiveBucket,
                Key: archiveKey,
                UploadId,
                MultipartUpload: { Parts: parts },
            }),
        );
    } catch (err) {
        await s3
            .send(new s3Sdk.AbortMultipartUploadCommand({ Bucket: o.archiveBucket, Key: archiveKey, UploadId }))
            .catch(() => undefined);
        throw err;
    }
}

/** Checks an archived copy: its size, and that it is encrypted with the customer key. */
async function verifyArchived(s3, o, archiveKey, expectedSize) {
    const head = await s3.send(new s3Sdk.HeadObjectCommand({ Bucket: o.archiveBucket, Key: archiveKey }));
    const problems = [];
    if (expectedSize !== undefined && head.ContentLength !== expectedSize) {
        problems.push(`size ${head.ContentLength} instead of ${expectedSize}`);
    }
    if (head.ContentLength === 0) {
        problems.push("it is empty");
    }
    if (head.ServerSideEncryption !== "aws:kms") {
        problems.push(`encryption ${head.ServerSideEncryption} instead of aws:kms`);
    }
    if (keyIdOf(head.SSEKMSKeyId) !== keyIdOf(o.kmsKeyArn)) {
        problems.push(`KMS key ${head.SSEKMSKeyId} instead of ${o.kmsKeyArn}`);
    }
    if (problems.length) {
        throw new Error(
            `archived copy s3://${o.archiveBucket}/${archiveKey} failed verification: ${problems.join(", ")}`,
        );
    }
    return { key: archiveKey, size: head.ContentLength, versionId: head.VersionId, etag: head.ETag };
}

/**
 * Confirms one requested export: archives it once every file has arrived, marks it missing once
 * the wait is over. Returns "archived", "pending", "missing" or "superseded" (another run
 * updated the marker first).
 */
async function confirmExport(s3, o, marker, problems) {
    const m = marker.body;
    const requestedAt = new Date(m.requestedAt).getTime();
    const pattern = exportFilePattern(m.target);
    const stagedAll = (await listAll(s3, o.stagingBucket, `${m.target}-`)).filter((s) => pattern.test(s.Key));
    const arrived = stagedAll.filter((s) => s.Size > 0 && new Date(s.LastModified).getTime() > requestedAt);
    const archivePrefix = `${o.prefix}/`;
    const alreadyArchived = (await listAll(s3, o.archiveBucket, `${archivePrefix}${m.target}-`))
        .map((a) => a.Key.slice(archivePrefix.length))
        .filter((name) => pattern.test(name));
    const names = new Set([...arrived.map((s) => s.Key), ...alreadyArchived]);
    if (names.size < m.expectedObjects) {
        const waited = o.now.getTime() - requestedAt;
        if (waited <= o.exportTimeoutHours * 36e5) {
            return "pending";
        }
        const ignored = stagedAll.filter((s) => !arrived.includes(s)).map((s) => s.Key);
        const updated = await writeMarker(
            s3,
            o,
            marker.key,
            { ...m, status: "missing", checkedAt: o.now.toISOString(), found: [...names], ignored },
            { IfMatch: marker.etag },
        );
        if (!updated) {
            return "superseded";
        }
        problems.push(
            `the export of ${m.snapshotName} requested at ${m.requestedAt} has not arrived in s3://${o.stagingBucket} ` +
                `after ${hours(waited)} h (${names.size} of ${m.expectedObjects} file(s) ${m.target}-NNNN.rdb` +
                `${ignored.length ? `; ignored as empty or older than the request: ${ignored.join(", ")}` : ""}): ` +
                "check the ElastiCache events of the group and the staging bucket's grants",
        );
        return "missing";
    }
    const archived = [];
    for (const staged of arrived) {
        const archiveKey = `${archivePrefix}${staged.Key}`;
        await copyToArchive(s3, o, staged, archiveKey);
        archived.push({ ...(await verifyArchived(s3, o, archiveKey, staged.Size)), staged: staged.Key });
    }
    const stagedNames = new Set(arrived.map((s) => s.Key));
    for (const name of alreadyArchived.filter((n) => !stagedNames.has(n))) {
        archived.push(await verifyArchived(s3, o, `${archivePrefix}${name}`, undefined));
    }
    for (const staged of arrived) {
        await s3.send(new s3Sdk.DeleteObjectCommand({ Bucket: o.stagingBucket, Key: staged.Key }));
    }
    const updated = await writeMarker(
        s3,
        o,
        marker.key,
        { ...m, status: "archived", archivedAt: o.now.toISOString(), objects: archived },
        { IfMatch: marker.etag },
    );
    return updated ? "archived" : "superseded";
}

/** Requests the export of one snapshot, once, however many runs overlap. */
async function requestExport(clients, o, snapshot, existing) {
    const target = exportName(snapshot.SnapshotName);
    const key = `${o.prefix}/${target}${markerSuffix}`;
    const body = {
        schema: markerSchema,
        replicationGroupId: o.replicationGroupId,
        snapshotName: snapshot.SnapshotName,
        snapshotCreatedAt: new Date(createdAt(snapshot)).toISOString(),
        target,
        stagingBucket: o.stagingBucket,
        expectedObjects: expectedObjectCount(snapshot),
        requestedAt: o.now.toISOString(),
        status: "requested",
    };
    // A request whose CopySnapshot call failed may be claimed again; any other marker stands.
    const condition = existing ? { IfMatch: existing.etag } : { IfNoneMatch: "*" };
    const claimed = await writeMarker(clients.s3, o, key, body, condition);
    if (!claimed) {
        return { status: "already requested", target };
    }
    try {
        await clients.elasticache.send(
            new elasticacheSdk.CopySnapshotCommand({
                SourceSnapshotName: snapshot.SnapshotName,
                TargetSnapshotName: target,
                TargetBucket: o.stagingBucket,
            }),
        );
    } catch (err) {
        await writeMarker(
            clients.s3,
            o,
            key,
            { ...body, status: "request-failed", error: `${err.name}: ${err.message}` },
            { IfMatch: claimed.etag },
        );
        throw new Error(
            `CopySnapshot of ${snapshot.SnapshotName} to s3://${o.stagingBucket} failed: ${err.name}: ${err.message}`,
        );
    }
    return { status: "requested", target };
}

/**
 * One run of the job. `clients` are an ElastiCacheClient and an S3Client (or anything with the
 * same `send`); `options` as `optionsFromEnvironment` returns them, plus `now` for tests.
 */
async function runExport(clients, options) {
    const o = checkedOptions(options);
    const problems = [];
    const result = { confirmed: [], pending: [], missing: [] };

    // 1. Confirm what earlier runs requested.
    const archivePrefix = `${o.prefix}/`;
    const listed = await listAll(clients.s3, o.archiveBucket, archivePrefix);
    const markerKeys = new Set(listed.filter((x) => x.Key.endsWith(markerSuffix)).map((x) => x.Key));
    const recent = listed.filter(
        (x) =>
            x.Key.endsWith(markerSuffix) &&
            o.now.getTime() - new Date(x.LastModified).getTime() <= o.markerLookbackDays * 864e5,
    );
    for (const entry of recent) {
        const marker = await readMarker(clients.s3, o, entry.Key);
        if (!marker || marker.body.status !== "requested") {
            continue;
        }
        try {
            const outcome = await confirmExport(clients.s3, o, marker, problems);
            if (outcome === "archived") {
                result.confirmed.push(marker.body.target);
            } else if (outcome === "pending") {
                result.pending.push(marker.body.target);
            } else if (outcome === "missing") {
                result.missing.push(marker.body.target);
            }
        } catch (err) {
            problems.push(`archiving the export ${marker.body.target} failed: ${err.name}: ${err.message}`);
        }
    }

    // 2. Request today's export.
    const snapshots = await automaticSnapshots(clients.elasticache, o.replicationGroupId);
    if (snapshots.length === 0) {
        problems.push(`no available automatic snapshot of ${o.replicationGroupId}: check that automatic backups run`);
    } else {
        const newest = snapshots.reduce((a, b) => (createdAt(b) > createdAt(a) ? b : a));
        result.snapshot = newest.SnapshotName;
        const markerKey = `${archivePrefix}${exportName(newest.SnapshotName)}${markerSuffix}`;
        const existing = markerKeys.has(markerKey) ? await readMarker(clients.s3, o, markerKey) : undefined;
        if (existing && existing.body.status !== "request-failed") {
            result.request = { status: `already ${existing.body.status}`, target: existing.body.target };
        } else {
            try {
                result.request = await requestExport(clients, o, newest, existing);
            } catch (err) {
                problems.push(err.message);
            }
        }
        // 3. Backups that stopped are a failure even when today's export is done.
        const age = o.now.getTime() - createdAt(newest);
        if (age > o.maxSnapshotAgeHours * 36e5) {
            problems.push(
                `the newest automatic snapshot ${newest.SnapshotName} is ${hours(age)} h old (limit ${o.maxSnapshotAgeHours} h): ` +
                    "automatic backups have stopped; check the group's snapshot window and retention",
            );
        }
    }
    console.log(JSON.stringify({ replicationGroupId: o.replicationGroupId, ...result, problems }));
    if (problems.length) {
        throw new Error(`snapshot export of ${o.replicationGroupId} failed:\n  - ${problems.join("\n  - ")}`);
    }
    return result;
}

/** The job's settings, from the function's environment. */
function optionsFromEnvironment(env) {
    const number = (name) => (env[name] === undefined || env[name] === "" ? undefined : Number(env[name]));
    const options = {
        replicationGroupId: env.REPLICATION_GROUP_ID,
        stagingBucket: env.STAGING_BUCKET,
        archiveBucket: env.ARCHIVE_BUCKET,
        prefix: env.ARCHIVE_PREFIX || "snapshots",
        kmsKeyArn: env.ARCHIVE_KMS_KEY_ARN,
        maxSnapshotAgeHours: number("MAX_SNAPSHOT_AGE_HOURS"),
        exportTimeoutHours: number("EXPORT_TIMEOUT_HOURS"),
    };
    return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
}

/** The Lambda entry point: the runtime's AWS SDK v3 clients, settings from the environment. */
async function handler() {
    const clients = { elasticache: new elasticacheSdk.ElastiCacheClient({}), s3: new s3Sdk.S3Client({}) };
    return runExport(clients, optionsFromEnvironment(process.env));
}

module.exports = {
    handler,
    runExport,
    optionsFromEnvironment,
    exportName,
    expectedObjectCount,
    createdAt,
    copyObjectLimitBytes,
    partSizeBytes,
    defaults,
};
