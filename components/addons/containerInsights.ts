import { AwsScope, awsManagedPolicyArn } from "../../model/iam";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { NodeGroupConfig } from "../../config";
import type { ContainerInsightsConfig } from "../../config/addons";
import { placementOn } from "../../model/placement";
import { podIdentityTrustPolicy } from "../../model/iam";

import { deepMerge } from "./values";

export const CONTAINER_INSIGHTS = {
    addonName: "amazon-cloudwatch-observability",
    /** The add-on's namespace and the agent's service account; the add-on's pod identity association names it. */
    namespace: "amazon-cloudwatch",
    serviceAccount: "cloudwatch-agent",
    /** AWS-managed policy the add-on documentation prescribes for the agent and Fluent Bit. */
    policyName: "CloudWatchAgentServerPolicy",
    /**
     * Log groups the add-on writes to (Fluent Bit: application, dataplane, host; the agent: performance). Without
     * them, Fluent Bit creates them with `auto_create_group` and no retention: logs kept, and paid for, forever.
     */
    logGroups: ["application", "dataplane", "host", "performance"],
} as const;
export type ContainerInsightsLogGroup = (typeof CONTAINER_INSIGHTS.logGroups)[number];

export function containerInsightsLogGroupName(clusterName: string, kind: ContainerInsightsLogGroup): string {
    return `/aws/containerinsights/${clusterName}/${kind}`;
}

/**
 * Add-on `configurationValues`. The DaemonSets (cloudwatch-agent, fluent-bit) keep the add-on's root default
 * `tolerations: [{operator: Exists}]` and so run on every node whatever its taints (model/platformWorkloads.ts). The
 * operator ("manager") Deployment has had no tolerations since add-on v3.0.0: on a cluster where every node is
 * tainted it would stay Pending and never create the agent DaemonSet, so it is placed on the management nodes
 * (`manager.nodeSelector`/`manager.tolerations`, add-on ≥ v3.7.0). The stack's configurationValues merge last.
 */
export function containerInsightsConfiguration(
    config: ContainerInsightsConfig,
    management: Pick<NodeGroupConfig, "labels" | "taints" | "arch">,
): Record<string, unknown> {
    const placement = placementOn(management);
    const platform = {
        manager: {
            nodeSelector: { "kubernetes.io/os": "linux", ...placement.nodeSelector },
            tolerations: placement.tolerations,
        },
    };
    return deepMerge(platform, config.configurationValues);
}

export interface ContainerInsightsArgs {
    config: ContainerInsightsConfig;
    clusterName: string;
    clusterNameOutput: pulumi.Input<string>;
    kubernetesVersion: string;
    management: Pick<NodeGroupConfig, "labels" | "taints" | "arch">;
    podIdentityAgent: pulumi.Resource;
    scope: pulumi.Output<AwsScope>;
    tags: Record<string, string>;
    /** The add-on only turns ACTIVE once its operator runs: wait for the management node group. */
    dependsOn?: pulumi.Input<pulumi.Resource>[];
}

/**
 * The `amazon-cloudwatch-observability` EKS add-on (CloudWatch agent + Fluent Bit on every node), its IAM role
 * through the add-on's own Pod Identity association (the node role stays without CloudWatch permissions), and the
 * log groups it writes to, with retention.
 */
export class ContainerInsights extends pulumi.ComponentResource {
    public readonly roleArn: pulumi.Output<string>;
    public readonly addon: aws.eks.Addon;

    constructor(name: string, args: ContainerInsightsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("eks-gitlab-runners:index:ContainerInsights", name, {}, opts);

        const role = new aws.iam.Role(
            `${name}-role`,
            {
                description: `Container Insights (CloudWatch agent, Fluent Bit) of EKS cluster ${args.clusterName} (EKS Pod Identity)`,
                assumeRolePolicy: JSON.stringify(podIdentityTrustPolicy()),
                tags: args.tags,
            },
            { parent: this },
        );
        const attachment = new aws.iam.RolePolicyAttachment(
            `${name}-policy`,
            {
                role: role.name,
                policyArn: args.scope.apply((s) => awsManagedPolicyArn(s.partition, CONTAINER_INSIGHTS.policyName)),
            },
            { parent: this },
        );
        const logGroups = CONTAINER_INSIGHTS.logGroups.map(
            (kind) =>
                new aws.cloudwatch.LogGroup(
                    `${name}-${kind}`,
                    {
                        name: containerInsightsLogGroupName(args.clusterName, kind),
                        retentionInDays: args.config.logRetentionDays,
                        tags: args.tags,
                    },
                    { parent: this },
                ),
        );

        const addonVersion =
            args.config.version ??
            aws.eks.getAddonVersionOutput(
                { addonName: CONTAINER_INSIGHTS.addonName, kubernetesVersion: args.kubernetesVersion, mostRecent: true },
                { parent: this },
            ).version;
        this.addon = new aws.eks.Addon(
            `${name}-addon`,
            {
                clusterName: args.clusterNameOutput,
                addonName: CONTAINER_INSIGHTS.addonName,
                addonVersion,
                configurationValues: JSON.stringify(containerInsightsConfiguration(args.config, args.management)),
                podIdentityAssociations: [{ roleArn: role.arn, serviceAccount: CONTAINER_INSIGHTS.serviceAccount }],
                resolveConflictsOnCreate: "OVERWRITE",
                resolveConflictsOnUpdate: "OVERWRITE",
                tags: args.tags,
            },
            { parent: this, dependsOn: [args.podIdentityAgent, attachment, ...logGroups, ...(args.dependsOn ?? [])] },
        );

        this.roleArn = role.arn;
        this.registerOutputs({
            roleArn: this.roleArn,
            addonVersion: this.addon.addonVersion,
            logGroups: logGroups.map((g) => g.name),
        });
    }
}
