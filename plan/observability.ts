// The offline plan's "Observability" section: every alarm with its threshold, every scraped metric, and what the
// metrics cost a month.
import { Format, heading, table } from "./format";
import type { ObservabilityPlan } from "./planData";

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
