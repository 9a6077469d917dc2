import { parseCidr, usableSubnetAddresses } from "./cidr";
import { HOURS_PER_MONTH, instanceFacts, InstanceFacts, onDemandPrice, PRICES_AS_OF, spotSavings } from "./instanceTypes";
import type { NetworkConfig } from "./network";
import { PodResources } from "./nodeAllocatable";
import { allNodeGroups, NodeGroupConfig } from "./nodeGroups";
import { parseCpuMillis, parseMemoryMiB } from "./quantities";
import { smallestNode } from "./runnerResources";
import type { RunnerConfig } from "./runners";
import { checkManagementRoom, ManagementCapacity, PlatformPod } from "./managementCapacity";
import { NODE_GENERATIONS, ROLLOUT_MANAGERS } from "./patching";
import type { Finding } from "./problems";
import { platformDaemonSets } from "../model/platformWorkloads";
import type { NodePoolConfig } from "./nodePools";
import { PoolCapacity, planPools } from "./poolCapacity";
import type { WarmCapacityPlan } from "./warmPlan";
import { vmRunnerCapacity, VmRunnerCapacity } from "./vmRunners/capacity";
import type { VmRunnerConfig } from "./vmRunners/resolve";

export type { Finding } from "./problems";

/**
 * The capacity model (pure). For every job group and runner, from the instance facts:
 *
 * - **Node room** = `nodeAllocatable` (capacity − kube-reserved − eviction threshold − per-node DaemonSet
 *   requests), taking for CPU, memory and pod slots each the least any of the group's types offers, so a group
 *   of mixed types is never over-promised.
 * - **Jobs per node** for a runner = min(⌊CPU room / job pod CPU⌋, ⌊memory room / job pod memory⌋, pod slots), where
 *   the job pod is the build container's request plus the helper's (services only when a job asks for them).
 * - **Max concurrent jobs** of a runner = min(`concurrent`, maxSize × jobs per node). Runners sharing a group
 *   share its nodes: the group's capacity is maxSize × jobs per node of its largest job pod.
 * - **Rollout peak**: when a runner's manager is replaced (a chart or config change rolls its Deployment, or its
 *   management node is replaced), the old manager stops taking jobs but finishes its running ones — up to
 *   `concurrent` — while the new one already takes up to `concurrent`: 2 × concurrent job pods at once. They must fit
 *   the group at maxSize, or the excess waits Pending until `poll_timeout` fails it. maxSize is a ceiling, not a cost.
 * - **Pod IPs** (VPC CNI, ENI mode, default `WARM_ENI_TARGET=1`): a node attaches enough ENIs for its pods
 *   (each ENI gives `IPv4 per ENI − 1` pod addresses) plus one warm spare ENI, capped at the type's maximum,
 *   and every attached ENI holds all of its addresses: IPs per node = ENIs × IPv4 per ENI.
 * - **Cost**: on-demand price per hour × 730 h; Spot shown at the Spot Advisor's saving for the type and region.
 *   The EKS control plane costs 0.10 USD/h in standard support.
 */
export { HOURS_PER_MONTH };
export const CONTROL_PLANE_USD_PER_HOUR = 0.1;
/** Pods per management node that take a VPC address, for its IP estimate. */
export const MANAGEMENT_PODS_PER_NODE = 10;
/** Below this share of free addresses left at full scale, the plan warns. */
export const MIN_IP_HEADROOM = 0.2;

/** What one runner asks of its node group or node pool. */
export interface RunnerDemand {
    readonly name: string;
    readonly nodeGroup?: string;
    readonly nodePool?: string;
    readonly concurrent: number;
    /** Requests of one job pod at the runner's defaults (build + helper containers). */
    readonly jobPod: { readonly cpuMillis: number; readonly memoryMiB: number };
}

