import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { parseStackConfig } from "../config";
import {
    CLUSTER_AUTOSCALER,
    CLUSTER_AUTOSCALER_IMAGES,
    clusterAutoscalerValues,
    ownedClusterAutoscalerArgs,
} from "../config/addons/clusterAutoscaler";
import { CONTAINER_INSIGHTS, containerInsightsConfiguration } from "../config/addons/containerInsights";
import { KARPENTER, karpenterValues } from "../config/addons/karpenter";
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
    SCRAPE_TARGETS,
} from "../config/observability";
import { RUNNER_CHARTS } from "../config/runnerCharts";
import { renderRunnerToml } from "../components/runners/configToml";
import { runnerHelmValues } from "../components/runners/helmValues";
import { KARPENTER_VERSION } from "../model/karpenter";
import { jobPodLabels } from "../model/labels";
import { PLATFORM_DEPLOYMENTS } from "../model/platformWorkloads";
import { placementOn } from "../model/placement";
import { FakePod, keepsMetric, scrapedTargets } from "./support/prometheusRelabel";
import { problemsOf, validDocument, withValue } from "./support/fixtures";
import { ROOT, stackConfigOf } from "./support/harness";

// What the fleet-metrics agent scrapes (config/observability/scrape.ts) and publishes, held to the pods the program
// deploys and to the metric lists of every pinned upstream version (tests/fixtures/upstream/SOURCES.md).
const UPSTREAM = path.join(ROOT, "tests/fixtures/upstream");

/** name → label names, from a metrics TSV fixture (columns name, type, labels, const_labels, file). */
function upstreamMetrics(file: string): Map<string, { type: string; labels: string[] }> {
    const rows = fs
        .readFileSync(path.join(UPSTREAM, file), "utf8")
        .split("\n")
        .filter((l) => l.trim() !== "" && !l.startsWith("#"))
        .slice(1)
        .map((l) => l.split("\t"));
    return new Map(rows.map(([name, type, labels]) => [name, { type, labels: labels ? labels.split(",") : [] }]));
}

const config = () => {
    let doc = withValue(validDocument(), ["runners", "arm64"], { nodeGroup: "arm64-spot", tags: ["arm64"], concurrent: 5 });
    doc = withValue(doc, ["runnerTokens", "arm64"], "glrt-fixture-arm64");
    return parseStackConfig(doc, "eu-west-1");
};
const collection = { sources: ["runner", "clusterAutoscaler", "karpenter"] as const };
const KARPENTER_FIXTURE = `karpenter-metrics.v${KARPENTER_VERSION}.tsv`;
const job = (name: string) => prometheusScrapeConfig(collection).scrape_configs.find((j) => j.job_name === name)!;

