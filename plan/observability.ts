// The offline plan's "Observability" section: every alarm with its threshold, every scraped metric, and what the
// metrics cost a month.
import { Format, heading, table } from "./format";
import type { StackConfig } from "../config";
import { CLOUDWATCH_PRICES, fleetMetricCount, metricsOf, MonitoringCost, monitoringCost } from "../config/observability";
import type { CollectedMetric } from "../config/observability";
import type { Run } from "./engine";
import { OrMissing, recorded } from "./missing";

export interface ObservabilityPlan {
    readonly dashboard: OrMissing<string>;
    readonly notify: {
        readonly emails: readonly string[];
        readonly httpsEndpoints: readonly string[];
        readonly topicArns: readonly string[];
    };
    /** Every alarm as registered: its name, condition and evaluation window. */
    readonly alarms: readonly { readonly name: string; readonly condition: string; readonly window: string }[];
    /** Every scraped metric (config/observability/metrics.ts) of the sources this stack collects. */
    readonly metrics: readonly CollectedMetric[];
    readonly cost: MonitoringCost & { readonly prices: typeof CLOUDWATCH_PRICES };
}

const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
const DASHBOARD = "aws:cloudwatch/dashboard:Dashboard";
const COMPARISON: Record<string, string> = {
    GreaterThanThreshold: ">",
    GreaterThanOrEqualToThreshold: "≥",
    LessThanThreshold: "<",
};

/** The observability section, read back from the registered alarms and dashboard plus the metric catalogue. */
export function observabilityOf(config: StackConfig, run: Run): ObservabilityPlan | undefined {
    const o = config.observability;
    // A diff's base may be a commit whose config layer predates the section.
    if (!o?.enabled) return undefined;
    const alarms = run.ofType(ALARM).map((a) => {
        const i = a.inputs;
        const query = i.metricQueries?.[0];
        const dims = Object.entries(i.dimensions ?? {})
            .map(([k, v]) => `${k}=${v}`)
            .join(",");
        const what = query ? `Metrics Insights: ${query.expression}` : `${i.statistic} ${i.namespace}/${i.metricName}{${dims}}`;
        const period = query ? query.period : i.period;
        return {
            name: String(i.name),
            condition: `${what} ${COMPARISON[i.comparisonOperator] ?? i.comparisonOperator} ${i.threshold}`,
            window: `${i.datapointsToAlarm} of ${i.evaluationPeriods} × ${period} s`,
        };
    });
    const sources = o.collection?.sources ?? [];
    const metrics = fleetMetricCount({
        sources,
        runners: config.runners.length + config.vmRunners.length,
        podRunners: config.runners.length,
        jobGroups: config.nodeGroups.jobs.length,
        nodePools: config.nodePools.length,
    });
    const insightsAlarms = alarms.filter((a) => a.condition.startsWith("Metrics Insights")).length;
    const [dashboard] = run.ofType(DASHBOARD);
    return {
        dashboard: recorded<string>(dashboard?.inputs.dashboardName),
        notify: o.alarms?.notify ?? { emails: [], httpsEndpoints: [], topicArns: [] },
        alarms,
        metrics: metricsOf(sources),
        cost: {
            ...monitoringCost({ metrics, alarms: alarms.length - insightsAlarms, insightsAlarms, dashboards: dashboard ? 1 : 0 }),
            prices: CLOUDWATCH_PRICES,
        },
    };
}

const usd2 = (v: number) => `$${v.toFixed(2)}`;

export function observabilityLines(o: ObservabilityPlan | undefined, format: Format): string[] {
    const out = ["", heading(format, 2, "Observability"), ""];
    if (!o)
        return [...out, "Off (`observability.enabled: false` or Container Insights off): no fleet metrics, dashboard or alarms."];
    const n = o.notify;
    const targets = [...n.emails, ...n.httpsEndpoints, ...n.topicArns];
    const c = o.cost;
    out.push(
        `Dashboard ${o.dashboard}. ${o.alarms.length} alarms notify the stack's SNS topic${targets.length ? ` → ${targets.join(", ")}` : " (no subscriber: nobody is told)"}.`,
        "",
        `Custom metrics: ${c.metrics} — each of the ${o.metrics.length} scraped metrics below once per runner, job group, node pool, job namespace or cluster, plus the killed-jobs and pod-start-timeout counts of each Kubernetes runner (from its log). ` +
            `About ${usd2(c.usdPerMonth)}/month: ${c.metrics} metrics × ${usd2(c.prices.customMetricUsdPerMonth)}, ${c.alarms} alarms × ${usd2(c.prices.alarmUsdPerMonth)}, ${c.dashboards} dashboard × ${usd2(c.prices.dashboardUsdPerMonth)} ` +
            `(${c.prices.region} list prices of ${c.prices.asOf}, not re-verified). Not included: ${c.insightsAlarms} Metrics Insights alarms, priced by the metrics they analyse, and the scraped samples' log ingestion (Container Insights logs).`,
        "",
        table(
            format,
            ["alarm", "condition", "datapoints"],
            [...o.alarms].sort((a, b) => a.name.localeCompare(b.name)).map((a) => [a.name, a.condition, a.window]),
        ),
        "",
        "Scraped metrics (namespace ContainerInsights/Prometheus; every other series is dropped at the scrape):",
        "",
        table(
            format,
            ["source", "metric", "kept series", "dimensions", "statistic", "used by"],
            o.metrics.map((m) => [
                m.source,
                m.name,
                m.only ? `${m.only.label}=~${m.only.regex}` : "all",
                m.dimensions.join(", "),
                m.statistic,
                m.usedBy,
            ]),
        ),
    );
    return out;
}
