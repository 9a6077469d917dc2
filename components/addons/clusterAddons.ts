import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { NodeGroupConfig, StackConfig } from "../../config";
import { ADDON_SPECS, AddonContext, AddonKey } from "../../config/addons";
import { AwsScope } from "../../model/iam";
import { PlatformAddon } from "./platformAddon";
import { PlatformPriorityClasses } from "./platformPriorityClasses";

export interface ClusterAddonsArgs {
    config: Pick<StackConfig, "addons" | "cluster" | "region" | "observability">;
    /** The cluster component (components/cluster/runnerCluster.ts). */
    cluster: {
        clusterName: pulumi.Output<string>;
        provider: k8s.Provider;
        podIdentityAgent: pulumi.Resource;
    };
    /** The management group: the add-ons' pods run there. */
    management: NodeGroupConfig;
    /** Tags for every AWS resource. */
    tags: Record<string, string>;
    /** What in-cluster workloads must wait for: the management node group and CoreDNS. */
    dependsOn?: pulumi.Input<pulumi.Resource>[];
    /** What one add-on also waits for (Karpenter: its interruption queue and node role). */
    addonDependsOn?: Partial<Record<AddonKey, pulumi.Input<pulumi.Resource>[]>>;
}

/**
 * Every cluster add-on of `addons` (docs/addons.md): priority classes always; each add-on of ADDON_SPECS only when
 * enabled, so disabling one removes exactly its resources.
 */
export class ClusterAddons extends pulumi.ComponentResource {
    public readonly priorityClasses: PlatformPriorityClasses;
    public readonly addons: Partial<Record<AddonKey, PlatformAddon>> = {};

    constructor(name: string, args: ClusterAddonsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("eks-gitlab-runners:index:ClusterAddons", name, {}, opts);
        const { addons, cluster, region } = args.config;

        const partition = aws.getPartitionOutput({}, { parent: this }).partition;
        const accountId = aws.getCallerIdentityOutput({}, { parent: this }).accountId;
        const scope: pulumi.Output<AwsScope> = pulumi
            .all([partition, accountId])
            .apply(([p, a]) => ({ partition: p, accountId: a, region }));

        this.priorityClasses = new PlatformPriorityClasses(
            `${name}-priority-classes`,
            { provider: args.cluster.provider },
            { parent: this },
        );

        const context: AddonContext = {
            clusterName: cluster.name,
            kubernetesVersion: cluster.version,
            region,
            management: args.management,
            // Container Insights' agent also scrapes the fleet metrics when `observability` collects them.
            fleetMetrics: args.config.observability.collection,
        };
        for (const key of Object.keys(ADDON_SPECS) as AddonKey[]) {
            const spec = ADDON_SPECS[key];
            const config = addons[key];
            if (!config.enabled) continue;
            this.addons[key] = new PlatformAddon(
                `${name}-${spec.name}`,
                {
                    spec,
                    config,
                    context,
                    clusterName: args.cluster.clusterName,
                    provider: args.cluster.provider,
                    podIdentityAgent: args.cluster.podIdentityAgent,
                    scope,
                    tags: args.tags,
                    // The priority classes first: an add-on's pods may name one (the fleet-metrics agent does), and
                    // a pod naming a class that does not exist is refused at admission ("no PriorityClass with name
                    // … was found": kubernetes/kubernetes plugin/pkg/admission/priority/admission.go; Kubernetes docs,
                    // "Pod Priority and Preemption": "If the priority class is not found, the Pod is rejected").
                    dependsOn: [...(args.dependsOn ?? []), this.priorityClasses, ...(args.addonDependsOn?.[key] ?? [])],
                },
                { parent: this },
            );
        }

        this.registerOutputs({
            roleArns: Object.fromEntries(Object.entries(this.addons).map(([key, addon]) => [key, addon?.roleArn])),
        });
    }
}
