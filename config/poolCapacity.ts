// The capacity model of Karpenter node pools (pure), next to the node groups' in capacity.ts. A pool has no maxSize:
// Karpenter launches whichever allowed shape fits the pending pods, until the nodes' CPU capacity reaches
// `cpuLimit` (NodePool `spec.limits.cpu` counts the capacity of the pool's nodes: kubernetes-sigs/karpenter
// pkg/controllers/state/cluster.go updateNodePoolResources @v1.14.1 adds each node's Capacity()). So for every shape
// the pool allows:
//
// - nodes at the limit  = ⌊cpuLimit / vCPUs of the shape⌋
// - jobs per node        = as for node groups (capacity.ts jobsPerNode), per runner
// - jobs at the limit    = nodes at the limit × jobs per node
//
// A node's room is the node groups' (nodeAllocatable.ts) — Karpenter configures the kubelet with the same kube-reserved
// (CPU bands 6/1/0.5/0.25 %, memory 11 MiB × max pods + 255 MiB), 100 Mi eviction threshold and ENI-limited max pods
// (aws/karpenter-provider-aws pkg/providers/instancetype/types.go @v1.14.1: kubeReservedResources, evictionThreshold,
// ENILimitedPods) — with memory as Karpenter believes it (nodePools.ts karpenterRoom): what it launches for.
//
// Which shapes Karpenter picks depends on prices and the pending pods, so the plan takes, per runner, the shape that
// holds the fewest of its jobs (among those a job fits at all): the pool is promised no more than that. Pod IPs take
// the shape that needs the most addresses at the limit; cost is a range from the cheapest allowed shape and capacity
// type to the dearest. With no job running the pool has no node: its idle cost is zero.
import { instanceFacts, onDemandPrice, spotSavings } from "./instanceTypes";
import type { PodResources } from "./nodeAllocatable";
import { karpenterRoom, NodePoolConfig } from "./nodePools";
import type { Finding } from "./problems";

/** One shape a pool may launch, at the pool's CPU limit. */
export interface PoolShape {
    readonly type: string;
    readonly vcpu: number;
    readonly room: PodResources;
    readonly nodesAtLimit: number;
    /** Jobs per node of the pool's largest job pod (0: none fits, or no runner uses the pool). */
    readonly jobsPerNode: number;
    readonly jobsAtLimit: number;
    readonly ipsPerNode: number;
    /** USD per node-hour: the cheapest allowed capacity type (Spot at the Advisor's saving) and the dearest. */
    readonly usdPerHour?: { readonly low: number; readonly high: number };
}

export interface PoolCapacity {
    readonly name: string;
    readonly arch: string;
    readonly capacityTypes: readonly string[];
    readonly cpuLimit: number;
    readonly subnets: "cluster" | "pod";
    /** The smallest and the largest shape the pool allows (by vCPUs). */
    readonly smallest: PoolShape;
    readonly largest: PoolShape;
    /** Jobs of the pool's runners it holds at its limit, at the shape that holds fewest; what runners are checked against. */
    readonly jobsAtLimit: number;
    readonly boundBy: string;
    /** Addresses its nodes take at the limit, at the shape that takes most. */
    readonly ipsAtLimit: number;
    /** Every node at the limit, for the cheapest and the dearest allowed shape and capacity type; undefined without prices. */
    readonly usdPerMonthAtLimit?: { readonly low: number; readonly high: number };
    /** Every runner of the pool at its concurrent, same range. */
    readonly usdPerMonthAtFullLoad?: { readonly low: number; readonly high: number };
}

/** What a pool's runner demands (capacity.ts RunnerDemand, with its pool). */
export interface PoolRunnerDemand {
    readonly name: string;
    readonly nodePool?: string;
    readonly concurrent: number;
    readonly jobPod: { readonly cpuMillis: number; readonly memoryMiB: number };
}

export interface PoolRunnerCapacity {
    readonly name: string;
    readonly nodePool: string;
    /** At the shape that bounds the runner. */
    readonly jobsPerNode: number;
    readonly concurrent: number;
    readonly maxConcurrentJobs: number;
    readonly rolloutPeakJobs: number;
}

