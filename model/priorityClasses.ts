/**
 * Priority class names shared by the platform: platform pods (autoscaler, metrics-server, runner managers) outrank
 * CI jobs so a busy cluster pre-empts jobs, never the pods that schedule them; warm-capacity placeholders rank below
 * jobs so any job evicts them at once.
 */
export const PRIORITY_CLASSES = {
    platform: "eks-gitlab-runners-platform",
    jobs: "eks-gitlab-runners-jobs",
    warmCapacity: "eks-gitlab-runners-warm-capacity",
} as const;

/** The built-in class the autoscaler and metrics-server run at (Kubernetes reserves it; exists in every cluster). */
export const SYSTEM_CLUSTER_CRITICAL = { name: "system-cluster-critical", value: 2_000_000_000 } as const;

/**
 * Cluster Autoscaler's `--expendable-pods-priority-cutoff` (its default, set explicitly because the warm-capacity
 * class depends on it): pods below it neither trigger a scale-up nor keep a node alive. -10 is therefore the lowest
 * priority that still makes the autoscaler add nodes for a pod (CA FAQ, "How can I configure overprovisioning":
 * "Priority -10 will be reserved for overprovisioning pods as it is the lowest priority that triggers scaling").
 */
export const EXPENDABLE_PODS_PRIORITY_CUTOFF = -10;

/**
 * Whether Cluster Autoscaler ignores a pod of this priority for scale-up. The comparison is strict:
 * `IsExpendablePod` returns `priority < cutoff` in cluster-autoscaler/core/utils/expendable.go (line 67 at every
 * pinned tag, cluster-autoscaler-1.30.7 … 1.35.2), and filter_out_expendable.go drops such pods from the
 * unschedulable ones before scale-up. A pod exactly at the cutoff still makes CA add a node.
 */
export function expendableToClusterAutoscaler(priority: number, cutoff: number = EXPENDABLE_PODS_PRIORITY_CUTOFF): boolean {
    return priority < cutoff;
}

export interface PriorityClassSpec {
    readonly name: string;
    /** → PriorityClass `value`. */
    readonly value: number;
    /** → `preemptionPolicy`: whether pods of the class evict lower-priority pods to get scheduled. */
    readonly preemptionPolicy: "PreemptLowerPriority" | "Never";
    readonly description: string;
}

/** The classes this program creates, once per stack. Ordering: platform > jobs > default (0) > warm capacity ≥ cutoff. */
export const PRIORITY_CLASS_SPECS: Readonly<Record<keyof typeof PRIORITY_CLASSES, PriorityClassSpec>> = {
    platform: {
        name: PRIORITY_CLASSES.platform,
        value: 1_000_000,
        preemptionPolicy: "PreemptLowerPriority",
        description:
            "eks-gitlab-runners platform pods (runner managers): outrank CI jobs, so jobs never starve the pods that schedule them.",
    },
    jobs: {
        name: PRIORITY_CLASSES.jobs,
        value: 1_000,
        preemptionPolicy: "PreemptLowerPriority",
        description: "eks-gitlab-runners CI job pods: preempt warm-capacity placeholders at once.",
    },
    // The pause pods of `[runners.kubernetes.autoscaler]` (config/warmCapacity.ts): below every job so any job
    // preempts them, and exactly at the cutoff so their Pending replacements still make CA add a node.
    warmCapacity: {
        name: PRIORITY_CLASSES.warmCapacity,
        value: EXPENDABLE_PODS_PRIORITY_CUTOFF,
        preemptionPolicy: "Never",
        description:
            "eks-gitlab-runners warm-capacity placeholders: evicted by any job, never evict anything, still count for Cluster Autoscaler.",
    },
};
