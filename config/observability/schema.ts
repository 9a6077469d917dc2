// `observability` (docs/runbook/monitoring.md): fleet metrics collection, the dashboard and the alarms with their
// notification targets and thresholds, defaults in one table, per-runner overrides. Cross-section rules (Container
// Insights must run, overrides must name runners) are in resolveObservability, each problem at its own path.
import { z } from "zod";
import type { Finding, Problem } from "../problems";
import { joinPath, strictObject } from "../problems";
import type { RunnerConfig } from "../runners";
import { MetricSource, ScalingEngine } from "./metrics";
import type { FleetMetricCollection } from "./scrape";

interface Threshold {
    readonly default: number;
    readonly min: number;
    readonly max: number;
    /** One line for the docs: what is counted or measured, and over which window. */
    readonly doc: string;
}

/** Thresholds of the per-runner alarms; each may be overridden under `observability.alarms.runners.<runner>`. */
export const RUNNER_THRESHOLDS = {
    jobPodPendingPercentOfPollTimeout: {
        default: 50,
        min: 1,
        max: 99,
        doc: "a job pod Pending this share of the runner's `pollTimeout` alarms (the runner fails the job at 100 %)",
    },
    saturationPercent: { default: 90, min: 1, max: 100, doc: "running jobs above this share of `concurrent` for 10 minutes" },
    queueExceededJobs: {
        default: 5,
        min: 1,
        max: 100000,
        doc: "jobs that waited in GitLab's queue longer than the runner's `jobQueueThresholdSeconds`, within 15 minutes",
    },
    runnerErrors: { default: 10, min: 1, max: 100000, doc: "error lines the runner manager logged, within 5 minutes" },
    gitlabServerErrors: { default: 5, min: 1, max: 100000, doc: "GitLab API answers with a 5xx status, within 5 minutes" },
    killedJobs: {
        default: 3,
        min: 1,
        max: 100000,
        doc: "jobs whose build container was killed (exit 137 / OOMKilled), within 1 hour",
    },
    podStartTimeouts: {
        default: 1,
        min: 1,
        max: 100000,
        doc: "jobs failed because their pod did not run within `pollTimeout`, within 15 minutes",
    },
} as const satisfies Record<string, Threshold>;

/** Thresholds of the cluster-wide alarms. */
export const CLUSTER_THRESHOLDS = {
    unschedulableMinutes: {
        default: 10,
        min: 1,
        max: 60,
        doc: "minutes in a row the autoscaler sees unschedulable pods (or reports nothing)",
    },
    failedScaleUps: { default: 1, min: 1, max: 1000, doc: "failed scale-ups within 15 minutes" },
    backoffMinutes: { default: 5, min: 1, max: 60, doc: "minutes in a row a node group is in scale-up backoff" },
    atMaxSizeMinutes: {
        default: 15,
        min: 1,
        max: 180,
        doc: "minutes in a row an autoscaled job group's target is its `maxSize`",
    },
    managersDownMinutes: {
        default: 10,
        min: 1,
        max: 60,
        doc: "minutes in a row with fewer running runner-manager pods than runners",
    },
    failedNodeMinutes: { default: 15, min: 1, max: 120, doc: "minutes in a row with a node not Ready" },
    spotInterruptionsPerHour: {
        default: 10,
        min: 1,
        max: 100000,
        doc: "EC2 Spot interruption warnings in the region within 1 hour (only with Spot groups or pools)",
    },
    karpenterSilentMinutes: {
        default: 10,
        min: 1,
        max: 60,
        doc: "minutes in a row Karpenter reports its cluster state unsynced, or reports nothing (Karpenter only)",
    },
    failedNodeLaunches: {
        default: 3,
        min: 1,
        max: 1000,
        doc: "Karpenter node claims that never became nodes (no capacity, node class not ready, launch or registration timeout), within 15 minutes (Karpenter only)",
    },
    poolAtLimitMinutes: {
        default: 15,
        min: 1,
        max: 180,
        doc: "minutes in a row a node pool's CPU leaves no room for its smallest node under `cpuLimit` (Karpenter only)",
    },
    interruptionQueueAgeSeconds: {
        default: 120,
        min: 30,
        max: 3600,
        doc: "age of the oldest message in Karpenter's interruption queue, 5 minutes in a row; a Spot warning gives 2 minutes (Karpenter only)",
    },
} as const satisfies Record<string, Threshold>;

export type RunnerThresholds = { readonly [K in keyof typeof RUNNER_THRESHOLDS]: number };
export type ClusterThresholds = { readonly [K in keyof typeof CLUSTER_THRESHOLDS]: number };

