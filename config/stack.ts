import { z } from "zod";
import { AddonsConfig, addonsSchema, addonsSchemaFor, containerInsightsEnabled, resolveAddons } from "./addons";
import { CacheConfig, cacheSchema } from "./cache";
import { CapacityReport, planCapacity, podSubnetFreeIps, ROLLOUT_MANAGERS, runnerDemand } from "./capacity";
import { FargateConfig, fargateIpProblems, FargatePlan, fargateSchema, planFargate } from "./fargate";
import { managementPods } from "./managementCapacity";
import { StackContext } from "./context";
import { ClusterConfig, clusterSchema } from "./cluster";
import { GITLAB_API_TOKEN_KEY, gitlabApiTokenSchema, GitlabConfig, gitlabSchema } from "./gitlab";
import { knownVpcCidrs, NetworkConfig, networkSchema } from "./network";
import { NodeGroups, nodeGroupSchema, resolveNodeGroups } from "./nodeGroups";
import { nodeAutoscalerProblems } from "./nodeAutoscaler";
import { NodePoolConfig, nodePoolSchema, resolveNodePools, resolvePoolGracePeriods } from "./nodePools";
import { DRAIN_MARGIN_SECONDS } from "./patching";
import { ObservabilityConfig, observabilitySchema, resolveObservability } from "./observability/schema";
import { ConfigError, deepFreeze, Problem, problemsFromZod } from "./problems";
import { apiTokenProblems, ApiTokenSources } from "./runnerRegistration";
import { resolveRunners, RunnerConfig, runnerSchema } from "./runners";
import { tagOverlapProblems, TaggedRunner } from "./runnerTags";
import { checkRunnerTokens, runnerTokensSchema } from "./runnerTokens";
import { warmAutoscaler } from "./addons/clusterAutoscaler";
import { planWarmCapacity } from "./warmPlan";
import { resolveVmRunners, VmRunnerConfig, vmRunnerSchema } from "./vmRunners";

/** The validated, fully defaulted, frozen stack configuration every other layer reads. */
export interface StackConfig {
    /** `aws:region` of the stack. */
    readonly region: string;
    readonly gitlab: GitlabConfig;
    readonly cluster: ClusterConfig;
    readonly network: NetworkConfig;
    readonly nodeGroups: NodeGroups;
    /** Karpenter's job capacity (`addons.nodeAutoscaler: karpenter`); empty with Cluster Autoscaler. */
    readonly nodePools: readonly NodePoolConfig[];
    readonly runners: readonly RunnerConfig[];
    /** The `fargate` section: present when some runner has `fargate: true`. */
    readonly fargate?: FargateConfig;
    /** Runners whose jobs run on EC2 VMs of their own Auto Scaling group (config/vmRunners/). */
    readonly vmRunners: readonly VmRunnerConfig[];
    readonly addons: AddonsConfig;
    readonly cache: CacheConfig;
    /** Fleet metrics, dashboard and alarms (docs/runbook/monitoring.md). */
    readonly observability: ObservabilityConfig;
    /** The capacity model's figures and warnings (its errors are thrown as ConfigError). */
    readonly capacity: CapacityReport & { readonly fargate?: FargatePlan };
}

/** Top-level keys under the `eks-gitlab-runners:` namespace, each validated on its own so one bad section does not hide another's problems. */
const SECTIONS = {
    gitlab: gitlabSchema,
    cluster: clusterSchema,
    network: networkSchema,
    nodeGroups: z.record(z.string(), nodeGroupSchema),
    nodePools: z.record(z.string(), nodePoolSchema).default({}),
    runners: z.record(z.string(), runnerSchema).default({}),
    vmRunners: z.record(z.string(), vmRunnerSchema).default({}),
    addons: addonsSchema,
    cache: cacheSchema,
    fargate: fargateSchema,
    observability: observabilitySchema,
    /** Secret: runner authentication tokens. Only their presence is validated; they never enter StackConfig. */
    runnerTokens: runnerTokensSchema,
    /** Secret: the GitLab API token that creates registered runners. Presence and type only; never in StackConfig. */
    [GITLAB_API_TOKEN_KEY]: gitlabApiTokenSchema,
} as const;
type Sections = { [K in keyof typeof SECTIONS]: z.output<(typeof SECTIONS)[K]> };

const REGION = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;

/** What the engine knows about the document beyond its values. */
export interface ParseOptions {
    /** The top-level keys set with `--secret`; undefined when unknown (a document tested on its own). */
    readonly secretKeys?: ReadonlySet<string>;
}

/**
 * Validates a whole stack document (`raw` holds the values of the `eks-gitlab-runners:*` keys, already decoded
 * from YAML/JSON) and returns it defaulted and frozen, or throws one ConfigError listing every problem.
 * Pure: no Pulumi calls, so it is tested directly and always runs before any resource exists.
 */
