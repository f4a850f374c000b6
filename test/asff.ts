// An ASFF validator written from the AWS documentation, not from tools/audit/securityHub.ts, so
// that the findings the audit builds are checked against what Security Hub accepts:
// - API reference "AwsSecurityFinding"
//   (https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_AwsSecurityFinding.html): required
//   members and length constraints (Id 1-512, ProductArn 12-2048, GeneratorId 1-512, AwsAccountId 12,
//   Title 1-256, Description 1-1024, Region 1-16, Types at most 50 items with a namespace of "Software
//   and Configuration Checks | TTPs | Effects | Unusual Behaviors | Sensitive Data Identifications",
//   Resources 1-32 items, ProductFields up to 50 pairs with keys up to 128 and values up to 2048
//   characters).
// - User guide "Required top-level ASFF attributes"
//   (https://docs.aws.amazon.com/securityhub/latest/userguide/asff-required-attributes.html):
//   AwsAccountId, CreatedAt, Description, GeneratorId, Id, ProductArn, Resources, SchemaVersion
//   ("2018-10-08"), Severity (Label or Normalized), Title, Types, UpdatedAt.
// - API reference "Resource": Type 1-256, Id required, Region 1-16; Partition aws | aws-cn | aws-us-gov.
// - "Other object in ASFF" (https://docs.aws.amazon.com/securityhub/latest/userguide/asff-resourcedetails-other.html):
//   up to 50 pairs, key fewer than 128 characters, value fewer than 1,024.
// - API reference "Compliance": Status PASSED | WARNING | FAILED | NOT_AVAILABLE, RelatedRequirements
//   at most 32 items; "Recommendation": Text at most 512; "Severity": Label INFORMATIONAL | LOW |
//   MEDIUM | HIGH | CRITICAL; RecordState ACTIVE | ARCHIVED.
// - "Timestamps" (https://docs.aws.amazon.com/securityhub/1.0/APIReference/Welcome.html#timestamps):
//   RFC 3339 forms such as YYYY-MM-DDTHH:MM:SS.mmmZ.
// - Partner guide "Guidelines for using the BatchImportFindings API": 240 KB per finding.

const namespaces = [
    "Software and Configuration Checks",
    "TTPs",
    "Effects",
    "Unusual Behaviors",
    "Sensitive Data Identifications",
];
const timestamp = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:?\d{2})$/;

