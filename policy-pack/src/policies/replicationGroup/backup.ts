// Replication group policies on backups: automatic snapshots, their retention and window, and
// the final snapshot on deletion.
import { maxBackupRetentionDays } from "../../../../core/checks";
import { engineKey } from "../../../../core/engine";
import { isMissing, isUnknown, knownNumber } from "../../props";
import { ResourceRuleSpec } from "../../registry";
import { types } from "../../types";
import { rg } from "./common";

/** The fewest days of automatic backups the mandatory policy allows by default (cdk-nag's HIPAA pack asks for 15). */
export const defaultMinimumBackupRetentionDays = 15;

export const enableAutomaticBackups: ResourceRuleSpec<{ minimumRetentionDays: number }> = {
    name: "aws-elasticache-replicationgroup-enable-automatic-backups",
    description:
        "Checks that ElastiCache replication groups, standalone clusters and serverless caches take automatic backups and keep them long enough.",
    enforcementLevel: "mandatory",
    severity: "high",
    controls: ["1616.09l1", "1618.09l1"],
    tags: ["backup"],
    remediationSteps:
        "Set `snapshotRetentionLimit` to 35 (the guide's recommendation; at least the configured minimum).",
    config: {
        minimumRetentionDays: {
            type: "integer",
            default: defaultMinimumBackupRetentionDays,
            minimum: 1,
            maximum: maxBackupRetentionDays,
            description:
                "The fewest days automatic backups may be kept (the strictest public rule set, cdk-nag's HIPAA pack, asks for 15).",
        },
    },
    resourceTypes: [types.replicationGroup, types.cluster, types.serverlessCache],
    properties: ["snapshotRetentionLimit"],
    check(props, { config, type }) {
        if (type === types.cluster && !isMissing(props.replicationGroupId)) {
            return undefined; // a member of a replication group is backed up with its group
        }
        if (engineKey(props.engine) === "memcached") {
            return undefined; // memcached cannot back up at all; the memcached policies reject it
        }
        const retention = props.snapshotRetentionLimit;
        if (isUnknown(retention)) {
            return undefined;
        }
        const days = knownNumber(retention) ?? 0;
        const minimum = config.minimumRetentionDays;
        if (days === 0) {
            return `automatic backups are off (snapshotRetentionLimit is ${isMissing(retention) ? "not set" : "0"}): set snapshotRetentionLimit to 35.`;
        }
        return days < minimum
            ? `snapshotRetentionLimit is ${days} days, below the minimum of ${minimum}: set it to 35 (at least ${minimum}).`
            : undefined;
    },
};

export const configureBackupRetention: ResourceRuleSpec<{
    recommendedRetentionDays: number;
    minimumRetentionDays: number;
}> = {
    name: "aws-elasticache-replicationgroup-configure-backup-retention",
    description:
        "Checks that ElastiCache replication groups keep automatic backups for the 35 days the guide recommends.",
    enforcementLevel: "advisory",
    severity: "low",
    controls: ["1616.09l1"],
    tags: ["backup"],
    remediationSteps: "Set `snapshotRetentionLimit: 35` and archive snapshots beyond that for six years.",
    config: {
        recommendedRetentionDays: {
            type: "integer",
            default: maxBackupRetentionDays,
            minimum: 1,
            maximum: maxBackupRetentionDays,
            description: "The retention the organization recommends.",
        },
        minimumRetentionDays: {
            type: "integer",
            default: defaultMinimumBackupRetentionDays,
            minimum: 1,
            maximum: maxBackupRetentionDays,
            description:
                "Set it to aws-elasticache-replicationgroup-enable-automatic-backups' minimumRetentionDays: below it that policy reports the retention, and this one stays silent (one finding per cause).",
        },
    },
    resourceTypes: rg,
    properties: ["snapshotRetentionLimit"],
    check(props, { config }) {
        const days = knownNumber(props.snapshotRetentionLimit);
        const recommended = config.recommendedRetentionDays;
        // Zero, missing or below-minimum retention is the mandatory backup policy's finding, not this one's.
        return days !== undefined && days > 0 && days >= config.minimumRetentionDays && days < recommended
            ? `snapshotRetentionLimit is ${days} days: the guide recommends ${recommended}; set it to ${recommended}.`
            : undefined;
    },
};

export const configureSnapshotWindow: ResourceRuleSpec = {
    name: "aws-elasticache-replicationgroup-configure-snapshot-window",
    description: "Checks that ElastiCache replication groups take backups in a window the organization chose.",
    enforcementLevel: "advisory",
    severity: "low",
    controls: ["1620.09l1"],
    tags: ["backup"],
    remediationSteps:
        "Set `snapshotWindow` (hh24:mi-hh24:mi UTC, at least 60 minutes) outside peak hours and the maintenance window.",
    resourceTypes: rg,
    properties: ["snapshotWindow"],
    check(props) {
        return isMissing(props.snapshotWindow)
            ? "snapshotWindow is not set, so ElastiCache picks one at random: set a window such as 03:00-05:00 outside the maintenance window."
            : undefined;
    },
};

export const configureFinalSnapshot: ResourceRuleSpec = {
    name: "aws-elasticache-replicationgroup-configure-final-snapshot",
    description: "Checks that ElastiCache replication groups take a final snapshot when they are deleted.",
    enforcementLevel: "advisory",
    severity: "medium",
    controls: ["1620.09l1"],
    tags: ["backup"],
    remediationSteps: "Set `finalSnapshotIdentifier` to a unique name (for example with a random suffix).",
    resourceTypes: rg,
    properties: ["finalSnapshotIdentifier"],
    check(props, { discovered }) {
        // Never in read state: aws-elasticache-replicationgroup-missing-unreadable-settings names it.
        return !discovered && isMissing(props.finalSnapshotIdentifier)
            ? "finalSnapshotIdentifier is not set, so deleting the group deletes its data for good: set a unique final snapshot name."
            : undefined;
    },
};
