import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { NodeGroupConfig } from "../../config";
import type { VmRunnerConfig } from "../../config/vmRunners";
import type { AwsScope } from "../../model/iam";
import { RUNNER_LABELS } from "../../model/labels";
import { vmRunnerHelmValues } from "./helmValues";
import { managerIdentity, managerRelease } from "./runnerManager";
import { managerToken } from "./managerToken";
import type { RunnerRegistration } from "./registration/resource";
import { renderVmRunnerToml } from "./vmConfigToml";
import { vmManagerPolicy, vmManagerTrustPolicy, vmRunnerTagValue } from "./vmPolicies";
import { VM_GROUP_OPTIONS, vmAmiParameter, vmAsgName, vmGroupArgs, vmLaunchTemplateArgs, vmSecurityRules } from "./vmSpec";
import type { ClusterHandles } from "./clusterHandles";

export interface VmRunnerArgs {
    readonly vm: VmRunnerConfig;
    /** The management group (manager pod placement). */
    readonly management: NodeGroupConfig;
    readonly gitlabUrl: string;
    /** EKS cluster name from config (names, tags, the runner's local name). */
    readonly clusterName: string;
    readonly region: string;
    readonly scope: pulumi.Output<AwsScope>;
    readonly cluster: Pick<ClusterHandles, "clusterName" | "provider" | "podIdentityAgent" | "clusterSecurityGroupId">;
    /** The existing VPC and its private subnets (network.subnetIds), routed through the NAT. */
    readonly network: { readonly vpcId: string; readonly subnetIds: readonly string[] };
    readonly managerNamespace: k8s.core.v1.Namespace;
    readonly cache: {
        readonly bucketName: pulumi.Input<string>;
        readonly bucketArn: pulumi.Input<string>;
        readonly region: string;
    };
    readonly tags: Record<string, string>;
    /** The GitLab API token (a secret), for a VM runner with `registration`. */
    readonly gitlabApiToken?: pulumi.Output<string>;
}

/**
 * One VM runner: the EC2 side (security group, launch template, Auto Scaling group; vmSpec.ts) and the manager that
 * scales it through the fleeting AWS plugin: its own IAM role through Pod Identity (vmPolicies.ts), service account,
 * token Secret and a release of the official chart on the management nodes (runnerManager.ts, shared with
 * GitlabRunner). Children are named `${name}-<suffix>`; `name` comes from the runner's stable key.
 */
export class VmRunner extends pulumi.ComponentResource {
    public readonly group: aws.autoscaling.Group;
    /** The runner in GitLab, for a VM runner with `registration` (docs/runner-registration.md). */
    public readonly registration?: RunnerRegistration;
    public readonly release: k8s.helm.v3.Release;
    /** The rendered `runners.config`: shown in the offline plan, no secrets in it. */
    public readonly configToml: pulumi.Output<string>;

    constructor(name: string, args: VmRunnerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("eks-gitlab-runners:index:VmRunner", name, {}, opts);
        const { vm, cluster, tags } = args;
        const parent = { parent: this };
        const ctx = { clusterName: args.clusterName, tags };

        const securityGroup = new aws.ec2.SecurityGroup(
            `${name}-sg`,
            {
                vpcId: args.network.vpcId,
                description: `VMs of ${args.clusterName} VM runner ${vm.name}: SSH from the cluster only`,
                tags: { ...tags, Name: vmAsgName(args.clusterName, vm.name) },
            },
            parent,
        );
        const rules = vmSecurityRules(cluster.clusterSecurityGroupId);
        new aws.vpc.SecurityGroupIngressRule(
            `${name}-ssh-from-cluster`,
            {
                securityGroupId: securityGroup.id,
                description: "SSH from the runner manager (cluster security group)",
                ...rules.ingress,
                tags,
            },
            parent,
        );
        new aws.vpc.SecurityGroupEgressRule(
            `${name}-egress`,
            {
                securityGroupId: securityGroup.id,
                description: "Packages, images, GitLab and the cache, through the NAT",
                ...rules.egress,
                tags,
            },
            parent,
        );

        // Resolved at every deploy: a scheduled `pulumi up` is what patches the VMs.
        const imageId = aws.ssm.getParameterOutput({ name: vmAmiParameter(vm.arch) }, parent).value;
        const launchTemplate = new aws.ec2.LaunchTemplate(
            `${name}-lt`,
            { ...vmLaunchTemplateArgs(vm, ctx), imageId, vpcSecurityGroupIds: [securityGroup.id] },
            parent,
        );
        const template = { id: launchTemplate.id, version: pulumi.interpolate`${launchTemplate.latestVersion}` };
        this.group = new aws.autoscaling.Group(`${name}-asg`, vmGroupArgs(vm, ctx, template, args.network.subnetIds), {
            ...parent,
            ...VM_GROUP_OPTIONS,
        });

        const role = new aws.iam.Role(
            `${name}-role`,
            {
                description: `Runner manager of ${args.clusterName} VM runner ${vm.name}: its Auto Scaling group, EC2 Instance Connect and the shared cache (EKS Pod Identity)`,
                assumeRolePolicy: JSON.stringify(
                    vmManagerTrustPolicy({
                        clusterName: args.clusterName,
                        namespace: vm.names.managerNamespace,
                        serviceAccount: vm.names.serviceAccount,
                    }),
                ),
                tags,
            },
            parent,
        );
        const access = new aws.iam.RolePolicy(
            `${name}-access`,
            {
                role: role.id,
                policy: pulumi
                    .all([args.scope, this.group.arn, this.group.name, args.cache.bucketArn])
                    .apply(([scope, asgArn, asgName, bucketArn]) =>
                        JSON.stringify(
                            vmManagerPolicy({
                                scope,
                                asgArn,
                                asgName,
                                bucketArn,
                                tagValue: vmRunnerTagValue(args.clusterName, vm.name),
                            }),
                        ),
                    ),
            },
            parent,
        );

        const labels = { "app.kubernetes.io/managed-by": "pulumi", [RUNNER_LABELS.runner]: vm.name };
        const { token, registration, podAnnotations } = managerToken(this, name, vm, {
            gitlabUrl: args.gitlabUrl,
            apiToken: args.gitlabApiToken,
        });
        this.registration = registration;
        const identity = managerIdentity(this, name, {
            runner: vm,
            token,
            labels,
            managerNamespace: args.managerNamespace,
            cluster,
            role: { arn: role.arn, associationSuffix: "identity" },
            tags,
        });

        this.configToml = pulumi
            .all([args.cache.bucketName, this.group.name])
            .apply(([bucketName, asgName]) =>
                renderVmRunnerToml({ vm, asgName, cache: { bucketName, region: args.cache.region } }),
            );
        const values = pulumi.all([this.configToml, podAnnotations]).apply(([runnersConfig, annotations]) =>
            vmRunnerHelmValues({
                vm,
                region: args.region,
                gitlabUrl: args.gitlabUrl,
                clusterName: args.clusterName,
                management: args.management,
                runnersConfig,
                ...(annotations ? { podAnnotations: annotations } : {}),
            }),
        );
        this.release = managerRelease(this, name, {
            names: vm.names,
            chartVersion: vm.chart.version,
            managerNamespace: args.managerNamespace,
            provider: cluster.provider,
            values,
            // The manager describes its group and scales it from its first second.
            dependsOn: [identity.tokenSecret, identity.serviceAccount, identity.podIdentity, access, this.group],
        });

        this.registerOutputs({
            asgName: this.group.name,
            releaseName: this.release.name,
            chartVersion: vm.chart.version,
            configToml: this.configToml,
        });
    }
}
