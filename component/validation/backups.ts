// Backup arguments: how long automatic snapshots are kept and when snapshots and maintenance run.
import {
    maxBackupRetentionDays,
    maximumMaintenanceWindowMinutes,
    minimumWindowMinutes,
    parseMaintenanceWindow,
    parseSnapshotWindow,
    Window,
    windowsOverlap,
} from "../../core/checks";
import { checkRange } from "./engine";
import { ProblemCollector } from "./problems";

export function checkBackups(
    args: { snapshotRetentionDays?: number },
    snapshotWindow: string,
    maintenanceWindow: string,
    c: ProblemCollector,
): { snapshot?: Window } {
    if (args.snapshotRetentionDays === 0) {
        c.add(
            "snapshotRetentionDays",
            "0 turns automatic backups off",
            `use 1 to ${maxBackupRetentionDays} (${maxBackupRetentionDays} recommended)`,
        );
    } else {
        checkRange(c, "snapshotRetentionDays", args.snapshotRetentionDays, 1, maxBackupRetentionDays);
    }

    const snapshot = parseSnapshotWindow(snapshotWindow);
    const maintenance = parseMaintenanceWindow(maintenanceWindow);
    if (!snapshot) {
        c.add("snapshotWindow", `'${snapshotWindow}' is not hh24:mi-hh24:mi (UTC)`, "use for example '03:00-05:00'");
    } else if (snapshot.length < minimumWindowMinutes) {
        c.add("snapshotWindow", `'${snapshotWindow}' is shorter than 60 minutes`, "widen it to at least an hour");
    }
    if (!maintenance) {
        c.add(
            "maintenanceWindow",
            `'${maintenanceWindow}' is not ddd:hh24:mi-ddd:hh24:mi (UTC)`,
            "use for example 'sun:05:30-sun:07:00'",
        );
    } else if (maintenance.length < minimumWindowMinutes || maintenance.length > maximumMaintenanceWindowMinutes) {
        c.add(
            "maintenanceWindow",
            `'${maintenanceWindow}' lasts ${maintenance.length} minutes`,
            "make it last from 60 minutes to 24 hours",
        );
    }
    if (snapshot && maintenance && windowsOverlap(snapshot, maintenance)) {
        c.add(
            "snapshotWindow",
            `'${snapshotWindow}' overlaps maintenanceWindow '${maintenanceWindow}'`,
            "move one so that they do not overlap",
        );
    }
    return { snapshot: snapshot ?? undefined };
}
