// The deployer's permissions, as the README tells users to attach them: two customer managed
// policies. One document holding every statement (about 8,500 characters) is over IAM's limit of
// 6,144 characters for a managed policy, white space not counted ("IAM and AWS STS quotas", IAM
// object quotas, https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html); as an
// inline policy it would fit only a role (10,240 for all of a role's inline policies; a user's
// 2,048, a group's 5,120), and `aws iam create-policy` would refuse it with LimitExceeded.
import * as fs from "fs";
import * as path from "path";
import { PolicyDocument } from "./evaluate";

/** The shipped files, in the order the README lists them. */
export const deployerPolicyFiles = ["docs/deployer-iam-policy.json", "docs/deployer-iam-policy-jobs.json"];

/** IAM's limit on a customer managed policy, in characters, white space not counted. */
export const managedPolicyMaxChars = 6144;

export function readPolicy(file: string): PolicyDocument {
    return JSON.parse(fs.readFileSync(path.join(__dirname, "..", "..", file), "utf8"));
}

/** Both documents as one: IAM evaluates every policy attached to the deployer together. */
export function deployerPolicy(): PolicyDocument {
    const parts = deployerPolicyFiles.map(readPolicy);
    return { Version: parts[0].Version, Statement: parts.flatMap((p) => [p.Statement].flat()) } as PolicyDocument;
}

/** The size IAM counts: the document without white space outside strings. */
export function policyChars(document: unknown): number {
    return JSON.stringify(document).length;
}
