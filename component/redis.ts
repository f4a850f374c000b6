import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { createAuthentication } from "./auth";
import { createConfigRules, knownDeployRegion, rulesFor, unavailableRules } from "./configRules";
import { checkedRoleBoundary, createArchiveBucket, createLogArchive, createTrail, trailName } from "./archive";
import { keyPolicy, requiredKeyStatements } from "./keyPolicy";
import { createSnapshotExport } from "./snapshotExport";
import {
    auditBundleDirectory,
    auditBundleMissingProblem,
    auditRoleActions,
    createContinuousAudit,
} from "./continuousAudit";
import { EvidenceRecord, HitrustRedisArgs, HitrustRedisSettings } from "./args";
import { buildEvidence } from "./evidence";
import {
    resolveSettings,
    Settings,
    spreadNodes,
    subnetVpcProblems,
    subnetZoneProblems,
    ValidationError,
} from "./validate";
import { kmsKeyRegionProblem } from "./validation/encryption";
import { formatProblem } from "./validation/problems";

/** The type token: what the multi-language host registers (`<package>:index:<class>`). */
export const componentType = "hitrust-elasticache:index:HitrustRedis";
/** The token before the package became multi-language; stacks created with it keep their URNs through an alias. */
export const legacyComponentType = "hitrust:elasticache:Redis";

/**
 * A Redis or Valkey replication group configured as the HITRUST CSF ElastiCache guide requires:
 * its own private subnet group and security group, Multi-AZ with automatic failover, encryption
 * at rest with a customer-managed key and in transit with TLS required, authentication with a
 * generated token kept in Secrets Manager (or RBAC users), 35 days of automatic backups, a
 * final snapshot and an event topic. None of these can be switched off; tunables are validated.
 */
export class HitrustRedis extends pulumi.ComponentResource {
    /** The settings the component was built with (plain data, also an output for other languages). */
    public readonly settings: HitrustRedisSettings;
    public readonly replicationGroup: aws.elasticache.ReplicationGroup;
    public readonly securityGroup: aws.ec2.SecurityGroup;
    public readonly ingressRules: aws.vpc.SecurityGroupIngressRule[];
    public readonly subnetGroup: aws.elasticache.SubnetGroup;
    public readonly parameterGroup: aws.elasticache.ParameterGroup;
    /** The key created for the cache; undefined when the caller supplied `kmsKeyArn`. */
    public readonly kmsKey?: aws.kms.Key;
    /** The customer-managed key that encrypts the cache, its secret, logs and archive. */
    public readonly kmsKeyArn: pulumi.Output<string>;
    public readonly authSecret: aws.secretsmanager.Secret;
    public readonly eventTopic: aws.sns.Topic;
    public readonly userGroup?: aws.elasticache.UserGroup;
    public readonly users: aws.elasticache.User[] = [];
    /** One CloudWatch log group per delivered log type, so the streams never mix. */
    public readonly logGroups: aws.cloudwatch.LogGroup[];
    public readonly alarms: aws.cloudwatch.MetricAlarm[];
    /** Snapshots, logs and trail records for six years; kept on destroy. */
    public readonly archiveBucket: aws.s3.Bucket;
    /** The trail the component created; undefined when an existing trail was named. */
    public readonly trail?: aws.cloudtrail.Trail;
    public readonly snapshotExportFunction: aws.lambda.Function;
    /** The in-account audit function; undefined unless `continuousAudit` is on. */
    public readonly continuousAuditFunction?: aws.lambda.Function;
    public readonly subscriptions: aws.sns.TopicSubscription[];

    /** The address clients write to (the configuration endpoint in cluster mode). */
    public readonly primaryEndpoint: pulumi.Output<string>;
    /** The address that spreads reads over the replicas (the configuration endpoint in cluster mode). */
    public readonly readerEndpoint: pulumi.Output<string>;
    /** The configuration endpoint of a cluster-mode group; empty without cluster mode. */
    public readonly configurationEndpoint: pulumi.Output<string>;
    /** The port clients connect to, with TLS. */
    public readonly port: pulumi.Output<number>;
    /** The Secrets Manager secret that holds the endpoint and credentials; clients read them here. */
    public readonly authSecretArn: pulumi.Output<string>;
    /** The cache's security group. */
    public readonly securityGroupId: pulumi.Output<string>;
    /** The SNS topic of the cache's events and alarms. */
    public readonly eventTopicArn: pulumi.Output<string>;
    /** For each HITRUST control of the guide, the resources and settings that satisfy it. */
    public readonly evidence: EvidenceRecord[];

