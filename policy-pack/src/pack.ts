// Pack metadata, kept apart from index.ts: constructing a PolicyPack starts a gRPC server, so
// tests and tools import this file and the registry, never index.ts.
import { PolicyPackArgs } from "@pulumi/policy";
import { registry } from "./policies";

export const packName = "hitrust-elasticache";

export function packArgs(): PolicyPackArgs {
    return {
        displayName: "HITRUST CSF and HIPAA for Amazon ElastiCache",
        description:
            "Rejects ElastiCache (Redis, Valkey) resources that miss the HITRUST CSF configuration guide: encryption, authentication, Multi-AZ, backups, network segregation, logging and monitoring.",
        provider: "aws",
        tags: ["hitrust", "hipaa", "elasticache", "redis", "valkey"],
        policies: registry.policies(),
    };
}
