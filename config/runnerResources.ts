// Job pod resources of a runner: requests, limits and the `*_overwrite_max_allowed` ceilings CI users may raise
// their jobs to with KUBERNETES_* variables.
//
// Model. A job pod is the build container, the helper container and zero or more service containers. The
// scheduler places it by the sum of their requests, so:
//   - a request ceiling must leave room for the other containers every job has at their default requests
//     (build: the helper; helper: the build; a service: build + helper), on the smallest instance type of the
//     runner's node group, after kube-reserved, eviction threshold and per-node DaemonSets (nodeAllocatable.ts);
//   - a memory limit ceiling must not exceed that node's allocatable memory (a limit above it can only end in an
//     eviction or an OOM kill of a neighbour).
// A ceiling left unset defaults to exactly that room, so "raise it to the maximum" always still schedules.
import { z } from "zod";
import { instanceFacts } from "./instanceTypes";
import { nodeAllocatable } from "./nodeAllocatable";
import type { NodeGroupConfig } from "./nodeGroups";
import { joinPath, Problem, strictObject } from "./problems";
import { formatCpuMillis, formatMiB, parseCpuMillis, parseMemoryMiB } from "./quantities";

const number = z.union([z.string(), z.number()]).transform((v) => String(v));
export const cpuQuantity = number.refine((q) => parseCpuMillis(q) !== undefined, {
    error: (iss) => `${JSON.stringify(iss.input)} is not a valid CPU quantity (e.g. 500m, 1, 2.5)`,
});
export const memoryQuantity = number.refine((q) => parseMemoryMiB(q) !== undefined, {
    error: (iss) => `${JSON.stringify(iss.input)} is not a valid memory quantity (e.g. 512Mi, 4Gi)`,
});

/**
 * Default requests and limits per container kind. Modest requests pack nodes tightly (seed 001: an 8Gi default packed
 * them loosely); no CPU limit (throttling slows builds, notably JVMs, and idle CPU is better used by neighbours); a
 * memory limit above the request for bursts. Ceilings (`*Max`) default to what the smallest node of the group can
 * give, so jobs self-serve with KUBERNETES_* variables up to a whole node.
 */
export const RESOURCE_DEFAULTS = {
    build: { cpuRequest: "1", memoryRequest: "2Gi", memoryLimit: "4Gi" },
    /** The helper container (clone, cache, artifacts) in every job pod. */
    helper: { cpuRequest: "100m", memoryRequest: "128Mi", memoryLimit: "512Mi" },
    /** Each `services:` container of a job (databases, docker:dind). */
    services: { cpuRequest: "250m", memoryRequest: "256Mi", memoryLimit: "1Gi" },
    /** The runner manager pod (one per runner, on the management nodes). */
    manager: { cpuRequest: "200m", memoryRequest: "256Mi", memoryLimit: "1Gi" },
} as const;

/** The eight settings each job container kind has; field comments name the build container's config.toml key. */
export const containerResourcesShape = {
    /** → `cpu_request` (helper_/service_ prefixed for those containers). Default: see RESOURCE_DEFAULTS. */
    cpuRequest: cpuQuantity.optional(),
    /** → `cpu_limit`. Unset by default: no CPU limit. */
    cpuLimit: cpuQuantity.optional(),
    /** → `memory_request`. */
    memoryRequest: memoryQuantity.optional(),
    /** → `memory_limit`. */
    memoryLimit: memoryQuantity.optional(),
    /** → `cpu_request_overwrite_max_allowed`: the most KUBERNETES_CPU_REQUEST may ask. Default: the smallest node's room. */
    cpuRequestMax: cpuQuantity.optional(),
    /** → `cpu_limit_overwrite_max_allowed`: the most KUBERNETES_CPU_LIMIT may ask. Unset: jobs cannot set a CPU limit unless cpuLimit is set. */
    cpuLimitMax: cpuQuantity.optional(),
    /** → `memory_request_overwrite_max_allowed`: the most KUBERNETES_MEMORY_REQUEST may ask. Default: the smallest node's room. */
    memoryRequestMax: memoryQuantity.optional(),
    /** → `memory_limit_overwrite_max_allowed`: the most KUBERNETES_MEMORY_LIMIT may ask. Default: the smallest node's allocatable memory. */
    memoryLimitMax: memoryQuantity.optional(),
};
export const containerResourcesSchema = strictObject(containerResourcesShape);
export type ContainerResourcesInput = z.output<typeof containerResourcesSchema>;

/** Resolved settings of one container kind: every value a valid quantity string, ceilings filled in. */
export interface ContainerResources {
    readonly cpuRequest: string;
    readonly cpuLimit?: string;
    readonly memoryRequest: string;
    readonly memoryLimit: string;
    readonly cpuRequestMax: string;
    readonly cpuLimitMax?: string;
    readonly memoryRequestMax: string;
    readonly memoryLimitMax: string;
}

export type ContainerKind = "build" | "helper" | "services";
export type RunnerResources = Readonly<Record<ContainerKind, ContainerResources>>;

