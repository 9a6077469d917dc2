// How the fleet metrics are collected: one extra CloudWatch agent of the Container Insights add-on, a one-replica
// Deployment on the management nodes, that scrapes exactly the runner managers and the node autoscaler's pods (Cluster
// Autoscaler or Karpenter) and publishes only the series in config/observability/metrics.ts. Pure: the add-on spec
// (config/addons/containerInsights.ts) merges `fleetMetricsAgent()` into its configurationValues.
//
// Upstream facts, each at aws-observability/helm-charts tag amazon-cloudwatch-observability-6.4.0 and
// aws/amazon-cloudwatch-agent-operator @a8d766c3 unless named otherwise:
// - `agents` (values.yaml, since chart 3.0.0) lists the AmazonCloudWatchAgent workloads; each entry is merged over
//   `agent` (templates/linux/cloudwatch-agent-custom-resource.yaml, `mergeOverwrite (deepCopy $.Values.agent) .`).
//   Helm replaces lists whole, so the chart's default entries are repeated here (CHART_DEFAULT_AGENTS).
// - An entry's `prometheus.config` becomes the custom resource's `spec.prometheus.config`; the operator writes it to
//   the agent's ConfigMap as prometheus.yaml and, when the agent config has `logs.metrics_collected.prometheus`, points
//   `prometheus_config_path` at it (internal/manifests/collector/config_replace.go).
// - An entry's `config` is the agent's JSON config; without `kubernetes` or `application_signals` in it the chart adds
//   nothing (templates/_helpers.tpl cloudwatch-agent.modify-config), so the region is set here.
// - `logs.metrics_collected.prometheus` with `emf_processor.metric_declaration` (source_labels, label_matcher,
//   dimensions, metric_selectors) and `cluster_name`, `log_group_name`: CloudWatch user guide,
//   ContainerInsights-Prometheus-Setup-configure.html ("CloudWatch agent configuration for Prometheus").
// - The scrape configuration is Prometheus' own <scrape_config> (same page): kubernetes_sd_configs, relabel_configs,
//   metric_relabel_configs (prometheus.io/docs/prometheus/latest/configuration/configuration/).
import { RUNNER_LABELS, RUNNER_METRICS_PORT, RUNNER_NAMESPACES } from "../../model/labels";
import { placementOn, PlacementTarget } from "../../model/placement";
import { PLATFORM_DEPLOYMENTS, resourcesOf } from "../../model/platformWorkloads";
import { PRIORITY_CLASSES } from "../../model/priorityClasses";
import { CLUSTER_AUTOSCALER } from "../addons/clusterAutoscaler";
import { KARPENTER } from "../addons/karpenter";
import { DIMENSION, FLEET_METRIC_NAMESPACE, MetricSource, metricsOf, SCRAPE_INTERVAL_SECONDS } from "./metrics";

/** What the add-on needs to know to collect the fleet metrics (absent: nothing is collected). */
export interface FleetMetricCollection {
    readonly sources: readonly MetricSource[];
}

/** Where the pods of a metric source are and which of their ports serves /metrics. */
export interface ScrapeTarget {
    readonly jobName: string;
    readonly namespace: string;
    /** A pod label (key → value) only the wanted pods carry. */
    readonly podLabel: readonly [string, string];
    readonly port: number;
    /** Pod labels copied onto every series as target labels (pod label key → target label). */
    readonly copyLabels?: Readonly<Record<string, string>>;
}

/**
 * Cluster Autoscaler serves /metrics on `--address`, default ":8085" at every pinned tag (main.go up to 1.32,
 * config/flags/flags.go from 1.33), and chart 9.59.0 declares exactly `containerPort: 8085`
 * (templates/deployment.yaml); the program never sets `--address`.
 */
export const CLUSTER_AUTOSCALER_METRICS_PORT = 8085;

/**
 * Karpenter serves /metrics on the controller's `METRICS_PORT`, which chart v1.14.1 sets from
 * `controller.metrics.port` (values.yaml default 8080) and declares as the container port `http-metrics`
 * (templates/deployment.yaml; the other port, `http` 8081, is the health probe). The program keeps the default.
 */
export const KARPENTER_METRICS_PORT = 8080;

