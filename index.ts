// The default stack: an isolated VPC (private subnets only, no internet gateway) over three
// availability zones and the HITRUST-ready cache inside it. No configuration is required.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { HitrustRedis, HitrustRedisArgs } from "./component";

const config = new pulumi.Config();
const existingVpcId = config.get("vpcId");
const existingSubnetIds = config.getObject<string[]>("subnetIds") ?? [];
const vpcCidr = "10.42.0.0/16";

let vpcId: pulumi.Input<string>;
let subnetIds: pulumi.Input<string>[];
if (existingVpcId) {
    vpcId = existingVpcId;
    subnetIds = existingSubnetIds;
} else {
    const zones = aws.getAvailabilityZonesOutput({ state: "available" });
    const vpc = new aws.ec2.Vpc("cache-vpc", {
        cidrBlock: vpcCidr,
        enableDnsHostnames: true,
        enableDnsSupport: true,
        tags: { Name: "hitrust-cache" },
    });
    vpcId = vpc.id;
    subnetIds = [0, 1, 2].map(
        (i) =>
            new aws.ec2.Subnet(`cache-private-${i}`, {
                vpcId: vpc.id,
                cidrBlock: `10.42.${i * 16}.0/20`,
                availabilityZone: zones.names[i],
                mapPublicIpOnLaunch: false,
                tags: { Name: `hitrust-cache-private-${i}` },
            }).id,
    );
}

// Clients inside the isolated VPC may connect unless config names other ranges.
const allowedCidrBlocks = config.getObject<string[]>("allowedCidrBlocks") ?? [];
const args: HitrustRedisArgs = {
    vpcId,
    subnetIds,
    allowedCidrBlocks: allowedCidrBlocks.length > 0 ? allowedCidrBlocks : existingVpcId ? [] : [vpcCidr],
    engine: (config.get("engine") as HitrustRedisArgs["engine"]) || undefined,
    engineVersion: config.get("engineVersion") || undefined,
    nodeType: config.get("nodeType") || undefined,
};
const cache = new HitrustRedis("phi-cache", args);

export const primaryEndpoint = cache.primaryEndpoint;
export const readerEndpoint = cache.readerEndpoint;
export const port = cache.port;
export const authSecretArn = cache.authSecretArn;
export const securityGroupId = cache.securityGroupId;
export const kmsKeyArn = cache.kmsKeyArn;
export const eventTopicArn = cache.eventTopicArn;
export const evidence = cache.evidence;
