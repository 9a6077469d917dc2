// `runners.<name>.quota`: the ResourceQuota of a runner's job namespace, so that pods a runner leaks or a runaway
// pipeline cannot take more than the runner was sized for (and, with an explicit quota, a runner cannot take all of a
// node group it shares).
//
// Derived default, per field:
//   pods   = 2 × concurrent: during a manager rollout the old manager finishes up to `concurrent` jobs while the new
//            one starts up to `concurrent` more (the capacity model's rollout peak, config/capacity.ts);
//   cpu    = requests.cpu    = min(2 × concurrent × one job at its ceilings, maxSize × the largest node's room);
//   memory = requests.memory = likewise. "One job at its ceilings" is the build, helper and one service container
//            each at its request ceiling (`*RequestMax`), but never more than one node can give: a pod larger than a
//            node never schedules. The group term is what twice the node group at maxSize can hold (a patch run
//            replaces a group blue/green: the draining generation still runs jobs beside the new one); for a Karpenter
//            node pool it is what twice `cpuLimit` vCPUs of nodes can hold, at the allowed shape with the most room per vCPU
//            (Karpenter may mix shapes). NodePool `spec.limits.cpu` counts node capacity, but not of nodes marked for
//            deletion (kubernetes-sigs/karpenter pkg/controllers/state/cluster.go updateNodePoolResources @v1.14.1):
//            while drifted or expired nodes drain their running jobs, their replacements may fill the limit again.
// Both terms bound what can really run, so the default never refuses a pod that could have been scheduled.
// The floor (an explicit quota below it is an error): what 2 × concurrent jobs at their default requests need. Below
// it the API server's ResourceQuota admission rejects job pods while the runner still takes jobs, and they fail.
import { z } from "zod";
import { instanceFacts } from "./instanceTypes";
import { nodeAllocatable } from "./nodeAllocatable";
import type { NodeGroupConfig } from "./nodeGroups";
import type { NodePoolConfig } from "./nodePools";
import { NODE_GENERATIONS, ROLLOUT_MANAGERS } from "./patching";
import { joinPath, Problem, strictObject } from "./problems";
import { formatCpuMillis, formatMiB, parseCpuMillis, parseMemoryMiB } from "./quantities";
import { cpuQuantity, memoryQuantity, RunnerResources } from "./runnerResources";

/** The schema of `quota` (a row of the runner option table); every field optional, unset ones are derived. */
export const jobQuotaSchema = strictObject({
    /** → ResourceQuota `pods`. */
    pods: z
        .number({ error: "must be a whole number of pods" })
        .int({ error: "must be a whole number of pods" })
        .min(1, { error: "must be at least 1" })
        .optional(),
    /** → ResourceQuota `requests.cpu`. */
    cpu: cpuQuantity.optional(),
    /** → ResourceQuota `requests.memory`. */
    memory: memoryQuantity.optional(),
}).optional();
export type JobQuotaInput = z.output<typeof jobQuotaSchema>;

/** A runner's resolved quota: Kubernetes quantities, and which fields were derived rather than given. */
export interface JobQuota {
    readonly pods: number;
    readonly cpu: string;
    readonly memory: string;
    readonly derived: readonly ("pods" | "cpu" | "memory")[];
}

/**
 * Where a runner's jobs run, as the quota sees it: a jobs node group (up to maxSize), a node pool (up to cpuLimit), or
 * Fargate (each job pod its own VM: only the jobs bound the quota; the account's vCPU quota is checked in fargate.ts).
 */
export type QuotaTarget =
    | Pick<NodeGroupConfig, "instanceTypes" | "maxSize">
    | Pick<NodePoolConfig, "instanceTypes" | "cpuLimit">
    | { readonly fargate: true };

/**
 * The most CPU and memory one node can give job pods (the largest instance type's room), and all nodes together: a
 * group's at maxSize of that node; a pool's at 2 × cpuLimit vCPUs (draining nodes plus their replacements) of the shape
 * with the most room per vCPU, a bound for any mix of shapes.
 */
