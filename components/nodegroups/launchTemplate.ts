import { NodeGroupConfig } from "../../config";
import { al2023ReleaseParameter } from "../../model/amis";
import { encryptedGp3Volume, HARDENED_METADATA_OPTIONS, instanceTagSpecifications } from "../../model/ec2";

/**
 * Launch template inputs for a node group (pure). Every node: IMDSv2 only with hop limit 1, so pods cannot borrow
 * the node role's credentials from instance metadata; an encrypted gp3 volume of the configured size where the
 * container images live (the shared image cache of the node); Name tags on instances and volumes.
 */
export function launchTemplateArgs(
    group: Pick<NodeGroupConfig, "amiType" | "diskSizeGiB" | "resourceName">,
    clusterName: string,
    tags: Record<string, string>,
) {
    // Bottlerocket keeps images on its second (data) volume; AL2023 on the root volume.
    const imageVolume = group.amiType.startsWith("BOTTLEROCKET") ? "/dev/xvdb" : "/dev/xvda";
    const nameTags = { ...tags, Name: `${clusterName}-${group.resourceName}` };
    return {
        description: `Nodes of ${clusterName} node group ${group.resourceName}`,
        updateDefaultVersion: true,
        metadataOptions: { ...HARDENED_METADATA_OPTIONS },
        blockDeviceMappings: [encryptedGp3Volume(imageVolume, group.diskSizeGiB)],
        tagSpecifications: instanceTagSpecifications(nameTags),
        tags,
    };
}

/** Taint effects as the EKS node group API spells them. */
export const EKS_TAINT_EFFECT = {
    NoSchedule: "NO_SCHEDULE",
    PreferNoSchedule: "PREFER_NO_SCHEDULE",
    NoExecute: "NO_EXECUTE",
} as const;

/**
 * The public SSM parameter holding the latest AMI release for a cluster version and AMI type. Resolving it at
 * deploy time is the patching mechanism: a scheduled `pulumi up` moves every group onto the newest release.
 */
export function releaseVersionParameter(amiType: NodeGroupConfig["amiType"], kubernetesVersion: string): string {
    switch (amiType) {
        case "AL2023_x86_64_STANDARD":
            return al2023ReleaseParameter("amd64", kubernetesVersion);
        case "AL2023_ARM_64_STANDARD":
            return al2023ReleaseParameter("arm64", kubernetesVersion);
        case "BOTTLEROCKET_x86_64":
            return `/aws/service/bottlerocket/aws-k8s-${kubernetesVersion}/x86_64/latest/image_version`;
        case "BOTTLEROCKET_ARM_64":
            return `/aws/service/bottlerocket/aws-k8s-${kubernetesVersion}/arm64/latest/image_version`;
    }
}
