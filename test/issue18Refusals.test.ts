// Issue 18, "The component": what AWS (or the provider before it) would refuse only at deploy is
// refused up front, naming the argument; what AWS accepts is accepted. Each case failed before
// its fix.
import * as assert from "assert";
import * as aws from "@pulumi/aws";
import { HitrustRedis, HitrustRedisArgs, resolveSettings, ValidationError } from "../component";
import { minimumArchiveRetentionDays } from "../component/validate";
import { sixYearsInDays } from "../core/checks";
import { cidrWithHostBits } from "../core/cidr";
import { engineVersionProblem, shippedVersions } from "../core/engine";
import { logGroupConfigureDiscoveredRetention } from "../policy-pack/src/policies/logGroup";
import * as rg from "../policy-pack/src/policies/replicationGroup";
import { types as packTypes } from "../policy-pack/src/types";
import { defaultLiveOptions } from "../tools/audit/live";
import { runUnderMocks } from "../tools/mockrun";
import { baseArgs, ofType, runComponent, subnetZones, types } from "./helpers";
import { compliantGroup, rgViolations, violations } from "./policyHelpers";

function settingsOf(args: Record<string, unknown>, region?: string): ReturnType<typeof resolveSettings> {
    return resolveSettings("cache", { ...baseArgs, ...args } as HitrustRedisArgs, { region });
}

function problemsOf(args: Record<string, unknown>, region?: string): string[] {
    try {
        settingsOf(args, region);
    } catch (e) {
        assert.ok(e instanceof ValidationError, String(e));
        return e.problems;
    }
    assert.fail(`expected ${JSON.stringify(args)} to be refused`);
}

/** Runs the component under mocks; asserts one ValidationError came out and returns its problems. */
async function refusedAtRun(
    args: Partial<HitrustRedisArgs>,
    options: Parameters<typeof runComponent>[1] = {},
): Promise<{ problems: string[]; registered: number }> {
    const result = await runComponent(args, options);
    const errors = result.errors.filter((e) => e instanceof ValidationError) as ValidationError[];
    assert.strictEqual(errors.length, 1, `expected one ValidationError, got ${result.errors.map((e) => e.message)}`);
    return { problems: errors[0].problems, registered: result.resources.length };
}

describe("Issue 18: engine versions ElastiCache never shipped", () => {
    // "Supported engines and versions" (https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/supported-engine-versions.html):
    // Redis OSS 7.1, 7.0, 6.2, 6.0, 5.0.6 (5.0.5, 5.0.4, 5.0.3, 5.0.0 deprecated), 4.0.10; Valkey 7.2, 8.0,
    // 8.1, 8.2, 9.0 and 9.1 ("Engine versions and upgrading in ElastiCache").
    const refused: [engine: string, version: string][] = [
        ["redis", "7.2"],
        ["redis", "7.4"],
        ["redis", "8.0"],
        ["redis", "6.1"],
        ["redis", "5.0.7"],
        ["redis", "5.0.1"],
        ["redis", "4.0.11"],
        ["redis", "7.01"],
        ["valkey", "7.3"],
        ["valkey", "8.5"],
        ["valkey", "9.01"],
    ];
    const offered: [engine: string, version: string][] = [
        ...shippedVersions.redis.map((v): [string, string] => ["redis", v]),
        ...shippedVersions.valkey.map((v): [string, string] => ["valkey", v]),
    ];

    for (const [engine, version] of refused) {
        it(`refuses ${engine} ${version}, naming engineVersion and the versions there are`, () => {
            const problems = problemsOf({ engine, engineVersion: version });
            assert.strictEqual(problems.length, 1, problems.join("\n"));
            assert.match(
                problems[0],
                new RegExp(
                    `^engineVersion: ElastiCache never shipped ${engine === "redis" ? "Redis OSS" : "Valkey"} '${version.replace(/\./g, "\\.")}'; use one of `,
                ),
            );
        });
    }

    it("says that Redis 7.2 and later are Valkey", () => {
        assert.match(
            engineVersionProblem("redis", "7.2")!,
            /or engine 'valkey' \(Valkey 7\.2 followed Redis OSS 7\.1\)/,
        );
    });

    for (const [engine, version] of offered) {
        it(`accepts ${engine} ${version}`, () => {
            assert.strictEqual(settingsOf({ engine, engineVersion: version }).settings.engineVersion, version);
        });
    }

    it("warns about, but accepts, a Valkey newer than every version it knows (released since)", () => {
        const { warnings } = settingsOf({ engine: "valkey", engineVersion: "10.0" });
        assert.ok(
            warnings.some((w) =>
                /^engineVersion: Valkey 10\.0 is newer than the versions this component knows/.test(w),
            ),
            warnings.join("\n"),
        );
    });

    it("the pack judges every version as the component does (same engine data)", () => {
        for (const [engine, version] of [...refused, ...offered, ["valkey", "10.0"] as [string, string]]) {
            const component = (() => {
                try {
                    settingsOf({ engine, engineVersion: version });
                    return "accepted";
                } catch {
                    return "refused";
                }
            })();
            const pack =
                rgViolations(rg.configureEngineVersion, { ...compliantGroup, engine, engineVersion: version })
                    .length === 0
                    ? "accepted"
                    : "refused";
            assert.strictEqual(pack, component, `${engine} ${version}: pack ${pack}, component ${component}`);
        }
    });
});

