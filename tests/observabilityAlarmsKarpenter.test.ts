// The alarms of a Karpenter stack (examples/Pulumi.karpenter.yaml) as pure specs: metric, dimensions, statistic,
// threshold and window of each, and none of them in a Cluster Autoscaler stack nor the autoscaler's in Karpenter's.
import { strict as assert } from "assert";
import { alarmSpecs, pendingMinutes } from "../components/observability/alarms";
import { alarmInput } from "../components/observability/inputs";
import { byKey, known, specsOf } from "./support/alarmSpecs";

describe("alarms", () => {
    describe("the catalogue (pure)", () => {
        const { specs } = specsOf("prod");

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
    });
});
