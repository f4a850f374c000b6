// Bad-input tables, one per kind of mistake (issue 11 §2). Each refusal names the argument and the
// fix, and nothing is registered; each acceptance is checked as well, so a table cannot pass by
// refusing everything.
import * as assert from "assert";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { HitrustRedisArgs, resolveSettings, ValidationError } from "../component";
import { runUnderMocks } from "../tools/mockrun";
import { baseArgs, ofType, runComponent, types } from "./helpers";

/** Runs the component under mocks; asserts that one ValidationError and no resource came out. */
async function refused(args: Record<string, unknown>): Promise<string[]> {
    const result = await runComponent(args as Partial<HitrustRedisArgs>);
    assert.strictEqual(result.resources.length, 0, "a refused argument must register nothing");
    assert.strictEqual(result.errors.length, 1, `expected one error, got ${result.errors.map((e) => e.message)}`);
    assert.ok(result.errors[0] instanceof ValidationError, result.errors[0].stack);
    return (result.errors[0] as ValidationError).problems;
}

function accepted(args: Record<string, unknown>): ReturnType<typeof resolveSettings> {
    return resolveSettings("cache", { ...baseArgs, ...args } as HitrustRedisArgs);
}

type Table = [label: string, args: Record<string, unknown>, problems: string[]][];

/** Every refused row of every table, for the checks that hold across kinds. */
const allRefusals: Table = [];

function refusalTable(kind: string, table: Table): void {
    allRefusals.push(...table);
    describe(kind, () => {
        for (const [label, args, problems] of table) {
            it(`refuses ${label}`, async () => {
                assert.deepStrictEqual(await refused(args), problems);
            });
        }
    });
}

refusalTable("Run-time types: a value of the wrong type is refused with its argument, never a crash", [
    [
        "a string where a list of security groups belongs",
        { allowedSecurityGroupIds: "sg-0abc" },
        [
            "allowedSecurityGroupIds: the string 'sg-0abc' is a single string, not a list; wrap it in a list: ['sg-0abc'].",
        ],
    ],
    [
        "a CIDR given as a string (one error, not one per character)",
        { allowedCidrBlocks: "10.0.0.0/16" },
        [
            "allowedCidrBlocks: the string '10.0.0.0/16' is a single string, not a list; wrap it in a list: ['10.0.0.0/16'].",
        ],
    ],
    [
        "a string for subnetIds",
        { subnetIds: "subnet-a" },
        ["subnetIds: the string 'subnet-a' is a single string, not a list; wrap it in a list: ['subnet-a']."],
    ],
    [
        "a number for engineVersion",
        { engineVersion: 7.1 },
        ["engineVersion: the number 7.1 is not text; write it in quotes, such as '7.1'."],
    ],
    [
        "clusterMode: null",
        { clusterMode: null },
        ["clusterMode: null; omit clusterMode to use its default, or pass { shards: 3, replicasPerShard: 2 }."],
    ],
    [
        "clusterMode: {}",
        { clusterMode: {} },
        [
            "clusterMode.shards: missing; pass the number of shards, 1 to 500.",
            "clusterMode.replicasPerShard: missing; pass the replicas in each shard, 1 to 5.",
        ],
    ],
    [
        "clusterMode as a number",
        { clusterMode: 3 },
        ["clusterMode: the number 3 is not an object; pass { shards: 3, replicasPerShard: 2 }."],
    ],
    [
        "rbac.users: [null]",
        { rbac: { users: [null] } },
        ["rbac.users[0]: null; pass { userName, accessString } for each user."],
    ],
    [
        "rbac.users as an object",
        { rbac: { users: { userName: "app" } } },
        ["rbac.users: an object is not a list; pass [{ userName: 'app', accessString: 'on ~app:* +@read' }]."],
    ],
    [
        "a numeric authToken (the value is never echoed)",
        { authToken: 1234567890123456 },
        [
            "authToken: a number is not text; pass 16 to 128 letters, digits and ! & # $ ^ < > -, or omit authToken to have one generated.",
        ],
    ],
    [
        '"35" for a number',
        { snapshotRetentionDays: "35" },
        ["snapshotRetentionDays: '35' is a string, not a number; write 35 without quotes."],
    ],
    ['"6380" for the port', { port: "6380" }, ["port: '6380' is a string, not a number; write 6380 without quotes."]],
    ["NaN for replicas", { replicas: Number.NaN }, ["replicas: NaN is not a finite number; pass a number such as 2."]],
    [
        'a boolean given as "yes"',
        { archiveObjectLock: "yes" },
        ["archiveObjectLock: the string 'yes' is not a boolean; pass true or false, without quotes."],
    ],
    [
        "a boolean given as 1",
        { archiveObjectLock: 1 },
        ["archiveObjectLock: the number 1 is not a boolean; pass true or false."],
    ],
    [
        "a number as an engine parameter value",
        { parameters: { timeout: 300 } },
        ["parameters.timeout: the number 300 is not text; write it in quotes."],
    ],
    [
        "tags as a list",
        { tags: ["team:care"] },
        ["tags: a list is not an object of names to text; pass { team: 'care' }."],
    ],
    ["vpcId: null", { vpcId: null }, ["vpcId: null; pass the ID of the VPC that holds the cache's subnets."]],
    [
        "vpcId: a number",
        { vpcId: 123 },
        ["vpcId: the number 123 is not text; write it in quotes, such as 'vpc-0abc1234'."],
    ],
    [
        "an alarm threshold of null",
        { alarms: { engineCpuPercent: null } },
        [
            "alarms.engineCpuPercent: null; omit alarms.engineCpuPercent to use its default, or pass a number such as 80.",
        ],
    ],
]);

