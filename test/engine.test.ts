import * as assert from "assert";
import { accessStringAllowsNoPassword, accessStringHasSecret, redactAccessString } from "../core/acl";
import { nodeTypeProblem, previousGenerationNodeFamilies, versionAtLeast } from "../core/checks";
import {
    EngineFeature,
    engineVersionProblem,
    featureMinimumVersions,
    maxNodesPerCluster,
    nodeTypeGeneration,
    parseEngineVersion,
    supports,
} from "../core/engine";

// Expected values are written out from the AWS pages, not read from core/engine.ts:
// Log delivery: https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/Log_Delivery.html (slow 6.0, engine 6.2)
// RBAC: https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/Clusters.RBAC.html (6.0)
// IAM auth: https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/auth-iam.html ("version 7 or above")
// Transit mode: Redis OSS 7.0.5 (online TLS migration); every Valkey supports all five.
describe("core/engine: supports()", () => {
    const table: [string, string, EngineFeature, boolean][] = [
        ["redis", "5.0.6", "slowLog", false],
        ["redis", "6.0", "slowLog", true],
        ["redis", "6.x", "slowLog", true],
        ["redis", "6.0", "engineLog", false],
        ["redis", "6.2", "engineLog", true],
        ["redis", "6.x", "engineLog", true],
        ["redis", "5.0.6", "rbac", false],
        ["redis", "6.0", "rbac", true],
        ["redis", "6.2", "iamAuth", false],
        ["redis", "6.x", "iamAuth", false],
        ["redis", "7.0", "iamAuth", true],
        ["redis", "7.1", "iamAuth", true],
        ["redis", "7.0", "transitEncryptionMode", false],
        ["redis", "7.0.4", "transitEncryptionMode", false],
        ["redis", "7.0.5", "transitEncryptionMode", true],
        ["redis", "7.1", "transitEncryptionMode", true],
        ["redis", "10.0", "transitEncryptionMode", true],
        ["valkey", "7.2", "slowLog", true],
        ["valkey", "7.2", "engineLog", true],
        ["valkey", "7.2", "rbac", true],
        ["valkey", "7.2", "iamAuth", true],
        ["valkey", "8.0", "transitEncryptionMode", true],
        // Unparseable versions and unknown engines support nothing: a feature is never enabled on a guess.
        ["redis", "seven", "slowLog", false],
        ["redis", "", "rbac", false],
        ["valkey", "latest", "iamAuth", false],
        ["memcached", "1.6.22", "slowLog", false],
        // Engine names in any letter case, as the provider accepts them (issue 18).
        ["Redis", "7.1", "slowLog", true],
        ["VALKEY", "7.2", "rbac", true],
    ];
    for (const [engine, version, feature, expected] of table) {
        it(`${engine} ${JSON.stringify(version)} ${feature} -> ${expected}`, () => {
            assert.strictEqual(supports(engine, version, feature), expected);
        });
    }

    it("covers every feature in the data table", () => {
        const tested = new Set(table.map((row) => row[2]));
        assert.deepStrictEqual([...tested].sort(), Object.keys(featureMinimumVersions).sort());
    });

    it("does not throw on non-string input from untyped callers", () => {
        assert.strictEqual(supports("redis", 7 as unknown as string, "slowLog"), false);
        assert.strictEqual(supports(undefined as unknown as string, "7.1", "slowLog"), false);
    });
});