describe("Issue 18: CIDR blocks with host bits", () => {
    it("core names the network a block with host bits means", () => {
        assert.strictEqual(cidrWithHostBits("10.0.0.1/16"), "10.0.0.0/16");
        assert.strictEqual(cidrWithHostBits("192.168.1.77/24"), "192.168.1.0/24");
        assert.strictEqual(cidrWithHostBits("fd00:1234::1/64"), "fd00:1234::/64");
        assert.strictEqual(cidrWithHostBits("fd00:1234:0:0:0:0:0:0/64"), undefined);
        assert.strictEqual(cidrWithHostBits("10.0.0.0/16"), undefined);
        assert.strictEqual(cidrWithHostBits("10.0.0.1/32"), undefined);
        assert.strictEqual(cidrWithHostBits("not a cidr"), undefined);
    });

    // terraform-provider-aws ValidateCIDRBlock, the type of cidr_ipv4/cidr_ipv6: "%q is not a valid
    // CIDR block; did you mean %q?" (its own test: "10.0.1.0/16" is refused, "10.0.1.0/24" accepted).
    it("refuses 10.0.1.0/16 and fd00::1/64, naming the block and the network to write", () => {
        assert.deepStrictEqual(problemsOf({ allowedCidrBlocks: ["10.0.1.0/16", "fd00::1/64"] }), [
            "allowedCidrBlocks[0]: '10.0.1.0/16' has bits set after its /16 prefix, which the AWS provider refuses; write the network address, '10.0.0.0/16' (or /32 for the one address).",
            "allowedCidrBlocks[1]: 'fd00::1/64' has bits set after its /64 prefix, which the AWS provider refuses; write the network address, 'fd00::/64' (or /128 for the one address).",
        ]);
    });

    it("accepts network addresses and single addresses", () => {
        const cidrs = ["10.0.1.0/24", "10.0.0.7/32", "fd00:1234::/64"];
        assert.deepStrictEqual(settingsOf({ allowedCidrBlocks: cidrs }).settings.allowedCidrBlocks, cidrs);
    });
});

/** Two VPCs and two subnets created in the program, the cache in `vpc`, its subnets in `vpc` or in `other`. */
function twoVpcProgram(subnetsInVpc: boolean) {
    const vpc = new aws.ec2.Vpc("vpc", { cidrBlock: "10.0.0.0/16" });
    const other = new aws.ec2.Vpc("other", { cidrBlock: "10.1.0.0/16" });
    const subnets = ["a", "b"].map(
        (zone) =>
            new aws.ec2.Subnet(`s-${zone}`, {
                vpcId: (subnetsInVpc ? vpc : other).id,
                cidrBlock: `10.1.${zone === "a" ? 1 : 2}.0/24`,
                availabilityZone: `us-east-1${zone}`,
            }),
    );
    new HitrustRedis("cache", {
        vpcId: vpc.id,
        subnetIds: subnets.map((s) => s.id),
        allowedSecurityGroupIds: ["sg-app"],
    });
}

