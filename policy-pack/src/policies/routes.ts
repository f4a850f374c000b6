// Stack policy on the routes of an ElastiCache subnet group's subnets: none may send internet
// addresses to an internet gateway. A subnet with such a route is a public subnet ("The subnet has a
// direct route to an internet gateway", VPC user guide, "Subnets for your VPC":
// https://docs.aws.amazon.com/vpc/latest/userguide/configure-subnets.html), and the guide's network
// segregation control (0805.01m1) keeps the cache in private subnets.
//
// Mandatory, for three reasons. ElastiCache gives IPv6 and dual-stack caches addresses from the
// subnet's IPv6 block (ElastiCache, "Choosing a network type":
// https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/network-type.html); IPv6 addresses are
// globally unique and an internet gateway carries traffic to them in both directions (VPC user guide,
// "Enable internet access for a VPC using an internet gateway":
// https://docs.aws.amazon.com/vpc/latest/userguide/VPC_Internet_Gateway.html), so a ::/0 route to one
// leaves the security group as the cache's only barrier. IPv4 nodes get no public address, so an IPv4
// route is no inbound path today, but it makes the subnet public for whatever lands there next, and the
// rule sets that check subnets (Prowler elasticache_cluster_uses_public_subnet; see
// /work/shared/reference/rule-landscape.md, "No public subnets") fail it too. The fix costs nothing:
// the cache needs no route to the internet at all.
//
// What is not an inbound path, and so passes:
// - a route to an egress-only internet gateway ("prevents hosts outside of your VPC from initiating an
//   IPv6 connection with your instance", EC2 API reference, CreateEgressOnlyInternetGateway);
// - a route to a NAT gateway ("external services can't initiate a connection with those instances",
//   VPC user guide, "NAT gateways": https://docs.aws.amazon.com/vpc/latest/userguide/vpc-nat-gateway.html);
// - a route to an internet gateway for private or reserved addresses only (10.0.0.0/8 and the like,
//   core/cidr.ts), which no internet host has.
//
// Where a subnet's routes come from (VPC user guide, "Route tables":
// https://docs.aws.amazon.com/vpc/latest/userguide/VPC_Route_Tables.html): its explicit route table
// association, else the VPC's main route table. A VPC's main table is the one it was created with
// (managed as aws.ec2.DefaultRouteTable, or reached through the Vpc's `defaultRouteTableId` /
// `mainRouteTableId`) unless an aws.ec2.MainRouteTableAssociation names another. Routes are read inline
// (`routes` of RouteTable and DefaultRouteTable) and from aws.ec2.Route; gateways and tables are
// matched by resource reference or by literal ID (`igw-...`, `rtb-...`, `subnet-...`, `vpc-...`).
//
// Values unknown at preview never fail: a destination or gateway that cannot be known is skipped, and
// a subnet whose association or VPC cannot be known does not fall back to the main table.
import { PolicyResource } from "@pulumi/policy";
import { admitsPublicAddresses, parseCidr } from "../../../core/cidr";
import { at, isUnknown, knownString, Plain } from "../props";
import { StackIndex, StackRuleSpec } from "../registry";
import { types } from "../types";

/** A route that sends internet addresses to an internet gateway. */
interface InternetRoute {
    /** "route 'public-default'" or "inline route 2 of route table 'public'". */
    readonly route: string;
    readonly destination: string;
    readonly family: 4 | 6 | "prefix list";
    readonly gateway: string;
    readonly urn: string;
}

/** A route table as subnets reach it: a key shared by every way of naming it, and its label. */
interface Table {
    readonly label: string;
    readonly routes: InternetRoute[];
}

const tableTypes = [types.routeTable, types.defaultRouteTable];

