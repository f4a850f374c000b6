// What the packaging tests share: a copy of the repository as a fresh clone has it, and child
// processes that see none of the npm_* and PULUMI_* variables `npm test` sets for itself.
import * as assert from "assert";
import { execFileSync, spawnSync, SpawnSyncReturns } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

export const root = path.join(__dirname, "..");
/** Downloads are cached here, outside the repository, so reruns skip the network. */
export const cacheDir = path.join(os.tmpdir(), "hitrust-elasticache-cache");
export const npmCache = path.join(cacheDir, "npm");

/** The environment of a child process, as a user's shell would have it, plus `extra`. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {};
    for (const [key, value] of Object.entries(process.env)) {
        if (!/^npm_/i.test(key) && !key.startsWith("PULUMI_") && key !== "NODE_PATH") {
            env[key] = value;
        }
    }
    return { ...env, npm_config_cache: npmCache, npm_config_update_notifier: "false", ...extra };
}

export function run(
    command: string,
    args: string[],
    cwd: string,
    env: NodeJS.ProcessEnv = cleanEnv(),
): SpawnSyncReturns<string> {
    const result = spawnSync(command, args, { cwd, env, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
    if (result.error) {
        throw result.error;
    }
    return result;
}

/** Runs the command and returns its stdout; fails the test with its output when it fails. */
export function mustRun(command: string, args: string[], cwd: string, env?: NodeJS.ProcessEnv): string {
    const result = run(command, args, cwd, env);
    assert.strictEqual(
        result.status,
        0,
        `${command} ${args.join(" ")} failed in ${cwd}:\n${result.stdout}\n${result.stderr}`,
    );
    return result.stdout;
}

/**
 * A copy of the repository as a fresh clone has it, in `<into>/source`: the files git tracks or
 * would track, without node_modules or build output.
 */
export function cleanCopy(into: string): string {
    const listed = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], {
        cwd: root,
        encoding: "utf8",
    })
        .split("\0")
        .filter(Boolean);
    const copy = path.join(into, "source");
    for (const file of listed) {
        const from = path.join(root, file);
        if (!fs.existsSync(from) || fs.statSync(from).isDirectory()) {
            continue; // deleted in the working tree, or a submodule
        }
        fs.mkdirSync(path.dirname(path.join(copy, file)), { recursive: true });
        fs.copyFileSync(from, path.join(copy, file));
    }
    assert.ok(!fs.existsSync(path.join(copy, "bin")), "the clean copy must not contain build output");
    return copy;
}
