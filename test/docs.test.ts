import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { expectedDocs } from "../tools/docs";

describe("Generated docs", () => {
    it("policy-pack/README.md and the README's control catalog match the registry and catalog (npm run docs)", () => {
        for (const [file, text] of Object.entries(expectedDocs())) {
            assert.strictEqual(
                fs.readFileSync(file, "utf8"),
                text,
                `${path.basename(path.dirname(file))}/${path.basename(file)} is stale: run npm run docs`,
            );
        }
    });

    it("the policy reference has an anchor for every policy URL", () => {
        const reference = fs.readFileSync(path.join(__dirname, "..", "policy-pack", "README.md"), "utf8");
        const { registry } = require("../policy-pack/src/policies");
        for (const policy of registry.policies()) {
            assert.ok(reference.includes(`\n## ${policy.name}\n`), policy.name);
        }
    });
});
