// Rules about nodes: instance metadata, the management group's isolation, AZRebalance on job groups.
import { ROLE_KEY } from "../model/labels";
import { CA_ENABLED_TAG, JOBS_DISCOVERY_TAG, NODE_TEMPLATE_PREFIX } from "../model/autoscalerTags";

import { asArray, at, resourceLabel, Finding, isObject, isUnknown, PolicyResource, reveal, Rule, TYPES, UNKNOWN } from "./model";

/** The ASG process whose rebalancing terminates nodes (and the CI jobs on them) to even out AZs. */
export const AZ_REBALANCE = "AZRebalance";

/** Any tag key the Cluster Autoscaler discovers or templates on: none may sit on the management group's ASG. */
export function isAutoscalerTagKey(key: string): boolean {
    return (
        key === CA_ENABLED_TAG ||
        key.startsWith("k8s.io/cluster-autoscaler/") ||
        key === JOBS_DISCOVERY_TAG ||
        key.startsWith(NODE_TEMPLATE_PREFIX)
    );
}

function metadataProblems(metadataOptions: unknown, what: string): string[] {
    if (isUnknown(metadataOptions)) return [];
    const mo = isObject(metadataOptions) ? metadataOptions : {};
    // Metadata switched off entirely is stricter than IMDSv2; nodes need it on (kubelet, CNI), but it is not a leak.
    if (mo.httpEndpoint === "disabled") return [];
    const problems: string[] = [];
    if (!isUnknown(mo.httpTokens) && mo.httpTokens !== "required") {
        problems.push(
            `${what} allows IMDSv1 (metadataOptions.httpTokens is ${JSON.stringify(mo.httpTokens ?? "unset")}); set httpTokens: "required"`,
        );
    }
    if (!isUnknown(mo.httpPutResponseHopLimit) && mo.httpPutResponseHopLimit !== 1) {
        problems.push(
            `${what} has metadataOptions.httpPutResponseHopLimit ${JSON.stringify(mo.httpPutResponseHopLimit ?? "unset")}; set it to 1 so pods cannot reach the node role's credentials`,
        );
    }
    return problems;
}

export const imdsV2HopLimit1: Rule = {
    id: "imdsv2-hop-limit-1",
    description:
        "Every launch template (and instance, and Karpenter EC2NodeClass) requires IMDSv2 with a PUT response hop limit of 1; every node group uses a launch template.",
    why:
        "Every CI job runs arbitrary code in a pod on a shared node. With IMDSv1 or a hop limit above 1 a job can read the node role's " +
        "credentials from instance metadata (DESIGN: Security). It is also why the autoscaler needs awsRegion set explicitly.",
    remediation:
        "Build node groups with components/nodegroups/launchTemplate.ts (launchTemplateArgs) and node classes with components/karpenter/nodePoolSpec.ts instead of hand-written metadata options.",
    types: [TYPES.launchTemplate, TYPES.instance, TYPES.nodeGroup, TYPES.ec2NodeClass],
    checkResource(r) {
        const inputs = reveal(r.inputs) as Record<string, unknown>;
        if (r.type === TYPES.launchTemplate) return metadataProblems(inputs.metadataOptions, `launch template ${r.name}`);
        if (r.type === TYPES.instance) return metadataProblems(inputs.metadataOptions, `instance ${r.name}`);
        // Karpenter builds each node's launch template from its EC2NodeClass (nodeclasses.md, "spec.metadataOptions").
        if (r.type === TYPES.ec2NodeClass) {
            const spec = inputs.spec;
            if (isUnknown(spec)) return [];
            return metadataProblems(isObject(spec) ? spec.metadataOptions : undefined, `EC2NodeClass ${r.name}`);
        }
        if (r.type === TYPES.nodeGroup) {
            const lt = inputs.launchTemplate;
            if (isUnknown(lt)) return [];
            if (!isObject(lt) || (lt.id === undefined && lt.name === undefined)) {
                return [
                    `node group ${r.name} has no launch template, so EKS applies its own metadata options (hop limit 2: pods reach the node role); give it one from launchTemplateArgs`,
                ];
            }
        }
        return [];
    },
};

const isRole = (ng: PolicyResource, role: string) => labelsOf(ng)[ROLE_KEY] === role;
function labelsOf(ng: PolicyResource): Record<string, unknown> {
    const labels = at(ng.inputs, "labels");
    return isObject(labels) ? labels : {};
}

/** The ASG name EKS created for a node group, when the provider has told us. */
function asgNameOf(ng: PolicyResource): string | typeof UNKNOWN {
    const name = at(ng.outputs, "resources.0.autoscalingGroups.0.name");
    return typeof name === "string" ? name : UNKNOWN;
}

/**
 * Whether a resource that points at an ASG by name belongs to this node group: by ASG name when both are known,
 * otherwise by sharing the group's parent component (how this program builds them, and what a preview can see).
 */
function belongsToGroup(child: PolicyResource, asgNameInput: unknown, ng: PolicyResource): boolean {
    const asgName = asgNameOf(ng);
    const childAsg = reveal(asgNameInput);
    if (typeof childAsg === "string" && !isUnknown(asgName)) return childAsg === asgName;
    return child.parent !== undefined && child.parent === ng.parent;
}

