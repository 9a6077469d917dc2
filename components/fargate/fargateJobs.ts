// Fargate runners' side of a stack: one pod execution role for their job pods (trusted by eks-fargate-pods for this
// cluster's profiles only, with the managed pod-execution policy and the log stream actions on its own group), the
// CloudWatch log group with the configured retention, the aws-observability namespace and aws-logging ConfigMap the
// Fargate log router reads, and one Fargate profile per Fargate runner. Documents come from ./spec.ts.
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { FargateConfig, RunnerConfig } from "../../config";
import {
    AWS_OBSERVABILITY,
    awsLoggingData,
    fargateLogGroupName,
    fargateLogPolicy,
    fargateProfileSpec,
    logGroupArn,
    podExecutionPolicyArn,
    podExecutionTrustPolicy,
} from "./spec";
import { privateSubnetIds } from "./privateSubnets";

export interface FargateJobsArgs {
    readonly runners: readonly RunnerConfig[];
    readonly fargate: FargateConfig;
    readonly clusterName: string;
    readonly region: string;
    /** The EKS cluster's name output (the profiles wait for the cluster). */
    readonly cluster: pulumi.Input<string>;
    /** Subnets for the job pods: the pod subnets when the stack has them, else the cluster subnets. */
    readonly subnetIds: pulumi.Input<pulumi.Input<string>[]>;
    readonly vpcId: string;
    /** The subnets' route tables when the stack declares them (pod subnets), in the same order. */
    readonly routeTableIds?: readonly string[];
    readonly provider: k8s.Provider;
    readonly tags: Record<string, string>;
}

export class FargateJobs extends pulumi.ComponentResource {
    public readonly role: aws.iam.Role;
    public readonly profiles: Record<string, aws.eks.FargateProfile>;
    public readonly logGroup: aws.cloudwatch.LogGroup;

    constructor(name: string, args: FargateJobsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("eks-gitlab-runners:index:FargateJobs", name, {}, opts);
        const { clusterName, region, tags } = args;
        const partition = aws.getPartitionOutput({}, { parent: this }).partition;
        const accountId = aws.getCallerIdentityOutput({}, { parent: this }).accountId;
        const scope = pulumi.all([partition, accountId]).apply(([p, a]) => ({ partition: p, accountId: a, region }));

        this.role = new aws.iam.Role(
            `${name}-pod-execution`,
            {
                description: `Fargate job pods of EKS cluster ${clusterName} (image pulls, node registration, logs)`,
                assumeRolePolicy: scope.apply((s) => JSON.stringify(podExecutionTrustPolicy({ ...s, clusterName }))),
                tags,
            },
            { parent: this },
        );
        const managed = new aws.iam.RolePolicyAttachment(
            `${name}-pod-execution-policy`,
            { role: this.role.name, policyArn: partition.apply(podExecutionPolicyArn) },
            { parent: this },
        );

        const groupName = fargateLogGroupName(clusterName);
        this.logGroup = new aws.cloudwatch.LogGroup(
            `${name}-logs`,
            { name: groupName, retentionInDays: args.fargate.logRetentionDays, tags },
            { parent: this },
        );
        const logs = new aws.iam.RolePolicy(
            `${name}-logs`,
            {
                role: this.role.name,
                policy: scope.apply((s) => JSON.stringify(fargateLogPolicy(logGroupArn(s, groupName)))),
            },
            { parent: this, dependsOn: [this.logGroup] },
        );

        // The log router reads its configuration when a pod starts: both exist before any profile does.
        const namespace = new k8s.core.v1.Namespace(
            `${name}-observability`,
            { metadata: { name: AWS_OBSERVABILITY.name, labels: { ...AWS_OBSERVABILITY.labels } } },
            { parent: this, provider: args.provider },
        );
        const logging = new k8s.core.v1.ConfigMap(
            `${name}-logging`,
            {
                metadata: { name: AWS_OBSERVABILITY.configMap, namespace: AWS_OBSERVABILITY.name },
                data: awsLoggingData(region, groupName),
            },
            { parent: this, provider: args.provider, dependsOn: [namespace] },
        );

        // One profile per runner, named from its stable key. Profiles are immutable (EKS API CreateFargateProfile:
        // "Fargate profiles are immutable"): the provider replaces a profile whose selectors or subnets change, and
        // only that runner's. While a profile of the cluster is being deleted no other can be created (same page), so
        // each waits for the one before it. EKS creates the pod execution role's access entry itself (EKS user guide, "Create access
        // entries": "It's unnecessary to create an access entry for an IAM role that's used for ... a Fargate profile").
        // Only once every subnet is known to be private (./privateSubnets.ts): EKS would reject the profile otherwise.
        const subnetIds = privateSubnetIds(args.subnetIds, args.vpcId, args.routeTableIds, this);
        this.profiles = {};
        let previous: pulumi.Resource[] = [managed, logs, logging];
        for (const runner of args.runners.filter((r) => r.fargate)) {
            const spec = fargateProfileSpec(runner);
            const profile = new aws.eks.FargateProfile(
                `${name}-${runner.name}`,
                {
                    clusterName: args.cluster,
                    fargateProfileName: spec.profileName,
                    podExecutionRoleArn: this.role.arn,
                    subnetIds,
                    selectors: spec.selectors.map((s) => ({ namespace: s.namespace, labels: { ...s.labels } })),
                    tags,
                },
                { parent: this, dependsOn: previous },
            );
            this.profiles[runner.name] = profile;
            previous = [profile];
        }
        this.registerOutputs({ role: this.role.arn, logGroup: this.logGroup.name });
    }
}
