import { partitionOfRegion } from "../model/iam";
import { RUNNER_NAMESPACES } from "../model/labels";
import type { StackContext } from "./context";
import { FARGATE_ROOM, fargateContainerInput, fargateRunnerProblems } from "./fargate";
import { jobIdentityProblems } from "./jobIdentity";
import { JobNetwork, NETWORK_DEFAULTS, resolveJobNetwork } from "./jobNetwork";
import { JobQuota, resolveJobQuota } from "./jobQuota";
import type { NodeGroupConfig } from "./nodeGroups";
import { largestNode, NodePoolConfig, poolCapacityKind } from "./nodePools";
import { joinPath, Problem } from "./problems";
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
import { tagListProblems, TaggedRunner } from "./runnerTags";
import { RunnerTokenPresence, RunnerTokenSource, tokenSource, tokenSourceProblems } from "./runnerTokens";

export { PULL_POLICIES, runnerSchema } from "./runnerOptions";
export type { PullPolicy } from "./runnerOptions";

export type { RunnerTokenSource } from "./runnerTokens";

/** Kubernetes and Helm names of a runner manager, derived from its stable key (renaming them replaces the objects). */
export interface ManagerNames {
    readonly release: string;
    readonly managerNamespace: string;
    readonly serviceAccount: string;
    readonly tokenSecret: string;
}

/** A Kubernetes runner's names: its manager's and its job namespace. */
export interface RunnerNames extends ManagerNames {
    readonly jobNamespace: string;
    /** The job pods' own service account, in the job namespace (`[runners.kubernetes] service_account`). */
    readonly jobServiceAccount: string;
}

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

/** Runner keys become Helm release, namespace and service-account names: DNS labels, with room for prefixes. */
const RUNNER_NAME = /^[a-z0-9]([-a-z0-9]{0,28}[a-z0-9])?$/;

/** Problems of a runner key (`section` is `runners` or `vmRunners`: they share one name space). */
export function runnerNameProblems(section: string, name: string): Problem[] {
    if (RUNNER_NAME.test(name)) return [];
    return [
        {
            path: joinPath(section, name),
            message: `"${name}" is not a valid runner name: 1–30 of [a-z0-9-], alphanumeric at both ends (it becomes part of Helm release, namespace and service-account names)`,
        },
    ];
}

export function managerNames(name: string): ManagerNames {
    return {
        release: `gitlab-runner-${name}`,
        managerNamespace: RUNNER_NAMESPACES.managers,
        serviceAccount: `gitlab-runner-${name}`,
        tokenSecret: `gitlab-runner-${name}-token`,
    };
}

export function runnerNames(name: string): RunnerNames {
    return {
        ...managerNames(name),
        jobNamespace: `${RUNNER_NAMESPACES.jobsPrefix}${name}`,
        jobServiceAccount: `gitlab-job-${name}`,
    };
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
    for (const [name, r] of Object.entries(runners)) {
        const at = (...rest: (string | number)[]) => joinPath("runners", name, ...rest);
        problems.push(...runnerNameProblems("runners", name));
        const { jobsGroup, pool, fargate, problems: placement } = jobCapacityOf(name, r, ctx);
        problems.push(...placement);

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
            problems.push(...tokenSourceProblems("runners", name, r.tokenSsmParameter, ctx.runnerTokens));
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
        problems.push(...resolved.problems);
        if (fargate) {
            problems.push(
                ...fargateRunnerProblems(
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
            problems.push(...jobIdentityProblems(r.jobIdentity, ctx.region && partitionOfRegion(ctx.region), name));
        const network = resolveJobNetwork(r.network, ctx.vpcCidrs, name);
        problems.push(...network.problems);
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
        if (quota) problems.push(...quota.problems);

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
        if (r.warmCapacity) problems.push(...warmCapacityProblems(name, r.warmCapacity, r.concurrent));
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

/**
 * Where a runner's job pods run: exactly one of `nodeGroup` (a jobs group, Cluster Autoscaler), `nodePool`
 * (Karpenter) or `fargate: true` (AWS Fargate), and a group or pool must exist.
 */
function jobCapacityOf(
    name: string,
    r: Pick<RunnerInput, "nodeGroup" | "nodePool" | "fargate">,
    ctx: RunnerContext,
): { jobsGroup?: NodeGroupConfig; pool?: NodePoolConfig; fargate?: true; problems: Problem[] } {
    const at = (field: string) => joinPath("runners", name, field);
    if (r.fargate === true) {
        const also = (["nodeGroup", "nodePool"] as const).filter((k) => r[k] !== undefined);
        if (also.length > 0)
            return {
                problems: also.map((k) => ({
                    path: at(k),
                    message: `set exactly one of nodeGroup, nodePool and fargate: this runner has fargate: true, so its job pods get no node; drop ${k}`,
                })),
            };
        return { fargate: true, problems: [] };
    }
    const groups = ctx.nodeGroups;
    const karpenter = ctx.nodeAutoscaler === "karpenter";
    const jobNames = groups.jobs.map((g) => g.name).join(", ") || "none declared";
    const pools = ctx.nodePools ?? [];
    const poolNames = pools.map((p) => p.name).join(", ") || "none declared";
    if (r.nodeGroup !== undefined && r.nodePool !== undefined)
        return {
            problems: [
                {
                    path: at("nodePool"),
                    message: `set either nodeGroup or nodePool, not both: job pods run on one kind of node (${karpenter ? "this stack's engine is Karpenter: keep nodePool" : "this stack's engine is Cluster Autoscaler: keep nodeGroup"})`,
                },
            ],
        };
    if (r.nodeGroup === undefined && r.nodePool === undefined)
        return {
            problems: [
                karpenter
                    ? { path: at("nodePool"), message: `is required: name the node pool its jobs run on (pools: ${poolNames})` }
                    : {
                          path: at("nodeGroup"),
                          message: `is required: name the jobs node group its jobs run on (jobs groups: ${jobNames})`,
                      },
            ],
        };
    if (r.nodePool !== undefined) {
        const pool = pools.find((p) => p.name === r.nodePool);
        if (pool) return { pool, problems: [] };
        return {
            problems: [
                {
                    path: at("nodePool"),
                    message: karpenter
                        ? `"${r.nodePool}" is not a node pool (pools: ${poolNames})`
                        : `"${r.nodePool}": node pools need addons.nodeAutoscaler: karpenter; with Cluster Autoscaler name a jobs node group in nodeGroup (${jobNames})`,
                },
            ],
        };
    }
    const jobsGroup = groups.jobs.find((g) => g.name === r.nodeGroup);
    if (jobsGroup) return { jobsGroup, problems: [] };
    return {
        problems: [
            {
                path: at("nodeGroup"),
                message: karpenter
                    ? `with addons.nodeAutoscaler: karpenter jobs run on node pools: use nodePool (pools: ${poolNames})`
                    : groups.management?.name === r.nodeGroup
                      ? `"${r.nodeGroup}" is the management group; job pods must run on a jobs group (${jobNames})`
                      : `"${r.nodeGroup}" is not a node group (jobs groups: ${jobNames})`,
            },
        ],
    };
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
