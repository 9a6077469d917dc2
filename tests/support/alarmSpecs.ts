// What the alarm tests share: the recorded resource types of alarms and their notifications, the pure alarm specs of a
// stack, and whether the metric an alarm reads exists.
import { COLLECTED_METRICS, FLEET_METRIC_NAMESPACE, LOG_METRIC, LOG_METRICS, OTHER_METRICS } from "../../config/observability";
import { alarmSpecs } from "../../components/observability/alarms";
import { alarmInput, hasSpotGroup } from "../../components/observability/inputs";
import { stackConfigOf } from "./harness";
import { strict as assert } from "assert";
import type { AlarmSpec } from "../../components/observability/alarms";

export const T = {
    alarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
    topic: "aws:sns/topic:Topic",
    policy: "aws:sns/topicPolicy:TopicPolicy",
    subscription: "aws:sns/topicSubscription:TopicSubscription",
    rule: "aws:cloudwatch/eventRule:EventRule",
    filter: "aws:cloudwatch/logMetricFilter:LogMetricFilter",
};
export const specsOf = (stack: string) => {
    const cfg = stackConfigOf(stack);
    const asg = Object.fromEntries(cfg.nodeGroups.jobs.map((g) => [g.name, `asg-${g.name}`]));
    return { cfg, specs: alarmSpecs(alarmInput(cfg, asg, hasSpotGroup(cfg) ? "spot-rule" : undefined)!) };
};
export const byKey = (specs: AlarmSpec[], key: string) => specs.find((s) => s.key === key) ?? assert.fail(`no alarm ${key}`);

/** Whether a metric an alarm reads is one the stack collects (with exactly those dimensions) or one AWS publishes. */
export function known(namespace: string, name: string, dims: string[]): boolean {
    const same = (a: readonly string[]) => [...a].sort().join() === [...dims].sort().join();
    if (namespace === FLEET_METRIC_NAMESPACE) return COLLECTED_METRICS.some((m) => m.name === name && same(m.dimensions));
    if (namespace === LOG_METRIC.namespace)
        return Object.values(LOG_METRICS).some((m) => m.name === name) && same([LOG_METRIC.dimension]);
    return OTHER_METRICS.some((m) => m.namespace === namespace && m.name === name && same(m.dimensions));
}