export const SCRAPE_TARGETS: Readonly<Record<MetricSource, ScrapeTarget>> = {
    runner: {
        jobName: "gitlab-runner",
        namespace: RUNNER_NAMESPACES.managers,
        // The manager pods' podLabels (components/runners/helmValues.ts); job pods live in other namespaces.
        podLabel: [RUNNER_LABELS.component, "manager"],
        // chart 0.86.0 templates/deployment.yaml declares the container port `metrics.port` (and prometheus.io/*
        // annotations when metrics.enabled); the program sets it to RUNNER_METRICS_PORT.
        port: RUNNER_METRICS_PORT,
        copyLabels: { [RUNNER_LABELS.runner]: DIMENSION.runner },
    },
    clusterAutoscaler: {
        jobName: "cluster-autoscaler",
        namespace: CLUSTER_AUTOSCALER.namespace,
        // chart 9.59.0 _helpers.tpl cluster-autoscaler.instance-name: app.kubernetes.io/instance = the release name.
        podLabel: ["app.kubernetes.io/instance", CLUSTER_AUTOSCALER.releaseName],
        port: CLUSTER_AUTOSCALER_METRICS_PORT,
    },
    karpenter: {
        jobName: "karpenter",
        namespace: KARPENTER.namespace,
        // chart v1.14.1 _helpers.tpl karpenter.selectorLabels: app.kubernetes.io/instance = the release name, on the pods
        // (templates/deployment.yaml) and as the Service's selector (templates/service.yaml).
        podLabel: ["app.kubernetes.io/instance", KARPENTER.releaseName],
        port: KARPENTER_METRICS_PORT,
    },
};

/** Prometheus' meta label of a pod label: every character other than [a-zA-Z0-9_] becomes `_` (kubernetes_sd_config, role pod). */
export function podLabelMeta(key: string): string {
    return `__meta_kubernetes_pod_label_${key.replace(/[^a-zA-Z0-9_]/g, "_")}`;
}

/** One scrape job: discover pods of one namespace, keep the labelled ones on the metrics port, keep only our metrics. */
function scrapeJob(source: MetricSource) {
    const target = SCRAPE_TARGETS[source];
    const [labelKey, labelValue] = target.podLabel;
    const names = metricsOf([source]).map((m) => m.name);
    return {
        job_name: target.jobName,
        kubernetes_sd_configs: [{ role: "pod", namespaces: { names: [target.namespace] } }],
        // Prometheus anchors relabel regexes, so each keep is an exact match.
        relabel_configs: [
            { source_labels: [podLabelMeta(labelKey)], regex: labelValue, action: "keep" },
            { source_labels: ["__meta_kubernetes_pod_container_port_number"], regex: String(target.port), action: "keep" },
            ...Object.entries(target.copyLabels ?? {}).map(([key, to]) => ({
                source_labels: [podLabelMeta(key)],
                target_label: to,
                action: "replace",
            })),
        ],
        // Everything else is dropped before it reaches the agent: no log ingestion, no metric for it.
        metric_relabel_configs: [{ source_labels: ["__name__"], regex: names.join("|"), action: "keep" }],
    };
}

/** The Prometheus scrape configuration (→ `prometheus.config` of the agent entry). */
export function prometheusScrapeConfig(collection: FleetMetricCollection) {
    const seconds = `${SCRAPE_INTERVAL_SECONDS}s`;
    return {
        global: { scrape_interval: seconds, scrape_timeout: "10s" },
        scrape_configs: collection.sources.map(scrapeJob),
    };
}

/** The agent's `emf_processor.metric_declaration`: one per collected metric, selecting its job (and label filter). */
export function metricDeclarations(collection: FleetMetricCollection) {
    return metricsOf(collection.sources).map((m) => {
        const job = SCRAPE_TARGETS[m.source].jobName;
        return {
            source_labels: m.only ? ["job", m.only.label] : ["job"],
            label_matcher: m.only ? `^${job};(${m.only.regex})$` : `^${job}$`,
            dimensions: [[...m.dimensions]],
            metric_selectors: [`^${m.name}$`],
        };
    });
}

/** Log group the agent writes the scraped samples to (CloudWatch user guide: the default for EKS). */
export function prometheusLogGroupName(clusterName: string): string {
    return `/aws/containerinsights/${clusterName}/prometheus`;
}

