import { NodeGroupConfig } from "../../config";

export interface Toleration {
    key?: string;
    operator: "Equal" | "Exists";
    value?: string;
    effect?: "NoSchedule" | "PreferNoSchedule" | "NoExecute";
}

/** Where a pod goes: a node selector plus the tolerations that let it land there. */
export interface Placement {
    nodeSelector: Record<string, string>;
    tolerations: Toleration[];
}

/** Tolerations for exactly the taints a node group carries (Equal on key, value and effect: no blanket Exists). */
export function tolerationsFor(group: Pick<NodeGroupConfig, "taints">): Toleration[] {
    return group.taints.map((t) => ({ key: t.key, operator: "Equal", value: t.value, effect: t.effect }));
}

/**
 * Placement on a node group: select its own labels (role/nodegroup and user labels) and tolerate its taints.
 * Used for platform pods on the management group and for CI job pods on their jobs group.
 */
export function placementOn(group: Pick<NodeGroupConfig, "labels" | "taints" | "arch">): Placement {
    return {
        nodeSelector: { ...group.labels, "kubernetes.io/arch": group.arch },
        tolerations: tolerationsFor(group),
    };
}

/**
 * CoreDNS add-on `configurationValues`: pinned to the management nodes. With every node tainted, a CoreDNS that
 * tolerates nothing would sit Pending and take cluster DNS down with it. The add-on's own defaults
 * (CriticalAddonsOnly, control-plane) are kept because setting `tolerations` replaces them.
 */
export function coreDnsConfiguration(management: Pick<NodeGroupConfig, "labels" | "taints" | "arch">) {
    const placement = placementOn(management);
    return {
        replicaCount: 2,
        nodeSelector: placement.nodeSelector,
        tolerations: [
            { key: "CriticalAddonsOnly", operator: "Exists" },
            { key: "node-role.kubernetes.io/control-plane", effect: "NoSchedule" },
            ...placement.tolerations,
        ],
    };
}
