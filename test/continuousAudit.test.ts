// Issue 17, "In the account": the option `continuousAudit` deploys the audit as a scheduled function
// with its own role. Off by default; on, the function, its role (path and boundary), log group,
// schedule and two alarms, with the environment the function reads. Every bad input is refused with
// its argument and fix before anything is registered. The role's access paths are in
// test/accessPaths.test.ts; the deployer's in test/deployerPolicy.test.ts.
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { HitrustRedisArgs, ValidationError } from "../component";
import { boundaryMissingActions, roleBoundaryPolicyName, rolePath } from "../component/archive";
import { auditBundle, auditRoleActions } from "../component/continuousAudit";
import { auditMetricNamespace } from "../core/auditFunction";
import { lambdaNodeRuntime } from "../component/snapshotExport";
import { mockAccountId, RecordedResource } from "../tools/mockrun";
import { resolveSettings } from "../component/validation";
import { baseArgs, ofType, runComponent, types, usePlaceholderAuditBundle } from "./helpers";

const T = {
    lambda: "aws:lambda/function:Function",
    role: "aws:iam/role:Role",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
    rule: "aws:cloudwatch/eventRule:EventRule",
    target: "aws:cloudwatch/eventTarget:EventTarget",
    permission: "aws:lambda/permission:Permission",
    bucket: "aws:s3/bucket:Bucket",
};
const boundary = `arn:aws:iam::${mockAccountId}:policy${rolePath}${roleBoundaryPolicyName}`;

const named = (result: { resources: RecordedResource[] }, type: string, name: string) => {
    const found = result.resources.filter((r) => r.type === type && r.inputs.name === name);
    assert.strictEqual(found.length, 1, `one ${type} named ${name}: ${found.map((r) => r.name)}`);
    return found[0];
};

async function refused(args: Partial<HitrustRedisArgs>): Promise<string[]> {
    const result = await runComponent(args);
    assert.strictEqual(result.resources.length, 0, "a refused argument registers nothing");
    assert.strictEqual(result.errors.length, 1, result.errors.map((e) => e.message).join("\n"));
    assert.ok(result.errors[0] instanceof ValidationError, result.errors[0].stack);
    return (result.errors[0] as ValidationError).problems;
}

