// `nodePools`: the job capacity of a stack whose node autoscaler is Karpenter (`addons.nodeAutoscaler: karpenter`).
// Each entry becomes one Karpenter NodePool and its EC2NodeClass (components/karpenter/nodePoolSpec.ts). A pool plays
// the part a `role: jobs` node group plays under Cluster Autoscaler: its nodes carry the same job label and taint, its
// runners select and tolerate them, and the capacity model plans it from the bounded set of shapes it may launch.
import { z } from "zod";
import { NodeRole, roleLabels, roleTaint, Taint } from "../model/labels";
import { CAPACITY_TYPES, CapacityType } from "../model/karpenter";
import { Arch, familyArch, instanceFacts, InstanceFacts, SUPPORTED_FAMILIES, SUPPORTED_SIZES, typesOf } from "./instanceTypes";
import { nodeAllocatable, PodResources } from "./nodeAllocatable";
import { joinPath, Problem, strictObject } from "./problems";
import type { SmallestNode } from "./runnerResources";

/**
 * Go-style durations as the NodePool CRD of the pinned release accepts them (pkg/apis/crds/karpenter.sh_nodepools.yaml
 * @v1.14.1: `consolidateAfter` and `expireAfter` match `^(([0-9]+(s|m|h))+|Never)$`, `terminationGracePeriod`
 * `^([0-9]+(s|m|h))+$`).
 */
const DURATION = /^([0-9]+(s|m|h))+$/;

/** Seconds of a duration like `1h30m` (undefined for `Never` or anything else). */
export function durationSeconds(d: string): number | undefined {
    if (!DURATION.test(d)) return undefined;
    const unit = { s: 1, m: 60, h: 3600 } as const;
    let total = 0;
    for (const [, n, u] of d.matchAll(/(\d+)([smh])/g)) total += Number(n) * unit[u as keyof typeof unit];
    return total;
}

/** A duration for a NodePool field: whole minutes as `Nm`, anything else as `Ns`. */
export function formatDuration(seconds: number): string {
    return seconds % 60 === 0 ? `${seconds / 60}m` : `${seconds}s`;
}

const duration = (allowNever: boolean) =>
    z.string().refine((d) => DURATION.test(d) || (allowNever && d === "Never"), {
        error: (iss) =>
            `${JSON.stringify(iss.input)} is not a duration like 10m, 1h30m or 336h${allowNever ? " (or Never)" : ""}; days are written in hours`,
    });

export const NODE_POOL_DEFAULTS = {
    /** Spot only where a stack opts in, as with node groups. */
    capacityTypes: ["on-demand"] as CapacityType[],
    /**
     * How long a node must be empty before it goes: long enough to bridge the gap between two stages of a pipeline
     * (the next stage reuses the warm node and its image cache), as Cluster Autoscaler's scale-down-unneeded-time here.
     */
    consolidateAfter: "10m",
    /** Karpenter's own default, written out (disruption.md, "Expiration": `720h`, 30 days). */
    expireAfter: "720h",
    /** Job nodes hold the shared image cache: as roomy as job node groups' default. */
    diskSizeGiB: 100,
};

const sizeList = (what: string, known: readonly string[]) =>
    z.array(z.string()).min(1, { error: `list at least one instance ${what} (known: ${known.join(", ")})` });

