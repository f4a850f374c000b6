// Issue 15, item 7: the alarm on the archive's age fires when a day's backup does not reach the
// archive, and stays quiet while it does. The job (component/lambda/exportSnapshot.js) runs hourly
// through the service model of test/exportWorld.ts, ElastiCache takes a backup each day, and the
// data points the job publishes are judged by the component's own alarm (registered under Pulumi
// mocks) the way CloudWatch evaluates an alarm:
//   CloudWatch user guide, "Using Amazon CloudWatch alarms" / "Alarm evaluation": each period's
//   data point is the alarm's statistic over the values in that period; the alarm is in ALARM when
//   at least DatapointsToAlarm of the last EvaluationPeriods data points breach the threshold,
//   otherwise OK;
//   "Configuring how CloudWatch alarms treat missing data": with `breaching`, a period without data
//   counts as breaching.
import * as assert from "assert";
import { MockRunResult } from "../tools/mockrun";
import { runComponent, ofType } from "./helpers";
import { World, install, options, snapshot } from "./exportWorld";

const job = require("../component/lambda/exportSnapshot.js");

interface AlarmConfig {
    namespace: string;
    metricName: string;
    dimensions: Record<string, string>;
    statistic: "Maximum" | "Minimum" | "Average" | "Sum";
    period: number;
    evaluationPeriods: number;
    datapointsToAlarm?: number;
    threshold: number;
    comparisonOperator: string;
    treatMissingData: string;
}

interface Published {
    namespace: string;
    datum: { MetricName: string; Dimensions: { Name: string; Value: string }[]; Timestamp: Date; Value: number };
}

/** The alarm's state when CloudWatch evaluates it at `at` (a period boundary). */
function alarmState(alarm: AlarmConfig, published: Published[], at: number): "ALARM" | "OK" {
    const ours = published.filter(
        (p) =>
            p.namespace === alarm.namespace &&
            p.datum.MetricName === alarm.metricName &&
            p.datum.Dimensions.length === Object.keys(alarm.dimensions).length &&
            p.datum.Dimensions.every((d) => alarm.dimensions[d.Name] === d.Value),
    );
    const breaches: boolean[] = [];
    for (let i = alarm.evaluationPeriods; i >= 1; i--) {
        const start = at - i * alarm.period * 1000;
        const values = ours
            .filter((p) => {
                const t = new Date(p.datum.Timestamp).getTime();
                return t >= start && t < start + alarm.period * 1000;
            })
            .map((p) => p.datum.Value);
        if (values.length === 0) {
            assert.ok(["breaching", "notBreaching"].includes(alarm.treatMissingData), alarm.treatMissingData);
            breaches.push(alarm.treatMissingData === "breaching");
            continue;
        }
        const statistic = { Maximum: Math.max, Minimum: Math.min }[alarm.statistic as "Maximum" | "Minimum"];
        assert.ok(statistic, `statistic ${alarm.statistic} not modelled here`);
        assert.strictEqual(alarm.comparisonOperator, "GreaterThanThreshold");
        breaches.push(statistic(...values) > alarm.threshold);
    }
    return breaches.filter(Boolean).length >= (alarm.datapointsToAlarm ?? alarm.evaluationPeriods) ? "ALARM" : "OK";
}

