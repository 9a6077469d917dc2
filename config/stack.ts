import { AddonsConfig, containerInsightsEnabled, resolveAddons } from "./addons";
import { CacheConfig } from "./cache";
import type { CapacityReport } from "./capacity";
import { FargateConfig, FargatePlan, planFargate } from "./fargate";
import { StackContext } from "./context";
import { ClusterConfig } from "./cluster";
import { GITLAB_API_TOKEN_KEY, GitlabConfig } from "./gitlab";
import { knownVpcCidrs, NetworkConfig } from "./network";
import { NodeGroups, resolveNodeGroups } from "./nodeGroups";
import { nodeAutoscalerProblems } from "./nodeAutoscaler";
import { NodePoolConfig, resolveNodePools, resolvePoolGracePeriods } from "./nodePools";
import { DRAIN_MARGIN_SECONDS } from "./patching";
import { ObservabilityConfig, resolveObservability } from "./observability/schema";
import { ConfigError, deepFreeze, Finding, Problem, pushAll } from "./problems";
import { quotaProblems } from "./quotas";
import { apiTokenProblems, ApiTokenSources } from "./runnerRegistration";
import { tagProblems } from "./tags";
import { resolveRunners, RunnerConfig } from "./runners";
import { tagOverlapProblems, TaggedRunner } from "./runnerTags";
import { checkRunnerTokens } from "./runnerTokens";
import { planStackCapacity } from "./stackCapacity";
import { Guard, parseSections } from "./stackSections";
import { resolveVmRunners, VmRunnerConfig } from "./vmRunners";

export { SECTION_KEYS } from "./stackSections";

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

/**
 * Every finding of a valid stack: the capacity model's, the observability section's and the add-ons' (their errors
 * were thrown already). The offline plan lists them; the program logs the warnings at `pulumi preview` / `up`.
 * `?? []`: the plan's `--base` diff reads another checkout's configuration, which may predate a section's findings.
 */
export function stackFindings(config: StackConfig): Finding[] {
    return [...config.capacity.findings, ...(config.observability?.findings ?? []), ...(config.addons.findings ?? [])];
}

/** What the engine knows about the document beyond its values. */
export interface ParseOptions {
    /** The top-level keys set with `--secret`; undefined when unknown (a document tested on its own). */
    readonly secretKeys?: ReadonlySet<string>;
}

/**
 * Validates a whole stack document (`raw` holds the values of the `eks-gitlab-runners:*` keys, already decoded
 * from YAML/JSON) and returns it defaulted and frozen, or throws one ConfigError listing every problem.
 * Pure: no Pulumi calls, so it is tested directly and always runs before any resource exists. Nothing but a
 * ConfigError leaves it: an unexpected exception inside one step becomes a problem of that section that says it is
 * a bug (the exception, with its stack, is the ConfigError's `cause`), and the other sections are still checked.
 */
