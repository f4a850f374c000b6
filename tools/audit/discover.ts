// Read-only discovery of ElastiCache in the given Regions: every replication group, serverless
// cache, standalone cluster, user and user group, with what each one leans on (network, key,
// logs, backups, archive, trail, alarms, event topic, auth secret). Settings become resources
// with @pulumi/aws input names for the policy pack; live facts go beside them. A refused call
// becomes a gap ("needs <action>") and the values it would have given stay unknown, so no policy
// reports a defect it could not see.
import { AsyncLocalStorage } from "async_hooks";
import { DescribeTrailsCommand, GetTrailStatusCommand } from "@aws-sdk/client-cloudtrail";
import { paginateDescribeAlarms } from "@aws-sdk/client-cloudwatch";
import { DescribeLogStreamsCommand, paginateDescribeLogGroups } from "@aws-sdk/client-cloudwatch-logs";
import { paginateDescribeConfigRules, paginateGetComplianceDetailsByConfigRule } from "@aws-sdk/client-config-service";
import {
    paginateDescribeRouteTables,
    paginateDescribeSecurityGroups,
    paginateDescribeSubnets,
} from "@aws-sdk/client-ec2";
import {
    CacheCluster,
    paginateDescribeCacheClusters,
    paginateDescribeCacheParameters,
    paginateDescribeCacheSubnetGroups,
    paginateDescribeReplicationGroups,
    paginateDescribeServerlessCaches,
    paginateDescribeServerlessCacheSnapshots,
    paginateDescribeSnapshots,
    paginateDescribeUserGroups,
    paginateDescribeUsers,
    ListTagsForResourceCommand,
    ReplicationGroup,
} from "@aws-sdk/client-elasticache";
import { DescribeKeyCommand, GetKeyRotationStatusCommand } from "@aws-sdk/client-kms";
import {
    GetBucketEncryptionCommand,
    GetBucketLifecycleConfigurationCommand,
    GetBucketTaggingCommand,
    GetBucketVersioningCommand,
    GetObjectLockConfigurationCommand,
    GetPublicAccessBlockCommand,
    ListObjectsV2Command,
    paginateListBuckets,
    paginateListObjectsV2,
} from "@aws-sdk/client-s3";
import { paginateListSecrets } from "@aws-sdk/client-secrets-manager";
import { GetTopicAttributesCommand } from "@aws-sdk/client-sns";
import { ControlId } from "../../core/controls";
import { types } from "../../policy-pack/src/types";
import { AwsSession, iamAction, isAccessDenied, isError, Service } from "./aws";
import { managedRules } from "../../component/configRules";
import { archivePrefixes } from "../../component/archive";
import { isArchivedExport, monthsBetween } from "./live";
import {
    ArchiveFacts,
    FoundBy,
    AuditResource,
    CacheFacts,
    Gap,
    Inventory,
    LogGroupFacts,
    notRead,
    Observed,
    RegionFacts,
    Source,
} from "./model";

/** A string value a call did read (not the marker of a refused call). */
function isRead(value: unknown): value is string {
    return typeof value === "string" && value !== notRead;
}

/**
 * DescribeCacheClusters reports the full engine version ("7.1.0"); the provider's `engineVersion`
 * input takes "major.minor" from Redis 6 on (and for Valkey), the full version below.
 */
export function providerEngineVersion(version: string | undefined): string | undefined {
    const match = /^(\d+)\.(\d+)(\.\d+)?$/.exec(version ?? "");
    if (!match) {
        return version;
    }
    return Number(match[1]) >= 6 ? `${match[1]}.${match[2]}` : version;
}

/**
 * The key prefix of one cache's archived exports. The export job writes under
 * `archivePrefixes.snapshots` and names each copy after the snapshot it exported:
 * `<group id>-YYYY-MM-DD-HH-MM-export-NNNN.rdb` (component/lambda/exportSnapshot.js exportName:
 * ElastiCache names automatic snapshots `automatic.<group id>-<date>-<time>`), so a cache's exports
 * of one month share the prefix `snapshots/<group id>-YYYY-MM-`.
 */
export function exportKeyPrefix(groupId: string, month = ""): string {
    return `${archivePrefixes.snapshots}/${groupId.toLowerCase()}-${month ? `${month}-` : ""}`;
}

/**
 * The tag the component puts on everything it creates, the replication group included
 * (component/redis.ts: `"hitrust:component": name`). A bucket or secret with the same tag and value
 * belongs to the same deployment, whatever its name.
 */
export const componentTagKey = "hitrust:component";

export interface DiscoverOptions {
    regions: string[];
    log?: (line: string) => void;
    /** Replication group ID -> archive bucket, from --archive-bucket. */
    archiveBuckets?: Record<string, string>;
    /** Replication group ID -> auth secret name or ARN, from --auth-secret. */
    authSecrets?: Record<string, string>;
    /** The archive period in days (the component's minimum archive retention). */
    archiveRetentionDays: number;
    /** Days back that the live check wants one export each (listed day by day). */
    exportDays: number;
}

/** A secret ARN's name: `arn:aws:secretsmanager:<region>:<account>:secret:<name>-<6 random characters>`. */
function secretNameOf(reference: string): string {
    const match = /^arn:[^:]+:secretsmanager:[^:]*:\d*:secret:(.+)-[A-Za-z0-9]{6}$/.exec(reference);
    return match ? match[1] : reference;
}

/**
 * What one part of a Region's reading produced (a cache, a neighbour shared by several caches, the
 * Region's own reads), in the order it produced it. The caches of a Region are read side by side, so
 * their results arrive in any order; each writes to its own scope, and the scopes are laid end to
 * end afterwards in the order the caches were listed, so the same account gives the same inventory
 * whatever the timing. A neighbour read once for several caches (a subnet group, the Region's
 * bucket tags) has a scope of its own, laid out where the first cache (in list order) refers to it.
 */
interface Scope {
    entries: ({ resource: AuditResource } | { gap: Gap } | { cache: CacheFacts } | { scope: Scope })[];
}

/**
 * The scope each reader's running code writes to. One store for the process, not one per reader:
 * an AsyncLocalStorage that has run once stays enabled, and Node then propagates every enabled
 * store into every promise the process creates afterwards ("Asynchronous context tracking",
 * https://nodejs.org/api/async_context.html#asynclocalstoragedisable): a store per reader made each
 * later audit in a process (tests, the scheduled function's warm invocations) pay for every earlier one.
 */
const readerScopes = new AsyncLocalStorage<{ reader: RegionReader; scope: Scope }>();

/** One Region's reading: the calls it makes and the resources it builds. */
class RegionReader {
    readonly resources: AuditResource[] = [];
    readonly caches: CacheFacts[] = [];
    readonly gaps: Gap[] = [];
    readonly facts: RegionFacts;
    private readonly root: Scope = { entries: [] };
    private readonly sharedReads = new Map<string, { scope: Scope; value: Promise<unknown> }>();

    constructor(
        private readonly session: AwsSession,
        readonly region: string,
        private readonly log: (line: string) => void,
        private readonly options: DiscoverOptions,
    ) {
        this.facts = { region };
    }

    /** The scope the running code writes to. */
    private scope(): Scope {
        const current = readerScopes.getStore();
        return current?.reader === this ? current.scope : this.root;
    }

    /** Runs `fn` writing to a new scope, which the current scope refers to at this point. */
    private within<T>(fn: () => Promise<T>): Promise<T> {
        const scope: Scope = { entries: [] };
        this.scope().entries.push({ scope });
        return readerScopes.run({ reader: this, scope }, fn);
    }

    /**
     * A read shared by several caches, made once: its results go to a scope of its own, which every
     * caller refers to (laid out once, where the first caller in list order is).
     */
    private shared<T>(key: string, read: () => Promise<T>): Promise<T> {
        let entry = this.sharedReads.get(key);
        if (!entry) {
            const scope: Scope = { entries: [] };
            entry = { scope, value: readerScopes.run({ reader: this, scope }, read) };
            this.sharedReads.set(key, entry);
        }
        this.scope().entries.push({ scope: entry.scope });
        return entry.value as Promise<T>;
    }

    /** The gaps a scope holds, those of the shared reads it refers to included. */
    private gapsOf(scope: Scope, seen = new Set<Scope>()): Gap[] {
        if (seen.has(scope)) {
            return [];
        }
        seen.add(scope);
        return scope.entries.flatMap((e) => ("gap" in e ? [e.gap] : "scope" in e ? this.gapsOf(e.scope, seen) : []));
    }

    /** Lays the scopes end to end: resources (the first of each URN), gaps and caches in reading order. */
    private layOut() {
        const seen = new Set<Scope>();
        const urns = new Set<string>();
        const walk = (scope: Scope) => {
            if (seen.has(scope)) {
                return;
            }
            seen.add(scope);
            for (const entry of scope.entries) {
                if ("scope" in entry) {
                    walk(entry.scope);
                } else if ("resource" in entry) {
                    if (!urns.has(entry.resource.urn)) {
                        urns.add(entry.resource.urn);
                        this.resources.push(entry.resource);
                    }
                } else if ("gap" in entry) {
                    this.gaps.push(entry.gap);
                } else {
                    this.caches.push(entry.cache);
                }
            }
        };
        walk(this.root);
    }

