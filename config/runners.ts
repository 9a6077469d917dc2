import { partitionOfRegion } from "../model/iam";
import type { StackContext } from "./context";
import { FARGATE_ROOM, fargateContainerInput, fargateRunnerProblems } from "./fargate";
import { jobIdentityProblems } from "./jobIdentity";
import { JobNetwork, NETWORK_DEFAULTS, resolveJobNetwork } from "./jobNetwork";
import { JobQuota, resolveJobQuota } from "./jobQuota";
import { largestNode, poolCapacityKind } from "./nodePools";
import { joinPath, Problem, pushAll } from "./problems";
import { parseMemoryMiB } from "./quantities";
import { chartsWithRunner, ChartVersion, DEFAULT_CHART_VERSION, runnerAtLeast, runnerChart } from "./runnerCharts";
import { RunnerInput, TERMINATION_GRACE_MARGIN_SECONDS, versionedOptions } from "./runnerOptions";
import { ApiTokenSources, registrationProblems, resolveRegistration, RunnerRegistration } from "./runnerRegistration";
import { warmCapacityProblems } from "./warmCapacity";
import {
    ContainerResourcesInput,
    containerResourcesShape,
    resolveRunnerResources,
    resourcePath,
    RunnerResources,
    smallestNode,
} from "./runnerResources";
import { jobCapacityOf, placesOf } from "./runnerPlacement";
import { runnerNameProblems, RunnerNames, runnerNames } from "./runnerNames";
import { tagListProblems, TaggedRunner } from "./runnerTags";
import { RunnerTokenPresence, RunnerTokenSource, tokenSource, tokenSourceProblems } from "./runnerTokens";

export { PULL_POLICIES, runnerSchema } from "./runnerOptions";
export type { PullPolicy } from "./runnerOptions";

export type { RunnerTokenSource } from "./runnerTokens";
export { managerNames, runnerNameProblems, runnerNames } from "./runnerNames";
export type { ManagerNames, RunnerNames } from "./runnerNames";

/** Input fields that validation turns into something else (resources, grace period, chart, token source). */
type ResolvedAway =
    | keyof ContainerResourcesInput
    | "helper"
    | "services"
    | "terminationGracePeriodSeconds"
    | "chartVersion"
    | "tokenSsmParameter"
    | "registration"
    | "network"
    | "quota";

/** A validated, fully defaulted runner: every pass-through option of the table as given, plus what is derived. */
export type RunnerConfig = Readonly<
    Omit<RunnerInput, ResolvedAway> & {
        readonly name: string;
        /** The manager pod's grace period, seconds: the given one or maxJobTimeoutMinutes × 60 + the margin. */
        readonly terminationGracePeriodSeconds: number;
        /** Job containers: requests, limits and ceilings, every ceiling filled in. */
        readonly resources: RunnerResources;
        readonly chart: Readonly<{ version: ChartVersion; runnerVersion: string }>;
        readonly token: RunnerTokenSource;
        /** The runner in GitLab, created and kept equal to the stack through the API; undefined: a manual token. */
        readonly registration?: RunnerRegistration;
        readonly names: RunnerNames;
        /** Where job pods may connect (config/jobNetwork.ts). */
        readonly network: JobNetwork;
        /** The job namespace's ResourceQuota (config/jobQuota.ts). */
        readonly quota: JobQuota;
    }
>;

/** What runner rules read besides the stack context: which runners have a token in secret config. */
export interface RunnerContext extends StackContext {
    /** Undefined when `runnerTokens` itself was invalid (its problems are already reported). */
    readonly runnerTokens?: RunnerTokenPresence;
    /** Where the GitLab API token that creates registered runners comes from (presence only). */
    readonly apiToken: ApiTokenSources;
    /** The VPC's CIDR blocks when `network.vpcCidrs` lists them (plus the pod-subnet block). */
    readonly vpcCidrs?: readonly string[];
}

/**
 * Cross-field and cross-section rules of `runners`; returns the defaulted runners, every problem found and the runners'
 * tags for the overlap rules (runnerTags.ts), which the caller applies across `runners` and `vmRunners`.
 */
