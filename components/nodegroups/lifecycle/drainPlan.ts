/**
 * What the drain hook needs to know about the node group it is about to let go, and how that knowledge travels.
 *
 * A Pulumi resource hook receives only the resource's own recorded inputs and outputs (Pulumi docs, "Resource option:
 * hooks", https://www.pulumi.com/docs/iac/concepts/resources/options/hooks/ — a before-delete hook gets old inputs and
 * old outputs, nothing else). So everything the drain needs must be *on the aws.eks.NodeGroup itself*:
 * - cluster and node group names, and the ASG EKS created (`resources[0].autoscalingGroups[0].name`): outputs;
 * - the group's role: its node label `eks-gitlab-runners/role` (management | jobs), set by the node-group component;
 * - the region: the `region` output (@pulumi/aws 7), else the node group's ARN;
 * - how long the drain may wait: a tag this module defines ({@link drainTags}), set by the component. A tag rather
 *   than a label: changing it is an in-place tag update of the node group, never a node roll.
 */
import { RUNNER_OPTIONS, TERMINATION_GRACE_MARGIN_SECONDS } from "../../../config/runnerOptions";
import { ROLE_KEY } from "../../../model/labels";

/** NodeGroup tag holding the drain bound in whole seconds (decimal string, as AWS tag values are strings). */
export const DRAIN_BOUND_TAG = "eks-gitlab-runners/drain-bound-seconds";

/**
 * Used when the tag is absent: a group created before the tag existed. Equal to the manager grace period of a runner
 * with every default (maxJobTimeoutMinutes × 60 + margin), so a group carrying only default runners drains exactly as
 * long as it would with the tag. The hook logs a warning whenever it falls back to this.
 */
export const DEFAULT_DRAIN_BOUND_SECONDS =
    (RUNNER_OPTIONS.maxJobTimeoutMinutes.schema.parse(undefined) as number) * 60 + TERMINATION_GRACE_MARGIN_SECONDS;

/** Upper limit of a bound: the longest allowed job timeout (7 days, config/runners.ts) plus one day of margin. */
export const MAX_DRAIN_BOUND_SECONDS = 8 * 24 * 3600;

/** Node label EKS puts on every node of a managed node group (EKS user guide, "Understand each phase of node
 * updates": `eks.amazonaws.com/nodegroup=$nodeGroupName`, https://docs.aws.amazon.com/eks/latest/userguide/managed-node-update-behavior.html). */
export const EKS_NODEGROUP_LABEL = "eks.amazonaws.com/nodegroup";

export type NodeGroupRole = "management" | "jobs";

/** Everything the drain of one node group needs, read from the group's recorded state. */
export interface DrainPlan {
    readonly region: string;
    readonly clusterName: string;
    readonly nodeGroupName: string;
    readonly role: NodeGroupRole;
    /** The group's ASG; present for every group EKS created (job groups need it to stop Cluster Autoscaler). */
    readonly asgName: string;
    readonly boundSeconds: number;
    /** True when the bound tag was absent and {@link DEFAULT_DRAIN_BOUND_SECONDS} was used. */
    readonly boundDefaulted: boolean;
    /** The group's key in the stack file (its `eks-gitlab-runners/nodegroup` tag), when recorded. */
    readonly groupKey?: string;
}

/** NodeGroup tag naming the group's key in the stack file (set by components/nodegroups/spec.ts). */
export const NODEGROUP_KEY_TAG = "eks-gitlab-runners/nodegroup";

/** Tags the node-group component puts on the aws.eks.NodeGroup so its drain knows its bound. */
export function drainTags(boundSeconds: number): Record<string, string> {
    if (!Number.isInteger(boundSeconds) || boundSeconds < 1 || boundSeconds > MAX_DRAIN_BOUND_SECONDS) {
        throw new RangeError(
            `drainTags: boundSeconds must be a whole number of seconds from 1 to ${MAX_DRAIN_BOUND_SECONDS} (8 days), got ${String(boundSeconds)}`,
        );
    }
    return { [DRAIN_BOUND_TAG]: String(boundSeconds) };
}

type Bag = Record<string, unknown> | undefined;
type Step = string | number;

/** The value at `path` in the first of the sources that has one, with the path it was found at (for messages). */
function lookup(sources: [string, Bag][], path: Step[]): { value: unknown; at: string } | undefined {
    for (const [label, bag] of sources) {
        let value: unknown = bag;
        for (const step of path) {
            if (value === null || typeof value !== "object") {
                value = undefined;
                break;
            }
            value = (value as Record<Step, unknown>)[step];
        }
        if (value !== undefined && value !== null) return { value, at: label + render(path) };
    }
    return undefined;
}

