// The alarm catalogue: every alarm the stack creates, as plain specs (the component turns each into an
// aws.cloudwatch.MetricAlarm). Three groups: per runner, per scaling engine (engineAlarms.ts: Cluster Autoscaler's, and
// Karpenter's in karpenterAlarms.ts), and the fleet's (managers, nodes, Spot). Each spec names its metric exactly as collected
// (config/observability/metrics.ts) or as Container Insights / EventBridge publish it, and its runbook section.
// Pure; generic in the type of values only known at deploy time (ASG and rule names), so tests pass strings.
import { DIMENSION, LOG_METRIC, LOG_METRICS, LogMetricKey } from "../../config/observability/metrics";
import { RUNNER_NAMESPACES } from "../../model/labels";
import { AlarmInput, AlarmRunner, AlarmSpec, fleet, MetricStat, minute, pendingMinutes } from "./alarmSpec";
import { ENGINE_ALARMS } from "./engineAlarms";
import { RUNBOOK, runbookLink } from "./runbook";

export type { AlarmInput, AlarmRunner, AlarmSpec, InsightsQuery, MetricStat } from "./alarmSpec";
export { ENGINE_ALARMS } from "./engineAlarms";
export { pendingMinutes } from "./alarmSpec";

/** A runner's alarms: its manager's (every runner), then its job pods' (Kubernetes runners only). */
function runnerAlarms<N>(input: AlarmInput<N>, r: AlarmRunner): AlarmSpec<N>[] {
    const [pending, ...afterPending] = r.pollTimeout === undefined ? [] : podAlarms(input, r, r.pollTimeout);
    return [...(pending ? [pending] : []), ...managerAlarms(input, r), ...afterPending];
}

/** Jobs of a Kubernetes runner whose pod waits, is killed, or never starts. */
function podAlarms<N>(input: AlarmInput<N>, r: AlarmRunner, pollTimeout: number): AlarmSpec<N>[] {
    const link = (section: keyof typeof RUNBOOK) => runbookLink(input.runbookUrl, section);
    const t = r.thresholds;
    const pending = pendingMinutes({ pollTimeout, thresholds: t });
    const namespace = `${RUNNER_NAMESPACES.jobsPrefix}${r.name}`;
    return [
        {
            key: `runner-${r.name}-pods-pending`,
            summary: `a job pod of ${r.name} Pending ≥ ${pending} min (pollTimeout ${pollTimeout} s)`,
            description: `A job pod of runner ${r.name} has been Pending for ${pending} minutes; at ${pollTimeout} s the runner fails the job. Check the autoscaler (unschedulable pods, backoff, maxSize) and the pod's events: kubectl -n ${namespace} get pods --field-selector=status.phase=Pending. ${link("pending")}`,
            // Container Insights publishes pod_status_pending per pod (FullPodName, PodName, Namespace, ClusterName;
            // amazon-cloudwatch-agent translator/translate/otel/exporter/awsemf/kubernetes.go; FullPodName with
            // enhanced observability, receiver/awscontainerinsight/translator.go): grouped by pod, each pod is a
            // contributor that alarms on its own. Only pods a node has accepted are seen (the agent lists the kubelet's
            // pods); a pod waiting for a node shows in the pod-start-timeouts alarm and the autoscaler's.
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
            key: `runner-${r.name}-killed-jobs`,
            summary: `≥ ${t.killedJobs} jobs of ${r.name} killed (exit 137 / OOMKilled) within 1 h`,
            description: `${t.killedJobs} or more jobs of runner ${r.name} lost their build container within an hour (exit code 137 or OOMKilled): almost always the memory limit. Find the projects with the Logs Insights query in the runbook and point them to docs/ci-users-oomkilled.md; raise the runner's memoryLimit if many projects are hit. ${link("killed")}`,
            metric: fromLog<N>("killedJobs", input.clusterName, r.name, 60 * minute),
            comparison: "GreaterThanOrEqualToThreshold",
            threshold: t.killedJobs,
            evaluationPeriods: 1,
            datapointsToAlarm: 1,
            treatMissingData: "notBreaching",
        },
        {
            key: `runner-${r.name}-pod-start-timeouts`,
            summary: `≥ ${t.podStartTimeouts} jobs of ${r.name} failed waiting ${pollTimeout} s for their pod within 15 min`,
            description: `${t.podStartTimeouts} or more jobs of runner ${r.name} failed within 15 minutes because their pod did not run within pollTimeout (${pollTimeout} s): no node came up for them (autoscaler alarms, the group's maxSize) or the pod could not start (image, volume). ${link("pending")}`,
            metric: fromLog<N>("podStartTimeouts", input.clusterName, r.name, 15 * minute),
            comparison: "GreaterThanOrEqualToThreshold",
            threshold: t.podStartTimeouts,
            evaluationPeriods: 1,
            datapointsToAlarm: 1,
            treatMissingData: "notBreaching",
        },
    ];
}

