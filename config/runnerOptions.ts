// The runner option table: every key of a `runners.<name>` entry, declared once with its schema (and so its default),
// where it ends up upstream and one line of documentation. The runner schema, the RunnerConfig type, the rendering
// of every pass-through option into config.toml or chart values, the reference tables in docs/runners.md and the
// README (scripts/generate-docs.ts), and the upstream-key tests are all derived from it. Rules that involve more
// than one field stay hand-written in runners.ts. Adding a pass-through option is one row here plus its test.
// What a row is and what a table derives: optionTable.ts; the build container's eight resource rows: runnerResourceOptions.ts.
import { z } from "zod";
import { strictObject } from "./problems";
import { jobIdentitySchema } from "./jobIdentity";
import { jobNetworkSchema } from "./jobNetwork";
import { jobQuotaSchema } from "./jobQuota";
import { CHART_VERSIONS, ChartVersion, DEFAULT_CHART_VERSION } from "./runnerCharts";
import { registrationSchema } from "./runnerRegistration";
import { autoscalerToml, WARM_CAPACITY_SINCE, WarmCapacityInput, warmCapacitySchema } from "./warmCapacity";
import { containerResourcesSchema, cpuQuantity, memoryQuantity, RESOURCE_DEFAULTS } from "./runnerResources";
import { ssmParameterName } from "./ssmParameter";
import { int, RunnerOption, schemaOf, tomlOptionsOf } from "./optionTable";
import { resourceOptions } from "./runnerResourceOptions";

/** GitLab Runner's image pull policies (`[runners.kubernetes] pull_policy` / `allowed_pull_policies`). */
export const PULL_POLICIES = ["always", "if-not-present", "never"] as const;
export type PullPolicy = (typeof PULL_POLICIES)[number];

/** Added to the longest job timeout for the manager pod's grace period: unregister + the last log upload. */
export const TERMINATION_GRACE_MARGIN_SECONDS = 300;

/**
 * → `[[runners.monitoring.job_queuing_durations]]`: one entry active at all times. GitLab Runner (≥ 16.10.0, CHANGELOG
 * MR 4480; both pinned runners) then increments `gitlab_runner_acceptable_job_queuing_duration_exceeded_total` for
 * every job that waited longer than `threshold` (commands/builds_helper.go evaluateJobQueuingDuration, v18.9.0).
 * `periods` are 7-field cron expressions (helpers/timeperiod, gorhill/cronexpr: "* * * * * * *" matches every
 * second); `threshold` is a Go time.Duration, which BurntSushi/toml (go.mod v1.6.0) decodes from a string with
 * time.ParseDuration (decode.go unifyInt). No `jobs_running_for_project`: every job counts.
 */
export function jobQueuingDurations(seconds: number) {
    return [{ periods: ["* * * * * * *"], timezone: "UTC", threshold: `${seconds}s` }];
}

const both = (x: { cpuRequest: string; memoryRequest: string; memoryLimit: string }) =>
    `\`${x.cpuRequest}\` / \`${x.memoryRequest}\` / \`${x.memoryLimit}\``;