export interface PoolModel {
    /** Per shape: job pods per node for a job pod's requests. */
    readonly jobsPerNode: (room: PodResources, jobPod: PoolRunnerDemand["jobPod"]) => number;
    /** Addresses one node takes for `pods` pods with a VPC address. */
    readonly ipsPerNode: (facts: NonNullable<ReturnType<typeof instanceFacts>>, pods: number) => number;
    /** DaemonSet pods per node that take a VPC address. */
    readonly extraPods: number;
    readonly containerInsights: boolean;
    readonly region: string;
    /** Manager generations that may run a runner's jobs at once (patching.ts ROLLOUT_MANAGERS). */
    readonly rolloutManagers: number;
    /** Hours per month of the cost figures (capacity.ts HOURS_PER_MONTH). */
    readonly hoursPerMonth: number;
}

function prices(pool: NodePoolConfig, type: string, region: string): { low: number; high: number } | undefined {
    const onDemand = onDemandPrice(type, region);
    if (onDemand === undefined) return undefined;
    const savings = spotSavings(type, region);
    const spot = savings ? onDemand * (1 - savings.savingsPct / 100) : onDemand;
    const offered = pool.capacityTypes.map((c) => (c === "spot" ? spot : onDemand));
    return { low: Math.min(...offered), high: Math.max(...offered) };
}