    constructor(name: string, args: HitrustRedisArgs, opts: pulumi.ComponentResourceOptions = {}) {
        // Validate before the component itself is registered: a bad argument creates nothing.
        const { settings, warnings, inputs } = resolveSettings(name, args, {
            region: knownDeployRegion(opts),
            claimReplicationGroupId: true,
        });
        // The audit's bundle is built by `npm run build:package`; without it nothing is created.
        const auditBundle = settings.continuousAudit ? auditBundleDirectory() : undefined;
        if (settings.continuousAudit && auditBundle === undefined) {
            throw new ValidationError(name, [formatProblem(auditBundleMissingProblem)]);
        }
        super(componentType, name, {}, { ...opts, aliases: [{ type: legacyComponentType }, ...(opts.aliases ?? [])] });
        this.settings = settings;
        for (const warning of warnings) {
            // Logging is fire-and-forget: the engine keeps the program alive until it is written.
            void pulumi.log.warn(warning, this);
        }

        const parent = { parent: this };
        const id = settings.replicationGroupId;
        const tags = {
            ...(args.tags ?? {}),
            "compliance:framework": "HITRUST CSF",
            "compliance:hipaa": "phi-eligible",
            "hitrust:component": name,
        };
        const identity = aws.getCallerIdentityOutput({}, parent);
        const partition = aws.getPartitionOutput({}, parent);
        const region = aws.getRegionOutput({}, parent);

        if (args.kmsKeyArn === undefined) {
            this.kmsKey = new aws.kms.Key(
                `${name}-key`,
                {
                    description: `Encrypts ElastiCache ${id}: data at rest, snapshots, its secret and its logs.`,
                    enableKeyRotation: true,
                    deletionWindowInDays: 30,
                    policy: keyPolicy(
                        identity.accountId,
                        partition.partition,
                        region.region,
                        id,
                        settings.existingTrailName === undefined ? trailName(settings) : undefined,
                    ),
                    tags,
                },
                // Snapshots and archives encrypted with this key are unreadable without it.
                { ...parent, retainOnDelete: true },
            );
            new aws.kms.Alias(
                `${name}-key-alias`,
                { name: `alias/${id}-elasticache`, targetKeyId: this.kmsKey.keyId },
                parent,
            );
            this.kmsKeyArn = this.kmsKey.arn;
        } else {
            // With an explicit provider the Region is known only from it, when the key resolves.
            this.kmsKeyArn = pulumi.all([inputs.kmsKeyArn!, region.region]).apply(([arn, deployedIn]) => {
                const problem = kmsKeyRegionProblem(arn, deployedIn);
                if (problem) {
                    throw new ValidationError(name, [formatProblem({ argument: "kmsKeyArn", ...problem })]);
                }
                return arn;
            });
            // A caller's key carries the caller's policy: without the statements of
            // requiredKeyStatements() CloudWatch Logs cannot create the encrypted log groups and
            // CloudTrail cannot create the trail (InsufficientEncryptionPolicyException).
            void pulumi.log.warn(
                "kmsKeyArn: the key's policy must include the statements of requiredKeyStatements() " +
                    "(CloudWatch Logs for the cache's log groups, CloudTrail for the trail, use through ElastiCache, " +
                    "Secrets Manager, S3 and Firehose); the output `requiredKeyPolicyStatements` lists them for this " +
                    'stack. See README, "Bringing your own key".',
                this,
            );
        }

        this.securityGroup = new aws.ec2.SecurityGroup(
            `${name}-sg`,
            {
                name: `${id}-cache`,
                description: `ElastiCache ${id}: admits only listed clients on port ${settings.port}; no egress.`,
                vpcId: inputs.vpcId,
                revokeRulesOnDelete: true,
                tags: { ...tags, Name: `${id}-cache` },
            },
            parent,
        );
        const peers = [
            ...inputs.allowedSecurityGroupIds.map((source, i) => ({
                suffix: `from-sg-${i}`,
                peer: { referencedSecurityGroupId: source },
            })),
            ...settings.allowedCidrBlocks.map((cidr, i) => ({
                suffix: `from-cidr-${i}`,
                peer: cidr.includes(":") ? { cidrIpv6: cidr } : { cidrIpv4: cidr },
            })),
        ];
        this.ingressRules = peers.map(
            ({ suffix, peer }) =>
                new aws.vpc.SecurityGroupIngressRule(
                    `${name}-${suffix}`,
                    {
                        securityGroupId: this.securityGroup.id,
                        ...peer,
                        ipProtocol: "tcp",
                        fromPort: settings.port,
                        toPort: settings.port,
                        description: "Cache clients",
                        tags,
                    },
                    parent,
                ),
        );

        this.subnetGroup = new aws.elasticache.SubnetGroup(
            `${name}-subnets`,
            {
                name: `${id}-subnets`,
                description: `Private subnets of ElastiCache ${id}`,
                subnetIds: inputs.subnetIds,
                tags,
            },
            parent,
        );

        this.parameterGroup = new aws.elasticache.ParameterGroup(
            `${name}-params`,
            {
                name: `${id}-params`,
                family: settings.parameterGroupFamily,
                description: `Parameters of ElastiCache ${id}`,
                parameters: Object.entries(settings.parameters)
                    .sort(([a], [b]) => a.localeCompare(b))
                    .map(([paramName, value]) => ({ name: paramName, value })),
                tags,
            },
            parent,
        );

        this.eventTopic = new aws.sns.Topic(
            `${name}-events`,
            // Not encrypted at rest on purpose: ElastiCache cannot publish to an encrypted topic and
            // silently drops the association. Cluster events carry no PHI (node IDs, event names).
            { name: `${id}-events`, tags },
            parent,
        );
        new aws.sns.TopicPolicy(
            `${name}-events-policy`,
            {
                arn: this.eventTopic.arn,
                policy: topicPolicy(this.eventTopic.arn, identity.accountId, partition.partition, region.region),
            },
            parent,
        );

        const auth = createAuthentication({ name, args, inputs, settings, tags, parent: this });
        this.users.push(...auth.users);
        this.userGroup = auth.userGroup;
        const { authToken, userGroupIds, credentials } = auth;

        this.logGroups = settings.logTypes.map(
            (logType) =>
                new aws.cloudwatch.LogGroup(
                    `${name}-${logType}`,
                    {
                        name: `/aws/elasticache/${id}/${logType}`,
                        retentionInDays: settings.logRetentionDays,
                        kmsKeyId: this.kmsKeyArn,
                        tags,
                    },
                    parent,
                ),
        );

        // One resource-scoped policy per log group (PutResourcePolicy `resourceArn`), never an
        // account-level one: CloudWatch Logs allows 10 account-level policies per Region, not
        // adjustable and shared with every service that delivers logs (PutResourcePolicy API
        // reference, https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutResourcePolicy.html),
        // so one per cache would stop the eleventh. Log-group-level policies are the form AWS itself
        // now creates for vended-log deliveries ("Logs sent to CloudWatch Logs",
        // https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/AWS-logs-infrastructure-CWL.html);
        // @pulumi/aws has `resourceArn` from 7.23.0, the floor of our range.
        const logDelivery = this.logGroups.map(
            (group, i) =>
                new aws.cloudwatch.LogResourcePolicy(
                    `${name}-${settings.logTypes[i]}-delivery`,
                    {
                        resourceArn: group.arn,
                        policyDocument: logDeliveryPolicy(
                            [group.arn],
                            identity.accountId,
                            partition.partition,
                            region.region,
                        ),
                    },
                    parent,
                ),
        );

        const finalSnapshotSuffix = new random.RandomString(
            `${name}-final-snapshot-suffix`,
            {
                length: 8,
                special: false,
                upper: false,
                // A new suffix whenever a change replaces the group, so its final snapshot never
                // collides with the one its predecessor left behind.
                keepers: {
                    replicationGroupId: id,
                    engine: settings.engine,
                    port: String(settings.port),
                    kmsKey: this.kmsKeyArn,
                },
            },
            parent,
        );

        let preferredCacheClusterAzs: pulumi.Output<string[]> | undefined;
        // One lookup per subnet: its zone (spread) and its VPC (must be vpcId). Subnets created in
        // the same program are looked up once their IDs are known; in preview they stay unknown.
        const zones = pulumi
            .all([
                inputs.vpcId,
                pulumi.all(inputs.subnetIds.map((subnetId) => aws.ec2.getSubnetOutput({ id: subnetId }, parent))),
            ])
            .apply(([vpcId, found]) => {
                const problems = [
                    ...subnetVpcProblems(found, vpcId),
                    ...subnetZoneProblems(found.map((subnet) => subnet.availabilityZone)),
                ];
                if (problems.length > 0) {
                    throw new ValidationError(name, problems);
                }
                return found.map((subnet) => subnet.availabilityZone);
            });
        if (settings.numCacheClusters !== undefined) {
            const nodes = settings.numCacheClusters;
            preferredCacheClusterAzs = zones.apply((found) => spreadNodes(found, nodes));
        }

        this.replicationGroup = new aws.elasticache.ReplicationGroup(
            `${name}-rg`,
            {
                replicationGroupId: id,
                description: args.description ?? `HITRUST CSF-ready ${settings.engine} for ${name}`,
                engine: settings.engine,
                engineVersion: settings.engineVersion,
                nodeType: settings.nodeType,
                port: settings.port,
                parameterGroupName: this.parameterGroup.name,
                subnetGroupName: this.subnetGroup.name,
                securityGroupIds: [this.securityGroup.id],
                ...(settings.clusterMode
                    ? {
                          clusterMode: "enabled",
                          numNodeGroups: settings.clusterMode.shards,
                          replicasPerNodeGroup: settings.clusterMode.replicasPerShard,
                      }
                    : { numCacheClusters: settings.numCacheClusters, preferredCacheClusterAzs }),
                ...(authToken
                    ? { authToken, authTokenUpdateStrategy: settings.authTokenUpdateStrategy }
                    : { userGroupIds }),
                snapshotRetentionLimit: settings.snapshotRetentionDays,
                snapshotWindow: settings.snapshotWindow,
                maintenanceWindow: settings.maintenanceWindow,
                logDeliveryConfigurations: settings.logTypes.map((logType, i) => ({
                    destination: this.logGroups[i].name,
                    destinationType: "cloudwatch-logs",
                    logFormat: "json",
                    logType,
                })),
                finalSnapshotIdentifier: pulumi.interpolate`${id}-final-${finalSnapshotSuffix.result}`,
                notificationTopicArn: this.eventTopic.arn,
                applyImmediately: false,
                tags,
                // Compliance settings come last so nothing above can override them.
                automaticFailoverEnabled: true,
                multiAzEnabled: true,
                atRestEncryptionEnabled: true,
                kmsKeyId: this.kmsKeyArn,
                transitEncryptionEnabled: true,
                ...(settings.transitEncryptionMode ? { transitEncryptionMode: settings.transitEncryptionMode } : {}),
                autoMinorVersionUpgrade: true,
            },
            // Delivery starts when the group is created: its log policy must exist by then.
            { ...parent, dependsOn: logDelivery },
        );

        this.alarms = createAlarms(name, settings, this.eventTopic.arn, tags, this.replicationGroup, this);
        // Continuous checks after deploy; off by default because AWS Config needs a configuration
        // recorder in the account and Region (README, "Audit a running deployment").
        // A rule AWS Config does not offer in the Region is skipped, warned about and recorded as a
        // gap in the evidence; the Region must be known before deploying to decide that.
        const configRegion = args.awsConfigRules ? knownDeployRegion(opts) : undefined;
        if (args.awsConfigRules && configRegion === undefined) {
            void pulumi.log.warn(
                "awsConfigRules: the Region is not known before deploying (an explicit provider, or no aws:region config), so every managed rule is deployed; where AWS Config does not offer one (GovCloud, several newer Regions) the deployment fails: set aws:region in the stack config.",
                this,
            );
        }
        const skippedConfigRules =
            args.awsConfigRules && configRegion !== undefined
                ? unavailableRules(rulesFor(authToken === undefined), configRegion)
                : [];
        const configRules = args.awsConfigRules
            ? createConfigRules(name, {
                  namePrefix: id,
                  snapshotRetentionDays: settings.snapshotRetentionDays,
                  rbac: authToken === undefined,
                  region: configRegion,
                  tags,
                  parent: this,
              })
            : [];

        const accountIds = { accountId: identity.accountId, partition: partition.partition };
        const common = {
            name,
            settings,
            keyArn: this.kmsKeyArn,
            account: {
                ...accountIds,
                region: region.region,
                // The roles' actions that a boundary created before them may lack (a warning at preview).
                roleBoundary: checkedRoleBoundary(
                    accountIds,
                    this,
                    settings.continuousAudit ? auditRoleActions(settings.continuousAudit.securityHub) : [],
                ),
            },
            tags,
            parent: this as pulumi.Resource,
        };
        const archive = createArchiveBucket({
            ...common,
            objectLock: args.archiveObjectLock ?? false,
            createTrail: settings.existingTrailName === undefined,
        });
        this.archiveBucket = archive.bucket;
        createLogArchive({ ...common, archive, logGroups: this.logGroups });
        if (settings.existingTrailName === undefined) {
            this.trail = createTrail({ ...common, archive });
        }
        const exporter = createSnapshotExport({
            ...common,
            archive,
            topicArn: this.eventTopic.arn,
            group: this.replicationGroup,
        });
        this.snapshotExportFunction = exporter.fn;
        this.alarms.push(...exporter.alarms);
        const endpoints = [
            ...(args.alertSubscriptions?.emails ?? []).map((endpoint, i) => ({
                key: `email-${i}`,
                protocol: "email",
                endpoint,
            })),
            ...(args.alertSubscriptions?.httpsEndpoints ?? []).map((endpoint, i) => ({
                key: `https-${i}`,
                protocol: "https",
                endpoint,
            })),
        ];
        this.subscriptions = endpoints.map(
            ({ key, protocol, endpoint }) =>
                new aws.sns.TopicSubscription(
                    `${name}-alert-${key}`,
                    { topic: this.eventTopic.arn, protocol, endpoint },
                    parent,
                ),
        );

        this.primaryEndpoint = settings.clusterMode
            ? this.replicationGroup.configurationEndpointAddress
            : this.replicationGroup.primaryEndpointAddress;
        this.readerEndpoint = settings.clusterMode
            ? this.replicationGroup.configurationEndpointAddress
            : this.replicationGroup.readerEndpointAddress;
        this.configurationEndpoint = this.replicationGroup.configurationEndpointAddress;
        this.port = pulumi.output(settings.port);

        this.authSecret = new aws.secretsmanager.Secret(
            `${name}-auth`,
            {
                // A prefix, not a name: a deleted secret keeps its name for the 30-day recovery window.
                namePrefix: `${id}-elasticache-auth-`,
                description: `Credentials of ElastiCache ${id}; read them here, never from code or state.`,
                kmsKeyId: this.kmsKeyArn,
                recoveryWindowInDays: 30,
                tags,
            },
            parent,
        );
        new aws.secretsmanager.SecretVersion(
            `${name}-auth-version`,
            {
                secretId: this.authSecret.id,
                secretString: pulumi.secret(
                    pulumi
                        .all([credentials, this.primaryEndpoint, this.readerEndpoint])
                        .apply(([secretValues, host, readerHost]) =>
                            JSON.stringify({ ...secretValues, host, readerHost, port: settings.port, tls: true }),
                        ),
                ),
            },
            parent,
        );

        if (settings.continuousAudit) {
            const audit = createContinuousAudit({
                ...common,
                archive,
                topicArn: this.eventTopic.arn,
                authSecretName: this.authSecret.name,
                bundleDirectory: auditBundle!,
            });
            this.continuousAuditFunction = audit.fn;
            this.alarms.push(...audit.alarms);
        }

        this.authSecretArn = this.authSecret.arn;
        this.securityGroupId = this.securityGroup.id;
        this.eventTopicArn = this.eventTopic.arn;
        this.evidence = buildEvidence(name, settings, {
            customerKey: args.kmsKeyArn === undefined,
            objectLock: args.archiveObjectLock ?? false,
            subscriptions: this.subscriptions.length,
            skippedConfigRules: skippedConfigRules.map((rule) => ({ rule, region: configRegion! })),
        });

        this.registerOutputs({
            primaryEndpoint: this.primaryEndpoint,
            readerEndpoint: this.readerEndpoint,
            configurationEndpoint: this.configurationEndpoint,
            port: this.port,
            authSecretArn: this.authSecretArn,
            securityGroupId: this.securityGroupId,
            kmsKeyArn: this.kmsKeyArn,
            eventTopicArn: this.eventTopicArn,
            replicationGroupId: this.replicationGroup.replicationGroupId,
            archiveBucket: this.archiveBucket.bucket,
            trailArn: this.trail?.arn,
            snapshotExportFunction: this.snapshotExportFunction.name,
            continuousAuditFunction: this.continuousAuditFunction?.name,
            evidence: this.evidence,
            configRules: configRules.map((rule) => rule.name),
            ...(args.kmsKeyArn === undefined
                ? {}
                : {
                      requiredKeyPolicyStatements: pulumi
                          .all([identity.accountId, partition.partition, region.region])
                          .apply(([accountId, part, reg]) =>
                              JSON.stringify(
                                  requiredKeyStatements({
                                      accountId,
                                      partition: part,
                                      region: reg,
                                      replicationGroupId: id,
                                      trailName:
                                          settings.existingTrailName === undefined ? trailName(settings) : undefined,
                                  }),
                                  null,
                                  2,
                              ),
                          ),
                  }),
        });
    }
}

