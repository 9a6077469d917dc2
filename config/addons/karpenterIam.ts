// Karpenter's IAM, statement for statement as in the getting-started CloudFormation template of the pinned release
// (aws/karpenter-provider-aws website/content/en/v1.14/getting-started/getting-started-with-karpenter/cloudformation.yaml
// at commit 1d927085dd81a9df9301e613f371dac5b4d16bfe, identical to website/content/en/docs/… at tag v1.14.1): the six
// controller policies (NodeLifecycle, IAMIntegration, EKSIntegration, Interruption, ZonalShift, ResourceDiscovery)
// joined into one document with their Sids, and the node role's managed policies. tests/karpenterIam.test.ts holds
// them to a copy of that template (tests/fixtures/upstream/karpenter-cloudformation.v1.14.1.yaml).
import type { AwsScope, PolicyDocument, PolicyStatement } from "../../model/iam";
import { karpenterNames } from "../../model/karpenter";

/** AWS-managed policies of the node role (template: KarpenterNodeRole.ManagedPolicyArns). */
export const KARPENTER_NODE_POLICIES = [
    "AmazonEKS_CNI_Policy",
    "AmazonEKSWorkerNodePolicy",
    "AmazonEC2ContainerRegistryPullOnly",
    "AmazonSSMManagedInstanceCore",
] as const;

/** ARNs of what the controller may touch by name: its node role and its interruption queue (names: model/karpenter.ts). */
export function karpenterArns(clusterName: string, scope: AwsScope) {
    const { partition, region, accountId } = scope;
    const names = karpenterNames(clusterName);
    return {
        nodeRole: `arn:${partition}:iam::${accountId}:role/${names.nodeRole}`,
        queue: `arn:${partition}:sqs:${region}:${accountId}:${names.queue}`,
        cluster: `arn:${partition}:eks:${region}:${accountId}:cluster/${clusterName}`,
    };
}

/**
 * The controller's permissions. Launches and deletions are limited to resources tagged for this cluster
 * (`kubernetes.io/cluster/<cluster>` = owned) and a NodePool (`karpenter.sh/nodepool`), tags may only be written while
 * creating such resources (or the three naming tags on its own instances), `iam:PassRole` names only the node role,
 * instance-profile actions are limited by the cluster, region and `karpenter.k8s.aws/ec2nodeclass` tags, the SQS
 * actions name only the interruption queue, and the read actions that have no resource-level permissions are limited
 * to the stack's region.
 */
