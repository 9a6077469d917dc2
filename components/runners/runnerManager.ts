// The pieces every runner manager has, whatever its executor: the service account it runs as, the Secret with its
// token, the EKS Pod Identity association that gives it an AWS role, and the Helm release of the official chart.
// GitlabRunner and VmRunner both build their managers from these, so the two never drift apart.
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { RunnerConfig } from "../../config";
import { RUNNER_CHART_NAME, RUNNER_CHART_REPO } from "../../config/runnerCharts";
import type { ManagerNames } from "../../config/runners";
import type { ClusterHandles } from "./clusterHandles";

export interface ManagerIdentityArgs {
    readonly runner: Pick<RunnerConfig, "name"> & { readonly names: ManagerNames };
    /** The runner authentication token, a secret (from GitLab for a registered runner, else from config or SSM). */
    readonly token: pulumi.Output<string>;
    readonly labels: Record<string, string>;
    readonly managerNamespace: k8s.core.v1.Namespace;
    readonly cluster: Pick<ClusterHandles, "clusterName" | "provider" | "podIdentityAgent">;
    /** The AWS role the manager gets, and the name suffix of its association (a stable key: renaming replaces it). */
    readonly role: { readonly arn: pulumi.Input<string>; readonly associationSuffix: string };
    readonly tags: Record<string, string>;
}

export interface ManagerIdentity {
    readonly serviceAccount: k8s.core.v1.ServiceAccount;
    readonly tokenSecret: k8s.core.v1.Secret;
    readonly podIdentity: aws.eks.PodIdentityAssociation;
}

/** Children `${name}-sa`, `${name}-token` and `${name}-${role.associationSuffix}` of `parent`. */
export function managerIdentity(parent: pulumi.Resource, name: string, args: ManagerIdentityArgs): ManagerIdentity {
    const { runner, labels, cluster } = args;
    const k8sOpts: pulumi.CustomResourceOptions = { parent, provider: cluster.provider };
    const namespace = args.managerNamespace.metadata.name;
    const serviceAccount = new k8s.core.v1.ServiceAccount(
        `${name}-sa`,
        { metadata: { name: runner.names.serviceAccount, namespace, labels } },
        k8sOpts,
    );
    // The chart projects both keys into the manager pod; the registration token is deprecated and stays empty.
    const tokenSecret = new k8s.core.v1.Secret(
        `${name}-token`,
        {
            metadata: { name: runner.names.tokenSecret, namespace, labels },
            type: "Opaque",
            stringData: { "runner-token": args.token, "runner-registration-token": "" },
        },
        k8sOpts,
    );
    const podIdentity = new aws.eks.PodIdentityAssociation(
        `${name}-${args.role.associationSuffix}`,
        {
            clusterName: cluster.clusterName,
            namespace: runner.names.managerNamespace,
            serviceAccount: runner.names.serviceAccount,
            roleArn: args.role.arn,
            tags: args.tags,
        },
        { parent, dependsOn: [cluster.podIdentityAgent] },
    );
    return { serviceAccount, tokenSecret, podIdentity };
}

export interface ManagerReleaseArgs {
    readonly names: ManagerNames;
    readonly chartVersion: string;
    readonly managerNamespace: k8s.core.v1.Namespace;
    readonly provider: k8s.Provider;
    readonly values: pulumi.Input<Record<string, unknown>>;
    /** Everything the manager pod needs when it is admitted and starts (the Pod Identity association above all). */
    readonly dependsOn: pulumi.Resource[];
}

/** Child `${name}-release`: the official gitlab-runner chart, pinned. */
export function managerRelease(parent: pulumi.Resource, name: string, args: ManagerReleaseArgs): k8s.helm.v3.Release {
    return new k8s.helm.v3.Release(
        `${name}-release`,
        {
            name: args.names.release,
            chart: RUNNER_CHART_NAME,
            version: args.chartVersion,
            repositoryOpts: { repo: RUNNER_CHART_REPO },
            namespace: args.managerNamespace.metadata.name,
            createNamespace: false,
            values: args.values,
            // A manager that cannot register (bad token, unreachable GitLab) rolls back instead of replacing a working one.
            atomic: true,
            timeout: 600,
            maxHistory: 10,
        },
        // Pod Identity credentials are injected when the pod is admitted: the association must exist first.
        { parent, provider: args.provider, dependsOn: args.dependsOn },
    );
}
