// Engine parameters that would switch off a log the guide requires (core/parameters.ts, shared with
// the pack's aws-elasticache-parametergroup-disallow-disabled-logging): refused, naming the argument
// and the parameter. The component always creates the cache's own parameter group, so these are the
// only parameters the cache runs with besides ElastiCache's defaults; an existing group cannot be
// named (`parameterGroupName` is refused with a pointer to `parameters`, schema.ts), because the
// component could not see what that group sets, nor stop it from being changed later.
import { loggingParameterProblems } from "../../core/parameters";
import { ProblemCollector } from "./problems";

export function checkLoggingParameters(parameters: Readonly<Record<string, string>>, c: ProblemCollector): void {
    for (const p of loggingParameterProblems(Object.entries(parameters))) {
        c.add(`parameters.${p.parameter}`, `'${p.value}': ${p.problem}`, p.fix);
    }
}
