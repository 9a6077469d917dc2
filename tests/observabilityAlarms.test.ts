// Every alarm: its metric (collected, or published by AWS), dimensions, threshold and window, its action, and the
// runbook section its description links, as pure specs (the registered ones: tests/observabilityAlarmsStack.test.ts).
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { COLLECTED_METRICS, FLEET_METRIC_NAMESPACE, LOG_METRIC, LOG_METRICS, OTHER_METRICS } from "../config/observability";
import { AlarmSpec, alarmSpecs, pendingMinutes } from "../components/observability/alarms";
import { alarmInput } from "../components/observability/inputs";
import { alarmTopicPolicy } from "../components/observability/notifications";
import { headingAnchor, RUNBOOK } from "../components/observability/runbook";
import { ROOT, stackConfigOf } from "./support/harness";
import { byKey, specsOf } from "./support/alarmSpecs";

const MONITORING = fs.readFileSync(path.join(ROOT, "docs/runbook/monitoring.md"), "utf8");

/** Whether a metric an alarm reads is one the stack collects (with exactly those dimensions) or one AWS publishes. */
function known(namespace: string, name: string, dims: string[]): boolean {
    const same = (a: readonly string[]) => [...a].sort().join() === [...dims].sort().join();
    if (namespace === FLEET_METRIC_NAMESPACE) return COLLECTED_METRICS.some((m) => m.name === name && same(m.dimensions));
    if (namespace === LOG_METRIC.namespace)
        return Object.values(LOG_METRICS).some((m) => m.name === name) && same([LOG_METRIC.dimension]);
    return OTHER_METRICS.some((m) => m.namespace === namespace && m.name === name && same(m.dimensions));
}

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

        // Karpenter 1.14.1 (tests/fixtures/upstream/karpenter-metrics.v1.14.1.tsv): cluster_state_synced is set by every
        // Synced() call (pkg/controllers/state/cluster.go), at least every 10 s by the disruption loop; a type launches only
        // if it fits in cpuLimit − usage (scheduling/scheduler.go filterByRemainingResources); node claims that never
        // became nodes are counted by nodeclaims_disrupted_total (nodeclaim/lifecycle/launch.go, liveness.go).
        it("Karpenter alarms (examples/Pulumi.karpenter.yaml): metric, dimensions, statistic, threshold, window", () => {
            const { cfg: k, specs: ks } = specsOf("karpenter");
            const c = { ClusterName: "ci-runners-karpenter" };
            const table: [string, string, Record<string, string>, string, string, number, number, string][] = [
                ["karpenter-silent", "karpenter_cluster_state_synced", c, "Maximum", "LessThanThreshold", 1, 10, "breaching"],
                [
                    "karpenter-failed-launches",
                    "karpenter_nodeclaims_disrupted_total",
                    c,
                    "Sum",
                    "GreaterThanOrEqualToThreshold",
                    3,
                    1,
                    "notBreaching",
                ],
                [
                    "runner-arm64-pods-unbound",
                    "karpenter_pods_unbound_time_seconds",
                    { ...c, namespace: "gitlab-jobs-arm64" },
                    "Maximum",
                    "GreaterThanOrEqualToThreshold",
                    pendingMinutes({ pollTimeout: 600, thresholds: k.observability.alarms!.runners.arm64.thresholds }) * 60,
                    1,
                    "notBreaching",
                ],
                [
                    "nodepool-amd64-spot-at-limit",
                    "karpenter_nodepools_usage",
                    { ...c, nodepool: "amd64-spot" },
                    "Maximum",
                    "GreaterThanThreshold",
                    1120 - 8,
                    15,
                    "notBreaching",
                ],
                [
                    "karpenter-interruption-backlog",
                    "ApproximateAgeOfOldestMessage",
                    { QueueName: "ci-runners-karpenter-karpenter" },
                    "Maximum",
                    "GreaterThanThreshold",
                    120,
                    5,
                    "notBreaching",
                ],
            ];
            for (const [key, metric, dimensions, statistic, comparison, threshold, periods, missing] of table) {
                const s = byKey(ks, key);
                assert.ok(!("query" in s.metric));
                assert.deepEqual(
                    [
                        s.metric.metricName,
                        s.metric.dimensions,
                        s.metric.statistic,
                        s.comparison,
                        s.threshold,
                        s.evaluationPeriods,
                        s.treatMissingData,
                    ],
                    [metric, dimensions, statistic, comparison, threshold, periods, missing],
                    key,
                );
            }
            assert.equal(k.runners.find((r) => r.name === "arm64")!.pollTimeout, 600);
            // Only runners whose pods Karpenter places (a node pool): a Fargate runner's pods are Fargate's to bind.
            const input = alarmInput(k, {}, "spot-rule")!;
            const onFargate = {
                ...input,
                runners: input.runners.map((r) => (r.name === "arm64" ? { ...r, nodePool: undefined } : r)),
            };
            assert.deepEqual(
                alarmSpecs(onFargate)
                    .filter((x) => x.key.endsWith("-pods-unbound"))
                    .map((x) => x.key),
                ["runner-amd64-pods-unbound", "runner-amd64-spot-pods-unbound"],
            );
            // Every alarm reads a metric Karpenter's stack collects with exactly those dimensions, or one AWS publishes.
            for (const s of ks)
                if (!("query" in s.metric))
                    assert.ok(known(s.metric.namespace, s.metric.metricName, Object.keys(s.metric.dimensions)), s.key);
            // Not without: Cluster Autoscaler's stack has none of them, and Karpenter's none of the autoscaler's.
            assert.deepEqual(
                specs.filter((s) => /^karpenter-|^nodepool-|-pods-unbound$/.test(s.key)),
                [],
            );
            assert.deepEqual(
                ks.filter((s) => /^autoscaler-|^nodegroup-/.test(s.key)),
                [],
            );
        });

        it("every description says what to do and links its runbook section, which exists and maps the alarm", () => {
            for (const stack of ["prod", "karpenter"]) {
                const { cfg, specs } = specsOf(stack);
                linksRunbook(cfg, specs);
            }
        });

        function linksRunbook(cfg: ReturnType<typeof stackConfigOf>, specs: AlarmSpec[]) {
            const headings = new Set(
                MONITORING.split("\n")
                    .filter((l) => /^#{2,3} /.test(l))
                    .map((l) => headingAnchor(l.replace(/^#+ /, ""))),
            );
            for (const heading of Object.values(RUNBOOK)) assert.ok(headings.has(headingAnchor(heading)), heading);
            for (const s of specs) {
                assert.ok(s.description.length <= 1024, `${s.key}: ${s.description.length} characters (CloudWatch allows 1024)`);
                const [, anchor] =
                    /Runbook: docs\/runbook\/monitoring\.md#([a-z0-9-]+)$/.exec(s.description) ?? assert.fail(s.description);
                assert.ok(headings.has(anchor), `${s.key} links #${anchor}`);
                // docs/runbook/monitoring.md's map: the alarm's key (runner and group names as placeholders) → that section.
                const runnerNames = [...cfg.runners, ...cfg.vmRunners].map((r) => r.name).sort((a, b) => b.length - a.length);
                const generic = s.key
                    .replace(new RegExp(`^runner-(${runnerNames.join("|")})-`), "runner-<runner>-")
                    .replace(/^nodegroup-.+-at-max$/, "nodegroup-<group>-at-max")
                    .replace(/^nodepool-.+-at-limit$/, "nodepool-<pool>-at-limit");
                assert.match(
                    MONITORING,
                    new RegExp(`\\| \`${generic.replace(/[<>]/g, ".")}\` \\| \\[[^\\]]+\\]\\(#${anchor}\\) \\|`),
                );
            }
        }

        it("the topic accepts this account's CloudWatch alarms only, and nothing without TLS", () => {
            const policy = alarmTopicPolicy("arn:aws:sns:eu-west-1:1:t", {
                partition: "aws",
                region: "eu-west-1",
                accountId: "1",
            });
            assert.deepEqual(
                policy.Statement.map((s) => [s.Effect, s.Principal, s.Action]),
                [
                    ["Allow", { Service: "cloudwatch.amazonaws.com" }, "sns:Publish"],
                    ["Deny", "*", ["sns:Publish", "sns:Subscribe"]],
                ],
            );
            assert.deepEqual(policy.Statement[0].Condition, {
                ArnLike: { "aws:SourceArn": "arn:aws:cloudwatch:eu-west-1:1:alarm:*" },
            });
        });
    });
});
