// Fargate runners (`runners.<name>.fargate: true`) and the stack's `fargate` section: one micro-VM per job pod, no job
// nodes. What is Fargate-specific about a runner is decided here: its job containers' defaults and ceilings, the rules
// that reject what Fargate cannot run, and the capacity plan (quota, pod sizes, cost). Facts: fargateFacts.ts.
import { z } from "zod";
import { FARGATE_KUBERNETES_MIB, FARGATE_MAX, FARGATE_STORAGE, FARGATE_MINIMUM_BILLED_SECONDS } from "./fargateFacts";
import { describeSize, fargatePodSize, fargatePrices, FargateSize, podHourUsd } from "./fargateSizing";
import { joinPath, Problem, strictObject } from "./problems";
import { parseCpuMillis, parseMemoryMiB } from "./quantities";
import type { ContainerKind, ContainerResourcesInput, RunnerResources, SmallestNode } from "./runnerResources";
import { RESOURCE_DEFAULTS } from "./runnerResources";

/** `fargate`: required once a runner sets `fargate: true`. */
export const fargateSchema = strictObject({
    /**
     * The account's "Fargate On-Demand vCPU resource count" quota in this region (Service Quotas, service `fargate`; the
     * quota's code was not verified here, so the runbook finds it by name): every running Fargate pod counts its
     * provisioned vCPUs against it (ECS developer guide, "AWS Fargate usage metrics": ResourceCount of vCPU).
     */
    vcpuQuota: z.number().int().min(1, { error: "must be at least 1 vCPU" }),
    /** Days CloudWatch keeps the Fargate job pods' container logs. */
    logRetentionDays: z
        .number()
        .int()
        .refine((d) => LOG_RETENTION_DAYS.includes(d), {
            error: (iss) =>
                `${JSON.stringify(iss.input)} is not a CloudWatch Logs retention (one of ${LOG_RETENTION_DAYS.join(", ")})`,
        })
        .default(30),
}).optional();
export type FargateInput = z.output<typeof fargateSchema>;
export type FargateConfig = NonNullable<FargateInput>;

/** The retention values CloudWatch Logs accepts (PutRetentionPolicy `retentionInDays`). */
const LOG_RETENTION_DAYS = [
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];

/**
 * The largest Fargate pod as a "node" for the shared ceiling rules (runnerResources.ts): 16 vCPU, and 120 GiB less
 * the 256 MiB Fargate adds to every pod. A job at its ceilings must still round to a size Fargate has.
 */
export const FARGATE_ROOM: SmallestNode = {
    group: "fargate",
    where: "Fargate (its largest pod, 16 vCPU / 120 GB, less the 256 MiB Fargate adds)",
    cpuMillis: FARGATE_MAX.vcpu * 1000,
    cpuType: "a Fargate pod",
    memoryMiB: FARGATE_MAX.memoryGiB * 1024 - FARGATE_KUBERNETES_MIB,
    memoryType: "a Fargate pod",
    pods: 1,
};

const cpu = (q: string) => parseCpuMillis(q)!;
const mem = (q: string) => parseMemoryMiB(q)!;
const cpuText = (m: number) => `${Math.max(0, Math.floor(m))}m`;
const memText = (m: number) => `${Math.max(0, Math.floor(m))}Mi`;

/**
 * A Fargate runner's container settings before the shared rules: memory limits default to the requests (Fargate runs
 * every pod with Guaranteed QoS, "the requested CPU and memory must be equal to the limit": a limit above the request
 * would promise memory the pod's VM was never sized for), helper and service ceilings default to their requests, and
 * the build container's ceilings to what is left of the largest Fargate pod. So a job raising every variable to its
 * ceiling still rounds to 16 vCPU / 120 GB at most.
 */
