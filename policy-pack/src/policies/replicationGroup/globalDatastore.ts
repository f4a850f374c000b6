// A secondary of a global datastore leaves encryption, AUTH and the engine version to the
// datastore, so the resource policies skip those settings on it. This stack policy makes sure
// that skip is safe: the datastore's primary is in the stack (and checked by those policies), or
// the datastore itself is, with its settings on; otherwise nobody checks them.
import { PolicyResource } from "@pulumi/policy";
import { isUnknown, knownBoolean, knownString } from "../../props";
import { StackIndex, StackRuleSpec } from "../../registry";
import { types } from "../../types";
import { inheritedSettings, InheritedSetting, inherits, isGlobalSecondary } from "./common";

/** The datastore's output that carries each inherited setting (GlobalReplicationGroup attributes). */
const datastoreFlags: Partial<Record<InheritedSetting, string>> = {
    atRestEncryption: "atRestEncryptionEnabled",
    transitEncryption: "transitEncryptionEnabled",
    authentication: "authTokenEnabled",
};

const settingNames: Record<InheritedSetting, string> = {
    atRestEncryption: "at-rest encryption",
    transitEncryption: "in-transit encryption",
    authentication: "authentication",
    engineVersion: "the engine version",
};

function datastoreOf(stack: StackIndex, group: PolicyResource, byId: Map<string, PolicyResource>) {
    const linked = stack.dependencies(group, "globalReplicationGroupId", types.globalReplicationGroup);
    if (linked.length > 0) {
        return linked[0];
    }
    const id = knownString(stack.props(group).globalReplicationGroupId);
    return id === undefined ? undefined : byId.get(id);
}

export const disallowUncheckedGlobalSecondary: StackRuleSpec = {
    name: "aws-elasticache-replicationgroup-disallow-unchecked-global-secondary",
    description:
        "Checks that a replication group joining a global datastore as a secondary inherits encryption, authentication and engine version from a datastore whose settings the pack can check.",
    enforcementLevel: "mandatory",
    severity: "high",
    controls: ["1903.06d1", "0808.10b2"],
    tags: ["encryption", "authentication"],
    remediationSteps:
        "Keep the datastore's primary replication group (or the `aws.elasticache.GlobalReplicationGroup`) in the same stack so the pack checks it, or run the pack on the primary's stack and set the secondary's own settings explicitly.",
    requires: types.replicationGroup,
    check(stack, _config, report) {
        const secondaries = stack
            .ofType(types.replicationGroup)
            .filter((group) => isGlobalSecondary(stack.props(group)));
        if (secondaries.length === 0) {
            return;
        }
        const byId = new Map<string, PolicyResource>();
        for (const datastore of stack.ofType(types.globalReplicationGroup)) {
            const id = knownString(stack.props(datastore).globalReplicationGroupId);
            if (id !== undefined) {
                byId.set(id, datastore);
            }
        }
        for (const group of secondaries) {
            const props = stack.props(group);
            const left = (Object.keys(inheritedSettings) as InheritedSetting[]).filter((s) => inherits(props, s));
            if (left.length === 0) {
                continue; // every setting is its own, and the resource policies check it
            }
            const datastore = datastoreOf(stack, group, byId);
            if (datastore !== undefined) {
                const primaries = stack.dependencies(datastore, "primaryReplicationGroupId", types.replicationGroup);
                if (primaries.length > 0) {
                    continue; // the primary is in this stack: the resource policies check its settings
                }
                const datastoreProps = stack.props(datastore);
                const off = left.filter((setting) => {
                    const flag = datastoreFlags[setting];
                    const value = flag === undefined ? undefined : datastoreProps[flag];
                    return flag !== undefined && !isUnknown(value) && knownBoolean(value) === false;
                });
                const unseen = left.filter((setting) => {
                    const flag = datastoreFlags[setting];
                    return flag !== undefined && datastoreProps[flag] === undefined;
                });
                if (off.length > 0) {
                    report(
                        `replication group '${group.name}' is a secondary of global datastore '${datastore.name}', which has ${off.map((s) => settingNames[s]).join(" and ")} off: recreate the datastore from an encrypted, authenticated primary.`,
                        group.urn,
                    );
                }
                if (unseen.length === 0) {
                    continue;
                }
                left.splice(0, left.length, ...unseen);
            }
            const id = props.globalReplicationGroupId;
            report(
                `replication group '${group.name}' joins global datastore ${isUnknown(id) ? "(ID known after the update)" : `'${String(id)}'`} as a secondary and leaves ${left.map((s) => settingNames[s]).join(", ")} to it, but neither the datastore nor its primary is in this stack, so nothing checks ${left.length === 1 ? "it" : "them"}: keep the primary in this stack or run the pack on the primary's stack and set these on the secondary.`,
                group.urn,
            );
        }
    },
};
