// Stack policy on the security groups that guard a cache: their ingress, judged by the public
// address space it admits in total (core/cidr.ts), so the internet split into pieces is caught.
import { PolicyResource } from "@pulumi/policy";
import { admitsPublicAddresses, describeCoverage, publicAddressCoverage } from "../../../core/cidr";
import { at, knownNumber, knownString, Plain } from "../props";
import { ResourceRuleSpec, StackIndex, StackRuleSpec } from "../registry";
import { cacheTypes, types } from "../types";

function cidrsOf(...values: unknown[]): string[] {
    return values.flatMap((v) => (Array.isArray(v) ? v : [v])).filter((v): v is string => typeof v === "string");
}

function portRange(props: Plain): string {
    const from = knownNumber(props.fromPort);
    const to = knownNumber(props.toPort);
    const protocol = knownString(props.protocol) ?? knownString(props.ipProtocol);
    if (protocol === "-1" || protocol === "all") {
        return "all ports";
    }
    if (from === undefined) {
        return "some ports";
    }
    return from === to || to === undefined ? `port ${from}` : `ports ${from}-${to}`;
}

interface Ingress {
    readonly cidrs: string[];
    readonly where: string;
    readonly ports: string;
    readonly urn: string;
}

/**
 * What a cache's `securityGroupIds` may name: a security group; the VPC's default group, managed
 * as an `aws.ec2.DefaultSecurityGroup` (which adopts it: "the default security group ... is not
 * created but instead adopted", https://www.pulumi.com/registry/packages/aws/api-docs/ec2/defaultsecuritygroup/);
 * or a VPC, whose only security group ID is its `defaultSecurityGroupId`
 * (https://www.pulumi.com/registry/packages/aws/api-docs/ec2/vpc/#defaultsecuritygroupid_nodejs).
 */
const groupTypes = [types.securityGroup, types.defaultSecurityGroup, types.vpc];

/** The groups guarding a cache, each with the first cache's name; a VPC stands for its default group. */
interface GuardingGroups extends Map<PolicyResource, string> {
    /** The VPC's DefaultSecurityGroup for a VPC the stack manages one of, else the resource itself. */
    canonical(resource: PolicyResource): PolicyResource;
}

export function guardingGroups(stack: StackIndex): GuardingGroups {
    const defaultOf = new Map<PolicyResource, PolicyResource>();
    for (const adopted of stack.ofType(types.defaultSecurityGroup)) {
        for (const vpc of stack.dependencies(adopted, "vpcId", types.vpc)) {
            defaultOf.set(vpc, adopted);
        }
    }
    const guarded = new Map<PolicyResource, string>() as GuardingGroups;
    guarded.canonical = (resource) => defaultOf.get(resource) ?? resource;
    for (const cache of stack.ofType(...cacheTypes)) {
        for (const sg of stack.dependencies(cache, "securityGroupIds", ...groupTypes)) {
            const group = guarded.canonical(sg);
            if (!guarded.has(group)) {
                guarded.set(group, cache.name);
            }
        }
    }
    return guarded;
}

/** How a guarding group is named in messages. */
function groupLabel(group: PolicyResource): string {
    return group.type === types.vpc
        ? `the default security group of VPC '${group.name}'`
        : group.type === types.defaultSecurityGroup
          ? `default security group '${group.name}'`
          : `security group '${group.name}'`;
}