/** One entry of `nodePools`. */
export const nodePoolSchema = strictObject({
    /** CPU architecture of every node (→ requirement `kubernetes.io/arch`); every family must be of it. */
    arch: z.enum(["amd64", "arm64"]),
    /** → requirement `karpenter.sh/capacity-type`. With both, Karpenter launches Spot and falls back to on-demand. */
    capacityTypes: z
        .array(z.enum(CAPACITY_TYPES))
        .min(1, { error: `list at least one of ${CAPACITY_TYPES.join(", ")}` })
        .default(NODE_POOL_DEFAULTS.capacityTypes),
    /** → requirement `karpenter.k8s.aws/instance-family`. */
    instanceFamilies: sizeList("family", SUPPORTED_FAMILIES),
    /** → requirement `karpenter.k8s.aws/instance-size`; with the families, the bounded set of shapes the planner plans. */
    instanceSizes: sizeList("size", SUPPORTED_SIZES),
    /** → `spec.limits.cpu`: the most vCPUs (node capacity) the pool's nodes may add up to. */
    cpuLimit: z
        .number({ error: (iss) => (iss.input === undefined ? "is required" : "must be a whole number of vCPUs") })
        .int({ error: "must be a whole number of vCPUs" })
        .min(1, { error: "must be at least 1 vCPU" })
        .max(1_000_000, { error: "must be at most 1000000 vCPUs" }),
    /** → `spec.disruption.consolidateAfter`: how long a node must be empty before it goes. */
    consolidateAfter: duration(true).default(NODE_POOL_DEFAULTS.consolidateAfter),
    /** → `spec.template.spec.expireAfter`: the longest a node lives before it is drained and replaced. */
    expireAfter: duration(true).default(NODE_POOL_DEFAULTS.expireAfter),
    /**
     * → `spec.template.spec.terminationGracePeriod`: how long a node being disrupted waits for running jobs before
     * they are deleted. Default: the longest `maxJobTimeoutMinutes` of the pool's runners plus 5 minutes; never less
     * than that timeout.
     */
    terminationGracePeriod: duration(false).optional(),
    /** gp3 root volume in GiB (the node's image cache). */
    diskSizeGiB: z.number().int().min(20).max(16384).default(NODE_POOL_DEFAULTS.diskSizeGiB),
});
type NodePoolInput = z.output<typeof nodePoolSchema>;

/** A validated, fully defaulted node pool. */
export interface NodePoolConfig {
    readonly name: string;
    readonly role: Extract<NodeRole, "jobs">;
    readonly arch: Arch;
    readonly capacityTypes: readonly CapacityType[];
    readonly instanceFamilies: readonly string[];
    readonly instanceSizes: readonly string[];
    /** The supported types the families and sizes allow: every shape the pool can launch, as the planner sees it. */
    readonly instanceTypes: readonly string[];
    readonly cpuLimit: number;
    readonly consolidateAfter: string;
    readonly expireAfter: string;
    /** The given grace period, or the default from the pool's runners (filled in by resolvePoolGracePeriods). */
    readonly terminationGracePeriod: string;
    readonly diskSizeGiB: number;
    /** The role's labels (as a jobs node group's): what the nodes carry and the pool's runners select. */
    readonly labels: Readonly<Record<string, string>>;
    /** The role's taint: only job pods, which tolerate it, land on the nodes. */
    readonly taints: readonly Taint[];
    /** Pod subnets when the stack has them (as job node groups by default), else the cluster subnets. */
    readonly subnets: "cluster" | "pod";
}

/** Pool names become NodePool/EC2NodeClass names (DNS subdomains) and a label value: short lowercase DNS labels. */
const POOL_NAME = /^[a-z0-9]([-a-z0-9]{0,38}[a-z0-9])?$/;

export interface NodePoolContext {
    readonly hasPodSubnets: boolean;
    /** Names of the stack's node groups: a pool may not share one (both become the same node label value). */
    readonly nodeGroupNames: readonly string[];
}

