// Cluster Autoscaler's alarms (prod) as pure specs: each reads a metric that exists, with its dimensions, statistic,
// threshold and window (Karpenter's: observabilityAlarmsKarpenter.test.ts; as registered: observabilityAlarmsStack.test.ts).
import { strict as assert } from "assert";
import { pendingMinutes } from "../components/observability/alarms";
import { byKey, known, specsOf } from "./support/alarmSpecs";

describe("alarms", () => {
    describe("the catalogue (pure)", () => {
        const { cfg, specs } = specsOf("prod");

        it("every alarm reads a metric that exists: collected with its exact dimensions, or AWS-published", () => {
            for (const s of specs) {
                if ("query" in s.metric) {
                    const [, metric, namespace, dims] =
                        /MAX\((\w+)\) FROM SCHEMA\("([^"]+)", ([^)]+)\)/.exec(s.metric.query) ?? [];
                    assert.ok(known(namespace, metric, dims.split(", ")), `${s.key}: ${s.metric.query}`);
                } else assert.ok(known(s.metric.namespace, s.metric.metricName, Object.keys(s.metric.dimensions)), s.key);
            }
        });

        it("runner alarms: metric, dimensions, statistic, threshold and window", () => {
            const amd64 = cfg.runners.find((r) => r.name === "amd64")!;
            const dims = { ClusterName: "ci-runners-prod", Runner: "amd64" };
            const table: [string, string, Record<string, string>, string, string, number, number, number][] = [
                ["saturated", "gitlab_runner_jobs", dims, "Sum", "GreaterThanThreshold", amd64.concurrent * 0.9, 60, 10],
                [
                    "queue",
                    "gitlab_runner_acceptable_job_queuing_duration_exceeded_total",
                    dims,
                    "Sum",
                    "GreaterThanOrEqualToThreshold",
                    5,
                    900,
                    1,
                ],
                ["errors", "gitlab_runner_errors_total", dims, "Sum", "GreaterThanOrEqualToThreshold", 10, 300, 1],
                [
                    "gitlab-5xx",
                    "gitlab_runner_api_request_statuses_total",
                    dims,
                    "Sum",
                    "GreaterThanOrEqualToThreshold",
                    5,
                    300,
                    1,
                ],
                [
                    "killed-jobs",
                    "KilledJobs",
                    { RunnerName: "ci-runners-prod-amd64" },
                    "Sum",
                    "GreaterThanOrEqualToThreshold",
                    3,
                    3600,
                    1,
                ],
                [
                    "pod-start-timeouts",
                    "PodStartTimeouts",
                    { RunnerName: "ci-runners-prod-amd64" },
                    "Sum",
                    "GreaterThanOrEqualToThreshold",
                    1,
                    900,
                    1,
                ],
            ];
            for (const [key, metric, dimensions, statistic, comparison, threshold, period, periods] of table) {
                const s = byKey(specs, `runner-amd64-${key}`);
                assert.ok(!("query" in s.metric));
                assert.deepEqual(
                    [
                        s.metric.metricName,
                        s.metric.dimensions,
                        s.metric.statistic,
                        s.comparison,
                        s.threshold,
                        s.metric.period,
                        s.evaluationPeriods,
                        s.datapointsToAlarm,
                    ],
                    [metric, dimensions, statistic, comparison, threshold, period, periods, periods],
                    key,
                );
            }
            assert.equal(byKey(specs, "runner-arm64-saturated").threshold, 60 * 0.95, "prod overrides arm64's saturationPercent");
        });

        it("job pods pending: per pod in the runner's job namespace, for a share of its pollTimeout", () => {
            const s = byKey(specs, "runner-amd64-pods-pending");
            assert.ok("query" in s.metric);
            assert.match(
                s.metric.query,
                /WHERE ClusterName = 'ci-runners-prod' AND Namespace = 'gitlab-jobs-amd64' GROUP BY FullPodName/,
            );
            assert.deepEqual(
                [s.threshold, s.comparison, s.evaluationPeriods, s.datapointsToAlarm],
                [0, "GreaterThanThreshold", 5, 5],
            );
            const at = (pollTimeout: number, pct: number) =>
                pendingMinutes({ pollTimeout, thresholds: { jobPodPendingPercentOfPollTimeout: pct } as never });
            assert.deepEqual([at(600, 50), at(600, 90), at(900, 50), at(120, 50), at(30, 50)], [5, 9, 7, 1, 1]);
        });

        it("a VM runner has its manager's four alarms only: its jobs run on its own VMs, never in a pod", () => {
            const vm = cfg.vmRunners[0];
            const keys = specs.filter((s) => s.key.startsWith(`runner-${vm.name}-`)).map((s) => s.key);
            assert.deepEqual(
                keys,
                ["saturated", "queue", "errors", "gitlab-5xx"].map((k) => `runner-${vm.name}-${k}`),
            );
            const saturated = byKey(specs, `runner-${vm.name}-saturated`);
            assert.equal(saturated.threshold, vm.concurrent * 0.9);
            assert.match(saturated.description, new RegExp(`Raise vmRunners\\.${vm.name}\\.maxInstances`));
            assert.match(byKey(specs, `runner-${vm.name}-queue`).summary, new RegExp(`> ${vm.jobQueueThresholdSeconds} s`));
        });

        it("autoscaler, node-group and fleet alarms", () => {
            const ca = { ClusterName: "ci-runners-prod" };
            const table: [string, string, Record<string, string>, string, number, number, string][] = [
                ["autoscaler-unschedulable", "cluster_autoscaler_unschedulable_pods_count", ca, "Maximum", 0, 10, "breaching"],
                ["autoscaler-failed-scale-ups", "cluster_autoscaler_failed_scale_ups_total", ca, "Sum", 1, 1, "notBreaching"],
                ["autoscaler-backoff", "cluster_autoscaler_node_group_backoff_status", ca, "Maximum", 0, 5, "notBreaching"],
                [
                    "nodegroup-amd64-at-max",
                    "cluster_autoscaler_node_group_target_count",
                    { ...ca, node_group: "asg-amd64" },
                    "Maximum",
                    80,
                    15,
                    "notBreaching",
                ],
                ["failed-nodes", "cluster_failed_node_count", ca, "Maximum", 0, 15, "notBreaching"],
                [
                    "runner-managers-down",
                    "namespace_number_of_running_pods",
                    { ...ca, Namespace: "gitlab-runner" },
                    "Minimum",
                    cfg.runners.length + cfg.vmRunners.length,
                    10,
                    "breaching",
                ],
                ["spot-interruptions", "MatchedEvents", { RuleName: "spot-rule" }, "Sum", 10, 1, "notBreaching"],
            ];
            for (const [key, metric, dimensions, statistic, threshold, periods, missing] of table) {
                const s = byKey(specs, key);
                assert.ok(!("query" in s.metric));
                assert.deepEqual(
                    [
                        s.metric.metricName,
                        s.metric.dimensions,
                        s.metric.statistic,
                        s.threshold,
                        s.evaluationPeriods,
                        s.treatMissingData,
                    ],
                    [metric, dimensions, statistic, threshold, periods, missing],
                    key,
                );
            }
        });
    });
});