/** The metrics that signal malfunction or misuse, per node, each notifying the event topic. */
export const alarmMetrics = [
    { key: "engineCpuPercent", metric: "EngineCPUUtilization", statistic: "Average", what: "engine CPU above {t}%" },
    {
        key: "memoryPercent",
        metric: "DatabaseMemoryUsagePercentage",
        statistic: "Average",
        what: "memory use above {t}%",
    },
    { key: "evictions", metric: "Evictions", statistic: "Sum", what: "more than {t} evictions in 5 minutes" },
    {
        key: "newConnections",
        metric: "NewConnections",
        statistic: "Sum",
        what: "more than {t} new connections in 5 minutes",
    },
    {
        key: "replicationLagSeconds",
        metric: "ReplicationLag",
        statistic: "Maximum",
        what: "replication lag above {t} s",
    },
] as const;

function createAlarms(
    name: string,
    settings: Settings,
    topicArn: pulumi.Output<string>,
    tags: Record<string, string>,
    group: aws.elasticache.ReplicationGroup,
    parent: pulumi.Resource,
): aws.cloudwatch.MetricAlarm[] {
    const alarms: aws.cloudwatch.MetricAlarm[] = [];
    for (const nodeId of settings.nodeIds) {
        for (const spec of alarmMetrics) {
            const threshold = settings.alarms[spec.key];
            alarms.push(
                new aws.cloudwatch.MetricAlarm(
                    `${name}-${nodeId.slice(settings.replicationGroupId.length + 1)}-${spec.metric}`,
                    {
                        name: `${nodeId}-${spec.metric}`,
                        alarmDescription: `ElastiCache ${settings.replicationGroupId} node ${nodeId}: ${spec.what.replace("{t}", String(threshold))}.`,
                        namespace: "AWS/ElastiCache",
                        metricName: spec.metric,
                        dimensions: { CacheClusterId: nodeId },
                        statistic: spec.statistic,
                        period: 300,
                        evaluationPeriods: 3,
                        datapointsToAlarm: 2,
                        threshold,
                        comparisonOperator: "GreaterThanThreshold",
                        treatMissingData: "missing",
                        alarmActions: [topicArn],
                        okActions: [topicArn],
                        tags,
                    },
                    // Node IDs exist once the group does.
                    { parent, dependsOn: [group] },
                ),
            );
        }
    }
    return alarms;
}

