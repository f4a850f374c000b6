// What the audit needs beyond the component. The component loads @pulumi/pulumi, @pulumi/aws and
// @pulumi/random only; the audit also loads the pack's SDK (@pulumi/policy) and one AWS SDK v3
// client per service it reads. Those are optional peer dependencies of the package: npm (7 and
// later) does not install a peer that `peerDependenciesMeta` marks optional ("peerDependenciesMeta",
// https://docs.npmjs.com/cli/v10/configuring-npm/package-json#peerdependenciesmeta), so a user of
// the component installs none of them, and a user of the audit installs them with one command,
// which this module builds from the package's own package.json and the CLI prints.
import * as fs from "fs";
import * as path from "path";

export const packageName = "hitrust-elasticache";

export interface AuditRequirement {
    name: string;
    range: string;
}

interface PackageJson {
    name?: string;
    peerDependencies?: Record<string, string>;
    peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}

/** The package's own package.json, from the source tree (tools/audit) or the build (bin/tools/audit). */
export function ownPackageJson(from = __dirname): PackageJson {
    for (let dir = from; ; dir = path.dirname(dir)) {
        const file = path.join(dir, "package.json");
        if (fs.existsSync(file)) {
            const json = JSON.parse(fs.readFileSync(file, "utf8")) as PackageJson;
            if (json.name === packageName) {
                return json;
            }
        }
        if (path.dirname(dir) === dir) {
            throw new Error(`${packageName}: package.json not found above ${from}`);
        }
    }
}

/** The optional peers the audit loads: @pulumi/policy and the @aws-sdk clients, with their ranges. */
export function auditRequirements(pkg: PackageJson = ownPackageJson()): AuditRequirement[] {
    return Object.entries(pkg.peerDependencies ?? {})
        .filter(([name]) => pkg.peerDependenciesMeta?.[name]?.optional === true)
        .filter(([name]) => name === "@pulumi/policy" || name.startsWith("@aws-sdk/client-"))
        .map(([name, range]) => ({ name, range }));
}

/** The one command that installs what the audit needs beside the package. */
export function installCommand(requirements: AuditRequirement[] = auditRequirements()): string {
    return `npm install ${requirements.map((r) => `${r.name}@${r.range}`).join(" ")}`;
}

/** The requirements that `resolve` cannot find (by default: from the installed package). */
export function missingRequirements(
    requirements: AuditRequirement[] = auditRequirements(),
    resolve: (name: string) => string = require.resolve,
): AuditRequirement[] {
    return requirements.filter((r) => {
        try {
            resolve(r.name);
            return false;
        } catch {
            return true;
        }
    });
}

/** The message the CLI prints when something is missing: what, and the one command that fixes it. */
export function missingMessage(missing: AuditRequirement[], all: AuditRequirement[] = auditRequirements()): string {
    return (
        `the audit needs ${missing.map((r) => r.name).join(", ")}, optional peer dependencies that ` +
        `installing ${packageName} for the component leaves out. Install what the audit needs beside it:\n` +
        `  ${installCommand(all)}`
    );
}
