// Checks only a running system can answer: backups actually taken, exports actually archived, logs
// actually delivered, the trail actually logging, alerts that reach someone, AWS Config's verdicts.
// They sit in the same HITRUST control catalog as the pack's policies (core/controls.ts) and land
// in the same report; a fact that a refused call left unread makes the check "not evidenced".
import { managedRules } from "../../component/configRules";
import { sixYearsInDays } from "../../core/checks";
import { ControlId } from "../../core/controls";
import { CacheFacts, Inventory, Observed, RegionFacts, Source } from "./model";

export interface LiveCheck {
    id: string;
    /** A full sentence that starts "Checks that", as the pack's descriptions do. */
    description: string;
    controls: ControlId[];
    enforcementLevel: "mandatory" | "advisory";
    severity: "low" | "medium" | "high" | "critical";
    remediation: string;
}

export interface LiveEvidence {
    setting: string;
    value: string;
    source: Source;
}

export interface LiveResult {
    check: LiveCheck;
    resource: string;
    urn: string;
    status: "pass" | "fail" | "not evidenced" | "not applicable";
    message: string;
    evidence: LiveEvidence[];
    /** The IAM action whose refusal left the check without evidence. */
    needs?: string;
}

export interface LiveOptions {
    now: Date;
    /**
     * The oldest an automatic snapshot may be. ElastiCache takes automatic backups once a day in
     * the backup window ("Scheduling automatic backups",
     * https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/backups-automatic.html): a day plus
     * the window's length.
     */
    snapshotMaxAgeHours: number;
    /** Days back from today that must each have an archived export. */
    exportDays: number;
    /** The oldest the newest log event may be before the log counts as silent. */
    logMaxAgeHours: number;
    /** The oldest the trail's last delivery may be. */
    trailMaxAgeHours: number;
    /** Archive retention the lifecycle must not undercut (the guide: six years). */
    archiveRetentionDays: number;
}

export const defaultLiveOptions: Omit<LiveOptions, "now"> = {
    snapshotMaxAgeHours: 26,
    exportDays: 7,
    logMaxAgeHours: 7 * 24,
    trailMaxAgeHours: 24,
    archiveRetentionDays: sixYearsInDays,
};

export const liveChecks = {
    backupRecent: {
        id: "live-elasticache-replicationgroup-backup-recent",
        description:
            "Checks that the newest automatic snapshot of each replication group and serverless cache is no older than a day.",
        controls: ["1616.09l1", "1618.09l1"],
        enforcementLevel: "mandatory",
        severity: "high",
        remediation:
            "Set snapshotRetentionLimit (35) and a snapshotWindow, and look for failed backups in the group's events.",
    },
    archiveContinuity: {
        id: "live-elasticache-archive-exports-continuous",
        description:
            "Checks that the archive bucket received an archived snapshot export (a .rdb copy under snapshots/, not a request marker) on each of the last days.",
        controls: ["1620.09l1", "1616.09l1"],
        enforcementLevel: "mandatory",
        severity: "high",
        remediation:
            "Look at the snapshot export job's Errors alarm and its log group; re-run the job once the cause is fixed.",
    },
    archiveProtection: {
        id: "live-elasticache-archive-bucket-protected",
        description:
            "Checks that the archive bucket is versioned, encrypted with a KMS key, closed to the public and kept six years.",
        controls: ["1620.09l1", "1903.06d1"],
        enforcementLevel: "mandatory",
        severity: "high",
        remediation:
            "Restore the component's archive settings: versioning Enabled, SSE-KMS default encryption, all four public access blocks, and a lifecycle that expires nothing younger than six years.",
    },
    logDelivery: {
        id: "live-elasticache-replicationgroup-log-delivery-active",
        description:
            "Checks that each log delivery of a replication group is active and its log group is KMS-encrypted.",
        controls: ["1202.09aa1", "1203.09aa1", "1204.09aa1"],
        enforcementLevel: "advisory",
        severity: "medium",
        remediation:
            "Read the delivery's Message in DescribeReplicationGroups; the usual cause is the log group's resource policy for delivery.logs.amazonaws.com or its KMS key policy.",
    },
    logFreshness: {
        id: "live-elasticache-loggroup-events-recent",
        description: "Checks that the log groups receiving cache logs received an event recently.",
        controls: ["1203.09aa1"],
        enforcementLevel: "advisory",
        severity: "low",
        remediation:
            "An idle cache writes few slow-log entries; if the cache is busy, check the delivery status and the log group's resource policy.",
    },
    trailLogging: {
        id: "live-cloudtrail-trail-logging",
        description:
            "Checks that a CloudTrail trail covering the cache's Region is logging, validates its log files and delivered recently.",
        controls: ["1202.09aa1", "1203.09aa1"],
        enforcementLevel: "mandatory",
        severity: "high",
        remediation:
            "Start logging (StartLogging), enable log file validation, and fix the delivery error the trail status shows (bucket or key policy).",
    },
    alarmSubscribers: {
        id: "live-elasticache-replicationgroup-alarms-reach-someone",
        description:
            "Checks that alarms watch each replication group with actions enabled, to a topic with a confirmed subscription.",
        controls: ["12100.09ab2", "1270.09ad1"],
        enforcementLevel: "advisory",
        severity: "medium",
        remediation:
            "Subscribe the on-call address or endpoint to the event topic and have it confirm the subscription; enable the alarms' actions.",
    },
    eventTopic: {
        id: "live-elasticache-replicationgroup-event-topic-active",
        description:
            "Checks that ElastiCache event notifications are active and their topic has a confirmed subscription.",
        controls: ["1270.09ad1"],
        enforcementLevel: "advisory",
        severity: "medium",
        remediation:
            "An inactive topic is usually encrypted at rest or misses ElastiCache's publish grant (any principal with aws:SourceOwner = the account, as the ElastiCache guide writes it); fix it and confirm a subscription.",
    },
    secretRotation: {
        id: "live-secretsmanager-auth-secret-rotated",
        description: "Checks that the cache's auth secret in Secrets Manager rotates automatically.",
        controls: ["19141.06c1"],
        enforcementLevel: "advisory",
        severity: "medium",
        remediation: "Configure rotation on the secret (RotateSecret with a rotation function or managed rotation).",
    },
} satisfies Record<string, LiveCheck>;

