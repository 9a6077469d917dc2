// `runners.<name>.warmCapacity`: idle room kept ready for jobs by GitLab Runner's own pause-pod autoscaler for the
// Kubernetes executor, `[runners.kubernetes.autoscaler]` (gitlab-runner executors/kubernetes/autoscaler/ at v19.3.0;
// the keys enter common/config.go at v18.11.0, CHANGELOG v18.11.0 "Kubernetes: autoscaler for idle capacity via pause
// pods !6334"; tests/fixtures/upstream/runner-feature-versions.tsv).
//
// What the runner does with it (pause_pod_manager.go, provider.go, policy.go at v19.3.0): every 10 s it picks the
// last policy whose periods contain "now" (none: 0 pods), wants `idle_count` pause pods (or `scale_factor` × its
// active jobs, capped by `scale_factor_limit`), never more than `max_pause_pods`, scales up at once and down only
// after the policy's `idle_time`. The pods are one Deployment in the job namespace (`runner-pause-<token>-<system
// id>`), each requesting the build container's `cpu_request` and `memory_request`, with the job pods' node selector
// and tolerations, at the priority class named here. Job pods outrank them and preempt them; the Deployment recreates
// the evicted pods, which go Pending and make Cluster Autoscaler add a node: the next job finds room already there.
import { z } from "zod";
import { PRIORITY_CLASSES } from "../model/priorityClasses";
import { CronPeriod, parseCron } from "./cron";
import { cronPeriodSchema as period, timeZoneSchema as timezone } from "./policySchedule";
import { parseGoDuration } from "./goDuration";
import { joinPath, Problem, strictObject } from "./problems";

/** The first GitLab Runner with `[runners.kubernetes.autoscaler]` (absent at v18.10.0/v18.10.1; MR 6334). */
export const WARM_CAPACITY_SINCE = "18.11.0";

const count = (min: number, max: number, what: string) =>
    z
        .number({ error: (iss) => (iss.input === undefined ? "is required" : `must be a whole number (${what})`) })
        .int({ error: `must be a whole number (${what})` })
        .min(min, { error: `must be at least ${min} (${what})` })
        .max(max, { error: `must be at most ${max} (${what})` });

const goDuration = z
    .string({ error: "must be a Go duration string like 10m (a bare number has no unit)" })
    .superRefine((text, ctx) => {
        const ms = parseGoDuration(text);
        if (ms === undefined)
            ctx.addIssue({
                code: "custom",
                message: `${JSON.stringify(text)} is not a Go duration like 10m, 90s or 1h30m; the runner would fail to load config.toml`,
            });
        else if (ms < 0) ctx.addIssue({ code: "custom", message: `${JSON.stringify(text)} is negative` });
    });

// `preemptive_mode` is left out: the policy struct (common/config.go AutoscalerPolicyConfig) is shared with the
// docker-autoscaler executor, and the Kubernetes provider never copies it into its policies (provider.go, v19.3.0).
const policySchema = strictObject({
    /** → `periods`: five-field cron periods (config/cron.ts), any of which makes the policy active. */
    periods: z.array(period).min(1, { error: 'needs at least one period (use "* * * * *" for always)' }),
    /** → `timezone`. Always rendered, so the manager pod's own local time never matters. */
    timezone: timezone.default("UTC"),
    /** → `idle_count`: pause pods wanted while the policy is active. */
    idleCount: count(0, 10000, "pause pods"),
    /** → `idle_time`: how long a lower count waits before pause pods are removed. Unset: at once. */
    idleTime: goDuration.optional(),
    /** → `scale_factor`: pause pods = max(idle_count, ⌈scale_factor × active jobs⌉). */
    scaleFactor: z.number().min(0).max(100).optional(),
    /** → `scale_factor_limit`: the most the scale factor may ask for. */
    scaleFactorLimit: count(1, 10000, "pause pods").optional(),
});

export const warmCapacitySchema = strictObject({
    /** → `max_pause_pods`: the most pause pods at once (upstream's 0 = unlimited is not offered). */
    maxPausePods: count(1, 10000, "pause pods"),
    /** → `[[runners.kubernetes.autoscaler.policy]]`, in order: the last policy active at a time wins. */
    policies: z.array(policySchema).min(1, { error: "needs at least one policy" }).max(32),
});
export type WarmCapacityInput = z.output<typeof warmCapacitySchema>;
export type WarmPolicyInput = WarmCapacityInput["policies"][number];

/**
 * The reference documentation of every field, for docs/runners.md (scripts/generate-docs.ts): key, default, the
 * `[runners.kubernetes.autoscaler]` key it becomes, meaning.
 */
