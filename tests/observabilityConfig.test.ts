import { strict as assert } from "assert";
import { parseStackConfig, PROJECT, StackConfig } from "../config";
import * as fs from "fs";
import * as path from "path";
import { CLUSTER_THRESHOLDS, COLLECTED_METRICS, fleetMetricCount, RUNNER_THRESHOLDS } from "../config/observability";
import { alarmSpecs } from "../components/observability/alarms";
import { alarmInput, hasSpotGroup } from "../components/observability/inputs";
import { problemsOf, validDocument, withValue } from "./support/fixtures";
import { fakeRunnerTokens, ROOT, stackConfigOf, stackFileConfig } from "./support/harness";

// The `observability` section: defaults, path-precise problems, per-runner overrides, and alarms that follow the
// configuration (parts that are off have none).
const ASG = (group: string) => `eks-${group}-asg`;
const keysOf = (cfg: StackConfig) => {
    const input = alarmInput(
        cfg,
        Object.fromEntries(cfg.nodeGroups.jobs.map((g) => [g.name, ASG(g.name)])),
        hasSpotGroup(cfg) ? "rule" : undefined,
    );
    return input ? alarmSpecs(input).map((a) => a.key) : [];
};
const parse = (doc: Record<string, unknown>) => parseStackConfig(doc, "eu-west-1");
const withObservability = (value: unknown) => withValue(validDocument(), ["observability"], value);

