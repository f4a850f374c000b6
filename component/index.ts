// The package entry: the component, its argument types and the helpers callers need. No side
// effects: importing it creates nothing (the stack program in ../index.ts is not part of it).
export * from "./args";
export { HitrustRedis, componentType } from "./redis";
export { defaults, resolveSettings, ValidationError, Settings } from "./validate";
export { buildEvidence } from "./evidence";
export { requiredKeyStatements } from "./keyPolicy";
