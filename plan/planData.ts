import { parse as parseToml } from "smol-toml";
import { allNodeGroups, StackConfig, stackFindings } from "../config";
import { RUNNER_CHARTS } from "../config/runnerCharts";
import { DRAIN_BOUND_TAG } from "../components/nodegroups/lifecycle/drainPlan";
import { REGISTRATION_RESOURCE } from "./mocks";
import { Finding } from "../config/capacity";
import { MISSING, recorded } from "./missing";
import { registrationOf } from "./registrationPlan";
import { observabilityOf } from "./observability";
import { Recorded, Run } from "./engine";
import { readSecurity } from "./planSecurity";
import type { NodeGroupPlan, NodePoolPlan, PlanData, RunnerPlan, VmRunnerPlan } from "./planShape";

export { MISSING } from "./missing";
export type { ObservabilityPlan } from "./observability";
export type { RegistrationPlan } from "./registrationPlan";
export type { NodeGroupPlan, NodePoolPlan, PlanData, RunnerPlan, VmRunnerPlan } from "./planShape";

const knownChart = (version: string) => (RUNNER_CHARTS as Record<string, { runnerVersion: string } | undefined>)[version];

const NODEGROUP = "aws:eks/nodeGroup:NodeGroup";
const ASG = "aws:autoscaling/group:Group";
const SCALING_POLICY = "aws:autoscaling/policy:Policy";
const ASG_TAG = "aws:autoscaling/tag:Tag";
const SUSPENSION = "pulumi-nodejs:dynamic/eks-gitlab-runners:AsgProcessSuspension";
const RELEASE = "kubernetes:helm.sh/v3:Release";
const LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate";
const NODE_POOL = "kubernetes:karpenter.sh/v1:NodePool";
const NODE_CLASS = "kubernetes:karpenter.k8s.aws/v1:EC2NodeClass";

/** A patch run's drain bound and longest duration, from the recorded drain tag and node-group timeouts. */
function patchOf(boundTag: unknown, timeouts: { create?: string; delete?: string } | undefined): NodeGroupPlan["patch"] {
    const bound = typeof boundTag === "string" && /^\d+$/.test(boundTag) ? Number(boundTag) : undefined;
    const minutes = (t: string | undefined) => (t && /^\d+m$/.test(t) ? Number(t.slice(0, -1)) : undefined);
    const create = minutes(timeouts?.create);
    const remove = minutes(timeouts?.delete);
    return {
        drainBoundSeconds: recorded(bound),
        maxMinutes:
            bound === undefined || create === undefined || remove === undefined
                ? MISSING
                : create + Math.ceil(bound / 60) + remove,
    };
}

/** `[runners.autoscaler] plugin` of a rendered `[[runners]]` template. */
function pluginOf(toml: string): string | undefined {
    const doc = parseToml(toml) as { runners?: { autoscaler?: { plugin?: string } }[] };
    return doc.runners?.[0]?.autoscaler?.plugin;
}

/** A recorded input, or MISSING when it was not registered. */

/** Recorded resources by parent component and type, in one pass (a filter per group would be quadratic). */
function indexChildren(resources: readonly Recorded[]): (parent: string, type: string) => Recorded[] {
    const index = new Map<string, Recorded[]>();
    for (const r of resources) {
        if (r.parent === undefined) continue;
        const key = `${r.parent}\0${r.type}`;
        const list = index.get(key);
        if (list) list.push(r);
        else index.set(key, [r]);
    }
    return (parent, type) => index.get(`${parent}\0${type}`) ?? [];
}

/**
 * Builds the plan from what the real program registered (labels, taints, tags and TOML are read back from the
 * recorded resources and outputs, never recomputed) plus the config layer's capacity report.
 */