refusalTable("Names: unknown arguments get the nearest valid name; compliance switches are always on", [
    [
        "snapshotRetentionDay",
        { snapshotRetentionDay: 7 },
        ["snapshotRetentionDay: is not an argument of HitrustRedis; did you mean snapshotRetentionDays?"],
    ],
    [
        "a misspelt nested name",
        { alarms: { engineCpu: 70 } },
        ["alarms.engineCpu: is not an argument of HitrustRedis alarms; did you mean alarms.engineCpuPercent?"],
    ],
    [
        "a misspelt user field",
        { rbac: { users: [{ username: "app", accessString: "on ~* +@read -@dangerous" }] } },
        [
            "rbac.users[0].username: is not an argument of HitrustRedis rbac.users[0]; did you mean rbac.users[0].userName?",
            "rbac.users[0].userName: missing; pass the name clients log in with.",
        ],
    ],
    [
        "a name far from any argument",
        { clusterMode: { shards: 2, replicasPerShard: 1, zzz: 1 } },
        [
            "clusterMode.zzz: is not an argument of HitrustRedis clusterMode; remove it (valid: shards, replicasPerShard).",
        ],
    ],
    [
        "the provider's kmsKeyId",
        { kmsKeyId: "arn:aws:kms:us-east-1:123456789012:key/k" },
        ["kmsKeyId: is the aws provider's name, not an argument of HitrustRedis; use kmsKeyArn instead."],
    ],
    [
        "transitEncryptionEnabled: false",
        { transitEncryptionEnabled: false },
        ["transitEncryptionEnabled: cannot be set: encryption in transit (TLS) is always on; remove it."],
    ],
    [
        "atRestEncryptionEnabled even when true",
        { atRestEncryptionEnabled: true },
        [
            "atRestEncryptionEnabled: cannot be set: encryption at rest (with a customer-managed KMS key) is always on; remove it.",
        ],
    ],
    [
        "transitEncryptionMode: preferred",
        { transitEncryptionMode: "preferred" },
        [
            "transitEncryptionMode: cannot be set: encryption in transit is always required where the engine supports the mode; remove it.",
        ],
    ],
]);

