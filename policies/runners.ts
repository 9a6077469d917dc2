// Rules about GitLab runners: privileged job pods only by opt-in, tokens never in plaintext, RBAC in the job namespace.
import { RUNNER_LABELS } from "../model/labels";
import { parse as parseToml } from "smol-toml";
import { RUNNER_CHART_NAME } from "../config/runnerCharts";

import { AUTH_TOKEN_PREFIX } from "../config/runnerTokens";
import {
    ancestorTypes,
    asArray,
    at,
    resourceLabel,
    Finding,
    isObject,
    isSecretValue,
    isUnknown,
    PolicyResource,
    Rule,
    strings,
    TYPES,
} from "./model";

/**
 * The opt-in a privileged runner must carry: its job namespace admits privileged pods under Pod Security Admission.
 * components/runners/gitlabRunner.ts sets it from `runners.<name>.privileged: true`, the only switch that also
 * renders `privileged = true`; a privileged TOML reached any other way (a values override, a hand edit) lacks it.
 */
export const PRIVILEGED_OPT_IN = { label: "pod-security.kubernetes.io/enforce", value: "privileged" } as const;

/** A runner authentication token (`glrt-` + token characters; "glrt-…" placeholders in prose do not match). */
export const TOKEN_PATTERN = new RegExp(`${AUTH_TOKEN_PREFIX}[A-Za-z0-9_.-]+`);

/** Component types whose children are runner resources. */
const RUNNER_COMPONENT = /:(GitlabRunner|RunnerFleet)$/;

export const isRunnerRelease = (r: PolicyResource) => r.type === TYPES.helmRelease && at(r.inputs, "chart") === RUNNER_CHART_NAME;

/** The `[[runners]]` entries of a release's `runners.config`, or the reason they cannot be read. */
export function runnerEntries(release: PolicyResource): Record<string, unknown>[] | "unknown" | Error {
    const toml = at(release.inputs, "values.runners.config");
    if (isUnknown(toml) || isUnknown(at(release.inputs, "values"))) return "unknown";
    if (toml === undefined) return [];
    if (typeof toml !== "string") return new Error("values.runners.config is not a string");
    try {
        return asArray(parseToml(toml).runners).filter(isObject);
    } catch (err) {
        return new Error(`values.runners.config is not valid TOML (${(err as Error).message.split("\n")[0]})`);
    }
}

/** Paths of every `privileged` / `services_privileged` key set to true inside a `[[runners]]` entry. */
export function privilegedPaths(entry: unknown, path = "runners"): string[] {
    if (!isObject(entry)) return [];
    return Object.entries(entry).flatMap(([key, value]) => {
        const here = `${path}.${key}`;
        if ((key === "privileged" || key === "services_privileged") && value === true) return [here];
        return isObject(value) ? privilegedPaths(value, here) : [];
    });
}

/**
 * Whether a `[[runners]]` entry gives every job a fresh VM of its own: a fleeting autoscaler with one job per VM and
 * one job per VM lifetime (`capacity_per_instance = 1`, `max_use_count = 1`). A privileged container there takes
 * over a VM no other job shares or reuses (config/vmRunners/resolve.ts renders it only then).
 */
export function isSingleUseVm(entry: unknown): boolean {
    const autoscaler = at(entry, "autoscaler");
    return isObject(autoscaler) && autoscaler.capacity_per_instance === 1 && autoscaler.max_use_count === 1;
}

function namespaceNamed(resources: readonly PolicyResource[], name: string): PolicyResource | undefined {
    return resources.find((r) => r.type === TYPES.namespace && at(r.inputs, "metadata.name") === name);
}

