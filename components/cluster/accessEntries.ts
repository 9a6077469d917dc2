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
 * The CI deploy role (`deployRoleArn`) gets its own admin entry under the key `deploy-…`, so the pipeline reaches the
 * cluster whoever created it. The identity that creates the cluster is not listed: EKS grants the creator admin on
 * its own, and it must be none of these roles (one access entry per principal; validated in config/cluster.ts).
 */
export function accessEntries(
    cluster: Pick<ClusterConfig, "adminRoleArns" | "viewerRoleArns" | "deployRoleArn">,
): Record<string, AccessEntrySpec> {
    const entries: Record<string, AccessEntrySpec> = {};
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
    return entries;
}
