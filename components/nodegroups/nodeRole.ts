import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/**
 * The managed policies nodes need and nothing else: join the cluster, run the VPC CNI, pull images from ECR.
 * Add-ons that call AWS (autoscaler, Container Insights, runner cache) get their own roles via Pod Identity,
 * so no add-on permission ever lands on the node role that every pod's node shares.
 */
export const NODE_POLICIES = ["AmazonEKSWorkerNodePolicy", "AmazonEKS_CNI_Policy", "AmazonEC2ContainerRegistryReadOnly"] as const;

export function ec2TrustPolicy(): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }],
    });
}

/** One IAM role for the nodes of every group (EKS creates their access entries itself). */
export class NodeRole extends pulumi.ComponentResource {
    public readonly role: aws.iam.Role;

    constructor(name: string, args: { tags: Record<string, string> }, opts?: pulumi.ComponentResourceOptions) {
        super("eks-gitlab-runners:index:NodeRole", name, {}, opts);
        this.role = new aws.iam.Role(
            `${name}-role`,
            {
                assumeRolePolicy: ec2TrustPolicy(),
                description: "EKS managed node groups of eks-gitlab-runners",
                tags: args.tags,
            },
            { parent: this },
        );
        const partition = aws.getPartitionOutput({}, { parent: this }).partition;
        for (const policy of NODE_POLICIES) {
            new aws.iam.RolePolicyAttachment(
                `${name}-${policy}`,
                {
                    role: this.role.name,
                    policyArn: pulumi.interpolate`arn:${partition}:iam::aws:policy/${policy}`,
                },
                { parent: this },
            );
        }
        this.registerOutputs({ roleArn: this.role.arn });
    }
}
