import * as pulumi from "@pulumi/pulumi";
import { ClusterConfig } from "../../config";

/** EKS access policy ARNs; the partition follows the principal's (aws, aws-cn, aws-us-gov). */
export const ACCESS_POLICIES = {
    admin: "AmazonEKSClusterAdminPolicy",
    viewer: "AmazonEKSViewPolicy",
} as const;

export interface AccessEntrySpec {
    principalArn: string;
    type: "STANDARD";
    accessPolicies: Record<string, { policyArn: string; accessScope: { type: "cluster" } }>;
}

/** A node role's entry: nodes with it may join. EC2_LINUX entries take no access policies (the node groups are implied). */
export interface NodeAccessEntrySpec {
    principalArn: pulumi.Input<string>;
    type: "EC2_LINUX";
}

/** Node roles that are not a managed node group's (EKS makes those entries itself), by a stable key. */
export interface NodeRoleArns {
    /** The role of the nodes Karpenter launches (components/karpenter/nodeRole.ts). */
    readonly karpenter?: pulumi.Input<string>;
}

/**
 * The `accessEntries` map of the cluster, keyed by a stable name derived from the role (not its list position),
 * so reordering `adminRoleArns` changes nothing and removing one role removes only its entry.
 * The CI deploy role (`deployRoleArn`) gets its own admin entry under the key `deploy-…`, so the pipeline reaches the
 * cluster whoever created it. The identity that creates the cluster is not listed: EKS grants the creator admin on
 * its own, and it must be none of these roles (one access entry per principal; validated in config/cluster.ts).
 */
export function accessEntries(
    cluster: Pick<ClusterConfig, "adminRoleArns" | "viewerRoleArns" | "deployRoleArn">,
    nodeRoles: NodeRoleArns = {},
): Record<string, AccessEntrySpec | NodeAccessEntrySpec> {
    const entries: Record<string, AccessEntrySpec | NodeAccessEntrySpec> = {};
    const add = (key: "admin" | "viewer" | "deploy", level: keyof typeof ACCESS_POLICIES, arn: string) => {
        const [, partition, , , account, resource] = arn.split(":");
        const roleName = resource.split("/").pop()!;
        entries[`${key}-${account}-${roleName}`] = {
            principalArn: arn,
            type: "STANDARD",
            accessPolicies: {
                [level]: {
                    policyArn: `arn:${partition}:eks::aws:cluster-access-policy/${ACCESS_POLICIES[level]}`,
                    accessScope: { type: "cluster" },
                },
            },
        };
    };
    if (cluster.deployRoleArn) add("deploy", "admin", cluster.deployRoleArn);
    cluster.adminRoleArns.forEach((arn) => add("admin", "admin", arn));
    cluster.viewerRoleArns.forEach((arn) => add("viewer", "viewer", arn));
    // Karpenter's nodes are not a managed node group's: their role needs its own entry of type EC2_LINUX to join
    // (@pulumi/eks 4.3.0 AccessEntryType.EC2Linux: "For IAM roles associated with self-managed Linux node groups.
    // Allows the nodes to join the cluster."; the Karpenter guides map the node role to system:bootstrappers and
    // system:nodes, website/content/en/v1.14/getting-started/migrating-from-cas/_index.md "Update aws-auth ConfigMap").
    if (nodeRoles.karpenter) entries["nodes-karpenter"] = { principalArn: nodeRoles.karpenter, type: "EC2_LINUX" };
    return entries;
}