    private source(service: Service, operation: string): Source {
        return { call: iamAction(service, operation), region: this.region, at: this.session.now().toISOString() };
    }

    /** Runs one read; a refusal becomes a gap on `controls` and `undefined`, anything else throws. */
    private async read<T>(
        service: Service,
        operation: string,
        what: { resource: string; controls: ControlId[]; what: string; ifMissing?: T; optional?: Gap[] },
        fn: (client: any) => Promise<T>,
    ): Promise<Observed<T> | undefined> {
        const source = this.source(service, operation);
        try {
            const value = await fn(this.session.client(service, this.region));
            return { value, source };
        } catch (e) {
            // A neighbour deleted since the cache named it (InvalidGroup.NotFound,
            // CacheSubnetGroupNotFoundFault, CacheParameterGroupNotFound, ResourceNotFoundException,
            // NoSuchBucket, ...) is an observation about that cache, never a run error: where the
            // caller knows what absence means (ifMissing) it is that value, else a gap for the cache.
            const name = (e as Error)?.name ?? "";
            if (/NotFound|NoSuch/.test(name)) {
                this.log(`  ${this.region} ${service}:${operation}: ${what.what} not found (${name})`);
                if ("ifMissing" in what) {
                    return { value: what.ifMissing as T, source };
                }
                this.scope().entries.push({
                    gap: {
                        resource: what.resource,
                        needs: iamAction(service, operation),
                        controls: what.controls,
                        what: what.what,
                        kind: "missing",
                        error: name,
                    },
                });
                return undefined;
            }
            if (isAccessDenied(e)) {
                const needs = iamAction(service, operation);
                // An optional read (a way to find something that another way may still find) is a
                // gap only if nothing is found in the end: the caller keeps it in `optional`.
                const gap: Gap = { resource: what.resource, needs, controls: what.controls, what: what.what };
                if (what.optional) {
                    what.optional.push(gap);
                } else {
                    this.scope().entries.push({ gap });
                }
                return undefined;
            }
            throw e;
        }
    }

    private async all<T>(pages: AsyncIterable<any>, key: string): Promise<T[]> {
        const out: T[] = [];
        for await (const page of pages) {
            out.push(...((page?.[key] as T[]) ?? []));
        }
        return out;
    }

    /** A resource; of several with one URN, the first in reading order is kept (layOut). */
    private add(resource: Omit<AuditResource, "custom" | "parent" | "retainOnDelete" | "state" | "dependencies">) {
        const full: AuditResource = {
            custom: true,
            parent: "",
            retainOnDelete: false,
            state: {},
            dependencies: [...new Set(Object.values(resource.propertyDependencies).flat())],
            ...resource,
        };
        this.scope().entries.push({ resource: full });
    }

    private urn(kind: string, id: string) {
        return `arn:aws:${kind}:${this.region}::${id}`;
    }

