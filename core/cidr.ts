// CIDR sets judged by what they cover: how much of the public address space a list of blocks
// admits in total, so "0.0.0.0/1" + "128.0.0.0/1" is recognised as the whole internet just as
// "0.0.0.0/0" is. Shared by the component (to refuse arguments) and the policy pack (to reject
// security group rules). Addresses are validated with node's `net.isIP`.
import { isIP } from "net";

export type Family = 4 | 6;

export interface CidrRange {
    readonly family: Family;
    readonly first: bigint;
    readonly last: bigint;
    readonly prefix: number;
}

const widths: Record<Family, number> = { 4: 32, 6: 128 };

function ipv4ToBigInt(address: string): bigint {
    return address.split(".").reduce((acc, octet) => (acc << 8n) | BigInt(Number(octet)), 0n);
}

function ipv6ToBigInt(address: string): bigint {
    let text = address;
    // An embedded IPv4 tail ("::ffff:1.2.3.4") becomes two hextets.
    const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
    if (v4) {
        const n = ipv4ToBigInt(v4[1]);
        text = `${text.slice(0, v4.index)}${(n >> 16n).toString(16)}:${(n & 0xffffn).toString(16)}`;
    }
    const [head, tail] = text.includes("::") ? text.split("::") : [text, undefined];
    const headParts = head === "" ? [] : head.split(":");
    const tailParts = tail === undefined || tail === "" ? [] : tail.split(":");
    const missing = 8 - headParts.length - tailParts.length;
    const parts = [...headParts, ...(tail === undefined ? [] : Array(missing).fill("0")), ...tailParts];
    return parts.reduce((acc, hextet) => (acc << 16n) | BigInt(parseInt(hextet, 16)), 0n);
}

/**
 * Parses "10.0.0.0/16" or "2001:db8::/32" into the range of addresses it covers; undefined when the
 * address is not one `net.isIP` accepts (so ":::::/64" is refused) or the prefix is out of range.
 * Host bits after the prefix are ignored, as EC2 does not accept them but the range is the same.
 */
export function parseCidr(cidr: unknown): CidrRange | undefined {
    if (typeof cidr !== "string") {
        return undefined;
    }
    const match = /^([^/\s]+)\/(\d{1,3})$/.exec(cidr);
    if (!match) {
        return undefined;
    }
    // net.isIP accepts zone IDs ("fe80::1%eth0"), which no CIDR block carries.
    const family = /^[0-9a-fA-F:.]+$/.test(match[1]) ? isIP(match[1]) : 0;
    if (family !== 4 && family !== 6) {
        return undefined;
    }
    const prefix = Number(match[2]);
    const width = widths[family];
    if (prefix > width) {
        return undefined;
    }
    const address = family === 4 ? ipv4ToBigInt(match[1]) : ipv6ToBigInt(match[1]);
    const hostBits = BigInt(width - prefix);
    const first = (address >> hostBits) << hostBits;
    return { family, first, last: first + (1n << hostBits) - 1n, prefix };
}

/** The block's network address in the shortest form (`10.0.0.0/16`, `2001:db8::/32`). */
export function formatCidr(range: CidrRange): string {
    if (range.family === 4) {
        const octets = [24n, 16n, 8n, 0n].map((shift) => String((range.first >> shift) & 0xffn));
        return `${octets.join(".")}/${range.prefix}`;
    }
    const hextets = Array.from({ length: 8 }, (_, i) => Number((range.first >> BigInt(112 - 16 * i)) & 0xffffn));
    // RFC 5952: the longest run of two or more zero hextets (the first, on a tie) becomes "::".
    let best = { at: -1, length: 1 };
    for (let i = 0; i < 8;) {
        let j = i;
        while (j < 8 && hextets[j] === 0) {
            j++;
        }
        if (j - i > best.length) {
            best = { at: i, length: j - i };
        }
        i = j === i ? i + 1 : j;
    }
    const hex = hextets.map((h) => h.toString(16));
    const text =
        best.at < 0
            ? hex.join(":")
            : `${hex.slice(0, best.at).join(":")}::${hex.slice(best.at + best.length).join(":")}`;
    return `${text}/${range.prefix}`;
}

