import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { durationSeconds, NodePoolConfig } from "../../config/nodePools";
import { al2023Alias, al2023ReleaseParameter } from "../../model/amis";
import { karpenterDiscoveryTags, karpenterNames } from "../../model/karpenter";
import { EC2_NODE_CLASS_API, ec2NodeClassObject, nodePoolObject } from "./nodePoolSpec";

export interface KarpenterNodePoolsArgs {
    readonly pools: readonly NodePoolConfig[];
    /** The cluster's static name (tags, names) and version (the AMI release). */
    readonly clusterName: string;
    readonly kubernetesVersion: string;
    /** The EKS-created cluster security group, which managed nodes use too: Karpenter's nodes get it by its tag. */
    readonly clusterSecurityGroupId: pulumi.Input<string>;
    /**
     * Existing subnets to tag for discovery (`network.subnetIds` when there are no pod subnets). Pod subnets carry the
     * tag from their creation instead: a tag resource beside the subnet resource would fight it.
     */
    readonly subnetIdsToTag: readonly string[];
    readonly provider: k8s.Provider;
    readonly tags: Record<string, string>;
    /**
     * What each NodePool and EC2NodeClass depends on itself: the controller's release (its CRDs) and what a node needs
     * to join. Named on the objects, not only on this component, so a deletion orders them before these.
     */
    readonly after: pulumi.Resource[];
}

/**
 * How long Pulumi waits for a pool's objects to go. Deleting a NodePool deletes its NodeClaims, and Karpenter drains
 * each node first, keeping a do-not-disrupt job until it ends or the pool's terminationGracePeriod runs out
 * (disruption.md, "NodePool Deletion", "TerminationGracePeriod"); an EC2NodeClass keeps its finalizer while any NodeClaim
 * still uses it and looks again every 10 minutes (pkg/controllers/nodeclass/controller.go finalize @v1.14.1). The
 * Kubernetes provider waits for a deleted object to be gone, within this timeout (pulumi/pulumi-kubernetes#802,
 * #3012). 15 minutes on top: the re-check and the instance termination.
 */
export function deleteTimeout(pool: Pick<NodePoolConfig, "terminationGracePeriod">): string {
    return `${Math.ceil(durationSeconds(pool.terminationGracePeriod)! / 60) + 15}m`;
}

/**
 * Karpenter's job capacity: the discovery tags on the subnets and security group its nodes use, and for every node
 * pool its EC2NodeClass and NodePool (nodePoolSpec.ts), named by the pool's stable key. Created after the controller
 * (the caller's dependsOn): the CRDs come with its chart. The AMI release is read at every deploy, so a new release
 * drifts the nodes and Karpenter replaces them without killing a job.
 */
export class KarpenterNodePools extends pulumi.ComponentResource {
    public readonly nodePools: readonly k8s.apiextensions.CustomResource[];
    public readonly nodeClasses: readonly k8s.apiextensions.CustomResource[];

    constructor(name: string, args: KarpenterNodePoolsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("eks-gitlab-runners:index:KarpenterNodePools", name, {}, opts);
        const [[key, value]] = Object.entries(karpenterDiscoveryTags(args.clusterName));
        // Only for resources created outside this program (@pulumi/aws 7.48.0 ec2/tag.d.ts: never beside the
        // resource that manages the same object's tags): the EKS-created security group and pre-existing subnets.
        const discovery = [
            new aws.ec2.Tag(
                `${name}-discovery-cluster-sg`,
                { resourceId: args.clusterSecurityGroupId, key, value },
                { parent: this },
            ),
            ...args.subnetIdsToTag.map(
                (subnetId) =>
                    new aws.ec2.Tag(`${name}-discovery-${subnetId}`, { resourceId: subnetId, key, value }, { parent: this }),
            ),
        ];

        const aliases = new Map<string, pulumi.Output<string>>();
        const aliasFor = (arch: NodePoolConfig["arch"]) => {
            if (!aliases.has(arch)) {
                const release = aws.ssm.getParameterOutput(
                    { name: al2023ReleaseParameter(arch, args.kubernetesVersion) },
                    { parent: this },
                ).value;
                aliases.set(arch, release.apply(al2023Alias));
            }
            return aliases.get(arch)!;
        };

        const k8sOpts = (pool: NodePoolConfig) => ({
            parent: this,
            provider: args.provider,
            customTimeouts: { delete: deleteTimeout(pool) },
        });
        const nodeClasses: k8s.apiextensions.CustomResource[] = [];
        this.nodePools = args.pools.map((pool) => {
            const nodeClass = aliasFor(pool.arch).apply((amiAlias) =>
                ec2NodeClassObject(pool, {
                    clusterName: args.clusterName,
                    nodeRoleName: karpenterNames(args.clusterName).nodeRole,
                    amiAlias,
                    tags: args.tags,
                }),
            );
            const ec2NodeClass = new k8s.apiextensions.CustomResource(
                `${name}-${pool.name}-nodeclass`,
                {
                    ...EC2_NODE_CLASS_API,
                    metadata: nodeClass.metadata,
                    spec: nodeClass.spec,
                },
                // A node class finds nothing to launch into until the discovery tags exist.
                { ...k8sOpts(pool), dependsOn: [...args.after, ...discovery] },
            );
            nodeClasses.push(ec2NodeClass);
            const nodePool = nodePoolObject(pool);
            return new k8s.apiextensions.CustomResource(`${name}-${pool.name}-nodepool`, nodePool, {
                ...k8sOpts(pool),
                dependsOn: [...args.after, ec2NodeClass],
            });
        });
        this.nodeClasses = nodeClasses;
        this.registerOutputs({ nodePools: args.pools.map((p) => p.name) });
    }
}
