// Continuous checks after deploy (option `awsConfigRules`, off by default): AWS Config managed
// rules for ElastiCache, which re-evaluate the running caches every day and keep a compliance
// history an assessor can query. The identifiers, resource types and parameters are those of the
// AWS Config managed rules list (https://docs.aws.amazon.com/config/latest/developerguide/managed-rules-by-aws-config.html),
// one page per rule, cited below. The audit (`npm run audit`) reads their results when present.
//
// Prerequisite: AWS Config must be recording in the account and Region (a configuration recorder
// and a delivery channel, "Setting up AWS Config",
// https://docs.aws.amazon.com/config/latest/developerguide/gs-console.html). PutConfigRule fails with
// NoAvailableConfigurationRecorderException without one, which is why the option is off by default.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ControlId } from "../core/controls";
import { maxBackupRetentionDays } from "../core/checks";

export type ConfigResourceType = "AWS::ElastiCache::ReplicationGroup" | "AWS::ElastiCache::CacheCluster";

export interface ManagedRule {
    /** Our short name, used in the rule's name (`<prefix>-<key>`). */
    key: string;
    /** The managed rule's identifier (`source.sourceIdentifier`). */
    identifier: string;
    /** The resource types the rule evaluates, as its page lists them. */
    resourceTypes: ConfigResourceType[];
    controls: ControlId[];
    /** The rule's documentation page. */
    url: string;
    /** The Regions the rule's page says it is not offered in ("All supported AWS regions except ..."). */
    unavailableIn: readonly string[];
}

const page = (name: string) => `https://docs.aws.amazon.com/config/latest/developerguide/${name}.html`;

/**
 * Region codes of the Regions the rule pages name (AWS General Reference, "AWS Regions").
 * Each list below is the union of the exceptions on the rule's page in its English editions at
 * docs.aws.amazon.com and docs.amazonaws.cn (the editions differ by a Region or two while a
 * Region is being added): a rule is skipped wherever any edition says it is missing, since a
 * skipped rule is a recorded gap and a missing one fails the whole deployment.
 */
const region = {
    newZealand: "ap-southeast-6",
    thailand: "ap-southeast-7",
    uae: "me-central-1",
    malaysia: "ap-southeast-5",
    melbourne: "ap-southeast-4",
    govCloudEast: "us-gov-east-1",
    govCloudWest: "us-gov-west-1",
    mexico: "mx-central-1",
    telAviv: "il-central-1",
    taipei: "ap-east-2",
    calgary: "ca-west-1",
    jakarta: "ap-southeast-3",
    hyderabad: "ap-south-2",
    osaka: "ap-northeast-3",
    spain: "eu-south-2",
    zurich: "eu-central-2",
    beijing: "cn-north-1",
    ningxia: "cn-northwest-1",
} as const;

/** The exceptions most ElastiCache rule pages share (GovCloud among them). */
const newerRegionsAndGovCloud = [
    region.newZealand,
    region.thailand,
    region.uae,
    region.malaysia,
    region.melbourne,
    region.govCloudEast,
    region.govCloudWest,
    region.mexico,
    region.telAviv,
    region.taipei,
    region.calgary,
];

