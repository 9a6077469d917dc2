import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { KARPENTER_NODE_POLICIES } from "../../config/addons/karpenterIam";
import { karpenterNames } from "../../model/karpenter";

/**
 * The IAM role of every node Karpenter launches, as the getting-started template's KarpenterNodeRole: trusted by EC2
 * (`ec2.${AWS::URLSuffix}`), with the worker, CNI, ECR pull and SSM-core managed policies. Its name is fixed (model/
 * karpenter.ts) because the controller's `iam:PassRole` names it. It exists before the cluster: the cluster's
 * EC2_LINUX access entry for it (components/cluster/accessEntries.ts) lets the nodes join.
 */
export class KarpenterNodeRole extends pulumi.ComponentResource {
    public readonly role: aws.iam.Role;

    constructor(
        name: string,
        args: { clusterName: string; tags: Record<string, string> },
        opts?: pulumi.ComponentResourceOptions,
    ) {
        super("eks-gitlab-runners:index:KarpenterNodeRole", name, {}, opts);
        const partition = aws.getPartitionOutput({}, { parent: this });
        this.role = new aws.iam.Role(
            `${name}-role`,
            {
                name: karpenterNames(args.clusterName).nodeRole,
                description: `Nodes Karpenter launches for EKS cluster ${args.clusterName}`,
                assumeRolePolicy: partition.dnsSuffix.apply((suffix) =>
                    JSON.stringify({
                        Version: "2012-10-17",
                        Statement: [{ Effect: "Allow", Principal: { Service: `ec2.${suffix}` }, Action: ["sts:AssumeRole"] }],
                    }),
                ),
                tags: args.tags,
            },
            { parent: this },
        );
        for (const policy of KARPENTER_NODE_POLICIES) {
            new aws.iam.RolePolicyAttachment(
                `${name}-${policy}`,
                { role: this.role.name, policyArn: pulumi.interpolate`arn:${partition.partition}:iam::aws:policy/${policy}` },
                { parent: this },
            );
        }
        this.registerOutputs({ roleArn: this.role.arn });
    }
}
