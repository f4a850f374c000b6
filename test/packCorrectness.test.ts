// Issue 11 section 1 and issue 8 defect 11: each way a non-compliant cache used to pass the pack,
// one policy test per case. Each case failed before its fix (the old code only knew "/0", read
// kmsKeyId null as an advisory, matched "nopass" in lower case, counted [""] as an ID, skipped
// every check on any globalReplicationGroupId and listed T2 as current generation).
import * as assert from "assert";
import { kmsKeyEnableRotation } from "../policy-pack/src/policies/kmsKey";
import * as rg from "../policy-pack/src/policies/replicationGroup";
import { securityGroupDisallowInternetIngress } from "../policy-pack/src/policies/securityGroup";
import { userDisallowBroadAccess, userEnforcePasswordRequired } from "../policy-pack/src/policies/user";
import { userGroupDisallowEnabledDefaultUser } from "../policy-pack/src/policies/userGroup";
import { types } from "../policy-pack/src/types";
import {
    assertViolations,
    compliantGroup,
    rgViolations,
    stackViolations,
    StackResourceSpec,
    U,
    violations,
} from "./policyHelpers";

const group = compliantGroup;

describe("Pack correctness: the whole internet in pieces", () => {
    const cache = { name: "cache", type: types.replicationGroup, props: group, deps: { securityGroupIds: ["sg"] } };
    const rule = (name: string, cidr: Record<string, unknown>): StackResourceSpec => ({
        name,
        type: types.ingressRule,
        props: { ipProtocol: "tcp", fromPort: 6380, toPort: 6380, securityGroupId: U, ...cidr },
        deps: { securityGroupId: ["sg"] },
    });

    it("two IPv4 halves in two rules are reported on the security group, naming each piece", () => {
        const found = stackViolations(securityGroupDisallowInternetIngress, [
            cache,
            { name: "sg", type: types.securityGroup, props: { vpcId: "vpc" } },
            rule("low", { cidrIpv4: "0.0.0.0/1" }),
            rule("high", { cidrIpv4: "128.0.0.0/1" }),
        ]);
        assert.deepStrictEqual(found, [
            {
                name: "sg",
                message:
                    "security group 'sg' guards cache 'cache' and its ingress admits 100% of public IPv4 in pieces: 0.0.0.0/1 (rule 'low'); 128.0.0.0/1 (rule 'high'): remove them and admit only the clients' security groups.",
            },
        ]);
    });

    it("the issue's four pieces inline are reported on the rule that admits them", () => {
        const found = stackViolations(securityGroupDisallowInternetIngress, [
            cache,
            {
                name: "sg",
                type: types.securityGroup,
                props: {
                    ingress: [
                        {
                            protocol: "tcp",
                            fromPort: 6380,
                            toPort: 6380,
                            cidrBlocks: ["0.0.0.0/1", "128.0.0.0/1"],
                            ipv6CidrBlocks: ["::/1", "8000::/1"],
                        },
                    ],
                },
            },
        ]);
        assert.deepStrictEqual(
            found.map((f) => f.message),
            [
                "security group 'sg' guards cache 'cache' and admits 0.0.0.0/1 and 128.0.0.0/1 and ::/1 and 8000::/1 on port 6380 (inline ingress): remove it and admit only the clients' security groups.",
            ],
        );
    });

    it("half the internet, private blocks and an invalid block are not the whole internet", () => {
        const found = stackViolations(securityGroupDisallowInternetIngress, [
            cache,
            { name: "sg", type: types.securityGroup, props: {} },
            rule("half", { cidrIpv4: "0.0.0.0/1" }),
            rule("private", { cidrIpv4: "10.0.0.0/8" }),
            rule("invalid", { cidrIpv6: ":::::/0" }),
        ]);
        assertViolations(
            found.map((f) => f.message),
            [],
        );
    });
});