/** Every violation of the documented ASFF rules in one finding (empty when valid). */
export function asffViolations(f: any): string[] {
    const out: string[] = [];
    const id = f?.Id ?? "(no Id)";
    const need = (field: string) => {
        if (f?.[field] === undefined || f?.[field] === null || f?.[field] === "") {
            out.push(`${id}: ${field} is required`);
            return false;
        }
        return true;
    };
    const length = (field: string, value: unknown, min: number, max: number) => {
        if (typeof value !== "string" || value.length < min || value.length > max || !/\S/.test(value)) {
            out.push(`${id}: ${field} must be ${min}-${max} characters (has ${String(value).length})`);
        }
    };
    for (const field of [
        "SchemaVersion",
        "Id",
        "ProductArn",
        "GeneratorId",
        "AwsAccountId",
        "Types",
        "CreatedAt",
        "UpdatedAt",
        "Severity",
        "Title",
        "Description",
        "Resources",
    ]) {
        need(field);
    }
    if (f.SchemaVersion !== "2018-10-08") {
        out.push(`${id}: SchemaVersion must be 2018-10-08`);
    }
    length("Id", f.Id, 1, 512);
    length("ProductArn", f.ProductArn, 12, 2048);
    length("GeneratorId", f.GeneratorId, 1, 512);
    if (!/^\d{12}$/.test(f.AwsAccountId ?? "")) {
        out.push(`${id}: AwsAccountId must be 12 digits`);
    }
    length("Title", f.Title, 1, 256);
    length("Description", f.Description, 1, 1024);
    if (f.Region !== undefined) {
        length("Region", f.Region, 1, 16);
    }
    for (const field of ["CreatedAt", "UpdatedAt", "FirstObservedAt", "LastObservedAt"]) {
        if (f[field] !== undefined && !timestamp.test(f[field])) {
            out.push(`${id}: ${field} '${f[field]}' is not an ASFF timestamp`);
        }
    }
    if (f.CreatedAt && f.UpdatedAt && Date.parse(f.UpdatedAt) < Date.parse(f.CreatedAt)) {
        out.push(`${id}: UpdatedAt is before CreatedAt`);
    }
    const checkTypes = (field: string, list: unknown) => {
        if (!Array.isArray(list) || list.length === 0 || list.length > 50) {
            out.push(`${id}: ${field} must hold 1-50 types`);
            return;
        }
        for (const t of list) {
            const parts = String(t).split("/");
            if (!namespaces.includes(parts[0]) || parts.length > 3 || parts.some((p) => p === "")) {
                out.push(`${id}: ${field} '${t}' is not namespace/category/classifier with a defined namespace`);
            }
        }
    };
    checkTypes("Types", f.Types);
    const labels = ["INFORMATIONAL", "LOW", "MEDIUM", "HIGH", "CRITICAL"];
    const checkSeverity = (field: string, s: any) => {
        if (!s || (s.Label === undefined && s.Normalized === undefined)) {
            out.push(`${id}: ${field} needs Label or Normalized`);
        } else if (s.Label !== undefined && !labels.includes(s.Label)) {
            out.push(`${id}: ${field}.Label '${s.Label}' is not one of ${labels.join(", ")}`);
        }
    };
    checkSeverity("Severity", f.Severity);
    if (f.FindingProviderFields) {
        checkSeverity("FindingProviderFields.Severity", f.FindingProviderFields.Severity);
        checkTypes("FindingProviderFields.Types", f.FindingProviderFields.Types);
    }
    if (!Array.isArray(f.Resources) || f.Resources.length < 1 || f.Resources.length > 32) {
        out.push(`${id}: Resources must hold 1-32 resources`);
    } else {
        for (const r of f.Resources) {
            length("Resources[].Type", r.Type, 1, 256);
            if (!r.Id) {
                out.push(`${id}: Resources[].Id is required`);
            }
            if (r.Partition !== undefined && !["aws", "aws-cn", "aws-us-gov"].includes(r.Partition)) {
                out.push(`${id}: Resources[].Partition '${r.Partition}' is not aws, aws-cn or aws-us-gov`);
            }
            if (r.Region !== undefined) {
                length("Resources[].Region", r.Region, 1, 16);
            }
            const other = r.Details?.Other;
            if (other !== undefined) {
                const entries = Object.entries(other);
                if (entries.length > 50) {
                    out.push(`${id}: Details.Other has ${entries.length} pairs, over 50`);
                }
                for (const [k, v] of entries) {
                    if (k.length >= 128) {
                        out.push(`${id}: Details.Other key '${k.slice(0, 40)}…' is not fewer than 128 characters`);
                    }
                    if (typeof v !== "string" || v.length >= 1024) {
                        out.push(`${id}: Details.Other['${k}'] is not a string of fewer than 1,024 characters`);
                    }
                }
            }
        }
    }
    if (f.ProductFields !== undefined) {
        const entries = Object.entries(f.ProductFields);
        if (entries.length > 50) {
            out.push(`${id}: ProductFields has ${entries.length} pairs, over 50`);
        }
        for (const [k, v] of entries) {
            if (k.length > 128 || typeof v !== "string" || v.length > 2048) {
                out.push(`${id}: ProductFields['${k.slice(0, 40)}'] over 128/2048 characters`);
            }
            if (k.startsWith("aws/")) {
                out.push(`${id}: ProductFields key '${k}' uses the reserved aws/ namespace`);
            }
        }
    }
    if (f.Compliance !== undefined) {
        if (!["PASSED", "WARNING", "FAILED", "NOT_AVAILABLE"].includes(f.Compliance.Status)) {
            out.push(
                `${id}: Compliance.Status '${f.Compliance.Status}' is not PASSED, WARNING, FAILED or NOT_AVAILABLE`,
            );
        }
        const related = f.Compliance.RelatedRequirements ?? [];
        if (related.length > 32) {
            out.push(`${id}: Compliance.RelatedRequirements has ${related.length} items, over 32`);
        }
    }
    const text = f.Remediation?.Recommendation?.Text;
    if (text !== undefined) {
        length("Remediation.Recommendation.Text", text, 1, 512);
    }
    if (f.RecordState !== undefined && !["ACTIVE", "ARCHIVED"].includes(f.RecordState)) {
        out.push(`${id}: RecordState '${f.RecordState}' is not ACTIVE or ARCHIVED`);
    }
    const bytes = Buffer.byteLength(JSON.stringify(f), "utf8");
    if (bytes > 240 * 1000) {
        out.push(`${id}: ${bytes} bytes, over 240 KB`);
    }
    return out;
}
