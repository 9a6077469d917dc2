// Rules about what a CI job pod can reach: its AWS role, its network, its Kubernetes token.
import { CLUSTER_API_OPT_IN } from "../model/labels";
import {
    ancestorTypes,
    asArray,
    at,
    Finding,
    isObject,
    isUnknown,
    parseJsonDocument,
    PolicyResource,
    resourceLabel,
    Rule,
    TYPES,
    UNKNOWN,
} from "./model";
import { isRunnerRelease, runnerEntries } from "./runners";

/** Whether an IAM resource belongs to a runner's job identity (created under a GitlabRunner component, or tagged so). */
function isJobIam(r: PolicyResource): boolean {
    if (ancestorTypes(r).some((t) => /:GitlabRunner$/.test(t))) return true;
    const tags = at(r.inputs, "tags");
    return isObject(tags) && tags["eks-gitlab-runners/purpose"] === "runner-jobs";
}

const FULL_WILDCARD_ACTION = /^\*(:\*)?$/;
/** AWS managed policies that allow every action on every resource. */
const FULL_ACCESS_POLICY = /^arn:aws[a-z-]*:iam::aws:policy\/AdministratorAccess$/;

function fullWildcardStatements(document: Record<string, unknown>, where: string): string[] {
    return asArray(document.Statement).flatMap((statement, i) => {
        if (!isObject(statement) || statement.Effect !== "Allow") return [];
        const actions = asArray(statement.Action).filter((a): a is string => typeof a === "string");
        const resources = asArray(statement.Resource).filter((a): a is string => typeof a === "string");
        if (!actions.some((a) => FULL_WILDCARD_ACTION.test(a)) || !resources.includes("*")) return [];
        const label = typeof statement.Sid === "string" ? `"${statement.Sid}"` : `#${i}`;
        return [`${where} statement ${label} allows "*" on "*": every action on every resource of the account`];
    });
}

export const jobRoleNoFullWildcard: Rule = {
    id: "job-role-no-full-wildcard",
    description: 'A CI job role never allows "*" actions on "*" resources, in an inline policy or through AdministratorAccess.',
    why:
        "Seed 003 handed jobs static keys with broad rights; DESIGN (Security): least privilege. A job role is assumed by every " +
        "job of its runner, including a merge request's changed .gitlab-ci.yml; full access there is the account.",
    remediation:
        "List the actions and resources the jobs need in runners.<name>.jobIdentity.statements, or attach a scoped managed policy.",
    types: [TYPES.iamRole, TYPES.iamRolePolicy, TYPES.iamRolePolicyAttachment],
    checkResource(r) {
        if (!isJobIam(r)) return [];
        if (r.type === TYPES.iamRolePolicyAttachment) {
            const arn = at(r.inputs, "policyArn");
            return typeof arn === "string" && FULL_ACCESS_POLICY.test(arn)
                ? [`${resourceLabel(r)} attaches ${arn} to a job role: every action on every resource`]
                : [];
        }
        const docs: [string, unknown][] =
            r.type === TYPES.iamRolePolicy
                ? [[`policy of ${r.name}`, at(r.inputs, "policy")]]
                : asArray(at(r.inputs, "inlinePolicies")).flatMap((p) =>
                      isObject(p)
                          ? [[`inline policy ${String(p.name ?? "?")} of role ${r.name}`, p.policy] as [string, unknown]]
                          : [],
                  );
        const problems: string[] = [];
        for (const arn of asArray(at(r.inputs, "managedPolicyArns")))
            if (typeof arn === "string" && FULL_ACCESS_POLICY.test(arn))
                problems.push(`role ${r.name} has ${arn}: every action on every resource`);
        for (const [where, raw] of docs) {
            const doc = parseJsonDocument(raw);
            if (doc === undefined || doc === UNKNOWN || doc instanceof Error) continue;
            problems.push(...fullWildcardStatements(doc, where));
        }
        return problems;
    },
};

/**
 * Whether a runner release runs its jobs as pods: the chart's `runners.executor` is "kubernetes" (or not yet known). A
 * VM runner's manager (docker-autoscaler, instance) starts no job pods: its jobs are fenced by the VM (policies/runners.ts).
 */
function startsJobPods(release: PolicyResource): boolean {
    const executor = at(release.inputs, "values.runners.executor");
    return isUnknown(executor) || executor === undefined || executor === "kubernetes";
}

/** The job namespaces of the stack's runner releases: `[runners.kubernetes] namespace` of every entry. */
function jobEntries(resources: readonly PolicyResource[]): { release: PolicyResource; entry: Record<string, unknown> }[] {
    return resources
        .filter((r) => isRunnerRelease(r) && startsJobPods(r))
        .flatMap((release) => {
            const entries = runnerEntries(release);
            return Array.isArray(entries) ? entries.map((entry) => ({ release, entry })) : [];
        });
}