/** What one node of the group's smallest instance type can give to job pods, and which type that is. */
export interface SmallestNode {
    readonly group: string;
    /** How messages name where the node is (default: `node group "<group>"`). */
    readonly where?: string;
    readonly cpuMillis: number;
    readonly cpuType: string;
    readonly memoryMiB: number;
    readonly memoryType: string;
    readonly pods: number;
}

/** The least allocatable CPU and memory over the group's instance types (each may come from a different type). */
export function smallestNode(
    group: Pick<NodeGroupConfig, "name" | "instanceTypes">,
    containerInsights: boolean,
): SmallestNode | undefined {
    let best: { cpuMillis: number; cpuType: string; memoryMiB: number; memoryType: string; pods: number } | undefined;
    for (const type of group.instanceTypes) {
        const facts = instanceFacts(type);
        if (!facts) continue;
        const a = nodeAllocatable(facts, { containerInsights });
        if (!best) best = { cpuMillis: a.cpuMillis, cpuType: type, memoryMiB: a.memoryMiB, memoryType: type, pods: a.pods };
        else {
            if (a.cpuMillis < best.cpuMillis) Object.assign(best, { cpuMillis: a.cpuMillis, cpuType: type });
            if (a.memoryMiB < best.memoryMiB) Object.assign(best, { memoryMiB: a.memoryMiB, memoryType: type });
            best.pods = Math.min(best.pods, a.pods);
        }
    }
    return best && { group: group.name, ...best };
}

const whereOf = (node: SmallestNode) => node.where ?? `node group "${node.group}"`;

const KINDS: readonly ContainerKind[] = ["build", "helper", "services"];
/** The containers every job pod has besides `kind` (services are optional, so never counted for the others). */
const OTHERS: Record<ContainerKind, readonly ContainerKind[]> = {
    build: ["helper"],
    helper: ["build"],
    services: ["build", "helper"],
};
const LABEL: Record<ContainerKind, string> = { build: "build", helper: "helper", services: "service" };

const cpuOf = (q: string) => parseCpuMillis(q)!;
const memOf = (q: string) => parseMemoryMiB(q)!;
const cpuString = (millis: number) => `${Math.max(0, Math.floor(millis))}m`;
const memString = (mib: number) => `${Math.max(0, Math.floor(mib))}Mi`;

/**
 * Fills the defaults and ceilings of the three container kinds and checks every rule: requests ≤ limits,
 * requests/limits ≤ ceilings, ceilings within the smallest node. `at(kind, field)` builds the config path.
 */
