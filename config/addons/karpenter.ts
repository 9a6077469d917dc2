// Karpenter (docs/addons.md): the job-capacity engine of stacks with `addons.nodeAutoscaler: karpenter`. The official
// chart from its OCI registry on the management nodes (nodes Karpenter does not manage), its CRDs from the separate
// `karpenter-crd` chart so they are upgraded with it, and its IAM role through EKS Pod Identity. The NodePools and
// EC2NodeClasses come from `nodePools` (config/nodePools.ts → components/karpenter/); the interruption queue, its
// rules and the node role from components/karpenter/ too.
import { z } from "zod";
import { KARPENTER_LABELS, KARPENTER_VERSION, karpenterNames } from "../../model/karpenter";
import { placementOn, PlacementTarget } from "../../model/placement";
import { PLATFORM_DEPLOYMENTS, resourcesOf } from "../../model/platformWorkloads";
import { SYSTEM_CLUSTER_CRITICAL } from "../../model/priorityClasses";
import { strictObject } from "../problems";
import type { EksVersion } from "../versions";
import { karpenterControllerPolicy } from "./karpenterIam";
import { AddonSpec, chartVersionField, valuesExcept } from "./spec";
import { deepMerge, spreadAcrossZonesAndNodes } from "./values";

export const KARPENTER = {
    /** The getting-started guide's namespace (website/content/en/v1.14/getting-started/getting-started-with-karpenter/_index.md: `export KARPENTER_NAMESPACE="kube-system"`). */
    namespace: "kube-system",
    releaseName: "karpenter",
    /** → chart `serviceAccount.name`; the Pod Identity association is made for exactly this name. */
    serviceAccount: "karpenter",
    /** The chart's default, kept explicit: without the controller nothing scales. */
    priorityClassName: SYSTEM_CLUSTER_CRITICAL.name,
    /**
     * Charts in the public ECR registry (step08-apply-helm-chart.sh: `helm upgrade --install karpenter
     * oci://public.ecr.aws/karpenter/karpenter`); @pulumi/kubernetes' helm.v3.Release installs OCI charts since 3.16.0
     * (pulumi/pulumi-kubernetes#1892). The CRDs come from `karpenter-crd` of the same version: the upgrade guide
     * (website/content/en/v1.14/upgrading/upgrade-guide.md, "CRD Upgrades") recommends it because Helm installs the
     * main chart's `crds/` only once and never upgrades them, while CRDs "are coupled to the version of Karpenter".
     */
    chart: {
        chart: "oci://public.ecr.aws/karpenter/karpenter",
        crdChart: "oci://public.ecr.aws/karpenter/karpenter-crd",
        version: KARPENTER_VERSION,
    },
} as const;

/**
 * The oldest Karpenter release that supports each cluster minor (website/content/en/v1.14/upgrading/compatibility.md,
 * "Compatibility Matrix"; 1.14 itself supports 1.30 to 1.36). Typed on EksVersion: adding a minor to EKS_VERSIONS does
 * not compile until it has a row here. A `chartVersion` override older than the row is rejected.
 */
export const KARPENTER_MIN_VERSION = {
    "1.30": "0.37.0",
    "1.31": "1.0.5",
    "1.32": "1.2.0",
    "1.33": "1.5.0",
    "1.34": "1.6.0",
    "1.35": "1.9.0",
} as const satisfies Readonly<Record<EksVersion, string>>;

/** Whether version a is older than b (both `x.y.z`). */
const older = (a: string, b: string) => {
    const [x, y] = [a, b].map((v) => v.split(".").map(Number));
    for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i] < y[i];
    return false;
};

const RESERVED_VALUES = {
    "settings.clusterName": "it is cluster.name",
    "settings.interruptionQueue": "the program creates the interruption queue and names it",
    "serviceAccount.name": "the Pod Identity association is bound to the program's service account name",
    nodeSelector: "Karpenter runs on the management nodes, which it does not manage",
    tolerations: "Karpenter runs on the management nodes, which it does not manage",
    affinity: "Karpenter must never run on a node it launched (it could remove its own node)",
    "controller.env": "AWS_REGION is set here: pods cannot reach instance metadata (IMDSv2, hop limit 1)",
    "settings.disableClusterStateObservability":
        "the fleet alarms and dashboard read Karpenter's pod and node pool metrics, which it turns off (observability)",
    "controller.metrics.port": "the fleet-metrics agent scrapes Karpenter on the chart's default metrics port (observability)",
    "settings.vmMemoryOverheadPercent":
        "the capacity plan and the job memory ceilings of node pools count memory as Karpenter does with its default (config/nodePools.ts)",
};

const schema = strictObject({
    /** → `oci://public.ecr.aws/karpenter/karpenter` and `karpenter-crd` version (one version for both). */
    chartVersion: chartVersionField(KARPENTER.chart.version),
    /** Extra chart values, merged last (except the reserved paths). */
    values: valuesExcept(RESERVED_VALUES),
});
type KarpenterInput = z.output<typeof schema>;

