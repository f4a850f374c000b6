// Issue 15, item 9: every role of the component carries the account's permissions boundary, which an
// administrator creates once. IAM refuses CreateRole with a boundary that does not exist
// (NoSuchEntity, CreateRole API reference,
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html#API_CreateRole_Errors), so
// without it `pulumi up` would stop halfway, after the key, the buckets and the topic exist. The
// component looks the boundary up at preview and stops there, with the command that creates it.
import * as assert from "assert";
import { roleBoundaryPolicyName, rolePath } from "../component/archive";
import { mockAccountId } from "../tools/mockrun";
import { runComponent } from "./helpers";

const boundary = `arn:aws:iam::${mockAccountId}:policy${rolePath}${roleBoundaryPolicyName}`;

describe("Issue 15: the role boundary must exist before anything is created", () => {
    it("a missing boundary stops the preview with the one command that creates it", async () => {
        const result = await runComponent({}, { preview: true, absentIamPolicies: [boundary] });
        const messages = result.errors.map((e) => e.message).join("\n");
        assert.match(
            messages,
            new RegExp(`the permissions boundary ${boundary.replace(/[/]/g, "\\/")} does not exist`),
        );
        assert.ok(
            messages.includes(
                `aws iam create-policy --path ${rolePath} --policy-name ${roleBoundaryPolicyName} --policy-document file://node_modules/hitrust-elasticache/docs/role-boundary-policy.json`,
            ),
            messages,
        );
        // No role is created without its boundary.
        const roles = result.resources.filter((r) => r.type === "aws:iam/role:Role");
        for (const role of roles) {
            assert.notStrictEqual((role.inputs as any).permissionsBoundary, boundary, role.name);
        }
    });

    it("with the boundary in the account, every role carries it under the component's path", async () => {
        const result = await runComponent(
            {},
            { preview: false, absentIamPolicies: ["arn:aws:iam::111122223333:policy/other"] },
        );
        assert.deepStrictEqual(result.errors, []);
        const roles = result.resources.filter((r) => r.type === "aws:iam/role:Role");
        assert.ok(roles.length >= 3, roles.map((r) => r.name).join(", "));
        for (const role of roles) {
            assert.strictEqual((role.inputs as any).permissionsBoundary, boundary, role.name);
            assert.strictEqual((role.inputs as any).path, rolePath, role.name);
        }
    });
});

describe("Issue 15: the copy state machine in every partition", () => {
    it("its AWS SDK integrations carry the stack's partition (GovCloud: arn:aws-us-gov:states:::...)", async () => {
        for (const partition of ["aws", "aws-us-gov", "aws-cn"]) {
            const result = await runComponent({}, { preview: false, partition });
            assert.deepStrictEqual(result.errors, []);
            const machine = result.resources.find((r) => r.type === "aws:sfn/stateMachine:StateMachine");
            assert.ok(machine, "no state machine");
            const definition = JSON.parse((machine.inputs as any).definition);
            const resources = Object.values<any>(definition.States)
                .flatMap((st) => [
                    st.Resource,
                    ...Object.values<any>(st.ItemProcessor?.States ?? {}).map((x) => x.Resource),
                ])
                .filter((r): r is string => typeof r === "string");
            assert.ok(resources.length >= 4, resources.join(", "));
            for (const arn of resources) {
                assert.ok(arn.startsWith(`arn:${partition}:states:::aws-sdk:s3:`), `${partition}: ${arn}`);
            }
        }
    });
});
