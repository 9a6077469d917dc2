import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { NodeGroupConfig } from "../../config";
import { placementOn, PlacementTarget } from "../../model/placement";
import { PLATFORM_DEPLOYMENTS } from "../../model/platformWorkloads";

/**
 * CoreDNS add-on `configurationValues`: pinned to the management nodes. With every node tainted, a CoreDNS that
 * tolerates nothing would sit Pending and take cluster DNS down with it. The add-on's own defaults
 * (CriticalAddonsOnly, control-plane) are kept because setting `tolerations` replaces them.
 */
export function coreDnsConfiguration(management: PlacementTarget) {
    const placement = placementOn(management);
    return {
        replicaCount: PLATFORM_DEPLOYMENTS.coreDns.replicas,
        nodeSelector: placement.nodeSelector,
        tolerations: [
            { key: "CriticalAddonsOnly", operator: "Exists" },
            { key: "node-role.kubernetes.io/control-plane", effect: "NoSchedule" },
            ...placement.tolerations,
        ],
    };
}

export interface CoreDnsArgs {
    clusterName: pulumi.Input<string>;
    kubernetesVersion: string;
    /** The management group CoreDNS is pinned to. */
    management: NodeGroupConfig;
    tags: Record<string, string>;
}

/**
 * The CoreDNS managed add-on, placed on the management nodes. It is created here, after the management group, and
 * not by the cluster: @pulumi/eks skips CoreDNS on a cluster without its default node group (pulumi-eks#1371), and
 * an add-on created before any node can run it stays DEGRADED until `pulumi up` times out. Until it exists, EKS's
 * bootstrap CoreDNS (which tolerates no taint of ours) waits Pending; OVERWRITE replaces it with this configuration.
 */
export class CoreDns extends pulumi.ComponentResource {
    public readonly addon: aws.eks.Addon;

    constructor(name: string, args: CoreDnsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("eks-gitlab-runners:index:CoreDns", name, {}, opts);
        this.addon = new aws.eks.Addon(
            `${name}-addon`,
            {
                clusterName: args.clusterName,
                addonName: "coredns",
                addonVersion: aws.eks.getAddonVersionOutput(
                    { addonName: "coredns", kubernetesVersion: args.kubernetesVersion, mostRecent: true },
                    { parent: this },
                ).version,
                configurationValues: JSON.stringify(coreDnsConfiguration(args.management)),
                resolveConflictsOnCreate: "OVERWRITE",
                resolveConflictsOnUpdate: "OVERWRITE",
                tags: args.tags,
            },
            { parent: this },
        );
        this.registerOutputs({ addonVersion: this.addon.addonVersion });
    }
}