const hours = (from: string, now: Date) => (now.getTime() - new Date(from).getTime()) / 3600000;
const ev = (setting: string, value: unknown, source: Source): LiveEvidence => ({
    setting,
    value: typeof value === "string" ? value : JSON.stringify(value),
    source,
});

function result(
    check: LiveCheck,
    cache: { id: string; arn: string },
    status: LiveResult["status"],
    message: string,
    evidence: LiveEvidence[] = [],
    needs?: string,
): LiveResult {
    return { check, resource: cache.id, urn: cache.arn, status, message, evidence, needs };
}

/** A refused call left the check without its facts: "not evidenced", naming the action. */
function notEvidenced(
    check: LiveCheck,
    cache: { id: string; arn: string },
    needs: string,
    evidence: LiveEvidence[] = [],
    what?: string,
): LiveResult {
    return result(
        check,
        cache,
        "not evidenced",
        `not evidenced: needs ${needs}${what ? ` (${what})` : ""}`,
        evidence,
        needs,
    );
}

function unread(check: LiveCheck, cache: { id: string; arn: string }, needs: string, what: string): LiveResult {
    return notEvidenced(check, cache, needs, [], what);
}

function backupRecent(cache: CacheFacts, o: LiveOptions): LiveResult {
    const check = liveChecks.backupRecent;
    if (!cache.newestAutomaticSnapshot) {
        const action =
            cache.kind === "serverless cache"
                ? "elasticache:DescribeServerlessCacheSnapshots"
                : "elasticache:DescribeSnapshots";
        return unread(check, cache, action, "automatic snapshots");
    }
    const { value: newest, source } = cache.newestAutomaticSnapshot;
    const evidence = [ev("newest automatic snapshot", newest ?? "none", source)];
    if (newest === undefined) {
        if (cache.createdAt && hours(cache.createdAt, o.now) < o.snapshotMaxAgeHours) {
            return result(
                check,
                cache,
                "not applicable",
                "created less than a day ago: no backup window yet",
                evidence,
            );
        }
        return result(
            check,
            cache,
            "fail",
            "no automatic snapshot exists: automatic backups are not running.",
            evidence,
        );
    }
    const age = hours(newest, o.now);
    return age <= o.snapshotMaxAgeHours
        ? result(check, cache, "pass", `newest automatic snapshot is ${age.toFixed(1)} h old`, evidence)
        : result(
              check,
              cache,
              "fail",
              `the newest automatic snapshot is ${Math.round(age)} h old (limit ${o.snapshotMaxAgeHours} h): automatic backups have stopped.`,
              evidence,
          );
}

