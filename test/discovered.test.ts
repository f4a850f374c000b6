// The pack in audit policy groups (Insights Discovery) and under `pulumi policy analyze --file`:
// resources shaped as the Terraform bridge rebuilds inputs from read state, `urn:insights:` URNs,
// Analyze alone (no AnalyzeStack, no preview), over the Analyzer protocol.
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { HitrustRedis, HitrustRedisArgs } from "../component";
import { analyzeStateFile, Diagnostic, PolicyPackProcess } from "../tools/analyzer";
import { RecordedResource, runUnderMocks, sig } from "../tools/mockrun";
import { baseArgs, resource, subnetZones, usePack } from "./helpers";
import { awsSchema, extractInputsFromReadState, insightsUrn, ObjectSchema } from "./readState";

const t = {
    rg: "aws:elasticache/replicationGroup:ReplicationGroup",
    logGroup: "aws:cloudwatch/logGroup:LogGroup",
    key: "aws:kms/key:Key",
    sg: "aws:ec2/securityGroup:SecurityGroup",
    subnetGroup: "aws:elasticache/subnetGroup:SubnetGroup",
    userGroup: "aws:elasticache/userGroup:UserGroup",
};
const arn = (service: string, id: string) => `arn:aws:${service}:us-east-1:123456789012:${id}`;

// The schemas @pulumi/aws declares, with what its declarations do not carry: the engine's
// Terraform default ("Default is `redis`") and the nested blocks.
const schemas: Record<string, ObjectSchema> = {
    [t.rg]: awsSchema("elasticache", "ReplicationGroup", {
        engine: { kind: "optional", default: "redis" },
        logDeliveryConfigurations: {
            kind: "optional",
            block: {
                destination: { kind: "required" },
                destinationType: { kind: "required" },
                logFormat: { kind: "required" },
                logType: { kind: "required" },
            },
        },
        tags: { kind: "optional", map: true },
    }),
    [t.logGroup]: awsSchema("cloudwatch", "LogGroup"),
    [t.key]: awsSchema("kms", "Key"),
    [t.sg]: awsSchema("ec2", "SecurityGroup", {
        ingress: {
            kind: "optional",
            block: {
                fromPort: { kind: "required" },
                toPort: { kind: "required" },
                protocol: { kind: "required" },
                cidrBlocks: { kind: "optional" },
                ipv6CidrBlocks: { kind: "optional" },
                securityGroups: { kind: "optional" },
                description: { kind: "optional" },
                self: { kind: "optional" },
            },
        },
    }),
    [t.subnetGroup]: awsSchema("elasticache", "SubnetGroup"),
    [t.userGroup]: awsSchema("elasticache", "UserGroup"),
};

/** A resource as an audit group hands it to the pack: read state rebuilt as inputs, an insights URN. */
function discovered(type: string, id: string, state: Record<string, unknown>): RecordedResource {
    const inputs = extractInputsFromReadState(state, schemas[type]);
    return { ...resource(type, id, inputs), urn: insightsUrn(type, String(state.arn ?? id)) };
}

/** A compliant group's read state: what the provider reads back, the AUTH token never among it. */
const compliantState: Record<string, unknown> = {
    arn: arn("elasticache", "replicationgroup:phi-cache"),
    replicationGroupId: "phi-cache",
    description: "PHI cache",
    engine: "redis",
    engineVersion: "7.1",
    engineVersionActual: "7.1.0",
    nodeType: "cache.r7g.large",
    port: 6380,
    parameterGroupName: "phi-cache-params",
    subnetGroupName: "phi-cache-subnets",
    securityGroupIds: ["sg-0abc"],
    securityGroupNames: [],
    numCacheClusters: 3,
    numNodeGroups: 1,
    replicasPerNodeGroup: 2,
    memberClusters: ["phi-cache-001", "phi-cache-002", "phi-cache-003"],
    clusterEnabled: false,
    clusterMode: "disabled",
    automaticFailoverEnabled: true,
    multiAzEnabled: true,
    atRestEncryptionEnabled: true,
    kmsKeyId: arn("kms", "key/1234abcd-12ab-34cd-56ef-1234567890ab"),
    transitEncryptionEnabled: true,
    transitEncryptionMode: "required",
    userGroupIds: [],
    dataTieringEnabled: false,
    snapshotRetentionLimit: 35,
    snapshotWindow: "03:00-05:00",
    maintenanceWindow: "sun:05:30-sun:07:00",
    autoMinorVersionUpgrade: true,
    applyImmediately: false,
    primaryEndpointAddress: "master.phi-cache.abc123.use1.cache.amazonaws.com",
    readerEndpointAddress: "replica.phi-cache.abc123.use1.cache.amazonaws.com",
    logDeliveryConfigurations: ["slow-log", "engine-log"].map((logType) => ({
        destination: `/aws/elasticache/phi-cache/${logType}`,
        destinationType: "cloudwatch-logs",
        logFormat: "json",
        logType,
    })),
    tags: { "compliance:hipaa": "phi-eligible" },
    tagsAll: { "compliance:hipaa": "phi-eligible" },
};