/** The agent's JSON config (→ the entry's `config`). */
export function fleetAgentConfig(collection: FleetMetricCollection, clusterName: string, region: string) {
    return {
        agent: { region },
        logs: {
            metrics_collected: {
                prometheus: {
                    cluster_name: clusterName,
                    log_group_name: prometheusLogGroupName(clusterName),
                    emf_processor: {
                        metric_namespace: FLEET_METRIC_NAMESPACE,
                        metric_declaration: metricDeclarations(collection),
                    },
                },
            },
        },
    };
}

/**
 * The chart's default `agents` at 6.2.0 … 6.4.0 (values.yaml): the node agent (a DaemonSet, Container Insights) and
 * the cluster scraper (rendered only with otelContainerInsights). Repeated because Helm replaces lists whole.
 */
export const CHART_DEFAULT_AGENTS = [
    { name: "cloudwatch-agent" },
    { name: "cloudwatch-agent-cluster-scraper", mode: "deployment", config: "default" },
] as const;

/** Name of the fleet-metrics agent (its Deployment and pods are named after it by the operator). */
export const FLEET_METRICS_AGENT = PLATFORM_DEPLOYMENTS.fleetMetricsAgent.name;

/**
 * The add-on values that add the fleet-metrics agent: a Deployment (one scraper, not one per node: a DaemonSet would
 * scrape every target once per node) on the management nodes, without host networking (it reaches pod IPs).
 *
 * What the entry does not set comes from the chart's `agent` (6.4.0 values.yaml), merged under it: nodeSelector
 * `kubernetes.io/os: linux` beside the management labels, the not-on-Fargate node affinity and, beside the requests
 * and memory limit set here, its CPU limit of 500m.
 *
 * Its priority is the platform class, not the chart's `agent.priorityClassName: system-node-critical`, which suits
 * the per-node agent DaemonSet: a scraper at node-critical priority would pre-empt CoreDNS, Cluster Autoscaler or
 * metrics-server (system-cluster-critical) on a full management node. The custom resource takes the entry's class
 * (templates/linux/cloudwatch-agent-custom-resource.yaml `$agent.priorityClassName | default
 * $.Values.agent.priorityClassName`, chart 6.4.0) and the operator puts it on the Deployment's pods
 * (internal/manifests/collector/deployment.go `PriorityClassName: params.OtelCol.Spec.PriorityClassName`, operator
 * @a8d766c3). The class is this program's (components/addons/clusterAddons.ts creates it before any add-on).
 *
 * No `serviceAccount`: the entry then runs as the chart's agent service account `cloudwatch-agent`
 * (templates/linux/cloudwatch-agent-custom-resource.yaml `$agent.serviceAccount.name | default` _helpers.tpl
 * cloudwatch-agent.serviceAccountName, 6.4.0). That account is what the add-on's Pod Identity association names
 * (CONTAINER_INSIGHTS.serviceAccount), so the scraper writes with the add-on's CloudWatchAgentServerPolicy
 * (logs:CreateLogStream, logs:PutLogEvents, logs:DescribeLogStreams among its actions — AWS managed policy reference,
 * not re-read for this program); and its ClusterRole (templates/cloudwatch-agent-clusterrole.yaml) may list and watch
 * pods, which kubernetes_sd_configs role pod needs.
 */
export function fleetMetricsAgentValues(
    collection: FleetMetricCollection,
    ctx: { readonly clusterName: string; readonly region: string; readonly management: PlacementTarget },
) {
    const placement = placementOn(ctx.management);
    const deployment = PLATFORM_DEPLOYMENTS.fleetMetricsAgent;
    return {
        agents: [
            ...CHART_DEFAULT_AGENTS,
            {
                name: FLEET_METRICS_AGENT,
                mode: "deployment",
                replicas: deployment.replicas,
                hostNetwork: false,
                config: fleetAgentConfig(collection, ctx.clusterName, ctx.region),
                prometheus: { config: prometheusScrapeConfig(collection) },
                nodeSelector: placement.nodeSelector,
                tolerations: placement.tolerations,
                priorityClassName: PRIORITY_CLASSES.platform,
                resources: resourcesOf(deployment),
            },
        ],
    };
}
