// The pack's registry, assembled from one file (or folder) per resource type. Tools and tests
// reach the policies only through `registry` (registry.policies(), registry.metadata()).
import { Registry } from "../registry";
import { clusterRules } from "./cluster";
import { kmsKeyEnableRotation } from "./kmsKey";
import { logGroupConfigureRetention } from "./logGroup";
import { notificationTopicDisallowEncryption } from "./notificationTopic";
import {
    disallowUncheckedGlobalSecondary,
    replicationGroupConfigureAlarms,
    replicationGroupRules,
} from "./replicationGroup";
import { securityGroupDisallowInternetIngress } from "./securityGroup";
import { serverlessCacheRules } from "./serverlessCache";
import { subnetGroupConfigureMultipleAzs, subnetGroupDisallowPublicSubnets, subnetGroupRules } from "./subnetGroup";
import { userRules } from "./user";
import { userGroupDisallowEnabledDefaultUser } from "./userGroup";

/** Every rule of the pack, in the order the pack reports them (resource policies, then stack policies). */
export const registry = new Registry().add(
    ...replicationGroupRules,
    ...clusterRules,
    ...serverlessCacheRules,
    ...subnetGroupRules,
    ...userRules,
    securityGroupDisallowInternetIngress,
    subnetGroupConfigureMultipleAzs,
    subnetGroupDisallowPublicSubnets,
    logGroupConfigureRetention,
    userGroupDisallowEnabledDefaultUser,
    kmsKeyEnableRotation,
    replicationGroupConfigureAlarms,
    notificationTopicDisallowEncryption,
    disallowUncheckedGlobalSecondary,
);
