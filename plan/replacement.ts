/**
 * Which input changes make a provider replace a resource instead of updating it, for the resource types this
 * program registers. Offline there is no provider to ask, so this is a table read from each provider's source;
 * together with the `replaceOnChanges` the program records, it says why a diff replaces something. A type that is
 * not in the table is reported as an update with that caveat, never silently as one.
 */
import type { DiffResult } from "@pulumi/pulumi/dynamic";
import { suspensionDiff } from "../components/nodegroups/azRebalance";
import { scalingDiff } from "../components/nodegroups/lifecycle/nodeGroupScaling";
import { GitlabRunnerState, runnerDiff } from "../components/runners/registration/lifecycle";

export interface ImmutableInputs {
    /** Pulumi input paths (camelCase, dotted) whose change replaces the resource. */
    readonly paths: readonly string[];
    /** Where this is decided upstream. */
    readonly source: string;
}

const TF = "hashicorp/terraform-provider-aws";
const K8S = "pulumi/pulumi-kubernetes provider/pkg/provider (commit cafe8c4)";

/** Every Kubernetes object: "changing the identity of the resource always causes a replacement". */
const K8S_IDENTITY = ["metadata.name", "metadata.namespace"];

export const IMMUTABLE_INPUTS: Readonly<Record<string, ImmutableInputs>> = {
    "aws:eks/nodeGroup:NodeGroup": {
        paths: [
            "amiType",
            "capacityType",
            "clusterName",
            "diskSize",
            "instanceTypes",
            "launchTemplate.id",
            "launchTemplate.name",
            "nodeGroupName",
            "nodeGroupNamePrefix",
            "nodeRoleArn",
            "remoteAccess",
            "subnetIds",
        ],
        source: `${TF} internal/service/eks/node_group.go (ForceNew; commit 012e0a3)`,
    },
    "aws:iam/role:Role": {
        paths: ["name", "namePrefix", "path"],
        source: `${TF} internal/service/iam/role.go (ForceNew; commit 0040ea6)`,
    },
    "aws:eks/podIdentityAssociation:PodIdentityAssociation": {
        paths: ["clusterName", "namespace", "serviceAccount"],
        source: `${TF} internal/service/eks/pod_identity_association.go (RequiresReplace; commit 00a3530)`,
    },
    "aws:autoscaling/tag:Tag": {
        paths: ["autoscalingGroupName", "tag.key"],
        source: `${TF} internal/service/autoscaling/group_tag.go (ForceNew; the value updates in place; commit 050ac11)`,
    },
    // A Fargate profile cannot be changed, only replaced: every input but its tags forces a new one.
    "aws:eks/fargateProfile:FargateProfile": {
        paths: ["clusterName", "fargateProfileName", "podExecutionRoleArn", "selectors", "subnetIds"],
        source: `${TF} internal/service/eks/fargate_profile.go (ForceNew; only tags update in place; commit 1455913)`,
    },
    "aws:eks/addon:Addon": {
        paths: ["addonName", "clusterName"],
        source: `${TF} internal/service/eks/addon.go (ForceNew; addon_version and configuration_values update in place; commit 00a3530)`,
    },
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": {
        paths: ["role", "policyArn"],
        source: `${TF} internal/service/iam/role_policy_attachment.go (ForceNew; commit 04c7984)`,
    },
    "aws:cloudwatch/logGroup:LogGroup": {
        paths: ["name", "namePrefix", "logGroupClass"],
        source: `${TF} internal/service/logs/group.go (ForceNew; retention and KMS key update in place; commit 0073593)`,
    },
    // A new bucket name is a new bucket: the old one is deleted (or, with retainOnDelete, left behind) with its cache.
    "aws:s3/bucket:Bucket": {
        paths: ["bucket", "bucketPrefix"],
        source: `${TF} internal/service/s3/bucket.go (ForceNew; commit 4c72bcc)`,
    },
    // @pulumi/eks Cluster is a component: its `name` is the aws_eks_cluster's name, ForceNew there.
    "eks:index:Cluster": {
        paths: ["name"],
        source: `${TF} internal/service/eks/cluster.go (name ForceNew; commit 00555dc)`,
    },
    "kubernetes:helm.sh/v3:Release": {
        paths: ["name", "namespace"],
        source: `${K8S} helm_release.go (forceNewFields .name, .namespace)`,
    },
    "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding": {
        paths: [...K8S_IDENTITY, "roleRef"],
        source: `${K8S} diff.go (roleBinding: .roleRef)`,
    },
    // The provider is built without enableSecretMutable (components/cluster/runnerCluster.ts), so a Secret's data is
    // immutable to it.
    "kubernetes:core/v1:Secret": {
        paths: [...K8S_IDENTITY, "type", "stringData", "data"],
        source: `${K8S} diff.go (Secret without enableSecretMutable: .type, .stringData, .data)`,
    },
    "kubernetes:core/v1:ResourceQuota": {
        paths: [...K8S_IDENTITY, "spec.scopes"],
        source: `${K8S} diff.go (ResourceQuota: .spec.scopes)`,
    },
    // DiffConfig replaces the provider when its kubeconfig points at another cluster, and every object with it.
    "pulumi:providers:kubernetes": {
        paths: ["kubeconfig"],
        source: `${K8S} provider.go DiffConfig (a kubeconfig for another cluster)`,
    },
};

