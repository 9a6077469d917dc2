// The capacity planner's view of warm capacity (pure): per runner with `warmCapacity`, the pause pods and warm nodes
// of each policy, their node-hours and cost over the reference week, the start-up time a job saves when it lands on
// warm room, and whether the warm pods fit the group together with the runner's own jobs.
//
// Rollout peak. While a manager is replaced, the old one drains up to `concurrent` jobs as the new one takes as many
// (capacity.ts: 2 × concurrent must fit). Each manager keeps its own pause Deployment (named after its system ID,
// pause_pod_manager.go deploymentName, v19.3.0), so up to 2 × maxPausePods pause pods may exist for a while. They are
// not added to the peak: they run at the warm-capacity priority, below every job (model/priorityClasses.ts), so the
// scheduler preempts them for any job; the peak only decides how many of them find room at maxSize.
import type { CapacityReport, Finding } from "./capacity";
import { jobsPerNode } from "./capacity";
import { formatCpuMillis, formatMiB, parseCpuMillis, parseMemoryMiB } from "./quantities";
import type { RunnerConfig } from "./runners";
import { warmPolicies } from "./warmCapacity";
import { layOutWeek, REFERENCE_WEEK_START_UTC, warmNodesByMinute } from "./warmSchedule";

/**
 * The start-up time a job saves when it finds warm room instead of waiting for a new node. Model: the job pod goes
 * Pending; Cluster Autoscaler sees it within its scan interval; the new node boots and joins; then the image is
 * pulled. Pause pods save the first two, not the third: they run only the pause image, so a job's image is pulled
 * on a warm node as on a new one (pause_pod_manager.go buildDeployment).
 */
export const COLD_START_MODEL = {
    /** CA FAQ "What are the parameters to CA?": `scan-interval` 10s by default (a stack may set it in extraArgs). */
    scanIntervalSeconds: 10,
    /**
     * From the scale-up request to a node that takes pods. The CA FAQ ("How fast is HPA when combined with CA?") gives
     * "3 to 4 minutes" on GCE; no upstream figure for EC2 + EKS managed node groups was found, so the lower bound is an
     * assumption here, not a measurement.
     */
    nodeProvisioningSeconds: 180,
    /** Not saved: see above. */
    imagePullSavedSeconds: 0,
} as const;

export interface WarmAutoscaler {
    readonly enabled: boolean;
    readonly scanIntervalSeconds: number;
    /** `--scale-down-unneeded-time` in minutes: how long an emptied warm node stays. */
    readonly scaleDownUnneededMinutes: number;
}

export interface WarmPolicyPlan {
    /** Index in `policies`; -1 for the minutes no policy is active (the runner keeps none). */
    readonly index: number;
    readonly periods: readonly string[];
    readonly timezone: string;
    readonly pausePods: number;
    readonly warmNodes: number;
    /** Hours of the reference week this policy is the one that wins. */
    readonly hoursPerWeek: number;
}

export interface WarmCapacityPlan {
    readonly runner: string;
    readonly nodeGroup: string;
    /** One pause pod's requests: the build container's cpu_request and memory_request (provider.go). */
    readonly pausePod: { readonly cpuMillis: number; readonly memoryMiB: number };
    readonly pausePodsPerNode: number;
    readonly maxPausePods: number;
    readonly policies: readonly WarmPolicyPlan[];
    /** Node-hours over the reference week (nodes held by pause pods, CA's scale-down delay included). */
    readonly warmNodeHoursPerWeek: number;
    readonly usdPerWeek?: number;
    /** Seconds a job saves when it lands on warm room (COLD_START_MODEL). */
    readonly coldStartSavedSeconds: number;
}

export interface WarmPlanInput {
    readonly runners: readonly RunnerConfig[];
    readonly capacity: Pick<CapacityReport, "groups" | "runners">;
    readonly autoscaler: WarmAutoscaler;
}

const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