describe("Issue 17: continuousAudit deploys the in-account audit", function () {
    this.timeout(120000);
    usePlaceholderAuditBundle();
    // The stacks several tests read, each run once (a run of the whole component takes seconds).
    const once = <T>(run: () => Promise<T>) => {
        let result: Promise<T> | undefined;
        return () => (result ??= run());
    };
    const plain = once(() => runComponent({}));
    const audited = once(() => runComponent({ continuousAudit: {} }));

    it("off by default: no audit function, role, schedule or alarm, and no warning about it", async () => {
        for (const result of [await plain(), await runComponent({ continuousAudit: { enabled: false } })]) {
            assert.deepStrictEqual(result.errors, []);
            const names = result.resources.map((r) => `${r.name} ${String(r.inputs.name ?? "")}`);
            assert.deepStrictEqual(
                names.filter((n) => /hitrust-audit/.test(n)),
                [],
            );
            assert.deepStrictEqual(
                ofType(result, T.lambda).map((r) => r.inputs.name),
                ["cache-snapshot-archive"],
            );
            assert.ok(!result.warnings.some((w) => w.startsWith("continuousAudit")));
            assert.strictEqual(result.component?.continuousAuditFunction, undefined);
            assert.strictEqual(result.component?.settings.continuousAudit, undefined);
        }
    });

    it("on: the function (runtime, handler, 900 s, 1,769 MB, its bundle, its log group) with the environment it reads", async () => {
        const result = await audited();
        assert.deepStrictEqual(result.errors, []);
        const fn = named(result, T.lambda, "cache-hitrust-audit");
        const inputs = fn.inputs as any;
        assert.strictEqual(inputs.runtime, lambdaNodeRuntime);
        assert.strictEqual(inputs.handler, "index.handler");
        // Lambda's maximum ("Configure Lambda function timeout"); one vCPU ("Configure Lambda function memory").
        assert.strictEqual(inputs.timeout, 900);
        assert.strictEqual(inputs.memorySize, 1769);
        assert.strictEqual(inputs.code?.path, auditBundle.directory, "the code is the bundle's folder");
        const archive = ofType(result, T.bucket).find((b) => String(b.inputs.bucketPrefix).includes("-archive-"))!;
        const secret = ofType(result, types.secret)[0];
        assert.deepStrictEqual(inputs.environment.variables, {
            HITRUST_AUDIT_REGIONS: "us-east-1",
            HITRUST_AUDIT_REPORT_BUCKET: archive.state.bucket,
            HITRUST_AUDIT_REPORT_PREFIX: "audit-reports/",
            HITRUST_AUDIT_SECURITY_HUB: "true",
            HITRUST_AUDIT_ARCHIVE_BUCKETS: JSON.stringify({ cache: archive.state.bucket }),
            HITRUST_AUDIT_AUTH_SECRETS: JSON.stringify({ cache: secret.state.name }),
        });
        // Its own log group, with the retention and key of the component's other log groups.
        const group = named(result, types.logGroup, "/aws/lambda/cache-hitrust-audit");
        const cacheLogs = named(result, types.logGroup, "/aws/elasticache/cache/slow-log");
        assert.strictEqual(group.inputs.retentionInDays, 365);
        assert.strictEqual(group.inputs.kmsKeyId, cacheLogs.inputs.kmsKeyId);
        assert.strictEqual(inputs.loggingConfig.logGroup, "/aws/lambda/cache-hitrust-audit");
        // Its own role under the component's path, with the boundary, passed to the function.
        const roles = ofType(result, T.role).filter((r) => r.name === "cache-hitrust-audit");
        assert.strictEqual(roles.length, 1);
        assert.strictEqual(roles[0].inputs.path, rolePath);
        assert.strictEqual(roles[0].inputs.permissionsBoundary, boundary);
        assert.strictEqual(inputs.role, roles[0].state.arn);
        assert.strictEqual(result.component?.continuousAuditFunction !== undefined, true);
        assert.deepStrictEqual(result.component?.settings.continuousAudit, {
            schedule: "cron(0 8 * * ? *)",
            regions: [],
            securityHub: true,
        });
    });

    it("on: a daily schedule three hours after the snapshot window, invoking the function by a permission scoped to the rule", async () => {
        for (const [snapshotWindow, schedule] of [
            [undefined, "cron(0 8 * * ? *)"],
            ["22:30-23:30", "cron(30 2 * * ? *)"],
        ]) {
            const result = await runComponent({ snapshotWindow, continuousAudit: {} });
            assert.deepStrictEqual(result.errors, []);
            const rule = named(result, T.rule, "cache-hitrust-audit");
            assert.strictEqual(rule.inputs.scheduleExpression, schedule);
            const fn = named(result, T.lambda, "cache-hitrust-audit");
            const target = ofType(result, T.target).filter((t) => t.inputs.rule === "cache-hitrust-audit");
            assert.strictEqual(target.length, 1);
            assert.strictEqual(target[0].inputs.arn, fn.state.arn);
            const permission = ofType(result, T.permission).filter((p) => p.inputs.sourceArn === rule.state.arn);
            assert.strictEqual(permission.length, 1);
            assert.deepStrictEqual(
                [permission[0].inputs.principal, permission[0].inputs.action, permission[0].inputs.function],
                ["events.amazonaws.com", "lambda:InvokeFunction", "cache-hitrust-audit"],
            );
        }
    });

    it("on: a failed run is not retried (Lambda retries asynchronous invocations twice by default): the next scheduled run is the retry", async () => {
        const result = await audited();
        assert.deepStrictEqual(result.errors, []);
        const configs = ofType(result, "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig");
        assert.deepStrictEqual(
            configs.map((c) => [c.inputs.functionName, c.inputs.maximumRetryAttempts]),
            [["cache-hitrust-audit", 0]],
        );
    });

    it("on: two alarms on the event topic: a mandatory control not met two days running, and a day without a completed run", async () => {
        const result = await audited();
        const topic = ofType(result, types.topic)[0];
        const notMet = named(result, types.alarm, "cache-hitrust-audit-mandatory-not-met").inputs as any;
        assert.deepStrictEqual(
            {
                namespace: notMet.namespace,
                metricName: notMet.metricName,
                dimensions: notMet.dimensions,
                statistic: notMet.statistic,
                period: notMet.period,
                evaluationPeriods: notMet.evaluationPeriods,
                datapointsToAlarm: notMet.datapointsToAlarm,
                threshold: notMet.threshold,
                comparisonOperator: notMet.comparisonOperator,
            },
            {
                namespace: "HitrustElastiCache/Audit",
                metricName: "MandatoryControlsNotMet",
                // The function's own metrics (core/auditFunction.ts functionDimension): two stacks auditing
                // in one account and Region would otherwise answer for each other.
                dimensions: { Function: "cache-hitrust-audit" },
                statistic: "Maximum",
                period: 86400,
                evaluationPeriods: 2,
                datapointsToAlarm: 2,
                threshold: 1,
                comparisonOperator: "GreaterThanOrEqualToThreshold",
            },
        );
        const missed = named(result, types.alarm, "cache-hitrust-audit-missed").inputs as any;
        assert.deepStrictEqual(
            [missed.namespace, missed.metricName, missed.dimensions, missed.statistic, missed.threshold],
            ["HitrustElastiCache/Audit", "AuditRunsCompleted", { Function: "cache-hitrust-audit" }, "Sum", 1],
        );
        assert.strictEqual(missed.comparisonOperator, "LessThanThreshold");
        // Missing data is a missed run ("Configuring how CloudWatch alarms treat missing data": breaching).
        assert.strictEqual(missed.treatMissingData, "breaching");
        // More than a day without a completed run, within PutMetricAlarm's limit (7 days for periods of 1 h or more).
        assert.ok(
            missed.period * missed.evaluationPeriods > 86400 && missed.period * missed.evaluationPeriods <= 604800,
        );
        assert.strictEqual(missed.datapointsToAlarm, missed.evaluationPeriods);
        assert.ok(notMet.period * notMet.evaluationPeriods <= 604800);
        for (const alarm of [notMet, missed]) {
            assert.deepStrictEqual(alarm.alarmActions, [topic.state.arn]);
            assert.deepStrictEqual(alarm.okActions, [topic.state.arn]);
        }
        assert.strictEqual(auditMetricNamespace, notMet.namespace);
    });

    it("on: the evidence names the audit, its schedule and its alarms, all registered resources", async () => {
        const result = await runComponent({ continuousAudit: { regions: ["us-east-1", "us-west-2"] } });
        const registered = new Set(result.resources.map((r) => r.name));
        const records = result.component!.evidence.filter((e) => e.setting === "continuous audit");
        assert.deepStrictEqual(
            records.map((e) => [e.control, e.resource]),
            [
                ["12100.09ab2", "cache-hitrust-audit"],
                ["1270.09ad1", "cache-hitrust-audit"],
            ],
        );
        assert.match(
            records[0].value,
            /^cron\(0 8 \* \* \? \*\): the account's ElastiCache resources in us-east-1, us-west-2/,
        );
        for (const child of [records[0].resource, ...(records[0].value.match(/\bcache-[a-z0-9-]+/g) ?? [])]) {
            assert.ok(registered.has(child), `${child} is not registered`);
        }
        const off = await plain();
        assert.ok(!off.component!.evidence.some((e) => e.setting === "continuous audit"));
    });

    it("on: the Regions, Security Hub off, and the warning that the audit covers the whole account", async () => {
        const result = await runComponent({
            continuousAudit: { regions: ["us-east-1", "us-west-2"], securityHub: false, schedule: "rate(12 hours)" },
        });
        assert.deepStrictEqual(result.errors, []);
        const variables = (named(result, T.lambda, "cache-hitrust-audit").inputs as any).environment.variables;
        assert.strictEqual(variables.HITRUST_AUDIT_REGIONS, "us-east-1,us-west-2");
        assert.strictEqual(variables.HITRUST_AUDIT_SECURITY_HUB, "false");
        assert.strictEqual(named(result, T.rule, "cache-hitrust-audit").inputs.scheduleExpression, "rate(12 hours)");
        const policy = JSON.parse(
            String(ofType(result, T.rolePolicy).find((p) => p.name === "cache-hitrust-audit")!.inputs.policy),
        );
        assert.ok(!JSON.stringify(policy).includes("securityhub:"), "no Security Hub permission when it is off");
        const warning = result.warnings.find((w) => w.startsWith("continuousAudit:"));
        assert.ok(warning, result.warnings.join("\n"));
        assert.match(warning, /audits every ElastiCache resource of the account in us-east-1, us-west-2/);
        assert.match(warning, /one stack per account/);
    });

    it("a boundary published before the option: a warning at preview naming what it lacks and the command that updates it", async () => {
        const current = JSON.parse(
            fs.readFileSync(path.join(__dirname, "..", "docs", "role-boundary-policy.json"), "utf8"),
        );
        const before = {
            ...current,
            Statement: current.Statement.filter((st: any) => !String(st.Sid).startsWith("ContinuousAudit")),
        };
        const outdated = await runComponent(
            { continuousAudit: {} },
            { preview: true, iamPolicyDocuments: { [boundary]: JSON.stringify(before) } },
        );
        assert.deepStrictEqual(outdated.errors, []);
        const warning = outdated.warnings.find((w) => w.includes("does not allow"));
        assert.ok(warning, outdated.warnings.join("\n"));
        assert.match(warning, /elasticache:DescribeReplicationGroups, elasticache:DescribeCacheClusters/);
        assert.match(warning, /securityhub:BatchImportFindings/);
        assert.ok(
            warning.includes(
                `aws iam create-policy-version --set-as-default --policy-arn ${boundary} --policy-document file://node_modules/hitrust-elasticache/docs/role-boundary-policy.json`,
            ),
            warning,
        );
        // The current boundary allows every action of the role; without the option nothing is checked.
        for (const [args, document] of [
            [{ continuousAudit: {} }, current],
            [{}, before],
        ] as const) {
            const result = await runComponent(args, {
                preview: true,
                iamPolicyDocuments: { [boundary]: JSON.stringify(document) },
            });
            assert.ok(!result.warnings.some((w) => w.includes("does not allow")), result.warnings.join("\n"));
        }
        assert.deepStrictEqual(boundaryMissingActions(JSON.stringify(current), auditRoleActions(true)), []);
        // Documents it cannot judge by action names are left alone.
        for (const document of [
            "{}",
            "not json",
            JSON.stringify({ Statement: [{ Effect: "Allow", NotAction: "iam:*", Resource: "*" }] }),
        ]) {
            assert.deepStrictEqual(boundaryMissingActions(document, ["s3:PutObject"]), [], document);
        }
        assert.deepStrictEqual(
            boundaryMissingActions(
                JSON.stringify({ Statement: { Effect: "Allow", Action: "S3:Get*", Resource: "*" } }),
                ["s3:GetBucketTagging", "s3:PutObject"],
            ),
            ["s3:PutObject"],
        );
    });

    it("the bundle missing from the package: refused up front with the command that builds it", async () => {
        const saved = auditBundle.directory;
        auditBundle.directory = fs.mkdtempSync(path.join(os.tmpdir(), "audit-bundle-empty-"));
        try {
            assert.deepStrictEqual(await refused({ continuousAudit: {} }), [
                "continuousAudit: the audit function's bundle (bin/audit-function/index.js) is not in this package; run npm run build:package (or reinstall hitrust-elasticache), or omit continuousAudit.",
            ]);
            // Off, the bundle is not needed.
            assert.deepStrictEqual((await runComponent({})).errors, []);
        } finally {
            auditBundle.directory = saved;
        }
    });
});

