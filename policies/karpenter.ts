// Rules about Karpenter: its controller's IAM stays scoped to this cluster, Spot-only pools are diversified, and
// nothing Karpenter does to a node kills a running CI job.
import { DO_NOT_DISRUPT, KARPENTER_LABELS } from "../model/karpenter";
import { NODEGROUP_KEY } from "../model/labels";
import { runnerEntries, isRunnerRelease } from "./runners";
import {
    asArray,
    at,
    Finding,
    isObject,
    isUnknown,
    parseJsonDocument,
    PolicyResource,
    reveal,
    Rule,
    TYPES,
    UNKNOWN,
} from "./model";

/** EC2 calls that launch, tag or delete: each needs this cluster's tag in a condition (upstream template). */
const EC2_NODE_WRITES = [
    "ec2:RunInstances",
    "ec2:CreateFleet",
    "ec2:CreateLaunchTemplate",
    "ec2:CreateTags",
    "ec2:TerminateInstances",
    "ec2:DeleteLaunchTemplate",
];
/** What a launch reads by reference: the one statement that may grant RunInstances/CreateFleet without a tag condition. */
const LAUNCH_INPUTS = /:(image|snapshot|security-group|subnet|capacity-reservation|placement-group)\/\*$/;
const INSTANCE_PROFILE_WRITES = [
    "iam:CreateInstanceProfile",
    "iam:TagInstanceProfile",
    "iam:AddRoleToInstanceProfile",
    "iam:RemoveRoleFromInstanceProfile",
    "iam:DeleteInstanceProfile",
];
const QUEUE_CONSUMPTION = ["sqs:ReceiveMessage", "sqs:DeleteMessage"];

