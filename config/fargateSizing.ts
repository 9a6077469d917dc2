// How Fargate sizes a pod, as a pure function (EKS user guide, "Understand Fargate Pod configuration details",
// https://docs.aws.amazon.com/eks/latest/userguide/fargate-pod-configuration.html):
//   request = max(largest init container, sum of the long-running containers' requests), for vCPU and memory apart;
//   memory += 256 MiB for kubelet, kube-proxy and containerd;
//   the pod gets the smallest vCPU/memory combination of FARGATE_POD_SIZES at or above both (so the added memory can
//   raise the vCPU: 1 vCPU + 8 GB → 2 vCPU, 9 GB); no request at all → 0.25 vCPU, 0.5 GB.
// A GitLab job pod's long-running containers are build, helper and its services; its one init container
// (init-permissions) runs with the helper's resources, so the sum always wins for job pods.
import {
    FARGATE_KUBERNETES_MIB,
    FARGATE_POD_SIZES,
    FARGATE_PRICES,
    FargatePrices,
    FARGATE_STORAGE,
    provisionedStorageGiB,
} from "./fargateFacts";

export interface PodRequest {
    readonly cpuMillis: number;
    readonly memoryMiB: number;
}

/** A Fargate pod size: vCPUs and memory in GiB (0.5 steps only at 0.25 vCPU). */
export interface FargateSize {
    readonly vcpu: number;
    readonly memoryGiB: number;
}

/** The containers of a pod, by kind: what Fargate adds up and what it takes the largest of. */
export interface PodContainers {
    readonly init?: readonly PodRequest[];
    readonly containers: readonly PodRequest[];
}

/** max(largest init container, Σ long-running containers), for CPU and memory separately. */
export function podRequest(pod: PodContainers): PodRequest {
    const sum = pod.containers.reduce(
        (t, c) => ({ cpuMillis: t.cpuMillis + c.cpuMillis, memoryMiB: t.memoryMiB + c.memoryMiB }),
        {
            cpuMillis: 0,
            memoryMiB: 0,
        },
    );
    const init = pod.init ?? [];
    return {
        cpuMillis: Math.max(sum.cpuMillis, ...init.map((c) => c.cpuMillis)),
        memoryMiB: Math.max(sum.memoryMiB, ...init.map((c) => c.memoryMiB)),
    };
}

/** Every allowed size, smallest first (by vCPU, then memory). */
export function fargateSizes(): FargateSize[] {
    const out: FargateSize[] = [];
    for (const row of FARGATE_POD_SIZES)
        for (let gib: number = row.minGiB; gib <= row.maxGiB; gib += row.stepGiB) out.push({ vcpu: row.vcpu, memoryGiB: gib });
    return out;
}
const SIZES = fargateSizes();

/**
 * The size Fargate provisions for a pod request (already max(init, Σ containers)): the request's memory plus 256 MiB,
 * rounded up to the first allowed combination that holds both. Undefined above 16 vCPU / 120 GB: no Fargate pod fits.
 */
export function fargatePodSize(request: PodRequest): FargateSize | undefined {
    const memoryMiB = request.memoryMiB + FARGATE_KUBERNETES_MIB;
    return SIZES.find((s) => s.vcpu * 1000 >= request.cpuMillis && s.memoryGiB * 1024 >= memoryMiB);
}

/** GiB of ephemeral storage billed per pod: what Fargate provisions for the requests beyond the included 20 GiB. */
export function billedStorageGiB(requestGiB: number | undefined): number {
    if (requestGiB === undefined) return 0;
    return Math.max(0, provisionedStorageGiB(requestGiB) - FARGATE_STORAGE.includedGiB);
}

/** USD for one pod-hour of a size (and storage request) at a region's prices; undefined storage price counts 0. */
export function podHourUsd(size: FargateSize, storageRequestGiB: number | undefined, prices: FargatePrices): number {
    return (
        size.vcpu * prices.vcpuHour +
        size.memoryGiB * prices.gbHour +
        billedStorageGiB(storageRequestGiB) * (prices.storageGbHour ?? 0)
    );
}

/** The region's Fargate prices, or undefined when the table has none. */
export function fargatePrices(region: string): FargatePrices | undefined {
    return Object.prototype.hasOwnProperty.call(FARGATE_PRICES, region) ? FARGATE_PRICES[region] : undefined;
}

/** Billed seconds of a pod that ran `seconds` (image pull included): whole seconds, at least one minute. */
export function billedSeconds(seconds: number, minimum: number): number {
    return Math.max(minimum, Math.ceil(seconds));
}

export const describeSize = (s: FargateSize) => `${s.vcpu} vCPU / ${s.memoryGiB} GB`;