describe("Issue 17: continuousAudit refuses bad input with its argument and fix", function () {
    this.timeout(120000);
    usePlaceholderAuditBundle();
    const schedule = (expression: string, problem: string) =>
        [
            `schedule ${expression}`,
            { continuousAudit: { schedule: expression } },
            [
                `continuousAudit.schedule: ${problem}; use a daily schedule such as 'cron(0 8 * * ? *)' or 'rate(1 day)'.`,
            ],
        ] as const;
    const table: (readonly [string, Record<string, unknown>, readonly string[]])[] = [
        [
            "a boolean for the whole option",
            { continuousAudit: true },
            ["continuousAudit: true is not an object; pass { schedule: 'cron(0 8 * * ? *)', regions: ['us-east-1'] }."],
        ],
        [
            "a string for enabled",
            { continuousAudit: { enabled: "yes" } },
            ["continuousAudit.enabled: the string 'yes' is not a boolean; pass true or false, without quotes."],
        ],
        [
            "a misspelt member",
            { continuousAudit: { region: ["us-east-1"] } },
            [
                "continuousAudit.region: is not an argument of HitrustRedis continuousAudit; did you mean continuousAudit.regions?",
            ],
        ],
        // EventBridge syntax ("Cron expressions reference", "Rate expressions reference").
        schedule("daily", "'daily' is not an EventBridge schedule"),
        schedule(
            "cron(0 8 * * *)",
            "'cron(0 8 * * *)' has 5 fields; a cron expression has six (minutes hours day-of-month month day-of-week year)",
        ),
        // Valid EventBridge schedules the audit refuses: more than hourly, less than daily.
        schedule("rate(5 minutes)", "'rate(5 minutes)' runs more than once an hour"),
        schedule("cron(0/15 * * * ? *)", "'cron(0/15 * * * ? *)' runs more than once an hour (give one minute value)"),
        schedule("rate(7 days)", "'rate(7 days)' runs less than once a day"),
        schedule("cron(0 8 ? * MON *)", "'cron(0 8 ? * MON *)' does not run every day"),
        schedule("cron(0 8 1 * ? *)", "'cron(0 8 1 * ? *)' does not run every day"),
        [
            "a string for regions",
            { continuousAudit: { regions: "us-east-1" } },
            [
                "continuousAudit.regions: the string 'us-east-1' is a single string, not a list; wrap it in a list: ['us-east-1'].",
            ],
        ],
        [
            "no Region",
            { continuousAudit: { regions: [] } },
            [
                "continuousAudit.regions: empty; list at least one Region code, or omit regions to audit the stack's Region.",
            ],
        ],
        [
            "a Region name instead of its code, a Region in upper case, a Region twice",
            { continuousAudit: { regions: ["N. Virginia", "US-EAST-1", "eu-west-1", "eu-west-1"] } },
            [
                "continuousAudit.regions[0]: 'N. Virginia' is not a Region code; use a code such as us-east-1 (lower case).",
                "continuousAudit.regions[1]: 'US-EAST-1' is not a Region code; use a code such as us-east-1 (lower case).",
                "continuousAudit.regions[3]: 'eu-west-1' is listed twice; list each Region once.",
            ],
        ],
        [
            "a number for securityHub",
            { continuousAudit: { securityHub: 1 } },
            ["continuousAudit.securityHub: the number 1 is not a boolean; pass true or false."],
        ],
    ];
    for (const [label, args, problems] of table) {
        it(`refuses ${label}`, async () => {
            assert.deepStrictEqual(await refused(args as Partial<HitrustRedisArgs>), problems);
        });
    }

    it("refuses a Region of another partition when the stack's Region is known (aws:region)", async () => {
        const result = await runComponent(
            { continuousAudit: { regions: ["us-east-1", "cn-north-1", "us-gov-west-1"] } },
            { config: { "aws:region": "us-east-1" } },
        );
        assert.strictEqual(result.resources.length, 0);
        assert.deepStrictEqual((result.errors[0] as ValidationError).problems, [
            "continuousAudit.regions[1]: 'cn-north-1' is in partition aws-cn, the stack (us-east-1) in aws; audit another partition from a stack deployed there.",
            "continuousAudit.regions[2]: 'us-gov-west-1' is in partition aws-us-gov, the stack (us-east-1) in aws; audit another partition from a stack deployed there.",
        ]);
    });

    it("accepts the schedules it documents: hourly to daily, rate or cron", () => {
        // The component's own validation (resolveSettings, what its constructor runs first); one of
        // them, rate(12 hours), also goes through the whole component above ("on: the Regions, ...").
        for (const expression of [
            "rate(1 day)",
            "rate(1 hour)",
            "rate(60 minutes)",
            "rate(24 hours)",
            "cron(0 8 * * ? *)",
            "cron(15 * * * ? *)",
            "cron(0 6,18 ? * * *)",
        ]) {
            const { settings } = resolveSettings("cache", {
                ...baseArgs,
                continuousAudit: { schedule: expression },
            } as HitrustRedisArgs);
            assert.strictEqual(settings.continuousAudit?.schedule, expression);
        }
    });
});
