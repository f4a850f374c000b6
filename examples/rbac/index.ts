// RBAC instead of one shared token: an application user limited to its keys, a read-only
// reporting user, and an IAM-authenticated service; the open default user is disabled.
import { HitrustRedis } from "../../component";

const cache = new HitrustRedis("claims-cache", {
    vpcId: "vpc-0a1b2c3d4e5f60718",
    subnetIds: ["subnet-0aaa1111bbbb2222c", "subnet-0ddd3333eeee4444f"],
    allowedSecurityGroupIds: ["sg-0123456789abcdef0"],
    engine: "valkey",
    rbac: {
        users: [
            { userName: "claims-app", accessString: "on ~claims:* +@read +@write -@dangerous" },
            { userName: "reporting", accessString: "on ~claims:* +@read -@dangerous" },
            { userName: "svc-batch", accessString: "on ~batch:* +@read +@write -@dangerous", authentication: "iam" },
        ],
    },
});

export const primaryEndpoint = cache.primaryEndpoint;
export const credentialsSecretArn = cache.authSecretArn;
