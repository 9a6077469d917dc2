import type { ChartVersion } from "./runnerCharts";

/**
 * Every default of a runner entry, in one place. The schema (runners.ts), the renderers, docs/runners.md and the
 * tests read these; none of them repeats a value.
 */
export const RUNNER_DEFAULTS = {
    /** Pinned `gitlab-runner` chart (→ GitLab Runner 18.9.0, see RUNNER_CHARTS). */
    chartVersion: "0.86.0" as ChartVersion,
    runUntagged: false,
    /** → global `check_interval` (chart `checkInterval`): seconds between job requests; GitLab Runner's own default. */
    checkInterval: 3,
    /**
     * → `[[runners]] request_concurrency`: parallel long-poll requests for new jobs. 1 (the upstream default) makes a
     * busy runner pick up one job per poll; the upstream docs recommend more for high-volume runners.
     */
    requestConcurrency: 1,
    /** → `[[runners]] output_limit` in KiB: the job log size after which GitLab truncates it (upstream default). */
    outputLimit: 4096,
    /** → `[runners.kubernetes] image`: multi-arch, so the same default works on amd64 and arm64 groups. */
    image: "ubuntu:24.04",
    /** → `[runners.kubernetes] privileged`: only for runners that opt in (docker-in-docker). */
    privileged: false,
    /** → `[runners.kubernetes] pull_policy`: reuse images already on the node (the point of many jobs per node). */
    pullPolicy: "if-not-present" as const,
    /** → `[runners.kubernetes] allowed_pull_policies`: what a job may ask for with `image: pull_policy:`. */
    allowedPullPolicies: ["always", "if-not-present"] as const,
    /**
     * → `[runners.kubernetes] poll_timeout` in seconds: how long a job waits for its pod to start. The upstream 180 s
     * is shorter than a scale-up from zero (Cluster Autoscaler + EC2 boot + image pull), so jobs would fail.
     */
    pollTimeout: 600,
    /**
     * The runner's "Maximum job timeout" in GitLab (a property of the runner there, not of config.toml), in minutes.
     * Drives the manager pod's termination grace period so a deploy lets running jobs finish.
     */
    maxJobTimeoutMinutes: 60,
    /** Added to the longest job timeout for the manager pod's grace period: unregister + the last log upload. */
    terminationGraceMarginSeconds: 300,
    /**
     * Job containers. Modest requests pack nodes tightly (seed 001: an 8Gi default packed them loosely); no CPU limit
     * (throttling slows builds, notably JVMs, and idle CPU is better used by neighbours); a memory limit above the
     * request for bursts. Ceilings (`*Max`) default to what the smallest node of the group can give (see
     * runnerResources.ts), so jobs self-serve with KUBERNETES_* variables up to a whole node.
     */
    build: { cpuRequest: "1", memoryRequest: "2Gi", memoryLimit: "4Gi" },
    /** The helper container (clone, cache, artifacts) in every job pod. */
    helper: { cpuRequest: "100m", memoryRequest: "128Mi", memoryLimit: "512Mi" },
    /** Each `services:` container of a job (databases, docker:dind). */
    services: { cpuRequest: "250m", memoryRequest: "256Mi", memoryLimit: "1Gi" },
    /** The runner manager pod (one per runner, on the management nodes). */
    manager: { cpuRequest: "200m", memoryRequest: "256Mi", memoryLimit: "1Gi" },
} as const;