export function resolveRunners(
    runners: Record<string, RunnerInput>,
    ctx: RunnerContext,
): { runners: RunnerConfig[]; problems: Problem[]; tagged: TaggedRunner[] } {
    const problems: Problem[] = [];
    const out: RunnerConfig[] = [];
    const tagged: TaggedRunner[] = [];
    const places = placesOf(ctx);
    for (const [name, r] of Object.entries(runners)) {
        const at = (...rest: (string | number)[]) => joinPath("runners", name, ...rest);
        pushAll(problems, runnerNameProblems("runners", name));
        const { jobsGroup, pool, fargate, problems: placement } = jobCapacityOf(name, r, ctx, places);
        pushAll(problems, placement);

        const entry: TaggedRunner = {
            name,
            tags: r.tags,
            runUntagged: r.runUntagged,
            group:
                jobsGroup ??
                (pool && { name: pool.name, arch: pool.arch, capacityType: poolCapacityKind(pool) }) ??
                // EKS Fargate pods run on x86 on-demand capacity only (no Fargate Spot or Graviton on EKS).
                (fargate ? { name: "fargate", arch: "amd64", capacityType: "ON_DEMAND" } : undefined),
        };
        tagged.push(entry);
        pushAll(problems, tagListProblems(entry));

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
        const grace = r.terminationGracePeriodSeconds ?? jobTimeoutSeconds + TERMINATION_GRACE_MARGIN_SECONDS;
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

        if (r.registration) {
            problems.push(
                ...registrationProblems(
                    {
                        name,
                        tags: r.tags,
                        tokenSsmParameter: r.tokenSsmParameter !== undefined,
                        configToken: ctx.runnerTokens?.names.has(name) ?? false,
                    },
                    ctx.apiToken,
                ),
            );
        } else {
            pushAll(problems, tokenSourceProblems("runners", name, r.tokenSsmParameter, ctx.runnerTokens));
        }

        // Ceilings: a node group's smallest type (any of its nodes may take the job); a pool's largest shape (Karpenter
        // launches a shape that fits the pending job).
        // Fargate: the largest Fargate pod, with Fargate's own defaults (config/fargate.ts).
        const node = jobsGroup
            ? smallestNode(jobsGroup, ctx.containerInsights)
            : pool
              ? largestNode(pool, ctx.containerInsights)
              : fargate
                ? FARGATE_ROOM
                : undefined;
        const { build, rest } = splitResources(r);
        const containers = { build, helper: r.helper, services: r.services };
        const resolved = resolveRunnerResources(
            fargate ? fargateContainerInput(containers) : containers,
            node,
            resourcePath(name),
        );
        pushAll(problems, resolved.problems);
        if (fargate) {
            pushAll(
                problems,
                fargateRunnerProblems(
                    {
                        name,
                        privileged: r.privileged,
                        warmCapacity: r.warmCapacity,
                        jobIdentity: r.jobIdentity,
                        networkSet:
                            [...r.network.egress].sort().join() !== [...NETWORK_DEFAULTS.egress].sort().join() ||
                            r.network.cidrs.length > 0 ||
                            r.network.allowClusterApi !== NETWORK_DEFAULTS.allowClusterApi,
                        ephemeralStorage: r.ephemeralStorage,
                        containers,
                    },
                    resolved.problems.length === 0 ? resolved.resources : undefined,
                ),
            );
        } else if (r.ephemeralStorage !== undefined) {
            problems.push({
                path: at("ephemeralStorage"),
                message: "is for Fargate runners (fargate: true); on nodes a job's storage is the node's disk",
            });
        }

        // Job identity and isolation (docs/runners.md#job-identity-and-isolation).
        if (r.jobIdentity)
            pushAll(problems, jobIdentityProblems(r.jobIdentity, ctx.region && partitionOfRegion(ctx.region), name));
        const network = resolveJobNetwork(r.network, ctx.vpcCidrs, name);
        pushAll(problems, network.problems);
        // A Fargate runner's namespace is bounded by its jobs alone (each pod brings its own VM; the vCPU quota is
        // checked in config/fargate.ts).
        const target = jobsGroup ?? pool ?? (fargate ? { fargate: true as const } : undefined);
        const quota = target
            ? resolveJobQuota(
                  r.quota,
                  { name, concurrent: r.concurrent, resources: resolved.resources },
                  target,
                  ctx.containerInsights,
              )
            : undefined;
        if (quota) pushAll(problems, quota.problems);

        const {
            helper: _helper,
            services: _services,
            terminationGracePeriodSeconds: _grace,
            chartVersion,
            tokenSsmParameter,
            registration,
            network: _network,
            quota: _quota,
            ...passThrough
        } = rest;
        const chart = runnerChart(chartVersion);
        for (const { key, since } of versionedOptions()) {
            if (r[key] === undefined || runnerAtLeast(chart.runnerVersion, since)) continue;
            const fits = chartsWithRunner(since).map((v) => (v === DEFAULT_CHART_VERSION ? `${v} (the default)` : v));
            problems.push({
                path: at(key),
                message: `needs GitLab Runner ${since} or later, but chartVersion ${chartVersion} ships ${chart.runnerVersion}; use chartVersion ${fits.join(" or ")}, or drop ${key}`,
            });
        }
        if (r.warmCapacity) pushAll(problems, warmCapacityProblems(name, r.warmCapacity, r.concurrent));
        // The warm-capacity plan (config/warmPlan.ts) is Cluster Autoscaler's: pause pods on a group bounded by maxSize,
        // CA's scan interval and scale-down delay. On a pool the pause pods would take part of cpuLimit the capacity plan
        // does not count, so jobs could find the limit reached: not offered until pools are planned with it.
        if (r.warmCapacity && pool)
            problems.push({
                path: at("warmCapacity"),
                message: `is planned for runners on node groups (Cluster Autoscaler) only: on node pool "${pool.name}" its pause pods would hold part of cpuLimit that the capacity plan does not count; remove warmCapacity`,
            });
        out.push({
            ...passThrough,
            name,
            terminationGracePeriodSeconds: grace,
            resources: resolved.resources,
            chart: { version: chartVersion, runnerVersion: chart.runnerVersion },
            token: registration ? { source: "registration" } : tokenSource(tokenSsmParameter),
            ...(registration ? { registration: resolveRegistration(name, registration, ctx.cluster?.name ?? "eks") } : {}),
            names: runnerNames(name),
            network: network.network,
            // Without its group or pool the runner is already rejected; the placeholder never leaves this function.
            quota: quota?.quota ?? { pods: 0, cpu: "0", memory: "0", derived: [] },
        });
    }
    // Tags across runners (and VM runners) are checked by the caller, which sees both sections.
    return { runners: out, problems, tagged };
}

/** The build container's resource fields (they sit on the runner itself) apart from everything else. */
function splitResources(r: RunnerInput): {
    build: ContainerResourcesInput;
    rest: Omit<RunnerInput, keyof ContainerResourcesInput>;
} {
    const build: Record<string, unknown> = {};
    const rest: Record<string, unknown> = { ...r };
    for (const key of Object.keys(containerResourcesShape)) {
        build[key] = rest[key];
        delete rest[key];
    }
    return { build: build as ContainerResourcesInput, rest: rest as Omit<RunnerInput, keyof ContainerResourcesInput> };
}