export const noPrivilegedRunnerUnlessOptedIn: Rule = {
    id: "runner-privileged-opt-in",
    description: `A runner renders privileged = true only when its job namespace opts in (${PRIVILEGED_OPT_IN.label}=${PRIVILEGED_OPT_IN.value}) or every job gets a fresh VM of its own (a VM runner with capacity_per_instance = max_use_count = 1); runner manager pods are never privileged.`,
    why:
        "DESIGN (Security): a privileged build pod is root on a node shared with other jobs. Only docker-in-docker runners that opt in " +
        "(runners.<name>.privileged: true, tagged, never untagged) may have it, and VM runners whose VM serves one job and is then replaced; " +
        "a privileged flag slipped in through values must fail review.",
    remediation:
        "Set runners.<name>.privileged: true in the stack file (it renders the TOML and the namespace label together), or remove privileged from the overrides.",
    types: [TYPES.helmRelease, TYPES.namespace],
    checkStack(resources) {
        const findings: Finding[] = [];
        for (const release of resources.filter(isRunnerRelease)) {
            if (at(release.inputs, "values.securityContext.privileged") === true) {
                findings.push({
                    resource: release,
                    message: `runner release ${release.name} runs its manager pod privileged (values.securityContext.privileged); the manager never needs it`,
                });
            }
            const entries = runnerEntries(release);
            if (entries === "unknown") continue;
            if (entries instanceof Error) {
                const text = at(release.inputs, "values.runners.config");
                if (typeof text === "string" && /privileged\s*=\s*true/.test(text)) {
                    findings.push({
                        resource: release,
                        message: `runner release ${release.name}: ${entries.message}, and it mentions privileged = true; cannot confirm the opt-in`,
                    });
                }
                continue;
            }
            const legacy = at(release.inputs, "values.runners.privileged") === true ? ["values.runners.privileged"] : [];
            entries.forEach((entry, i) => {
                const paths = [...privilegedPaths(entry, `runners[${i}]`), ...(i === 0 ? legacy : [])];
                if (paths.length === 0 || isSingleUseVm(entry)) return;
                const namespace = at(entry, "kubernetes.namespace");
                const ns = typeof namespace === "string" ? namespaceNamed(resources, namespace) : undefined;
                // Label keys contain dots, so read the map rather than a dotted path.
                const labels = ns ? at(ns.inputs, "metadata.labels") : undefined;
                const level = isUnknown(labels) ? labels : isObject(labels) ? labels[PRIVILEGED_OPT_IN.label] : undefined;
                if (isUnknown(level) || level === PRIVILEGED_OPT_IN.value) return;
                const where = typeof namespace === "string" ? `job namespace ${namespace}` : "its job namespace (none set)";
                findings.push({
                    resource: release,
                    message: `runner release ${release.name} renders ${paths.join(", ")} = true but ${where} ${ns ? `is labelled ${PRIVILEGED_OPT_IN.label}=${String(level ?? "unset")}` : "is not a Namespace of this stack"}; privileged job pods need the explicit opt-in runners.<name>.privileged: true`,
                });
            });
        }
        return findings;
    },
};

export const runnerTokensNotPlaintext: Rule = {
    id: "runner-token-not-plaintext",
    description: `No resource input contains a runner token (${AUTH_TOKEN_PREFIX}…) outside a Pulumi secret.`,
    why:
        "DESIGN (Security) and seed 003: secrets never in plaintext state, outputs or the repo. A token in a Helm value or a label sits in " +
        "clear text in the Pulumi state and the release history; anyone who reads it can register jobs against GitLab.",
    remediation:
        "Set tokens with `pulumi config set --secret --path 'runnerTokens.<runner>' glrt-…`; only components/runners/token.ts reads them, into the Kubernetes Secret.",
    types: [],
    checkResource(r, ctx) {
        // In the pack the SDK unwraps secrets; what the resource declares secret (additionalSecretOutputs, e.g. a
        // Kubernetes Secret's data/stringData, which its SDK always wraps) is then the best evidence available.
        const declared = ctx.secretsVisible ? [] : (r.opts?.additionalSecretOutputs ?? []);
        const skip = (value: unknown, path: string) => (ctx.secretsVisible && isSecretValue(value)) || declared.includes(path);
        return strings(r.inputs, skip)
            .filter((s) => TOKEN_PATTERN.test(s.value))
            .map(
                (s) =>
                    `${resourceLabel(r)} has a runner token in plaintext input ${s.path}; it would be stored unencrypted in the Pulumi state`,
            );
    },
};