const render = (path: Step[]) =>
    path.map((s) => (typeof s === "number" ? `[${s}]` : /^\w+$/.test(s) ? `.${s}` : `["${s}"]`)).join("");

function requiredString(sources: [string, Bag][], path: Step[], what: string): string {
    const found = lookup(sources, path);
    if (found === undefined) {
        throw new Error(`drain hook: ${sources.map(([l]) => l + render(path)).join(" / ")} is missing (${what})`);
    }
    if (typeof found.value !== "string" || found.value === "") {
        throw new Error(`drain hook: ${found.at} must be a non-empty string (${what}), got ${JSON.stringify(found.value)}`);
    }
    return found.value;
}

/** @pulumi/aws 7 records each resource's `region`; older state has only the ARN (`arn:<partition>:eks:<region>:…`). */
function readRegion(oldOutputs: Bag): string {
    const region = lookup([["oldOutputs", oldOutputs]], ["region"]);
    if (typeof region?.value === "string" && region.value !== "") return region.value;
    const arn = requiredString([["oldOutputs", oldOutputs]], ["arn"], "the node group ARN, for its region");
    const fromArn = /^arn:[a-z0-9-]+:eks:([a-z0-9-]+):/.exec(arn)?.[1];
    if (fromArn === undefined)
        throw new Error(`drain hook: oldOutputs.arn ${JSON.stringify(arn)} is not an EKS ARN with a region`);
    return fromArn;
}

/**
 * Reads the drain plan from a NodeGroup's old inputs/outputs (what a before-delete hook receives). Outputs are
 * preferred (they are what AWS reported), inputs are the fallback. Every missing or malformed value is an error that
 * names its path, except an absent bound tag: that falls back to {@link DEFAULT_DRAIN_BOUND_SECONDS} (see there).
 */
export function readDrainPlan(oldInputs: Bag, oldOutputs: Bag): DrainPlan {
    const both: [string, Bag][] = [
        ["oldOutputs", oldOutputs],
        ["oldInputs", oldInputs],
    ];
    const clusterName = requiredString(both, ["clusterName"], "the EKS cluster of the node group");
    const nodeGroupName = requiredString(both, ["nodeGroupName"], "the EKS node group name");
    const region = readRegion(oldOutputs);
    const asgName = requiredString(
        [["oldOutputs", oldOutputs]],
        ["resources", 0, "autoscalingGroups", 0, "name"],
        "the Auto Scaling group EKS created for the node group",
    );

    const role = requiredString(both, ["labels", ROLE_KEY], `the node group's role label ${ROLE_KEY}`);
    if (role !== "management" && role !== "jobs") {
        throw new Error(
            `drain hook: label ${ROLE_KEY} of node group ${nodeGroupName} is ${JSON.stringify(role)}; expected "management" or "jobs"`,
        );
    }

    const inputsFirst: [string, Bag][] = [
        ["oldInputs", oldInputs],
        ["oldOutputs", oldOutputs],
    ];
    const key = lookup(inputsFirst, ["tags", NODEGROUP_KEY_TAG])?.value;
    const groupKey = typeof key === "string" && key !== "" ? key : undefined;
    const group = { region, clusterName, nodeGroupName, role, asgName, ...(groupKey ? { groupKey } : {}) } as const;
    const tag = lookup(inputsFirst, ["tags", DRAIN_BOUND_TAG]);
    if (tag === undefined) return { ...group, boundSeconds: DEFAULT_DRAIN_BOUND_SECONDS, boundDefaulted: true };
    const text = typeof tag.value === "string" ? tag.value.trim() : "";
    const boundSeconds = /^\d+$/.test(text) ? Number(text) : NaN;
    if (!(boundSeconds >= 1 && boundSeconds <= MAX_DRAIN_BOUND_SECONDS)) {
        throw new Error(
            `drain hook: ${tag.at} is ${JSON.stringify(tag.value)}; expected whole seconds from 1 to ${MAX_DRAIN_BOUND_SECONDS}. ` +
                `Nothing was drained or deleted: fix the tag on node group ${nodeGroupName} (or delete it to use the default of ` +
                `${DEFAULT_DRAIN_BOUND_SECONDS} s) and run the deployment again.`,
        );
    }
    return { ...group, boundSeconds, boundDefaulted: false };
}
