/**
 * Versions of the official `gitlab-runner` Helm chart this program knows, and the GitLab Runner each one ships (the
 * chart's `appVersion`). Sources, one per row, in tests/fixtures/upstream/gitlab-runner-chart-versions.tsv: 0.86.0 ↔
 * 18.9.0 from the released package's Chart.yaml; 0.92.0 ↔ 19.3.0 from the chart's v0.92.0 release notes ("Update
 * GitLab Runner version to v19.3.0", quoted in gitlab-org/charts/gitlab MR 5276).
 *
 * Adding a chart version here is the whole of a runner upgrade as far as config goes; the test suite then checks
 * every rendered `config.toml` key against that runner version's key list (tests/fixtures/).
 */
export const RUNNER_CHARTS = {
    "0.86.0": {
        runnerVersion: "18.9.0",
        /** `[runners.kubernetes] pod_disruption_budget` arrived in GitLab Runner 18.11.0, not 18.10 (CHANGELOG v18.11.0, MR 6331). */
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

/** The chart a runner gets when it names none. */
export const DEFAULT_CHART_VERSION: ChartVersion = "0.86.0";
export const CHART_VERSIONS = Object.keys(RUNNER_CHARTS) as ChartVersion[];

/** The official chart repository (https://docs.gitlab.com/runner/install/kubernetes/). */
export const RUNNER_CHART_REPO = "https://charts.gitlab.io";
export const RUNNER_CHART_NAME = "gitlab-runner";

export function runnerChart(version: ChartVersion): RunnerChart {
    return RUNNER_CHARTS[version];
}