describe("core/engine: engineVersionProblem()", () => {
    // The provider's engineVersion doc: 7+ "major and minor version should be set, e.g., 7.2"; 6: "6.2" or
    // "6.x"; otherwise "the full version desired, e.g., 5.0.6".
    // https://www.pulumi.com/registry/packages/aws/api-docs/elasticache/replicationgroup/#engineversion_nodejs
    const accepted: [string, string][] = [
        ["redis", "7.1"],
        ["redis", "7.0"],
        ["redis", "6.x"],
        ["redis", "6.2"],
        ["redis", "6.0"],
        ["redis", "5.0.6"],
        ["redis", "4.0.10"],
        ["valkey", "7.2"],
        ["valkey", "8.0"],
        ["valkey", "8.1"],
    ];
    for (const [engine, version] of accepted) {
        it(`accepts ${engine} ${version}`, () => {
            assert.strictEqual(engineVersionProblem(engine, version), undefined);
        });
    }

    const refused: [string, string, RegExp][] = [
        ["redis", "7", /major\.minor for Redis 7 and later, such as '7\.1'/],
        ["redis", "7.x", /major\.minor for Redis 7 and later/],
        ["redis", "7.0.5", /'7\.0\.5' is not a version text the provider accepts for redis/],
        ["redis", "6", /'6\.x', '6\.0' or '6\.2' for Redis 6/],
        ["redis", "6.2.6", /not a version text the provider accepts/],
        ["redis", "5.0", /the full version for Redis 4 and 5, such as '5\.0\.6'/],
        ["redis", "5.x", /not a version text the provider accepts/],
        ["redis", "4.0.9", /below 4\.0\.10, the oldest HIPAA-eligible/],
        ["redis", "3.2.6", /below 4\.0\.10/],
        ["redis", " 7.1", /not a version text the provider accepts/],
        ["redis", "latest", /'latest' is not a redis engine version/],
        ["valkey", "8", /major\.minor for Valkey, such as '8\.0'/],
        ["valkey", "8.0.1", /major\.minor for Valkey/],
        ["valkey", "7.1", /Valkey starts at 7\.2/],
        ["memcached", "1.6.22", /use 'redis' or 'valkey'/],
    ];
    for (const [engine, version, message] of refused) {
        it(`refuses ${engine} ${JSON.stringify(version)}`, () => {
            const problem = engineVersionProblem(engine, version);
            assert.ok(problem, "expected a problem");
            assert.match(problem, message);
        });
    }

    it("does not throw on a number", () => {
        assert.match(engineVersionProblem("redis", 7.1 as unknown as string)!, /not a redis engine version/);
    });
});

describe("core/engine: nodeTypeGeneration()", () => {
    // "Supported node types": https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/CacheNodes.SupportedTypes.html
    // T2 is now previous generation: "You will no longer be able to create new ElastiCache clusters using T2".
    const table: [string, "current" | "previous" | "unknown"][] = [
        ["cache.r7g.large", "current"],
        ["cache.m7g.xlarge", "current"],
        ["cache.r6gd.xlarge", "current"],
        ["cache.t4g.micro", "current"],
        ["cache.t3.small", "current"],
        ["cache.c7gn.large", "current"],
        ["cache.r5.24xlarge", "current"],
        ["cache.t2.micro", "previous"],
        ["cache.t2.medium", "previous"],
        ["cache.t1.micro", "previous"],
        ["cache.m1.small", "previous"],
        ["cache.m2.xlarge", "previous"],
        ["cache.m3.medium", "previous"],
        ["cache.c1.xlarge", "previous"],
        ["cache.r3.large", "previous"],
        ["cache.z9q.large", "unknown"],
        ["r7g.large", "unknown"],
        ["", "unknown"],
    ];
    for (const [nodeType, expected] of table) {
        it(`${JSON.stringify(nodeType)} -> ${expected}`, () => {
            assert.strictEqual(nodeTypeGeneration(nodeType), expected);
        });
    }
});

describe("core/checks keeps its exports on top of core/engine", () => {
    it("lists T2 as previous generation and refuses it (issue 8, defect 11)", () => {
        assert.ok(previousGenerationNodeFamilies.includes("t2"));
        assert.match(nodeTypeProblem("cache.t2.micro")!, /previous-generation node type/);
        assert.strictEqual(nodeTypeProblem("cache.t3.micro"), undefined);
    });

    it("compares versions numerically", () => {
        assert.ok(versionAtLeast("4.0.10", "4.0.9"));
        assert.ok(!versionAtLeast("4.0.9", "4.0.10"));
        assert.ok(versionAtLeast("10.0", "9.9"));
    });
});

