// IAM policy documents: no wildcard write actions, no unscoped autoscaling writes.
import { isWildcardWrite } from "../model/iam";
import { asArray, isObject, isUnknown, parseJsonDocument, PolicyResource, reveal, Rule, TYPES, UNKNOWN } from "./model";

export { isWildcardWrite };

/** The two calls that change an ASG's capacity (Cluster Autoscaler's only writes). */
export const CAPACITY_WRITES = ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"];

/** Whether an action pattern covers one of the capacity writes (exactly or by wildcard). */
function coversCapacityWrite(action: string): boolean {
    const re = new RegExp(
        `^${action
            .split(/([*?])/)
            .map((part) => (part === "*" ? ".*" : part === "?" ? "." : part.replace(/[.+^${}()|[\]\\]/g, "\\$&")))
            .join("")}$`,
        "i",
    );
    return CAPACITY_WRITES.some((w) => re.test(w));
}

function hasResourceTagCondition(condition: unknown): boolean {
    if (!isObject(condition)) return false;
    return Object.values(condition).some(
        (block) => isObject(block) && Object.keys(block).some((k) => /^aws:ResourceTag\//i.test(k)),
    );
}

/** Problems of one policy document (plain data). `where` names it in messages. */
export function policyDocumentProblems(document: Record<string, unknown>, where: string): string[] {
    const problems: string[] = [];
    asArray(document.Statement).forEach((statement, i) => {
        if (!isObject(statement) || statement.Effect !== "Allow") return;
        const label = `${where} statement ${typeof statement.Sid === "string" ? `"${statement.Sid}"` : `#${i}`}`;
        if (statement.NotAction !== undefined) {
            problems.push(
                `${label} allows NotAction ${JSON.stringify(statement.NotAction)}: that grants every other action, writes included; list the actions instead`,
            );
        }
        const actions = asArray(statement.Action).filter((a): a is string => typeof a === "string");
        for (const action of actions.filter(isWildcardWrite)) {
            problems.push(`${label} allows wildcard action "${action}", which includes write actions; list the actions it needs`);
        }
        const capacity = actions.filter((a) => !isWildcardWrite(a) && coversCapacityWrite(a));
        if (capacity.length > 0 && !hasResourceTagCondition(statement.Condition)) {
            problems.push(
                `${label} allows ${capacity.join(", ")} without an aws:ResourceTag/… condition: any ASG in the account could be resized or have instances terminated; scope it by the cluster's ASG tags`,
            );
        }
    });
    return problems;
}

/** Every policy document a resource carries, as [where, raw value]. */
function documentsOf(r: PolicyResource): [string, unknown][] {
    const inputs = reveal(r.inputs) as Record<string, unknown>;
    switch (r.type) {
        case TYPES.iamPolicy:
        case TYPES.iamRolePolicy:
        case TYPES.iamUserPolicy:
        case TYPES.iamGroupPolicy:
            return [[`policy of ${r.name}`, inputs.policy]];
        case TYPES.iamRole: {
            const docs: [string, unknown][] = [[`trust policy of role ${r.name}`, inputs.assumeRolePolicy]];
            if (isUnknown(inputs.inlinePolicies)) return docs;
            for (const inline of asArray(inputs.inlinePolicies)) {
                if (isObject(inline)) docs.push([`inline policy ${String(inline.name ?? "?")} of role ${r.name}`, inline.policy]);
            }
            return docs;
        }
        default:
            return [];
    }
}

export const iamNoWildcardWrites: Rule = {
    id: "iam-no-wildcard-writes",
    description:
        "No IAM policy document allows a wildcard write action or NotAction, and autoscaling capacity writes always carry an aws:ResourceTag condition.",
    why:
        "DESIGN (Cluster Autoscaler, Security): least privilege. The autoscaler's SetDesiredCapacity/TerminateInstanceInAutoScalingGroup " +
        "must be scoped by the cluster's ASG tags, or a misconfigured autoscaler can resize any group in the account (the management group included).",
    remediation:
        "Name the actions a component needs (see config/addons/clusterAutoscalerIam.ts) and scope capacity writes with aws:ResourceTag/<tag> conditions.",
    types: [TYPES.iamPolicy, TYPES.iamRolePolicy, TYPES.iamUserPolicy, TYPES.iamGroupPolicy, TYPES.iamRole],
    checkResource(r) {
        const problems: string[] = [];
        for (const [where, raw] of documentsOf(r)) {
            const doc = parseJsonDocument(raw);
            if (doc === undefined || doc === UNKNOWN) continue;
            if (doc instanceof Error) problems.push(`${where} cannot be reviewed: ${doc.message}`);
            else problems.push(...policyDocumentProblems(doc, where));
        }
        return problems;
    },
};
