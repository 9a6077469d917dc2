// Karpenter's entry of the dashboard's engine widgets (dashboard.ts ENGINE_WIDGETS): node pools' CPU against their
// cpuLimit, job pods waiting for a node, Karpenter's health and its interruption queue. Reads only collected metrics
// (config/observability/karpenterMetrics.ts) and the queue's SQS metric (OTHER_METRICS). Pure.
import { DIMENSION } from "../../config/observability/metrics";
import { RUNNER_NAMESPACES } from "../../model/labels";
import type { DashboardInput } from "./dashboard";
import { fleet, graph, Widget } from "./widgets";

export function karpenterWidgets(input: DashboardInput): Widget[] {
    const cluster = { [DIMENSION.cluster]: input.clusterName };
    const pool = (name: string) => ({ ...cluster, [DIMENSION.nodePool]: name });
    // Runners whose pods Karpenter places (not Fargate's, not VM runners).
    const poolRunners = input.runners.filter((r) => r.nodePool !== undefined);
    const widgets = [
        graph(input, "Node pools: vCPU of their nodes vs cpuLimit, and all nodes", [
            ...input.nodePools.flatMap((p) => [
                fleet("karpenter_nodepools_usage", pool(p.name), { label: `${p.name} vCPU` }),
                fleet("karpenter_nodepools_limit", pool(p.name), { label: `${p.name} cpuLimit` }),
            ]),
            [
                "ContainerInsights",
                "cluster_node_count",
                DIMENSION.cluster,
                input.clusterName,
                { stat: "Maximum", label: "all nodes" },
            ],
        ]),
        graph(input, "Job pods waiting for a node: longest wait per runner (s); pods Karpenter could not place", [
            ...poolRunners.map((r) =>
                fleet(
                    "karpenter_pods_unbound_time_seconds",
                    { ...cluster, [DIMENSION.podNamespace]: `${RUNNER_NAMESPACES.jobsPrefix}${r.name}` },
                    { label: `${r.name} (s)` },
                ),
            ),
            fleet("karpenter_scheduler_unschedulable_pods_count", cluster, {
                label: "unschedulable at the last scheduling round",
                yAxis: "right",
            }),
        ]),
        graph(input, "Karpenter health (per 5 min)", [
            fleet("karpenter_cluster_state_synced", cluster, { label: "state synced (1)", period: 60 }),
            fleet("karpenter_nodeclaims_disrupted_total", cluster, { label: "node claims that never became nodes", period: 300 }),
            fleet("karpenter_cloudprovider_errors_total", cluster, { label: "cloud provider errors", period: 300 }),
        ]),
    ];
    if (input.interruptionQueue !== undefined)
        widgets.push(
            graph(input, "Interruption queue: messages taken and deleted (per 5 min), oldest message age (s)", [
                fleet("karpenter_interruption_received_messages_total", cluster, { label: "received", period: 300 }),
                fleet("karpenter_interruption_deleted_messages_total", cluster, { label: "deleted", period: 300 }),
                [
                    "AWS/SQS",
                    "ApproximateAgeOfOldestMessage",
                    "QueueName",
                    input.interruptionQueue,
                    { stat: "Maximum", label: "oldest message (s)", yAxis: "right" },
                ],
            ]),
        );
    return widgets;
}
