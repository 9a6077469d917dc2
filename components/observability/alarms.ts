// The alarm catalogue: every alarm the stack creates, as plain specs (the component turns each into an
// aws.cloudwatch.MetricAlarm). Three groups: per runner, per scaling engine (ENGINE_ALARMS: another engine such as
// Karpenter is one more entry), and the fleet's (Spot). Each spec names its metric exactly as collected
// (config/observability/metrics.ts) or as Container Insights / EventBridge publish it, and its runbook section.
// Pure; generic in the type of values only known at deploy time (ASG and rule names), so tests pass strings.
import type { ClusterThresholds, RunnerThresholds } from "../../config/observability/schema";
import {
    collectedMetric,
    DIMENSION,
    FLEET_METRIC_NAMESPACE,
    KILLED_JOBS_METRIC,
    ScalingEngine,
} from "../../config/observability/metrics";
import { RUNNER_NAMESPACES } from "../../model/labels";
import { RUNBOOK, runbookLink } from "./runbook";

/** One CloudWatch metric with a statistic. */
export interface MetricStat<N> {
    readonly namespace: string;
    readonly metricName: string;
    readonly dimensions: Readonly<Record<string, string | N>>;
    readonly statistic: "Sum" | "Maximum";
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
    readonly comparison: "GreaterThanThreshold" | "GreaterThanOrEqualToThreshold";
    readonly threshold: number;
    readonly evaluationPeriods: number;
    readonly datapointsToAlarm: number;
    readonly treatMissingData: "notBreaching" | "breaching";
}

export interface AlarmRunner {
    readonly name: string;
    readonly concurrent: number;
    readonly pollTimeout: number;
    readonly jobQueueThresholdSeconds: number;
    readonly thresholds: RunnerThresholds;
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
    /** The EventBridge rule counting Spot interruption warnings, when a Spot group exists. */
    readonly spotRuleName?: N;
}

const minute = 60;

/** A collected fleet metric of a runner (or the cluster), with the statistic the catalogue says combines its series. */
function fleet<N>(name: string, dims: Record<string, string | N>, period: number): MetricStat<N> {
    return {
        namespace: FLEET_METRIC_NAMESPACE,
        metricName: name,
        dimensions: dims,
        statistic: collectedMetric(name).statistic,
        period,
    };
}

/** Minutes a job pod may be Pending before its alarm: a share of the runner's pollTimeout, at least one. */
export function pendingMinutes(r: Pick<AlarmRunner, "pollTimeout" | "thresholds">): number {
    return Math.max(1, Math.floor((r.pollTimeout * r.thresholds.jobPodPendingPercentOfPollTimeout) / 100 / minute));
}

