// Resources the pack sees as the provider read them back from AWS, not as a program plans them.
//
// Audit policy groups run the pack on every resource Insights Discovery finds, with URNs
// `urn:insights:<account>/<region>::aws::<type>::<arn-or-id>` and the provider's read state; and
// `pulumi policy analyze` hands AnalyzeStack each resource's outputs. Read state differs from a
// plan in two ways the policies must allow for:
// - What AWS never returns is absent whatever the cache's settings: the AUTH token, the event
//   topic and the final snapshot of a replication group, user passwords. Their absence is no
//   evidence; the pack says what it cannot see instead of reporting a violation.
// - Rebuilt as inputs (pulumi-terraform-bridge, pkg/tfbridge/schema.go, ExtractInputsFromOutputs
//   -> extractSchemaInputsObject -> isDefaultOrZeroValue), every optional attribute whose value is
//   false, 0, "" or [] is dropped. A flag missing from read state is off, even where a program that
//   leaves it out gets it on (Valkey's at-rest encryption, automatic minor upgrades).
/** The URN scheme of resources found by Pulumi Insights Discovery. */
export const insightsUrnPrefix = "urn:insights:";

/**
 * What `pulumi policy analyze` puts in place of a secret it cannot decrypt offline, whatever the
 * secret's type (pulumi/pulumi pkg/cmd/pulumi/policy/policy_analyze.go, BlindingProvider).
 */
export const redactedSecret = "[secret]";

/**
 * True when the resource was found by Insights Discovery: its properties are the provider's read
 * state. (Outputs alone are no sign: `pulumi policy analyze` and the audit's `--stack-export` pass
 * a stack's outputs too, and there a missing AUTH token is the program's, so a real finding.)
 */
export function isDiscovered(urn: string): boolean {
    return typeof urn === "string" && urn.startsWith(insightsUrnPrefix);
}

/** True when a value was redacted by `pulumi policy analyze`: it stands for a set secret. */
export function isRedacted(value: unknown): boolean {
    return value === redactedSecret;
}
