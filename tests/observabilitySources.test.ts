import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { LOG_METRIC, LOG_METRICS, OTHER_METRICS } from "../config/observability";
import { RUNNER_CHARTS } from "../config/runnerCharts";
import { alarmSpecs } from "../components/observability/alarms";
import { alarmInput } from "../components/observability/inputs";
import { alarmTopicPolicy, SPOT_INTERRUPTION_PATTERN } from "../components/observability/notifications";
import { ROOT, Run, runShippedStacks, SHIPPED_STACKS, stackConfigOf } from "./support/harness";

// The names the alarms and the dashboard take from outside the scraped metrics, held to upstream lists
// (tests/fixtures/upstream/SOURCES.md): Container Insights' metric declarations of the agent the add-on ships
// (amazon-cloudwatch-agent v1.300070.0 kubernetes.go), the EventBridge metric and the EC2 Spot event (AWS docs pages),
// what a runner manager logs about a failed job at every runner version the program deploys (gitlab-runner v18.9.0
// and v19.3.0 common/build.go, common/config.go, executors/kubernetes), and the SNS topic policy's actions (SNS
// Developer Guide, "Valid Amazon SNS policy actions").
const UPSTREAM = path.join(ROOT, "tests/fixtures/upstream");
function tsv(file: string): Record<string, string>[] {
    const [header, ...rows] = fs
        .readFileSync(path.join(UPSTREAM, file), "utf8")
        .split("\n")
        .filter((l) => l.trim() !== "" && !l.startsWith("#"))
        .map((l) => l.split("\t"));
    return rows.map((cells) => Object.fromEntries(header.map((h, i) => [h, cells[i]])));
}

const sameSet = (a: readonly string[], b: readonly string[]) => [...a].sort().join() === [...b].sort().join();
const CONTAINER_INSIGHTS = tsv("container-insights-metric-dimensions.v1.300070.0.tsv").map((r) => ({
    name: r.name,
    dimensionSets: r.dimension_sets.split(";").map((set) => set.split(",")),
}));
const AWS_EVENTS = tsv("aws-event-metrics.tsv");
const RUNNER_LOG = tsv("runner-job-log.tsv");
const RUNNER_VERSIONS = [...new Set(Object.values(RUNNER_CHARTS).map((c) => c.runnerVersion))];

/** Whether upstream publishes `name` in `namespace` under exactly the dimension set `dims`. */
function publishedUpstream(namespace: string, name: string, dims: readonly string[]): boolean {
    if (namespace === "ContainerInsights")
        return CONTAINER_INSIGHTS.some((m) => m.name === name && m.dimensionSets.some((set) => sameSet(set, dims)));
    return AWS_EVENTS.some(
        (r) =>
            r.kind === "metric" &&
            r.namespace_or_source === namespace &&
            r.name === name &&
            sameSet(r.dimensions.split(","), dims),
    );
}

/** The JSON fields (`$.log_processed.<field>`) and the `%…%` texts a Logs filter pattern tests. */
function patternParts(pattern: string): { fields: string[]; texts: string[] } {
    return {
        fields: [...pattern.matchAll(/\$\.log_processed\.([a-z_]+)/g)].map((m) => m[1]),
        texts: [...pattern.matchAll(/%([^%]+)%/g)].map((m) => m[1]),
    };
}

/** Whether a runner version logs a job error containing `text`: literally, or as the Kubernetes reason it quotes. */
function runnerLogsText(version: string, text: string): boolean {
    const errors = RUNNER_LOG.filter((r) => r.runner_version === version && r.kind === "error").map((r) => r.value);
    const reasons = RUNNER_LOG.filter((r) => r.kind === "k8s_reason").map((r) => r.value);
    return errors.some((e) => e.includes(text) || (reasons.includes(text) && e.includes("reason: '%s'")));
}