export const RUNNER_OPTIONS = {
    nodeGroup: {
        schema: z.string({ error: "must be the name of a jobs node group" }).min(1).optional(),
        target: { derived: "`[runners.kubernetes] node_selector`, `node_tolerations`" },
        doc: "the `jobs` node group the job pods run on (Cluster Autoscaler): its labels (and `kubernetes.io/arch`) are selected, its taints tolerated; exactly one of this, `nodePool`, `fargate`",
        summary: true,
    },
    nodePool: {
        schema: z.string({ error: "must be the name of a node pool" }).min(1).optional(),
        target: { derived: "`[runners.kubernetes] node_selector`, `node_tolerations`, `pod_annotations`" },
        doc: 'the node pool the job pods run on (Karpenter): selected and tolerated like a node group, and every job pod is annotated `karpenter.sh/do-not-disrupt: "true"`; exactly one of this, `nodeGroup`, `fargate`',
        summary: true,
    },
    fargate: {
        schema: z.boolean({ error: "must be true or false" }).optional(),
        target: {
            derived: "a Fargate profile selecting the job namespace and runner label; no `node_selector`/`node_tolerations`",
        },
        doc: "job pods run on AWS Fargate, one micro-VM each (docs/runners.md, *Fargate runners*): instead of `nodeGroup`/`nodePool`; needs the `fargate` section",
        summary: true,
    },
    ephemeralStorage: {
        schema: memoryQuantity.optional(),
        target: {
            derived:
                "`[runners.kubernetes] ephemeral_storage_request`, `helper_ephemeral_storage_request`, `service_ephemeral_storage_request`",
        },
        doc: "Fargate runners only: the job pod's ephemeral storage, 20–175 GiB (20 GiB included; the build container gets it less 1 GiB each for the helper and one service)",
        defaultText: "none (Fargate's included 20 GiB)",
    },
    tags: {
        schema: z.array(z.string()).default([]),
        target: { gitlab: "tag_list" },
        doc: "the job tags this runner serves; the stack is the source of truth, see [below](#tags-run-untagged-and-where-jobs-land); sent to GitLab with `registration`",
        summary: true,
    },
    runUntagged: {
        schema: z.boolean().default(false),
        target: { gitlab: "run_untagged" },
        doc: "also take jobs without tags; at most one runner per stack; sent to GitLab with `registration`",
        summary: true,
    },
    concurrent: {
        schema: int(1, 10000, "jobs this runner runs at once"),
        target: { chart: "concurrent" },
        doc: "jobs at once (global `concurrent`); ≥ the largest `parallel:` it is expected to take; must fit its group at `maxSize`",
        summary: true,
    },
    checkInterval: {
        schema: int(1, 3600, "seconds between job requests").default(3),
        target: { chart: "checkInterval" },
        doc: "seconds between job requests (global `check_interval`; GitLab Runner's own default)",
    },
    requestConcurrency: {
        schema: int(1, 100, "parallel job requests").default(1),
        target: { toml: "runners.request_concurrency" },
        doc: "parallel long-poll requests for new jobs; raise it for busy runners; ≤ `concurrent`",
    },
    outputLimit: {
        schema: int(1, 1048576, "KiB of job log").default(4096),
        target: { toml: "runners.output_limit" },
        doc: "KiB of job log kept (upstream default)",
    },
    image: {
        schema: z.string().min(1).default("ubuntu:24.04"),
        target: { toml: "runners.kubernetes.image" },
        doc: "image of jobs that name none (multi-arch, so the same default works on amd64 and arm64)",
    },
    privileged: {
        schema: z.boolean().default(false),
        target: { toml: "runners.kubernetes.privileged" },
        doc: "docker-in-docker only; requires `runUntagged: false` and tags; the job namespace then admits privileged pods",
        summary: true,
    },
    pullPolicy: {
        schema: z.enum(PULL_POLICIES).default("if-not-present"),
        target: { toml: "runners.kubernetes.pull_policy", render: (p: PullPolicy) => [p] },
        doc: "reuse images already on the node (the point of many jobs per node)",
    },
    allowedPullPolicies: {
        schema: z.array(z.enum(PULL_POLICIES)).min(1).default(["always", "if-not-present"]),
        target: { toml: "runners.kubernetes.allowed_pull_policies" },
        doc: "what a job may pick with `image: pull_policy:`; must contain `pullPolicy`",
    },
    pollTimeout: {
        schema: int(30, 3600, "seconds").default(600),
        target: { toml: "runners.kubernetes.poll_timeout" },
        doc: "seconds a job waits for its pod; covers a scale-up from zero (the upstream 180 is too short)",
    },
    jobQueueThresholdSeconds: {
        schema: int(10, 86400, "seconds").default(300),
        target: { toml: "runners.monitoring.job_queuing_durations", render: jobQueuingDurations },
        doc: "seconds a job may wait in GitLab's queue before the runner counts it as waiting too long (the queue alarm counts those)",
    },
    cleanupGracePeriodSeconds: {
        // gitlab-runner common/config.go KubernetesConfig.CleanupGracePeriodSeconds (issue 25668; 0 accepted since MR 4617).
        schema: int(0, 3600, "seconds").optional(),
        target: { toml: "runners.kubernetes.cleanup_grace_period_seconds" },
        doc: "seconds a finished job pod gets to stop when the runner deletes it; unset: the pod's own grace period",
    },
    maxJobTimeoutMinutes: {
        // At least 10: GitLab refuses a maximum_timeout under 600 s (config/runnerRegistration.ts GITLAB_RUNNER_LIMITS).
        schema: int(10, 10080, "minutes").default(60),
        target: { gitlab: "maximum_timeout" },
        doc: "the longest job (× 60 → `maximum_timeout`, sent to GitLab with `registration`); sets the manager's grace period and the drain bound of its node group",
        summary: true,
    },
    terminationGracePeriodSeconds: {
        schema: int(30, 7 * 24 * 3600, "seconds").optional(),
        target: { chart: "terminationGracePeriodSeconds" },
        doc: "how long a replaced manager may drain its running jobs; never below the job timeout",
        defaultText: `job timeout + ${TERMINATION_GRACE_MARGIN_SECONDS}`,
    },
    ...resourceOptions,
    helper: {
        schema: containerResourcesSchema.default({}),
        target: {
            derived: "`helper_cpu_request`, `helper_memory_request`, `helper_memory_limit`, `helper_*_overwrite_max_allowed`",
        },
        doc: "the same eight fields for the helper container (clone, cache, artifacts)",
        defaultText: both(RESOURCE_DEFAULTS.helper),
    },
    services: {
        schema: containerResourcesSchema.default({}),
        target: { derived: "`service_cpu_request`, … `service_*_overwrite_max_allowed`" },
        doc: "the same eight fields for each `services:` container",
        defaultText: both(RESOURCE_DEFAULTS.services),
    },
    manager: {
        schema: strictObject({
            cpuRequest: cpuQuantity.default(RESOURCE_DEFAULTS.manager.cpuRequest),
            memoryRequest: memoryQuantity.default(RESOURCE_DEFAULTS.manager.memoryRequest),
            memoryLimit: memoryQuantity.default(RESOURCE_DEFAULTS.manager.memoryLimit),
        }).default({ ...RESOURCE_DEFAULTS.manager }),
        target: { derived: "chart `resources`" },
        doc: "manager pod CPU request, memory request, memory limit",
        defaultText: both(RESOURCE_DEFAULTS.manager),
    },
    warmCapacity: {
        schema: warmCapacitySchema.optional(),
        target: { toml: "runners.kubernetes.autoscaler", render: (w: WarmCapacityInput) => autoscalerToml(w), table: true },
        doc: "idle pause pods by schedule so jobs start without waiting for a node (runners on node groups); see [Warm capacity](#warm-capacity)",
        defaultText: "none (off)",
        since: WARM_CAPACITY_SINCE,
    },
    chartVersion: {
        schema: z
            .enum(CHART_VERSIONS as [ChartVersion, ...ChartVersion[]], {
                error: (iss) =>
                    `${JSON.stringify(iss.input)} is not a known gitlab-runner chart version (known: ${CHART_VERSIONS.join(", ")}; add new ones to config/runnerCharts.ts)`,
            })
            .default(DEFAULT_CHART_VERSION),
        target: { derived: "the Helm release version" },
        doc: "`gitlab-runner` chart; `config/runnerCharts.ts` lists each known version and its runner",
    },
    registration: {
        schema: registrationSchema.optional(),
        target: { gitlab: "runner_type, group_id / project_id, access_level, locked, paused, description" },
        doc: "create the runner through the GitLab API and take its token from there (`docs/runner-registration.md`); without it the token is set by hand",
        defaultText: "none (manual token)",
        summary: true,
    },
    tokenSsmParameter: {
        schema: ssmParameterName("/ci/runners/amd64/token").optional(),
        target: { derived: "the token Secret" },
        doc: "SSM SecureString holding the token, instead of `runnerTokens.<name>` (runners without `registration`)",
        summary: true,
    },
    jobIdentity: {
        schema: jobIdentitySchema.optional(),
        target: {
            derived: "an IAM role bound by EKS Pod Identity to the job service account (`[runners.kubernetes] service_account`)",
        },
        doc: "AWS access for jobs without keys: `managedPolicyArns`, inline `statements` (`effect`, `actions`, `resources`), optional `permissionsBoundaryArn` (docs/runners.md, *Job identity and isolation*)",
        defaultText: "none (no AWS identity)",
        summary: true,
    },
    network: {
        schema: jobNetworkSchema,
        target: { derived: "NetworkPolicies of the job namespace" },
        doc: "what job pods may reach besides DNS: `egress` (`internet`, `vpc`), `cidrs`, `allowClusterApi` (also mounts the service-account token)",
        defaultText: "`egress: [internet]`, no cluster API",
        summary: true,
    },
    quota: {
        schema: jobQuotaSchema,
        target: { derived: "ResourceQuota `pods`, `requests.cpu`, `requests.memory` of the job namespace" },
        doc: "caps on the job namespace: `pods`, `cpu`, `memory`; never below what 2 × `concurrent` default jobs need",
        defaultText:
            "2 × concurrent pods; CPU and memory of that many jobs at their ceilings, at most the group at `maxSize` (a pool at twice `cpuLimit`)",
    },
} satisfies Record<string, RunnerOption>;

