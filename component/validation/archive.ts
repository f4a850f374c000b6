// Archive arguments: how long the archive keeps records, when the snapshot copy runs, the audit
// trail to rely on, and who receives alerts.
import { sixYearsInDays, Window } from "../../core/checks";
import { checkRange } from "./engine";
import { ProblemCollector } from "./problems";
import { scheduleExpressionProblem } from "./schedule";

/** Six calendar years (core/checks.ts), the guide's archive period for backups (and well over a year for logs). */
export const minimumArchiveRetentionDays = sixYearsInDays;
export const maximumArchiveRetentionDays = 36500;

export interface ArchiveArgs {
    archiveRetentionDays?: number;
    archiveSchedule?: string;
    auditTrail?: { existingTrailName: string };
    alertSubscriptions?: { emails?: string[]; httpsEndpoints?: string[] };
}

export function checkArchive(
    args: ArchiveArgs,
    snapshot: Window | undefined,
    c: ProblemCollector,
): { archiveSchedule: string; existingTrailName?: string } {
    checkRange(
        c,
        "archiveRetentionDays",
        args.archiveRetentionDays,
        minimumArchiveRetentionDays,
        maximumArchiveRetentionDays,
    );
    if (args.auditTrail !== undefined && args.auditTrail.existingTrailName.trim() === "") {
        c.add(
            "auditTrail.existingTrailName",
            "empty",
            "name the existing (organization) trail, or omit auditTrail to create one",
        );
    }
    (args.alertSubscriptions?.emails ?? []).forEach((email) => {
        if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) {
            c.add("alertSubscriptions.emails", `'${email}' is not an email address`, "use the form name@example.org");
        }
    });
    (args.alertSubscriptions?.httpsEndpoints ?? []).forEach((url) => {
        if (!/^https:\/\/[^\s/]+/.test(url)) {
            c.add(
                "alertSubscriptions.httpsEndpoints",
                `'${url}' is not an https:// URL`,
                "alerts must travel over TLS",
            );
        }
    });

    let archiveSchedule = args.archiveSchedule;
    if (archiveSchedule !== undefined) {
        const problem = scheduleExpressionProblem(archiveSchedule);
        if (problem) {
            c.add("archiveSchedule", problem, "use for example 'cron(0 7 * * ? *)' or 'rate(1 day)'");
        }
    } else if (snapshot) {
        // Two hours after the snapshot window ends, so the day's snapshot is there to copy.
        const end = (snapshot.start + snapshot.length + 120) % (24 * 60);
        archiveSchedule = `cron(${end % 60} ${Math.floor(end / 60)} * * ? *)`;
    }
    return {
        archiveSchedule: archiveSchedule ?? "cron(0 7 * * ? *)",
        existingTrailName: args.auditTrail?.existingTrailName,
    };
}
