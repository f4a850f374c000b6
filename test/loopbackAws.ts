// A local HTTP server that speaks the AWS wire protocols for the end-to-end audit tests (factored
// out of test/audit.e2e.test.ts so that test/securityHub.e2e.test.ts can add routes): ElastiCache
// answers in its Query protocol (XML, shaped like the API reference's DescribeReplicationGroups
// example), after one Throttling error; every other call is refused with each protocol's
// AccessDenied, unless an extra route answers it first.
import { spawn } from "child_process";
import { createHash } from "crypto";
import * as fs from "fs";
import * as http from "http";
import { AddressInfo } from "net";
import * as os from "os";
import * as path from "path";
import * as zlib from "zlib";

export const root = path.join(__dirname, "..");
const ns = "http://elasticache.amazonaws.com/doc/2015-02-02/";
const requestId = "144745b0-b9d3-11e3-8a16-7978bb24ffdf";

export function queryResponse(action: string, body: string): string {
    return `<${action}Response xmlns="${ns}"><${action}Result>${body}</${action}Result><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`;
}

export const member = (id: string, zone: string, role: string) =>
    `<NodeGroupMember><CacheClusterId>${id}</CacheClusterId><CacheNodeId>0001</CacheNodeId><PreferredAvailabilityZone>${zone}</PreferredAvailabilityZone><CurrentRole>${role}</CurrentRole></NodeGroupMember>`;

const replicationGroups = `<ReplicationGroups><ReplicationGroup>
  <ReplicationGroupId>claims-cache</ReplicationGroupId>
  <Description>claims</Description>
  <Status>available</Status>
  <MemberClusters><ClusterId>claims-cache-001</ClusterId><ClusterId>claims-cache-002</ClusterId></MemberClusters>
  <NodeGroups><NodeGroup><NodeGroupId>0001</NodeGroupId><Status>available</Status>
    <PrimaryEndpoint><Address>master.claims-cache.abc123.use1.cache.amazonaws.com</Address><Port>6380</Port></PrimaryEndpoint>
    <NodeGroupMembers>${member("claims-cache-001", "us-east-1a", "primary")}${member("claims-cache-002", "us-east-1b", "replica")}</NodeGroupMembers>
  </NodeGroup></NodeGroups>
  <AutomaticFailover>enabled</AutomaticFailover>
  <MultiAZ>enabled</MultiAZ>
  <SnapshotRetentionLimit>35</SnapshotRetentionLimit>
  <SnapshotWindow>03:00-05:00</SnapshotWindow>
  <ClusterEnabled>false</ClusterEnabled>
  <CacheNodeType>cache.r7g.large</CacheNodeType>
  <AuthTokenEnabled>true</AuthTokenEnabled>
  <TransitEncryptionEnabled>true</TransitEncryptionEnabled>
  <TransitEncryptionMode>required</TransitEncryptionMode>
  <AtRestEncryptionEnabled>false</AtRestEncryptionEnabled>
  <ARN>arn:aws:elasticache:us-east-1:123456789012:replicationgroup:claims-cache</ARN>
  <LogDeliveryConfigurations/>
  <ReplicationGroupCreateTime>2026-09-01T10:00:00.000Z</ReplicationGroupCreateTime>
  <AutoMinorVersionUpgrade>true</AutoMinorVersionUpgrade>
  <ClusterMode>disabled</ClusterMode>
  <Engine>redis</Engine>
</ReplicationGroup></ReplicationGroups>`;

export const cluster = (id: string, zone: string) => `<CacheCluster>
  <CacheClusterId>${id}</CacheClusterId><CacheNodeType>cache.r7g.large</CacheNodeType><Engine>redis</Engine>
  <EngineVersion>7.1.0</EngineVersion><CacheClusterStatus>available</CacheClusterStatus><NumCacheNodes>1</NumCacheNodes>
  <PreferredAvailabilityZone>${zone}</PreferredAvailabilityZone><PreferredMaintenanceWindow>sun:06:00-sun:07:00</PreferredMaintenanceWindow>
  <CacheParameterGroup><CacheParameterGroupName>claims-cache-params</CacheParameterGroupName><ParameterApplyStatus>in-sync</ParameterApplyStatus></CacheParameterGroup>
  <CacheSubnetGroupName>claims-cache-subnets</CacheSubnetGroupName>
  <SecurityGroups><member><SecurityGroupId>sg-0123456789abcdef0</SecurityGroupId><Status>active</Status></member></SecurityGroups>
  <ReplicationGroupId>claims-cache</ReplicationGroupId><AutoMinorVersionUpgrade>true</AutoMinorVersionUpgrade>
</CacheCluster>`;