/**
 * The days (UTC) an archived export arrived, from a listing of the archive's `snapshots/` prefix.
 * The export job (component/lambda/exportSnapshot.js) writes two kinds of object there: a request
 * marker `<target>.export.json` on every run, also when nothing was exported, and, once an export
 * has arrived and been verified, its copies `<target>-NNNN.rdb` (ElastiCache names an export's
 * files `<name>-0001.rdb`, one per shard: ElastiCache guide, "Exporting a backup",
 * https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/backups-exporting.html). Only non-empty
 * `.rdb` copies count: a marker proves a request, not a backup.
 */
export function archivedExportDays(
    objects: readonly { Key?: string; LastModified?: Date | string; Size?: number }[],
): string[] {
    const days = new Set<string>();
    for (const o of objects) {
        if (/-\d{4}\.rdb$/.test(o.Key ?? "") && (o.Size ?? 0) > 0 && o.LastModified) {
            days.add(new Date(o.LastModified).toISOString().slice(0, 10));
        }
    }
    return [...days].sort();
}

function lastDays(now: Date, count: number): string[] {
    // Today's export may not have run yet: the window is the `count` days before today.
    return Array.from({ length: count }, (_, i) =>
        new Date(now.getTime() - (i + 1) * 86400000).toISOString().slice(0, 10),
    );
}

function archiveChecks(cache: CacheFacts, o: LiveOptions): LiveResult[] {
    const continuity = liveChecks.archiveContinuity;
    const protection = liveChecks.archiveProtection;
    if (!cache.archives) {
        return [
            unread(continuity, cache, "s3:ListAllMyBuckets", "the archive bucket"),
            unread(protection, cache, "s3:ListAllMyBuckets", "the archive bucket"),
        ];
    }
    const buckets = cache.archives.value;
    if (buckets.length === 0) {
        const message = `no archive bucket named ${cache.id.slice(0, 28)}-archive-* was found: snapshots are not kept beyond ElastiCache's 35 days.`;
        return [result(continuity, cache, "fail", message), result(protection, cache, "fail", message)];
    }
    const out: LiveResult[] = [];
    for (const archive of buckets) {
        const target = { id: `${cache.id} (${archive.bucket})`, arn: cache.arn };
        if (!archive.exportDays) {
            out.push(unread(continuity, target, "s3:ListBucket", `objects of ${archive.bucket}`));
        } else {
            const days = new Set(archive.exportDays.value);
            // Days before the group existed cannot hold its exports.
            const created = cache.createdAt?.slice(0, 10);
            const wanted = lastDays(o.now, o.exportDays).filter((d) => created === undefined || d > created);
            const missing = wanted.filter((d) => !days.has(d));
            const evidence = [
                ev(
                    "export days in the window",
                    wanted.filter((d) => days.has(d)),
                    archive.exportDays.source,
                ),
                ev("oldest archived export", archive.exportDays.value[0] ?? "none", archive.exportDays.source),
            ];
            out.push(
                wanted.length === 0
                    ? result(continuity, target, "not applicable", "created less than a day ago", evidence)
                    : missing.length === 0
                      ? result(
                            continuity,
                            target,
                            "pass",
                            `an export arrived on each of the last ${wanted.length} days`,
                            evidence,
                        )
                      : result(
                            continuity,
                            target,
                            "fail",
                            `no snapshot export was archived under ${archive.bucket}/snapshots/ (a <name>-NNNN.rdb copy) on ${missing.join(", ")}.`,
                            evidence,
                        ),
            );
        }
        const problems: string[] = [];
        const evidence: LiveEvidence[] = [];
        const needs: string[] = [];
        const each = <T>(
            fact: Observed<T> | undefined,
            action: string,
            setting: string,
            judge: (v: T) => string | undefined,
        ) => {
            if (!fact) {
                needs.push(action);
                return;
            }
            evidence.push(ev(setting, fact.value, fact.source));
            const problem = judge(fact.value);
            if (problem) {
                problems.push(problem);
            }
        };
        each(archive.versioning, "s3:GetBucketVersioning", "versioning", (v) =>
            v === "Enabled" ? undefined : `versioning is ${v}`,
        );
        each(archive.encryption, "s3:GetEncryptionConfiguration", "default encryption", (v) =>
            v.algorithm === "aws:kms" || v.algorithm === "aws:kms:dsse"
                ? undefined
                : `default encryption is ${v.algorithm}, not SSE-KMS`,
        );
        each(archive.publicAccessBlock, "s3:GetBucketPublicAccessBlock", "public access block", (v) =>
            v.all ? undefined : "not all four public access blocks are on",
        );
        each(archive.lifecycle, "s3:GetLifecycleConfiguration", "lifecycle rules", (rules) => {
            const short = rules.filter(
                (r) =>
                    r.status === "Enabled" &&
                    r.expirationDays !== undefined &&
                    r.expirationDays < o.archiveRetentionDays,
            );
            return short.length > 0
                ? `lifecycle rule ${short.map((r) => `'${r.id}' expires objects after ${r.expirationDays} days`).join(", ")}, under ${o.archiveRetentionDays}`
                : undefined;
        });
        each(archive.objectLock, "s3:GetBucketObjectLockConfiguration", "Object Lock", () => undefined);
        const status: LiveResult["status"] = problems.length > 0 ? "fail" : needs.length > 0 ? "not evidenced" : "pass";
        out.push(
            result(
                protection,
                target,
                status,
                status === "fail"
                    ? `archive bucket ${archive.bucket}: ${problems.join("; ")}.`
                    : status === "not evidenced"
                      ? `not evidenced: needs ${needs.join(", ")}`
                      : "versioned, SSE-KMS, public access blocked, kept long enough",
                evidence,
                needs[0],
            ),
        );
    }
    return out;
}