refusalTable("Outputs where a plain value is required: which argument, and why", [
    [
        "a CIDR block that is an Output",
        { allowedCidrBlocks: [pulumi.output("10.0.0.0/16")] },
        [
            "allowedCidrBlocks[0]: a Pulumi Output cannot be used here, because each block is checked for public address space and becomes its own ingress rule before anything exists; pass text such as '10.0.0.0/16' as a plain value (a literal or stack configuration).",
        ],
    ],
    [
        "the engine as an Output",
        { engine: pulumi.output("redis") },
        [
            "engine: a Pulumi Output cannot be used here, because it decides the parameter group family, log types and authentication features; pass text such as 'redis' or 'valkey' as a plain value (a literal or stack configuration).",
        ],
    ],
    [
        "the port as an Output",
        { port: pulumi.output(6380) },
        [
            "port: a Pulumi Output cannot be used here, because it is written into the security group rules and checked against the well-known port; pass a number such as 6380 as a plain value (a literal or stack configuration).",
        ],
    ],
    [
        "subnetIds as one Output of a list (not '0 subnets given')",
        { subnetIds: pulumi.output(["subnet-a", "subnet-b"]) },
        [
            "subnetIds: a Pulumi Output cannot be used here, because the component counts the subnets and looks each one up for its availability zone before anything exists; pass a plain list; its items may be Outputs, as in [subnetA.id, subnetB.id].",
        ],
    ],
]);

refusalTable("Accepted though wrong: IDs and CIDR blocks", [
    ["vpcId: ''", { vpcId: "" }, ["vpcId: empty; pass the ID of the VPC that holds the cache's subnets."]],
    [
        "a vpcId that is not a VPC ID",
        { vpcId: "subnet-a" },
        ["vpcId: 'subnet-a' is not a VPC ID; pass the ID of the VPC that holds the cache's subnets."],
    ],
    ["a subnet ID ''", { subnetIds: ["subnet-a", ""] }, ["subnetIds[1]: empty; pass the subnet's ID (subnet-...)."]],
    [
        "a security group ID ''",
        { allowedSecurityGroupIds: [""] },
        ["allowedSecurityGroupIds[0]: empty; pass the security group's ID (sg-...)."],
    ],
    [
        "':::::/64' (net.isIP refuses it)",
        { allowedCidrBlocks: [":::::/64"] },
        [
            "allowedCidrBlocks[0]: ':::::/64' is not a CIDR block; use the form 10.0.0.0/16 (or fd00:1234::/64 for IPv6).",
        ],
    ],
    [
        "a prefix longer than the family's width",
        { allowedCidrBlocks: ["10.0.0.0/33"] },
        [
            "allowedCidrBlocks[0]: '10.0.0.0/33' is not a CIDR block; use the form 10.0.0.0/16 (or fd00:1234::/64 for IPv6).",
        ],
    ],
    [
        "an octet above 255",
        { allowedCidrBlocks: ["10.0.0.256/24"] },
        [
            "allowedCidrBlocks[0]: '10.0.0.256/24' is not a CIDR block; use the form 10.0.0.0/16 (or fd00:1234::/64 for IPv6).",
        ],
    ],
    [
        "a public range",
        { allowedCidrBlocks: ["8.8.8.0/24"] },
        [
            "allowedCidrBlocks[0]: '8.8.8.0/24' admits public addresses (256 public IPv4 addresses); list the private ranges of the clients (such as 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, fd00::/8), or their security groups in allowedSecurityGroupIds.",
        ],
    ],
    [
        "a range that starts private and runs into public space",
        { allowedCidrBlocks: ["10.0.0.0/7"] },
        [
            "allowedCidrBlocks[0]: '10.0.0.0/7' admits public addresses (0.453% of public IPv4); list the private ranges of the clients (such as 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, fd00::/8), or their security groups in allowedSecurityGroupIds.",
        ],
    ],
    [
        "the IPv4 internet in two halves",
        { allowedCidrBlocks: ["0.0.0.0/1", "128.0.0.0/1"] },
        [
            "allowedCidrBlocks[0]: '0.0.0.0/1' admits public addresses (56.5% of public IPv4); list the private ranges of the clients (such as 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, fd00::/8), or their security groups in allowedSecurityGroupIds.",
            "allowedCidrBlocks[1]: '128.0.0.0/1' admits public addresses (43.5% of public IPv4); list the private ranges of the clients (such as 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, fd00::/8), or their security groups in allowedSecurityGroupIds.",
            "allowedCidrBlocks: the blocks together admit every public IPv4 address (the whole internet in pieces); list only the private ranges of the clients.",
        ],
    ],
    [
        "the IPv6 internet in two halves (public IPv6, 2000::/3, lies inside ::/1)",
        { allowedCidrBlocks: ["::/1", "8000::/1"] },
        [
            "allowedCidrBlocks[0]: '::/1' admits the whole internet; list the private ranges or security groups of the clients instead.",
        ],
    ],
    [
        "public IPv6 in pieces",
        { allowedCidrBlocks: ["2000::/4", "3000::/4"] },
        [
            "allowedCidrBlocks[0]: '2000::/4' admits public addresses (50% of public IPv6); list the private ranges of the clients (such as 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, fd00::/8), or their security groups in allowedSecurityGroupIds.",
            "allowedCidrBlocks[1]: '3000::/4' admits public addresses (50% of public IPv6); list the private ranges of the clients (such as 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, fd00::/8), or their security groups in allowedSecurityGroupIds.",
            "allowedCidrBlocks: the blocks together admit every public IPv6 address (the whole internet in pieces); list only the private ranges of the clients.",
        ],
    ],
    [
        "the same block twice",
        { allowedCidrBlocks: ["10.1.0.0/16", "10.1.0.0/16"] },
        ["allowedCidrBlocks[1]: '10.1.0.0/16' repeats allowedCidrBlocks[0]; list each block once."],
    ],
]);

