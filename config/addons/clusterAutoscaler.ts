// Cluster Autoscaler (docs/addons.md): the official chart on the management nodes, its image following the cluster
// minor, flags checked against the image it runs, and an IAM role through EKS Pod Identity.
import { z } from "zod";
import { autoDiscoveryFlag } from "../../model/autoscalerTags";
import { placementOn } from "../../model/placement";
import { PLATFORM_DEPLOYMENTS, resourcesOf } from "../../model/platformWorkloads";
import { SYSTEM_CLUSTER_CRITICAL } from "../../model/priorityClasses";
import { clusterAutoscalerFlags } from "../clusterAutoscalerFlags";
import { parseGoDuration } from "../goDuration";
import { COLD_START_MODEL, WarmAutoscaler } from "../warmPlan";
import { strictObject } from "../problems";
import { EksVersion } from "../versions";
import {
    CLUSTER_AUTOSCALER_DEFAULT_ARGS,
    extraArgsSchema,
    ownedClusterAutoscalerArgs,
    unknownFlags,
} from "./clusterAutoscalerArgs";
import { clusterAutoscalerPolicy } from "./clusterAutoscalerIam";
import { AddonRuleContext, AddonSpec, chartVersionField, valuesExcept } from "./spec";
import { deepMerge, spreadAcrossZonesAndNodes } from "./values";

/**
 * Cluster Autoscaler image (registry.k8s.io/autoscaling/cluster-autoscaler) per cluster minor: the autoscaler's minor
 * must match the control plane's (CA README, "Releases"). Each entry is the newest patch tag of that release branch
 * (kubernetes/autoscaler tags `cluster-autoscaler-1.xx.y`, checked 2026-08). Typed on EksVersion, so adding a
 * minor to EKS_VERSIONS fails to compile until it has an autoscaler here, and the literal tags make
 * config/clusterAutoscalerFlags.ts fail to compile when a pinned tag has no flag list. Override per stack with
 * `addons.clusterAutoscaler.imageTag` (same minor only).
 */
export const CLUSTER_AUTOSCALER_IMAGES = {
    "1.30": "v1.30.7",
    "1.31": "v1.31.5",
    "1.32": "v1.32.7",
    "1.33": "v1.33.6",
    "1.34": "v1.34.5",
    "1.35": "v1.35.2",
} as const satisfies Readonly<Record<EksVersion, `v${string}`>>;

/** The Kubernetes minor an autoscaler image tag belongs to (`v1.34.5` → `1.34`), or undefined if it is not a tag. */
export function imageMinor(tag: string): string | undefined {
    return /^v(\d+\.\d+)\.\d+$/.exec(tag)?.[1];
}

/** Fixed facts of the autoscaler deployment (not stack config: changing them is a code change). */
export const CLUSTER_AUTOSCALER = {
    namespace: "kube-system",
    releaseName: "cluster-autoscaler",
    /** → chart `rbac.serviceAccount.name`; the Pod Identity association is made for exactly this name. */
    serviceAccount: "cluster-autoscaler",
    /**
     * Built-in `system-cluster-critical`, not our platform class: it outranks every class this program creates, it
     * exists before any of our resources (no ordering to get wrong), and it is the chart's and upstream's default.
     */
    priorityClassName: SYSTEM_CLUSTER_CRITICAL.name,
    /**
     * kubernetes/autoscaler tag cluster-autoscaler-chart-9.59.0 (appVersion 1.35.0), chart directory
     * cluster-autoscaler/charts/cluster-autoscaler/ (no longer charts/cluster-autoscaler/). Renders the image tag it is given.
     */
    chart: { repo: "https://kubernetes.github.io/autoscaler", chart: "cluster-autoscaler", version: "9.59.0" },
} as const;

export const CLUSTER_AUTOSCALER_DEFAULTS = {
    enabled: true,
    /** Tunable flags (→ chart `extraArgs`): config/addons/clusterAutoscalerArgs.ts. */
    extraArgs: CLUSTER_AUTOSCALER_DEFAULT_ARGS,
} as const;

const RESERVED_VALUES = {
    "image.tag": "use addons.clusterAutoscaler.imageTag, which is checked against cluster.version",
    extraArgs: "use addons.clusterAutoscaler.extraArgs, which is checked against the autoscaler's flags",
    autoDiscovery: "discovery is keyed on this cluster's job-group tags",
    awsRegion: "it is the stack's aws:region",
    cloudProvider: "this program runs on AWS only",
    "rbac.serviceAccount.name": "the Pod Identity association is bound to the program's service account name",
    nodeSelector: "the autoscaler runs on the management nodes, which it cannot scale away",
    tolerations: "the autoscaler runs on the management nodes, which it cannot scale away",
};