function logChecks(cache: CacheFacts, o: LiveOptions): LiveResult[] {
    const out: LiveResult[] = [];
    const deliveries = cache.logDeliveries!;
    const delivery = liveChecks.logDelivery;
    if (deliveries.value.length === 0) {
        out.push(result(delivery, cache, "fail", "no log delivery is configured (slow-log, engine-log)."));
    } else {
        const problems = deliveries.value
            .filter((d) => d.status !== "active")
            .map((d) => `${d.logType} delivery is ${d.status || "unknown"}${d.message ? ` (${d.message})` : ""}`);
        const evidence = deliveries.value.map((d) =>
            ev(`${d.logType} delivery`, `${d.status} to ${d.destination}`, deliveries.source),
        );
        const needs: string[] = [];
        for (const group of cache.logGroups) {
            if (group.state === "denied") {
                needs.push("logs:DescribeLogGroups");
            } else if (group.state === "missing") {
                problems.push(
                    `log group ${group.name} does not exist, so the ${group.name.split("/").pop()} goes nowhere`,
                );
            } else {
                evidence.push(ev(`${group.name} KMS key`, group.kmsKeyId ?? "none", group.source));
                if (!group.kmsKeyId) {
                    problems.push(`log group ${group.name} is not encrypted with a KMS key`);
                }
            }
        }
        out.push(
            result(
                delivery,
                cache,
                problems.length > 0 ? "fail" : needs.length > 0 ? "not evidenced" : "pass",
                problems.length > 0
                    ? `${problems.join("; ")}.`
                    : needs.length > 0
                      ? `not evidenced: needs ${needs[0]}`
                      : "every delivery active, log groups KMS-encrypted",
                evidence,
                needs[0],
            ),
        );
    }
    const freshness = liveChecks.logFreshness;
    for (const group of cache.logGroups) {
        const target = { id: `${cache.id} (${group.name})`, arn: cache.arn };
        if (!group.lastEvent) {
            out.push(unread(freshness, target, "logs:DescribeLogStreams", `events of ${group.name}`));
            continue;
        }
        const last = group.lastEvent.value;
        const evidence = [ev(`${group.name} newest event`, last ?? "none", group.lastEvent.source)];
        if (last === undefined) {
            out.push(
                result(freshness, target, "fail", `log group ${group.name} has never received an event.`, evidence),
            );
        } else {
            const age = hours(last, o.now);
            out.push(
                age <= o.logMaxAgeHours
                    ? result(freshness, target, "pass", `newest event ${age.toFixed(1)} h old`, evidence)
                    : result(
                          freshness,
                          target,
                          "fail",
                          `log group ${group.name} received no event for ${Math.round(age)} h (limit ${o.logMaxAgeHours} h).`,
                          evidence,
                      ),
            );
        }
    }
    return out;
}