/** The destination of a route, if it holds internet addresses; undefined if not or unknown. */
function internetDestination(
    route: Plain,
    cidr: string,
    ipv6: string,
): Omit<InternetRoute, "route" | "gateway" | "urn"> | undefined {
    for (const [property, family] of [
        [cidr, 4],
        [ipv6, 6],
    ] as const) {
        const value = at(route, property);
        if (typeof value === "string" && value !== "") {
            const parsed = parseCidr(value);
            return parsed && admitsPublicAddresses(value)
                ? {
                      destination: parsed.prefix === 0 ? `${value} (every IPv${family} address)` : value,
                      family,
                  }
                : undefined;
        }
    }
    const prefixList = at(route, "destinationPrefixListId");
    return typeof prefixList === "string" && prefixList !== ""
        ? { destination: `prefix list ${prefixList}`, family: "prefix list" }
        : undefined;
}

class RouteIndex {
    private readonly tables = new Map<string, Table>();
    /** VPC key -> the key of the table a MainRouteTableAssociation made main. */
    private readonly mainOverride = new Map<string, string>();

    constructor(private readonly stack: StackIndex) {
        for (const table of stack.ofType(...tableTypes)) {
            this.readInlineRoutes(table);
        }
        for (const route of stack.ofType(types.route)) {
            this.readRoute(route);
        }
        for (const main of stack.ofType(types.mainRouteTableAssociation)) {
            const vpc = this.vpcKey(main, "vpcId");
            const [table] = this.tableKeys(main, "routeTableId");
            if (vpc !== undefined && table !== undefined) {
                this.mainOverride.set(vpc, table);
            }
        }
    }

    /** "vpc:<urn>" for a Vpc in the stack, "vpc:<id>" for a literal ID, undefined when unknown. */
    vpcKey(resource: PolicyResource, property: string): string | undefined {
        const [vpc] = this.stack.dependencies(resource, property, types.vpc);
        if (vpc) {
            return `vpc:${vpc.urn}`;
        }
        const literal = knownString(this.stack.props(resource)[property]);
        return literal ? `vpc:${literal}` : undefined;
    }

    private vpcName(key: string): string {
        const ref = key.slice("vpc:".length);
        const vpc = this.stack.ofType(types.vpc).find((v) => v.urn === ref);
        return vpc ? `'${vpc.name}'` : ref;
    }

    /** The key of a RouteTable or DefaultRouteTable resource. */
    private keyOfTable(table: PolicyResource): string {
        if (table.type === types.defaultRouteTable) {
            // `defaultRouteTableId: vpc.defaultRouteTableId` adopts the VPC's main table.
            const [vpc] = this.stack.dependencies(table, "defaultRouteTableId", types.vpc);
            if (vpc) {
                return `main:vpc:${vpc.urn}`;
            }
            const literal = knownString(this.stack.props(table).defaultRouteTableId);
            return literal ? `rtb:${literal}` : `res:${table.urn}`;
        }
        return `res:${table.urn}`;
    }

    /** The tables a property names: by reference to a table or a Vpc (its main table), or by literal ID. */
    tableKeys(resource: PolicyResource, property: string): string[] {
        const keys: string[] = [];
        for (const dep of this.stack.dependencies(resource, property)) {
            if (dep.type === types.routeTable || dep.type === types.defaultRouteTable) {
                keys.push(this.keyOfTable(dep));
            } else if (dep.type === types.vpc) {
                keys.push(`main:vpc:${dep.urn}`);
            }
        }
        if (keys.length === 0) {
            const literal = knownString(this.stack.props(resource)[property]);
            if (literal) {
                keys.push(`rtb:${literal}`);
            }
        }
        return keys;
    }

    private table(key: string, resource?: PolicyResource): Table {
        let found = this.tables.get(key);
        if (!found) {
            const label = key.startsWith("main:")
                ? resource
                    ? `default route table '${resource.name}' (the main route table of VPC ${this.vpcName(key.slice(5))})`
                    : `the main route table of VPC ${this.vpcName(key.slice(5))}`
                : resource
                  ? `route table '${resource.name}'`
                  : `route table ${key.slice(4)}`;
            found = { label, routes: [] };
            this.tables.set(key, found);
        }
        return found;
    }