/** Whether an RBAC resource is part of a runner (by component, by label, or by binding a runner namespace's service account). */
function isRunnerRbac(r: PolicyResource, runnerNamespaces: ReadonlySet<string>): boolean {
    if (ancestorTypes(r).some((t) => RUNNER_COMPONENT.test(t))) return true;
    const labels = at(r.inputs, "metadata.labels");
    if (isObject(labels) && RUNNER_LABELS.runner in labels) return true;
    const name = at(r.inputs, "metadata.name");
    if (typeof name === "string" && name.includes(RUNNER_CHART_NAME)) return true;
    return asArray(at(r.inputs, "subjects")).some(
        (s) => isObject(s) && typeof s.namespace === "string" && runnerNamespaces.has(s.namespace),
    );
}

function wildcardRuleProblems(rules: unknown, what: string): string[] {
    if (isUnknown(rules)) return [];
    return asArray(rules).flatMap((rule, i) => {
        if (!isObject(rule)) return [];
        const fields = (["verbs", "resources"] as const).filter((f) => asArray(rule[f]).includes("*"));
        return fields.map((f) => `${what} rule #${i} grants "*" ${f}; list exactly the ${f} the executor needs`);
    });
}

export const runnerRbacNamespaceScoped: Rule = {
    id: "runner-rbac-namespace-scoped",
    description:
        'Runner RBAC is a Role/RoleBinding in the job namespace: no ClusterRole or ClusterRoleBinding for runners, no "*" verbs or resources in any role, no cluster-admin bindings, no chart-made wildcard role.',
    why:
        "Seed 001 (Access Control, Config Management): everyone had root on the cluster and managers shared a namespace with jobs. A " +
        "manager only needs pods, secrets and services in its own job namespace; cluster-wide rights would let any CI job's runner reach every secret.",
    remediation:
        "Use executorRoleRules (components/runners/rbac.ts) in a namespaced Role bound to the manager's ServiceAccount; keep the chart's rbac.create false.",
    types: [TYPES.role, TYPES.clusterRole, TYPES.roleBinding, TYPES.clusterRoleBinding, TYPES.helmRelease],
    checkStack(resources) {
        const findings: Finding[] = [];
        const runnerNamespaces = new Set<string>();
        for (const release of resources.filter(isRunnerRelease)) {
            const managers = at(release.inputs, "namespace");
            if (typeof managers === "string") runnerNamespaces.add(managers);
            const entries = runnerEntries(release);
            if (Array.isArray(entries)) {
                for (const entry of entries) {
                    const ns = at(entry, "kubernetes.namespace");
                    if (typeof ns === "string") runnerNamespaces.add(ns);
                }
            }
            const rbac = at(release.inputs, "values.rbac");
            if (isObject(rbac)) {
                if (rbac.clusterWideAccess === true) {
                    findings.push({
                        resource: release,
                        message: `runner release ${release.name} sets rbac.clusterWideAccess: the chart then creates a ClusterRole over every namespace`,
                    });
                }
                if (rbac.create === true) {
                    const rules = rbac.rules;
                    if (asArray(rules).length === 0) {
                        findings.push({
                            resource: release,
                            message: `runner release ${release.name} sets rbac.create without rbac.rules: the chart's default role grants "*"; keep rbac.create false and use the program's Role`,
                        });
                    }
                    for (const problem of wildcardRuleProblems(rules, `runner release ${release.name} rbac.rules`))
                        findings.push({ resource: release, message: problem });
                }
            }
        }
        for (const r of resources) {
            if (r.type === TYPES.role || r.type === TYPES.clusterRole) {
                for (const problem of wildcardRuleProblems(
                    at(r.inputs, "rules"),
                    `${r.type === TYPES.role ? "Role" : "ClusterRole"} ${r.name}`,
                ))
                    findings.push({ resource: r, message: problem });
            }
            if ((r.type === TYPES.clusterRole || r.type === TYPES.clusterRoleBinding) && isRunnerRbac(r, runnerNamespaces)) {
                findings.push({
                    resource: r,
                    message: `${resourceLabel(r)} gives a runner cluster-wide rights; use a Role and RoleBinding in the runner's job namespace`,
                });
            }
            if (
                (r.type === TYPES.roleBinding || r.type === TYPES.clusterRoleBinding) &&
                at(r.inputs, "roleRef.name") === "cluster-admin"
            ) {
                findings.push({ resource: r, message: `${resourceLabel(r)} binds cluster-admin` });
            }
        }
        return findings;
    },
};
