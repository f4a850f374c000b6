// A typical production cache in an existing VPC: valkey-compatible Redis 7.1, two replicas,
// clients admitted by their security group, a little tuning. Everything else is the default.
import * as pulumi from "@pulumi/pulumi";
import { HitrustRedis } from "../../component";

const config = new pulumi.Config();

const cache = new HitrustRedis("orders-cache", {
    vpcId: config.require("vpcId"),
    subnetIds: config.requireObject<string[]>("subnetIds"),
    allowedSecurityGroupIds: [config.require("appSecurityGroupId")],
    nodeType: "cache.r7g.xlarge",
    replicas: 2,
    parameters: { "maxmemory-policy": "volatile-lru" },
    alarms: { memoryPercent: 75 },
    tags: { team: "orders", "data-classification": "phi" },
});

export const primaryEndpoint = cache.primaryEndpoint;
export const readerEndpoint = cache.readerEndpoint;
export const port = cache.port;
export const authSecretArn = cache.authSecretArn;