describe("core/engine: parseEngineVersion() keeps each text's answer", () => {
    it("answers each text for itself, the same on every ask, and the answer cannot be changed", () => {
        // Kept per text (core/engine.ts): versions that share a prefix, spacing or a wildcard are
        // told apart, asked in turn and again.
        const texts = ["7.1", "7.10", " 7.1", "7.1.0", "6.x", "6.2", "x", "4.0.10"];
        const expected = [
            { parts: [7, 1], wildcard: false },
            { parts: [7, 10], wildcard: false },
            { parts: [7, 1], wildcard: false },
            { parts: [7, 1, 0], wildcard: false },
            { parts: [6], wildcard: true },
            { parts: [6, 2], wildcard: false },
            undefined,
            { parts: [4, 0, 10], wildcard: false },
        ];
        for (let round = 0; round < 2; round++) {
            assert.deepStrictEqual(texts.map(parseEngineVersion), expected);
        }
        const parsed = parseEngineVersion("7.1")!;
        assert.throws(() => (parsed.parts as number[]).push(0), TypeError);
        assert.throws(() => ((parsed as { wildcard: boolean }).wildcard = true), TypeError);
        assert.deepStrictEqual(parseEngineVersion("7.1"), { parts: [7, 1], wildcard: false });
        assert.ok(versionAtLeast("7.10", "7.1") && !versionAtLeast("7.1", "7.10"));
    });
});

describe("core/acl: access strings as the engine reads them", () => {
    // Redis ACL SETUSER (https://redis.io/docs/latest/commands/acl-setuser/): keywords are case-insensitive;
    // ">pass" and "#hash" add a password and clear nopass; "resetpass" clears passwords and nopass.
    const table: [string, boolean][] = [
        ["on ~* +@all", false],
        ["on nopass ~* +@all", true],
        ["ON NOPASS ~* +@ALL", true],
        ["ON nopass ~* +@all", true],
        ["on NoPass ~* +@all", true],
        ["on nopass resetpass ~* +@all", false],
        ["on nopass >s3cret-Passw0rd ~* +@all", false],
        ["on >s3cret-Passw0rd nopass ~* +@all", true],
        ["on ~nopass* +@all", false],
        ["on\tnopass\n~* +@all", true],
    ];
    for (const [access, expected] of table) {
        it(`${JSON.stringify(access)} allows no password: ${expected}`, () => {
            assert.strictEqual(accessStringAllowsNoPassword(access), expected);
        });
    }

    it("redacts passwords and hashes and keeps the rest", () => {
        const access = "on >s3cret <old-secret #5e884898da28 !5e88 ~app:* +@read";
        const redacted = redactAccessString(access);
        assert.strictEqual(redacted, "on >*** <*** #*** !*** ~app:* +@read");
        for (const secret of ["s3cret", "old-secret", "5e884898da28"]) {
            assert.ok(!redacted.includes(secret), `${secret} leaked`);
        }
        assert.ok(accessStringHasSecret(access));
        assert.ok(!accessStringHasSecret("on ~* -@all +get"));
    });
});

describe("core/engine: maxNodesPerCluster()", () => {
    // "Managing clusters in ElastiCache": 500 per cluster from Valkey 7.2 and Redis OSS 5.0.6, else 250.
    const table: [string, string, number][] = [
        ["redis", "5.0.6", 500],
        ["redis", "7.1", 500],
        ["redis", "5.0.5", 250],
        ["redis", "4.0.10", 250],
        ["valkey", "7.2", 500],
        ["redis", "latest", 250],
    ];
    for (const [engine, version, expected] of table) {
        it(`${engine} ${version} -> ${expected}`, () => {
            assert.strictEqual(maxNodesPerCluster(engine, version), expected);
        });
    }
});
