// .gitlab-ci.yml as GitLab reads it: `extends` (hashes merged key by key), `!reference`, and which jobs each kind of
// pipeline creates from `workflow:rules` and job `rules:if` (GitLab CI/CD YAML reference). Used by the delivery checks
// (tests/support/gitlabCi.ts) and the runbook tests.
import { parseDocument, Scalar, YAMLSeq } from "yaml";
import { SCENARIOS } from "./pipelineScenarios";

/** Top-level keys that are not jobs: GitLab CI/CD YAML reference, "Global keywords", and the deprecated globals. */
export const GLOBAL_KEYWORDS: ReadonlySet<string> = new Set([
    "default",
    "include",
    "stages",
    "variables",
    "workflow",
    "image",
    "services",
    "cache",
    "before_script",
    "after_script",
]);

// --- parsing -------------------------------------------------------------------------------------------------------

class Reference {
    constructor(public readonly path: string[]) {}
}

const referenceTag = {
    tag: "!reference",
    collection: "seq" as const,
    resolve: (value: unknown) => new Reference(((value as YAMLSeq).items as Scalar[]).map((s) => String(s.value))),
};

export type Job = Record<string, any>;
export interface Pipeline {
    doc: Record<string, any>;
    /** The file as written, with every `!reference` replaced by what it points to (hidden jobs and `extends` kept). */
    written: Record<string, any>;
    jobs: Record<string, Job>;
    variables: Record<string, string>;
}

export function parsePipeline(text: string): Pipeline | string {
    const document = parseDocument(text, { customTags: [referenceTag] });
    if (document.errors.length > 0) return `YAML does not parse: ${document.errors[0].message}`;
    const doc = document.toJS() as Record<string, any>;
    if (!doc || typeof doc !== "object") return "YAML does not parse: not a mapping";
    const raw: Record<string, Job> = Object.fromEntries(
        Object.entries(doc).filter(([k, v]) => !GLOBAL_KEYWORDS.has(k) && v && typeof v === "object" && !Array.isArray(v)),
    );
    const resolved: Record<string, Job> = {};
    const resolve = (name: string, seen: string[] = []): Job => {
        if (resolved[name]) return resolved[name];
        if (seen.includes(name)) throw new Error(`extends cycle: ${[...seen, name].join(" → ")}`);
        const job = raw[name];
        if (!job) throw new Error(`extends unknown job "${name}"`);
        let merged: Job = {};
        for (const parent of ([] as string[]).concat(job.extends ?? []))
            merged = deepMerge(merged, resolve(parent, [...seen, name]));
        const { extends: _ignored, ...own } = job;
        return (resolved[name] = deepMerge(merged, own));
    };
    for (const name of Object.keys(raw)) resolve(name);
    const dereference = (value: unknown): unknown => {
        if (value instanceof Reference) {
            let node: any = resolved[value.path[0]] ?? doc[value.path[0]];
            for (const key of value.path.slice(1)) node = node?.[key];
            if (node === undefined) throw new Error(`!reference [${value.path.join(", ")}] points nowhere`);
            return dereference(node);
        }
        if (Array.isArray(value)) return value.map(dereference);
        if (value && typeof value === "object")
            return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, dereference(v)]));
        return value;
    };
    const jobs = Object.fromEntries(
        Object.entries(resolved)
            .filter(([name]) => !name.startsWith("."))
            .map(([name, job]) => [name, dereference(job) as Job]),
    );
    const variables = Object.fromEntries(Object.entries(doc.variables ?? {}).map(([k, v]) => [k, variableValue(v)]));
    return { doc, written: dereference(doc) as Record<string, any>, jobs, variables };
}

/** GitLab's `extends` merge: hashes key by key, everything else replaced. */
function deepMerge(base: Job, over: Job): Job {
    const out: Job = { ...base };
    for (const [k, v] of Object.entries(over)) {
        const b = out[k];
        out[k] =
            b && v && typeof b === "object" && typeof v === "object" && !Array.isArray(b) && !Array.isArray(v)
                ? deepMerge(b, v)
                : v;
    }
    return out;
}

