// CoreDNS (docs/addons.md): the EKS managed add-on, on the management nodes. Every cluster runs it, so it has no
// config section. @pulumi/eks skips CoreDNS on a cluster without its default node group (pulumi-eks#1371), and an
// add-on created before any node can run it stays DEGRADED until `pulumi up` times out: it is created after the
// management group. Until then EKS's bootstrap CoreDNS (which tolerates no taint of ours) waits Pending; OVERWRITE
// replaces it with this configuration.
import { z } from "zod";
import { placementOn, PlacementTarget } from "../../model/placement";
import { PLATFORM_DEPLOYMENTS } from "../../model/platformWorkloads";
import { AddonSpec } from "./spec";

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

const always = z
    .object({})
    .default({})
    .transform(() => ({ enabled: true as const }));

export const coreDnsAddon: AddonSpec<{ enabled: true }, { enabled: true }> = {
    type: "eks-gitlab-runners:index:CoreDns",
    name: "coredns",
    install: { kind: "eks-addon", addonName: "coredns" },
    namespace: "kube-system",
    platformPods: [PLATFORM_DEPLOYMENTS.coreDns],
    reservedValues: {},
    schema: () => always,
    values: (_config, ctx) => coreDnsConfiguration(ctx.management),
};
