// CIDR blocks judged by the addresses they cover, not by their text: "0.0.0.0/1" + "128.0.0.0/1"
// is the whole IPv4 internet although neither ends in /0. Syntax is Node's own (`net.isIP`).
import { isIP } from "net";

export interface CidrRange {
    readonly family: 4 | 6;
    /** First and last address covered, as integers. */
    readonly first: bigint;
    readonly last: bigint;
}

function ipv4ToBigInt(address: string): bigint {
    return address.split(".").reduce((acc, octet) => (acc << 8n) | BigInt(Number(octet)), 0n);
}

function ipv6ToBigInt(address: string): bigint {
    // An embedded IPv4 tail ("::ffff:10.0.0.1") stands for the last two groups.
    let text = address;
    const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
    if (v4) {
        const n = ipv4ToBigInt(v4[1]);
        text = `${text.slice(0, v4.index)}${(n >> 16n).toString(16)}:${(n & 0xffffn).toString(16)}`;
    }
    const [head, tail] = text.split("::");
    const headGroups = head === "" ? [] : head.split(":");
    const tailGroups = tail === undefined || tail === "" ? [] : tail.split(":");
    const groups =
        tail === undefined
            ? headGroups
            : [...headGroups, ...Array<string>(8 - headGroups.length - tailGroups.length).fill("0"), ...tailGroups];
    return groups.reduce((acc, group) => (acc << 16n) | BigInt(parseInt(group, 16)), 0n);
}

/** The range a CIDR block covers, or undefined when it is not `address/prefix` with a valid address and prefix. */
export function parseCidr(text: string): CidrRange | undefined {
    const match = /^([^/\s]+)\/(\d{1,3})$/.exec(text);
    if (!match) {
        return undefined;
    }
    const family = isIP(match[1]);
    const prefix = Number(match[2]);
    const width = family === 4 ? 32 : 128;
    if (family === 0 || prefix > width || (match[2].length > 1 && match[2].startsWith("0"))) {
        return undefined;
    }
    const value = family === 4 ? ipv4ToBigInt(match[1]) : ipv6ToBigInt(match[1]);
    const hostBits = BigInt(width - prefix);
    const first = (value >> hostBits) << hostBits;
    return { family: family as 4 | 6, first, last: first + (1n << hostBits) - 1n };
}

/**
 * Address space that is not reachable from the internet: RFC 1918 and RFC 6598 (shared address
 * space, which VPCs may use) for IPv4, RFC 4193 unique local addresses for IPv6. Everything else,
 * including a VPC's own Amazon-provided IPv6 block, is public address space.
 */
export const privateRanges: readonly string[] = [
    "10.0.0.0/8",
    "172.16.0.0/12",
    "192.168.0.0/16",
    "100.64.0.0/10",
    "fc00::/7",
];
const privateParsed = privateRanges.map((r) => parseCidr(r)!);

/** True when every address of the range lies in one private range. */
export function isPrivateRange(range: CidrRange): boolean {
    return privateParsed.some((p) => p.family === range.family && range.first >= p.first && range.last <= p.last);
}

/** The public addresses a set of blocks admits, per family, counting overlaps once. */
export function publicAddressCoverage(ranges: readonly CidrRange[]): { ipv4: bigint; ipv6: bigint } {
    const count = (family: 4 | 6): bigint => {
        // Merge the blocks, then subtract the private ranges they contain.
        const sorted = ranges
            .filter((r) => r.family === family)
            .sort((a, b) => (a.first < b.first ? -1 : a.first > b.first ? 1 : 0));
        const merged: { first: bigint; last: bigint }[] = [];
        for (const r of sorted) {
            const top = merged[merged.length - 1];
            if (top && r.first <= top.last + 1n) {
                top.last = r.last > top.last ? r.last : top.last;
            } else {
                merged.push({ first: r.first, last: r.last });
            }
        }
        let total = 0n;
        for (const m of merged) {
            total += m.last - m.first + 1n;
            for (const p of privateParsed.filter((q) => q.family === family)) {
                const lo = m.first > p.first ? m.first : p.first;
                const hi = m.last < p.last ? m.last : p.last;
                if (lo <= hi) {
                    total -= hi - lo + 1n;
                }
            }
        }
        return total;
    };
    return { ipv4: count(4), ipv6: count(6) };
}

/** Every address of a family: 2^32 for IPv4, 2^128 for IPv6. */
export function familySize(family: 4 | 6): bigint {
    return 1n << (family === 4 ? 32n : 128n);
}
