// What the alarm catalogue and the dashboard read of the stack config, built in one place (pure) so the component
// and the tests see the same thing. ASG and rule names are known only at deploy time: `N` is their type.
import type { StackConfig } from "../../config";
import { instanceFacts } from "../../config/instanceTypes";
import { poolCapacityKind } from "../../config/nodePools";
import { karpenterNames } from "../../model/karpenter";
import { DEFAULT_RUNBOOK } from "../../config/observability/schema";
import type { AlarmInput } from "./alarms";
import type { DashboardInput } from "./dashboard";

type Config = Pick<
    StackConfig,
    "cluster" | "region" | "observability" | "runners" | "vmRunners" | "nodeGroups" | "nodePools" | "capacity"
>;

/** Whether jobs may run on Spot: a Spot job group or a Karpenter pool allowed Spot (then a rule counts the warnings). */
export const hasSpotGroup = (config: Pick<StackConfig, "nodeGroups" | "nodePools">) =>
    config.nodeGroups.jobs.some((g) => g.capacityType === "SPOT") || config.nodePools.some((p) => poolCapacityKind(p) === "SPOT");

/** The alarm catalogue's input; undefined when no alarm is created. */
export function alarmInput<N>(
    config: Config,
    asgNames: Readonly<Record<string, N>>,
    spotRuleName?: N,
): AlarmInput<N> | undefined {
    const o = config.observability;
    if (!o.alarms) return undefined;
    // Kubernetes runners with the seconds their jobs wait for a pod; VM runners have no job pods.
    const byName = new Map<
        string,
        { concurrent: number; jobQueueThresholdSeconds: number; pollTimeout?: number; nodePool?: string }
    >([
        ...config.runners.map((r) => [r.name, r] as const),
        ...config.vmRunners.map(
            (v) => [v.name, { concurrent: v.concurrent, jobQueueThresholdSeconds: v.jobQueueThresholdSeconds }] as const,
        ),
    ]);
    return {
        clusterName: config.cluster.name,
        runbookUrl: o.alarms.runbookUrl,
        runners: Object.entries(o.alarms.runners)
            .filter(([, settings]) => settings.enabled)
            .map(([name, settings]) => {
                const r = byName.get(name)!;
                return {
                    name,
                    concurrent: r.concurrent,
                    pollTimeout: r.pollTimeout,
                    jobQueueThresholdSeconds: r.jobQueueThresholdSeconds,
                    thresholds: settings.thresholds,
                    nodePool: r.nodePool,
                };
            }),
        cluster: o.alarms.cluster,
        engines: o.engines,
        // A group with minSize = maxSize is always "at maxSize": nothing to alarm on.
        autoscaledGroups: config.nodeGroups.jobs
            .filter((g) => g.minSize < g.maxSize)
            .map((g) => ({ name: g.name, maxSize: g.maxSize, asgName: asgNames[g.name] })),
        managers: config.runners.length + config.vmRunners.length,
        spotRuleName,
        ...karpenterParts(config),
    };
}

/** Karpenter's node pools and interruption queue, when Karpenter is the stack's engine. */
function karpenterParts(config: Config) {
    if (!config.observability.engines.includes("karpenter")) return { nodePools: [] };
    return {
        nodePools: config.nodePools.map((p) => ({
            name: p.name,
            cpuLimit: p.cpuLimit,
            // Every allowed type is a supported one (config/nodePools.ts resolves them), so each has facts.
            smallestNodeVcpu: Math.min(...p.instanceTypes.map((t) => instanceFacts(t)!.vcpu)),
        })),
        interruptionQueue: karpenterNames(config.cluster.name).queue,
    };
}

/** The dashboard's input, with the capacity model's jobs per node and node prices for the idle-cost estimate. */
export function dashboardInput(
    config: Config,
    asgNames: Readonly<Record<string, string>>,
    spotRuleName?: string,
): DashboardInput {
    const groups = new Map(config.capacity.groups.map((g) => [g.name, g]));
    const runners = new Map(config.capacity.runners.map((r) => [r.name, r]));
    return {
        clusterName: config.cluster.name,
        region: config.region,
        runbookUrl: config.observability.alarms?.runbookUrl ?? DEFAULT_RUNBOOK,
        runners: [
            ...config.runners.map((r) => ({
                name: r.name,
                jobPods: true,
                nodeGroup: r.nodeGroup,
                nodePool: r.nodePool,
                concurrent: r.concurrent,
                jobQueueThresholdSeconds: r.jobQueueThresholdSeconds,
                jobsPerNode: runners.get(r.name)?.jobsPerNode ?? 0,
            })),
            // A VM runner's jobs run on its own VMs: no node group, no job pods, not in the job-node idle cost.
            ...config.vmRunners.map((v) => ({
                name: v.name,
                jobPods: false,
                concurrent: v.concurrent,
                jobQueueThresholdSeconds: v.jobQueueThresholdSeconds,
                jobsPerNode: 0,
            })),
        ],
        engines: config.observability.engines,
        ...karpenterParts(config),
        groups: config.nodeGroups.jobs.map((g) => ({
            name: g.name,
            asgName: asgNames[g.name],
            usdPerHourPerNode: groups.get(g.name)?.usdPerHourPerNode,
        })),
        spotRuleName,
        pricesAsOf: config.capacity.cost.pricesAsOf,
    };
}
