// EKS service quotas that bound a stack (EKS user guide, "View and manage Amazon EKS and Fargate service quotas",
// https://docs.aws.amazon.com/eks/latest/userguide/service-quotas.html): "Nodes per managed node group" 450 and
// "Managed node groups per cluster" 30 by default, both adjustable per account; "Public endpoint access CIDR ranges
// per cluster" 40, not adjustable (checked in cluster.ts). A stack beyond one fails half way through `pulumi up`
// (or, for the node-group count, half way through a patch run): validation refuses it up front. An account whose
// quota was raised states the applied value in `cluster.quotas` (`aws service-quotas list-service-quotas
// --service-code eks` shows it).
import { z } from "zod";
import { NODE_GENERATIONS } from "./patching";
import type { StackContext } from "./context";
import { allNodeGroups } from "./nodeGroups";
import { joinPath, Problem, strictObject } from "./problems";

export const EKS_DEFAULT_QUOTAS = { nodesPerNodeGroup: 450, nodeGroupsPerCluster: 30, publicAccessCidrs: 40 } as const;

/** `cluster.quotas`: the account's applied values of the adjustable quotas, where they were raised. */
export const quotasSchema = strictObject({
    nodesPerNodeGroup: z.number().int().min(1).default(EKS_DEFAULT_QUOTAS.nodesPerNodeGroup),
    nodeGroupsPerCluster: z.number().int().min(1).default(EKS_DEFAULT_QUOTAS.nodeGroupsPerCluster),
}).prefault({});
export type Quotas = z.output<typeof quotasSchema>;

const RAISE = "if your account's quota was raised, state it in cluster.quotas";

/** maxSize of every group within the node quota; both generations of every group of a patch run within the group quota. */
export function quotaProblems(groups: StackContext["nodeGroups"], quotas: Quotas): Problem[] {
    const problems: Problem[] = [];
    const all = allNodeGroups(groups);
    for (const g of all) {
        if (g.maxSize > quotas.nodesPerNodeGroup) {
            problems.push({
                path: joinPath("nodeGroups", g.name, "maxSize"),
                message: `${g.maxSize} is above the EKS quota of ${quotas.nodesPerNodeGroup} nodes per managed node group: the group could never grow that far (${RAISE}.nodesPerNodeGroup)`,
            });
        }
    }
    // A patch run replaces every group blue/green and deletes the old ones last, so both generations exist at once.
    const peak = NODE_GENERATIONS * all.length;
    if (peak > quotas.nodeGroupsPerCluster) {
        problems.push({
            path: "nodeGroups",
            message: `${all.length} node groups: a patch run creates each one's replacement before deleting it, so ${peak} exist at once, above the EKS quota of ${quotas.nodeGroupsPerCluster} managed node groups per cluster; the run would fail half way (merge groups, or ${RAISE}.nodeGroupsPerCluster)`,
        });
    }
    return problems;
}