/** Whether a condition block names the `kubernetes.io/cluster/<cluster>` tag (as resource or request tag). */
function scopedToCluster(condition: unknown): boolean {
    if (!isObject(condition)) return false;
    return Object.values(condition).some(
        (block) =>
            isObject(block) && Object.keys(block).some((k) => /^aws:(Resource|Request)Tag\/kubernetes\.io\/cluster\//.test(k)),
    );
}

/** Problems of one policy document with Karpenter's controller actions in it. */
export function karpenterStatementProblems(document: Record<string, unknown>, where: string): string[] {
    const problems: string[] = [];
    asArray(document.Statement).forEach((statement, i) => {
        if (!isObject(statement) || statement.Effect !== "Allow") return;
        const label = `${where} statement ${typeof statement.Sid === "string" ? `"${statement.Sid}"` : `#${i}`}`;
        const actions = asArray(statement.Action).filter((a): a is string => typeof a === "string");
        const resources = asArray(statement.Resource).filter((r): r is string => typeof r === "string");
        const has = (list: string[]) => actions.filter((a) => list.includes(a));
        const ec2 = has(EC2_NODE_WRITES);
        const launchInputsOnly =
            ec2.every((a) => a === "ec2:RunInstances" || a === "ec2:CreateFleet") &&
            resources.length > 0 &&
            resources.every((r) => LAUNCH_INPUTS.test(r));
        if (ec2.length > 0 && !launchInputsOnly && !scopedToCluster(statement.Condition))
            problems.push(
                `${label} allows ${ec2.join(", ")} without a kubernetes.io/cluster/<cluster> tag condition: the controller could launch, tag or terminate any instance in the account; keep the upstream conditions (config/addons/karpenterIam.ts)`,
            );
        if (has(["iam:PassRole"]).length > 0 && (resources.length === 0 || resources.some((r) => r.includes("*"))))
            problems.push(
                `${label} allows iam:PassRole on ${JSON.stringify(statement.Resource)}: name the node role only, or any role (an admin one too) could be handed to an instance`,
            );
        const profiles = has(INSTANCE_PROFILE_WRITES);
        if (profiles.length > 0 && !scopedToCluster(statement.Condition))
            problems.push(`${label} allows ${profiles.join(", ")} without a kubernetes.io/cluster/<cluster> tag condition`);
        const queue = has(QUEUE_CONSUMPTION);
        if (queue.length > 0 && (resources.length === 0 || resources.some((r) => r === "*")))
            problems.push(`${label} allows ${queue.join(", ")} on every queue: name the interruption queue`);
    });
    return problems;
}

export const karpenterControllerIamScoped: Rule = {
    id: "karpenter-controller-iam-scoped",
    description:
        "Node launches, tagging, deletions and instance-profile changes are conditioned on this cluster's tag, iam:PassRole names roles, and queue consumption names its queue.",
    why:
        "DESIGN (Security, Karpenter): least privilege. The controller starts and terminates instances; unscoped, a bug or a stolen token " +
        "could terminate anything in the account or launch an instance with an admin role. The upstream template scopes every write.",
    remediation:
        "Render the controller policy with karpenterControllerPolicy (config/addons/karpenterIam.ts), which mirrors the upstream template.",
    types: [TYPES.iamPolicy, TYPES.iamRolePolicy, TYPES.iamUserPolicy, TYPES.iamGroupPolicy],
    checkResource(r) {
        const doc = parseJsonDocument((reveal(r.inputs) as Record<string, unknown>).policy);
        if (doc === undefined || doc === UNKNOWN || doc instanceof Error) return [];
        return karpenterStatementProblems(doc, `policy of ${r.name}`);
    },
};

/** The values of a NodePool requirement on `key` (In), or undefined when it has none or it is not known yet. */
function requirementValues(pool: PolicyResource, key: string): string[] | undefined {
    const requirements = at(pool.inputs, "spec.template.spec.requirements");
    if (isUnknown(requirements)) return undefined;
    const found = asArray(requirements).find((req) => isObject(req) && req.key === key && req.operator === "In");
    return isObject(found) ? asArray(found.values).filter((v): v is string => typeof v === "string") : undefined;
}

export const karpenterSpotPoolDiversified: Rule = {
    id: "karpenter-spot-pool-diversified",
    description: "A NodePool that launches only Spot allows at least 3 instance families or at least 3 instance sizes.",
    why:
        "DESIGN (Job nodegroups): Spot capacity needs several instance pools, or one sold-out type leaves jobs Pending until poll_timeout " +
        "fails them. Node groups need ≥ 2 equal types; a Spot-only pool with no on-demand fallback needs more room to choose.",
    remediation:
        "List three families (e.g. m7i, m7a, m6i) or three sizes in nodePools.<name>, or add on-demand to its capacityTypes.",
    types: [TYPES.nodePool],
    checkResource(r) {
        const capacity = requirementValues(r, KARPENTER_LABELS.capacityType);
        if (!capacity || capacity.length !== 1 || capacity[0] !== "spot") return [];
        const families = requirementValues(r, KARPENTER_LABELS.instanceFamily) ?? [];
        const sizes = requirementValues(r, KARPENTER_LABELS.instanceSize) ?? [];
        if (families.length >= 3 || sizes.length >= 3) return [];
        return [
            `NodePool ${r.name} launches only Spot from ${families.length} famil${families.length === 1 ? "y" : "ies"} (${families.join(", ")}) and ${sizes.length} size${sizes.length === 1 ? "" : "s"} (${sizes.join(", ")}); a shortage of those leaves jobs Pending`,
        ];
    },
};

export const karpenterJobsNotDisrupted: Rule = {
    id: "karpenter-jobs-not-disrupted",
    description:
        "Job NodePools consolidate only empty nodes and bound draining with terminationGracePeriod, job pods on pools carry karpenter.sh/do-not-disrupt, and no Cluster Autoscaler runs beside Karpenter.",
    why:
        "Seed 000/001: running jobs were killed by the autoscaler's scale-down. Under Karpenter that is WhenEmptyOrUnderutilized consolidation " +
        "(it replaces nodes that still run pods) and drift or expiry without the do-not-disrupt annotation; two autoscalers would fight over nodes (DESIGN: Karpenter).",
    remediation:
        "Render pools with components/karpenter/nodePoolSpec.ts and runners with components/runners/configToml.ts; with addons.nodeAutoscaler: karpenter the program deploys no Cluster Autoscaler.",
    types: [TYPES.nodePool, TYPES.helmRelease],
    checkStack(resources) {
        const findings: Finding[] = [];
        const pools = resources.filter((r) => r.type === TYPES.nodePool);
        if (pools.length === 0) return findings;
        const poolLabels = new Set<string>();
        for (const pool of pools) {
            const spec = at(pool.inputs, "spec");
            if (isUnknown(spec)) continue;
            const policy = at(spec, "disruption.consolidationPolicy");
            if (policy !== "WhenEmpty")
                findings.push({
                    resource: pool,
                    message: `NodePool ${pool.name} consolidates with ${JSON.stringify(policy ?? "the default WhenEmptyOrUnderutilized")}: nodes that still run jobs may be replaced; use WhenEmpty`,
                });
            if (typeof at(spec, "template.spec.terminationGracePeriod") !== "string")
                findings.push({
                    resource: pool,
                    message: `NodePool ${pool.name} has no terminationGracePeriod: a drifted node with a running job is never replaced, so patches stall`,
                });
            const label = at(spec, "template.metadata.labels");
            if (isObject(label) && typeof label[NODEGROUP_KEY] === "string") poolLabels.add(label[NODEGROUP_KEY] as string);
        }
        const [annotation, wanted] = Object.entries(DO_NOT_DISRUPT)[0];
        for (const release of resources.filter(isRunnerRelease)) {
            const entries = runnerEntries(release);
            if (!Array.isArray(entries)) continue;
            for (const entry of entries) {
                const selected = at(entry, "kubernetes.node_selector");
                const target = isObject(selected) ? selected[NODEGROUP_KEY] : undefined;
                if (typeof target !== "string" || !poolLabels.has(target)) continue;
                const annotations = at(entry, "kubernetes.pod_annotations");
                if (!isObject(annotations) || annotations[annotation] !== wanted)
                    findings.push({
                        resource: release,
                        message: `runner release ${release.name} runs jobs on NodePool ${target} without the pod annotation ${annotation}: "${wanted}": Karpenter may disrupt their nodes mid-job`,
                    });
            }
        }
        for (const release of resources.filter(
            (r) => r.type === TYPES.helmRelease && at(r.inputs, "chart") === "cluster-autoscaler",
        ))
            findings.push({
                resource: release,
                message: `Cluster Autoscaler release ${release.name} runs beside Karpenter's NodePools: two autoscalers would each add and remove nodes`,
            });
        return findings;
    },
};
