// AWS's own lists of IAM names, read from tests/fixtures/upstream/ (SOURCES.md names each source): the Service
// Authorization Reference of the services the program uses, the global condition keys, the AWS managed policies, the
// EKS access policies and the service principals. Pure lookups over them, so tests can hold every IAM document the
// program renders to what AWS defines: IAM accepts a misspelt action or condition key and simply never matches it.
import * as fs from "fs";
import * as path from "path";
import { ROOT } from "./harness";

const DIR = path.join(ROOT, "tests/fixtures/upstream");

function tsv(file: string): Record<string, string>[] {
    const lines = fs
        .readFileSync(path.join(DIR, file), "utf8")
        .split("\n")
        .filter((l) => l.trim() !== "" && !l.startsWith("#"));
    const [header, ...rows] = lines.map((l) => l.split("\t"));
    return rows.map((cells) => Object.fromEntries(header.map((h, i) => [h, cells[i] ?? ""])));
}
const list = (cell: string) => (cell === "" ? [] : cell.split(","));

export interface ServiceReference {
    /** Action name as the reference spells it → its resource types and the keys of its rows in the Actions table. */
    readonly actions: ReadonlyMap<string, { readonly resourceTypes: readonly string[]; readonly keys: readonly string[] }>;
    /** Resource type → the keys of the Resource types table. */
    readonly resourceTypes: ReadonlyMap<string, readonly string[]>;
    /** The service's Condition keys table. */
    readonly keys: readonly string[];
}

export interface IamReference {
    readonly services: ReadonlyMap<string, ServiceReference>;
    /** Global (and cross-service) condition keys, `${TagKey}` / `${OidcProvider}` as placeholders. */
    readonly globalKeys: readonly string[];
    /** AWS managed policy ARN (partition `aws`) → deprecated. */
    readonly managedPolicies: ReadonlyMap<string, boolean>;
    readonly accessPolicies: ReadonlySet<string>;
    readonly servicePrincipals: ReadonlySet<string>;
}

let cached: IamReference | undefined;

/** The fixtures, read once per process. */
export function iamReference(): IamReference {
    if (cached) return cached;
    const services = new Map<
        string,
        ServiceReference & { actions: Map<string, any>; resourceTypes: Map<string, any>; keys: string[] }
    >();
    for (const r of tsv("iam-service-authorization.tsv")) {
        if (!services.has(r.service)) services.set(r.service, { actions: new Map(), resourceTypes: new Map(), keys: [] });
        const s = services.get(r.service)!;
        if (r.kind === "action") s.actions.set(r.name, { resourceTypes: list(r.resource_types), keys: list(r.condition_keys) });
        else if (r.kind === "resource") s.resourceTypes.set(r.name, list(r.condition_keys));
        else if (r.kind === "key") s.keys.push(r.name);
        else throw new Error(`iam-service-authorization.tsv: unknown kind ${r.kind}`);
    }
    cached = {
        services,
        globalKeys: tsv("iam-global-condition-keys.tsv").map((r) => r.key),
        managedPolicies: new Map(tsv("aws-managed-policies.tsv").map((r) => [r.arn, r.deprecated === "true"])),
        accessPolicies: new Set(tsv("eks-access-policies.tsv").map((r) => r.name)),
        servicePrincipals: new Set(tsv("aws-service-principals.tsv").map((r) => r.principal)),
    };
    return cached;
}

const escape = (s: string) => s.replace(/[.+^${}()|[\]\\]/g, "\\$&");

/**
 * An action pattern as a regex: `*` any run of characters (`?` one, as in IAM's other patterns). IAM compares action
 * names case-insensitively ("The prefix and the action name are case insensitive", IAM User Guide, "IAM JSON policy
 * elements: Action") and condition key names too ("Key names are not case-sensitive", "IAM JSON policy elements:
 * Condition").
 */
