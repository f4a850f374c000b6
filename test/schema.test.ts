// The multi-language package as `pulumi package add` sees it: the repository started the way the
// Node.js language host starts a source-based plugin (`node @pulumi/pulumi/cmd/run-plugin <dir>`,
// which requires the package main and serves its ComponentResource classes through
// componentProviderHost), then asked GetSchema over gRPC. The schema is checked against the
// argument declarations in component/args.ts, against ElastiCache's API values, and against the
// YAML and Python examples that use it.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";
import * as yaml from "js-yaml";
import { HitrustRedis, componentType } from "../component";
import { runUnderMocks } from "../tools/mockrun";
import { baseArgs, subnetZones } from "./helpers";
import { componentHost } from "./componentHost";

const root = path.join(__dirname, "..");
const rootPackage = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));

const token = "hitrust-elasticache:index:HitrustRedis";
/** The type the component registered under before it became a multi-language package. */
const legacyToken = "hitrust:elasticache:Redis";
const typeRef = (name: string) => `#/types/hitrust-elasticache:index:${name}`;

interface Property {
    type?: string;
    $ref?: string;
    items?: Property;
    additionalProperties?: Property;
    description?: string;
    optional?: boolean;
    plain?: boolean;
}
interface TypeSpec {
    type: string;
    properties?: Record<string, Property>;
    required?: string[];
    enum?: { name: string; value: string; description?: string }[];
}
interface Schema {
    name: string;
    version: string;
    resources: Record<
        string,
        {
            isComponent: boolean;
            description?: string;
            inputProperties: Record<string, Property>;
            requiredInputs?: string[];
            properties: Record<string, Property>;
        }
    >;
    types: Record<string, TypeSpec>;
    dependencies?: { name: string; version: string }[];
}

interface DeclaredArg {
    optional: boolean;
    doc: string;
}

/** The members of an interface in component/args.ts, read from the source with their JSDoc. */
function declaredMembers(interfaceName: string): Record<string, DeclaredArg> {
    const file = path.join(root, "component", "args.ts");
    const source = ts.createSourceFile(file, fs.readFileSync(file, "utf8"), ts.ScriptTarget.ES2020, true);
    const found: Record<string, DeclaredArg> = {};
    source.forEachChild((node) => {
        if (ts.isInterfaceDeclaration(node) && node.name.text === interfaceName) {
            for (const member of node.members) {
                if (ts.isPropertySignature(member)) {
                    const docs = ts.getJSDocCommentsAndTags(member).filter(ts.isJSDoc);
                    found[member.name.getText(source)] = {
                        optional: member.questionToken !== undefined,
                        doc: docs.map((d) => ts.getTextOfJSDocComment(d.comment) ?? "").join("\n"),
                    };
                }
            }
        }
    });
    assert.ok(Object.keys(found).length > 0, `interface ${interfaceName} not found in component/args.ts`);
    return found;
}

