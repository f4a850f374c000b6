// Stack policy on the security groups that guard a cache: their ingress, judged by the public
// address space it admits in total (core/cidr.ts), so the internet split into pieces is caught.
import { PolicyResource } from "@pulumi/policy";
import { admitsPublicAddresses, describeCoverage, publicAddressCoverage } from "../../../core/cidr";
import { at, knownNumber, knownString, Plain } from "../props";
import { ResourceRuleSpec, StackRuleSpec } from "../registry";
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
    requires: types.securityGroup,
    check(stack, _config, report) {
        const guarded = stack.referencedBy(cacheTypes, "securityGroupIds", types.securityGroup);
        if (guarded.size === 0) {
            return;
        }
        const ingress = new Map<PolicyResource, Ingress[]>();
        for (const sg of guarded.keys()) {
            const rules = stack.props(sg).ingress;
            ingress.set(
                sg,
                (Array.isArray(rules) ? rules : []).map((rule) => ({
                    cidrs: cidrsOf(at(rule as Plain, "cidrBlocks"), at(rule as Plain, "ipv6CidrBlocks")),
                    where: "inline ingress",
                    ports: portRange(rule as Plain),
                    urn: sg.urn,
                })),
            );
        }
        for (const rule of stack.ofType(types.securityGroupRule, types.ingressRule)) {
            const targets = stack
                .dependencies(rule, "securityGroupId", types.securityGroup)
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
            // One rule that admits the internet on its own is reported on that rule.
            const alone = entries.filter((e) => publicAddressCoverage(e.cidrs).wholeInternet);
            for (const entry of alone) {
                const subject =
                    entry.where === "inline ingress"
                        ? `security group '${sg.name}' guards cache '${cacheName}' and admits ${entry.cidrs.join(" and ")} on ${entry.ports} (inline ingress)`
                        : `${entry.where} opens security group '${sg.name}' of cache '${cacheName}' to ${entry.cidrs.join(" and ")} on ${entry.ports}`;
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
                    `security group '${sg.name}' guards cache '${cacheName}' and its ingress admits ${describeCoverage(coverage)} in pieces: ${pieces.join("; ")}: remove them and admit only the clients' security groups.`,
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