function wildcard(pattern: string): RegExp {
    return new RegExp(
        `^${pattern
            .split(/([*?])/)
            .map((p) => (p === "*" ? ".*" : p === "?" ? "." : escape(p)))
            .join("")}$`,
        "i",
    );
}

/**
 * A reference key with placeholders as a regex: `${TagKey}` and the like (`<key>` in a few of S3's keys) stand for one
 * or more characters.
 */
function template(key: string): RegExp {
    let re = templates.get(key);
    if (!re) {
        const parts = key.split(/(\$\{[^}]+\}|<[^>]+>)/);
        re = new RegExp(`^${parts.map((p) => (/^(\$\{|<)/.test(p) ? ".+" : escape(p))).join("")}$`, "i");
        templates.set(key, re);
    }
    return re;
}
const templates = new Map<string, RegExp>();

/** `service:Action` names the reference lists that an action pattern matches; a problem when it matches none. */
export function actionsMatching(ref: IamReference, pattern: string): { actions: string[]; problem?: string } {
    if (pattern === "*") return { actions: [] };
    const [service, name] = pattern.split(":", 2);
    const s = ref.services.get(service.toLowerCase());
    if (name === undefined) return { actions: [], problem: `"${pattern}" is not service:action` };
    if (!s) {
        return {
            actions: [],
            problem: `service prefix "${service}" (in "${pattern}") is not in iam-service-authorization.tsv: regenerate it with this prefix (scripts/upstream/iamServiceReference.ts)`,
        };
    }
    const re = wildcard(name);
    const actions = [...s.actions.keys()].filter((a) => re.test(a)).map((a) => `${service.toLowerCase()}:${a}`);
    if (actions.length > 0) return { actions };
    return { actions, problem: `"${pattern}" names no ${service} action of the Service Authorization Reference` };
}

/** Every condition key one action supports: its own rows' keys and the keys of the resource types it lists. */
export function keysOfAction(ref: IamReference, action: string): string[] {
    const [service, name] = action.split(":", 2);
    const s = ref.services.get(service);
    const a = s?.actions.get(name);
    if (!s || !a) return [];
    return [...a.keys, ...a.resourceTypes.flatMap((t) => s.resourceTypes.get(t) ?? [])];
}

/**
 * Tag keys are global by name only: the Service Authorization Reference lists `aws:RequestTag/…`, `aws:ResourceTag/…`
 * and `aws:TagKeys` per action and resource type, as the ones where the service puts them in the request context, so
 * they are checked per action like service keys.
 */
const TAG_KEYS = ["aws:RequestTag/${TagKey}", "aws:ResourceTag/${TagKey}", "aws:TagKeys"];

/** Whether a global key (other than the tag keys) names `key`; web identity keys only for the statement's provider. */
function isGlobalKey(ref: IamReference, key: string, oidcProviders: readonly string[]): boolean {
    return ref.globalKeys.some((g) => {
        if (TAG_KEYS.includes(g)) return false;
        if (g.startsWith("${OidcProvider}:"))
            return oidcProviders.some((p) => `${p}:${g.split(":").pop()}`.toLowerCase() === key.toLowerCase());
        return template(g).test(key);
    });
}

export function supportsKey(ref: IamReference, action: string, key: string): boolean {
    return keysOfAction(ref, action).some((k) => template(k).test(key));
}

export interface StatementFacts {
    readonly effect: string;
    readonly actions: readonly string[];
    readonly notActions: readonly string[];
    readonly conditionKeys: readonly string[];
    /** The keys a request must carry for the statement to apply (not under `…IfExists`, `Null`, `ForAllValues:…`). */
    readonly requiredConditionKeys: readonly string[];
    /** Providers of `Principal.Federated` OIDC ARNs (`…:oidc-provider/<provider>`). */
    readonly oidcProviders: readonly string[];
}

/**
 * Problems of one statement against the reference: an action (or NotAction) that names nothing, and a condition key
 * no action of the statement supports. In an Allow every action must support every key that is not global and that
 * the request must carry: a key missing from the request context fails the condition, so that action would never be
 * allowed by the statement.
 */