function targetRoom(target: QuotaTarget, containerInsights: boolean) {
    if ("fargate" in target) {
        const unbounded = { cpuMillis: Infinity, memoryMiB: Infinity };
        return { node: unbounded, total: unbounded };
    }
    let cpuMillis = 0;
    let memoryMiB = 0;
    let cpuPerVcpu = 0;
    let memoryPerVcpu = 0;
    for (const type of target.instanceTypes) {
        const facts = instanceFacts(type);
        if (!facts) continue;
        const a = nodeAllocatable(facts, { containerInsights });
        cpuMillis = Math.max(cpuMillis, a.cpuMillis);
        memoryMiB = Math.max(memoryMiB, a.memoryMiB);
        cpuPerVcpu = Math.max(cpuPerVcpu, a.cpuMillis / facts.vcpu);
        memoryPerVcpu = Math.max(memoryPerVcpu, a.memoryMiB / facts.vcpu);
    }
    const total =
        "maxSize" in target
            ? {
                  cpuMillis: NODE_GENERATIONS * target.maxSize * cpuMillis,
                  memoryMiB: NODE_GENERATIONS * target.maxSize * memoryMiB,
              }
            : {
                  cpuMillis: NODE_GENERATIONS * target.cpuLimit * cpuPerVcpu,
                  memoryMiB: NODE_GENERATIONS * target.cpuLimit * memoryPerVcpu,
              };
    return { node: { cpuMillis, memoryMiB }, total };
}

const cpuText = (millis: number) => (millis % 1000 === 0 ? String(millis / 1000) : `${millis}m`);
const memText = (mib: number) => (mib % 1024 === 0 ? `${mib / 1024}Gi` : `${mib}Mi`);

/** What 2 × concurrent jobs at default requests need (build + helper), and the derived default. */
export function quotaBounds(
    concurrent: number,
    resources: RunnerResources,
    target: QuotaTarget,
    containerInsights: boolean,
): { need: { pods: number; cpuMillis: number; memoryMiB: number }; derived: JobQuota } {
    const pods = ROLLOUT_MANAGERS * concurrent;
    const { build, helper, services } = resources;
    const sum = (parse: (q: string) => number | undefined, qs: string[]) => qs.reduce((t, q) => t + parse(q)!, 0);
    const { node: room, total } = targetRoom(target, containerInsights);
    const jobCpu = Math.min(
        sum(parseCpuMillis, [build.cpuRequestMax, helper.cpuRequestMax, services.cpuRequestMax]),
        room.cpuMillis,
    );
    const jobMem = Math.min(
        sum(parseMemoryMiB, [build.memoryRequestMax, helper.memoryRequestMax, services.memoryRequestMax]),
        room.memoryMiB,
    );
    const cpuMillis = Math.ceil(Math.min(pods * jobCpu, total.cpuMillis));
    const memoryMiB = Math.ceil(Math.min(pods * jobMem, total.memoryMiB));
    return {
        need: {
            pods,
            cpuMillis: pods * sum(parseCpuMillis, [build.cpuRequest, helper.cpuRequest]),
            memoryMiB: pods * sum(parseMemoryMiB, [build.memoryRequest, helper.memoryRequest]),
        },
        derived: { pods, cpu: cpuText(cpuMillis), memory: memText(memoryMiB), derived: ["pods", "cpu", "memory"] },
    };
}

/** Fills a runner's quota from the derived default and checks the given fields against what `concurrent` needs. */
export function resolveJobQuota(
    input: JobQuotaInput,
    runner: { name: string; concurrent: number; resources: RunnerResources },
    target: QuotaTarget,
    containerInsights: boolean,
): { quota: JobQuota; problems: Problem[] } {
    const problems: Problem[] = [];
    const at = (field: string) => joinPath("runners", runner.name, "quota", field);
    const { need, derived } = quotaBounds(runner.concurrent, runner.resources, target, containerInsights);
    const why = `${ROLLOUT_MANAGERS} × concurrent ${runner.concurrent} jobs (a replaced manager's running jobs plus the new manager's)`;
    if (input?.pods !== undefined && input.pods < need.pods) {
        problems.push({
            path: at("pods"),
            message: `${input.pods} is below the ${need.pods} pods of ${why}: the API server would reject job pods over the quota and those jobs fail; raise it or lower concurrent`,
        });
    }
    if (input?.cpu !== undefined && parseCpuMillis(input.cpu)! < need.cpuMillis) {
        problems.push({
            path: at("cpu"),
            message: `${input.cpu} is below the ${formatCpuMillis(need.cpuMillis)} CPU that ${why} request at the default build + helper requests; raise it or lower concurrent`,
        });
    }
    if (input?.memory !== undefined && parseMemoryMiB(input.memory)! < need.memoryMiB) {
        problems.push({
            path: at("memory"),
            message: `${input.memory} is below the ${formatMiB(need.memoryMiB)} of memory that ${why} request at the default build + helper requests; raise it or lower concurrent`,
        });
    }
    return {
        quota: {
            pods: input?.pods ?? derived.pods,
            cpu: input?.cpu ?? derived.cpu,
            memory: input?.memory ?? derived.memory,
            derived: derived.derived.filter((f) => input?.[f] === undefined),
        },
        problems,
    };
}
