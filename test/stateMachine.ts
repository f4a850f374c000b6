// Runs an Amazon States Language definition (JSONPath) with its Task resources answered by the
// caller, so a test executes the component's state machine as written instead of reading it.
// It covers the fields the component uses and refuses any other, as the Amazon States Language
// specification defines them (https://states-language.net/spec.html; Step Functions developer guide,
// "Processing input and output", "Map state", "Task", "Pass", "Fail", "Handling errors"):
//   Task: Resource, Parameters, ResultSelector, ResultPath, Retry, Catch, Next/End.
//   Map (Inline): ItemsPath, ItemSelector ($$.Map.Item.Value / Index), ItemProcessor, MaxConcurrency
//     (at most 40 in Inline mode), ResultPath, Catch, Next/End.
//   Pass: Parameters, ResultPath, Next/End. Fail: Error, Cause.
// Paths are the reference paths the specification allows in these fields: `$`, `$.a.b`, `$$.Map...`.
// Retries run at once (no waiting); "States.ALL" matches every error but States.Runtime.

export interface Outcome {
    status: "SUCCEEDED" | "FAILED";
    output?: unknown;
    error?: string;
    cause?: string;
}

/** Calls one `arn:aws:states:::aws-sdk:<service>:<action>` task; the test maps it to a service model. */
export type TaskHandler = (action: string, parameters: any, service: string) => Promise<any>;

const fieldsOf: Record<string, string[]> = {
    Task: [
        "Type",
        "Comment",
        "Resource",
        "Parameters",
        "ResultSelector",
        "ResultPath",
        "Retry",
        "Catch",
        "Next",
        "End",
    ],
    Map: [
        "Type",
        "Comment",
        "ItemsPath",
        "ItemSelector",
        "ItemProcessor",
        "MaxConcurrency",
        "ResultPath",
        "Catch",
        "Next",
        "End",
    ],
    Pass: ["Type", "Comment", "Parameters", "ResultPath", "Next", "End"],
    Fail: ["Type", "Comment", "Error", "Cause"],
};

class StatesError extends Error {
    constructor(
        public readonly errorName: string,
        public readonly causeText: string,
    ) {
        super(`${errorName}: ${causeText}`);
    }
}

function read(path: string, data: any, context: any): any {
    const [root, rest] = path.startsWith("$$") ? [context, path.slice(2)] : [data, path.slice(1)];
    if (!path.startsWith("$")) {
        throw new StatesError("States.Runtime", `${path} is not a reference path`);
    }
    let value = root;
    for (const segment of rest.split(".").filter(Boolean)) {
        if (!/^[A-Za-z0-9_]+$/.test(segment)) {
            throw new StatesError("States.Runtime", `unsupported path segment ${segment} in ${path}`);
        }
        if (value === null || typeof value !== "object" || !(segment in value)) {
            // The service fails the execution when a path matches nothing.
            throw new StatesError("States.Runtime", `the JSONPath ${path} could not be found in the input`);
        }
        value = value[segment];
    }
    return value;
}

function resolve(template: any, data: any, context: any): any {
    if (Array.isArray(template)) {
        return template.map((t) => resolve(t, data, context));
    }
    if (template === null || typeof template !== "object") {
        return template;
    }
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(template)) {
        if (key.endsWith(".$")) {
            out[key.slice(0, -2)] = read(String(value), data, context);
        } else {
            out[key] = resolve(value, data, context);
        }
    }
    return out;
}

function place(data: any, resultPath: string | null | undefined, result: any): any {
    if (resultPath === null) {
        return data;
    }
    if (resultPath === undefined || resultPath === "$") {
        return result;
    }
    const segments = resultPath.replace(/^\$\.?/, "").split(".");
    const copy = JSON.parse(JSON.stringify(data ?? {}));
    let at = copy;
    for (const segment of segments.slice(0, -1)) {
        at[segment] = at[segment] ?? {};
        at = at[segment];
    }
    at[segments[segments.length - 1]] = result;
    return copy;
}

function matches(errorName: string, list: string[]): boolean {
    return list.includes(errorName) || (list.includes("States.ALL") && errorName !== "States.Runtime");
}

