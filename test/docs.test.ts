import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { docsUrlFrom } from "../policy-pack/src/registry";
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

    it("the built bin/policy-pack/metadata.json (the installed preview's report reads it) is the registry's", () => {
        const built = path.join(__dirname, "..", "bin", "policy-pack", "metadata.json");
        const { registry } = require("../policy-pack/src/policies");
        assert.deepStrictEqual(
            JSON.parse(fs.readFileSync(built, "utf8")),
            JSON.parse(JSON.stringify(registry.metadata())),
            "bin/policy-pack/metadata.json is stale: run npm run build:package",
        );
    });

    it("the policy reference has an anchor for every policy URL", () => {
        const reference = fs.readFileSync(path.join(__dirname, "..", "policy-pack", "README.md"), "utf8");
        const { registry } = require("../policy-pack/src/policies");
        for (const policy of registry.policies()) {
            assert.ok(reference.includes(`\n## ${policy.name}\n`), policy.name);
        }
    });

    it("policy URLs come from policy-pack/package.json, the one place that says where the pack lives", () => {
        const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "policy-pack", "package.json"), "utf8"));
        const { registry } = require("../policy-pack/src/policies");
        const expected = docsUrlFrom(pkg);
        for (const policy of registry.policies()) {
            assert.strictEqual(policy.url, `${expected}#${policy.name}`);
        }
        assert.strictEqual(
            docsUrlFrom({
                repository: { type: "git", url: "git+https://github.com/o/r.git", directory: "policy-pack" },
            }),
            "https://github.com/o/r/blob/main/policy-pack/README.md",
        );
        assert.strictEqual(
            docsUrlFrom({ repository: "git@github.com:o/r.git" }),
            "https://github.com/o/r/blob/main/README.md",
        );
        assert.strictEqual(docsUrlFrom({ homepage: "https://example.com/pack#readme" }), "https://example.com/pack");
        assert.throws(() => docsUrlFrom({}), /names neither a repository nor a homepage/);
    });
});
