// Every IAM fact a recorded run carries, wherever the program put it: policy documents (any input that is a JSON
// policy document, or such a document as a string: trust policies, inline and managed policies, bucket, topic and
// queue policies), AWS managed policy ARNs and EKS access policy ARNs. Found by walking all inputs rather than by a
// list of resource types, so a resource type added later is checked too.
import { reveal } from "../../policies/model";
import type { Run } from "./harness";

export interface FoundDocument {
    /** `<stack> <type> <name> <input path>`. */
    readonly where: string;
    readonly document: { Statement?: unknown };
}

export interface IamFacts {
    readonly documents: FoundDocument[];
    /** ARNs of AWS managed policies (`arn:<partition>:iam::aws:policy/…`), with where each was found. */
    readonly managedPolicyArns: { where: string; arn: string }[];
    /** ARNs of EKS access policies (`…:eks::aws:cluster-access-policy/…`). */
    readonly accessPolicyArns: { where: string; arn: string }[];
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);
const isPolicyDocument = (v: unknown): v is { Statement: unknown } => isObject(v) && "Statement" in v && "Version" in v;

function parsed(value: string): unknown {
    if (!value.trimStart().startsWith("{") || !value.includes("Statement")) return undefined;
    try {
        return JSON.parse(value);
    } catch {
        return undefined;
    }
}

/** Adds what `value` (an input, at `where`) carries to `into`. */
function walk(value: unknown, where: string, into: IamFacts): void {
    if (typeof value === "string") {
        const doc = parsed(value);
        if (isPolicyDocument(doc)) return walk(doc, where, into);
        for (const m of value.matchAll(/arn:aws(?:-cn|-us-gov)?:iam::aws:policy\/[\w+=,.@/-]+/g)) {
            into.managedPolicyArns.push({ where, arn: m[0] });
        }
        for (const m of value.matchAll(/arn:aws(?:-cn|-us-gov)?:eks::aws:cluster-access-policy\/[\w+=,.@/-]*/g)) {
            into.accessPolicyArns.push({ where, arn: m[0] });
        }
        return;
    }
    if (isPolicyDocument(value)) {
        into.documents.push({ where, document: value });
        return;
    }
    if (Array.isArray(value)) value.forEach((v, i) => walk(v, `${where}[${i}]`, into));
    else if (isObject(value)) for (const [k, v] of Object.entries(value)) walk(v, `${where}.${k}`, into);
}

/** The IAM facts of every resource of each run, labelled with the run's stack. */
export function iamFactsOf(runs: Record<string, Run>): IamFacts {
    const facts: IamFacts = { documents: [], managedPolicyArns: [], accessPolicyArns: [] };
    for (const [stack, run] of Object.entries(runs)) {
        for (const r of run.resources) walk(reveal(r.inputs), `${stack} ${r.type} ${r.name}`, facts);
    }
    return facts;
}

const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);
const strings = (v: unknown): string[] => asList(v).filter((x): x is string => typeof x === "string");

export interface Statement {
    readonly where: string;
    readonly effect: string;
    readonly actions: string[];
    readonly notActions: string[];
    readonly conditionKeys: string[];
    /**
     * The condition keys a request must carry for the statement to apply: not those under `…IfExists`, `Null` or
     * `ForAllValues:…`, which hold when the key is absent (IAM User Guide, "IAM JSON policy elements: Condition
     * operators": "…IfExists condition operator", "Condition operator to check existence of condition keys";
     * "Set operators for multivalued context keys").
     */
    readonly requiredConditionKeys: string[];
    readonly servicePrincipals: string[];
    readonly oidcProviders: string[];
    /** Values of `iam:PassedToService` conditions: service principals too. */
    readonly passedToServices: string[];
}

const holdsWithoutKey = (operator: string) =>
    operator.endsWith("IfExists") || operator === "Null" || operator.startsWith("ForAllValues:");

/** The statements of a document, with the parts the reference checks. */
export function statementsOf(found: FoundDocument): Statement[] {
    return asList(found.document.Statement).map((raw, i) => {
        const s = isObject(raw) ? raw : {};
        const label = `${found.where} statement ${typeof s.Sid === "string" ? s.Sid : `#${i}`}`;
        const principal = isObject(s.Principal) ? s.Principal : {};
        const condition = isObject(s.Condition) ? s.Condition : {};
        const blocks = Object.values(condition).filter(isObject);
        return {
            where: label,
            effect: String(s.Effect),
            actions: strings(s.Action),
            notActions: strings(s.NotAction),
            conditionKeys: [...new Set(blocks.flatMap((b) => Object.keys(b)))],
            requiredConditionKeys: [
                ...new Set(
                    Object.entries(condition)
                        .filter(([operator, b]) => isObject(b) && !holdsWithoutKey(operator))
                        .flatMap(([, b]) => Object.keys(b as Record<string, unknown>)),
                ),
            ],
            servicePrincipals: strings(principal.Service),
            oidcProviders: strings(principal.Federated)
                .map((f) => /:oidc-provider\/(.+)$/.exec(f)?.[1])
                .filter((p): p is string => p !== undefined),
            passedToServices: blocks.flatMap((b) =>
                Object.entries(b)
                    .filter(([k]) => k.toLowerCase() === "iam:passedtoservice")
                    .flatMap(([, v]) => strings(v)),
            ),
        };
    });
}
