// `addons`: the cluster add-ons, each described by one spec file in this folder (spec.ts has the shape). This module
// only assembles the section from the registry below: a misspelt key is an error here, not a silently ignored Helm
// value. docs/addons.md explains every default. Adding an add-on: its spec file, one line in ADDON_SPECS, docs.
import { z } from "zod";
import type { StackContext } from "../context";
import { Finding, Problem, strictObject } from "../problems";
import { clusterAutoscalerAddon } from "./clusterAutoscaler";
import { containerInsightsAddon } from "./containerInsights";
import { karpenterAddon } from "./karpenter";
import { metricsServerAddon } from "./metricsServer";
import { AddonRuleContext, AddonSpec, NODE_AUTOSCALERS, NodeAutoscaler } from "./spec";
import { valueFindings } from "./valueFindings";

export type { AddonConfigBase, AddonContext, AddonSpec } from "./spec";
export type { ClusterAutoscalerConfig } from "./clusterAutoscaler";
export type { ContainerInsightsConfig } from "./containerInsights";
export type { KarpenterConfig } from "./karpenter";
export { NODE_AUTOSCALERS } from "./spec";
export type { NodeAutoscaler } from "./spec";
export type { MetricsServerConfig } from "./metricsServer";
export { coreDnsAddon } from "./coreDns";

/** The configurable add-ons, keyed by their `addons.<key>`, in the order they are built. */
export const ADDON_SPECS = {
    clusterAutoscaler: clusterAutoscalerAddon,
    karpenter: karpenterAddon,
    metricsServer: metricsServerAddon,
    containerInsights: containerInsightsAddon,
} as const;
export type AddonKey = keyof typeof ADDON_SPECS;

type InputOf<S> = S extends AddonSpec<infer I, infer _C> ? I : never;
type ConfigOf<S> = S extends AddonSpec<infer _I, infer C> ? C : never;

/**
 * `addons.nodeAutoscaler`: which engine scales job capacity. `clusterAutoscaler` (the default): `role: jobs` node
 * groups and Cluster Autoscaler. `karpenter`: `nodePools` and Karpenter; Cluster Autoscaler is not deployed.
 */
export const DEFAULT_NODE_AUTOSCALER: NodeAutoscaler = "clusterAutoscaler";

/** The resolved `addons` section: each add-on's own config type, the node autoscaler, and the warnings for the plan. */
export type AddonsConfig = { readonly [K in AddonKey]: ConfigOf<(typeof ADDON_SPECS)[K]> } & {
    readonly nodeAutoscaler: NodeAutoscaler;
    /** The stack's own values that the deployed chart does not know (valueFindings.ts). */
    readonly findings: readonly Finding[];
};
type AddonsInput = { readonly [K in AddonKey]: InputOf<(typeof ADDON_SPECS)[K]> } & { readonly nodeAutoscaler: NodeAutoscaler };

const keys = Object.keys(ADDON_SPECS) as AddonKey[];
const mapSpecs = <T>(f: (spec: AddonSpec<any, any>, key: AddonKey) => T): Record<AddonKey, T> =>
    Object.fromEntries(keys.map((key) => [key, f(ADDON_SPECS[key], key)])) as Record<AddonKey, T>;

const schemas = new Map<string | undefined, z.ZodType<AddonsInput>>();

/** The `addons` section for a cluster of this version (image-specific rules need it); built once per version. */
export function addonsSchemaFor(ctx: AddonRuleContext): z.ZodType<AddonsInput> {
    let schema = schemas.get(ctx.kubernetesVersion);
    if (!schema) {
        schema = strictObject({
            nodeAutoscaler: z.enum(NODE_AUTOSCALERS).default(DEFAULT_NODE_AUTOSCALER),
            ...mapSpecs((spec) => spec.schema(ctx).prefault({})),
        }).prefault({}) as unknown as z.ZodType<AddonsInput>;
        schemas.set(ctx.kubernetesVersion, schema);
    }
    return schema;
}
/** The section when the cluster version is not known. */
export const addonsSchema = addonsSchemaFor({});

/** Value paths each add-on reserves for the platform (what to use instead), for docs and tests. */
export const RESERVED_VALUES: Readonly<Record<AddonKey, Readonly<Record<string, string>>>> = mapSpecs(
    (spec) => spec.reservedValues,
);

/** Whether the Container Insights add-on (and its per-node DaemonSets) is enabled; the default when `addons` did not parse. */
export function containerInsightsEnabled(addons: AddonsInput | undefined): boolean {
    return addons?.containerInsights.enabled ?? containerInsightsAddon.schema({}).parse({}).enabled;
}

/** Each add-on's defaults and cross-section rules (e.g. the autoscaler image for the cluster version). */
export function resolveAddons(addons: AddonsInput, ctx: StackContext): { addons: AddonsConfig; problems: Problem[] } {
    const problems: Problem[] = [];
    const ruleContext = { kubernetesVersion: ctx.cluster?.version, nodeAutoscaler: addons.nodeAutoscaler };
    const resolved = mapSpecs((spec, key) => {
        if (!spec.resolve) return addons[key];
        const { config, problems: found } = spec.resolve(addons[key], ruleContext);
        for (const p of found) problems.push(p);
        return config;
    });
    // One engine per stack: with Karpenter, Cluster Autoscaler is not deployed (config/nodeAutoscaler.ts rejects its settings).
    if (addons.nodeAutoscaler === "karpenter") resolved.clusterAutoscaler = { ...resolved.clusterAutoscaler, enabled: false };
    const findings = keys.flatMap((key) => valueFindings(key, ADDON_SPECS[key] as AddonSpec<any, any>, resolved[key]));
    return { addons: { ...resolved, nodeAutoscaler: addons.nodeAutoscaler, findings } as unknown as AddonsConfig, problems };
}
