import type { AwsScope, PolicyDocument } from "../../model/iam";
import { caClusterTag, JOBS_DISCOVERY_TAG } from "../../model/autoscalerTags";

/**
 * Read actions Cluster Autoscaler needs with ASG auto-discovery and the dynamic instance list (CA AWS README, "Full
 * Cluster Autoscaler Features Policy", 1.35; `autoscaling:DescribeTags` is still listed for 1.30). These APIs
 * do not support resource-level permissions, so they are granted on `*`.
 */
export const CLUSTER_AUTOSCALER_READ_ACTIONS = [
    "autoscaling:DescribeAutoScalingGroups",
    "autoscaling:DescribeAutoScalingInstances",
    "autoscaling:DescribeLaunchConfigurations",
    "autoscaling:DescribeScalingActivities",
    "autoscaling:DescribeTags",
    "ec2:DescribeImages",
    "ec2:DescribeInstanceTypes",
    "ec2:DescribeLaunchTemplateVersions",
    "ec2:GetInstanceTypesFromInstanceRequirements",
] as const;

/** The only two calls that change capacity. */
export const CLUSTER_AUTOSCALER_WRITE_ACTIONS = [
    "autoscaling:SetDesiredCapacity",
    "autoscaling:TerminateInstanceInAutoScalingGroup",
] as const;

/**
 * The autoscaler's permissions. Writes are limited to ASGs in this account and region that carry *both* this
 * cluster's standard tag (`k8s.io/cluster-autoscaler/<cluster>` = `owned`, put by EKS on every managed group) and
 * the job-group discovery tag (`eks-gitlab-runners/autoscaled` = `<cluster>`, which the management group never has):
 * even a misconfigured autoscaler cannot resize another cluster's groups or this cluster's management group.
 * `eks:DescribeNodegroup` (labels/taints of a group that never had a node) is limited to this cluster's groups.
 */
export function clusterAutoscalerPolicy(clusterName: string, scope: AwsScope): PolicyDocument {
    const { partition, region, accountId } = scope;
    return {
        Version: "2012-10-17",
        Statement: [
            { Sid: "DescribeScalingState", Effect: "Allow", Action: [...CLUSTER_AUTOSCALER_READ_ACTIONS], Resource: "*" },
            {
                Sid: "ScaleThisClustersJobGroups",
                Effect: "Allow",
                Action: [...CLUSTER_AUTOSCALER_WRITE_ACTIONS],
                Resource: `arn:${partition}:autoscaling:${region}:${accountId}:autoScalingGroup:*:autoScalingGroupName/*`,
                Condition: {
                    StringEquals: {
                        [`aws:ResourceTag/${caClusterTag(clusterName)}`]: "owned",
                        [`aws:ResourceTag/${JOBS_DISCOVERY_TAG}`]: clusterName,
                    },
                },
            },
            {
                Sid: "ReadThisClustersNodeGroups",
                Effect: "Allow",
                Action: ["eks:DescribeNodegroup"],
                Resource: `arn:${partition}:eks:${region}:${accountId}:nodegroup/${clusterName}/*`,
            },
        ],
    };
}
