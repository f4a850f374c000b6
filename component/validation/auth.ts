// Authentication arguments: a caller's AUTH token (never echoed), the token update strategy, and
// RBAC users with their ACL access strings.
import { authTokenCharacterTypes, authTokenProblems, Engine } from "../../core/checks";
import {
    accessStringAllowsNoPassword,
    accessStringEnabled,
    accessStringHasSecret,
    accessStringSyntaxProblems,
    commandGrants,
    dangerousCommandSet,
    defaultDangerousCommands,
    describeGrant,
} from "../../core/acl";
import { featureMinimum, supports } from "../../core/engine";
import { formatProblem, Problem, ProblemCollector } from "./problems";
import { describeValue, isEventual } from "./shape";

/**
 * "Users per user group": 100 (Amazon ElastiCache endpoints and quotas,
 * https://docs.aws.amazon.com/general/latest/gr/elasticache-service.html). The component adds its
 * disabled `default` user to the group, so a caller may list one fewer.
 */
export const maxUsersPerUserGroup = 100;

/** Why a caller-supplied AUTH token is refused, as argument problems (the token is never echoed). */
export function authTokenArgumentProblems(token: unknown): string[] {
    if (typeof token !== "string") {
        const kind = token === null ? "null" : Array.isArray(token) ? "a list" : `a ${typeof token}`;
        return [
            `authToken: resolved to ${kind}, not text; supply the token as a string or omit authToken to have one generated.`,
        ];
    }
    return authTokenProblems(token).map(
        (p) => `authToken: ${p}; supply a different token or omit authToken to have one generated.`,
    );
}

/**
 * How to hand the component a secret from each language, for the messages that refuse a plain one:
 * Python `pulumi.Output.secret`, Go `pulumi.ToSecret`, .NET `Output.CreateSecret`, YAML `fn::secret`,
 * or stack config set with `--secret` and read as a secret.
 */
export const secretInEveryLanguage =
    "pass it as a secret: Python `pulumi.Output.secret(token)`, Go `pulumi.ToSecret(token)`, .NET `Output.CreateSecret(token)`, " +
    "YAML `fn::secret: ...`, or stack config set with `pulumi config set --secret` and read with `config.require_secret` " +
    "(Python), `config.RequireSecret` (Go, .NET) or `${config}` (YAML); or store the token in Secrets Manager and pass its " +
    "ARN in authTokenSecret instead";

/**
 * A plain `authToken` from another language. The engine does not write the caller's inputs of a
 * remote component to the state (pkg/resource/deploy/source_eval.go, `resmon.RegisterResource`: with
 * `remote` it calls the provider's Construct and sends no registerResourceEvent), and the component
 * marks the token secret before any registration, but a plain value is held in clear by the caller:
 * in its program, its stack config, its own resources and exports. A secret-marked value is the
 * only proof that it is not; the generated SDKs would have wrapped it had the schema been able to
 * say `secret` (see ../host.ts).
 */
export const plainAuthTokenProblem: Problem = {
    argument: "authToken",
    problem:
        "is a plain value, not a secret: a token passed in clear from Python, Go, .NET or YAML is held in clear by your program and its stack config",
    fix: secretInEveryLanguage,
};

/**
 * Secrets Manager's SecretId: "The ARN or name of the secret" (GetSecretValue,
 * https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_GetSecretValue.html); a name
 * has 1 to 512 ASCII letters, digits and `/_+=.@-` (CreateSecret `Name`,
 * https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_CreateSecret.html), an ARN is
 * `arn:<partition>:secretsmanager:<region>:<account>:secret:<name>` (with or without the six-character suffix).
 */
const secretName = /^[A-Za-z0-9/_+=.@-]{1,512}$/;
const secretArn = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]{1,519}$/;

/** Why an `authTokenSecret` value cannot name a secret (it is an identifier, so it may be echoed). */
export function authTokenSecretIdProblem(value: unknown): { problem: string; fix: string } | undefined {
    const fix = "pass the ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>) or the name of the secret";
    if (typeof value !== "string") {
        return { problem: `resolved to ${describeValue(value)}, not text`, fix };
    }
    if (value.startsWith("arn:") ? !secretArn.test(value) : !secretName.test(value)) {
        return { problem: `'${value}' is not a Secrets Manager secret ARN or name`, fix };
    }
    return undefined;
}

/**
 * The token in a secret's text: the text itself, or the `authToken` member of a JSON object (the
 * layout of this component's own auth secret and of the console's key/value secrets). Problems
 * name `authTokenSecret` and never echo the value.
 */