describe("Issue 18: subnets of a VPC other than vpcId", () => {
    it("refuses, naming each subnet and its VPC, once the lookup answers", async () => {
        const { problems } = await refusedAtRun(
            {},
            { vpcs: { "subnet-a": "vpc-123", "subnet-b": "vpc-other", "subnet-c": "vpc-123" } },
        );
        assert.deepStrictEqual(problems, [
            "subnetIds[1]: 'subnet-b' is in vpc-other, not in vpcId vpc-123; pass subnets of vpc-123, or the vpcId of the subnets.",
        ]);
    });

    it("accepts subnets of vpcId", async () => {
        const result = await runComponent(
            {},
            { vpcs: { "subnet-a": "vpc-123", "subnet-b": "vpc-123", "subnet-c": "vpc-123" } },
        );
        assert.deepStrictEqual(result.errors, []);
        assert.strictEqual(ofType(result, types.replicationGroup).length, 1);
    });

    it("in preview, subnets created in the same program are unknown and not judged", async () => {
        const result = await runUnderMocks(() => twoVpcProgram(false), { preview: true });
        assert.deepStrictEqual(result.errors, []);
    });

    for (const [label, sameVpc] of [
        ["refuses", false],
        ["accepts", true],
    ] as const) {
        it(`${label} subnets created in the same program ${sameVpc ? "in" : "outside"} vpcId, once their VPC is known`, async () => {
            const result = await runUnderMocks(() => twoVpcProgram(sameVpc), { preview: false });
            const messages = result.errors.map((e) => e.message).join("\n");
            if (sameVpc) {
                assert.strictEqual(messages, "");
            } else {
                assert.match(messages, /subnetIds\[0\]: 'subnet-s-a-id' is in vpc-other-id, not in vpcId vpc-vpc-id/);
                assert.match(messages, /subnetIds\[1\]: 'subnet-s-b-id' is in vpc-other-id/);
            }
        });
    }
});

describe("Issue 18: a KMS key in another Region", () => {
    const euKey = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    const usKey = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";

    it("is refused up front when the Region is known (aws:region), and nothing is registered", async () => {
        const { problems, registered } = await refusedAtRun(
            { kmsKeyArn: euKey },
            { config: { "aws:region": "us-east-1" } },
        );
        assert.strictEqual(registered, 0);
        assert.deepStrictEqual(problems, [
            "kmsKeyArn: the key is in eu-west-1, but the cache is deployed in us-east-1; a KMS key serves only its own Region; pass a key in us-east-1 (for a multi-Region key, the ARN of its replica in us-east-1), or omit kmsKeyArn to have one created.",
        ]);
    });

    it("is refused when it resolves, against the provider's Region, when an explicit provider hides the Region", async () => {
        const result = await runUnderMocks(
            () => {
                const provider = new aws.Provider("eu", { region: "us-east-1" });
                new HitrustRedis("cache", { ...baseArgs, kmsKeyArn: euKey }, { provider });
            },
            { preview: false, subnetZones },
        );
        assert.match(
            result.errors.map((e) => e.message).join("\n"),
            /kmsKeyArn: the key is in eu-west-1, but the cache is deployed in us-east-1/,
        );
    });

    it("a key of the stack's Region is accepted", async () => {
        const result = await runComponent({ kmsKeyArn: usKey }, { config: { "aws:region": "us-east-1" } });
        assert.deepStrictEqual(result.errors, []);
        assert.strictEqual(ofType(result, types.replicationGroup)[0].inputs.kmsKeyId, usKey);
    });
});

describe("Issue 18: an empty description", () => {
    // CreateReplicationGroup: ReplicationGroupDescription "Required: Yes"; the provider's
    // `description` is Required with validation.StringIsNotEmpty.
    for (const [description, what] of [
        ["", "empty"],
        ["   ", "only whitespace"],
        ["\t\n", "only whitespace"],
    ]) {
        it(`refuses ${JSON.stringify(description)}`, () => {
            assert.deepStrictEqual(problemsOf({ description }), [
                `description: ${what}; describe the cache in a few words, or omit description for 'HITRUST CSF-ready <engine> for <name>'.`,
            ]);
        });
    }

    it("accepts a description, and its absence", async () => {
        const result = await runComponent({ description: "Orders cache" });
        assert.strictEqual(ofType(result, types.replicationGroup)[0].inputs.description, "Orders cache");
        assert.doesNotThrow(() => settingsOf({}));
    });
});

describe("Issue 18: two caches of one program with the same replication group ID", () => {
    async function twoCaches(first: [string, Partial<HitrustRedisArgs>], second: [string, Partial<HitrustRedisArgs>]) {
        return runUnderMocks(
            () => {
                new HitrustRedis(first[0], { ...baseArgs, ...first[1] } as HitrustRedisArgs);
                new HitrustRedis(second[0], { ...baseArgs, ...second[1] } as HitrustRedisArgs);
            },
            { preview: true, subnetZones },
        );
    }

    it("refuses a given ID another cache has", async () => {
        const result = await twoCaches(
            ["orders", { replicationGroupId: "shared" }],
            ["billing", { replicationGroupId: "shared" }],
        );
        assert.strictEqual(result.errors.length, 1, result.errors.map((e) => e.message).join("\n"));
        assert.deepStrictEqual((result.errors[0] as ValidationError).problems, [
            "replicationGroupId: 'shared' is already the replication group ID of HitrustRedis 'orders' in this program; give each cache its own replicationGroupId.",
        ]);
    });

    it("refuses long names that shorten to the same ID", async () => {
        const stem = "orders-cache-for-the-production-environment-of-the-eu";
        const result = await twoCaches([`${stem}-one`, {}], [`${stem}-two`, {}]);
        assert.strictEqual(result.errors.length, 1, result.errors.map((e) => e.message).join("\n"));
        assert.match(
            (result.errors[0] as ValidationError).problems[0],
            /^replicationGroupId: 'orders-cache-for-the-production-environm', derived from the name '.*-two', is already the replication group ID of HitrustRedis '.*-one' in this program \(IDs are cut to 40 characters\); give each cache its own replicationGroupId\.$/,
        );
    });

    it("accepts distinct IDs, and the same ID again in the next program run", async () => {
        assert.deepStrictEqual((await twoCaches(["orders", {}], ["billing", {}])).errors, []);
        assert.deepStrictEqual((await runComponent({ replicationGroupId: "shared" })).errors, []);
        assert.deepStrictEqual((await runComponent({ replicationGroupId: "shared" })).errors, []);
    });
});