/** A generated secret of the characters ElastiCache accepts; change `rotation` to get a new one. */
/**
 * Who may publish to the event topic. A topic policy replaces SNS's default one, so every publisher
 * is named here: ElastiCache's publishes with `aws:SourceOwner` (ElastiCache guide, "Event
 * notifications and Amazon SNS", https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/ECEvents.SNS.html;
 * `aws:SourceAccount` breaks the association) and CloudWatch alarms of this account,
 * scoped by `aws:SourceArn` and `aws:SourceAccount` (CloudWatch user guide, "Using Amazon CloudWatch
 * alarms": "Amazon SNS topic policy for alarm actions"); without that statement every alarm action is
 * denied ("... is not authorized to perform: SNS:Publish"). Publishing without TLS is denied to all.
 */
export function topicPolicy(
    topicArn: pulumi.Input<string>,
    accountId: pulumi.Input<string>,
    partition: pulumi.Input<string>,
    region: pulumi.Input<string>,
): pulumi.Output<string> {
    return pulumi.all([topicArn, accountId, partition, region]).apply(([arn, account, part, reg]) =>
        JSON.stringify({
            Version: "2012-10-17",
            Statement: [
                {
                    // As the ElastiCache guide writes it ("SNS topic access policy requirement"):
                    // every principal, bound to this account's resources by aws:SourceOwner. A
                    // service-principal form is not documented; when ElastiCache cannot publish it
                    // silently sets the topic inactive.
                    Sid: "ElastiCachePublishesEvents",
                    Effect: "Allow",
                    Principal: { AWS: "*" },
                    Action: "sns:Publish",
                    Resource: arn,
                    Condition: { StringEquals: { "aws:SourceOwner": account } },
                },
                {
                    Sid: "CloudWatchAlarmsPublish",
                    Effect: "Allow",
                    Principal: { Service: "cloudwatch.amazonaws.com" },
                    Action: "sns:Publish",
                    Resource: arn,
                    Condition: {
                        ArnLike: { "aws:SourceArn": `arn:${part}:cloudwatch:${reg}:${account}:alarm:*` },
                        StringEquals: { "aws:SourceAccount": account },
                    },
                },
                {
                    Sid: "AccountManagesTopic",
                    Effect: "Allow",
                    Principal: { AWS: `arn:${part}:iam::${account}:root` },
                    Action: [
                        "sns:GetTopicAttributes",
                        "sns:SetTopicAttributes",
                        "sns:Subscribe",
                        "sns:ListSubscriptionsByTopic",
                        "sns:Publish",
                    ],
                    Resource: arn,
                },
                {
                    Sid: "DenyInsecureTransport",
                    Effect: "Deny",
                    Principal: "*",
                    Action: "sns:Publish",
                    Resource: arn,
                    Condition: { Bool: { "aws:SecureTransport": "false" } },
                },
            ],
        }),
    );
}

