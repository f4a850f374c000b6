// Issue 16, "Scale": the audit reads the caches of a Region side by side, each service bounded per
// Region by a limiter under AWS's documented rates (tools/audit/aws.ts, requestLimits), every
// throttle retried, and the same account gives the same inventory whatever the timing. Run through
// the real SDK stack against the whole-account stand-in of test/loopbackAccount.ts.
import * as assert from "assert";
import * as http from "http";
import * as os from "os";
import * as path from "path";
import * as fs from "fs";
import { AwsSession, RequestLimit, requestLimits, Semaphore, Service, TokenBucket } from "../tools/audit/aws";
import { discover } from "../tools/audit/discover";
import { AccountOptions, AccountStats, startAccount } from "./loopbackAccount";

const now = new Date("2026-11-29T09:00:00Z");
const region = "us-east-1";

/** The limits as shipped, with rates raised so that the test measures concurrency, not time. */
const fastLimits = Object.fromEntries(
    Object.entries(requestLimits ?? {}).map(([service, limit]) => [
        service,
        {
            ...limit!,
            perSecond: 1e6,
            burst: 1e6,
            operations: Object.fromEntries(
                Object.keys(limit!.operations ?? {}).map((op) => [op, { perSecond: 1e6, burst: 1e6, documented: 1e6 }]),
            ),
        },
    ]),
) as Partial<Record<Service, RequestLimit>>;

/** discover() against a fresh stand-in account, with the SDK's environment pointed at it. */
async function discoverAccount(account: Omit<AccountOptions, "regions" | "now">, limits = fastLimits) {
    const { server, url, stats } = await startAccount({ ...account, regions: [region], now });
    const saved = process.env;
    const home = fs.mkdtempSync(path.join(os.tmpdir(), "audit-scale-"));
    process.env = {
        PATH: saved.PATH,
        HOME: home,
        AWS_ENDPOINT_URL: url,
        AWS_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE",
        AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        AWS_CONFIG_FILE: path.join(home, "config"),
        AWS_SHARED_CREDENTIALS_FILE: path.join(home, "credentials"),
        AWS_EC2_METADATA_DISABLED: "true",
    };
    const session = new AwsSession({ now: () => now, limits });
    try {
        const inventory = await discover(session, { regions: [region], archiveRetentionDays: 2190, exportDays: 7 });
        return { inventory, session, stats };
    } finally {
        session.destroy();
        process.env = saved;
        await new Promise<void>((resolve) => (server as http.Server).close(() => resolve()));
    }
}

describe("Issue 16: the audit at scale (bounded concurrency per service and Region)", () => {
    let stats: AccountStats;
    let session: AwsSession;
    let inventory: Awaited<ReturnType<typeof discover>>;
    before(async () => {
        ({ stats, session, inventory } = await discoverAccount({ caches: 30, latencyMs: 15 }));
    });

    it("reads the caches of a Region side by side: more than one request in flight per service", () => {
        assert.strictEqual(inventory.caches.length, 30);
        assert.deepStrictEqual(stats.unknown, {}, "every request answered by the stand-in");
        for (const service of ["elasticache", "ec2", "kms", "logs", "s3", "secretsmanager", "sns"]) {
            assert.ok(
                stats.peakInFlight[`${service}@${region}`] > 1,
                `${service}: ${stats.peakInFlight[`${service}@${region}`]} in flight at most`,
            );
        }
    });

    it("never has more requests of a service in flight in a Region than its limit", () => {
        for (const [key, peak] of Object.entries(stats.peakInFlight)) {
            const service = key.split("@")[0] as Service;
            const limit = requestLimits[service];
            assert.ok(limit, `${service} has a limit`);
            assert.ok(peak <= limit.concurrency, `${key}: ${peak} in flight, limit ${limit.concurrency}`);
            assert.ok(session.limiters.get(key)!.slots.peak <= limit.concurrency, key);
        }
    });

    it("gives the same inventory whatever the timing (results in the order AWS lists the caches)", async () => {
        // Another run where every answer takes a different time: replies arrive in another order.
        const again = await discoverAccount({ caches: 30, latencyMs: 1 });
        assert.deepStrictEqual(
            again.inventory.caches.map((c) => c.id),
            inventory.caches.map((c) => c.id),
        );
        assert.deepStrictEqual(again.inventory, inventory);
        assert.deepStrictEqual(
            inventory.caches.map((c) => c.id),
            [...inventory.caches.map((c) => c.id)].sort(),
            "the caches in the order DescribeReplicationGroups listed them",
        );
    });

    it("retries every throttled request to success (the SDK's standard retry, inside the limiter)", async () => {
        const throttled = await discoverAccount({ caches: 12, latencyMs: 5, throttleOnce: ["ec2", "kms", "logs"] });
        assert.ok(throttled.stats.throttled >= 12 * 3, `${throttled.stats.throttled} throttled answers`);
        assert.strictEqual(throttled.session.throttled, throttled.stats.throttled, "each throttle counted once");
        assert.ok(throttled.session.calls.every((c) => c.outcome === "ok"));
        const retried = throttled.session.calls.filter((c) => (c.attempts ?? 1) > 1);
        assert.ok(retried.length > 0 && retried.every((c) => ["ec2", "kms", "logs"].includes(c.service)));
        assert.deepStrictEqual(throttled.inventory.gaps, []);
        assert.strictEqual(throttled.inventory.caches.length, 12);
    });
});

