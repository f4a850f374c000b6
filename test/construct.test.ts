// Issue 14, secrets across languages: what a program in Python, Go, .NET or YAML sends reaches the
// component only through Construct. The engine keeps none of those inputs itself
// (pkg/resource/deploy/source_eval.go, `resmon.RegisterResource`: for `remote` it calls
// `provider.Construct` and records no registerResourceEvent; the component's state is what the
// component registers and what it passes to RegisterResourceOutputs), so this test calls Construct
// on the real host, with a fake engine that records every registration, output, invoke and log
// line, and looks for the token in clear in all of them and in the Construct response.
import * as assert from "assert";
import { componentHost, ComponentHost, ConstructOutcome, lookups } from "./componentHost";
import { sig } from "../tools/mockrun";

const token = "hitrust-elasticache:index:HitrustRedis";
const replicationGroup = "aws:elasticache/replicationGroup:ReplicationGroup";
/** The wire signature of an Output value (sdk/nodejs/runtime/rpc.ts `specialOutputValueSig`). */
const outputValueSig = "d0e6a833031e9bbcd3f4e8bde6ca49a4";
const baseInputs = { vpcId: "vpc-123", subnetIds: ["subnet-a", "subnet-b", "subnet-c"] };

const secret = (value: unknown) => ({ [sig.key]: sig.secret, value });
const plainOutput = (value: unknown) => ({
    [sig.key]: outputValueSig,
    value,
    dependencies: ["urn:pulumi:dev::consumer::random:index/randomString:RandomString::t"],
});

/** A wire value that the engine treats as secret: a secret, or an Output value marked secret. */
function isSecretWire(value: unknown): value is { value?: unknown } {
    const v = value as Record<string, unknown> | null;
    return (
        typeof v === "object" &&
        v !== null &&
        (v[sig.key] === sig.secret || (v[sig.key] === outputValueSig && v.secret === true))
    );
}

/** Every place `needle` occurs outside a secret, as JSON paths. */
function clearOccurrences(value: unknown, needle: string, at = "$", found: string[] = []): string[] {
    if (typeof value === "string") {
        if (value.includes(needle)) {
            found.push(at);
        }
    } else if (Array.isArray(value)) {
        value.forEach((v, i) => clearOccurrences(v, needle, `${at}[${i}]`, found));
    } else if (value !== null && typeof value === "object" && !isSecretWire(value)) {
        for (const [k, v] of Object.entries(value)) {
            clearOccurrences(v, needle, `${at}.${k}`, found);
        }
    }
    return found;
}

/** Asserts the token is nowhere in clear: registrations, outputs, invokes, logs, response, error. */
function assertNeverInClear(outcome: ConstructOutcome, tokenValue: string): void {
    const { record } = outcome;
    const places: Record<string, unknown> = {
        registrations: record.registrations,
        outputs: record.outputs,
        invokes: record.invokes,
        // Not DEBUG lines: the Node SDK itself logs each RegisterResource response at DEBUG
        // (runtime/resource.ts, "RegisterResource RPC finished: ... resp: ${innerResponse}"), secrets
        // included, for every program that uses secrets; `pulumi --debug` shows them.
        logs: record.logs.filter((l) => l.severity > 0),
        response: outcome.state ?? {},
        error: outcome.error ?? "",
    };
    for (const [where, value] of Object.entries(places)) {
        const paths = clearOccurrences(value, tokenValue);
        const text = JSON.stringify(value);
        const at = text.indexOf(tokenValue);
        const shown = text
            .slice(Math.max(0, at - 400), at + 100)
            .split(tokenValue)
            .join("<TOKEN>");
        assert.deepStrictEqual(paths, [], `the token is in clear in the ${where}: ${shown}`);
    }
}

/** The problems the component reported, from the Construct error or the engine's error log. */
function reported(outcome: ConstructOutcome): string {
    return [outcome.error ?? "", ...outcome.record.logs.filter((l) => l.severity >= 3).map((l) => l.message)].join(
        "\n",
    );
}