/**
 * The network block meant when `cidr` has bits set after its prefix ("10.0.0.1/16" means
 * "10.0.0.0/16"), or undefined when it has none or does not parse. The provider refuses such a
 * block before AWS sees it: terraform-provider-aws `ValidateCIDRBlock` (internal/types/cidr.go),
 * the type of `cidr_ipv4`/`cidr_ipv6` on aws.vpc.SecurityGroupIngressRule, fails with "%q is not a
 * valid CIDR block; did you mean %q?" unless the text equals its network's own CIDR.
 */
export function cidrWithHostBits(cidr: unknown): string | undefined {
    const range = parseCidr(cidr);
    if (range === undefined) {
        return undefined;
    }
    const address = (cidr as string).slice(0, (cidr as string).indexOf("/"));
    const value = range.family === 4 ? ipv4ToBigInt(address) : ipv6ToBigInt(address);
    return value === range.first ? undefined : formatCidr(range);
}

/** A valid IPv4 or IPv6 CIDR block. */
export function isValidCidr(cidr: unknown): boolean {
    return parseCidr(cidr) !== undefined;
}

function ranges(cidrs: readonly string[], family: Family): [bigint, bigint][] {
    return cidrs
        .map(parseCidr)
        .filter((r): r is CidrRange => r !== undefined && r.family === family)
        .map((r) => [r.first, r.last]);
}

/** Sorted, non-overlapping union of ranges. */
function union(list: [bigint, bigint][]): [bigint, bigint][] {
    const sorted = [...list].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    const out: [bigint, bigint][] = [];
    for (const [first, last] of sorted) {
        const previous = out[out.length - 1];
        if (previous && first <= previous[1] + 1n) {
            if (last > previous[1]) {
                previous[1] = last;
            }
        } else {
            out.push([first, last]);
        }
    }
    return out;
}

/** Number of addresses in the intersection of two unions. */
function overlap(a: [bigint, bigint][], b: [bigint, bigint][]): bigint {
    let total = 0n;
    let i = 0;
    let j = 0;
    while (i < a.length && j < b.length) {
        const first = a[i][0] > b[j][0] ? a[i][0] : b[j][0];
        const last = a[i][1] < b[j][1] ? a[i][1] : b[j][1];
        if (first <= last) {
            total += last - first + 1n;
        }
        if (a[i][1] < b[j][1]) {
            i++;
        } else {
            j++;
        }
    }
    return total;
}

function size(list: [bigint, bigint][]): bigint {
    return list.reduce((sum, [first, last]) => sum + (last - first + 1n), 0n);
}

function subtract(from: [bigint, bigint][], remove: [bigint, bigint][]): [bigint, bigint][] {
    let current = from;
    for (const [rf, rl] of remove) {
        const next: [bigint, bigint][] = [];
        for (const [f, l] of current) {
            if (rl < f || rf > l) {
                next.push([f, l]);
                continue;
            }
            if (rf > f) {
                next.push([f, rf - 1n]);
            }
            if (rl < l) {
                next.push([rl + 1n, l]);
            }
        }
        current = next;
    }
    return current;
}

/**
 * Address blocks that are not public internet addresses, from the IANA special-purpose registries
 * (RFC 6890): https://www.iana.org/assignments/iana-ipv4-special-registry/ and
 * https://www.iana.org/assignments/iana-ipv6-special-registry/. IPv6 public space is the global
 * unicast block 2000::/3 (https://www.iana.org/assignments/ipv6-unicast-address-assignments/) less
 * its documentation prefix.
 */
export const nonPublicIpv4 = [
    "0.0.0.0/8",
    "10.0.0.0/8",
    "100.64.0.0/10",
    "127.0.0.0/8",
    "169.254.0.0/16",
    "172.16.0.0/12",
    "192.0.0.0/24",
    "192.0.2.0/24",
    "192.88.99.0/24",
    "192.168.0.0/16",
    "198.18.0.0/15",
    "198.51.100.0/24",
    "203.0.113.0/24",
    "224.0.0.0/4",
    "240.0.0.0/4",
];
export const publicIpv6Space = "2000::/3";
export const nonPublicIpv6Within = ["2001:db8::/32"];

