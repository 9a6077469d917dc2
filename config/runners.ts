import { RUNNER_NAMESPACES } from "../model/labels";
import { z } from "zod";
import type { StackContext } from "./context";
import { joinPath, Problem, strictObject } from "./problems";
import { CHART_VERSIONS, ChartVersion, runnerChart } from "./runnerCharts";
import { RUNNER_DEFAULTS } from "./runnerDefaults";
import {
    containerResourcesSchema,
    containerResourcesShape,
    cpuQuantity,
    memoryQuantity,
    resolveRunnerResources,
    resourcePath,
    RunnerResources,
    smallestNode,
} from "./runnerResources";
import { tagListProblems, tagOverlapProblems, TaggedRunner } from "./runnerTags";
import { RunnerTokenPresence, tokenHowTo } from "./runnerTokens";
import { parseMemoryMiB } from "./quantities";

export { RUNNER_DEFAULTS } from "./runnerDefaults";

/** GitLab Runner's image pull policies (`[runners.kubernetes] pull_policy` / `allowed_pull_policies`). */
export const PULL_POLICIES = ["always", "if-not-present", "never"] as const;
export type PullPolicy = (typeof PULL_POLICIES)[number];

const int = (min: number, max: number, what: string) =>
    z
        .number({ error: `must be a whole number (${what})` })
        .int({ error: `must be a whole number (${what})` })
        .min(min, { error: `must be at least ${min} (${what})` })
        .max(max, { error: `must be at most ${max} (${what})` });

/** SSM parameter names: a path of [A-Za-z0-9_.-] segments (a parameter ARN is accepted too). */
const SSM_PARAMETER = /^(arn:aws[a-z-]*:ssm:[a-z0-9-]+:\d{12}:parameter)?\/?[A-Za-z0-9_.\-/]{1,1011}$/;

/**
 * One entry of `runners`: a GitLab runner manager (one Helm release of the official chart) and the job pods it
 * starts. Each field names the config.toml key or chart value it becomes; defaults live in RUNNER_DEFAULTS.
 * Build-container resources sit on the runner itself (`cpuRequest`, `memoryLimitMax`, …); the helper and service
 * containers have the same fields under `helper` and `services`.
 */
export const runnerSchema = strictObject({
    /** The `jobs` node group this runner's job pods run on (→ `[runners.kubernetes] node_selector` / `node_tolerations`). */
    nodeGroup: z.string().min(1),
    /**
     * Job tags this runner serves. With runner authentication tokens, tags live on the runner in GitLab; these must
     * mirror them and are the source of truth for where jobs land (validated across runners, docs/runners.md).
     */
    tags: z.array(z.string()).default([]),
    /** Also pick up jobs without tags (GitLab's "Run untagged jobs"; mirror it there). At most one runner may. */
    runUntagged: z.boolean().default(RUNNER_DEFAULTS.runUntagged),
    /** → global `concurrent` (chart `concurrent`): jobs at once; ≥ the largest `parallel:` it is expected to take (seed 002). */
    concurrent: int(1, 10000, "jobs this runner runs at once"),
    /** → global `check_interval` (chart `checkInterval`), seconds. */
    checkInterval: int(1, 3600, "seconds between job requests").default(RUNNER_DEFAULTS.checkInterval),
    /** → `[[runners]] request_concurrency`: parallel requests for new jobs; ≤ concurrent. */
    requestConcurrency: int(1, 100, "parallel job requests").default(RUNNER_DEFAULTS.requestConcurrency),
    /** → `[[runners]] output_limit`, KiB of job log kept. */
    outputLimit: int(1, 1048576, "KiB of job log").default(RUNNER_DEFAULTS.outputLimit),
    /** → `[runners.kubernetes] image`: the image of jobs that name none. */
    image: z.string().min(1).default(RUNNER_DEFAULTS.image),
    /** → `[runners.kubernetes] privileged`: true only for docker-in-docker runners; such a runner may not run untagged jobs. */
    privileged: z.boolean().default(RUNNER_DEFAULTS.privileged),
    /** → `[runners.kubernetes] pull_policy`. */
    pullPolicy: z.enum(PULL_POLICIES).default(RUNNER_DEFAULTS.pullPolicy),
    /** → `[runners.kubernetes] allowed_pull_policies`: what `image: pull_policy:` in .gitlab-ci.yml may choose. */
    allowedPullPolicies: z
        .array(z.enum(PULL_POLICIES))
        .min(1)
        .default([...RUNNER_DEFAULTS.allowedPullPolicies]),
    /** → `[runners.kubernetes] poll_timeout`, seconds a job waits for its pod (node scale-up included). */
    pollTimeout: int(30, 3600, "seconds").default(RUNNER_DEFAULTS.pollTimeout),
    /** The runner's "Maximum job timeout" set in GitLab, in minutes; the manager's grace period covers it. */
    maxJobTimeoutMinutes: int(10, 10080, "minutes").default(RUNNER_DEFAULTS.maxJobTimeoutMinutes),
    /** → chart `terminationGracePeriodSeconds` of the manager pod; default maxJobTimeoutMinutes × 60 + 300. */
    terminationGracePeriodSeconds: int(30, 7 * 24 * 3600, "seconds").optional(),
    ...containerResourcesShape,
    /** The helper container of every job pod (→ `helper_cpu_request`, `helper_memory_limit_overwrite_max_allowed`, …). */
    helper: containerResourcesSchema.default({}),
    /** Each `services:` container (→ `service_cpu_request`, …). */
    services: containerResourcesSchema.default({}),
    /** The manager pod (→ chart `resources`). */
    manager: strictObject({
        cpuRequest: cpuQuantity.default(RUNNER_DEFAULTS.manager.cpuRequest),
        memoryRequest: memoryQuantity.default(RUNNER_DEFAULTS.manager.memoryRequest),
        memoryLimit: memoryQuantity.default(RUNNER_DEFAULTS.manager.memoryLimit),
    }).default({ ...RUNNER_DEFAULTS.manager }),
    /** Version of the official gitlab-runner chart (config/runnerCharts.ts lists each one's runner version). */
    chartVersion: z
        .enum(CHART_VERSIONS as [ChartVersion, ...ChartVersion[]], {
            error: (iss) =>
                `${JSON.stringify(iss.input)} is not a known gitlab-runner chart version (known: ${CHART_VERSIONS.join(", ")}; add new ones to config/runnerCharts.ts)`,
        })
        .default(RUNNER_DEFAULTS.chartVersion),
    /** SSM SecureString parameter holding the runner authentication token, instead of secret config runnerTokens.<runner>. */
    tokenSsmParameter: z
        .string()
        .regex(SSM_PARAMETER, {
            error: (iss) => `${JSON.stringify(iss.input)} is not an SSM parameter name (e.g. /ci/runners/amd64/token)`,
        })
        .optional(),
});
type RunnerInput = z.output<typeof runnerSchema>;

