import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { runComponent } from "./helpers";
describe("wired", () => {
    for (const [label, args, text] of [
        ["vpcId null", { vpcId: pulumi.output(null) }, "vpcId: null is not text"],
        ["vpcId ''", { vpcId: pulumi.output("") }, "vpcId: empty"],
        ["subnet ''", { subnetIds: ["subnet-a", pulumi.output("")] }, "subnetIds[1]: empty"],
        [
            "kms aws alias",
            { kmsKeyArn: pulumi.output("arn:aws:kms:us-east-1:123456789012:alias/aws/elasticache") },
            "is an AWS managed key",
        ],
        ["sg ''", { allowedSecurityGroupIds: [pulumi.output("")] }, "allowedSecurityGroupIds[0]: empty"],
    ] as [string, any, string][]) {
        it(label, async () => {
            const r = await runComponent(args);
            const m = r.errors.map((e) => e.message);
            assert.ok(
                m.some((x) => x.includes(text)),
                m.join("\n"),
            );
        });
    }
});
