// Issue 4: logging, monitoring, the audit trail and the six-year archive, as the component registers them.
import * as assert from "assert";
import { elastiCacheCanonicalUserId } from "../component/archive";
import { ValidationError } from "../component";
import { MockRunResult } from "../tools/mockrun";
import { ofType, one, runComponent, types } from "./helpers";

const t = {
    bucket: "aws:s3/bucket:Bucket",
    versioning: "aws:s3/bucketVersioning:BucketVersioning",
    encryption: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    publicAccess: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    ownership: "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
    acl: "aws:s3/bucketAcl:BucketAcl",
    lifecycle: "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    lock: "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration",
    bucketPolicy: "aws:s3/bucketPolicy:BucketPolicy",
    trail: "aws:cloudtrail/trail:Trail",
    firehose: "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream",
    subscriptionFilter: "aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter",
    lambda: "aws:lambda/function:Function",
    rule: "aws:cloudwatch/eventRule:EventRule",
    target: "aws:cloudwatch/eventTarget:EventTarget",
    permission: "aws:lambda/permission:Permission",
    role: "aws:iam/role:Role",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
    subscription: "aws:sns/topicSubscription:TopicSubscription",
};

/**
 * The archive bucket's own resource of `type` (named `<name>-archive...`): the export job's
 * staging bucket has resources of the same types.
 */
function archivePart(result: MockRunResult, type: string) {
    const found = ofType(result, type).filter((r) => !r.name.startsWith("cache-export-staging"));
    assert.strictEqual(found.length, 1, `expected one ${type} outside the staging bucket, found ${found.length}`);
    return found[0];
}

/** The export job's rule on `archiveSchedule` (the job also has an hourly rule, `<name>-hourly`). */
function dailyRule(result: MockRunResult): any {
    const rules = ofType(result, t.rule).filter((r) => !r.name.endsWith("-hourly"));
    assert.strictEqual(rules.length, 1, `expected one daily rule, found ${rules.length}`);
    return rules[0].inputs;
}