const subnetGroups = `<CacheSubnetGroups><CacheSubnetGroup>
  <CacheSubnetGroupName>claims-cache-subnets</CacheSubnetGroupName><CacheSubnetGroupDescription>private</CacheSubnetGroupDescription>
  <VpcId>vpc-0a1b2c3d4e5f67890</VpcId>
  <Subnets>
    <Subnet><SubnetIdentifier>subnet-0aaa1111</SubnetIdentifier><SubnetAvailabilityZone><Name>us-east-1a</Name></SubnetAvailabilityZone></Subnet>
    <Subnet><SubnetIdentifier>subnet-0bbb2222</SubnetIdentifier><SubnetAvailabilityZone><Name>us-east-1b</Name></SubnetAvailabilityZone></Subnet>
  </Subnets>
</CacheSubnetGroup></CacheSubnetGroups>`;

export const elasticache: Record<string, string> = {
    DescribeReplicationGroups: replicationGroups,
    DescribeCacheClusters: `<CacheClusters>${cluster("claims-cache-001", "us-east-1a")}${cluster("claims-cache-002", "us-east-1b")}</CacheClusters>`,
    DescribeServerlessCaches: "<ServerlessCaches/>",
    DescribeUsers: "<Users/>",
    DescribeUserGroups: "<UserGroups/>",
    DescribeCacheSubnetGroups: subnetGroups,
};

export interface Cache {
    id: string;
    transit: boolean;
}

export const groupXml = (c: Cache) => `<ReplicationGroup>
  <ReplicationGroupId>${c.id}</ReplicationGroupId><Description>${c.id}</Description><Status>available</Status>
  <MemberClusters><ClusterId>${c.id}-001</ClusterId><ClusterId>${c.id}-002</ClusterId></MemberClusters>
  <NodeGroups><NodeGroup><NodeGroupId>0001</NodeGroupId><Status>available</Status>
    <PrimaryEndpoint><Address>master.${c.id}.abc123.use1.cache.amazonaws.com</Address><Port>6379</Port></PrimaryEndpoint>
    <NodeGroupMembers>${member(`${c.id}-001`, "us-east-1a", "primary")}${member(`${c.id}-002`, "us-east-1b", "replica")}</NodeGroupMembers>
  </NodeGroup></NodeGroups>
  <AutomaticFailover>enabled</AutomaticFailover><MultiAZ>enabled</MultiAZ>
  <SnapshotRetentionLimit>35</SnapshotRetentionLimit><SnapshotWindow>03:00-05:00</SnapshotWindow>
  <ClusterEnabled>false</ClusterEnabled><CacheNodeType>cache.r7g.large</CacheNodeType>
  <AuthTokenEnabled>true</AuthTokenEnabled>
  <TransitEncryptionEnabled>${c.transit}</TransitEncryptionEnabled>${c.transit ? "<TransitEncryptionMode>required</TransitEncryptionMode>" : ""}
  <AtRestEncryptionEnabled>true</AtRestEncryptionEnabled>
  <ARN>arn:aws:elasticache:us-east-1:123456789012:replicationgroup:${c.id}</ARN>
  <LogDeliveryConfigurations/>
  <ReplicationGroupCreateTime>2026-09-01T10:00:00.000Z</ReplicationGroupCreateTime>
  <AutoMinorVersionUpgrade>true</AutoMinorVersionUpgrade><ClusterMode>disabled</ClusterMode><Engine>redis</Engine>
</ReplicationGroup>`;

/** ElastiCache answers for the caches of the account (123456789012) as it stands: a test changes them between runs. */
export function cacheAnswers(caches: Cache[]): Record<string, string> {
    return {
        DescribeReplicationGroups: `<ReplicationGroups>${caches.map(groupXml).join("")}</ReplicationGroups>`,
        DescribeCacheClusters: `<CacheClusters>${caches
            .map((c) =>
                [`${c.id}-001`, `${c.id}-002`]
                    .map((id, i) => cluster(id, i === 0 ? "us-east-1a" : "us-east-1b").replace(/claims-cache/g, c.id))
                    .join(""),
            )
            .join("")}</CacheClusters>`,
        DescribeServerlessCaches: "<ServerlessCaches/>",
        DescribeUsers: "<Users/>",
        DescribeUserGroups: "<UserGroups/>",
    };
}

