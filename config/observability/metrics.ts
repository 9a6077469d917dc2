// The fleet metrics this program collects, one row per metric: where it is scraped, which of its series are kept,
// the CloudWatch dimensions they are published under and how series combine. The scrape configuration
// (config/observability/scrape.ts), the alarms and the dashboard (components/observability/) read only this table,
// so nothing can alarm on or draw a metric that is not collected. Every name and label is checked against the
// upstream source of every pinned version (tests/fixtures/upstream/*-metrics.*.tsv, tests/observabilityScrape.test.ts).
//
// How the CloudWatch agent turns Prometheus samples into metrics (CloudWatch user guide, "Prometheus metric type
// conversion by the CloudWatch agent", ContainerInsights-Prometheus-metrics-conversion.html): gauges as scraped;
// counters as the delta since the previous scrape (so the first scrape of a series yields nothing); histograms are
// dropped. Every series of a metric that shares the declared dimensions becomes one data point of the same CloudWatch
// metric, so a statistic combines them: `Sum` of per-scrape deltas is the count in the period, `Sum` of a gauge over
// one scrape interval adds its series, `Maximum` takes the largest.
import { RUNNER_NAMESPACES } from "../../model/labels";
import { CollectedMetric, DIMENSION, MetricSource } from "./metricTypes";
import { KARPENTER_METRICS } from "./karpenterMetrics";

export * from "./metricTypes";
export { KARPENTER_METRICS, KARPENTER_LAUNCH_FAILURE_REASONS } from "./karpenterMetrics";

const RUNNER_DIMENSIONS = [DIMENSION.cluster, DIMENSION.runner] as const;
const CLUSTER_DIMENSIONS = [DIMENSION.cluster] as const;

/**
 * Failure reasons that are the platform's, not the job's (`script_failure`, `job_execution_timeout` and the
 * configuration errors are left out): gitlab-org/gitlab-runner common/network.go at v18.9.0 (runner_system_failure,
 * image_pull_failure, unknown_failure) and v19.3.0 (also runner_external_dependency_failure, runner_interrupted).
 */
export const PLATFORM_FAILURE_REASONS = [
    "runner_system_failure",
    "image_pull_failure",
    "unknown_failure",
    "runner_external_dependency_failure",
    "runner_interrupted",
] as const;

/**
 * Every collected metric. Not collected although GitLab Runner exposes it: `gitlab_runner_job_queue_duration_seconds`,
 * a histogram, which the CloudWatch agent drops (see above); queue time is measured instead by
 * `gitlab_runner_acceptable_job_queuing_duration_exceeded_total`, which counts jobs that waited longer than
 * `[[runners.monitoring.job_queuing_durations]] threshold` (runner option `jobQueueThresholdSeconds`).
 */
