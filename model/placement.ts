import type { Taint } from "./labels";

export interface Toleration {
    key?: string;
    operator: "Equal" | "Exists";
    value?: string;
    effect?: "NoSchedule" | "PreferNoSchedule" | "NoExecute";
}

/** What a placement reads of a node group: the labels and taints its nodes carry, and their architecture. */
export interface PlacementTarget {
    readonly labels: Readonly<Record<string, string>>;
    readonly taints: readonly Taint[];
    readonly arch: string;
}

/** Where a pod goes: a node selector plus the tolerations that let it land there. */
export interface Placement {
    nodeSelector: Record<string, string>;
    tolerations: Toleration[];
}

/** Tolerations for exactly the taints a node group carries (Equal on key, value and effect: no blanket Exists). */
export function tolerationsFor(group: { readonly taints: readonly Taint[] }): Toleration[] {
    return group.taints.map((t) => ({ key: t.key, operator: "Equal", value: t.value, effect: t.effect }));
}

/**
 * Placement on a node group: select its own labels (role/nodegroup and user labels) and tolerate its taints.
 * Used for platform pods on the management group and for CI job pods on their jobs group.
 */
export function placementOn(group: PlacementTarget): Placement {
    return {
        nodeSelector: { ...group.labels, "kubernetes.io/arch": group.arch },
        tolerations: tolerationsFor(group),
    };
}

/**
 * Kubernetes' own matching rule (k8s.io/api core/v1 `Toleration.ToleratesTaint`): an effect, if given, must equal
 * the taint's; a key, if given, must equal the taint's; then `Exists` matches any value and `Equal` (or no
 * operator) only the taint's value. So `{ operator: "Exists" }` alone tolerates every taint.
 */
export function tolerates(t: Toleration, taint: Taint): boolean {
    if (t.effect !== undefined && t.effect !== taint.effect) return false;
    if (t.key !== undefined && t.key !== "" && t.key !== taint.key) return false;
    return t.operator === "Exists" || (t.value ?? "") === taint.value;
}

/** The taints that keep a pod off a node (NoSchedule, NoExecute) and that none of `tolerations` tolerates. */
export function untoleratedTaints(tolerations: readonly Toleration[], taints: readonly Taint[]): Taint[] {
    return taints.filter((taint) => taint.effect !== "PreferNoSchedule" && !tolerations.some((t) => tolerates(t, taint)));
}