    async run(): Promise<void> {
        this.log(`Region ${this.region}: discovering ElastiCache ...`);
        const region = this.region;
        // The Region's lists, side by side (each in its own scope: what a refusal leaves is laid out
        // in this order whatever the timing).
        const lists = await Promise.allSettled([
            this.within(() =>
                this.read(
                    "elasticache",
                    "DescribeReplicationGroups",
                    { resource: region, controls: settingsControls, what: "replication groups" },
                    (c) =>
                        this.all<ReplicationGroup>(
                            paginateDescribeReplicationGroups({ client: c }, {}),
                            "ReplicationGroups",
                        ),
                ),
            ),
            this.within(() =>
                this.read(
                    "elasticache",
                    "DescribeCacheClusters",
                    {
                        resource: region,
                        controls: settingsControls,
                        what: "cache clusters (engine version, network, topic)",
                    },
                    (c) => this.all<CacheCluster>(paginateDescribeCacheClusters({ client: c }, {}), "CacheClusters"),
                ),
            ),
            this.within(() =>
                this.read(
                    "elasticache",
                    "DescribeServerlessCaches",
                    { resource: region, controls: settingsControls, what: "serverless caches" },
                    (c) => this.all<any>(paginateDescribeServerlessCaches({ client: c }, {}), "ServerlessCaches"),
                ),
            ),
            this.within(() =>
                this.read(
                    "elasticache",
                    "DescribeUsers",
                    { resource: region, controls: ["0808.10b2", "19141.06c1"], what: "RBAC users" },
                    (c) => this.all<any>(paginateDescribeUsers({ client: c }, {}), "Users"),
                ),
            ),
            this.within(() =>
                this.read(
                    "elasticache",
                    "DescribeUserGroups",
                    { resource: region, controls: ["0808.10b2", "19141.06c1"], what: "RBAC user groups" },
                    (c) => this.all<any>(paginateDescribeUserGroups({ client: c }, {}), "UserGroups"),
                ),
            ),
        ]);
        // Every list settles before a run error is raised (the first in this order).
        const failedList = lists.find((o): o is PromiseRejectedResult => o.status === "rejected");
        if (failedList) {
            throw failedList.reason;
        }
        const [groups, clusters, serverless, users, userGroups] = lists.map((o) =>
            o.status === "fulfilled" ? o.value : undefined,
        ) as [
            Observed<ReplicationGroup[]> | undefined,
            Observed<CacheCluster[]> | undefined,
            Observed<any[]> | undefined,
            Observed<any[]> | undefined,
            Observed<any[]> | undefined,
        ];
        const found = [
            `${groups?.value.length ?? "?"} replication groups`,
            `${serverless?.value.length ?? "?"} serverless caches`,
            `${clusters?.value.filter((c) => !c.ReplicationGroupId).length ?? "?"} standalone clusters`,
            `${users?.value.length ?? "?"} users`,
            `${userGroups?.value.length ?? "?"} user groups`,
        ];
        this.log(`Region ${region}: ${found.join(", ")}`);

        const userUrns = new Map<string, string>();
        for (const user of users?.value ?? []) {
            if (user.UserId === "default") {
                // ElastiCache's built-in user, in every account and not declared by any program; it
                // matters only inside a user group, which the user-group policy checks.
                continue;
            }
            const urn = user.ARN ?? this.urn("elasticache", `user:${user.UserId}`);
            userUrns.set(user.UserId, urn);
            const type = user.Authentication?.Type as string | undefined;
            this.add({
                type: types.user,
                name: user.UserId,
                urn,
                propertyDependencies: {},
                source: users!.source,
                inputs: {
                    userId: user.UserId,
                    userName: user.UserName,
                    engine: user.Engine,
                    accessString: user.AccessString,
                    // DescribeUsers: Authentication.Type is password | no-password | iam (API reference,
                    // "Authentication"); the provider's authenticationMode.type spells the second
                    // "no-password-required" (API reference, "AuthenticationMode").
                    ...(type
                        ? { authenticationMode: { type: type === "no-password" ? "no-password-required" : type } }
                        : {}),
                    ...(type === "no-password" ? { noPasswordRequired: true } : {}),
                },
            });
        }
        const userGroupUrns = new Map<string, string>();
        for (const group of userGroups?.value ?? []) {
            const urn = group.ARN ?? this.urn("elasticache", `usergroup:${group.UserGroupId}`);
            userGroupUrns.set(group.UserGroupId, urn);
            const ids: string[] = group.UserIds ?? [];
            this.add({
                type: types.userGroup,
                name: group.UserGroupId,
                urn,
                source: userGroups!.source,
                propertyDependencies: {
                    userIds: ids.map((id) => userUrns.get(id)).filter((u): u is string => u !== undefined),
                },
                inputs: { userGroupId: group.UserGroupId, engine: group.Engine, userIds: ids },
            });
        }

        const membersOf = new Map<string, CacheCluster[]>();
        for (const cluster of clusters?.value ?? []) {
            if (cluster.ReplicationGroupId) {
                const list = membersOf.get(cluster.ReplicationGroupId) ?? [];
                list.push(cluster);
                membersOf.set(cluster.ReplicationGroupId, list);
            }
        }

        // Neighbours shared by several caches are read once; the caches start while the alarms are
        // listed (a page of 100 at a time) and wait for them where they use them.
        const alarms = groups?.value.length
            ? this.within(async () => {
                  const read = await this.readAlarms();
                  if (!read) {
                      // Alarms could not be listed: stand in one alarm whose namespace and dimensions
                      // are unknown, so the alarm policy cannot conclude that nothing watches the groups.
                      this.add({
                          type: types.metricAlarm,
                          name: "(alarms not read: needs cloudwatch:DescribeAlarms)",
                          urn: this.urn("cloudwatch", "alarm:*"),
                          propertyDependencies: {},
                          inputs: { namespace: notRead, dimensions: notRead },
                      });
                  }
                  return read;
              })
            : undefined;
        // Every cache is read at once, each in its own scope; the limiter of each service
        // (AwsSession, requestLimits) bounds how many requests are in flight and how fast.
        const reads: Promise<unknown>[] = [
            ...(groups?.value ?? []).map((group) =>
                this.within(() =>
                    this.replicationGroup(
                        group,
                        membersOf.get(group.ReplicationGroupId!) ?? [],
                        clusters,
                        groups!.source,
                        { userGroupUrns, alarms },
                    ),
                ),
            ),
            ...(clusters?.value ?? [])
                .filter((c) => !c.ReplicationGroupId)
                .map((cluster) => this.within(() => this.standaloneCluster(cluster, clusters!.source))),
            ...(serverless?.value ?? []).map((cache) =>
                this.within(() => this.serverlessCache(cache, serverless!.source, userGroupUrns)),
            ),
        ];
        if ((groups?.value.length ?? 0) + (serverless?.value.length ?? 0) + (clusters?.value.length ?? 0) > 0) {
            reads.push(this.within(() => this.readTrails()));
            reads.push(this.within(() => this.readConfigRules()));
        }
        // Every read settles before a run error is raised (the first in list order), so none is
        // left running against clients the caller then destroys.
        const outcomes = await Promise.allSettled(alarms ? [alarms, ...reads] : reads);
        const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === "rejected");
        if (failed) {
            throw failed.reason;
        }
        this.layOut();
    }

    private async replicationGroup(
        group: ReplicationGroup,
        members: CacheCluster[],
        clusters: Observed<CacheCluster[]> | undefined,
        source: Source,
        shared: { userGroupUrns: Map<string, string>; alarms?: Promise<Observed<any[]> | undefined> },
    ) {
        const id = group.ReplicationGroupId!;
        const urn = group.ARN ?? this.urn("elasticache", `replicationgroup:${id}`);
        this.log(`Region ${this.region}: replication group ${id}`);
        const first = members[0];
        // Values that only the member clusters carry; unknown when DescribeCacheClusters was refused.
        const fromMembers = <T>(pick: (c: CacheCluster) => T): T | typeof notRead =>
            clusters === undefined ? notRead : first ? pick(first) : (undefined as T);
        const deps: Record<string, string[]> = {};

        const subnetGroupName = fromMembers((c) => c.CacheSubnetGroupName);
        if (isRead(subnetGroupName)) {
            deps.subnetGroupName = [await this.subnetGroup(subnetGroupName)];
        }
        const securityGroupIds = fromMembers((c) =>
            (c.SecurityGroups ?? []).map((s) => s.SecurityGroupId!).filter(Boolean),
        );
        if (Array.isArray(securityGroupIds) && securityGroupIds.length > 0) {
            deps.securityGroupIds = await this.securityGroups(securityGroupIds, id);
        }
        let keyManager: Observed<string | undefined> | undefined;
        if (group.KmsKeyId) {
            const key = await this.kmsKey(group.KmsKeyId, id);
            deps.kmsKeyId = [key.urn];
            keyManager = key.manager;
        }
        const topicArn = fromMembers((c) => c.NotificationConfiguration?.TopicArn);
        const logDeliveries = (group.LogDeliveryConfigurations ?? []).map((l) => ({
            logType: l.LogType!,
            status: l.Status ?? "",
            destination:
                l.DestinationDetails?.CloudWatchLogsDetails?.LogGroup ??
                l.DestinationDetails?.KinesisFirehoseDetails?.DeliveryStream,
            destinationType: l.DestinationType,
            logFormat: l.LogFormat,
            message: l.Message,
        }));
        const logGroups: LogGroupFacts[] = [];
        const logGroupUrns: string[] = [];
        const listed = await this.logGroupsUnder(
            logDeliveries
                .filter((d) => d.destinationType === "cloudwatch-logs" && d.destination)
                .map((d) => d.destination!),
            id,
        );
        for (const delivery of logDeliveries) {
            if (delivery.destinationType === "cloudwatch-logs" && delivery.destination) {
                const found = await this.logGroup(delivery.destination, id, listed);
                if (found) {
                    logGroups.push(found.facts);
                    logGroupUrns.push(found.urn);
                }
            }
        }
        if (logGroupUrns.length > 0) {
            deps.logDeliveryConfigurations = logGroupUrns;
        }
        if (group.UserGroupIds?.length) {
            deps.userGroupIds = group.UserGroupIds.map((g) => shared.userGroupUrns.get(g)).filter(
                (u): u is string => u !== undefined,
            );
        }
        const clusterMode = group.ClusterEnabled === true;
        const nodeGroups = group.NodeGroups ?? [];
        const port = group.ConfigurationEndpoint?.Port ?? nodeGroups[0]?.PrimaryEndpoint?.Port;
        const inputs: Record<string, unknown> = {
            replicationGroupId: id,
            description: group.Description,
            engine: group.Engine ?? fromMembers((c) => c.Engine),
            engineVersion: fromMembers((c) => providerEngineVersion(c.EngineVersion)),
            nodeType: group.CacheNodeType,
            port,
            parameterGroupName: fromMembers((c) => c.CacheParameterGroup?.CacheParameterGroupName),
            subnetGroupName,
            securityGroupIds,
            ...(clusterMode
                ? {
                      clusterMode: group.ClusterMode ?? "enabled",
                      numNodeGroups: nodeGroups.length,
                      replicasPerNodeGroup: Math.max(0, (nodeGroups[0]?.NodeGroupMembers?.length ?? 1) - 1),
                  }
                : {
                      numCacheClusters: (group.MemberClusters ?? []).length,
                      preferredCacheClusterAzs:
                          clusters === undefined
                              ? notRead
                              : members.map((m) => m.PreferredAvailabilityZone).filter(Boolean),
                  }),
            // The API says only whether an AUTH token is set, never the token: a write-only input.
            ...(group.AuthTokenEnabled ? { authTokenWo: "(set; ElastiCache never returns it)" } : {}),
            ...(group.UserGroupIds?.length ? { userGroupIds: group.UserGroupIds } : {}),
            snapshotRetentionLimit: group.SnapshotRetentionLimit ?? 0,
            snapshotWindow: group.SnapshotWindow,
            maintenanceWindow: fromMembers((c) => c.PreferredMaintenanceWindow),
            logDeliveryConfigurations: logDeliveries.map((l) => ({
                destination: l.destination,
                destinationType: l.destinationType,
                logFormat: l.logFormat,
                logType: l.logType,
            })),
            notificationTopicArn: topicArn,
            automaticFailoverEnabled: group.AutomaticFailover === "enabled",
            multiAzEnabled: group.MultiAZ === "enabled",
            atRestEncryptionEnabled: group.AtRestEncryptionEnabled === true,
            kmsKeyId: group.KmsKeyId,
            transitEncryptionEnabled: group.TransitEncryptionEnabled === true,
            transitEncryptionMode: group.TransitEncryptionMode,
            autoMinorVersionUpgrade: group.AutoMinorVersionUpgrade,
            dataTieringEnabled: group.DataTiering === "enabled",
            ...(group.GlobalReplicationGroupInfo?.GlobalReplicationGroupId
                ? { globalReplicationGroupId: group.GlobalReplicationGroupInfo.GlobalReplicationGroupId }
                : {}),
        };
        for (const [key, value] of Object.entries(inputs)) {
            if (value === undefined) {
                delete inputs[key];
            }
        }
        const topicUrns: string[] = [];
        const facts: CacheFacts = {
            id,
            arn: urn,
            region: this.region,
            kind: "replication group",
            memberClusters: group.MemberClusters ?? [],
            createdAt: group.ReplicationGroupCreateTime
                ? new Date(group.ReplicationGroupCreateTime).toISOString()
                : undefined,
            snapshotRetentionLimit: group.SnapshotRetentionLimit,
            authTokenEnabled: group.AuthTokenEnabled === true,
            kmsKeyId: group.KmsKeyId,
            keyManager,
            logDeliveries: { value: logDeliveries, source },
            logGroups,
            topics: [],
            eventTopicStatus:
                clusters === undefined
                    ? undefined
                    : { value: first?.NotificationConfiguration?.TopicStatus, source: clusters.source },
        };
        if (isRead(topicArn)) {
            const topic = await this.topic(topicArn, id);
            if (topic) {
                topicUrns.push(topic.urn);
                facts.topics.push(topic.observed);
            }
            deps.notificationTopicArn = topicUrns;
        }
        // Values the member clusters carry came from DescribeCacheClusters, not DescribeReplicationGroups.
        const propertySources: Record<string, Source> = {};
        if (clusters) {
            for (const key of [
                "engineVersion",
                "parameterGroupName",
                "subnetGroupName",
                "securityGroupIds",
                "maintenanceWindow",
                "notificationTopicArn",
                "preferredCacheClusterAzs",
                ...(group.Engine ? [] : ["engine"]),
            ]) {
                if (key in inputs) {
                    propertySources[key] = clusters.source;
                }
            }
        }
        this.add({
            type: types.replicationGroup,
            name: id,
            urn,
            source,
            propertySources,
            propertyDependencies: deps,
            inputs,
        });

        // Alarms on this group's metrics: CloudWatch's CacheClusterId dimension names member nodes.
        const alarms = await shared.alarms;
        if (alarms) {
            const names = new Set([id, ...(group.MemberClusters ?? [])]);
            const mine = alarms.value.filter(
                (a) =>
                    a.Namespace === "AWS/ElastiCache" &&
                    (a.Dimensions ?? []).some((d: any) => typeof d.Value === "string" && names.has(d.Value)),
            );
            facts.alarms = {
                source: alarms.source,
                value: mine.map((a) => ({
                    name: a.AlarmName,
                    actions: a.AlarmActions ?? [],
                    actionsEnabled: a.ActionsEnabled !== false,
                    state: a.StateValue ?? "",
                })),
            };
            for (const alarm of mine) {
                this.add({
                    type: types.metricAlarm,
                    name: alarm.AlarmName,
                    urn: alarm.AlarmArn ?? this.urn("cloudwatch", `alarm:${alarm.AlarmName}`),
                    source: alarms.source,
                    propertyDependencies: { dimensions: [urn] },
                    inputs: {
                        name: alarm.AlarmName,
                        namespace: alarm.Namespace,
                        metricName: alarm.MetricName,
                        dimensions: Object.fromEntries((alarm.Dimensions ?? []).map((d: any) => [d.Name, d.Value])),
                        alarmActions: alarm.AlarmActions ?? [],
                        actionsEnabled: alarm.ActionsEnabled,
                    },
                });
                for (const action of alarm.AlarmActions ?? []) {
                    if (
                        action.startsWith("arn:") &&
                        action.includes(":sns:") &&
                        !facts.topics.some((t) => t.value.arn === action)
                    ) {
                        const topic = await this.topic(action, id);
                        if (topic) {
                            facts.topics.push(topic.observed);
                        }
                    }
                }
            }
        }

        const parameterGroup = inputs.parameterGroupName;
        if (isRead(parameterGroup)) {
            facts.parameters = await this.read(
                "elasticache",
                "DescribeCacheParameters",
                { resource: id, controls: ["0706.10b1"], what: `parameters of ${parameterGroup}` },
                async (c) => {
                    // Source "user": the parameters set away from the engine defaults (API reference,
                    // DescribeCacheParameters: user | system | engine-default).
                    const parameters = await this.all<any>(
                        paginateDescribeCacheParameters(
                            { client: c },
                            { CacheParameterGroupName: parameterGroup, Source: "user" },
                        ),
                        "Parameters",
                    );
                    return {
                        group: parameterGroup,
                        parameters: Object.fromEntries(parameters.map((x) => [x.ParameterName, x.ParameterValue])),
                    };
                },
            );
            if (facts.parameters) {
                // The group as the pack reads an aws.elasticache.ParameterGroup, so that
                // aws-elasticache-parametergroup-disallow-disabled-logging judges what it sets.
                this.add({
                    type: types.parameterGroup,
                    name: parameterGroup,
                    urn: this.urn("elasticache", `parametergroup:${parameterGroup}`),
                    source: facts.parameters.source,
                    propertyDependencies: {},
                    inputs: {
                        name: parameterGroup,
                        parameters: Object.entries(facts.parameters.value.parameters).map(([name, value]) => ({
                            name,
                            value,
                        })),
                    },
                });
            }
        }
        facts.newestAutomaticSnapshot = await this.read(
            "elasticache",
            "DescribeSnapshots",
            { resource: id, controls: ["1616.09l1", "1618.09l1"], what: "automatic snapshots" },
            async (c) => {
                // SnapshotSource "system" selects automatic snapshots (DescribeSnapshots API reference:
                // request values system | user; responses say "automated").
                const snapshots = await this.all<any>(
                    paginateDescribeSnapshots({ client: c }, { ReplicationGroupId: id, SnapshotSource: "system" }),
                    "Snapshots",
                );
                let newest: number | undefined;
                for (const snapshot of snapshots) {
                    for (const node of snapshot.NodeSnapshots ?? []) {
                        const t = node.SnapshotCreateTime ? new Date(node.SnapshotCreateTime).getTime() : undefined;
                        if (t !== undefined && (newest === undefined || t > newest)) {
                            newest = t;
                        }
                    }
                }
                return newest === undefined ? undefined : new Date(newest).toISOString();
            },
        );
        // What links the archive bucket and the auth secret to this group: a name given on the
        // command line, else the component's tag on the group (ListTagsForResource), else the
        // component's name prefixes.
        const tagRefused: Gap[] = [];
        facts.componentTag = await this.read(
            "elasticache",
            "ListTagsForResource",
            {
                resource: id,
                controls: [],
                what: "the group's tags (which link its archive and secret)",
                optional: tagRefused,
            },
            async (c) => {
                // ElastiCache API reference, ListTagsForResource: ResourceName is the group's ARN.
                const tags = (await c.send(new ListTagsForResourceCommand({ ResourceName: urn }))).TagList ?? [];
                return tags.find((t: any) => t.Key === componentTagKey)?.Value as string | undefined;
            },
        );
        const shards = clusterMode ? Math.max(nodeGroups.length, 1) : 1;
        await this.archives(facts, shards);
        await this.secrets(facts);
        // The tags were one way to find the archive and the secret: their refusal is a gap only
        // where the other ways found nothing.
        const unfound: ControlId[] = [
            ...(facts.archives?.value.length === 0 ? (["1620.09l1", "1616.09l1"] as ControlId[]) : []),
            ...(facts.secrets?.value.length === 0 ? (["19141.06c1"] as ControlId[]) : []),
        ];
        // The Region's refused bucket-tag read counts for the groups that looked at the bucket tags.
        const bucketTagsRefused = this.bucketTagsLookedUp.has(facts)
            ? ((await this.bucketsTagged())?.refused ?? [])
            : [];
        for (const gap of unfound.length > 0 ? [...tagRefused, ...bucketTagsRefused] : []) {
            this.scope().entries.push({ gap: { ...gap, resource: id, controls: unfound } });
            facts.linkRefused = [...(facts.linkRefused ?? []), gap.needs];
        }
        const missing = this.gapsOf(this.scope()).filter((g) => g.resource === id && g.kind === "missing");
        if (missing.length > 0) {
            facts.missing = Object.fromEntries(missing.map((g) => [g.needs, `${g.what}: ${g.error}`]));
        }
        this.scope().entries.push({ cache: facts });
    }

    private async standaloneCluster(cluster: CacheCluster, source: Source) {
        const id = cluster.CacheClusterId!;
        const deps: Record<string, string[]> = {};
        if (cluster.CacheSubnetGroupName) {
            deps.subnetGroupName = [await this.subnetGroup(cluster.CacheSubnetGroupName)];
        }
        const sgs = (cluster.SecurityGroups ?? []).map((s) => s.SecurityGroupId!).filter(Boolean);
        if (sgs.length > 0) {
            deps.securityGroupIds = await this.securityGroups(sgs, id);
        }
        const inputs: Record<string, unknown> = {
            clusterId: id,
            engine: cluster.Engine,
            engineVersion: cluster.EngineVersion,
            nodeType: cluster.CacheNodeType,
            numCacheNodes: cluster.NumCacheNodes,
            parameterGroupName: cluster.CacheParameterGroup?.CacheParameterGroupName,
            subnetGroupName: cluster.CacheSubnetGroupName,
            securityGroupIds: sgs,
            snapshotRetentionLimit: cluster.SnapshotRetentionLimit ?? 0,
            snapshotWindow: cluster.SnapshotWindow,
            maintenanceWindow: cluster.PreferredMaintenanceWindow,
            notificationTopicArn: cluster.NotificationConfiguration?.TopicArn,
            // The provider types this input as a string ("true"/"false").
            autoMinorVersionUpgrade:
                cluster.AutoMinorVersionUpgrade === undefined ? undefined : String(cluster.AutoMinorVersionUpgrade),
            transitEncryptionEnabled: cluster.TransitEncryptionEnabled,
            availabilityZone: cluster.PreferredAvailabilityZone,
        };
        for (const [key, value] of Object.entries(inputs)) {
            if (value === undefined) {
                delete inputs[key];
            }
        }
        this.add({
            type: types.cluster,
            name: id,
            urn: cluster.ARN ?? this.urn("elasticache", `cluster:${id}`),
            source,
            propertyDependencies: deps,
            inputs,
        });
    }

    private async serverlessCache(cache: any, source: Source, userGroupUrns: Map<string, string>) {
        const name = cache.ServerlessCacheName;
        const deps: Record<string, string[]> = {};
        if (cache.SecurityGroupIds?.length) {
            deps.securityGroupIds = await this.securityGroups(cache.SecurityGroupIds, name);
        }
        if (cache.KmsKeyId) {
            deps.kmsKeyId = [(await this.kmsKey(cache.KmsKeyId, name)).urn];
        }
        if (cache.UserGroupId && userGroupUrns.has(cache.UserGroupId)) {
            deps.userGroupId = [userGroupUrns.get(cache.UserGroupId)!];
        }
        const inputs: Record<string, unknown> = {
            name,
            engine: cache.Engine,
            majorEngineVersion: cache.MajorEngineVersion,
            kmsKeyId: cache.KmsKeyId,
            securityGroupIds: cache.SecurityGroupIds ?? [],
            subnetIds: cache.SubnetIds,
            userGroupId: cache.UserGroupId,
            snapshotRetentionLimit: cache.SnapshotRetentionLimit ?? 0,
            dailySnapshotTime: cache.DailySnapshotTime,
        };
        for (const [key, value] of Object.entries(inputs)) {
            if (value === undefined) {
                delete inputs[key];
            }
        }
        const urn = cache.ARN ?? this.urn("elasticache", `serverlesscache:${name}`);
        this.add({ type: types.serverlessCache, name, urn, source, propertyDependencies: deps, inputs });
        // A serverless cache has no log delivery, member nodes or archive job of ours: only its
        // backups are observed beyond its settings.
        this.scope().entries.push({
            cache: {
                id: name,
                arn: urn,
                region: this.region,
                kind: "serverless cache",
                memberClusters: [],
                createdAt: cache.CreateTime ? new Date(cache.CreateTime).toISOString() : undefined,
                snapshotRetentionLimit: cache.SnapshotRetentionLimit,
                logGroups: [],
                topics: [],
                newestAutomaticSnapshot: await this.read(
                    "elasticache",
                    "DescribeServerlessCacheSnapshots",
                    { resource: name, controls: ["1616.09l1", "1618.09l1"], what: "serverless cache snapshots" },
                    async (c) => {
                        const snapshots = await this.all<any>(
                            paginateDescribeServerlessCacheSnapshots({ client: c }, { ServerlessCacheName: name }),
                            "ServerlessCacheSnapshots",
                        );
                        // The API reference leaves SnapshotType's values open; a manual snapshot must not
                        // stand in for the daily automatic one, so only "manual" is left out.
                        const times = snapshots
                            .filter((x) => String(x.SnapshotType ?? "").toLowerCase() !== "manual" && x.CreateTime)
                            .map((x) => new Date(x.CreateTime).getTime());
                        return times.length === 0 ? undefined : new Date(Math.max(...times)).toISOString();
                    },
                ),
            },
        });
    }

    /** A cache subnet group, its subnets and their routes: read once per Region, whoever asks. */
    private subnetGroup(name: string): Promise<string> {
        return this.shared(`subnetgroup:${name}`, () => this.readSubnetGroup(name));
    }

    private async readSubnetGroup(name: string): Promise<string> {
        const urn = this.urn("elasticache", `subnetgroup:${name}`);
        const found = await this.read(
            "elasticache",
            "DescribeCacheSubnetGroups",
            { resource: name, controls: ["0805.01m1", "1601.12c1"], what: "the cache subnet group", ifMissing: [] },
            (c) =>
                this.all<any>(
                    paginateDescribeCacheSubnetGroups({ client: c }, { CacheSubnetGroupName: name }),
                    "CacheSubnetGroups",
                ),
        );
        const group = found?.value[0];
        const subnetIds: string[] = (group?.Subnets ?? []).map((s: any) => s.SubnetIdentifier);
        const subnetUrns = subnetIds.length > 0 ? await this.subnets(subnetIds, group?.VpcId, name) : [];
        this.add({
            type: types.subnetGroup,
            name,
            urn: group?.ARN ?? urn,
            source: found?.source,
            propertyDependencies: { subnetIds: subnetUrns },
            inputs: found
                ? { name, subnetIds, description: group?.CacheSubnetGroupDescription }
                : { name, subnetIds: notRead },
        });
        return group?.ARN ?? urn;
    }

    /** Subnets, their route tables (explicit or the VPC's main table) and internet gateways. */
    private async subnets(ids: string[], vpcId: string | undefined, owner: string): Promise<string[]> {
        const subnets = await this.read(
            "ec2",
            "DescribeSubnets",
            { resource: owner, controls: ["0805.01m1", "1601.12c1"], what: "the cache subnets", ifMissing: [] },
            (c) => this.all<any>(paginateDescribeSubnets({ client: c }, { SubnetIds: ids }), "Subnets"),
        );
        const urns = new Map<string, string>();
        for (const id of ids) {
            const subnet = subnets?.value.find((s) => s.SubnetId === id);
            const urn = subnet?.SubnetArn ?? this.urn("ec2", `subnet/${id}`);
            urns.set(id, urn);
            this.add({
                type: types.subnet,
                name: id,
                urn,
                source: subnets?.source,
                propertyDependencies: {},
                inputs: subnet
                    ? {
                          vpcId: subnet.VpcId,
                          availabilityZone: subnet.AvailabilityZone,
                          cidrBlock: subnet.CidrBlock,
                          mapPublicIpOnLaunch: subnet.MapPublicIpOnLaunch === true,
                      }
                    : { availabilityZone: notRead, mapPublicIpOnLaunch: notRead },
            });
        }
        const vpc = vpcId ?? subnets?.value[0]?.VpcId;
        if (!vpc) {
            return [...urns.values()];
        }
        const tables = await this.read(
            "ec2",
            "DescribeRouteTables",
            { resource: owner, controls: ["0805.01m1"], what: "the subnets' route tables" },
            (c) =>
                this.all<any>(
                    paginateDescribeRouteTables({ client: c }, { Filters: [{ Name: "vpc-id", Values: [vpc] }] }),
                    "RouteTables",
                ),
        );
        if (tables) {
            // A subnet without an explicit association uses the VPC's main route table (VPC user
            // guide, "Route tables": https://docs.aws.amazon.com/vpc/latest/userguide/VPC_Route_Tables.html).
            const main = tables.value.find((t) => (t.Associations ?? []).some((a: any) => a.Main));
            for (const id of ids) {
                const table =
                    tables.value.find((t) => (t.Associations ?? []).some((a: any) => a.SubnetId === id)) ?? main;
                if (!table) {
                    continue;
                }
                const tableUrn = this.urn("ec2", `route-table/${table.RouteTableId}`);
                const gatewayUrns: string[] = [];
                for (const route of table.Routes ?? []) {
                    if (typeof route.GatewayId === "string" && route.GatewayId.startsWith("igw-")) {
                        const igw = this.urn("ec2", `internet-gateway/${route.GatewayId}`);
                        this.add({
                            type: types.internetGateway,
                            name: route.GatewayId,
                            urn: igw,
                            source: tables.source,
                            propertyDependencies: {},
                            inputs: { vpcId: vpc },
                        });
                        gatewayUrns.push(igw);
                    }
                }
                this.add({
                    type: types.routeTable,
                    name: table.RouteTableId,
                    urn: tableUrn,
                    source: tables.source,
                    propertyDependencies: { routes: gatewayUrns },
                    inputs: {
                        vpcId: vpc,
                        routes: (table.Routes ?? []).map((r: any) => ({
                            cidrBlock: r.DestinationCidrBlock,
                            ipv6CidrBlock: r.DestinationIpv6CidrBlock,
                            gatewayId: r.GatewayId,
                            natGatewayId: r.NatGatewayId,
                        })),
                    },
                });
                this.add({
                    type: types.routeTableAssociation,
                    name: `${table.RouteTableId}:${id}`,
                    urn: this.urn("ec2", `route-table-association/${table.RouteTableId}/${id}`),
                    source: tables.source,
                    propertyDependencies: { routeTableId: [tableUrn], subnetId: [urns.get(id)!] },
                    inputs: { routeTableId: table.RouteTableId, subnetId: id },
                });
            }
        }
        return [...urns.values()];
    }

    private async securityGroups(ids: string[], owner: string): Promise<string[]> {
        const found = await this.read(
            "ec2",
            "DescribeSecurityGroups",
            { resource: owner, controls: ["0805.01m1"], what: "the cache's security groups", ifMissing: [] },
            (c) => this.all<any>(paginateDescribeSecurityGroups({ client: c }, { GroupIds: ids }), "SecurityGroups"),
        );
        return ids.map((id) => {
            const sg = found?.value.find((g) => g.GroupId === id);
            const urn = sg?.SecurityGroupArn ?? this.urn("ec2", `security-group/${id}`);
            this.add({
                type: types.securityGroup,
                name: id,
                urn,
                source: found?.source,
                propertyDependencies: {},
                inputs: sg
                    ? {
                          name: sg.GroupName,
                          vpcId: sg.VpcId,
                          ingress: (sg.IpPermissions ?? []).map((p: any) => ({
                              protocol: p.IpProtocol,
                              fromPort: p.FromPort,
                              toPort: p.ToPort,
                              cidrBlocks: (p.IpRanges ?? []).map((r: any) => r.CidrIp),
                              ipv6CidrBlocks: (p.Ipv6Ranges ?? []).map((r: any) => r.CidrIpv6),
                              securityGroups: (p.UserIdGroupPairs ?? []).map((g: any) => g.GroupId),
                          })),
                      }
                    : { ingress: notRead },
            });
            return urn;
        });
    }

    /** The key, and its manager (DescribeKey KeyMetadata.KeyManager: AWS | CUSTOMER). */
    private async kmsKey(
        keyId: string,
        owner: string,
    ): Promise<{ urn: string; manager?: Observed<string | undefined> }> {
        const described = await this.read(
            "kms",
            "DescribeKey",
            { resource: owner, controls: ["0903.10f1"], what: `the cache's KMS key ${keyId}`, ifMissing: undefined },
            async (c) => (await c.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata,
        );
        const rotation = await this.read(
            "kms",
            "GetKeyRotationStatus",
            { resource: owner, controls: ["0903.10f1"], what: `the rotation of key ${keyId}`, ifMissing: undefined },
            async (c) => (await c.send(new GetKeyRotationStatusCommand({ KeyId: keyId }))).KeyRotationEnabled,
        );
        const urn = described?.value?.Arn ?? keyId;
        const manager = described ? { value: described.value?.KeyManager, source: described.source } : undefined;
        this.add({
            type: types.kmsKey,
            name: described?.value?.KeyId ?? keyId,
            urn,
            source: rotation?.source ?? described?.source,
            propertyDependencies: {},
            inputs: {
                enableKeyRotation: rotation ? rotation.value === true : notRead,
                ...(described
                    ? {
                          isEnabled: described.value?.Enabled,
                          keyManager: described.value?.KeyManager,
                          keyState: described.value?.KeyState,
                          description: described.value?.Description,
                      }
                    : {}),
            },
        });
        return { urn, manager };
    }

    /**
     * The log groups of a cache's deliveries listed in one DescribeLogGroups call, when they share a
     * folder named after the cache (the component's `/aws/elasticache/<id>/slow-log` and
     * `.../engine-log`): logGroupNamePrefix matches every group under it (CloudWatch Logs API
     * reference, DescribeLogGroups), and DescribeLogGroups is the audit's scarcest rate (10 per
     * second). Otherwise undefined: each log group is listed by its own name.
     */
    private async logGroupsUnder(
        names: string[],
        owner: string,
    ): Promise<{ found: Observed<any[]> | undefined } | undefined> {
        if (names.length < 2) {
            return undefined;
        }
        let prefix = names[0];
        for (const name of names) {
            while (!name.startsWith(prefix)) {
                prefix = prefix.slice(0, -1);
            }
        }
        prefix = prefix.slice(0, prefix.lastIndexOf("/") + 1);
        if (!prefix.includes(`/${owner}/`)) {
            return undefined;
        }
        const found = await this.read(
            "logs",
            "DescribeLogGroups",
            { resource: owner, controls: ["1204.09aa1", "1202.09aa1"], what: `log groups ${names.join(", ")}` },
            (c) => this.all<any>(paginateDescribeLogGroups({ client: c }, { logGroupNamePrefix: prefix }), "logGroups"),
        );
        return { found };
    }

    private async logGroup(
        name: string,
        owner: string,
        listed?: { found: Observed<any[]> | undefined },
    ): Promise<{ urn: string; facts: LogGroupFacts } | undefined> {
        const found = listed
            ? listed.found
            : await this.read(
                  "logs",
                  "DescribeLogGroups",
                  { resource: owner, controls: ["1204.09aa1", "1202.09aa1"], what: `log group ${name}` },
                  (c) =>
                      this.all<any>(
                          paginateDescribeLogGroups({ client: c }, { logGroupNamePrefix: name }),
                          "logGroups",
                      ),
              );
        const group = found?.value.find((g) => g.logGroupName === name);
        const urn = group?.arn?.replace(/:\*$/, "") ?? this.urn("logs", `log-group:${name}`);
        // lastEventTimestamp "updates on an eventual consistency basis. It typically updates in
        // less than an hour from ingestion" (CloudWatch Logs API reference, LogStream): the
        // freshness check allows far more than that.
        const lastEvent = await this.read(
            "logs",
            "DescribeLogStreams",
            { resource: owner, controls: ["1203.09aa1"], what: `the newest event in ${name}`, ifMissing: undefined },
            async (c) => {
                const res = await c.send(
                    new DescribeLogStreamsCommand({
                        logGroupName: name,
                        orderBy: "LastEventTime",
                        descending: true,
                        limit: 1,
                    }),
                );
                const t = res.logStreams?.[0]?.lastEventTimestamp;
                return t === undefined ? undefined : new Date(t).toISOString();
            },
        );
        this.add({
            type: types.logGroup,
            name,
            urn,
            source: found?.source,
            propertyDependencies: {},
            inputs: found
                ? {
                      name,
                      // No retentionInDays in DescribeLogGroups means the events never expire, which
                      // the provider writes as 0.
                      retentionInDays: group?.retentionInDays ?? 0,
                      ...(group?.kmsKeyId ? { kmsKeyId: group.kmsKeyId } : {}),
                  }
                : { name, retentionInDays: notRead },
        });
        if (!found) {
            return {
                urn,
                facts: { name, state: "denied", lastEvent, source: this.source("logs", "DescribeLogGroups") },
            };
        }
        return {
            urn,
            facts: {
                name,
                state: group ? "read" : "missing",
                retentionInDays: group ? (group.retentionInDays ?? 0) : undefined,
                kmsKeyId: group?.kmsKeyId,
                lastEvent,
                source: found.source,
            },
        };
    }

    private async topic(arn: string, owner: string) {
        const found = await this.read(
            "sns",
            "GetTopicAttributes",
            { resource: owner, controls: ["1270.09ad1"], what: `topic ${arn}`, ifMissing: {} },
            // SubscriptionsConfirmed / SubscriptionsPending are attributes of GetTopicAttributes (SNS
            // API reference), so one call per topic counts who would hear an alert.
            async (c) => (await c.send(new GetTopicAttributesCommand({ TopicArn: arn }))).Attributes ?? {},
        );
        if (!found) {
            return undefined;
        }
        const attributes = found.value as Record<string, string>;
        const urn = arn;
        this.add({
            type: types.snsTopic,
            name: arn.split(":").pop()!,
            urn,
            source: found.source,
            propertyDependencies: {},
            inputs: {
                name: arn.split(":").pop(),
                ...(attributes.KmsMasterKeyId ? { kmsMasterKeyId: attributes.KmsMasterKeyId } : {}),
            },
        });
        return {
            urn,
            observed: {
                source: found.source,
                value: {
                    arn,
                    confirmed: Number(attributes.SubscriptionsConfirmed ?? 0),
                    pending: Number(attributes.SubscriptionsPending ?? 0),
                    encrypted: !!attributes.KmsMasterKeyId,
                },
            },
        };
    }

    private alarmsRead?: Promise<Observed<any[]> | undefined>;

    private readAlarms() {
        this.alarmsRead ??= this.read(
            "cloudwatch",
            "DescribeAlarms",
            { resource: this.region, controls: ["12100.09ab2", "1270.09ad1"], what: "CloudWatch alarms" },
            (c) =>
                this.all<any>(paginateDescribeAlarms({ client: c }, { AlarmTypes: ["MetricAlarm"] }), "MetricAlarms"),
        );
        return this.alarmsRead;
    }

    /**
     * The archive buckets of a group, and what is in them. Found, in this order, by
     * --archive-bucket, by the component's tag (the buckets of the Region that carry the group's
     * `hitrust:component` tag), or by the component's name prefix `<group id, 28 chars>-archive-`.
     */
    private async archives(cache: CacheFacts, shards: number): Promise<void> {
        const controls: ControlId[] = ["1620.09l1", "1616.09l1"];
        const found = await this.findArchiveBuckets(cache, controls);
        if (!found) {
            return;
        }
        const out: ArchiveFacts[] = [];
        for (const { bucket: Bucket, foundBy } of found.value) {
            const scope = { resource: Bucket, controls };
            const facts: ArchiveFacts = { bucket: Bucket, foundBy };
            facts.versioning = await this.read(
                "s3",
                "GetBucketVersioning",
                { ...scope, what: "versioning" },
                async (c) => String((await c.send(new GetBucketVersioningCommand({ Bucket }))).Status ?? "Disabled"),
            );
            facts.encryption = await this.read(
                "s3",
                "GetBucketEncryption",
                { ...scope, what: "default encryption" },
                async (c) => {
                    try {
                        const rule = (await c.send(new GetBucketEncryptionCommand({ Bucket })))
                            .ServerSideEncryptionConfiguration?.Rules?.[0]?.ApplyServerSideEncryptionByDefault;
                        return { algorithm: rule?.SSEAlgorithm ?? "none", keyId: rule?.KMSMasterKeyID };
                    } catch (e) {
                        if (isError(e, "ServerSideEncryptionConfigurationNotFoundError")) {
                            return { algorithm: "none" };
                        }
                        throw e;
                    }
                },
            );
            facts.publicAccessBlock = await this.read(
                "s3",
                "GetPublicAccessBlock",
                { ...scope, what: "public access block" },
                async (c) => {
                    try {
                        const config =
                            (await c.send(new GetPublicAccessBlockCommand({ Bucket })))
                                .PublicAccessBlockConfiguration ?? {};
                        const settings = {
                            BlockPublicAcls: config.BlockPublicAcls === true,
                            IgnorePublicAcls: config.IgnorePublicAcls === true,
                            BlockPublicPolicy: config.BlockPublicPolicy === true,
                            RestrictPublicBuckets: config.RestrictPublicBuckets === true,
                        };
                        return { all: Object.values(settings).every(Boolean), settings };
                    } catch (e) {
                        if (isError(e, "NoSuchPublicAccessBlockConfiguration")) {
                            return { all: false, settings: {} };
                        }
                        throw e;
                    }
                },
            );
            facts.lifecycle = await this.read(
                "s3",
                "GetBucketLifecycleConfiguration",
                { ...scope, what: "lifecycle" },
                async (c) => {
                    try {
                        const rules =
                            (await c.send(new GetBucketLifecycleConfigurationCommand({ Bucket }))).Rules ?? [];
                        return rules.map((r: any) => ({
                            id: r.ID ?? "",
                            status: r.Status ?? "",
                            expirationDays: r.Expiration?.Days,
                            transitions: (r.Transitions ?? []).map(
                                (t: any) => `${t.StorageClass} after ${t.Days} days`,
                            ),
                        }));
                    } catch (e) {
                        if (isError(e, "NoSuchLifecycleConfiguration")) {
                            return [];
                        }
                        throw e;
                    }
                },
            );
            facts.objectLock = await this.read(
                "s3",
                "GetObjectLockConfiguration",
                { ...scope, what: "Object Lock" },
                async (c) => {
                    try {
                        const config = (await c.send(new GetObjectLockConfigurationCommand({ Bucket })))
                            .ObjectLockConfiguration;
                        const retention = config?.Rule?.DefaultRetention;
                        return {
                            enabled: config?.ObjectLockEnabled === "Enabled",
                            mode: retention?.Mode,
                            days: retention?.Days,
                            years: retention?.Years,
                        };
                    } catch (e) {
                        if (isError(e, "ObjectLockConfigurationNotFoundError")) {
                            return { enabled: false };
                        }
                        throw e;
                    }
                },
            );
            facts.exports = await this.read(
                "s3",
                "ListObjectsV2",
                { ...scope, what: "archived snapshot exports" },
                (c) => this.listExports(c, Bucket, cache, shards),
            );
            out.push(facts);
        }
        cache.archives = { value: out, source: found.source };
    }

    private async findArchiveBuckets(
        cache: CacheFacts,
        controls: ControlId[],
    ): Promise<Observed<{ bucket: string; foundBy: FoundBy }[]> | undefined> {
        const id = cache.id;
        const named = this.options.archiveBuckets?.[id];
        if (named) {
            return {
                value: [{ bucket: named, foundBy: { how: "flag", flag: `--archive-bucket ${id}=${named}` } }],
                source: { call: "--archive-bucket", region: this.region, at: this.session.now().toISOString() },
            };
        }
        const searched: string[] = [];
        const tag = cache.componentTag?.value;
        if (tag !== undefined) {
            this.bucketTagsLookedUp.add(cache);
            const tagged = await this.bucketsTagged();
            if (tagged) {
                const mine = [...tagged.value.entries()].filter(([, value]) => value === tag).map(([b]) => b);
                const chosen = await this.archiveAmong(mine, id);
                if (chosen.length > 0) {
                    return {
                        value: chosen.map((bucket) => ({
                            bucket,
                            foundBy: { how: "tag", tag: `${componentTagKey}=${tag}` },
                        })),
                        source: tagged.source,
                    };
                }
                searched.push(`no bucket of ${this.region} is tagged ${componentTagKey}=${tag}`);
            } else {
                searched.push(`the Region's bucket tags were not read`);
            }
        } else if (cache.componentTag) {
            searched.push(`the group has no ${componentTagKey} tag`);
        } else {
            searched.push(`the group's tags were not read (needs elasticache:ListTagsForResource)`);
        }
        const prefix = `${id.slice(0, 28)}-archive-`;
        const buckets = await this.read(
            "s3",
            "ListBuckets",
            { resource: id, controls, what: "the archive bucket" },
            // ListBuckets' Prefix "limits the response to bucket names that begin with the specified
            // bucket name prefix" (S3 API reference, ListBuckets).
            (c) => this.all<any>(paginateListBuckets({ client: c }, { Prefix: prefix }), "Buckets"),
        );
        if (!buckets) {
            cache.archiveSearch = searched.join("; ");
            return undefined;
        }
        const value = buckets.value
            .filter((b) => typeof b.Name === "string" && b.Name.startsWith(prefix))
            .map((b) => ({ bucket: b.Name as string, foundBy: { how: "name prefix", prefix } as FoundBy }));
        searched.push(`no bucket is named ${prefix}*`);
        cache.archiveSearch = `${searched.join("; ")}; name it with --archive-bucket ${id}=BUCKET`;
        return { value, source: buckets.source };
    }

    /**
     * Of the buckets that carry the group's component tag, the archive: the component tags its
     * export staging bucket too, so a bucket named with the archive prefix wins, then one that holds
     * this group's exports; with neither, every tagged bucket is judged.
     */
    private async archiveAmong(tagged: string[], id: string): Promise<string[]> {
        if (tagged.length <= 1) {
            return tagged;
        }
        const byName = tagged.filter((b) => b.startsWith(`${id.slice(0, 28)}-archive-`));
        if (byName.length > 0) {
            return byName;
        }
        const holding: string[] = [];
        for (const Bucket of tagged) {
            const listed = await this.read(
                "s3",
                "ListObjectsV2",
                { resource: Bucket, controls: ["1620.09l1"], what: "whether the bucket holds exports" },
                async (c) =>
                    (await c.send(new ListObjectsV2Command({ Bucket, Prefix: exportKeyPrefix(id), MaxKeys: 1 })))
                        .KeyCount ?? 0,
            );
            if ((listed?.value ?? 0) > 0) {
                holding.push(Bucket);
            }
        }
        return holding.length > 0 ? holding : tagged;
    }

    /** Groups whose archive was looked for among the Region's tagged buckets. */
    private readonly bucketTagsLookedUp = new WeakSet<CacheFacts>();

    /**
     * The buckets of this Region and their component tag, read once per Region: ListBuckets with
     * BucketRegion ("limits the response to buckets that are located in the specified AWS Region",
     * S3 API reference, ListBuckets), then GetBucketTagging per bucket (NoSuchTagSet when a bucket
     * has no tag, S3 API reference, GetBucketTagging), side by side. `refused` holds the first
     * refused GetBucketTagging (in bucket order): a gap only for groups whose archive is not found.
     */
    private bucketsTagged(): Promise<(Observed<Map<string, string | undefined>> & { refused: Gap[] }) | undefined> {
        return this.shared("bucket tags", async () => {
            const listed = await this.read(
                "s3",
                "ListBuckets",
                { resource: this.region, controls: [], what: "the Region's buckets (to find tagged archives)" },
                (c) => this.all<any>(paginateListBuckets({ client: c }, { BucketRegion: this.region }), "Buckets"),
            );
            if (!listed) {
                return undefined;
            }
            const refusals: Gap[][] = listed.value.map(() => []);
            const reads = await Promise.all(
                listed.value.map((bucket, i) => {
                    const Bucket = bucket.Name as string;
                    return this.read(
                        "s3",
                        "GetBucketTagging",
                        {
                            resource: Bucket,
                            controls: [],
                            what: "the bucket tags that link an archive to its group",
                            ifMissing: undefined,
                            optional: refusals[i],
                        },
                        async (c) => {
                            try {
                                const set = (await c.send(new GetBucketTaggingCommand({ Bucket }))).TagSet ?? [];
                                return set.find((t: any) => t.Key === componentTagKey)?.Value as string | undefined;
                            } catch (e) {
                                if (isError(e, "NoSuchTagSet")) {
                                    return undefined;
                                }
                                throw e;
                            }
                        },
                    );
                }),
            );
            const tags = new Map<string, string | undefined>(
                listed.value.map((bucket, i) => [bucket.Name as string, reads[i]?.value]),
            );
            return {
                value: tags,
                source: this.source("s3", "GetBucketTagging"),
                refused: refusals.flat().slice(0, 1),
            };
        });
    }

    /**
     * The archived exports of one cache over the archive period. Two ways to list, both with the
     * cache's own key prefix (exportKeyPrefix): all its keys, page by page (1,000 keys a page,
     * ListObjectsV2 MaxKeys' default and maximum, S3 API reference), or one listing per calendar
     * month that stops at the first archived export, except in the months of the daily window.
     * The first costs about a page per 1,000 exports (one per shard a day, plus the job's marker);
     * the second about one call per month; the cheaper one by that estimate is used.
     */
    private async listExports(c: any, Bucket: string, cache: CacheFacts, shards: number) {
        const now = this.session.now();
        const dayMs = 86400000;
        const today = now.toISOString().slice(0, 10);
        const oldest = new Date(now.getTime() - this.options.archiveRetentionDays * dayMs).toISOString().slice(0, 10);
        const from = cache.createdAt && cache.createdAt.slice(0, 10) > oldest ? cache.createdAt.slice(0, 10) : oldest;
        const months = monthsBetween(from, today);
        const dailyFrom = new Date(now.getTime() - this.options.exportDays * dayMs).toISOString().slice(0, 10);
        const dailyMonths = new Set(monthsBetween(dailyFrom, today));
        const windowDays = Math.ceil((now.getTime() - new Date(from).getTime()) / dayMs);
        const days = new Set<string>();
        const found = new Set<string>();
        let calls = 0;
        const take = (o: { Key?: string; LastModified?: Date | string; Size?: number }, month?: string) => {
            // Only this group's exports: another group whose ID starts with this one's (orders,
            // orders-cache) shares the key prefix in a shared bucket, never the date that follows it.
            const rest = (o.Key ?? "").slice(exportKeyPrefix(cache.id).length);
            if (!isArchivedExport(o) || !/^\d{4}-\d{2}-\d{2}-/.test(rest)) {
                return false;
            }
            const day = new Date(o.LastModified!).toISOString().slice(0, 10);
            if (day >= dailyFrom) {
                days.add(day);
            }
            // The snapshot's month from its key (the export may be archived the next day).
            found.add(month ?? rest.slice(0, 7));
            return true;
        };
        const full = Math.ceil((windowDays * (shards + 1)) / 1000) <= months.length;
        if (full) {
            for await (const page of paginateListObjectsV2(
                { client: c },
                { Bucket, Prefix: exportKeyPrefix(cache.id) },
            )) {
                calls++;
                for (const o of page.Contents ?? []) {
                    take(o);
                }
            }
        } else {
            for (const month of months) {
                const pages = paginateListObjectsV2(
                    { client: c },
                    { Bucket, Prefix: exportKeyPrefix(cache.id, month) },
                );
                for await (const page of pages) {
                    calls++;
                    const any = (page.Contents ?? []).map((o: any) => take(o, month)).some(Boolean);
                    if (any && !dailyMonths.has(month)) {
                        break; // one archived export evidences the month
                    }
                }
            }
        }
        return {
            days: [...days].sort(),
            months: months.filter((m) => found.has(m)),
            listing: full ? ("full" as const) : ("per month" as const),
            calls,
        };
    }

    /**
     * The auth secret's rotation metadata. Found by --auth-secret, by the component's tag (ListSecrets
     * filters tag-key and tag-value, then the exact pair in the entry's Tags), or by the component's
     * name prefix `<group id>-elasticache-auth-`. ListSecrets returns metadata only: "The encrypted
     * fields SecretString and SecretBinary are not included in the output" (Secrets Manager API
     * reference, ListSecrets). The audit never calls GetSecretValue, and the IAM policy does not grant it.
     */
    private async secrets(cache: CacheFacts): Promise<void> {
        const id = cache.id;
        const list = (filters: { Key: any; Values: string[] }[]) =>
            this.read(
                "secretsmanager",
                "ListSecrets",
                { resource: id, controls: ["19141.06c1"], what: "the auth secret's rotation metadata" },
                (c) => this.all<any>(paginateListSecrets({ client: c }, { Filters: filters }), "SecretList"),
            );
        const entry = (s: any, foundBy: FoundBy) => ({
            name: s.Name,
            foundBy,
            rotationEnabled: s.RotationEnabled === true,
            rotationDays: s.RotationRules?.AutomaticallyAfterDays,
            lastRotated: s.LastRotatedDate ? new Date(s.LastRotatedDate).toISOString() : undefined,
            lastChanged: s.LastChangedDate ? new Date(s.LastChangedDate).toISOString() : undefined,
        });
        const named = this.options.authSecrets?.[id];
        const searched: string[] = [];
        if (named) {
            const name = secretNameOf(named);
            const found = await list([{ Key: "name", Values: [name] }]);
            if (found) {
                const foundBy: FoundBy = { how: "flag", flag: `--auth-secret ${id}=${named}` };
                cache.secrets = {
                    value: found.value.filter((s) => s.Name === name || s.ARN === named).map((s) => entry(s, foundBy)),
                    source: found.source,
                };
                cache.secretSearch = `no secret named ${named} (--auth-secret)`;
            }
            return;
        }
        const tag = cache.componentTag?.value;
        if (tag !== undefined) {
            const found = await list([
                { Key: "tag-key", Values: [componentTagKey] },
                { Key: "tag-value", Values: [tag] },
            ]);
            if (!found) {
                return;
            }
            // Each filter matches on its own (a key on one tag, the value on another), and both
            // match prefixes (ListSecrets, Filter): the pair itself must be in the entry's Tags.
            const mine = found.value.filter((s) =>
                (s.Tags ?? []).some((t: any) => t.Key === componentTagKey && t.Value === tag),
            );
            if (mine.length > 0) {
                const foundBy: FoundBy = { how: "tag", tag: `${componentTagKey}=${tag}` };
                cache.secrets = { value: mine.map((s) => entry(s, foundBy)), source: found.source };
                return;
            }
            searched.push(`no secret is tagged ${componentTagKey}=${tag}`);
        } else if (!cache.componentTag) {
            searched.push("the group's tags were not read (needs elasticache:ListTagsForResource)");
        }
        const prefix = `${id}-elasticache-auth-`;
        const found = await list([{ Key: "name", Values: [prefix] }]);
        if (!found) {
            return;
        }
        const foundBy: FoundBy = { how: "name prefix", prefix };
        cache.secrets = {
            value: found.value.filter((s) => String(s.Name).startsWith(prefix)).map((s) => entry(s, foundBy)),
            source: found.source,
        };
        searched.push(`no secret is named ${prefix}*`);
        cache.secretSearch = `${searched.join("; ")}; name it with --auth-secret ${id}=SECRET`;
    }

    private async readTrails() {
        const trails = await this.read(
            "cloudtrail",
            "DescribeTrails",
            { resource: this.region, controls: ["1202.09aa1", "1203.09aa1"], what: "CloudTrail trails" },
            async (c) => (await c.send(new DescribeTrailsCommand({ includeShadowTrails: true }))).trailList ?? [],
        );
        if (!trails) {
            return;
        }
        const value = [];
        for (const trail of trails.value) {
            const status = await this.read(
                "cloudtrail",
                "GetTrailStatus",
                {
                    resource: trail.Name ?? "trail",
                    controls: ["1202.09aa1", "1203.09aa1"],
                    what: "trail status",
                    ifMissing: {},
                },
                // "To get the status of a shadow trail (a replication of the trail in another Region),
                // you must specify its ARN" (CloudTrail API reference, GetTrailStatus).
                (c): Promise<any> => c.send(new GetTrailStatusCommand({ Name: trail.TrailARN ?? trail.Name })),
            );
            value.push({
                name: trail.Name ?? "",
                logging: status?.value.IsLogging,
                multiRegion: trail.IsMultiRegionTrail === true,
                homeRegion: trail.HomeRegion,
                validation: trail.LogFileValidationEnabled === true,
                kmsKeyId: trail.KmsKeyId,
                latestDelivery: status?.value.LatestDeliveryTime
                    ? new Date(status.value.LatestDeliveryTime).toISOString()
                    : undefined,
                latestDeliveryError: status?.value.LatestDeliveryError || undefined,
            });
        }
        this.facts.trails = { value, source: trails.source };
    }

    /** AWS Config managed rules for ElastiCache, when deployed, and the resources they flag. */
    private async readConfigRules() {
        const identifiers = new Set<string>(managedRules.map((r) => r.identifier));
        const rules = await this.read(
            "config",
            "DescribeConfigRules",
            { resource: this.region, controls: [], what: "AWS Config rules" },
            (c) => this.all<any>(paginateDescribeConfigRules({ client: c }, {}), "ConfigRules"),
        );
        if (!rules) {
            return;
        }
        const ours = rules.value.filter(
            (r) => r.Source?.Owner === "AWS" && identifiers.has(r.Source?.SourceIdentifier),
        );
        const value = [];
        for (const rule of ours) {
            const details = await this.read(
                "config",
                "GetComplianceDetailsByConfigRule",
                { resource: rule.ConfigRuleName, controls: [], what: "rule compliance" },
                (c) =>
                    this.all<any>(
                        paginateGetComplianceDetailsByConfigRule(
                            { client: c },
                            { ConfigRuleName: rule.ConfigRuleName, ComplianceTypes: ["COMPLIANT", "NON_COMPLIANT"] },
                        ),
                        "EvaluationResults",
                    ),
            );
            value.push({
                name: rule.ConfigRuleName,
                identifier: rule.Source.SourceIdentifier,
                results: Object.fromEntries(
                    (details?.value ?? []).map((r: any) => [
                        r.EvaluationResultIdentifier?.EvaluationResultQualifier?.ResourceId,
                        r.ComplianceType,
                    ]),
                ),
            });
        }
        this.facts.configRules = { value, source: rules.source };
    }
}

