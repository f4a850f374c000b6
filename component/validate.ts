// The component's argument validation, split by concern under ./validation. This module stays the
// one other files import, so redis.ts, archive.ts, evidence.ts and index.ts are unaffected.
export {
    checkOnResolve,
    defaults,
    nodeIds,
    resolveSettings,
    spreadNodes,
    subnetVpcProblems,
    subnetZoneProblems,
} from "./validation";
export { secretOnResolve } from "./validation";
export type { CheckedInputs, ResolveOptions, Settings } from "./validation";
export { formatProblem, ProblemCollector, ValidationError } from "./validation/problems";
export type { Problem } from "./validation/problems";
export {
    authTokenArgumentProblems,
    authTokenSecretIdProblem,
    accessStringProblems,
    maxUsersPerUserGroup,
    plainAuthTokenProblem,
    tokenFromSecretString,
} from "./validation/auth";
export { kmsKeyArnProblem } from "./validation/encryption";
export { defaultNodesPerClusterQuota, deriveReplicationGroupId } from "./validation/engine";
export { cloudWatchRetentionDays, minimumLogRetentionDays } from "./validation/logging";
export { maximumArchiveRetentionDays, minimumArchiveRetentionDays } from "./validation/archive";
export { maxInboundRulesPerSecurityGroup, maxSubnetsPerSubnetGroup } from "./validation/network";
export { scheduleExpressionProblem } from "./validation/schedule";
export { auditScheduleProblem, checkContinuousAudit, defaultAuditSchedule } from "./validation/continuousAudit";
export { argumentFields, forbiddenArguments, nestedFields } from "./validation/schema";
