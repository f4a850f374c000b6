import * as assert from "assert";
import { isCidr, isInternetCidr } from "../core/checks";
import {
    admitsPublicAddresses,
    admitsWholeInternet,
    describeCoverage,
    parseCidr,
    publicAddressCoverage,
} from "../core/cidr";

// Public space: IANA special-purpose registries (RFC 6890) for what is not public; IPv6 public space
// is the global unicast block 2000::/3. The expected values below are worked out by hand.
describe("core/cidr: CIDR sets judged by what they cover", () => {
    const whole: [string, string[]][] = [
        ["0.0.0.0/0", ["0.0.0.0/0"]],
        ["::/0", ["::/0"]],
        ["two IPv4 halves", ["0.0.0.0/1", "128.0.0.0/1"]],
        ["two IPv6 halves", ["::/1", "8000::/1"]],
        ["the issue's four pieces", ["0.0.0.0/1", "128.0.0.0/1", "::/1", "8000::/1"]],
        ["IPv6 global unicast alone", ["2000::/3"]],
        ["0.0.0.0/0 with host bits", ["1.2.3.4/0"]],
        [
            "the public IPv4 space without the private blocks",
            [
                "0.0.0.0/5",
                "8.0.0.0/7",
                "11.0.0.0/8",
                "12.0.0.0/6",
                "16.0.0.0/4",
                "32.0.0.0/3",
                "64.0.0.0/2",
                "128.0.0.0/1",
            ],
        ],
        ["overlapping pieces", ["0.0.0.0/1", "64.0.0.0/2", "100.0.0.0/8", "128.0.0.0/1"]],
    ];
    for (const [label, cidrs] of whole) {
        it(`whole internet: ${label}`, () => {
            assert.strictEqual(admitsWholeInternet(cidrs), true);
        });
    }

    const partial: [string, string[]][] = [
        ["one IPv4 half", ["0.0.0.0/1"]],
        ["private ranges only", ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"]],
        ["IPv6 unique local", ["fc00::/7"]],
        ["a public /24", ["8.8.8.0/24"]],
        ["all but 208.0.0.0/4", ["0.0.0.0/1", "128.0.0.0/2", "192.0.0.0/4", "224.0.0.0/3"]],
    ];
    for (const [label, cidrs] of partial) {
        it(`not the whole internet: ${label}`, () => {
            assert.strictEqual(admitsWholeInternet(cidrs), false);
        });
    }

    it("counts the public addresses a set admits", () => {
        assert.strictEqual(publicAddressCoverage(["8.8.8.0/24"]).publicAddresses[4], 256n);
        assert.strictEqual(publicAddressCoverage(["8.8.8.0/24", "8.8.8.128/25"]).publicAddresses[4], 256n);
        assert.strictEqual(publicAddressCoverage(["10.0.0.0/8"]).publicAddresses[4], 0n);
        // 0.0.0.0/1 holds 2^31 addresses, of which 0/8, 10/8, 100.64/10 and 127/8 are not public.
        const half = 2n ** 31n - 3n * 2n ** 24n - 2n ** 22n;
        assert.strictEqual(publicAddressCoverage(["0.0.0.0/1"]).publicAddresses[4], half);
        assert.strictEqual(describeCoverage(publicAddressCoverage(["8.8.8.0/24"])), "256 public IPv4 addresses");
        assert.strictEqual(describeCoverage(publicAddressCoverage(["0.0.0.0/0"])), "100% of public IPv4");
        assert.strictEqual(describeCoverage(publicAddressCoverage(["10.0.0.0/8"])), "no public address");
    });

    it("tells public from private blocks", () => {
        assert.ok(admitsPublicAddresses("8.8.8.0/24"));
        assert.ok(admitsPublicAddresses("2600:1f18::/32"));
        assert.ok(!admitsPublicAddresses("10.1.0.0/16"));
        assert.ok(!admitsPublicAddresses("fd00::/8"));
        assert.ok(admitsPublicAddresses("172.0.0.0/8"), "172/8 is wider than 172.16/12");
    });

    const invalid = [
        ":::::/64",
        "1.2.3.4",
        "256.0.0.0/8",
        "10.0.0.0/33",
        "::/129",
        "10.0.0.0/ 8",
        "",
        "fe80::1%eth0/64",
    ];
    for (const cidr of invalid) {
        it(`refuses ${JSON.stringify(cidr)}`, () => {
            assert.strictEqual(parseCidr(cidr), undefined);
            assert.strictEqual(isCidr(cidr), false);
        });
    }

    it("reports invalid entries and ignores them in the sums", () => {
        const coverage = publicAddressCoverage([":::::/64", "0.0.0.0/1", 7]);
        assert.deepStrictEqual(coverage.invalid, [":::::/64", "7"]);
        assert.strictEqual(coverage.wholeInternet, false);
    });

    it("keeps core/checks' isInternetCidr on the same arithmetic", () => {
        assert.ok(isInternetCidr("0.0.0.0/0"));
        assert.ok(isInternetCidr("::/0"));
        assert.ok(isInternetCidr("2000::/3"));
        assert.ok(!isInternetCidr("0.0.0.0/1"));
        assert.ok(!isInternetCidr(":::::/0"));
    });

    it("parses IPv6 with an embedded IPv4 tail", () => {
        const range = parseCidr("::ffff:10.0.0.0/104");
        assert.ok(range);
        assert.strictEqual(range.first, 0xffff0a000000n);
    });
});