function runnerAlarms<N>(input: AlarmInput<N>, r: AlarmRunner): AlarmSpec<N>[] {
    const dims = { [DIMENSION.cluster]: input.clusterName, [DIMENSION.runner]: r.name };
    const link = (section: keyof typeof RUNBOOK) => runbookLink(input.runbookUrl, section);
    const t = r.thresholds;
    const pending = pendingMinutes(r);
    const namespace = `${RUNNER_NAMESPACES.jobsPrefix}${r.name}`;
    const saturated = (r.concurrent * t.saturationPercent) / 100;
    return [
        {
            key: `runner-${r.name}-pods-pending`,
            summary: `a job pod of ${r.name} Pending ≥ ${pending} min (pollTimeout ${r.pollTimeout} s)`,
            description: `A job pod of runner ${r.name} has been Pending for ${pending} minutes; at ${r.pollTimeout} s the runner fails the job. Check the autoscaler (unschedulable pods, backoff, maxSize) and the pod's events: kubectl -n ${namespace} get pods --field-selector=status.phase=Pending. ${link("pending")}`,
            // Container Insights publishes pod_status_pending per pod (FullPodName, PodName, Namespace, ClusterName;
            // amazon-cloudwatch-agent translator/translate/otel/exporter/awsemf/kubernetes.go, enhanced observability):
            // grouped by pod, each pod is a contributor that alarms on its own.
            metric: {
                query: `SELECT MAX(pod_status_pending) FROM SCHEMA("ContainerInsights", ClusterName, FullPodName, Namespace, PodName) WHERE ClusterName = '${input.clusterName}' AND Namespace = '${namespace}' GROUP BY FullPodName ORDER BY MAX() DESC LIMIT 100`,
                period: minute,
            },
            comparison: "GreaterThanThreshold",
            threshold: 0,
            evaluationPeriods: pending,
            datapointsToAlarm: pending,
            treatMissingData: "notBreaching",
        },
        {
            key: `runner-${r.name}-saturated`,
            summary: `${r.name} runs > ${t.saturationPercent} % of concurrent ${r.concurrent} for 10 min`,
            description: `Runner ${r.name} has run more than ${t.saturationPercent} % of its concurrent (${r.concurrent}) jobs for 10 minutes: new jobs wait in GitLab's queue. Raise runners.${r.name}.concurrent together with its node group's maxSize (the capacity check tells how far), or move jobs to another runner. ${link("saturated")}`,
            metric: fleet<N>("gitlab_runner_jobs", dims, minute),
            comparison: "GreaterThanThreshold",
            threshold: saturated,
            evaluationPeriods: 10,
            datapointsToAlarm: 10,
            treatMissingData: "notBreaching",
        },
        {
            key: `runner-${r.name}-queue`,
            summary: `≥ ${t.queueExceededJobs} jobs of ${r.name} queued > ${r.jobQueueThresholdSeconds} s within 15 min`,
            description: `${t.queueExceededJobs} or more jobs for runner ${r.name} waited longer than ${r.jobQueueThresholdSeconds} s in GitLab's queue within 15 minutes: the runner is at concurrent, paused in GitLab, or not polling. Compare jobs running with concurrent on the dashboard. ${link("queue")}`,
            metric: fleet<N>("gitlab_runner_acceptable_job_queuing_duration_exceeded_total", dims, 15 * minute),
            comparison: "GreaterThanOrEqualToThreshold",
            threshold: t.queueExceededJobs,
            evaluationPeriods: 1,
            datapointsToAlarm: 1,
            treatMissingData: "notBreaching",
        },
        {
            key: `runner-${r.name}-errors`,
            summary: `≥ ${t.runnerErrors} runner errors of ${r.name} within 5 min`,
            description: `The manager of runner ${r.name} logged ${t.runnerErrors} or more errors within 5 minutes (GitLab API, Kubernetes API, cache). Read them: kubectl -n ${RUNNER_NAMESPACES.managers} logs -l eks-gitlab-runners/runner=${r.name} --tail=200. ${link("errors")}`,
            metric: fleet<N>("gitlab_runner_errors_total", dims, 5 * minute),
            comparison: "GreaterThanOrEqualToThreshold",
            threshold: t.runnerErrors,
            evaluationPeriods: 1,
            datapointsToAlarm: 1,
            treatMissingData: "notBreaching",
        },
        {
            key: `runner-${r.name}-gitlab-5xx`,
            summary: `≥ ${t.gitlabServerErrors} GitLab API 5xx for ${r.name} within 5 min`,
            description: `GitLab answered runner ${r.name} with ${t.gitlabServerErrors} or more 5xx errors within 5 minutes: GitLab itself is failing or overloaded. Check GitLab's status; the runner retries by itself. ${link("gitlab5xx")}`,
            metric: fleet<N>("gitlab_runner_api_request_statuses_total", dims, 5 * minute),
            comparison: "GreaterThanOrEqualToThreshold",
            threshold: t.gitlabServerErrors,
            evaluationPeriods: 1,
            datapointsToAlarm: 1,
            treatMissingData: "notBreaching",
        },
        {
            key: `runner-${r.name}-killed-jobs`,
            summary: `≥ ${t.killedJobs} jobs of ${r.name} killed (exit 137 / OOMKilled) within 1 h`,
            description: `${t.killedJobs} or more jobs of runner ${r.name} lost their build container within an hour (exit code 137 or OOMKilled): almost always the memory limit. Find the projects with the Logs Insights query in the runbook and point them to docs/ci-users-oomkilled.md; raise the runner's memoryLimit if many projects are hit. ${link("killed")}`,
            metric: {
                namespace: KILLED_JOBS_METRIC.namespace,
                metricName: KILLED_JOBS_METRIC.name,
                dimensions: { [KILLED_JOBS_METRIC.dimension]: `${input.clusterName}-${r.name}` },
                statistic: "Sum",
                period: 60 * minute,
            },
            comparison: "GreaterThanOrEqualToThreshold",
            threshold: t.killedJobs,
            evaluationPeriods: 1,
            datapointsToAlarm: 1,
            treatMissingData: "notBreaching",
        },
    ];
}

