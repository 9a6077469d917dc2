// The parts every dashboard widget is made of (dashboard.ts, karpenterWidgets.ts): a time-series graph, a text
// block, and a metric entry of a collected fleet metric with the statistic its catalogue row says combines its series.
import { collectedMetric, FLEET_METRIC_NAMESPACE } from "../../config/observability/metrics";

export type Widget = Record<string, unknown>;
export type MetricEntry = (string | Record<string, unknown>)[] | Record<string, unknown>[];

export const WIDTH = 24;

export const fleet = (name: string, dims: Record<string, string>, options: Record<string, unknown> = {}): MetricEntry => [
    FLEET_METRIC_NAMESPACE,
    name,
    ...Object.entries(dims).flat(),
    { stat: collectedMetric(name).statistic, ...options },
];

export function graph(
    input: { readonly region: string },
    title: string,
    metrics: MetricEntry[],
    extra: Record<string, unknown> = {},
): Widget {
    return {
        type: "metric",
        width: 12,
        height: 6,
        properties: { title, region: input.region, view: "timeSeries", period: 60, metrics, ...extra },
    };
}

export function text(markdown: string, height = 2): Widget {
    return { type: "text", width: WIDTH, height, properties: { markdown } };
}