/** The warm capacity of every runner that has it, and the findings (errors block the deploy). */
export function planWarmCapacity(input: WarmPlanInput): { plans: WarmCapacityPlan[]; findings: Finding[] } {
    const plans: WarmCapacityPlan[] = [];
    const findings: Finding[] = [];
    for (const runner of input.runners) {
        const w = runner.warmCapacity;
        const group = input.capacity.groups.find((g) => g.name === runner.nodeGroup);
        const jobs = input.capacity.runners.find((r) => r.name === runner.name);
        if (!w || !group || !jobs || jobs.jobsPerNode === 0) continue;
        const subject = `runners.${runner.name}.warmCapacity`;
        const pausePod = {
            cpuMillis: parseCpuMillis(runner.resources.build.cpuRequest)!,
            memoryMiB: parseMemoryMiB(runner.resources.build.memoryRequest)!,
        };
        const perNode = jobsPerNode(group.room, pausePod);
        const size = `${formatCpuMillis(pausePod.cpuMillis)} CPU / ${formatMiB(pausePod.memoryMiB)}`;

        // The runner's jobs at `concurrent` and its pause pods at maxPausePods, each packed onto whole nodes.
        const jobNodes = Math.ceil(runner.concurrent / jobs.jobsPerNode);
        const warmNodesAtMost = Math.ceil(w.maxPausePods / perNode);
        if (jobNodes + warmNodesAtMost > group.maxSize) {
            const room = Math.max(0, (group.maxSize - jobNodes) * perNode);
            const raise = `raise nodeGroups.${group.name}.maxSize to ${jobNodes + warmNodesAtMost}`;
            findings.push({
                severity: "error",
                subject: `${subject}.maxPausePods`,
                message: `${w.maxPausePods} pause pods (${size} each, ${perNode} per ${group.boundBy} node) need ${warmNodesAtMost} node${warmNodesAtMost === 1 ? "" : "s"} of "${group.name}" beside the ${jobNodes} that concurrent ${runner.concurrent} fills, but maxSize is ${group.maxSize}: ${room > 0 ? `lower maxPausePods to ${room} or ${raise}` : raise}`,
            });
        }
        if (!input.autoscaler.enabled) {
            findings.push({
                severity: "warning",
                subject,
                message:
                    "Cluster Autoscaler is disabled: pause pods only hold room on nodes that already run, and no node is added for them",
            });
        }

        const policies = warmPolicies(w);
        const week = layOutWeek(policies, w.maxPausePods, REFERENCE_WEEK_START_UTC);
        const nodes = warmNodesByMinute(week.pausePods, perNode, input.autoscaler.scaleDownUnneededMinutes);
        const minutesOf = (index: number) => week.activePolicy.reduce((n, a) => n + (a === index ? 1 : 0), 0);
        const policyPlans: WarmPolicyPlan[] = w.policies.map((p, index) => {
            const pausePods = Math.min(p.idleCount, w.maxPausePods);
            return {
                index,
                periods: p.periods,
                timezone: p.timezone,
                pausePods,
                warmNodes: Math.ceil(pausePods / perNode),
                hoursPerWeek: round(minutesOf(index) / 60),
            };
        });
        const unmatched = minutesOf(-1);
        if (unmatched > 0)
            policyPlans.push({
                index: -1,
                periods: [],
                timezone: "",
                pausePods: 0,
                warmNodes: 0,
                hoursPerWeek: round(unmatched / 60),
            });
        const nodeHours = nodes.reduce((s, n) => s + n, 0) / 60;
        plans.push({
            runner: runner.name,
            nodeGroup: group.name,
            pausePod,
            pausePodsPerNode: perNode,
            maxPausePods: w.maxPausePods,
            policies: policyPlans,
            warmNodeHoursPerWeek: round(nodeHours),
            usdPerWeek: group.usdPerHourPerNode === undefined ? undefined : round(nodeHours * group.usdPerHourPerNode),
            coldStartSavedSeconds:
                input.autoscaler.scanIntervalSeconds +
                COLD_START_MODEL.nodeProvisioningSeconds +
                COLD_START_MODEL.imagePullSavedSeconds,
        });
    }
    return { plans, findings };
}
