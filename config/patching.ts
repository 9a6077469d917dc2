// What a patch run (a new AMI release, a Kubernetes minor, a launch-template change) does to each node group, as
// numbers: node groups are replaced blue/green (components/nodegroups/lifecycle/blueGreen.ts): the new group is
// created, the old one drained, then deleted. EKS's in-place update is never used for that: with a `maxUnavailable:
// 0` PodDisruptionBudget on running jobs it fails with PodEvictionFailure after 15 minutes unless forced, and a forced
// update kills the jobs (EKS user guide, "Understand each phase of node updates", upgrade phase; API reference
// UpdateNodegroupVersion `force`).
import type { NodeGroupConfig } from "./nodeGroups";
import type { RunnerConfig } from "./runners";

/**
 * Node generations that coexist while nodes are replaced: a node group's draining generation and the new one during a
 * patch run (docs/runbook/upgrades.md), or a Karpenter pool's drifted nodes and their replacements (nodes marked for
 * deletion leave the NodePool's limits: kubernetes-sigs/karpenter pkg/controllers/state/cluster.go
 * updateNodePoolResources @v1.14.1).
 */
export const NODE_GENERATIONS = 2;

/** Managers whose jobs can run at once while a runner's manager is replaced: the old one draining, the new one. */
export const ROLLOUT_MANAGERS = 2;

/** Added to every drain bound: the last log upload and cache push of a job that ends right at its timeout. */
export const DRAIN_MARGIN_SECONDS = 300;

/**
 * customTimeouts of every aws.eks.NodeGroup, minutes: the AWS provider's defaults, written out because the deploy
 * window (.gitlab-ci.yml) must cover create + drain + delete (hashicorp/terraform-provider-aws
 * internal/service/eks/node_group.go: create, update and delete 60 m each).
 */
export const NODE_GROUP_TIMEOUT_MINUTES = { create: 60, update: 60, delete: 60 } as const;

/**
 * How long the drain of a group may wait before its nodes are deleted anyway, seconds.
 * - Job group: the longest `maxJobTimeoutMinutes` of the runners whose jobs run there, plus the margin. GitLab
 *   cancels a job at its runner's maximum timeout, so no legitimate job outlives the bound.
 * - Management group: the longest manager `terminationGracePeriodSeconds`, VM runners' managers included (a replaced
 *   manager finishes its running jobs in its preStop hook before it exits; components/runners/helmValues.ts), plus
 *   the margin.
 * A group no runner uses has only the margin: nothing of a job's can run there.
 */
export function drainBoundSeconds(
    group: Pick<NodeGroupConfig, "name" | "role">,
    /** Runners and VM runners (which have no node group: only their managers' grace counts, on management). */
    runners: readonly (Partial<Pick<RunnerConfig, "nodeGroup">> &
        Pick<RunnerConfig, "maxJobTimeoutMinutes" | "terminationGracePeriodSeconds">)[],
): number {
    const waits =
        group.role === "management"
            ? runners.map((r) => r.terminationGracePeriodSeconds)
            : runners.filter((r) => r.nodeGroup === group.name).map((r) => r.maxJobTimeoutMinutes * 60);
    return Math.max(0, ...waits) + DRAIN_MARGIN_SECONDS;
}

/** What a patch run does to one group, and how long it may take at most. */
export interface PatchEstimate {
    readonly group: string;
    readonly drainBoundSeconds: number;
    /** Provider timeout of creating the new group + the drain bound + the provider timeout of deleting the old one. */
    readonly maxMinutes: number;
}

export function patchEstimate(
    group: Pick<NodeGroupConfig, "name" | "role">,
    runners: Parameters<typeof drainBoundSeconds>[1],
): PatchEstimate {
    const bound = drainBoundSeconds(group, runners);
    return {
        group: group.name,
        drainBoundSeconds: bound,
        maxMinutes: NODE_GROUP_TIMEOUT_MINUTES.create + Math.ceil(bound / 60) + NODE_GROUP_TIMEOUT_MINUTES.delete,
    };
}
