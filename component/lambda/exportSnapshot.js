// The daily archive job: copies the newest automatic snapshot of a replication group into the
// archive bucket (ElastiCache CopySnapshot with TargetBucket), once. It runs on AWS Lambda's
// Node.js 20 runtime, whose AWS SDK v3 it uses; the logic takes its AWS calls as arguments so
// tests drive it with a mocked client. A failure throws, so the Lambda's Errors alarm fires.
"use strict";

/**
 * @typedef {{ SnapshotName?: string, SnapshotStatus?: string, SnapshotSource?: string,
 *   ReplicationGroupId?: string, NodeSnapshots?: { SnapshotCreateTime?: Date | string }[] }} Snapshot
 * @typedef {{
 *   describeSnapshots(params: object): Promise<{ Snapshots?: Snapshot[], Marker?: string }>,
 *   copySnapshot(params: object): Promise<unknown>,
 *   listObjects(params: { Bucket: string, Prefix: string }): Promise<{ KeyCount?: number }>,
 * }} Api
 */

/** The time a snapshot was taken: the newest of its node snapshots. */
function createdAt(snapshot) {
    const times = (snapshot.NodeSnapshots || [])
        .map((n) => (n.SnapshotCreateTime ? new Date(n.SnapshotCreateTime).getTime() : NaN))
        .filter((t) => !Number.isNaN(t));
    return times.length ? Math.max(...times) : NaN;
}

/** Every automatic, available snapshot of the group, across pages. */
async function automaticSnapshots(api, replicationGroupId) {
    const found = [];
    let marker;
    do {
        const page = await api.describeSnapshots({
            ReplicationGroupId: replicationGroupId,
            SnapshotSource: "automated",
            MaxRecords: 50,
            Marker: marker,
        });
        for (const s of page.Snapshots || []) {
            if (s.SnapshotStatus === "available" && !Number.isNaN(createdAt(s))) {
                found.push(s);
            }
        }
        marker = page.Marker;
    } while (marker);
    return found;
}

/**
 * Exports the newest automatic snapshot unless it is already in the bucket.
 * @param {Api} api
 * @param {{ replicationGroupId: string, bucket: string, prefix: string, now?: Date, maxAgeHours?: number }} options
 */
async function exportNewestSnapshot(api, options) {
    const { replicationGroupId, bucket, prefix } = options;
    if (!replicationGroupId || !bucket) {
        throw new Error("REPLICATION_GROUP_ID and ARCHIVE_BUCKET must be set");
    }
    const snapshots = await automaticSnapshots(api, replicationGroupId);
    if (snapshots.length === 0) {
        throw new Error(`no available automatic snapshot of ${replicationGroupId}: check that automatic backups run`);
    }
    const newest = snapshots.reduce((a, b) => (createdAt(b) > createdAt(a) ? b : a));
    const now = (options.now || new Date()).getTime();
    const maxAge = (options.maxAgeHours || 36) * 3600 * 1000;
    const age = now - createdAt(newest);
    const target = `${prefix.replace(/\/+$/, "")}/${newest.SnapshotName}`;
    const existing = await api.listObjects({ Bucket: bucket, Prefix: target });
    if ((existing.KeyCount || 0) > 0) {
        if (age > maxAge) {
            throw new Error(
                `the newest snapshot ${newest.SnapshotName} is ${Math.round(age / 3600000)} h old: automatic backups have stopped`,
            );
        }
        return { status: "already archived", snapshot: newest.SnapshotName, target };
    }
    await api.copySnapshot({
        SourceSnapshotName: newest.SnapshotName,
        TargetSnapshotName: target,
        TargetBucket: bucket,
    });
    return { status: "exported", snapshot: newest.SnapshotName, target };
}

/** The Lambda entry point: AWS SDK v3 clients from the runtime, settings from the environment. */
async function handler() {
    const { ElastiCacheClient, DescribeSnapshotsCommand, CopySnapshotCommand } = require("@aws-sdk/client-elasticache");
    const { S3Client, ListObjectsV2Command } = require("@aws-sdk/client-s3");
    const elasticache = new ElastiCacheClient({});
    const s3 = new S3Client({});
    const api = {
        describeSnapshots: (params) => elasticache.send(new DescribeSnapshotsCommand(params)),
        copySnapshot: (params) => elasticache.send(new CopySnapshotCommand(params)),
        listObjects: (params) => s3.send(new ListObjectsV2Command({ ...params, MaxKeys: 1 })),
    };
    const result = await exportNewestSnapshot(api, {
        replicationGroupId: process.env.REPLICATION_GROUP_ID,
        bucket: process.env.ARCHIVE_BUCKET,
        prefix: process.env.ARCHIVE_PREFIX || "snapshots",
    });
    console.log(JSON.stringify(result));
    return result;
}

module.exports = { handler, exportNewestSnapshot, createdAt };
