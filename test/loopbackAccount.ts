// A whole AWS account behind one local HTTP endpoint, for the audit's scale test and benchmark
// (test/auditScale.test.ts, bench/audit.ts): every API the audit calls, in each service's wire
// protocol, for any number of replication groups over several Regions, with a delay on every
// answer and EC2's documented request throttling.
//
// - The Region and the service come from the request's SigV4 credential scope
//   (`Credential=<key>/<date>/<region>/<service>/aws4_request`, "Signature Version 4 signing
//   process"), so one endpoint (AWS_ENDPOINT_URL) serves every Region.
// - Answers are serialized from each operation's output schema in the SDK (the same schemas the
//   SDK parses them with): Query XML for ElastiCache and SNS ("Query requests", response inside
//   <Action>Result), the EC2 Query XML (no Result wrapper), REST-XML for S3, JSON for the rest.
// - Most groups are shaped as the component builds them (key, logs, topic, alarms, archive bucket
//   with Object Lock and daily exports, rotating secret, private network); every fifth has drifted
//   (no at-rest encryption, open security group, short log retention, no archive, no rotation).
// - EC2 throttles per account, Region and API with a token bucket: non-mutating actions hold 100
//   tokens refilled at 20 per second, and a request without a token gets RequestLimitExceeded ("Request
//   throttling for the Amazon EC2 API", https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-throttling.html).
//   `ec2BackgroundPerSecond` spends tokens for the account's other callers, as real accounts do.
import * as cloudtrail from "@aws-sdk/client-cloudtrail";
import * as cloudwatch from "@aws-sdk/client-cloudwatch";
import * as logs from "@aws-sdk/client-cloudwatch-logs";
import * as config from "@aws-sdk/client-config-service";
import * as ec2 from "@aws-sdk/client-ec2";
import * as elasticache from "@aws-sdk/client-elasticache";
import * as kms from "@aws-sdk/client-kms";
import * as s3 from "@aws-sdk/client-s3";
import * as secretsmanager from "@aws-sdk/client-secrets-manager";
import * as sns from "@aws-sdk/client-sns";
import * as http from "http";
import { AddressInfo } from "net";

/**
 * The SDK's own XML serializer and schema reader (@aws-sdk/core, @smithy/core), which the clients
 * depend on but this package does not: resolved from the ElastiCache client, the one place these
 * tests reach SDK internals. A change in them fails test/auditScale.test.ts at its first answer.
 */
const fromClient = (name: string) =>
    require(require.resolve(name, { paths: [require.resolve("@aws-sdk/client-elasticache")] }));
const { XmlShapeSerializer } = fromClient("@aws-sdk/core/protocols");
const { NormalizedSchema } = fromClient("@smithy/core/schema");

export const account = "123456789012";
const requestId = "144745b0-b9d3-11e3-8a16-7978bb24ffdf";
const dayMs = 86400000;

/** SigV4 signing names to the IAM service prefixes the audit uses (CloudWatch signs as "monitoring"). */
const signingNames: Record<string, string> = { monitoring: "cloudwatch" };
const modules: Record<string, any> = {
    cloudtrail,
    cloudwatch,
    logs,
    config,
    ec2,
    elasticache,
    kms,
    s3,
    secretsmanager,
    sns,
};
/** Query-protocol XML namespaces (API references' response examples). */
const namespaces: Record<string, string> = {
    elasticache: "http://elasticache.amazonaws.com/doc/2015-02-02/",
    sns: "http://sns.amazonaws.com/doc/2010-03-31/",
    ec2: "http://ec2.amazonaws.com/doc/2016-11-15/",
};

export interface AccountOptions {
    /** Replication groups in all, spread evenly over the Regions. */
    caches: number;
    regions: string[];
    /** Added to every answer. */
    latencyMs: number;
    /** EC2 tokens per second spent by other callers in each Region and API (default 0). */
    ec2BackgroundPerSecond?: number;
    /** Services whose every distinct request is throttled once, on its first attempt (the tests' retries). */
    throttleOnce?: string[];
    /** The time the account's dates count back from (default: now). */
    now?: Date;
}

