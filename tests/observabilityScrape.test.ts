// What the fleet-metrics agent keeps and publishes (config/observability/scrape.ts), held to the metric lists of every
// pinned upstream version (tests/fixtures/upstream/SOURCES.md); which pods it scrapes: observabilityScrapeTargets.test.ts.
import { strict as assert } from "assert";
import { parseStackConfig } from "../config";
import { CLUSTER_AUTOSCALER_IMAGES } from "../config/addons/clusterAutoscaler";
import { ownedClusterAutoscalerArgs } from "../config/addons/clusterAutoscalerArgs";
import { CONTAINER_INSIGHTS, containerInsightsConfiguration } from "../config/addons/containerInsights";
import {
    CHART_DEFAULT_AGENTS,
    COLLECTED_METRICS,
    DIMENSION,
    FLEET_METRIC_NAMESPACE,
    fleetAgentConfig,
    fleetMetricsAgentValues,
    metricDeclarations,
    metricsOf,
    prometheusScrapeConfig,
} from "../config/observability";
import { RUNNER_CHARTS } from "../config/runnerCharts";
import { renderRunnerToml } from "../components/runners/configToml";
import { PLATFORM_DEPLOYMENTS } from "../model/platformWorkloads";
import { PRIORITY_CLASS_SPECS, PRIORITY_CLASSES, SYSTEM_CLUSTER_CRITICAL } from "../model/priorityClasses";
import { placementOn } from "../model/placement";
import { keepsMetric } from "./support/prometheusRelabel";
import { validDocument, withValue } from "./support/fixtures";
import { stackConfigOf } from "./support/harness";
import { collection, config, job, KARPENTER_FIXTURE, upstreamMetrics } from "./support/scrape";