describe("Snapshot archive: the age alarm", () => {
    let alarm: AlarmConfig;
    before(async () => {
        const result: MockRunResult = await runComponent();
        assert.deepStrictEqual(result.errors, []);
        const found = ofType(result, "aws:cloudwatch/metricAlarm:MetricAlarm").find(
            (a) => (a.inputs as any).name === "cache-snapshot-archive-age",
        );
        assert.ok(found, "the component creates the age alarm");
        alarm = found.inputs as any;
    });

    const hour = 3600e3;
    const start = Date.parse("2026-11-20T00:00:00Z");

    /**
     * Runs the job every hour from `start` for `hours` hours. ElastiCache's backup of each day is
     * taken at 05:10 and available from 06:00; an export requested by a run arrives before the next
     * run unless `exportsArrive` says no for that hour; the job does not run where `jobRuns` says no.
     */
    async function simulate(
        hours: number,
        exportsArrive: (at: number) => boolean = () => true,
        jobRuns: (at: number) => boolean = () => true,
    ): Promise<{ world: World; states: Map<number, "ALARM" | "OK"> }> {
        const world = new World();
        const env = install(world);
        const log = console.log;
        console.log = () => undefined;
        const delivered = new Set<string>();
        try {
            for (let h = 0; h < hours; h++) {
                const at = start + h * hour;
                world.now = new Date(at);
                const day = new Date(at).toISOString().slice(0, 10);
                if (new Date(at).getUTCHours() === 6) {
                    world.snapshots.push(snapshot(`automatic.cache-${day}-05-00`, `${day}T05:10:00Z`));
                }
                if (exportsArrive(at)) {
                    for (const request of world.copySnapshotRequests) {
                        if (!delivered.has(request.TargetSnapshotName)) {
                            delivered.add(request.TargetSnapshotName);
                            world.deliver(request.TargetSnapshotName, [{ size: 1024 ** 2 }]);
                        }
                    }
                }
                if (jobRuns(at)) {
                    world.now = new Date(at + 60e3);
                    await job.runExport(env.clients, options(world)).catch(() => undefined);
                }
            }
        } finally {
            console.log = log;
            env.ec.restore();
            env.s.restore();
            env.sf.restore();
            env.cw.restore();
        }
        assert.deepStrictEqual(world.violations, []);
        const states = new Map<number, "ALARM" | "OK">();
        for (let h = 24; h <= hours; h++) {
            states.set(start + h * hour, alarmState(alarm, world.metrics as Published[], start + h * hour));
        }
        return { world, states };
    }

    const alarmed = (states: Map<number, string>) =>
        [...states.entries()].filter(([, s]) => s === "ALARM").map(([t]) => new Date(t).toISOString());

    it("stays OK while every day's backup reaches the archive", async () => {
        const { states, world } = await simulate(5 * 24);
        assert.deepStrictEqual(alarmed(states), []);
        assert.ok(world.metrics.length >= 5 * 24, "a data point every hour");
    });

    it("fires a day and a bit after the last archived backup when a day's export never arrives, and clears when it does", async () => {
        // Exports stop arriving on the 23rd (its backup, and the ones after, stay in ElastiCache).
        const brokenFrom = Date.parse("2026-11-23T00:00:00Z");
        const fixedAt = Date.parse("2026-11-24T12:00:00Z");
        const { states } = await simulate(6 * 24, (at) => at < brokenFrom || at >= fixedAt);
        const fired = alarmed(states);
        // The 22nd's backup (05:10) was archived by the 07:01 run on the 22nd; it is 30 h old at 11:10 on
        // the 23rd. The runs at 12:01, 13:01 and 14:01 publish ages above 30 h: three breaching hourly
        // data points, so the alarm is in ALARM when the 14:00-15:00 period closes.
        assert.strictEqual(fired[0], "2026-11-23T15:00:00.000Z");
        // Once exports arrive again, the job requests the missing days again and archives them.
        assert.ok(
            fired.every((t) => Date.parse(t) <= fixedAt + 4 * hour),
            `still in ALARM: ${fired.slice(-3)}`,
        );
        assert.strictEqual(states.get(start + 6 * 24 * hour), "OK");
    });

    it("fires when the job stops publishing: missing data counts as breaching", async () => {
        const stoppedAt = Date.parse("2026-11-22T12:00:00Z");
        const { states } = await simulate(4 * 24, undefined, (at) => at < stoppedAt);
        assert.strictEqual(alarmed(states)[0], "2026-11-22T15:00:00.000Z");
    });
});