export function fargateContainerInput(
    input: Readonly<Record<ContainerKind, ContainerResourcesInput>>,
): Record<ContainerKind, ContainerResourcesInput> {
    const filled = {} as Record<ContainerKind, ContainerResourcesInput>;
    for (const kind of ["helper", "services"] as const) {
        const given = input[kind];
        const d = RESOURCE_DEFAULTS[kind];
        const memoryRequest = given.memoryRequest ?? d.memoryRequest;
        const memoryRequestMax = given.memoryRequestMax ?? memoryRequest;
        filled[kind] = {
            ...given,
            memoryRequest,
            memoryLimit: given.memoryLimit ?? memoryRequest,
            cpuRequestMax: given.cpuRequestMax ?? given.cpuRequest ?? d.cpuRequest,
            memoryRequestMax,
            memoryLimitMax: given.memoryLimitMax ?? memoryRequestMax,
        };
    }
    const build = input.build;
    const memoryRequest = build.memoryRequest ?? RESOURCE_DEFAULTS.build.memoryRequest;
    const others = (pick: (r: ContainerResourcesInput) => string | undefined, parse: (q: string) => number) =>
        parse(pick(filled.helper)!) + parse(pick(filled.services)!);
    const memoryRequestMax = build.memoryRequestMax ?? memText(FARGATE_ROOM.memoryMiB - others((r) => r.memoryRequestMax, mem));
    filled.build = {
        ...build,
        memoryRequest,
        memoryLimit: build.memoryLimit ?? memoryRequest,
        cpuRequestMax: build.cpuRequestMax ?? cpuText(FARGATE_ROOM.cpuMillis - others((r) => r.cpuRequestMax, cpu)),
        memoryRequestMax,
        memoryLimitMax: build.memoryLimitMax ?? memoryRequestMax,
    };
    return filled;
}

/** The job pod at its default requests and at every request ceiling (build + helper + one service), as Fargate sizes it. */
export function fargateJobPods(resources: RunnerResources): {
    default: FargateSize | undefined;
    ceiling: FargateSize | undefined;
} {
    const { build, helper, services } = resources;
    const at = (pick: (r: RunnerResources[ContainerKind]) => [string, string], kinds: RunnerResources[ContainerKind][]) =>
        fargatePodSize(
            kinds.reduce((t, r) => ({ cpuMillis: t.cpuMillis + cpu(pick(r)[0]), memoryMiB: t.memoryMiB + mem(pick(r)[1]) }), {
                cpuMillis: 0,
                memoryMiB: 0,
            }),
        );
    return {
        // A default job has no service: the build and helper containers.
        default: at((r) => [r.cpuRequest, r.memoryRequest], [build, helper]),
        ceiling: at((r) => [r.cpuRequestMax, r.memoryRequestMax], [build, helper, services]),
    };
}

/** What a Fargate runner's input says, for the rules below (the raw input: defaults cannot tell set from unset). */
export interface FargateRunnerInput {
    readonly name: string;
    readonly privileged: boolean;
    readonly warmCapacity?: unknown;
    readonly jobIdentity?: unknown;
    /** Whether `network` differs from its default (policies Fargate would not enforce). */
    readonly networkSet: boolean;
    readonly ephemeralStorage?: string;
    readonly containers: Readonly<Record<ContainerKind, ContainerResourcesInput>>;
}

