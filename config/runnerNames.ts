// The names a runner's key becomes: Helm release, namespaces, service accounts, token Secret. They are derived, never
// configured, so a runner keeps them for life: renaming a runner replaces these objects (tests/fixtures/urns).
import { RUNNER_NAMESPACES } from "../model/labels";
import { joinPath, Problem } from "./problems";

/** Kubernetes and Helm names of a runner manager, derived from its stable key (renaming them replaces the objects). */
export interface ManagerNames {
    readonly release: string;
    readonly managerNamespace: string;
    readonly serviceAccount: string;
    readonly tokenSecret: string;
}

/** A Kubernetes runner's names: its manager's and its job namespace. */
export interface RunnerNames extends ManagerNames {
    readonly jobNamespace: string;
    /** The job pods' own service account, in the job namespace (`[runners.kubernetes] service_account`). */
    readonly jobServiceAccount: string;
}

/** Runner keys become Helm release, namespace and service-account names: DNS labels, with room for prefixes. */
const RUNNER_NAME = /^[a-z0-9]([-a-z0-9]{0,28}[a-z0-9])?$/;

/** Problems of a runner key (`section` is `runners` or `vmRunners`: they share one name space). */
export function runnerNameProblems(section: string, name: string): Problem[] {
    if (RUNNER_NAME.test(name)) return [];
    return [
        {
            path: joinPath(section, name),
            message: `"${name}" is not a valid runner name: 1–30 of [a-z0-9-], alphanumeric at both ends (it becomes part of Helm release, namespace and service-account names)`,
        },
    ];
}

export function managerNames(name: string): ManagerNames {
    return {
        release: `gitlab-runner-${name}`,
        managerNamespace: RUNNER_NAMESPACES.managers,
        serviceAccount: `gitlab-runner-${name}`,
        tokenSecret: `gitlab-runner-${name}-token`,
    };
}

export function runnerNames(name: string): RunnerNames {
    return {
        ...managerNames(name),
        jobNamespace: `${RUNNER_NAMESPACES.jobsPrefix}${name}`,
        jobServiceAccount: `gitlab-job-${name}`,
    };
}