/**
 * The oldest add-on whose default `agents` are the two entries config/observability/scrape.ts repeats
 * (CHART_DEFAULT_AGENTS): chart amazon-cloudwatch-observability 6.2.0 added the cluster scraper and its
 * `config: "default"`, which older templates would render as a literal config.
 */
export const MIN_ADDON = [6, 2] as const;

/** Where alarm descriptions link to when no `runbookUrl` is set: the page in this repository. */
export const DEFAULT_RUNBOOK = "docs/runbook/monitoring.md";

const count = (key: string, t: Threshold) =>
    z
        .number({ error: `must be a whole number from ${t.min} to ${t.max}` })
        .int({ error: `must be a whole number from ${t.min} to ${t.max}` })
        .min(t.min, { error: `must be at least ${t.min}` })
        .max(t.max, {
            error:
                key === "jobPodPendingPercentOfPollTimeout"
                    ? `must be below 100: at pollTimeout the runner has already failed the job`
                    : `must be at most ${t.max}`,
        });

/** A threshold table as zod fields: defaulted (the section's thresholds) or optional (a runner's overrides). */
const withDefaults = <T extends Record<string, Threshold>>(table: T) =>
    Object.fromEntries(Object.entries(table).map(([k, t]) => [k, count(k, t).default(t.default)])) as unknown as {
        [K in keyof T]: z.ZodDefault<z.ZodNumber>;
    };
const optional = <T extends Record<string, Threshold>>(table: T) =>
    Object.fromEntries(Object.entries(table).map(([k, t]) => [k, count(k, t).optional()])) as unknown as {
        [K in keyof T]: z.ZodOptional<z.ZodNumber>;
    };

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const SNS_TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/;

const notifySchema = strictObject({
    /** Email subscriptions of the stack's topic (each address confirms once, by the link AWS mails). */
    emails: z.array(z.string().regex(EMAIL, { error: (i) => `${JSON.stringify(i.input)} is not an email address` })).default([]),
    /** HTTPS subscriptions of the stack's topic (an on-call tool's SNS integration URL). */
    httpsEndpoints: z
        .array(
            z.string().regex(/^https:\/\/[^\s/]+\/?\S*$/, {
                error: (i) => `${JSON.stringify(i.input)} is not an https:// URL (SNS delivers only to HTTPS here)`,
            }),
        )
        .default([]),
    /** Existing SNS topics every alarm also notifies (e.g. the on-call team's). */
    topicArns: z
        .array(z.string().regex(SNS_TOPIC_ARN, { error: (i) => `${JSON.stringify(i.input)} is not an SNS topic ARN` }))
        .default([]),
});

const runnerOverrideSchema = strictObject({ enabled: z.boolean().optional(), ...optional(RUNNER_THRESHOLDS) });

export const observabilitySchema = strictObject({
    /** Collect the fleet metrics and build the dashboard (and the alarms). Default: with Container Insights. */
    enabled: z.boolean().optional(),
    alarms: strictObject({
        enabled: z.boolean().default(true),
        notify: notifySchema.prefault({}),
        /** Base of the runbook links in alarm descriptions (e.g. the page's URL in your GitLab). */
        runbookUrl: z
            .string()
            .regex(/^https:\/\/\S+$/, { error: (i) => `${JSON.stringify(i.input)} is not an https:// URL` })
            .optional(),
        thresholds: strictObject({ ...withDefaults(RUNNER_THRESHOLDS), ...withDefaults(CLUSTER_THRESHOLDS) }).prefault({}),
        /** Per-runner overrides of the runner thresholds, and `enabled: false` to silence one runner. */
        runners: z.record(z.string(), runnerOverrideSchema).default({}),
    }).prefault({}),
}).prefault({});
export type ObservabilityInput = z.output<typeof observabilitySchema>;

export interface RunnerAlarmSettings {
    readonly enabled: boolean;
    readonly thresholds: RunnerThresholds;
}

/** The resolved section. `alarms` is undefined when no alarm is created. */
export interface ObservabilityConfig {
    readonly enabled: boolean;
    /** What the fleet-metrics agent scrapes; undefined when nothing is collected. */
    readonly collection?: FleetMetricCollection;
    /** The engines whose alarms and widgets apply (engines that are enabled in `addons`). */
    readonly engines: readonly ScalingEngine[];
    readonly alarms?: {
        readonly notify: z.output<typeof notifySchema>;
        readonly runbookUrl: string;
        readonly cluster: ClusterThresholds;
        readonly runners: Readonly<Record<string, RunnerAlarmSettings>>;
    };
    /** Warnings for the plan (never blocking). */
    readonly findings: readonly Finding[];
}

