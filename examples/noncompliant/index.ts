// What the policy pack is for: a hand-rolled replication group with the mistakes public
// Terraform modules ship by default. `npm start -- examples/noncompliant` must reject it.
import * as aws from "@pulumi/aws";

const vpc = new aws.ec2.Vpc("legacy-vpc", { cidrBlock: "10.9.0.0/16" });
const subnet = new aws.ec2.Subnet("legacy-subnet", {
    vpcId: vpc.id,
    cidrBlock: "10.9.1.0/24",
    availabilityZone: "us-east-1a",
    mapPublicIpOnLaunch: true,
});

// One subnet in one zone, and named "default".
const subnets = new aws.elasticache.SubnetGroup("legacy-subnets", { name: "default", subnetIds: [subnet.id] });

// Open to the internet on the well-known port.
const sg = new aws.ec2.SecurityGroup("legacy-sg", {
    vpcId: vpc.id,
    ingress: [{ protocol: "tcp", fromPort: 6379, toPort: 6379, cidrBlocks: ["0.0.0.0/0"] }],
});
new aws.vpc.SecurityGroupIngressRule("legacy-ipv6", {
    securityGroupId: sg.id,
    ipProtocol: "tcp",
    fromPort: 6379,
    toPort: 6379,
    cidrIpv6: "::/0",
});

const logs = new aws.cloudwatch.LogGroup("legacy-slow-log", { name: "/legacy/slow-log", retentionInDays: 7 });

new aws.elasticache.ReplicationGroup("legacy-cache", {
    description: "legacy session cache",
    engine: "redis",
    engineVersion: "4.0.9",
    nodeType: "cache.m3.medium",
    port: 6379,
    numCacheClusters: 1,
    subnetGroupName: subnets.name,
    securityGroupIds: [sg.id],
    transitEncryptionEnabled: true,
    transitEncryptionMode: "preferred",
    authToken: "password@123",
    autoMinorVersionUpgrade: false,
    logDeliveryConfigurations: [
        { destination: logs.name, destinationType: "cloudwatch-logs", logFormat: "text", logType: "slow-log" },
    ],
});

// A standalone Redis node and a user without a password.
new aws.elasticache.Cluster("legacy-node", { engine: "redis", nodeType: "cache.t3.micro", numCacheNodes: 1 });
new aws.elasticache.User("legacy-user", {
    userId: "legacy-user",
    userName: "legacy",
    engine: "redis",
    accessString: "on ~* +@all",
    authenticationMode: { type: "no-password-required" },
});