describe("Issue 18: what AWS accepts is accepted", () => {
    // PutMetricAlarm `Threshold`: Type Double
    // (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html).
    it("fractional alarm thresholds, passed to the alarms as given", async () => {
        const alarms = { engineCpuPercent: 72.5, memoryPercent: 85.25, replicationLagSeconds: 2.5, evictions: 0.5 };
        assert.deepStrictEqual(
            Object.fromEntries(
                Object.keys(alarms).map((k) => [k, settingsOf({ alarms }).settings.alarms[k as keyof typeof alarms]]),
            ),
            alarms,
        );
        const result = await runComponent({ alarms });
        const thresholds = new Set(ofType(result, types.alarm).map((a) => a.inputs.threshold));
        for (const value of Object.values(alarms)) {
            assert.ok(thresholds.has(value), `no alarm at ${value}: ${[...thresholds].join(", ")}`);
        }
    });

    it("still refuses thresholds outside their range", () => {
        assert.deepStrictEqual(problemsOf({ alarms: { engineCpuPercent: 100.5, replicationLagSeconds: 0.5 } }), [
            "alarms.engineCpuPercent: 100.5 is out of range; use a number from 1 to 100.",
            "alarms.replicationLagSeconds: 0.5 is out of range; use a number from 1 to 3600.",
        ]);
    });

    // @pulumi/aws cloudwatch.LogGroup.retentionInDays: "If you select 0, the events in the log group
    // are always retained and never expire."
    it("logRetentionDays: 0 (never expire), which the pack's retention policy passes too", async () => {
        assert.strictEqual(settingsOf({ logRetentionDays: 0 }).settings.logRetentionDays, 0);
        const result = await runComponent({ logRetentionDays: 0 });
        const cacheLogs = ofType(result, types.logGroup).filter((g) => /elasticache/.test(String(g.inputs.name)));
        assert.ok(cacheLogs.length > 0);
        for (const group of cacheLogs) {
            assert.strictEqual(group.inputs.retentionInDays, 0);
            assert.deepStrictEqual(
                violations(logGroupConfigureDiscoveredRetention, packTypes.logGroup, group.inputs, {
                    minimumRetentionDays: 90,
                }),
                [],
            );
        }
    });

    it("the message for a refused retention says 0 is allowed", () => {
        assert.match(problemsOf({ logRetentionDays: 30 })[0], /, or 0 to never expire\.$/);
    });
});

describe("Issue 18: six years of archive are six calendar years", () => {
    it("2,192 days: 6 x 365 and the two leap days six years can hold", () => {
        // The longest six years: 2024-01-01 to 2030-01-01 holds 29 February 2024 and 2028.
        const longest = (Date.UTC(2030, 0, 1) - Date.UTC(2024, 0, 1)) / 86_400_000;
        assert.strictEqual((Date.UTC(2030, 2, 1) - Date.UTC(2024, 2, 1)) / 86_400_000, 2191);
        assert.strictEqual(longest, 2192);
        assert.strictEqual(sixYearsInDays, longest);
        assert.strictEqual(minimumArchiveRetentionDays, sixYearsInDays);
        assert.strictEqual(defaultLiveOptions.archiveRetentionDays, sixYearsInDays);
    });

    it("refuses archiveRetentionDays 2190, and keeps the archive 2192 days by default", async () => {
        assert.deepStrictEqual(problemsOf({ archiveRetentionDays: 2190 }), [
            "archiveRetentionDays: 2190 is out of range; use a whole number from 2192 to 36500.",
        ]);
        assert.strictEqual(settingsOf({}).settings.archiveRetentionDays, 2192);
    });
});