export function tokenFromSecretString(secretString: unknown): { token?: string; problems: string[] } {
    const layout = 'store the token as the secret\'s text, or as JSON {"authToken": "..."}';
    if (typeof secretString !== "string" || secretString === "") {
        return {
            problems: [
                formatProblem({
                    argument: "authTokenSecret",
                    problem: "the secret has no text value (SecretString)",
                    fix: layout,
                }),
            ],
        };
    }
    let token = secretString;
    if (secretString.trimStart().startsWith("{")) {
        let parsed: unknown;
        try {
            parsed = JSON.parse(secretString);
        } catch {
            parsed = undefined;
        }
        const member = (parsed as { authToken?: unknown } | undefined)?.authToken;
        if (typeof member !== "string") {
            return {
                problems: [
                    formatProblem({
                        argument: "authTokenSecret",
                        problem: "the secret's text is a JSON object without an `authToken` string",
                        fix: layout,
                    }),
                ],
            };
        }
        token = member;
    }
    const problems = authTokenProblems(token).map((p) =>
        formatProblem({
            argument: "authTokenSecret",
            problem: `the token it holds ${p}`,
            fix: "store a token of 16 to 128 letters, digits and ! & # $ ^ < > - in the secret",
        }),
    );
    return problems.length > 0 ? { problems } : { token, problems };
}

export interface RbacUser {
    userName: string;
    accessString: string;
    authentication?: string;
}

export interface AuthArgs {
    authToken?: unknown;
    authTokenSecret?: unknown;
    authTokenUpdateStrategy?: string;
    rbac?: { users: RbacUser[]; dangerousCommands?: string[] };
}

export function checkAuth(
    args: AuthArgs,
    engine: Engine,
    engineVersion: string,
    defaultStrategy: "ROTATE" | "SET",
    c: ProblemCollector,
    fromOtherLanguage = false,
): { strategy: "ROTATE" | "SET" } {
    if (args.rbac !== undefined && args.authToken !== undefined) {
        c.add("authToken", "set together with rbac", "set either authToken or rbac, not both");
    }
    if (args.authTokenSecret !== undefined) {
        if (args.authToken !== undefined) {
            c.add(
                "authTokenSecret",
                "set together with authToken",
                "set either authToken or authTokenSecret, not both",
            );
        }
        if (args.rbac !== undefined) {
            c.add(
                "authTokenSecret",
                "set together with rbac",
                "set either authTokenSecret or rbac, not both: RBAC users get generated passwords",
            );
        }
        if (!isEventual(args.authTokenSecret)) {
            const p = authTokenSecretIdProblem(args.authTokenSecret);
            if (p) {
                c.add("authTokenSecret", p.problem, p.fix);
            }
        }
    }
    if (fromOtherLanguage && args.authToken !== undefined && !isEventual(args.authToken)) {
        c.add(plainAuthTokenProblem.argument, plainAuthTokenProblem.problem, plainAuthTokenProblem.fix);
    }
    if (typeof args.authToken === "string" && !isEventual(args.authToken)) {
        const problems = authTokenProblems(args.authToken);
        for (const p of problems) {
            c.add("authToken", p, "supply a different token or omit authToken to have one generated");
        }
        if (problems.length === 0 && authTokenCharacterTypes(args.authToken) < 3) {
            c.warn(
                "authToken: mixes fewer than three of upper, lower, digits and ! & # $ ^ < > -; AWS recommends three. Omit authToken to have a strong one generated.",
            );
        }
    }
    const strategy = args.authTokenUpdateStrategy ?? defaultStrategy;
    if (strategy !== "ROTATE" && strategy !== "SET") {
        c.add(
            "authTokenUpdateStrategy",
            `'${strategy}' is not allowed`,
            "use 'ROTATE' (default) or 'SET'; DELETE would turn authentication off",
        );
    }
    if (args.rbac !== undefined) {
        checkRbac(args.rbac.users, engine, engineVersion, c, args.rbac.dangerousCommands);
    }
    return { strategy: strategy === "SET" ? "SET" : "ROTATE" };
}

const userNamePattern = /^[a-zA-Z][a-zA-Z0-9-]{0,39}$/;

/**
 * ACL rules that would defeat authentication, put a secret in the program, fail at deploy or grant
 * a dangerous command, read as the engine reads them (core/acl.ts, shared with the policy pack and
 * held to a real redis-server by test/acl.test.ts): keywords are case-insensitive (Redis compares
 * them with strcasecmp), so `NOPASS` is `nopass`; `>pw`, `<pw`, `#hash` and `!hash` carry passwords
 * in plain text; rules Redis refuses, `reset`, ElastiCache's restricted commands and separators
 * other than plain spaces are refused as the pack's aws-elasticache-user-enforce-access-string-syntax
 * refuses them; a command of `dangerous` granted to an enabled user as
 * aws-elasticache-user-disallow-dangerous-commands does. The access string itself is never echoed,
 * and the rules named are redacted.
 */
