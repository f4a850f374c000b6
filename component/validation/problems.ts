// One collector for every validation concern: each check adds { argument, problem, fix }, and the
// component throws them all at once as one ValidationError before anything is registered.
import * as pulumi from "@pulumi/pulumi";

/** One refused argument: which argument, what is wrong with it, and what to do instead. */
export interface Problem {
    /** The argument's path as a caller writes it: `clusterMode.shards`, `rbac.users[0].userName`. */
    readonly argument: string;
    readonly problem: string;
    readonly fix: string;
}

/** `argument: problem; fix.`, the one line a caller reads (no second full stop after `?` or `.`). */
export function formatProblem(p: Problem): string {
    const end = /[.?!]$/.test(p.fix) ? "" : ".";
    return `${p.argument}: ${p.problem}; ${p.fix}${end}`;
}

/**
 * Thrown when arguments are invalid; lists every problem at once. A `RunError`, so that the
 * language host prints the message alone, without a stack trace (cmd/run/run.js: "Always hide the
 * stack for RunErrors").
 */
export class ValidationError extends pulumi.RunError {
    /** Each problem as one line (`argument: problem; fix.`). */
    readonly problems: string[];
    /** The same problems, structured; empty for problems given as plain lines. */
    readonly details: Problem[];

    constructor(
        readonly resourceName: string,
        problems: readonly (string | Problem)[],
    ) {
        const lines = problems.map((p) => (typeof p === "string" ? p : formatProblem(p)));
        super(`HitrustRedis '${resourceName}' has invalid arguments:\n` + lines.map((p) => `  - ${p}`).join("\n"));
        this.name = "ValidationError";
        this.problems = lines;
        this.details = problems.filter((p): p is Problem => typeof p !== "string");
    }
}

/** Gathers problems and warnings from every concern; nothing throws until `throwIfAny`. */
export class ProblemCollector {
    readonly problems: Problem[] = [];
    readonly warnings: string[] = [];

    add(argument: string, problem: string, fix: string): void {
        this.problems.push({ argument, problem, fix });
    }

    warn(text: string): void {
        this.warnings.push(text);
    }

    /** True when a problem was recorded for `argument` or anything below it (`rbac` covers `rbac.users[0]`). */
    hasProblemAt(argument: string): boolean {
        return this.problems.some(
            (p) =>
                p.argument === argument ||
                p.argument.startsWith(`${argument}.`) ||
                p.argument.startsWith(`${argument}[`),
        );
    }

    throwIfAny(resourceName: string): void {
        if (this.problems.length > 0) {
            throw new ValidationError(resourceName, this.problems);
        }
    }
}