export interface GroupCapacity {
    readonly name: string;
    readonly role: NodeGroupConfig["role"];
    /** The instance type(s) whose room bounds every node of the group. */
    readonly boundBy: string;
    readonly room: PodResources;
    readonly minSize: number;
    readonly maxSize: number;
    readonly ipsPerNode: number;
    readonly ipsAtFullScale: number;
    /** Max concurrent jobs at full scale for the group's runners (0 for management). */
    readonly jobsAtFullScale: number;
    readonly usdPerHourPerNode?: number;
}

export interface RunnerCapacity {
    readonly name: string;
    /** Where its jobs run: a jobs node group, or a node pool (capacity at the pool's limit; poolCapacity.ts). */
    readonly nodeGroup?: string;
    readonly nodePool?: string;
    readonly jobsPerNode: number;
    readonly concurrent: number;
    readonly maxConcurrentJobs: number;
    /** Job pods at once while its manager is replaced: the old one's running jobs plus the new one's. */
    readonly rolloutPeakJobs: number;
}

export { NODE_GENERATIONS, ROLLOUT_MANAGERS };

export interface SubnetPool {
    readonly name: "cluster" | "pod";
    /** Free addresses, or undefined when not known offline (existing subnets without `network.freeIpAddresses`). */
    readonly freeIps?: number;
    readonly ipsAtFullScale: number;
}

export interface CapacityReport {
    readonly groups: readonly GroupCapacity[];
    /** Karpenter node pools at their cpuLimit (empty with Cluster Autoscaler). */
    readonly nodePools: readonly PoolCapacity[];
    readonly runners: readonly RunnerCapacity[];
    /** VM runners: concurrency, idle schedule and cost (config/vmRunners/capacity.ts); not in `cost` below. */
    readonly vmRunners: readonly VmRunnerCapacity[];
    readonly pools: readonly SubnetPool[];
    readonly totalConcurrentJobs: number;
    /** Runners with `warmCapacity`: pause pods and warm nodes per policy, weekly cost (config/warmPlan.ts). */
    readonly warm?: readonly WarmCapacityPlan[];
    /** Demand on the management group against its room (when managementPods were given). */
    readonly management?: ManagementCapacity;
    readonly cost: {
        readonly idleUsdPerMonth?: number;
        /** Every group at maxSize and every pool at its limit (dearest allowed shape): the ceiling. */
        readonly fullScaleUsdPerMonth?: number;
        /** The same with every pool on its cheapest allowed shape and capacity type (only when there are pools). */
        readonly fullScaleLowUsdPerMonth?: number;
        /** Every runner at its `concurrent`, in as few nodes as that takes (the management group as is; pools: dearest). */
        readonly fullLoadUsdPerMonth?: number;
        /** The same with pools at their cheapest (only when there are pools). */
        readonly fullLoadLowUsdPerMonth?: number;
        readonly pricesAsOf?: string;
        readonly region: string;
    };
    readonly findings: readonly Finding[];
}