/** JSON-protocol targets (X-Amz-Target prefixes) to IAM service prefixes. */
const jsonServices: Record<string, string> = {
    TrentService: "kms",
    Logs_20140328: "logs",
    CloudTrail_20131101: "cloudtrail",
    GraniteServiceVersion20100801: "cloudwatch",
    secretsmanager: "secretsmanager",
    StarlingDoveService: "config",
};
/** Query-protocol API versions to IAM service prefixes. */
const queryServices: Record<string, string> = { "2015-02-02": "elasticache", "2016-11-15": "ec2", "2010-03-31": "sns" };

/** Temporary keys whose session the loopback endpoint treats as expired. */
export const expiredKey = "ASIAEXPIREDEXAMPLE00";

export interface Seen {
    action: string;
    authorization: string;
}

export interface ServerOptions {
    /** ElastiCache Query answers by action, read at each request (a test may change them). */
    elasticache?: Record<string, string>;
    /** A route tried before the defaults; true when it answered. */
    route?: (req: http.IncomingMessage, body: string, res: http.ServerResponse, seen: Seen[]) => boolean;
    /** When given, S3 PutObject is accepted (after the checks of putObjectProblems) and stored here by "bucket/key". */
    objects?: Map<string, StoredObject>;
    /** When given, CloudWatch PutMetricData is accepted (after the checks of putMetricDataProblems) and kept here. */
    metrics?: { namespace: string; data: any[]; region: string }[];
}

export interface StoredObject {
    body: Buffer;
    headers: http.IncomingHttpHeaders;
}

/**
 * What S3 would refuse in a PutObject to an Object Lock bucket with default retention (the archive
 * bucket): "The Content-MD5 or x-amz-sdk-checksum-algorithm header is required for any request to
 * upload an object with a retention period configured using Amazon S3 Object Lock"; with
 * x-amz-sdk-checksum-algorithm, "there must be a corresponding x-amz-checksum-algorithm or
 * x-amz-trailer header sent. Otherwise, Amazon S3 fails the request with the HTTP status code 400
 * Bad Request" (API reference, https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html).
 * Checksums sent as headers are checked against the body (SHA-256, MD5). Keys: at most 1,024 bytes
 * ("Naming Amazon S3 objects").
 */
export function putObjectProblems(key: string, headers: http.IncomingHttpHeaders, body: Buffer): string[] {
    const problems: string[] = [];
    if (Buffer.byteLength(key, "utf8") > 1024) {
        problems.push(`key longer than 1,024 bytes: ${key}`);
    }
    const md5 = headers["content-md5"];
    const algorithm = String(headers["x-amz-sdk-checksum-algorithm"] ?? "").toLowerCase();
    if (!md5 && !algorithm) {
        problems.push(
            "Content-MD5 OR x-amz-checksum- HTTP header is required for Put Object requests with Object Lock parameters",
        );
    }
    if (md5 && md5 !== createHash("md5").update(body).digest("base64")) {
        problems.push("The Content-MD5 you specified did not match what we received.");
    }
    if (algorithm) {
        const value = headers[`x-amz-checksum-${algorithm}`];
        const trailer = String(headers["x-amz-trailer"] ?? "");
        if (!value && trailer !== `x-amz-checksum-${algorithm}`) {
            problems.push(
                `x-amz-sdk-checksum-algorithm ${algorithm} without an x-amz-checksum-${algorithm} header or trailer`,
            );
        }
        if (value && algorithm === "sha256" && value !== createHash("sha256").update(body).digest("base64")) {
            problems.push("The SHA256 you specified did not match the calculated checksum.");
        }
    }
    return problems;
}

/** Units PutMetricData takes (API reference "MetricDatum", Unit). */
const metricUnits = new Set(
    "Seconds Microseconds Milliseconds Bytes Kilobytes Megabytes Gigabytes Terabytes Bits Kilobits Megabits Gigabits Terabits Percent Count Bytes/Second Kilobytes/Second Megabytes/Second Gigabytes/Second Terabytes/Second Bits/Second Kilobits/Second Megabits/Second Gigabits/Second Terabits/Second Count/Second None".split(
        " ",
    ),
);

/**
 * What CloudWatch would refuse in a PutMetricData (API reference,
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricData.html, and
 * "MetricDatum", "Dimension"): a request over 1 MB or with more than 1,000 different metrics; a
 * namespace not of 1-255 characters or beginning with "AWS/" (reserved for AWS services); a metric
 * name not of 1-255 characters; more than 30 dimensions; a dimension name not of 1-255 or value
 * not of 1-1,024 characters; a value outside -2^360..2^360 or not a number; a unit not listed.
 */