/** Every `hitrust.<Name>(...)` call in Python source, with the keywords at its own nesting level. */
function pythonCalls(source: string): { callee: string; keywords: string[] }[] {
    const found: { callee: string; keywords: string[] }[] = [];
    for (const match of source.matchAll(/hitrust\.(\w+)\(/g)) {
        const keywords: string[] = [];
        let depth = 1;
        for (let i = match.index! + match[0].length; i < source.length && depth > 0; i++) {
            const c = source[i];
            if (c === "(" || c === "[" || c === "{") {
                depth++;
            } else if (c === ")" || c === "]" || c === "}") {
                depth--;
            } else if (depth === 1) {
                const keyword = /^(\w+)=(?!=)/.exec(source.slice(i));
                if (keyword && /[\s(,]/.test(source[i - 1])) {
                    keywords.push(keyword[1]);
                    i += keyword[1].length;
                }
            }
        }
        found.push({ callee: match[1], keywords });
    }
    return found;
}

const words = (text: string | undefined) => (text ?? "").replace(/\s+/g, " ").trim();

describe("The multi-language package (GetSchema from the provider host)", function () {
    this.timeout(300000);
    let schema: Schema;

    before(async () => {
        // Built and started once for every test file (test/componentHost.ts).
        schema = await (await componentHost()).getSchema();
    });

    const resource = () => schema.resources[token];
    const inputs = () => resource().inputProperties;
    const resolveRef = (ref: string | undefined): TypeSpec => {
        assert.ok(ref !== undefined && ref.startsWith("#/types/"), `not a local type: ${ref}`);
        const spec = schema.types[ref.slice("#/types/".length)];
        assert.ok(spec, `${ref} is not defined in the schema`);
        return spec;
    };

    it("serves HitrustRedis as a component named after the npm package", () => {
        assert.strictEqual(schema.name, rootPackage.name);
        assert.strictEqual(schema.version, rootPackage.version);
        assert.deepStrictEqual(Object.keys(schema.resources), [token]);
        assert.strictEqual(resource().isComponent, true);
        assert.match(words(resource().description), /HITRUST CSF ElastiCache guide requires/);
        // What `pulumi package add` reads to know how to start the package.
        const plugin: any = yaml.load(fs.readFileSync(path.join(root, "PulumiPlugin.yaml"), "utf8"));
        assert.strictEqual(plugin.runtime, "nodejs");
    });

    it("has every argument of HitrustRedisArgs, each described with its default (or as required)", () => {
        const declared = declaredMembers("HitrustRedisArgs");
        assert.deepStrictEqual(Object.keys(inputs()).sort(), Object.keys(declared).sort());
        const required = [...(resource().requiredInputs ?? [])].sort();
        assert.deepStrictEqual(
            required,
            Object.keys(declared)
                .filter((k) => !declared[k].optional)
                .sort(),
        );
        for (const [name, arg] of Object.entries(declared)) {
            const property = inputs()[name];
            assert.strictEqual(words(property.description), words(arg.doc), `${name}: description`);
            if (arg.optional) {
                assert.strictEqual(property.optional, true, name);
                assert.match(property.description ?? "", /Defaults to/, `${name} does not say its default`);
            } else {
                assert.match(property.description ?? "", /Required\./, `${name} does not say it is required`);
            }
        }
    });

    it("nested argument types are named object types, every member described", () => {
        const nested: Record<string, string> = {
            clusterMode: "ClusterMode",
            alarms: "AlarmThresholds",
            auditTrail: "AuditTrail",
            alertSubscriptions: "AlertSubscriptions",
            rbac: "Rbac",
            continuousAudit: "ContinuousAudit",
        };
        for (const [argument, typeName] of Object.entries(nested)) {
            assert.strictEqual(inputs()[argument].$ref, typeRef(typeName), argument);
            const spec = resolveRef(inputs()[argument].$ref);
            const declared = declaredMembers(typeName);
            assert.deepStrictEqual(Object.keys(spec.properties ?? {}).sort(), Object.keys(declared).sort());
            for (const [member, property] of Object.entries(spec.properties ?? {})) {
                assert.ok(words(property.description).length > 10, `${typeName}.${member} has no description`);
            }
        }
        const user = resolveRef(resolveRef(inputs().rbac.$ref).properties!.users.items!.$ref);
        assert.deepStrictEqual(Object.keys(user.properties!).sort(), ["accessString", "authentication", "userName"]);
        assert.deepStrictEqual(Object.keys(inputs().tags.additionalProperties ?? {}), ["type", "plain"]);
    });

    it("values that may come from other resources are Inputs; the checked design values are plain", () => {
        for (const name of ["vpcId", "kmsKeyArn", "authToken", "authTokenSecret"]) {
            assert.ok(!inputs()[name].plain, `${name} must accept another resource's output`);
        }
        for (const name of ["subnetIds", "allowedSecurityGroupIds"]) {
            assert.ok(!inputs()[name].items!.plain, `${name} elements must accept other resources' outputs`);
        }
        for (const name of ["engine", "engineVersion", "nodeType", "port", "snapshotRetentionDays", "awsConfigRules"]) {
            assert.strictEqual(inputs()[name].plain, true, `${name} is validated when the program runs`);
        }
    });

    it("enums carry the values ElastiCache accepts, without the ones that would switch a control off", () => {
        const values = (argument: TypeSpec) => (argument.enum ?? []).map((e) => e.value).sort();
        // CreateReplicationGroup `Engine`: "valkey or redis".
        // https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_CreateReplicationGroup.html
        const engine = resolveRef(inputs().engine.$ref);
        assert.deepStrictEqual(values(engine), ["redis", "valkey"]);
        // ModifyReplicationGroup `AuthTokenUpdateStrategy`, valid values SET | ROTATE | DELETE; DELETE
        // removes the token (authentication off), so the schema does not offer it.
        // https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_ModifyReplicationGroup.html
        const strategy = resolveRef(inputs().authTokenUpdateStrategy.$ref);
        assert.deepStrictEqual(values(strategy), ["ROTATE", "SET"]);
        // AuthenticationMode `Type`, valid values password | no-password-required | iam; a user
        // without a password is refused.
        // https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_AuthenticationMode.html
        const user = resolveRef(resolveRef(inputs().rbac.$ref).properties!.users.items!.$ref);
        const authentication = resolveRef(user.properties!.authentication.$ref);
        assert.deepStrictEqual(values(authentication), ["iam", "password"]);
        for (const spec of [engine, strategy, authentication]) {
            assert.strictEqual(spec.type, "string");
            for (const member of spec.enum!) {
                assert.ok(words(member.description).length > 5, `enum member ${member.name} has no description`);
            }
        }
    });

    it("awsConfigRules: a boolean that is off unless asked for, and says what it needs", () => {
        const rules = inputs().awsConfigRules;
        assert.strictEqual(rules.type, "boolean");
        assert.strictEqual(rules.optional, true);
        assert.match(words(rules.description), /AWS Config managed rules for ElastiCache/);
        assert.match(words(rules.description), /configuration recorder in the account and Region/);
        assert.match(words(rules.description), /Defaults to false\./);
    });

    it("continuousAudit: an object type, off unless given, its members plain and described with their defaults", () => {
        const audit = inputs().continuousAudit;
        assert.strictEqual(audit.optional, true);
        assert.strictEqual(audit.plain, true, "it decides what is created before anything exists");
        assert.match(words(audit.description), /Defaults to off\./);
        assert.match(words(audit.description), /one stack per account/);
        const spec = resolveRef(audit.$ref);
        assert.deepStrictEqual(Object.fromEntries(Object.entries(spec.properties!).map(([k, p]) => [k, p.type])), {
            enabled: "boolean",
            schedule: "string",
            regions: "array",
            securityHub: "boolean",
        });
        assert.strictEqual(spec.properties!.regions.items!.type, "string");
        for (const [member, property] of Object.entries(spec.properties!)) {
            assert.match(words(property.description), /Defaults to/, `continuousAudit.${member}`);
        }
        assert.deepStrictEqual(spec.required ?? [], []);
    });

    it("outputs are plain data or references to the AWS resources, never opaque objects", () => {
        const outputs = resource().properties;
        for (const name of [
            "primaryEndpoint",
            "readerEndpoint",
            "configurationEndpoint",
            "authSecretArn",
            "securityGroupId",
            "kmsKeyArn",
            "eventTopicArn",
        ]) {
            assert.strictEqual(outputs[name]?.type, "string", name);
            assert.ok(words(outputs[name].description).length > 10, `output ${name} has no description`);
        }
        assert.strictEqual(outputs.port.type, "number");
        const aws = schema.dependencies?.find((d) => d.name === "aws");
        assert.strictEqual(aws?.version, require("@pulumi/aws/package.json").version);
        assert.strictEqual(
            outputs.replicationGroup.$ref,
            `/aws/v${aws!.version}/schema.json#/resources/aws:elasticache%2FreplicationGroup:ReplicationGroup`,
        );
        const settings = resolveRef(outputs.settings.$ref);
        assert.strictEqual(outputs.settings.$ref, typeRef("HitrustRedisSettings"));
        assert.deepStrictEqual(
            Object.keys(settings.properties!).sort(),
            Object.keys(declaredMembers("HitrustRedisSettings")).sort(),
        );
        assert.strictEqual(settings.properties!.engine.$ref, typeRef("Engine"));
        assert.strictEqual(outputs.evidence.type, "array");
        const evidence = resolveRef(outputs.evidence.items!.$ref);
        assert.deepStrictEqual(Object.keys(evidence.properties!).sort(), ["control", "resource", "setting", "value"]);
        for (const property of Object.values(evidence.properties!)) {
            assert.strictEqual(property.type, "string");
        }
    });

    it("the TypeScript class registers under the schema's token and keeps old stacks' URNs with an alias", async () => {
        assert.strictEqual(componentType, token);
        const { MockMonitor } = require("@pulumi/pulumi/runtime/mocks");
        const original = MockMonitor.prototype.registerResource;
        const aliases: { type: string; specs: unknown[]; urns: string[] }[] = [];
        MockMonitor.prototype.registerResource = function (req: any, callback: any) {
            aliases.push({
                type: req.getType(),
                specs: (req.getAliasesList?.() ?? []).map((a: any) => a.getSpec?.()?.toObject?.() ?? a.toObject()),
                urns: req.getAliasurnsList?.() ?? [],
            });
            return original.call(this, req, callback);
        };
        try {
            const result = await runUnderMocks(() => new HitrustRedis("legacy", baseArgs), {
                preview: true,
                subnetZones,
            });
            assert.deepStrictEqual(result.errors, []);
        } finally {
            MockMonitor.prototype.registerResource = original;
        }
        const registration = aliases.find((a) => a.type === token);
        assert.ok(registration, `no ${token} registered`);
        const aliased =
            JSON.stringify(registration.specs).includes(`"${legacyToken}"`) ||
            registration.urns.some((u) => u.includes(`::${legacyToken}::legacy`));
        assert.ok(aliased, `no alias to ${legacyToken}: ${JSON.stringify(registration)}`);
    });

    describe("the examples use only what the schema defines", () => {
        /** Checks a value given for a schema property, recursing into object types and arrays. */
        function checkValue(where: string, property: Property, value: unknown): void {
            if (typeof value === "string" && /^\$\{.+\}$/.test(value)) {
                return; // a reference to config or another resource, resolved by Pulumi YAML
            }
            if (property.$ref) {
                const spec = resolveRef(property.$ref);
                if (spec.enum) {
                    assert.ok(
                        spec.enum.some((e) => e.value === value),
                        `${where}: ${value} is not one of ${spec.enum.map((e) => e.value)}`,
                    );
                    return;
                }
                assert.ok(value && typeof value === "object", `${where} must be an object`);
                for (const [key, inner] of Object.entries(value)) {
                    assert.ok(spec.properties?.[key], `${where}.${key} is not in ${property.$ref}`);
                    checkValue(`${where}.${key}`, spec.properties[key], inner);
                }
            } else if (property.type === "array" && Array.isArray(value)) {
                value.forEach((v, i) => checkValue(`${where}[${i}]`, property.items!, v));
            } else if (property.type === "object") {
                assert.ok(value && typeof value === "object", `${where} must be a map`);
            } else if (property.type === "string" || property.type === "number" || property.type === "boolean") {
                assert.strictEqual(typeof value, property.type, `${where} must be a ${property.type}`);
            }
        }

        it("YAML: the resource type, every property it sets and every output it reads", () => {
            const program: any = yaml.load(fs.readFileSync(path.join(root, "examples/yaml/Pulumi.yaml"), "utf8"));
            assert.strictEqual(program.runtime, "yaml");
            assert.ok(program.packages?.[schema.name], "the program must declare the package");
            const caches = Object.entries<any>(program.resources).filter(([, r]) => r.type === token);
            assert.strictEqual(caches.length, 1, `no resource of type ${token}`);
            const [cacheName, cache] = caches[0];
            for (const required of resource().requiredInputs ?? []) {
                assert.ok(required in cache.properties, `the example misses ${required}`);
            }
            for (const [key, value] of Object.entries(cache.properties)) {
                assert.ok(inputs()[key], `${key} is not an input of ${token}`);
                checkValue(key, inputs()[key], value);
            }
            for (const expression of Object.values<string>(program.outputs)) {
                const match = new RegExp(`^\\$\\{${cacheName}\\.(\\w+)(?:\\.(\\w+))?\\}$`).exec(expression);
                assert.ok(match, `unexpected output expression ${expression}`);
                const output = resource().properties[match[1]];
                assert.ok(output, `${match[1]} is not an output of ${token}`);
                if (match[2]) {
                    assert.ok(resolveRef(output.$ref).properties?.[match[2]], `${match[1]}.${match[2]} does not exist`);
                }
            }
        });

        it("Python: the class, every keyword argument, the enums and argument classes, the outputs", () => {
            const source = fs.readFileSync(path.join(root, "examples/python/__main__.py"), "utf8");
            assert.match(source, /^import pulumi_hitrust_elasticache as hitrust$/m);
            const camel = (snake: string) => snake.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
            const calls = pythonCalls(source);
            const cache = calls.filter((c) => c.callee === "HitrustRedis");
            assert.strictEqual(cache.length, 1, "no hitrust.HitrustRedis(...) call");
            const topLevel = cache[0].keywords.map(camel);
            for (const required of resource().requiredInputs ?? []) {
                assert.ok(topLevel.includes(required), `the example misses ${required}`);
            }
            for (const key of topLevel) {
                assert.ok(inputs()[key], `${key} is not an input of ${token}`);
            }
            // The generated SDK names an input object type <Type>Args.
            for (const call of calls.filter((c) => c.callee.endsWith("Args"))) {
                const typeName = call.callee.replace(/Args$/, "");
                const spec = schema.types[`hitrust-elasticache:index:${typeName}`];
                assert.ok(spec?.properties, `${call.callee}: no object type ${typeName} in the schema`);
                for (const keyword of call.keywords) {
                    assert.ok(spec.properties[camel(keyword)], `${call.callee}(${keyword}=...) is not a property`);
                }
            }
            assert.ok(calls.length > 3, "the example's argument classes were not found");
            for (const [, enumName, member] of source.matchAll(/hitrust\.(\w+)\.([A-Z_]+)\b/g)) {
                const spec = schema.types[`hitrust-elasticache:index:${enumName}`];
                assert.ok(spec?.enum, `${enumName} is not an enum of the schema`);
                assert.ok(
                    spec.enum.some((e) => e.name.toUpperCase() === member),
                    `${enumName}.${member} is not a member`,
                );
            }
            for (const [, attribute] of source.matchAll(/\bcache\.(\w+)/g)) {
                assert.ok(resource().properties[camel(attribute)], `cache.${attribute} is not an output`);
            }
        });
    });
});
