// The snapshot archive job. It runs on AWS Lambda's Node.js 24 runtime (`lambdaNodeRuntime` in
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
// Each run, cheapest and most important first, so a long copy can never starve the rest:
//   1. requests the export of EVERY available automatic snapshot that is not archived or already
//      requested (newest first, at most `maxRequestsPerRun` outstanding), so a backup that was still
//      running at the last run, or an export that went missing, is picked up by the next run. The
//      request is recorded by a marker object per snapshot in the archive, claimed with a
//      conditional write before CopySnapshot, so overlapping runs never both call it (S3 user guide,
//      "How to prevent object overwrites with conditional writes": If-None-Match / If-Match, 412
//      Precondition Failed, 409 on a concurrent conflict). A retry uses a new TargetSnapshotName:
//      CopySnapshot refuses a name whose object already exists in the bucket (API reference,
//      CopySnapshot, error "The S3 bucket %s already contains an object with key %s");
//   2. publishes the age of the newest archived backup as a CloudWatch metric (the component
//      alarms on it, missing data breaching), and fails when backups themselves stopped;
//   3. confirms the requested exports: once every `<target>-NNNN.rdb` has arrived in staging, it
//      copies each into the archive with SSE-KMS, if the copy fits the time this invocation has
//      left; any copy that does not (above CopyObject's 5 GB, or too little time left) is handed
//      to the copy state machine (Step Functions, UploadPartCopy in parts, see
//      component/snapshotExport.ts for why), whose execution later runs check. Once every file is
//      in the archive it verifies each copy with HeadObject, deletes the staged files and marks the
//      snapshot archived. An export that has not arrived after `exportTimeoutHours` is marked
//      missing (and requested again by the next run while ElastiCache keeps the snapshot).
// Any failure throws after the rest of the work is done, so the Lambda's Errors alarm fires.
"use strict";

const crypto = require("crypto");
const elasticacheSdk = require("@aws-sdk/client-elasticache");
const s3Sdk = require("@aws-sdk/client-s3");
const sfnSdk = require("@aws-sdk/client-sfn");
const cloudwatchSdk = require("@aws-sdk/client-cloudwatch");

const MiB = 1024 ** 2;
const GiB = 1024 ** 3;

/**
 * S3 copies an object of up to 5 GB in one CopyObject request; larger objects need a multipart
 * upload with UploadPartCopy (S3 API reference, CopyObject; S3 user guide, "Copying an object
 * using multipart upload"). Parts are 5 MiB to 5 GiB, at most 10,000 a upload (S3 user guide,
 * "Amazon S3 multipart upload limits").
 */
const copyObjectLimitBytes = 5 * GiB;
const minPartBytes = 5 * MiB;
const maxPartBytes = 5 * GiB;
/** The copy state machine's parts: 1 GiB, larger only when an object would need more than 1,000. */
const handoffPartBytes = 1 * GiB;
/**
 * At most 1,000 parts an execution: its input and the Map state's collected results stay well
 * inside Step Functions' 256 KiB payload quota, and its history (about ten events a part) inside
 * 25,000 events (Step Functions developer guide, "Step Functions service quotas"; "Using Map state
 * in Inline mode": up to 40 concurrent iterations, histories up to 25,000 entries). 1,000 parts of
 * 5 GiB reach 4.9 TiB, more than any ElastiCache node holds.
 */
const maxHandoffParts = 1000;

/** The metric the component alarms on (component/snapshotExport.ts `archiveAgeMetric`). */
const archiveAgeMetric = {
    namespace: "HitrustElastiCache/SnapshotArchive",
    metricName: "NewestArchivedBackupAge",
    unit: "Seconds",
};

const defaults = {
    maxSnapshotAgeHours: 36,
    exportTimeoutHours: 6,
    markerLookbackDays: 7,
    maxRequestsPerRun: 4,
    /**
     * The copy rate the job budgets for one CopyObject. S3 documents none; 16 MiB/s is a
     * conservative guess, so a 5 GiB copy is given 320 s. A copy whose budget does not fit the
     * time left goes to the copy state machine instead.
     */
    copyBytesPerSecond: 16 * MiB,
    /** Time kept back for the bookkeeping after the last copy. */
    reserveMs: 60e3,
};
const markerSuffix = ".export.json";
const markerSchema = 2;

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
 * The first attempt is `<base>-export`; a retry gets `<base>-export-retryN`, because CopySnapshot
 * refuses a name whose object already exists in the bucket.
 */
