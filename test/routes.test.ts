// Issue 18, "Routes to the internet": a cache subnet routed to an internet gateway, through a route
// with a literal gateway ID, an aws.ec2.Route, a route table association, or the VPC's main route
// table when the subnet has no association of its own. AWS facts the cases encode: a subnet without an
// explicit association uses the main route table (VPC user guide, "Route tables"); an egress-only
// internet gateway and a NAT gateway admit no connection from the internet (EC2 API reference,
// CreateEgressOnlyInternetGateway; VPC user guide, "NAT gateways"); IPv6 and dual-stack caches take
// addresses from the subnet's IPv6 block (ElastiCache, "Choosing a network type").
import * as assert from "assert";
import { RecordedResource, unknownSentinel } from "../tools/mockrun";
import { registry } from "../policy-pack/src/policies";
import { subnetGroupDisallowInternetRoutes } from "../policy-pack/src/policies/routes";
import { subnetGroupDisallowPublicSubnets } from "../policy-pack/src/policies/subnetGroup";
import { types } from "../policy-pack/src/types";
import { Diagnostic, PolicyPackProcess } from "../tools/analyzer";
import { resource, usePack } from "./helpers";
import { StackResourceSpec, stackViolations, U } from "./policyHelpers";

const vpc: StackResourceSpec = { name: "vpc", type: types.vpc, props: { cidrBlock: "10.0.0.0/16" } };
const igw: StackResourceSpec = {
    name: "igw",
    type: types.internetGateway,
    props: { vpcId: U },
    deps: { vpcId: ["vpc"] },
};
/** The VPC's main route table (aws.ec2.DefaultRouteTable) with a route to the internet gateway. */
const publicMainTable: StackResourceSpec = {
    name: "main",
    type: types.defaultRouteTable,
    props: { defaultRouteTableId: U, routes: [{ cidrBlock: "0.0.0.0/0", gatewayId: U }] },
    deps: { defaultRouteTableId: ["vpc"], routes: ["igw"] },
};
const subnet = (name: string): StackResourceSpec => ({
    name,
    type: types.subnet,
    props: { vpcId: U, cidrBlock: "10.0.1.0/24", mapPublicIpOnLaunch: false },
    deps: { vpcId: ["vpc"] },
});
const subnetGroup = (...subnets: string[]): StackResourceSpec => ({
    name: "cache-subnets",
    type: types.subnetGroup,
    props: { name: "cache-subnets", subnetIds: subnets.map(() => U) },
    deps: { subnetIds: subnets },
});
const table = (name: string, routes?: Record<string, unknown>[], deps: string[] = []): StackResourceSpec => ({
    name,
    type: types.routeTable,
    props: { vpcId: U, ...(routes ? { routes } : {}) },
    deps: { vpcId: ["vpc"], ...(deps.length > 0 ? { routes: deps } : {}) },
});
const association = (name: string, subnetName: string, tableName: string): StackResourceSpec => ({
    name,
    type: types.routeTableAssociation,
    props: { subnetId: U, routeTableId: U },
    deps: { subnetId: [subnetName], routeTableId: [tableName] },
});
const route = (
    name: string,
    tableName: string,
    props: Record<string, unknown>,
    gateway?: string,
): StackResourceSpec => ({
    name,
    type: types.route,
    props: { routeTableId: U, ...props },
    deps: { routeTableId: [tableName], ...(gateway ? { gatewayId: [gateway] } : {}) },
});

const check = (specs: StackResourceSpec[], config: Record<string, unknown> = {}) =>
    stackViolations(subnetGroupDisallowInternetRoutes, specs, config);
const messages = (specs: StackResourceSpec[]) => check(specs).map((f) => f.message);

const fix =
    "route the cache's subnets through a table without an internet gateway route (NAT gateway for IPv4, egress-only internet gateway for IPv6).";

