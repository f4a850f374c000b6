export * from "./args";
export { HitrustRedis, componentType } from "./redis";
export { defaults, resolveSettings, ValidationError, Settings } from "./validate";
export { buildEvidence } from "./evidence";
