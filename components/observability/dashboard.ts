// The stack's CloudWatch dashboard, as the DashboardBody JSON object (CloudWatch API reference, "Dashboard Body
// Structure and Syntax": metric widgets with `metrics` arrays `[namespace, name, dimName, dimValue, …, {options}]`,
// `{expression, id}` entries for metric math and Metrics Insights, `setPeriodToTimeRange`, per-widget `start`).
// Pure; it reads only metrics of config/observability/metrics.ts (collected, or OTHER_METRICS), which a test checks.
import { DIMENSION, LOG_METRIC, LOG_METRICS, ScalingEngine } from "../../config/observability/metrics";
import { RUNNER_NAMESPACES } from "../../model/labels";
import { karpenterWidgets } from "./karpenterWidgets";
import { fleet, graph, MetricEntry, text, Widget, WIDTH } from "./widgets";

export interface DashboardRunner {
    readonly name: string;
    /** Whether its jobs run in pods (a Kubernetes runner); a VM runner's run on its own VMs. */
    readonly jobPods: boolean;
    /** The Cluster Autoscaler job group its pods run on (absent on a Karpenter node pool or for a VM runner). */
    readonly nodeGroup?: string;
    /** The Karpenter node pool its pods run on (absent on a node group, on Fargate, or for a VM runner). */
    readonly nodePool?: string;
    readonly concurrent: number;
    /** Jobs per node at the runner's default requests (capacity model); 0 if none fit. */
    readonly jobsPerNode: number;
    readonly jobQueueThresholdSeconds: number;
}

export interface DashboardGroup {
    readonly name: string;
    readonly asgName: string;
    /** On-demand price (Spot: after the Spot Advisor saving) of one node, from the capacity model. */
    readonly usdPerHourPerNode?: number;
}

export interface DashboardInput {
    readonly clusterName: string;
    readonly region: string;
    readonly runbookUrl: string;
    readonly runners: readonly DashboardRunner[];
    readonly engines: readonly ScalingEngine[];
    /** The job node groups. */
    readonly groups: readonly DashboardGroup[];
    readonly spotRuleName?: string;
    readonly pricesAsOf?: string;
    /** Karpenter's node pools (no Karpenter: none) and its interruption queue. */
    readonly nodePools: readonly { readonly name: string; readonly cpuLimit: number }[];
    readonly interruptionQueue?: string;
}

function runnerWidgets(input: DashboardInput): Widget[] {
    const c = input.clusterName;
    const dims = (r: DashboardRunner) => ({ [DIMENSION.cluster]: c, [DIMENSION.runner]: r.name });
    // Pending pods and lost jobs exist only for runners whose jobs run in pods.
    const podRunners = input.runners.filter((r) => r.jobPods);
    return [
        ...input.runners.map((r) =>
            graph(input, `${r.name}: jobs running vs concurrent`, [
                fleet("gitlab_runner_jobs", dims(r), { label: "running" }),
                fleet("gitlab_runner_concurrent", dims(r), { label: "concurrent" }),
            ]),
        ),
        graph(
            input,
            "Queue time: jobs that waited longer than their runner's jobQueueThresholdSeconds (per 15 min)",
            input.runners.map((r) =>
                fleet("gitlab_runner_acceptable_job_queuing_duration_exceeded_total", dims(r), {
                    label: `${r.name} (> ${r.jobQueueThresholdSeconds} s)`,
                    period: 900,
                }),
            ),
        ),
        graph(
            input,
            "Pending job pods per runner",
            // Container Insights has pod_status_pending per pod only; Metrics Insights sums a runner's job namespace.
            podRunners.map((r, i) => [
                {
                    expression: `SELECT SUM(pod_status_pending) FROM SCHEMA("ContainerInsights", ClusterName, FullPodName, Namespace, PodName) WHERE ClusterName = '${c}' AND Namespace = '${RUNNER_NAMESPACES.jobsPrefix}${r.name}'`,
                    id: `pending${i}`,
                    label: r.name,
                    period: 60,
                },
            ]),
        ),
        graph(
            input,
            "Jobs lost: build container killed (exit 137 / OOMKilled), pod not started within pollTimeout (per hour)",
            podRunners.flatMap((r) => [
                [
                    LOG_METRIC.namespace,
                    LOG_METRICS.killedJobs.name,
                    LOG_METRIC.dimension,
                    `${c}-${r.name}`,
                    { stat: "Sum", period: 3600, label: `${r.name} killed` },
                ],
                [
                    LOG_METRIC.namespace,
                    LOG_METRICS.podStartTimeouts.name,
                    LOG_METRIC.dimension,
                    `${c}-${r.name}`,
                    { stat: "Sum", period: 3600, label: `${r.name} pod timeouts` },
                ],
            ]),
        ),
        graph(
            input,
            "Runner health: errors, GitLab API 5xx, platform job failures (per 5 min)",
            input.runners.flatMap((r) => [
                fleet("gitlab_runner_errors_total", dims(r), { label: `${r.name} errors`, period: 300 }),
                fleet("gitlab_runner_api_request_statuses_total", dims(r), { label: `${r.name} GitLab 5xx`, period: 300 }),
                fleet("gitlab_runner_failed_jobs_total", dims(r), { label: `${r.name} platform failures`, period: 300 }),
            ]),
        ),
    ];
}