describe("Issue 18: aws-elasticache-subnetgroup-disallow-internet-routes", () => {
    it("is a mandatory stack policy on network segregation (0805.01m1)", () => {
        const meta = registry.metadata().find((m) => m.name === subnetGroupDisallowInternetRoutes.name);
        assert.ok(meta);
        assert.strictEqual(meta.kind, "stack");
        assert.strictEqual(meta.enforcementLevel, "mandatory");
        assert.deepStrictEqual(meta.controls, ["0805.01m1"]);
        assert.match(subnetGroupDisallowInternetRoutes.remediationSteps, /NAT gateway/);
    });

    it("passes private subnets whose egress goes through a NAT gateway and an egress-only gateway", () => {
        assert.deepStrictEqual(
            check([
                vpc,
                igw,
                { name: "nat", type: "aws:ec2/natGateway:NatGateway", props: {} },
                { name: "eigw", type: "aws:ec2/egressOnlyInternetGateway:EgressOnlyInternetGateway", props: {} },
                subnet("private-a"),
                subnetGroup("private-a"),
                table(
                    "private",
                    [
                        { cidrBlock: "0.0.0.0/0", natGatewayId: U },
                        { ipv6CidrBlock: "::/0", egressOnlyGatewayId: U },
                        { cidrBlock: "10.20.0.0/16", gatewayId: "igw-0123456789abcdef0" }, // private addresses only
                    ],
                    ["nat", "eigw"],
                ),
                route("eigw-literal", "private", {
                    destinationIpv6CidrBlock: "::/0",
                    egressOnlyGatewayId: "eigw-0abc",
                }),
                association("a", "private-a", "private"),
                // A public table the cache's subnet is not associated with.
                table("public", [{ cidrBlock: "0.0.0.0/0", gatewayId: U }], ["igw"]),
            ]),
            [],
        );
    });

    it("fails an inline 0.0.0.0/0 route to an internet gateway, naming the subnet, the table, the association and the route", () => {
        assert.deepStrictEqual(
            check([
                vpc,
                igw,
                subnet("private-a"),
                subnetGroup("private-a"),
                table("public", [{ cidrBlock: "0.0.0.0/0", gatewayId: U }], ["igw"]),
                association("a", "private-a", "public"),
            ]),
            [
                {
                    name: "public",
                    message: `subnet 'private-a' of subnet group 'cache-subnets' uses route table 'public' through association 'a', whose inline route 1 sends 0.0.0.0/0 (every IPv4 address) to internet gateway 'igw' (a public subnet): ${fix}`,
                },
            ],
        );
    });

    it("fails an aws.ec2.Route with a literal internet gateway ID, reported on the route", () => {
        assert.deepStrictEqual(
            check([
                vpc,
                subnet("private-a"),
                subnet("private-b"),
                subnetGroup("private-a", "private-b"),
                table("rt"),
                route("default", "rt", { destinationCidrBlock: "0.0.0.0/0", gatewayId: "igw-0123456789abcdef0" }),
                association("a", "private-a", "rt"),
                association("b", "private-b", "rt"),
            ]),
            [
                {
                    name: "default",
                    message: `subnets 'private-a', 'private-b' of subnet group 'cache-subnets' use route table 'rt' through associations 'a', 'b', whose route 'default' sends 0.0.0.0/0 (every IPv4 address) to internet gateway igw-0123456789abcdef0 (a public subnet): ${fix}`,
                },
            ],
        );
    });

    it("fails ::/0 to an internet gateway (an inbound path for IPv6 nodes), not ::/0 to an egress-only one", () => {
        const found = messages([
            vpc,
            igw,
            subnet("dual"),
            subnetGroup("dual"),
            table("rt"),
            route("v6", "rt", { destinationIpv6CidrBlock: "::/0", gatewayId: U }, "igw"),
            route("v6-egress", "rt", { destinationIpv6CidrBlock: "::/0", egressOnlyGatewayId: "eigw-0abc" }),
            association("a", "dual", "rt"),
        ]);
        assert.strictEqual(found.length, 1, found.join("\n"));
        assert.match(
            found[0],
            /route 'v6' sends ::\/0 \(every IPv6 address\) to internet gateway 'igw' \(the nodes of an IPv6 or dual-stack cache there are reachable from the internet\)/,
        );
    });

    it("fails a narrower public destination, passes a private one", () => {
        const found = messages([
            vpc,
            igw,
            subnet("private-a"),
            subnetGroup("private-a"),
            table("rt"),
            route("partner", "rt", { destinationCidrBlock: "8.8.8.0/24", gatewayId: U }, "igw"),
            route("peer-ish", "rt", { destinationCidrBlock: "192.168.0.0/16", gatewayId: U }, "igw"),
            route("list", "rt", { destinationPrefixListId: "pl-63a5400a", gatewayId: U }, "igw"),
            association("a", "private-a", "rt"),
        ]);
        assert.deepStrictEqual(
            found.map((m) => /whose (route '[^']+') sends (.+?) to internet/.exec(m)?.slice(1, 3).join(" ")),
            ["route 'partner' 8.8.8.0/24", "route 'list' prefix list pl-63a5400a"],
        );
    });

    it("fails the VPC's main route table (aws.ec2.DefaultRouteTable) for a subnet without an association", () => {
        assert.deepStrictEqual(check([vpc, igw, subnet("private-a"), subnetGroup("private-a"), publicMainTable]), [
            {
                name: "main",
                message: `subnet 'private-a' of subnet group 'cache-subnets' uses default route table 'main' (the main route table of VPC 'vpc') for want of a route table association of its own, whose inline route 1 sends 0.0.0.0/0 (every IPv4 address) to internet gateway 'igw' (a public subnet): ${fix}`,
            },
        ]);
    });

    it("fails a route added to the Vpc's mainRouteTableId, and a table made main by aws.ec2.MainRouteTableAssociation", () => {
        const viaVpcOutput = messages([
            vpc,
            igw,
            subnet("private-a"),
            subnetGroup("private-a"),
            {
                name: "to-main",
                type: types.route,
                props: { routeTableId: U, destinationCidrBlock: "0.0.0.0/0", gatewayId: U },
                deps: { routeTableId: ["vpc"], gatewayId: ["igw"] },
            },
        ]);
        assert.strictEqual(viaVpcOutput.length, 1, viaVpcOutput.join("\n"));
        assert.match(viaVpcOutput[0], /uses the main route table of VPC 'vpc' for want of a route table association/);

        const madeMain = messages([
            vpc,
            igw,
            subnet("private-a"),
            subnetGroup("private-a"),
            table("public", [{ cidrBlock: "0.0.0.0/0", gatewayId: U }], ["igw"]),
            {
                name: "make-main",
                type: types.mainRouteTableAssociation,
                props: { vpcId: U, routeTableId: U },
                deps: { vpcId: ["vpc"], routeTableId: ["public"] },
            },
        ]);
        assert.strictEqual(madeMain.length, 1, madeMain.join("\n"));
        assert.match(madeMain[0], /uses route table 'public' for want of a route table association/);
    });

    it("passes a subnet with its own private association although the main table is public", () => {
        assert.deepStrictEqual(
            check([
                vpc,
                igw,
                subnet("private-a"),
                subnetGroup("private-a"),
                publicMainTable,
                table("private"),
                association("a", "private-a", "private"),
            ]),
            [],
        );
    });

    it("follows literal IDs end to end: subnet, association, table and gateway", () => {
        const found = check([
            {
                name: "cache-subnets",
                type: types.subnetGroup,
                props: { name: "cache-subnets", subnetIds: ["subnet-0aaa", "subnet-0bbb"] },
            },
            {
                name: "assoc",
                type: types.routeTableAssociation,
                props: { subnetId: "subnet-0aaa", routeTableId: "rtb-0public" },
            },
            {
                name: "igw-route",
                type: types.route,
                props: { routeTableId: "rtb-0public", destinationCidrBlock: "0.0.0.0/0", gatewayId: "igw-0feed" },
            },
        ]);
        assert.deepStrictEqual(found, [
            {
                name: "igw-route",
                message: `subnet subnet-0aaa of subnet group 'cache-subnets' uses route table rtb-0public through association 'assoc', whose route 'igw-route' sends 0.0.0.0/0 (every IPv4 address) to internet gateway igw-0feed (a public subnet): ${fix}`,
            },
        ]);
    });

    it("never fails on values unknown at preview", () => {
        // Destination unknown; gateway unknown without a reference; a VPN gateway beside the internet
        // gateway in one inline list (either may be the target).
        assert.deepStrictEqual(
            check([
                vpc,
                igw,
                { name: "vgw", type: types.vpnGateway, props: {} },
                subnet("private-a"),
                subnetGroup("private-a"),
                table(
                    "rt",
                    [
                        { cidrBlock: "0.0.0.0/0", gatewayId: U },
                        { cidrBlock: "172.16.0.0/12", gatewayId: U },
                    ],
                    ["igw", "vgw"],
                ),
                route("dest-unknown", "rt", { destinationCidrBlock: U, gatewayId: U }, "igw"),
                route("gw-unknown", "rt", { destinationCidrBlock: "0.0.0.0/0", gatewayId: U }),
                association("a", "private-a", "rt"),
            ]),
            [],
        );
        // An association whose subnet is unknown may be this subnet's: no fall back to the main table.
        assert.deepStrictEqual(
            check([
                vpc,
                igw,
                subnet("private-a"),
                subnetGroup("private-a"),
                publicMainTable,
                table("private"),
                {
                    name: "a",
                    type: types.routeTableAssociation,
                    props: { subnetId: U, routeTableId: U },
                    deps: { routeTableId: ["private"] },
                },
            ]),
            [],
        );
    });

    it("one finding per cause: the public-IP policy no longer reports routes", () => {
        const stack = [
            vpc,
            igw,
            subnet("private-a"),
            subnetGroup("private-a"),
            table("public", [{ cidrBlock: "0.0.0.0/0", gatewayId: U }], ["igw"]),
            association("a", "private-a", "public"),
        ];
        assert.deepStrictEqual(stackViolations(subnetGroupDisallowPublicSubnets, stack), []);
        assert.strictEqual(check(stack).length, 1);
    });
});

describe("Issue 18: the new policies as the engine runs them (Analyze, AnalyzeStack)", function () {
    let pack: PolicyPackProcess;
    usePack((started) => {
        pack = started;
    });
    const names = (ds: Diagnostic[], name: string) => ds.filter((d) => d.policyName === name).map((d) => d.message);

    it("reports an internet route at preview with unknown IDs, and not a private one", async () => {
        const unknown = unknownSentinel;
        const resources: RecordedResource[] = [
            resource(types.vpc, "vpc", { cidrBlock: "10.0.0.0/16" }),
            resource(types.internetGateway, "igw", { vpcId: unknown }),
            resource(types.subnet, "private-a", { vpcId: unknown, cidrBlock: "10.0.1.0/24" }),
            resource(types.subnetGroup, "cache-subnets", { name: "cache-subnets", subnetIds: [unknown] }),
            resource(types.routeTable, "public", {
                vpcId: unknown,
                routes: [{ cidrBlock: "0.0.0.0/0", gatewayId: unknown }],
            }),
            resource(types.routeTableAssociation, "a", { subnetId: unknown, routeTableId: unknown }),
        ];
        const link = (from: string, property: string, ...to: string[]) => {
            const source = resources.find((x) => x.name === from)!;
            const urns = to.map((n) => resources.find((x) => x.name === n)!.urn);
            source.propertyDependencies[property] = urns;
            source.dependencies.push(...urns);
        };
        link("igw", "vpcId", "vpc");
        link("private-a", "vpcId", "vpc");
        link("cache-subnets", "subnetIds", "private-a");
        link("public", "vpcId", "vpc");
        link("public", "routes", "igw");
        link("a", "subnetId", "private-a");
        link("a", "routeTableId", "public");
        const ds = await pack.analyzeStack(resources);
        const found = names(ds, subnetGroupDisallowInternetRoutes.name);
        assert.strictEqual(found.length, 1, ds.map((d) => d.message).join("\n"));
        assert.match(found[0], /subnet 'private-a' of subnet group 'cache-subnets' uses route table 'public'/);
        assert.strictEqual(
            ds.find((d) => d.policyName === subnetGroupDisallowInternetRoutes.name)!.enforcementLevel,
            "mandatory",
        );
        // The route's gateway now a NAT gateway: nothing to report.
        resources[4].inputs = { vpcId: unknown, routes: [{ cidrBlock: "0.0.0.0/0", natGatewayId: unknown }] };
        assert.deepStrictEqual(names(await pack.analyzeStack(resources), subnetGroupDisallowInternetRoutes.name), []);
    });

    it("rejects a parameter group that switches the slow log off, planned or discovered", async () => {
        const props = { name: "p", family: "redis7", parameters: [{ name: "slowlog-max-len", value: "0" }] };
        for (const group of [
            resource(types.parameterGroup, "p", props),
            {
                ...resource(types.parameterGroup, "p", props),
                urn: "urn:insights:123456789012/us-east-1::aws::aws:elasticache/parameterGroup:ParameterGroup::p",
            },
        ]) {
            const ds = await pack.analyze(group);
            const found = ds.filter((d) => d.policyName === "aws-elasticache-parametergroup-disallow-disabled-logging");
            assert.strictEqual(found.length, 1, ds.map((d) => d.message).join("\n"));
            assert.strictEqual(found[0].enforcementLevel, "mandatory");
            assert.match(found[0].message, /\nslowlog-max-len is '0': a length of 0 keeps no slow-log entry/);
        }
        const unknownValue = await pack.analyze(
            resource(types.parameterGroup, "p", {
                ...props,
                parameters: [{ name: "slowlog-max-len", value: unknownSentinel }],
            }),
        );
        assert.deepStrictEqual(
            unknownValue.map((d) => d.policyName),
            [],
        );
    });
});
