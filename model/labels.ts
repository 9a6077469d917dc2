// Label, taint and annotation keys this program owns: the words node groups, job pods, platform pods, policies and
// the offline plan must agree on. Nothing here depends on the stack config.

/** Prefix of every label and tag key this program owns; user labels and taints may not use it. */
export const LABEL_PREFIX = "eks-gitlab-runners/";

/** Node label and taint key saying what a node is for (`management` or `jobs`). */
export const ROLE_KEY = `${LABEL_PREFIX}role`;
/** Node label naming the job node group (stack key) a node belongs to; job pods select on it. */
export const NODEGROUP_KEY = `${LABEL_PREFIX}nodegroup`;

/** What a node is for: platform pods, or CI job pods. */
export type NodeRole = "management" | "jobs";

export const TAINT_EFFECTS = ["NoSchedule", "PreferNoSchedule", "NoExecute"] as const;
export type TaintEffect = (typeof TAINT_EFFECTS)[number];
export type Taint = Readonly<{ key: string; value: string; effect: TaintEffect }>;

/** The labels a role gives every node of a group. */
export function roleLabels(role: NodeRole, group: string): Record<string, string> {
    return role === "management" ? { [ROLE_KEY]: "management" } : { [ROLE_KEY]: "jobs", [NODEGROUP_KEY]: group };
}

/** The taint a role gives every node of a group: only pods that tolerate it (ours) land there. */
export function roleTaint(role: NodeRole): Taint {
    return { key: ROLE_KEY, value: role, effect: "NoSchedule" };
}

/** Pod labels this program puts on job pods (PDB selector, cost attribution) and manager pods. */
export const RUNNER_LABELS = {
    runner: `${LABEL_PREFIX}runner`,
    nodeGroup: `${LABEL_PREFIX}nodegroup`,
    component: `${LABEL_PREFIX}component`,
    project: `${LABEL_PREFIX}project`,
    pipeline: `${LABEL_PREFIX}pipeline`,
} as const;

/**
 * Job-variable values of the project and pipeline labels. GitLab Runner expands job variables in
 * `[runners.kubernetes] pod_labels` values and sanitises the result into a label value (executors/kubernetes
 * kubernetes.go buildLabels → `sanitizeLabel(s.Build.Variables.ExpandValue(val))`, util.go sanitizeLabel: [A-Za-z0-9-_.],
 * 63 characters), at v18.9.0 and v19.3.0. The runner adds `project.runner.gitlab.com/id`, `…/name` and
 * `…/namespace` itself; the path slug and the pipeline are what cost reports group by.
 */
export const JOB_VARIABLE_LABELS = {
    [RUNNER_LABELS.project]: "$CI_PROJECT_PATH_SLUG",
    [RUNNER_LABELS.pipeline]: "$CI_PIPELINE_ID",
} as const;

/**
 * Labels on every job pod of a runner: the PodDisruptionBudget (and a Fargate runner's profile) selects on the runner
 * label only; cost reports group by
 * runner, where the job runs (a node group, a Karpenter node pool, whose nodes carry the same label key, or `fargate`), project and
 * pipeline (docs/runbook/monitoring.md, cost attribution).
 */
export function jobPodLabels(runner: {
    readonly name: string;
    readonly nodeGroup?: string;
    readonly nodePool?: string;
    readonly fargate?: boolean;
}): Record<string, string> {
    return {
        [RUNNER_LABELS.runner]: runner.name,
        [RUNNER_LABELS.nodeGroup]: runner.nodeGroup ?? runner.nodePool ?? (runner.fargate ? FARGATE_PLACEMENT : ""),
        ...JOB_VARIABLE_LABELS,
    };
}

/** The placement label value of Fargate job pods (no node group: each pod is its own Fargate VM). */
export const FARGATE_PLACEMENT = "fargate";

/** Where runners run. Managers share one namespace; every runner's job pods get their own (docs/runners.md). */
export const RUNNER_NAMESPACES = {
    managers: "gitlab-runner",
    jobsPrefix: "gitlab-jobs-",
} as const;

/** The port of the runner's Prometheus endpoint (`listen_address`, chart `metrics.port`). */
export const RUNNER_METRICS_PORT = 9252;

/**
 * The opt-in a job service account carries when its runner may reach the Kubernetes API (`network.allowClusterApi`):
 * only then is its token mounted into job pods. The policy rule job-sa-token-not-mounted reads it.
 */
export const CLUSTER_API_OPT_IN = { label: `${LABEL_PREFIX}cluster-api`, value: "allowed" } as const;
