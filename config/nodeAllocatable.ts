// Per-node capacity model for EKS managed nodes on the AL2023 AMI (nodeadm), VPC CNI in ENI mode.
//
// What a runner pod can use on one node is worked out in three steps:
//
//   capacity            vcpu × 1000 millicores, nominal memory MiB, maxPods (EKS AMI, ENI mode)
//   − kube-reserved     nodeadm (awslabs/amazon-eks-ami nodeadm/internal/kubelet/config.go):
//                         CPU: 6 % of the first core, 1 % of the second, 0.5 % of cores 3–4,
//                              0.25 % of the rest, each band rounded down to whole millicores;
//                         memory: 11 MiB × maxPods + 255 MiB. No system-reserved is set.
//   − eviction-hard     memory.available < 100 MiB
//   = kubelet allocatable   (what `kubectl describe node` shows as Allocatable)
//   − DaemonSet requests the per-node add-ons of model/platformWorkloads.ts; each also takes one pod slot
//   = node allocatable  what is left for workload (runner job) pods
//
// Memory is an upper bound: kubelet starts from the kernel's MemTotal, which is a little below
// the nominal instance memory. The scheduler only counts requests, so add-ons without a memory
// request (aws-node, kube-proxy) cost no schedulable memory even though they use some.
// Results are clamped at zero: a node too small for its add-ons has nothing left, not a debt.
import { platformDaemonSets } from "../model/platformWorkloads";
import { InstanceFacts } from "./instanceTypes";

export const EVICTION_HARD_MEMORY_MIB = 100;

export interface Resources {
    readonly cpuMillis: number;
    readonly memoryMiB: number;
}

export interface PodResources extends Resources {
    readonly pods: number;
}

export interface DaemonSetContainerRequest {
    /** DaemonSet (one pod per node) the container belongs to. */
    readonly daemonSet: string;
    readonly container: string;
    readonly cpuMillis: number;
    /** 0 when the container sets no memory request. */
    readonly memoryMiB: number;
}

export interface NodeOptions {
    /** Whether the Container Insights DaemonSets (cloudwatch-agent, fluent-bit) run on the node. */
    readonly containerInsights: boolean;
}

// [upper bound of the band in millicores, reserved fraction in basis points (1/100 of a percent)]
const CPU_RESERVE_BANDS: readonly (readonly [number, number])[] = [
    [1000, 600],
    [2000, 100],
    [4000, 50],
    [Infinity, 25],
];

/** kube-reserved set by nodeadm for this instance type. */
export function kubeReserved(facts: InstanceFacts): Resources {
    const totalMillis = facts.vcpu * 1000;
    let cpuMillis = 0;
    let bandStart = 0;
    for (const [bandEnd, basisPoints] of CPU_RESERVE_BANDS) {
        if (totalMillis <= bandStart) break;
        cpuMillis += Math.floor(((Math.min(totalMillis, bandEnd) - bandStart) * basisPoints) / 10000);
        bandStart = bandEnd;
    }
    return { cpuMillis, memoryMiB: 11 * facts.maxPods + 255 };
}

/** Node Allocatable as the kubelet reports it: capacity − kube-reserved − eviction threshold. */
export function kubeletAllocatable(facts: InstanceFacts): PodResources {
    const reserved = kubeReserved(facts);
    return {
        cpuMillis: facts.vcpu * 1000 - reserved.cpuMillis,
        memoryMiB: facts.memoryMiB - reserved.memoryMiB - EVICTION_HARD_MEMORY_MIB,
        pods: facts.maxPods,
    };
}

/** The per-node DaemonSet containers that run with these options (the platform-workload catalogue's rows). */
export function daemonSetRequests(options: NodeOptions): readonly DaemonSetContainerRequest[] {
    return platformDaemonSets(options).flatMap((d) =>
        d.containers.map((c) => ({ daemonSet: d.daemonSet, container: c.name, cpuMillis: c.cpuMillis, memoryMiB: c.memoryMiB })),
    );
}

/** What is left for workload pods on one node once kubelet and the per-node DaemonSets are served. */
export function nodeAllocatable(facts: InstanceFacts, options: NodeOptions): PodResources {
    const kubelet = kubeletAllocatable(facts);
    const daemonSets = daemonSetRequests(options);
    const sum = (pick: (r: DaemonSetContainerRequest) => number) => daemonSets.reduce((total, r) => total + pick(r), 0);
    const daemonSetPods = new Set(daemonSets.map((r) => r.daemonSet)).size;
    return {
        cpuMillis: Math.max(0, kubelet.cpuMillis - sum((r) => r.cpuMillis)),
        memoryMiB: Math.max(0, kubelet.memoryMiB - sum((r) => r.memoryMiB)),
        pods: Math.max(0, kubelet.pods - daemonSetPods),
    };
}