export interface KarpenterConfig extends KarpenterInput {
    /** Whether Karpenter is the stack's node autoscaler (`addons.nodeAutoscaler: karpenter`). */
    readonly enabled: boolean;
}

/** Values of the `karpenter` chart (v1.14.1 values.yaml): the platform's, then the stack's `values` merged last. */
export function karpenterValues(
    config: KarpenterConfig,
    ctx: { clusterName: string; region: string; management: PlacementTarget },
): Record<string, unknown> {
    const placement = placementOn(ctx.management);
    const platform = {
        // Two replicas, one leader; the chart's PDB keeps one through a management node update.
        replicas: PLATFORM_DEPLOYMENTS.karpenter.replicas,
        podDisruptionBudget: { maxUnavailable: 1 },
        priorityClassName: KARPENTER.priorityClassName,
        serviceAccount: { create: true, name: KARPENTER.serviceAccount },
        // The chart's own defaults (kubernetes.io/os, CriticalAddonsOnly) plus the management group's placement.
        nodeSelector: { "kubernetes.io/os": "linux", ...placement.nodeSelector },
        tolerations: [{ key: "CriticalAddonsOnly", operator: "Exists" }, ...placement.tolerations],
        // The chart's default affinity, written out so no override can drop it: never on a node Karpenter launched
        // (its nodes carry karpenter.sh/nodepool), one replica per node.
        affinity: {
            nodeAffinity: {
                requiredDuringSchedulingIgnoredDuringExecution: {
                    nodeSelectorTerms: [{ matchExpressions: [{ key: KARPENTER_LABELS.nodePool, operator: "DoesNotExist" }] }],
                },
            },
            podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: "kubernetes.io/hostname" }] },
        },
        topologySpreadConstraints: spreadAcrossZonesAndNodes({ "app.kubernetes.io/instance": KARPENTER.releaseName }),
        controller: {
            resources: resourcesOf(PLATFORM_DEPLOYMENTS.karpenter),
            // Without it the controller asks instance metadata for the region and exits: pods cannot reach it here
            // (pkg/operator/operator.go @v1.14.1: an empty region is looked up with imds GetRegion, a failure is fatal).
            env: [{ name: "AWS_REGION", value: ctx.region }],
        },
        settings: {
            clusterName: ctx.clusterName,
            interruptionQueue: karpenterNames(ctx.clusterName).queue,
            // The chart's default, written out (and reserved): true would stop the pod and node pool metrics the fleet
            // alarms read (kubernetes-sigs/karpenter pkg/controllers/controllers.go @v1.14.1 starts the metrics
            // controllers only without it). Chart v1.14.1 sets DISABLE_CLUSTER_STATE_OBSERVABILITY only for a true value
            // (templates/deployment.yaml `with`), so false renders nothing and the controller's default, off, holds.
            disableClusterStateObservability: false,
        },
    };
    return deepMerge(platform, config.values);
}

export const karpenterAddon: AddonSpec<KarpenterInput, KarpenterConfig> = {
    key: "karpenter",
    type: "eks-gitlab-runners:index:Karpenter",
    name: "karpenter",
    install: { kind: "helm", ...KARPENTER.chart, releaseName: KARPENTER.releaseName },
    namespace: KARPENTER.namespace,
    identity: {
        serviceAccount: KARPENTER.serviceAccount,
        policy: { inline: (ctx, scope) => karpenterControllerPolicy(ctx.clusterName, scope) },
        description: "Karpenter controller",
    },
    platformPods: [PLATFORM_DEPLOYMENTS.karpenter],
    reservedValues: RESERVED_VALUES,
    schema: () => schema,
    resolve(input, ctx) {
        const enabled = ctx.nodeAutoscaler === "karpenter";
        const minimum = (KARPENTER_MIN_VERSION as Record<string, string>)[ctx.kubernetesVersion ?? ""];
        const problems =
            enabled && minimum && older(input.chartVersion, minimum)
                ? [
                      {
                          path: "addons.karpenter.chartVersion",
                          message: `Karpenter ${input.chartVersion} does not support Kubernetes ${ctx.kubernetesVersion} (it needs ${minimum} or newer); remove chartVersion to run the pinned ${KARPENTER.chart.version}`,
                      },
                  ]
                : [];
        return { config: { ...input, enabled }, problems };
    },
    values: (config, ctx) => karpenterValues(config, ctx),
    chartVersion: (config) => config.chartVersion,
    // The chart is named after the last part of its OCI reference (`helm pull oci://…/karpenter` gets `karpenter`).
    checkedValues: (config) => ({
        field: "values",
        values: config.values,
        chart: KARPENTER.chart.chart.split("/").pop()!,
        version: config.chartVersion,
    }),
};
