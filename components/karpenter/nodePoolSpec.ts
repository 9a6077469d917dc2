// A node pool of the stack file as the two Karpenter objects that make it (pure, plain data): the EC2NodeClass (how
// a node is built: role, AMI, subnets, security groups, metadata, disk) and the NodePool (which shapes, the job label
// and taint, the CPU limit, and how nodes are disrupted). Field meanings: aws/karpenter-provider-aws
// website/content/en/v1.14/concepts/{nodepools,nodeclasses,disruption}.md; tests validate both objects against the
// CRD schemas of v1.14.1 (tests/fixtures/upstream/karpenter-crds.v1.14.1.yaml).
import type { NodePoolConfig } from "../../config/nodePools";
import { KARPENTER_LABELS, karpenterDiscoveryTags } from "../../model/karpenter";

export const NODE_POOL_API = { apiVersion: "karpenter.sh/v1", kind: "NodePool" } as const;
export const EC2_NODE_CLASS_API = { apiVersion: "karpenter.k8s.aws/v1", kind: "EC2NodeClass" } as const;

/**
 * Disruption budgets (disruption.md, "NodePool Disruption Budgets": per reason, the most restrictive applicable
 * budget wins; budgets never hold back expiration). Empty nodes hold no job, so all may go at once; drifted nodes (a
 * new AMI release, a changed pool) are replaced a tenth at a time, so the pool never loses much capacity to a patch.
 * Underutilized never applies: job pools consolidate only when empty.
 */
export const DISRUPTION_BUDGETS = [
    { nodes: "100%", reasons: ["Empty"] },
    { nodes: "10%", reasons: ["Drifted"] },
] as const;

export interface NodePoolSpecContext {
    /** The cluster's static name: the discovery tags and the Name tag. */
    readonly clusterName: string;
    /** The IAM role of Karpenter's nodes (model/karpenter.ts karpenterNames); Karpenter makes the instance profile. */
    readonly nodeRoleName: string;
    /** The AMI release resolved at this deploy, as an alias (`al2023@v20251112`; model/amis.ts). */
    readonly amiAlias: string;
    /** Tags for every AWS resource of the stack. */
    readonly tags: Readonly<Record<string, string>>;
}

/** The EC2NodeClass of a pool. Named like the pool, so its NodePool refers to it by name. */
export function ec2NodeClassObject(pool: NodePoolConfig, ctx: NodePoolSpecContext) {
    const discovery = karpenterDiscoveryTags(ctx.clusterName);
    return {
        ...EC2_NODE_CLASS_API,
        metadata: { name: pool.name },
        spec: {
            // `role`, not `instanceProfile`: Karpenter creates and tags the instance profile itself, within the
            // instance-profile permissions of its policy (config/addons/karpenterIam.ts).
            role: ctx.nodeRoleName,
            // A pinned release: a new one (resolved at the next deploy) drifts every node, which Karpenter replaces
            // within the budgets, waiting for running jobs up to terminationGracePeriod: patching by drift.
            amiSelectorTerms: [{ alias: ctx.amiAlias }],
            // The subnets and the cluster security group the program tags for discovery (components/karpenter/).
            subnetSelectorTerms: [{ tags: discovery }],
            securityGroupSelectorTerms: [{ tags: discovery }],
            // IMDSv2 only, hop limit 1: a job's pod cannot reach the node role's credentials (Karpenter's defaults,
            // written out; nodeclasses.md "spec.metadataOptions").
            metadataOptions: {
                httpEndpoint: "enabled",
                httpProtocolIPv6: "disabled",
                httpPutResponseHopLimit: 1,
                httpTokens: "required",
            },
            // AL2023's root device (nodeclasses.md, "spec.blockDeviceMappings", AL2023 default /dev/xvda, 20Gi gp3
            // encrypted) at the pool's size: it holds the node's image cache.
            blockDeviceMappings: [
                {
                    deviceName: "/dev/xvda",
                    ebs: { volumeSize: `${pool.diskSizeGiB}Gi`, volumeType: "gp3", encrypted: true, deleteOnTermination: true },
                },
            ],
            tags: { ...ctx.tags, Name: `${ctx.clusterName}-${pool.name}` },
        },
    };
}

/** The NodePool of a pool. */
export function nodePoolObject(pool: NodePoolConfig) {
    const requirement = (key: string, values: readonly string[]) => ({ key, operator: "In", values: [...values] });
    return {
        ...NODE_POOL_API,
        metadata: { name: pool.name },
        spec: {
            template: {
                // The job label (role + pool name) its runners select, as a jobs node group's nodes carry it.
                metadata: { labels: { ...pool.labels } },
                spec: {
                    nodeClassRef: { group: "karpenter.k8s.aws", kind: EC2_NODE_CLASS_API.kind, name: pool.name },
                    requirements: [
                        requirement(KARPENTER_LABELS.arch, [pool.arch]),
                        requirement(KARPENTER_LABELS.os, ["linux"]),
                        requirement(KARPENTER_LABELS.capacityType, pool.capacityTypes),
                        requirement(KARPENTER_LABELS.instanceFamily, pool.instanceFamilies),
                        requirement(KARPENTER_LABELS.instanceSize, pool.instanceSizes),
                    ],
                    // The jobs taint every job pod tolerates: nothing else lands on a job node.
                    taints: pool.taints.map((t) => ({ key: t.key, value: t.value, effect: t.effect })),
                    expireAfter: pool.expireAfter,
                    terminationGracePeriod: pool.terminationGracePeriod,
                },
            },
            // A string: the API server turns numbers into strings anyway (nodepools.md, "spec.limits").
            limits: { cpu: String(pool.cpuLimit) },
            disruption: {
                // Never WhenEmptyOrUnderutilized, which replaces nodes that still run pods to pack them tighter: the
                // do-not-disrupt annotation keeps job nodes out of it, WhenEmpty keeps even a pod without it safe.
                consolidationPolicy: "WhenEmpty",
                consolidateAfter: pool.consolidateAfter,
                budgets: DISRUPTION_BUDGETS.map((b) => ({ nodes: b.nodes, reasons: [...b.reasons] })),
            },
        },
    };
}
