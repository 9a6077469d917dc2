// The capacity stage of stack validation (pure): once the document is valid, the capacity model of the job groups and
// pools (config/capacity.ts), the warm capacity on top of the jobs (config/warmPlan.ts) and the addresses Fargate job
// pods take beside them (config/fargate.ts), as one report whose errors the caller throws.
import type { AddonsConfig } from "./addons";
import { warmAutoscaler } from "./addons/clusterAutoscaler";
import { CapacityReport, planCapacity, podSubnetFreeIps, ROLLOUT_MANAGERS, runnerDemand } from "./capacity";
import { fargateIpProblems, FargatePlan } from "./fargate";
import { managementPods } from "./managementCapacity";
import type { NetworkConfig } from "./network";
import type { NodeGroups } from "./nodeGroups";
import type { NodePoolConfig } from "./nodePools";
import type { RunnerConfig } from "./runners";
import type { VmRunnerConfig } from "./vmRunners";
import { planWarmCapacity } from "./warmPlan";

export interface StackCapacityInput {
    readonly region: string;
    readonly network: NetworkConfig;
    readonly nodeGroups: NodeGroups;
    readonly nodePools: readonly NodePoolConfig[];
    readonly runners: readonly RunnerConfig[];
    readonly vmRunners: readonly VmRunnerConfig[];
    readonly addons: AddonsConfig;
    readonly containerInsights: boolean;
    /** Whether the fleet-metrics scraper runs on the management group (observability.collection). */
    readonly fleetMetrics: boolean;
    readonly fargatePlan?: FargatePlan;
}

/** The stack's capacity report: jobs, warm capacity and Fargate, with every finding (errors included). */
export function planStackCapacity(input: StackCapacityInput): CapacityReport & { readonly fargate?: FargatePlan } {
    const { network, runners, vmRunners, addons, fargatePlan } = input;
    const jobs = planCapacity({
        region: input.region,
        nodeGroups: input.nodeGroups,
        nodePools: input.nodePools,
        runners: runners.map(runnerDemand),
        containerInsights: input.containerInsights,
        podSubnetFreeIps: podSubnetFreeIps(network),
        clusterSubnetFreeIps: network.freeIpAddresses,
        managementPods: managementPods(addons, [...runners, ...vmRunners], { fleetMetrics: input.fleetMetrics }),
        vmRunners,
    });
    // Warm capacity sits on top of the jobs: its pause pods must fit beside them (config/warmPlan.ts).
    const warm = planWarmCapacity({ runners, capacity: jobs, autoscaler: warmAutoscaler(addons.clusterAutoscaler) });
    // Fargate job pods take subnet addresses too: the profile's subnets are the pod subnets when there are any.
    const fargateIps = fargatePlan
        ? fargateIpProblems(
              fargatePlan,
              jobs.pools.find((p) => p.name === (network.podSubnets ? "pod" : "cluster")),
              ROLLOUT_MANAGERS,
          ).map((p) => ({ severity: "error" as const, subject: p.path, message: p.message }))
        : [];
    return {
        ...jobs,
        warm: warm.plans,
        ...(fargatePlan ? { fargate: fargatePlan } : {}),
        findings: [...jobs.findings, ...warm.findings, ...fargateIps],
    };
}
