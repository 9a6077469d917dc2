// What the fleet metrics cost: how many CloudWatch custom metrics the stack publishes, and their monthly price.
import { DIMENSION, LOG_METRICS, metricsOf, MetricSource } from "./metrics";

/**
 * CloudWatch list prices, us-east-1, from https://aws.amazon.com/cloudwatch/pricing/ (paid tier): custom metrics
 * $0.30 per metric-month for the first 10,000 (prorated by the hour a metric is published), standard-resolution
 * alarms $0.10 per alarm metric-month, custom dashboards $3.00 per month beyond three free. The pricing page renders
 * its paid tier in script-driven tabs; the three figures were read from it as published in 2021 (also quoted by
 * vantage.sh, "CloudWatch Metrics Pricing Explained", 2021-08-18) and not re-read when this table was written
 * (2026-11-29). Other regions may differ. Alarms on Metrics Insights queries are priced per metric the query
 * analyses, which depends on how many job pods exist, so the plan counts them without a price.
 */
export const CLOUDWATCH_PRICES = {
    customMetricUsdPerMonth: 0.3,
    alarmUsdPerMonth: 0.1,
    dashboardUsdPerMonth: 3,
    region: "us-east-1",
    asOf: "2021-08-18",
} as const;

export interface MetricCountInput {
    readonly sources: readonly MetricSource[];
    /** Runner managers scraped: Kubernetes and VM runners. */
    readonly runners: number;
    /** Runners whose job pods the Logs metric filters count (Kubernetes runners). */
    readonly podRunners: number;
    /** Job node groups the autoscaler reports (one `node_group` series each). */
    readonly jobGroups: number;
    /** Karpenter node pools (one `nodepool` series each). */
    readonly nodePools: number;
}

/**
 * Custom metrics published at steady state: each collected metric once per dimension value set (a runner, a job
 * group, a node pool, a Kubernetes runner's job namespace, or the cluster), plus each Logs metric filter's metric per Kubernetes runner. A blue/green node-group
 * replacement briefly adds one `node_group` metric per replaced group.
 */
export function fleetMetricCount(input: MetricCountInput): number {
    const collected = metricsOf(input.sources).reduce((sum, m) => {
        if (m.dimensions.includes(DIMENSION.runner)) return sum + input.runners;
        if (m.dimensions.includes(DIMENSION.nodeGroup)) return sum + input.jobGroups;
        if (m.dimensions.includes(DIMENSION.nodePool)) return sum + input.nodePools;
        if (m.dimensions.includes(DIMENSION.podNamespace)) return sum + input.podRunners;
        return sum + 1;
    }, 0);
    const fromLogs = input.sources.includes("runner") ? Object.keys(LOG_METRICS).length * input.podRunners : 0;
    return collected + fromLogs;
}

export interface MonitoringCost {
    readonly metrics: number;
    readonly alarms: number;
    readonly insightsAlarms: number;
    readonly dashboards: number;
    readonly usdPerMonth: number;
}

/** Monthly price of the metrics, the standard alarms and the dashboard (Metrics Insights alarms not priced). */
export function monitoringCost(counts: Omit<MonitoringCost, "usdPerMonth">): MonitoringCost {
    const p = CLOUDWATCH_PRICES;
    const usd =
        counts.metrics * p.customMetricUsdPerMonth +
        counts.alarms * p.alarmUsdPerMonth +
        counts.dashboards * p.dashboardUsdPerMonth;
    return { ...counts, usdPerMonth: Math.round(usd * 100) / 100 };
}
