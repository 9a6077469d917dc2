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

/**
 * The `accessEntries` map of the cluster, keyed by a stable name derived from the role (not its list position),
 * so reordering `adminRoleArns` changes nothing and removing one role removes only its entry.
 * The identity that runs `pulumi up` is not listed: EKS grants the cluster creator admin on its own.
 */
export function accessEntries(cluster: Pick<ClusterConfig, "adminRoleArns" | "viewerRoleArns">): Record<string, AccessEntrySpec> {
    const entries: Record<string, AccessEntrySpec> = {};
    const add = (level: keyof typeof ACCESS_POLICIES, arn: string) => {
        const [, partition, , , account, resource] = arn.split(":");
        const roleName = resource.split("/").pop()!;
        entries[`${level}-${account}-${roleName}`] = {
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
    cluster.adminRoleArns.forEach((arn) => add("admin", arn));
    cluster.viewerRoleArns.forEach((arn) => add("viewer", arn));
    return entries;
}