/** Everything a Fargate runner may not ask for, each at its own path with why and what to do instead. */
export function fargateRunnerProblems(r: FargateRunnerInput, resources: RunnerResources | undefined): Problem[] {
    const at = (...rest: (string | number)[]) => joinPath("runners", r.name, ...rest);
    const problems: Problem[] = [];
    if (r.privileged)
        problems.push({
            path: at("privileged"),
            message:
                "Fargate runs no privileged containers (EKS user guide, AWS Fargate considerations), so docker-in-docker cannot work there; run this runner on a nodeGroup or nodePool",
        });
    if (r.warmCapacity !== undefined)
        problems.push({
            path: at("warmCapacity"),
            message: "Fargate has no nodes to keep warm: each job pod gets its own VM when it starts; drop warmCapacity",
        });
    if (r.jobIdentity !== undefined)
        problems.push({
            path: at("jobIdentity"),
            message:
                "EKS Pod Identity does not work on Fargate (its agent is a DaemonSet, and Fargate runs none); give these jobs no AWS identity or run them on a nodeGroup or nodePool",
        });
    if (r.networkSet)
        problems.push({
            path: at("network"),
            message:
                "Kubernetes network policies are enforced on EC2 Linux nodes only, not on Fargate (EKS user guide, cni-network-policy, Considerations): these limits would not hold; drop network or run the runner on a nodeGroup or nodePool",
        });
    for (const kind of ["build", "helper", "services"] as const) {
        const c = r.containers[kind];
        const path = (field: string) => (kind === "build" ? at(field) : at(kind, field));
        const request = c.memoryRequest ?? RESOURCE_DEFAULTS[kind].memoryRequest;
        if (c.memoryLimit !== undefined && mem(c.memoryLimit) !== mem(request))
            problems.push({
                path: path("memoryLimit"),
                message: `${c.memoryLimit} differs from memoryRequest ${request}: Fargate pods run with Guaranteed QoS, requests equal to limits (EKS user guide, Fargate Pod configuration); drop memoryLimit (it then follows the request)`,
            });
        if (c.cpuLimit !== undefined && cpu(c.cpuLimit) !== cpu(c.cpuRequest ?? RESOURCE_DEFAULTS[kind].cpuRequest))
            problems.push({
                path: path("cpuLimit"),
                message: `${c.cpuLimit} differs from cpuRequest: Fargate pods run with requests equal to limits; drop cpuLimit (the pod's VM is the limit)`,
            });
    }
    if (r.ephemeralStorage !== undefined) {
        const gib = mem(r.ephemeralStorage) / 1024;
        if (gib < FARGATE_STORAGE.includedGiB || gib > FARGATE_STORAGE.maxRequestGiB)
            problems.push({
                path: at("ephemeralStorage"),
                message: `${r.ephemeralStorage} is outside ${FARGATE_STORAGE.includedGiB}–${FARGATE_STORAGE.maxRequestGiB} GiB: every Fargate pod has 20 GiB included, and its containers may request at most 175 GiB`,
            });
    }
    if (resources) {
        const pods = fargateJobPods(resources);
        if (!pods.default)
            problems.push({
                path: at("cpuRequest"),
                message: `the default job pod (build + helper requests + 256 MiB) is larger than the largest Fargate pod (16 vCPU / 120 GB); lower the requests`,
            });
        else if (!pods.ceiling)
            problems.push({
                path: at(r.containers.build.cpuRequestMax !== undefined ? "cpuRequestMax" : "memoryRequestMax"),
                message: `a job at every request ceiling (build + helper + one service, + 256 MiB) would be larger than the largest Fargate pod (16 vCPU / 120 GB) and never start; lower the ceilings`,
            });
    }
    return problems;
}

/** One Fargate runner in the capacity plan. */
export interface FargateRunnerPlan {
    readonly name: string;
    readonly concurrent: number;
    readonly defaultPod: FargateSize;
    readonly ceilingPod: FargateSize;
    /** What the defaults ask for before rounding (build + helper + 256 MiB), to show what the rounding costs. */
    readonly defaultRequest: { readonly cpuMillis: number; readonly memoryMiB: number };
    readonly ephemeralStorageGiB?: number;
    /** vCPUs of the quota its jobs take at `concurrent` default-sized pods. */
    readonly vcpuAtConcurrent: number;
    /** USD per job-hour (default pod), and at the ceiling; undefined without a price for the region. */
    readonly usdPerJobHour?: number;
    readonly usdPerJobHourAtCeiling?: number;
}

export interface FargatePlan {
    readonly vcpuQuota: number;
    readonly vcpuAtConcurrent: number;
    readonly runners: readonly FargateRunnerPlan[];
    readonly pricesKnown: boolean;
    readonly storagePriceKnown: boolean;
    readonly minimumBilledSeconds: number;
}