export function buildPlan(stack: string, config: StackConfig, registered: Run, notes: readonly Finding[] = []): PlanData {
    const run = registered.inUrnOrder();
    const counts = new Map<string, number>();
    const childCounts = new Map<string, Record<string, number>>();
    for (const r of run.resources) {
        counts.set(r.type, (counts.get(r.type) ?? 0) + 1);
        if (r.parent === undefined) continue;
        const children = childCounts.get(r.parent) ?? {};
        children[r.type] = (children[r.type] ?? 0) + 1;
        childCounts.set(r.parent, children);
    }
    const components = run.resources
        .filter((r) => !r.custom)
        .map((c) => ({ name: c.name, type: c.type, children: childCounts.get(c.name) ?? {} }));
    const childrenOf = indexChildren(run.resources);
    const releases = new Map(run.resources.filter((r) => r.type === RELEASE).map((r) => [r.name, r]));

    const nodeGroups = allNodeGroups(config.nodeGroups).map((g): NodeGroupPlan => {
        const [ng] = childrenOf(g.resourceName, NODEGROUP);
        const [lt] = childrenOf(g.resourceName, LAUNCH_TEMPLATE);
        const inputs = ng?.inputs ?? {};
        return {
            name: g.name,
            role: g.role,
            arch: g.arch,
            capacityType: recorded(inputs.capacityType),
            instanceTypes: recorded(inputs.instanceTypes),
            minSize: recorded(inputs.scalingConfig?.minSize),
            maxSize: recorded(inputs.scalingConfig?.maxSize),
            labels: inputs.labels ?? {},
            taints: (inputs.taints ?? []).map(
                (t: { key: string; value?: string; effect: string }) => `${t.key}=${t.value ?? ""}:${t.effect}`,
            ),
            asgTags: Object.fromEntries(childrenOf(g.resourceName, ASG_TAG).map((t) => [t.inputs.tag.key, t.inputs.tag.value])),
            azRebalanceSuspended: childrenOf(g.resourceName, SUSPENSION).length > 0,
            metadataOptions: recorded(lt?.inputs.metadataOptions),
            patch: patchOf(inputs.tags?.[DRAIN_BOUND_TAG], ng?.opts?.customTimeouts),
        };
    });

    // `?? []`: a diff's base may be a commit whose config layer predates node pools.
    const nodePools = (config.nodePools ?? []).map((p): NodePoolPlan => {
        const pool = run.resources.find((r) => r.type === NODE_POOL && r.inputs.metadata?.name === p.name)?.inputs.spec;
        const nodeClass = run.resources.find((r) => r.type === NODE_CLASS && r.inputs.metadata?.name === p.name)?.inputs.spec;
        const template = pool?.template;
        const disruption = pool?.disruption;
        return {
            name: p.name,
            requirements: recorded(
                template?.spec?.requirements?.map(
                    (r: { key: string; operator: string; values?: string[] }) =>
                        `${r.key} ${r.operator} [${(r.values ?? []).join(", ")}]`,
                ),
            ),
            cpuLimit: recorded(pool?.limits?.cpu),
            labels: template?.metadata?.labels ?? {},
            taints: (template?.spec?.taints ?? []).map(
                (t: { key: string; value?: string; effect: string }) => `${t.key}=${t.value ?? ""}:${t.effect}`,
            ),
            disruption: disruption
                ? `${disruption.consolidationPolicy} after ${disruption.consolidateAfter}; budgets ${(disruption.budgets ?? [])
                      .map(
                          (b: { nodes: string; reasons?: string[] }) => `${b.nodes}${b.reasons ? ` ${b.reasons.join("/")}` : ""}`,
                      )
                      .join(", ")}`
                : MISSING,
            expireAfter: recorded(template?.spec?.expireAfter),
            terminationGracePeriod: recorded(template?.spec?.terminationGracePeriod),
            ami: recorded(nodeClass?.amiSelectorTerms?.[0]?.alias),
            metadataOptions: recorded(nodeClass?.metadataOptions),
        };
    });

    const runners = config.runners.map((r): RunnerPlan => {
        // The runner's Helm release as registered: its chart version and the config.toml template in its values.
        const release = releases.get(`gitlab-${r.name}-release`);
        const chartVersion = recorded<string>(release?.inputs.version);
        const [registration] = run.resources.filter(
            (x) => x.type === REGISTRATION_RESOURCE && x.name === `gitlab-${r.name}-registration`,
        );
        return {
            name: r.name,
            ...(r.fargate ? { fargate: true } : r.nodePool !== undefined ? { nodePool: r.nodePool } : { nodeGroup: r.nodeGroup }),
            tags: r.tags,
            runUntagged: r.runUntagged,
            concurrent: r.concurrent,
            chartVersion,
            runnerVersion: chartVersion === MISSING ? MISSING : recorded(knownChart(chartVersion)?.runnerVersion),
            privileged: r.privileged,
            resources: r.resources,
            configToml: recorded<string>(release?.inputs.values?.runners?.config),
            registration: r.registration ? registrationOf(registration?.inputs) : "manual",
        };
    });

    // `?? []`: a diff's base may be a commit whose config layer predates VM runners.
    const vmRunners = (config.vmRunners ?? []).map((v): VmRunnerPlan => {
        const component = `gitlab-vm-${v.name}`;
        const [group] = childrenOf(component, ASG);
        const [release] = childrenOf(component, RELEASE);
        const [template] = childrenOf(component, LAUNCH_TEMPLATE);
        const toml = release?.inputs.values?.runners?.config;
        return {
            name: v.name,
            executor: v.executor,
            tags: v.tags,
            autoScalingGroup: recorded(group?.inputs.name),
            instanceTypes: recorded(
                group?.inputs.mixedInstancesPolicy?.launchTemplate?.overrides?.map(
                    (o: { instanceType: string }) => o.instanceType,
                ),
            ),
            minSize: recorded(group?.inputs.minSize),
            maxSize: recorded(group?.inputs.maxSize),
            protectFromScaleIn: recorded(group?.inputs.protectFromScaleIn),
            suspendedProcesses: recorded(group?.inputs.suspendedProcesses),
            capacityRebalance: recorded(group?.inputs.capacityRebalance),
            privileged: v.privileged,
            metadataOptions: recorded(template?.inputs.metadataOptions),
            scalingPolicies: run.resources.filter((r) => r.type === SCALING_POLICY).length,
            chartVersion: recorded(release?.inputs.version),
            plugin: recorded(typeof toml === "string" ? pluginOf(toml) : undefined),
            deploymentStrategy: recorded(release?.inputs.values?.strategy?.type),
            configToml: recorded(toml),
        };
    });

    return {
        stack,
        region: config.region,
        cluster: { name: config.cluster.name, version: config.cluster.version, protect: config.cluster.protect },
        resources: {
            total: run.resources.length,
            byType: [...counts]
                .map(([type, count]) => ({ type, count }))
                .sort((a, b) => b.count - a.count || a.type.localeCompare(b.type)),
            components,
        },
        nodeGroups,
        nodePools,
        runners,
        security: readSecurity(run.resources),
        vmRunners,
        capacity: config.capacity,
        observability: observabilityOf(config, run),
        findings: [...stackFindings(config), ...notes],
    };
}