/** Controls whose evidence is the cache settings themselves. */
const settingsControls: ControlId[] = [
    "0706.10b1",
    "1410.09e2",
    "1601.12c1",
    "1618.09l1",
    "0805.01m1",
    "0808.10b2",
    "1903.06d1",
    "19141.06c1",
    "1616.09l1",
];

/**
 * Reads the Regions side by side, and the caches of each Region side by side, each service's
 * requests bounded per Region by the session's limiter (aws.ts, requestLimits). The inventory is
 * the same whatever the timing: results are laid out in the order AWS listed the caches.
 */
export async function discover(session: AwsSession, options: DiscoverOptions): Promise<Inventory> {
    const log = options.log ?? (() => undefined);
    const inventory: Inventory = {
        target: `live AWS, regions ${options.regions.join(", ")}`,
        regions: options.regions,
        resources: [],
        caches: [],
        regionFacts: [],
        gaps: [],
    };
    // The Regions are read side by side: AWS throttles API requests per account and Region ("Request
    // throttling for the Amazon EC2 API",
    // https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-throttling.html), and each Region has
    // its own clients, so no Region sees more requests than when read alone. Results keep the order
    // the Regions were given in.
    const readers = options.regions.map((region) => new RegionReader(session, region, log, options));
    // Every Region finishes before a run error is raised (the first in Region order), so no read is
    // left running against clients the caller then destroys.
    const outcomes = await Promise.allSettled(readers.map((reader) => reader.run()));
    const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === "rejected");
    if (failed) {
        throw failed.reason;
    }
    for (const reader of readers) {
        inventory.resources.push(...reader.resources);
        inventory.caches.push(...reader.caches);
        inventory.regionFacts.push(reader.facts);
        inventory.gaps.push(...reader.gaps);
    }
    return inventory;
}