/** Fargate runners at their `concurrent`, against the vCPU quota; problems name both the quota and the runners. */
export function planFargate(
    runners: readonly { name: string; concurrent: number; resources: RunnerResources; ephemeralStorage?: string }[],
    fargate: FargateConfig,
    region: string,
): { plan: FargatePlan; problems: Problem[] } {
    const prices = fargatePrices(region);
    const planned: FargateRunnerPlan[] = [];
    for (const r of runners) {
        const pods = fargateJobPods(r.resources);
        if (!pods.default || !pods.ceiling) continue; // already rejected by fargateRunnerProblems
        const storage = r.ephemeralStorage !== undefined ? mem(r.ephemeralStorage) / 1024 : undefined;
        planned.push({
            name: r.name,
            concurrent: r.concurrent,
            defaultPod: pods.default,
            ceilingPod: pods.ceiling,
            defaultRequest: {
                cpuMillis: cpu(r.resources.build.cpuRequest) + cpu(r.resources.helper.cpuRequest),
                memoryMiB: mem(r.resources.build.memoryRequest) + mem(r.resources.helper.memoryRequest) + FARGATE_KUBERNETES_MIB,
            },
            ...(storage !== undefined ? { ephemeralStorageGiB: storage } : {}),
            vcpuAtConcurrent: r.concurrent * pods.default.vcpu,
            ...(prices
                ? {
                      usdPerJobHour: podHourUsd(pods.default, storage, prices),
                      usdPerJobHourAtCeiling: podHourUsd(pods.ceiling, storage, prices),
                  }
                : {}),
        });
    }
    const total = planned.reduce((t, r) => t + r.vcpuAtConcurrent, 0);
    const problems: Problem[] = [];
    if (total > fargate.vcpuQuota) {
        const parts = planned.map((r) => `${r.name}: ${r.concurrent} × ${r.defaultPod.vcpu} vCPU`).join(", ");
        problems.push({
            path: "fargate.vcpuQuota",
            message: `${fargate.vcpuQuota} vCPUs, but the Fargate runners at concurrent need ${total} (${parts}; each default job pod rounds to ${planned.map((r) => `${r.name} ${describeSize(r.defaultPod)}`).join(", ")}): jobs over the quota fail to start. Lower concurrent or raise the quota "Fargate On-Demand vCPU resource count" (docs/runbook/fargate.md)`,
        });
    }
    return {
        plan: {
            vcpuQuota: fargate.vcpuQuota,
            vcpuAtConcurrent: total,
            runners: planned,
            pricesKnown: prices !== undefined,
            storagePriceKnown: prices?.storageGbHour !== undefined,
            minimumBilledSeconds: FARGATE_MINIMUM_BILLED_SECONDS,
        },
        problems,
    };
}

/**
 * Fargate pods take a VPC address each from the profile's subnets, like any pod: at a manager rollout 2 × concurrent
 * of them (the capacity model's rollout peak). Checked against the subnets' free addresses when they are known.
 */
export function fargateIpProblems(
    plan: FargatePlan,
    pool: { readonly name: string; readonly freeIps?: number; readonly ipsAtFullScale: number } | undefined,
    rolloutManagers: number,
): Problem[] {
    const ips = plan.runners.reduce((t, r) => t + rolloutManagers * r.concurrent, 0);
    if (!pool || pool.freeIps === undefined || ips === 0 || pool.ipsAtFullScale + ips <= pool.freeIps) return [];
    return [
        {
            path: pool.name === "pod" ? "network.podSubnets" : "network.freeIpAddresses",
            message: `the Fargate runners' ${ips} job pods at a rollout (${rolloutManagers} × concurrent) plus the nodes' ${pool.ipsAtFullScale} addresses exceed the ${pool.freeIps} free addresses of the ${pool.name} subnets: job pods would not start. Add pod subnets or lower concurrent`,
        },
    ];
}