export interface AccountStats {
    requests: number;
    /** Requests answered with a throttling error. */
    throttled: number;
    /** Requests per service. */
    byService: Record<string, number>;
    /** Most requests in flight at once, per service and Region ("service@region"). */
    peakInFlight: Record<string, number>;
    /** Requests the stand-in could not answer ("service:Operation"), which would be a bug in it. */
    unknown: Record<string, number>;
}

class EndpointError extends Error {
    constructor(
        readonly code: string,
        readonly status: number,
        message: string,
    ) {
        super(message);
    }
}

/** One Region's groups, built on demand from their index (nothing large is kept). */
class RegionModel {
    readonly ids: string[];
    private readonly byId = new Map<string, number>();

    constructor(
        readonly region: string,
        readonly index: number,
        count: number,
        readonly now: Date,
    ) {
        this.ids = Array.from({ length: count }, (_, i) => `svc${String(i).padStart(4, "0")}-r${index}`);
        this.ids.forEach((id, i) => this.byId.set(id, i));
    }

    drifted(id: string): boolean {
        return (this.byId.get(id) ?? 0) % 5 === 4;
    }
    has(id: string): boolean {
        return this.byId.has(id);
    }
    private ago(days: number) {
        return new Date(this.now.getTime() - days * dayMs);
    }
    arn(service: string, rest: string) {
        return `arn:aws:${service}:${this.region}:${account}:${rest}`;
    }
    keyArn(id: string) {
        return this.arn("kms", `key/${String(this.byId.get(id)).padStart(8, "0")}-12ab-34cd-56ef-1234567890ab`);
    }
    topicArn(id: string) {
        return this.arn("sns", `${id}-events`);
    }
    members(id: string) {
        return [`${id}-001`, `${id}-002`];
    }
    sg(id: string) {
        return `sg-${String(this.byId.get(id)).padStart(17, "0")}`;
    }
    bucket(id: string) {
        return `${id}-archive-20261101094512345600000001`;
    }
    logGroup(id: string, type: string) {
        return `/aws/elasticache/${id}/${type}`;
    }

    replicationGroup(id: string) {
        const drifted = this.drifted(id);
        const members = this.members(id);
        return {
            ReplicationGroupId: id,
            Description: `HITRUST CSF-ready redis for ${id}`,
            Status: "available",
            MemberClusters: members,
            NodeGroups: [
                {
                    NodeGroupId: "0001",
                    Status: "available",
                    PrimaryEndpoint: { Address: `master.${id}.abc123.cache.amazonaws.com`, Port: 6380 },
                    NodeGroupMembers: members.map((m, i) => ({
                        CacheClusterId: m,
                        CacheNodeId: "0001",
                        PreferredAvailabilityZone: `${this.region}${"ab"[i]}`,
                        CurrentRole: i === 0 ? "primary" : "replica",
                    })),
                },
            ],
            AutomaticFailover: "enabled",
            MultiAZ: "enabled",
            SnapshotRetentionLimit: 35,
            SnapshotWindow: "03:00-05:00",
            ClusterEnabled: false,
            CacheNodeType: "cache.r7g.large",
            AuthTokenEnabled: true,
            TransitEncryptionEnabled: true,
            TransitEncryptionMode: drifted ? "preferred" : "required",
            AtRestEncryptionEnabled: !drifted,
            ...(drifted ? {} : { KmsKeyId: this.keyArn(id) }),
            ARN: this.arn("elasticache", `replicationgroup:${id}`),
            LogDeliveryConfigurations: ["slow-log", "engine-log"].map((t) => ({
                LogType: t,
                DestinationType: "cloudwatch-logs",
                DestinationDetails: { CloudWatchLogsDetails: { LogGroup: this.logGroup(id, t) } },
                LogFormat: "json",
                Status: "active",
            })),
            ReplicationGroupCreateTime: this.ago(60),
            AutoMinorVersionUpgrade: true,
            ClusterMode: "disabled",
            Engine: "redis",
        };
    }

