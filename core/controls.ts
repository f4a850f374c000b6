// The HITRUST CSF control catalog of the ElastiCache configuration guide: the one source of truth
// that the component (evidence output), the policy pack (policy metadata) and the report read.

/** A step of the six-step configuration guide. */
export interface GuideStep {
    readonly number: number;
    readonly title: string;
}

export const guideSteps: readonly GuideStep[] = [
    { number: 1, title: "Ensure you have a signed BAA" },
    { number: 2, title: "Redis settings" },
    { number: 3, title: "Advanced Redis settings (Multi-AZ)" },
    { number: 4, title: "Security settings (encryption)" },
    { number: 5, title: "Backups & maintenance" },
    { number: 6, title: "Logging & monitoring" },
];

export type ControlId =
    | "HIPAA-164.308"
    | "0706.10b1"
    | "1410.09e2"
    | "1601.12c1"
    | "1618.09l1"
    | "1620.09l1"
    | "0805.01m1"
    | "0808.10b2"
    | "0903.10f1"
    | "1903.06d1"
    | "19141.06c1"
    | "1616.09l1"
    | "1202.09aa1"
    | "1203.09aa1"
    | "1204.09aa1"
    | "12100.09ab2"
    | "1270.09ad1";

export interface Control {
    readonly id: ControlId;
    /** "HITRUST CSF" for the guide's HITRUST controls, "HIPAA" for the BAA rule of step 1. */
    readonly framework: "HITRUST CSF" | "HIPAA";
    /** The guide's "Related to" column. */
    readonly relatedTo: string;
    readonly topic: string;
    /** The guide steps that name this control. */
    readonly steps: readonly number[];
    /** What the control requires of an ElastiCache deployment, in the guide's terms. */
    readonly requirement: string;
    /** The AWS API the guide cites as evidence. */
    readonly apiReference: string;
    /** HIPAA Security Rule sections the requirement also serves. */
    readonly hipaa: readonly string[];
    /** What no API can show and a person must attest to. Empty when tools prove it fully. */
    readonly manualAttestation?: string;
}