describe("Accepted though wrong: private CIDR blocks and IDs that are fine stay accepted", () => {
    for (const cidrs of [
        ["10.0.0.0/16", "172.16.0.0/12", "192.168.1.0/24"],
        ["100.64.0.0/10"],
        ["fd00:1234::/64", "fc00::/7"],
        ["10.0.0.1/32"],
    ]) {
        it(`accepts ${cidrs.join(", ")}`, () => {
            assert.deepStrictEqual(accepted({ allowedCidrBlocks: cidrs }).settings.allowedCidrBlocks, cidrs);
        });
    }
});

refusalTable("Engine versions the provider refuses (core/engine.ts engineVersionProblem)", [
    ...["7", "7.x", "7.0.5"].map((v): Table[number] => [
        `Redis '${v}'`,
        { engineVersion: v },
        [
            `engineVersion: '${v}' is not a version text the provider accepts for redis; use the full version for Redis 4 and 5, such as '5.0.6', or '6.x', '6.0' or '6.2' for Redis 6, or major.minor for Redis 7 and later, such as '7.1'.`,
        ],
    ]),
    [
        "Valkey '8'",
        { engine: "valkey", engineVersion: "8" },
        [
            "engineVersion: '8' is not a version text the provider accepts for valkey; use major.minor for Valkey, such as '8.0'.",
        ],
    ],
]);

describe("Engine versions the provider accepts stay accepted", () => {
    for (const [engine, version, family] of [
        ["redis", "7.1", "redis7"],
        ["redis", "6.x", "redis6.x"],
        ["redis", "6.2", "redis6.x"],
        ["redis", "5.0.6", "redis5.0"],
        ["redis", "4.0.10", "redis4.0"],
        ["valkey", "8.0", "valkey8"],
        ["valkey", "7.2", "valkey7"],
    ]) {
        it(`accepts ${engine} ${version}`, () => {
            assert.strictEqual(accepted({ engine, engineVersion: version }).settings.parameterGroupFamily, family);
        });
    }
});

refusalTable("ACL access strings: case-insensitive keywords, passwords never echoed", [
    ...["on NOPASS ~* +@all -@dangerous", "on NoPass ~app:* +@read -@dangerous", "nopass on ~*"].map(
        (access): Table[number] => [
            `'${access}'`,
            { rbac: { users: [{ userName: "app", accessString: access }] } },
            ["rbac.users[0].accessString: 'nopass' (in any case) lets the user in without a password; remove it."],
        ],
    ),
    ...[
        "on >S3cret-Passw0rd ~* +@all -@dangerous",
        "on #5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8 ~*",
        "on <S3cret-Passw0rd ~*",
    ].map((access): Table[number] => [
        "a password rule",
        { rbac: { users: [{ userName: "app", accessString: access }] } },
        [
            "rbac.users[0].accessString: contains a password rule (>..., <..., #... or !...), which puts a secret in the program and its state; remove it: the component generates each user's password and keeps it in Secrets Manager.",
        ],
    ]),
    [
        "two users whose IDs differ only in case",
        {
            rbac: {
                users: [
                    { userName: "App", accessString: "on ~* +@read -@dangerous" },
                    { userName: "app", accessString: "on ~* +@read -@dangerous" },
                ],
            },
        },
        [
            "rbac.users[1].userName: 'app' gives the same (lowercase) user ID as rbac.users[0]; give each user its own name.",
        ],
    ],
]);

