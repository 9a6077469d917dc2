import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { NodeGroupConfig } from "../../config";
import type { MetricsServerConfig } from "../../config/addons";
import { ADDON_CHARTS } from "../../config/versions";
import { placementOn } from "../../model/placement";
import { SYSTEM_CLUSTER_CRITICAL } from "../../model/priorityClasses";
import { PLATFORM_DEPLOYMENTS, resourcesOf } from "../../model/platformWorkloads";
import { deepMerge, spreadAcrossZonesAndNodes } from "./values";

export const METRICS_SERVER = {
    namespace: "kube-system",
    releaseName: "metrics-server",
    /** The chart's default, kept explicit: the metrics API is cluster-critical and must not be pre-empted. */
    priorityClassName: SYSTEM_CLUSTER_CRITICAL.name,
} as const;

/** Values of the `metrics-server` chart: the platform's, then the stack's `values` merged last. */
export function metricsServerValues(
    config: MetricsServerConfig,
    management: Pick<NodeGroupConfig, "labels" | "taints" | "arch">,
): Record<string, unknown> {
    const placement = placementOn(management);
    const platform = {
        // Two replicas and a PDB: the resource metrics API (`kubectl top`, HPA) survives a management node update.
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

export interface MetricsServerArgs {
    config: MetricsServerConfig;
    management: Pick<NodeGroupConfig, "labels" | "taints" | "arch">;
    provider: k8s.Provider;
    dependsOn?: pulumi.Input<pulumi.Resource>[];
}

/** metrics-server from the official chart, highly available on the management nodes. */
export class MetricsServer extends pulumi.ComponentResource {
    public readonly release: k8s.helm.v3.Release;

    constructor(name: string, args: MetricsServerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("eks-gitlab-runners:index:MetricsServer", name, {}, opts);
        this.release = new k8s.helm.v3.Release(
            `${name}-release`,
            {
                name: METRICS_SERVER.releaseName,
                chart: ADDON_CHARTS.metricsServer.chart,
                version: args.config.chartVersion,
                repositoryOpts: { repo: ADDON_CHARTS.metricsServer.repo },
                namespace: METRICS_SERVER.namespace,
                values: metricsServerValues(args.config, args.management),
            },
            { parent: this, provider: args.provider, dependsOn: args.dependsOn },
        );
        this.registerOutputs({ releaseStatus: this.release.status });
    }
}
