// Where a runner's jobs run (pure): exactly one of a jobs node group (Cluster Autoscaler), a Karpenter node pool or
// AWS Fargate, named in the stack file and resolved against what the stack declares, with messages that say which.
import type { NodeGroupConfig } from "./nodeGroups";
import type { NodePoolConfig } from "./nodePools";
import { joinPath, Problem } from "./problems";
import type { RunnerInput } from "./runnerOptions";
import type { RunnerContext } from "./runners";
import { closest } from "./suggest";

/** Where a runner's jobs can run, indexed once per stack (a lookup per runner, not a scan). */
export interface Places {
    readonly groups: ReadonlyMap<string, NodeGroupConfig>;
    readonly pools: ReadonlyMap<string, NodePoolConfig>;
    readonly groupNames: readonly string[];
    readonly poolNames: readonly string[];
}

export function placesOf(ctx: RunnerContext): Places {
    const pools = ctx.nodePools ?? [];
    return {
        groups: new Map(ctx.nodeGroups.jobs.map((g) => [g.name, g])),
        pools: new Map(pools.map((p) => [p.name, p])),
        groupNames: ctx.nodeGroups.jobs.map((g) => g.name),
        poolNames: pools.map((p) => p.name),
    };
}

/** Names for a message: the first ten, then "…". */
const listed = (names: readonly string[]) =>
    names.length === 0 ? "none declared" : names.slice(0, 10).join(", ") + (names.length > 10 ? ", …" : "");
const didYouMean = (name: string, names: readonly string[]) => {
    const hint = closest(name, names);
    return hint ? `; did you mean "${hint}"?` : "";
};

/**
 * Where a runner's job pods run: exactly one of `nodeGroup` (a jobs group, Cluster Autoscaler), `nodePool`
 * (Karpenter) or `fargate: true` (AWS Fargate), and a group or pool must exist.
 */
export function jobCapacityOf(
    name: string,
    r: Pick<RunnerInput, "nodeGroup" | "nodePool" | "fargate">,
    ctx: RunnerContext,
    places: Places,
): { jobsGroup?: NodeGroupConfig; pool?: NodePoolConfig; fargate?: true; problems: Problem[] } {
    const at = (field: string) => joinPath("runners", name, field);
    if (r.fargate === true) {
        const also = (["nodeGroup", "nodePool"] as const).filter((k) => r[k] !== undefined);
        if (also.length > 0)
            return {
                problems: also.map((k) => ({
                    path: at(k),
                    message: `set exactly one of nodeGroup, nodePool and fargate: this runner has fargate: true, so its job pods get no node; drop ${k}`,
                })),
            };
        return { fargate: true, problems: [] };
    }
    const groups = ctx.nodeGroups;
    const karpenter = ctx.nodeAutoscaler === "karpenter";
    const jobNames = listed(places.groupNames);
    const poolNames = listed(places.poolNames);
    if (r.nodeGroup !== undefined && r.nodePool !== undefined)
        return {
            problems: [
                {
                    path: at("nodePool"),
                    message: `set either nodeGroup or nodePool, not both: job pods run on one kind of node (${karpenter ? "this stack's engine is Karpenter: keep nodePool" : "this stack's engine is Cluster Autoscaler: keep nodeGroup"})`,
                },
            ],
        };
    if (r.nodeGroup === undefined && r.nodePool === undefined)
        return {
            problems: [
                karpenter
                    ? { path: at("nodePool"), message: `is required: name the node pool its jobs run on (pools: ${poolNames})` }
                    : {
                          path: at("nodeGroup"),
                          message: `is required: name the jobs node group its jobs run on (jobs groups: ${jobNames})`,
                      },
            ],
        };
    if (r.nodePool !== undefined) {
        const pool = places.pools.get(r.nodePool);
        if (pool) return { pool, problems: [] };
        return {
            problems: [
                {
                    path: at("nodePool"),
                    message: karpenter
                        ? `"${r.nodePool}" is not a node pool (pools: ${poolNames})${didYouMean(r.nodePool, places.poolNames)}`
                        : `"${r.nodePool}": node pools need addons.nodeAutoscaler: karpenter; with Cluster Autoscaler name a jobs node group in nodeGroup (${jobNames})`,
                },
            ],
        };
    }
    const jobsGroup = places.groups.get(r.nodeGroup!);
    if (jobsGroup) return { jobsGroup, problems: [] };
    return {
        problems: [
            {
                path: at("nodeGroup"),
                message: karpenter
                    ? `with addons.nodeAutoscaler: karpenter jobs run on node pools: use nodePool (pools: ${poolNames})`
                    : groups.management?.name === r.nodeGroup
                      ? `"${r.nodeGroup}" is the management group; job pods must run on a jobs group (${jobNames})`
                      : `"${r.nodeGroup}" is not a node group (jobs groups: ${jobNames})${didYouMean(r.nodeGroup!, places.groupNames)}`,
            },
        ],
    };
}
