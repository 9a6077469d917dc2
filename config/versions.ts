/**
 * Kubernetes minors this program supports for the EKS control plane. Each later pinned component (Cluster
 * Autoscaler image, add-on versions) is keyed by these same minors, so adding one here is the start of a version
 * bump, not the whole of it.
 */
export const EKS_VERSIONS = ["1.30", "1.31", "1.32", "1.33", "1.34", "1.35"] as const;
export type EksVersion = (typeof EKS_VERSIONS)[number];

export const EKS_VERSION_RANGE = `${EKS_VERSIONS[0]}–${EKS_VERSIONS[EKS_VERSIONS.length - 1]}`;

export function isEksVersion(v: string): v is EksVersion {
    return (EKS_VERSIONS as readonly string[]).includes(v);
}
