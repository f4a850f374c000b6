// EventBridge schedule expressions, as the snapshot archive rule takes them. Syntax from "Cron
// expressions reference" and "Rate expressions reference" in the EventBridge user guide:
// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-scheduled-rule-pattern.html
// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rate-expressions.html

interface CronField {
    readonly name: string;
    readonly min: number;
    readonly max: number;
    readonly names?: readonly string[];
    /** Wildcards beyond `, - * /` that the field allows. */
    readonly question?: boolean;
}

const months = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const weekdays = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

/** Minutes 0-59, Hours 0-23, Day-of-month 1-31, Month 1-12 or JAN-DEC, Day-of-week 1-7 or SUN-SAT, Year 1970-2199. */
const fields: readonly CronField[] = [
    { name: "minutes", min: 0, max: 59 },
    { name: "hours", min: 0, max: 23 },
    { name: "day-of-month", min: 1, max: 31, question: true },
    { name: "month", min: 1, max: 12, names: months },
    { name: "day-of-week", min: 1, max: 7, names: weekdays, question: true },
    { name: "year", min: 1970, max: 2199 },
];

function value(text: string, field: CronField): number | undefined {
    if (/^\d+$/.test(text)) {
        const n = Number(text);
        return n >= field.min && n <= field.max ? n : undefined;
    }
    const index = field.names?.indexOf(text.toUpperCase()) ?? -1;
    return index >= 0 ? index + field.min : undefined;
}

/** Why one element of a comma list is not valid for its field, or undefined. */
function elementProblem(element: string, field: CronField): string | undefined {
    const range = `${field.min}-${field.max}${field.names ? ` or ${field.names[0]}-${field.names[field.names.length - 1]}` : ""}`;
    const bad = `'${element}' is not valid in the ${field.name} field (${range})`;
    if (field.name === "day-of-month" && (element === "L" || /^(\d{1,2}W|LW)$/.test(element))) {
        return element === "L" || element === "LW" || value(element.slice(0, -1), field) !== undefined
            ? undefined
            : bad;
    }
    if (field.name === "day-of-week") {
        if (element === "L") {
            return undefined;
        }
        const nth = /^([^#]+)#([1-5])$/.exec(element);
        if (nth) {
            return value(nth[1], field) !== undefined ? undefined : bad;
        }
        const last = /^([^L]+)L$/.exec(element);
        if (last) {
            return value(last[1], field) !== undefined ? undefined : bad;
        }
    }
    const [base, step, extra] = element.split("/");
    if (extra !== undefined || (step !== undefined && (!/^\d+$/.test(step) || Number(step) === 0))) {
        return bad;
    }
    if (step !== undefined && field.name === "day-of-week") {
        return bad;
    }
    if (base === "*") {
        return undefined;
    }
    const [from, to, more] = base.split("-");
    if (
        more !== undefined ||
        value(from, field) === undefined ||
        (to !== undefined && value(to, field) === undefined)
    ) {
        return bad;
    }
    return undefined;
}

/** Why `expression` is not an EventBridge schedule, or undefined. */
export function scheduleExpressionProblem(expression: string): string | undefined {
    const rate = /^rate\((.*)\)$/.exec(expression);
    if (rate) {
        const match = /^(\d+) (minute|minutes|hour|hours|day|days)$/.exec(rate[1]);
        if (!match || Number(match[1]) === 0) {
            return `'${expression}' is not a rate expression (rate(<positive whole number> minute|minutes|hour|hours|day|days))`;
        }
        const singular = !match[2].endsWith("s");
        if ((Number(match[1]) === 1) !== singular) {
            return `'${expression}' needs a singular unit for 1 and a plural unit above 1, as in rate(1 day) or rate(2 days)`;
        }
        return undefined;
    }
    const cron = /^cron\((.*)\)$/.exec(expression);
    if (!cron) {
        return `'${expression}' is not an EventBridge schedule`;
    }
    const parts = cron[1].trim().split(/\s+/);
    if (parts.length !== fields.length) {
        return `'${expression}' has ${parts.length} field${parts.length === 1 ? "" : "s"}; a cron expression has six (minutes hours day-of-month month day-of-week year)`;
    }
    for (let i = 0; i < fields.length; i++) {
        const field = fields[i];
        const part = parts[i];
        if (part === "?") {
            if (!field.question) {
                return `'${expression}': '?' is allowed only in the day-of-month and day-of-week fields`;
            }
            continue;
        }
        if (field.name === "day-of-week" && part.includes("#") && part.includes(",")) {
            return `'${expression}': a day-of-week with '#' must be a single expression`;
        }
        for (const element of part.split(",")) {
            const problem = elementProblem(element, field);
            if (problem) {
                return `'${expression}': ${problem}`;
            }
        }
    }
    // "You can't specify the Day-of-month and Day-of-week fields in the same cron expression. If you
    // specify a value or a * in one of the fields, you must use a ? in the other."
    if ((parts[2] === "?") === (parts[4] === "?")) {
        return `'${expression}': exactly one of day-of-month and day-of-week must be '?'`;
    }
    return undefined;
}