describe("HitrustRedis: logging, monitoring, audit trail and archive", () => {
    let result: MockRunResult;
    before(async () => {
        result = await runComponent();
        assert.deepStrictEqual(result.errors, []);
    });
    const inputs = (type: string) => archivePart(result, type).inputs as any;
    const named = (name: string) => result.resources.find((r) => r.name === name)!.inputs as any;

    it("delivers slow-log and engine-log as JSON to one encrypted log group each, kept 365 days", () => {
        const rg = one(result, types.replicationGroup).inputs as any;
        assert.deepStrictEqual(rg.logDeliveryConfigurations, [
            {
                destination: "/aws/elasticache/cache/slow-log",
                destinationType: "cloudwatch-logs",
                logFormat: "json",
                logType: "slow-log",
            },
            {
                destination: "/aws/elasticache/cache/engine-log",
                destinationType: "cloudwatch-logs",
                logFormat: "json",
                logType: "engine-log",
            },
        ]);
        for (const logType of ["slow-log", "engine-log"]) {
            const group = named(`cache-${logType}`);
            assert.strictEqual(group.retentionInDays, 365);
            assert.strictEqual(group.kmsKeyId, (one(result, types.key).state as any).arn);
        }
    });

    it("alarms on CPU, memory, evictions, connections and replication lag for every node, to the topic", () => {
        const topicArn = (one(result, types.topic).state as any).arn;
        const nodeAlarms = ofType(result, types.alarm).filter((a) => (a.inputs as any).namespace === "AWS/ElastiCache");
        assert.strictEqual(nodeAlarms.length, 15);
        const byMetric = (metric: string) =>
            nodeAlarms.map((a) => a.inputs as any).filter((a) => a.metricName === metric);
        assert.deepStrictEqual(
            byMetric("EngineCPUUtilization").map((a) => [a.dimensions.CacheClusterId, a.threshold]),
            [
                ["cache-001", 80],
                ["cache-002", 80],
                ["cache-003", 80],
            ],
        );
        assert.deepStrictEqual(byMetric("DatabaseMemoryUsagePercentage")[0].threshold, 80);
        assert.deepStrictEqual(byMetric("Evictions")[0].threshold, 100);
        assert.deepStrictEqual(byMetric("NewConnections")[0].threshold, 1000);
        assert.deepStrictEqual(byMetric("ReplicationLag")[0].threshold, 10);
        for (const alarm of nodeAlarms.map((a) => a.inputs as any)) {
            assert.deepStrictEqual(alarm.alarmActions, [topicArn]);
            assert.match(alarm.alarmDescription, /^ElastiCache cache node cache-00\d: /);
        }
    });

    it("creates the archive bucket: versioned, KMS, public access blocked, TLS only, kept on destroy", () => {
        const bucket = archivePart(result, t.bucket);
        assert.strictEqual(bucket.retainOnDelete, true);
        assert.strictEqual(one(result, types.key).retainOnDelete, true);
        assert.deepStrictEqual(inputs(t.versioning).versioningConfiguration, { status: "Enabled" });
        const sse = inputs(t.encryption).rules[0];
        assert.strictEqual(sse.applyServerSideEncryptionByDefault.sseAlgorithm, "aws:kms");
        assert.strictEqual(
            sse.applyServerSideEncryptionByDefault.kmsMasterKeyId,
            (one(result, types.key).state as any).arn,
        );
        const block = inputs(t.publicAccess);
        assert.deepStrictEqual(
            [block.blockPublicAcls, block.blockPublicPolicy, block.ignorePublicAcls, block.restrictPublicBuckets],
            [true, true, true, true],
        );
        const policy = JSON.parse(inputs(t.bucketPolicy).policy);
        const deny = policy.Statement.find((s: any) => s.Sid === "DenyInsecureTransport");
        assert.deepStrictEqual(deny.Condition, { Bool: { "aws:SecureTransport": "false" } });
        for (const type of [t.versioning, t.encryption, t.publicAccess, t.ownership, t.lifecycle, t.bucketPolicy]) {
            const parts = ofType(result, type).filter((r) => r.name.startsWith("cache-archive"));
            assert.strictEqual(parts.length, 1, type);
            assert.strictEqual(parts[0].retainOnDelete, true, `${type} must be kept on destroy`);
        }
    });

    it("disables ACLs on the archive: ElastiCache never writes there, so nothing is granted to it", () => {
        assert.strictEqual(named("cache-archive-ownership").rule.objectOwnership, "BucketOwnerEnforced");
        assert.ok(!result.resources.some((r) => r.type === t.acl && r.name.startsWith("cache-archive")));
        const policy = JSON.stringify(named("cache-archive-policy").policy);
        assert.ok(!policy.includes(elastiCacheCanonicalUserId));
        assert.ok(!policy.includes("elasticache-snapshot"));
    });

    it("moves archives to Glacier and keeps everything at least six years", () => {
        const [rule] = inputs(t.lifecycle).rules;
        assert.deepStrictEqual(rule.transitions, [
            { days: 30, storageClass: "GLACIER" },
            { days: 180, storageClass: "DEEP_ARCHIVE" },
        ]);
        assert.strictEqual(rule.expiration.days, 2192);
        assert.strictEqual(rule.noncurrentVersionExpiration.noncurrentDays, 2192);
        assert.strictEqual(ofType(result, t.lock).length, 0);
    });

    it("copies the cache logs to the archive through Firehose, encrypted with the key", () => {
        const stream = inputs(t.firehose);
        assert.strictEqual(stream.destination, "extended_s3");
        assert.strictEqual(stream.extendedS3Configuration.prefix, "logs/cache/");
        assert.strictEqual(stream.extendedS3Configuration.kmsKeyArn, (one(result, types.key).state as any).arn);
        assert.deepStrictEqual(stream.serverSideEncryption.keyType, "CUSTOMER_MANAGED_CMK");
        const filters = ofType(result, t.subscriptionFilter).map((f) => (f.inputs as any).logGroup);
        assert.deepStrictEqual(filters, ["/aws/elasticache/cache/slow-log", "/aws/elasticache/cache/engine-log"]);
    });

    it("creates a multi-region trail with log file validation and KMS, stored in the archive", () => {
        const trail = inputs(t.trail);
        assert.strictEqual(trail.isMultiRegionTrail, true);
        assert.strictEqual(trail.enableLogFileValidation, true);
        assert.strictEqual(trail.includeGlobalServiceEvents, true);
        assert.strictEqual(trail.kmsKeyId, (one(result, types.key).state as any).arn);
        assert.strictEqual(trail.s3BucketName, (archivePart(result, t.bucket).state as any).bucket);
        assert.strictEqual(trail.s3KeyPrefix, "cloudtrail");
        const policy = JSON.parse(inputs(t.bucketPolicy).policy);
        const writes = policy.Statement.find((s: any) => s.Sid === "CloudTrailWrites");
        assert.strictEqual(
            writes.Condition.StringEquals["aws:SourceArn"],
            "arn:aws:cloudtrail:us-east-1:123456789012:trail/cache-audit",
        );
        const key = JSON.parse(inputs(types.key).policy);
        assert.ok(key.Statement.some((s: any) => s.Sid === "CloudTrailEncryptsAuditTrail"));
    });

    it("schedules the daily snapshot export after the snapshot window, with alarms on errors and missed runs", () => {
        // The job's code, role and staging bucket are tested in snapshotExport.test.ts.
        // The daily rule; the hourly one (`-hourly`) is snapshotExport.test.ts's.
        assert.strictEqual(dailyRule(result).scheduleExpression, "cron(0 7 * * ? *)");
        for (const permission of ofType(result, t.permission)) {
            assert.strictEqual((permission.inputs as any).principal, "events.amazonaws.com");
        }
        const jobAlarms = ofType(result, types.alarm)
            .map((a) => a.inputs as any)
            .filter((a) => a.namespace === "AWS/Lambda");
        assert.deepStrictEqual(
            jobAlarms.map((a) => [a.metricName, a.comparisonOperator, a.treatMissingData]),
            [
                ["Errors", "GreaterThanThreshold", "notBreaching"],
                ["Invocations", "LessThanThreshold", "breaching"],
            ],
        );
    });

    it("evidence covers logging, monitoring and archive controls", () => {
        const evidence = (result as any).component.evidence as { control: string; resource: string }[];
        for (const id of [
            "1202.09aa1",
            "1203.09aa1",
            "1204.09aa1",
            "12100.09ab2",
            "1270.09ad1",
            "1616.09l1",
            "1620.09l1",
        ]) {
            assert.ok(
                evidence.some((e) => e.control === id),
                `no evidence for ${id}`,
            );
        }
        assert.ok(evidence.some((e) => e.resource === "cache-audit"));
    });
});

