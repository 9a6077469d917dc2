// Values of the official gitlab-runner chart for one runner (keys as documented in the chart's values.yaml, read
// at chart 0.71.0 and in the GitLab Runner docs for 18.9 / 19.3: gitlabUrl, concurrent, checkInterval,
// unregisterRunners, terminationGracePeriodSeconds, rbac, serviceAccount, metrics, runners.{config,secret,name,
// executor}, podLabels, priorityClassName, nodeSelector, tolerations, resources, podSecurityContext,
// securityContext, deploymentLifecycle; for VM runners also preEntrypointScript, envVars and strategy, read in chart
// 0.86.0's templates/configmap.yaml, _env_vars.tpl and deployment.yaml). Every value set is checked against the
// chart's value paths in the tests. Pure: the component passes the rendered TOML in.
import { RUNNER_LABELS, RUNNER_METRICS_PORT } from "../../model/labels";
import type { NodeGroupConfig, RunnerConfig } from "../../config";
import type { ManagerNames } from "../../config/runners";
import type { VmRunnerConfig } from "../../config/vmRunners";
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

/** What every runner manager's chart values are made of, whatever its executor. */
export interface ManagerValuesInput {
    readonly runner: {
        readonly name: string;
        readonly names: ManagerNames;
        readonly manager: Readonly<{ cpuRequest: string; memoryRequest: string; memoryLimit: string }>;
    };
    /** → `runners.executor` (the chart's RUNNER_EXECUTOR at registration). */
    readonly executor: string;
    /** `concurrent`, `checkInterval` and `terminationGracePeriodSeconds`. */
    readonly chartOptions: Readonly<Record<string, unknown>>;
    readonly gitlabUrl: string;
    readonly clusterName: string;
    readonly management: RunnerValuesInput["management"];
    readonly runnersConfig: string;
    readonly podAnnotations?: RunnerValuesInput["podAnnotations"];
}

/** Chart values for one runner manager. The token is never here: the chart reads it from the Secret in runners.secret. */
export function managerHelmValues(input: ManagerValuesInput): Record<string, unknown> {
    const { runner, management } = input;
    const placement = placementOn(management);
    return {
        ...input.chartOptions,
        gitlabUrl: input.gitlabUrl,
        logFormat: "json",
        replicas: 1,
        unregisterRunners: true,
        // The chart's preStop is replaced (it only unregisters); this one also drains. See GRACEFUL_STOP_SCRIPT.
        deploymentLifecycle: { preStop: { exec: { command: ["/bin/bash", "-c", GRACEFUL_STOP_SCRIPT] } } },
        // Our own ServiceAccount (with a Role in the job namespace only, for Kubernetes runners); the chart's role would
        // be a wildcard in its own namespace.
        rbac: { create: false },
        serviceAccount: { create: false, name: runner.names.serviceAccount },
        // → global `listen_address = ":9252"` plus prometheus.io/scrape annotations on the manager pod.
        metrics: { enabled: true, portName: "metrics", port: RUNNER_METRICS_PORT },
        runners: {
            name: `${input.clusterName}-${runner.name}`,
            executor: input.executor,
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

/** Chart values for one Kubernetes runner. */
export function runnerHelmValues(input: RunnerValuesInput): Record<string, unknown> {
    const { runner } = input;
    // The table's chart options: `concurrent` / `checkInterval` (config.toml's global section, which the chart writes
    // itself) and `terminationGracePeriodSeconds` (≥ the longest job: a deploy or node drain waits for running jobs).
    const options = Object.fromEntries(chartOptions().map((o) => [o.path, (runner as Record<string, unknown>)[o.key]]));
    return managerHelmValues({ ...input, executor: "kubernetes", chartOptions: options });
}

/**
 * → chart value `preEntrypointScript`: the chart runs it after registering and before `gitlab-runner run` (chart
 * 0.86.0 templates/configmap.yaml, `entrypoint`: a failure exits the pod, so a manager without its plugin never
 * starts). `gitlab-runner fleeting install` installs the plugin config.toml names, at its pinned version, from
 * GitLab's OCI registry (GitLab Runner commands/fleeting/fleeting.go, docs/fleet_scaling/fleeting.md at v18.9.0):
 * registry.gitlab.com must be reachable through the NAT gateway. Every start downloads it again (the pod has no
 * persistent disk).
 */
export const FLEETING_INSTALL_SCRIPT = ["set -euo pipefail", "gitlab-runner fleeting install"].join("\n");

export interface VmRunnerValuesInput extends Omit<ManagerValuesInput, "runner" | "executor" | "chartOptions"> {
    readonly vm: VmRunnerConfig;
    /** The stack's region: the plugin's AWS SDK reads AWS_REGION (pods cannot reach instance metadata for it). */
    readonly region: string;
}

/** Chart values for one VM runner's manager. */
export function vmRunnerHelmValues(input: VmRunnerValuesInput): Record<string, unknown> {
    const { vm } = input;
    return {
        ...managerHelmValues({
            ...input,
            runner: vm,
            executor: vm.executor,
            chartOptions: {
                concurrent: vm.concurrent,
                checkInterval: vm.checkInterval,
                terminationGracePeriodSeconds: vm.terminationGracePeriodSeconds,
            },
        }),
        preEntrypointScript: FLEETING_INSTALL_SCRIPT,
        // The plugin loads its AWS configuration with the SDK's defaults (provider.go Init: config.LoadDefaultConfig),
        // whose region comes from AWS_REGION; credentials come from Pod Identity.
        envVars: [{ name: "AWS_REGION", value: input.region }],
        // Never two managers on one group: a starting manager without state storage removes every VM of its group
        // that it did not create (GitLab Runner executors/internal/autoscaler/provider.go at v18.9.0, "no data on
        // pre-existing instance so removing for safety") — under a rolling update that is the old manager's VMs,
        // running jobs and all. Recreate stops the old pod (which drains: GRACEFUL_STOP_SCRIPT) before the new one starts.
        strategy: { type: "Recreate" },
    };
}
