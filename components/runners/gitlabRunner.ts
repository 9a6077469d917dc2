import { RUNNER_LABELS, jobPodLabels } from "../../model/labels";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { NodeGroupConfig, RunnerConfig } from "../../config";

import { renderRunnerToml, RunnerTomlInput } from "./configToml";
import { runnerHelmValues } from "./helmValues";
import { createJobIsolation } from "./jobIsolation";
import { executorRoleRules } from "./rbac";
import type { RunnerRegistration } from "./registration/resource";
import { managerIdentity, managerRelease } from "./runnerManager";
import { managerToken } from "./managerToken";
import type { ClusterHandles } from "./clusterHandles";

export interface GitlabRunnerArgs {
    readonly runner: RunnerConfig;
    /** The runner's jobs node group or node pool (what its job pods select and tolerate); none for a Fargate runner. */
    readonly group?: RunnerTomlInput["group"];
    /** The management group (manager pod placement). */
    readonly management: NodeGroupConfig;
    readonly gitlabUrl: string;
    /** EKS cluster name from config (the runner's local name is derived from it). */
    readonly clusterName: string;
    readonly cluster: Pick<ClusterHandles, "clusterName" | "provider" | "podIdentityAgent" | "serviceCidr">;
    /** The managers' namespace (created once per stack by RunnerFleet). */
    readonly managerNamespace: k8s.core.v1.Namespace;
    readonly cache: {
        readonly bucketName: pulumi.Input<string>;
        readonly region: string;
        readonly roleArn: pulumi.Input<string>;
    };
    readonly tags: Record<string, string>;
    /** The GitLab API token (a secret), for a runner with `registration`. */
    readonly gitlabApiToken?: pulumi.Output<string>;
}

/**
 * One GitLab runner: a release of the official gitlab-runner chart whose manager pod runs on the management nodes,
 * its job namespace, a ServiceAccount with a Role in that namespace only, the token Secret, a PodDisruptionBudget
 * protecting its running job pods, and the Pod Identity association that gives the manager the cache role.
 * Children are named `${name}-<suffix>`; `name` comes from the runner's stable key.
 */
export class GitlabRunner extends pulumi.ComponentResource {
    public readonly release: k8s.helm.v3.Release;
    /** The rendered `runners.config` (config.toml `[[runners]]` template): shown in the offline plan, no secrets in it. */
    public readonly configToml: pulumi.Output<string>;
    public readonly jobNamespace: string;
    /** The runner in GitLab, for a runner with `registration` (docs/runner-registration.md). */
    public readonly registration?: RunnerRegistration;

    constructor(name: string, args: GitlabRunnerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("eks-gitlab-runners:index:GitlabRunner", name, {}, opts);
        const { runner, cluster } = args;
        const names = runner.names;
        const k8sOpts: pulumi.CustomResourceOptions = { parent: this, provider: cluster.provider };
        const labels = { "app.kubernetes.io/managed-by": "pulumi", [RUNNER_LABELS.runner]: runner.name };
        this.jobNamespace = names.jobNamespace;

        // Job pods get their own namespace: the manager's Role reaches them and nothing else (job secrets hold CI
        // variables), and per-namespace metrics give cost per runner. Privileged runners need the privileged
        // Pod Security level; everything else is held to baseline.
        const jobNamespace = new k8s.core.v1.Namespace(
            `${name}-jobs`,
            {
                metadata: {
                    name: names.jobNamespace,
                    labels: {
                        ...labels,
                        "pod-security.kubernetes.io/enforce": runner.privileged ? "privileged" : "baseline",
                        "pod-security.kubernetes.io/warn": runner.privileged ? "privileged" : "baseline",
                    },
                },
            },
            k8sOpts,
        );

        const { token, registration, podAnnotations } = managerToken(this, name, runner, {
            gitlabUrl: args.gitlabUrl,
            apiToken: args.gitlabApiToken,
        });
        this.registration = registration;

        const { serviceAccount, tokenSecret, podIdentity } = managerIdentity(this, name, {
            runner,
            token,
            labels,
            managerNamespace: args.managerNamespace,
            cluster,
            role: { arn: args.cache.roleArn, associationSuffix: "cache-access" },
            tags: args.tags,
        });

        const role = new k8s.rbac.v1.Role(
            `${name}-executor`,
            {
                metadata: { name: names.serviceAccount, namespace: jobNamespace.metadata.name, labels },
                rules: executorRoleRules({
                    jobServiceAccount: names.jobServiceAccount,
                    warmCapacity: runner.warmCapacity !== undefined,
                }),
            },
            k8sOpts,
        );
        const roleBinding = new k8s.rbac.v1.RoleBinding(
            `${name}-executor`,
            {
                metadata: { name: names.serviceAccount, namespace: jobNamespace.metadata.name, labels },
                roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: role.metadata.name },
                subjects: [
                    { kind: "ServiceAccount", name: serviceAccount.metadata.name, namespace: serviceAccount.metadata.namespace },
                ],
            },
            k8sOpts,
        );

        // The fix that kept jobs alive in production (seed 000): no voluntary eviction of a running job pod, so
        // Cluster Autoscaler never drains a node under it. Node-group upgrades wait for jobs up to 15 minutes.
        new k8s.policy.v1.PodDisruptionBudget(
            `${name}-jobs`,
            {
                metadata: { name: `${names.release}-jobs`, namespace: jobNamespace.metadata.name, labels },
                spec: {
                    maxUnavailable: 0,
                    selector: { matchLabels: { [RUNNER_LABELS.runner]: jobPodLabels(runner)[RUNNER_LABELS.runner] } },
                },
            },
            k8sOpts,
        );

        // Job service account, network policies, quota and (optionally) the jobs' AWS role: all in place before the
        // manager takes its first job (docs/runners.md#job-identity-and-isolation).
        const isolation = createJobIsolation(
            name,
            { runner, clusterName: args.clusterName, cluster, jobNamespace, labels, tags: args.tags },
            this,
        );

        this.configToml = pulumi
            .output(args.cache.bucketName)
            .apply((bucketName) =>
                renderRunnerToml({ runner, group: args.group, cache: { bucketName, region: args.cache.region } }),
            );
        const values = pulumi.all([this.configToml, podAnnotations]).apply(([runnersConfig, annotations]) =>
            runnerHelmValues({
                runner,
                gitlabUrl: args.gitlabUrl,
                clusterName: args.clusterName,
                management: args.management,
                runnersConfig,
                ...(annotations ? { podAnnotations: annotations } : {}),
            }),
        );

        this.release = managerRelease(this, name, {
            names,
            chartVersion: runner.chart.version,
            managerNamespace: args.managerNamespace,
            provider: cluster.provider,
            values,
            dependsOn: [tokenSecret, roleBinding, podIdentity, serviceAccount, ...isolation],
        });

        this.registerOutputs({
            releaseName: this.release.name,
            chartVersion: runner.chart.version,
            jobNamespace: names.jobNamespace,
            configToml: this.configToml,
        });
    }
}
