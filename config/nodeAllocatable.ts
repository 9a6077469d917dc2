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
//   − DaemonSet requests the per-node add-ons below; each also takes one pod slot
//   = node allocatable  what is left for workload (runner job) pods
//
// Memory is an upper bound: kubelet starts from the kernel's MemTotal, which is a little below
// the nominal instance memory. The scheduler only counts requests, so add-ons without a memory
// request (aws-node, kube-proxy) cost no schedulable memory even though they use some.
// Results are clamped at zero: a node too small for its add-ons has nothing left, not a debt.
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

/**
 * Requests of the per-node DaemonSets, per container (from the add-ons' manifests and charts):
 * - aws-node: VPC CNI v1.23.1 (aws-node and aws-eks-nodeagent containers, 25m each, no memory);
 * - kube-proxy: EKS add-on (100m, no memory request);
 * - eks-pod-identity-agent: chart default `resources: {}`, so nothing;
 * - cloudwatch-agent and fluent-bit: amazon-cloudwatch-observability 6.4.0 chart defaults.
 * Left out on purpose: the aws-vpc-cni-init init container (init requests are not added to the
 * running containers'), node-exporter (only with otelContainerInsights, off by default),
 * dcgm-exporter and neuron-monitor (GPU/Neuron nodes only), and the observability operator's
 * controller-manager (a one-replica Deployment, not per node).
 */
export const DAEMONSET_REQUESTS: {
    /** On every node. */
    readonly base: readonly DaemonSetContainerRequest[];
    /** Only when Container Insights (the amazon-cloudwatch-observability add-on) is enabled. */
    readonly containerInsights: readonly DaemonSetContainerRequest[];
} = {
    base: [
        { daemonSet: "aws-node", container: "aws-node", cpuMillis: 25, memoryMiB: 0 },
        { daemonSet: "aws-node", container: "aws-eks-nodeagent", cpuMillis: 25, memoryMiB: 0 },
        { daemonSet: "kube-proxy", container: "kube-proxy", cpuMillis: 100, memoryMiB: 0 },
        { daemonSet: "eks-pod-identity-agent", container: "eks-pod-identity-agent", cpuMillis: 0, memoryMiB: 0 },
    ],
    containerInsights: [
        { daemonSet: "cloudwatch-agent", container: "cloudwatch-agent", cpuMillis: 250, memoryMiB: 128 },
        { daemonSet: "fluent-bit", container: "fluent-bit", cpuMillis: 50, memoryMiB: 25 },
    ],
};

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

/** The per-node DaemonSet containers that run with these options. */
export function daemonSetRequests(options: NodeOptions): readonly DaemonSetContainerRequest[] {
    return options.containerInsights
        ? [...DAEMONSET_REQUESTS.base, ...DAEMONSET_REQUESTS.containerInsights]
        : DAEMONSET_REQUESTS.base;
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