export const COLLECTED_METRICS: readonly CollectedMetric[] = [
    // gitlab-runner v18.9.0 and v19.3.0 commands/builds_helper.go: series per state, stage and executor_stage, summed.
    {
        source: "runner",
        name: "gitlab_runner_jobs",
        type: "gauge",
        dimensions: RUNNER_DIMENSIONS,
        statistic: "Sum",
        usedBy: "runner saturation alarm; jobs vs concurrent; idle cost",
    },
    // gitlab-runner v18.9.0 and v19.3.0 commands/multi.go: one unlabelled series per manager process.
    {
        source: "runner",
        name: "gitlab_runner_concurrent",
        type: "gauge",
        dimensions: RUNNER_DIMENSIONS,
        statistic: "Maximum",
        usedBy: "jobs vs concurrent",
    },
    // gitlab-runner v18.9.0 and v19.3.0 commands/builds_helper.go.
    {
        source: "runner",
        name: "gitlab_runner_acceptable_job_queuing_duration_exceeded_total",
        type: "counter",
        dimensions: RUNNER_DIMENSIONS,
        statistic: "Sum",
        usedBy: "queue alarm; queue time",
    },
    // gitlab-runner v18.9.0 and v19.3.0 helpers/prometheus/log_hook.go: label `level` only (one manager pod = one runner).
    {
        source: "runner",
        name: "gitlab_runner_errors_total",
        type: "counter",
        only: { label: "level", regex: "error" },
        dimensions: RUNNER_DIMENSIONS,
        statistic: "Sum",
        usedBy: "runner errors alarm; runner health",
    },
    // gitlab-runner v18.9.0 and v19.3.0 network/api_requests_collector.go: label `status`, the HTTP code.
    {
        source: "runner",
        name: "gitlab_runner_api_request_statuses_total",
        type: "counter",
        only: { label: "status", regex: "5[0-9][0-9]" },
        dimensions: RUNNER_DIMENSIONS,
        statistic: "Sum",
        usedBy: "GitLab API 5xx alarm; runner health",
    },
    // gitlab-runner v18.9.0 and v19.3.0 helpers/prometheus/failures_collector.go: label `failure_reason`.
    {
        source: "runner",
        name: "gitlab_runner_failed_jobs_total",
        type: "counter",
        only: { label: "failure_reason", regex: PLATFORM_FAILURE_REASONS.join("|") },
        dimensions: RUNNER_DIMENSIONS,
        statistic: "Sum",
        usedBy: "runner health (job failures that are the platform's)",
    },
    // kubernetes/autoscaler cluster-autoscaler-1.30.7 … 1.35.2 cluster-autoscaler/metrics/metrics.go: label `type`.
    {
        source: "clusterAutoscaler",
        name: "cluster_autoscaler_unschedulable_pods_count",
        type: "gauge",
        only: { label: "type", regex: "unschedulable" },
        dimensions: CLUSTER_DIMENSIONS,
        statistic: "Maximum",
        usedBy: "unschedulable pods alarm; autoscaler health",
    },
    // kubernetes/autoscaler cluster-autoscaler-1.30.7 … 1.35.2 cluster-autoscaler/metrics/metrics.go: label `reason`.
    {
        source: "clusterAutoscaler",
        name: "cluster_autoscaler_failed_scale_ups_total",
        type: "counter",
        dimensions: CLUSTER_DIMENSIONS,
        statistic: "Sum",
        usedBy: "failed scale-ups alarm; autoscaler health",
    },
    // kubernetes/autoscaler cluster-autoscaler-1.30.7 … 1.35.2 cluster-autoscaler/metrics/metrics.go: labels `node_group`, `reason`.
    {
        source: "clusterAutoscaler",
        name: "cluster_autoscaler_node_group_backoff_status",
        type: "gauge",
        dimensions: CLUSTER_DIMENSIONS,
        statistic: "Maximum",
        usedBy: "backed-off group alarm; autoscaler health",
    },
    // kubernetes/autoscaler cluster-autoscaler-1.30.7 … 1.35.2 cluster-autoscaler/metrics/metrics.go: label `type`.
    {
        source: "clusterAutoscaler",
        name: "cluster_autoscaler_errors_total",
        type: "counter",
        dimensions: CLUSTER_DIMENSIONS,
        statistic: "Sum",
        usedBy: "autoscaler health",
    },
    // kubernetes/autoscaler cluster-autoscaler-1.30.7 … 1.35.2 cluster-autoscaler/metrics/metrics.go: label `node_group`, the ASG name.
    {
        source: "clusterAutoscaler",
        name: "cluster_autoscaler_node_group_target_count",
        type: "gauge",
        dimensions: [DIMENSION.cluster, DIMENSION.nodeGroup],
        statistic: "Maximum",
        usedBy: "node group at maxSize alarm; nodes per group; idle cost",
    },
    ...KARPENTER_METRICS,
];

/** The collected metric called `name` (a typo in a renderer fails loudly, not as an empty graph). */
export function collectedMetric(name: string): CollectedMetric {
    const found = COLLECTED_METRICS.find((m) => m.name === name);
    if (!found) throw new Error(`${name} is not a collected metric (config/observability/metrics.ts)`);
    return found;
}

/** The metrics of these sources. */
export function metricsOf(sources: readonly MetricSource[]): readonly CollectedMetric[] {
    return COLLECTED_METRICS.filter((m) => sources.includes(m.source));
}

/** A metric the alarms or the dashboard read that the fleet-metrics agent does not collect. */
export interface OtherMetric {
    readonly namespace: string;
    readonly name: string;
    readonly dimensions: readonly string[];
    readonly source: string;
}

/**
 * Every other metric alarms and widgets may use. Container Insights' come with the add-on (its agent, enhanced
 * observability on by default: chart 6.4.0 _helpers.tpl build-default-config `enhanced_container_insights: true`);
 * their dimension sets are those of amazon-cloudwatch-agent translator/translate/otel/exporter/awsemf/kubernetes.go at
 * v1.300070.0, the agent image of chart 6.4.0 (tests/fixtures/upstream/container-insights-metric-dimensions.*.tsv).
 * EventBridge's per-rule metric and SQS's per-queue one: tests/fixtures/upstream/aws-event-metrics.tsv. Both checked by
 * tests/observabilitySources.test.ts.
 */