    /** The internet gateway a route's `gatewayId` names: by literal `igw-` ID or by reference. */
    private gateway(route: Plain, gateways: PolicyResource[], ambiguous: boolean): string | undefined {
        const id = at(route, "gatewayId");
        const named = gateways.map((g) => `internet gateway '${g.name}'`).join(" or ");
        if (typeof id === "string") {
            return id.startsWith("igw-") ? (gateways.length === 1 ? named : `internet gateway ${id}`) : undefined;
        }
        return isUnknown(id) && gateways.length > 0 && !ambiguous ? named : undefined;
    }

    private readInlineRoutes(table: PolicyResource): void {
        const routes = this.stack.props(table).routes;
        const key = this.keyOfTable(table);
        const entry = this.table(key, table);
        if (!Array.isArray(routes)) {
            return;
        }
        // Inline routes share one dependency list: an unknown gatewayId is the internet gateway only
        // when the list names one and no virtual private gateway (the other gatewayId target).
        const deps = this.stack.dependencies(table, "routes");
        const gateways = deps.filter((d) => d.type === types.internetGateway);
        const ambiguous = deps.some((d) => d.type === types.vpnGateway);
        routes.forEach((route, i) => {
            const gateway = this.gateway(route as Plain, gateways, ambiguous);
            const destination = gateway && internetDestination(route as Plain, "cidrBlock", "ipv6CidrBlock");
            if (gateway && destination) {
                entry.routes.push({ ...destination, gateway, route: `inline route ${i + 1}`, urn: table.urn });
            }
        });
    }

    private readRoute(route: PolicyResource): void {
        const props = this.stack.props(route);
        const deps = this.stack.dependencies(route, "gatewayId");
        const gateways = deps.filter((d) => d.type === types.internetGateway);
        const gateway = this.gateway(
            props,
            gateways,
            deps.some((d) => d.type === types.vpnGateway),
        );
        const destination = gateway && internetDestination(props, "destinationCidrBlock", "destinationIpv6CidrBlock");
        if (!gateway || !destination) {
            return;
        }
        for (const key of this.tableKeys(route, "routeTableId")) {
            this.table(key).routes.push({ ...destination, gateway, route: `route '${route.name}'`, urn: route.urn });
        }
    }

    /** The routes and label of a table key, if the stack shows any route of it. */
    lookup(key: string): Table | undefined {
        return this.tables.get(key);
    }

    /** The key of the main route table of a VPC. */
    mainTable(vpc: string): string {
        return this.mainOverride.get(vpc) ?? `main:${vpc}`;
    }

    get hasInternetRoutes(): boolean {
        for (const table of this.tables.values()) {
            if (table.routes.length > 0) {
                return true;
            }
        }
        return false;
    }
}

/** How a subnet reaches a table: an explicit association (its name), or the main table (undefined). */
interface Use {
    readonly table: string;
    readonly association?: string;
}

/** One internet route of a table and every subnet of a group that uses it. */
interface Finding {
    readonly route: InternetRoute;
    readonly table: Table;
    readonly subnets: string[];
    readonly associations: string[];
    viaMain: boolean;
}

function howReached(f: Finding): string {
    const parts: string[] = [];
    if (f.associations.length > 0) {
        const list = f.associations.map((a) => `'${a}'`).join(", ");
        parts.push(`through association${f.associations.length === 1 ? "" : "s"} ${list}`);
    }
    if (f.viaMain) {
        parts.push(
            f.subnets.length === 1 || f.associations.length > 0
                ? "for want of a route table association of its own"
                : "for want of route table associations of their own",
        );
    }
    return parts.join(" and ");
}

