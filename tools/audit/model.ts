// What the audit knows about a deployment: resources in the shape the policy pack reads (the
// @pulumi/aws input names), live facts that only a running system has, and the gaps that missing
// permissions left. Both the live reader and the stack-export reader produce it.
import { ControlId } from "../../core/controls";
import { RecordedResource, unknownSentinel } from "../mockrun";

/** Where an observed value came from: the API call (IAM action), the Region and the time. */
export interface Source {
    call: string;
    region: string;
    at: string;
}

/**
 * A resource as the pack sees it: the preview's RecordedResource, with `inputs` under the
 * @pulumi/aws input names (a value no permitted call could read is the unknown sentinel).
 */
export interface AuditResource extends RecordedResource {
    /** The call the properties came from. */
    source?: Source;
    /** Properties that came from another call than `source`. */
    propertySources?: Record<string, Source>;
}

/** A value read from AWS with its source. */
export interface Observed<T> {
    value: T;
    source: Source;
}

/** A control that could not be evidenced: a call was refused, or what it reads does not exist. */
export interface Gap {
    resource: string;
    /** The IAM action the audit needs (refused), or that answered "not found" (missing). */
    needs: string;
    controls: ControlId[];
    /** What could not be read. */
    what: string;
    /** "denied" (default): the call was refused; "missing": the resource it names does not exist. */
    kind?: "denied" | "missing";
    /** The service's error name for a missing resource (CacheParameterGroupNotFound, NoSuchBucket, ...). */
    error?: string;
}

/** How the audit linked a bucket or secret to a cache, as the report says it. */
export type FoundBy =
    { how: "flag"; flag: string } | { how: "tag"; tag: string } | { how: "name prefix"; prefix: string };

export function describeFoundBy(f: FoundBy): string {
    switch (f.how) {
        case "flag":
            return `named on the command line (${f.flag})`;
        case "tag":
            return `tagged ${f.tag} like the replication group`;
        case "name prefix":
            return `named with the component's prefix ${f.prefix}*`;
    }
}

export interface ArchiveFacts {
    bucket: string;
    foundBy: FoundBy;
    versioning?: Observed<string>;
    encryption?: Observed<{ algorithm: string; keyId?: string }>;
    publicAccessBlock?: Observed<{ all: boolean; settings: Record<string, boolean> }>;
    lifecycle?: Observed<{ id: string; status: string; expirationDays?: number; transitions: string[] }[]>;
    objectLock?: Observed<{ enabled: boolean; mode?: string; days?: number; years?: number }>;
    /**
     * Archived exports of this cache (non-empty `snapshots/<group id>-...-NNNN.rdb` copies): the days
     * (YYYY-MM-DD, UTC, of LastModified) within the daily window and the months (YYYY-MM) with at
     * least one, over the whole retention window.
     */
    exports?: Observed<{ days: string[]; months: string[]; listing: "full" | "per month"; calls: number }>;
}

export interface LogGroupFacts {
    name: string;
    /** "denied": DescribeLogGroups was refused; "missing": the delivery names a group that does not exist. */
    state: "read" | "denied" | "missing";
    retentionInDays?: number;
    kmsKeyId?: string;
    lastEvent?: Observed<string | undefined>;
    source: Source;
}

/** What a running replication group (or serverless cache) shows beyond its settings. */
export interface CacheFacts {
    id: string;
    arn: string;
    region: string;
    kind: "replication group" | "serverless cache";
    /** The group's node IDs, which CloudWatch dimensions and AWS Config results name. */
    memberClusters: string[];
    createdAt?: string;
    snapshotRetentionLimit?: number;
    /** The custom parameter group and the parameters set in it (evidence for 0706.10b1). */
    parameters?: Observed<{ group: string; parameters: Record<string, string> }>;
    newestAutomaticSnapshot?: Observed<string | undefined>;
    archives?: Observed<ArchiveFacts[]>;
    logDeliveries?: Observed<{ logType: string; status: string; destination?: string; message?: string }[]>;
    logGroups: LogGroupFacts[];
    alarms?: Observed<{ name: string; actions: string[]; actionsEnabled: boolean; state: string }[]>;
    topics: Observed<{ arn: string; confirmed: number; pending: number; encrypted: boolean }>[];
    eventTopicStatus?: Observed<string | undefined>;
    /** Whether the group has an AUTH token (then a secret holding it is expected). */
    authTokenEnabled?: boolean;
    /** The tag that links the component's resources ("hitrust:component=<name>"), when read. */
    componentTag?: Observed<string | undefined>;
    /** The KMS key the group names (KmsKeyId), if any. */
    kmsKeyId?: string;
    /** The KMS key's manager from DescribeKey ("CUSTOMER" | "AWS"), when the group names a key. */
    keyManager?: Observed<string | undefined>;
    /** Refused reads (IAM actions) of the tags that would have linked an archive or secret not found. */
    linkRefused?: string[];
    /** Calls (IAM action) that answered "not found" for this cache, with what and the error. */
    missing?: Record<string, string>;
    /** How the secret search went when nothing was found (for the report). */
    secretSearch?: string;
    archiveSearch?: string;
    secrets?: Observed<
        {
            name: string;
            foundBy: FoundBy;
            rotationEnabled: boolean;
            rotationDays?: number;
            lastRotated?: string;
            lastChanged?: string;
        }[]
    >;
}

export interface RegionFacts {
    region: string;
    trails?: Observed<
        {
            name: string;
            logging?: boolean;
            multiRegion: boolean;
            homeRegion?: string;
            validation: boolean;
            kmsKeyId?: string;
            latestDelivery?: string;
            latestDeliveryError?: string;
        }[]
    >;
    /** AWS Config managed rules for ElastiCache that are deployed, with their verdict per resource ID. */
    configRules?: Observed<{ name: string; identifier: string; results: Record<string, string> }[]>;
}

export interface Inventory {
    /** "live (regions ...)" or the stack export file. */
    target: string;
    regions: string[];
    resources: AuditResource[];
    caches: CacheFacts[];
    regionFacts: RegionFacts[];
    gaps: Gap[];
}

/** The engine's marker for a value that is not known; the audit uses it for "could not read". */
export const notRead = unknownSentinel;
