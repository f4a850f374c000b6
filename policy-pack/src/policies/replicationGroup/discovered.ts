// What a discovered replication group's read state cannot show, said rather than guessed.
import { isMissing } from "../../props";
import { ResourceRuleSpec } from "../../registry";
import { namedEntries, rg } from "./common";

export const missingUnreadableSettings: ResourceRuleSpec = {
    name: "aws-elasticache-replicationgroup-missing-unreadable-settings",
    description:
        "Checks that a replication group found by Insights Discovery shows every setting the pack judges, naming those AWS never returns (AUTH token, event topic, final snapshot) for the audit command to evidence.",
    enforcementLevel: "advisory",
    severity: "medium",
    controls: ["0808.10b2", "19141.06c1", "1270.09ad1", "1620.09l1"],
    tags: ["authentication", "monitoring", "backup", "audit"],
    remediationSteps:
        "Run `npm run audit -- --region <region>` (or `hitrust-elasticache-audit`) on the account: it reads AuthTokenEnabled and the event topic from ElastiCache. Manage the group in a stack whose program sets `finalSnapshotIdentifier`, the only place a deletion setting exists.",
    resourceTypes: rg,
    properties: ["authToken", "authTokenWo", "userGroupIds", "notificationTopicArn", "finalSnapshotIdentifier"],
    discoveredOnly:
        "a planned group shows these settings, and the authentication, notification-topic and final-snapshot policies judge them.",
    check(props) {
        const unseen: string[] = [];
        // The provider's read state has no AuthTokenEnabled (the API's ReplicationGroup has it,
        // https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_ReplicationGroup.html;
        // the aws.elasticache.ReplicationGroup resource does not), and never the token. With a user
        // group the group requires RBAC authentication, which the read state does show.
        const token = !isMissing(props.authToken) || !isMissing(props.authTokenWo);
        if (!token && namedEntries(props.userGroupIds).length === 0) {
            unseen.push("whether clients must present an AUTH token (the group has no RBAC user group)");
        }
        if (isMissing(props.notificationTopicArn)) {
            unseen.push("the SNS topic its events go to");
        }
        if (isMissing(props.finalSnapshotIdentifier)) {
            unseen.push("whether deleting it takes a final snapshot (a deletion setting only a program holds)");
        }
        return unseen.length === 0
            ? undefined
            : `AWS's read state cannot show ${unseen.join("; ")}: run \`npm run audit\` on the account, which reads AUTH and the event topic from ElastiCache, and manage the group in a stack that sets finalSnapshotIdentifier.`;
    },
};