/** Alarms of a scaling engine, one entry per engine: they exist only while that engine scales the job groups. */
export const ENGINE_ALARMS: { readonly [E in ScalingEngine]: <N>(input: AlarmInput<N>) => AlarmSpec<N>[] } = {
    clusterAutoscaler<N>(input: AlarmInput<N>): AlarmSpec<N>[] {
        const dims = { [DIMENSION.cluster]: input.clusterName };
        const c = input.cluster;
        const link = (section: keyof typeof RUNBOOK) => runbookLink(input.runbookUrl, section);
        return [
            {
                key: "autoscaler-unschedulable",
                summary: `unschedulable pods (or no autoscaler metrics) for ${c.unschedulableMinutes} min`,
                description: `Cluster Autoscaler has seen unschedulable pods for ${c.unschedulableMinutes} minutes, or has reported nothing (not running, or not scraped). Read its status: kubectl -n kube-system get configmap cluster-autoscaler-status -o jsonpath='{.data.status}'. ${link("unschedulable")}`,
                metric: fleet<N>("cluster_autoscaler_unschedulable_pods_count", dims, minute),
                comparison: "GreaterThanThreshold",
                threshold: 0,
                evaluationPeriods: c.unschedulableMinutes,
                datapointsToAlarm: c.unschedulableMinutes,
                // The leader reports this gauge every loop, so silence means the autoscaler or its scraping is down.
                treatMissingData: "breaching",
            },
            {
                key: "autoscaler-failed-scale-ups",
                summary: `≥ ${c.failedScaleUps} failed scale-ups within 15 min`,
                description: `Cluster Autoscaler failed ${c.failedScaleUps} or more scale-ups within 15 minutes (no capacity for the instance types, a quota, an ASG error). Look at the ASG's activity history and the autoscaler's log. ${link("failedScaleUps")}`,
                metric: fleet<N>("cluster_autoscaler_failed_scale_ups_total", dims, 15 * minute),
                comparison: "GreaterThanOrEqualToThreshold",
                threshold: c.failedScaleUps,
                evaluationPeriods: 1,
                datapointsToAlarm: 1,
                treatMissingData: "notBreaching",
            },
            {
                key: "autoscaler-backoff",
                summary: `a node group in scale-up backoff for ${c.backoffMinutes} min`,
                description: `A job node group has been in Cluster Autoscaler's scale-up backoff for ${c.backoffMinutes} minutes: its last scale-ups failed, so pending jobs for it wait. Find the group in the autoscaler status and fix the cause (capacity, quota, launch template). ${link("backoff")}`,
                metric: fleet<N>("cluster_autoscaler_node_group_backoff_status", dims, minute),
                comparison: "GreaterThanThreshold",
                threshold: 0,
                evaluationPeriods: c.backoffMinutes,
                datapointsToAlarm: c.backoffMinutes,
                treatMissingData: "notBreaching",
            },
            ...input.autoscaledGroups.map((g): AlarmSpec<N> => ({
                key: `nodegroup-${g.name}-at-max`,
                summary: `${g.name} at maxSize ${g.maxSize} for ${c.atMaxSizeMinutes} min`,
                description: `Node group ${g.name} has been at its maxSize (${g.maxSize}) for ${c.atMaxSizeMinutes} minutes: jobs that need it wait until others finish. Raise nodeGroups.${g.name}.maxSize (check the plan's IP and cost figures) or lower its runners' concurrent. ${link("atMax")}`,
                metric: fleet<N>(
                    "cluster_autoscaler_node_group_target_count",
                    { ...dims, [DIMENSION.nodeGroup]: g.asgName },
                    minute,
                ),
                comparison: "GreaterThanOrEqualToThreshold",
                threshold: g.maxSize,
                evaluationPeriods: c.atMaxSizeMinutes,
                datapointsToAlarm: c.atMaxSizeMinutes,
                treatMissingData: "notBreaching",
            })),
        ];
    },
};

/** The fleet's own alarms: Spot interruption warnings, when the stack has Spot groups. */
function fleetAlarms<N>(input: AlarmInput<N>): AlarmSpec<N>[] {
    if (input.spotRuleName === undefined) return [];
    const c = input.cluster;
    return [
        {
            key: "spot-interruptions",
            summary: `≥ ${c.spotInterruptionsPerHour} Spot interruption warnings within 1 h`,
            description: `EC2 sent ${c.spotInterruptionsPerHour} or more Spot interruption warnings in this region within an hour (every instance of the account, not only this cluster's): jobs on Spot nodes are being killed. Add instance types of equal size to the Spot groups, or move busy jobs to on-demand runners for a while. ${runbookLink(input.runbookUrl, "spot")}`,
            // AWS/Events MatchedEvents per RuleName (EventBridge user guide, eb-monitoring: "Metrics that specify only
            // the RuleName dimension refer to the default event bus").
            metric: {
                namespace: "AWS/Events",
                metricName: "MatchedEvents",
                dimensions: { RuleName: input.spotRuleName },
                statistic: "Sum",
                period: 60 * minute,
            },
            comparison: "GreaterThanOrEqualToThreshold",
            threshold: c.spotInterruptionsPerHour,
            evaluationPeriods: 1,
            datapointsToAlarm: 1,
            treatMissingData: "notBreaching",
        },
    ];
}

/** Every alarm of the stack, in a stable order: runners (by config order), engines, fleet. */
export function alarmSpecs<N>(input: AlarmInput<N>): AlarmSpec<N>[] {
    return [
        ...input.runners.flatMap((r) => runnerAlarms(input, r)),
        ...input.engines.flatMap((e) => ENGINE_ALARMS[e](input)),
        ...fleetAlarms(input),
    ];
}