refusalTable("Customer-managed key: only a key ARN, never an AWS managed key", [
    [
        "kmsKeyArn: ''",
        { kmsKeyArn: "" },
        ["kmsKeyArn: empty; pass the ARN of a customer-managed KMS key, or omit kmsKeyArn to have one created."],
    ],
    [
        "kmsKeyArn: null",
        { kmsKeyArn: null },
        ["kmsKeyArn: null; pass the ARN of a customer-managed KMS key, or omit kmsKeyArn to have one created."],
    ],
    [
        "kmsKeyArn: 'not-an-arn'",
        { kmsKeyArn: "not-an-arn" },
        [
            "kmsKeyArn: 'not-an-arn' is not a KMS key ARN; pass the ARN of a customer-managed KMS key (arn:aws:kms:<region>:<account>:key/<key-id>), or omit kmsKeyArn to have one created.",
        ],
    ],
    [
        "a key ID instead of its ARN",
        { kmsKeyArn: "1234abcd-12ab-34cd-56ef-1234567890ab" },
        [
            "kmsKeyArn: '1234abcd-12ab-34cd-56ef-1234567890ab' is a key ID or alias name, not an ARN; pass the ARN of a customer-managed KMS key (arn:aws:kms:<region>:<account>:key/<key-id>), or omit kmsKeyArn to have one created.",
        ],
    ],
    [
        "an AWS managed key's alias ARN",
        { kmsKeyArn: "arn:aws:kms:us-east-1:123456789012:alias/aws/elasticache" },
        [
            "kmsKeyArn: 'arn:aws:kms:us-east-1:123456789012:alias/aws/elasticache' is an AWS managed key, whose key policy cannot be changed to admit CloudWatch Logs, CloudTrail and the archive; pass a customer-managed key's ARN, or omit kmsKeyArn to have one created.",
        ],
    ],
    [
        "a customer alias ARN",
        { kmsKeyArn: "arn:aws:kms:us-east-1:123456789012:alias/cache" },
        [
            "kmsKeyArn: 'arn:aws:kms:us-east-1:123456789012:alias/cache' is an alias ARN; CloudWatch Logs needs the key's own ARN; pass the key ARN the alias points to (aws.kms.Alias targetKeyArn, or aws kms describe-key).",
        ],
    ],
]);

refusalTable("EventBridge schedules: six fields, exactly one '?', rate units (EventBridge user guide)", [
    ...[
        [
            "cron(bogus)",
            "'cron(bogus)' has 1 field; a cron expression has six (minutes hours day-of-month month day-of-week year)",
        ],
        [
            "cron(0 7 * * ?)",
            "'cron(0 7 * * ?)' has 5 fields; a cron expression has six (minutes hours day-of-month month day-of-week year)",
        ],
        ["cron(0 7 * * * *)", "'cron(0 7 * * * *)': exactly one of day-of-month and day-of-week must be '?'"],
        ["cron(0 7 ? * ? *)", "'cron(0 7 ? * ? *)': exactly one of day-of-month and day-of-week must be '?'"],
        ["cron(60 7 * * ? *)", "'cron(60 7 * * ? *)': '60' is not valid in the minutes field (0-59)"],
        ["cron(0 7 * 13 ? *)", "'cron(0 7 * 13 ? *)': '13' is not valid in the month field (1-12 or JAN-DEC)"],
        ["cron(0 ? * * ? *)", "'cron(0 ? * * ? *)': '?' is allowed only in the day-of-month and day-of-week fields"],
        ["cron(0 7 ? * 3#1,6#3 *)", "'cron(0 7 ? * 3#1,6#3 *)': a day-of-week with '#' must be a single expression"],
        [
            "rate(1 days)",
            "'rate(1 days)' needs a singular unit for 1 and a plural unit above 1, as in rate(1 day) or rate(2 days)",
        ],
        [
            "rate(5 day)",
            "'rate(5 day)' needs a singular unit for 1 and a plural unit above 1, as in rate(1 day) or rate(2 days)",
        ],
        [
            "rate(0 days)",
            "'rate(0 days)' is not a rate expression (rate(<positive whole number> minute|minutes|hour|hours|day|days))",
        ],
        ["daily", "'daily' is not an EventBridge schedule"],
    ].map(([schedule, problem]): Table[number] => [
        schedule,
        { archiveSchedule: schedule },
        [`archiveSchedule: ${problem}; use for example 'cron(0 7 * * ? *)' or 'rate(1 day)'.`],
    ]),
]);

