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

/** A control that could not be evidenced because a call was refused. */
export interface Gap {
    resource: string;
    /** The IAM action the audit needs. */
    needs: string;
    controls: ControlId[];
    /** What could not be read. */
    what: string;
}

export interface ArchiveFacts {
    bucket: string;
    versioning?: Observed<string>;
    encryption?: Observed<{ algorithm: string; keyId?: string }>;
    publicAccessBlock?: Observed<{ all: boolean; settings: Record<string, boolean> }>;
    lifecycle?: Observed<{ id: string; status: string; expirationDays?: number; transitions: string[] }[]>;
    objectLock?: Observed<{ enabled: boolean; mode?: string; days?: number; years?: number }>;
    /** Days (YYYY-MM-DD, UTC) on which export objects arrived under the snapshots/ prefix. */
    exportDays?: Observed<string[]>;
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
    secrets?: Observed<
        { name: string; rotationEnabled: boolean; rotationDays?: number; lastRotated?: string; lastChanged?: string }[]
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