describe("Pack correctness: no customer-managed key", () => {
    const rule = rg.configureCustomerManagedKey;
    it("is mandatory", () => {
        assert.strictEqual(rule.enforcementLevel, "mandatory");
    });
    const cases: [string, unknown, string[]][] = [
        [
            "null",
            null,
            [
                "kmsKeyId is not set, so ElastiCache's default key, which AWS owns, encrypts the data: set kmsKeyId to a customer-managed key with rotation.",
            ],
        ],
        [
            "empty",
            "",
            [
                "kmsKeyId is empty, so ElastiCache's default key, which AWS owns, encrypts the data: set kmsKeyId to a customer-managed key with rotation.",
            ],
        ],
        [
            "the AWS-managed alias",
            "alias/aws/elasticache",
            [
                "kmsKeyId 'alias/aws/elasticache' is an AWS-managed key, whose key policy the stack cannot set: create a customer-managed key with rotation and use its ARN.",
            ],
        ],
        [
            "the AWS-managed alias ARN",
            "arn:aws:kms:us-east-1:123456789012:alias/aws/elasticache",
            [
                "kmsKeyId 'arn:aws:kms:us-east-1:123456789012:alias/aws/elasticache' is an AWS-managed key, whose key policy the stack cannot set: create a customer-managed key with rotation and use its ARN.",
            ],
        ],
        [
            "not an ARN",
            "not-an-arn",
            ["kmsKeyId 'not-an-arn' is not a KMS key ARN or ID: set it to the ARN of a customer-managed key."],
        ],
        ["a customer key ARN", group.kmsKeyId, []],
        ["a customer alias", "alias/phi-cache", []],
        ["unknown", U, []],
    ];
    for (const [label, kmsKeyId, expected] of cases) {
        it(`kmsKeyId ${label}`, () => {
            assertViolations(rgViolations(rule, { ...group, kmsKeyId }), expected);
        });
    }

    it("a null key is not taken as a rotating customer key by the stack policy either", () => {
        const found = stackViolations(kmsKeyEnableRotation, [
            { name: "cache", type: types.replicationGroup, props: { ...group, kmsKeyId: null } },
        ]);
        assert.deepStrictEqual(found, []);
    });
});

describe("Pack correctness: ACL rules are case-insensitive and passwords are redacted", () => {
    const user = (accessString: string) => ({
        userName: "app",
        accessString,
        authenticationMode: { type: "password" },
    });
    const nopass = "the access string contains 'nopass': remove it so the user must authenticate.";
    const cases: [string, string[]][] = [
        ["ON NOPASS ~* +@READ", [nopass]],
        ["ON nopass ~* +@read", [nopass]],
        ["on NoPass ~app:* +@read", [nopass]],
        ["on nopass >Gener4ted-Passw0rd ~app:* +@read", []],
        ["OFF nopass ~app:* +@read", []],
        ["on nopass off ~app:* +@read", []],
    ];
    for (const [access, expected] of cases) {
        it(`password required: ${access}`, () => {
            assertViolations(violations(userEnforcePasswordRequired, types.user, user(access)), expected);
        });
    }

    it("broad access in upper case is reported, with the password redacted", () => {
        const found = violations(userDisallowBroadAccess, types.user, user("ON >S3cret-Passw0rd ~* +@ALL"));
        assertViolations(found, [
            "the access string 'ON >*** ~* +@ALL' grants every command on every key: limit it to the keys and command categories the application needs.",
        ]);
        assert.ok(!found.join("").includes("S3cret"));
    });

    it("an enabled default user's access string is echoed without its password hash", () => {
        const found = stackViolations(userGroupDisallowEnabledDefaultUser, [
            {
                name: "default-user",
                type: types.user,
                props: { userName: "default", accessString: "on #5e884898da28047151d0e56f8dc629 ~* +@all" },
            },
            { name: "users", type: types.userGroup, props: { userIds: [U] }, deps: { userIds: ["default-user"] } },
        ]);
        assert.deepStrictEqual(
            found.map((f) => f.message),
            [
                "user group 'users' contains user 'default-user' named 'default' with access 'on #*** ~* +@all': set its access string to 'off -@all'.",
            ],
        );
    });
});

