// Karpenter's words this program must agree on across config, renderers, components and policies: the pinned
// release, the names of what the program creates for it, the tags it discovers by, and the labels and annotation
// its objects use. Facts from aws/karpenter-provider-aws at the pinned tag (the paths below are in that repository).

/**
 * The pinned Karpenter release: chart `oci://public.ecr.aws/karpenter/karpenter` (and `karpenter-crd`) of this
 * version, whose appVersion and controller image are the same version. Newest upstream tag on 2026-08-21 (tag
 * v1.14.1, released 2026-08-20; versioned docs website/content/en/v1.14 at commit 1d927085dd81a9df9301e613f371dac5b4d16bfe,
 * "docs: update for patch release v1.14.1"). The IAM statements, interruption rules and CRD schemas this program is
 * tested against (tests/fixtures/upstream/karpenter-*.v1.14.1.yaml) are that release's.
 */
export const KARPENTER_VERSION = "1.14.1";

/**
 * Subnet and security-group discovery tag of the node classes. The getting-started guide and "Migrating from Cluster
 * Autoscaler" (website/content/en/v1.14/getting-started/migrating-from-cas/scripts/step05-tag-subnets.sh,
 * step06-tag-security-groups.sh) tag the nodes' subnets and security group with `karpenter.sh/discovery=<cluster>`.
 */
export const KARPENTER_DISCOVERY_TAG = "karpenter.sh/discovery";
export const karpenterDiscoveryTags = (clusterName: string) => ({ [KARPENTER_DISCOVERY_TAG]: clusterName });

/**
 * Pod annotation that keeps Karpenter from voluntarily disrupting the pod's node (consolidation, and drift unless the
 * NodeClaim has a terminationGracePeriod) and from evicting the pod while it drains a node
 * (website/content/en/v1.14/concepts/disruption.md, "Pod-Level Controls": `karpenter.sh/do-not-disrupt: "true"`,
 * permanent protection, "a single-pod blocking PDB").
 */
export const DO_NOT_DISRUPT = { "karpenter.sh/do-not-disrupt": "true" } as const;

/** Well-known labels a NodePool requirement selects on (website/content/en/v1.14/concepts/scheduling.md, "Well-Known Labels"). */
export const KARPENTER_LABELS = {
    arch: "kubernetes.io/arch",
    os: "kubernetes.io/os",
    capacityType: "karpenter.sh/capacity-type",
    instanceFamily: "karpenter.k8s.aws/instance-family",
    instanceSize: "karpenter.k8s.aws/instance-size",
    /** Put on every node Karpenter launches; its own chart keeps the controller off such nodes with `DoesNotExist`. */
    nodePool: "karpenter.sh/nodepool",
} as const;

/** `karpenter.sh/capacity-type` values this program offers (Karpenter also knows `reserved`: capacity reservations). */
export const CAPACITY_TYPES = ["spot", "on-demand"] as const;
export type CapacityType = (typeof CAPACITY_TYPES)[number];

/** IAM role names are at most 64 characters (IAM quotas), SQS queue names at most 80. */
const ROLE_NAME_MAX = 64;

/**
 * Names of what the program creates for Karpenter in AWS, derived from the cluster name like the upstream template's
 * (`KarpenterNodeRole-${ClusterName}`, queue `${ClusterName}`), so the controller policy can name its node role and
 * queue before either exists.
 */
export function karpenterNames(clusterName: string) {
    return {
        /** The role of every node Karpenter launches (the EC2NodeClass `role`). */
        nodeRole: `${clusterName}-karpenter-node`,
        /** The interruption queue (chart `settings.interruptionQueue`). */
        queue: `${clusterName}-karpenter`,
    };
}

/** The longest cluster name whose Karpenter names fit the IAM and SQS limits. */
export const KARPENTER_CLUSTER_NAME_MAX = ROLE_NAME_MAX - karpenterNames("").nodeRole.length;
