// A live audit for the Security Hub tests: ElastiCache answers (replication groups and their
// clusters, shaped like the API reference's DescribeReplicationGroups example) from a state the
// test changes between runs; every other read is refused with its protocol's "not authorized"
// error, so the report has gaps, as a narrowly-permitted role would leave.
import { CloudTrailClient } from "@aws-sdk/client-cloudtrail";
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { ConfigServiceClient } from "@aws-sdk/client-config-service";
import { EC2Client } from "@aws-sdk/client-ec2";
import {
    CacheCluster,
    DescribeCacheClustersCommand,
    DescribeReplicationGroupsCommand,
    DescribeServerlessCachesCommand,
    DescribeUserGroupsCommand,
    DescribeUsersCommand,
    ElastiCacheClient,
    ReplicationGroup,
} from "@aws-sdk/client-elasticache";
import { KMSClient } from "@aws-sdk/client-kms";
import { S3Client } from "@aws-sdk/client-s3";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SNSClient } from "@aws-sdk/client-sns";
import { BatchImportFindingsCommand, GetFindingsCommand, InvalidAccessException } from "@aws-sdk/client-securityhub";
import * as assert from "assert";
import { AwsStub, mockClient } from "aws-sdk-client-mock";
import * as fs from "fs";
import type * as http from "http";
import * as os from "os";
import * as path from "path";
import { AuditOutcome, runAudit } from "../tools/audit/audit";
import { AwsSession } from "../tools/audit/aws";
import { Finding, findingId } from "../tools/audit/securityHub";
import { asffViolations } from "./asff";

export const account = "123456789012";

export interface CacheState {
    id: string;
    region: string;
    atRest: boolean;
    transit: boolean;
    /** Encrypted with a customer managed key (KmsKeyId set); none when left out. */
    kmsKey?: boolean;
}