export function parseStackConfig(
    raw: Readonly<Record<string, unknown>>,
    region: string | undefined,
    options: ParseOptions = {},
): StackConfig {
    const problems: Problem[] = [];
    if (region === undefined)
        problems.push({ path: "aws:region", message: "is not set; run `pulumi config set aws:region <region>`" });
    else if (!REGION.test(region))
        problems.push({ path: "aws:region", message: `"${region}" is not an AWS region name like eu-west-1` });

    for (const key of Object.keys(raw)) {
        if (!(key in SECTIONS))
            problems.push({ path: key, message: `unknown top-level key (allowed: ${Object.keys(SECTIONS).join(", ")})` });
    }
    const parsed: Partial<Sections> = {};
    for (const [key, sectionSchema] of Object.entries(SECTIONS) as [keyof Sections, z.ZodType][]) {
        // `cluster` parses before `addons`: the add-on rules that depend on the cluster version run in its schema.
        const schema = key === "addons" ? addonsSchemaFor({ kubernetesVersion: parsed.cluster?.version }) : sectionSchema;
        const result = schema.safeParse(raw[key]);
        if (result.success) (parsed as Record<string, unknown>)[key] = result.data;
        else if (raw[key] === undefined) problems.push({ path: key, message: "is required" });
        else problems.push(...problemsFromZod(key, result.error.issues));
    }

    // Cross-section rules run on whatever parsed, so one run still reports as much as it can.
    const network = parsed.network;
    if (network?.podSubnets && region) {
        network.podSubnets.subnets.forEach((s, i) => {
            if (!s.availabilityZone.startsWith(region)) {
                problems.push({
                    path: `network.podSubnets.subnets[${i}].availabilityZone`,
                    message: `${s.availabilityZone} is not in the stack's region ${region}`,
                });
            }
        });
    }
    // The job-capacity engine decides which sections may hold job capacity (config/nodeAutoscaler.ts).
    const engine = parsed.addons?.nodeAutoscaler ?? "clusterAutoscaler";
    problems.push(...nodeAutoscalerProblems(raw, engine));
    let nodeGroups: StackContext["nodeGroups"] = { jobs: [] };
    if (parsed.nodeGroups) {
        const resolved = resolveNodeGroups(parsed.nodeGroups, network?.podSubnets !== undefined, parsed.cluster?.version, engine);
        nodeGroups = resolved.groups;
        problems.push(...resolved.problems);
    }
    let pools: ReturnType<typeof resolveNodePools>["pools"] = [];
    if (parsed.nodePools) {
        const resolved = resolveNodePools(parsed.nodePools, {
            hasPodSubnets: network?.podSubnets !== undefined,
            nodeGroupNames: Object.keys(parsed.nodeGroups ?? {}),
        });
        pools = resolved.pools;
        problems.push(...resolved.problems);
        if (engine === "karpenter" && pools.length === 0)
            problems.push({ path: "nodePools", message: "declare at least one node pool, or no CI job can run" });
    }
    const context: StackContext = {
        region,
        cluster: parsed.cluster,
        nodeGroups,
        nodePools: pools,
        nodeAutoscaler: engine,
        containerInsights: containerInsightsEnabled(parsed.addons),
    };
    let addons: AddonsConfig | undefined;
    if (parsed.addons) {
        const resolved = resolveAddons(parsed.addons, context);
        addons = resolved.addons;
        problems.push(...resolved.problems);
    }
    // The API token's sources by presence (raw, so an invalid parameter name is not also reported as missing).
    const rawGitlab = raw.gitlab as Record<string, unknown> | undefined;
    const apiToken: ApiTokenSources = {
        ssmParameter: typeof rawGitlab === "object" && rawGitlab !== null && rawGitlab.apiTokenSsmParameter !== undefined,
        secretConfig: raw[GITLAB_API_TOKEN_KEY] !== undefined,
        secretConfigIsSecret: options.secretKeys?.has(GITLAB_API_TOKEN_KEY),
    };
    problems.push(...apiTokenProblems(apiToken));
    // Runners and VM runners share one name space: tokens, Helm releases and job tags.
    const runnerKeys = Object.keys(parsed.runners ?? {});
    const vmKeys = Object.keys(parsed.vmRunners ?? {});
    // Which token belongs to which runner is only known once both sections (and the groups runners need) parsed.
    const tokens =
        parsed.runnerTokens && parsed.runners && parsed.vmRunners && parsed.nodeGroups
            ? checkRunnerTokens(parsed.runnerTokens, [...runnerKeys, ...vmKeys])
            : undefined;
    if (tokens) problems.push(...tokens.problems);
    const tagged: TaggedRunner[] = [];
    let vmRunners: VmRunnerConfig[] = [];
    if (parsed.vmRunners) {
        const resolved = resolveVmRunners(parsed.vmRunners, { runnerTokens: tokens?.presence, runnerNames: runnerKeys });
        vmRunners = resolved.vmRunners;
        problems.push(...resolved.problems);
        tagged.push(...resolved.tagged);
    }
    let runners: RunnerConfig[] = [];
    if (parsed.runners && parsed.nodeGroups) {
        const resolved = resolveRunners(parsed.runners, {
            ...context,
            runnerTokens: tokens?.presence,
            apiToken,
            vpcCidrs: network && knownVpcCidrs(network),
        });
        runners = resolved.runners;
        problems.push(...resolved.problems);
        tagged.unshift(...resolved.tagged);
    }
    // Fargate runners need the section that sizes and prices them (config/fargate.ts).
    const fargateRunners = runners.filter((r) => r.fargate === true);
    if (fargateRunners.length > 0 && parsed.fargate === undefined && raw.fargate === undefined)
        problems.push({
            path: "fargate",
            message: `is required when a runner has fargate: true (${fargateRunners.map((r) => `runners.${r.name}`).join(", ")}): set vcpuQuota to the account's "Fargate On-Demand vCPU resource count" in ${region ?? "this region"}`,
        });
    const fargatePlan =
        parsed.fargate && region && fargateRunners.length > 0 ? planFargate(fargateRunners, parsed.fargate, region) : undefined;
    if (fargatePlan) problems.push(...fargatePlan.problems);
    // Each pool's terminationGracePeriod follows its runners' job timeouts (the same margin as a node group's drain).
    const graced = resolvePoolGracePeriods(pools, runners, DRAIN_MARGIN_SECONDS);
    const nodePools = graced.pools;
    problems.push(...graced.problems);
    problems.push(...tagOverlapProblems(tagged));

    let observability: ObservabilityConfig | undefined;
    if (parsed.observability) {
        const resolved = resolveObservability(parsed.observability, {
            containerInsights: context.containerInsights,
            containerInsightsVersion: parsed.addons?.containerInsights.version,
            // The resolved switches: under Karpenter, Cluster Autoscaler is off whatever its section's default says.
            clusterAutoscaler: addons?.clusterAutoscaler.enabled,
            karpenter: addons?.karpenter.enabled,
            // Every runner manager is scraped and alarmed on, Kubernetes and VM runners alike.
            runners: parsed.runners && parsed.nodeGroups && parsed.vmRunners ? [...runners, ...vmRunners] : undefined,
        });
        observability = resolved.config;
        problems.push(...resolved.problems);
    }

    if (problems.length > 0) throw new ConfigError(problems);

    // Capacity needs a valid document, so its blocking findings come once everything else is right.
    const jobs = planCapacity({
        region: region!,
        nodeGroups: nodeGroups as NodeGroups,
        nodePools,
        runners: runners.map(runnerDemand),
        containerInsights: context.containerInsights,
        podSubnetFreeIps: podSubnetFreeIps(network!),
        clusterSubnetFreeIps: network!.freeIpAddresses,
        managementPods: managementPods(addons!, [...runners, ...vmRunners], {
            fleetMetrics: observability!.collection !== undefined,
        }),
        vmRunners,
    });
    // Warm capacity sits on top of the jobs: its pause pods must fit beside them (config/warmPlan.ts).
    const warm = planWarmCapacity({ runners, capacity: jobs, autoscaler: warmAutoscaler(addons!.clusterAutoscaler) });
    // Fargate job pods take subnet addresses too: the profile's subnets are the pod subnets when there are any.
    const fargateIps = fargatePlan
        ? fargateIpProblems(
              fargatePlan.plan,
              jobs.pools.find((p) => p.name === (network!.podSubnets ? "pod" : "cluster")),
              ROLLOUT_MANAGERS,
          ).map((p) => ({ severity: "error" as const, subject: p.path, message: p.message }))
        : [];
    const capacity = {
        ...jobs,
        warm: warm.plans,
        ...(fargatePlan ? { fargate: fargatePlan.plan } : {}),
        findings: [...jobs.findings, ...warm.findings, ...fargateIps],
    };
    const blocking = capacity.findings.filter((f) => f.severity === "error");
    if (blocking.length > 0) throw new ConfigError(blocking.map((f) => ({ path: f.subject, message: f.message })));

    return deepFreeze({
        region: region!,
        gitlab: parsed.gitlab!,
        cluster: parsed.cluster!,
        network: parsed.network!,
        nodeGroups: nodeGroups as NodeGroups,
        nodePools,
        runners,
        ...(parsed.fargate ? { fargate: parsed.fargate } : {}),
        vmRunners,
        addons: addons!,
        cache: parsed.cache!,
        observability: observability!,
        capacity,
    });
}
