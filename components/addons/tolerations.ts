import type { Toleration } from "../../model/placement";

/** A DaemonSet that must run on every node of the cluster, with the tolerations it actually gets and where that is stated. */
export interface PlatformDaemonSet {
    readonly daemonSet: string;
    /** The EKS add-on that installs it. */
    readonly addon: "vpc-cni" | "kube-proxy" | "eks-pod-identity-agent" | "amazon-cloudwatch-observability";
    /** Only present when Container Insights is enabled. */
    readonly containerInsightsOnly: boolean;
    /** Upstream default tolerations. This program configures none of these DaemonSets' tolerations (config rejects overrides). */
    readonly tolerations: readonly Toleration[];
    readonly source: string;
}

const TOLERATE_EVERYTHING: readonly Toleration[] = [{ operator: "Exists" }];

/**
 * Every per-node DaemonSet the platform runs, and why it lands on tainted management and job nodes. If an upstream
 * default ever narrows, update the row: the placement test then shows which node groups would lose the DaemonSet.
 */
export const PLATFORM_DAEMONSETS: readonly PlatformDaemonSet[] = [
    {
        daemonSet: "aws-node",
        addon: "vpc-cni",
        containerInsightsOnly: false,
        tolerations: TOLERATE_EVERYTHING,
        source: "aws/amazon-vpc-cni-k8s config/master/aws-k8s-cni.yaml and charts/aws-vpc-cni/values.yaml `tolerations: [{operator: Exists}]` @b52188387f2e2f10bf289ace929d6a63b176a4fa (v1.23.1)",
    },
    {
        daemonSet: "kube-proxy",
        addon: "kube-proxy",
        containerInsightsOnly: false,
        tolerations: TOLERATE_EVERYTHING,
        source: "EKS kube-proxy add-on DaemonSet as read from a cluster (AWS publishes no manifest repo): eksctl-io/eksctl pkg/addons/default/testdata/sample-1.25.json @16f64c8b64f79f07c4dc070c166324447e953372",
    },
    {
        daemonSet: "eks-pod-identity-agent",
        addon: "eks-pod-identity-agent",
        containerInsightsOnly: false,
        tolerations: TOLERATE_EVERYTHING,
        source: "aws/eks-pod-identity-agent charts/eks-pod-identity-agent/values.yaml `tolerations: [{operator: Exists}]` @00bc058131a7f1ee0291375e9b2c6cdd2d980829",
    },
    {
        daemonSet: "cloudwatch-agent",
        addon: "amazon-cloudwatch-observability",
        containerInsightsOnly: true,
        tolerations: TOLERATE_EVERYTHING,
        source: "aws-observability/helm-charts charts/amazon-cloudwatch-observability/values.yaml root `tolerations: [{operator: Exists}]`, used by the agent when `agent.tolerations` is unset (templates/_helpers.tpl common.tolerations) @71a298ffdebe9d4e13ac709d24398062a2afe8ca; default since add-on v1.7.0 (aws/containers-roadmap#2195)",
    },
    {
        daemonSet: "fluent-bit",
        addon: "amazon-cloudwatch-observability",
        containerInsightsOnly: true,
        tolerations: TOLERATE_EVERYTHING,
        source: "same values.yaml: root tolerations, used when `containerLogs.fluentBit.tolerations` is unset (templates/linux/fluent-bit-daemonset.yaml) @71a298ffdebe9d4e13ac709d24398062a2afe8ca",
    },
];

/** The DaemonSets that run with or without Container Insights. */
export function platformDaemonSets(containerInsights: boolean): readonly PlatformDaemonSet[] {
    return PLATFORM_DAEMONSETS.filter((d) => containerInsights || !d.containerInsightsOnly);
}