describe("EventBridge schedules that are valid stay accepted", () => {
    for (const schedule of [
        "cron(0 7 * * ? *)",
        "cron(0/15 * ? * MON-FRI *)",
        "cron(0 18 L * ? *)",
        "cron(0 8 ? * 3#2 *)",
        "cron(15 10 ? * 6L 2026-2030)",
        "cron(0 9 1W JAN,JUL ? *)",
        "rate(1 day)",
        "rate(12 hours)",
    ]) {
        it(`accepts ${schedule}`, () => {
            assert.strictEqual(accepted({ archiveSchedule: schedule }).settings.archiveSchedule, schedule);
        });
    }
});

describe("Thresholds: explicit undefined takes the default, never an alarm without a threshold", () => {
    it("creates every alarm with the default threshold when a threshold is passed as undefined", async () => {
        const result = await runComponent({ alarms: { engineCpuPercent: undefined, memoryPercent: 70 } });
        assert.deepStrictEqual(result.errors, []);
        const alarms = ofType(result, types.alarm).map((a) => a.inputs as any);
        const cpu = alarms.filter((a) => a.metricName === "EngineCPUUtilization");
        assert.ok(cpu.length > 0);
        assert.ok(
            cpu.every((a) => a.threshold === 80),
            JSON.stringify(cpu.map((a) => a.threshold)),
        );
        assert.ok(
            alarms.filter((a) => a.metricName === "DatabaseMemoryUsagePercentage").every((a) => a.threshold === 70),
        );
        assert.ok(alarms.every((a) => typeof a.threshold === "number"));
    });
});

const manyCidrs = (n: number, family: 4 | 6) =>
    Array.from({ length: n }, (_, i) =>
        family === 4 ? `10.${Math.floor(i / 256)}.${i % 256}.0/24` : `fd00:0:0:${i.toString(16)}::/64`,
    );

