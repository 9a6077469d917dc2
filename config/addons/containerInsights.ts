// Container Insights (docs/addons.md): the amazon-cloudwatch-observability EKS add-on (CloudWatch agent and Fluent
// Bit on every node), its role through the add-on's own Pod Identity association, and its log groups with retention.
import { z } from "zod";
import { placementOn, PlacementTarget } from "../../model/placement";
import { PLATFORM_DEPLOYMENTS } from "../../model/platformWorkloads";
import { FleetMetricCollection, fleetMetricsAgentValues, prometheusLogGroupName } from "../observability/scrape";
import { strictObject } from "../problems";
import { AddonContext, AddonSpec, valuesExcept } from "./spec";
import { deepMerge } from "./values";

export const CONTAINER_INSIGHTS = {
    addonName: "amazon-cloudwatch-observability",
    /** The add-on's namespace and the agent's service account; the add-on's pod identity association names it. */
    namespace: "amazon-cloudwatch",
    serviceAccount: "cloudwatch-agent",
    /** AWS-managed policy the add-on documentation prescribes for the agent and Fluent Bit. */
    policyName: "CloudWatchAgentServerPolicy",
    /**
     * Log groups the add-on writes to (Fluent Bit: application, dataplane, host; the agent: performance). Without
     * them, Fluent Bit creates them with `auto_create_group` and no retention: logs kept, and paid for, forever.
     */
    logGroups: ["application", "dataplane", "host", "performance"],
    /**
     * The chart whose values the add-on takes as configurationValues (aws-observability/helm-charts
     * charts/amazon-cloudwatch-observability; tests/fixtures/upstream/SOURCES.md: the add-on's configuration follows
     * the chart, no `describe-addon-configuration` output of it was found), at the version whose value paths the
     * program has: 6.4.0, which ships agent 1.300070.0, the agent the Container Insights metric facts were read for.
     */
    chart: { name: "amazon-cloudwatch-observability", version: "6.4.0" },
} as const;
export type ContainerInsightsLogGroup = (typeof CONTAINER_INSIGHTS.logGroups)[number];

export function containerInsightsLogGroupName(clusterName: string, kind: ContainerInsightsLogGroup): string {
    return `/aws/containerinsights/${clusterName}/${kind}`;
}