describe("Pack correctness: IDs and counts that name nothing", () => {
    it("nodeGroupConfigurations with no replica count anywhere has no replica", () => {
        const props = {
            ...group,
            numCacheClusters: undefined,
            numNodeGroups: 2,
            nodeGroupConfigurations: [{ slots: "0-8191" }, { slots: "8192-16383" }],
        };
        assertViolations(rgViolations(rg.configureReplicas, props), [
            "2 of 2 node groups in nodeGroupConfigurations set no replicaCount and replicasPerNodeGroup is not set, so those shards have no replica: set replicaCount (or replicasPerNodeGroup) to 1 or more.",
        ]);
        assertViolations(rgViolations(rg.configureReplicas, { ...props, replicasPerNodeGroup: 1 }), []);
        assertViolations(
            rgViolations(rg.configureReplicas, {
                ...props,
                nodeGroupConfigurations: [{ replicaCount: 2 }, { slots: "8192-16383" }],
            }),
            [
                "1 of 2 node groups in nodeGroupConfigurations set no replicaCount and replicasPerNodeGroup is not set, so those shards have no replica: set replicaCount (or replicasPerNodeGroup) to 1 or more.",
            ],
        );
        assertViolations(
            rgViolations(rg.configureReplicas, { ...props, nodeGroupConfigurations: [{ replicaCount: U }] }),
            [],
        );
    });

    it('securityGroupIds [""] leaves the default security group', () => {
        assertViolations(rgViolations(rg.configureSecurityGroups, { ...group, securityGroupIds: [""] }), [
            "securityGroupIds lists only empty IDs, so the VPC's default security group applies: attach a security group that admits only the cache's clients.",
        ]);
        assertViolations(rgViolations(rg.configureSecurityGroups, { ...group, securityGroupIds: [U] }), []);
    });

    it('userGroupIds [""] with no token authenticates nobody', () => {
        const props = { ...group, authToken: undefined };
        assertViolations(rgViolations(rg.enableAuthentication, { ...props, userGroupIds: [""] }), [
            "userGroupIds lists only empty IDs and no authToken is set, so any client on the network can connect: name a real RBAC user group or set an authToken kept in Secrets Manager.",
        ]);
        assertViolations(rgViolations(rg.enableAuthentication, { ...props, userGroupIds: ["users"] }), []);
    });
});