/** The managed rules the component deploys: encryption, auth, backup, failover, subnet group, engine, upgrades. */
export const managedRules: readonly ManagedRule[] = [
    {
        key: "encrypted-at-rest",
        identifier: "ELASTICACHE_REPL_GRP_ENCRYPTED_AT_REST",
        resourceTypes: ["AWS::ElastiCache::ReplicationGroup"],
        controls: ["1903.06d1"],
        url: page("elasticache-repl-grp-encrypted-at-rest"),
        unavailableIn: newerRegionsAndGovCloud,
    },
    {
        key: "encrypted-in-transit",
        identifier: "ELASTICACHE_REPL_GRP_ENCRYPTED_IN_TRANSIT",
        resourceTypes: ["AWS::ElastiCache::ReplicationGroup"],
        controls: ["0808.10b2"],
        url: page("elasticache-repl-grp-encrypted-in-transit"),
        unavailableIn: newerRegionsAndGovCloud,
    },
    {
        // NON_COMPLIANT below Redis 6 without an AuthToken (6+ uses ACLs: the RBAC rule below).
        key: "redis-auth",
        identifier: "ELASTICACHE_REPL_GRP_REDIS_AUTH_ENABLED",
        resourceTypes: ["AWS::ElastiCache::ReplicationGroup"],
        controls: ["0808.10b2", "19141.06c1"],
        url: page("elasticache-repl-grp-redis-auth-enabled"),
        unavailableIn: [...newerRegionsAndGovCloud, region.jakarta, region.hyderabad, region.spain, region.zurich],
    },
    {
        // NON_COMPLIANT on Redis 6+ without UserGroupIds: deployed only for groups that use RBAC.
        key: "rbac-auth",
        identifier: "ELASTICACHE_RBAC_AUTH_ENABLED",
        resourceTypes: ["AWS::ElastiCache::ReplicationGroup"],
        controls: ["0808.10b2", "19141.06c1"],
        url: page("elasticache-rbac-auth-enabled"),
        unavailableIn: [
            ...newerRegionsAndGovCloud,
            region.beijing,
            region.ningxia,
            region.jakarta,
            region.hyderabad,
            region.spain,
            region.zurich,
        ],
    },
    {
        key: "automatic-backup",
        identifier: "ELASTICACHE_REDIS_CLUSTER_AUTOMATIC_BACKUP_CHECK",
        resourceTypes: ["AWS::ElastiCache::CacheCluster", "AWS::ElastiCache::ReplicationGroup"],
        controls: ["1616.09l1", "1618.09l1"],
        url: page("elasticache-redis-cluster-automatic-backup-check"),
        unavailableIn: [region.taipei],
    },
    {
        key: "auto-failover",
        identifier: "ELASTICACHE_REPL_GRP_AUTO_FAILOVER_ENABLED",
        resourceTypes: ["AWS::ElastiCache::ReplicationGroup"],
        controls: ["1410.09e2"],
        url: page("elasticache-repl-grp-auto-failover-enabled"),
        unavailableIn: newerRegionsAndGovCloud,
    },
    {
        key: "subnet-group",
        identifier: "ELASTICACHE_SUBNET_GROUP_CHECK",
        resourceTypes: ["AWS::ElastiCache::CacheCluster"],
        controls: ["0805.01m1"],
        url: page("elasticache-subnet-group-check"),
        unavailableIn: [
            ...newerRegionsAndGovCloud,
            region.jakarta,
            region.hyderabad,
            region.osaka,
            region.spain,
            region.zurich,
        ],
    },
    {
        key: "supported-engine-version",
        identifier: "ELASTICACHE_SUPPORTED_ENGINE_VERSION",
        resourceTypes: ["AWS::ElastiCache::CacheCluster"],
        controls: ["0706.10b1"],
        url: page("elasticache-supported-engine-version"),
        unavailableIn: [
            ...newerRegionsAndGovCloud,
            region.beijing,
            region.ningxia,
            region.hyderabad,
            region.spain,
            region.zurich,
        ],
    },
    {
        key: "auto-minor-version-upgrade",
        identifier: "ELASTICACHE_AUTO_MINOR_VERSION_UPGRADE_CHECK",
        resourceTypes: ["AWS::ElastiCache::CacheCluster"],
        controls: ["0706.10b1"],
        url: page("elasticache-auto-minor-version-upgrade-check"),
        unavailableIn: newerRegionsAndGovCloud,
    },
];

/** A SemVer with three components, as the supported-engine-version rule requires ("7.0.5, not 7.0"). */
const threePartVersion = /^\d+\.\d+\.\d+$/;

export interface ConfigRulesArgs {
    /** The prefix of the rule names, usually the replication group ID. */
    namePrefix: string;
    /** The component's automatic backup retention: the backup rule fails a cache that keeps fewer days. */
    snapshotRetentionDays: number;
    /** True when the group authenticates with an RBAC user group (else an AUTH token). */
    rbac: boolean;
    /** The oldest Redis version the engine rule accepts, three components. Defaults to "6.2.6". */
    minimumRedisVersion?: string;
    /** Required by the engine rule even without Memcached, three components. Defaults to "1.6.22". */
    minimumMemcachedVersion?: string;
    tags?: Record<string, string>;
    /**
     * The Region the rules are deployed in. Rules AWS Config does not offer there are skipped with
     * a warning (`skippedConfigRules`) instead of failing the deployment. Without it every rule is
     * deployed, as in a Region that has them all.
     */
    region?: string;
    /** The configuration recorder (or anything) the rules must be created after. */
    dependsOn?: pulumi.Input<pulumi.Resource>[];
    parent?: pulumi.Resource;
}