/** Where the runner's token comes from; never the token itself. */
export type RunnerTokenSource = { readonly source: "config" } | { readonly source: "ssm"; readonly parameter: string };

/** Kubernetes and Helm names of one runner, derived from its stable key (renaming them replaces the objects). */
export interface RunnerNames {
    readonly release: string;
    readonly managerNamespace: string;
    readonly serviceAccount: string;
    readonly tokenSecret: string;
    readonly jobNamespace: string;
}

/** A validated, fully defaulted runner. */
export interface RunnerConfig {
    readonly name: string;
    readonly nodeGroup: string;
    readonly tags: readonly string[];
    readonly runUntagged: boolean;
    readonly concurrent: number;
    readonly checkInterval: number;
    readonly requestConcurrency: number;
    readonly outputLimit: number;
    readonly image: string;
    readonly privileged: boolean;
    readonly pullPolicy: PullPolicy;
    readonly allowedPullPolicies: readonly PullPolicy[];
    readonly pollTimeout: number;
    readonly maxJobTimeoutMinutes: number;
    readonly terminationGracePeriodSeconds: number;
    /** Job containers: requests, limits and ceilings, every ceiling filled in. */
    readonly resources: RunnerResources;
    readonly manager: Readonly<{ cpuRequest: string; memoryRequest: string; memoryLimit: string }>;
    readonly chart: Readonly<{ version: ChartVersion; runnerVersion: string; podDisruptionBudget: boolean }>;
    readonly token: RunnerTokenSource;
    readonly names: RunnerNames;
}

/** What runner rules read besides the stack context: which runners have a token in secret config. */
export interface RunnerContext extends StackContext {
    /** Undefined when `runnerTokens` itself was invalid (its problems are already reported). */
    readonly runnerTokens?: RunnerTokenPresence;
}

/** Runner keys become Helm release, namespace and service-account names: DNS labels, with room for prefixes. */
const RUNNER_NAME = /^[a-z0-9]([-a-z0-9]{0,28}[a-z0-9])?$/;

export function runnerNames(name: string): RunnerNames {
    return {
        release: `gitlab-runner-${name}`,
        managerNamespace: RUNNER_NAMESPACES.managers,
        serviceAccount: `gitlab-runner-${name}`,
        tokenSecret: `gitlab-runner-${name}-token`,
        jobNamespace: `${RUNNER_NAMESPACES.jobsPrefix}${name}`,
    };
}

