/**
 * Blue/green node groups: the resource options that make every node roll a replacement of the aws.eks.NodeGroup
 * instead of an EKS in-place update, and hand the old group to the drain hook before it is deleted.
 *
 * Why not EKS's in-place update: it drains each old node itself and, if pods do not leave within 15 minutes — our
 * `maxUnavailable: 0` PodDisruptionBudget holds running CI jobs — fails with `PodEvictionFailure` unless `force` is
 * set, and `force` terminates the node "whether or not any Pod is running on the node" (EKS user guide, "Understand
 * each phase of node updates", upgrade phase, https://docs.aws.amazon.com/eks/latest/userguide/managed-node-update-behavior.html;
 * API reference UpdateNodegroupVersion `force`, https://docs.aws.amazon.com/eks/latest/APIReference/API_UpdateNodegroupVersion.html).
 * One outcome fails the scheduled patch, the other kills jobs.
 *
 * How the replacement runs (Pulumi docs, https://www.pulumi.com/docs/iac/concepts/resources/options/):
 * - `replaceOnChanges` turns a change of the inputs that roll nodes into a replacement. The AWS provider would
 *   otherwise update them in place with UpdateNodegroupVersion: `release_version`, `version` and
 *   `launch_template.version` are not ForceNew (hashicorp/terraform-provider-aws internal/service/eks/node_group.go).
 *   Everything else that changes the nodes (AMI type, instance types, subnets, launch template id…) already forces a
 *   replacement in the provider.
 * - Replacement is create-before-delete by default ("deleteBeforeReplace"): the new group, with the new AMI, is
 *   created and Ready before the old one is deleted. That needs a fresh name for the new group: the component must
 *   leave `nodeGroupName` unset so Pulumi auto-names it (pulumi/pulumi-eks#294).
 * - The old group is deleted last, after its replacement and every dependent update; the `beforeDelete` hook
 *   (drainHook.ts) drains it first. The hook also runs when a group is removed from the stack file.
 * - `scalingConfig` is ignored after creation and owned by NodeGroupScaling (nodeGroupScaling.ts): with only
 *   `desiredSize` ignored, a resize sends the old desired size and EKS rejects e.g. min 4 / desired 3
 *   (terraform-aws-modules/terraform-aws-eks#748). Ignored inputs keep their recorded values *also in a replacement*
 *   (the engine substitutes old inputs for ignored properties before it creates, pulumi/pulumi
 *   pkg/resource/deploy/step_generator.go; pulumi/pulumi#2657), so a new group starts at the old group's creation
 *   size and NodeGroupScaling, replaced with it, moves it to the configured min/max at once.
 */
import * as pulumi from "@pulumi/pulumi";

/** aws.eks.NodeGroup inputs whose change replaces the group (camelCase property paths, as Pulumi expects). */
export const NODE_ROLLING_INPUTS = ["releaseVersion", "version", "launchTemplate.version"];

/** aws.eks.NodeGroup inputs Pulumi ignores after creation: NodeGroupScaling owns them. */
export const SCALING_INPUTS = ["scalingConfig"];

/** The resource options of every aws.eks.NodeGroup, given the stack's one drain hook. */
export function blueGreenOptions(
    hook: pulumi.ResourceHook,
): Required<Pick<pulumi.CustomResourceOptions, "replaceOnChanges" | "ignoreChanges" | "deleteBeforeReplace" | "hooks">> {
    return {
        replaceOnChanges: [...NODE_ROLLING_INPUTS],
        ignoreChanges: [...SCALING_INPUTS],
        // Explicit, because the whole design rests on it: the new group exists before the old one is drained.
        deleteBeforeReplace: false,
        hooks: { beforeDelete: [hook] },
    };
}
