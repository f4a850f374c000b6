// The SDK floor: the hitrust-elasticache pack's policies (same names, kinds, type filters and
// config schemas, from its compiled registry) with checks that do nothing. What the benchmark
// measures for it is what @pulumi/policy spends per policy, which no policy code can save.
const { PolicyPack } = require("@pulumi/policy");
const { packArgs } = require("../../policy-pack/bin/policy-pack/src/pack");

const noop = (from) => {
    const f = () => undefined;
    if (from.__pulumiType) {
        f.__pulumiType = from.__pulumiType;
    }
    return f;
};
const args = packArgs();
new PolicyPack("sdk-floor-pack", {
    policies: args.policies.map((p) => {
        const rest = { ...p };
        delete rest.remediateResource;
        return p.validateStack
            ? { ...rest, validateStack: noop(p.validateStack) }
            : { ...rest, validateResource: noop(p.validateResource) };
    }),
});