export interface CapacityInput {
    readonly region: string;
    /** The management group may be left out (its room is then not checked). */
    readonly nodeGroups: { readonly management?: NodeGroupConfig; readonly jobs: readonly NodeGroupConfig[] };
    /** Karpenter node pools (none with Cluster Autoscaler). */
    readonly nodePools?: readonly NodePoolConfig[];
    readonly runners: readonly RunnerDemand[];
    readonly containerInsights: boolean;
    /** Usable addresses of the pod subnets (from their CIDRs), if configured. */
    readonly podSubnetFreeIps?: number;
    /** Free addresses in `network.subnetIds`, if the stack states them. */
    readonly clusterSubnetFreeIps?: number;
    /** Pods that must fit on the management group (platform pods and runner managers); none: not checked. */
    readonly managementPods?: readonly PlatformPod[];
    /** VM runners: their VMs take one address each in `network.subnetIds`. */
    readonly vmRunners?: readonly VmRunnerConfig[];
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

function hourlyPrice(group: NodeGroupConfig, facts: InstanceFacts, region: string): number | undefined {
    const onDemand = onDemandPrice(facts.name, region);
    if (onDemand === undefined) return undefined;
    if (group.capacityType === "ON_DEMAND") return onDemand;
    const savings = spotSavings(facts.name, region);
    return savings ? onDemand * (1 - savings.savingsPct / 100) : onDemand;
}

/** Nodes a group needs when all its runners run `concurrent` jobs (a management group: its fixed size). */
function nodesAtFullLoad(g: GroupCapacity, runners: readonly RunnerCapacity[]): number {
    const own = runners.filter((r) => r.nodeGroup === g.name && r.jobsPerNode > 0);
    if (g.role === "management") return g.minSize;
    const nodes = own.reduce((sum, r) => sum + r.maxConcurrentJobs / r.jobsPerNode, 0);
    return Math.min(g.maxSize, Math.max(g.minSize, Math.ceil(nodes)));
}

export function planCapacity(input: CapacityInput): CapacityReport {
    const findings: Finding[] = [];
    // DaemonSet pods per node that take a VPC address besides jobs (the others use the host network).
    const extraPods = platformDaemonSets({ containerInsights: input.containerInsights }).filter((d) => d.podIp).length;
    const runners: RunnerCapacity[] = [];
    const groups: GroupCapacity[] = allNodeGroups(input.nodeGroups).map((g) => {
        const isJobs = g !== input.nodeGroups.management;
        const { room, boundBy } = groupRoom(g, input.containerInsights);
        const own = input.runners.filter((r) => r.nodeGroup === g.name);
        let groupJobsPerNode = 0;
        for (const r of own) {
            const perNode = jobsPerNode(room, r.jobPod);
            const capacity = perNode * g.maxSize;
            runners.push({
                name: r.name,
                nodeGroup: g.name,
                jobsPerNode: perNode,
                concurrent: r.concurrent,
                maxConcurrentJobs: Math.min(r.concurrent, capacity),
                rolloutPeakJobs: ROLLOUT_MANAGERS * r.concurrent,
            });
            if (perNode === 0) {
                findings.push({
                    severity: "error",
                    subject: `runners.${r.name}`,
                    message: `one job pod (${r.jobPod.cpuMillis}m CPU, ${Math.round(r.jobPod.memoryMiB)}Mi) does not fit a ${boundBy} node of "${g.name}"`,
                });
            } else if (r.concurrent > capacity) {
                findings.push({
                    severity: "error",
                    subject: `runners.${r.name}.concurrent`,
                    message: `${r.concurrent} jobs cannot run at once: "${g.name}" holds ${capacity} (${g.maxSize} × ${perNode} per ${boundBy}); the rest would sit Pending until poll_timeout fails them. Lower concurrent or raise nodeGroups.${g.name}.maxSize to ${Math.ceil((ROLLOUT_MANAGERS * r.concurrent) / perNode)} (room for a rollout too)`,
                });
            } else if (ROLLOUT_MANAGERS * r.concurrent > capacity) {
                findings.push({
                    severity: "error",
                    subject: `runners.${r.name}.concurrent`,
                    message: `${r.concurrent} jobs fit "${g.name}" (${capacity}: ${g.maxSize} × ${perNode} per ${boundBy}), but while the runner's manager is replaced (a chart or config change, a management node patch) the old one finishes up to ${r.concurrent} running jobs as the new one takes ${r.concurrent} more: ${ROLLOUT_MANAGERS * r.concurrent} job pods, and the excess would fail after poll_timeout. Raise nodeGroups.${g.name}.maxSize to ${Math.ceil((ROLLOUT_MANAGERS * r.concurrent) / perNode)} (a ceiling, paid only when used) or lower concurrent to ${Math.floor(capacity / ROLLOUT_MANAGERS)}`,
                });
            }
            groupJobsPerNode = groupJobsPerNode === 0 ? perNode : Math.min(groupJobsPerNode, perNode);
        }
        const jobsAtFullScale = groupJobsPerNode * g.maxSize;
        const demand = own.reduce((sum, r) => sum + r.concurrent, 0);
        if (own.length > 1 && demand > jobsAtFullScale) {
            findings.push({
                severity: "warning",
                subject: `nodeGroups.${g.name}`,
                message: `its runners may start ${demand} jobs together but it holds ${jobsAtFullScale}; at peak they wait for each other`,
            });
        } else if (own.length > 1 && ROLLOUT_MANAGERS * demand > jobsAtFullScale) {
            findings.push({
                severity: "warning",
                subject: `nodeGroups.${g.name}`,
                message: `its runners fit (${demand} of ${jobsAtFullScale} jobs), but when all their managers are replaced at once (a management node patch) up to ${ROLLOUT_MANAGERS * demand} job pods may exist; the excess would wait for running jobs and could fail after poll_timeout`,
            });
        }
        if (isJobs && own.length === 0)
            findings.push({ severity: "warning", subject: `nodeGroups.${g.name}`, message: "no runner uses this group" });
        // Management nodes: the platform pods and managers with a VPC address (a handful) plus the DaemonSets'.
        const podsPerNode = isJobs ? Math.min(room.pods, groupJobsPerNode || room.pods) + extraPods : MANAGEMENT_PODS_PER_NODE;
        // The type that takes the most addresses and the dearest type bound the group (conservative for mixed groups).
        const types = g.instanceTypes.map((t) => instanceFacts(t)!);
        const perNodeIps = Math.max(...types.map((t) => ipsPerNode(t, podsPerNode)));
        const prices = types.map((t) => hourlyPrice(g, t, input.region));
        return {
            name: g.name,
            role: g.role,
            boundBy,
            room,
            minSize: g.minSize,
            maxSize: g.maxSize,
            ipsPerNode: perNodeIps,
            ipsAtFullScale: perNodeIps * g.maxSize,
            jobsAtFullScale,
            usdPerHourPerNode: prices.includes(undefined) ? undefined : Math.max(...(prices as number[])),
        };
    });

    const nodePools = planPools(input.nodePools ?? [], input.runners, {
        jobsPerNode,
        ipsPerNode,
        extraPods,
        containerInsights: input.containerInsights,
        region: input.region,
        rolloutManagers: ROLLOUT_MANAGERS,
        hoursPerMonth: HOURS_PER_MONTH,
    });
    runners.push(...nodePools.runners);
    findings.push(...nodePools.findings);

    const vmRunners = (input.vmRunners ?? []).map((vm) => {
        const checked = vmRunnerCapacity(vm, input.region);
        findings.push(...checked.findings);
        return checked.capacity;
    });
    const pools: SubnetPool[] = (["cluster", "pod"] as const)
        .map((name) => ({
            name,
            freeIps: name === "pod" ? input.podSubnetFreeIps : input.clusterSubnetFreeIps,
            ipsAtFullScale:
                groups
                    .filter((g) => allNodeGroups(input.nodeGroups).find((c) => c.name === g.name)!.subnets === name)
                    .reduce((s, g) => s + g.ipsAtFullScale, 0) +
                nodePools.pools.filter((p) => p.subnets === name).reduce((s, p) => s + p.ipsAtLimit, 0) +
                (name === "cluster" ? vmRunners.reduce((s, v) => s + v.ipsAtFullScale, 0) : 0),
        }))
        .filter((p) => p.ipsAtFullScale > 0 || p.freeIps !== undefined);
    for (const p of pools) {
        const where = p.name === "pod" ? "network.podSubnets" : "network.subnetIds";
        if (p.freeIps === undefined) {
            findings.push({
                severity: "warning",
                subject: where,
                message: `${p.ipsAtFullScale} addresses needed at full scale; free addresses unknown offline (set network.freeIpAddresses to check)`,
            });
        } else if (p.ipsAtFullScale > p.freeIps) {
            findings.push({
                severity: "error",
                subject: where,
                message: `${p.ipsAtFullScale} addresses needed at full scale but only ${p.freeIps} are free: nodes would start without pod IPs. Add pod subnets or lower ${nodePools.pools.some((x) => x.subnets === p.name) ? "maxSize or cpuLimit" : "maxSize"}`,
            });
        } else if (p.freeIps - p.ipsAtFullScale < MIN_IP_HEADROOM * p.freeIps) {
            findings.push({
                severity: "warning",
                subject: where,
                message: `${p.ipsAtFullScale} of ${p.freeIps} free addresses used at full scale: less than ${MIN_IP_HEADROOM * 100}% headroom`,
            });
        } else if (NODE_GENERATIONS * p.ipsAtFullScale > p.freeIps) {
            findings.push({
                severity: "warning",
                subject: where,
                message: `during a patch run both generations of a node group exist (the old one drains while the new one takes jobs)${nodePools.pools.some((x) => x.subnets === p.name) ? "; a node pool's drifted nodes leave its cpuLimit while they drain, so it may fill the limit again beside them" : ""}: at full scale ${NODE_GENERATIONS * p.ipsAtFullScale} addresses, more than the ${p.freeIps} free; patch when the fleet is not at full scale`,
            });
        }
    }

    let management: ManagementCapacity | undefined;
    const managementGroup = groups.find((g) => g.name === input.nodeGroups.management?.name);
    if (input.managementPods && managementGroup) {
        const checked = checkManagementRoom(managementGroup, managementGroup.room, input.managementPods);
        management = checked.capacity;
        findings.push(...checked.findings);
    }

    const priced =
        groups.every((g) => g.usdPerHourPerNode !== undefined) &&
        nodePools.pools.every((p) => p.usdPerMonthAtLimit !== undefined);
    if (!priced)
        findings.push({
            severity: "warning",
            subject: "cost",
            message: `no embedded prices for ${input.region} (prices cover ${Object.keys(PRICES_AS_OF).join(", ")})`,
        });
    const monthly = (size: (g: GroupCapacity) => number, poolsUsd: (p: PoolCapacity) => number = () => 0) =>
        priced
            ? HOURS_PER_MONTH * (CONTROL_PLANE_USD_PER_HOUR + groups.reduce((s, g) => s + size(g) * g.usdPerHourPerNode!, 0)) +
              nodePools.pools.reduce((s, p) => s + poolsUsd(p), 0)
            : undefined;
    const withPools = nodePools.pools.length > 0;

    return {
        groups,
        nodePools: nodePools.pools,
        runners,
        vmRunners,
        pools,
        totalConcurrentJobs: runners.reduce((s, r) => s + r.maxConcurrentJobs, 0),
        management,
        cost: {
            // A pool with no job running has no node: the idle floor is the node groups' minimum alone.
            idleUsdPerMonth: monthly((g) => g.minSize),
            fullScaleUsdPerMonth: monthly(
                (g) => g.maxSize,
                (p) => p.usdPerMonthAtLimit!.high,
            ),
            ...(withPools
                ? {
                      fullScaleLowUsdPerMonth: monthly(
                          (g) => g.maxSize,
                          (p) => p.usdPerMonthAtLimit!.low,
                      ),
                      fullLoadLowUsdPerMonth: monthly(
                          (g) => nodesAtFullLoad(g, runners),
                          (p) => p.usdPerMonthAtFullLoad?.low ?? 0,
                      ),
                  }
                : {}),
            fullLoadUsdPerMonth: monthly(
                (g) => nodesAtFullLoad(g, runners),
                (p) => p.usdPerMonthAtFullLoad?.high ?? 0,
            ),
            pricesAsOf: (PRICES_AS_OF as Record<string, string>)[input.region],
            region: input.region,
        },
        findings,
    };
}