function exportName(snapshotName, attempt = 1) {
    const base = snapshotName
        .toLowerCase()
        .replace(/^automatic\./, "")
        .replace(/[^a-z0-9-]+/g, "-")
        .replace(/^-+|-+$/g, "");
    return `${base || "snapshot"}-export${attempt > 1 ? `-retry${attempt}` : ""}`;
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

function errorText(err) {
    return `${err && err.name}: ${err && err.message}`;
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

/**
 * CopySnapshot errors that mean "not now" rather than "never": the snapshot is busy
 * (InvalidSnapshotState), the snapshot quota is reached, or the call was throttled (API
 * reference, CopySnapshot errors; "Common Errors": Throttling). The snapshot stays due and the
 * next run asks again; the age alarm covers a state that never clears.
 */
function isTransientRequestFailure(err) {
    const name = (err && err.name) || "";
    return /^(InvalidSnapshotState|SnapshotQuotaExceeded)(Fault)?$/.test(name) || /Throttl/.test(name);
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
        ["copyStateMachineArn", "COPY_STATE_MACHINE_ARN", "the ARN of the state machine that copies large exports"],
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
    if (
        options.copyStateMachineArn &&
        !/^arn:[a-z-]+:states:[a-z0-9-]+:\d{12}:stateMachine:[A-Za-z0-9_-]{1,80}$/.test(options.copyStateMachineArn)
    ) {
        problems.push(
            `COPY_STATE_MACHINE_ARN "${options.copyStateMachineArn}" is not a state machine ARN: use arn:<partition>:states:<region>:<account>:stateMachine:<name>`,
        );
    }
    const resolved = { ...defaults, prefix: "snapshots", ...options };
    for (const field of [
        "maxSnapshotAgeHours",
        "exportTimeoutHours",
        "markerLookbackDays",
        "copyBytesPerSecond",
        "reserveMs",
    ]) {
        if (!(Number.isFinite(resolved[field]) && resolved[field] > 0)) {
            problems.push(`${field} must be a positive number, got ${resolved[field]}`);
        }
    }
    if (!(Number.isInteger(resolved.maxRequestsPerRun) && resolved.maxRequestsPerRun > 0)) {
        problems.push(`maxRequestsPerRun must be a positive whole number, got ${resolved.maxRequestsPerRun}`);
    }
    if (problems.length) {
        throw new Error(`snapshot export job misconfigured:\n  - ${problems.join("\n  - ")}`);
    }
    return {
        ...resolved,
        prefix: resolved.prefix.replace(/\/+$/, ""),
        now: resolved.now || new Date(),
        remainingMs: typeof resolved.remainingMs === "function" ? resolved.remainingMs : () => Infinity,
    };
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

/** A marker: the durable record of one snapshot's export, kept in the archive beside it. */
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

const archiveEncryption = (o) => ({
    ServerSideEncryption: "aws:kms",
    SSEKMSKeyId: o.kmsKeyArn,
    BucketKeyEnabled: true,
    ChecksumAlgorithm: "SHA256",
});

/** Writes a marker only if the condition holds; undefined when another run got there first. */
async function writeMarker(s3, o, key, body, condition) {
    try {
        const put = await s3.send(
            new s3Sdk.PutObjectCommand({
                Bucket: o.archiveBucket,
                Key: key,
                Body: JSON.stringify(body, null, 2),
                ContentType: "application/json",
                ...archiveEncryption(o),
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

/** The marker key of a snapshot: one per snapshot, whichever attempt exported it. */
function markerKeyOf(o, snapshotName) {
    return `${o.prefix}/${exportName(snapshotName)}${markerSuffix}`;
}

/**
 * The parts the copy state machine copies: contiguous byte ranges, each 5 MiB to 5 GiB except the
 * last, at most `maxHandoffParts` (S3 user guide, "Amazon S3 multipart upload limits").
 */
function copyParts(size) {
    if (!(Number.isSafeInteger(size) && size > 0)) {
        throw new Error(`cannot split an object of ${size} bytes into parts`);
    }
    const partSize = Math.max(handoffPartBytes, Math.ceil(size / maxHandoffParts / MiB) * MiB);
    if (partSize > maxPartBytes) {
        throw new Error(
            `an object of ${size} bytes needs more than ${maxHandoffParts} parts of 5 GiB: copy it by hand (S3 multipart upload limits)`,
        );
    }
    const parts = [];
    for (let start = 0; start < size; start += partSize) {
        const last = Math.min(start + partSize, size) - 1;
        parts.push({ PartNumber: parts.length + 1, CopySourceRange: `bytes=${start}-${last}` });
    }
    return parts;
}

/**
 * A Step Functions execution name: 1 to 80 characters of letters, digits, hyphens and
 * underscores, unique per state machine for 90 days (API reference, StartExecution `name`).
 * Derived from the staged object, its ETag and the try, so a repeated StartExecution for the same
 * copy is answered with the running execution instead of starting a second one (StartExecution
 * is idempotent for a Standard workflow given the same name and input).
 */
function executionName(stagedKey, etag, tries) {
    const hash = crypto.createHash("sha256").update(`${stagedKey}\n${etag}\n${tries}`).digest("hex").slice(0, 16);
    const readable = stagedKey
        .replace(/\.rdb$/, "")
        .replace(/[^A-Za-z0-9_-]+/g, "-")
        .slice(0, 80 - hash.length - 4);
    return `${readable}-t${tries}-${hash}`;
}

/** Whether a CopyObject of this size still fits what this invocation has left. */
function copyFitsTimeLeft(o, size) {
    if (size > copyObjectLimitBytes) {
        return false;
    }
    const budgetMs = (size / o.copyBytesPerSecond) * 1000;
    return o.remainingMs() - o.reserveMs >= budgetMs;
}

/** Copies one staged export (up to 5 GB) into the archive under the customer key. */
async function copyToArchive(s3, o, staged, archiveKey) {
    await s3.send(
        new s3Sdk.CopyObjectCommand({
            Bucket: o.archiveBucket,
            Key: archiveKey,
            CopySource: `${o.stagingBucket}/${encodeURIComponent(staged.Key)}`,
            CopySourceIfMatch: staged.ETag,
            MetadataDirective: "COPY",
            ...archiveEncryption(o),
        }),
    );
}

/** Hands one copy to the copy state machine; returns the execution's record. */
async function handOff(clients, o, staged, archiveKey, tries) {
    const input = {
        copySource: `${o.stagingBucket}/${encodeURIComponent(staged.Key)}`,
        sourceETag: staged.ETag,
        size: staged.Size,
        target: { bucket: o.archiveBucket, key: archiveKey },
        kmsKeyArn: o.kmsKeyArn,
        parts: copyParts(staged.Size),
    };
    const started = await clients.sfn.send(
        new sfnSdk.StartExecutionCommand({
            stateMachineArn: o.copyStateMachineArn,
            name: executionName(staged.Key, staged.ETag, tries),
            input: JSON.stringify(input),
        }),
    );
    return { executionArn: started.executionArn, startedAt: o.now.toISOString(), tries, size: staged.Size };
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
 * the wait is over. Returns "archived", "copying" (a handed-off copy is still running),
 * "pending", "missing" or "superseded" (another run updated the marker first).
 */
async function confirmExport(clients, o, marker, archived, problems) {
    const s3 = clients.s3;
    const m = marker.body;
    const requestedAt = new Date(m.requestedAt).getTime();
    const pattern = exportFilePattern(m.target);
    const stagedAll = (await listAll(s3, o.stagingBucket, `${m.target}-`)).filter((s) => pattern.test(s.Key));
    const arrived = stagedAll
        .filter((s) => s.Size > 0 && new Date(s.LastModified).getTime() > requestedAt)
        .sort((a, b) => a.Key.localeCompare(b.Key));
    const archivePrefix = `${o.prefix}/`;
    const alreadyArchived = [...archived.keys()]
        .filter((key) => key.startsWith(archivePrefix) && pattern.test(key.slice(archivePrefix.length)))
        .map((key) => key.slice(archivePrefix.length));
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
                "check the ElastiCache events of the group and the staging bucket's grants; the next run requests it again",
        );
        return "missing";
    }

    const copies = { ...(m.copies || {}) };
    const running = [];
    let changed = false;
    for (const staged of arrived) {
        const archiveKey = `${archivePrefix}${staged.Key}`;
        const there = archived.get(archiveKey);
        if (there && there.Size === staged.Size) {
            continue;
        }
        const previous = copies[staged.Key];
        if (previous) {
            const execution = await clients.sfn.send(
                new sfnSdk.DescribeExecutionCommand({ executionArn: previous.executionArn }),
            );
            // Execution statuses (API reference, DescribeExecution): RUNNING, SUCCEEDED, FAILED,
            // TIMED_OUT, ABORTED, PENDING_REDRIVE.
            if (execution.status === "RUNNING" || execution.status === "PENDING_REDRIVE") {
                running.push(staged.Key);
                continue;
            }
            if (execution.status === "SUCCEEDED") {
                continue; // verified below, like every copy
            }
            problems.push(
                `the copy of ${staged.Key} into the archive (${previous.executionArn}) ended ${execution.status}` +
                    `${execution.error ? `: ${execution.error}` : ""}${execution.cause ? ` (${execution.cause})` : ""}; started again`,
            );
        }
        if (copyFitsTimeLeft(o, staged.Size)) {
            await copyToArchive(s3, o, staged, archiveKey);
            delete copies[staged.Key];
        } else {
            copies[staged.Key] = await handOff(clients, o, staged, archiveKey, ((previous && previous.tries) || 0) + 1);
            running.push(staged.Key);
        }
        changed = true;
    }
    if (running.length) {
        if (!changed) {
            return "copying";
        }
        const updated = await writeMarker(
            s3,
            o,
            marker.key,
            { ...m, status: "copying", copies, checkedAt: o.now.toISOString() },
            { IfMatch: marker.etag },
        );
        return updated ? "copying" : "superseded";
    }
    const objects = [];
    for (const name of [...names].sort()) {
        const staged = arrived.find((s) => s.Key === name);
        const verified = await verifyArchived(s3, o, `${archivePrefix}${name}`, staged ? staged.Size : undefined);
        objects.push(staged ? { ...verified, staged: staged.Key } : verified);
    }
    for (const staged of arrived) {
        await s3.send(new s3Sdk.DeleteObjectCommand({ Bucket: o.stagingBucket, Key: staged.Key }));
    }
    const updated = await writeMarker(
        s3,
        o,
        marker.key,
        { ...m, status: "archived", archivedAt: o.now.toISOString(), objects },
        { IfMatch: marker.etag },
    );
    return updated ? "archived" : "superseded";
}

/** Requests the export of one snapshot, once, however many runs overlap. */
async function requestExport(clients, o, snapshot, existing) {
    // Only an export that went missing may have left objects under its name; a refused or deferred
    // CopySnapshot created none, so its name is used again.
    const previousAttempt = existing ? existing.body.attempt || 1 : 0;
    const attempt = existing && existing.body.status !== "missing" ? previousAttempt : previousAttempt + 1;
    const target = exportName(snapshot.SnapshotName, attempt);
    const key = markerKeyOf(o, snapshot.SnapshotName);
    const earlier = existing
        ? [
              ...(existing.body.earlierAttempts || []),
              { target: existing.body.target, status: existing.body.status, requestedAt: existing.body.requestedAt },
          ]
        : [];
    const body = {
        schema: markerSchema,
        replicationGroupId: o.replicationGroupId,
        snapshotName: snapshot.SnapshotName,
        snapshotCreatedAt: new Date(createdAt(snapshot)).toISOString(),
        target,
        attempt,
        ...(earlier.length ? { earlierAttempts: earlier } : {}),
        stagingBucket: o.stagingBucket,
        expectedObjects: expectedObjectCount(snapshot),
        requestedAt: o.now.toISOString(),
        status: "requested",
    };
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
        const transient = isTransientRequestFailure(err);
        // The marker returns to what it was before the claim, so the attempt is not used up.
        const restored = existing
            ? { ...existing.body, ...(transient ? {} : { status: "request-failed", error: errorText(err) }) }
            : { ...body, status: transient ? "deferred" : "request-failed", error: errorText(err) };
        await writeMarker(clients.s3, o, key, restored, { IfMatch: claimed.etag });
        if (transient) {
            return { status: "deferred", target, reason: errorText(err) };
        }
        throw new Error(
            `CopySnapshot of ${snapshot.SnapshotName} to s3://${o.stagingBucket} failed: ${errorText(err)}`,
        );
    }
    return { status: "requested", target, attempt };
}

/** Statuses after which a snapshot is requested again, while ElastiCache still has it. */
const retryable = new Set(["missing", "request-failed", "deferred"]);
/** Statuses of an export in progress. */
const inProgress = new Set(["requested", "copying"]);

/** Markers older than the lookback window read at most, looking for the newest archived one. */
const maxOlderMarkerReads = 60;

/**
 * The newest archived backup: the archived marker with the latest snapshot time. Markers are read
 * newest first (by LastModified); every marker of the lookback window is read, older ones only
 * until an archived one is found.
 */
async function newestArchived(read, o, markerEntries) {
    const byRecency = [...markerEntries].sort(
        (a, b) => new Date(b.LastModified).getTime() - new Date(a.LastModified).getTime(),
    );
    const windowStart = o.now.getTime() - o.markerLookbackDays * 864e5;
    let best;
    let olderRead = 0;
    for (const entry of byRecency) {
        if (new Date(entry.LastModified).getTime() < windowStart && (best || ++olderRead > maxOlderMarkerReads)) {
            break;
        }
        const marker = await read(entry.Key);
        if (marker && marker.body.status === "archived") {
            const at = new Date(marker.body.snapshotCreatedAt).getTime();
            if (!Number.isNaN(at) && (!best || at > best.at)) {
                best = { at, snapshotName: marker.body.snapshotName };
            }
        }
    }
    return best;
}

/** Publishes the archive's age: seconds since the newest archived backup was taken. */
async function publishArchiveAge(clients, o, ageSeconds) {
    await clients.cloudwatch.send(
        new cloudwatchSdk.PutMetricDataCommand({
            Namespace: archiveAgeMetric.namespace,
            MetricData: [
                {
                    MetricName: archiveAgeMetric.metricName,
                    Dimensions: [{ Name: "ReplicationGroupId", Value: o.replicationGroupId }],
                    Timestamp: o.now,
                    Value: Math.max(0, Math.round(ageSeconds)),
                    Unit: archiveAgeMetric.unit,
                },
            ],
        }),
    );
}

/**
 * One run of the job. `clients` are an ElastiCacheClient, an S3Client, an SFNClient and a
 * CloudWatchClient (or anything with the same `send`); `options` as `optionsFromEnvironment`
 * returns them, plus `now` and `remainingMs` (the invocation's time left) for tests.
 */
async function runExport(clients, options) {
    const o = checkedOptions(options);
    const problems = [];
    const result = { requests: [], deferred: [], confirmed: [], copying: [], pending: [], missing: [] };
    const archivePrefix = `${o.prefix}/`;
    const listed = await listAll(clients.s3, o.archiveBucket, archivePrefix);
    const markerEntries = listed.filter((x) => x.Key.endsWith(markerSuffix));
    const markerKeys = new Set(markerEntries.map((x) => x.Key));
    const archived = new Map(listed.filter((x) => x.Key.endsWith(".rdb")).map((x) => [x.Key, x]));
    const markers = new Map();
    const read = async (key) => {
        if (!markers.has(key)) {
            markers.set(key, await readMarker(clients.s3, o, key));
        }
        return markers.get(key);
    };

    // 1. Request every available automatic snapshot not archived or requested yet, newest first.
    const snapshots = (await automaticSnapshots(clients.elasticache, o.replicationGroupId)).sort(
        (a, b) => createdAt(b) - createdAt(a),
    );
    const recent = markerEntries.filter(
        (x) => o.now.getTime() - new Date(x.LastModified).getTime() <= o.markerLookbackDays * 864e5,
    );
    let outstanding = 0;
    for (const entry of recent) {
        const marker = await read(entry.Key);
        if (marker && marker.body.status === "requested") {
            outstanding++;
        }
    }
    for (const snapshot of snapshots) {
        const key = markerKeyOf(o, snapshot.SnapshotName);
        const existing = markerKeys.has(key) ? await read(key) : undefined;
        if (existing && !retryable.has(existing.body.status)) {
            continue;
        }
        if (outstanding >= o.maxRequestsPerRun) {
            result.deferred.push(snapshot.SnapshotName);
            continue;
        }
        try {
            const request = await requestExport(clients, o, snapshot, existing);
            result.requests.push({ snapshot: snapshot.SnapshotName, ...request });
            if (request.status === "requested") {
                outstanding++;
            } else if (request.status === "deferred") {
                result.deferred.push(snapshot.SnapshotName);
            }
        } catch (err) {
            problems.push(err.message);
        }
        markers.delete(key);
    }

    // 2. The checks, before any copy can use up the time: backups taken, archive fresh.
    if (snapshots.length === 0) {
        problems.push(`no available automatic snapshot of ${o.replicationGroupId}: check that automatic backups run`);
    } else {
        const newest = snapshots[0];
        result.newestSnapshot = newest.SnapshotName;
        const age = o.now.getTime() - createdAt(newest);
        if (age > o.maxSnapshotAgeHours * 36e5) {
            problems.push(
                `the newest automatic snapshot ${newest.SnapshotName} is ${hours(age)} h old (limit ${o.maxSnapshotAgeHours} h): ` +
                    "automatic backups have stopped; check the group's snapshot window and retention",
            );
        }
    }
    const measureAge = async () => {
        const best = await newestArchived(read, o, markerEntries);
        // Nothing archived yet: the archive owes every snapshot since the oldest one available.
        const owedSince = best ? best.at : snapshots.length ? Math.min(...snapshots.map(createdAt)) : o.now.getTime();
        return { snapshot: best && best.snapshotName, seconds: (o.now.getTime() - owedSince) / 1000 };
    };
    const publish = async (age) => {
        try {
            await publishArchiveAge(clients, o, age.seconds);
            result.archiveAge = { ...age, hours: Math.round(age.seconds / 36) / 100 };
        } catch (err) {
            problems.push(`publishing the archive's age failed: ${errorText(err)}`);
        }
    };
    await publish(await measureAge());

    // 3. Confirm what was requested; copy what fits, hand off what does not.
    let archivedNow = false;
    for (const entry of recent) {
        const marker = await read(entry.Key);
        if (!marker || !inProgress.has(marker.body.status)) {
            continue;
        }
        try {
            const outcome = await confirmExport(clients, o, marker, archived, problems);
            if (outcome === "archived") {
                result.confirmed.push(marker.body.target);
                markers.delete(entry.Key);
                archivedNow = true;
            } else if (outcome === "copying") {
                result.copying.push(marker.body.target);
            } else if (outcome === "pending") {
                result.pending.push(marker.body.target);
            } else if (outcome === "missing") {
                result.missing.push(marker.body.target);
            }
        } catch (err) {
            problems.push(`archiving the export ${marker.body.target} failed: ${errorText(err)}`);
        }
    }
    if (archivedNow) {
        await publish(await measureAge());
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
        copyStateMachineArn: env.COPY_STATE_MACHINE_ARN,
        maxSnapshotAgeHours: number("MAX_SNAPSHOT_AGE_HOURS"),
        exportTimeoutHours: number("EXPORT_TIMEOUT_HOURS"),
        maxRequestsPerRun: number("MAX_REQUESTS_PER_RUN"),
    };
    return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
}

/**
 * The Lambda entry point: the runtime's AWS SDK v3 clients, settings from the environment, and
 * the invocation's time left (context.getRemainingTimeInMillis, Lambda developer guide, "Using
 * the Lambda context object to retrieve Node.js function information").
 */
async function handler(event, context) {
    const clients = {
        elasticache: new elasticacheSdk.ElastiCacheClient({}),
        s3: new s3Sdk.S3Client({}),
        sfn: new sfnSdk.SFNClient({}),
        cloudwatch: new cloudwatchSdk.CloudWatchClient({}),
    };
    const remainingMs =
        context && typeof context.getRemainingTimeInMillis === "function"
            ? () => context.getRemainingTimeInMillis()
            : undefined;
    return runExport(clients, { ...optionsFromEnvironment(process.env), ...(remainingMs ? { remainingMs } : {}) });
}

module.exports = {
    handler,
    runExport,
    optionsFromEnvironment,
    exportName,
    expectedObjectCount,
    createdAt,
    copyParts,
    executionName,
    archiveAgeMetric,
    copyObjectLimitBytes,
    minPartBytes,
    maxPartBytes,
    maxHandoffParts,
    defaults,
};