describe("Issue 14: a token from another language through Construct (run-plugin and a fake engine)", function () {
    this.timeout(300000);
    let host: ComponentHost;
    before(async () => {
        host = await componentHost();
    });
    // The last case fails inside an apply, after Construct has started registering. The host keeps
    // such errors for the rest of its life (provider/server.ts answers every later in-flight call
    // with them), as one failed component fails the whole deployment; so it runs last. The token
    // checks that fail on resolve are tested under mocks in secrets.test.ts.

    it("refuses a plain authToken before registering anything, naming the fix in every language", async () => {
        const plain = "Plain-Token-From-Python-0123";
        const outcome = await host.construct(token, "plain", { ...baseInputs, authToken: plain });
        assert.ok(outcome.error, `Construct must fail:\n${host.stderr()}`);
        assert.match(outcome.error, /HitrustRedis 'plain' has invalid arguments/);
        assert.match(outcome.error, /authToken: is a plain value, not a secret/);
        for (const fix of [
            "pulumi.Output.secret(token)",
            "pulumi.ToSecret(token)",
            "Output.CreateSecret(token)",
            "fn::secret",
            "pulumi config set --secret",
            "authTokenSecret",
        ]) {
            assert.ok(outcome.error.includes(fix), `the error does not say ${fix}`);
        }
        assert.deepStrictEqual(outcome.record.registrations, [], "nothing may be registered");
        assertNeverInClear(outcome, plain);
    });

    it("authTokenSecret with authToken, or an ill-formed ID, is refused before anything is registered", async () => {
        const outcome = await host.construct(token, "both", {
            ...baseInputs,
            authToken: secret("Secret-Token-0123456789"),
            authTokenSecret: "not a secret name!",
        });
        assert.match(
            outcome.error ?? "",
            /authTokenSecret: set together with authToken; set either authToken or authTokenSecret, not both\./,
        );
        assert.match(
            outcome.error ?? "",
            /authTokenSecret: 'not a secret name!' is not a Secrets Manager secret ARN or name/,
        );
        assert.deepStrictEqual(outcome.record.registrations, []);
    });
    it("a secret authToken reaches the ReplicationGroup only as a secret, and nothing else in clear", async () => {
        const tokenValue = "Secret-Token-From-Go-0123456";
        const outcome = await host.construct(token, "secret", { ...baseInputs, authToken: secret(tokenValue) });
        assert.strictEqual(outcome.error, undefined, `${outcome.error}\n${host.stderr()}`);
        const component = outcome.record.registrations.find((r) => r.type === token);
        assert.ok(component, "the component registers itself");
        assert.deepStrictEqual(component.inputs, {}, "the component's state keeps no inputs");
        const groups = outcome.record.registrations.filter((r) => r.type === replicationGroup);
        assert.strictEqual(groups.length, 1);
        const sent = groups[0].inputs.authToken;
        assert.ok(isSecretWire(sent), `authToken reaches the ReplicationGroup as ${JSON.stringify(sent)}`);
        assert.strictEqual(sent.value, tokenValue);
        assert.ok(outcome.state && Object.keys(outcome.state).length > 0, "the response carries the outputs");
        assertNeverInClear(outcome, tokenValue);
    });

    it("authTokenSecret: the token read from Secrets Manager reaches the ReplicationGroup only as a secret", async () => {
        const tokenValue = "Token-Kept-In-Secrets-Manager-01";
        const secretArn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:cache-token-AbCdEf";
        lookups.secretValues[secretArn] = JSON.stringify({ authToken: tokenValue, note: "rotated by ops" });
        const outcome = await host.construct(token, "fromsm", { ...baseInputs, authTokenSecret: secretArn });
        assert.strictEqual(outcome.error, undefined, `${outcome.error}\n${host.stderr()}`);
        assert.ok(
            outcome.record.invokes.some(
                (i) =>
                    i.token === "aws:secretsmanager/getSecretVersion:getSecretVersion" && i.args.secretId === secretArn,
            ),
            "the component reads the secret",
        );
        const group = outcome.record.registrations.find((r) => r.type === replicationGroup);
        assert.ok(group && isSecretWire(group.inputs.authToken), "authToken must be a secret");
        assert.strictEqual(group.inputs.authToken.value, tokenValue);
        // The invoke's answer is the one place the value was plain; the invoke is not state.
        assertNeverInClear({ ...outcome, record: { ...outcome.record, invokes: [] } }, tokenValue);
    });

    it("refuses an authToken Output that is not secret when it resolves, and never registers it in clear", async () => {
        const tokenValue = "Unmarked-Output-Token-0123456";
        const outcome = await host.construct(token, "unmarked", { ...baseInputs, authToken: plainOutput(tokenValue) });
        assert.match(reported(outcome), /authToken: is a plain value, not a secret/);
        const groups = outcome.record.registrations.filter((r) => r.type === replicationGroup);
        assert.deepStrictEqual(groups, [], "the ReplicationGroup must not be registered with it");
        assertNeverInClear(outcome, tokenValue);
    });
});
