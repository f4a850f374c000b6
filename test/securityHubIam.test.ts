// The auditing role's Security Hub statements (tools/audit/securityHub.ts iamStatements), proved
// with the IAM evaluator against the requests the publisher makes: its own calls, recorded by the
// session, are allowed; importing into another account's product, or findings that name another
// account, is denied.
//
// Request shapes: "Actions, resources, and condition keys for AWS Security Hub" (Service
// Authorization Reference,
// https://docs.aws.amazon.com/service-authorization/latest/reference/list_awssecurityhub.html):
// BatchImportFindings on arn:${Partition}:securityhub:${Region}:${Account}:product/${Company}/${ProductId}
// with securityhub:TargetAccount (the findings' AwsAccountId); GetFindings with no required
// resource (the hub, arn:${Partition}:securityhub:${Region}:${Account}:hub/default). Every signed
// request carries aws:PrincipalAccount ("AWS global condition context keys",
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalaccount).
import { BatchImportFindingsCommand, GetFindingsCommand, SecurityHubClient } from "@aws-sdk/client-securityhub";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import * as assert from "assert";
import { mockClient } from "aws-sdk-client-mock";
import * as fs from "fs";
import * as path from "path";
import { AwsSession } from "../tools/audit/aws";
import { iamStatements, productArn, publishFindings } from "../tools/audit/securityHub";
import { AccessRequest, assertAllowed, assertDenied, PolicyDocument } from "./iam/evaluate";
import { account, audit, mockAccount, restoreAccount } from "./securityHubFixture";

const other = "999988887777";
const role = `arn:aws:iam::${account}:role/hitrust-audit`;
const policy: PolicyDocument = { Version: "2012-10-17", Statement: iamStatements };
const sources = ["https://docs.aws.amazon.com/service-authorization/latest/reference/list_awssecurityhub.html"];

function importInto(owner: string, target: string, region = "us-east-1"): AccessRequest {
    return {
        description: `BatchImportFindings into ${owner}'s product, findings of ${target}`,
        principal: role,
        action: "securityhub:BatchImportFindings",
        resource: `arn:aws:securityhub:${region}:${owner}:product/${owner}/default`,
        resourceAccount: owner,
        context: { "securityhub:TargetAccount": target, "aws:PrincipalAccount": account },
        sources,
    };
}

describe("Security Hub IAM statements", function () {
    this.timeout(60000);

    it("the product ARN the publisher uses is the reference's product resource of the role's own account", () => {
        assert.strictEqual(productArn("aws", "us-east-1", account), importInto(account, account).resource);
    });

    it("allows every call the publisher makes (recorded by its session)", async () => {
        mockAccount({
            caches: [{ id: "claims-cache", region: "us-east-1", atRest: true, transit: true }],
            refuse: new Set(),
        });
        const hub = mockClient(SecurityHubClient);
        const sts = mockClient(STSClient);
        try {
            hub.on(GetFindingsCommand).resolves({ Findings: [] });
            hub.on(BatchImportFindingsCommand).callsFake(async (input: any) => ({
                SuccessCount: input.Findings.length,
                FailedCount: 0,
                FailedFindings: [],
            }));
            sts.on(GetCallerIdentityCommand).resolves({
                Account: account,
                Arn: `arn:aws:sts::${account}:assumed-role/hitrust-audit/x`,
            });
            const when = new Date("2026-12-01T09:00:00Z");
            const outcome = await audit(["us-east-1"], when);
            const session = new AwsSession({ now: () => when });
            const result = await publishFindings(outcome, {
                session,
                now: when,
                clock: () => 0,
                sleep: async () => undefined,
            });
            assert.deepStrictEqual(result.errors, []);
            const actions = [...new Set(session.calls.map((c) => c.action))].sort();
            assert.deepStrictEqual(actions, [
                "securityhub:BatchImportFindings",
                "securityhub:GetFindings",
                "sts:GetCallerIdentity",
            ]);
            // The findings sent name the caller's account: the TargetAccount the request carries.
            const sent = hub.commandCalls(BatchImportFindingsCommand).flatMap((c) => c.args[0].input.Findings!);
            assert.ok(
                sent.every((f) => f.AwsAccountId === account && f.ProductArn === importInto(account, account).resource),
            );
            await assertAllowed(importInto(account, account), { identityPolicies: { audit: policy } });
            await assertAllowed(
                {
                    description: "GetFindings in the role's own hub",
                    principal: role,
                    action: "securityhub:GetFindings",
                    resource: `arn:aws:securityhub:us-east-1:${account}:hub/default`,
                    resourceAccount: account,
                    context: { "aws:PrincipalAccount": account },
                    sources,
                },
                { identityPolicies: { audit: policy } },
            );
            // sts:GetCallerIdentity needs no permission ("No permissions are required to perform
            // this operation", https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html).
            session.destroy();
        } finally {
            hub.restore();
            sts.restore();
            restoreAccount();
        }
    });

    it("denies importing into another account's product, and findings that name another account", async () => {
        await assertDenied(importInto(other, other), { identityPolicies: { audit: policy } });
        await assertDenied(importInto(account, other), { identityPolicies: { audit: policy } });
        await assertDenied(importInto(other, account), { identityPolicies: { audit: policy } });
        // The TargetAccount condition is what refuses findings of another account in the own
        // product: without it, the same request is allowed.
        const unconditioned: PolicyDocument = {
            Version: "2012-10-17",
            Statement: iamStatements.map(({ Condition: _, ...rest }) => rest),
        };
        await assertAllowed(importInto(account, other), { identityPolicies: { audit: unconditioned } });
    });

    it("the README shows the statements the code exports", () => {
        const readme = fs.readFileSync(path.join(__dirname, "..", "README.md"), "utf8");
        const section = readme.slice(readme.indexOf("### Security Hub (`--security-hub`)"));
        const block = /```json\n([\s\S]*?)```/.exec(section)![1];
        assert.deepStrictEqual(JSON.parse(block), iamStatements);
    });

    it("allows the role's own product in any Region (findings go to each resource's Region)", async () => {
        await assertAllowed(importInto(account, account, "eu-west-1"), { identityPolicies: { audit: policy } });
    });
});
