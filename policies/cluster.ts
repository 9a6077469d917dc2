// The production control plane cannot be deleted or replaced by a typo.
import { resourceLabel, isProduction, isUnknown, reveal, Rule, TYPES } from "./model";

const CLUSTER_TYPES: readonly string[] = [TYPES.eksComponentCluster, TYPES.eksCluster];

export const prodClusterProtected: Rule = {
    id: "prod-cluster-protected",
    description:
        "In production stacks every EKS cluster has Pulumi `protect` and EKS deletion protection, and the stack has a cluster.",
    why:
        "DESIGN (Cluster) and seed 001 (eksctl Gotchas): some cluster edits replace the cluster. In production a replacement or a stray " +
        "`pulumi destroy` would drop every runner and every running job; it must fail and make someone look.",
    remediation:
        "Set cluster.protect: true in the production stack file (RunnerCluster passes it to both `protect` and `deletionProtection`).",
    types: CLUSTER_TYPES,
    checkResource(r, ctx) {
        if (!CLUSTER_TYPES.includes(r.type) || !isProduction(ctx)) return [];
        const problems: string[] = [];
        if (r.opts?.protect !== true)
            problems.push(
                `${resourceLabel(r)} in production stack ${ctx.stack} is not protected (resource option protect: true)`,
            );
        const deletionProtection = reveal(r.inputs.deletionProtection);
        if (!isUnknown(deletionProtection) && deletionProtection !== true) {
            problems.push(
                `${resourceLabel(r)} in production stack ${ctx.stack} has no EKS deletion protection (deletionProtection: true)`,
            );
        }
        return problems;
    },
    checkStack(resources, ctx) {
        if (!isProduction(ctx) || resources.length === 0) return [];
        return resources.some((r) => CLUSTER_TYPES.includes(r.type))
            ? []
            : [
                  {
                      message: `production stack ${ctx.stack} declares no EKS cluster (${CLUSTER_TYPES.join(" or ")}), so its protection cannot be checked`,
                  },
              ];
    },
};