/** A policy that selects every pod of its namespace, for both directions, and allows nothing. */
function isDefaultDeny(policy: PolicyResource): boolean | typeof UNKNOWN {
    const spec = at(policy.inputs, "spec");
    if (isUnknown(spec)) return UNKNOWN;
    if (!isObject(spec)) return false;
    const selector = spec.podSelector;
    const selectsAll =
        isObject(selector) &&
        Object.keys((selector.matchLabels as object) ?? {}).length === 0 &&
        asArray(selector.matchExpressions).length === 0;
    const types = asArray(spec.policyTypes);
    return (
        selectsAll &&
        types.includes("Ingress") &&
        types.includes("Egress") &&
        asArray(spec.ingress).length === 0 &&
        asArray(spec.egress).length === 0
    );
}

export const jobNamespaceDefaultDeny: Rule = {
    id: "job-namespace-default-deny",
    description:
        "Every runner's job namespace has a NetworkPolicy that selects all its pods for Ingress and Egress and allows nothing.",
    why:
        "Seed 001 (RBAC and isolation had the most room to improve); DESIGN (Security): without a default deny, a job pod reaches " +
        "every other team's pods, the node's services and the cluster API, and what its runner's network settings allow means nothing.",
    remediation:
        "Create runners through components/runners/gitlabRunner.ts (jobIsolation.ts adds the policies); widen a runner's access with runners.<name>.network, never by removing the default deny.",
    types: [TYPES.helmRelease, TYPES.networkPolicy],
    checkStack(resources) {
        const findings: Finding[] = [];
        const policies = resources.filter((r) => r.type === TYPES.networkPolicy);
        for (const { release, entry } of jobEntries(resources)) {
            const namespace = at(entry, "kubernetes.namespace");
            if (isUnknown(namespace)) continue;
            if (typeof namespace !== "string") {
                findings.push({
                    resource: release,
                    message: `runner release ${release.name} names no job namespace, so no policy can fence its job pods`,
                });
                continue;
            }
            if (policies.some((p) => isUnknown(at(p.inputs, "metadata.namespace")))) continue; // a preview: cannot tell
            const mine = policies.filter((p) => at(p.inputs, "metadata.namespace") === namespace);
            if (mine.some((p) => isDefaultDeny(p) !== false)) continue;
            findings.push({
                resource: release,
                message: `job namespace ${namespace} of runner release ${release.name} has no default-deny NetworkPolicy (podSelector {}, policyTypes Ingress and Egress, no rules)`,
            });
        }
        return findings;
    },
};

export const jobTokenNotMounted: Rule = {
    id: "job-sa-token-not-mounted",
    description: `Job pods run as a service account of the stack in their namespace, cannot switch to another, and get its token only when it carries ${CLUSTER_API_OPT_IN.label}=${CLUSTER_API_OPT_IN.value}.`,
    why:
        "Seed 001 (RBAC); DESIGN (Security): a mounted service-account token lets every job of the runner talk to the cluster API as that " +
        "account. Only runners that opt in (runners.<name>.network.allowClusterApi) need one.",
    remediation:
        "Keep service_account and automount_service_account_token as components/runners/configToml.ts renders them; set runners.<name>.network.allowClusterApi: true for a runner whose jobs need the API.",
    types: [TYPES.helmRelease, TYPES.serviceAccount],
    checkStack(resources) {
        const findings: Finding[] = [];
        const accounts = resources.filter((r) => r.type === TYPES.serviceAccount);
        for (const { release, entry } of jobEntries(resources)) {
            const namespace = at(entry, "kubernetes.namespace");
            const name = at(entry, "kubernetes.service_account");
            const overwrite = at(entry, "kubernetes.service_account_overwrite_allowed");
            const says = (message: string) =>
                findings.push({ resource: release, message: `runner release ${release.name}: ${message}` });
            if (typeof overwrite === "string" && overwrite !== "")
                says(
                    `service_account_overwrite_allowed "${overwrite}" lets a job pick another service account (and its token or AWS role)`,
                );
            if (typeof name !== "string") {
                says(
                    `job pods run as the namespace's default service account, whose token Kubernetes mounts; set service_account`,
                );
                continue;
            }
            const account = accounts.find(
                (a) => at(a.inputs, "metadata.name") === name && at(a.inputs, "metadata.namespace") === namespace,
            );
            if (!account) {
                says(`service account ${name} in ${String(namespace)} is not one this stack creates`);
                continue;
            }
            const fromToml = at(entry, "kubernetes.automount_service_account_token");
            const fromAccount = at(account.inputs, "automountServiceAccountToken");
            if (isUnknown(fromAccount)) continue;
            // The pod's setting wins over the account's, and the token is mounted unless one says false (Kubernetes
            // "Configure Service Accounts for Pods", opt out of API credential automounting).
            const mounted = typeof fromToml === "boolean" ? fromToml : fromAccount !== false;
            const labels = at(account.inputs, "metadata.labels");
            const optedIn = isObject(labels) && labels[CLUSTER_API_OPT_IN.label] === CLUSTER_API_OPT_IN.value;
            if (mounted && !optedIn)
                says(
                    `job pods get the token of ${name}, which is not labelled ${CLUSTER_API_OPT_IN.label}=${CLUSTER_API_OPT_IN.value}; set automount_service_account_token = false or allow the runner the cluster API`,
                );
        }
        return findings;
    },
};
