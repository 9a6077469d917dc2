// What the alarm tests share: the recorded resource types of alarms and their notifications, and the pure alarm
// specs of a shipped stack.
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