export function statementProblems(ref: IamReference, s: StatementFacts): string[] {
    const problems: string[] = [];
    const expanded: string[] = [];
    for (const pattern of [...s.actions, ...s.notActions]) {
        const { actions, problem } = actionsMatching(ref, pattern);
        if (problem) problems.push(problem);
        if (s.actions.includes(pattern)) expanded.push(...actions);
    }
    const concrete = [...new Set(expanded)];
    for (const key of s.conditionKeys) {
        if (isGlobalKey(ref, key, s.oidcProviders)) continue;
        if (s.actions.includes("*") || s.notActions.length > 0) {
            const service = key.split(":")[0].toLowerCase();
            const known = ref.services.get(service)?.keys.some((k) => template(k).test(key));
            if (!known && !TAG_KEYS.some((t) => template(t).test(key)))
                problems.push(`condition key "${key}" is not a key of ${service}`);
            continue;
        }
        const unsupported = concrete.filter((a) => !supportsKey(ref, a, key));
        if (unsupported.length === concrete.length) {
            problems.push(`condition key "${key}" is supported by none of ${concrete.join(", ")}`);
        } else if (s.effect === "Allow" && unsupported.length > 0 && s.requiredConditionKeys.includes(key)) {
            problems.push(
                `condition key "${key}" is not supported by ${unsupported.join(", ")}: the statement never allows them`,
            );
        }
    }
    return problems;
}

/** ARN of an AWS managed policy (any partition) → its `aws` form, or undefined for a customer managed policy. */
export function awsManagedPolicyKey(arn: string): string | undefined {
    const m = /^arn:aws(?:-cn|-us-gov)?:iam::aws:policy\/(.+)$/.exec(arn);
    return m ? `arn:aws:iam::aws:policy/${m[1]}` : undefined;
}

export function managedPolicyProblem(ref: IamReference, arn: string): string | undefined {
    const key = awsManagedPolicyKey(arn);
    if (key === undefined) return undefined;
    if (!ref.managedPolicies.has(key)) {
        const name = key.split("/").pop()!;
        const elsewhere = [...ref.managedPolicies.keys()].find((k) => k.split("/").pop() === name);
        return `${arn} is not an AWS managed policy${elsewhere ? ` (AWS publishes ${elsewhere})` : ""}`;
    }
    if (ref.managedPolicies.get(key)) return `${arn} is deprecated by AWS`;
    return undefined;
}

export function accessPolicyProblem(ref: IamReference, arn: string): string | undefined {
    const m = /^arn:aws(?:-cn|-us-gov)?:eks::aws:cluster-access-policy\/(.+)$/.exec(arn);
    if (!m) return `${arn} is not an EKS access policy ARN (arn:<partition>:eks::aws:cluster-access-policy/<name>)`;
    return ref.accessPolicies.has(m[1]) ? undefined : `${arn} is not an EKS access policy`;
}

/** Whether `key` is a condition key the reference knows at all (global, or of its service): prose names keys too. */
export function isKnownConditionKey(ref: IamReference, key: string): boolean {
    const service = key.split(":")[0].toLowerCase();
    let known = knownKeys.get(service);
    if (!known) {
        const s = ref.services.get(service);
        const all = [...new Set([...ref.globalKeys, ...(s ? [...s.keys, ...[...s.resourceTypes.values()].flat()] : [])])];
        const placeholder = (k: string) => /\$\{|</.test(k);
        known = {
            exact: new Set(all.filter((k) => !placeholder(k)).map((k) => k.toLowerCase())),
            patterns: all.filter(placeholder).map(template),
        };
        knownKeys.set(service, known);
    }
    return known.exact.has(key.toLowerCase()) || known.patterns.some((re) => re.test(key));
}
const knownKeys = new Map<string, { exact: Set<string>; patterns: RegExp[] }>();
