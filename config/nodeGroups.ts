import { z } from "zod";
import { Arch, instanceFacts, unsupportedInstanceType } from "./instanceTypes";
import { LABEL_PREFIX, NodeRole, roleLabels, roleTaint, Taint, TAINT_EFFECTS } from "../model/labels";
import { joinPath, Problem, strictObject } from "./problems";

export const AMI_TYPES = {
    AL2023_x86_64_STANDARD: "amd64",
    AL2023_ARM_64_STANDARD: "arm64",
    BOTTLEROCKET_x86_64: "amd64",
    BOTTLEROCKET_ARM_64: "arm64",
} as const satisfies Record<string, Arch>;
export type AmiType = keyof typeof AMI_TYPES;

/** The AMI type chosen when a group names none: AL2023 for the instance types' architecture. */
export const DEFAULT_AMI_TYPE: Record<Arch, AmiType> = { amd64: "AL2023_x86_64_STANDARD", arm64: "AL2023_ARM_64_STANDARD" };

export const NODEGROUP_DEFAULTS = {
    capacityType: "ON_DEMAND" as const,
    /** Management nodes run only small platform pods. */
    managementDiskSizeGiB: 50,
    /** Job nodes hold the shared image cache that replaced per-VM pulls: keep it roomy. */
    jobsDiskSizeGiB: 100,
    /** Nodes replaced at once during an AMI/version update. */
    maxUnavailable: 1,
    /** The management group must survive the loss of one node or AZ. */
    managementMinSize: 2,
};

// Kubernetes label syntax: optional DNS-subdomain prefix + "/" + name of ≤ 63 [A-Za-z0-9_.-] (alphanumeric ends).
const LABEL_NAME = "([A-Za-z0-9]([A-Za-z0-9_.-]{0,61}[A-Za-z0-9])?)";
const LABEL_KEY = new RegExp(`^([a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?/)?${LABEL_NAME}$`);
const LABEL_VALUE = new RegExp(`^(${LABEL_NAME})?$`);

const labelKey = z
    .string()
    .refine((k) => LABEL_KEY.test(k), { error: (iss) => `${JSON.stringify(iss.input)} is not a valid Kubernetes label key` })
    .refine((k) => !k.startsWith(LABEL_PREFIX), { error: `keys under "${LABEL_PREFIX}" are set by this program` });
const labelValue = z.string().refine((v) => LABEL_VALUE.test(v), {
    error: (iss) =>
        `${JSON.stringify(iss.input)} is not a valid Kubernetes label value (≤ 63 of [A-Za-z0-9_.-], alphanumeric at both ends)`,
});

const taintSchema = strictObject({
    key: labelKey,
    value: labelValue.default(""),
    effect: z.enum(TAINT_EFFECTS),
});

/** One entry of `nodeGroups`: a managed node group. Which fields replace a running group is listed in the README. */
export const nodeGroupSchema = strictObject({
    /** `management`: platform pods, fixed size, invisible to Cluster Autoscaler. `jobs`: CI job pods, autoscaled. */
    role: z.enum(["management", "jobs"]),
    /** EC2 types; all one architecture. Spot needs ≥ 2 types of equal vCPU and memory so one sold-out type does not stall jobs. */
    instanceTypes: z.array(z.string()).min(1, { error: "list at least one instance type" }),
    /** `ON_DEMAND` or `SPOT` (→ the node group's capacityType). */
    capacityType: z.enum(["ON_DEMAND", "SPOT"]).default(NODEGROUP_DEFAULTS.capacityType),
    /** AWS-provided AMI family; defaults to AL2023 for the instance types' architecture. */
    amiType: z.enum(Object.keys(AMI_TYPES) as [AmiType, ...AmiType[]]).optional(),
    minSize: z.number().int().min(0),
    maxSize: z.number().int().min(1),
    /** Initial size only: ignored after creation so Pulumi never fights Cluster Autoscaler. Defaults to minSize. */
    desiredSize: z.number().int().min(0).optional(),
    /** gp3 root volume in GiB (default 50 for management, 100 for jobs). */
    diskSizeGiB: z.number().int().min(20).max(16384).optional(),
    /** Extra node labels, merged over the role's own. */
    labels: z.record(labelKey, labelValue).default({}),
    /** Extra taints, added to the role's own. */
    taints: z.array(taintSchema).default([]),
    /** → updateConfig.maxUnavailable: nodes replaced at once during an update. */
    maxUnavailable: z.number().int().min(1).max(100).default(NODEGROUP_DEFAULTS.maxUnavailable),
    /** Pin the AMI release (e.g. "1.34.2-20251112"); by default the latest release is resolved at each deploy. */
    releaseVersion: z
        .string()
        .regex(/^\d+\.\d+\.\d+-[0-9a-f]{8}$/, {
            error: (iss) =>
                `${JSON.stringify(iss.input)} is not an AMI release version like 1.34.2-20251112 (AL2023) or 1.42.0-21c0d8ce (Bottlerocket)`,
        })
        .optional(),
    /** Where the nodes live: `cluster` (network.subnetIds) or `pod` (network.podSubnets). Default: `pod` for jobs when pod subnets exist. */
    subnets: z.enum(["cluster", "pod"]).optional(),
});
type NodeGroupInput = z.output<typeof nodeGroupSchema>;