export function accessStringProblems(
    access: string,
    dangerous: readonly string[] = defaultDangerousCommands,
): { problem: string; fix: string }[] {
    const problems: { problem: string; fix: string }[] = [];
    if (accessStringAllowsNoPassword(access)) {
        problems.push({
            problem: "'nopass' (in any case) lets the user in without a password",
            fix: "remove it",
        });
    }
    if (accessStringHasSecret(access)) {
        problems.push({
            problem:
                "contains a password rule (>..., <..., #... or !...), which puts a secret in the program and its state",
            fix: "remove it: the component generates each user's password and keeps it in Secrets Manager",
        });
    }
    for (const p of accessStringSyntaxProblems(access)) {
        if (p.kind !== "password") {
            problems.push({ problem: `rule ${p.rule} ${p.problem}`, fix: p.fix });
        }
    }
    if (accessStringEnabled(access)) {
        const grants = commandGrants(access, dangerousCommandSet(dangerous).commands);
        if (grants.length > 0) {
            problems.push({
                problem: `grants ${grants.map(describeGrant).join(", ")}, listed in rbac.dangerousCommands`,
                fix: `take them away after the rule that grants them (for example -@dangerous, or -${grants[0].command}), or leave them out of rbac.dangerousCommands`,
            });
        }
    }
    return problems;
}

function checkRbac(
    users: RbacUser[],
    engine: Engine,
    engineVersion: string,
    c: ProblemCollector,
    dangerousCommands: string[] | undefined,
): void {
    const dangerous = Array.isArray(dangerousCommands) ? dangerousCommands : [...defaultDangerousCommands];
    const unknown = Array.isArray(dangerousCommands) ? dangerousCommandSet(dangerousCommands).unknown : [];
    if (unknown.length > 0) {
        c.add(
            "rbac.dangerousCommands",
            `names ${unknown.map((u) => `'${u}'`).join(", ")}, which Redis does not know`,
            "name commands ('flushall'), subcommands ('client|kill') or categories ('@dangerous')",
        );
    }
    if (!supports(engine, engineVersion, "rbac")) {
        c.add(
            "rbac",
            `RBAC needs Redis ${featureMinimum(engine, "rbac")} or later`,
            "raise engineVersion or use an AUTH token",
        );
    }
    if (users.length === 0) {
        c.add("rbac.users", "no users", "list at least one user, or drop rbac to use an AUTH token");
    } else if (users.length > maxUsersPerUserGroup - 1) {
        c.add(
            "rbac.users",
            `${users.length} users; a user group holds at most ${maxUsersPerUserGroup} (AWS quota), one of them the component's disabled default user`,
            `list at most ${maxUsersPerUserGroup - 1} users`,
        );
    }
    const ids = new Map<string, number>();
    users.forEach((user, i) => {
        const arg = `rbac.users[${i}]`;
        if (!userNamePattern.test(user.userName)) {
            c.add(
                `${arg}.userName`,
                `'${user.userName}' is not a user name`,
                "use 1 to 40 letters, digits and hyphens, starting with a letter",
            );
        } else if (user.userName === "default") {
            c.add(
                `${arg}.userName`,
                "'default' is the open default user, which the component disables",
                "choose another name",
            );
        } else {
            const id = user.userName.toLowerCase();
            if (ids.has(id)) {
                c.add(
                    `${arg}.userName`,
                    `'${user.userName}' gives the same (lowercase) user ID as rbac.users[${ids.get(id)}]`,
                    "give each user its own name",
                );
            }
            ids.set(id, i);
        }
        if (user.accessString.trim() === "") {
            c.add(`${arg}.accessString`, "empty", "give the Redis ACL rules, for example 'on ~app:* +@read'");
        }
        for (const p of accessStringProblems(user.accessString, dangerous)) {
            c.add(`${arg}.accessString`, p.problem, p.fix);
        }
        const mode = user.authentication ?? "password";
        if (mode !== "password" && mode !== "iam") {
            c.add(`${arg}.authentication`, `'${mode}' is not allowed`, "use 'password' or 'iam'");
        } else if (mode === "iam" && user.userName !== user.userName.toLowerCase()) {
            c.add(
                `${arg}.userName`,
                `'${user.userName}' must be lowercase for IAM authentication, whose user ID must equal the user name`,
                `use '${user.userName.toLowerCase()}'`,
            );
        } else if (mode === "iam" && !supports(engine, engineVersion, "iamAuth")) {
            c.add(
                `${arg}.authentication`,
                `IAM authentication needs Redis ${featureMinimum(engine, "iamAuth")} or later`,
                "use 'password' or raise engineVersion",
            );
        }
    });
}
