// The alarms of each scaling engine, one entry per engine: they exist only while that engine scales the job nodes.
// Cluster Autoscaler's are here; Karpenter's in karpenterAlarms.ts.
import { DIMENSION, ScalingEngine } from "../../config/observability/metrics";
import { AlarmInput, AlarmSpec, fleet, minute } from "./alarmSpec";
import { karpenterAlarms } from "./karpenterAlarms";
import { RUNBOOK, runbookLink } from "./runbook";

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
    karpenter: karpenterAlarms,
};