/** A validated, fully defaulted node group. */
export interface NodeGroupConfig {
    readonly name: string;
    /** Lowercase, `-`-separated form used in AWS resource names. */
    readonly resourceName: string;
    readonly role: NodeRole;
    readonly instanceTypes: readonly string[];
    readonly capacityType: "ON_DEMAND" | "SPOT";
    readonly arch: Arch;
    readonly amiType: AmiType;
    readonly minSize: number;
    readonly maxSize: number;
    readonly desiredSize: number;
    readonly diskSizeGiB: number;
    /** Role labels plus user labels: exactly what nodes carry. */
    readonly labels: Readonly<Record<string, string>>;
    /** Role taint plus user taints: exactly what nodes carry. */
    readonly taints: readonly Taint[];
    readonly maxUnavailable: number;
    readonly releaseVersion?: string;
    readonly subnets: "cluster" | "pod";
    /** A jobs group with minSize 0: needs Cluster Autoscaler node-template tags to scale up from nothing. */
    readonly scalesToZero: boolean;
}

export const normaliseName = (name: string) => name.toLowerCase().replace(/[_.]/g, "-");
const NODEGROUP_NAME = /^[A-Za-z0-9]([A-Za-z0-9_.-]{0,38}[A-Za-z0-9])?$/;

