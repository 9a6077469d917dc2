import type { Taint } from "./labels";

/** The two standard Cluster Autoscaler auto-discovery tags (CA AWS README). */
export const CA_ENABLED_TAG = "k8s.io/cluster-autoscaler/enabled";
export const caClusterTag = (clusterName: string) => `k8s.io/cluster-autoscaler/${clusterName}`;

/**
 * EKS itself puts both standard tags on the ASG of *every* managed node group, the management group included, so
 * discovery keyed on them alone would hand the autoscaler its own nodes (seed 001: it scaled them away and wedged).
 * Only job groups' ASGs carry this extra tag, and the autoscaler discovers on all three.
 */
export const JOBS_DISCOVERY_TAG = "eks-gitlab-runners/autoscaled";

/**
 * The standard discovery tags EKS itself puts on the ASG of every managed node group ("Amazon EKS tags managed node
 * group resources so that they are configured to use the Kubernetes Cluster Autoscaler", EKS user guide, "Simplify
 * node lifecycle with managed node groups"; seen on a live group's ASG as `k8s.io/cluster-autoscaler/enabled=true`
 * and `k8s.io/cluster-autoscaler/<cluster>=owned`). This program declares them too (idempotent), but must never
 * delete them: tag resources for these keys are retained on delete.
 */
export function eksManagedAsgTags(clusterName: string): Record<string, string> {
    return { [CA_ENABLED_TAG]: "true", [caClusterTag(clusterName)]: "owned" };
}

/** Tags that make a job group's ASG discoverable by this cluster's autoscaler. */
export function autoDiscoveryTags(clusterName: string): Record<string, string> {
    return { ...eksManagedAsgTags(clusterName), [JOBS_DISCOVERY_TAG]: clusterName };
}

/** → Cluster Autoscaler `--node-group-auto-discovery`: ASGs with all three tags (the last with this cluster's name as value). */
export function autoDiscoveryFlag(clusterName: string): string {
    return `asg:tag=${CA_ENABLED_TAG},${caClusterTag(clusterName)},${JOBS_DISCOVERY_TAG}=${clusterName}`;
}

/** Prefix of the node-template tags that tell the autoscaler a zero-node group's labels and taints. */
export const NODE_TEMPLATE_PREFIX = "k8s.io/cluster-autoscaler/node-template";

/**
 * Node-template ASG tags for every label and taint of a group, so Cluster Autoscaler can build a node from nothing
 * (the EKS DescribeNodegroup fallback only works for groups that never had a node). Values: label → value,
 * taint → `value:Effect`.
 */
export function nodeTemplateTags(group: {
    readonly labels: Readonly<Record<string, string>>;
    readonly taints: readonly Taint[];
}): Record<string, string> {
    const tags: Record<string, string> = {};
    for (const [key, value] of Object.entries(group.labels)) tags[`${NODE_TEMPLATE_PREFIX}/label/${key}`] = value;
    for (const t of group.taints) tags[`${NODE_TEMPLATE_PREFIX}/taint/${t.key}`] = `${t.value}:${t.effect}`;
    return tags;
}

/** Cluster Autoscaler must never pick a node for scale-down because of a running job pod (CA FAQ, "What types of pods can prevent CA from removing a node?"). */
export const SAFE_TO_EVICT = { "cluster-autoscaler.kubernetes.io/safe-to-evict": "false" } as const;