export function parseStackConfig(
    raw: Readonly<Record<string, unknown>>,
    region: string | undefined,
    options: ParseOptions = {},
): StackConfig {
    const problems: Problem[] = [];
    let bug: unknown;
    const guard: Guard = (section, step) => {
        try {
            return step();
        } catch (error) {
            if (error instanceof ConfigError) throw error;
            bug ??= error;
            problems.push({ path: section, message: bugMessage(error) });
            return undefined;
        }
    };
    const fail = () => new ConfigError(problems, bug === undefined ? undefined : { cause: bug });

    const parsed = parseSections(raw, region, problems, guard);

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
    guard("addons", () => pushAll(problems, nodeAutoscalerProblems(raw, engine)));
    let nodeGroups: StackContext["nodeGroups"] = { jobs: [] };
    if (parsed.nodeGroups) {
        const groups = parsed.nodeGroups;
        const resolved = guard("nodeGroups", () =>
            resolveNodeGroups(groups, network?.podSubnets !== undefined, parsed.cluster?.version, engine),
        );
        if (resolved) {
            nodeGroups = resolved.groups;
            pushAll(problems, resolved.problems);
        }
    }
    if (parsed.cluster) {
        const cluster = parsed.cluster;
        guard("cluster", () => pushAll(problems, tagProblems(cluster.tags)));
        guard("nodeGroups", () => pushAll(problems, quotaProblems(nodeGroups, cluster.quotas)));
    }
    let pools: ReturnType<typeof resolveNodePools>["pools"] = [];
    if (parsed.nodePools) {
        const input = parsed.nodePools;
        const resolved = guard("nodePools", () =>
            resolveNodePools(input, {
                hasPodSubnets: network?.podSubnets !== undefined,
                nodeGroupNames: Object.keys(parsed.nodeGroups ?? {}),
            }),
        );
        pools = resolved?.pools ?? [];
        if (resolved) pushAll(problems, resolved.problems);
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
        const input = parsed.addons;
        const resolved = guard("addons", () => resolveAddons(input, context));
        addons = resolved?.addons;
        if (resolved) pushAll(problems, resolved.problems);
    }
    // The API token's sources by presence (raw, so an invalid parameter name is not also reported as missing).
    const rawGitlab = raw.gitlab as Record<string, unknown> | undefined;
    const apiToken: ApiTokenSources = {
        ssmParameter: typeof rawGitlab === "object" && rawGitlab !== null && rawGitlab.apiTokenSsmParameter !== undefined,
        secretConfig: raw[GITLAB_API_TOKEN_KEY] !== undefined,
        secretConfigIsSecret: options.secretKeys?.has(GITLAB_API_TOKEN_KEY),
    };
    pushAll(problems, apiTokenProblems(apiToken));
    // Runners and VM runners share one name space: tokens, Helm releases and job tags.
    const runnerKeys = Object.keys(parsed.runners ?? {});
    const vmKeys = Object.keys(parsed.vmRunners ?? {});
    // Which token belongs to which runner is only known once both sections (and the groups runners need) parsed.
    const tokens =
        parsed.runnerTokens && parsed.runners && parsed.vmRunners && parsed.nodeGroups
            ? guard("runnerTokens", () => checkRunnerTokens(parsed.runnerTokens!, [...runnerKeys, ...vmKeys]))
            : undefined;
    if (tokens) pushAll(problems, tokens.problems);
    let vmTagged: readonly TaggedRunner[] = [];
    let vmRunners: VmRunnerConfig[] = [];
    if (parsed.vmRunners) {
        const input = parsed.vmRunners;
        const resolved = guard("vmRunners", () =>
            resolveVmRunners(input, {
                runnerTokens: tokens?.presence,
                runnerNames: runnerKeys,
                apiToken,
                clusterName: parsed.cluster?.name,
            }),
        );
        if (resolved) {
            vmRunners = resolved.vmRunners;
            pushAll(problems, resolved.problems);
            vmTagged = resolved.tagged;
        }
    }
    let runners: RunnerConfig[] = [];
    let runnerTagged: readonly TaggedRunner[] = [];
    if (parsed.runners && parsed.nodeGroups) {
        const input = parsed.runners;
        const resolved = guard("runners", () =>
            resolveRunners(input, {
                ...context,
                runnerTokens: tokens?.presence,
                apiToken,
                vpcCidrs: network && knownVpcCidrs(network),
            }),
        );
        if (resolved) {
            runners = resolved.runners;
            pushAll(problems, resolved.problems);
            runnerTagged = resolved.tagged;
        }
    }
    // Fargate runners need the section that sizes and prices them (config/fargate.ts).
    const fargateRunners = runners.filter((r) => r.fargate === true);
    if (fargateRunners.length > 0 && parsed.fargate === undefined && raw.fargate === undefined)
        problems.push({
            path: "fargate",
            message: `is required when a runner has fargate: true (${fargateRunners.map((r) => `runners.${r.name}`).join(", ")}): set vcpuQuota to the account's "Fargate On-Demand vCPU resource count" in ${region ?? "this region"}`,
        });
    const fargateInput = parsed.fargate;
    const fargatePlan =
        fargateInput && region && fargateRunners.length > 0
            ? guard("fargate", () => planFargate(fargateRunners, fargateInput, region))
            : undefined;
    if (fargatePlan) pushAll(problems, fargatePlan.problems);
    // Each pool's terminationGracePeriod follows its runners' job timeouts (the same margin as a node group's drain).
    const graced = guard("nodePools", () => resolvePoolGracePeriods(pools, runners, DRAIN_MARGIN_SECONDS));
    const nodePools = graced?.pools ?? [];
    if (graced) pushAll(problems, graced.problems);
    // Runners first: a conflict is reported on the later of two, in the order of the sections.
    guard("runners", () => pushAll(problems, tagOverlapProblems([...runnerTagged, ...vmTagged])));

    let observability: ObservabilityConfig | undefined;
    if (parsed.observability) {
        const input = parsed.observability;
        const resolved = guard("observability", () =>
            resolveObservability(input, {
                containerInsights: context.containerInsights,
                containerInsightsVersion: parsed.addons?.containerInsights.version,
                // The resolved switches: under Karpenter, Cluster Autoscaler is off whatever its section's default says.
                clusterAutoscaler: addons?.clusterAutoscaler.enabled,
                karpenter: addons?.karpenter.enabled,
                // Every runner manager is scraped and alarmed on, Kubernetes and VM runners alike.
                runners: parsed.runners && parsed.nodeGroups && parsed.vmRunners ? [...runners, ...vmRunners] : undefined,
            }),
        );
        observability = resolved?.config;
        if (resolved) pushAll(problems, resolved.problems);
    }

    if (problems.length > 0) throw fail();

    // Capacity needs a valid document, so its blocking findings come once everything else is right.
    const capacity = guard("capacity", () =>
        planStackCapacity({
            region: region!,
            network: network!,
            nodeGroups: nodeGroups as NodeGroups,
            nodePools,
            runners,
            vmRunners,
            addons: addons!,
            containerInsights: context.containerInsights,
            fleetMetrics: observability?.collection !== undefined,
            fargatePlan: fargatePlan?.plan,
        }),
    );
    if (!capacity) throw fail();
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

/** The problem an unexpected exception becomes: it is this program's fault, and says what to report. */
function bugMessage(error: unknown): string {
    const what = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return `could not be checked because of a bug in eks-gitlab-runners (${what.slice(0, 300)}); please report it with this stack file (run with PLAN_DEBUG=1 for the stack trace). The rest of the document was still checked`;
}