    cacheClusters(id: string) {
        return this.members(id).map((m, i) => ({
            CacheClusterId: m,
            CacheNodeType: "cache.r7g.large",
            Engine: "redis",
            EngineVersion: "7.1.0",
            CacheClusterStatus: "available",
            NumCacheNodes: 1,
            PreferredAvailabilityZone: `${this.region}${"ab"[i]}`,
            CacheClusterCreateTime: this.ago(60),
            PreferredMaintenanceWindow: "sun:06:00-sun:07:00",
            NotificationConfiguration: { TopicArn: this.topicArn(id), TopicStatus: "active" },
            CacheParameterGroup: { CacheParameterGroupName: `${id}-params`, ParameterApplyStatus: "in-sync" },
            CacheSubnetGroupName: `${id}-subnets`,
            AutoMinorVersionUpgrade: true,
            SecurityGroups: [{ SecurityGroupId: this.sg(id), Status: "active" }],
            ReplicationGroupId: id,
            SnapshotRetentionLimit: 35,
            SnapshotWindow: "03:00-05:00",
            AuthTokenEnabled: true,
            TransitEncryptionEnabled: true,
            AtRestEncryptionEnabled: !this.drifted(id),
            ARN: this.arn("elasticache", `cluster:${m}`),
        }));
    }

    alarms(id: string) {
        if (this.drifted(id)) {
            return [];
        }
        return ["CPUUtilization", "DatabaseMemoryUsagePercentage", "Evictions"].flatMap((metric) =>
            this.members(id).map((m) => ({
                AlarmName: `${m}-${metric}`,
                AlarmArn: this.arn("cloudwatch", `alarm:${m}-${metric}`),
                ActionsEnabled: true,
                AlarmActions: [this.topicArn(id)],
                OKActions: [],
                StateValue: "OK",
                MetricName: metric,
                Namespace: "AWS/ElastiCache",
                Dimensions: [{ Name: "CacheClusterId", Value: m }],
            })),
        );
    }

    /** The export job's marker and archived copy for each of the last 61 days (component/lambda). */
    exports(id: string) {
        return Array.from({ length: 61 }, (_, i) => {
            const day = this.ago(i).toISOString().slice(0, 10);
            return [
                { Key: `snapshots/${id}-${day}-03-00-export.export.json`, Size: 412 },
                { Key: `snapshots/${id}-${day}-03-00-export-0001.rdb`, Size: 1048576 },
            ].map((o) => ({ ...o, LastModified: new Date(`${day}T04:10:00Z`), StorageClass: "STANDARD" }));
        })
            .flat()
            .sort((a, b) => (a.Key < b.Key ? -1 : 1));
    }

    secret(id: string) {
        return {
            ARN: this.arn("secretsmanager", `secret:${id}-elasticache-auth-a1b2c3-AbCdEf`),
            Name: `${id}-elasticache-auth-a1b2c3`,
            RotationEnabled: !this.drifted(id),
            ...(this.drifted(id) ? {} : { RotationRules: { AutomaticallyAfterDays: 30 } }),
            LastRotatedDate: this.ago(5),
            LastChangedDate: this.ago(5),
            Tags: [{ Key: "hitrust:component", Value: `${id}-redis` }],
        };
    }
}

/** Marker pagination (ElastiCache MaxRecords default 100; EC2 and S3 alike). */
function page<T>(items: T[], token: string | undefined, size: number): { items: T[]; next?: string } {
    const start = token ? Number(token) : 0;
    const end = start + size;
    return { items: items.slice(start, end), next: end < items.length ? String(end) : undefined };
}

/** The id of a group from one of its neighbours' names (`<id>-params`, `<id>-001`, ...). */
function groupOf(name: string): string {
    const match = /(svc\d{4}-r\d+)/.exec(name);
    return match ? match[1] : "";
}