/** Retention periods CloudWatch Logs accepts (PutRetentionPolicy `retentionInDays`). */
export const LOG_RETENTION_DAYS = [
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

const RESERVED_VALUES = {
    tolerations: "the CloudWatch agent and Fluent Bit must run on every node; their default tolerates every taint",
    "agent.tolerations": "the CloudWatch agent must run on every node",
    "containerLogs.fluentBit.tolerations": "Fluent Bit must run on every node",
    "manager.nodeSelector": "the add-on's operator runs on the management nodes",
    "manager.tolerations": "the add-on's operator runs on the management nodes",
    agents: "the program owns the agent list: the chart's defaults plus the fleet-metrics scraper (observability)",
};

const schema = strictObject({
    enabled: z.boolean().default(true),
    /** → `amazon-cloudwatch-observability` add-on version; default: the newest for cluster.version, resolved at deploy. */
    version: z
        .string()
        .regex(/^v\d+\.\d+\.\d+-eksbuild\.\d+$/, {
            error: (iss) => `${JSON.stringify(iss.input)} is not an EKS add-on version like v4.5.0-eksbuild.1`,
        })
        .optional(),
    /** Retention of the four Container Insights log groups, days. */
    logRetentionDays: z
        .number()
        .refine((d) => (LOG_RETENTION_DAYS as readonly number[]).includes(d), {
            error: (iss) =>
                `${JSON.stringify(iss.input)} is not a CloudWatch Logs retention period (allowed: ${LOG_RETENTION_DAYS.join(", ")})`,
        })
        .default(30),
    /** Extra add-on configurationValues, merged last (except the reserved paths). */
    configurationValues: valuesExcept(RESERVED_VALUES),
});
export type ContainerInsightsConfig = z.output<typeof schema>;

/**
 * Add-on `configurationValues`. The DaemonSets (cloudwatch-agent, fluent-bit) keep the add-on's root default
 * `tolerations: [{operator: Exists}]` and so run on every node whatever its taints (model/platformWorkloads.ts). The
 * operator ("manager") Deployment has had no tolerations since add-on v3.0.0: on a cluster where every node is
 * tainted it would stay Pending and never create the agent DaemonSet, so it is placed on the management nodes
 * (`manager.nodeSelector`/`manager.tolerations`, add-on ≥ v3.7.0). With fleet metrics, the `agents` list gains the
 * fleet-metrics scraper (config/observability/scrape.ts). The stack's configurationValues merge last.
 */
export function containerInsightsConfiguration(
    config: ContainerInsightsConfig,
    management: PlacementTarget,
    fleet?: { readonly collection: FleetMetricCollection; readonly clusterName: string; readonly region: string },
): Record<string, unknown> {
    const placement = placementOn(management);
    const platform = {
        manager: {
            nodeSelector: { "kubernetes.io/os": "linux", ...placement.nodeSelector },
            tolerations: placement.tolerations,
        },
        ...(fleet ? fleetMetricsAgentValues(fleet.collection, { ...fleet, management }) : {}),
    };
    return deepMerge(platform, config.configurationValues);
}

/**
 * The chart version whose values an add-on version takes: a pinned `vX.Y.Z-eksbuild.N` is taken to carry chart X.Y.Z
 * (the two are numbered alike, e.g. add-on v6.4.0-eksbuild.1 and chart tag amazon-cloudwatch-observability-6.4.0, but
 * no AWS page found says so); unpinned, the add-on version is only resolved at deploy, and the chart read is assumed.
 */
export function configurationChartVersion(addonVersion: string | undefined): string {
    return /^v(\d+\.\d+\.\d+)-/.exec(addonVersion ?? "")?.[1] ?? CONTAINER_INSIGHTS.chart.version;
}

/** The add-on's log groups: the four Container Insights ones, and the fleet metrics' with collection on. */
function logGroupsOf(ctx: AddonContext): Record<string, string> {
    const groups: Record<string, string> = Object.fromEntries(
        CONTAINER_INSIGHTS.logGroups.map((kind) => [kind, containerInsightsLogGroupName(ctx.clusterName, kind)]),
    );
    if (ctx.fleetMetrics) groups.prometheus = prometheusLogGroupName(ctx.clusterName);
    return groups;
}

export const containerInsightsAddon: AddonSpec<ContainerInsightsConfig, ContainerInsightsConfig> = {
    key: "containerInsights",
    type: "eks-gitlab-runners:index:ContainerInsights",
    name: "container-insights",
    install: { kind: "eks-addon", addonName: CONTAINER_INSIGHTS.addonName },
    namespace: CONTAINER_INSIGHTS.namespace,
    identity: {
        serviceAccount: CONTAINER_INSIGHTS.serviceAccount,
        policy: { managed: CONTAINER_INSIGHTS.policyName },
        description: "Container Insights (CloudWatch agent, Fluent Bit)",
    },
    logGroups: logGroupsOf,
    platformPods: [PLATFORM_DEPLOYMENTS.containerInsightsOperator],
    reservedValues: RESERVED_VALUES,
    schema: () => schema,
    values: (config, ctx) =>
        containerInsightsConfiguration(
            config,
            ctx.management,
            ctx.fleetMetrics && { collection: ctx.fleetMetrics, clusterName: ctx.clusterName, region: ctx.region },
        ),
    logRetentionDays: (config) => config.logRetentionDays,
    addonVersion: (config) => config.version,
    checkedValues: (config) => ({
        field: "configurationValues",
        values: config.configurationValues,
        chart: CONTAINER_INSIGHTS.chart.name,
        version: configurationChartVersion(config.version),
    }),
};