/** Rules of each pool on its own; the grace period is defaulted later, once the pool's runners are known. */
export function resolveNodePools(
    pools: Record<string, NodePoolInput>,
    ctx: NodePoolContext,
): { pools: (NodePoolConfig & { readonly givenGracePeriod: boolean })[]; problems: Problem[] } {
    const problems: Problem[] = [];
    const out: (NodePoolConfig & { givenGracePeriod: boolean })[] = [];
    for (const [name, p] of Object.entries(pools)) {
        const at = (...rest: (string | number)[]) => joinPath("nodePools", name, ...rest);
        if (!POOL_NAME.test(name))
            problems.push({
                path: at(),
                message: `"${name}" is not a valid node pool name: 1–40 of [a-z0-9-], alphanumeric at both ends (it names the NodePool and EC2NodeClass and becomes a node label value)`,
            });
        if (ctx.nodeGroupNames.includes(name))
            problems.push({
                path: at(),
                message: `"${name}" is also a node group; both would label their nodes ${name}, so give the pool a name of its own`,
            });
        const listProblems = (field: "instanceFamilies" | "instanceSizes" | "capacityTypes", values: readonly string[]) =>
            values.forEach((v, i) => {
                if (values.indexOf(v) !== i) problems.push({ path: at(field, i), message: `"${v}" is listed twice` });
            });
        listProblems("capacityTypes", p.capacityTypes);
        listProblems("instanceFamilies", p.instanceFamilies);
        listProblems("instanceSizes", p.instanceSizes);
        p.instanceFamilies.forEach((f, i) => {
            const arch = familyArch(f);
            if (arch === undefined)
                problems.push({
                    path: at("instanceFamilies", i),
                    message: `"${f}" is not a known instance family (known: ${SUPPORTED_FAMILIES.join(", ")})`,
                });
            else if (arch !== p.arch)
                problems.push({
                    path: at("instanceFamilies", i),
                    message: `${f} is ${arch} but the pool is ${p.arch}: one pool has one architecture (known ${p.arch} families: ${SUPPORTED_FAMILIES.filter((x) => familyArch(x) === p.arch).join(", ")})`,
                });
        });
        p.instanceSizes.forEach((s, i) => {
            if (!SUPPORTED_SIZES.includes(s))
                problems.push({
                    path: at("instanceSizes", i),
                    message: `"${s}" is not a known instance size (known: ${SUPPORTED_SIZES.join(", ")})`,
                });
        });
        const instanceTypes = typesOf(
            p.instanceFamilies.filter((f) => familyArch(f) === p.arch),
            p.instanceSizes,
        );
        const knownLists =
            p.instanceFamilies.every((f) => familyArch(f) === p.arch) &&
            p.instanceSizes.every((s) => SUPPORTED_SIZES.includes(s));
        if (knownLists && instanceTypes.length === 0)
            problems.push({
                path: at("instanceSizes"),
                message: `no instance type is both of ${p.instanceFamilies.join(", ")} and of size ${p.instanceSizes.join(", ")}: Karpenter could launch nothing`,
            });
        const largest = instanceTypes.map((t) => instanceFacts(t)!).sort((a, b) => b.vcpu - a.vcpu)[0];
        if (largest && p.cpuLimit < largest.vcpu)
            problems.push({
                path: at("cpuLimit"),
                message: `${p.cpuLimit} is below one ${largest.name} (${largest.vcpu} vCPU): the limit counts node capacity, so Karpenter could never launch the pool's largest shape; raise it or drop the size`,
            });
        out.push({
            name,
            role: "jobs",
            arch: p.arch,
            capacityTypes: p.capacityTypes,
            instanceFamilies: p.instanceFamilies,
            instanceSizes: p.instanceSizes,
            instanceTypes,
            cpuLimit: p.cpuLimit,
            consolidateAfter: p.consolidateAfter,
            expireAfter: p.expireAfter,
            terminationGracePeriod: p.terminationGracePeriod ?? "",
            givenGracePeriod: p.terminationGracePeriod !== undefined,
            diskSizeGiB: p.diskSizeGiB,
            labels: roleLabels("jobs", name),
            taints: [roleTaint("jobs")],
            subnets: ctx.hasPodSubnets ? "pod" : "cluster",
        });
    }
    return { pools: out, problems };
}

/**
 * Each pool's terminationGracePeriod against its runners' job timeouts. While Karpenter drains a node (drift, expiry,
 * an interruption) running jobs keep it until this period ends, then are deleted: a period shorter than a job's timeout
 * can kill the job (disruption.md, "TerminationGracePeriod": remaining pods are forcibly deleted once it elapses, even
 * with a blocking PDB or `karpenter.sh/do-not-disrupt`). The default adds `marginSeconds` for the job's last upload.
 */
