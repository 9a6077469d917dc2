// What the capacity model (config/capacity.ts) takes and reports: per node group, node pool, runner and VM runner,
// the subnets, the management group's room, warm capacity and the cost figures.
import type { ManagementCapacity, PlatformPod } from "./managementCapacity";
import type { PodResources } from "./nodeAllocatable";
import type { NodeGroupConfig } from "./nodeGroups";
import type { NodePoolConfig } from "./nodePools";
import type { RunnerDemand } from "./nodeRoom";
import type { PoolCapacity } from "./poolCapacity";
import type { Finding } from "./problems";
import type { SubnetPool } from "./subnetCapacity";
import type { VmRunnerCapacity } from "./vmRunners/capacity";
import type { VmRunnerConfig } from "./vmRunners/resolve";
import type { WarmCapacityPlan } from "./warmPlan";

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
