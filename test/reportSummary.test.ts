// The evidence report of a large account (issue 16, "Scale": "the report for 230 groups is 8 MB of
// JSON and 3.6 MB of Markdown: lead with a summary per control and per cache that a person reads in
// a minute, and keep the details where tools read them"). 230 replication groups in two Regions,
// from the Security Hub stand-in (test/securityHubFixture.ts): ElastiCache answers, every other read
// is refused; some groups lack at-rest or in-transit encryption, some use a customer managed key.
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { main } from "../tools/audit/cli";
import { AuditOutcome } from "../tools/audit/audit";
import { CacheSummary, ControlSummary, EvidenceReport, headline, markdownLimits, reportJson } from "../tools/report";
import { cacheOwners } from "../tools/reportSummary";
import type { RecordedResource } from "../tools/mockrun";
import { types } from "../policy-pack/src/types";
import { audit, CacheState, mockAccount, restoreAccount } from "./securityHubFixture";

const groups = 230;
const now = new Date("2026-12-01T09:00:00Z");
const regions = ["us-east-1", "us-west-2"];
const caches: CacheState[] = Array.from({ length: groups }, (_, i) => ({
    id: `cache-${String(i).padStart(4, "0")}`,
    region: regions[i % 2],
    atRest: i % 7 !== 0,
    transit: i % 11 !== 0,
    kmsKey: i % 3 === 0,
}));

const resultRank = { "not compliant": 0, "not evidenced": 1, compliant: 2 };
const statusRank = { "not met": 0, "not evidenced": 1, "attestation required": 2, "met with advisories": 3, met: 4 };

