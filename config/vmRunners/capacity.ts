// What a VM runner can run and what it costs (pure). The idle cost follows the autoscaler's own rule: at every
// moment the last policy with a matching period applies (GitLab Runner docs/configuration/advanced-configuration.md
// at v18.9.0, "You can define multiple policies. The last matching policy is the one used."), and `idle_count` counts
// jobs, not VMs (same page: "idle_count in this context refers to the number of jobs"), so a policy keeps
// ⌈idleCount / capacityPerInstance⌉ VMs running (docs/executors/docker_autoscaler.md: an idle scale of 5 at capacity 1
// keeps "5 whole instances"). The reference week is evaluated minute by minute in each policy's time zone, then scaled
// to a month of HOURS_PER_MONTH. Minutes no policy covers keep no idle VM (an assumption: the docs do not say).
// This is the floor: VMs also linger idle for `idleTime` after the jobs they ran.
import type { Finding } from "../problems";
import { HOURS_PER_MONTH, onDemandPrice } from "../instanceTypes";
import { CronPeriod, parseCron } from "../cron";
import { MINUTES_PER_WEEK, REFERENCE_WEEK_START_UTC, winningPolicyByMinute } from "../warmSchedule";
import type { VmPolicy } from "./options";
import type { VmRunnerConfig } from "./resolve";

const WEEKS_PER_MONTH = HOURS_PER_MONTH / (MINUTES_PER_WEEK / 60);

export interface IdlePolicyCost {
    /** Index in `policies`. */
    readonly policy: number;
    readonly periods: readonly string[];
    readonly timezone: string;
    readonly idleCount: number;
    readonly idleInstances: number;
    /** Hours of the reference week in which this policy is the one that applies. */
    readonly hoursPerWeek: number;
    readonly usdPerMonth?: number;
}

export interface VmRunnerCapacity {
    readonly name: string;
    readonly executor: VmRunnerConfig["executor"];
    readonly maxInstances: number;
    readonly capacityPerInstance: number;
    /** Jobs at once: maxInstances × capacityPerInstance. */
    readonly concurrency: number;
    /** The dearest of its instance types (cost is reckoned at it). */
    readonly boundBy: string;
    readonly usdPerHourPerInstance?: number;
    readonly idle: readonly IdlePolicyCost[];
    /** Hours of the week no policy covers. */
    readonly uncoveredHoursPerWeek: number;
    readonly idleUsdPerMonth?: number;
    /** Every VM running all month (maxInstances). */
    readonly fullScaleUsdPerMonth?: number;
    /** Subnet addresses at full scale: one per VM (network.subnetIds). */
    readonly ipsAtFullScale: number;
}

/**
 * For every minute of the reference week (config/warmSchedule.ts, the one warm capacity is planned on), the index of
 * the policy that applies (the last that matches), or -1.
 */
export function policyByMinute(policies: readonly Pick<VmPolicy, "periods" | "timezone">[]): Int16Array {
    const parsed = policies.map((p) => ({ timezone: p.timezone, periods: p.periods.map((t) => parseCron(t) as CronPeriod) }));
    return winningPolicyByMinute(parsed, REFERENCE_WEEK_START_UTC, MINUTES_PER_WEEK);
}

/** Capacity, idle schedule and cost of one VM runner in a region. */
export function vmRunnerCapacity(vm: VmRunnerConfig, region: string): { capacity: VmRunnerCapacity; findings: Finding[] } {
    const findings: Finding[] = [];
    const prices = vm.instanceTypes.map((t) => ({ type: t, usd: onDemandPrice(t, region) }));
    const priced = prices.every((p) => p.usd !== undefined);
    const dearest = priced ? prices.reduce((a, b) => (b.usd! > a.usd! ? b : a)) : { type: vm.instanceTypes[0], usd: undefined };
    if (!priced)
        findings.push({
            severity: "warning",
            subject: `vmRunners.${vm.name}`,
            message: `no embedded on-demand price for ${prices
                .filter((p) => p.usd === undefined)
                .map((p) => p.type)
                .join(", ")} in ${region}: its cost is not shown`,
        });
    if (vm.maxUseCount === 0)
        findings.push({
            severity: "warning",
            subject: `vmRunners.${vm.name}.maxUseCount`,
            message: `0 (unlimited): a VM that is never idle for ${vm.policies.map((p) => p.idleTime).join("/")} is never replaced and keeps the AMI it booted with; a number bounds how long a VM lives`,
        });

    const byMinute = policyByMinute(vm.policies);
    const minutes = vm.policies.map((_, i) => byMinute.filter((p) => p === i).length);
    const monthly = (instances: number, hoursPerWeek: number) =>
        dearest.usd === undefined ? undefined : instances * hoursPerWeek * WEEKS_PER_MONTH * dearest.usd;
    const idle = vm.policies.map((p, i): IdlePolicyCost => {
        const idleInstances = Math.ceil(p.idleCount / vm.capacityPerInstance);
        const hoursPerWeek = minutes[i] / 60;
        return {
            policy: i,
            periods: p.periods,
            timezone: p.timezone,
            idleCount: p.idleCount,
            idleInstances,
            hoursPerWeek,
            usdPerMonth: monthly(idleInstances, hoursPerWeek),
        };
    });
    return {
        capacity: {
            name: vm.name,
            executor: vm.executor,
            maxInstances: vm.maxInstances,
            capacityPerInstance: vm.capacityPerInstance,
            concurrency: vm.concurrent,
            boundBy: dearest.type,
            usdPerHourPerInstance: dearest.usd,
            idle,
            uncoveredHoursPerWeek: byMinute.filter((p) => p === -1).length / 60,
            idleUsdPerMonth: dearest.usd === undefined ? undefined : idle.reduce((s, x) => s + x.usdPerMonth!, 0),
            fullScaleUsdPerMonth: dearest.usd === undefined ? undefined : vm.maxInstances * HOURS_PER_MONTH * dearest.usd,
            ipsAtFullScale: vm.maxInstances,
        },
        findings,
    };
}