function trailCheck(cache: CacheFacts, region: RegionFacts | undefined, o: LiveOptions): LiveResult {
    const check = liveChecks.trailLogging;
    if (!region?.trails) {
        return unread(check, cache, "cloudtrail:DescribeTrails", "trails");
    }
    const covering = region.trails.value.filter((t) => t.multiRegion || t.homeRegion === cache.region);
    const evidence = covering.map((t) =>
        ev(
            `trail ${t.name}`,
            {
                logging: t.logging,
                validation: t.validation,
                kms: t.kmsKeyId !== undefined,
                latestDelivery: t.latestDelivery,
                ...(t.latestDeliveryError ? { latestDeliveryError: t.latestDeliveryError } : {}),
            },
            region.trails!.source,
        ),
    );
    const good = covering.filter(
        (t) =>
            t.logging === true &&
            t.validation &&
            !t.latestDeliveryError &&
            t.latestDelivery !== undefined &&
            hours(t.latestDelivery, o.now) <= o.trailMaxAgeHours,
    );
    if (good.length > 0) {
        return result(check, cache, "pass", `trail ${good.map((t) => t.name).join(", ")} is logging`, evidence);
    }
    if (covering.length > 0 && covering.every((t) => t.logging === undefined)) {
        return notEvidenced(check, cache, "cloudtrail:GetTrailStatus", evidence);
    }
    const why =
        covering.length === 0
            ? `no trail covers ${cache.region}`
            : covering
                  .map((t) =>
                      t.logging !== true
                          ? `${t.name} is not logging`
                          : !t.validation
                            ? `${t.name} does not validate log files`
                            : t.latestDeliveryError
                              ? `${t.name} fails to deliver (${t.latestDeliveryError})`
                              : `${t.name} delivered last at ${t.latestDelivery ?? "never"}`,
                  )
                  .join("; ");
    return result(check, cache, "fail", `${why}: the API activity on the cache is not recorded.`, evidence);
}

function alarmCheck(cache: CacheFacts): LiveResult {
    const check = liveChecks.alarmSubscribers;
    if (!cache.alarms) {
        return unread(check, cache, "cloudwatch:DescribeAlarms", "alarms");
    }
    const alarms = cache.alarms.value;
    const evidence = [
        ev(
            "alarms",
            alarms.map((a) => `${a.name} (${a.state}, actions ${a.actionsEnabled ? "on" : "off"})`),
            cache.alarms.source,
        ),
        ...cache.topics.map((t) =>
            ev(`topic ${t.value.arn}`, `${t.value.confirmed} confirmed, ${t.value.pending} pending`, t.source),
        ),
    ];
    if (alarms.length === 0) {
        return result(check, cache, "fail", `no CloudWatch alarm watches ${cache.id}.`, evidence);
    }
    const reachable = new Set(cache.topics.filter((t) => t.value.confirmed > 0).map((t) => t.value.arn));
    const reaching = alarms.filter((a) => a.actionsEnabled && a.actions.some((x) => reachable.has(x)));
    if (reaching.length > 0) {
        return result(
            check,
            cache,
            "pass",
            `${reaching.length} of ${alarms.length} alarms notify a confirmed subscriber`,
            evidence,
        );
    }
    const unreadTopics = alarms
        .flatMap((a) => a.actions)
        .filter((x) => x.includes(":sns:") && !cache.topics.some((t) => t.value.arn === x));
    if (unreadTopics.length > 0) {
        return notEvidenced(check, cache, "sns:GetTopicAttributes", evidence);
    }
    return result(
        check,
        cache,
        "fail",
        `${alarms.length} alarms watch ${cache.id} but none notifies a topic with a confirmed subscription: nobody would hear an alarm.`,
        evidence,
    );
}

function eventTopicCheck(cache: CacheFacts): LiveResult {
    const check = liveChecks.eventTopic;
    if (!cache.eventTopicStatus) {
        return unread(check, cache, "elasticache:DescribeCacheClusters", "the notification configuration");
    }
    const status = cache.eventTopicStatus.value;
    const evidence = [ev("event topic status", status ?? "none", cache.eventTopicStatus.source)];
    if (!status) {
        return result(check, cache, "fail", "no event notification topic is configured.", evidence);
    }
    if (status !== "active") {
        return result(
            check,
            cache,
            "fail",
            `the event topic is ${status}: ElastiCache cannot publish to it.`,
            evidence,
        );
    }
    const topic = cache.topics[0];
    if (!topic) {
        return notEvidenced(check, cache, "sns:GetTopicAttributes", evidence);
    }
    evidence.push(ev("confirmed subscriptions", topic.value.confirmed, topic.source));
    return topic.value.confirmed > 0
        ? result(check, cache, "pass", `active, ${topic.value.confirmed} confirmed subscriptions`, evidence)
        : result(check, cache, "fail", "the event topic has no confirmed subscription.", evidence);
}