export const controls: readonly Control[] = [
    {
        id: "HIPAA-164.308",
        framework: "HIPAA",
        relatedTo: "Business Associate Agreement",
        topic: "BAA",
        steps: [1],
        requirement:
            "A Business Associate Addendum is accepted with AWS for every account that stores PHI in ElastiCache.",
        apiReference: "NA: AWS Artifact has no API",
        hipaa: ["164.308(b)(1)"],
        manualAttestation:
            "Download the accepted AWS Business Associate Addendum from AWS Artifact for the account and file it with the audit evidence.",
    },
    {
        id: "0706.10b1",
        framework: "HITRUST CSF",
        relatedTo: "System.12",
        topic: "Vulnerability management",
        steps: [2],
        requirement:
            "A compliance-eligible engine version (Redis 4.0.10 or later, or Valkey), kept patched with automatic minor version upgrades, on a current-generation node type, with a custom parameter group and a non-default port.",
        apiReference: "DescribeCacheEngineVersions",
        hipaa: ["164.308(a)(1)(ii)(B)", "164.308(a)(5)(ii)(B)"],
    },
    {
        id: "1410.09e2",
        framework: "HITRUST CSF",
        relatedTo: "System.23",
        topic: "Disaster recovery",
        steps: [3],
        requirement: "Multi-AZ with automatic failover to a read replica when the primary fails.",
        apiReference: "DescribeCacheClusters",
        hipaa: ["164.308(a)(7)(ii)(B)", "164.312(a)(2)(ii)"],
    },
    {
        id: "1601.12c1",
        framework: "HITRUST CSF",
        relatedTo: "Organizational.1238",
        topic: "Disaster recovery",
        steps: [3],
        requirement:
            "Nodes spread over availability zones, with at least one replica in a zone other than the primary's.",
        apiReference: "DescribeCacheClusters",
        hipaa: ["164.308(a)(7)(i)"],
        manualAttestation: "The business continuity plan names the cache and its recovery objectives.",
    },
    {
        id: "1618.09l1",
        framework: "HITRUST CSF",
        relatedTo: "Organizational.45",
        topic: "Disaster recovery; back-ups",
        steps: [3, 5],
        requirement: "Redundant nodes and automatic backups retained long enough to restore service and data.",
        apiReference: "DescribeCacheClusters",
        hipaa: ["164.308(a)(7)(ii)(A)"],
    },
    {
        id: "1620.09l1",
        framework: "HITRUST CSF",
        relatedTo: "Organizational.8",
        topic: "Disaster recovery; back-ups",
        steps: [3, 5],
        requirement:
            "Backups taken in a defined window, a final snapshot on deletion, and backups archived beyond the 35 days ElastiCache keeps.",
        apiReference: "DescribeCacheClusters",
        hipaa: ["164.308(a)(7)(ii)(A)", "164.310(d)(2)(iv)"],
        manualAttestation: "Restores from snapshot are tested on the schedule the backup policy sets.",
    },
    {
        id: "0805.01m1",
        framework: "HITRUST CSF",
        relatedTo: "Organizational.12",
        topic: "Network segregation",
        steps: [3],
        requirement:
            "The cache runs in a VPC, in its own subnet group of private subnets, behind a security group that admits only named sources on the cache port and never the internet.",
        apiReference: "DescribeCacheSecurityGroups",
        hipaa: ["164.312(e)(1)"],
    },
    {
        id: "0808.10b2",
        framework: "HITRUST CSF",
        relatedTo: "System.3",
        topic: "Encryption",
        steps: [4],
        requirement: "Data is encrypted in transit (TLS required, no plaintext) and clients authenticate.",
        apiReference: "CacheCluster",
        hipaa: ["164.312(e)(2)(ii)", "164.312(d)"],
    },
    {
        id: "0903.10f1",
        framework: "HITRUST CSF",
        relatedTo: "Organizational.1",
        topic: "Encryption",
        steps: [4],
        requirement: "A cryptographic-controls policy is applied: customer-managed KMS keys with rotation.",
        apiReference: "CacheCluster",
        hipaa: ["164.312(a)(2)(iv)"],
        manualAttestation: "The organization's cryptography policy names the key management process.",
    },
    {
        id: "1903.06d1",
        framework: "HITRUST CSF",
        relatedTo: "Organizational.3456711",
        topic: "Encryption",
        steps: [4],
        requirement: "Covered information (PHI) is encrypted at rest.",
        apiReference: "CacheCluster",
        hipaa: ["164.312(a)(2)(iv)"],
    },
    {
        id: "19141.06c1",
        framework: "HITRUST CSF",
        relatedTo: "Organizational.7",
        topic: "Encryption",
        steps: [4],
        requirement:
            "Records and secrets are protected: credentials never stored in plain text, kept encrypted in a secret store.",
        apiReference: "CacheCluster",
        hipaa: ["164.312(a)(1)", "164.312(c)(1)"],
    },
    {
        id: "1616.09l1",
        framework: "HITRUST CSF",
        relatedTo: "Organizational.16",
        topic: "Back-ups",
        steps: [5],
        requirement:
            "Automatic backups are enabled and retained (the guide: 35 days in ElastiCache, then at least 6 years archived).",
        apiReference: "CacheCluster",
        hipaa: ["164.308(a)(7)(ii)(A)"],
    },
    {
        id: "1202.09aa1",
        framework: "HITRUST CSF",
        relatedTo: "System.1",
        topic: "Logging & monitoring",
        steps: [6],
        requirement:
            "An audit trail of all activities on the service, with an identifier, the user, the action, the date and time and the outcome.",
        apiReference: "Variable",
        hipaa: ["164.312(b)"],
    },
    {
        id: "1203.09aa1",
        framework: "HITRUST CSF",
        relatedTo: "System.2",
        topic: "Logging & monitoring",
        steps: [6],
        requirement:
            "Audit logging is always on while the system is active, including privileged actions and their outcome.",
        apiReference: "Variable",
        hipaa: ["164.312(b)"],
    },
    {
        id: "1204.09aa1",
        framework: "HITRUST CSF",
        relatedTo: "System.3",
        topic: "Logging & monitoring",
        steps: [6],
        requirement: "Records are retained 90 days online and archived for at least one year.",
        apiReference: "Variable",
        hipaa: ["164.316(b)(2)(i)"],
    },
    {
        id: "12100.09ab2",
        framework: "HITRUST CSF",
        relatedTo: "System.15",
        topic: "Logging & monitoring",
        steps: [6],
        requirement: "The system is monitored for irregularities that indicate malfunction or misuse.",
        apiReference: "Variable",
        hipaa: ["164.308(a)(1)(ii)(D)"],
    },
    {
        id: "1270.09ad1",
        framework: "HITRUST CSF",
        relatedTo: "System.12",
        topic: "Logging & monitoring",
        steps: [6],
        requirement: "Alerts on irregularities reach the people who respond to them.",
        apiReference: "Variable",
        hipaa: ["164.308(a)(6)(ii)"],
        manualAttestation: "Someone is subscribed to the event topic and the incident process names who responds.",
    },
];

const byId = new Map<string, Control>(controls.map((c) => [c.id, c]));

/** Looks up a control; throws for an ID that is not in the catalog, so a typo cannot map silently. */
export function control(id: ControlId): Control {
    const found = byId.get(id);
    if (!found) {
        throw new Error(`Unknown control '${id}'.`);
    }
    return found;
}

export const hitrustVersion = "CSF v9.x (as mapped by the ElastiCache HITRUST configuration guide)";

/** Evidence that a resource and one of its settings satisfy controls. */
export interface EvidenceItem {
    readonly control: ControlId;
    /** The Pulumi logical name or type of the resource that carries the setting. */
    readonly resource: string;
    readonly setting: string;
    readonly value: string;
}