// Issue 15, item 3: CloudTrail allows 5 trails per Region, a quota that cannot be increased, and a
// multi-Region trail counts in every Region ("Quotas in AWS CloudTrail",
// https://docs.aws.amazon.com/awscloudtrail/latest/userguide/WhatIsCloudTrail-Limits.html). One trail per
// cache stops the sixth stack of an account, so every stack after the first names an existing trail.
describe("Issue 15: one trail per account, not per cache", () => {
    it("warns when it creates a trail, naming the trail every other stack of the account should pass", async () => {
        const result = await runComponent();
        const warning = result.warnings.find((w) => w.startsWith("auditTrail:"));
        assert.ok(warning, `a warning about the new trail among ${JSON.stringify(result.warnings)}`);
        assert.match(warning, /5 trails per Region \(not adjustable; a multi-Region trail counts in every Region\)/);
        assert.ok(warning.includes(`auditTrail: { existingTrailName: "cache-audit" }`), warning);
    });

    it("says nothing about trails when an existing trail is named", async () => {
        const result = await runComponent({ auditTrail: { existingTrailName: "org-trail" } });
        assert.deepStrictEqual(
            result.warnings.filter((w) => w.startsWith("auditTrail:")),
            [],
        );
    });

    it("the evidence names the trail that covers the cache, created or existing", async () => {
        const created = (await runComponent()).component!.evidence.filter(
            (e) => e.setting === "CloudTrail trail covering the cache",
        );
        assert.deepStrictEqual(
            created.map((e) => [e.control, e.resource]),
            [
                ["1202.09aa1", "cache-audit"],
                ["1203.09aa1", "cache-audit"],
            ],
        );
        assert.match(created[0].value, /^cache-audit, created by this stack: multi-region/);
        const existing = (
            await runComponent({ auditTrail: { existingTrailName: "org-trail" } })
        ).component!.evidence.filter((e) => e.setting === "CloudTrail trail covering the cache");
        assert.deepStrictEqual(
            existing.map((e) => e.control),
            ["1202.09aa1", "1203.09aa1", "1204.09aa1"],
        );
        assert.ok(existing.every((e) => e.resource === "org-trail"));
        assert.match(existing[0].value, /^org-trail, an existing trail named in auditTrail\.existingTrailName/);
        assert.match(existing[0].value, /live-cloudtrail-trail-logging/);
    });
});

