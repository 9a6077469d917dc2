// Values of the official gitlab-runner chart for one runner (keys as documented in the chart's values.yaml, read
// at chart 0.71.0 and in the GitLab Runner docs for 18.9 / 19.3: gitlabUrl, concurrent, checkInterval,
// unregisterRunners, terminationGracePeriodSeconds, rbac, serviceAccount, metrics, runners.{config,secret,name,
// executor}, podLabels, priorityClassName, nodeSelector, tolerations, resources, podSecurityContext,
// securityContext, deploymentLifecycle). Pure: the component passes the rendered TOML in.
import { RUNNER_LABELS, RUNNER_METRICS_PORT } from "../../model/labels";
import type { NodeGroupConfig, RunnerConfig } from "../../config";
import { chartOptions } from "../../config/runnerOptions";

import { PRIORITY_CLASSES } from "../../model/priorityClasses";
import { placementOn } from "../../model/placement";

export interface RunnerValuesInput {
    readonly runner: RunnerConfig;
    /** `gitlab.url` of the stack. */
    readonly gitlabUrl: string;
    /** EKS cluster name: the runner's local name is `<cluster>-<runner>` (shown in every job log). */
    readonly clusterName: string;
    /** The management group: manager pods run there, never on job nodes that Cluster Autoscaler removes. */
    readonly management: Pick<NodeGroupConfig, "labels" | "taints" | "arch">;
    /** → `runners.config` (renderRunnerToml). */
    readonly runnersConfig: string;
    /** → `podAnnotations` of the manager pod (the chart quotes each value), e.g. the token generation of a registered runner. */
    readonly podAnnotations?: Readonly<Record<string, string>>;
}

/**
 * Graceful stop for the manager pod. GitLab Runner aborts running jobs on SIGTERM and only drains on SIGQUIT
 * (docs/commands "Signals"), and the chart's own preStop only unregisters. So, before Kubernetes sends SIGTERM:
 * unregister this runner manager (what `unregisterRunners` would do), send SIGQUIT so it takes no new jobs, and
 * wait until the running ones have finished. terminationGracePeriodSeconds bounds the wait.
 */
export const GRACEFUL_STOP_SCRIPT = [
    "/entrypoint unregister --all-runners || true",
    "pkill -QUIT -x gitlab-runner || true",
    "while pgrep -x gitlab-runner >/dev/null; do sleep 5; done",
].join("\n");

/** Chart values for one runner. The token is never here: the chart reads it from the Secret named in runners.secret. */
export function runnerHelmValues(input: RunnerValuesInput): Record<string, unknown> {
    const { runner, management } = input;
    const placement = placementOn(management);
    // The table's chart options: `concurrent` / `checkInterval` (config.toml's global section, which the chart writes
    // itself) and `terminationGracePeriodSeconds` (≥ the longest job: a deploy or node drain waits for running jobs).
    const options = Object.fromEntries(chartOptions().map((o) => [o.path, (runner as Record<string, unknown>)[o.key]]));
    return {
        ...options,
        gitlabUrl: input.gitlabUrl,
        logFormat: "json",
        replicas: 1,
        unregisterRunners: true,
        // The chart's preStop is replaced (it only unregisters); this one also drains. See GRACEFUL_STOP_SCRIPT.
        deploymentLifecycle: { preStop: { exec: { command: ["/bin/bash", "-c", GRACEFUL_STOP_SCRIPT] } } },
        // Our own ServiceAccount with a Role in the job namespace only; the chart's role would be a wildcard in its own.
        rbac: { create: false },
        serviceAccount: { create: false, name: runner.names.serviceAccount },
        // → global `listen_address = ":9252"` plus prometheus.io/scrape annotations on the manager pod.
        metrics: { enabled: true, portName: "metrics", port: RUNNER_METRICS_PORT },
        runners: {
            name: `${input.clusterName}-${runner.name}`,
            executor: "kubernetes",
            // Keys runner-token (the glrt- token) and runner-registration-token (empty), created by the component.
            secret: runner.names.tokenSecret,
            config: input.runnersConfig,
        },
        podLabels: { [RUNNER_LABELS.runner]: runner.name, [RUNNER_LABELS.component]: "manager" },
        ...(input.podAnnotations ? { podAnnotations: { ...input.podAnnotations } } : {}),
        priorityClassName: PRIORITY_CLASSES.platform,
        nodeSelector: placement.nodeSelector,
        tolerations: placement.tolerations,
        resources: {
            requests: { cpu: runner.manager.cpuRequest, memory: runner.manager.memoryRequest },
            limits: { memory: runner.manager.memoryLimit },
        },
        podSecurityContext: { runAsNonRoot: true, runAsUser: 100, fsGroup: 65533, seccompProfile: { type: "RuntimeDefault" } },
        securityContext: {
            allowPrivilegeEscalation: false,
            privileged: false,
            runAsNonRoot: true,
            readOnlyRootFilesystem: false,
            capabilities: { drop: ["ALL"] },
        },
    };
}