/**
 * Lets ElastiCache's log delivery write the cache's logs, in the form CloudWatch Logs documents for
 * vended logs ("Logs sent to CloudWatch Logs", log group resource policy): the
 * `delivery.logs.amazonaws.com` principal, only this account's deliveries (`aws:SourceAccount`,
 * `aws:SourceArn`), only the given log group. The stack attaches it to that log group (a
 * resource-scoped policy, which does not count against the account's 10), so delivery never depends
 * on the deployer holding `logs:PutResourcePolicy` at the moment ElastiCache starts delivering.
 */
export function logDeliveryPolicy(
    logGroupArns: pulumi.Input<string>[],
    accountId: pulumi.Input<string>,
    partition: pulumi.Input<string>,
    region: pulumi.Input<string>,
): pulumi.Output<string> {
    return pulumi.all([pulumi.all(logGroupArns), accountId, partition, region]).apply(([arns, account, part, reg]) =>
        JSON.stringify({
            Version: "2012-10-17",
            Statement: [
                {
                    Sid: "ElastiCacheLogDelivery",
                    Effect: "Allow",
                    Principal: { Service: "delivery.logs.amazonaws.com" },
                    Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
                    Resource: arns.map((logGroupArn) => `${logGroupArn.replace(/:\*$/, "")}:log-stream:*`),
                    Condition: {
                        StringEquals: { "aws:SourceAccount": account },
                        ArnLike: { "aws:SourceArn": `arn:${part}:logs:${reg}:${account}:*` },
                    },
                },
            ],
        }),
    );
}
