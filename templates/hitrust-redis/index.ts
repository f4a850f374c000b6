// A HITRUST CSF-ready ElastiCache cache in an existing VPC. The component fixes every compliance
// setting (encryption, authentication, Multi-AZ, backups, logs, alarms, archive); the config below
// only says where the cache lives and who may connect. See https://github.com/hitrust-elasticache/hitrust-elasticache
import * as pulumi from "@pulumi/pulumi";
import { Engine, HitrustRedis } from "hitrust-elasticache";

const config = new pulumi.Config();

function engineFromConfig(value: string | undefined): Engine {
    const engines: string[] = Object.values(Engine);
    if (value === undefined) {
        return Engine.Redis;
    }
    if (!engines.includes(value)) {
        throw new Error(`config 'engine' is '${value}': set it to one of ${engines.join(", ")}`);
    }
    return value as Engine;
}

const appSecurityGroupId = config.get("appSecurityGroupId");
const alertEmail = config.get("alertEmail");

const cache = new HitrustRedis("cache", {
    vpcId: config.require("vpcId"),
    subnetIds: config
        .require("subnetIds")
        .split(",")
        .map((id) => id.trim())
        .filter((id) => id !== ""),
    allowedSecurityGroupIds: appSecurityGroupId ? [appSecurityGroupId] : [],
    engine: engineFromConfig(config.get("engine")),
    // A token you manage yourself: `pulumi config set --secret authToken <token>`, or an ESC
    // environment that sets pulumiConfig.authToken from fn::secret. Left unset, the component
    // generates one and keeps it in Secrets Manager (recommended).
    authToken: config.getSecret("authToken"),
    alertSubscriptions: { emails: alertEmail ? [alertEmail] : [] },
    tags: { project: pulumi.getProject(), stack: pulumi.getStack() },
});

export const primaryEndpoint = cache.primaryEndpoint;
export const readerEndpoint = cache.readerEndpoint;
export const port = cache.port;
/** Clients read the endpoint and credentials here, never from code or stack outputs. */
export const authSecretArn = cache.authSecretArn;
