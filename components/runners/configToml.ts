// The runner's config.toml, as the chart assembles it:
//   - `runners.config` (renderRunnerToml): the `[[runners]]` template the chart passes to
//     `gitlab-runner register --template-config`. Everything job-related lives here.
//   - the global section (chartGlobalToml): written by the chart itself from its values (`concurrent`,
//     `checkInterval`, `metrics`, …). Modelled here from the chart's templates/configmap.yaml so tests can check
//     those keys against the runner version too. Global keys inside the template would be ignored silently.
// Both are rendered with a real TOML serializer (smol-toml), never by string concatenation.
import { stringify } from "smol-toml";
import type { NodeGroupConfig, RunnerConfig } from "../../config";

import type { ContainerResources } from "../../config/runnerResources";
import { tomlOptions } from "../../config/runnerOptions";
import { SAFE_TO_EVICT } from "../../model/autoscalerTags";
import { DO_NOT_DISRUPT } from "../../model/karpenter";
import { jobPodLabels } from "../../model/labels";
import { PRIORITY_CLASSES } from "../../model/priorityClasses";
import { placementOn, Toleration } from "../../model/placement";
import { fargateStorageKeys } from "./fargateToml";

export interface RunnerTomlInput {
    readonly runner: RunnerConfig;
    /**
     * The runner's jobs node group or node pool: its labels and taints decide the job pods' selector and tolerations.
     * Undefined for a Fargate runner: its pods reach Fargate through the profile's selectors, not a node selector.
     */
    readonly group?: Pick<NodeGroupConfig, "name" | "labels" | "taints" | "arch">;
    /** The stack's shared S3 cache. */
    readonly cache: { readonly bucketName: string; readonly region: string };
}

/**
 * → `[runners.kubernetes.node_tolerations]`: GitLab Runner's map form, `"key=value" = "Effect"` for Equal and
 * `"key" = "Effect"` for Exists.
 */
export function tomlTolerations(tolerations: readonly Toleration[]): Record<string, string> {
    const out: Record<string, string> = {};
    for (const t of tolerations) {
        const key = t.operator === "Exists" ? (t.key ?? "") : `${t.key}=${t.value ?? ""}`;
        out[key] = t.effect ?? "";
    }
    return out;
}

/** The eight `[runners.kubernetes]` resource keys of one container kind (`prefix` "", "helper_" or "service_"). */
function resourceKeys(prefix: string, r: ContainerResources): Record<string, string> {
    const out: Record<string, string> = {
        [`${prefix}cpu_request`]: r.cpuRequest,
        [`${prefix}cpu_request_overwrite_max_allowed`]: r.cpuRequestMax,
        [`${prefix}memory_request`]: r.memoryRequest,
        [`${prefix}memory_request_overwrite_max_allowed`]: r.memoryRequestMax,
        [`${prefix}memory_limit`]: r.memoryLimit,
        [`${prefix}memory_limit_overwrite_max_allowed`]: r.memoryLimitMax,
    };
    // No CPU limit unless configured: throttled builds are slow builds, and idle CPU helps the neighbours.
    if (r.cpuLimit !== undefined) out[`${prefix}cpu_limit`] = r.cpuLimit;
    if (r.cpuLimitMax !== undefined) out[`${prefix}cpu_limit_overwrite_max_allowed`] = r.cpuLimitMax;
    return out;
}

/** Sets `value` at a dotted path inside `doc`, creating the tables on the way. */
export function setPath(doc: Record<string, unknown>, dotted: string, value: unknown): void {
    const keys = dotted.split(".");
    let node = doc;
    for (const key of keys.slice(0, -1)) node = (node[key] ??= {}) as Record<string, unknown>;
    node[keys[keys.length - 1]] = value;
}