/**
 * Idle job-node cost over the last 24 hours, per group and in total: node-minutes the autoscaler kept minus the
 * node-minutes the jobs needed (job-minutes / jobs per node at default requests), times the node's hourly price / 60.
 * An estimate: jobs that asked for more than the defaults make it look idler than it was, and CloudWatch has no
 * "since midnight" range, so "today" is the last 24 hours.
 */
function idleCostWidget(input: DashboardInput): Widget | undefined {
    const priced = input.groups.filter((g) => g.usdPerHourPerNode !== undefined);
    if (priced.length === 0) return undefined;
    const metrics: MetricEntry[] = [];
    const terms: string[] = [];
    priced.forEach((g, gi) => {
        const nodes = `n${gi}`;
        metrics.push(
            fleet(
                "cluster_autoscaler_node_group_target_count",
                { [DIMENSION.cluster]: input.clusterName, [DIMENSION.nodeGroup]: g.asgName },
                { id: nodes, stat: "Sum", visible: false },
            ),
        );
        const jobs = input.runners
            .map((r, ri) => ({ r, id: `j${gi}_${ri}` }))
            .filter(({ r }) => r.nodeGroup === g.name && r.jobsPerNode > 0);
        for (const { r, id } of jobs)
            metrics.push(
                fleet(
                    "gitlab_runner_jobs",
                    { [DIMENSION.cluster]: input.clusterName, [DIMENSION.runner]: r.name },
                    { id, visible: false },
                ),
            );
        const used = jobs.map(({ r, id }) => ` - ${id} / ${r.jobsPerNode}`).join("");
        const id = `idle${gi}`;
        metrics.push([{ expression: `(${nodes}${used}) * ${g.usdPerHourPerNode!.toFixed(4)} / 60`, id, label: `${g.name} $` }]);
        terms.push(id);
    });
    metrics.push([{ expression: terms.join(" + "), id: "idleTotal", label: "all job groups $" }]);
    return {
        type: "metric",
        width: WIDTH,
        height: 4,
        properties: {
            title: `Idle job-node cost, last 24 h (estimate at ${input.region} prices of ${input.pricesAsOf ?? "n/a"})`,
            region: input.region,
            view: "singleValue",
            setPeriodToTimeRange: true,
            start: "-PT24H",
            period: 60,
            metrics,
        },
    };
}

/** Widgets of a scaling engine, one entry per engine like its alarms. */
export const ENGINE_WIDGETS: { readonly [E in ScalingEngine]: (input: DashboardInput) => Widget[] } = {
    clusterAutoscaler(input) {
        const cluster = { [DIMENSION.cluster]: input.clusterName };
        const idle = idleCostWidget(input);
        return [
            graph(input, "Nodes per job group (autoscaler target) and in the cluster", [
                ...input.groups.map((g) =>
                    fleet(
                        "cluster_autoscaler_node_group_target_count",
                        { ...cluster, [DIMENSION.nodeGroup]: g.asgName },
                        { label: g.name },
                    ),
                ),
                [
                    "ContainerInsights",
                    "cluster_node_count",
                    DIMENSION.cluster,
                    input.clusterName,
                    { stat: "Maximum", label: "all nodes" },
                ],
            ]),
            graph(input, "Autoscaler health", [
                fleet("cluster_autoscaler_unschedulable_pods_count", cluster, { label: "unschedulable pods" }),
                fleet("cluster_autoscaler_node_group_backoff_status", cluster, { label: "a group in backoff" }),
                fleet("cluster_autoscaler_failed_scale_ups_total", cluster, { label: "failed scale-ups" }),
                fleet("cluster_autoscaler_errors_total", cluster, { label: "errors" }),
            ]),
            ...(idle ? [idle] : []),
        ];
    },
    karpenter: karpenterWidgets,
};

/** The dashboard body (→ aws.cloudwatch.Dashboard `dashboardBody`, JSON-encoded by the component). */
export function dashboardBody(input: DashboardInput): { start: string; widgets: Widget[] } {
    const spot: Widget[] = input.spotRuleName
        ? [
              graph(input, "Spot interruption warnings in the region (per hour)", [
                  [
                      "AWS/Events",
                      "MatchedEvents",
                      "RuleName",
                      input.spotRuleName,
                      { stat: "Sum", period: 3600, label: "warnings" },
                  ],
              ]),
          ]
        : [];
    const noEngine =
        input.engines.length === 0
            ? [
                  text(
                      "No node-scaling engine whose metrics are collected (neither Cluster Autoscaler nor Karpenter is deployed): node, autoscaler and idle-cost widgets are left out.",
                      1,
                  ),
              ]
            : [];
    return {
        start: "-PT3H",
        widgets: [
            text(
                `# ${input.clusterName}: GitLab runner fleet\nJobs, queues, pending pods, nodes, Spot interruptions, killed jobs and autoscaler health. What each graph and alarm means and what to do: [runbook](${input.runbookUrl}).`,
            ),
            ...runnerWidgets(input),
            ...input.engines.flatMap((e) => ENGINE_WIDGETS[e](input)),
            ...noEngine,
            ...spot,
        ],
    };
}