refusalTable("AWS quotas (ElastiCache and VPC quotas pages)", [
    [
        "61 IPv4 blocks: 60 inbound rules per security group",
        { allowedSecurityGroupIds: [], allowedCidrBlocks: manyCidrs(61, 4) },
        [
            "allowedCidrBlocks: with allowedSecurityGroupIds, 61 IPv4 inbound rules; a security group holds at most 60 per IP version (AWS quota); merge adjacent blocks into wider private ones, or admit clients by security group.",
        ],
    ],
    [
        "1,000 IPv4 blocks",
        { allowedSecurityGroupIds: [], allowedCidrBlocks: manyCidrs(1000, 4) },
        [
            "allowedCidrBlocks: with allowedSecurityGroupIds, 1000 IPv4 inbound rules; a security group holds at most 60 per IP version (AWS quota); merge adjacent blocks into wider private ones, or admit clients by security group.",
        ],
    ],
    [
        "security groups counted against the IPv6 rules too",
        {
            allowedSecurityGroupIds: Array.from({ length: 30 }, (_, i) => `sg-${i}`),
            allowedCidrBlocks: manyCidrs(31, 6),
        },
        [
            "allowedCidrBlocks: with allowedSecurityGroupIds, 61 IPv6 inbound rules; a security group holds at most 60 per IP version (AWS quota); merge adjacent blocks into wider private ones, or admit clients by security group.",
        ],
    ],
    [
        "21 subnets: 20 per subnet group",
        { subnetIds: Array.from({ length: 21 }, (_, i) => `subnet-${i}`) },
        [
            "subnetIds: 21 subnets given; a cache subnet group holds at most 20 (AWS quota); pass at most 20, for example one or two per availability zone.",
        ],
    ],
    [
        "100 RBAC users: 100 per user group, one of them the disabled default user",
        {
            rbac: {
                users: Array.from({ length: 100 }, (_, i) => ({
                    userName: `u${i}`,
                    accessString: "on ~* +@read -@dangerous",
                })),
            },
        },
        [
            "rbac.users: 100 users; a user group holds at most 100 (AWS quota), one of them the component's disabled default user; list at most 99 users.",
        ],
    ],
    [
        "clusterMode 500 x 5: 3,000 nodes",
        { clusterMode: { shards: 500, replicasPerShard: 5 } },
        [
            "clusterMode: 500 shards x 6 nodes is 3,000 nodes; ElastiCache allows at most 500 per cluster; use at most 83 shards with 5 replicas each.",
        ],
    ],
    [
        "Redis below 5.0.6: 250 nodes per cluster",
        { engineVersion: "5.0.5", clusterMode: { shards: 100, replicasPerShard: 2 } },
        [
            "clusterMode: 100 shards x 3 nodes is 300 nodes; ElastiCache allows at most 250 per cluster; use at most 83 shards with 2 replicas each.",
        ],
    ],
]);

refusalTable("Tags within AWS's tag limits (the component adds four of the 50)", [
    [
        "47 caller tags",
        { tags: Object.fromEntries(Array.from({ length: 47 }, (_, i) => [`k${i}`, "v"])) },
        ["tags: 47 tags; with the component's 4 a resource would exceed AWS's 50; pass at most 46 tags."],
    ],
    [
        "an aws: key",
        { tags: { "aws:team": "care" } },
        ["tags.aws:team: the aws: prefix is reserved for AWS; use another key."],
    ],
    [
        "a value of 257 characters",
        { tags: { team: "x".repeat(257) } },
        ["tags.team: a value of 257 characters; use a value of at most 256 characters."],
    ],
]);

describe("AWS quotas: what fits is accepted, above the default node quota warns", () => {
    it("accepts 60 IPv4 blocks and 20 subnets and 99 users", () => {
        accepted({ allowedSecurityGroupIds: [], allowedCidrBlocks: manyCidrs(60, 4) });
        accepted({ subnetIds: Array.from({ length: 20 }, (_, i) => `subnet-${i}`) });
        accepted({
            rbac: {
                users: Array.from({ length: 99 }, (_, i) => ({
                    userName: `u${i}`,
                    accessString: "on ~* +@read -@dangerous",
                })),
            },
        });
    });

    it("warns above 90 nodes (the default quota) and not at 90", () => {
        assert.deepStrictEqual(accepted({ clusterMode: { shards: 15, replicasPerShard: 5 } }).warnings, []);
        assert.deepStrictEqual(accepted({ clusterMode: { shards: 16, replicasPerShard: 5 } }).warnings, [
            'clusterMode: 16 shards x 6 nodes is 96 nodes, above the default quota of 90 nodes per cluster; request an increase of "Nodes per cluster" in Service Quotas (ElastiCache) before deploying.',
        ]);
    });

    it("refuses 500 x 5 before computing a node, an alarm or a placement", () => {
        const started = process.hrtime.bigint();
        assert.throws(() => accepted({ clusterMode: { shards: 500, replicasPerShard: 5 } }), ValidationError);
        assert.ok(process.hrtime.bigint() - started < 1_000_000_000n, "validation must not build the nodes");
    });
});