/** Kubernetes kinds whose only immutable inputs are the name and namespace (same source). */
for (const type of [
    // Custom resources: diff.go has no kind entry for them, so only their identity replaces them.
    "kubernetes:karpenter.k8s.aws/v1:EC2NodeClass",
    "kubernetes:karpenter.sh/v1:NodePool",
    "kubernetes:core/v1:LimitRange",
    "kubernetes:core/v1:Namespace",
    "kubernetes:core/v1:ServiceAccount",
    "kubernetes:networking.k8s.io/v1:NetworkPolicy",
    "kubernetes:rbac.authorization.k8s.io/v1:Role",
    "kubernetes:policy/v1:PodDisruptionBudget",
    "kubernetes:scheduling.k8s.io/v1:PriorityClass",
]) {
    (IMMUTABLE_INPUTS as Record<string, ImmutableInputs>)[type] = {
        paths: K8S_IDENTITY,
        source: `${K8S} provider.go Diff (.metadata.name, .metadata.namespace)`,
    };
}

/** Dynamic providers of this program decide replacement in their own diff functions: asked directly. */
const DYNAMIC_DIFFS: Readonly<Record<string, (olds: never, news: never) => DiffResult>> = {
    "pulumi-nodejs:dynamic/eks-gitlab-runners:AsgProcessSuspension": suspensionDiff,
    "pulumi-nodejs:dynamic/eks-gitlab-runners:NodeGroupScaling": scalingDiff,
    // Its state also holds the runner's ID in GitLab; from inputs alone, the runner an earlier adoption took over is
    // the one in state (a new adoptRunnerId names another runner: a replacement, as in the provider).
    "pulumi-nodejs:dynamic/eks-gitlab-runners:RunnerRegistration": (olds: Record<string, unknown>, news: never) =>
        runnerDiff({ ...olds, runnerId: olds.adoptRunnerId } as unknown as GitlabRunnerState, news),
};

/** Whether `changed` is `path` or inside it, or contains it (a whole object replaced). */
const touches = (changed: string, path: string) =>
    path === "*" || changed === path || changed.startsWith(`${path}.`) || path.startsWith(`${changed}.`);

/**
 * Why a resource of `type` with these changed input paths is replaced, or an empty list for an in-place update.
 * `replaceOnChanges` are the resource options the program recorded; `olds`/`news` the inputs (dynamic resources).
 */
export function replacementReasons(
    type: string,
    changed: readonly string[],
    replaceOnChanges: readonly string[],
    olds: Record<string, unknown>,
    news: Record<string, unknown>,
): string[] {
    const reasons: string[] = [];
    for (const path of replaceOnChanges) {
        const hit = changed.find((c) => touches(c, path));
        if (hit) reasons.push(`${hit} (replaceOnChanges of the program)`);
    }
    const table = IMMUTABLE_INPUTS[type];
    for (const path of table?.paths ?? []) {
        const hit = changed.find((c) => touches(c, path));
        if (hit && !reasons.some((r) => r.startsWith(`${hit} `))) reasons.push(`${hit} (immutable: ${table!.source})`);
    }
    const dynamic = DYNAMIC_DIFFS[type];
    if (dynamic) {
        let replaces: readonly string[];
        try {
            replaces = dynamic(olds as never, news as never).replaces ?? [];
        } catch {
            replaces = changed; // inputs of another shape (an older program): assume the worst
        }
        for (const key of replaces) reasons.push(`${key} (the provider's own diff, ${type.split(":").pop()})`);
    }
    return reasons;
}

/** Whether the table (or the program's own diff function) knows this type's immutable inputs. */
export const knowsReplacement = (type: string) => type in IMMUTABLE_INPUTS || type in DYNAMIC_DIFFS;
