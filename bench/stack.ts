// The benchmark's large stacks: copies of the component's stack, each with its own URNs and
// dependencies (bench/bench.ts and bench/analyze-loop.ts size AnalyzeStack with them).
import { RecordedResource } from "../tools/mockrun";

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