async function runStates(machine: any, input: any, tasks: TaskHandler, context: any): Promise<any> {
    let name: string = machine.StartAt;
    let data = input;
    for (let steps = 0; steps < 10000; steps++) {
        const state = machine.States?.[name];
        if (!state) {
            throw new StatesError("States.Runtime", `no state ${name}`);
        }
        const known = fieldsOf[state.Type];
        if (!known) {
            throw new Error(`state ${name}: type ${state.Type} is not supported here`);
        }
        const unknown = Object.keys(state).filter((k) => !known.includes(k));
        if (unknown.length) {
            throw new Error(`state ${name}: fields ${unknown.join(", ")} are not supported here`);
        }
        if (state.Type === "Fail") {
            throw new StatesError(state.Error, state.Cause);
        }
        let result: any;
        try {
            result = await runState(name, state, data, tasks, context);
        } catch (err) {
            const e =
                err instanceof StatesError
                    ? err
                    : new StatesError(`S3.${(err as any)?.name ?? "Error"}`, (err as Error).message);
            const handler = (state.Catch ?? []).find((c: any) => matches(e.errorName, c.ErrorEquals));
            if (!handler) {
                throw e;
            }
            data = place(data, handler.ResultPath, { Error: e.errorName, Cause: e.causeText });
            name = handler.Next;
            continue;
        }
        data = result;
        if (state.End) {
            return data;
        }
        name = state.Next;
    }
    throw new Error("too many transitions");
}

async function withRetry(state: any, attempt: () => Promise<any>): Promise<any> {
    const tries = new Map<any, number>();
    for (;;) {
        try {
            return await attempt();
        } catch (err) {
            const e =
                err instanceof StatesError ? err : new StatesError(`S3.${(err as any)?.name}`, (err as Error).message);
            const rule = (state.Retry ?? []).find((r: any) => matches(e.errorName, r.ErrorEquals));
            const used = tries.get(rule) ?? 0;
            if (!rule || used >= (rule.MaxAttempts ?? 3)) {
                throw e;
            }
            tries.set(rule, used + 1);
        }
    }
}

async function runState(name: string, state: any, data: any, tasks: TaskHandler, context: any): Promise<any> {
    if (state.Type === "Pass") {
        const result = state.Parameters ? resolve(state.Parameters, data, context) : data;
        return place(data, state.ResultPath, result);
    }
    if (state.Type === "Task") {
        const match = /^arn:aws[a-z-]*:states:::aws-sdk:([a-z0-9]+):([a-z][A-Za-z0-9]*)$/.exec(state.Resource);
        if (!match) {
            throw new Error(`state ${name}: resource ${state.Resource} is not an AWS SDK integration`);
        }
        const parameters = resolve(state.Parameters ?? {}, data, context);
        const raw = await withRetry(state, () => tasks(match[2], parameters, match[1]));
        const result = state.ResultSelector ? resolve(state.ResultSelector, raw, context) : raw;
        return place(data, state.ResultPath, result);
    }
    // Map, Inline mode.
    if (state.ItemProcessor?.ProcessorConfig?.Mode !== "INLINE") {
        throw new Error(`state ${name}: only Inline Map is supported here`);
    }
    if (!(Number.isInteger(state.MaxConcurrency) && state.MaxConcurrency >= 0 && state.MaxConcurrency <= 40)) {
        throw new Error(`state ${name}: Inline Map runs at most 40 iterations at once`);
    }
    const items = read(state.ItemsPath ?? "$", data, context);
    if (!Array.isArray(items)) {
        throw new StatesError("States.Runtime", `${state.ItemsPath} is not an array`);
    }
    const results = new Array(items.length);
    let next = 0;
    const worker = async () => {
        while (next < items.length) {
            const index = next++;
            const itemContext = { ...context, Map: { Item: { Index: index, Value: items[index] } } };
            const itemInput = state.ItemSelector ? resolve(state.ItemSelector, data, itemContext) : items[index];
            results[index] = await runStates(state.ItemProcessor, itemInput, tasks, itemContext);
        }
    };
    await Promise.all(Array.from({ length: Math.min(state.MaxConcurrency || 40, items.length) }, worker));
    return place(data, state.ResultPath, results);
}

/** Runs a state machine definition on one input, as a Standard execution would. */
export async function runStateMachine(definition: any, input: unknown, tasks: TaskHandler): Promise<Outcome> {
    try {
        const output = await runStates(definition, input, tasks, { Execution: { Input: input } });
        return { status: "SUCCEEDED", output };
    } catch (err) {
        if (err instanceof StatesError) {
            return { status: "FAILED", error: err.errorName, cause: err.causeText };
        }
        throw err;
    }
}