/** Answers one operation of one service in one Region: the output object, or an EndpointError. */
function answer(model: RegionModel, service: string, op: string, input: Record<string, any>): any {
    const notFound = (code: string, status = 400) => new EndpointError(code, status, `${op}: not found`);
    const mine = (name: string) => {
        const id = groupOf(name);
        if (!model.has(id)) {
            throw notFound(service === "s3" ? "NoSuchBucket" : "ResourceNotFoundException", 404);
        }
        return id;
    };
    switch (`${service}:${op}`) {
        case "elasticache:DescribeReplicationGroups": {
            const p = page(model.ids, input.Marker, Number(input.MaxRecords ?? 100));
            return { ReplicationGroups: p.items.map((id) => model.replicationGroup(id)), Marker: p.next };
        }
        case "elasticache:DescribeCacheClusters": {
            const all = model.ids.flatMap((id) => model.members(id));
            const p = page(all, input.Marker, Number(input.MaxRecords ?? 100));
            return {
                CacheClusters: p.items.map((m) => model.cacheClusters(groupOf(m)).find((c) => c.CacheClusterId === m)),
                Marker: p.next,
            };
        }
        case "elasticache:DescribeServerlessCaches":
            return { ServerlessCaches: [] };
        case "elasticache:DescribeUsers":
            return {
                Users: [
                    {
                        UserId: "default",
                        UserName: "default",
                        Status: "active",
                        Engine: "redis",
                        AccessString: "on ~* +@all",
                        UserGroupIds: [],
                        Authentication: { Type: "no-password" },
                        ARN: model.arn("elasticache", "user:default"),
                    },
                ],
            };
        case "elasticache:DescribeUserGroups":
            return { UserGroups: [] };
        case "elasticache:DescribeCacheSubnetGroups": {
            const name = String(input.CacheSubnetGroupName);
            mine(name);
            return {
                CacheSubnetGroups: [
                    {
                        CacheSubnetGroupName: name,
                        CacheSubnetGroupDescription: "private subnets",
                        VpcId: "vpc-0a1b2c3d4e5f67890",
                        Subnets: ["a", "b"].map((z) => ({
                            SubnetIdentifier: `subnet-0${z.repeat(3)}1111`,
                            SubnetAvailabilityZone: { Name: `${model.region}${z}` },
                        })),
                        ARN: model.arn("elasticache", `subnetgroup:${name}`),
                    },
                ],
            };
        }
        case "elasticache:DescribeCacheParameters":
            mine(String(input.CacheParameterGroupName));
            return {
                Parameters: [{ ParameterName: "maxmemory-policy", ParameterValue: "volatile-lru", Source: "user" }],
            };
        case "elasticache:DescribeSnapshots": {
            const id = mine(String(input.ReplicationGroupId));
            const t = new Date(model.now.getTime() - 6 * 3600000);
            return {
                Snapshots: [
                    {
                        SnapshotName: `automatic.${id}-${t.toISOString().slice(0, 10)}-03-00`,
                        ReplicationGroupId: id,
                        SnapshotStatus: "available",
                        SnapshotSource: "automated",
                        NodeSnapshots: [{ CacheClusterId: `${id}-002`, SnapshotCreateTime: t }],
                    },
                ],
            };
        }
        case "elasticache:ListTagsForResource": {
            const id = mine(String(input.ResourceName));
            return {
                TagList: model.drifted(id) ? [] : [{ Key: "hitrust:component", Value: `${id}-redis` }],
            };
        }
        case "ec2:DescribeSubnets": {
            const ids: string[] = input.SubnetId ?? [];
            return {
                Subnets: ids.map((SubnetId, i) => ({
                    SubnetId,
                    VpcId: "vpc-0a1b2c3d4e5f67890",
                    AvailabilityZone: `${model.region}${"ab"[i % 2]}`,
                    CidrBlock: `10.0.${i + 1}.0/24`,
                    MapPublicIpOnLaunch: false,
                    State: "available",
                    SubnetArn: model.arn("ec2", `subnet/${SubnetId}`),
                })),
            };
        }
        case "ec2:DescribeRouteTables":
            return {
                RouteTables: [
                    {
                        RouteTableId: "rtb-0main000000000000",
                        VpcId: "vpc-0a1b2c3d4e5f67890",
                        Associations: [
                            {
                                Main: true,
                                RouteTableAssociationId: "rtbassoc-0main",
                                RouteTableId: "rtb-0main000000000000",
                            },
                        ],
                        Routes: [
                            { DestinationCidrBlock: "10.0.0.0/16", GatewayId: "local", State: "active" },
                            {
                                DestinationCidrBlock: "0.0.0.0/0",
                                NatGatewayId: "nat-0123456789abcdef0",
                                State: "active",
                            },
                        ],
                    },
                ],
            };
        case "ec2:DescribeSecurityGroups": {
            const ids: string[] = input.GroupId ?? [];
            return {
                SecurityGroups: ids.map((GroupId) => {
                    const id = model.ids[Number(GroupId.slice(3))];
                    const open = model.drifted(id);
                    return {
                        GroupId,
                        GroupName: `${id}-cache`,
                        VpcId: "vpc-0a1b2c3d4e5f67890",
                        OwnerId: account,
                        IpPermissions: [
                            {
                                IpProtocol: "tcp",
                                FromPort: 6380,
                                ToPort: 6380,
                                UserIdGroupPairs: open ? [] : [{ GroupId: "sg-0app00000000000000", UserId: account }],
                                IpRanges: open ? [{ CidrIp: "0.0.0.0/0" }] : [],
                                Ipv6Ranges: [],
                            },
                        ],
                        SecurityGroupArn: model.arn("ec2", `security-group/${GroupId}`),
                    };
                }),
            };
        }
        case "kms:DescribeKey":
            return {
                KeyMetadata: {
                    AWSAccountId: account,
                    KeyId: String(input.KeyId).split("/").pop(),
                    Arn: input.KeyId,
                    Enabled: true,
                    KeyUsage: "ENCRYPT_DECRYPT",
                    KeyState: "Enabled",
                    Origin: "AWS_KMS",
                    KeyManager: "CUSTOMER",
                    KeySpec: "SYMMETRIC_DEFAULT",
                },
            };
        case "kms:GetKeyRotationStatus":
            return { KeyRotationEnabled: true, KeyId: input.KeyId, RotationPeriodInDays: 365 };
        case "logs:DescribeLogGroups": {
            const prefix = String(input.logGroupNamePrefix ?? "");
            const id = groupOf(prefix);
            const groups = model.has(id)
                ? ["slow-log", "engine-log"].map((t) => model.logGroup(id, t)).filter((n) => n.startsWith(prefix))
                : [];
            return {
                logGroups: groups.map((name) => ({
                    logGroupName: name,
                    creationTime: model.now.getTime() - 60 * dayMs,
                    retentionInDays: model.drifted(id) ? 7 : 2192,
                    arn: model.arn("logs", `log-group:${name}:*`),
                    storedBytes: 4096,
                    ...(model.drifted(id) ? {} : { kmsKeyId: model.keyArn(id) }),
                })),
            };
        }
        case "logs:DescribeLogStreams":
            mine(String(input.logGroupName));
            return {
                logStreams: [
                    {
                        logStreamName: "0001",
                        creationTime: model.now.getTime() - 60 * dayMs,
                        lastEventTimestamp: model.now.getTime() - 2 * 3600000,
                    },
                ],
            };
        case "sns:GetTopicAttributes": {
            const arn = String(input.TopicArn);
            mine(arn);
            return {
                Attributes: {
                    TopicArn: arn,
                    Owner: account,
                    SubscriptionsConfirmed: "2",
                    SubscriptionsPending: "0",
                    SubscriptionsDeleted: "0",
                    KmsMasterKeyId: "alias/aws/sns",
                },
            };
        }
        case "cloudwatch:DescribeAlarms": {
            const all = model.ids.flatMap((id) => model.alarms(id));
            const p = page(all, input.NextToken, Number(input.MaxRecords ?? 100));
            return { MetricAlarms: p.items, NextToken: p.next };
        }
        case "s3:ListBuckets": {
            const names = model.ids
                .filter((id) => !model.drifted(id))
                .map((id) => model.bucket(id))
                .filter((b) => !input.prefix || b.startsWith(input.prefix));
            return {
                Buckets: names.map((Name) => ({ Name, CreationDate: new Date(model.now.getTime() - 28 * dayMs) })),
                Owner: { ID: "canonical" },
            };
        }
        case "s3:GetBucketTagging":
            return { TagSet: [{ Key: "hitrust:component", Value: `${mine(input.Bucket)}-redis` }] };
        case "s3:GetBucketVersioning":
            mine(input.Bucket);
            return { Status: "Enabled" };
        case "s3:GetBucketEncryption": {
            const id = mine(input.Bucket);
            return {
                ServerSideEncryptionConfiguration: {
                    Rules: [
                        {
                            ApplyServerSideEncryptionByDefault: {
                                SSEAlgorithm: "aws:kms",
                                KMSMasterKeyID: model.keyArn(id),
                            },
                            BucketKeyEnabled: true,
                        },
                    ],
                },
            };
        }
        case "s3:GetPublicAccessBlock":
            mine(input.Bucket);
            return {
                PublicAccessBlockConfiguration: {
                    BlockPublicAcls: true,
                    IgnorePublicAcls: true,
                    BlockPublicPolicy: true,
                    RestrictPublicBuckets: true,
                },
            };
        case "s3:GetBucketLifecycleConfiguration":
            mine(input.Bucket);
            return {
                Rules: [
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
                ],
            };
        case "s3:GetObjectLockConfiguration":
            mine(input.Bucket);
            return {
                ObjectLockConfiguration: {
                    ObjectLockEnabled: "Enabled",
                    Rule: { DefaultRetention: { Mode: "COMPLIANCE", Years: 6 } },
                },
            };
        case "s3:ListObjectsV2": {
            const id = mine(input.Bucket);
            const prefix = String(input.prefix ?? "");
            const matching = model.exports(id).filter((o) => o.Key.startsWith(prefix));
            const p = page(matching, input["continuation-token"], Math.min(1000, Number(input["max-keys"] ?? 1000)));
            return {
                Name: input.Bucket,
                Prefix: prefix,
                Contents: p.items,
                KeyCount: p.items.length,
                IsTruncated: p.next !== undefined,
                NextContinuationToken: p.next,
            };
        }
        case "secretsmanager:ListSecrets": {
            // ListSecrets filters (API reference, Filter): each matches a prefix; all must match.
            const filters: { Key: string; Values: string[] }[] = input.Filters ?? [];
            const prefix = filters.find((f) => f.Key === "name")?.Values[0];
            const tag = filters.find((f) => f.Key === "tag-value")?.Values[0];
            const id = groupOf(prefix ?? tag ?? "");
            const secret = model.has(id) ? model.secret(id) : undefined;
            const match =
                secret &&
                (!prefix || secret.Name.startsWith(prefix)) &&
                (!tag || secret.Tags.some((t) => t.Value.startsWith(tag)));
            return { SecretList: match ? [secret] : [] };
        }
        case "cloudtrail:DescribeTrails":
            return {
                trailList: [
                    {
                        Name: "organization-trail",
                        S3BucketName: "org-trail-logs",
                        IsMultiRegionTrail: true,
                        HomeRegion: "us-east-1",
                        TrailARN: `arn:aws:cloudtrail:us-east-1:${account}:trail/organization-trail`,
                        LogFileValidationEnabled: true,
                    },
                ],
            };
        case "cloudtrail:GetTrailStatus":
            return { IsLogging: true, LatestDeliveryTime: new Date(model.now.getTime() - 600000) };
        case "config:DescribeConfigRules":
            return { ConfigRules: [] };
        default:
            throw new EndpointError("UnknownOperation", 400, `the stand-in does not answer ${service}:${op}`);
    }
}