/** Cross-field and cross-section rules of `runners`; returns the defaulted runners and every problem found. */
export function resolveRunners(
    runners: Record<string, RunnerInput>,
    ctx: RunnerContext,
): { runners: RunnerConfig[]; problems: Problem[] } {
    const problems: Problem[] = [];
    const out: RunnerConfig[] = [];
    const tagged: TaggedRunner[] = [];
    const groups = ctx.nodeGroups;
    for (const [name, r] of Object.entries(runners)) {
        const at = (...rest: (string | number)[]) => joinPath("runners", name, ...rest);
        if (!RUNNER_NAME.test(name)) {
            problems.push({
                path: at(),
                message: `"${name}" is not a valid runner name: 1–30 of [a-z0-9-], alphanumeric at both ends (it becomes part of Helm release, namespace and service-account names)`,
            });
        }
        const jobsGroup = groups.jobs.find((g) => g.name === r.nodeGroup);
        if (!jobsGroup) {
            const jobNames = groups.jobs.map((g) => g.name).join(", ") || "none declared";
            problems.push({
                path: at("nodeGroup"),
                message:
                    groups.management?.name === r.nodeGroup
                        ? `"${r.nodeGroup}" is the management group; job pods must run on a jobs group (${jobNames})`
                        : `"${r.nodeGroup}" is not a node group (jobs groups: ${jobNames})`,
            });
        }

        const entry: TaggedRunner = { name, tags: r.tags, runUntagged: r.runUntagged, group: jobsGroup };
        tagged.push(entry);
        problems.push(...tagListProblems(entry));

        if (r.privileged && r.runUntagged) {
            problems.push({
                path: at("privileged"),
                message:
                    "a privileged runner must not run untagged jobs: every untagged job would get root on a node. Set runUntagged: false and give it tags (e.g. dind) so only jobs that ask for it land here",
            });
        }
        if (r.requestConcurrency > r.concurrent) {
            problems.push({
                path: at("requestConcurrency"),
                message: `${r.requestConcurrency} is above concurrent ${r.concurrent}; GitLab Runner caps it at concurrent anyway`,
            });
        }
        if (!r.allowedPullPolicies.includes(r.pullPolicy)) {
            problems.push({
                path: at("pullPolicy"),
                message: `"${r.pullPolicy}" is not in allowedPullPolicies (${r.allowedPullPolicies.join(", ")}); GitLab Runner would fail every job that does not choose one`,
            });
        }
        const jobTimeoutSeconds = r.maxJobTimeoutMinutes * 60;
        const grace = r.terminationGracePeriodSeconds ?? jobTimeoutSeconds + RUNNER_DEFAULTS.terminationGraceMarginSeconds;
        if (grace < jobTimeoutSeconds) {
            problems.push({
                path: at("terminationGracePeriodSeconds"),
                message: `${grace} is shorter than maxJobTimeoutMinutes (${r.maxJobTimeoutMinutes} min = ${jobTimeoutSeconds} s): a deploy would kill jobs still running; use at least ${jobTimeoutSeconds}`,
            });
        }
        if (parseMemoryMiB(r.manager.memoryRequest)! > parseMemoryMiB(r.manager.memoryLimit)!) {
            problems.push({
                path: at("manager", "memoryRequest"),
                message: `${r.manager.memoryRequest} is above manager.memoryLimit ${r.manager.memoryLimit}`,
            });
        }

        const hasConfigToken = ctx.runnerTokens?.names.has(name) ?? false;
        if (ctx.runnerTokens && hasConfigToken && r.tokenSsmParameter) {
            problems.push({
                path: at("tokenSsmParameter"),
                message: `runnerTokens.${name} is set too; keep one source of the token (remove it with \`pulumi config rm --path 'runnerTokens.${name}'\` or drop tokenSsmParameter)`,
            });
        } else if (ctx.runnerTokens && !hasConfigToken && !r.tokenSsmParameter) {
            problems.push({
                path: joinPath("runnerTokens", name),
                message: `runner "${name}" has no runner authentication token: ${tokenHowTo(name)}`,
            });
        }

        const node = jobsGroup ? smallestNode(jobsGroup, ctx.containerInsights) : undefined;
        const { build, helper, services } = splitResources(r);
        const resolved = resolveRunnerResources({ build, helper, services }, node, resourcePath(name));
        problems.push(...resolved.problems);

        const chart = runnerChart(r.chartVersion);
        out.push({
            name,
            nodeGroup: r.nodeGroup,
            tags: r.tags,
            runUntagged: r.runUntagged,
            concurrent: r.concurrent,
            checkInterval: r.checkInterval,
            requestConcurrency: r.requestConcurrency,
            outputLimit: r.outputLimit,
            image: r.image,
            privileged: r.privileged,
            pullPolicy: r.pullPolicy,
            allowedPullPolicies: r.allowedPullPolicies,
            pollTimeout: r.pollTimeout,
            maxJobTimeoutMinutes: r.maxJobTimeoutMinutes,
            terminationGracePeriodSeconds: grace,
            resources: resolved.resources,
            manager: r.manager,
            chart: {
                version: r.chartVersion,
                runnerVersion: chart.runnerVersion,
                podDisruptionBudget: chart.podDisruptionBudget,
            },
            token: r.tokenSsmParameter ? { source: "ssm", parameter: r.tokenSsmParameter } : { source: "config" },
            names: runnerNames(name),
        });
    }
    problems.push(...tagOverlapProblems(tagged));
    return { runners: out, problems };
}

function splitResources(r: RunnerInput) {
    const build = {
        cpuRequest: r.cpuRequest,
        cpuLimit: r.cpuLimit,
        memoryRequest: r.memoryRequest,
        memoryLimit: r.memoryLimit,
        cpuRequestMax: r.cpuRequestMax,
        cpuLimitMax: r.cpuLimitMax,
        memoryRequestMax: r.memoryRequestMax,
        memoryLimitMax: r.memoryLimitMax,
    };
    return { build, helper: r.helper, services: r.services };
}
