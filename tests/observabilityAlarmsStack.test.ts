// The alarms and their notifications as the shipped stacks register them (topic, policy, subscriptions, rules, log
// metric filters), against the pure specs.
import { strict as assert } from "assert";
import { LOG_METRICS } from "../config/observability";
import { SPOT_INTERRUPTION_PATTERN } from "../components/observability/notifications";
import { Run, runShippedStacks, SHIPPED_STACKS } from "./support/harness";
import { specsOf, T } from "./support/alarmSpecs";

describe("alarms", () => {
    describe("in the shipped stacks", () => {
        const runs = {} as Record<string, Run>;
        before(async () => runShippedStacks(runs));

        for (const stack of SHIPPED_STACKS) {
            it(`${stack}: one alarm per catalogue entry, with that metric and threshold, notifying the stack's topic and the given ones`, () => {
                const { cfg, specs } = specsOf(stack);
                const topic = runs[stack].one(T.topic);
                assert.equal(topic.inputs.name, `${cfg.cluster.name}-alarms`);
                const actions = [
                    `arn:aws:sns:eu-west-1:123456789012:${cfg.cluster.name}-alarms`,
                    ...cfg.observability.alarms!.notify.topicArns,
                ];
                const alarms = new Map(runs[stack].ofType(T.alarm).map((a) => [a.inputs.name, a.inputs]));
                assert.equal(alarms.size, specs.length);
                for (const s of specs) {
                    const a = alarms.get(`${cfg.cluster.name}-${s.key}`) ?? assert.fail(s.key);
                    assert.deepEqual(
                        [a.alarmActions, a.okActions, a.alarmDescription, a.threshold],
                        [actions, actions, s.description, s.threshold],
                        s.key,
                    );
                    if ("query" in s.metric) assert.equal(a.metricQueries[0].expression, s.metric.query);
                    else
                        assert.deepEqual(
                            [a.namespace, a.metricName, a.statistic],
                            [s.metric.namespace, s.metric.metricName, s.metric.statistic],
                        );
                }
                const atMax = alarms.get(`${cfg.cluster.name}-nodegroup-amd64-at-max`)!;
                assert.equal(atMax.dimensions.node_group, "eks-amd64-nodegroup-0ac9a1b2-asg", "the group's ASG, as EKS named it");
            });
        }

        it("test: an email subscription; prod: the on-call topic directly, no subscription", () => {
            const sub = runs.test.one(T.subscription).inputs;
            assert.deepEqual([sub.protocol, sub.endpoint], ["email", "ci-platform-test@example.com"]);
            assert.equal(runs.prod.ofType(T.subscription).length, 0);
            assert.equal(runs.prod.one(T.policy).inputs.arn, "arn:aws:sns:eu-west-1:123456789012:ci-runners-prod-alarms");
        });

        it("prod counts Spot interruption warnings; test has no Spot group and no rule", () => {
            assert.deepEqual(JSON.parse(runs.prod.one(T.rule).inputs.eventPattern), SPOT_INTERRUPTION_PATTERN);
            assert.equal(runs.test.ofType(T.rule).length, 0);
        });

        it("killed jobs and pod-start timeouts are counted from the managers' log, per runner, once the log group exists", () => {
            const filters = runs.prod.ofType(T.filter);
            assert.deepEqual(
                filters.map((f) => [f.name, f.inputs.metricTransformation.name, f.inputs.pattern]),
                [
                    ["observability-killed-jobs", "KilledJobs", LOG_METRICS.killedJobs.filterPattern],
                    ["observability-pod-start-timeouts", "PodStartTimeouts", LOG_METRICS.podStartTimeouts.filterPattern],
                ],
            );
            for (const f of filters) {
                assert.equal(f.inputs.logGroupName, "/aws/containerinsights/ci-runners-prod/application");
                assert.deepEqual(f.inputs.metricTransformation.dimensions, { RunnerName: "$.log_processed.runner_name" });
                assert.ok((f.opts?.dependsOn as unknown[]).length > 0, "after the add-ons");
            }
        });
    });
});
