// IAM of a VM runner's manager, as plain data (tested directly). One role per VM runner, reached through EKS Pod
// Identity by its manager's service account only. The manager pod has one set of AWS credentials for everything it
// does (the plugin and the cache), so this role carries the shared cache's permissions too; the cache role of the
// Kubernetes runners is not associated with it.
//
// Compared with the fleeting AWS plugin's "Recommended IAM Policy" (README at v0.4.0, as imported in
// hetznercloud/fleeting-plugin-hetzner 5c71bcde) and cattle-ops/terraform-aws-gitlab-runner's
// policies/instance-docker-autoscaler-policy.json (release 9.5.2):
//   - SetDesiredCapacity / TerminateInstanceInAutoScalingGroup on the runner's own group: both name its ARN; here the
//     group's own tag must match too (the policy pack's rule for capacity writes).
//   - DescribeAutoScalingGroups / DescribeInstances on "*": both (they have no resource-level permissions). cattle-ops'
//     DescribeSpotInstanceRequests, DescribeTags, CompleteLifecycleAction and DescribeLifecycleHooks serve its own
//     scripts, not the plugin (its provider.go at v0.4.0 calls DescribeAutoScalingGroups, DescribeInstances,
//     SetDesiredCapacity, TerminateInstanceInAutoScalingGroup, SendSSHPublicKey and, for Windows, GetPasswordData;
//     the pinned 1.1.0's source was not readable here): left out.
//   - SendSSHPublicKey on instances tagged `aws:autoscaling:groupName` = the group: both; here also only for the VMs'
//     OS user (`ec2:osuser`, the action's condition key in the Service Authorization Reference for EC2 Instance
//     Connect). ec2:GetPasswordData is for Windows VMs only: left out.
import { cacheAccessPolicy, cacheRoleTrustPolicy } from "./cachePolicies";
import { LABEL_PREFIX } from "../../model/labels";
import type { AwsScope, PolicyDocument, PolicyStatement } from "../../model/iam";
import { VM_OS_USER } from "../../config/vmRunners/fleeting";

/** Tag on a VM runner's Auto Scaling group (value `<cluster>/<runner>`): what its manager's writes are scoped by. */
export const VM_RUNNER_TAG = `${LABEL_PREFIX}vm-runner`;

export const vmRunnerTagValue = (clusterName: string, runner: string) => `${clusterName}/${runner}`;

/** The calls the plugin makes to scale the group (provider.go Increase/Decrease). */
export const VM_SCALING_ACTIONS = ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"];
/** The reads it makes (provider.go getInstances/ConnectInfo); neither supports resource-level permissions. */
export const VM_DESCRIBE_ACTIONS = ["autoscaling:DescribeAutoScalingGroups", "ec2:DescribeInstances"];

export interface VmManagerPolicyInput {
    readonly scope: AwsScope;
    readonly asgArn: string;
    readonly asgName: string;
    /** vmRunnerTagValue of the runner. */
    readonly tagValue: string;
    /** The shared cache bucket. */
    readonly bucketArn: string;
}

export function vmManagerPolicy(input: VmManagerPolicyInput): PolicyDocument {
    const { partition, region, accountId } = input.scope;
    const statements: PolicyStatement[] = [
        {
            Sid: "ScaleOwnGroup",
            Effect: "Allow",
            Action: [...VM_SCALING_ACTIONS],
            Resource: input.asgArn,
            Condition: { StringEquals: { [`aws:ResourceTag/${VM_RUNNER_TAG}`]: input.tagValue } },
        },
        { Sid: "DescribeGroupAndInstances", Effect: "Allow", Action: [...VM_DESCRIBE_ACTIONS], Resource: "*" },
        {
            Sid: "PushThrowawaySshKeyToOwnVms",
            Effect: "Allow",
            Action: ["ec2-instance-connect:SendSSHPublicKey"],
            Resource: `arn:${partition}:ec2:${region}:${accountId}:instance/*`,
            Condition: {
                StringEquals: { "ec2:ResourceTag/aws:autoscaling:groupName": input.asgName, "ec2:osuser": VM_OS_USER },
            },
        },
        ...cacheAccessPolicy(input.bucketArn).Statement,
    ];
    return { Version: "2012-10-17", Statement: statements };
}

/** Trust: EKS Pod Identity, for this cluster's manager service account of this VM runner only. */
export function vmManagerTrustPolicy(args: { clusterName: string; namespace: string; serviceAccount: string }): PolicyDocument {
    return cacheRoleTrustPolicy({ ...args, serviceAccounts: [args.serviceAccount] });
}