export const variableValue = (v: unknown) =>
    v && typeof v === "object" ? String((v as { value?: unknown }).value ?? "") : String(v ?? "");
export const lines = (v: unknown): string[] => (Array.isArray(v) ? v.flatMap(lines) : v === undefined ? [] : [String(v)]);
export const scriptOf = (job: Job) => [...lines(job.before_script), ...lines(job.script)].join("\n");

// --- rules: if expressions ----------------------------------------------------------------------------------------

/** Variables an `if:` expression reads. */
export function variablesIn(expression: string): string[] {
    return [...expression.matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g)].map((m) => m[1]);
}

/** Evaluates a GitLab `rules:if` expression (==, !=, =~, !~, &&, ||, parentheses, null, bare variables). */
export function evaluateIf(expression: string, vars: Readonly<Record<string, string>>): boolean {
    const tokens =
        expression.match(
            /\$\{?[A-Za-z_][A-Za-z0-9_]*\}?|"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|\/(?:[^/\\]|\\.)+\/[a-z]*|==|!=|=~|!~|&&|\|\||\(|\)|null|\S+/g,
        ) ?? [];
    let i = 0;
    type Value = string | RegExp | null;
    const operand = (): Value => {
        const t = tokens[i++];
        if (t === undefined) throw new Error(`unexpected end of "${expression}"`);
        if (t.startsWith("$")) return vars[t.replace(/[${}]/g, "")] ?? null;
        if (t.startsWith('"') || t.startsWith("'")) return t.slice(1, -1);
        if (t.startsWith("/")) {
            const end = t.lastIndexOf("/");
            return new RegExp(t.slice(1, end), t.slice(end + 1));
        }
        if (t === "null") return null;
        throw new Error(`unexpected "${t}" in "${expression}"`);
    };
    const truthy = (v: Value) => typeof v === "string" && v !== "";
    const comparison = (): boolean => {
        if (tokens[i] === "(") {
            i++;
            const v = or();
            if (tokens[i++] !== ")") throw new Error(`missing ) in "${expression}"`);
            return v;
        }
        const left = operand();
        const op = tokens[i];
        if (op !== "==" && op !== "!=" && op !== "=~" && op !== "!~") return truthy(left);
        i++;
        const right = operand();
        if (op === "==") return left === right;
        if (op === "!=") return left !== right;
        const matched = right instanceof RegExp && typeof left === "string" && right.test(left);
        return op === "=~" ? matched : !matched;
    };
    const and = (): boolean => {
        let v = comparison();
        while (tokens[i] === "&&") {
            i++;
            const r = comparison();
            v = v && r;
        }
        return v;
    };
    const or = (): boolean => {
        let v = and();
        while (tokens[i] === "||") {
            i++;
            const r = and();
            v = v || r;
        }
        return v;
    };
    const result = or();
    if (i !== tokens.length) throw new Error(`trailing "${tokens.slice(i).join(" ")}" in "${expression}"`);
    return result;
}

/** The `when` a list of rules gives in a scenario, or undefined when the job (or pipeline) is not created. */
export function whenOf(rules: unknown, vars: Readonly<Record<string, string>>, defaultWhen = "on_success"): string | undefined {
    if (rules === undefined) return defaultWhen;
    for (const rule of rules as { if?: string; when?: string }[]) {
        if (rule.if === undefined || evaluateIf(rule.if, vars)) {
            const when = rule.when ?? defaultWhen;
            return when === "never" ? undefined : when;
        }
    }
    return undefined;
}

/** Job name → `when` for the jobs a scenario's pipeline contains. */
export function jobsIn(p: Pipeline, scenario: string): Record<string, string> {
    const vars = { ...p.variables, ...SCENARIOS[scenario] };
    if (whenOf(p.doc.workflow?.rules, vars) === undefined) return {};
    const out: Record<string, string> = {};
    for (const [name, job] of Object.entries(p.jobs)) {
        const when = whenOf(job.rules, vars, job.when ?? "on_success");
        if (when !== undefined) out[name] = when;
    }
    return out;
}