/** The same cache with every flag off: the bridge drops each false and 0. */
const nonCompliantState: Record<string, unknown> = {
    ...compliantState,
    arn: arn("elasticache", "replicationgroup:open-cache"),
    replicationGroupId: "open-cache",
    engine: "valkey",
    engineVersion: "8.0",
    atRestEncryptionEnabled: false,
    kmsKeyId: "",
    transitEncryptionEnabled: false,
    transitEncryptionMode: "",
    automaticFailoverEnabled: false,
    multiAzEnabled: false,
    snapshotRetentionLimit: 0,
    autoMinorVersionUpgrade: false,
};

const levels = (ds: Diagnostic[]) => ds.map((d) => `${d.enforcementLevel} ${d.policyName}`).sort();

describe("The pack over discovered resources (audit groups, pulumi policy analyze)", function () {
    let pack: PolicyPackProcess;

    usePack((started) => {
        pack = started;
    });

    describe("the bridge's rebuild of inputs from read state", () => {
        it("drops computed-only attributes and optional false, 0, '' and [] values; adds __defaults", () => {
            const inputs = extractInputsFromReadState(nonCompliantState, schemas[t.rg]);
            for (const gone of [
                "arn",
                "memberClusters",
                "engineVersionActual",
                "clusterEnabled",
                "primaryEndpointAddress",
                "tagsAll",
                "atRestEncryptionEnabled",
                "transitEncryptionEnabled",
                "automaticFailoverEnabled",
                "multiAzEnabled",
                "snapshotRetentionLimit",
                "autoMinorVersionUpgrade",
                "kmsKeyId",
                "userGroupIds",
                "securityGroupNames",
                "applyImmediately",
                "dataTieringEnabled",
            ]) {
                assert.ok(!(gone in inputs), `${gone} survived the rebuild`);
            }
            assert.strictEqual(inputs.engine, "valkey");
            assert.strictEqual(inputs.port, 6380);
            assert.deepStrictEqual(inputs.__defaults, []);
            assert.deepStrictEqual((inputs.logDeliveryConfigurations as any[])[0].__defaults, []);
            assert.deepStrictEqual(inputs.tags, { "compliance:hipaa": "phi-eligible", __defaults: [] });
            // The schema default: "redis" is dropped like a zero value.
            assert.ok(!("engine" in extractInputsFromReadState(compliantState, schemas[t.rg])));
        });
    });

    describe("replication groups found by Insights Discovery (Analyze only)", () => {
        it("a compliant group draws no mandatory violation, and one advisory says what cannot be read", async () => {
            for (const [shape, group] of [
                ["rebuilt as inputs", discovered(t.rg, "phi-cache", compliantState)],
                ["as read", { ...resource(t.rg, "phi-cache", compliantState), urn: insightsUrn(t.rg, "phi") }],
            ] as const) {
                const ds = await pack.analyze(group);
                assert.deepStrictEqual(
                    levels(ds),
                    ["advisory aws-elasticache-replicationgroup-missing-unreadable-settings"],
                    `${shape}: ${ds.map((d) => d.message).join("\n")}`,
                );
                const message = ds[0].message;
                assert.match(
                    message,
                    /whether clients must present an AUTH token \(the group has no RBAC user group\)/,
                );
                assert.match(message, /the SNS topic its events go to/);
                assert.match(message, /final snapshot/);
                assert.match(message, /npm run audit/);
            }
        });

        it("with an RBAC user group, AUTH is readable and is not named", async () => {
            const ds = await pack.analyze(
                discovered(t.rg, "rbac", { ...compliantState, userGroupIds: ["phi-cache-users"] }),
            );
            assert.deepStrictEqual(levels(ds), [
                "advisory aws-elasticache-replicationgroup-missing-unreadable-settings",
            ]);
            assert.doesNotMatch(ds[0].message, /whether clients must present an AUTH token/);
        });

        it("a dropped false or 0 reads as off: the non-compliant group is caught", async () => {
            const ds = await pack.analyze(discovered(t.rg, "open-cache", nonCompliantState));
            assert.deepStrictEqual(levels(ds), [
                "advisory aws-elasticache-replicationgroup-enable-auto-minor-version-upgrade",
                "advisory aws-elasticache-replicationgroup-missing-unreadable-settings",
                // At-rest encryption is off, so no key finding (issue 18: one finding per cause).
                "mandatory aws-elasticache-replicationgroup-enable-automatic-backups",
                "mandatory aws-elasticache-replicationgroup-enable-automatic-failover",
                "mandatory aws-elasticache-replicationgroup-enable-encryption-at-rest",
                "mandatory aws-elasticache-replicationgroup-enable-encryption-in-transit",
                "mandatory aws-elasticache-replicationgroup-enable-multi-az",
            ]);
        });

        it("matches the verdict at preview on the same cache wherever the read state can tell", async () => {
            const plannedInputs = extractInputsFromReadState(compliantState, schemas[t.rg]);
            const preview = await pack.analyze(
                resource(t.rg, "phi-cache", {
                    ...plannedInputs,
                    authToken: "Generated-Token-0123456789-abc!",
                    notificationTopicArn: arn("sns", "phi-cache-events"),
                    finalSnapshotIdentifier: "phi-cache-final",
                }),
            );
            assert.deepStrictEqual(levels(preview), []);
            const open = await pack.analyze(
                resource(t.rg, "open-cache", {
                    ...extractInputsFromReadState(nonCompliantState, schemas[t.rg]),
                    atRestEncryptionEnabled: false,
                    autoMinorVersionUpgrade: false,
                    authToken: "Generated-Token-0123456789-abc!",
                    notificationTopicArn: arn("sns", "events"),
                    finalSnapshotIdentifier: "final",
                }),
            );
            const discoveredOpen = await pack.analyze(discovered(t.rg, "open-cache", nonCompliantState));
            const mandatory = (ds: Diagnostic[]) => levels(ds).filter((l) => l.startsWith("mandatory"));
            assert.deepStrictEqual(mandatory(discoveredOpen), mandatory(open));
        });

        it("at preview of a stack, a group without token or user group is still a mandatory violation", async () => {
            const ds = await pack.analyze(
                resource(t.rg, "phi-cache", extractInputsFromReadState(compliantState, schemas[t.rg])),
            );
            assert.ok(
                levels(ds).includes("mandatory aws-elasticache-replicationgroup-enable-authentication"),
                levels(ds).join("\n"),
            );
            assert.ok(!levels(ds).some((l) => l.includes("missing-unreadable-settings")));
        });
    });

    describe("stack-only controls judged on the single resource (discovered only)", () => {
        const cases: [string, RecordedResource, string[]][] = [
            [
                "an ElastiCache log group kept 7 days",
                discovered(t.logGroup, "/aws/elasticache/phi-cache/slow-log", {
                    arn: arn("logs", "log-group:/aws/elasticache/phi-cache/slow-log"),
                    name: "/aws/elasticache/phi-cache/slow-log",
                    retentionInDays: 7,
                    skipDestroy: false,
                }),
                ["mandatory aws-elasticache-loggroup-configure-discovered-retention"],
            ],
            [
                "an ElastiCache log group that never expires (0, dropped)",
                discovered(t.logGroup, "/aws/elasticache/phi-cache/engine-log", {
                    arn: arn("logs", "log-group:/aws/elasticache/phi-cache/engine-log"),
                    name: "/aws/elasticache/phi-cache/engine-log",
                    retentionInDays: 0,
                }),
                [],
            ],
            [
                "a Lambda log group kept 7 days",
                discovered(t.logGroup, "/aws/lambda/resize", {
                    arn: arn("logs", "log-group:/aws/lambda/resize"),
                    name: "/aws/lambda/resize",
                    retentionInDays: 7,
                }),
                [],
            ],
            [
                "a cache key that does not rotate (false, dropped)",
                discovered(t.key, "cache-key", {
                    arn: arn("kms", "key/cache"),
                    keyId: "cache",
                    description: "Encrypts ElastiCache phi-cache: data at rest, snapshots, its secret and its logs.",
                    enableKeyRotation: false,
                    policy: JSON.stringify({
                        Statement: [
                            {
                                Effect: "Allow",
                                Action: "kms:*",
                                Condition: {
                                    StringEquals: { "kms:ViaService": "elasticache.us-east-1.amazonaws.com" },
                                },
                            },
                        ],
                    }),
                }),
                ["advisory aws-elasticache-kmskey-enable-discovered-rotation"],
            ],
            [
                "a non-rotating key that encrypts no cache",
                discovered(t.key, "app-key", {
                    arn: arn("kms", "key/app"),
                    keyId: "app",
                    description: "Application secrets",
                    enableKeyRotation: false,
                    policy: JSON.stringify({ Statement: [{ Effect: "Allow", Action: "kms:*" }] }),
                }),
                [],
            ],
            [
                "a cache security group open to the internet",
                discovered(t.sg, "sg-cache", {
                    arn: arn("ec2", "security-group/sg-cache"),
                    name: "phi-cache-cache",
                    description: "ElastiCache phi-cache: admits only listed clients on port 6380; no egress.",
                    ingress: [
                        { fromPort: 6380, toPort: 6380, protocol: "tcp", cidrBlocks: ["0.0.0.0/0"], self: false },
                    ],
                    revokeRulesOnDelete: true,
                }),
                ["mandatory aws-elasticache-securitygroup-disallow-discovered-internet-ingress"],
            ],
            [
                "a cache security group open in pieces",
                discovered(t.sg, "sg-pieces", {
                    name: "redis-clients",
                    description: "Redis",
                    ingress: [
                        { fromPort: 6380, toPort: 6380, protocol: "tcp", cidrBlocks: ["0.0.0.0/1"] },
                        { fromPort: 6380, toPort: 6380, protocol: "tcp", cidrBlocks: ["128.0.0.0/1"] },
                    ],
                }),
                ["mandatory aws-elasticache-securitygroup-disallow-discovered-internet-ingress"],
            ],
            [
                "an open load-balancer security group",
                discovered(t.sg, "sg-alb", {
                    arn: arn("ec2", "security-group/sg-alb"),
                    name: "public-alb",
                    description: "Internet-facing load balancer",
                    ingress: [{ fromPort: 443, toPort: 443, protocol: "tcp", cidrBlocks: ["0.0.0.0/0"] }],
                }),
                [],
            ],
            [
                "a subnet group of one subnet",
                discovered(t.subnetGroup, "phi-cache-subnets", {
                    arn: arn("elasticache", "subnetgroup:phi-cache-subnets"),
                    name: "phi-cache-subnets",
                    description: "Managed by Pulumi",
                    subnetIds: ["subnet-1"],
                    vpcId: "vpc-1",
                }),
                ["mandatory aws-elasticache-subnetgroup-configure-discovered-multiple-azs"],
            ],
            [
                "a subnet group of two subnets",
                discovered(t.subnetGroup, "two", { name: "two", subnetIds: ["subnet-1", "subnet-2"] }),
                [],
            ],
            [
                "a user group with the built-in default user",
                discovered(t.userGroup, "phi-users", {
                    arn: arn("elasticache", "usergroup:phi-users"),
                    userGroupId: "phi-users",
                    engine: "redis",
                    userIds: ["default", "app"],
                }),
                ["mandatory aws-elasticache-usergroup-disallow-discovered-default-user"],
            ],
        ];
        for (const [label, res, expected] of cases) {
            it(label, async () => {
                assert.deepStrictEqual(levels(await pack.analyze(res)), expected);
            });
        }

        it("leaves planned resources to the stack policies (not applicable, no duplicate)", async () => {
            const planned = resource(t.logGroup, "slow", {
                name: "/aws/elasticache/phi-cache/slow-log",
                retentionInDays: 7,
            });
            const { diagnostics, notApplicable } = await pack.analyzeResource(planned);
            assert.deepStrictEqual(diagnostics, []);
            assert.ok(notApplicable.includes("aws-elasticache-loggroup-configure-discovered-retention"));
        });
    });

    describe("pulumi policy analyze --file over a state file in the export format", () => {
        let dir: string;
        before(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "policy-analyze-"))));
        after(() => fs.rmSync(dir, { recursive: true, force: true }));

        async function stateFile(edit: (r: any) => void = () => undefined): Promise<string> {
            const run = await runUnderMocks(
                () => new HitrustRedis("cache", { ...baseArgs } as Partial<HitrustRedisArgs> as HitrustRedisArgs),
                { preview: false, subnetZones },
            );
            const toState = (value: unknown): unknown => {
                if (Array.isArray(value)) {
                    return value.map(toState);
                }
                if (value !== null && typeof value === "object") {
                    const v = value as Record<string, unknown>;
                    if (v[sig.key] === sig.secret) {
                        return { [sig.key]: sig.secret, plaintext: JSON.stringify(v.value) };
                    }
                    return Object.fromEntries(Object.entries(v).map(([k, e]) => [k, toState(e)]));
                }
                return value;
            };
            const resources = run.resources.map((r) => ({
                urn: r.urn,
                custom: r.custom,
                type: r.type,
                ...(r.parent ? { parent: r.parent } : {}),
                inputs: toState(r.inputs),
                outputs: toState(r.custom ? r.state : (r.outputs ?? {})),
                dependencies: r.dependencies,
                propertyDependencies: r.propertyDependencies,
            }));
            resources.forEach(edit);
            const file = path.join(dir, `state-${Math.random().toString(36).slice(2)}.json`);
            fs.writeFileSync(
                file,
                JSON.stringify({ version: 3, deployment: { manifest: { time: new Date().toISOString() }, resources } }),
            );
            return file;
        }

        it("the component's state passes: Analyze sees inputs, AnalyzeStack outputs", async () => {
            const result = await analyzeStateFile(pack, await stateFile());
            assert.deepStrictEqual(
                [...result.analyze, ...result.analyzeStack].map((d) => d.message),
                [],
            );
            assert.deepStrictEqual(result.remediations, []);
        });

        it("a defect only in the inputs is Analyze's; one only in the outputs is AnalyzeStack's", async () => {
            const file = await stateFile((r) => {
                if (r.type === t.rg) {
                    r.inputs.transitEncryptionMode = "preferred";
                }
                if (r.type === t.logGroup) {
                    r.outputs.retentionInDays = 7; // changed outside Pulumi, then refreshed
                }
            });
            const result = await analyzeStateFile(pack, file);
            assert.deepStrictEqual(levels(result.analyze), [
                "mandatory aws-elasticache-replicationgroup-enforce-transit-encryption-required",
            ]);
            assert.ok(
                levels(result.analyzeStack).every(
                    (l) => l === "mandatory aws-elasticache-loggroup-configure-retention",
                ) && result.analyzeStack.length > 0,
                levels(result.analyzeStack).join("\n"),
            );
        });

        it("a secret it cannot decrypt reads as '[secret]': a set token, never a weak one", async () => {
            let redacted = 0;
            const file = await stateFile((r) => {
                if (r.type === t.rg && r.inputs.authToken) {
                    r.inputs.authToken = { [sig.key]: sig.secret, ciphertext: "AAAA" };
                    redacted++;
                }
            });
            assert.strictEqual(redacted, 1, "the component's group has no authToken to redact");
            const result = await analyzeStateFile(pack, file);
            assert.deepStrictEqual(levels(result.analyze), []);
        });
    });
});
