// The shape of an alarm spec and what the catalogue's parts read (components/observability/alarms.ts assembles them).
import type { ClusterThresholds, RunnerThresholds } from "../../config/observability/schema";
import { collectedMetric, FLEET_METRIC_NAMESPACE, ScalingEngine } from "../../config/observability/metrics";

/** One CloudWatch metric with a statistic. */
export interface MetricStat<N> {
    readonly namespace: string;
    readonly metricName: string;
    readonly dimensions: Readonly<Record<string, string | N>>;
    readonly statistic: "Sum" | "Maximum" | "Minimum";
    readonly period: number;
}

/** A CloudWatch Metrics Insights query (alarms on them: CloudWatch user guide, Create_Metrics_Insights_Alarm). */
export interface InsightsQuery {
    readonly query: string;
    readonly period: number;
}

export interface AlarmSpec<N = string> {
    /** Stable key: the alarm's name is `<cluster>-<key>` and its resource name derives from it. */
    readonly key: string;
    readonly summary: string;
    readonly description: string;
    readonly metric: MetricStat<N> | InsightsQuery;
    readonly comparison: "GreaterThanThreshold" | "GreaterThanOrEqualToThreshold" | "LessThanThreshold";
    readonly threshold: number;
    readonly evaluationPeriods: number;
    readonly datapointsToAlarm: number;
    readonly treatMissingData: "notBreaching" | "breaching";
}

export interface AlarmRunner {
    readonly name: string;
    readonly concurrent: number;
    /**
     * Seconds a job waits for its pod: Kubernetes runners only. A VM runner's jobs run on its own EC2 VMs, never in a
     * pod, so it has no pod alarms (pending pods, killed build containers, pod-start timeouts), only its manager's.
     */
    readonly pollTimeout?: number;
    readonly jobQueueThresholdSeconds: number;
    readonly thresholds: RunnerThresholds;
    /** The Karpenter node pool its job pods run on (absent on a node group, on Fargate, for a VM runner). */
    readonly nodePool?: string;
}

export interface AlarmInput<N> {
    readonly clusterName: string;
    readonly runbookUrl: string;
    /** Runners whose alarms are enabled. */
    readonly runners: readonly AlarmRunner[];
    readonly cluster: ClusterThresholds;
    readonly engines: readonly ScalingEngine[];
    /** Autoscaled job groups (minSize < maxSize) with their ASG names. */
    readonly autoscaledGroups: readonly { readonly name: string; readonly maxSize: number; readonly asgName: N }[];
    /** Runner-manager pods that should run (one per runner and VM runner, whether or not its alarms are enabled). */
    readonly managers: number;
    /** The EventBridge rule counting Spot interruption warnings, when a Spot group exists. */
    readonly spotRuleName?: N;
    /**
     * Karpenter's node pools with their `cpuLimit` and the vCPUs of their smallest allowed type (no Karpenter: none),
     * and its interruption queue.
     */
    readonly nodePools: readonly { readonly name: string; readonly cpuLimit: number; readonly smallestNodeVcpu: number }[];
    readonly interruptionQueue?: string;
}

export const minute = 60;

/** A collected fleet metric of a runner (or the cluster), with the statistic the catalogue says combines its series. */
export function fleet<N>(name: string, dims: Record<string, string | N>, period: number): MetricStat<N> {
    return {
        namespace: FLEET_METRIC_NAMESPACE,
        metricName: name,
        dimensions: dims,
        statistic: collectedMetric(name).statistic,
        period,
    };
}

/** Minutes a job pod may be Pending before its alarm: a share of the runner's pollTimeout, at least one. */
export function pendingMinutes(r: { readonly pollTimeout: number; readonly thresholds: RunnerThresholds }): number {
    return Math.max(1, Math.floor((r.pollTimeout * r.thresholds.jobPodPendingPercentOfPollTimeout) / 100 / minute));
}
