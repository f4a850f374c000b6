/** A problem with the command line or environment: exit code 2, no report. */
export class UsageError extends Error {}

/** A failure of the whole run that a person can fix, said in one line: exit code 2, no report. */
export class RunError extends Error {}

/** Where the failing call went, for the message. */
export interface FailedCall {
    service: string;
    operation: string;
    region: string;
}

// Credential errors as the AWS services and SDK name them: "Common Errors" of the query APIs
// (ElastiCache, EC2, SNS: InvalidClientTokenId, ExpiredToken, SignatureDoesNotMatch,
// RequestExpired), the JSON APIs (UnrecognizedClientException, ExpiredTokenException), S3's
// "Error responses" (InvalidAccessKeyId, ExpiredToken), and the SDK's credential chain
// (CredentialsProviderError: "Could not load credentials from any providers"; the SSO token
// provider's TokenProviderError when the SSO session has expired).
const expired = new Set(["ExpiredToken", "ExpiredTokenException", "TokenRefreshRequired"]);
const unknownKey = new Set(["InvalidClientTokenId", "UnrecognizedClientException", "InvalidAccessKeyId"]);
// Node's socket errors (connection refused, no DNS answer, timeouts) and the SDK's TimeoutError.
const network = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "ETIMEDOUT", "ECONNRESET", "EHOSTUNREACH"]);

/**
 * One line that says what to set, for the failures every run of the audit can hit before it reads
 * anything: no credentials, credentials AWS refuses, an expired session, an endpoint it cannot reach.
 * Anything else keeps the service's own error name and message, with the call it came from.
 */
export function explainRunError(error: unknown, call?: FailedCall): Error {
    const e = error as {
        name?: string;
        code?: string;
        message?: string;
        hostname?: string;
        address?: string;
        port?: number;
    };
    const name = e?.name ?? "";
    const code = e?.code ?? "";
    const where = call ? ` (${call.service}:${call.operation} in ${call.region || "the default Region"})` : "";
    if (name === "CredentialsProviderError" && !/expired|refresh/i.test(e.message ?? "")) {
        return new RunError(
            "no AWS credentials found: set AWS_PROFILE (or pass --profile NAME) to a profile of ~/.aws/config, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary keys); for IAM Identity Center run `aws sso login --profile NAME` first.",
        );
    }
    if (
        expired.has(name) ||
        (/^(CredentialsProviderError|TokenProviderError)$/.test(name) && /expired|refresh/i.test(e.message ?? ""))
    ) {
        return new RunError(
            `${name}: the AWS session has expired${where}: get fresh credentials (\`aws sso login --profile NAME\`, or a new AWS_SESSION_TOKEN with its AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY) and run the audit again.`,
        );
    }
    if (unknownKey.has(name)) {
        return new RunError(
            `${name}: AWS does not recognize the access key${where}: check AWS_ACCESS_KEY_ID (or the profile's aws_access_key_id), and AWS_SESSION_TOKEN if the key is temporary (ASIA...).`,
        );
    }
    if (name === "SignatureDoesNotMatch") {
        return new RunError(
            `${name}: the secret key does not match the access key${where}: check AWS_SECRET_ACCESS_KEY (or the profile's aws_secret_access_key).`,
        );
    }
    if (network.has(code) || name === "TimeoutError" || network.has(name)) {
        const target = e.hostname ?? (e.address ? `${e.address}${e.port ? `:${e.port}` : ""}` : "the AWS endpoint");
        return new RunError(
            `cannot reach ${target} (${code || name})${where}: check AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE> if set (unset them for AWS itself), the Region (--region), and the network or proxy between this machine and AWS.`,
        );
    }
    if (error instanceof Error) {
        if (call && !(error instanceof UsageError) && !(error instanceof RunError)) {
            return new RunError(`${error.message || name}${where}`);
        }
        return error;
    }
    return new RunError(String(error));
}
