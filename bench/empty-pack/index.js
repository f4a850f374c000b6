// The baseline: a pack with one policy that looks at nothing.
const { PolicyPack } = require("@pulumi/policy");
new PolicyPack("empty-pack", {
    policies: [
        {
            name: "noop",
            description: "Checks that nothing is checked.",
            enforcementLevel: "advisory",
            validateResource: () => undefined,
        },
    ],
});