export function resolveRunnerResources(
    input: Readonly<Record<ContainerKind, ContainerResourcesInput>>,
    node: SmallestNode | undefined,
    at: (kind: ContainerKind, field: keyof ContainerResourcesInput) => string,
): { resources: RunnerResources; problems: Problem[] } {
    const problems: Problem[] = [];
    const base = {} as Record<
        ContainerKind,
        { cpuRequest: string; memoryRequest: string; memoryLimit: string; cpuLimit?: string }
    >;
    for (const kind of KINDS) {
        const d = RESOURCE_DEFAULTS[kind];
        base[kind] = {
            cpuRequest: input[kind].cpuRequest ?? d.cpuRequest,
            memoryRequest: input[kind].memoryRequest ?? d.memoryRequest,
            memoryLimit: input[kind].memoryLimit ?? d.memoryLimit,
            cpuLimit: input[kind].cpuLimit,
        };
    }

    // A default job (build + helper) must fit at all, or every ceiling below is meaningless.
    let fits = true;
    if (node) {
        for (const [field, need, have, type, fmt, what] of [
            [
                "cpuRequest",
                cpuOf(base.build.cpuRequest) + cpuOf(base.helper.cpuRequest),
                node.cpuMillis,
                node.cpuType,
                formatCpuMillis,
                "CPU",
            ],
            [
                "memoryRequest",
                memOf(base.build.memoryRequest) + memOf(base.helper.memoryRequest),
                node.memoryMiB,
                node.memoryType,
                formatMiB,
                "memory",
            ],
        ] as const) {
            if (need > have) {
                fits = false;
                problems.push({
                    path: at("build", field),
                    message: `${base.build[field]} plus the helper container's ${base.helper[field]} exceeds the allocatable ${what} of ${type} (≈ ${fmt(have)}) in ${whereOf(node)}: no job of this runner could ever schedule; lower the requests or use larger instance types`,
                });
            }
        }
    }

    const resources = {} as Record<ContainerKind, ContainerResources>;
    for (const kind of KINDS) {
        const given = input[kind];
        const own = base[kind];
        const othersCpu = OTHERS[kind].reduce((sum, k) => sum + cpuOf(base[k].cpuRequest), 0);
        const othersMem = OTHERS[kind].reduce((sum, k) => sum + memOf(base[k].memoryRequest), 0);
        const roomCpu = node ? node.cpuMillis - othersCpu : cpuOf(own.cpuRequest);
        const roomMem = node ? node.memoryMiB - othersMem : memOf(own.memoryRequest);
        const roomLimit = node ? node.memoryMiB : memOf(own.memoryLimit);
        const r: ContainerResources = {
            cpuRequest: own.cpuRequest,
            cpuLimit: own.cpuLimit,
            memoryRequest: own.memoryRequest,
            memoryLimit: own.memoryLimit,
            cpuRequestMax: given.cpuRequestMax ?? cpuString(roomCpu),
            cpuLimitMax: given.cpuLimitMax ?? (own.cpuLimit !== undefined && node ? cpuString(node.cpuMillis) : undefined),
            memoryRequestMax: given.memoryRequestMax ?? memString(roomMem),
            memoryLimitMax: given.memoryLimitMax ?? memString(roomLimit),
        };
        resources[kind] = r;
        const path = (field: keyof ContainerResourcesInput) => at(kind, field);
        const others =
            OTHERS[kind].length === 1
                ? `${LABEL[OTHERS[kind][0]]} container's request`
                : `${OTHERS[kind].map((k) => LABEL[k]).join(" and ")} containers' requests`;

        // Ceilings against the smallest node (only those the user set: defaults are the room itself).
        if (node && fits) {
            if (given.cpuRequestMax !== undefined && cpuOf(given.cpuRequestMax) > roomCpu) {
                problems.push({
                    path: path("cpuRequestMax"),
                    message: `${given.cpuRequestMax} exceeds the allocatable CPU of ${node.cpuType} (≈ ${formatCpuMillis(node.cpuMillis)}) in ${whereOf(node)} less the ${others} (${formatCpuMillis(othersCpu)}): a job asking for it could never schedule; at most ${cpuString(roomCpu)}`,
                });
            }
            if (given.memoryRequestMax !== undefined && memOf(given.memoryRequestMax) > roomMem) {
                problems.push({
                    path: path("memoryRequestMax"),
                    message: `${given.memoryRequestMax} exceeds the allocatable memory of ${node.memoryType} (≈ ${formatMiB(node.memoryMiB)}) in ${whereOf(node)} less the ${others} (${formatMiB(othersMem)}): a job asking for it could never schedule; at most ${memString(roomMem)}`,
                });
            }
            if (given.memoryLimitMax !== undefined && memOf(given.memoryLimitMax) > node.memoryMiB) {
                problems.push({
                    path: path("memoryLimitMax"),
                    message: `${given.memoryLimitMax} exceeds the allocatable memory of ${node.memoryType} (≈ ${formatMiB(node.memoryMiB)}) in ${whereOf(node)}; no job can use more than ${memString(node.memoryMiB)} there`,
                });
            }
        }

        // Requests and limits against each other and against the ceilings.
        if (memOf(r.memoryRequest) > memOf(r.memoryLimit)) {
            problems.push({
                path: path("memoryRequest"),
                message: `${r.memoryRequest} is above memoryLimit ${r.memoryLimit}; Kubernetes rejects a container whose request exceeds its limit`,
            });
        }
        if (r.cpuLimit !== undefined && cpuOf(r.cpuRequest) > cpuOf(r.cpuLimit)) {
            problems.push({
                path: path("cpuRequest"),
                message: `${r.cpuRequest} is above cpuLimit ${r.cpuLimit}; Kubernetes rejects a container whose request exceeds its limit`,
            });
        }
        if (fits) {
            const pairs = [
                ["cpuRequest", "cpuRequestMax", cpuOf],
                ["memoryRequest", "memoryRequestMax", memOf],
                ["memoryLimit", "memoryLimitMax", memOf],
                ["cpuLimit", "cpuLimitMax", cpuOf],
            ] as const;
            for (const [value, ceiling, parse] of pairs) {
                const v = r[value];
                const c = r[ceiling];
                if (v === undefined || c === undefined) continue;
                if (parse(v) > parse(c)) {
                    // Blame the field the user wrote: a too-low ceiling, or a default above a derived ceiling.
                    if (given[ceiling] !== undefined) {
                        problems.push({
                            path: path(ceiling),
                            message: `${c} is below ${value} ${v}: jobs could only ever ask for less than the default; raise it or lower ${value}`,
                        });
                    } else {
                        const derived = node
                            ? ` (by default what one ${parse === cpuOf ? node.cpuType : node.memoryType} in ${whereOf(node)} can give it)`
                            : "";
                        problems.push({ path: path(value), message: `${v} is above ${ceiling} ${c}${derived}; lower it` });
                    }
                }
            }
            if (memOf(r.memoryRequestMax) > memOf(r.memoryLimitMax)) {
                problems.push({
                    path: path(given.memoryRequestMax !== undefined ? "memoryRequestMax" : "memoryLimitMax"),
                    message: `memoryRequestMax ${r.memoryRequestMax} is above memoryLimitMax ${r.memoryLimitMax}: a job raising its request that far could never get a limit to match`,
                });
            }
        }
    }
    return { resources, problems };
}

/** Config path helper for a runner's container settings: build fields sit on the runner, others in `helper`/`services`. */
export function resourcePath(runner: string) {
    return (kind: ContainerKind, field: string) =>
        kind === "build" ? joinPath("runners", runner, field) : joinPath("runners", runner, kind, field);
}