/** Rules that involve more than one field or group; returns the defaulted groups and every problem found. */
export function resolveNodeGroups(
    groups: Record<string, NodeGroupInput>,
    hasPodSubnets: boolean,
    kubernetesVersion?: string,
    /** `addons.nodeAutoscaler`: with Karpenter, job capacity is `nodePools` and jobs groups are rejected. */
    engine: "clusterAutoscaler" | "karpenter" = "clusterAutoscaler",
): { groups: NodeGroups; problems: Problem[] } {
    const problems: Problem[] = [];
    const at = (name: string, ...rest: (string | number)[]) => joinPath("nodeGroups", name, ...rest);
    const byNormalised = new Map<string, string>();
    const out: NodeGroupConfig[] = [];

    for (const [name, g] of Object.entries(groups)) {
        if (!NODEGROUP_NAME.test(name)) {
            problems.push({
                path: at(name),
                message: `"${name}" is not a valid node group name: 1–40 of [A-Za-z0-9_.-], alphanumeric at both ends (it becomes a label value and part of AWS names)`,
            });
        }
        const normalised = normaliseName(name);
        const clash = byNormalised.get(normalised);
        if (clash !== undefined)
            problems.push({
                path: at(name),
                message: `"${name}" and "${clash}" both become "${normalised}" in AWS resource names; rename one`,
            });
        byNormalised.set(normalised, name);

        const archs = new Set<Arch>();
        const sizes = new Map<string, string>();
        const listed = new Set<string>();
        g.instanceTypes.forEach((t, i) => {
            const facts = instanceFacts(t);
            if (!facts) {
                problems.push({
                    path: at(name, "instanceTypes", i),
                    message: unsupportedInstanceType(t),
                });
                return;
            }
            archs.add(facts.arch);
            sizes.set(t, `${facts.vcpu} vCPU/${facts.memoryMiB / 1024} GiB`);
            if (listed.has(t)) problems.push({ path: at(name, "instanceTypes", i), message: `"${t}" is listed twice` });
            listed.add(t);
        });
        if (archs.size > 1)
            problems.push({
                path: at(name, "instanceTypes"),
                message: `mixes amd64 and arm64 types (${g.instanceTypes.join(", ")}); one group has one architecture`,
            });
        const arch: Arch = archs.size === 1 ? [...archs][0] : g.amiType ? AMI_TYPES[g.amiType] : "amd64";
        if (g.amiType && archs.size === 1 && AMI_TYPES[g.amiType] !== arch) {
            problems.push({
                path: at(name, "amiType"),
                message: `${g.amiType} is for ${AMI_TYPES[g.amiType]} but the instance types are ${arch}; use ${DEFAULT_AMI_TYPE[arch]} or matching types`,
            });
        }
        if (g.capacityType === "SPOT") {
            if (g.instanceTypes.length < 2) {
                problems.push({
                    path: at(name, "instanceTypes"),
                    message:
                        "SPOT needs at least 2 instance types of equal vCPU and memory, so one sold-out type does not leave jobs pending",
                });
            } else if (new Set(sizes.values()).size > 1) {
                problems.push({
                    path: at(name, "instanceTypes"),
                    message: `SPOT types must have equal vCPU and memory so Cluster Autoscaler sizes nodes right: ${[...sizes].map(([t, s]) => `${t}=${s}`).join(", ")}`,
                });
            }
        }
        if (g.minSize > g.maxSize)
            problems.push({ path: at(name, "minSize"), message: `${g.minSize} is greater than maxSize ${g.maxSize}` });
        const desiredSize = g.desiredSize ?? g.minSize;
        if (g.desiredSize !== undefined && (g.desiredSize < g.minSize || g.desiredSize > g.maxSize)) {
            problems.push({
                path: at(name, "desiredSize"),
                message: `${g.desiredSize} is outside [minSize ${g.minSize}, maxSize ${g.maxSize}]`,
            });
        }
        if (g.role === "management") {
            if (g.capacityType === "SPOT")
                problems.push({
                    path: at(name, "capacityType"),
                    message:
                        "the management group must be ON_DEMAND: a Spot reclaim would take the autoscaler and runner managers with it",
                });
            if (g.minSize < NODEGROUP_DEFAULTS.managementMinSize)
                problems.push({
                    path: at(name, "minSize"),
                    message: `${g.minSize} is below ${NODEGROUP_DEFAULTS.managementMinSize}: the management group needs 2 nodes in 2 AZs to survive losing one`,
                });
            if (g.minSize !== g.maxSize)
                problems.push({
                    path: at(name, "maxSize"),
                    message: `must equal minSize (${g.minSize}) for the management group, so no autoscaler can ever shrink it`,
                });
            if (g.subnets === "pod")
                problems.push({
                    path: at(name, "subnets"),
                    message: `"pod" subnets are for job nodes; the management group stays in network.subnetIds`,
                });
        }
        const amiType = g.amiType ?? DEFAULT_AMI_TYPE[arch];
        if (
            g.releaseVersion &&
            amiType.startsWith("AL2023") &&
            kubernetesVersion &&
            !g.releaseVersion.startsWith(`${kubernetesVersion}.`)
        ) {
            problems.push({
                path: at(name, "releaseVersion"),
                message: `${g.releaseVersion} is an AMI release for another Kubernetes version than cluster.version ${kubernetesVersion}`,
            });
        }
        if (g.subnets === "pod" && !hasPodSubnets)
            problems.push({ path: at(name, "subnets"), message: `"pod" needs network.podSubnets to be configured` });
        const taints = new Set<string>();
        g.taints.forEach((t, i) => {
            const id = `${t.key}:${t.effect}`;
            if (taints.has(id)) problems.push({ path: at(name, "taints", i), message: `taint ${id} is listed twice` });
            taints.add(id);
        });

        out.push({
            name,
            resourceName: normalised,
            role: g.role,
            instanceTypes: g.instanceTypes,
            capacityType: g.capacityType,
            arch,
            amiType,
            minSize: g.minSize,
            maxSize: g.maxSize,
            desiredSize,
            diskSizeGiB:
                g.diskSizeGiB ??
                (g.role === "management" ? NODEGROUP_DEFAULTS.managementDiskSizeGiB : NODEGROUP_DEFAULTS.jobsDiskSizeGiB),
            labels: { ...g.labels, ...roleLabels(g.role, name) },
            taints: [roleTaint(g.role), ...g.taints],
            maxUnavailable: g.maxUnavailable,
            releaseVersion: g.releaseVersion,
            subnets: g.subnets ?? (g.role === "jobs" && hasPodSubnets ? "pod" : "cluster"),
            scalesToZero: g.role === "jobs" && g.minSize === 0,
        });
    }

    const management = out.filter((g) => g.role === "management");
    if (management.length === 0)
        problems.push({
            path: "nodeGroups",
            message:
                "declare exactly one group with role: management (the autoscaler, metrics-server and runner managers live there)",
        });
    if (management.length > 1)
        problems.push({
            path: "nodeGroups",
            message: `only one management group is allowed, found ${management.map((g) => g.name).join(", ")}`,
        });
    const jobs = out.filter((g) => g.role === "jobs");
    if (engine === "karpenter") {
        for (const g of jobs)
            problems.push({
                path: at(g.name, "role"),
                message:
                    "role: jobs groups are scaled by Cluster Autoscaler, which is not deployed with addons.nodeAutoscaler: karpenter; declare the job capacity under nodePools (the management group stays)",
            });
    } else if (jobs.length === 0)
        problems.push({ path: "nodeGroups", message: "declare at least one group with role: jobs, or no CI job can run" });
    return { groups: { management: management[0], jobs }, problems };
}

/** The node groups of a stack by role. */
export interface NodeGroups {
    /** The one management group: platform pods and runner managers (undefined only while validating a bad document). */
    readonly management: NodeGroupConfig;
    /** The groups CI job pods run on, in declaration order. */
    readonly jobs: readonly NodeGroupConfig[];
}

/** Every node group, the management group first. */
export function allNodeGroups(groups: {
    readonly management?: NodeGroupConfig;
    readonly jobs: readonly NodeGroupConfig[];
}): readonly NodeGroupConfig[] {
    return groups.management ? [groups.management, ...groups.jobs] : groups.jobs;
}
