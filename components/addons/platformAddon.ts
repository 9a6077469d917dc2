import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { AddonConfigBase, AddonContext, AddonSpec } from "../../config/addons";
import { AwsScope, awsManagedPolicyArn, podIdentityTrustPolicy } from "../../model/iam";

export interface PlatformAddonArgs {
    /** Any add-on's spec: the component reads only its rendering side. */
    readonly spec: AddonSpec<any>;
    readonly config: AddonConfigBase;
    readonly context: AddonContext;
    /** The cluster's name as an Output, so everything waits for the cluster. */
    readonly clusterName: pulumi.Input<string>;
    /** For Helm add-ons. */
    readonly provider?: k8s.Provider;
    /** The eks-pod-identity-agent add-on: associations only hand out credentials once it runs. */
    readonly podIdentityAgent?: pulumi.Resource;
    /** Partition, region and account, for add-ons with an IAM role. */
    readonly scope?: pulumi.Output<AwsScope>;
    readonly tags: Record<string, string>;
    /**
     * What the add-on's pods need before they can run (the management nodes, CoreDNS): Helm waits for Ready pods and
     * an EKS add-on for ACTIVE, neither of which can happen before.
     */
    readonly dependsOn?: pulumi.Input<pulumi.Resource>[];
}

/**
 * Any platform add-on from its spec (config/addons/spec.ts): its IAM role bound to its service account through EKS
 * Pod Identity (the node role never carries add-on permissions), its log groups with retention, and the Helm release
 * or EKS add-on with the platform's values. Children are named `${name}-<suffix>`; the type token comes from the spec.
 */
export class PlatformAddon extends pulumi.ComponentResource {
    public readonly roleArn?: pulumi.Output<string>;
    public readonly release?: k8s.helm.v3.Release;
    /** The release of the add-on's CRD chart, for add-ons that have one. */
    public readonly crds?: k8s.helm.v3.Release;
    public readonly addon?: aws.eks.Addon;

    constructor(name: string, args: PlatformAddonArgs, opts?: pulumi.ComponentResourceOptions) {
        const { spec, config, context } = args;
        super(spec.type, name, {}, opts);
        const prerequisites: pulumi.Input<pulumi.Resource>[] = [];

        let role: aws.iam.Role | undefined;
        if (spec.identity) {
            const identity = spec.identity;
            role = new aws.iam.Role(
                `${name}-role`,
                {
                    description: `${identity.description} of EKS cluster ${context.clusterName} (EKS Pod Identity)`,
                    assumeRolePolicy: JSON.stringify(podIdentityTrustPolicy()),
                    tags: args.tags,
                },
                { parent: this },
            );
            const scope = args.scope!;
            const wanted = identity.policy;
            const policy =
                "inline" in wanted
                    ? new aws.iam.RolePolicy(
                          `${name}-policy`,
                          { role: role.id, policy: scope.apply((s) => JSON.stringify(wanted.inline(context, s))) },
                          { parent: this },
                      )
                    : new aws.iam.RolePolicyAttachment(
                          `${name}-policy`,
                          { role: role.name, policyArn: scope.apply((s) => awsManagedPolicyArn(s.partition, wanted.managed)) },
                          { parent: this },
                      );
            prerequisites.push(policy);
            this.roleArn = role.arn;
        }

        // Without them, a log shipper creates its groups with no retention: logs kept, and paid for, forever.
        for (const [key, logGroupName] of Object.entries(spec.logGroups?.(context) ?? {})) {
            const logGroup = new aws.cloudwatch.LogGroup(
                `${name}-${key}`,
                { name: logGroupName, retentionInDays: spec.logRetentionDays!(config), tags: args.tags },
                { parent: this },
            );
            prerequisites.push(logGroup);
        }

        const values = spec.values(config, context);
        if (spec.install.kind === "helm") {
            const install = spec.install;
            if (role && spec.identity) {
                // Pods started before the association exists get no credentials until restarted: install after it.
                prerequisites.unshift(
                    new aws.eks.PodIdentityAssociation(
                        `${name}-pod-identity`,
                        {
                            clusterName: args.clusterName,
                            namespace: spec.namespace,
                            serviceAccount: spec.identity.serviceAccount,
                            roleArn: role.arn,
                            tags: args.tags,
                        },
                        { parent: this, dependsOn: args.podIdentityAgent ? [args.podIdentityAgent] : [] },
                    ),
                );
            }
            const version = spec.chartVersion!(config);
            const repositoryOpts = install.repo ? { repositoryOpts: { repo: install.repo } } : {};
            // CRDs from their own chart first, upgraded with every version bump; the main chart then skips its copies.
            const crds =
                install.crdChart &&
                new k8s.helm.v3.Release(
                    `${name}-crds`,
                    { name: `${install.releaseName}-crd`, chart: install.crdChart, version, namespace: spec.namespace },
                    { parent: this, provider: args.provider, dependsOn: args.dependsOn },
                );
            this.release = new k8s.helm.v3.Release(
                `${name}-release`,
                {
                    name: install.releaseName,
                    chart: install.chart,
                    version,
                    ...repositoryOpts,
                    namespace: spec.namespace,
                    values,
                    ...(crds ? { skipCrds: true } : {}),
                },
                {
                    parent: this,
                    provider: args.provider,
                    dependsOn: [...prerequisites, ...(crds ? [crds] : []), ...(args.dependsOn ?? [])],
                },
            );
            this.crds = crds || undefined;
        } else {
            const addonName = spec.install.addonName;
            const addonVersion =
                spec.addonVersion?.(config) ??
                aws.eks.getAddonVersionOutput(
                    { addonName, kubernetesVersion: context.kubernetesVersion, mostRecent: true },
                    { parent: this },
                ).version;
            this.addon = new aws.eks.Addon(
                `${name}-addon`,
                {
                    clusterName: args.clusterName,
                    addonName,
                    addonVersion,
                    configurationValues: JSON.stringify(values),
                    // The EKS add-on makes its own association for the service account it runs as.
                    podIdentityAssociations:
                        role && spec.identity ? [{ roleArn: role.arn, serviceAccount: spec.identity.serviceAccount }] : undefined,
                    resolveConflictsOnCreate: "OVERWRITE",
                    resolveConflictsOnUpdate: "OVERWRITE",
                    tags: args.tags,
                },
                {
                    parent: this,
                    dependsOn: [
                        ...(role && args.podIdentityAgent ? [args.podIdentityAgent] : []),
                        ...prerequisites,
                        ...(args.dependsOn ?? []),
                    ],
                },
            );
        }

        this.registerOutputs({
            roleArn: this.roleArn,
            releaseStatus: this.release?.status,
            addonVersion: this.addon?.addonVersion,
        });
    }
}