/** A replication group as DescribeReplicationGroups returns it. */
export function group(c: CacheState): ReplicationGroup {
    return {
        ReplicationGroupId: c.id,
        Description: c.id,
        Status: "available",
        MemberClusters: [`${c.id}-001`, `${c.id}-002`],
        NodeGroups: [
            {
                NodeGroupId: "0001",
                Status: "available",
                PrimaryEndpoint: { Address: `master.${c.id}.abc123.cache.amazonaws.com`, Port: 6379 },
                NodeGroupMembers: [
                    {
                        CacheClusterId: `${c.id}-001`,
                        PreferredAvailabilityZone: `${c.region}a`,
                        CurrentRole: "primary",
                    },
                    {
                        CacheClusterId: `${c.id}-002`,
                        PreferredAvailabilityZone: `${c.region}b`,
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
        TransitEncryptionEnabled: c.transit,
        TransitEncryptionMode: c.transit ? "required" : undefined,
        AtRestEncryptionEnabled: c.atRest,
        ...(c.kmsKey
            ? { KmsKeyId: `arn:aws:kms:${c.region}:${account}:key/1234abcd-12ab-34cd-56ef-1234567890ab` }
            : {}),
        ARN: `arn:aws:elasticache:${c.region}:${account}:replicationgroup:${c.id}`,
        LogDeliveryConfigurations: [],
        ReplicationGroupCreateTime: new Date("2026-09-01T10:00:00Z"),
        AutoMinorVersionUpgrade: true,
        ClusterMode: "disabled",
        Engine: "redis",
    };
}

function clusters(c: CacheState): CacheCluster[] {
    return [1, 2].map((n) => ({
        CacheClusterId: `${c.id}-00${n}`,
        CacheNodeType: "cache.r7g.large",
        Engine: "redis",
        EngineVersion: "7.1.0",
        CacheClusterStatus: "available",
        NumCacheNodes: 1,
        PreferredAvailabilityZone: `${c.region}${n === 1 ? "a" : "b"}`,
        PreferredMaintenanceWindow: "sun:06:00-sun:07:00",
        CacheParameterGroup: { CacheParameterGroupName: `${c.id}-params`, ParameterApplyStatus: "in-sync" },
        CacheSubnetGroupName: `${c.id}-subnets`,
        SecurityGroups: [{ SecurityGroupId: "sg-0123456789abcdef0", Status: "active" }],
        ReplicationGroupId: c.id,
        AutoMinorVersionUpgrade: true,
        ARN: `arn:aws:elasticache:${c.region}:${account}:cluster:${c.id}-00${n}`,
    }));
}

/** Each protocol's "not authorized" error, by the name the SDK gives it. */
function denied(name: string) {
    return Object.assign(new Error("not authorized to perform this operation"), {
        name,
        $fault: "client",
        $metadata: { httpStatusCode: name === "UnauthorizedOperation" ? 403 : 400 },
    });
}

export interface AccountState {
    caches: CacheState[];
    /** IAM actions (elasticache listings) refused in a Region: "us-east-1 elasticache:DescribeReplicationGroups". */
    refuse: Set<string>;
}

let mocks: AwsStub<any, any, any>[] = [];

/** Stubs the audit's clients (every instance) to answer from `state`. */
export function mockAccount(state: AccountState) {
    const refusing = async (region: string, action: string) => {
        if (state.refuse.has(`${region} ${action}`)) {
            throw denied("AccessDenied");
        }
    };
    const ec = mockClient(ElastiCacheClient);
    ec.onAnyCommand().rejects(denied("AccessDenied")); // first: the commands below take precedence
    const here = async (getClient: () => any) => (await getClient().config.region()) as string;
    ec.on(DescribeReplicationGroupsCommand).callsFake(async (_: any, getClient: () => any) => {
        const region = await here(getClient);
        await refusing(region, "elasticache:DescribeReplicationGroups");
        return { ReplicationGroups: state.caches.filter((c) => c.region === region).map(group) };
    });
    ec.on(DescribeCacheClustersCommand).callsFake(async (_: any, getClient: () => any) => {
        const region = await here(getClient);
        return { CacheClusters: state.caches.filter((c) => c.region === region).flatMap(clusters) };
    });
    ec.on(DescribeServerlessCachesCommand).resolves({ ServerlessCaches: [] });
    ec.on(DescribeUsersCommand).resolves({ Users: [] });
    ec.on(DescribeUserGroupsCommand).resolves({ UserGroups: [] });
    mocks = [
        ec,
        mockClient(EC2Client).onAnyCommand().rejects(denied("UnauthorizedOperation")),
        mockClient(KMSClient).onAnyCommand().rejects(denied("AccessDeniedException")),
        mockClient(S3Client).onAnyCommand().rejects(denied("AccessDenied")),
        mockClient(CloudWatchLogsClient).onAnyCommand().rejects(denied("AccessDeniedException")),
        mockClient(CloudTrailClient).onAnyCommand().rejects(denied("AccessDeniedException")),
        mockClient(CloudWatchClient).onAnyCommand().rejects(denied("AccessDeniedException")),
        mockClient(SNSClient).onAnyCommand().rejects(denied("AuthorizationError")),
        mockClient(SecretsManagerClient).onAnyCommand().rejects(denied("AccessDeniedException")),
        mockClient(ConfigServiceClient).onAnyCommand().rejects(denied("AccessDeniedException")),
    ];
}

export function restoreAccount() {
    for (const m of mocks) {
        m.restore();
    }
    mocks = [];
}

/** One audit run of `regions` at `now`, with its own session (calls recorded). */
export async function audit(regions: string[], now: Date): Promise<AuditOutcome> {
    const session = new AwsSession({ now: () => now });
    return runAudit({
        regions,
        reportDir: fs.mkdtempSync(path.join(os.tmpdir(), "securityhub-audit-")),
        session,
        now,
    });
}

/** GetFindings StringFilter comparisons (API reference "StringFilter"). */
const comparisons = [
    "EQUALS",
    "PREFIX",
    "NOT_EQUALS",
    "PREFIX_NOT_EQUALS",
    "CONTAINS",
    "NOT_CONTAINS",
    "CONTAINS_WORD",
];

/**
 * A Security Hub stand-in that keeps findings as the user guide says BatchImportFindings does
 * ("BatchImportFindings for finding providers": create by Id, update only when UpdatedAt is later)
 * and answers GetFindings filters with the comparisons the API reference allows ("StringFilter");
 * every finding it receives must pass the documented ASFF rules (test/asff.ts), else it is returned
 * in FailedFindings.
 */
export class FakeHub {
    readonly store = new Map<string, Finding>();
    readonly imports: { region: string; findings: Finding[] }[] = [];
    readonly gets: { region: string; input: any }[] = [];
    /** Regions where Security Hub is not enabled. */
    readonly disabled = new Set<string>();

    /** Answers a mocked SecurityHubClient's calls. */
    attach(mock: AwsStub<any, any, any>) {
        const region = async (getClient: () => any) => (await getClient().config.region()) as string;
        mock.on(BatchImportFindingsCommand).callsFake(async (input: any, getClient: () => any) =>
            this.import(await region(getClient), input),
        );
        mock.on(GetFindingsCommand).callsFake(async (input: any, getClient: () => any) =>
            this.get(await region(getClient), input),
        );
    }

    notSubscribed(region: string) {
        return new InvalidAccessException({
            $metadata: { httpStatusCode: 401 },
            message: `Account ${account} is not subscribed to AWS Security Hub in ${region}`,
        });
    }

    import(region: string, input: any) {
        if (this.disabled.has(region)) {
            throw this.notSubscribed(region);
        }
        assert.ok(input.Findings.length >= 1 && input.Findings.length <= 100, "1-100 findings per call");
        assert.ok(Buffer.byteLength(JSON.stringify(input)) <= 6 * 1000 * 1000, "at most 6 MB per call");
        this.imports.push({ region, findings: input.Findings });
        const failed: any[] = [];
        for (const f of input.Findings as Finding[]) {
            const problems = asffViolations(f);
            if (problems.length) {
                failed.push({ Id: f.Id, ErrorCode: "InvalidInput", ErrorMessage: problems.join("; ") });
                continue;
            }
            assert.strictEqual(f.ProductArn, `arn:aws:securityhub:${region}:${account}:product/${account}/default`);
            assert.strictEqual(f.Region, region, "each finding goes to its resource's Region");
            const old = this.store.get(f.Id!);
            if (old && Date.parse(f.UpdatedAt!) <= Date.parse(old.UpdatedAt!)) {
                continue; // ignored, as documented
            }
            this.store.set(f.Id!, f);
        }
        return {
            SuccessCount: input.Findings.length - failed.length,
            FailedCount: failed.length,
            FailedFindings: failed,
        };
    }

    get(region: string, input: any) {
        if (this.disabled.has(region)) {
            throw this.notSubscribed(region);
        }
        this.gets.push({ region, input });
        assert.ok(input.MaxResults >= 1 && input.MaxResults <= 100, "MaxResults 1-100");
        const filters = input.Filters as Record<string, { Value: string; Comparison: string }[]>;
        const field = (f: any, name: string) => (name === "ProductArn" ? f.ProductArn : f[name]);
        const matching = [...this.store.values()].filter((f) =>
            Object.entries(filters).every(([name, list]) =>
                list.every((c) => {
                    assert.ok(comparisons.includes(c.Comparison), `${c.Comparison} is a StringFilter comparison`);
                    const value = String(field(f, name) ?? "");
                    return c.Comparison === "EQUALS"
                        ? value === c.Value
                        : c.Comparison === "PREFIX"
                          ? value.startsWith(c.Value)
                          : true;
                }),
            ),
        );
        const start = Number(input.NextToken ?? 0);
        const page = matching.slice(start, start + input.MaxResults);
        const next = start + input.MaxResults < matching.length ? String(start + input.MaxResults) : undefined;
        return { Findings: page, NextToken: next };
    }

    find(control: string, cache: string, region = "us-east-1") {
        return this.store.get(findingId(control, `arn:aws:elasticache:${region}:${account}:replicationgroup:${cache}`));
    }
}

/**
 * The loopback endpoint's route (test/loopbackAws.ts startServer `route`) for STS and Security Hub:
 * STS answers GetCallerIdentity in its Query protocol; Security Hub answers GetFindings (POST
 * /findings) and BatchImportFindings (POST /findings/import) in its REST-JSON protocol from `hub`,
 * in the Region of the request's SigV4 credential scope. `throttleFirstImport` returning true makes
 * that import a 429 LimitExceededException (the SDK's standard retry must send it again).
 */
export function securityHubRoute(
    hub: FakeHub,
    options: { throttleFirstImport?: () => boolean } = {},
): (
    req: http.IncomingMessage,
    body: string,
    res: http.ServerResponse,
    seen: { action: string; authorization: string }[],
) => boolean {
    return (req, body, res, seen) => {
        const authorization = String(req.headers.authorization ?? "");
        const form = new URLSearchParams(body);
        if (form.get("Action") === "GetCallerIdentity" && form.get("Version") === "2011-06-15") {
            seen.push({ action: "sts:GetCallerIdentity", authorization });
            res.writeHead(200, { "content-type": "text/xml" });
            res.end(
                `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>arn:aws:sts::${account}:assumed-role/hitrust-audit/daily</Arn><UserId>AROAEXAMPLE:daily</UserId><Account>${account}</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>01234567-89ab-cdef-0123-456789abcdef</RequestId></ResponseMetadata></GetCallerIdentityResponse>`,
            );
            return true;
        }
        if (req.method !== "POST" || (req.url !== "/findings" && req.url !== "/findings/import")) {
            return false;
        }
        // The Region is the SigV4 credential scope's.
        const region = /Credential=[^/]+\/\d{8}\/([^/]+)\/securityhub\//.exec(authorization)?.[1] ?? "";
        const operation = req.url === "/findings" ? "GetFindings" : "BatchImportFindings";
        seen.push({ action: `securityhub:${operation}`, authorization });
        const reply = (status: number, payload: object, type?: string) => {
            res.writeHead(status, {
                "content-type": "application/json",
                ...(type ? { "x-amzn-errortype": type } : {}),
            });
            res.end(JSON.stringify(payload));
        };
        if (operation === "BatchImportFindings" && options.throttleFirstImport?.()) {
            reply(429, { Message: "Rate exceeded", Code: "LimitExceededException" }, "LimitExceededException");
            return true;
        }
        try {
            const input = JSON.parse(body);
            reply(200, operation === "GetFindings" ? hub.get(region, input) : hub.import(region, input));
        } catch (e) {
            reply(400, { Message: (e as Error).message }, "InvalidInputException");
        }
        return true;
    };
}
