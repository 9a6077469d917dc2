// Rules about Fargate runners. A Fargate pod has no node of ours: no DaemonSet runs beside it (no VPC CNI network
// policy agent, no Pod Identity agent, no log agents; EKS user guide, Fargate considerations), so a profile that
// selected platform namespaces would move CoreDNS or the managers somewhere their DaemonSet-dependent features vanish,
// and a job pod there must carry no node placement and no privilege.
import { RUNNER_LABELS, RUNNER_NAMESPACES } from "../model/labels";
import { asArray, at, Finding, isObject, PolicyResource, Rule, TYPES } from "./model";
import { isRunnerRelease, privilegedPaths, runnerEntries } from "./runners";

const FARGATE_PROFILE = "aws:eks/fargateProfile:FargateProfile";

/** Profiles select only job namespaces, each with a runner label: never kube-system, the managers or a whole namespace. */
export const fargateProfilesJobsOnly: Rule = {
    id: "fargate-profile-jobs-only",
    description:
        "Fargate profiles select only a runner's job namespace and its runner label, so platform pods and managers stay on nodes with their DaemonSets",
    why: "seed 002 runs untrusted jobs on Fargate; a Fargate pod gets none of the node DaemonSets (network policy agent, Pod Identity agent, log agents), so only job pods may be selected",
    remediation:
        "select each Fargate runner's job namespace together with its eks-gitlab-runners/runner label (components/fargate/spec.ts)",
    types: [FARGATE_PROFILE],
    checkStack(resources: readonly PolicyResource[]): Finding[] {
        const findings: Finding[] = [];
        for (const profile of resources.filter((r) => r.type === FARGATE_PROFILE)) {
            for (const selector of asArray(at(profile.inputs, "selectors"))) {
                const namespace = isObject(selector) ? selector.namespace : undefined;
                const labels = isObject(selector) && isObject(selector.labels) ? selector.labels : {};
                if (typeof namespace !== "string" || !namespace.startsWith(RUNNER_NAMESPACES.jobsPrefix))
                    findings.push({
                        resource: profile,
                        message: `Fargate profile ${profile.name} selects namespace ${String(namespace)}: only runners' job namespaces (${RUNNER_NAMESPACES.jobsPrefix}*) may run on Fargate`,
                    });
                else if (typeof labels[RUNNER_LABELS.runner] !== "string")
                    findings.push({
                        resource: profile,
                        message: `Fargate profile ${profile.name} selects all of ${namespace}: add the ${RUNNER_LABELS.runner} label so only that runner's job pods go to Fargate`,
                    });
            }
        }
        return findings;
    },
};

/** A runner whose job namespace a Fargate profile selects renders no node selector, tolerations or privilege. */
export const fargateJobsWithoutNodes: Rule = {
    id: "fargate-jobs-without-nodes",
    description: "Job pods bound for Fargate carry no node selector, no node tolerations and no privileged containers",
    why: "seed 002: Fargate job pods have no node of ours; a node selector or toleration names nodes Fargate does not have, and Fargate rejects privileged containers: such job pods never start",
    remediation: "give Fargate runners no nodeGroup/nodePool and no privileged (config/fargate.ts rejects both)",
    types: [FARGATE_PROFILE, TYPES.helmRelease],
    checkStack(resources: readonly PolicyResource[]): Finding[] {
        const fargateNamespaces = new Set(
            resources
                .filter((r) => r.type === FARGATE_PROFILE)
                .flatMap((p) => asArray(at(p.inputs, "selectors")))
                .map((s) => (isObject(s) ? s.namespace : undefined))
                .filter((n): n is string => typeof n === "string"),
        );
        const findings: Finding[] = [];
        for (const release of resources.filter(isRunnerRelease)) {
            const entries = runnerEntries(release);
            if (!Array.isArray(entries)) continue;
            for (const entry of entries) {
                const namespace = at(entry, "kubernetes.namespace");
                if (typeof namespace !== "string" || !fargateNamespaces.has(namespace)) continue;
                const placed = ["node_selector", "node_tolerations"].filter((k) => at(entry, `kubernetes.${k}`) !== undefined);
                const privileged = privilegedPaths(entry);
                if (placed.length > 0 || privileged.length > 0)
                    findings.push({
                        resource: release,
                        message: `runner release ${release.name} sends jobs to Fargate (namespace ${namespace}) but renders ${[...placed.map((k) => `kubernetes.${k}`), ...privileged].join(", ")}: Fargate has no such nodes and runs no privileged containers`,
                    });
            }
        }
        return findings;
    },
};
