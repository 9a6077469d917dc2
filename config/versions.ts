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

/**
 * Cluster Autoscaler image (registry.k8s.io/autoscaling/cluster-autoscaler) per cluster minor: the autoscaler's minor
 * must match the control plane's (CA README, "Releases"). Each entry is the newest patch tag of that release branch
 * (kubernetes/autoscaler tags `cluster-autoscaler-1.xx.y`, checked 2026-08). Typed on EksVersion, so adding a
 * minor to EKS_VERSIONS fails to compile until it has an autoscaler here; the literal tags let
 * config/clusterAutoscalerFlags.ts fail to compile when a pinned tag has no flag list. Override per stack with
 * `addons.clusterAutoscaler.imageTag` (same minor only).
 */
export const CLUSTER_AUTOSCALER_IMAGES = {
    "1.30": "v1.30.7",
    "1.31": "v1.31.5",
    "1.32": "v1.32.7",
    "1.33": "v1.33.6",
    "1.34": "v1.34.5",
    "1.35": "v1.35.2",
} as const satisfies Readonly<Record<EksVersion, `v${string}`>>;

/** The Kubernetes minor an autoscaler image tag belongs to (`v1.34.5` → `1.34`), or undefined if it is not a tag. */
export function imageMinor(tag: string): string | undefined {
    return /^v(\d+\.\d+)\.\d+$/.exec(tag)?.[1];
}

/** Pinned Helm charts of the cluster add-ons. Bumping one is a reviewed change of this table (and its tests). */
export const ADDON_CHARTS = {
    /** kubernetes/autoscaler tag cluster-autoscaler-chart-9.59.0 (appVersion 1.35.0). Renders the image tag it is given. */
    clusterAutoscaler: { repo: "https://kubernetes.github.io/autoscaler", chart: "cluster-autoscaler", version: "9.59.0" },
    /** kubernetes-sigs/metrics-server tag metrics-server-helm-chart-3.13.1 (metrics-server 0.8.1). */
    metricsServer: { repo: "https://kubernetes-sigs.github.io/metrics-server/", chart: "metrics-server", version: "3.13.1" },
} as const;