/**
 * The public address space of each family and its size, computed on first use: every policy pack
 * process loads this module at start-up, and most never judge a CIDR block.
 */
let publicSpaceCache: { space: Record<Family, [bigint, bigint][]>; size: Record<Family, bigint> } | undefined;
function publicAddressSpace(): { space: Record<Family, [bigint, bigint][]>; size: Record<Family, bigint> } {
    if (publicSpaceCache === undefined) {
        const space: Record<Family, [bigint, bigint][]> = {
            4: subtract(union(ranges(["0.0.0.0/0"], 4)), union(ranges(nonPublicIpv4, 4))),
            6: subtract(union(ranges([publicIpv6Space], 6)), union(ranges(nonPublicIpv6Within, 6))),
        };
        publicSpaceCache = { space, size: { 4: size(space[4]), 6: size(space[6]) } };
    }
    return publicSpaceCache;
}

export interface PublicCoverage {
    /** Share (0..1) of public IPv4 space the blocks admit together. */
    readonly ipv4: number;
    /** Share (0..1) of public IPv6 space the blocks admit together. */
    readonly ipv6: number;
    /** True when the blocks together admit every public IPv4 address or every public IPv6 address. */
    readonly wholeInternet: boolean;
    /** Public addresses admitted, per family (exact). */
    readonly publicAddresses: { readonly 4: bigint; readonly 6: bigint };
    /** Entries that are not valid CIDR blocks (ignored in the sums). */
    readonly invalid: readonly string[];
}

function share(part: bigint, whole: bigint): number {
    // Exact to one part in a million, enough for messages; "whole" is decided on the exact counts.
    return Number((part * 1_000_000n) / whole) / 1_000_000;
}

/** How much of the public address space a set of CIDR blocks admits, in total. */
export function publicAddressCoverage(cidrs: readonly unknown[]): PublicCoverage {
    const { space: publicSpace, size: publicSize } = publicAddressSpace();
    const valid = cidrs.filter((c): c is string => isValidCidr(c));
    const invalid = cidrs.filter((c) => !isValidCidr(c)).map((c) => String(c));
    const admitted = {
        4: overlap(union(ranges(valid, 4)), publicSpace[4]),
        6: overlap(union(ranges(valid, 6)), publicSpace[6]),
    };
    return {
        ipv4: share(admitted[4], publicSize[4]),
        ipv6: share(admitted[6], publicSize[6]),
        wholeInternet: admitted[4] === publicSize[4] || admitted[6] === publicSize[6],
        publicAddresses: admitted,
        invalid,
    };
}

/** True when the blocks, taken together, admit every public IPv4 or every public IPv6 address. */
export function admitsWholeInternet(cidrs: readonly unknown[]): boolean {
    return publicAddressCoverage(cidrs).wholeInternet;
}

/** True when a single block admits any public address (8.8.8.0/24 does; 10.0.0.0/8 does not). */
export function admitsPublicAddresses(cidr: unknown): boolean {
    const coverage = publicAddressCoverage([cidr]);
    return coverage.publicAddresses[4] > 0n || coverage.publicAddresses[6] > 0n;
}

/** "100% of public IPv4", "256 public IPv4 addresses", "no public address", for messages. */
export function describeCoverage(coverage: PublicCoverage): string {
    const parts: string[] = [];
    for (const family of [4, 6] as const) {
        const count = coverage.publicAddresses[family];
        const fraction = family === 4 ? coverage.ipv4 : coverage.ipv6;
        if (count === 0n) {
            continue;
        }
        parts.push(
            fraction >= 0.001
                ? `${Number((fraction * 100).toPrecision(3))}% of public IPv${family}`
                : `${count} public IPv${family} address${count === 1n ? "" : "es"}`,
        );
    }
    return parts.length > 0 ? parts.join(" and ") : "no public address";
}
