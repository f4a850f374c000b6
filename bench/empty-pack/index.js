// The baseline: a policy pack with no policy at all, on the same @pulumi/policy, so every ratio
// divides by what the engine pays for the pack process and the protocol alone.
const { PolicyPack } = require("@pulumi/policy");
new PolicyPack("empty-pack", { policies: [] });