describe("The evidence report of 230 replication groups: a one-minute summary first, details bounded", function () {
    this.timeout(120000);
    const saved = { ...process.env };
    let outcome: AuditOutcome;
    let markdown: string;
    let jsonText: string;
    let json: EvidenceReport;
    before(async () => {
        process.env.AWS_ACCESS_KEY_ID = "AKIAIOSFODNN7EXAMPLE";
        process.env.AWS_SECRET_ACCESS_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
        mockAccount({ caches, refuse: new Set() });
        outcome = await audit(regions, now);
        const dir = path.dirname(outcome.reportFiles[0]);
        markdown = fs.readFileSync(path.join(dir, "report.md"), "utf8");
        jsonText = fs.readFileSync(path.join(dir, "report.json"), "utf8");
        json = JSON.parse(jsonText);
    });
    after(() => {
        restoreAccount();
        process.env = saved;
    });

    it("report.md opens with the summary: the result and its exit code, one line per control, per cache, the fixes", () => {
        const headings = markdown.split("\n").filter((l) => l.startsWith("## "));
        assert.strictEqual(headings[0], "## Summary", headings.slice(0, 3).join("\n"));
        const summary = markdown.slice(markdown.indexOf("## Summary"), markdown.indexOf(headings[1]));
        assert.match(summary, /\*\*Result: NOT COMPLIANT \(exit 1\)\.\*\*/);
        assert.match(summary, /Exit codes: 0 compliant, 1 not compliant, 3 not evidenced, 2 a usage or run error/);
        // Every control once, in the order of summary.perControl.
        /** The body rows of the table whose header starts with `first`. */
        const table = (first: string) => {
            const rows = summary
                .slice(summary.indexOf(`| ${first} |`))
                .split("\n\n")[0]
                .split("\n");
            return rows.slice(2);
        };
        const controlRows = table("Control");
        assert.deepStrictEqual(
            controlRows.map((l) => l.split(" | ")[0].slice(2)),
            json.summary.perControl.map((c) => c.id),
        );
        // The worst caches, then where the rest are.
        const cacheRows = table("Cache").filter((l) => !l.includes(" more: see "));
        assert.deepStrictEqual(
            cacheRows.map((l) => l.split(" | ")[0].slice(2)),
            json.summary.perCache.slice(0, markdownLimits.summaryCaches).map((c) => c.name),
        );
        assert.match(
            summary,
            new RegExp(
                `${groups - markdownLimits.summaryCaches} more: see "Caches" below and report.json summary.perCache`,
            ),
        );
        assert.match(summary, /Fixes that clear the most, first:\n\n1\. \[mandatory\] /);
        // report.json: the same summary objects before the details.
        assert.ok(jsonText.indexOf('"perControl"') < jsonText.indexOf('\n  "controls": ['));
        assert.ok(jsonText.indexOf('"perCache"') < jsonText.indexOf('\n  "controls": ['));
        assert.strictEqual(json.summary.perCache.length, groups);
        assert.strictEqual(json.summary.perControl.length, json.controls.length);
    });

    it("the per-control and per-cache counts agree with the details", () => {
        assert.ok(
            json.summary.perControl && json.summary.perCache,
            "report.json has no per-control or per-cache summary",
        );
        const names = new Set(json.summary.perCache.map((c) => c.name));
        assert.strictEqual(names.size, groups);
        const byName = new Map(json.summary.perCache.map((c) => [c.name, c]));
        const mandatory = json.findings.filter((f) => f.enforcementLevel === "mandatory");
        for (const control of json.controls) {
            const line = json.summary.perControl.find((c) => c.id === control.id)!;
            assert.strictEqual(line.status, control.status, control.id);
            const findings = json.findings.filter((f) => f.controls.includes(control.id));
            assert.strictEqual(line.mandatory, findings.filter((f) => f.enforcementLevel === "mandatory").length);
            assert.strictEqual(line.advisory, findings.filter((f) => f.enforcementLevel === "advisory").length);
            assert.strictEqual(
                line.notEvidenced,
                json.notEvidenced!.filter((n) => control.policies.some((p) => p.name === n.policy)).length,
                control.id,
            );
            if (control.status === "attestation required") {
                assert.strictEqual(line.caches, undefined);
                continue;
            }
            // Not met: the caches a mandatory finding of this control concerns.
            const notMet = new Set(mandatory.filter((f) => f.controls.includes(control.id)).flatMap((f) => f.caches));
            assert.strictEqual(line.caches!["not met"], notMet.size, control.id);
            // Not evidenced: at least the caches a result without a verdict concerns (others have no evidence).
            const unread = new Set(
                json
                    .notEvidenced!.filter((n) => control.policies.some((p) => p.name === n.policy))
                    .flatMap((n) => n.caches)
                    .filter((c) => !notMet.has(c)),
            );
            assert.ok(line.caches!["not evidenced"] >= unread.size, control.id);
            assert.strictEqual(
                line.caches!.met + line.caches!["not met"] + line.caches!["not evidenced"],
                groups,
                control.id,
            );
            // Each cache's line says the same.
            for (const name of names) {
                const cache = byName.get(name)!;
                assert.strictEqual(cache.notMet.includes(control.id), notMet.has(name), `${name} ${control.id}`);
                if (unread.has(name)) {
                    assert.ok(cache.notEvidenced.includes(control.id), `${name} ${control.id}`);
                }
            }
            assert.strictEqual(
                json.summary.perCache.filter((c) => c.notEvidenced.includes(control.id)).length,
                line.caches!["not evidenced"],
            );
        }
        // Each cache's result follows from its lines; the totals from the caches.
        for (const cache of json.summary.perCache) {
            const expected = cache.notMet.length
                ? "not compliant"
                : cache.notEvidenced.length
                  ? "not evidenced"
                  : "compliant";
            assert.strictEqual(cache.result, expected, cache.name);
            const own = json.findings.filter((f) => f.caches.includes(cache.name));
            assert.strictEqual(cache.mandatory, own.filter((f) => f.enforcementLevel === "mandatory").length);
        }
        for (const result of ["compliant", "not compliant", "not evidenced"] as const) {
            assert.strictEqual(
                json.summary.caches[result],
                json.summary.perCache.filter((c) => c.result === result).length,
            );
        }
        // The fixture's own facts: a group without at-rest encryption is not compliant under 1903.06d1.
        const plain = caches.filter((c) => !c.atRest).map((c) => `${c.id} (${c.region})`);
        assert.ok(plain.length > 0);
        for (const name of plain) {
            assert.ok(byName.get(name)!.notMet.includes("1903.06d1"), name);
        }
        // The Markdown's numbers are the JSON's.
        for (const line of json.summary.perControl.filter((c) => c.caches)) {
            const c = line.caches!;
            assert.ok(
                markdown.includes(`| ${line.id} | `) &&
                    new RegExp(
                        `\\| ${line.id.replace(".", "\\.")} \\|[^\\n]*\\| ${line.status} \\| ${c.met} / ${c["not met"]} / ${c["not evidenced"]} \\|`,
                    ).test(markdown),
                line.id,
            );
        }
    });

    it("worst first: caches by result, then by controls not met; controls by status, then by caches not met", () => {
        assert.ok(
            json.summary.perControl && json.summary.perCache,
            "report.json has no per-control or per-cache summary",
        );
        const cachesInOrder: CacheSummary[] = json.summary.perCache;
        const results = new Set(cachesInOrder.map((c) => c.result));
        assert.ok(results.size >= 2, `the fixture needs several results, got ${[...results]}`);
        for (let i = 1; i < cachesInOrder.length; i++) {
            const [a, b] = [cachesInOrder[i - 1], cachesInOrder[i]];
            assert.ok(resultRank[a.result] <= resultRank[b.result], `${a.name} before ${b.name}`);
            if (a.result === b.result) {
                assert.ok(a.notMet.length >= b.notMet.length, `${a.name} before ${b.name}`);
            }
        }
        const controlsInOrder: ControlSummary[] = json.summary.perControl;
        for (let i = 1; i < controlsInOrder.length; i++) {
            const [a, b] = [controlsInOrder[i - 1], controlsInOrder[i]];
            assert.ok(statusRank[a.status] <= statusRank[b.status], `${a.id} before ${b.id}`);
            if (a.status === b.status) {
                assert.ok((a.caches?.["not met"] ?? 0) >= (b.caches?.["not met"] ?? 0), `${a.id} before ${b.id}`);
            }
        }
        // The fix that clears the most mandatory findings comes first, and names how many.
        const first = json.summary.fixes[0];
        assert.strictEqual(first.level, "mandatory");
        const counts = json.summary.fixes.filter((f) => f.level === "mandatory").map((f) => f.caches);
        assert.deepStrictEqual(
            counts,
            [...counts].sort((a, b) => b - a),
        );
        assert.strictEqual(first.clears, json.findings.filter((f) => f.policy === first.name).length);
    });

    it("report.md stays under 300 KB and report.json under 6 MB, and report.json keeps every row the Markdown leaves out", () => {
        const md = Buffer.byteLength(markdown);
        const js = Buffer.byteLength(jsonText);
        assert.ok(md < 300 * 1024, `report.md is ${md} bytes`);
        assert.ok(js < 6 * 1024 * 1024, `report.json is ${js} bytes`);
        const inMemory = outcome.report;
        assert.strictEqual(json.findings.length, inMemory.findings.length);
        assert.strictEqual(json.gaps!.length, inMemory.gaps!.length);
        assert.strictEqual(json.notEvidenced!.length, inMemory.notEvidenced!.length);
        for (const control of inMemory.controls) {
            const rows = json.controls.find((c) => c.id === control.id)!.evidence;
            assert.strictEqual(rows.length, control.evidence.length, control.id);
            // Every observed row keeps its call, Region and time.
            assert.ok(
                rows.every((r) => r.source !== "observed" || (r.call && r.region && r.observedAt)),
                control.id,
            );
        }
        // The Markdown says where the rest is.
        assert.ok(json.findings.length > markdownLimits.lists);
        assert.match(
            markdown,
            new RegExp(`\\| ${json.findings.length - markdownLimits.lists} more in report.json, findings`),
        );
        assert.match(markdown, /more rows in report\.json, controls \(id [\w.]+\)\.evidence/);
        // A control's list, cut, still shows a finding of each policy that failed there.
        for (const control of json.controls) {
            const start = markdown.indexOf(`## ${control.framework} ${control.id}:`);
            const section = markdown.slice(start, markdown.indexOf("\n## ", start + 1));
            const policies = [
                ...new Set(json.findings.filter((f) => f.controls.includes(control.id)).map((f) => f.policy)),
            ];
            for (const policy of policies) {
                const f = json.findings.find((x) => x.policy === policy && x.controls.includes(control.id))!;
                assert.ok(
                    section.includes(`- [${f.enforcementLevel}] ${f.resource}: ${f.message}`),
                    `${control.id} ${policy}`,
                );
            }
        }
        // SARIF still lists every finding and every open result.
        const sarif = JSON.parse(fs.readFileSync(outcome.reportFiles[2], "utf8"));
        assert.strictEqual(sarif.version, "2.1.0");
        assert.strictEqual(sarif.runs[0].results.length, json.findings.length + json.notEvidenced!.length);
    });

    it("report.json reads back as the report; each flat record on one line", () => {
        assert.deepStrictEqual(json, JSON.parse(JSON.stringify(outcome.report)));
        const samples: unknown[] = [
            { a: 1, b: [1, { c: "x\u2028y", d: [] }], e: undefined, f: null, g: new Date(0), h: [[1], [{ z: 1 }]] },
            [undefined, "q", {}],
            "s",
        ];
        for (const value of samples) {
            assert.deepStrictEqual(JSON.parse(reportJson(value)), JSON.parse(JSON.stringify(value)));
        }
        const row = json.controls.flatMap((c) => c.evidence)[0];
        assert.ok(
            jsonText.split("\n").some((l) => l.trim().replace(/,$/, "") === JSON.stringify(row)),
            "an evidence row on one line",
        );
    });

    it("the console prints the summary's headline, a few lines, not one line per finding", async () => {
        const reportDir = fs.mkdtempSync(path.join(os.tmpdir(), "report-summary-"));
        const write = process.stdout.write.bind(process.stdout);
        let stdout = "";
        (process.stdout as any).write = (t: string) => ((stdout += t), true);
        let code: number;
        try {
            code = await main([...regions.flatMap((r) => ["--region", r]), "--quiet", "--report", reportDir]);
        } finally {
            (process.stdout as any).write = write;
        }
        assert.strictEqual(code, 1, stdout);
        const printed = stdout.trim().split("\n");
        assert.ok(printed.length <= 15, `${printed.length} lines:\n${stdout}`);
        assert.match(stdout, /^Result: NOT COMPLIANT \(exit 1\)\.$/m);
        assert.match(stdout, /^Caches \(230\): \d+ not compliant, \d+ not evidenced, \d+ compliant\.$/m);
        assert.match(stdout, /^First fix: aws-elasticache-/m);
        // The same headline as report.md's summary.
        const lines = headline(outcome.report);
        assert.ok(lines.length <= 10, lines.join("\n"));
        assert.strictEqual(lines[0], "Result: NOT COMPLIANT (exit 1).");
    });
});

