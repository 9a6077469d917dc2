import { strict as assert } from "assert";
import { parseStackConfig } from "../config";
import { CHART_VERSIONS, runnerAtLeast, runnerChart } from "../config/runnerCharts";
import { chartOptions, RUNNER_OPTIONS, tomlOptions } from "../config/runnerOptions";
import { runnerHelmValues } from "../components/runners/helmValues";
import { runnerTomlDocument } from "../components/runners/configToml";
import { runnerConfigKeys } from "./fixtures/runnerConfigKeys";
import { chartValuePaths } from "./fixtures/chartValues";
import { validDocument, withValue } from "./support/fixtures";

// The runner option table is the one place an option is declared: these tests hold it to upstream and show that
// the renderers follow it.
describe("runner option table", () => {
    it("every config.toml target exists in the key list of every runner version a chart ships (from its `since` on)", () => {
        for (const chart of CHART_VERSIONS) {
            const runnerVersion = runnerChart(chart).runnerVersion;
            const keys = runnerConfigKeys(runnerVersion);
            for (const option of tomlOptions()) {
                const expected = option.since === undefined || runnerAtLeast(runnerVersion, option.since);
                assert.equal(
                    keys.has(option.path),
                    expected,
                    `${option.key} → ${option.path} (chart ${chart}, since ${option.since})`,
                );
            }
        }
        // warmCapacity is the versioned one today: absent from 18.9.0's keys, present in 19.3.0's.
        assert.deepEqual(
            tomlOptions()
                .filter((o) => o.since)
                .map((o) => [o.key, o.since]),
            [["warmCapacity", "18.11.0"]],
        );
    });

    it("runnerAtLeast compares major, minor and patch numerically", () => {
        assert.equal(runnerAtLeast("19.3.0", "18.11.0"), true);
        assert.equal(runnerAtLeast("18.9.0", "18.11.0"), false, "9 < 11, not '9' > '1'");
        assert.equal(runnerAtLeast("18.11.0", "18.11.0"), true);
        assert.equal(runnerAtLeast("18.10.1", "18.11.0"), false);
    });

    it("every chart target is a value of the gitlab-runner chart (0.86.0 values.yaml and templates)", () => {
        const values = chartValuePaths("0.86.0");
        for (const option of chartOptions()) assert.ok(values.has(option.path), `${option.key} → chart ${option.path}`);
    });

    it("cleanupGracePeriodSeconds: rendered only when set, as an integer of seconds", () => {
        const render = (value: unknown) => {
            const config = parseStackConfig(
                withValue(validDocument(), ["runners", "amd64", "cleanupGracePeriodSeconds"], value),
                "eu-west-1",
            );
            return (
                runnerTomlDocument({
                    runner: config.runners[0],
                    group: config.nodeGroups.jobs[0],
                    cache: { bucketName: "b", region: "r" },
                }).runners[0] as Record<string, any>
            ).kubernetes.cleanup_grace_period_seconds;
        };
        assert.equal(render(undefined), undefined);
        assert.equal(render(0), 0);
        assert.equal(render(30), 30);
        assert.throws(() => render(-1), /cleanupGracePeriodSeconds: must be at least 0/);
    });

    it("every option has a one-line doc and a target", () => {
        for (const [key, option] of Object.entries(RUNNER_OPTIONS)) {
            assert.ok(option.doc.length > 10 && !option.doc.includes("\n"), key);
            assert.equal(Object.keys(option.target).filter((k) => k !== "render" && k !== "table").length, 1, key);
        }
    });

    it("the renderers put each pass-through option where the table says", () => {
        const doc = withValue(
            withValue(validDocument(), ["runners", "amd64", "pollTimeout"], 777),
            ["runners", "amd64", "outputLimit"],
            8192,
        );
        const config = parseStackConfig(doc, "eu-west-1");
        const runner = config.runners[0];
        const entry = runnerTomlDocument({
            runner,
            group: config.nodeGroups.jobs[0],
            cache: { bucketName: "b", region: "eu-west-1" },
        }).runners[0] as Record<string, any>;
        assert.equal(entry.kubernetes.poll_timeout, 777);
        assert.equal(entry.output_limit, 8192);
        assert.deepEqual(entry.kubernetes.pull_policy, ["if-not-present"], "pull_policy is a list upstream");
        const values = runnerHelmValues({
            runner,
            gitlabUrl: "https://g",
            clusterName: "c",
            management: config.nodeGroups.management,
            runnersConfig: "",
        });
        assert.equal(values.concurrent, 20);
        assert.equal(values.checkInterval, 3);
        assert.equal(values.terminationGracePeriodSeconds, 60 * 60 + 300);
    });
});
