// The words every row of the fleet-metric catalogue uses (config/observability/metrics.ts, karpenterMetrics.ts): where
// a metric comes from, the CloudWatch namespace and dimensions it is published under, and the row's shape.

/** Where a metric is scraped from: a runner manager, or the engine that scales the job nodes. */
export type MetricSource = "runner" | ScalingEngine;

/** What adds job nodes: Cluster Autoscaler (job node groups) or Karpenter (node pools, `addons.nodeAutoscaler: karpenter`). */
export type ScalingEngine = "clusterAutoscaler" | "karpenter";

/** CloudWatch namespace the agent publishes Prometheus metrics to (its `emf_processor.metric_namespace` default). */
export const FLEET_METRIC_NAMESPACE = "ContainerInsights/Prometheus";

/** Dimension names. `ClusterName` is added to every event by the agent (`cluster_name`); `Runner` by our relabelling. */
export const DIMENSION = {
    cluster: "ClusterName",
    /** The runner's stable key (`runners.<name>`), copied from the manager pod's `eks-gitlab-runners/runner` label. */
    runner: "Runner",
    /** Cluster Autoscaler's own label: the ASG name of a node group (cloudprovider/aws). */
    nodeGroup: "node_group",
    /** Karpenter's own label: the NodePool's name (kubernetes-sigs/karpenter pkg/metrics/constants.go NodePoolLabel, v1.14.1). */
    nodePool: "nodepool",
    /**
     * Karpenter's own label on its per-pod gauges: the pod's namespace (pkg/controllers/metrics/pod/controller.go
     * podNamespace, v1.14.1). The scrape job adds no target label of that name, so the pod's value is kept as scraped.
     */
    podNamespace: "namespace",
} as const;

/** Seconds between scrapes. Alarms and the dashboard use 60-second periods, so a gauge's `Sum` adds each series once. */
export const SCRAPE_INTERVAL_SECONDS = 60;

export interface CollectedMetric {
    readonly source: MetricSource;
    /** Prometheus name, which is also the CloudWatch metric name. */
    readonly name: string;
    readonly type: "gauge" | "counter";
    /** Only the series whose label matches are kept (the agent's `label_matcher`); the value regex is anchored. */
    readonly only?: { readonly label: string; readonly regex: string };
    /** The CloudWatch dimension set the kept series are published under. */
    readonly dimensions: readonly string[];
    /** How the series of one dimension set combine in a 60-second period. */
    readonly statistic: "Sum" | "Maximum";
    /** What reads it (an alarm, a dashboard widget). */
    readonly usedBy: string;
}
