import { AwsScope } from "../../model/iam";
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { NodeGroupConfig } from "../../config";
import type { ClusterAutoscalerConfig } from "../../config/addons";
import { ADDON_CHARTS } from "../../config/versions";
import { placementOn } from "../../model/placement";
import { autoDiscoveryFlag } from "../../model/autoscalerTags";
import { podIdentityTrustPolicy } from "../../model/iam";
import { clusterAutoscalerPolicy } from "./iam";
import { EXPENDABLE_PODS_PRIORITY_CUTOFF, SYSTEM_CLUSTER_CRITICAL } from "../../model/priorityClasses";
import { PLATFORM_DEPLOYMENTS, resourcesOf } from "../../model/platformWorkloads";
import { deepMerge, spreadAcrossZonesAndNodes } from "./values";

/** Fixed facts of the autoscaler deployment (not stack config: changing them is a code change). */
export const CLUSTER_AUTOSCALER = {
    namespace: "kube-system",
    releaseName: "cluster-autoscaler",
    /** → chart `rbac.serviceAccount.name`; the Pod Identity association is made for exactly this name. */
    serviceAccount: "cluster-autoscaler",
    /**
     * Built-in `system-cluster-critical`, not our platform class: it outranks every class this program creates, it
     * exists before any of our resources (no ordering to get wrong), and it is the chart's and upstream's default.
     */
    priorityClassName: SYSTEM_CLUSTER_CRITICAL.name,
} as const;

/** Flags the program owns (config rejects them in extraArgs; see CLUSTER_AUTOSCALER_OWNED_FLAGS). */
export function ownedClusterAutoscalerArgs(): Record<string, string> {
    return {
        "leader-elect": "true",
        "expendable-pods-priority-cutoff": String(EXPENDABLE_PODS_PRIORITY_CUTOFF),
    };
}

/**
 * The tags the chart joins into `--node-group-auto-discovery=asg:tag=<tags>`, taken apart from autoDiscoveryFlag so
 * that the job groups' ASG tags and the autoscaler's discovery can never drift apart.
 */
export function discoveryTags(clusterName: string): string[] {
    const flag = autoDiscoveryFlag(clusterName);
    const prefix = "asg:tag=";
    if (!flag.startsWith(prefix)) throw new Error(`unexpected auto-discovery flag ${flag}: the chart only renders ${prefix}…`);
    return flag.slice(prefix.length).split(",");
}

export interface ClusterAutoscalerValuesArgs {
    config: ClusterAutoscalerConfig;
    clusterName: string;
    region: string;
    management: Pick<NodeGroupConfig, "labels" | "taints" | "arch">;
}

/** Values of the `cluster-autoscaler` chart: the platform's, then the stack's `values` merged last. */
export function clusterAutoscalerValues(args: ClusterAutoscalerValuesArgs): Record<string, unknown> {
    const placement = placementOn(args.management);
    const platform = {
        cloudProvider: "aws",
        // Pods cannot reach IMDS (IMDSv2, hop limit 1): the region must be given.
        awsRegion: args.region,
        autoDiscovery: { clusterName: args.clusterName, tags: discoveryTags(args.clusterName) },
        image: { tag: args.config.imageTag },
        fullnameOverride: CLUSTER_AUTOSCALER.releaseName,
        // Two replicas, one active (leader election): a lost management node costs one lease period, not scaling.
        replicaCount: PLATFORM_DEPLOYMENTS.clusterAutoscaler.replicas,
        podDisruptionBudget: { maxUnavailable: 1 },
        priorityClassName: CLUSTER_AUTOSCALER.priorityClassName,
        nodeSelector: placement.nodeSelector,
        tolerations: placement.tolerations,
        topologySpreadConstraints: spreadAcrossZonesAndNodes({ "app.kubernetes.io/instance": CLUSTER_AUTOSCALER.releaseName }),
        rbac: { serviceAccount: { create: true, name: CLUSTER_AUTOSCALER.serviceAccount } },
        resources: resourcesOf(PLATFORM_DEPLOYMENTS.clusterAutoscaler),
        extraArgs: { ...args.config.extraArgs, ...ownedClusterAutoscalerArgs() },
    };
    return deepMerge(platform, args.config.values);
}

export interface ClusterAutoscalerArgs extends ClusterAutoscalerValuesArgs {
    /** The cluster's name as an Output, so the association waits for the cluster. */
    clusterNameOutput: pulumi.Input<string>;
    provider: k8s.Provider;
    /** The eks-pod-identity-agent add-on: associations only hand out credentials once it runs. */
    podIdentityAgent: pulumi.Resource;
    scope: pulumi.Output<AwsScope>;
    tags: Record<string, string>;
    /** What the pods need before Helm can see them Ready (the management node group). */
    dependsOn?: pulumi.Input<pulumi.Resource>[];
}

/**
 * Cluster Autoscaler from the official chart, on the management nodes, with its own IAM role bound to its service
 * account through EKS Pod Identity (the node role has no autoscaling permissions).
 */
export class ClusterAutoscaler extends pulumi.ComponentResource {
    public readonly roleArn: pulumi.Output<string>;
    public readonly release: k8s.helm.v3.Release;

    constructor(name: string, args: ClusterAutoscalerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("eks-gitlab-runners:index:ClusterAutoscaler", name, {}, opts);

        const role = new aws.iam.Role(
            `${name}-role`,
            {
                description: `Cluster Autoscaler of EKS cluster ${args.clusterName} (EKS Pod Identity)`,
                assumeRolePolicy: JSON.stringify(podIdentityTrustPolicy()),
                tags: args.tags,
            },
            { parent: this },
        );
        const policy = new aws.iam.RolePolicy(
            `${name}-policy`,
            {
                role: role.id,
                policy: args.scope.apply((scope) => JSON.stringify(clusterAutoscalerPolicy(args.clusterName, scope))),
            },
            { parent: this },
        );
        const association = new aws.eks.PodIdentityAssociation(
            `${name}-pod-identity`,
            {
                clusterName: args.clusterNameOutput,
                namespace: CLUSTER_AUTOSCALER.namespace,
                serviceAccount: CLUSTER_AUTOSCALER.serviceAccount,
                roleArn: role.arn,
                tags: args.tags,
            },
            { parent: this, dependsOn: [args.podIdentityAgent] },
        );

        // Pods started before the association exists get no credentials until restarted: install after it.
        this.release = new k8s.helm.v3.Release(
            `${name}-release`,
            {
                name: CLUSTER_AUTOSCALER.releaseName,
                chart: ADDON_CHARTS.clusterAutoscaler.chart,
                version: args.config.chartVersion,
                repositoryOpts: { repo: ADDON_CHARTS.clusterAutoscaler.repo },
                namespace: CLUSTER_AUTOSCALER.namespace,
                values: clusterAutoscalerValues(args),
            },
            { parent: this, provider: args.provider, dependsOn: [association, policy, ...(args.dependsOn ?? [])] },
        );

        this.roleArn = role.arn;
        this.registerOutputs({ roleArn: this.roleArn, releaseStatus: this.release.status });
    }
}
