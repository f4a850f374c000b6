// Policies on aws.elasticache.ReplicationGroup, one concern per file.
import { ResourceRuleSpec, StackRuleSpec } from "../../registry";
import { configureStrongAuthToken, enableAuthentication, enforceAuthTokenComplexity } from "./authentication";
import { configureReplicas, disallowSingleAzPlacement, enableAutomaticFailover, enableMultiAz } from "./availability";
import {
    configureBackupRetention,
    configureFinalSnapshot,
    configureSnapshotWindow,
    enableAutomaticBackups,
} from "./backup";
import {
    configureCustomerManagedKey,
    enableEncryptionAtRest,
    enableEncryptionInTransit,
    enforceTransitEncryptionRequired,
} from "./encryption";
import { missingUnreadableSettings } from "./discovered";
import { disallowUncheckedGlobalSecondary } from "./globalDatastore";
import { configureNotificationTopic, enableLogDelivery, replicationGroupConfigureAlarms } from "./monitoring";
import {
    configureNonDefaultPort,
    configureSecurityGroups,
    configureSubnetGroup,
    disallowDefaultSecurityGroup,
} from "./network";
import {
    configureCurrentGenerationNodeType,
    configureEngineVersion,
    configureMaintenanceWindow,
    disallowDefaultParameterGroup,
    disallowEngineOutOfStandardSupport,
    enableAutoMinorVersionUpgrade,
} from "./patching";

export * from "./authentication";
export * from "./availability";
export * from "./backup";
export { engineOf, isGlobalSecondary } from "./common";
export * from "./discovered";
export * from "./encryption";
export * from "./globalDatastore";
export * from "./monitoring";
export * from "./network";
export * from "./patching";

/** The resource policies, in the order the pack reports them. */
export const replicationGroupRules: ResourceRuleSpec[] = [
    enableEncryptionAtRest,
    enableEncryptionInTransit,
    enforceTransitEncryptionRequired,
    enableAuthentication,
    enforceAuthTokenComplexity,
    configureStrongAuthToken,
    enableAutomaticFailover,
    enableMultiAz,
    configureReplicas,
    disallowSingleAzPlacement,
    enableAutomaticBackups,
    configureEngineVersion,
    configureSubnetGroup,
    configureSecurityGroups,
    configureCurrentGenerationNodeType,
    configureNonDefaultPort,
    disallowDefaultParameterGroup,
    configureCustomerManagedKey,
    configureBackupRetention,
    configureSnapshotWindow,
    configureMaintenanceWindow,
    configureNotificationTopic,
    configureFinalSnapshot,
    enableLogDelivery,
    enableAutoMinorVersionUpgrade,
    disallowEngineOutOfStandardSupport,
    missingUnreadableSettings,
];

/** The stack policies on replication groups. */
export const replicationGroupStackRules: StackRuleSpec[] = [
    replicationGroupConfigureAlarms,
    disallowUncheckedGlobalSecondary,
    disallowDefaultSecurityGroup,
];