/** What the section's rules read about the rest of the document (only what parsed). */
export interface ObservabilityContext {
    readonly containerInsights: boolean;
    /** A pinned `addons.containerInsights.version`, if any. */
    readonly containerInsightsVersion?: string;
    readonly clusterAutoscaler?: boolean;
    readonly karpenter?: boolean;
    /** The runners that resolved; undefined when `runners` did not parse (overrides are then not checked). */
    readonly runners?: readonly Pick<RunnerConfig, "name">[];
}

const pick = <K extends string>(all: Record<string, number>, keys: readonly K[]) =>
    Object.fromEntries(keys.map((k) => [k, all[k]])) as Record<K, number>;

/** Defaults, cross-section rules and the collection plan of `observability`. */
export function resolveObservability(
    input: ObservabilityInput,
    ctx: ObservabilityContext,
): { config: ObservabilityConfig; problems: Problem[] } {
    const problems: Problem[] = [];
    const at = (...path: (string | number)[]) => joinPath("observability", ...path);
    if (input.enabled === true && !ctx.containerInsights) {
        problems.push({
            path: at("enabled"),
            message:
                "needs addons.containerInsights.enabled: the Container Insights add-on's CloudWatch agent collects the fleet metrics (or set observability.enabled: false)",
        });
    }
    const enabled = (input.enabled ?? ctx.containerInsights) && ctx.containerInsights;
    // Each engine that scales the job nodes has a scrape job, alarms and widgets; `nodeAutoscaler` enables one of them.
    const engines: ScalingEngine[] = [
        ...(ctx.clusterAutoscaler ? (["clusterAutoscaler"] as const) : []),
        ...(ctx.karpenter ? (["karpenter"] as const) : []),
    ];
    const runnerNames = (ctx.runners ?? []).map((r) => r.name);
    if (ctx.runners) {
        for (const name of Object.keys(input.alarms.runners)) {
            if (!runnerNames.includes(name))
                problems.push({
                    path: at("alarms", "runners", name),
                    message: `"${name}" is not a runner (runners: ${runnerNames.join(", ") || "none declared"})`,
                });
        }
    }
    const findings: Finding[] = [];
    if (!enabled) return { config: { enabled, engines, findings }, problems };
    const sources: MetricSource[] = [...(runnerNames.length > 0 ? (["runner"] as const) : []), ...engines];
    const collection = sources.length > 0 ? { sources } : undefined;
    const pinned = /^v(\d+)\.(\d+)\./.exec(ctx.containerInsightsVersion ?? "");
    if (collection && pinned && Number(pinned[1]) * 1000 + Number(pinned[2]) < MIN_ADDON[0] * 1000 + MIN_ADDON[1]) {
        problems.push({
            path: "addons.containerInsights.version",
            message: `${ctx.containerInsightsVersion} predates the add-on's agents list this program extends for the fleet metrics (v${MIN_ADDON.join(".")}.0); pin v${MIN_ADDON.join(".")}.0 or newer, remove the pin, or set observability.enabled: false`,
        });
    }
    if (!input.alarms.enabled) return { config: { enabled, collection, engines, findings }, problems };

    const { notify, thresholds } = input.alarms;
    if (notify.emails.length + notify.httpsEndpoints.length + notify.topicArns.length === 0) {
        findings.push({
            severity: "warning",
            subject: "observability.alarms.notify",
            message:
                "no emails, httpsEndpoints or topicArns: alarms change state in the CloudWatch console only and nobody is told",
        });
    }
    const runnerKeys = Object.keys(RUNNER_THRESHOLDS) as (keyof RunnerThresholds)[];
    const defaults = pick(thresholds, runnerKeys);
    const runners = Object.fromEntries(
        runnerNames.map((name) => {
            const { enabled: on, ...own } = input.alarms.runners[name] ?? {};
            const set = Object.fromEntries(Object.entries(own).filter(([, v]) => v !== undefined));
            return [name, { enabled: on ?? true, thresholds: { ...defaults, ...set } as RunnerThresholds }];
        }),
    );
    return {
        config: {
            enabled,
            collection,
            engines,
            alarms: {
                notify,
                runbookUrl: input.alarms.runbookUrl ?? DEFAULT_RUNBOOK,
                cluster: pick(thresholds, Object.keys(CLUSTER_THRESHOLDS) as (keyof ClusterThresholds)[]),
                runners,
            },
            findings,
        },
        problems,
    };
}
