import { Registry } from "../registry";
import { clusterRules } from "./cluster";
import { replicationGroupRules } from "./replicationGroup";
import { stackRules } from "./stack";
import { subnetGroupRules } from "./subnetGroup";
import { userRules } from "./user";

/** Every rule of the pack, in the order the pack reports them. */
export const registry = new Registry().add(
    ...replicationGroupRules,
    ...clusterRules,
    ...subnetGroupRules,
    ...userRules,
    ...stackRules,
);
