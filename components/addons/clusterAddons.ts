import { AwsScope } from "../../model/iam";
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { NodeGroupConfig, StackConfig } from "../../config";
import { ClusterAutoscaler } from "./clusterAutoscaler";
import { ContainerInsights } from "./containerInsights";

import { MetricsServer } from "./metricsServer";
import { PlatformPriorityClasses } from "./platformPriorityClasses";

export interface ClusterAddonsArgs {
    config: Pick<StackConfig, "addons" | "cluster" | "region">;
    /** The cluster component (components/cluster/runnerCluster.ts). */
    cluster: {
        clusterName: pulumi.Output<string>;
        provider: k8s.Provider;
        podIdentityAgent: pulumi.Resource;
    };
    /** The management group: the autoscaler, metrics-server and the Container Insights operator run there. */
    management: NodeGroupConfig;
    /** Tags for every AWS resource. */
    tags: Record<string, string>;
    /**
     * What in-cluster workloads must wait for, typically the management node group: Helm waits for Ready pods and
     * the Container Insights add-on for ACTIVE, neither of which can happen before management nodes exist.
     */
    dependsOn?: pulumi.Input<pulumi.Resource>[];
}

/**
 * Every cluster add-on of `addons` (docs/addons.md): priority classes always; Cluster Autoscaler, metrics-server and
 * Container Insights each only when enabled, so disabling one removes exactly its resources.
 */
export class ClusterAddons extends pulumi.ComponentResource {
    public readonly priorityClasses: PlatformPriorityClasses;
    public readonly clusterAutoscaler?: ClusterAutoscaler;
    public readonly metricsServer?: MetricsServer;
    public readonly containerInsights?: ContainerInsights;

    constructor(name: string, args: ClusterAddonsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("eks-gitlab-runners:index:ClusterAddons", name, {}, opts);
        const { addons, cluster, region } = args.config;
        const provider = args.cluster.provider;

        const partition = aws.getPartitionOutput({}, { parent: this }).partition;
        const accountId = aws.getCallerIdentityOutput({}, { parent: this }).accountId;
        const scope: pulumi.Output<AwsScope> = pulumi
            .all([partition, accountId])
            .apply(([p, a]) => ({ partition: p, accountId: a, region }));

        this.priorityClasses = new PlatformPriorityClasses(`${name}-priority-classes`, { provider }, { parent: this });

        if (addons.clusterAutoscaler.enabled) {
            this.clusterAutoscaler = new ClusterAutoscaler(
                `${name}-cluster-autoscaler`,
                {
                    config: addons.clusterAutoscaler,
                    clusterName: cluster.name,
                    clusterNameOutput: args.cluster.clusterName,
                    region,
                    management: args.management,
                    provider,
                    podIdentityAgent: args.cluster.podIdentityAgent,
                    scope,
                    tags: args.tags,
                    dependsOn: args.dependsOn,
                },
                { parent: this },
            );
        }
        if (addons.metricsServer.enabled) {
            this.metricsServer = new MetricsServer(
                `${name}-metrics-server`,
                {
                    config: addons.metricsServer,
                    management: args.management,
                    provider,
                    dependsOn: args.dependsOn,
                },
                { parent: this },
            );
        }
        if (addons.containerInsights.enabled) {
            this.containerInsights = new ContainerInsights(
                `${name}-container-insights`,
                {
                    config: addons.containerInsights,
                    clusterName: cluster.name,
                    clusterNameOutput: args.cluster.clusterName,
                    kubernetesVersion: cluster.version,
                    management: args.management,
                    podIdentityAgent: args.cluster.podIdentityAgent,
                    scope,
                    tags: args.tags,
                    dependsOn: args.dependsOn,
                },
                { parent: this },
            );
        }

        this.registerOutputs({
            clusterAutoscalerRoleArn: this.clusterAutoscaler?.roleArn,
            containerInsightsRoleArn: this.containerInsights?.roleArn,
        });
    }
}
