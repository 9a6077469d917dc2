// Where Karpenter's discovery tag goes (pure): the subnets its nodes use and the cluster security group. The node
// classes select both by `karpenter.sh/discovery=<cluster>` (nodePoolSpec.ts); only what is tagged is used.
import type { StackConfig } from "../../config";
import { karpenterDiscoveryTags } from "../../model/karpenter";

export interface DiscoveryTargets {
    /** Tags the pod subnets get at creation (RunnerCluster), when Karpenter's nodes live there. */
    readonly podSubnetTags?: Record<string, string>;
    /**
     * Existing subnets to tag with a tag resource each. Only subnets this program does not manage: a tag resource
     * beside the resource that manages the same object's tags makes a perpetual diff (@pulumi/aws 7.48.0 ec2/tag.d.ts).
     */
    readonly subnetIdsToTag: readonly string[];
}

/**
 * Karpenter's nodes go into the pod subnets when the stack has them (as job node groups do by default), so they never
 * compete with the management nodes and the control plane for the original subnets' addresses; else into those.
 * Nothing for a stack on Cluster Autoscaler.
 */
export function discoveryTargets(config: Pick<StackConfig, "addons" | "cluster" | "network">): DiscoveryTargets {
    if (config.addons.nodeAutoscaler !== "karpenter") return { subnetIdsToTag: [] };
    if (config.network.podSubnets) return { podSubnetTags: karpenterDiscoveryTags(config.cluster.name), subnetIdsToTag: [] };
    return { subnetIdsToTag: [...config.network.subnetIds] };
}
