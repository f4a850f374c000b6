// The customer-managed KMS key a caller may bring instead of the one the component creates.

/**
 * Why `kmsKeyArn` is refused, or undefined for a key ARN. Only a key ARN is accepted:
 * - CloudWatch Logs takes "the Amazon Resource Name (ARN) of the KMS key" for a log group
 *   (CreateLogGroup / AssociateKmsKey, https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_AssociateKmsKey.html),
 *   and the same key encrypts the cache's log groups;
 * - an AWS managed key (alias `aws/<service>`) keeps the policy its service wrote: "you can only
 *   change the key policy for a customer managed key" (https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-modifying.html),
 *   so it cannot carry the statements CloudWatch Logs, CloudTrail and the archive need.
 */
export function kmsKeyArnProblem(value: unknown): { problem: string; fix: string } | undefined {
    const fix =
        "pass the ARN of a customer-managed KMS key (arn:aws:kms:<region>:<account>:key/<key-id>), or omit kmsKeyArn to have one created";
    if (typeof value !== "string") {
        const kind = value === null ? "null" : Array.isArray(value) ? "a list" : `a ${typeof value}`;
        return { problem: `${kind} is not a key ARN`, fix };
    }
    if (value.trim() === "") {
        return { problem: "empty", fix };
    }
    const arn = /^arn:(aws[a-z-]*):kms:([a-z0-9-]+):(\d{12}):(key|alias)\/(.+)$/.exec(value);
    if (!arn) {
        if (/^alias\//.test(value) || /^(mrk-)?[0-9a-f-]{32,}$/i.test(value)) {
            return { problem: `'${value}' is a key ID or alias name, not an ARN`, fix };
        }
        return { problem: `'${value}' is not a KMS key ARN`, fix };
    }
    if (arn[4] === "alias") {
        if (arn[5].startsWith("aws/")) {
            return {
                problem: `'${value}' is an AWS managed key, whose key policy cannot be changed to admit CloudWatch Logs, CloudTrail and the archive`,
                fix: "pass a customer-managed key's ARN, or omit kmsKeyArn to have one created",
            };
        }
        return {
            problem: `'${value}' is an alias ARN; CloudWatch Logs needs the key's own ARN`,
            fix: "pass the key ARN the alias points to (aws.kms.Alias targetKeyArn, or aws kms describe-key)",
        };
    }
    if (!/^[A-Za-z0-9-]+$/.test(arn[5])) {
        return { problem: `'${value}' does not end in a key ID`, fix };
    }
    return undefined;
}

/**
 * Why a key ARN from another Region is refused, or undefined when it names `region` (or is not a
 * key ARN, which kmsKeyArnProblem reports). KMS keys are Regional: a key "never leaves the AWS
 * Region where it was created", and a multi-Region key's replica in another Region has its own ARN
 * with that Region in it ("Multi-Region keys in AWS KMS",
 * https://docs.aws.amazon.com/kms/latest/developerguide/multi-region-keys-overview.html), so
 * ElastiCache, CloudWatch Logs and Secrets Manager in the stack's Region cannot use it; the
 * deployment would fail at the first of them.
 */
export function kmsKeyRegionProblem(value: unknown, region: string): { problem: string; fix: string } | undefined {
    const arn = typeof value === "string" ? /^arn:aws[a-z-]*:kms:([a-z0-9-]+):\d{12}:key\//.exec(value) : null;
    if (!arn || arn[1] === region) {
        return undefined;
    }
    return {
        problem: `the key is in ${arn[1]}, but the cache is deployed in ${region}; a KMS key serves only its own Region`,
        fix: `pass a key in ${region} (for a multi-Region key, the ARN of its replica in ${region}), or omit kmsKeyArn to have one created`,
    };
}
