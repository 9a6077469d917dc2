// metrics-server (docs/addons.md): the resource metrics API (`kubectl top`, HPA), highly available on the
// management nodes.
import { z } from "zod";
import { placementOn, PlacementTarget } from "../../model/placement";
import { PLATFORM_DEPLOYMENTS, resourcesOf } from "../../model/platformWorkloads";
import { SYSTEM_CLUSTER_CRITICAL } from "../../model/priorityClasses";
import { strictObject } from "../problems";
import { AddonSpec, chartVersionField, valuesExcept } from "./spec";
import { deepMerge, spreadAcrossZonesAndNodes } from "./values";

export const METRICS_SERVER = {
    namespace: "kube-system",
    releaseName: "metrics-server",
    /** The chart's default, kept explicit: the metrics API is cluster-critical and must not be pre-empted. */
    priorityClassName: SYSTEM_CLUSTER_CRITICAL.name,
    /** kubernetes-sigs/metrics-server tag metrics-server-helm-chart-3.13.1 (metrics-server 0.8.1). */
    chart: { repo: "https://kubernetes-sigs.github.io/metrics-server/", chart: "metrics-server", version: "3.13.1" },
} as const;

const RESERVED_VALUES = {
    nodeSelector: "metrics-server runs on the management nodes",
    tolerations: "metrics-server runs on the management nodes",
};

const schema = strictObject({
    enabled: z.boolean().default(true),
    /** → Helm chart `metrics-server` version. */
    chartVersion: chartVersionField(METRICS_SERVER.chart.version),
    /** Extra chart values, merged last (except the reserved paths). */
    values: valuesExcept(RESERVED_VALUES),
});
export type MetricsServerConfig = z.output<typeof schema>;

/** Values of the `metrics-server` chart: the platform's, then the stack's `values` merged last. */
export function metricsServerValues(config: MetricsServerConfig, management: PlacementTarget): Record<string, unknown> {
    const placement = placementOn(management);
    const platform = {
        // Two replicas and a PDB: the resource metrics API survives a management node update.
        replicas: PLATFORM_DEPLOYMENTS.metricsServer.replicas,
        resources: resourcesOf(PLATFORM_DEPLOYMENTS.metricsServer),
        podDisruptionBudget: { enabled: true, maxUnavailable: 1 },
        priorityClassName: METRICS_SERVER.priorityClassName,
        nodeSelector: placement.nodeSelector,
        tolerations: placement.tolerations,
        topologySpreadConstraints: spreadAcrossZonesAndNodes({ "app.kubernetes.io/instance": METRICS_SERVER.releaseName }),
    };
    return deepMerge(platform, config.values);
}

export const metricsServerAddon: AddonSpec<MetricsServerConfig, MetricsServerConfig> = {
    key: "metricsServer",
    type: "eks-gitlab-runners:index:MetricsServer",
    name: "metrics-server",
    install: { kind: "helm", ...METRICS_SERVER.chart, releaseName: METRICS_SERVER.releaseName },
    namespace: METRICS_SERVER.namespace,
    platformPods: [PLATFORM_DEPLOYMENTS.metricsServer],
    reservedValues: RESERVED_VALUES,
    schema: () => schema,
    values: (config, ctx) => metricsServerValues(config, ctx.management),
    chartVersion: (config) => config.chartVersion,
    checkedValues: (config) => ({
        field: "values",
        values: config.values,
        chart: METRICS_SERVER.chart.chart,
        version: config.chartVersion,
    }),
};
