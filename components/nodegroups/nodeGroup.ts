import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { NodeGroupConfig } from "../../config";
import { autoDiscoveryTags, nodeTemplateTags } from "../../model/autoscalerTags";
import { AsgProcessSuspension } from "./azRebalance";
import { EKS_TAINT_EFFECT, launchTemplateArgs, releaseVersionParameter } from "./launchTemplate";

export interface NodeGroupArgs {
    group: NodeGroupConfig;
    clusterName: pulumi.Input<string>;
    /** The cluster's static name, for tags and Name tags (known before the cluster exists). */
    clusterNameTag: string;
    kubernetesVersion: string;
    region: string;
    nodeRoleArn: pulumi.Input<string>;
    subnetIds: pulumi.Input<pulumi.Input<string>[]>;
    tags: Record<string, string>;
}

/**
 * What every node group shares: a hardened launch template, the EKS managed node group with the role's labels and
 * taints, and the AMI release resolved from SSM at deploy time. The three kinds below add only what differs.
 */
export abstract class NodeGroupBase extends pulumi.ComponentResource {
    public readonly config: NodeGroupConfig;
    public readonly nodeGroup: aws.eks.NodeGroup;
    public readonly launchTemplate: aws.ec2.LaunchTemplate;
    /** Name of the ASG that EKS created for the group. */
    public readonly asgName: pulumi.Output<string>;

    protected constructor(type: string, name: string, args: NodeGroupArgs, opts?: pulumi.ComponentResourceOptions) {
        super(type, name, {}, opts);
        const g = args.group;
        this.config = g;

        this.launchTemplate = new aws.ec2.LaunchTemplate(`${name}-lt`, launchTemplateArgs(g, args.clusterNameTag, args.tags), {
            parent: this,
        });

        const releaseVersion =
            g.releaseVersion ??
            aws.ssm.getParameterOutput({ name: releaseVersionParameter(g.amiType, args.kubernetesVersion) }, { parent: this })
                .value;

        this.nodeGroup = new aws.eks.NodeGroup(
            `${name}-nodegroup`,
            {
                clusterName: args.clusterName,
                nodeRoleArn: args.nodeRoleArn,
                subnetIds: args.subnetIds,
                instanceTypes: [...g.instanceTypes],
                capacityType: g.capacityType,
                amiType: g.amiType,
                releaseVersion,
                scalingConfig: { minSize: g.minSize, maxSize: g.maxSize, desiredSize: g.desiredSize },
                updateConfig: { maxUnavailable: g.maxUnavailable },
                labels: { ...g.labels },
                taints: g.taints.map((t) => ({ key: t.key, value: t.value, effect: EKS_TAINT_EFFECT[t.effect] })),
                launchTemplate: { id: this.launchTemplate.id, version: pulumi.interpolate`${this.launchTemplate.latestVersion}` },
                tags: { ...args.tags, "eks-gitlab-runners/nodegroup": g.name },
            },
            {
                parent: this,
                // The autoscaler owns the size once the group exists; Pulumi must not reset it on every deploy.
                ignoreChanges: ["scalingConfig.desiredSize"],
            },
        );
        this.asgName = this.nodeGroup.resources.apply((r) => r[0].autoscalingGroups![0].name!);
    }

    /** Puts tags on the group's ASG (managed node group tags never reach it). Names use the tag key: stable. */
    protected tagAsg(name: string, tags: Record<string, string>): aws.autoscaling.Tag[] {
        return Object.entries(tags).map(
            ([key, value]) =>
                new aws.autoscaling.Tag(
                    `${name}-asg-tag-${key}`,
                    {
                        autoscalingGroupName: this.asgName,
                        tag: { key, value, propagateAtLaunch: false },
                    },
                    { parent: this },
                ),
        );
    }

    protected finish(): void {
        this.registerOutputs({ nodeGroupName: this.nodeGroup.nodeGroupName, asgName: this.asgName });
    }
}

/** Platform pods only: fixed size (min = max), on-demand, tainted, and never discoverable by Cluster Autoscaler. */
export class ManagementNodeGroup extends NodeGroupBase {
    constructor(name: string, args: NodeGroupArgs, opts?: pulumi.ComponentResourceOptions) {
        super("eks-gitlab-runners:index:ManagementNodeGroup", name, args, opts);
        this.finish();
    }
}

const JOB_TYPE = "eks-gitlab-runners:index:JobNodeGroup";
const SCALE_TO_ZERO_TYPE = "eks-gitlab-runners:index:ScaleToZeroNodeGroup";

/** CI job pods: discoverable by the autoscaler, AZRebalance suspended so the ASG never kills a running job. */
export class JobNodeGroup extends NodeGroupBase {
    public readonly asgTags: aws.autoscaling.Tag[];
    public readonly azRebalanceSuspension: AsgProcessSuspension;

    constructor(name: string, args: NodeGroupArgs, opts?: pulumi.ComponentResourceOptions, type = JOB_TYPE) {
        // Moving minSize between 0 and 1 switches the kind; the alias keeps every child's URN, so nothing is replaced.
        super(type, name, args, {
            ...opts,
            aliases: [...(opts?.aliases ?? []), { type: type === JOB_TYPE ? SCALE_TO_ZERO_TYPE : JOB_TYPE }],
        });
        this.asgTags = this.tagAsg(name, this.extraAsgTags(args));
        this.azRebalanceSuspension = new AsgProcessSuspension(
            `${name}-suspend-azrebalance`,
            {
                asgName: this.asgName,
                region: args.region,
            },
            { parent: this },
        );
        this.finish();
    }

    protected extraAsgTags(args: NodeGroupArgs): Record<string, string> {
        return autoDiscoveryTags(args.clusterNameTag);
    }
}

/**
 * A job group with minSize 0. With no node to look at, Cluster Autoscaler learns the group's labels and taints from
 * node-template tags on its ASG; without them a Pending job pod never triggers a scale-up.
 */
export class ScaleToZeroNodeGroup extends JobNodeGroup {
    constructor(name: string, args: NodeGroupArgs, opts?: pulumi.ComponentResourceOptions) {
        super(name, args, opts, SCALE_TO_ZERO_TYPE);
    }

    protected extraAsgTags(args: NodeGroupArgs): Record<string, string> {
        return { ...super.extraAsgTags(args), ...nodeTemplateTags(this.config) };
    }
}

/** The component for a group's role: management, jobs, or jobs that scale to zero. Named by the group's stable key. */
export function createNodeGroup(args: NodeGroupArgs, opts?: pulumi.ComponentResourceOptions): NodeGroupBase {
    const name = args.group.resourceName;
    if (args.group.role === "management") return new ManagementNodeGroup(name, args, opts);
    return args.group.scalesToZero ? new ScaleToZeroNodeGroup(name, args, opts) : new JobNodeGroup(name, args, opts);
}
