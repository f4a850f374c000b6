import { PolicyPack } from "@pulumi/policy";
import { packArgs, packName } from "./pack";
import { installSharedHandlers } from "./server";

const args = packArgs();
// Analyze and AnalyzeStack build each request once for all policies (see server.ts).
installSharedHandlers(packName, args.policies, args.enforcementLevel);
new PolicyPack(packName, args);
