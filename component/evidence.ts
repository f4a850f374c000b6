import { ControlId, EvidenceItem } from "../core/controls";
import { trailName } from "./archive";
import type { ManagedRule } from "./configRules";
import { stagingExpirationDays } from "./snapshotExport";
import { Settings } from "./validate";

/**
 * For each control of the guide, the resources the component creates and the settings on them
 * that satisfy it: derived from the settings the component actually builds with, never typed by hand.
 */
export function buildEvidence(
    name: string,
    settings: Settings,
    opts: {
        customerKey: boolean;
        objectLock: boolean;
        subscriptions: number;
        /** AWS Config managed rules not deployed because the Region lacks them (awsConfigRules). */
        skippedConfigRules?: readonly { rule: ManagedRule; region: string }[];
    },
): EvidenceItem[] {
    const rg = `${name}-rg`;
    const items: EvidenceItem[] = [];
    const add = (controlIds: ControlId[], resource: string, setting: string, value: string | number | boolean) => {
        for (const control of controlIds) {
            items.push({ control, resource, setting, value: String(value) });
        }
    };
    const nodes = settings.clusterMode
        ? `${settings.clusterMode.shards} shards x (1 + ${settings.clusterMode.replicasPerShard})`
        : String(settings.numCacheClusters);

    add(["0706.10b1"], rg, "engine", settings.engine);
    add(["0706.10b1"], rg, "engineVersion", settings.engineVersion);
    add(["0706.10b1"], rg, "autoMinorVersionUpgrade", true);
    add(["0706.10b1"], rg, "nodeType", settings.nodeType);
    add(["0706.10b1"], rg, "port", settings.port);
    add(["0706.10b1"], `${name}-params`, "family", settings.parameterGroupFamily);

    add(["1410.09e2", "1618.09l1"], rg, "automaticFailoverEnabled", true);
    add(["1410.09e2", "1601.12c1"], rg, "multiAzEnabled", true);
    add(["1601.12c1", "1618.09l1", "1620.09l1"], rg, "nodes", nodes);
    add(
        ["1601.12c1"],
        rg,
        settings.clusterMode ? "node placement" : "preferredCacheClusterAzs",
        settings.clusterMode
            ? "balanced by ElastiCache over the subnet group's zones"
            : "round-robin over the subnets' zones",
    );

    add(["0805.01m1"], `${name}-subnets`, "subnetIds", "private subnets in two or more availability zones");
    add(["0805.01m1"], `${name}-sg`, "ingress", `tcp ${settings.port} from listed sources only; no egress`);

    add(["1903.06d1"], rg, "atRestEncryptionEnabled", true);
    add(
        ["0903.10f1", "1903.06d1"],
        rg,
        "kmsKeyId",
        opts.customerKey ? `${name}-key (rotation on)` : "caller-supplied key",
    );
    add(["0808.10b2"], rg, "transitEncryptionEnabled", true);
    if (settings.transitEncryptionMode) {
        add(["0808.10b2"], rg, "transitEncryptionMode", settings.transitEncryptionMode);
    }
    if (settings.authentication === "token") {
        add(
            ["0808.10b2", "19141.06c1"],
            rg,
            "authentication",
            `AUTH token (secret, in Secrets Manager); update strategy ${settings.authTokenUpdateStrategy}`,
        );
    } else {
        add(["0808.10b2", "19141.06c1"], rg, "userGroupIds", `${name}-users (default user disabled)`);
    }
    add(["19141.06c1"], `${name}-auth`, "kmsKeyId", "credentials in Secrets Manager, encrypted with the cache key");

    add(["1616.09l1", "1618.09l1"], rg, "snapshotRetentionLimit", settings.snapshotRetentionDays);
    add(["1620.09l1"], rg, "snapshotWindow", settings.snapshotWindow);
    add(["1620.09l1"], rg, "maintenanceWindow", settings.maintenanceWindow);
    add(["1620.09l1"], rg, "finalSnapshotIdentifier", `${settings.replicationGroupId}-final-<unique suffix>`);
    add(["1270.09ad1"], rg, "notificationTopicArn", `${name}-events`);
    for (const logType of settings.logTypes) {
        add(["1202.09aa1", "1203.09aa1"], rg, `logDeliveryConfigurations[${logType}]`, `${name}-${logType} (json)`);
        add(["1204.09aa1"], `${name}-${logType}`, "retentionInDays", settings.logRetentionDays);
    }
    const years = (settings.archiveRetentionDays / 365).toFixed(1);
    // Which trail covers the cache. One trail records every API call of the account, so every stack
    // after the first names an existing one (CloudTrail allows 5 trails per Region, not adjustable).
    if (settings.existingTrailName === undefined) {
        add(
            ["1202.09aa1", "1203.09aa1"],
            `${name}-audit`,
            "CloudTrail trail covering the cache",
            `${trailName(settings)}, created by this stack: multi-region, management events, log file validation, KMS-encrypted`,
        );
        add(["1204.09aa1"], `${name}-audit`, "s3KeyPrefix", `cloudtrail/ in ${name}-archive (${years} years)`);
    } else {
        add(
            ["1202.09aa1", "1203.09aa1", "1204.09aa1"],
            settings.existingTrailName,
            "CloudTrail trail covering the cache",
            `${settings.existingTrailName}, an existing trail named in auditTrail.existingTrailName (not created or changed by this stack); its Regions, events, validation and retention are its owner's: the live audit checks it logs this Region with log file validation (live-cloudtrail-trail-logging)`,
        );
    }
    add(
        ["1204.09aa1"],
        `${name}-log-archive`,
        "Firehose to S3",
        `cache logs copied to logs/ in ${name}-archive (${years} years)`,
    );
    add(
        ["1616.09l1", "1620.09l1"],
        `${name}-snapshot-archive`,
        "schedule",
        `${settings.archiveSchedule} and hourly: every automatic snapshot not yet archived to snapshots/ (long copies by Step Functions)`,
    );
    add(
        ["1616.09l1", "1620.09l1", "1204.09aa1"],
        `${name}-archive`,
        "lifecycle",
        `Glacier after 30 days, Deep Archive after 180, expiry after ${settings.archiveRetentionDays} days; versioned, KMS, public access blocked, TLS only, kept on destroy${opts.objectLock ? ", Object Lock (governance)" : ""}`,
    );
    // The one place an export is not under the customer key: ElastiCache can only write exports with
    // SSE-S3 (README, "Why a staging bucket"). Say how long PHI can wait there when the job fails.
    add(
        ["1903.06d1", "1616.09l1"],
        `${name}-export-staging`,
        "lifecycle",
        `exports wait here under SSE-S3 (not the customer key) until the job copies them to the archive and deletes them; when the job fails they stay until S3 expires them, ${stagingExpirationDays} day after arrival rounded up to midnight UTC (at most ${stagingExpirationDays + 1} days; S3's minimum) while the job's error alarm reports the failure; private, public access blocked, TLS only`,
    );
    add(
        ["12100.09ab2", "1270.09ad1"],
        `${name}-snapshot-archive-errors`,
        "CloudWatch alarm",
        "archive job errors, missed days, newest archived backup older than 30 h -> event topic",
    );
    if (opts.subscriptions > 0) {
        add(["1270.09ad1"], `${name}-events`, "subscriptions", `${opts.subscriptions} email/https subscribers`);
    }
    if (settings.nodeIds.length > 0) {
        add(
            ["12100.09ab2", "1270.09ad1"],
            `${name}-*-<metric>`,
            "CloudWatch alarms",
            `${settings.nodeIds.length} nodes x CPU, memory, evictions, new connections, replication lag -> ${name}-events`,
        );
    }
    if (settings.continuousAudit) {
        const audit = settings.continuousAudit;
        add(
            ["12100.09ab2", "1270.09ad1"],
            `${name}-hitrust-audit`,
            "continuous audit",
            `${audit.schedule}: the account's ElastiCache resources in ${audit.regions.length > 0 ? audit.regions.join(", ") : "the stack's Region"} audited with the pack's policies; dated reports under audit-reports/ in ${name}-archive${audit.securityHub ? ", findings to Security Hub" : ""}, a metric per control; alarms ${name}-hitrust-audit-mandatory-not-met and ${name}-hitrust-audit-missed -> ${name}-events`,
        );
    }
    for (const { rule, region } of opts.skippedConfigRules ?? []) {
        add(
            rule.controls,
            `${name}-config-${rule.key}`,
            "AWS Config managed rule",
            `gap: ${rule.identifier} is not offered in ${region}, not deployed (${rule.url})`,
        );
    }
    return items;
}
