import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { NodeGroupConfig } from "../../config";
import { AsgProcessSuspension } from "./azRebalance";
import { NodeGroupScaling } from "./lifecycle/nodeGroupScaling";
import { nodeGroupSpec, NodeGroupSpec } from "./spec";

export interface NodeGroupArgs {
    readonly group: NodeGroupConfig;
    readonly clusterName: pulumi.Input<string>;
    /** The cluster's static name, for tags and Name tags (known before the cluster exists). */
    readonly clusterNameTag: string;
    readonly kubernetesVersion: string;
    readonly region: string;
    readonly nodeRoleArn: pulumi.Input<string>;
    readonly subnetIds: pulumi.Input<pulumi.Input<string>[]>;
    readonly tags: Record<string, string>;
    /** How long draining this group before its deletion may wait (config/patching.ts). */
    readonly drainBoundSeconds: number;
    /** The stack's one drain hook (lifecycle/drainHook.ts), run before any node group is deleted. */
    readonly drainHook: pulumi.ResourceHook;
}

/**
 * One EKS managed node group of any kind (spec.ts decides what differs): a hardened launch template, the group with
 * its role's labels and taints and the AMI release resolved from SSM at deploy time, replaced blue/green (and drained
 * first) whenever its nodes would roll, its size kept by NodeGroupScaling, the ASG tags, and for job groups the
 * AZRebalance suspension. Named by the group's stable key.
 */
export class NodeGroup extends pulumi.ComponentResource {
    public readonly config: NodeGroupConfig;
    public readonly spec: NodeGroupSpec;
    public readonly nodeGroup: aws.eks.NodeGroup;
    public readonly launchTemplate: aws.ec2.LaunchTemplate;
    /** Name of the ASG that EKS created for the group. */
    public readonly asgName: pulumi.Output<string>;

    constructor(name: string, args: NodeGroupArgs, opts?: pulumi.ComponentResourceOptions) {
        const spec = nodeGroupSpec(args.group, {
            clusterName: args.clusterNameTag,
            kubernetesVersion: args.kubernetesVersion,
            tags: args.tags,
            drainBoundSeconds: args.drainBoundSeconds,
        });
        const aliases = [...(opts?.aliases ?? []), ...spec.aliasTypes.map((type) => ({ type }))];
        super(spec.type, name, {}, { ...opts, aliases });
        this.config = args.group;
        this.spec = spec;

        this.launchTemplate = new aws.ec2.LaunchTemplate(`${name}-lt`, spec.launchTemplate, { parent: this });
        const releaseVersion =
            "pinned" in spec.release
                ? spec.release.pinned
                : aws.ssm.getParameterOutput({ name: spec.release.ssmParameter }, { parent: this }).value;

        this.nodeGroup = new aws.eks.NodeGroup(
            `${name}-nodegroup`,
            {
                ...spec.nodeGroup,
                clusterName: args.clusterName,
                nodeRoleArn: args.nodeRoleArn,
                subnetIds: args.subnetIds,
                releaseVersion,
                launchTemplate: { id: this.launchTemplate.id, version: pulumi.interpolate`${this.launchTemplate.latestVersion}` },
            },
            { parent: this, ...spec.options, hooks: { beforeDelete: [args.drainHook] } },
        );
        this.asgName = this.nodeGroup.resources.apply((r) => r[0].autoscalingGroups![0].name!);

        // Owns min/max after creation: every valid size edit applies (lifecycle/nodeGroupScaling.ts).
        new NodeGroupScaling(
            `${name}-scaling`,
            {
                region: args.region,
                clusterName: this.nodeGroup.clusterName,
                nodeGroupName: this.nodeGroup.nodeGroupName,
                ...spec.scaling,
            },
            { parent: this },
        );

        // Names use the tag key: stable across reorderings.
        for (const [key, tag] of Object.entries(spec.asgTags)) {
            new aws.autoscaling.Tag(
                `${name}-asg-tag-${key}`,
                { autoscalingGroupName: this.asgName, tag: { key, value: tag.value, propagateAtLaunch: false } },
                { parent: this, retainOnDelete: tag.retainOnDelete },
            );
        }
        if (spec.suspendAzRebalance) {
            new AsgProcessSuspension(
                `${name}-suspend-azrebalance`,
                { asgName: this.asgName, region: args.region },
                { parent: this },
            );
        }
        this.registerOutputs({ nodeGroupName: this.nodeGroup.nodeGroupName, asgName: this.asgName });
    }
}