export const subnetGroupDisallowInternetRoutes: StackRuleSpec = {
    name: "aws-elasticache-subnetgroup-disallow-internet-routes",
    description:
        "Checks that no subnet of an ElastiCache subnet group routes internet addresses to an internet gateway, through its own route table or the VPC's main route table.",
    enforcementLevel: "mandatory",
    severity: "high",
    controls: ["0805.01m1"],
    tags: ["network"],
    remediationSteps:
        "Associate the cache's subnets with a route table that has no route to an internet gateway: send outbound IPv4 through a NAT gateway and IPv6 through an egress-only internet gateway, or give the subnets no internet route at all. Subnets without an association of their own use the VPC's main route table, so either associate them explicitly or keep the main table private.",
    requires: types.subnetGroup,
    check(stack, _config, report) {
        if (stack.ofType(types.route, ...tableTypes).length === 0) {
            return; // no route the stack can show
        }
        const index = new RouteIndex(stack);
        if (!index.hasInternetRoutes) {
            return;
        }
        // Explicit associations, by subnet resource and by literal subnet ID.
        const bySubnet = new Map<PolicyResource | string, { tables: string[]; association: PolicyResource }[]>();
        let unresolvedAssociation = false;
        for (const association of stack.ofType(types.routeTableAssociation)) {
            const props = stack.props(association);
            if (props.subnetId === undefined && props.gatewayId !== undefined) {
                continue; // an edge association of a gateway route table, not a subnet's
            }
            const entry = { tables: index.tableKeys(association, "routeTableId"), association };
            const subnets: (PolicyResource | string)[] = stack.dependencies(association, "subnetId", types.subnet);
            const literal = knownString(props.subnetId);
            if (subnets.length === 0 && literal) {
                subnets.push(literal);
            }
            if (subnets.length === 0) {
                unresolvedAssociation = true; // some subnet is associated, which one is unknown
            }
            for (const subnet of subnets) {
                const list = bySubnet.get(subnet) ?? [];
                list.push(entry);
                bySubnet.set(subnet, list);
            }
        }
        for (const group of stack.ofType(types.subnetGroup)) {
            // route (urn + route label + destination) -> its finding, with the subnets that use it
            const findings = new Map<string, Finding>();
            const uses = (subnetName: string, used: Use[]) => {
                for (const { table: key, association } of used) {
                    const table = index.lookup(key);
                    for (const route of table?.routes ?? []) {
                        const id = `${route.urn}|${route.route}|${route.destination}|${key}`;
                        let finding = findings.get(id);
                        if (!finding) {
                            finding = { route, table: table!, subnets: [], associations: [], viaMain: false };
                            findings.set(id, finding);
                        }
                        if (!finding.subnets.includes(subnetName)) {
                            finding.subnets.push(subnetName);
                        }
                        if (association === undefined) {
                            finding.viaMain = true;
                        } else if (!finding.associations.includes(association)) {
                            finding.associations.push(association);
                        }
                    }
                }
            };
            const explicitUses = (entries: { tables: string[]; association: PolicyResource }[]): Use[] =>
                entries.flatMap((e) => e.tables.map((table) => ({ table, association: e.association.name })));
            const subnets = stack.dependencies(group, "subnetIds", types.subnet);
            for (const subnet of subnets) {
                const explicit = bySubnet.get(subnet);
                if (explicit) {
                    uses(`'${subnet.name}'`, explicitUses(explicit));
                    continue;
                }
                const vpc = index.vpcKey(subnet, "vpcId");
                if (vpc !== undefined && !unresolvedAssociation) {
                    uses(`'${subnet.name}'`, [{ table: index.mainTable(vpc) }]);
                }
            }
            const ids = stack.props(group).subnetIds;
            for (const id of Array.isArray(ids) ? ids : []) {
                // Literal IDs reach only associations that name the subnet by the same literal ID.
                const explicit = typeof id === "string" ? bySubnet.get(id) : undefined;
                if (explicit) {
                    uses(id as string, explicitUses(explicit));
                }
            }
            for (const finding of findings.values()) {
                const { route, table, subnets: names } = finding;
                const subject = names.length === 1 ? `subnet ${names[0]}` : `subnets ${names.join(", ")}`;
                const exposure =
                    route.family === 6
                        ? "the nodes of an IPv6 or dual-stack cache there are reachable from the internet"
                        : "a public subnet";
                report(
                    `${subject} of subnet group '${group.name}' use${names.length === 1 ? "s" : ""} ${table.label} ${howReached(finding)}, whose ${route.route} sends ${route.destination} to ${route.gateway} (${exposure}): route the cache's subnets through a table without an internet gateway route (NAT gateway for IPv4, egress-only internet gateway for IPv6).`,
                    route.urn,
                );
            }
        }
    },
};