export function putMetricDataProblems(input: any, bytes: number): string[] {
    const problems: string[] = [];
    if (bytes > 1024 * 1024) {
        problems.push(`request of ${bytes} bytes: at most 1 MB`);
    }
    const namespace = input?.Namespace;
    if (typeof namespace !== "string" || namespace.length < 1 || namespace.length > 255 || /^AWS\//.test(namespace)) {
        problems.push(`Namespace ${JSON.stringify(namespace)}: 1-255 characters, not beginning with AWS/`);
    }
    const data: any[] = Array.isArray(input?.MetricData) ? input.MetricData : [];
    if (data.length === 0) {
        problems.push("MetricData is empty");
    }
    const distinct = new Set(data.map((d) => JSON.stringify([d?.MetricName, d?.Dimensions ?? []])));
    if (distinct.size > 1000) {
        problems.push(`${distinct.size} different metrics: at most 1,000 per request`);
    }
    for (const d of data) {
        if (typeof d?.MetricName !== "string" || d.MetricName.length < 1 || d.MetricName.length > 255) {
            problems.push(`MetricName ${JSON.stringify(d?.MetricName)}: 1-255 characters`);
        }
        const dims: any[] = d?.Dimensions ?? [];
        if (dims.length > 30) {
            problems.push(`${d.MetricName}: ${dims.length} dimensions, at most 30`);
        }
        for (const dim of dims) {
            if (typeof dim?.Name !== "string" || dim.Name.length < 1 || dim.Name.length > 255) {
                problems.push(`${d.MetricName}: dimension name ${JSON.stringify(dim?.Name)}`);
            }
            if (typeof dim?.Value !== "string" || dim.Value.length < 1 || dim.Value.length > 1024) {
                problems.push(`${d.MetricName}: dimension value ${JSON.stringify(dim?.Value)}`);
            }
        }
        if (typeof d?.Value !== "number" || !Number.isFinite(d.Value) || Math.abs(d.Value) > 2 ** 360) {
            problems.push(`${d?.MetricName}: Value ${JSON.stringify(d?.Value)}`);
        }
        if (d?.Unit !== undefined && !metricUnits.has(d.Unit)) {
            problems.push(`${d.MetricName}: Unit ${JSON.stringify(d.Unit)}`);
        }
    }
    return problems;
}

/** The Region of a SigV4-signed request (its credential scope). */
export function signedRegion(authorization: string): string {
    return /Credential=[^/]+\/\d{8}\/([^/]+)\//.exec(authorization)?.[1] ?? "";
}