export function resolvePoolGracePeriods(
    pools: readonly (NodePoolConfig & { readonly givenGracePeriod: boolean })[],
    runners: readonly { readonly name: string; readonly nodePool?: string; readonly maxJobTimeoutMinutes: number }[],
    marginSeconds: number,
): { pools: NodePoolConfig[]; problems: Problem[] } {
    const problems: Problem[] = [];
    const resolved = pools.map(({ givenGracePeriod, ...pool }) => {
        const own = runners.filter((r) => r.nodePool === pool.name);
        const longest = own.reduce((best, r) => (r.maxJobTimeoutMinutes > best.maxJobTimeoutMinutes ? r : best), {
            name: "",
            maxJobTimeoutMinutes: 0,
        });
        if (!givenGracePeriod)
            return { ...pool, terminationGracePeriod: formatDuration(longest.maxJobTimeoutMinutes * 60 + marginSeconds) };
        const given = durationSeconds(pool.terminationGracePeriod)!;
        if (given < longest.maxJobTimeoutMinutes * 60)
            problems.push({
                path: joinPath("nodePools", pool.name, "terminationGracePeriod"),
                message: `${pool.terminationGracePeriod} is shorter than runners.${longest.name}.maxJobTimeoutMinutes (${longest.maxJobTimeoutMinutes} min): when Karpenter drains a node (a new AMI, expiry) a job still running at the end of it is deleted; use at least ${formatDuration(longest.maxJobTimeoutMinutes * 60)} (default: ${formatDuration(longest.maxJobTimeoutMinutes * 60 + marginSeconds)})`,
            });
        return pool;
    });
    return { pools: resolved, problems };
}

/** The capacity type a pool's jobs must be ready for: any Spot makes them interruptible. */
export function poolCapacityKind(pool: Pick<NodePoolConfig, "capacityTypes">): "SPOT" | "ON_DEMAND" {
    return pool.capacityTypes.includes("spot") ? "SPOT" : "ON_DEMAND";
}

/**
 * The share of memory Karpenter assumes the hypervisor keeps (chart values.yaml @v1.14.1 `settings.vmMemoryOverheadPercent:
 * 0.075`; reserved in config/addons/karpenter.ts so the controller and this plan agree).
 */
export const KARPENTER_VM_MEMORY_OVERHEAD = 0.075;

/**
 * A node's room as Karpenter sees it when it decides what to launch: the kubelet's room (nodeAllocatable.ts: Karpenter
 * sets the same kube-reserved and eviction threshold) with memory counted from what Karpenter believes the instance has —
 * its nominal memory, less 64 MiB on Graviton, less the VM overhead share (aws/karpenter-provider-aws
 * pkg/providers/instancetype/types.go `memory()` @v1.14.1). A job pod that fits only the larger, real room would get no
 * node from Karpenter, so pools are planned, and their job ceilings set, on this one.
 */
export function karpenterRoom(facts: InstanceFacts, containerInsights: boolean): PodResources {
    const kubelet = nodeAllocatable(facts, { containerInsights });
    const seen = facts.memoryMiB - (facts.arch === "arm64" ? 64 : 0);
    const believed = seen - Math.ceil(seen * KARPENTER_VM_MEMORY_OVERHEAD);
    return { ...kubelet, memoryMiB: Math.max(0, kubelet.memoryMiB - (facts.memoryMiB - believed)) };
}

/**
 * The largest shape a Karpenter node pool may launch: the allowed type with the most vCPUs (then memory). Karpenter
 * picks an instance type that fits the pending pod, so a job may ask for up to what this one type can give — CPU and
 * memory of the same type, which every ceiling then fits at once.
 */
export function largestNode(
    pool: { readonly name: string; readonly instanceTypes: readonly string[] },
    containerInsights: boolean,
): SmallestNode | undefined {
    const facts = pool.instanceTypes
        .map((t) => instanceFacts(t))
        .filter((f) => f !== undefined)
        .sort((a, b) => b.vcpu - a.vcpu || b.memoryMiB - a.memoryMiB)[0];
    if (!facts) return undefined;
    const a = karpenterRoom(facts, containerInsights);
    return {
        group: pool.name,
        where: `node pool "${pool.name}" (its largest shape)`,
        cpuMillis: a.cpuMillis,
        cpuType: facts.name,
        memoryMiB: a.memoryMiB,
        memoryType: facts.name,
        pods: a.pods,
    };
}
