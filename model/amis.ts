// Where AWS publishes the EKS-optimized AMI releases. Shared by managed node groups (release_version input) and
// Karpenter node classes (the `al2023@v<date>` alias), so both follow the same release at every deploy.

/** AL2023 architecture names in the SSM paths, by Kubernetes architecture. */
const AL2023_SSM_ARCH = { amd64: "x86_64", arm64: "arm64" } as const;

/**
 * The public SSM parameter holding the newest recommended AL2023 release for a cluster version, e.g. `1.34.2-20251112`
 * (EKS user guide, "Retrieve recommended Amazon Linux AMI IDs": `/aws/service/eks/optimized-ami/<k8s>/amazon-linux-2023/
 * <arch>/standard/recommended/release_version`).
 */
export function al2023ReleaseParameter(arch: keyof typeof AL2023_SSM_ARCH, kubernetesVersion: string): string {
    return `/aws/service/eks/optimized-ami/${kubernetesVersion}/amazon-linux-2023/${AL2023_SSM_ARCH[arch]}/standard/recommended/release_version`;
}

/**
 * The Karpenter AMI alias of an AL2023 release version: `1.34.2-20251112` → `al2023@v20251112`. AL2023 aliases are
 * pinned by the date of the AMI's GitHub release tag (karpenter-provider-aws website/content/en/v1.14/concepts/
 * nodeclasses.md, "alias": "AL2 and AL2023 use dates for their release, so they can be pinned as `al2023@v20240703`").
 * Throws on anything else: an unpinned `latest` would patch nodes behind the program's back.
 */
export function al2023Alias(releaseVersion: string): string {
    const date = /^\d+\.\d+\.\d+-(\d{8})$/.exec(releaseVersion)?.[1];
    if (!date) throw new Error(`"${releaseVersion}" is not an AL2023 AMI release version like 1.34.2-20251112`);
    return `al2023@v${date}`;
}
