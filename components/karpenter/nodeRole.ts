import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { KARPENTER_NODE_POLICIES } from "../../config/addons/karpenterIam";
import { karpenterNames } from "../../model/karpenter";

export interface KarpenterNodeRoleArgs {
    /** The cluster's static name: the role's name and description. */
    readonly clusterName: string;
    /** The cluster's name as an Output, so the access entry waits for the cluster. */
    readonly cluster: pulumi.Input<string>;
    readonly tags: Record<string, string>;
}

/**
 * The IAM role of every node Karpenter launches, as the getting-started template's KarpenterNodeRole: trusted by EC2
 * (`ec2.${AWS::URLSuffix}`), with the worker, CNI, ECR pull and SSM-core managed policies. Its name is fixed (model/
 * karpenter.ts) because the controller's `iam:PassRole` names it.
 *
 * And the role's cluster access entry, of type EC2_LINUX (@pulumi/eks 4.3.0 AccessEntryType.EC2Linux: "For IAM roles
 * associated with self-managed Linux node groups. Allows the nodes to join the cluster."; the Karpenter guides map the
 * node role to system:bootstrappers and system:nodes, website/content/en/v1.14/getting-started/migrating-from-cas/
 * _index.md). It is a resource of its own here rather than an entry of the cluster's `accessEntries` map
 * (components/cluster/accessEntries.ts) for one reason: order. The NodePools depend on it, so when a stack leaves
 * Karpenter the entry goes only after Karpenter has drained its nodes; removed from the cluster's map it would go with
 * the cluster's update, early, and nodes still running jobs would lose their kubelet's credentials.
 */
export class KarpenterNodeRole extends pulumi.ComponentResource {
    public readonly role: aws.iam.Role;
    /** What must exist before a Karpenter node can join: the role, its policies and its access entry. */
    public readonly joinPrerequisites: pulumi.Resource[];

    constructor(name: string, args: KarpenterNodeRoleArgs, opts?: pulumi.ComponentResourceOptions) {
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
        const attachments = KARPENTER_NODE_POLICIES.map(
            (policy) =>
                new aws.iam.RolePolicyAttachment(
                    `${name}-${policy}`,
                    { role: this.role.name, policyArn: pulumi.interpolate`arn:${partition.partition}:iam::aws:policy/${policy}` },
                    { parent: this },
                ),
        );
        const accessEntry = new aws.eks.AccessEntry(
            `${name}-access`,
            { clusterName: args.cluster, principalArn: this.role.arn, type: "EC2_LINUX", tags: args.tags },
            { parent: this },
        );
        this.joinPrerequisites = [this.role, ...attachments, accessEntry];
        this.registerOutputs({ roleArn: this.role.arn });
    }
}