/** The section for a cluster of `kubernetesVersion` (unknown: the image-specific flag check waits for it). */
function schemaFor(ctx: AddonRuleContext) {
    return strictObject({
        enabled: z.boolean().default(CLUSTER_AUTOSCALER_DEFAULTS.enabled),
        /** → Helm chart `cluster-autoscaler` version. */
        chartVersion: chartVersionField(CLUSTER_AUTOSCALER.chart.version),
        /** → chart `image.tag`. Default: CLUSTER_AUTOSCALER_IMAGES[cluster.version]; an override must be of the same minor. */
        imageTag: z
            .string()
            .regex(/^v\d+\.\d+\.\d+$/, {
                error: (iss) => `${JSON.stringify(iss.input)} is not an autoscaler image tag like v1.34.5`,
            })
            .optional(),
        /** Flags merged over CLUSTER_AUTOSCALER_DEFAULTS.extraArgs (→ chart `extraArgs`); names without leading dashes. */
        extraArgs: extraArgsSchema,
        /** Extra chart values, merged last (except the reserved paths). */
        values: valuesExcept(RESERVED_VALUES),
    }).superRefine(
        (ca, check) => {
            const pinned = pinnedImage(ctx.kubernetesVersion);
            const imageTag = ca.imageTag ?? pinned;
            const version = ctx.kubernetesVersion;
            if (!ca.enabled || imageTag === undefined || version === undefined) return;
            const overrideMinor = ca.imageTag === undefined ? undefined : imageMinor(ca.imageTag);
            const mismatched = overrideMinor !== undefined && overrideMinor !== version;
            if (mismatched) {
                check.addIssue({
                    code: "custom",
                    path: ["imageTag"],
                    message: `${ca.imageTag} is Cluster Autoscaler ${overrideMinor} but cluster.version is "${version}"; the autoscaler's minor must match the cluster's (${pinned ? `remove imageTag to run the pinned ${pinned}` : `use a v${version}.x tag`})`,
                });
            }
            // A mismatched override is already an error: check the flags against what the advice leads to.
            const image = clusterAutoscalerFlags(mismatched ? (pinned ?? "") : imageTag);
            if (mismatched && !image) return;
            if (!image) {
                check.addIssue({
                    code: "custom",
                    path: ["imageTag"],
                    message: `${imageTag} has no flag list in this program, so its flags cannot be checked (patches of one minor differ, and an unknown flag stops the autoscaler): remove imageTag to run the pinned ${pinned ?? "image"}, or add tests/fixtures/cluster-autoscaler-flags/${imageTag}.txt from that tag's source and run scripts/generate-cluster-autoscaler-flags.ts`,
                });
                return;
            }
            for (const problem of unknownFlags(ca.extraArgs, image.flags, image.version))
                check.addIssue({ code: "custom", path: ["extraArgs", problem.flag], message: problem.message });
        },
        // Also when a sibling (values, chartVersion) is invalid: every problem of the section in one error.
        { when: (payload) => !payload.issues.some((i) => ["enabled", "imageTag", "extraArgs"].includes(String(i.path?.[0]))) },
    );
}
type ClusterAutoscalerInput = z.output<ReturnType<typeof schemaFor>>;

/** The pinned image of a cluster minor, if the table has one. */
const pinnedImage = (version: string | undefined): string | undefined =>
    version === undefined ? undefined : (CLUSTER_AUTOSCALER_IMAGES as Record<string, string>)[version];

export interface ClusterAutoscalerConfig {
    readonly enabled: boolean;
    readonly chartVersion: string;
    /** The image tag to run: the override or the pinned tag for cluster.version ("" only when disabled and unknown). */
    readonly imageTag: string;
    /** The default extraArgs with the stack's merged over them, values as strings. */
    readonly extraArgs: Readonly<Record<string, string>>;
    readonly values: Readonly<Record<string, unknown>>;
}

/**
 * The tags the chart joins into `--node-group-auto-discovery=asg:tag=<tags>`, taken apart from autoDiscoveryFlag so
 * that the job groups' ASG tags and the autoscaler's discovery can never drift apart.
 */
export function discoveryTags(clusterName: string): string[] {
    const flag = autoDiscoveryFlag(clusterName);
    const prefix = "asg:tag=";
    if (!flag.startsWith(prefix)) throw new Error(`unexpected auto-discovery flag ${flag}: the chart only renders ${prefix}…`);
    return flag.slice(prefix.length).split(",");
}

/**
 * What warm capacity depends on (config/warmPlan.ts): whether the autoscaler runs, how often it looks for Pending pods
 * and how long an emptied node stays. Unset flags take the autoscaler's defaults (CA FAQ parameter table: scan-interval
 * 10s, scale-down-unneeded-time 10m); a value that is not a Go duration (the autoscaler would refuse to start) counts
 * as the default here.
 */
