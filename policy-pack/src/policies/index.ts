// The pack's registry, assembled from one file (or folder) per resource type. Tools and tests
// reach the policies only through `registry` (registry.policies(), registry.metadata()).
import { Registry } from "../registry";
import { clusterRules } from "./cluster";
import { kmsKeyEnableDiscoveredRotation, kmsKeyEnableRotation } from "./kmsKey";
import { logGroupConfigureDiscoveredRetention, logGroupConfigureRetention } from "./logGroup";
import { notificationTopicDisallowEncryption } from "./notificationTopic";
import { parameterGroupRules } from "./parameterGroup";
import {
    disallowDefaultSecurityGroup,
    disallowUncheckedGlobalSecondary,
    replicationGroupConfigureAlarms,
    replicationGroupRules,
} from "./replicationGroup";
import { securityGroupDisallowDiscoveredInternetIngress, securityGroupDisallowInternetIngress } from "./securityGroup";
import { subnetGroupDisallowInternetRoutes } from "./routes";
import { serverlessCacheRules } from "./serverlessCache";
import {
    subnetGroupConfigureDiscoveredMultipleAzs,
    subnetGroupConfigureMultipleAzs,
    subnetGroupDisallowPublicSubnets,
    subnetGroupRules,
} from "./subnetGroup";
import { userRules } from "./user";
import { userGroupDisallowDiscoveredDefaultUser, userGroupDisallowEnabledDefaultUser } from "./userGroup";

/** Every rule of the pack, in the order the pack reports them (resource policies, then stack policies). */
export const registry = new Registry().add(
    ...replicationGroupRules,
    ...clusterRules,
    ...serverlessCacheRules,
    ...subnetGroupRules,
    ...userRules,
    ...parameterGroupRules,
    // The single-resource judgements of stack-only controls, for audit groups (no stack policy).
    securityGroupDisallowDiscoveredInternetIngress,
    subnetGroupConfigureDiscoveredMultipleAzs,
    logGroupConfigureDiscoveredRetention,
    userGroupDisallowDiscoveredDefaultUser,
    kmsKeyEnableDiscoveredRotation,
    securityGroupDisallowInternetIngress,
    disallowDefaultSecurityGroup,
    subnetGroupConfigureMultipleAzs,
    subnetGroupDisallowPublicSubnets,
    subnetGroupDisallowInternetRoutes,
    logGroupConfigureRetention,
    userGroupDisallowEnabledDefaultUser,
    kmsKeyEnableRotation,
    replicationGroupConfigureAlarms,
    notificationTopicDisallowEncryption,
    disallowUncheckedGlobalSecondary,
);
