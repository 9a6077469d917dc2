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
import {
    CHART_DEFAULT_AGENTS,
    COLLECTED_METRICS,
    DIMENSION,
    FLEET_METRIC_NAMESPACE,
    fleetAgentConfig,
    fleetMetricsAgentValues,
    metricDeclarations,
    prometheusScrapeConfig,
    SCRAPE_TARGETS,
} from "../config/observability";
import { RUNNER_CHARTS } from "../config/runnerCharts";
import { renderRunnerToml } from "../components/runners/configToml";
import { runnerHelmValues } from "../components/runners/helmValues";
import { jobPodLabels } from "../model/labels";
import { PLATFORM_DEPLOYMENTS } from "../model/platformWorkloads";
import { placementOn } from "../model/placement";
import { FakePod, keepsMetric, scrapedTargets } from "./support/prometheusRelabel";
import { validDocument, withValue } from "./support/fixtures";
import { ROOT } from "./support/harness";

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
const collection = { sources: ["runner", "clusterAutoscaler"] as const };
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
            ];
            return [...managers, ...jobPods, ...autoscaler, ...others];
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
    });

    it("keeps exactly the catalogue's metrics of each source, and drops everything else upstream defines", () => {
        const runnerNames = [...upstreamMetrics("runner-metrics.v19.3.0.tsv").keys()];
        const caNames = [...upstreamMetrics("cluster-autoscaler-metrics.v1.35.2.tsv").keys()];
        for (const [name, all] of [
            ["gitlab-runner", runnerNames],
            ["cluster-autoscaler", caNames],
        ] as const) {
            const rules = job(name).metric_relabel_configs;
            const kept = all.filter((m) => keepsMetric(rules, m)).sort();
            const source = name === "gitlab-runner" ? "runner" : "clusterAutoscaler";
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
        ];
        const ours = new Set<string>([DIMENSION.cluster, DIMENSION.runner]);
        for (const file of versions) {
            const known = upstreamMetrics(file);
            const source = file.startsWith("runner") ? "runner" : "clusterAutoscaler";
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
        assert.equal(declarations.length, COLLECTED_METRICS.length);
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
