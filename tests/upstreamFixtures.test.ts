import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { parseStackConfig } from "../config";
import { RUNNER_CHARTS, runnerAtLeast } from "../config/runnerCharts";
import { WARM_CAPACITY_SINCE } from "../config/warmCapacity";
import { CLUSTER_AUTOSCALER_IMAGES } from "../config/addons/clusterAutoscaler";
import { renderRunnerToml } from "../components/runners/configToml";
import { TOKEN_GENERATION_ANNOTATION } from "../components/runners/registration/args";
import { runnerHelmValues, vmRunnerHelmValues } from "../components/runners/helmValues";
import { renderVmRunnerToml } from "../components/runners/vmConfigToml";
import { vmRunnerInput, withVmRunners } from "./support/fixtures";
import { KARPENTER_VERSION } from "../model/karpenter";
import { ROOT } from "./support/harness";

// Upstream facts kept as fixtures (tests/fixtures/upstream/SOURCES.md names the source of each file). These tests keep
// them readable and hold the program to them: every metric name it documents or uses must exist at every pinned
// version, and every chart value it sets must exist in the chart.
const DIR = path.join(ROOT, "tests/fixtures/upstream");
const lines = (file: string) => fs.readFileSync(path.join(DIR, file), "utf8").split("\n");
const dataLines = (file: string) => lines(file).filter((l) => l.trim() !== "" && !l.startsWith("#"));

function tsv(file: string): Record<string, string>[] {
    const [header, ...rows] = dataLines(file).map((l) => l.split("\t"));
    return rows.map((cells) => Object.fromEntries(header.map((h, i) => [h, cells[i] ?? ""])));
}

interface Metric {
    name: string;
    type: string;
}
const metrics = (file: string): Metric[] => tsv(file).map((r) => ({ name: r.name, type: r.type }));
const runnerMetricsFile = (runnerVersion: string) => `runner-metrics.v${runnerVersion}.tsv`;
const caMetricsFile = (imageTag: string) => `cluster-autoscaler-metrics.${imageTag}.tsv`;

/** A series name as scraped: a histogram or summary also exposes `_bucket`, `_sum` and `_count` series. */
function knownSeries(name: string, known: Metric[]): boolean {
    if (known.some((m) => m.name === name)) return true;
    const base = /^(.*)_(bucket|sum|count)$/.exec(name)?.[1];
    return known.some((m) => m.name === base && (m.type === "histogram" || m.type === "summary"));
}

/** Metric names the repository uses today, per file, outside tests and the upstream-reading scripts. */
function metricNamesInRepo(prefix: "gitlab_runner" | "cluster_autoscaler" | "karpenter"): Map<string, string[]> {
    const skip = new Set(["node_modules", "tests", "scripts", "bin", ".git"]);
    const files: string[] = [];
    const walk = (dir: string) => {
        for (const e of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
            const rel = path.join(dir, e.name);
            if (e.isDirectory() && !skip.has(e.name)) walk(rel);
            else if (e.isFile() && /\.(ts|md|ya?ml|json)$/.test(e.name) && e.name !== "package-lock.json") files.push(rel);
        }
    };
    walk(".");
    const out = new Map<string, string[]>();
    const re = new RegExp(`\\b${prefix}_[a-z0-9_]*[a-z0-9]\\b`, "g");
    for (const f of files) {
        for (const m of fs.readFileSync(path.join(ROOT, f), "utf8").matchAll(re)) {
            out.set(m[0], [...(out.get(m[0]) ?? []), f]);
        }
    }
    return out;
}