export function karpenterControllerPolicy(clusterName: string, scope: AwsScope): PolicyDocument {
    const { partition, region, accountId } = scope;
    const arns = karpenterArns(clusterName, scope);
    const ec2 = (resource: string) => `arn:${partition}:ec2:${region}:*:${resource}`;
    const clusterTag = `kubernetes.io/cluster/${clusterName}`;
    const instanceProfiles = `arn:${partition}:iam::${accountId}:instance-profile/*`;
    const launched = [
        "fleet/*",
        "instance/*",
        "volume/*",
        "network-interface/*",
        "launch-template/*",
        "spot-instances-request/*",
    ].map(ec2);
    const ownedNodePoolResource = {
        StringEquals: { [`aws:ResourceTag/${clusterTag}`]: "owned" },
        StringLike: { "aws:ResourceTag/karpenter.sh/nodepool": "*" },
    };
    const ownedNodePoolRequest = {
        [`aws:RequestTag/${clusterTag}`]: "owned",
        "aws:RequestTag/eks:eks-cluster-name": clusterName,
    };
    const statements: PolicyStatement[] = [
        // NodeLifecycle
        {
            Sid: "AllowScopedEC2InstanceAccessActions",
            Effect: "Allow",
            Resource: [
                `arn:${partition}:ec2:${region}::image/*`,
                `arn:${partition}:ec2:${region}::snapshot/*`,
                ec2("security-group/*"),
                ec2("subnet/*"),
                ec2("capacity-reservation/*"),
                ec2("placement-group/*"),
            ],
            Action: ["ec2:RunInstances", "ec2:CreateFleet"],
        },
        {
            Sid: "AllowScopedEC2LaunchTemplateAccessActions",
            Effect: "Allow",
            Resource: ec2("launch-template/*"),
            Action: ["ec2:RunInstances", "ec2:CreateFleet"],
            Condition: ownedNodePoolResource,
        },
        {
            Sid: "AllowScopedEC2InstanceActionsWithTags",
            Effect: "Allow",
            Resource: launched,
            Action: ["ec2:RunInstances", "ec2:CreateFleet", "ec2:CreateLaunchTemplate"],
            Condition: { StringEquals: ownedNodePoolRequest, StringLike: { "aws:RequestTag/karpenter.sh/nodepool": "*" } },
        },
        {
            Sid: "AllowScopedResourceCreationTagging",
            Effect: "Allow",
            Resource: launched,
            Action: "ec2:CreateTags",
            Condition: {
                StringEquals: {
                    ...ownedNodePoolRequest,
                    "ec2:CreateAction": ["RunInstances", "CreateFleet", "CreateLaunchTemplate"],
                },
                StringLike: { "aws:RequestTag/karpenter.sh/nodepool": "*" },
            },
        },
        {
            Sid: "AllowScopedResourceTagging",
            Effect: "Allow",
            Resource: ec2("instance/*"),
            Action: "ec2:CreateTags",
            Condition: {
                ...ownedNodePoolResource,
                StringEqualsIfExists: { "aws:RequestTag/eks:eks-cluster-name": clusterName },
                "ForAllValues:StringEquals": { "aws:TagKeys": ["eks:eks-cluster-name", "karpenter.sh/nodeclaim", "Name"] },
            },
        },
        {
            Sid: "AllowScopedDeletion",
            Effect: "Allow",
            Resource: [ec2("instance/*"), ec2("launch-template/*")],
            Action: ["ec2:TerminateInstances", "ec2:DeleteLaunchTemplate"],
            Condition: ownedNodePoolResource,
        },
        // IAMIntegration
        {
            Sid: "AllowPassingInstanceRole",
            Effect: "Allow",
            Resource: arns.nodeRole,
            Action: "iam:PassRole",
            Condition: { StringEquals: { "iam:PassedToService": ["ec2.amazonaws.com", "ec2.amazonaws.com.cn"] } },
        },
        {
            Sid: "AllowScopedInstanceProfileCreationActions",
            Effect: "Allow",
            Resource: instanceProfiles,
            Action: ["iam:CreateInstanceProfile"],
            Condition: {
                StringEquals: {
                    ...ownedNodePoolRequest,
                    "aws:RequestTag/topology.kubernetes.io/region": region,
                },
                StringLike: { "aws:RequestTag/karpenter.k8s.aws/ec2nodeclass": "*" },
            },
        },
        {
            Sid: "AllowScopedInstanceProfileTagActions",
            Effect: "Allow",
            Resource: instanceProfiles,
            Action: ["iam:TagInstanceProfile"],
            Condition: {
                StringEquals: {
                    [`aws:ResourceTag/${clusterTag}`]: "owned",
                    "aws:ResourceTag/topology.kubernetes.io/region": region,
                    ...ownedNodePoolRequest,
                    "aws:RequestTag/topology.kubernetes.io/region": region,
                },
                StringLike: {
                    "aws:ResourceTag/karpenter.k8s.aws/ec2nodeclass": "*",
                    "aws:RequestTag/karpenter.k8s.aws/ec2nodeclass": "*",
                },
            },
        },
        {
            Sid: "AllowScopedInstanceProfileActions",
            Effect: "Allow",
            Resource: instanceProfiles,
            Action: ["iam:AddRoleToInstanceProfile", "iam:RemoveRoleFromInstanceProfile", "iam:DeleteInstanceProfile"],
            Condition: {
                StringEquals: {
                    [`aws:ResourceTag/${clusterTag}`]: "owned",
                    "aws:ResourceTag/topology.kubernetes.io/region": region,
                },
                StringLike: { "aws:ResourceTag/karpenter.k8s.aws/ec2nodeclass": "*" },
            },
        },
        // EKSIntegration: the API endpoint is discovered with DescribeCluster.
        { Sid: "AllowAPIServerEndpointDiscovery", Effect: "Allow", Resource: arns.cluster, Action: "eks:DescribeCluster" },
        // Interruption
        {
            Sid: "AllowInterruptionQueueActions",
            Effect: "Allow",
            Resource: arns.queue,
            Action: ["sqs:DeleteMessage", "sqs:GetQueueUrl", "sqs:ReceiveMessage"],
        },
        // ZonalShift
        {
            Sid: "AllowZonalShiftStatusReadOnly",
            Effect: "Allow",
            Resource: "*",
            Action: ["arc-zonal-shift:GetManagedResource"],
            Condition: { StringEquals: { "arc-zonal-shift:ResourceIdentifier": arns.cluster } },
        },
        // ResourceDiscovery
        {
            Sid: "AllowRegionalReadActions",
            Effect: "Allow",
            Resource: "*",
            Action: [
                "ec2:DescribeCapacityReservations",
                "ec2:DescribeImages",
                "ec2:DescribeInstances",
                "ec2:DescribeInstanceStatus",
                "ec2:DescribeInstanceTypeOfferings",
                "ec2:DescribeInstanceTypes",
                "ec2:DescribeLaunchTemplates",
                "ec2:DescribePlacementGroups",
                "ec2:DescribeSecurityGroups",
                "ec2:DescribeSpotPriceHistory",
                "ec2:DescribeSubnets",
            ],
            Condition: { StringEquals: { "aws:RequestedRegion": region } },
        },
        {
            Sid: "AllowSSMReadActions",
            Effect: "Allow",
            Resource: `arn:${partition}:ssm:${region}::parameter/aws/service/*`,
            Action: "ssm:GetParameter",
        },
        { Sid: "AllowPricingReadActions", Effect: "Allow", Resource: "*", Action: "pricing:GetProducts" },
        { Sid: "AllowUnscopedInstanceProfileListAction", Effect: "Allow", Resource: "*", Action: "iam:ListInstanceProfiles" },
        {
            Sid: "AllowInstanceProfileReadActions",
            Effect: "Allow",
            Resource: instanceProfiles,
            Action: "iam:GetInstanceProfile",
        },
    ];
    return { Version: "2012-10-17", Statement: statements };
}

/**
 * Resource policy of the interruption queue (template: KarpenterInterruptionQueuePolicy): EventBridge (and SQS) may
 * send to it; anything over plain HTTP is denied.
 */
export function interruptionQueuePolicy(queueArn: string): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Effect: "Allow",
                Principal: { Service: ["events.amazonaws.com", "sqs.amazonaws.com"] },
                Action: "sqs:SendMessage",
                Resource: queueArn,
            },
            {
                Sid: "DenyHTTP",
                Effect: "Deny",
                Action: "sqs:*",
                Resource: queueArn,
                Condition: { Bool: { "aws:SecureTransport": "false" } },
                Principal: "*",
            },
        ],
    };
}