describe("fleet metrics: collection", () => {
    describe("the scrape configuration selects exactly the runner managers and the autoscaler", () => {
        // The pods of a cluster as the program deploys them: managers labelled by their rendered chart values.
        function cluster(): FakePod[] {
            const cfg = config();
            const managers = cfg.runners.map((runner): FakePod => {
                const values = runnerHelmValues({
                    runner,
                    gitlabUrl: cfg.gitlab.url,
                    clusterName: cfg.cluster.name,
                    management: cfg.nodeGroups.management,
                    runnersConfig: "",
                }) as { podLabels: Record<string, string>; metrics: { port: number } };
                // chart 0.86.0 templates/deployment.yaml: the metrics port, and a session-server port when enabled.
                return {
                    namespace: runner.names.managerNamespace,
                    name: `${runner.names.release}-7d9f`,
                    labels: { app: runner.names.release, ...values.podLabels },
                    ports: [values.metrics.port, 8093],
                };
            });
            const jobPods = cfg.runners.map((r): FakePod => ({
                namespace: r.names.jobNamespace,
                name: `runner-abc-project-1-concurrent-0-${r.name}`,
                labels: jobPodLabels(r),
                ports: [],
            }));
            const autoscaler = [0, 1].map((i): FakePod => ({
                namespace: CLUSTER_AUTOSCALER.namespace,
                name: `cluster-autoscaler-5c6d-${i}`,
                labels: {
                    "app.kubernetes.io/instance": CLUSTER_AUTOSCALER.releaseName,
                    "app.kubernetes.io/name": "aws-cluster-autoscaler",
                },
                ports: [8085],
            }));
            // Karpenter's chart v1.14.1: pods labelled with karpenter.selectorLabels (_helpers.tpl), container ports
            // http-metrics (controller.metrics.port, 8080) and http (the health probe, 8081) (templates/deployment.yaml).
            const karpenter = [0, 1].map((i): FakePod => ({
                namespace: KARPENTER.namespace,
                name: `karpenter-6f7b-${i}`,
                labels: { "app.kubernetes.io/instance": KARPENTER.releaseName, "app.kubernetes.io/name": "karpenter" },
                ports: [8080, 8081],
            }));
            const others: FakePod[] = [
                {
                    namespace: "kube-system",
                    name: "metrics-server-1",
                    labels: { "app.kubernetes.io/instance": "metrics-server" },
                    ports: [10250],
                },
                { namespace: "kube-system", name: "coredns-1", labels: { "k8s-app": "kube-dns" }, ports: [53, 9153] },
                {
                    namespace: "amazon-cloudwatch",
                    name: "cloudwatch-agent-x",
                    labels: { "app.kubernetes.io/name": "cloudwatch-agent" },
                    ports: [4315],
                },
                // Someone's debug pod next to the managers, on the metrics port but not a manager.
                { namespace: "gitlab-runner", name: "debug", labels: { "eks-gitlab-runners/runner": "amd64" }, ports: [9252] },
                // A pod elsewhere that happens to carry the autoscaler's instance label.
                {
                    namespace: "default",
                    name: "ca-copy",
                    labels: { "app.kubernetes.io/instance": "cluster-autoscaler" },
                    ports: [8085],
                },
                // Another kube-system controller serving metrics on 8080, and a copy of Karpenter's labels elsewhere.
                {
                    namespace: "kube-system",
                    name: "aws-load-balancer-controller-1",
                    labels: { "app.kubernetes.io/instance": "aws-load-balancer-controller" },
                    ports: [8080, 9443],
                },
                {
                    namespace: "default",
                    name: "karpenter-copy",
                    labels: { "app.kubernetes.io/instance": "karpenter", "app.kubernetes.io/name": "karpenter" },
                    ports: [8080],
                },
            ];
            return [...managers, ...jobPods, ...autoscaler, ...karpenter, ...others];
        }

        it("gitlab-runner: each manager once, on its metrics port, labelled with its runner key", () => {
            const targets = scrapedTargets(job("gitlab-runner"), cluster());
            assert.deepEqual(
                targets.map((t) => [t.pod, t.port, t[DIMENSION.runner]]),
                config().runners.map((r) => [`${r.names.release}-7d9f`, "9252", r.name]),
            );
        });

        it("cluster-autoscaler: both replicas (the leader reports, the follower's series stay empty), on 8085", () => {
            const targets = scrapedTargets(job("cluster-autoscaler"), cluster());
            assert.deepEqual(
                targets.map((t) => [t.pod, t.port]),
                [
                    ["cluster-autoscaler-5c6d-0", "8085"],
                    ["cluster-autoscaler-5c6d-1", "8085"],
                ],
            );
        });

        it("karpenter: both controller replicas (only the leader sets series), on http-metrics 8080, not the health port", () => {
            const targets = scrapedTargets(job("karpenter"), cluster());
            assert.deepEqual(
                targets.map((t) => [t.pod, t.port]),
                [
                    ["karpenter-6f7b-0", "8080"],
                    ["karpenter-6f7b-1", "8080"],
                ],
            );
            // No target label named like Karpenter's own `namespace` label, which the pods-unbound series are kept by.
            for (const t of targets) assert.equal(t.namespace, undefined);
        });

        it("the model can fail: a selector on the prometheus.io annotation port alone would take the debug pod too", () => {
            const loose = { ...job("gitlab-runner"), relabel_configs: job("gitlab-runner").relabel_configs.slice(1) };
            assert.ok(scrapedTargets(loose, cluster()).some((t) => t.pod === "debug"));
        });

        it("the autoscaler keeps its --address default (:8085, the chart's only container port)", () => {
            const cfg = config();
            const values = clusterAutoscalerValues({
                config: cfg.addons.clusterAutoscaler,
                clusterName: cfg.cluster.name,
                region: "eu-west-1",
                management: cfg.nodeGroups.management,
            }) as { extraArgs: Record<string, string> };
            assert.equal(values.extraArgs.address, undefined);
            assert.equal(SCRAPE_TARGETS.clusterAutoscaler.port, 8085);
        });

        // chart v1.14.1 values.yaml controller.metrics.port: 8080 → env METRICS_PORT and container port http-metrics.
        it("Karpenter keeps the chart's metrics port (reserved) and its cluster-state metrics on", () => {
            const cfg = config();
            const values = karpenterValues(
                { ...cfg.addons.karpenter, enabled: true },
                { clusterName: "c", region: "eu-west-1", management: cfg.nodeGroups.management },
            ) as { controller: Record<string, unknown>; settings: Record<string, unknown> };
            assert.equal(values.controller.metrics, undefined);
            assert.equal(values.settings.disableClusterStateObservability, false);
            assert.equal(SCRAPE_TARGETS.karpenter.port, 8080);
            const overridden = withValue(validDocument(), ["addons"], {
                karpenter: { values: { controller: { metrics: { port: 9090 } } } },
            });
            assert.ok(
                problemsOf(overridden).some((p) => /^addons\.karpenter\.values\.controller\.metrics\.port: /.test(p)),
                problemsOf(overridden).join("\n"),
            );
        });
    });

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