describe("Pack correctness: a global datastore secondary skips only what it inherits", () => {
    const secondary = {
        ...group,
        globalReplicationGroupId: "ldgnf-global",
        engineVersion: undefined,
        atRestEncryptionEnabled: undefined,
        transitEncryptionEnabled: undefined,
        authToken: undefined,
    };

    it("a value the secondary sets itself is checked", () => {
        assertViolations(rgViolations(rg.enableEncryptionAtRest, { ...secondary, atRestEncryptionEnabled: false }), [
            "atRestEncryptionEnabled is false: set atRestEncryptionEnabled to true (only possible at creation: create an encrypted group and restore a snapshot into it).",
        ]);
        assertViolations(
            rgViolations(rg.enableEncryptionInTransit, { ...secondary, transitEncryptionEnabled: false }),
            [
                'transitEncryptionEnabled is false: set transitEncryptionEnabled to true and transitEncryptionMode to "required", and connect clients with TLS.',
            ],
        );
        assertViolations(rgViolations(rg.configureEngineVersion, { ...secondary, engineVersion: "4.0.9" }), [
            "engineVersion 4.0.9 is below 4.0.10, the oldest allowed redis version: upgrade to 7.1.",
        ]);
    });

    it("what it does not inherit is checked as on any group", () => {
        assertViolations(rgViolations(rg.configureCustomerManagedKey, { ...secondary, kmsKeyId: "" }), [
            "kmsKeyId is empty, so ElastiCache's default key, which AWS owns, encrypts the data: set kmsKeyId to a customer-managed key with rotation.",
        ]);
        assertViolations(rgViolations(rg.enableMultiAz, { ...secondary, multiAzEnabled: false }), [
            "multiAzEnabled is false: set multiAzEnabled to true with automatic failover and a replica in another zone.",
        ]);
    });

    it("left to the datastore, the settings are skipped by the resource policies", () => {
        for (const rule of [rg.enableEncryptionAtRest, rg.enableEncryptionInTransit, rg.enableAuthentication]) {
            assertViolations(rgViolations(rule, secondary), []);
        }
    });

    const rule = rg.disallowUncheckedGlobalSecondary;
    it("the stack policy reports a secondary whose datastore and primary are outside the stack", () => {
        const found = stackViolations(rule, [{ name: "secondary", type: types.replicationGroup, props: secondary }]);
        assert.deepStrictEqual(
            found.map((f) => f.message),
            [
                "replication group 'secondary' joins global datastore 'ldgnf-global' as a secondary and leaves at-rest encryption, in-transit encryption, authentication, the engine version to it, but neither the datastore nor its primary is in this stack, so nothing checks them: keep the primary in this stack or run the pack on the primary's stack and set these on the secondary.",
            ],
        );
    });

    it("the stack policy accepts a secondary whose primary is in the stack (the resource policies check it)", () => {
        const found = stackViolations(rule, [
            { name: "primary", type: types.replicationGroup, props: group },
            {
                name: "datastore",
                type: types.globalReplicationGroup,
                props: { primaryReplicationGroupId: U },
                deps: { primaryReplicationGroupId: ["primary"] },
            },
            {
                name: "secondary",
                type: types.replicationGroup,
                props: { ...secondary, globalReplicationGroupId: U },
                deps: { globalReplicationGroupId: ["datastore"] },
            },
        ]);
        assert.deepStrictEqual(found, []);
    });

    it("the stack policy reads the datastore's own flags when only the datastore is in the stack", () => {
        const found = stackViolations(rule, [
            {
                name: "datastore",
                type: types.globalReplicationGroup,
                props: {
                    globalReplicationGroupId: "ldgnf-global",
                    primaryReplicationGroupId: "elsewhere",
                    atRestEncryptionEnabled: false,
                    transitEncryptionEnabled: true,
                    authTokenEnabled: true,
                },
            },
            { name: "secondary", type: types.replicationGroup, props: secondary },
        ]);
        assert.deepStrictEqual(
            found.map((f) => f.message),
            [
                "replication group 'secondary' is a secondary of global datastore 'datastore', which has at-rest encryption off: recreate the datastore from an encrypted, authenticated primary.",
            ],
        );
    });

    it("the stack policy accepts a secondary that sets every inherited setting itself", () => {
        const found = stackViolations(rule, [
            {
                name: "secondary",
                type: types.replicationGroup,
                props: { ...group, globalReplicationGroupId: "ldgnf-global" },
            },
        ]);
        assert.deepStrictEqual(found, []);
    });
});

describe("Pack correctness: T2 node types are previous generation (issue 8, defect 11)", () => {
    for (const nodeType of ["cache.t2.micro", "cache.t2.small", "cache.t2.medium"]) {
        it(`rejects ${nodeType}`, () => {
            assertViolations(rgViolations(rg.configureCurrentGenerationNodeType, { ...group, nodeType }), [
                `'${nodeType}' is a previous-generation node type; use a current generation such as cache.r7g.large or cache.m7g.large.`,
            ]);
        });
    }
    it("accepts cache.t3.micro and cache.t4g.small", () => {
        for (const nodeType of ["cache.t3.micro", "cache.t4g.small"]) {
            assertViolations(rgViolations(rg.configureCurrentGenerationNodeType, { ...group, nodeType }), []);
        }
    });
});
