// Issue 14, secrets across languages: the checks behind construct.test.ts, as pure functions and
// under mocks, with their exact messages. `fromOtherLanguage` stands for the component host
// (component/host.ts), which construct.test.ts exercises for real.
import * as assert from "assert";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import {
    authTokenSecretIdProblem,
    formatProblem,
    plainAuthTokenProblem,
    resolveSettings,
    secretOnResolve,
    tokenFromSecretString,
    ValidationError,
} from "../component/validate";
import { HitrustRedisArgs } from "../component/args";
import { servedToOtherLanguages } from "../component/host";
import { runUnderMocks } from "../tools/mockrun";
import { baseArgs, runComponent } from "./helpers";

const plainProblem = formatProblem(plainAuthTokenProblem);

function problems(args: Record<string, unknown>, fromOtherLanguage: boolean): string[] {
    try {
        resolveSettings("cache", { ...baseArgs, ...args } as HitrustRedisArgs, { fromOtherLanguage });
        return [];
    } catch (e) {
        assert.ok(e instanceof ValidationError, String(e));
        return e.problems;
    }
}

describe("Issue 14: credentials from other languages", () => {
    it("this test process is not the component host", () => {
        assert.strictEqual(servedToOtherLanguages(), false);
    });

    it("refuses a plain authToken from another language, with the fix in every language", () => {
        assert.deepStrictEqual(problems({ authToken: "Plain-Token-0123456789" }, true), [plainProblem]);
        for (const fix of ["pulumi.Output.secret(", "pulumi.ToSecret(", "Output.CreateSecret(", "fn::secret"]) {
            assert.ok(plainProblem.includes(fix), fix);
        }
    });

    it("keeps a TypeScript caller's plain authToken: the component registers no inputs and marks it secret", async () => {
        assert.deepStrictEqual(problems({ authToken: "Plain-Token-0123456789" }, false), []);
        const result = await runComponent({ authToken: "Plain-Token-0123456789" });
        const component = result.resources.find((r) => r.type === "hitrust-elasticache:index:HitrustRedis");
        assert.deepStrictEqual(component?.inputs, {});
    });

    it("accepts an Output from another language (checked on resolve) and authTokenSecret as a plain name", () => {
        assert.deepStrictEqual(problems({ authToken: pulumi.secret("Secret-Token-0123456789") }, true), []);
        assert.deepStrictEqual(problems({ authTokenSecret: "cache/token" }, true), []);
    });

    async function resolved(value: pulumi.Input<string>): Promise<string[]> {
        const result = await runUnderMocks(
            () => {
                const checked = secretOnResolve("cache", value, plainProblem);
                new aws.ec2.SecurityGroup("probe", { description: checked });
            },
            { preview: true },
        );
        return result.errors.map((e) => e.message);
    }

    it("secretOnResolve refuses an Output that is not secret, even in preview, and passes a secret one", async () => {
        const refused = await resolved(pulumi.output("Unmarked-Token-0123456789"));
        assert.ok(
            refused.some((m) => m.endsWith(`HitrustRedis 'cache' has invalid arguments:\n  - ${plainProblem}`)),
            refused.join("\n"),
        );
        assert.ok(!refused.join("\n").includes("Unmarked-Token-0123456789"), "the token is echoed");
        assert.deepStrictEqual(await resolved(pulumi.secret("Secret-Token-0123456789")), []);
        assert.strictEqual(secretOnResolve("cache", "plain", plainProblem), "plain");
    });

    const refusals: [string, Record<string, unknown>, string[]][] = [
        [
            "authTokenSecret with authToken",
            { authToken: "Valid-Token-0123456789", authTokenSecret: "cache/token" },
            ["authTokenSecret: set together with authToken; set either authToken or authTokenSecret, not both."],
        ],
        [
            "authTokenSecret with rbac",
            {
                authTokenSecret: "cache/token",
                rbac: { users: [{ userName: "app", accessString: "on ~app:* +@read -@dangerous" }] },
            },
            [
                "authTokenSecret: set together with rbac; set either authTokenSecret or rbac, not both: RBAC users get generated passwords.",
            ],
        ],
        [
            "an authTokenSecret that is no name or ARN",
            { authTokenSecret: "arn:aws:s3:::bucket" },
            [
                "authTokenSecret: 'arn:aws:s3:::bucket' is not a Secrets Manager secret ARN or name; pass the ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>) or the name of the secret.",
            ],
        ],
    ];
    for (const [label, args, expected] of refusals) {
        it(`refuses ${label}`, () => assert.deepStrictEqual(problems(args, false), expected));
    }

    it("authTokenSecretIdProblem: names and ARNs as Secrets Manager writes them", () => {
        for (const ok of [
            "cache/token",
            "prod_cache+token=1.a@b-c",
            "arn:aws:secretsmanager:us-east-1:123456789012:secret:cache/token-AbCdEf",
            "arn:aws-us-gov:secretsmanager:us-gov-west-1:123456789012:secret:t",
        ]) {
            assert.strictEqual(authTokenSecretIdProblem(ok), undefined, ok);
        }
        for (const bad of ["", "has space", "x".repeat(513), "arn:aws:secretsmanager:us-east-1:1234:secret:t", 7]) {
            assert.ok(authTokenSecretIdProblem(bad), String(bad));
        }
    });

    it("tokenFromSecretString: the text itself or JSON's authToken; problems never echo the value", () => {
        assert.deepStrictEqual(tokenFromSecretString("Text-Token-0123456789"), {
            token: "Text-Token-0123456789",
            problems: [],
        });
        assert.deepStrictEqual(tokenFromSecretString(JSON.stringify({ authToken: "Json-Token-0123456789", a: 1 })), {
            token: "Json-Token-0123456789",
            problems: [],
        });
        const layout = 'store the token as the secret\'s text, or as JSON {"authToken": "..."}.';
        assert.deepStrictEqual(tokenFromSecretString(JSON.stringify({ password: "Other-Key-0123456789" })).problems, [
            `authTokenSecret: the secret's text is a JSON object without an \`authToken\` string; ${layout}`,
        ]);
        assert.deepStrictEqual(tokenFromSecretString(undefined).problems, [
            `authTokenSecret: the secret has no text value (SecretString); ${layout}`,
        ]);
        const short = tokenFromSecretString("Short-Tok1");
        assert.strictEqual(short.token, undefined);
        assert.match(short.problems[0], /^authTokenSecret: the token it holds must be 16 to 128 characters long/);
        assert.ok(!short.problems.join().includes("Short-Tok1"));
    });
});