export const managementNodeGroupIsolated: Rule = {
    id: "management-nodegroup-isolated",
    description:
        "The management node group exists, is tainted, has minSize = maxSize, carries no Cluster Autoscaler tag on its ASG, and the autoscaler discovers only job groups.",
    why:
        "Seed 001 (Scaling Down): the autoscaler ran on the nodes it could scale away, terminated its own node and wedged. " +
        "EKS puts the standard discovery tags on every managed group's ASG, so only a jobs-only tag keeps the management group invisible.",
    remediation:
        "Keep exactly one `role: management` group; never tag its ASG; key --node-group-auto-discovery on " +
        `${JOBS_DISCOVERY_TAG} (config/addons/clusterAutoscaler.ts does).`,
    types: [TYPES.nodeGroup, TYPES.asgTag, TYPES.helmRelease],
    checkStack(resources) {
        const findings: Finding[] = [];
        const groups = resources.filter((r) => r.type === TYPES.nodeGroup);
        const management = groups.filter((g) => isRole(g, "management"));
        if (groups.length > 0 && management.length === 0) {
            findings.push({
                message: `no node group is labelled ${ROLE_KEY}=management: the autoscaler, metrics-server and runner managers would run on nodes the autoscaler removes`,
            });
        }
        for (const ng of management) {
            const taints = asArray(at(ng.inputs, "taints"));
            if (
                !isUnknown(at(ng.inputs, "taints")) &&
                !taints.some(
                    (t) =>
                        isObject(t) &&
                        t.key === ROLE_KEY &&
                        t.value === "management" &&
                        (t.effect === "NO_SCHEDULE" || t.effect === "NoSchedule"),
                )
            ) {
                findings.push({
                    resource: ng,
                    message: `management node group ${ng.name} is not tainted ${ROLE_KEY}=management:NoSchedule, so CI job pods can land on it and starve the platform pods`,
                });
            }
            const min = at(ng.inputs, "scalingConfig.minSize");
            const max = at(ng.inputs, "scalingConfig.maxSize");
            if (!isUnknown(min) && !isUnknown(max) && min !== max) {
                findings.push({
                    resource: ng,
                    message: `management node group ${ng.name} has minSize ${String(min)} ≠ maxSize ${String(max)}: a misconfigured autoscaler could shrink the group it runs on`,
                });
            }
            for (const tag of resources.filter(
                (r) => r.type === TYPES.asgTag && belongsToGroup(r, at(r.inputs, "autoscalingGroupName"), ng),
            )) {
                const key = at(tag.inputs, "tag.key");
                if (typeof key === "string" && isAutoscalerTagKey(key)) {
                    findings.push({
                        resource: tag,
                        message: `ASG tag ${key} on management node group ${ng.name} makes it discoverable by Cluster Autoscaler`,
                    });
                }
            }
        }
        for (const release of resources.filter(
            (r) => r.type === TYPES.helmRelease && at(r.inputs, "chart") === "cluster-autoscaler",
        )) {
            const values = at(release.inputs, "values");
            if (isUnknown(values)) continue;
            const tags = asArray(at(values, "autoDiscovery.tags")).filter((t): t is string => typeof t === "string");
            const flag = at(values, "extraArgs.node-group-auto-discovery");
            const keyed =
                tags.some((t) => t.startsWith(JOBS_DISCOVERY_TAG)) ||
                (typeof flag === "string" && flag.includes(JOBS_DISCOVERY_TAG));
            if (!keyed) {
                findings.push({
                    resource: release,
                    message: `Cluster Autoscaler release ${release.name} does not key auto-discovery on ${JOBS_DISCOVERY_TAG}: the EKS default tags alone also find the management group`,
                });
            }
        }
        return findings;
    },
};

export const jobNodeGroupAzRebalanceSuspended: Rule = {
    id: "job-nodegroup-azrebalance-suspended",
    description: "Every job node group's ASG has an AsgProcessSuspension that suspends AZRebalance.",
    why:
        "Seed 000/001: running jobs were killed when the ASG rebalanced AZs, terminating nodes regardless of pods or PDBs. Managed node " +
        "groups cannot suspend ASG processes and a new group silently comes with AZRebalance on, so code must suspend it for each group.",
    remediation:
        "Create node groups with the NodeGroup component (components/nodegroups/nodeGroup.ts: job kinds add the AsgProcessSuspension); never build a job group's NodeGroup directly.",
    types: [TYPES.nodeGroup, TYPES.asgProcessSuspension],
    checkStack(resources) {
        const findings: Finding[] = [];
        const suspensions = resources.filter((r) => r.type === TYPES.asgProcessSuspension);
        // Anything not labelled management runs jobs (conservative: an unlabelled group is treated as a job group).
        for (const ng of resources.filter((r) => r.type === TYPES.nodeGroup && !isRole(r, "management"))) {
            const covered = suspensions.some((s) => {
                const processes = at(s.inputs, "processes");
                const suspends = isUnknown(processes) || asArray(processes).includes(AZ_REBALANCE);
                return suspends && belongsToGroup(s, at(s.inputs, "asgName"), ng);
            });
            if (!covered) {
                findings.push({
                    resource: ng,
                    message: `job node group ${ng.name} (${resourceLabel(ng)}) has no AsgProcessSuspension of ${AZ_REBALANCE} on its ASG: the ASG may terminate nodes with running jobs to rebalance AZs`,
                });
            }
        }
        return findings;
    },
};
