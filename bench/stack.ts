// The benchmark's large stacks: copies of the component's stack, each with its own URNs and
// dependencies (bench/bench.ts and bench/analyze-loop.ts size AnalyzeStack with them).
import { HitrustRedis } from "../component";
import { RecordedResource, runUnderMocks } from "../tools/mockrun";

/** The component's stack with its defaults, as `pulumi up` would register it (the benchmark's template). */
export async function componentStack(): Promise<RecordedResource[]> {
    const run = await runUnderMocks(
        () =>
            new HitrustRedis("bench", {
                vpcId: "vpc-1",
                subnetIds: ["subnet-a", "subnet-b"],
                allowedSecurityGroupIds: ["sg-app"],
            }),
        { preview: false },
    );
    return run.resources;
}

/** `copies` copies of the stack, each with its own URNs and dependencies. */
export function scaled(template: RecordedResource[], copies: number): RecordedResource[] {
    const out: RecordedResource[] = [];
    for (let i = 0; i < copies; i++) {
        const rename = (urn: string) => (urn ? `${urn}-${i}` : urn);
        for (const r of template) {
            out.push({
                ...r,
                urn: rename(r.urn),
                name: `${r.name}-${i}`,
                parent: rename(r.parent),
                dependencies: r.dependencies.map(rename),
                propertyDependencies: Object.fromEntries(
                    Object.entries(r.propertyDependencies).map(([k, v]) => [k, v.map(rename)]),
                ),
            });
        }
    }
    return out;
}