export type RunnerOptionKey = keyof typeof RUNNER_OPTIONS;

/**
 * One entry of `runners`: a GitLab runner manager (one Helm release of the official chart) and the job pods it
 * starts, derived from the table. Build-container resources sit on the runner itself (`cpuRequest`, …); the helper
 * and service containers have the same fields under `helper` and `services`.
 */
export const runnerSchema = schemaOf(RUNNER_OPTIONS);
export type RunnerInput = z.output<typeof runnerSchema>;

/** Options that only newer runners have, with the first runner version that has each. */
export function versionedOptions(): { key: RunnerOptionKey; since: string }[] {
    return (Object.entries(RUNNER_OPTIONS) as [RunnerOptionKey, RunnerOption][]).flatMap(([key, o]) =>
        o.since ? [{ key, since: o.since }] : [],
    );
}

/** The runner options rendered straight into `[[runners]]` of config.toml. */
export function tomlOptions(): { key: RunnerOptionKey; path: string; render?: (value: never) => unknown; since?: string }[] {
    return tomlOptionsOf(RUNNER_OPTIONS);
}

/** The options rendered straight into chart values, with their value paths. */
export function chartOptions(): { key: RunnerOptionKey; path: string }[] {
    return (Object.entries(RUNNER_OPTIONS) as [RunnerOptionKey, RunnerOption][]).flatMap(([key, o]) =>
        "chart" in o.target ? [{ key, path: o.target.chart }] : [],
    );
}