describe("observability config", () => {
    it("is on with Container Insights by default, with every threshold at its documented default", () => {
        const o = parse(validDocument()).observability;
        assert.equal(o.enabled, true);
        assert.deepEqual(o.collection, { sources: ["runner", "clusterAutoscaler"] });
        assert.deepEqual(o.engines, ["clusterAutoscaler"]);
        assert.deepEqual(
            o.alarms!.cluster,
            Object.fromEntries(Object.entries(CLUSTER_THRESHOLDS).map(([k, t]) => [k, t.default])),
        );
        assert.deepEqual(o.alarms!.runners.amd64, {
            enabled: true,
            thresholds: Object.fromEntries(Object.entries(RUNNER_THRESHOLDS).map(([k, t]) => [k, t.default])),
        });
        assert.equal(o.alarms!.runbookUrl, "docs/runbook/monitoring.md");
        assert.deepEqual(
            o.findings.map((f) => f.subject),
            ["observability.alarms.notify"],
            "nobody notified is a warning",
        );
    });

    it("per-runner overrides replace only the keys they set", () => {
        const cfg = parse(
            withObservability({
                alarms: {
                    thresholds: { saturationPercent: 80, failedScaleUps: 3 },
                    runners: { amd64: { saturationPercent: 95, killedJobs: 10 } },
                    notify: { emails: ["oncall@example.com"] },
                },
            }),
        );
        const t = cfg.observability.alarms!.runners.amd64.thresholds;
        assert.deepEqual([t.saturationPercent, t.killedJobs, t.runnerErrors], [95, 10, RUNNER_THRESHOLDS.runnerErrors.default]);
        assert.equal(cfg.observability.alarms!.cluster.failedScaleUps, 3);
        assert.deepEqual(cfg.observability.findings, []);
    });

    it("names every problem by its path", () => {
        const doc = withObservability({
            enabled: "yes",
            dashboards: true,
            alarms: {
                notify: {
                    emails: ["not-an-address"],
                    httpsEndpoints: ["http://insecure.example.com"],
                    topicArns: ["arn:aws:sqs:eu-west-1:1:q"],
                },
                thresholds: { jobPodPendingPercentOfPollTimeout: 100, saturationPercent: 0, failedScaleUps: 1.5 },
                runners: { amd46: { saturationPercent: 95 }, amd64: { unschedulableMinutes: 3 } },
                runbookUrl: "wiki/monitoring",
            },
        });
        assert.deepEqual(problemsOf(doc).sort(), [
            'observability.alarms.notify.emails[0]: "not-an-address" is not an email address',
            'observability.alarms.notify.httpsEndpoints[0]: "http://insecure.example.com" is not an https:// URL (SNS delivers only to HTTPS here)',
            'observability.alarms.notify.topicArns[0]: "arn:aws:sqs:eu-west-1:1:q" is not an SNS topic ARN',
            'observability.alarms.runbookUrl: "wiki/monitoring" is not an https:// URL',
            "observability.alarms.runners.amd64.unschedulableMinutes: unknown key (allowed: enabled, jobPodPendingPercentOfPollTimeout, saturationPercent, queueExceededJobs, runnerErrors, gitlabServerErrors, killedJobs, podStartTimeouts)",
            "observability.alarms.thresholds.failedScaleUps: must be a whole number from 1 to 1000",
            "observability.alarms.thresholds.jobPodPendingPercentOfPollTimeout: must be below 100: at pollTimeout the runner has already failed the job",
            "observability.alarms.thresholds.saturationPercent: must be at least 1",
            "observability.dashboards: unknown key (allowed: enabled, alarms)",
            'observability.enabled: must be true or false (found the string "yes")',
        ]);
        const unknownRunner = withObservability({ alarms: { runners: { amd46: {} } } });
        assert.deepEqual(problemsOf(unknownRunner), [
            'observability.alarms.runners.amd46: "amd46" is not a runner (runners: amd64)',
        ]);
    });

    it("needs Container Insights, whose agent collects the metrics; an older pinned add-on is rejected", () => {
        let doc = withValue(validDocument(), ["addons"], { containerInsights: { enabled: false } });
        assert.equal(parse(doc).observability.enabled, false, "off with Container Insights unless asked for");
        doc = withValue(doc, ["observability"], { enabled: true });
        assert.deepEqual(problemsOf(doc), [
            "observability.enabled: needs addons.containerInsights.enabled: the Container Insights add-on's CloudWatch agent collects the fleet metrics (or set observability.enabled: false)",
        ]);
        const old = withValue(validDocument(), ["addons"], { containerInsights: { version: "v5.4.0-eksbuild.1" } });
        assert.deepEqual(problemsOf(old), [
            "addons.containerInsights.version: v5.4.0-eksbuild.1 predates the add-on's agents list this program extends for the fleet metrics (v6.2.0); pin v6.2.0 or newer, remove the pin, or set observability.enabled: false",
        ]);
        const ok = withValue(validDocument(), ["addons"], { containerInsights: { version: "v6.2.0-eksbuild.1" } });
        assert.equal(parse(ok).observability.enabled, true);
        const off = withValue(old, ["observability"], { enabled: false });
        assert.equal(parse(off).observability.enabled, false);
    });

    describe("alarms follow the configuration", () => {
        const all = keysOf(parse(validDocument()));

        it("the fixture stack: runner, autoscaler, node-group, manager, node and Spot alarms", () => {
            assert.deepEqual(all, [
                "runner-amd64-pods-pending",
                "runner-amd64-saturated",
                "runner-amd64-queue",
                "runner-amd64-errors",
                "runner-amd64-gitlab-5xx",
                "runner-amd64-killed-jobs",
                "runner-amd64-pod-start-timeouts",
                "autoscaler-unschedulable",
                "autoscaler-failed-scale-ups",
                "autoscaler-backoff",
                "nodegroup-amd64-at-max",
                "nodegroup-arm64-spot-at-max",
                "failed-nodes",
                "runner-managers-down",
                "spot-interruptions",
            ]);
        });

        it("no autoscaler: no autoscaler or node-group alarm (the engine's whole set goes)", () => {
            const keys = keysOf(parse(withValue(validDocument(), ["addons"], { clusterAutoscaler: { enabled: false } })));
            assert.deepEqual(
                all.filter((k) => !keys.includes(k)),
                [
                    "autoscaler-unschedulable",
                    "autoscaler-failed-scale-ups",
                    "autoscaler-backoff",
                    "nodegroup-amd64-at-max",
                    "nodegroup-arm64-spot-at-max",
                ],
            );
        });

        it("Karpenter (examples/Pulumi.karpenter.yaml): Karpenter's scrape job and alarms instead of Cluster Autoscaler's", () => {
            const file = stackFileConfig("karpenter", path.join(ROOT, "examples/Pulumi.karpenter.yaml"));
            const raw = Object.fromEntries(
                Object.entries({ ...fakeRunnerTokens(file), ...file })
                    .filter(([k]) => k.startsWith(`${PROJECT}:`))
                    .map(([k, v]) => [k.slice(PROJECT.length + 1), v]),
            );
            const cfg = parseStackConfig(raw, String(file["aws:region"]));
            assert.equal(cfg.addons.nodeAutoscaler, "karpenter");
            assert.deepEqual(
                [cfg.observability.engines, cfg.observability.collection],
                [["karpenter"], { sources: ["runner", "karpenter"] }],
            );
            const keys = keysOf(cfg);
            assert.ok(keys.length > 0 && !keys.some((k) => /^(autoscaler|nodegroup)-/.test(k)), keys.join(", "));
            assert.deepEqual(
                keys.filter((k) => /^karpenter-|^nodepool-|-pods-unbound$/.test(k)),
                [
                    "karpenter-silent",
                    "karpenter-failed-launches",
                    ...cfg.runners.map((r) => `runner-${r.name}-pods-unbound`),
                    ...cfg.nodePools.map((p) => `nodepool-${p.name}-at-limit`),
                    "karpenter-interruption-backlog",
                ],
            );
            assert.deepEqual(
                cfg.observability.findings.filter((f) => /Karpenter/.test(f.message)),
                [],
                "nothing of Karpenter goes unwatched",
            );
            // A pool allowed Spot counts the interruption warnings like a Spot node group.
            assert.ok(hasSpotGroup(cfg) && cfg.nodePools.some((p) => p.capacityTypes.includes("spot")));
            assert.ok(keys.includes("spot-interruptions"));
        });

        it("no Spot group: no Spot alarm; a fixed-size job group: no at-maxSize alarm for it", () => {
            let doc = withValue(validDocument(), ["nodeGroups", "arm64-spot", "capacityType"], "ON_DEMAND");
            doc = withValue(doc, ["nodeGroups", "amd64", "minSize"], 10);
            const keys = keysOf(parse(doc));
            assert.deepEqual(
                all.filter((k) => !keys.includes(k)),
                ["nodegroup-amd64-at-max", "spot-interruptions"],
            );
        });

        it("a silenced runner loses its seven alarms only; alarms off or observability off leave none", () => {
            const silenced = keysOf(parse(withObservability({ alarms: { runners: { amd64: { enabled: false } } } })));
            assert.deepEqual(
                all.filter((k) => !silenced.includes(k)),
                all.filter((k) => k.startsWith("runner-amd64-")),
            );
            assert.deepEqual(keysOf(parse(withObservability({ alarms: { enabled: false } }))), []);
            assert.deepEqual(keysOf(parse(withObservability({ enabled: false }))), []);
            assert.equal(parse(withObservability({ alarms: { enabled: false } })).observability.collection?.sources.length, 2);
        });
    });

    describe("docs/runbook/monitoring.md states what the code does", () => {
        const doc = fs.readFileSync(path.join(ROOT, "docs/runbook/monitoring.md"), "utf8");

        it("every threshold with its default, every scraped metric", () => {
            for (const [key, t] of Object.entries({ ...RUNNER_THRESHOLDS, ...CLUSTER_THRESHOLDS }))
                assert.ok(doc.includes(`| \`${key}\` | ${t.default} |`), key);
            for (const m of COLLECTED_METRICS) assert.ok(doc.includes(`| \`${m.name}\` |`), m.name);
        });

        it("the custom-metric counts of the shipped stacks", () => {
            const count = (stack: string) => {
                const cfg = stackConfigOf(stack);
                const sources = cfg.observability.collection!.sources;
                return fleetMetricCount({
                    sources,
                    runners: cfg.runners.length + cfg.vmRunners.length,
                    podRunners: cfg.runners.length,
                    jobGroups: cfg.nodeGroups.jobs.length,
                    nodePools: cfg.nodePools.length,
                });
            };
            assert.ok(doc.includes(`**Cost**: ${count("test")} custom metrics in the test stack and ${count("prod")} in prod`));
        });
    });
});