/** Drops undefined members (the serializers write what is present). */
function defined(value: any): any {
    if (Array.isArray(value)) {
        return value.map(defined);
    }
    if (value && typeof value === "object" && !(value instanceof Date)) {
        return Object.fromEntries(
            Object.entries(value)
                .filter(([, v]) => v !== undefined)
                .map(([k, v]) => [k, defined(v)]),
        );
    }
    return value;
}

/** The output schema of `<op>Command` in a client module. */
function outputSchema(service: string, op: string): any {
    const Command = modules[service][`${op}Command`];
    const schema = new Command({}).schema;
    return typeof schema[5] === "function" ? schema[5]() : schema[5];
}

/** A structure as XML, from its schema (the root element is the structure's own name). */
function xml(schema: any, value: unknown): string {
    const serializer = new XmlShapeSerializer({
        serviceNamespace: "",
        xmlNamespace: "",
        timestampFormat: { useTrait: true, default: 5 },
    });
    serializer.write(schema, value);
    return String(serializer.flush());
}

/** The children of the root element. */
function inner(text: string): string {
    return text.replace(/^<[^>]+>/, "").replace(/<\/[^>]+>$/, "");
}

/** JSON with timestamps in epoch seconds (awsJson1_0 / awsJson1_1 protocols). */
function json(value: unknown): string {
    return JSON.stringify(value, function (this: any, key, v) {
        const raw = this[key];
        return raw instanceof Date ? raw.getTime() / 1000 : v;
    });
}

