// Logging and alarm arguments: how long CloudWatch Logs keeps the engine's logs, and the thresholds
// of the per-node alarms.
import { HitrustRedisArgs } from "../args";
import { ProblemCollector } from "./problems";

/** The alarm thresholds, by the interface args.ts gives them (whatever it is named). */
type AlarmThresholdArgs = NonNullable<HitrustRedisArgs["alarms"]>;

/** The retention values CloudWatch Logs accepts (PutRetentionPolicy `retentionInDays`). */
export const cloudWatchRetentionDays = [
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];
export const minimumLogRetentionDays = 90;
/**
 * `retentionInDays: 0` on the provider's log group: "If you select 0, the events in the log group
 * are always retained and never expire" (@pulumi/aws `cloudwatch.LogGroup.retentionInDays`,
 * https://www.pulumi.com/registry/packages/aws/api-docs/cloudwatch/loggroup/#retentionindays_nodejs).
 * Never expiring keeps the logs longer than any minimum, and the pack's
 * aws-elasticache-loggroup-configure-retention passes it, so the component accepts it too.
 */
export const neverExpire = 0;

/** Each threshold's allowed range, as the README's tunables table lists it. */
export const alarmRanges: Readonly<Record<keyof AlarmThresholdArgs, readonly [number, number]>> = {
    engineCpuPercent: [1, 100],
    memoryPercent: [1, 100],
    evictions: [0, 1_000_000_000],
    newConnections: [1, 1_000_000_000],
    replicationLagSeconds: [1, 3600],
};

export function checkLogging(
    args: { logRetentionDays?: number; alarms?: AlarmThresholdArgs },
    c: ProblemCollector,
): { alarms: AlarmThresholdArgs } {
    const days = args.logRetentionDays;
    if (
        days !== undefined &&
        days !== neverExpire &&
        (!cloudWatchRetentionDays.includes(days) || days < minimumLogRetentionDays)
    ) {
        c.add(
            "logRetentionDays",
            `${days} is not allowed`,
            `use a CloudWatch retention of at least ${minimumLogRetentionDays} days (${cloudWatchRetentionDays.filter((d) => d >= minimumLogRetentionDays).join(", ")}), or 0 to never expire`,
        );
    }
    // An explicit `undefined` means "not set": it takes the default, never an alarm without a threshold.
    const alarms: AlarmThresholdArgs = {};
    for (const [key, [min, max]] of Object.entries(alarmRanges) as [
        keyof AlarmThresholdArgs,
        readonly [number, number],
    ][]) {
        const value = args.alarms?.[key];
        if (value !== undefined) {
            // PutMetricAlarm's `Threshold` is a Double
            // (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html),
            // so 75.5 percent or 0.5 seconds of lag are thresholds CloudWatch takes.
            if (!Number.isFinite(value) || value < min || value > max) {
                c.add(`alarms.${key}`, `${value} is out of range`, `use a number from ${min} to ${max}`);
            }
            alarms[key] = value;
        }
    }
    return { alarms };
}