/** Gathers every bad argument with its name and fix, as the component's validation does. */
export function configRulesProblems(args: ConfigRulesArgs): string[] {
    const problems: string[] = [];
    if (!/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/.test(args.namePrefix ?? "")) {
        problems.push(
            `namePrefix '${args.namePrefix}' must be 1-64 letters, digits, '-' or '_' starting with a letter or digit (rule names allow 128 characters).`,
        );
    }
    const days = args.snapshotRetentionDays;
    if (!Number.isInteger(days) || days < 1 || days > maxBackupRetentionDays) {
        problems.push(
            `snapshotRetentionDays is ${days}: pass the component's retention, a whole number from 1 to ${maxBackupRetentionDays}.`,
        );
    }
    for (const [name, value] of [
        ["minimumRedisVersion", args.minimumRedisVersion],
        ["minimumMemcachedVersion", args.minimumMemcachedVersion],
    ] as const) {
        if (value !== undefined && !threePartVersion.test(value)) {
            problems.push(`${name} '${value}' must have three components, for example "7.0.5" (not "7.0").`);
        }
    }
    return problems;
}

/** The rules to deploy for a group: the AUTH-token rule or the RBAC rule, never both. */
export function rulesFor(rbac: boolean): ManagedRule[] {
    return managedRules.filter((r) => (rbac ? r.key !== "redis-auth" : r.key !== "rbac-auth"));
}

/** The rules of `rules` that AWS Config does not offer in `region`. */
export function unavailableRules(rules: readonly ManagedRule[], regionCode: string): ManagedRule[] {
    return rules.filter((r) => r.unavailableIn.includes(regionCode));
}

/** The warning for a rule skipped in a Region: what is missing, why, and what covers it instead. */
export function skippedRuleMessage(rule: ManagedRule, regionCode: string): string {
    return (
        `awsConfigRules: AWS Config does not offer the managed rule ${rule.identifier} in ${regionCode} (${rule.url}); ` +
        `it is not deployed there, so HITRUST ${rule.controls.join(", ")} lacks its daily Config evaluation in that Region. ` +
        `The policy pack and \`npm run audit\` still check the same settings.`
    );
}

/**
 * The Region a component deploys to, when the program knows it before deploying: the `aws:region`
 * stack config, else AWS_REGION or AWS_DEFAULT_REGION, as the default provider reads them.
 * Undefined with an explicit provider (its region is an Output) or with none of these set.
 */
export function knownDeployRegion(opts: { provider?: unknown; providers?: unknown }): string | undefined {
    if (opts.provider !== undefined || opts.providers !== undefined) {
        return undefined;
    }
    const fromConfig = new pulumi.Config("aws").get("region");
    return fromConfig || process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION || undefined;
}

/** The `inputParameters` each rule takes (JSON object of strings, as AWS Config expects). */
export function ruleParameters(rule: ManagedRule, args: ConfigRulesArgs): Record<string, string> | undefined {
    switch (rule.identifier) {
        case "ELASTICACHE_REDIS_CLUSTER_AUTOMATIC_BACKUP_CHECK":
            return { snapshotRetentionPeriod: String(args.snapshotRetentionDays) };
        case "ELASTICACHE_SUPPORTED_ENGINE_VERSION":
            return {
                latestRedisVersion: args.minimumRedisVersion ?? "6.2.6",
                latestMemcachedVersion: args.minimumMemcachedVersion ?? "1.6.22",
            };
        default:
            return undefined;
    }
}

/**
 * Deploys the AWS Config managed rules for ElastiCache. Each rule is periodic (every 24 hours)
 * and scoped to the ElastiCache resource types it evaluates, so it judges every cache of the
 * Region; the audit reports the results for the caches it finds.
 */
export function createConfigRules(name: string, args: ConfigRulesArgs): aws.cfg.Rule[] {
    const problems = configRulesProblems(args);
    if (problems.length > 0) {
        throw new Error(`createConfigRules(${name}): ${problems.join(" ")}`);
    }
    const wanted = rulesFor(args.rbac);
    const skipped = args.region === undefined ? [] : unavailableRules(wanted, args.region);
    for (const rule of skipped) {
        void pulumi.log.warn(skippedRuleMessage(rule, args.region!), args.parent);
    }
    return wanted
        .filter((rule) => !skipped.includes(rule))
        .map((rule) => {
            const parameters = ruleParameters(rule, args);
            return new aws.cfg.Rule(
                `${name}-config-${rule.key}`,
                {
                    name: `${args.namePrefix}-${rule.key}`,
                    description: `HITRUST ${rule.controls.join(", ")}: AWS Config managed rule ${rule.identifier} (${rule.url}).`,
                    source: { owner: "AWS", sourceIdentifier: rule.identifier },
                    scope: { complianceResourceTypes: rule.resourceTypes },
                    maximumExecutionFrequency: "TwentyFour_Hours",
                    ...(parameters ? { inputParameters: JSON.stringify(parameters) } : {}),
                    tags: args.tags,
                },
                { parent: args.parent, dependsOn: args.dependsOn },
            );
        });
}