export const WARM_CAPACITY_FIELDS: readonly (readonly [string, string, string, string])[] = [
    ["maxPausePods", "required", "`max_pause_pods`", "most pause pods at once; 1 … `concurrent`, and at least every `idleCount`"],
    [
        "policies[].periods",
        "required",
        "`policy.periods`",
        'five-field cron periods (`"* 7-18 * * mon-fri"`), any of which activates the policy; the last active policy wins',
    ],
    ["policies[].timezone", "`UTC`", "`policy.timezone`", "IANA zone the periods are read in (`Europe/Berlin`); always rendered"],
    [
        "policies[].idleCount",
        "required",
        "`policy.idle_count`",
        "pause pods kept while the policy is active (0 … `maxPausePods`)",
    ],
    [
        "policies[].idleTime",
        "none (scale down at once)",
        "`policy.idle_time`",
        "Go duration a lower count waits before pause pods go (`10m`)",
    ],
    [
        "policies[].scaleFactor",
        "none",
        "`policy.scale_factor`",
        "also keep ⌈factor × active jobs⌉ pause pods (job requests in flight count as active)",
    ],
    ["policies[].scaleFactorLimit", "none", "`policy.scale_factor_limit`", "cap of the scale-factor count (needs `scaleFactor`)"],
    [
        "(set by the program)",
        `\`${PRIORITY_CLASSES.warmCapacity}\``,
        "`pause_pod_priority_class_name`",
        "the warm-capacity PriorityClass: below every job, at Cluster Autoscaler's cutoff (see above)",
    ],
];

/** → `[runners.kubernetes.autoscaler]` with its `[[…policy]]` list, as the TOML serializer takes it. Pure. */
export function autoscalerToml(w: WarmCapacityInput): Record<string, unknown> {
    return {
        max_pause_pods: w.maxPausePods,
        // Ours, not the runner's auto-created "gitlab-runner-idle-capacity" (-1): naming one skips the runner's
        // PriorityClass creation (pause_pod_manager.go ensurePriorityClass), so no cluster-scoped RBAC is needed.
        pause_pod_priority_class_name: PRIORITY_CLASSES.warmCapacity,
        policy: w.policies.map((p) => ({
            periods: p.periods,
            timezone: p.timezone,
            idle_count: p.idleCount,
            ...(p.idleTime !== undefined && { idle_time: p.idleTime }),
            ...(p.scaleFactor !== undefined && { scale_factor: p.scaleFactor }),
            ...(p.scaleFactorLimit !== undefined && { scale_factor_limit: p.scaleFactorLimit }),
        })),
    };
}

/** A policy as the planner evaluates it. */
export interface WarmPolicy {
    readonly periods: readonly CronPeriod[];
    readonly timezone: string;
    readonly idleCount: number;
    /** `idle_time` in ms; an unset one is 0 (provider.go copies the value; the 5m of the docs is only the no-match default). */
    readonly idleTimeMs: number;
}

/** The policies of a valid warmCapacity, parsed. */
export function warmPolicies(w: WarmCapacityInput): WarmPolicy[] {
    return w.policies.map((p) => ({
        periods: p.periods.map((text) => parseCron(text) as CronPeriod),
        timezone: p.timezone,
        idleCount: p.idleCount,
        idleTimeMs: p.idleTime === undefined ? 0 : parseGoDuration(p.idleTime)!,
    }));
}

/** Rules across fields and against the runner: counts within maxPausePods within concurrent. */
export function warmCapacityProblems(runner: string, w: WarmCapacityInput, concurrent: number): Problem[] {
    const at = (...rest: (string | number)[]) => joinPath("runners", runner, "warmCapacity", ...rest);
    const problems: Problem[] = [];
    if (w.maxPausePods > concurrent)
        problems.push({
            path: at("maxPausePods"),
            message: `${w.maxPausePods} is above concurrent ${concurrent}: more warm room than the runner can ever fill with jobs; use at most ${concurrent}`,
        });
    w.policies.forEach((p, i) => {
        if (p.idleCount > w.maxPausePods)
            problems.push({
                path: at("policies", i, "idleCount"),
                message: `${p.idleCount} is above maxPausePods ${w.maxPausePods}; the runner would keep only ${w.maxPausePods}`,
            });
        if (p.scaleFactorLimit !== undefined && p.scaleFactor === undefined)
            problems.push({ path: at("policies", i, "scaleFactorLimit"), message: "has no effect without scaleFactor" });
        if (p.scaleFactorLimit !== undefined && p.scaleFactorLimit > w.maxPausePods)
            problems.push({
                path: at("policies", i, "scaleFactorLimit"),
                message: `${p.scaleFactorLimit} is above maxPausePods ${w.maxPausePods}, which caps it anyway`,
            });
    });
    return problems;
}