describe("Which caches a resource concerns (the per-cache summary's attribution)", () => {
    const resource = (
        type: string,
        urn: string,
        deps: string[] = [],
        extra: Partial<RecordedResource> = {},
    ): RecordedResource => ({
        type,
        name: urn.split(/[:/]/).pop()!,
        urn,
        custom: true,
        parent: "",
        retainOnDelete: false,
        dependencies: deps,
        propertyDependencies: {},
        inputs: {},
        state: {},
        ...extra,
    });
    const arn = (region: string, kind: string, id: string) =>
        `arn:aws:elasticache:${region}:123456789012:${kind}:${id}`;

    it("an account: what a cache uses, what uses it, shared neighbours, Region-wide resources", () => {
        const a = arn("us-east-1", "replicationgroup", "a");
        const b = arn("us-east-1", "replicationgroup", "b");
        const c = arn("eu-west-1", "replicationgroup", "c");
        const subnet = "arn:aws:ec2:us-east-1::subnet:s1";
        const resources = [
            resource(types.subnet, subnet),
            resource(types.subnetGroup, "arn:aws:elasticache:us-east-1::subnetgroup:a-subnets", [subnet]),
            resource(types.subnetGroup, "arn:aws:elasticache:us-east-1::subnetgroup:b-subnets", [subnet]),
            resource(types.securityGroup, "arn:aws:ec2:us-east-1::security-group:shared"),
            resource(types.replicationGroup, a, [
                "arn:aws:elasticache:us-east-1::subnetgroup:a-subnets",
                "arn:aws:ec2:us-east-1::security-group:shared",
            ]),
            resource(types.replicationGroup, b, [
                "arn:aws:elasticache:us-east-1::subnetgroup:b-subnets",
                "arn:aws:ec2:us-east-1::security-group:shared",
            ]),
            resource(types.replicationGroup, c),
            // A member node of a group is not a cache of its own; a standalone node is.
            resource(types.cluster, arn("us-east-1", "cluster", "a-001"), [], { inputs: { replicationGroupId: "a" } }),
            resource(types.cluster, arn("us-east-1", "cluster", "solo")),
            resource(types.metricAlarm, "arn:aws:cloudwatch:us-east-1::alarm:a-cpu", [a]),
            resource(types.routeTableAssociation, "arn:aws:ec2:us-east-1::rtbassoc:x", [subnet]),
            resource("aws:cloudtrail/trail:Trail", "arn:aws:cloudtrail:eu-west-1::trail:org"),
        ];
        const owners = cacheOwners(resources);
        const of = (urn: string) => [...owners.get(urn)!].sort();
        assert.deepStrictEqual(of(a), [a]);
        assert.deepStrictEqual(of("arn:aws:elasticache:us-east-1::subnetgroup:a-subnets"), [a]);
        assert.deepStrictEqual(of("arn:aws:ec2:us-east-1::security-group:shared"), [a, b].sort());
        assert.deepStrictEqual(of(subnet), [a, b].sort());
        assert.deepStrictEqual(of("arn:aws:cloudwatch:us-east-1::alarm:a-cpu"), [a]);
        assert.deepStrictEqual(of("arn:aws:ec2:us-east-1::rtbassoc:x"), [a, b].sort());
        assert.deepStrictEqual(of("arn:aws:cloudtrail:eu-west-1::trail:org"), [c]);
        assert.deepStrictEqual(of(arn("us-east-1", "cluster", "solo")), [arn("us-east-1", "cluster", "solo")]);
        // The member node concerns no cache of its own and is no cache: Region-wide fallback only.
        assert.ok(!of(arn("us-east-1", "cluster", "a-001")).includes(arn("us-east-1", "cluster", "a-001")));
    });

    it("a program: the other resources of the component that holds the cache, not the whole stack", () => {
        const stack = "urn:pulumi:dev::p::pulumi:pulumi:Stack::p-dev";
        const one = "urn:pulumi:dev::p::hitrust:elasticache:Redis::one";
        const two = "urn:pulumi:dev::p::hitrust:elasticache:Redis::two";
        const rg = (c: string) => `${c}$aws:elasticache/replicationGroup:ReplicationGroup::rg`;
        const bucket = (c: string) => `${c}$aws:s3/bucketV2:BucketV2::archive`;
        const resources = [
            resource("pulumi:pulumi:Stack", stack),
            resource("hitrust:elasticache:Redis", one, [], { parent: stack, custom: false }),
            resource("hitrust:elasticache:Redis", two, [], { parent: stack, custom: false }),
            resource(types.replicationGroup, rg(one), [], { parent: one }),
            resource(types.replicationGroup, rg(two), [], { parent: two }),
            resource("aws:s3/bucketV2:BucketV2", bucket(one), [], { parent: one }),
            resource("aws:s3/bucketV2:BucketV2", bucket(two), [], { parent: two }),
            resource(types.vpc, "urn:pulumi:dev::p::aws:ec2/vpc:Vpc::shared", [], { parent: stack }),
        ];
        const owners = cacheOwners(resources);
        assert.deepStrictEqual(owners.get(bucket(one)), [rg(one)]);
        assert.deepStrictEqual(owners.get(bucket(two)), [rg(two)]);
        assert.deepStrictEqual(owners.get(one), [rg(one)], "the component itself: its cache");
        assert.deepStrictEqual(owners.get("urn:pulumi:dev::p::aws:ec2/vpc:Vpc::shared"), []);
    });
});
