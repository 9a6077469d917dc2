// What one node of a job group holds and takes (pure): the room every node is sure to have, jobs per node, the
// addresses a node takes from its subnet, its hourly price. The formulas are stated in config/capacity.ts.
import { parseCidr, usableSubnetAddresses } from "./cidr";
import { InstanceFacts, onDemandPrice, spotSavings } from "./instanceTypes";
import type { NetworkConfig } from "./network";
import type { PodResources } from "./nodeAllocatable";
import type { NodeGroupConfig } from "./nodeGroups";
import { parseCpuMillis, parseMemoryMiB } from "./quantities";
import { smallestNode } from "./runnerResources";
import type { RunnerConfig } from "./runners";

/** What one runner asks of its node group or node pool. */
export interface RunnerDemand {
    readonly name: string;
    readonly nodeGroup?: string;
    readonly nodePool?: string;
    readonly concurrent: number;
    /** Requests of one job pod at the runner's defaults (build + helper containers). */
    readonly jobPod: { readonly cpuMillis: number; readonly memoryMiB: number };
}

/** The room every node of the group is sure to have, and the type(s) that bound it (least CPU, least memory). */
export function groupRoom(
    group: Pick<NodeGroupConfig, "name" | "instanceTypes">,
    containerInsights: boolean,
): { room: PodResources; boundBy: string } {
    const node = smallestNode(group, containerInsights)!;
    return {
        room: { cpuMillis: node.cpuMillis, memoryMiB: node.memoryMiB, pods: node.pods },
        boundBy: node.cpuType === node.memoryType ? node.cpuType : `${node.cpuType}/${node.memoryType}`,
    };
}

/** Requests of one job pod at a runner's defaults: build + helper containers (services only when a job adds them). */
export function runnerDemand(
    r: Pick<RunnerConfig, "name" | "nodeGroup" | "nodePool" | "concurrent" | "resources">,
): RunnerDemand {
    const { build, helper } = r.resources;
    return {
        name: r.name,
        ...(r.nodePool !== undefined ? { nodePool: r.nodePool } : { nodeGroup: r.nodeGroup }),
        concurrent: r.concurrent,
        jobPod: {
            cpuMillis: parseCpuMillis(build.cpuRequest)! + parseCpuMillis(helper.cpuRequest)!,
            memoryMiB: parseMemoryMiB(build.memoryRequest)! + parseMemoryMiB(helper.memoryRequest)!,
        },
    };
}

/** Usable addresses of the pod subnets (AWS keeps 5 per subnet). */
export function podSubnetFreeIps(network: Pick<NetworkConfig, "podSubnets">): number | undefined {
    return network.podSubnets?.subnets.reduce((sum, s) => sum + usableSubnetAddresses(parseCidr(s.cidrBlock)!), 0);
}

export function jobsPerNode(room: PodResources, jobPod: RunnerDemand["jobPod"]): number {
    return Math.max(
        0,
        Math.min(Math.floor(room.cpuMillis / jobPod.cpuMillis), Math.floor(room.memoryMiB / jobPod.memoryMiB), room.pods),
    );
}

/** Addresses a node takes from its subnet when it runs `pods` pods that need one (warm ENI included). */
export function ipsPerNode(facts: InstanceFacts, pods: number): number {
    const podsPerEni = facts.ipv4PerEni - 1;
    const enis = Math.min(facts.maxEnis, Math.ceil(pods / podsPerEni) + 1);
    return Math.max(1, enis) * facts.ipv4PerEni;
}

export function hourlyPrice(group: NodeGroupConfig, facts: InstanceFacts, region: string): number | undefined {
    const onDemand = onDemandPrice(facts.name, region);
    if (onDemand === undefined) return undefined;
    if (group.capacityType === "ON_DEMAND") return onDemand;
    const savings = spotSavings(facts.name, region);
    return savings ? onDemand * (1 - savings.savingsPct / 100) : onDemand;
}
