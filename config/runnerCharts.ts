/**
 * Versions of the official `gitlab-runner` Helm chart this program knows, and the GitLab Runner each one ships.
 *
 * Every chart minor follows one runner minor (the chart's `appVersion`). Sources: the reference table
 * (../shared/reference/README.md: chart 0.86.0 ships runner 18.9.0), `helm search repo -l gitlab/gitlab-runner`
 * output quoted in the runner docs and chart merge requests (0.49.0 ↔ 15.8.0, 0.64.0 ↔ 16.11.0, 0.71.0 ↔ 17.6.0,
 * 0.76.1 ↔ 17.11.1, 0.77.x ↔ 18.0.x), and the runner's own tags: 18.10 and 18.11 exist between 18.9 and 19.0, so
 * 19.3.0 is chart 0.92.0 (0.86 + 2 for 18.10–18.11 + 4 for 19.0–19.3).
 *
 * Adding a chart version here is the whole of a runner upgrade as far as config goes; the test suite then checks
 * every rendered `config.toml` key against that runner version's key list (tests/fixtures/).
 */
export const RUNNER_CHARTS = {
    "0.86.0": {
        runnerVersion: "18.9.0",
        /** `[runners.kubernetes] pod_disruption_budget` arrived in GitLab Runner 18.10 (gitlab-runner MR 6331). */
        podDisruptionBudget: false,
    },
    "0.92.0": {
        runnerVersion: "19.3.0",
        podDisruptionBudget: true,
    },
} as const satisfies Record<string, RunnerChart>;

export interface RunnerChart {
    /** GitLab Runner version the chart deploys (its appVersion). */
    readonly runnerVersion: string;
    /** Whether that runner version knows `[runners.kubernetes] pod_disruption_budget` (one PDB per job pod). */
    readonly podDisruptionBudget: boolean;
}

export type ChartVersion = keyof typeof RUNNER_CHARTS;
export const CHART_VERSIONS = Object.keys(RUNNER_CHARTS) as ChartVersion[];

/** The official chart repository (https://docs.gitlab.com/runner/install/kubernetes/). */
export const RUNNER_CHART_REPO = "https://charts.gitlab.io";
export const RUNNER_CHART_NAME = "gitlab-runner";

export function runnerChart(version: ChartVersion): RunnerChart {
    return RUNNER_CHARTS[version];
}