// Issue 15, item 11: the staging bucket is the one place an export is under SSE-S3, not the customer
// key. Expiry after 1 day is S3's minimum (LifecycleExpiration Days: "a non-zero positive integer",
// https://docs.aws.amazon.com/AmazonS3/latest/API/API_LifecycleExpiration.html), and S3 rounds the
// expiry up to the next midnight UTC ("Lifecycle configuration elements",
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/intro-lifecycle-rules.html).
describe("Issue 15: PHI waits in the staging bucket no longer than S3 allows", () => {
    it("staged exports expire after 1 day, S3's minimum, and the evidence says how long they can wait", async () => {
        const result = await runComponent();
        const lifecycle = ofType(result, t.lifecycle).find((r) => r.name.startsWith("cache-export-staging"));
        assert.ok(lifecycle, "the staging bucket has a lifecycle");
        const rules = (lifecycle.inputs as any).rules;
        assert.strictEqual(rules.length, 1);
        assert.deepStrictEqual(rules[0].filter, {});
        assert.strictEqual(rules[0].expiration.days, 1);
        const record = result.component!.evidence.find((e) => e.resource === "cache-export-staging");
        assert.ok(record, "evidence for the staging bucket");
        assert.deepStrictEqual(
            result.component!.evidence.filter((e) => e.resource === "cache-export-staging").map((e) => e.control),
            ["1903.06d1", "1616.09l1"],
        );
        assert.match(record.value, /SSE-S3 \(not the customer key\)/);
        assert.match(record.value, /1 day after arrival rounded up to midnight UTC \(at most 2 days/);
    });
});

describe("HitrustRedis: archive and monitoring options", () => {
    it("uses an existing trail instead of creating one", async () => {
        const result = await runComponent({ auditTrail: { existingTrailName: "org-trail" } });
        assert.strictEqual(ofType(result, t.trail).length, 0);
        const policy = JSON.parse((archivePart(result, t.bucketPolicy).inputs as any).policy);
        assert.ok(!policy.Statement.some((s: any) => s.Sid === "CloudTrailWrites"));
        assert.ok(result.component!.evidence.some((e) => e.resource === "org-trail"));
    });

    it("turns on Object Lock and a longer retention", async () => {
        const result = await runComponent({ archiveObjectLock: true, archiveRetentionDays: 3650 });
        // Object Lock is switched on in place by its configuration resource (S3 allows it on existing
        // buckets); the bucket's own objectLockEnabled would replace the bucket when changed.
        const bucket = result.resources.find((r) => r.name === "cache-archive")!;
        assert.strictEqual((bucket.inputs as any).objectLockEnabled, undefined);
        assert.strictEqual((archivePart(result, t.lock).inputs as any).objectLockEnabled, "Enabled");
        assert.strictEqual(archivePart(result, t.lock).retainOnDelete, true);
        assert.deepStrictEqual((archivePart(result, t.lock).inputs as any).rule.defaultRetention, {
            mode: "GOVERNANCE",
            days: 3650,
        });
        assert.strictEqual((archivePart(result, t.lifecycle).inputs as any).rules[0].expiration.days, 3650);
    });

    it("subscribes emails and https endpoints to the topic and tunes thresholds", async () => {
        const result = await runComponent({
            alertSubscriptions: { emails: ["oncall@example.org"], httpsEndpoints: ["https://hooks.example.org/x"] },
            alarms: { engineCpuPercent: 60, replicationLagSeconds: 30 },
            logRetentionDays: 400,
            archiveSchedule: "rate(1 day)",
            snapshotWindow: "22:00-23:30",
        });
        assert.deepStrictEqual(
            ofType(result, t.subscription).map((s) => [(s.inputs as any).protocol, (s.inputs as any).endpoint]),
            [
                ["email", "oncall@example.org"],
                ["https", "https://hooks.example.org/x"],
            ],
        );
        const alarms = ofType(result, types.alarm).map((a) => a.inputs as any);
        assert.ok(alarms.filter((a) => a.metricName === "EngineCPUUtilization").every((a) => a.threshold === 60));
        assert.ok(alarms.filter((a) => a.metricName === "ReplicationLag").every((a) => a.threshold === 30));
        assert.ok(ofType(result, types.logGroup).every((g) => (g.inputs as any).retentionInDays === 400));
        assert.strictEqual(dailyRule(result).scheduleExpression, "rate(1 day)");
    });

    it("derives the export schedule from the snapshot window, across midnight", async () => {
        const result = await runComponent({ snapshotWindow: "22:30-23:30" });
        assert.strictEqual(dailyRule(result).scheduleExpression, "cron(30 1 * * ? *)");
    });

    it("Redis 6.0 delivers only the slow log; Redis 5 none, and nothing to archive from logs", async () => {
        const six = await runComponent({ engineVersion: "6.0" });
        assert.deepStrictEqual(
            (one(six, types.replicationGroup).inputs as any).logDeliveryConfigurations.map((c: any) => c.logType),
            ["slow-log"],
        );
        const five = await runComponent({ engineVersion: "5.0.6" });
        assert.deepStrictEqual((one(five, types.replicationGroup).inputs as any).logDeliveryConfigurations, []);
        assert.strictEqual(ofType(five, t.firehose).length, 0);
    });

    const bad: [string, object, string][] = [
        [
            "log retention below 90 days",
            { logRetentionDays: 30 },
            "logRetentionDays: 30 is not allowed; use a CloudWatch retention of at least 90 days (90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653), or 0 to never expire.",
        ],
        [
            "log retention not a CloudWatch value",
            { logRetentionDays: 100 },
            "logRetentionDays: 100 is not allowed; use a CloudWatch retention of at least 90 days (90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653), or 0 to never expire.",
        ],
        [
            "archive retention below six years",
            { archiveRetentionDays: 365 },
            "archiveRetentionDays: 365 is out of range; use a whole number from 2192 to 36500.",
        ],
        [
            "CPU threshold above 100",
            { alarms: { engineCpuPercent: 120 } },
            "alarms.engineCpuPercent: 120 is out of range; use a number from 1 to 100.",
        ],
        [
            "negative evictions",
            { alarms: { evictions: -1 } },
            "alarms.evictions: -1 is out of range; use a number from 0 to 1000000000.",
        ],
        [
            "replication lag of 0",
            { alarms: { replicationLagSeconds: 0 } },
            "alarms.replicationLagSeconds: 0 is out of range; use a number from 1 to 3600.",
        ],
        [
            "an empty trail name",
            { auditTrail: { existingTrailName: " " } },
            "auditTrail.existingTrailName: empty; name the existing (organization) trail, or omit auditTrail to create one.",
        ],
        [
            "an email that is not one",
            { alertSubscriptions: { emails: ["oncall"] } },
            "alertSubscriptions.emails: 'oncall' is not an email address; use the form name@example.org.",
        ],
        [
            "an http endpoint",
            { alertSubscriptions: { httpsEndpoints: ["http://hooks.example.org"] } },
            "alertSubscriptions.httpsEndpoints: 'http://hooks.example.org' is not an https:// URL; alerts must travel over TLS.",
        ],
        [
            "a bad schedule",
            { archiveSchedule: "daily" },
            "archiveSchedule: 'daily' is not an EventBridge schedule; use for example 'cron(0 7 * * ? *)' or 'rate(1 day)'.",
        ],
    ];
    for (const [label, args, message] of bad) {
        it(`refuses ${label} before creating anything`, async () => {
            const result = await runComponent(args as any);
            assert.strictEqual(result.resources.length, 0);
            assert.strictEqual(result.errors.length, 1);
            assert.ok(result.errors[0] instanceof ValidationError);
            assert.strictEqual(result.errors[0].message, `HitrustRedis 'cache' has invalid arguments:\n  - ${message}`);
        });
    }
});