/** What a runner manager reports about itself and GitLab (every runner, Kubernetes or VM). */
function managerAlarms<N>(input: AlarmInput<N>, r: AlarmRunner): AlarmSpec<N>[] {
    const dims = { [DIMENSION.cluster]: input.clusterName, [DIMENSION.runner]: r.name };
    const link = (section: keyof typeof RUNBOOK) => runbookLink(input.runbookUrl, section);
    const t = r.thresholds;
    const saturated = (r.concurrent * t.saturationPercent) / 100;
    const raise =
        r.pollTimeout === undefined
            ? `Raise vmRunners.${r.name}.maxInstances (concurrent is maxInstances × capacityPerInstance)`
            : `Raise runners.${r.name}.concurrent together with its node group's maxSize (the capacity check tells how far)`;
    return [
        {
            key: `runner-${r.name}-saturated`,
            summary: `${r.name} runs > ${t.saturationPercent} % of concurrent ${r.concurrent} for 10 min`,
            description: `Runner ${r.name} has run more than ${t.saturationPercent} % of its concurrent (${r.concurrent}) jobs for 10 minutes: new jobs wait in GitLab's queue. ${raise}, or move jobs to another runner. ${link("saturated")}`,
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
    ];
}

/** A metric of the stack's Logs metric filters, for one runner. */
function fromLog<N>(key: LogMetricKey, clusterName: string, runner: string, period: number): MetricStat<N> {
    return {
        namespace: LOG_METRIC.namespace,
        metricName: LOG_METRICS[key].name,
        dimensions: { [LOG_METRIC.dimension]: `${clusterName}-${runner}` },
        statistic: "Sum",
        period,
    };
}

/** The fleet's own alarms: runner managers and nodes (Container Insights), Spot interruption warnings with Spot groups. */
function fleetAlarms<N>(input: AlarmInput<N>): AlarmSpec<N>[] {
    const c = input.cluster;
    const link = (section: keyof typeof RUNBOOK) => runbookLink(input.runbookUrl, section);
    const cluster = { [DIMENSION.cluster]: input.clusterName };
    const alarms: AlarmSpec<N>[] = [
        {
            key: "failed-nodes",
            summary: `a node not Ready for ${c.failedNodeMinutes} min`,
            description: `A node of cluster ${input.clusterName} has not been Ready for ${c.failedNodeMinutes} minutes: its pods are stuck or lost. kubectl get nodes; describe the NotReady one; a job node the autoscaler cannot remove may need its instance terminated. ${link("failedNodes")}`,
            metric: {
                namespace: "ContainerInsights",
                metricName: "cluster_failed_node_count",
                dimensions: cluster,
                statistic: "Maximum",
                period: minute,
            },
            comparison: "GreaterThanThreshold",
            threshold: 0,
            evaluationPeriods: c.failedNodeMinutes,
            datapointsToAlarm: c.failedNodeMinutes,
            treatMissingData: "notBreaching",
        },
    ];
    if (input.managers > 0)
        alarms.push({
            key: "runner-managers-down",
            summary: `fewer than ${input.managers} runner managers running for ${c.managersDownMinutes} min`,
            description: `Fewer runner-manager pods than runners (${input.managers}) have been running for ${c.managersDownMinutes} minutes: some tags get no jobs. kubectl -n ${RUNNER_NAMESPACES.managers} get pods; a Pending one points at the management nodes, a crash-looping one at its token or config. ${link("managersDown")}`,
            metric: {
                namespace: "ContainerInsights",
                metricName: "namespace_number_of_running_pods",
                dimensions: { ...cluster, Namespace: RUNNER_NAMESPACES.managers },
                statistic: "Minimum",
                period: minute,
            },
            comparison: "LessThanThreshold",
            threshold: input.managers,
            evaluationPeriods: c.managersDownMinutes,
            datapointsToAlarm: c.managersDownMinutes,
            // Container Insights reports the namespace while any pod runs in it: silence means none does.
            treatMissingData: "breaching",
        });
    if (input.spotRuleName !== undefined)
        alarms.push({
            key: "spot-interruptions",
            summary: `≥ ${c.spotInterruptionsPerHour} Spot interruption warnings within 1 h`,
            description: `EC2 sent ${c.spotInterruptionsPerHour} or more Spot interruption warnings in this region within an hour (every instance of the account, not only this cluster's): jobs on Spot nodes are being killed. Add instance types of equal size to the Spot groups, or move busy jobs to on-demand runners for a while. ${link("spot")}`,
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
        });
    return alarms;
}

/** Every alarm of the stack, in a stable order: runners (by config order), engines, fleet. */
export function alarmSpecs<N>(input: AlarmInput<N>): AlarmSpec<N>[] {
    return [
        ...input.runners.flatMap((r) => runnerAlarms(input, r)),
        ...input.engines.flatMap((e) => ENGINE_ALARMS[e](input)),
        ...fleetAlarms(input),
    ];
}
