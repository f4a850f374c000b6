// Issue 16, what component users install: the audit's AWS SDK clients and the pack's SDK are
// optional peers (tools/audit/requirements.ts); the component needs none of them. The consumer test
// installs the tarball and measures both; these checks hold the lists to the code.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { builtinModules } from "module";
import {
    auditRequirements,
    installCommand,
    missingMessage,
    missingRequirements,
    ownPackageJson,
} from "../tools/audit/requirements";

const root = path.join(__dirname, "..");
const pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));

/** Every package a set of source files imports or requires (bare specifiers, scope included). */
function importedPackages(files: string[]): Set<string> {
    const found = new Set<string>();
    for (const file of files) {
        const text = fs.readFileSync(file, "utf8");
        for (const m of text.matchAll(
            /(?:\bfrom\s+|\brequire\(|\bimport\()\s*["']((?:@[a-z0-9-]+\/)?[a-z0-9][\w.-]*(?:\/[\w./-]*)?)["']/g,
        )) {
            const parts = m[1].split("/");
            found.add(m[1].startsWith("@") ? parts.slice(0, 2).join("/") : parts[0]);
        }
    }
    return found;
}

function filesUnder(dir: string, ext: RegExp): string[] {
    return fs
        .readdirSync(dir, { withFileTypes: true, recursive: true })
        .filter((e) => e.isFile() && ext.test(e.name))
        .map((e) => path.join(e.parentPath ?? (e as any).path, e.name));
}

describe("Issue 16: what component users install, and the one command the audit needs", () => {
    it("no AWS SDK client is a dependency; each one the audit imports is an optional peer", () => {
        const deps = Object.keys(pkg.dependencies);
        assert.deepStrictEqual(
            deps.filter((d) => d.startsWith("@aws-sdk/")),
            [],
        );
        const needed = [...importedPackages(filesUnder(path.join(root, "tools", "audit"), /\.ts$/))].filter((p) =>
            p.startsWith("@aws-sdk/"),
        );
        assert.ok(needed.length >= 10, needed.join(", "));
        const peers = auditRequirements(pkg).map((r) => r.name);
        for (const client of needed) {
            assert.ok(peers.includes(client), `${client} is imported by the audit but is not an optional peer`);
            assert.ok(
                client in pkg.devDependencies,
                `${client} must be a devDependency so that npm ci installs it here`,
            );
            assert.strictEqual(pkg.devDependencies[client], pkg.peerDependencies[client], `${client}: one range`);
        }
        assert.ok(peers.includes("@pulumi/policy"));
        // And no peer is listed that the audit does not load.
        for (const peer of peers.filter((p) => p.startsWith("@aws-sdk/"))) {
            assert.ok(needed.includes(peer), `${peer} is an optional peer the audit does not import`);
        }
    });

    it("the component and the shared core load no AWS SDK client (the export job's runtime provides its own)", () => {
        const sources = [
            ...filesUnder(path.join(root, "component"), /\.ts$/),
            ...filesUnder(path.join(root, "core"), /\.ts$/),
            ...filesUnder(path.join(root, "policy-pack", "src"), /\.ts$/),
        ];
        const loaded = [...importedPackages(sources)].filter((p) => p.startsWith("@aws-sdk/"));
        assert.deepStrictEqual(loaded, []);
        for (const p of importedPackages(sources)) {
            if (!p.startsWith("node:") && !builtinModules.includes(p)) {
                assert.ok(
                    p in pkg.dependencies || p === "@pulumi/policy",
                    `${p} is loaded by the component, core or pack but is not a dependency`,
                );
            }
        }
    });

    it("finds the package's own package.json from the sources and from the build", () => {
        assert.strictEqual(ownPackageJson(path.join(root, "tools", "audit")).name, "hitrust-elasticache");
        assert.strictEqual(ownPackageJson(path.join(root, "bin", "tools", "audit")).name, "hitrust-elasticache");
        assert.throws(() => ownPackageJson("/"), /package.json not found/);
    });

    it("names what is missing and the one command that installs everything the audit needs", () => {
        const all = auditRequirements(pkg);
        const command = installCommand(all);
        for (const r of all) {
            assert.ok(command.includes(` ${r.name}@${r.range}`), command);
        }
        const present = new Set(["@pulumi/policy", "@aws-sdk/client-s3"]);
        const missing = missingRequirements(all, (name) => {
            if (!present.has(name)) {
                throw new Error(`Cannot find module '${name}'`);
            }
            return name;
        });
        assert.deepStrictEqual(
            missing.map((r) => r.name),
            all.map((r) => r.name).filter((n) => !present.has(n)),
        );
        const message = missingMessage(missing, all);
        assert.match(message, /@aws-sdk\/client-elasticache/);
        assert.ok(!message.split("\n")[0].includes("@aws-sdk/client-s3,"), "s3 is present and not named missing");
        assert.ok(message.endsWith(command), message);
        // Here (npm ci installs the devDependencies) nothing is missing.
        assert.deepStrictEqual(missingRequirements(all), []);
        // The README gives the same command.
        assert.ok(fs.readFileSync(path.join(root, "README.md"), "utf8").includes(command), "README's command");
    });
});