/** Every pool and its runners at the pool's limit, with the findings that block a deploy or deserve a look. */
export function planPools(
    pools: readonly NodePoolConfig[],
    runners: readonly PoolRunnerDemand[],
    model: PoolModel,
): { pools: PoolCapacity[]; runners: PoolRunnerCapacity[]; findings: Finding[] } {
    const findings: Finding[] = [];
    const runnerCapacity: PoolRunnerCapacity[] = [];
    const planned = pools.map((pool): PoolCapacity => {
        const own = runners.filter((r) => r.nodePool === pool.name);
        const shapes = pool.instanceTypes.map((type) => {
            const facts = instanceFacts(type)!;
            const room = karpenterRoom(facts, model.containerInsights);
            const nodesAtLimit = Math.floor(pool.cpuLimit / facts.vcpu);
            const perRunner = own.map((r) => model.jobsPerNode(room, r.jobPod));
            const jobsPerNode = perRunner.length === 0 ? 0 : Math.min(...perRunner);
            const pods = Math.min(room.pods, jobsPerNode || room.pods) + model.extraPods;
            return {
                shape: {
                    type,
                    vcpu: facts.vcpu,
                    room,
                    nodesAtLimit,
                    jobsPerNode,
                    jobsAtLimit: nodesAtLimit * jobsPerNode,
                    ipsPerNode: model.ipsPerNode(facts, pods),
                    usdPerHour: prices(pool, type, model.region),
                } satisfies PoolShape,
                perRunner,
            };
        });
        const bySize = [...shapes].sort((a, b) => a.shape.vcpu - b.shape.vcpu);

        own.forEach((r, i) => {
            const fitting = shapes.filter((s) => s.perRunner[i] > 0);
            const holds = (s: (typeof shapes)[number]) => s.shape.nodesAtLimit * s.perRunner[i];
            const bound = fitting.reduce((a, b) => (holds(b) < holds(a) ? b : a), fitting[0]);
            const capacity = bound ? holds(bound) : 0;
            const perNode = bound ? bound.perRunner[i] : 0;
            runnerCapacity.push({
                name: r.name,
                nodePool: pool.name,
                jobsPerNode: perNode,
                concurrent: r.concurrent,
                maxConcurrentJobs: Math.min(r.concurrent, capacity),
                rolloutPeakJobs: model.rolloutManagers * r.concurrent,
            });
            if (!bound) {
                findings.push({
                    severity: "error",
                    subject: `runners.${r.name}`,
                    message: `one job pod (${r.jobPod.cpuMillis}m CPU, ${Math.round(r.jobPod.memoryMiB)}Mi) fits no shape of node pool "${pool.name}"`,
                });
                return;
            }
            const peak = model.rolloutManagers * r.concurrent;
            if (peak > capacity) {
                // vCPUs for the peak at the bounding shape: whole nodes of it.
                const needed = Math.ceil(peak / perNode) * bound.shape.vcpu;
                findings.push({
                    severity: "error",
                    subject: `runners.${r.name}.concurrent`,
                    message:
                        r.concurrent > capacity
                            ? `${r.concurrent} jobs cannot run at once: node pool "${pool.name}" holds ${capacity} at its cpuLimit ${pool.cpuLimit} (${bound.shape.nodesAtLimit} × ${bound.shape.type} × ${perNode} jobs, the allowed shape that holds fewest); the rest would sit Pending until poll_timeout fails them. Lower concurrent or raise nodePools.${pool.name}.cpuLimit to ${needed} (room for a rollout too)`
                            : `${r.concurrent} jobs fit node pool "${pool.name}" (${capacity} at cpuLimit ${pool.cpuLimit}: ${bound.shape.nodesAtLimit} × ${bound.shape.type} × ${perNode}), but while the runner's manager is replaced the old one finishes up to ${r.concurrent} running jobs as the new one takes ${r.concurrent} more: ${peak} job pods. Raise nodePools.${pool.name}.cpuLimit to ${needed} (a ceiling, paid only when used) or lower concurrent to ${Math.floor(capacity / model.rolloutManagers)}`,
                });
            }
        });

        const holdsFewest = shapes.reduce((a, b) => (b.shape.jobsAtLimit < a.shape.jobsAtLimit ? b : a), shapes[0]);
        const demand = own.reduce((sum, r) => sum + r.concurrent, 0);
        if (own.length === 0)
            findings.push({ severity: "warning", subject: `nodePools.${pool.name}`, message: "no runner uses this pool" });
        else if (own.length > 1 && demand > holdsFewest.shape.jobsAtLimit)
            findings.push({
                severity: "warning",
                subject: `nodePools.${pool.name}`,
                message: `its runners may start ${demand} jobs together but it holds ${holdsFewest.shape.jobsAtLimit} at its cpuLimit; at peak they wait for each other`,
            });
        const priced = shapes.every((s) => s.shape.usdPerHour !== undefined);
        const monthly = (nodes: (s: (typeof shapes)[number]) => number, pick: "low" | "high", among = shapes) =>
            among.map((s) => nodes(s) * s.shape.usdPerHour![pick] * model.hoursPerMonth);
        // Every runner at its concurrent, on shapes that take all of the pool's job pods (its runners' at once).
        const ownCapacity = runnerCapacity.filter((r) => r.nodePool === pool.name);
        const loadShapes = shapes.filter((s) => s.perRunner.every((n) => n > 0));
        const loadNodes = (s: (typeof shapes)[number]) =>
            ownCapacity.reduce((sum, r, i) => sum + Math.ceil(r.maxConcurrentJobs / s.perRunner[i]), 0);
        const range = (values: number[]) => (values.length ? { low: Math.min(...values), high: Math.max(...values) } : undefined);
        return {
            name: pool.name,
            arch: pool.arch,
            capacityTypes: pool.capacityTypes,
            cpuLimit: pool.cpuLimit,
            subnets: pool.subnets,
            smallest: bySize[0].shape,
            largest: bySize[bySize.length - 1].shape,
            jobsAtLimit: holdsFewest.shape.jobsAtLimit,
            boundBy: holdsFewest.shape.type,
            ipsAtLimit: Math.max(...shapes.map((s) => s.shape.nodesAtLimit * s.shape.ipsPerNode)),
            usdPerMonthAtLimit: priced
                ? {
                      low: Math.min(...monthly((x) => x.shape.nodesAtLimit, "low")),
                      high: Math.max(...monthly((x) => x.shape.nodesAtLimit, "high")),
                  }
                : undefined,
            usdPerMonthAtFullLoad:
                priced && own.length > 0
                    ? range([...monthly(loadNodes, "low", loadShapes), ...monthly(loadNodes, "high", loadShapes)])
                    : priced
                      ? { low: 0, high: 0 }
                      : undefined,
        };
    });
    return { pools: planned, runners: runnerCapacity, findings };
}
