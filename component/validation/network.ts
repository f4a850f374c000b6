// Network arguments: the VPC, the subnets, and who may connect (security groups and CIDR blocks),
// with the AWS quotas that bound how many of each a subnet group or security group can hold.
import {
    admitsWholeInternet,
    cidrWithHostBits,
    CidrRange,
    describeCoverage,
    parseCidr,
    publicAddressCoverage,
} from "../../core/cidr";
import { ProblemCollector } from "./problems";
import { isEventual } from "./shape";

/**
 * "Subnets per subnet group": 20 (Amazon ElastiCache endpoints and quotas,
 * https://docs.aws.amazon.com/general/latest/gr/elasticache-service.html).
 */
export const maxSubnetsPerSubnetGroup = 20;
/**
 * "Inbound or outbound rules per security group": 60, counted separately for IPv4 and IPv6; a rule
 * that references a security group counts against both (Amazon VPC quotas, Security groups,
 * https://docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html#vpc-limits-security-groups).
 */
export const maxInboundRulesPerSecurityGroup = 60;

export interface NetworkArgs {
    vpcId?: unknown;
    subnetIds?: unknown[];
    allowedSecurityGroupIds?: unknown[];
    allowedCidrBlocks?: string[];
}

/** Why a resolved ID is refused ("" or the wrong kind of ID), or undefined. */
export function idProblem(value: unknown, prefix: string, what: string): { problem: string; fix: string } | undefined {
    if (typeof value !== "string") {
        return { problem: `${valueText(value)} is not text`, fix: `pass the ${what}'s ID (${prefix}...)` };
    }
    if (value.trim() === "") {
        return { problem: "empty", fix: `pass the ${what}'s ID (${prefix}...)` };
    }
    if (!value.startsWith(prefix)) {
        return {
            problem: `'${value}' is not a ${what} ID`,
            fix: `pass the ${what}'s ID, which starts with '${prefix}'`,
        };
    }
    return undefined;
}

function valueText(value: unknown): string {
    return value === null
        ? "null"
        : value === undefined
          ? "undefined"
          : typeof value === "object"
            ? "an object"
            : `the ${typeof value} ${String(value)}`;
}

export function checkNetwork(args: NetworkArgs, c: ProblemCollector): void {
    if (args.vpcId !== undefined && !isEventual(args.vpcId)) {
        const problem = idProblem(args.vpcId, "vpc-", "VPC");
        if (problem) {
            c.add("vpcId", problem.problem, "pass the ID of the VPC that holds the cache's subnets");
        }
    }

    const subnets = args.subnetIds;
    if (subnets !== undefined) {
        if (subnets.length < 2) {
            c.add(
                "subnetIds",
                `${subnets.length} subnet${subnets.length === 1 ? "" : "s"} given`,
                "pass private subnets in at least two availability zones",
            );
        } else if (subnets.length > maxSubnetsPerSubnetGroup) {
            c.add(
                "subnetIds",
                `${subnets.length} subnets given; a cache subnet group holds at most ${maxSubnetsPerSubnetGroup} (AWS quota)`,
                `pass at most ${maxSubnetsPerSubnetGroup}, for example one or two per availability zone`,
            );
        }
        checkIds("subnetIds", subnets, "subnet-", "subnet", c);
    }

    const groups = args.allowedSecurityGroupIds ?? [];
    checkIds("allowedSecurityGroupIds", groups, "sg-", "security group", c);

    // Judged by the addresses covered, with the same function the policy pack uses (core/cidr.ts),
    // so the component and the pack agree on what is public.
    const cidrs = args.allowedCidrBlocks ?? [];
    const ranges: CidrRange[] = [];
    const seen = new Map<string, number>();
    cidrs.forEach((cidr, i) => {
        const arg = `allowedCidrBlocks[${i}]`;
        const range = parseCidr(cidr);
        if (!range) {
            c.add(arg, `'${cidr}' is not a CIDR block`, "use the form 10.0.0.0/16 (or fd00:1234::/64 for IPv6)");
            return;
        }
        ranges.push(range);
        // The provider refuses a block with host bits (core/cidr.ts cidrWithHostBits).
        const network = cidrWithHostBits(cidr);
        if (network !== undefined) {
            c.add(
                arg,
                `'${cidr}' has bits set after its /${range.prefix} prefix, which the AWS provider refuses`,
                `write the network address, '${network}' (or /${range.family === 4 ? 32 : 128} for the one address)`,
            );
        }
        const key = `${range.family}:${range.first}:${range.last}`;
        if (seen.has(key)) {
            c.add(arg, `'${cidr}' repeats allowedCidrBlocks[${seen.get(key)}]`, "list each block once");
        }
        seen.set(key, i);
        const coverage = publicAddressCoverage([cidr]);
        if (admitsWholeInternet([cidr])) {
            c.add(
                arg,
                `'${cidr}' admits the whole internet`,
                "list the private ranges or security groups of the clients instead",
            );
        } else if (coverage.publicAddresses[4] > 0n || coverage.publicAddresses[6] > 0n) {
            c.add(
                arg,
                `'${cidr}' admits public addresses (${describeCoverage(coverage)})`,
                "list the private ranges of the clients (such as 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, fd00::/8), or their security groups in allowedSecurityGroupIds",
            );
        }
    });
    // Judged together as well: pieces that add up to the whole internet say so once.
    for (const family of [4, 6] as const) {
        const blocks = cidrs.filter((cidr) => parseCidr(cidr)?.family === family);
        if (admitsWholeInternet(blocks) && !blocks.some((cidr) => admitsWholeInternet([cidr]))) {
            c.add(
                "allowedCidrBlocks",
                `the blocks together admit every public IPv${family} address (the whole internet in pieces)`,
                "list only the private ranges of the clients",
            );
        }
    }

    const ipv4Rules = groups.length + ranges.filter((r) => r.family === 4).length;
    const ipv6Rules = groups.length + ranges.filter((r) => r.family === 6).length;
    for (const [family, rules] of [
        ["IPv4", ipv4Rules],
        ["IPv6", ipv6Rules],
    ] as const) {
        if (rules > maxInboundRulesPerSecurityGroup) {
            c.add(
                "allowedCidrBlocks",
                `with allowedSecurityGroupIds, ${rules} ${family} inbound rules; a security group holds at most ${maxInboundRulesPerSecurityGroup} per IP version (AWS quota)`,
                "merge adjacent blocks into wider private ones, or admit clients by security group",
            );
        }
    }

    if (cidrs.length === 0 && groups.length === 0) {
        c.warn(
            "No allowedSecurityGroupIds or allowedCidrBlocks: nothing can reach the cache until a rule is added to its security group.",
        );
    }
}

function checkIds(argument: string, ids: readonly unknown[], prefix: string, what: string, c: ProblemCollector): void {
    const seen = new Map<string, number>();
    ids.forEach((id, i) => {
        if (isEventual(id)) {
            return;
        }
        const problem = idProblem(id, prefix, what);
        if (problem) {
            c.add(`${argument}[${i}]`, problem.problem, problem.fix);
            return;
        }
        const text = id as string;
        if (seen.has(text)) {
            c.add(`${argument}[${i}]`, `'${text}' repeats ${argument}[${seen.get(text)}]`, `list each ${what} once`);
        }
        seen.set(text, i);
    });
}
