/** A Kubernetes RBAC rule, as `rbac.authorization.k8s.io/v1` Role takes it. */
export interface PolicyRule {
    apiGroups: string[];
    resources: string[];
    verbs: string[];
    resourceNames?: string[];
}

/**
 * What the Kubernetes executor does in its job namespace, and nothing more: the permission table "Configure runner
 * API permissions" of the GitLab Runner docs (docs/executors/kubernetes/_index.md at v18.9.0 and v19.3.0), for the
 * features this program turns on (informers, attach strategy, pod events, pod logs). No wildcard, no namespaces
 * (namespace_per_job is off). ConfigMaps are not in the table: the executor only mounts them by name.
 * PodDisruptionBudgets never: the runner does not create its own per job pod (configToml.ts keeps
 * `pod_disruption_budget` off). Deployments appear only with warm capacity (below); priorityclasses never.
 */
export function executorRoleRules(options: { jobServiceAccount: string; warmCapacity: boolean }): PolicyRule[] {
    const core = (resources: string[], verbs: string[], resourceNames?: string[]): PolicyRule => ({
        apiGroups: [""],
        resources,
        verbs,
        ...(resourceNames ? { resourceNames } : {}),
    });
    const rules = [
        core(["pods"], ["create", "delete", "get", "list", "watch"]),
        core(["pods/attach"], ["create", "delete", "get", "patch"]),
        core(["pods/exec"], ["create", "delete", "get", "patch"]),
        core(["pods/log"], ["get", "list"]),
        // Per-job secrets: registry credentials and CI variables the build pod mounts.
        core(["secrets"], ["create", "delete", "get", "update"]),
        // The executor checks that the job service account exists before it creates the pod (executors/kubernetes/
        // kubernetes.go v18.9.0, serviceAccountExists: serviceaccounts get): only the runner's own account. RBAC has no
        // "use" permission for service accounts (whoever creates pods may name any account of the namespace: Kubernetes
        // "Role Based Access Control Good Practices", workload creation), so the job namespace holds no other account
        // with rights or an AWS identity.
        core(["serviceaccounts"], ["get"], [options.jobServiceAccount]),
        // Service aliases of `services:` containers.
        core(["services"], ["create", "get"]),
        // print_pod_warning_events and FF_PRINT_POD_EVENTS: why a pod is stuck shows up in the job log.
        core(["events"], ["list", "watch"]),
    ];
    // The pause-pod manager of `[runners.kubernetes.autoscaler]` keeps its pods as one Deployment in the job namespace:
    // get, create, update (replicas, heartbeat), delete (on shutdown), list (orphans at start) — the `kubeAPI:
    // apps/deployments` comments of executors/kubernetes/autoscaler/pause_pod_manager.go and the permission table of
    // docs/executors/kubernetes/_index.md, both at v19.3.0. Its priorityclasses get/create happen only for the runner's
    // default class; this program names its own (pause_pod_priority_class_name), so no cluster-scoped grant.
    if (options.warmCapacity)
        rules.push({ apiGroups: ["apps"], resources: ["deployments"], verbs: ["create", "delete", "get", "list", "update"] });
    return rules;
}