export const OTHER_METRICS: readonly OtherMetric[] = [
    {
        namespace: "ContainerInsights",
        name: "cluster_node_count",
        dimensions: ["ClusterName"],
        source: "Container Insights (getClusterMetricDeclarations)",
    },
    {
        namespace: "ContainerInsights",
        name: "cluster_failed_node_count",
        dimensions: ["ClusterName"],
        source: "Container Insights (getClusterMetricDeclarations)",
    },
    {
        namespace: "ContainerInsights",
        name: "namespace_number_of_running_pods",
        dimensions: ["ClusterName", "Namespace"],
        source: "Container Insights (getNamespaceMetricDeclarations)",
    },
    {
        namespace: "ContainerInsights",
        name: "pod_status_pending",
        dimensions: ["ClusterName", "FullPodName", "Namespace", "PodName"],
        source: "Container Insights with enhanced observability (getPodMetricDeclarations)",
    },
    {
        namespace: "AWS/Events",
        name: "MatchedEvents",
        dimensions: ["RuleName"],
        source: "EventBridge, per rule on the default bus (EventBridge user guide, eb-monitoring)",
    },
    {
        namespace: "AWS/SQS",
        name: "ApproximateAgeOfOldestMessage",
        dimensions: ["QueueName"],
        source: "Amazon SQS, per queue, published while the queue is active (SQS developer guide, sqs-available-cloudwatch-metrics)",
    },
];

/** Namespace and dimension of the metrics the stack's Logs metric filters make from the runner managers' own log. */
export const LOG_METRIC = {
    namespace: "EKSGitLabRunners",
    /** From the manager's JSON log field `runner_name` (`<cluster>-<runner>`, chart value `runners.name`). */
    dimension: "RunnerName",
    dimensionField: "$.log_processed.runner_name",
} as const;

/** A failed job as the manager logs it, on the Container Insights application log group, matching `condition`. */
const failedJob = (condition: string) => `{ $.kubernetes.namespace_name = "${RUNNER_NAMESPACES.managers}" && ${condition} }`;

/**
 * The Logs metric filters (components/observability creates one per key). Fluent Bit ships every container's log with
 * `kubernetes.namespace_name` and, the manager logging JSON (chart `logFormat: json`), its fields merged under
 * `log_processed` (add-on 6.4.0 values.yaml application-log.conf: Merge_Log On, Merge_Log_Key log_processed). GitLab
 * Runner logs a failed job as "Job failed: …" with fields `error` and, for build errors, `exit_code` (common/build.go
 * setTraceStatus, v18.9.0 and v19.3.0). JSON and regex (%…%) patterns: CloudWatch Logs user guide, "Filter pattern
 * syntax". The fields and texts are held to tests/fixtures/upstream/runner-job-log.tsv (tests/observabilitySources.test.ts).
 */
export const LOG_METRICS = {
    /**
     * Jobs whose build container was killed: exit code 137 (SIGKILL) or, when the pod watcher saw it first, the error
     * "Error in container build: exit code: 137, reason: 'OOMKilled'" (executors/kubernetes podContainerError).
     * Container Insights cannot count these: `pod_container_status_terminated_reason_oom_killed` counts only containers
     * that restarted after an OOM kill (awscontainerinsightreceiver podstore.go reads LastTerminationState), and job
     * pods never restart.
     */
    killedJobs: {
        name: "KilledJobs",
        filterPattern: failedJob(`($.log_processed.exit_code = 137 || $.log_processed.error = %OOMKilled%)`),
    },
    /**
     * Jobs failed because their pod did not run within `pollTimeout`: "timed out waiting for pod to start"
     * (executors/kubernetes/util.go, v18.9.0; v19.3.0 appends the last phase). Container Insights sees only pods a node
     * has accepted (its pod store lists the kubelet's pods), so a pod waiting for a node shows nowhere per runner
     * before this.
     */
    podStartTimeouts: {
        name: "PodStartTimeouts",
        filterPattern: failedJob(`$.log_processed.error = %timed out waiting for pod to start%`),
    },
} as const;
export type LogMetricKey = keyof typeof LOG_METRICS;
