"""A HITRUST CSF-ready Redis cache with RBAC users, from Python.

`pulumi package add https://github.com/hitrust-elasticache/hitrust-elasticache@v0.1.0` generates
the local SDK imported here; every argument and its default is described in its docstrings.
"""

import pulumi
import pulumi_hitrust_elasticache as hitrust

config = pulumi.Config()

cache = hitrust.HitrustRedis(
    "orders-cache",
    vpc_id=config.require("vpcId"),
    subnet_ids=config.require_object("subnetIds"),
    allowed_cidr_blocks=config.require_object("allowedCidrBlocks"),
    engine=hitrust.Engine.REDIS,
    engine_version="7.1",
    cluster_mode=hitrust.ClusterModeArgs(shards=2, replicas_per_shard=2),
    rbac=hitrust.RbacArgs(
        users=[
            hitrust.RbacUserArgs(
                user_name="orders-app",
                access_string="on ~orders:* +@read +@write -@dangerous",
                authentication=hitrust.RbacAuthentication.PASSWORD,
            ),
        ],
    ),
    snapshot_retention_days=35,
    alert_subscriptions=hitrust.AlertSubscriptionsArgs(https_endpoints=["https://alerts.example.com/elasticache"]),
    aws_config_rules=True,
    tags={"team": "orders"},
)

pulumi.export("configuration_endpoint", cache.configuration_endpoint)
pulumi.export("auth_secret_arn", cache.auth_secret_arn)
pulumi.export("evidence", cache.evidence)