export const securityGroupDisallowInternetIngress: StackRuleSpec = {
    name: "aws-elasticache-securitygroup-disallow-internet-ingress",
    description:
        "Checks that no security group attached to an ElastiCache cache admits the whole internet, whether as 0.0.0.0/0 and ::/0 or as blocks that together cover it.",
    enforcementLevel: "mandatory",
    severity: "critical",
    controls: ["0805.01m1"],
    tags: ["network"],
    remediationSteps:
        "Remove the rules and admit only the clients' security groups (or private CIDR blocks) on the cache port.",
    // No `requires`: the guarding group may be an aws.ec2.SecurityGroup, an aws.ec2.DefaultSecurityGroup or a Vpc.
    check(stack, _config, report) {
        const guarded = guardingGroups(stack);
        if (guarded.size === 0) {
            return;
        }
        const ingress = new Map<PolicyResource, Ingress[]>();
        for (const sg of guarded.keys()) {
            ingress.set(sg, []);
        }
        for (const sg of stack.ofType(types.securityGroup, types.defaultSecurityGroup)) {
            const entries = ingress.get(sg);
            const rules = entries && stack.props(sg).ingress;
            for (const rule of Array.isArray(rules) ? rules : []) {
                entries!.push({
                    cidrs: cidrsOf(at(rule as Plain, "cidrBlocks"), at(rule as Plain, "ipv6CidrBlocks")),
                    where: "inline ingress",
                    ports: portRange(rule as Plain),
                    urn: sg.urn,
                });
            }
        }
        for (const rule of stack.ofType(types.securityGroupRule, types.ingressRule)) {
            const targets = stack
                .dependencies(rule, "securityGroupId", ...groupTypes)
                .map((sg) => guarded.canonical(sg))
                .filter((sg) => guarded.has(sg));
            if (targets.length === 0) {
                continue;
            }
            const props = stack.props(rule);
            if (rule.type === types.securityGroupRule && knownString(props.type) !== "ingress") {
                continue;
            }
            const cidrs =
                rule.type === types.securityGroupRule
                    ? cidrsOf(props.cidrBlocks, props.ipv6CidrBlocks)
                    : cidrsOf(props.cidrIpv4, props.cidrIpv6);
            for (const sg of targets) {
                ingress.get(sg)!.push({ cidrs, where: `rule '${rule.name}'`, ports: portRange(props), urn: rule.urn });
            }
        }
        for (const [sg, entries] of ingress) {
            const cacheName = guarded.get(sg);
            const group = groupLabel(sg);
            // One rule that admits the internet on its own is reported on that rule.
            const alone = entries.filter((e) => publicAddressCoverage(e.cidrs).wholeInternet);
            for (const entry of alone) {
                const subject =
                    entry.where === "inline ingress"
                        ? `${group} guards cache '${cacheName}' and admits ${entry.cidrs.join(" and ")} on ${entry.ports} (inline ingress)`
                        : `${entry.where} opens ${group} of cache '${cacheName}' to ${entry.cidrs.join(" and ")} on ${entry.ports}`;
                report(`${subject}: remove it and admit only the clients' security groups.`, entry.urn);
            }
            if (alone.length > 0) {
                continue;
            }
            // Rules that admit the internet only together are reported on the group, with each piece.
            const all = entries.flatMap((e) => e.cidrs);
            const coverage = publicAddressCoverage(all);
            if (coverage.wholeInternet) {
                const pieces = entries
                    .filter((e) => e.cidrs.some(admitsPublicAddresses))
                    .map((e) => `${e.cidrs.join(", ")} (${e.where})`);
                report(
                    `${group} guards cache '${cacheName}' and its ingress admits ${describeCoverage(coverage)} in pieces: ${pieces.join("; ")}: remove them and admit only the clients' security groups.`,
                    sg.urn,
                );
            }
        }
    },
};

/**
 * A security group that is plainly a cache's on its own: its name or description says ElastiCache,
 * Redis or Valkey (the component's reads "ElastiCache <id>: admits only listed clients ...").
 */
export const cacheSecurityGroupText = /elasticache|redis|valkey/i;

export const securityGroupDisallowDiscoveredInternetIngress: ResourceRuleSpec = {
    ...securityGroupDisallowInternetIngress,
    name: "aws-elasticache-securitygroup-disallow-discovered-internet-ingress",
    description:
        "Checks that discovered security groups named or described for ElastiCache, Redis or Valkey do not admit the whole internet.",
    resourceTypes: [types.securityGroup],
    properties: ["name", "description", "ingress"],
    discoveredOnly: `at preview ${securityGroupDisallowInternetIngress.name} judges the security groups a cache names.`,
    check(props) {
        if (![props.name, props.description].some((t) => typeof t === "string" && cacheSecurityGroupText.test(t))) {
            return undefined;
        }
        // The read state lists every ingress rule of the group, inline or not (DescribeSecurityGroups
        // IpPermissions: https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_SecurityGroup.html).
        const rules = (Array.isArray(props.ingress) ? props.ingress : []).map((rule) => ({
            cidrs: cidrsOf(at(rule as Plain, "cidrBlocks"), at(rule as Plain, "ipv6CidrBlocks")),
            ports: portRange(rule as Plain),
        }));
        const alone = rules.filter((r) => publicAddressCoverage(r.cidrs).wholeInternet);
        if (alone.length > 0) {
            return alone.map(
                (r) =>
                    `the cache's security group admits ${r.cidrs.join(" and ")} on ${r.ports}: remove the rule and admit only the clients' security groups.`,
            );
        }
        const coverage = publicAddressCoverage(rules.flatMap((r) => r.cidrs));
        return coverage.wholeInternet
            ? `the cache's security group admits ${describeCoverage(coverage)} in pieces (${rules
                  .filter((r) => r.cidrs.some(admitsPublicAddresses))
                  .map((r) => r.cidrs.join(", "))
                  .join("; ")}): remove them and admit only the clients' security groups.`
            : undefined;
    },
};