function secretCheck(cache: CacheFacts): LiveResult {
    const check = liveChecks.secretRotation;
    if (!cache.secrets) {
        return unread(check, cache, "secretsmanager:ListSecrets", "the auth secret");
    }
    const secrets = cache.secrets.value;
    if (secrets.length === 0) {
        return result(
            check,
            cache,
            "not applicable",
            `no secret named ${cache.id}-elasticache-auth-* (not deployed by the component)`,
        );
    }
    // Metadata only: rotation flags and dates; ListSecrets never returns a value.
    const evidence = secrets.map((s) =>
        ev(
            `secret ${s.name}`,
            {
                rotationEnabled: s.rotationEnabled,
                rotationDays: s.rotationDays,
                lastRotated: s.lastRotated,
                lastChanged: s.lastChanged,
            },
            cache.secrets!.source,
        ),
    );
    const unrotated = secrets.filter((s) => !s.rotationEnabled);
    return unrotated.length === 0
        ? result(check, cache, "pass", "rotation is enabled", evidence)
        : result(
              check,
              cache,
              "fail",
              `secret ${unrotated.map((s) => s.name).join(", ")} does not rotate automatically.`,
              evidence,
          );
}

/** One live check per deployed AWS Config managed rule, carrying that rule's controls. */
export function configRuleCheck(identifier: string): LiveCheck {
    const managed = managedRules.find((m) => m.identifier === identifier);
    return {
        id: `live-config-${managed?.key ?? identifier.toLowerCase().replace(/_/g, "-")}`,
        description: `Checks that AWS Config's managed rule ${identifier} finds the cache compliant.`,
        controls: managed?.controls ?? ["0706.10b1"],
        enforcementLevel: "advisory",
        severity: "medium",
        remediation: "Read the rule's annotation in AWS Config and fix the setting it names.",
    };
}

function configRuleChecks(cache: CacheFacts, region: RegionFacts | undefined, memberIds: string[]): LiveResult[] {
    const rules = region?.configRules;
    if (!rules) {
        return [];
    }
    // A rule evaluates the group or its nodes, as its resource types say.
    const ids = [cache.id, ...memberIds];
    return rules.value.map((rule) => {
        const check = configRuleCheck(rule.identifier);
        const verdicts = ids.filter((id) => rule.results[id]).map((id) => `${id}: ${rule.results[id]}`);
        const flagged = ids.filter((id) => rule.results[id] === "NON_COMPLIANT");
        const evidence = [ev(`AWS Config ${rule.name}`, verdicts.length ? verdicts : "not evaluated", rules.source)];
        if (flagged.length > 0) {
            return result(
                check,
                cache,
                "fail",
                `AWS Config rule ${rule.name} (${rule.identifier}) finds ${flagged.join(", ")} non-compliant.`,
                evidence,
            );
        }
        return verdicts.length > 0
            ? result(check, cache, "pass", `${rule.identifier}: compliant`, evidence)
            : result(check, cache, "not applicable", `${rule.name} has not evaluated ${cache.id} yet`, evidence);
    });
}

/** Runs every live check on every replication group of the inventory. */
export function runLiveChecks(inventory: Inventory, options: LiveOptions): LiveResult[] {
    const out: LiveResult[] = [];
    for (const cache of inventory.caches) {
        const region = inventory.regionFacts.find((r) => r.region === cache.region);
        out.push(backupRecent(cache, options));
        if (cache.kind === "serverless cache") {
            continue;
        }
        out.push(...archiveChecks(cache, options));
        out.push(...logChecks(cache, options));
        out.push(trailCheck(cache, region, options));
        out.push(alarmCheck(cache));
        out.push(eventTopicCheck(cache));
        out.push(secretCheck(cache));
        out.push(...configRuleChecks(cache, region, cache.memberClusters));
    }
    return out;
}