describe("upstream fixtures", () => {
    const files = fs.readdirSync(DIR).filter((f) => f !== "SOURCES.md");

    it("every fixture names its source on its first line and has data", () => {
        assert.ok(files.length >= 10, `only ${files.length} fixtures`);
        for (const f of files) {
            assert.match(lines(f)[0], /^# \S.{20,}/, `${f}: first line must name the upstream source`);
            assert.ok(dataLines(f).length >= 3, `${f}: no data`);
        }
    });

    it("every TSV row has the header's columns, and no metric name is unresolved", () => {
        for (const f of files.filter((x) => x.endsWith(".tsv"))) {
            const [header, ...rows] = dataLines(f).map((l) => l.split("\t"));
            rows.forEach((r, i) => assert.equal(r.length, header.length, `${f}: data row ${i + 1} has ${r.length} columns`));
        }
        for (const f of files.filter((x) => /metrics\..*\.tsv$/.test(x))) {
            for (const m of metrics(f)) {
                assert.match(m.name, /^[a-z_][a-z0-9_]*$/, `${f}: ${m.name}`);
                assert.match(m.type, /^(counter|gauge|histogram|summary)$/, `${f}: ${m.name} has type ${m.type}`);
            }
        }
    });

    it("SOURCES.md lists every fixture file", () => {
        const sources = fs.readFileSync(path.join(DIR, "SOURCES.md"), "utf8");
        for (const f of files) assert.ok(sources.includes(`\`${f}\``), `SOURCES.md has no row for ${f}`);
    });

    it("the chart table's runner versions match the chart's own version mapping", () => {
        const mapping = new Map(tsv("gitlab-runner-chart-versions.tsv").map((r) => [r.chart, r.runner]));
        for (const [chart, { runnerVersion }] of Object.entries(RUNNER_CHARTS)) {
            assert.equal(mapping.get(chart), runnerVersion, `chart ${chart}`);
        }
    });

    /**
     * Metrics of a feature only newer runners have, with the first runner that has them (runner-feature-versions.tsv:
     * the pause-pod autoscaler's metrics arrive with it in v18.11.0). They need only exist where the feature can be on.
     */
    const featureMetrics = (): { prefix: string; since: string }[] =>
        tsv("runner-feature-versions.tsv")
            .filter((r) => r.item.startsWith("metric gitlab_runner_kubernetes_autoscaler_"))
            .map((r) => ({ prefix: "gitlab_runner_kubernetes_autoscaler_", since: r.first_tag.replace(/^v/, "") }));

    it("every GitLab Runner metric the repository names exists at every runner version it can deploy", () => {
        const used = metricNamesInRepo("gitlab_runner");
        assert.ok(used.has("gitlab_runner_jobs"), "the runbook's metric table was not found");
        assert.deepEqual(featureMetrics(), [{ prefix: "gitlab_runner_kubernetes_autoscaler_", since: WARM_CAPACITY_SINCE }]);
        const versions = [...new Set(Object.values(RUNNER_CHARTS).map((c) => c.runnerVersion))];
        const missing: string[] = [];
        for (const v of versions) {
            const known = metrics(runnerMetricsFile(v));
            for (const [name, where] of used) {
                const feature = featureMetrics().find((f) => name.startsWith(f.prefix));
                if (feature && !runnerAtLeast(v, feature.since)) continue;
                if (!knownSeries(name, known)) missing.push(`${name} (runner ${v}; ${where.join(", ")})`);
            }
        }
        assert.deepEqual(missing, []);
        assert.ok(used.has("gitlab_runner_kubernetes_autoscaler_pause_pods_desired"), "docs/runners.md names it");
    });

    it("every Cluster Autoscaler metric the repository names exists at every pinned autoscaler image", () => {
        const used = metricNamesInRepo("cluster_autoscaler");
        const missing: string[] = [];
        for (const tag of Object.values(CLUSTER_AUTOSCALER_IMAGES)) {
            const known = metrics(caMetricsFile(tag));
            for (const [name, where] of used)
                if (!knownSeries(name, known)) missing.push(`${name} (${tag}; ${where.join(", ")})`);
        }
        assert.deepEqual(missing, []);
    });

    // Karpenter 1.14.1 (model/karpenter.ts KARPENTER_VERSION): kubernetes-sigs/karpenter and aws/karpenter-provider-aws
    // at tag v1.14.1, every name also documented on the release's reference/metrics.md.
    it("every Karpenter metric the repository names exists in the pinned Karpenter release, and is documented", () => {
        const used = metricNamesInRepo("karpenter");
        assert.ok(used.has("karpenter_nodepools_usage"), "the catalogue's Karpenter rows were not found");
        const file = `karpenter-metrics.v${KARPENTER_VERSION}.tsv`;
        const known = metrics(file);
        const documented = new Set(
            tsv(file)
                .filter((r) => r.documented === "yes")
                .map((r) => r.name),
        );
        const missing = [...used].filter(([name]) => !knownSeries(name, known) || !documented.has(name));
        assert.deepEqual(
            missing.map(([name, where]) => `${name} (${where.join(", ")})`),
            [],
        );
        assert.equal(knownSeries("karpenter_pods_unbound_time_second", known), false, "a typo fails");
        assert.equal(documented.has("karpenter_consolidation_moves_total"), false, "defined, not on the docs page");
    });

    it("the metric check fails for a name that no version defines", () => {
        assert.equal(knownSeries("gitlab_runner_job_queue_duration_seconds_bucket", metrics(runnerMetricsFile("18.9.0"))), true);
        assert.equal(knownSeries("gitlab_runner_jobs_bucket", metrics(runnerMetricsFile("18.9.0"))), false);
        assert.equal(knownSeries("gitlab_runner_job_queue_seconds", metrics(runnerMetricsFile("19.3.0"))), false);
    });

    describe("chart values", () => {
        /**
         * Chart versions with a values fixture; the others are listed so that adding one is a visible decision. 0.92.0
         * (the default) is unchecked: its released package could not be read (no mirror of gitlab-org/charts/gitlab-runner
         * or vendored 0.92.x package was reachable), so the values set for it are only known to exist in 0.86.0.
         */
        const WITH_VALUES = ["0.86.0"];
        const WITHOUT_VALUES = ["0.92.0"];

        it("every chart version of the table is either checked or listed as not yet checkable", () => {
            assert.deepEqual(Object.keys(RUNNER_CHARTS).sort(), [...WITH_VALUES, ...WITHOUT_VALUES].sort());
            for (const v of WITH_VALUES) assert.ok(files.includes(`gitlab-runner-chart-values.v${v}.txt`), v);
        });

        for (const version of WITH_VALUES) {
            it(`every value the program sets exists in chart ${version}`, () => {
                const known = new Set(dataLines(`gitlab-runner-chart-values.v${version}.txt`));
                const exists = (segs: string[]) =>
                    known.has(segs.join(".")) || segs.some((_, i) => i > 0 && known.has(`${segs.slice(0, i).join(".")}.*`));
                const paths = (v: unknown, prefix: string[] = []): string[][] =>
                    v !== null && typeof v === "object" && !Array.isArray(v)
                        ? Object.entries(v).flatMap(([k, x]) => [[...prefix, k], ...paths(x, [...prefix, k])])
                        : [];
                // The fixture plus a VM runner: its manager's values (plugin install, region, strategy) are checked too.
                const cfg = parseStackConfig(withVmRunners({ vm: vmRunnerInput() }), "eu-west-1");
                const management = cfg.nodeGroups.management;
                const unknown: string[] = [];
                for (const runner of cfg.runners) {
                    const group = cfg.nodeGroups.jobs.find((g) => g.name === runner.nodeGroup)!;
                    const values = runnerHelmValues({
                        runner,
                        gitlabUrl: cfg.gitlab.url,
                        clusterName: cfg.cluster.name,
                        management,
                        runnersConfig: renderRunnerToml({ runner, group, cache: { bucketName: "b", region: "eu-west-1" } }),
                        // A registered runner's manager also gets the token-generation pod annotation.
                        podAnnotations: { [TOKEN_GENERATION_ANNOTATION]: "9170/initial" },
                    });
                    for (const p of paths(values)) if (!exists(p)) unknown.push(p.join("."));
                }
                for (const vm of cfg.vmRunners) {
                    const values = vmRunnerHelmValues({
                        vm,
                        region: "eu-west-1",
                        gitlabUrl: cfg.gitlab.url,
                        clusterName: cfg.cluster.name,
                        management,
                        runnersConfig: renderVmRunnerToml({ vm, asgName: "g", cache: { bucketName: "b", region: "eu-west-1" } }),
                    });
                    for (const p of paths(values)) if (!exists(p)) unknown.push(p.join("."));
                    for (const value of ["preEntrypointScript", "envVars", "strategy"]) assert.ok(known.has(value), value);
                }
                assert.equal(cfg.vmRunners.length, 1);
                assert.ok(known.has("runners.config") && !exists(["runners", "no_such_value"]), "fixture sanity");
                assert.deepEqual([...new Set(unknown)], []);
            });
        }
    });
});
