/**
 * Versions of the official `gitlab-runner` Helm chart this program knows, and the GitLab Runner each one ships (the
 * chart's `appVersion`). Sources, one per row, in tests/fixtures/upstream/gitlab-runner-chart-versions.tsv: 0.86.0 ↔
 * 18.9.0 from the released package's Chart.yaml; 0.92.0 ↔ 19.3.0 from the chart's v0.92.0 release notes ("Update
 * GitLab Runner version to v19.3.0", quoted in gitlab-org/charts/gitlab MR 5276).
 *
 * Only charts whose runner has a config.toml key list in tests/fixtures/ are listed (18.9.0 and 19.3.0): newer
 * charts exist (0.92.1/0.92.2 ↔ 19.3.1/19.3.2, 0.94.x ↔ 19.5.x) but their runners' keys could not be read here.
 * What is checked per chart: every rendered `config.toml` key against its runner's key list; the chart values this
 * program sets against the chart's own values.yaml and templates for 0.86.0 only (0.92.0's package could not be
 * read: tests/upstreamFixtures.test.ts lists it as unchecked).
 *
 * Adding a chart version here is the whole of a runner upgrade as far as config goes; the test suite then checks
 * every rendered `config.toml` key against that runner version's key list (tests/fixtures/).
 */
export const RUNNER_CHARTS = {
    "0.86.0": { runnerVersion: "18.9.0" },
    "0.92.0": { runnerVersion: "19.3.0" },
} as const satisfies Record<string, RunnerChart>;

export interface RunnerChart {
    /** GitLab Runner version the chart deploys (its appVersion). */
    readonly runnerVersion: string;
}

export type ChartVersion = keyof typeof RUNNER_CHARTS;

/**
 * The chart a runner gets when it names none: the newest whose runner version is confirmed upstream and whose
 * config.toml keys are checked (GitLab Runner 19.3.0: warm capacity). 0.86.0 stays
 * selectable with `chartVersion`.
 */
export const DEFAULT_CHART_VERSION: ChartVersion = "0.92.0";
export const CHART_VERSIONS = Object.keys(RUNNER_CHARTS) as ChartVersion[];

/** The official chart repository (https://docs.gitlab.com/runner/install/kubernetes/). */
export const RUNNER_CHART_REPO = "https://charts.gitlab.io";
export const RUNNER_CHART_NAME = "gitlab-runner";

export function runnerChart(version: ChartVersion): RunnerChart {
    return RUNNER_CHARTS[version];
}

/** Whether GitLab Runner `version` is `min` or later (both `major.minor.patch`). */
export function runnerAtLeast(version: string, min: string): boolean {
    const a = version.split(".").map(Number);
    const b = min.split(".").map(Number);
    for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i] > b[i];
    return true;
}

/** The known charts whose runner is `min` or later, oldest first. */
export function chartsWithRunner(min: string): ChartVersion[] {
    return CHART_VERSIONS.filter((v) => runnerAtLeast(RUNNER_CHARTS[v].runnerVersion, min));
}