export function startServer(options: ServerOptions = {}): Promise<{ server: http.Server; url: string; seen: Seen[] }> {
    const seen: Seen[] = [];
    let throttled = false;
    const answers = options.elasticache ?? elasticache;
    const server = http.createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on("data", (chunk: Buffer) => chunks.push(chunk));
        req.on("end", () => {
            const raw = Buffer.concat(chunks);
            const body = raw.toString("utf8");
            if (options.route?.(req, body, res, seen)) {
                return;
            }
            const authorization = String(req.headers.authorization ?? "");
            if (authorization.includes(`Credential=${expiredKey}/`)) {
                // "Common Errors" (AWS APIs): ExpiredTokenException, "The security token included in
                // the request is expired", HTTP 403.
                seen.push({ action: "expired", authorization });
                res.writeHead(403, { "content-type": "text/xml" });
                res.end(
                    `<ErrorResponse xmlns="${ns}"><Error><Type>Sender</Type><Code>ExpiredTokenException</Code><Message>The security token included in the request is expired</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
                );
                return;
            }
            const target = req.headers["x-amz-target"];
            const url = new URL(req.url ?? "/", "http://localhost");
            if (typeof target === "string") {
                const [prefix, operation] = target.split(".").slice(-2);
                seen.push({ action: `${jsonServices[prefix] ?? prefix}:${operation}`, authorization });
                if (options.metrics && prefix === "GraniteServiceVersion20100801" && operation === "PutMetricData") {
                    // The SDK may gzip a large request ("You can send a payload compressed by gzip").
                    const text =
                        req.headers["content-encoding"] === "gzip" ? zlib.gunzipSync(raw).toString("utf8") : body;
                    const input = JSON.parse(text);
                    const problems = putMetricDataProblems(input, raw.length);
                    if (problems.length > 0) {
                        res.writeHead(400, {
                            "content-type": "application/x-amz-json-1.0",
                            "x-amzn-query-error": "InvalidParameterValue;Sender",
                        });
                        res.end(
                            JSON.stringify({ __type: "InvalidParameterValueException", message: problems.join("; ") }),
                        );
                        return;
                    }
                    options.metrics.push({
                        namespace: input.Namespace,
                        data: input.MetricData,
                        region: signedRegion(authorization),
                    });
                    res.writeHead(200, { "content-type": "application/x-amz-json-1.0", "x-amzn-requestid": requestId });
                    res.end("{}");
                    return;
                }
                res.writeHead(400, { "content-type": "application/x-amz-json-1.1", "x-amzn-requestid": requestId });
                res.end(
                    JSON.stringify({
                        __type: "AccessDeniedException",
                        message: `not authorized to perform ${operation}`,
                    }),
                );
                return;
            }
            const form = new URLSearchParams(body);
            const action = form.get("Action");
            if (req.method === "POST" && action) {
                const service = queryServices[form.get("Version") ?? ""] ?? "unknown";
                seen.push({ action: `${service}:${action}`, authorization });
                if (service === "elasticache" && action === "DescribeReplicationGroups" && !throttled) {
                    throttled = true; // the first call is throttled; the SDK's retry must succeed
                    res.writeHead(400, { "content-type": "text/xml" });
                    res.end(
                        `<ErrorResponse xmlns="${ns}"><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
                    );
                    return;
                }
                if (service === "elasticache" && answers[action] !== undefined) {
                    res.writeHead(200, { "content-type": "text/xml" });
                    res.end(queryResponse(action, answers[action]));
                    return;
                }
                res.writeHead(403, { "content-type": "text/xml" });
                res.end(
                    service === "ec2"
                        ? `<Response><Errors><Error><Code>UnauthorizedOperation</Code><Message>You are not authorized to perform this operation.</Message></Error></Errors><RequestID>${requestId}</RequestID></Response>`
                        : `<ErrorResponse><Error><Type>Sender</Type><Code>${service === "sns" ? "AuthorizationError" : "AccessDenied"}</Code><Message>not authorized to perform ${action}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
                );
                return;
            }
            // S3 REST: the SDK names the operation in x-id.
            seen.push({ action: `s3:${url.searchParams.get("x-id") ?? "unknown"}`, authorization });
            if (options.objects && req.method === "PUT" && url.searchParams.get("x-id") === "PutObject") {
                // Path-style (the SDK uses it for an IP endpoint): /bucket/key.
                const [, bucket, ...key] = decodeURIComponent(url.pathname).split("/");
                const problems = putObjectProblems(key.join("/"), req.headers, raw);
                if (problems.length > 0) {
                    res.writeHead(400, { "content-type": "application/xml" });
                    res.end(
                        `<Error><Code>InvalidRequest</Code><Message>${problems.join("; ")}</Message><RequestId>${requestId}</RequestId></Error>`,
                    );
                    return;
                }
                options.objects.set(`${bucket}/${key.join("/")}`, { body: raw, headers: req.headers });
                res.writeHead(200, { etag: `"${createHash("md5").update(raw).digest("hex")}"` });
                res.end();
                return;
            }
            res.writeHead(403, { "content-type": "application/xml" });
            res.end(
                `<Error><Code>AccessDenied</Code><Message>Access Denied</Message><RequestId>${requestId}</RequestId></Error>`,
            );
        });
    });
    return new Promise((resolve) =>
        server.listen(0, "127.0.0.1", () => {
            const { port } = server.address() as AddressInfo;
            resolve({ server, url: `http://127.0.0.1:${port}`, seen });
        }),
    );
}

/**
 * The environment a CLI run against the loopback endpoint gets: dummy keys for the SDK's credential
 * chain, the default Region, an empty HOME with no shared config files, no instance metadata.
 */
export function loopbackEnv(url: string): NodeJS.ProcessEnv {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), "loopback-home-"));
    return {
        PATH: process.env.PATH,
        HOME: home,
        AWS_ENDPOINT_URL: url,
        AWS_REGION: "us-east-1",
        AWS_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE",
        AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        AWS_CONFIG_FILE: path.join(home, "config"),
        AWS_SHARED_CREDENTIALS_FILE: path.join(home, "credentials"),
        AWS_EC2_METADATA_DISABLED: "true",
    };
}

export function runCli(
    args: string[],
    env: NodeJS.ProcessEnv,
): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve, reject) => {
        const child = spawn(
            process.execPath,
            ["-r", "ts-node/register/transpile-only", "tools/audit/cli.ts", ...args],
            {
                cwd: root,
                env,
                stdio: ["ignore", "pipe", "pipe"],
            },
        );
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (c) => (stdout += c));
        child.stderr.on("data", (c) => (stderr += c));
        child.on("error", reject);
        child.on("exit", (code) => resolve({ code: code ?? -1, stdout, stderr }));
    });
}
