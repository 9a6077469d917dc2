// Karpenter's entry of the engine alarm catalogue (engineAlarms.ts ENGINE_ALARMS): what Cluster Autoscaler's alarms
// watch, in Karpenter's terms. Its own metrics (config/observability/karpenterMetrics.ts, Karpenter 1.14.1) and the
// interruption queue's SQS metric. Pure.
import { DIMENSION } from "../../config/observability/metrics";
import { RUNNER_NAMESPACES } from "../../model/labels";
import { AlarmInput, AlarmSpec, fleet, minute, pendingMinutes } from "./alarmSpec";
import { RUNBOOK, runbookLink } from "./runbook";

export function karpenterAlarms<N>(input: AlarmInput<N>): AlarmSpec<N>[] {
    const cluster = { [DIMENSION.cluster]: input.clusterName };
    const c = input.cluster;
    const link = (section: keyof typeof RUNBOOK) => runbookLink(input.runbookUrl, section);
    const logs = "kubectl -n kube-system logs -l app.kubernetes.io/instance=karpenter --tail=200";
    const alarms: AlarmSpec<N>[] = [
        {
            key: "karpenter-silent",
            summary: `Karpenter unsynced or silent for ${c.karpenterSilentMinutes} min`,
            description: `Karpenter has reported its cluster state unsynced, or nothing at all (not running, no leader, or not scraped), for ${c.karpenterSilentMinutes} minutes: no node is launched or removed meanwhile. kubectl -n kube-system get pods -l app.kubernetes.io/instance=karpenter; ${logs}. ${link("karpenterSilent")}`,
            metric: fleet<N>("karpenter_cluster_state_synced", cluster, minute),
            comparison: "LessThanThreshold",
            threshold: 1,
            evaluationPeriods: c.karpenterSilentMinutes,
            datapointsToAlarm: c.karpenterSilentMinutes,
            // The leader sets the gauge at least every 10 s (disruption loop), so silence means it is gone or unscraped.
            treatMissingData: "breaching",
        },
        {
            key: "karpenter-failed-launches",
            summary: `≥ ${c.failedNodeLaunches} node claims failed to become nodes within 15 min`,
            description: `${c.failedNodeLaunches} or more of Karpenter's node claims never became nodes within 15 minutes: no capacity for any allowed type (insufficient_capacity), the EC2NodeClass not ready, or the instance did not launch in 5 minutes or register in 15. Pending jobs wait meanwhile. kubectl get nodeclaims; kubectl describe ec2nodeclass; ${logs}. ${link("failedLaunches")}`,
            metric: fleet<N>("karpenter_nodeclaims_disrupted_total", cluster, 15 * minute),
            comparison: "GreaterThanOrEqualToThreshold",
            threshold: c.failedNodeLaunches,
            evaluationPeriods: 1,
            datapointsToAlarm: 1,
            treatMissingData: "notBreaching",
        },
        // A job pod that waits for a node, per runner on a node pool: Container Insights sees a pod only once a node has
        // accepted it (alarms.ts pods-pending), Karpenter from its creation until it is bound.
        ...input.runners.flatMap((r): AlarmSpec<N>[] => {
            if (r.pollTimeout === undefined || r.nodePool === undefined) return [];
            const minutes = pendingMinutes({ pollTimeout: r.pollTimeout, thresholds: r.thresholds });
            const namespace = `${RUNNER_NAMESPACES.jobsPrefix}${r.name}`;
            return [
                {
                    key: `runner-${r.name}-pods-unbound`,
                    summary: `a job pod of ${r.name} waits ≥ ${minutes} min for a node (pollTimeout ${r.pollTimeout} s)`,
                    description: `A job pod of runner ${r.name} has waited ${minutes} minutes for a node; at ${r.pollTimeout} s the runner fails the job. Check node pool ${r.nodePool} (at cpuLimit, launch failures) and why Karpenter does not place it: kubectl -n ${namespace} get events --field-selector reason=FailedScheduling; ${logs}. ${link("podsUnbound")}`,
                    metric: fleet<N>(
                        "karpenter_pods_unbound_time_seconds",
                        { ...cluster, [DIMENSION.podNamespace]: namespace },
                        minute,
                    ),
                    comparison: "GreaterThanOrEqualToThreshold",
                    threshold: minutes * minute,
                    evaluationPeriods: 1,
                    datapointsToAlarm: 1,
                    treatMissingData: "notBreaching",
                },
            ];
        }),
        // Karpenter launches a type only if its capacity fits in cpuLimit − usage (kubernetes-sigs/karpenter
        // pkg/controllers/provisioning/scheduling/scheduler.go filterByRemainingResources @v1.14.1), so above
        // cpuLimit − smallest node nothing more can launch.
        ...input.nodePools.map((p): AlarmSpec<N> => ({
            key: `nodepool-${p.name}-at-limit`,
            summary: `${p.name} CPU > ${p.cpuLimit - p.smallestNodeVcpu} of cpuLimit ${p.cpuLimit} for ${c.poolAtLimitMinutes} min`,
            description: `Node pool ${p.name} has used more than ${p.cpuLimit - p.smallestNodeVcpu} of its ${p.cpuLimit} vCPU limit for ${c.poolAtLimitMinutes} minutes: not even its smallest node (${p.smallestNodeVcpu} vCPU) fits, so jobs that need it wait until others finish. Raise nodePools.${p.name}.cpuLimit (check the plan's IP and cost figures) or lower its runners' concurrent. ${link("poolAtLimit")}`,
            metric: fleet<N>("karpenter_nodepools_usage", { ...cluster, [DIMENSION.nodePool]: p.name }, minute),
            comparison: "GreaterThanThreshold",
            threshold: p.cpuLimit - p.smallestNodeVcpu,
            evaluationPeriods: c.poolAtLimitMinutes,
            datapointsToAlarm: c.poolAtLimitMinutes,
            treatMissingData: "notBreaching",
        })),
    ];
    if (input.interruptionQueue !== undefined)
        alarms.push({
            key: "karpenter-interruption-backlog",
            summary: `interruption queue's oldest message > ${c.interruptionQueueAgeSeconds} s for 5 min`,
            description: `Messages wait in Karpenter's interruption queue ${input.interruptionQueue} for more than ${c.interruptionQueueAgeSeconds} s: Karpenter is not taking them (down, or its SQS permissions), so Spot interruptions and instance events reach no node before it is gone. ${logs}. ${link("interruptionBacklog")}`,
            // AWS/SQS ApproximateAgeOfOldestMessage per QueueName, published while the queue has messages (SQS developer
            // guide, "Available CloudWatch metrics for Amazon SQS").
            metric: {
                namespace: "AWS/SQS",
                metricName: "ApproximateAgeOfOldestMessage",
                dimensions: { QueueName: input.interruptionQueue },
                statistic: "Maximum",
                period: minute,
            },
            comparison: "GreaterThanThreshold",
            threshold: c.interruptionQueueAgeSeconds,
            evaluationPeriods: 5,
            datapointsToAlarm: 5,
            treatMissingData: "notBreaching",
        });
    return alarms;
}
