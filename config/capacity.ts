import type { CapacityInput, CapacityReport, GroupCapacity, RunnerCapacity } from "./capacityReport";
import { HOURS_PER_MONTH, instanceFacts, PRICES_AS_OF } from "./instanceTypes";
import { checkManagementRoom, ManagementCapacity } from "./managementCapacity";
import { allNodeGroups } from "./nodeGroups";
import { groupRoom, hourlyPrice, ipsPerNode, jobsPerNode } from "./nodeRoom";
import { NODE_GENERATIONS, ROLLOUT_MANAGERS } from "./patching";
import { PoolCapacity, planPools } from "./poolCapacity";
import type { Finding } from "./problems";
import { planSubnetPools } from "./subnetCapacity";
import { vmRunnerCapacity } from "./vmRunners/capacity";
import { platformDaemonSets } from "../model/platformWorkloads";

export type { Finding } from "./problems";
export type { CapacityInput, CapacityReport, GroupCapacity, RunnerCapacity } from "./capacityReport";

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

export { NODE_GENERATIONS, ROLLOUT_MANAGERS };
export { groupRoom, ipsPerNode, jobsPerNode, podSubnetFreeIps, runnerDemand } from "./nodeRoom";
export type { RunnerDemand } from "./nodeRoom";
export { MIN_IP_HEADROOM } from "./subnetCapacity";
export type { SubnetPool } from "./subnetCapacity";

/** Items grouped by a key, in their order, items without one left out (one pass, where a filter per group would be quadratic). */
function groupBy<T>(items: readonly T[], key: (item: T) => string | undefined): Map<string, T[]> {
    const out = new Map<string, T[]>();
    for (const item of items) {
        const k = key(item);
        if (k === undefined) continue;
        const list = out.get(k);
        if (list) list.push(item);
        else out.set(k, [item]);
    }
    return out;
}

/** Nodes a group needs when all its runners run `concurrent` jobs (a management group: its fixed size). */
function nodesAtFullLoad(g: GroupCapacity, runners: readonly RunnerCapacity[]): number {
    const own = runners.filter((r) => r.jobsPerNode > 0);
    if (g.role === "management") return g.minSize;
    const nodes = own.reduce((sum, r) => sum + r.maxConcurrentJobs / r.jobsPerNode, 0);
    return Math.min(g.maxSize, Math.max(g.minSize, Math.ceil(nodes)));
}

export function planCapacity(input: CapacityInput): CapacityReport {
    const findings: Finding[] = [];
    // DaemonSet pods per node that take a VPC address besides jobs (the others use the host network).
    const extraPods = platformDaemonSets({ containerInsights: input.containerInsights }).filter((d) => d.podIp).length;
    const runners: RunnerCapacity[] = [];
    const demandByGroup = groupBy(input.runners, (r) => r.nodeGroup);
    const groups: GroupCapacity[] = allNodeGroups(input.nodeGroups).map((g) => {
        const isJobs = g !== input.nodeGroups.management;
        const { room, boundBy } = groupRoom(g, input.containerInsights);
        const own = demandByGroup.get(g.name) ?? [];
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

    const subnetsOf = new Map(allNodeGroups(input.nodeGroups).map((g) => [g.name, g.subnets]));
    const nodePools = planPools(input.nodePools ?? [], input.runners, {
        jobsPerNode,
        ipsPerNode,
        extraPods,
        containerInsights: input.containerInsights,
        region: input.region,
        rolloutManagers: ROLLOUT_MANAGERS,
        hoursPerMonth: HOURS_PER_MONTH,
    });
    for (const r of nodePools.runners) runners.push(r);
    for (const f of nodePools.findings) findings.push(f);

    const vmRunners = (input.vmRunners ?? []).map((vm) => {
        const checked = vmRunnerCapacity(vm, input.region);
        for (const f of checked.findings) findings.push(f);
        return checked.capacity;
    });
    const subnets = planSubnetPools({
        podSubnetFreeIps: input.podSubnetFreeIps,
        clusterSubnetFreeIps: input.clusterSubnetFreeIps,
        groups: groups.map((g) => ({ subnets: subnetsOf.get(g.name)!, ipsAtFullScale: g.ipsAtFullScale })),
        nodePools: nodePools.pools,
        vmIps: vmRunners.reduce((s, v) => s + v.ipsAtFullScale, 0),
    });
    const pools = subnets.pools;
    for (const f of subnets.findings) findings.push(f);

    let management: ManagementCapacity | undefined;
    const managementGroup = groups.find((g) => g.name === input.nodeGroups.management?.name);
    if (input.managementPods && managementGroup) {
        const checked = checkManagementRoom(managementGroup, managementGroup.room, input.managementPods);
        management = checked.capacity;
        for (const f of checked.findings) findings.push(f);
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
    const runnersByGroup = groupBy(runners, (r) => r.nodeGroup);
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
                          (g) => nodesAtFullLoad(g, runnersByGroup.get(g.name) ?? []),
                          (p) => p.usdPerMonthAtFullLoad?.low ?? 0,
                      ),
                  }
                : {}),
            fullLoadUsdPerMonth: monthly(
                (g) => nodesAtFullLoad(g, runnersByGroup.get(g.name) ?? []),
                (p) => p.usdPerMonthAtFullLoad?.high ?? 0,
            ),
            pricesAsOf: (PRICES_AS_OF as Record<string, string>)[input.region],
            region: input.region,
        },
        findings,
    };
}