describe("Issue 16: the request limits (tools/audit/aws.ts)", () => {
    it("cover every service the discovery reads, each with its source and under the documented rate", () => {
        for (const service of [
            "elasticache",
            "ec2",
            "kms",
            "s3",
            "logs",
            "cloudtrail",
            "cloudwatch",
            "sns",
            "secretsmanager",
            "config",
        ] as Service[]) {
            const limit = requestLimits[service];
            assert.ok(limit, service);
            assert.match(limit.source, /^https:\/\/docs\.aws\.amazon\.com\//, service);
            assert.ok(limit.concurrency >= 1 && limit.perSecond > 0 && limit.burst >= 1, service);
            if (limit.documented !== undefined) {
                assert.ok(limit.perSecond < limit.documented, `${service}: ${limit.perSecond}/s >= documented`);
            }
            for (const [op, rate] of Object.entries(limit.operations ?? {})) {
                assert.ok(rate.perSecond < rate.documented, `${service}:${op}`);
            }
        }
        // EC2: the documented bucket of a non-mutating action refills at 20 per second, per API.
        assert.ok(requestLimits.ec2!.perOperation && requestLimits.ec2!.perSecond < 20);
        // CloudWatch Logs: DescribeLogGroups 10 TPS, DescribeLogStreams 25 TPS.
        assert.ok(requestLimits.logs!.operations!.DescribeLogGroups.perSecond < 10);
        assert.ok(requestLimits.logs!.operations!.DescribeLogStreams.perSecond < 25);
    });

    it("a token bucket lets `burst` requests through at once, then `perSecond`", async () => {
        let clock = 0;
        const bucket = new TokenBucket(
            10,
            5,
            () => clock,
            async (ms) => void (clock += ms),
        );
        const times: number[] = [];
        for (let i = 0; i < 25; i++) {
            await bucket.take();
            times.push(clock);
        }
        assert.deepStrictEqual(times.slice(0, 5), [0, 0, 0, 0, 0]);
        // 20 more at 10 per second: two seconds.
        assert.ok(times[24] >= 2000 && times[24] <= 2100, String(times[24]));
        for (let i = 0; i < times.length; i++) {
            const inOneSecond = times.filter((t) => t >= times[i] && t < times[i] + 1000).length;
            assert.ok(inOneSecond <= 5 + 10, `${inOneSecond} requests within a second`);
        }
    });

    it("a semaphore holds at most its limit and serves waiters in order", async () => {
        const slots = new Semaphore(2);
        const order: number[] = [];
        const releases = await Promise.all([slots.acquire(), slots.acquire()]);
        const waiting = [3, 4].map((n) => slots.acquire().then((release) => (order.push(n), release)));
        assert.deepStrictEqual(order, []);
        releases[0]();
        releases[1]();
        (await Promise.all(waiting)).forEach((release) => release());
        assert.deepStrictEqual(order, [3, 4]);
        assert.strictEqual(slots.peak, 2);
    });
});
