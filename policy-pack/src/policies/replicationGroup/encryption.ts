// Replication group policies on encryption at rest and in transit, and the key that encrypts.
import { featureMinimum } from "../../../../core/engine";
import { isMissing, isUnknown, knownBoolean, Plain } from "../../props";
import { ResourceRuleSpec } from "../../registry";
import { types } from "../../types";
import { engineOf, inherits, mustBeTrue, rg } from "./common";

/**
 * True when the group is known to store its data unencrypted, read as enable-encryption-at-rest
 * reads it: off when false, or when absent unless the provider's Valkey default turns it on.
 */
function atRestEncryptionOff(props: Plain, discovered: boolean): boolean {
    const value = props.atRestEncryptionEnabled;
    if (isUnknown(value) || inherits(props, "atRestEncryption", discovered)) {
        return false;
    }
    if (isMissing(value)) {
        return discovered || engineOf(props) !== "valkey";
    }
    return knownBoolean(value) !== true;
}

export const enableEncryptionAtRest: ResourceRuleSpec = {
    name: "aws-elasticache-replicationgroup-enable-encryption-at-rest",
    description: "Checks that ElastiCache replication groups encrypt data at rest.",
    enforcementLevel: "mandatory",
    severity: "critical",
    // 0903.10f1 too: with at-rest encryption off no key is used, and the key policy stays silent.
    controls: ["1903.06d1", "0903.10f1"],
    tags: ["encryption"],
    remediationSteps:
        "Set `atRestEncryptionEnabled: true`. At-rest encryption can only be chosen when a group is created: create a new encrypted group, restore a snapshot into it, and switch clients over.",
    resourceTypes: rg,
    properties: ["atRestEncryptionEnabled", "engine"],
    check(props, { discovered }) {
        if (inherits(props, "atRestEncryption", discovered)) {
            return undefined;
        }
        // The provider turns at-rest encryption on for Valkey when the property is left out of a
        // plan; left out of read state it is a dropped false (readState.ts).
        const valkey = engineOf(props) === "valkey" && !discovered;
        return mustBeTrue(
            props.atRestEncryptionEnabled,
            "atRestEncryptionEnabled",
            "set atRestEncryptionEnabled to true (only possible at creation: create an encrypted group and restore a snapshot into it).",
            valkey,
        );
    },
};

export const enableEncryptionInTransit: ResourceRuleSpec = {
    name: "aws-elasticache-replicationgroup-enable-encryption-in-transit",
    description: "Checks that ElastiCache replication groups encrypt traffic in transit with TLS.",
    enforcementLevel: "mandatory",
    severity: "critical",
    controls: ["0808.10b2"],
    tags: ["encryption", "network"],
    remediationSteps: `Set \`transitEncryptionEnabled: true\` (with \`transitEncryptionMode: "required"\` on Redis ${featureMinimum("redis", "transitEncryptionMode")}+ or Valkey) and connect clients with TLS.`,
    resourceTypes: rg,
    properties: ["transitEncryptionEnabled"],
    check(props, { discovered }) {
        if (inherits(props, "transitEncryption", discovered)) {
            return undefined;
        }
        return mustBeTrue(
            props.transitEncryptionEnabled,
            "transitEncryptionEnabled",
            'set transitEncryptionEnabled to true and transitEncryptionMode to "required", and connect clients with TLS.',
        );
    },
};

export const enforceTransitEncryptionRequired: ResourceRuleSpec = {
    name: "aws-elasticache-replicationgroup-enforce-transit-encryption-required",
    description:
        'Checks that ElastiCache replication groups do not accept plaintext connections (transit mode "preferred").',
    enforcementLevel: "mandatory",
    severity: "high",
    controls: ["0808.10b2"],
    tags: ["encryption", "network"],
    remediationSteps:
        'Set `transitEncryptionMode: "required"` once every client connects with TLS. The remediation sets it for you when the policy is set to `remediate`.',
    resourceTypes: rg,
    properties: ["transitEncryptionMode"],
    check(props) {
        const mode = props.transitEncryptionMode;
        if (mode === "preferred") {
            return 'transitEncryptionMode is "preferred", which still accepts plaintext connections: set it to "required" once clients use TLS.';
        }
        return undefined;
    },
    remediate(props) {
        return props.transitEncryptionMode === "preferred"
            ? { ...props, transitEncryptionMode: "required" }
            : undefined;
    },
};

/** An AWS-managed key: its alias is under alias/aws/, and its key policy cannot be changed. */
const awsManagedAlias = /(^|:)alias\/aws\//;
/** A KMS key ARN, alias ARN, key ID ("1234abcd-...", "mrk-...") or alias name. */
const kmsKeyReference =
    /^(arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)\/.+|[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}|mrk-[0-9a-f]{32}|alias\/.+)$/;

export const configureCustomerManagedKey: ResourceRuleSpec<{ allowedKmsKeyIds: string[] }> = {
    name: "aws-elasticache-replicationgroup-configure-customer-managed-key",
    description: "Checks that ElastiCache replication groups encrypt at rest with a customer-managed KMS key.",
    // Mandatory: without the key (kmsKeyId null or ""), ElastiCache's default key, which AWS owns, encrypts the data and
    // the stack's key policy, rotation and access evidence do not apply.
    enforcementLevel: "mandatory",
    severity: "high",
    controls: ["0903.10f1", "1903.06d1"],
    tags: ["encryption"],
    remediationSteps:
        "Create an `aws.kms.Key` with `enableKeyRotation: true` and set `kmsKeyId` to its ARN (only possible when the group is created).",
    config: {
        allowedKmsKeyIds: {
            type: "array",
            items: { type: "string" },
            default: [],
            description: "KMS key ARNs or IDs the organization approves; empty approves any customer-managed key.",
        },
    },
    resourceTypes: [types.replicationGroup, types.serverlessCache],
    properties: ["kmsKeyId"],
    check(props, { config, discovered, type }) {
        const key = props.kmsKeyId;
        if (isUnknown(key)) {
            return undefined;
        }
        if (isMissing(key)) {
            if (type === types.replicationGroup && atRestEncryptionOff(props, discovered)) {
                return undefined; // no key encrypts anything: enable-encryption-at-rest's finding
            }
            // Without a key ElastiCache uses its default, "service managed" encryption
            // (https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/at-rest-encryption.html): a
            // key AWS owns, not an AWS-managed key in the account (alias/aws/...) whose use CloudTrail would show.
            return `kmsKeyId is ${key === "" ? "empty" : "not set"}, so ElastiCache's default key, which AWS owns, encrypts the data: set kmsKeyId to a customer-managed key with rotation.`;
        }
        const text = String(key);
        if (awsManagedAlias.test(text)) {
            return `kmsKeyId '${text}' is an AWS-managed key, whose key policy the stack cannot set: create a customer-managed key with rotation and use its ARN.`;
        }
        if (!kmsKeyReference.test(text)) {
            return `kmsKeyId '${text}' is not a KMS key ARN or ID: set it to the ARN of a customer-managed key.`;
        }
        const allowed = config.allowedKmsKeyIds;
        return allowed.length > 0 && !allowed.some((a) => text === a || text.endsWith(`/${a}`))
            ? `kmsKeyId ${text} is not an approved key: use one of the keys in allowedKmsKeyIds.`
            : undefined;
    },
};