export function warmAutoscaler(config: Pick<ClusterAutoscalerConfig, "enabled" | "extraArgs">): WarmAutoscaler {
    const seconds = (flag: string, fallback: number) => {
        const ms = config.extraArgs[flag] === undefined ? undefined : parseGoDuration(config.extraArgs[flag]);
        return ms === undefined ? fallback : ms / 1000;
    };
    return {
        enabled: config.enabled,
        scanIntervalSeconds: seconds("scan-interval", COLD_START_MODEL.scanIntervalSeconds),
        scaleDownUnneededMinutes: seconds("scale-down-unneeded-time", 600) / 60,
    };
}

/** Values of the `cluster-autoscaler` chart: the platform's, then the stack's `values` merged last. */
export function clusterAutoscalerValues(args: {
    config: ClusterAutoscalerConfig;
    clusterName: string;
    region: string;
    management: Parameters<typeof placementOn>[0];
}): Record<string, unknown> {
    const placement = placementOn(args.management);
    const platform = {
        cloudProvider: "aws",
        // Pods cannot reach IMDS (IMDSv2, hop limit 1): the region must be given.
        awsRegion: args.region,
        autoDiscovery: { clusterName: args.clusterName, tags: discoveryTags(args.clusterName) },
        image: { tag: args.config.imageTag },
        fullnameOverride: CLUSTER_AUTOSCALER.releaseName,
        // Two replicas, one active (leader election): a lost management node costs one lease period, not scaling.
        replicaCount: PLATFORM_DEPLOYMENTS.clusterAutoscaler.replicas,
        podDisruptionBudget: { maxUnavailable: 1 },
        priorityClassName: CLUSTER_AUTOSCALER.priorityClassName,
        nodeSelector: placement.nodeSelector,
        tolerations: placement.tolerations,
        topologySpreadConstraints: spreadAcrossZonesAndNodes({ "app.kubernetes.io/instance": CLUSTER_AUTOSCALER.releaseName }),
        rbac: { serviceAccount: { create: true, name: CLUSTER_AUTOSCALER.serviceAccount } },
        resources: resourcesOf(PLATFORM_DEPLOYMENTS.clusterAutoscaler),
        extraArgs: { ...args.config.extraArgs, ...ownedClusterAutoscalerArgs() },
    };
    return deepMerge(platform, args.config.values);
}

export const clusterAutoscalerAddon: AddonSpec<ClusterAutoscalerInput, ClusterAutoscalerConfig> = {
    key: "clusterAutoscaler",
    type: "eks-gitlab-runners:index:ClusterAutoscaler",
    name: "cluster-autoscaler",
    install: { kind: "helm", ...CLUSTER_AUTOSCALER.chart, releaseName: CLUSTER_AUTOSCALER.releaseName },
    namespace: CLUSTER_AUTOSCALER.namespace,
    identity: {
        serviceAccount: CLUSTER_AUTOSCALER.serviceAccount,
        policy: { inline: (ctx, scope) => clusterAutoscalerPolicy(ctx.clusterName, scope) },
        description: "Cluster Autoscaler",
    },
    platformPods: [PLATFORM_DEPLOYMENTS.clusterAutoscaler],
    reservedValues: RESERVED_VALUES,
    schema: schemaFor,
    resolve(ca, ctx) {
        const problems: { path: string; message: string }[] = [];
        const version = ctx.kubernetesVersion;
        const pinned = pinnedImage(version);
        if (ca.enabled && version !== undefined) {
            if (ca.imageTag === undefined && pinned === undefined) {
                const known = Object.keys(CLUSTER_AUTOSCALER_IMAGES).sort();
                problems.push({
                    path: "cluster.version",
                    message: `"${version}" has no pinned Cluster Autoscaler image (pinned: ${known[0]}–${known[known.length - 1]}); add it to CLUSTER_AUTOSCALER_IMAGES in config/addons/clusterAutoscaler.ts, set addons.clusterAutoscaler.imageTag to a v${version}.x tag, or set addons.clusterAutoscaler.enabled: false`,
                });
            }
        }
        const userArgs = Object.fromEntries(Object.entries(ca.extraArgs).map(([k, v]) => [k, String(v)]));
        return {
            config: {
                enabled: ca.enabled,
                chartVersion: ca.chartVersion,
                imageTag: ca.imageTag ?? pinned ?? "",
                extraArgs: { ...CLUSTER_AUTOSCALER_DEFAULTS.extraArgs, ...userArgs },
                values: ca.values,
            },
            problems,
        };
    },
    values: (config, ctx) =>
        clusterAutoscalerValues({ config, clusterName: ctx.clusterName, region: ctx.region, management: ctx.management }),
    chartVersion: (config) => config.chartVersion,
    checkedValues: (config) => ({
        field: "values",
        values: config.values,
        chart: CLUSTER_AUTOSCALER.chart.chart,
        version: config.chartVersion,
    }),
};