describe("Values that are Outputs are checked when they resolve, naming the argument", () => {
    /** Resolves the checked input under mocks by handing it to a probe resource, as redis.ts hands it to its children. */
    async function resolvedError(
        args: Record<string, unknown>,
        pick: (inputs: any) => pulumi.Input<unknown>,
    ): Promise<string[]> {
        const result = await runUnderMocks(
            () => {
                const { inputs } = resolveSettings("cache", { ...baseArgs, ...args } as HitrustRedisArgs);
                new aws.ec2.SecurityGroup("probe", { description: pick(inputs) as pulumi.Input<string> });
            },
            { preview: false },
        );
        return result.errors.map((e) => e.message);
    }

    const table: [string, Record<string, unknown>, (inputs: any) => pulumi.Input<unknown>, string][] = [
        [
            "vpcId resolving to null",
            { vpcId: pulumi.output(null) },
            (i) => i.vpcId,
            "vpcId: null is not text; pass the ID of the VPC that holds the cache's subnets.",
        ],
        [
            "vpcId resolving to a number",
            { vpcId: pulumi.output(42) },
            (i) => i.vpcId,
            "vpcId: the number 42 is not text; pass the ID of the VPC that holds the cache's subnets.",
        ],
        [
            "vpcId resolving to ''",
            { vpcId: pulumi.output("") },
            (i) => i.vpcId,
            "vpcId: empty; pass the ID of the VPC that holds the cache's subnets.",
        ],
        [
            "a subnet ID resolving to ''",
            { subnetIds: ["subnet-a", pulumi.output("")] },
            (i) => i.subnetIds[1],
            "subnetIds[1]: empty; pass the subnet's ID (subnet-...).",
        ],
        [
            "kmsKeyArn resolving to an AWS managed key",
            { kmsKeyArn: pulumi.output("arn:aws:kms:us-east-1:123456789012:alias/aws/elasticache") },
            (i) => i.kmsKeyArn,
            "kmsKeyArn: 'arn:aws:kms:us-east-1:123456789012:alias/aws/elasticache' is an AWS managed key, whose key policy cannot be changed to admit CloudWatch Logs, CloudTrail and the archive; pass a customer-managed key's ARN, or omit kmsKeyArn to have one created.",
        ],
        [
            "authToken resolving to a number",
            { authToken: pulumi.output(1234567890123456) },
            (i) => i.authToken,
            "authToken: resolved to a number, not text; supply the token as a string or omit authToken to have one generated.",
        ],
    ];
    for (const [label, args, pick, problem] of table) {
        it(`refuses ${label}`, async () => {
            const messages = await resolvedError(args, pick);
            assert.ok(
                messages.some((m) => m.endsWith(`HitrustRedis 'cache' has invalid arguments:\n  - ${problem}`)),
                messages.join("\n"),
            );
        });
    }

    it("passes a good Output through unchanged, and plain values stay plain", async () => {
        const { inputs } = accepted({ vpcId: pulumi.output("vpc-0abc") });
        assert.ok(pulumi.Output.isInstance(inputs.vpcId));
        assert.strictEqual(accepted({}).inputs.vpcId, "vpc-123");
        assert.deepStrictEqual(await resolvedError({ vpcId: pulumi.output("vpc-0abc") }, (i) => i.vpcId), []);
    });

    it("refuses a numeric authToken Output through the component, without echoing it", async () => {
        const result = await runComponent({ authToken: pulumi.output(1234567890123456) as any });
        const messages = result.errors.map((e) => e.message);
        assert.ok(
            messages.some((m) => m.includes("authToken: resolved to a number, not text")),
            messages.join("\n"),
        );
        assert.ok(!messages.some((m) => m.includes("1234567890123456")));
    });
});

describe("Every refusal names the argument and the fix", () => {
    it("gives each problem of every table an argument, a problem and a fix, as one line each", () => {
        assert.ok(allRefusals.length > 80, `only ${allRefusals.length} refusals`);
        for (const [label, args, problems] of allRefusals) {
            let error: unknown;
            try {
                accepted(args);
            } catch (e) {
                error = e;
            }
            assert.ok(error instanceof ValidationError, `${label}: not refused by resolveSettings`);
            assert.strictEqual(error.details.length, problems.length, label);
            for (const d of error.details) {
                assert.match(d.argument, /^[A-Za-z]+(\.[A-Za-z]+|\[\d+\])*(\.\S+)?$/, label);
                assert.ok(d.problem.trim().length > 0 && d.fix.trim().length > 0, `${label}: ${JSON.stringify(d)}`);
            }
        }
    });
});
