// What one node group is, as plain data: every difference between the management group, job groups and job groups
// that scale to zero is decided here, once, and tested without mocks. The NodeGroup component only creates
// resources from it.
import type { NodeGroupConfig } from "../../config";
import { NODE_GROUP_TIMEOUT_MINUTES } from "../../config/patching";
import { autoDiscoveryTags, eksManagedAsgTags, nodeTemplateTags } from "../../model/autoscalerTags";
import { EKS_TAINT_EFFECT, launchTemplateArgs, releaseVersionParameter } from "./launchTemplate";
import { NODE_ROLLING_INPUTS, SCALING_INPUTS } from "./lifecycle/blueGreen";
import { drainTags, NODEGROUP_KEY_TAG } from "./lifecycle/drainPlan";

/**
 * Component type tokens per kind. A type token is part of every child's URN, so these never change: a job group
 * moving between minSize 0 and 1 switches kind, and an alias to the other job kind keeps every URN (STYLE.md 6).
 */
export const NODE_GROUP_TYPES = {
    management: "eks-gitlab-runners:index:ManagementNodeGroup",
    jobs: "eks-gitlab-runners:index:JobNodeGroup",
    scaleToZero: "eks-gitlab-runners:index:ScaleToZeroNodeGroup",
} as const;
export type NodeGroupKind = keyof typeof NODE_GROUP_TYPES;

export interface NodeGroupSpecContext {
    /** The cluster's static name (known before the cluster exists): tags, Name tags, discovery. */
    readonly clusterName: string;
    readonly kubernetesVersion: string;
    /** Tags for every AWS resource of the stack. */
    readonly tags: Readonly<Record<string, string>>;
    /** How long the drain before this group's deletion may wait (config/patching.ts). */
    readonly drainBoundSeconds: number;
}

export interface NodeGroupSpec {
    readonly kind: NodeGroupKind;
    readonly type: string;
    /** Earlier type tokens of this component (aliases keep URNs when the kind changes). */
    readonly aliasTypes: readonly string[];
    readonly launchTemplate: ReturnType<typeof launchTemplateArgs>;
    /** The AMI release: pinned in config, or read from this public SSM parameter at every deploy (patching). */
    readonly release: { readonly pinned: string } | { readonly ssmParameter: string };
    /** aws.eks.NodeGroup inputs that do not depend on other resources. */
    readonly nodeGroup: {
        readonly instanceTypes: string[];
        readonly capacityType: NodeGroupConfig["capacityType"];
        readonly amiType: NodeGroupConfig["amiType"];
        readonly scalingConfig: { minSize: number; maxSize: number; desiredSize: number };
        readonly updateConfig: { maxUnavailable: number };
        readonly labels: Record<string, string>;
        readonly taints: { key: string; value: string; effect: (typeof EKS_TAINT_EFFECT)[keyof typeof EKS_TAINT_EFFECT] }[];
        readonly tags: Record<string, string>;
    };
    /**
     * Tags this program puts on the group's ASG (managed node group tags never reach it), and whether deleting the
     * tag resource must leave the tag in place: EKS sets the two standard autoscaler tags on every managed group's
     * ASG itself, and removing them (a renamed tag resource) would hide the group from the autoscaler.
     */
    readonly asgTags: Readonly<Record<string, { readonly value: string; readonly retainOnDelete: boolean }>>;
    /** Whether the ASG's AZRebalance process is suspended (it terminates nodes, and the jobs on them, to even out AZs). */
    readonly suspendAzRebalance: boolean;
    /**
     * Resource options of the aws.eks.NodeGroup (the component adds the drain hook): a node roll replaces the group
     * blue/green instead of EKS's in-place update, and the scaling config belongs to NodeGroupScaling after creation.
     */
    readonly options: {
        readonly replaceOnChanges: string[];
        readonly ignoreChanges: string[];
        readonly deleteBeforeReplace: false;
        readonly customTimeouts: { create: string; update: string; delete: string };
    };
    /** The min/max NodeGroupScaling keeps the group at. */
    readonly scaling: { readonly minSize: number; readonly maxSize: number };
}

export function nodeGroupKind(group: Pick<NodeGroupConfig, "role" | "scalesToZero">): NodeGroupKind {
    if (group.role === "management") return "management";
    return group.scalesToZero ? "scaleToZero" : "jobs";
}

/** Pure: the whole specification of one node group. */
export function nodeGroupSpec(group: NodeGroupConfig, ctx: NodeGroupSpecContext): NodeGroupSpec {
    const kind = nodeGroupKind(group);
    const isJobs = kind !== "management";
    // Management: no autoscaler tag at all (seed 001: the autoscaler scaled its own nodes away). Jobs: discoverable.
    // Zero-node jobs groups: the autoscaler also learns their labels and taints from node-template tags.
    const tags = !isJobs
        ? {}
        : { ...autoDiscoveryTags(ctx.clusterName), ...(kind === "scaleToZero" ? nodeTemplateTags(group) : {}) };
    const eksManaged = eksManagedAsgTags(ctx.clusterName);
    const asgTags = Object.fromEntries(
        Object.entries(tags).map(([key, value]) => [key, { value, retainOnDelete: key in eksManaged }]),
    );
    const minutes = (m: number) => `${m}m`;
    return {
        kind,
        type: NODE_GROUP_TYPES[kind],
        aliasTypes: kind === "jobs" ? [NODE_GROUP_TYPES.scaleToZero] : kind === "scaleToZero" ? [NODE_GROUP_TYPES.jobs] : [],
        launchTemplate: launchTemplateArgs(group, ctx.clusterName, { ...ctx.tags }),
        release: group.releaseVersion
            ? { pinned: group.releaseVersion }
            : { ssmParameter: releaseVersionParameter(group.amiType, ctx.kubernetesVersion) },
        nodeGroup: {
            instanceTypes: [...group.instanceTypes],
            capacityType: group.capacityType,
            amiType: group.amiType,
            scalingConfig: { minSize: group.minSize, maxSize: group.maxSize, desiredSize: group.desiredSize },
            updateConfig: { maxUnavailable: group.maxUnavailable },
            labels: { ...group.labels },
            taints: group.taints.map((t) => ({ key: t.key, value: t.value, effect: EKS_TAINT_EFFECT[t.effect] })),
            tags: { ...ctx.tags, [NODEGROUP_KEY_TAG]: group.name, ...drainTags(ctx.drainBoundSeconds) },
        },
        asgTags,
        suspendAzRebalance: isJobs,
        options: {
            replaceOnChanges: [...NODE_ROLLING_INPUTS],
            ignoreChanges: [...SCALING_INPUTS],
            deleteBeforeReplace: false,
            customTimeouts: {
                create: minutes(NODE_GROUP_TIMEOUT_MINUTES.create),
                update: minutes(NODE_GROUP_TIMEOUT_MINUTES.update),
                delete: minutes(NODE_GROUP_TIMEOUT_MINUTES.delete),
            },
        },
        scaling: { minSize: group.minSize, maxSize: group.maxSize },
    };
}
