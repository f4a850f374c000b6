// The in-account audit's arguments (`continuousAudit`): when it runs and which Regions it reads.
import { regionCodePattern, regionPartition, Window } from "../../core/checks";
import { ContinuousAuditSettings } from "../args";
import { ProblemCollector } from "./problems";
import { scheduleExpressionProblem } from "./schedule";

export interface ContinuousAuditArgs {
    continuousAudit?: { enabled?: boolean; schedule?: string; regions?: string[]; securityHub?: boolean };
}

/** Hours after the snapshot window ends: the day's backup exists and the archive job (2 h after) has run. */
export const auditHoursAfterSnapshotWindow = 3;

const scheduleFix = "use a daily schedule such as 'cron(0 8 * * ? *)' or 'rate(1 day)'";

/**
 * Why `expression` (a valid EventBridge schedule) does not run the audit at least daily and at most
 * hourly, or undefined. Both alarms count days (component/continuousAudit.ts: a day without a
 * completed run alarms), and a run can take up to Lambda's 15 minutes over every Region, so more
 * than one an hour would overlap and repeat Security Hub's imports for nothing.
 * A rate is judged by its interval; a cron by its fields: one minute value (at most one run an hour)
 * and every day of every month of every year (`*` in day-of-month or day-of-week, the other `?`).
 * Syntax: "Cron expressions reference" and "Rate expressions reference", EventBridge user guide
 * (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-scheduled-rule-pattern.html).
 */
export function auditScheduleProblem(expression: string): string | undefined {
    const rate = /^rate\((\d+) (minutes?|hours?|days?)\)$/.exec(expression);
    if (rate) {
        const minutes = Number(rate[1]) * (rate[2].startsWith("minute") ? 1 : rate[2].startsWith("hour") ? 60 : 1440);
        if (minutes < 60) {
            return `'${expression}' runs more than once an hour`;
        }
        if (minutes > 1440) {
            return `'${expression}' runs less than once a day`;
        }
        return undefined;
    }
    const cron = /^cron\((.*)\)$/.exec(expression);
    if (!cron) {
        return undefined;
    }
    const [minutes, , dayOfMonth, month, dayOfWeek, year] = cron[1].trim().split(/\s+/);
    if (!/^\d{1,2}$/.test(minutes)) {
        return `'${expression}' runs more than once an hour (give one minute value)`;
    }
    const everyDay =
        month === "*" &&
        year === "*" &&
        ((dayOfMonth === "*" && dayOfWeek === "?") || (dayOfMonth === "?" && dayOfWeek === "*"));
    return everyDay ? undefined : `'${expression}' does not run every day`;
}

/** The default: daily, `auditHoursAfterSnapshotWindow` after the snapshot window ends (UTC). */
export function defaultAuditSchedule(snapshot: Window | undefined): string {
    const end = snapshot ? (snapshot.start + snapshot.length) % (24 * 60) : 5 * 60;
    const at = (end + auditHoursAfterSnapshotWindow * 60) % (24 * 60);
    return `cron(${at % 60} ${Math.floor(at / 60)} * * ? *)`;
}

/**
 * Checks `continuousAudit` (its types were checked before). Returns the settings when the audit is
 * on, undefined when it is off. `deployRegion`, when known before deploying, refuses Regions of
 * another partition: the function's credentials and ARNs belong to the stack's partition.
 */
export function checkContinuousAudit(
    args: ContinuousAuditArgs,
    snapshot: Window | undefined,
    deployRegion: string | undefined,
    c: ProblemCollector,
): ContinuousAuditSettings | undefined {
    const audit = args.continuousAudit;
    if (audit === undefined) {
        return undefined;
    }
    let schedule = audit.schedule;
    if (schedule !== undefined) {
        const problem = scheduleExpressionProblem(schedule) ?? auditScheduleProblem(schedule);
        if (problem) {
            c.add("continuousAudit.schedule", problem, scheduleFix);
        }
    } else {
        schedule = defaultAuditSchedule(snapshot);
    }
    const regions = audit.regions ?? [];
    if (audit.regions !== undefined && regions.length === 0) {
        c.add(
            "continuousAudit.regions",
            "empty",
            "list at least one Region code, or omit regions to audit the stack's Region",
        );
    }
    const seen = new Set<string>();
    regions.forEach((region, i) => {
        const argument = `continuousAudit.regions[${i}]`;
        if (!regionCodePattern.test(region)) {
            c.add(argument, `'${region}' is not a Region code`, "use a code such as us-east-1 (lower case)");
        } else if (seen.has(region)) {
            c.add(argument, `'${region}' is listed twice`, "list each Region once");
        } else if (deployRegion !== undefined && regionPartition(region) !== regionPartition(deployRegion)) {
            c.add(
                argument,
                `'${region}' is in partition ${regionPartition(region)}, the stack (${deployRegion}) in ${regionPartition(deployRegion)}`,
                "audit another partition from a stack deployed there",
            );
        }
        seen.add(region);
    });
    if (audit.enabled === false) {
        return undefined;
    }
    return { schedule, regions, securityHub: audit.securityHub ?? true };
}
