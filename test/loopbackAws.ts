// A local HTTP server that speaks the AWS wire protocols for the end-to-end audit tests (factored
// out of test/audit.e2e.test.ts so that test/securityHub.e2e.test.ts can add routes): ElastiCache
// answers in its Query protocol (XML, shaped like the API reference's DescribeReplicationGroups
// example), after one Throttling error; every other call is refused with each protocol's
// AccessDenied, unless an extra route answers it first.
import { spawn } from "child_process";
import * as fs from "fs";
import * as http from "http";
import { AddressInfo } from "net";
import * as os from "os";
import * as path from "path";

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
}

export function startServer(options: ServerOptions = {}): Promise<{ server: http.Server; url: string; seen: Seen[] }> {
    const seen: Seen[] = [];
    let throttled = false;
    const answers = options.elasticache ?? elasticache;
    const server = http.createServer((req, res) => {
        let body = "";
        req.on("data", (chunk) => (body += chunk));
        req.on("end", () => {
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
