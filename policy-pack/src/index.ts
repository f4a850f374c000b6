import { PolicyPack } from "@pulumi/policy";
import { packArgs, packName } from "./pack";

new PolicyPack(packName, packArgs());
