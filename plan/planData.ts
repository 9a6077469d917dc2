import { allNodeGroups, StackConfig } from "../config";
import { CapacityReport, Finding } from "../config/capacity";
import { Recorded, Run } from "./engine";

/** Everything the offline plan shows, as plain data (also the `--format json` document). */
export interface PlanData {
    readonly stack: string;
    readonly region: string;
    readonly cluster: { readonly name: string; readonly version: string; readonly protect: boolean };
    readonly resources: {
        readonly total: number;
        readonly byType: readonly { readonly type: string; readonly count: number }[];
        readonly components: readonly {
            readonly name: string;
            readonly type: string;
            readonly children: Record<string, number>;
        }[];
    };
    readonly nodeGroups: readonly NodeGroupPlan[];
    readonly runners: readonly RunnerPlan[];
    readonly capacity: CapacityReport;
    readonly findings: readonly Finding[];
}

export interface NodeGroupPlan {
    readonly name: string;
    readonly role: string;
    readonly arch: string;
    readonly capacityType: string;
    readonly instanceTypes: readonly string[];
    readonly minSize: number;
    readonly maxSize: number;
    readonly labels: Record<string, string>;
    readonly taints: readonly string[];
    /** Tags this program puts on the group's ASG (auto-discovery, node templates). */
    readonly asgTags: Record<string, string>;
    readonly azRebalanceSuspended: boolean;
}

export interface RunnerPlan {
    readonly name: string;
    readonly nodeGroup: string;
    readonly tags: readonly string[];
    readonly runUntagged: boolean;
    readonly concurrent: number;
    readonly chartVersion: string;
    readonly runnerVersion: string;
    readonly privileged: boolean;
    /** Per container kind: requests, limits and the ceilings CI jobs may raise them to. */
    readonly resources: StackConfig["runners"][number]["resources"];
    readonly configToml: string;
}

const NODEGROUP = "aws:eks/nodeGroup:NodeGroup";
const ASG_TAG = "aws:autoscaling/tag:Tag";
const SUSPENSION = "pulumi-nodejs:dynamic/eks-gitlab-runners:AsgProcessSuspension";

/** The component resource that holds a node group's children (the group's stable resource name). */
function childrenOf(run: Run, parent: string, type: string): Recorded[] {
    return run.resources.filter((r) => r.parent === parent && r.type === type);
}

/**
 * Builds the plan from what the real program registered (labels, taints, tags and TOML are read back from the
 * recorded resources and outputs, never recomputed) plus the config layer's capacity report.
 */
export function buildPlan(stack: string, config: StackConfig, run: Run, notes: readonly Finding[] = []): PlanData {
    const counts = new Map<string, number>();
    for (const r of run.resources) counts.set(r.type, (counts.get(r.type) ?? 0) + 1);
    const components = run.resources
        .filter((r) => !r.custom)
        .map((c) => {
            const children: Record<string, number> = {};
            for (const r of run.resources.filter((x) => x.parent === c.name)) children[r.type] = (children[r.type] ?? 0) + 1;
            return { name: c.name, type: c.type, children };
        });

    const nodeGroups = allNodeGroups(config.nodeGroups).map((g): NodeGroupPlan => {
        const [ng] = childrenOf(run, g.resourceName, NODEGROUP);
        const inputs = ng?.inputs ?? {};
        return {
            name: g.name,
            role: g.role,
            arch: g.arch,
            capacityType: inputs.capacityType ?? g.capacityType,
            instanceTypes: inputs.instanceTypes ?? g.instanceTypes,
            minSize: inputs.scalingConfig?.minSize ?? g.minSize,
            maxSize: inputs.scalingConfig?.maxSize ?? g.maxSize,
            labels: inputs.labels ?? {},
            taints: (inputs.taints ?? []).map(
                (t: { key: string; value?: string; effect: string }) => `${t.key}=${t.value ?? ""}:${t.effect}`,
            ),
            asgTags: Object.fromEntries(
                childrenOf(run, g.resourceName, ASG_TAG).map((t) => [t.inputs.tag.key, t.inputs.tag.value]),
            ),
            azRebalanceSuspended: childrenOf(run, g.resourceName, SUSPENSION).length > 0,
        };
    });

    const summaries = (run.outputs.runners ?? {}) as Record<
        string,
        { configToml?: string; chartVersion?: string; runnerVersion?: string }
    >;
    const runners = config.runners.map((r): RunnerPlan => ({
        name: r.name,
        nodeGroup: r.nodeGroup,
        tags: r.tags,
        runUntagged: r.runUntagged,
        concurrent: r.concurrent,
        chartVersion: summaries[r.name]?.chartVersion ?? r.chart.version,
        runnerVersion: summaries[r.name]?.runnerVersion ?? r.chart.runnerVersion,
        privileged: r.privileged,
        resources: r.resources,
        configToml: summaries[r.name]?.configToml ?? "",
    }));

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
        runners,
        capacity: config.capacity,
        findings: [...config.capacity.findings, ...notes],
    };
}