describe("observability: names taken from AWS and the runner's log, against upstream lists", () => {
    it("every Container Insights and EventBridge metric the alarms and dashboard may read is published with those dimensions", () => {
        for (const m of OTHER_METRICS)
            assert.ok(publishedUpstream(m.namespace, m.name, m.dimensions), `${m.namespace} ${m.name}`);
        // The check can fail: Container Insights has no per-pod dimension set without FullPodName for pod_status_pending.
        assert.equal(publishedUpstream("ContainerInsights", "pod_status_pending", ["ClusterName", "FullPodName"]), false);
        assert.equal(publishedUpstream("ContainerInsights", "pod_status_pendingx", ["ClusterName"]), false);
    });

    it("the Spot rule matches the EC2 Spot Instance Interruption Warning event as the EC2 user guide shows it", () => {
        const event = AWS_EVENTS.find((r) => r.kind === "event")!;
        assert.deepEqual(SPOT_INTERRUPTION_PATTERN, { source: [event.namespace_or_source], "detail-type": [event.name] });
    });

    for (const [key, metric] of Object.entries(LOG_METRICS)) {
        it(`${key}: the filter reads fields and texts every deployable runner version logs (${RUNNER_VERSIONS.join(", ")})`, () => {
            const { fields, texts } = patternParts(`${metric.filterPattern} ${LOG_METRIC.dimensionField}`);
            assert.ok(fields.length > 0 && texts.length > 0, metric.filterPattern);
            for (const version of RUNNER_VERSIONS) {
                const logged = RUNNER_LOG.filter((r) => r.runner_version === version && r.kind === "field").map((r) => r.value);
                for (const f of fields) assert.ok(logged.includes(f), `runner ${version} logs no field ${f}`);
                for (const t of texts) assert.ok(runnerLogsText(version, t), `runner ${version} logs no error with "${t}"`);
            }
        });
    }

    it("the text check can fail: an error text no runner version logs", () => {
        assert.equal(runnerLogsText("19.3.0", "timed out waiting for pod to be scheduled"), false);
        assert.equal(runnerLogsText("19.3.0", "OOMKilled"), true, "the reason the kubernetes executor quotes");
    });

    it("the topic policy names only actions an SNS topic policy may name", () => {
        const valid = new Set(tsv("sns-topic-policy-actions.tsv").map((r) => r.action));
        const policy = alarmTopicPolicy("arn:aws:sns:eu-west-1:1:t", { partition: "aws", region: "eu-west-1", accountId: "1" });
        const actions = policy.Statement.flatMap((s) => [s.Action].flat());
        assert.deepEqual([...new Set(actions)].sort(), ["sns:Publish", "sns:Subscribe"]);
        for (const a of actions) assert.ok(valid.has(a), a);
    });

    describe("in the shipped stacks", () => {
        const runs = {} as Record<string, Run>;
        before(async () => runShippedStacks(runs));

        for (const stack of SHIPPED_STACKS) {
            it(`${stack}: the log alarms' RunnerName is each runner's chart runners.name, which the manager logs as runner_name`, () => {
                const cfg = stackConfigOf(stack);
                const specs = alarmSpecs(alarmInput(cfg, {}, "rule")!);
                // GitLab Runner logs RunnerConfig.Name as runner_name (common/config.go Log, v18.9.0 and v19.3.0); the
                // chart writes runners.name into config.toml as the runner's name and logFormat as log_format.
                const names = cfg.runners.map((r) => {
                    const values = runs[stack].one("kubernetes:helm.sh/v3:Release", `gitlab-${r.name}-release`).inputs.values;
                    assert.equal(values.logFormat, "json", r.name);
                    return values.runners.name as string;
                });
                for (const metric of Object.values(LOG_METRICS)) {
                    const used = specs.flatMap((s) =>
                        "metricName" in s.metric && s.metric.metricName === metric.name
                            ? [s.metric.dimensions[LOG_METRIC.dimension]]
                            : [],
                    );
                    assert.deepEqual(used.sort(), [...names].sort(), metric.name);
                }
            });
        }
    });
});