describe("fleet metrics: collection", () => {
    it("keeps exactly the catalogue's metrics of each source, and drops everything else upstream defines", () => {
        const runnerNames = [...upstreamMetrics("runner-metrics.v19.3.0.tsv").keys()];
        const caNames = [...upstreamMetrics("cluster-autoscaler-metrics.v1.35.2.tsv").keys()];
        const karpenterNames = [...upstreamMetrics(KARPENTER_FIXTURE).keys()];
        for (const [name, all, source] of [
            ["gitlab-runner", runnerNames, "runner"],
            ["cluster-autoscaler", caNames, "clusterAutoscaler"],
            ["karpenter", karpenterNames, "karpenter"],
        ] as const) {
            const rules = job(name).metric_relabel_configs;
            const kept = all.filter((m) => keepsMetric(rules, m)).sort();
            assert.deepEqual(
                kept,
                COLLECTED_METRICS.filter((m) => m.source === source)
                    .map((m) => m.name)
                    .sort(),
                name,
            );
        }
        assert.equal(
            keepsMetric(job("gitlab-runner").metric_relabel_configs, "gitlab_runner_job_queue_duration_seconds_bucket"),
            false,
        );
    });

    it("every scraped metric exists at every pinned version, with the labels it filters and publishes by", () => {
        const versions = [
            ...new Set(Object.values(RUNNER_CHARTS).map((c) => `runner-metrics.v${c.runnerVersion}.tsv`)),
            ...Object.values(CLUSTER_AUTOSCALER_IMAGES).map((t) => `cluster-autoscaler-metrics.${t}.tsv`),
            KARPENTER_FIXTURE,
        ];
        const ours = new Set<string>([DIMENSION.cluster, DIMENSION.runner]);
        for (const file of versions) {
            const known = upstreamMetrics(file);
            const source = file.startsWith("runner")
                ? "runner"
                : file.startsWith("karpenter")
                  ? "karpenter"
                  : "clusterAutoscaler";
            for (const m of COLLECTED_METRICS.filter((x) => x.source === source)) {
                const upstream = known.get(m.name);
                assert.ok(upstream, `${m.name} at ${file}`);
                assert.equal(upstream.type, m.type, `${m.name} type at ${file}`);
                if (m.only) assert.ok(upstream.labels.includes(m.only.label), `${m.name}{${m.only.label}} at ${file}`);
                for (const d of m.dimensions.filter((x) => !ours.has(x)))
                    assert.ok(upstream.labels.includes(d), `${m.name}{${d}} at ${file}`);
            }
        }
    });

    it("histograms are never relied on: the agent drops them, so the catalogue holds gauges and counters only", () => {
        assert.deepEqual([...new Set(COLLECTED_METRICS.map((m) => m.type))].sort(), ["counter", "gauge"]);
    });

    it("one metric declaration per collected metric, matching its job and label filter, in the fleet namespace", () => {
        const declarations = metricDeclarations(collection);
        assert.equal(declarations.length, metricsOf(collection.sources).length);
        assert.equal(metricsOf(collection.sources).length, COLLECTED_METRICS.length, "the three sources are every row");
        const unbound = new RegExp(
            declarations.find((d) => d.metric_selectors[0] === "^karpenter_pods_unbound_time_seconds$")!.label_matcher,
        );
        assert.deepEqual(
            [
                "karpenter;gitlab-jobs-amd64",
                "karpenter;gitlab-jobs-",
                "karpenter;kube-system",
                "gitlab-runner;gitlab-jobs-amd64",
            ].map((v) => unbound.test(v)),
            [true, false, false, false],
        );
        const launches = new RegExp(
            declarations.find((d) => d.metric_selectors[0] === "^karpenter_nodeclaims_disrupted_total$")!.label_matcher,
        );
        assert.deepEqual(
            ["karpenter;registration_timeout", "karpenter;insufficient_capacity", "karpenter;empty", "karpenter;drifted"].map(
                (v) => launches.test(v),
            ),
            [true, true, false, false],
        );
        const errors = declarations.find((d) => d.metric_selectors[0] === "^gitlab_runner_errors_total$")!;
        assert.deepEqual(errors.source_labels, ["job", "level"]);
        const matcher = new RegExp(errors.label_matcher);
        assert.ok(matcher.test("gitlab-runner;error") && !matcher.test("gitlab-runner;warning") && !matcher.test("x;error"));
        const api = new RegExp(
            declarations.find((d) => d.metric_selectors[0] === "^gitlab_runner_api_request_statuses_total$")!.label_matcher,
        );
        assert.deepEqual(
            ["200", "401", "502", "503"].map((s) => api.test(`gitlab-runner;${s}`)),
            [false, false, true, true],
        );
        const failed = new RegExp(
            declarations.find((d) => d.metric_selectors[0] === "^gitlab_runner_failed_jobs_total$")!.label_matcher,
        );
        assert.ok(!failed.test("gitlab-runner;script_failure") && failed.test("gitlab-runner;runner_system_failure"));
        for (const d of declarations) assert.deepEqual(d.dimensions[0][0], DIMENSION.cluster);
        const agent = fleetMetricsAgentValues(collection, {
            clusterName: "c",
            region: "eu-west-1",
            management: config().nodeGroups.management,
        });
        const scraper = agent.agents[2] as { config: ReturnType<typeof fleetAgentConfig> };
        assert.equal(scraper.config.logs.metrics_collected.prometheus.emf_processor.metric_namespace, FLEET_METRIC_NAMESPACE);
    });

    it("only the sources that run are scraped: no autoscaler job without the autoscaler, nothing without runners", () => {
        assert.deepEqual(
            prometheusScrapeConfig({ sources: ["runner"] }).scrape_configs.map((j) => j.job_name),
            ["gitlab-runner"],
        );
        const noCa = parseStackConfig(
            withValue(validDocument(), ["addons"], { clusterAutoscaler: { enabled: false } }),
            "eu-west-1",
        );
        assert.deepEqual(noCa.observability.collection, { sources: ["runner"] });
        assert.ok(!JSON.stringify(prometheusScrapeConfig(noCa.observability.collection!)).includes("karpenter"));
        assert.deepEqual(
            prometheusScrapeConfig(stackConfigOf("karpenter").observability.collection!).scrape_configs.map((j) => j.job_name),
            ["gitlab-runner", "karpenter"],
        );
        assert.deepEqual(noCa.observability.engines, []);
        const noCi = parseStackConfig(
            withValue(validDocument(), ["addons"], { containerInsights: { enabled: false } }),
            "eu-west-1",
        );
        assert.deepEqual([noCi.observability.enabled, noCi.observability.collection], [false, undefined]);
    });

    it("the add-on gets the chart's default agents plus the scraper: a Deployment on the management nodes", () => {
        const cfg = config();
        const values = containerInsightsConfiguration(cfg.addons.containerInsights, cfg.nodeGroups.management, {
            collection,
            clusterName: cfg.cluster.name,
            region: "eu-west-1",
        }) as { agents: Record<string, any>[] };
        assert.deepEqual(values.agents.slice(0, 2), CHART_DEFAULT_AGENTS);
        const [scraper] = values.agents.slice(2);
        const placement = placementOn(cfg.nodeGroups.management);
        assert.deepEqual(
            [scraper.name, scraper.mode, scraper.replicas, scraper.hostNetwork, scraper.nodeSelector, scraper.tolerations],
            [PLATFORM_DEPLOYMENTS.fleetMetricsAgent.name, "deployment", 1, false, placement.nodeSelector, placement.tolerations],
        );
        assert.deepEqual(scraper.resources.requests, { cpu: "100m", memory: "128Mi" });
        // Not the chart's default system-node-critical (meant for the per-node DaemonSet): the scraper must not pre-empt
        // CoreDNS, the autoscaler or metrics-server (chart 6.4.0 cloudwatch-agent-custom-resource.yaml, operator
        // @a8d766c3 deployment.go: the entry's class reaches the pods).
        assert.equal(scraper.priorityClassName, PRIORITY_CLASSES.platform);
        assert.ok(PRIORITY_CLASS_SPECS.platform.value < SYSTEM_CLUSTER_CRITICAL.value);
        // Runs as the chart's agent service account (custom-resource template default, chart 6.4.0): the one the
        // add-on's Pod Identity association and the agent ClusterRole (pods list/watch) name.
        assert.equal(scraper.serviceAccount, undefined);
        assert.equal(CONTAINER_INSIGHTS.serviceAccount, "cloudwatch-agent");
        assert.equal(scraper.config.agent.region, "eu-west-1", "the chart adds no region to a config without Container Insights");
        assert.deepEqual(scraper.prometheus.config, prometheusScrapeConfig(collection));
        const without = containerInsightsConfiguration(cfg.addons.containerInsights, cfg.nodeGroups.management);
        assert.equal(without.agents, undefined, "no collection: the chart's own agents list stands");
    });

    it("Cluster Autoscaler always gets --emit-per-nodegroup-metrics (the node_group_* metrics exist only with it)", () => {
        assert.equal(ownedClusterAutoscalerArgs()["emit-per-nodegroup-metrics"], "true");
    });

    it("the runner counts jobs queued past jobQueueThresholdSeconds, and its job pods carry project and pipeline labels", () => {
        const cfg = parseStackConfig(
            withValue(validDocument(), ["runners", "amd64", "jobQueueThresholdSeconds"], 120),
            "eu-west-1",
        );
        const runner = cfg.runners[0];
        const toml = renderRunnerToml({ runner, group: cfg.nodeGroups.jobs[0], cache: { bucketName: "b", region: "eu-west-1" } });
        assert.match(
            toml,
            /\[\[runners\.monitoring\.job_queuing_durations\]\]\nperiods = \[ "\* \* \* \* \* \* \*" \]\ntimezone = "UTC"\nthreshold = "120s"/,
        );
        assert.match(toml, /"eks-gitlab-runners\/project" = "\$CI_PROJECT_PATH_SLUG"/);
        assert.match(toml, /"eks-gitlab-runners\/pipeline" = "\$CI_PIPELINE_ID"/);
    });
});
