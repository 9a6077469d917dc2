import type { AddonsConfig } from "./addons";
import { platformDeployments } from "../model/platformWorkloads";
import type { Finding } from "./problems";
import type { PodResources } from "./nodeAllocatable";
import { formatCpuMillis, formatMiB, parseCpuMillis, parseMemoryMiB } from "./quantities";
import type { RunnerConfig } from "./runners";

/** CPU and memory one platform pod requests on the management nodes (per replica × replicas). */
export interface PlatformPod {
    readonly name: string;
    readonly replicas: number;
    readonly cpuMillis: number;
    readonly memoryMiB: number;
}

/**
 * Everything the management nodes must hold: the enabled platform Deployments (model/platformWorkloads.ts) plus one
 * manager pod per runner. `fleetMetrics`: whether the fleet-metrics scraper runs (config/observability).
 */
export function managementPods(
    addons: Pick<AddonsConfig, "clusterAutoscaler" | "karpenter" | "metricsServer" | "containerInsights">,
    runners: readonly Pick<RunnerConfig, "name" | "manager">[],
    options: { readonly fleetMetrics?: boolean } = {},
): PlatformPod[] {
    const on = {
        clusterAutoscaler: addons.clusterAutoscaler.enabled,
        karpenter: addons.karpenter.enabled,
        metricsServer: addons.metricsServer.enabled,
        containerInsights: addons.containerInsights.enabled,
        fleetMetrics: options.fleetMetrics ?? false,
    };
    return [
        ...platformDeployments(on).map(({ name, replicas, cpuMillis, memoryMiB }) => ({ name, replicas, cpuMillis, memoryMiB })),
        ...runners.map((r) => ({
            name: `runner manager ${r.name}`,
            replicas: 1,
            cpuMillis: parseCpuMillis(r.manager.cpuRequest)!,
            memoryMiB: parseMemoryMiB(r.manager.memoryRequest)!,
        })),
    ];
}

export interface ManagementCapacity {
    readonly demand: PodResources;
    /** Room of all management nodes together, and with one node gone (an AMI update replaces them one at a time). */
    readonly room: PodResources;
    readonly roomLessOneNode: PodResources;
}

/**
 * Whether the management group holds its pods. Not fitting at all is an error (platform pods would sit Pending:
 * no autoscaling, no DNS, no runner); not fitting with one node gone is a warning (a node update or an AZ outage
 * would leave some Pending for its duration).
 */
export function checkManagementRoom(
    group: { name: string; minSize: number; boundBy: string },
    perNode: PodResources,
    pods: readonly PlatformPod[],
): { capacity: ManagementCapacity; findings: Finding[] } {
    const demand = pods.reduce(
        (sum, p) => ({
            cpuMillis: sum.cpuMillis + p.replicas * p.cpuMillis,
            memoryMiB: sum.memoryMiB + p.replicas * p.memoryMiB,
            pods: sum.pods + p.replicas,
        }),
        { cpuMillis: 0, memoryMiB: 0, pods: 0 },
    );
    const times = (n: number): PodResources => ({
        cpuMillis: n * perNode.cpuMillis,
        memoryMiB: n * perNode.memoryMiB,
        pods: n * perNode.pods,
    });
    const capacity = { demand, room: times(group.minSize), roomLessOneNode: times(group.minSize - 1) };
    const fits = (room: PodResources) =>
        demand.cpuMillis <= room.cpuMillis && demand.memoryMiB <= room.memoryMiB && demand.pods <= room.pods;
    const need = `${formatCpuMillis(demand.cpuMillis)} CPU / ${formatMiB(demand.memoryMiB)} / ${demand.pods} pods`;
    const findings: Finding[] = [];
    if (!fits(capacity.room)) {
        findings.push({
            severity: "error",
            subject: `nodeGroups.${group.name}`,
            message: `its platform pods and runner managers need ${need} but ${group.minSize} × ${group.boundBy} give ${formatCpuMillis(capacity.room.cpuMillis)} CPU / ${formatMiB(capacity.room.memoryMiB)} / ${capacity.room.pods} pods: some would sit Pending. Use a larger type or more nodes`,
        });
    } else if (!fits(capacity.roomLessOneNode)) {
        findings.push({
            severity: "warning",
            subject: `nodeGroups.${group.name}`,
            message: `with one of its ${group.minSize} nodes gone (an AMI update replaces them one at a time) ${need} no longer fit; platform pods would wait Pending meanwhile`,
        });
    }
    return { capacity, findings };
}
