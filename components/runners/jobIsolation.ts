// The objects that fence in one runner's job pods: their service account, the job namespace's NetworkPolicies,
// ResourceQuota and LimitRange, and (with `jobIdentity`) the IAM role EKS Pod Identity gives them. Thin wiring: every
// document comes from a pure function (networkPolicies.ts, quota.ts, model/iam.ts). Children are named from the
// runner component's name, with that component as parent.
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { RunnerConfig } from "../../config";
import { inlinePolicyDocument, podIdentityTrustFor } from "../../model/iam";
import { CLUSTER_API_OPT_IN } from "../../model/labels";
import { defaultDenyPolicy, jobPodsPolicy, NetworkPolicyObject } from "./networkPolicies";
import { jobQuotaObjects } from "./quota";
import type { ClusterHandles } from "./clusterHandles";

export interface JobIsolationArgs {
    readonly runner: RunnerConfig;
    /** EKS cluster name from config (the trust policy is plain data). */
    readonly clusterName: string;
    readonly cluster: Pick<ClusterHandles, "clusterName" | "provider" | "podIdentityAgent" | "serviceCidr">;
    readonly jobNamespace: k8s.core.v1.Namespace;
    readonly labels: Record<string, string>;
    readonly tags: Record<string, string>;
}

/** Resource-name suffix of a managed policy attachment: the policy's account and name, stable under reordering. */
export function attachmentKey(arn: string): string {
    const [, , , , account, resource] = arn.split(":");
    return `${account}-${resource.replace(/^policy\//, "")}`.replace(/[^A-Za-z0-9-]+/g, "-").toLowerCase();
}

/** Creates the isolation objects of one runner; returns what the Helm release must wait for. */
export function createJobIsolation(name: string, args: JobIsolationArgs, parent: pulumi.Resource): pulumi.Resource[] {
    const { runner, cluster, labels } = args;
    const names = runner.names;
    const k8sOpts: pulumi.CustomResourceOptions = { parent, provider: cluster.provider };
    const namespace = args.jobNamespace.metadata.name;
    const apiAllowed = runner.network.allowClusterApi;

    const serviceAccount = new k8s.core.v1.ServiceAccount(
        `${name}-job-sa`,
        {
            metadata: {
                name: names.jobServiceAccount,
                namespace,
                labels: apiAllowed ? { ...labels, [CLUSTER_API_OPT_IN.label]: CLUSTER_API_OPT_IN.value } : labels,
            },
            // No token in job pods unless the runner may use the API (config.toml sets the same per pod).
            automountServiceAccountToken: apiAllowed,
        },
        k8sOpts,
    );

    const policy = (suffix: string, object: pulumi.Input<NetworkPolicyObject>, after: pulumi.Resource[]) =>
        new k8s.networking.v1.NetworkPolicy(
            `${name}-${suffix}`,
            { metadata: pulumi.output(object).metadata, spec: pulumi.output(object).spec },
            { ...k8sOpts, dependsOn: [args.jobNamespace, ...after] },
        );
    const allow = policy(
        "jobs-allow",
        apiAllowed
            ? pulumi.output(cluster.serviceCidr).apply((serviceCidr) => jobPodsPolicy({ runner, serviceCidr, labels }))
            : jobPodsPolicy({ runner, labels }),
        [],
    );
    // The deny comes second: jobs already running when this is first applied never lose DNS or their egress.
    const deny = policy("jobs-deny", defaultDenyPolicy(names.jobNamespace, labels), [allow]);

    const { resourceQuota, limitRange } = jobQuotaObjects(runner, labels);
    const quota = new k8s.core.v1.ResourceQuota(
        `${name}-jobs-quota`,
        { metadata: resourceQuota.metadata, spec: resourceQuota.spec },
        { ...k8sOpts, dependsOn: [args.jobNamespace] },
    );
    const limits = new k8s.core.v1.LimitRange(
        `${name}-jobs-limits`,
        { metadata: limitRange.metadata, spec: limitRange.spec },
        { ...k8sOpts, dependsOn: [args.jobNamespace] },
    );
    const waitFor: pulumi.Resource[] = [serviceAccount, deny, allow, quota, limits];

    const identity = runner.jobIdentity;
    if (identity) {
        const role = new aws.iam.Role(
            `${name}-job-role`,
            {
                description: `CI jobs of runner ${runner.name} on ${args.clusterName} (EKS Pod Identity)`,
                assumeRolePolicy: JSON.stringify(
                    podIdentityTrustFor("EksPodIdentityJobs", {
                        clusterName: args.clusterName,
                        namespace: names.jobNamespace,
                        serviceAccounts: [names.jobServiceAccount],
                    }),
                ),
                permissionsBoundary: identity.permissionsBoundaryArn,
                tags: { ...args.tags, "eks-gitlab-runners/purpose": "runner-jobs", "eks-gitlab-runners/runner": runner.name },
            },
            { parent },
        );
        for (const arn of identity.managedPolicyArns) {
            new aws.iam.RolePolicyAttachment(
                `${name}-job-policy-${attachmentKey(arn)}`,
                { role: role.name, policyArn: arn },
                { parent },
            );
        }
        if (identity.statements.length > 0) {
            new aws.iam.RolePolicy(
                `${name}-job-inline`,
                { role: role.id, policy: JSON.stringify(inlinePolicyDocument(identity.statements, "Job")) },
                { parent },
            );
        }
        // The webhook injects the credentials when a pod is admitted: the association must exist before the first job.
        waitFor.push(
            new aws.eks.PodIdentityAssociation(
                `${name}-job-identity`,
                {
                    clusterName: cluster.clusterName,
                    namespace: names.jobNamespace,
                    serviceAccount: names.jobServiceAccount,
                    roleArn: role.arn,
                    tags: args.tags,
                },
                { parent, dependsOn: [cluster.podIdentityAgent, serviceAccount] },
            ),
        );
    }
    return waitFor;
}
