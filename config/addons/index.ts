// `addons`: the cluster add-ons, each described by one spec file in this folder (spec.ts has the shape). This module
// only assembles the section from the specs: a misspelt key is an error here, not a silently ignored Helm value.
// docs/addons.md explains every default.
import { z } from "zod";
import type { StackContext } from "../context";
import { Problem, strictObject } from "../problems";
import { clusterAutoscalerAddon, ClusterAutoscalerConfig } from "./clusterAutoscaler";
import { containerInsightsAddon, ContainerInsightsConfig } from "./containerInsights";
import { metricsServerAddon, MetricsServerConfig } from "./metricsServer";
import type { AddonRuleContext, AddonSpec } from "./spec";

export type { AddonConfigBase, AddonContext, AddonSpec } from "./spec";
export type { ClusterAutoscalerConfig, ContainerInsightsConfig, MetricsServerConfig };
export { coreDnsAddon } from "./coreDns";

/** The configurable add-ons, keyed by their `addons.<key>`, in the order they are built. */
export const ADDON_SPECS = {
    clusterAutoscaler: clusterAutoscalerAddon,
    metricsServer: metricsServerAddon,
    containerInsights: containerInsightsAddon,
} as const;
export type AddonKey = keyof typeof ADDON_SPECS;

export interface AddonsConfig {
    readonly clusterAutoscaler: ClusterAutoscalerConfig;
    readonly metricsServer: MetricsServerConfig;
    readonly containerInsights: ContainerInsightsConfig;
}

/** The `addons` section for a cluster of this version (image-specific rules need it). */
export function addonsSchemaFor(ctx: AddonRuleContext) {
    return strictObject({
        clusterAutoscaler: clusterAutoscalerAddon.schema(ctx).prefault({}),
        metricsServer: metricsServerAddon.schema(ctx).prefault({}),
        containerInsights: containerInsightsAddon.schema(ctx).prefault({}),
    }).prefault({});
}
/** The section when the cluster version is not known. */
export const addonsSchema = addonsSchemaFor({});
type AddonsInput = z.output<typeof addonsSchema>;

/** Value paths each add-on reserves for the platform (what to use instead), for docs and tests. */
export const RESERVED_VALUES: Readonly<Record<AddonKey, Readonly<Record<string, string>>>> = {
    clusterAutoscaler: clusterAutoscalerAddon.reservedValues,
    metricsServer: metricsServerAddon.reservedValues,
    containerInsights: containerInsightsAddon.reservedValues,
};

/** Whether the Container Insights add-on (and its per-node DaemonSets) is enabled; the default when `addons` did not parse. */
export function containerInsightsEnabled(addons: AddonsInput | undefined): boolean {
    return addons?.containerInsights.enabled ?? containerInsightsAddon.schema({}).parse({}).enabled;
}

/** Each add-on's defaults and cross-section rules (e.g. the autoscaler image for the cluster version). */
export function resolveAddons(addons: AddonsInput, ctx: StackContext): { addons: AddonsConfig; problems: Problem[] } {
    const problems: Problem[] = [];
    const ruleContext = { kubernetesVersion: ctx.cluster?.version };
    const resolve = <I, C extends { enabled: boolean }>(spec: AddonSpec<I, C>, input: I): C => {
        if (!spec.resolve) return input as unknown as C;
        const resolved = spec.resolve(input, ruleContext);
        problems.push(...resolved.problems);
        return resolved.config;
    };
    return {
        addons: {
            clusterAutoscaler: resolve(clusterAutoscalerAddon, addons.clusterAutoscaler),
            metricsServer: resolve(metricsServerAddon, addons.metricsServer),
            containerInsights: resolve(containerInsightsAddon, addons.containerInsights),
        },
        problems,
    };
}
