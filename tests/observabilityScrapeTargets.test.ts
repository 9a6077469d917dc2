// Which pods the fleet-metrics agent scrapes (config/observability/scrape.ts), through a Prometheus relabel model over
// the pods the program deploys: exactly the runner managers and the job-capacity engine's controller.
import { strict as assert } from "assert";
import { CLUSTER_AUTOSCALER, clusterAutoscalerValues } from "../config/addons/clusterAutoscaler";
import { KARPENTER, karpenterValues } from "../config/addons/karpenter";
import { DIMENSION, SCRAPE_TARGETS } from "../config/observability";
import { runnerHelmValues } from "../components/runners/helmValues";
import { jobPodLabels } from "../model/labels";
import { FakePod, scrapedTargets } from "./support/prometheusRelabel";
import { problemsOf, validDocument, withValue } from "./support/fixtures";
import { config, job } from "./support/scrape";

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
});