/** The `[[runners]]` section as a plain object (what renderRunnerToml serializes). */
export function runnerTomlDocument(input: RunnerTomlInput): { runners: Record<string, unknown>[] } {
    const { runner, group, cache } = input;
    const entry: Record<string, unknown> = {};
    // Every pass-through option of the runner option table, at the key path the table names.
    for (const option of tomlOptions()) {
        const value = (runner as Record<string, unknown>)[option.key];
        if (value === undefined) continue;
        setPath(entry, option.path.replace(/^runners\./, ""), option.render ? option.render(value as never) : value);
    }
    const kubernetes = (entry.kubernetes ??= {}) as Record<string, unknown>;
    Object.assign(kubernetes, {
        namespace: runner.names.jobNamespace,
        ...resourceKeys("", runner.resources.build),
        ...resourceKeys("helper_", runner.resources.helper),
        ...resourceKeys("service_", runner.resources.services),
        // Below platform pods, above warm-capacity placeholders (model/priorityClasses.ts).
        priority_class_name: PRIORITY_CLASSES.jobs,
    });
    // `pod_disruption_budget` (runner 18.11+, one PDB per job pod) stays off: the runner's job pods already have the
    // stack's PodDisruptionBudget (gitlabRunner.ts), and a pod that two PDBs select cannot be evicted at all — the API
    // answers 500 "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support"
    // (kubernetes/kubernetes pkg/registry/core/pod/storage/eviction.go) instead of the 429 that drains understand.
    kubernetes.pod_labels = jobPodLabels(runner);
    if (runner.fargate) {
        // Fargate: no node selector, tolerations or node annotations (each pod is its own VM, placed by the profile that
        // selects the job namespace and the runner label); ephemeral storage as requested (components/runners/fargateToml.ts).
        Object.assign(kubernetes, fargateStorageKeys(runner.ephemeralStorage));
    } else if (group) {
        const placement = placementOn(group);
        kubernetes.node_selector = placement.nodeSelector;
        kubernetes.node_tolerations = tomlTolerations(placement.tolerations);
        // Keep the job's node from being removed under it: Cluster Autoscaler's annotation on node-group runners (the PDB
        // is what really holds there), Karpenter's on pool runners (it also keeps the pod from being evicted while a
        // drifted or expiring node drains, up to the pool's terminationGracePeriod).
        kubernetes.pod_annotations = runner.nodePool !== undefined ? { ...DO_NOT_DISRUPT } : { ...SAFE_TO_EVICT };
    } else {
        throw new Error(`runner "${runner.name}" has neither a node group, a node pool nor fargate: true`);
    }
    // Job pods run as the runner's own service account in the job namespace (the one its Pod Identity association, if
    // any, names), never the namespace's default one; jobs cannot pick another (service_account_overwrite_allowed is
    // unset). Its token is mounted only for runners that may reach the API (common/config.go v18.9.0 and v19.3.0:
    // ServiceAccount `service_account`, AutomountServiceAccountToken `automount_service_account_token`).
    kubernetes.service_account = runner.names.jobServiceAccount;
    kubernetes.automount_service_account_token = runner.network.allowClusterApi;
    entry.cache = cacheTable(cache);
    return { runners: [entry] };
}

/**
 * → `[runners.cache]`: the stack's shared S3 cache. The manager signs the URLs the jobs' helper uses, with
 * credentials from its EKS Pod Identity role: no keys in config.toml, ever.
 */
export function cacheTable(cache: RunnerTomlInput["cache"]): Record<string, unknown> {
    return {
        Type: "s3",
        Shared: true,
        s3: { AuthenticationType: "iam", BucketName: cache.bucketName, BucketLocation: cache.region },
    };
}

/** → chart value `runners.config`: the `[[runners]]` template, TOML. Pure. */
export function renderRunnerToml(input: RunnerTomlInput): string {
    return stringify(runnerTomlDocument(input));
}

/** The chart values that become config.toml's global section. */
export interface ChartGlobalValues {
    readonly concurrent: number;
    readonly checkInterval: number;
    readonly shutdown_timeout?: number;
    readonly logLevel?: string;
    readonly logFormat?: string;
    readonly metrics?: { readonly enabled: boolean; readonly port: number };
}

/** config.toml's global section as the chart writes it from `values` (model of templates/configmap.yaml). Pure. */
export function chartGlobalToml(values: ChartGlobalValues): string {
    const doc: Record<string, unknown> = {
        shutdown_timeout: values.shutdown_timeout ?? 0,
        concurrent: values.concurrent,
        check_interval: values.checkInterval,
        log_level: values.logLevel ?? "info",
    };
    if (values.logFormat) doc.log_format = values.logFormat;
    if (values.metrics?.enabled) doc.listen_address = `:${values.metrics.port}`;
    return stringify(doc);
}