function serialize(service: string, op: string, output: any): { type: string; body: string } {
    if (["elasticache", "sns"].includes(service)) {
        const body = output && Object.keys(output).length ? inner(xml(outputSchema(service, op), output)) : "";
        return {
            type: "text/xml",
            body: `<${op}Response xmlns="${namespaces[service]}"><${op}Result>${body}</${op}Result><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${op}Response>`,
        };
    }
    if (service === "ec2") {
        return {
            type: "text/xml",
            body: `<${op}Response xmlns="${namespaces.ec2}"><requestId>${requestId}</requestId>${inner(xml(outputSchema(service, op), output))}</${op}Response>`,
        };
    }
    if (service === "s3") {
        const schema = outputSchema(service, op);
        // An output whose body is one member (httpPayload) is that member's XML.
        const members: [string, any][] = Object.entries(
            (NormalizedSchema.of(schema).getMemberSchemas?.() ?? {}) as Record<string, any>,
        );
        const payload = members.find(([, m]) => m.getMergedTraits().httpPayload);
        return {
            type: "application/xml",
            body: payload ? xml(payload[1], output[payload[0]]) : xml(schema, output),
        };
    }
    return { type: "application/x-amz-json-1.1", body: json(output) };
}

function errorBody(service: string, e: EndpointError): { type: string; body: string } {
    if (service === "ec2") {
        return {
            type: "text/xml",
            body: `<Response><Errors><Error><Code>${e.code}</Code><Message>${e.message}</Message></Error></Errors><RequestID>${requestId}</RequestID></Response>`,
        };
    }
    if (service === "s3") {
        return {
            type: "application/xml",
            body: `<Error><Code>${e.code}</Code><Message>${e.message}</Message><RequestId>${requestId}</RequestId></Error>`,
        };
    }
    if (["elasticache", "sns"].includes(service)) {
        return {
            type: "text/xml",
            body: `<ErrorResponse xmlns="${namespaces[service]}"><Error><Type>Sender</Type><Code>${e.code}</Code><Message>${e.message}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
        };
    }
    return { type: "application/x-amz-json-1.1", body: JSON.stringify({ __type: e.code, message: e.message }) };
}

/** Query-protocol parameters: `SubnetId.1` -> SubnetId: [..]; `Filter.1.Name` kept flat. */
function queryInput(form: URLSearchParams): Record<string, any> {
    const input: Record<string, any> = {};
    for (const [key, value] of form) {
        const list = /^(\w+)\.\d+$/.exec(key);
        if (list) {
            (input[list[1]] ??= []).push(value);
        } else {
            input[key] = value;
        }
    }
    return input;
}

/** S3 REST: the operation from the method, path and query ("REST API" of each S3 action). */
function s3Operation(url: URL): { op: string; input: Record<string, any> } {
    const [, bucket] = url.pathname.split("/");
    const q = url.searchParams;
    const input: Record<string, any> = { Bucket: decodeURIComponent(bucket ?? "") };
    for (const [k, v] of q) {
        input[k] = v;
    }
    if (!bucket) {
        return { op: "ListBuckets", input };
    }
    for (const [param, op] of [
        ["tagging", "GetBucketTagging"],
        ["versioning", "GetBucketVersioning"],
        ["encryption", "GetBucketEncryption"],
        ["publicAccessBlock", "GetPublicAccessBlock"],
        ["lifecycle", "GetBucketLifecycleConfiguration"],
        ["object-lock", "GetObjectLockConfiguration"],
    ]) {
        if (q.has(param)) {
            return { op, input };
        }
    }
    if (q.get("list-type") === "2") {
        return { op: "ListObjectsV2", input };
    }
    return { op: q.get("x-id") ?? "unknown", input };
}

/** EC2's token bucket per Region and API, with other callers spending tokens too. */
class Ec2Buckets {
    private readonly buckets = new Map<string, { tokens: number; last: number }>();
    constructor(private readonly background: number) {}
    take(key: string): boolean {
        const now = Date.now();
        const b = this.buckets.get(key) ?? { tokens: 100, last: now };
        b.tokens = Math.min(100, b.tokens + ((now - b.last) / 1000) * (20 - this.background));
        b.last = now;
        this.buckets.set(key, b);
        if (b.tokens < 1) {
            return false;
        }
        b.tokens -= 1;
        return true;
    }
}

export async function startAccount(
    options: AccountOptions,
): Promise<{ server: http.Server; url: string; stats: AccountStats; groups: number }> {
    const now = options.now ?? new Date();
    const perRegion = Math.ceil(options.caches / options.regions.length);
    const models = new Map(
        options.regions.map((region, i) => [
            region,
            new RegionModel(region, i, Math.max(0, Math.min(perRegion, options.caches - i * perRegion)), now),
        ]),
    );
    const stats: AccountStats = { requests: 0, throttled: 0, byService: {}, peakInFlight: {}, unknown: {} };
    const inFlight = new Map<string, number>();
    const ec2Buckets = new Ec2Buckets(options.ec2BackgroundPerSecond ?? 0);
    const throttledOnce = new Set<string>();

    const server = http.createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on("data", (c) => chunks.push(c));
        req.on("end", () => {
            const body = Buffer.concat(chunks).toString("utf8");
            const scope = /Credential=[^/]+\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/.exec(
                String(req.headers.authorization ?? ""),
            );
            const region = scope?.[1] ?? "";
            const service = signingNames[scope?.[2] ?? ""] ?? scope?.[2] ?? "";
            const url = new URL(req.url ?? "/", "http://localhost");
            let op: string;
            let input: Record<string, any>;
            const target = req.headers["x-amz-target"];
            if (typeof target === "string") {
                op = target.split(".").pop()!;
                input = body ? JSON.parse(body) : {};
            } else if (service === "s3") {
                ({ op, input } = s3Operation(url));
            } else {
                const form = new URLSearchParams(body);
                op = form.get("Action") ?? "unknown";
                input = queryInput(form);
            }
            const key = `${service}@${region}`;
            stats.requests++;
            stats.byService[service] = (stats.byService[service] ?? 0) + 1;
            const open = (inFlight.get(key) ?? 0) + 1;
            inFlight.set(key, open);
            stats.peakInFlight[key] = Math.max(stats.peakInFlight[key] ?? 0, open);

            let status = 200;
            let out: { type: string; body: string };
            try {
                const model = models.get(region);
                if (!model) {
                    throw new EndpointError("InvalidClientTokenId", 403, `no Region ${region}`);
                }
                const request = `${region} ${service} ${op} ${req.url} ${body}`;
                if (options.throttleOnce?.includes(service) && !throttledOnce.has(request)) {
                    throttledOnce.add(request);
                    throw new EndpointError(
                        service === "ec2" ? "RequestLimitExceeded" : "ThrottlingException",
                        service === "ec2" ? 503 : 400,
                        "Rate exceeded",
                    );
                }
                if (service === "ec2" && !ec2Buckets.take(`${region}:${op}`)) {
                    // "Request throttling for the Amazon EC2 API": RequestLimitExceeded, HTTP 503.
                    throw new EndpointError("RequestLimitExceeded", 503, "Request limit exceeded.");
                }
                out = serialize(service, op, defined(answer(model, service, op, input)));
            } catch (e) {
                const error = e instanceof EndpointError ? e : new EndpointError("InternalFailure", 500, String(e));
                if (["RequestLimitExceeded", "ThrottlingException"].includes(error.code)) {
                    stats.throttled++;
                }
                if (error.code === "UnknownOperation" || error.code === "InternalFailure") {
                    stats.unknown[`${service}:${op}`] = (stats.unknown[`${service}:${op}`] ?? 0) + 1;
                }
                status = error.status;
                out = errorBody(service, error);
            }
            setTimeout(() => {
                inFlight.set(key, (inFlight.get(key) ?? 1) - 1);
                res.writeHead(status, { "content-type": out.type, "x-amzn-requestid": requestId });
                res.end(out.body);
            }, options.latencyMs);
        });
    });
    // Many sockets at once (one per request in flight): no backlog or keep-alive surprises.
    server.maxConnections = 10000;
    server.keepAliveTimeout = 60000;
    return new Promise((resolve) =>
        server.listen(0, "127.0.0.1", 1024, () => {
            const { port } = server.address() as AddressInfo;
            resolve({
                server,
                url: `http://127.0.0.1:${port}`,
                stats,
                groups: [...models.values()].reduce((n, m) => n + m.ids.length, 0),
            });
        }),
    );
}
