// Karpenter's rows of the fleet-metric catalogue (config/observability/metrics.ts COLLECTED_METRICS): what the stack
// keeps of the Karpenter controller's metrics when `addons.nodeAutoscaler: karpenter`. Names, types and labels are
// those of Karpenter 1.14.1 (tests/fixtures/upstream/karpenter-metrics.v1.14.1.tsv): kubernetes-sigs/karpenter tag
// v1.14.1 (the core the provider tag pins) and aws/karpenter-provider-aws tag v1.14.1, paths below in those repositories.
//
// Only the leader replica runs Karpenter's controllers, so only it sets these series (operatorpkg's vectors emit a
// series once it is set); the follower is scraped too and contributes nothing.
import { RUNNER_NAMESPACES } from "../../model/labels";
import { CollectedMetric, DIMENSION } from "./metricTypes";

const CLUSTER = [DIMENSION.cluster] as const;
const POOL = [DIMENSION.cluster, DIMENSION.nodePool] as const;

/**
 * `karpenter_nodeclaims_disrupted_total` reasons that mean a NodeClaim never became a node: the launch found no
 * capacity or no ready node class (pkg/controllers/nodeclaim/lifecycle/launch.go: `insufficient_capacity`,
 * `nodeclass_not_ready`), or the instance did not launch within 5 minutes or did not register within 15
 * (lifecycle/liveness.go: `launch_timeout`, `registration_timeout`). Other reasons are voluntary disruption.
 */
export const KARPENTER_LAUNCH_FAILURE_REASONS = [
    "insufficient_capacity",
    "nodeclass_not_ready",
    "launch_timeout",
    "registration_timeout",
] as const;

export const KARPENTER_METRICS: readonly CollectedMetric[] = [
    // pkg/controllers/state/metrics.go, set to 1/0 by every Synced() call; the disruption loop calls it at least every
    // 10 s (pkg/controllers/disruption/controller.go pollingPeriod), so silence means the leader is gone or not scraped.
    {
        source: "karpenter",
        name: "karpenter_cluster_state_synced",
        type: "gauge",
        dimensions: CLUSTER,
        statistic: "Maximum",
        usedBy: "Karpenter not reporting alarm; Karpenter health",
    },
    // pkg/controllers/metrics/pod/controller.go: one series per Pending pod without PodScheduled=True (labels name,
    // namespace), the seconds since it was created, refreshed every 30 s and deleted when the pod is bound or gone.
    // Kept for job namespaces only; the longest wait per namespace is the runner's.
    {
        source: "karpenter",
        name: "karpenter_pods_unbound_time_seconds",
        type: "gauge",
        only: { label: DIMENSION.podNamespace, regex: `${RUNNER_NAMESPACES.jobsPrefix}.+` },
        dimensions: [DIMENSION.cluster, DIMENSION.podNamespace],
        statistic: "Maximum",
        usedBy: "job pods waiting for a node alarm (per runner); pods waiting",
    },
    // pkg/controllers/provisioning/scheduling/metrics.go, set by the provisioner (label controller = "provisioner",
    // provisioner.go Name) after each scheduling round that had pods; it keeps its last value while no pod is pending,
    // so it is drawn, not alarmed on.
    {
        source: "karpenter",
        name: "karpenter_scheduler_unschedulable_pods_count",
        type: "gauge",
        only: { label: "controller", regex: "provisioner" },
        dimensions: CLUSTER,
        statistic: "Maximum",
        usedBy: "pods waiting (unschedulable at the last scheduling round)",
    },
    // pkg/metrics/metrics.go NodeClaimsDisruptedTotal: labels reason, nodepool, capacity_type.
    {
        source: "karpenter",
        name: "karpenter_nodeclaims_disrupted_total",
        type: "counter",
        only: { label: "reason", regex: KARPENTER_LAUNCH_FAILURE_REASONS.join("|") },
        dimensions: CLUSTER,
        statistic: "Sum",
        usedBy: "failed node launches alarm; Karpenter health",
    },
    // pkg/cloudprovider/metrics/cloudprovider.go: labels controller, method, provider, error.
    {
        source: "karpenter",
        name: "karpenter_cloudprovider_errors_total",
        type: "counter",
        dimensions: CLUSTER,
        statistic: "Sum",
        usedBy: "Karpenter health",
    },
    // pkg/controllers/metrics/nodepool/controller.go: the pool's status.resources (the capacity of its nodes; cpu in
    // cores) and spec.limits, labels resource_type and nodepool, refreshed every 10 s.
    {
        source: "karpenter",
        name: "karpenter_nodepools_usage",
        type: "gauge",
        only: { label: "resource_type", regex: "cpu" },
        dimensions: POOL,
        statistic: "Maximum",
        usedBy: "node pool at cpuLimit alarm; CPU in use vs cpuLimit",
    },
    {
        source: "karpenter",
        name: "karpenter_nodepools_limit",
        type: "gauge",
        only: { label: "resource_type", regex: "cpu" },
        dimensions: POOL,
        statistic: "Maximum",
        usedBy: "CPU in use vs cpuLimit",
    },
    // aws/karpenter-provider-aws pkg/controllers/interruption/metrics.go: messages taken from the interruption queue
    // (label message_type) and deleted from it (no label).
    {
        source: "karpenter",
        name: "karpenter_interruption_received_messages_total",
        type: "counter",
        dimensions: CLUSTER,
        statistic: "Sum",
        usedBy: "interruption queue",
    },
    {
        source: "karpenter",
        name: "karpenter_interruption_deleted_messages_total",
        type: "counter",
        dimensions: CLUSTER,
        statistic: "Sum",
        usedBy: "interruption queue",
    },
];
