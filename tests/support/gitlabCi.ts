// A structural checker for .gitlab-ci.yml: parses it the way GitLab does (extends, !reference, rules), simulates which
// jobs each kind of pipeline creates, and checks the delivery rules of issue 7. Used by tests/gitlabCi.test.ts, which
// proves every check on a bad file, and by tests/runbook.test.ts.
import * as path from "path";
import { parseDocument, Scalar, YAMLSeq } from "yaml";
import { ROOT } from "./harness";

/** GitLab predefined variables this pipeline's `rules:` may use (anything else must be defined under variables:). */
export const PREDEFINED = new Set([
    "CI_PIPELINE_SOURCE",
    "CI_COMMIT_BRANCH",
    "CI_DEFAULT_BRANCH",
    "CI_COMMIT_TAG",
    "CI_OPEN_MERGE_REQUESTS",
    "CI_MERGE_REQUEST_IID",
]);

/** Kinds of pipelines, with the variables GitLab sets in each (and SCHEDULED_TASK as the schedules set it). */
export const SCENARIOS: Record<string, Record<string, string>> = {
    "merge request": { CI_PIPELINE_SOURCE: "merge_request_event", CI_MERGE_REQUEST_IID: "7", CI_DEFAULT_BRANCH: "main" },
    "push to a branch with an MR": {
        CI_PIPELINE_SOURCE: "push",
        CI_COMMIT_BRANCH: "feature",
        CI_OPEN_MERGE_REQUESTS: "group/project!7",
        CI_DEFAULT_BRANCH: "main",
    },
    "push to the default branch": { CI_PIPELINE_SOURCE: "push", CI_COMMIT_BRANCH: "main", CI_DEFAULT_BRANCH: "main" },
    "release tag": { CI_PIPELINE_SOURCE: "push", CI_COMMIT_TAG: "v1.4.0", CI_DEFAULT_BRANCH: "main" },
    "drift schedule": {
        CI_PIPELINE_SOURCE: "schedule",
        CI_COMMIT_BRANCH: "main",
        CI_DEFAULT_BRANCH: "main",
        SCHEDULED_TASK: "drift",
    },
    "patch schedule": {
        CI_PIPELINE_SOURCE: "schedule",
        CI_COMMIT_BRANCH: "main",
        CI_DEFAULT_BRANCH: "main",
        SCHEDULED_TASK: "patch",
    },
    "Run pipeline on the default branch": {
        CI_PIPELINE_SOURCE: "web",
        CI_COMMIT_BRANCH: "main",
        CI_DEFAULT_BRANCH: "main",
        BREAK_GLASS_ROLE_ARN: "arn:aws:iam::111122223333:role/Admin",
    },
};
export const isSchedule = (scenario: string) => SCENARIOS[scenario].CI_PIPELINE_SOURCE === "schedule";

const KEYWORDS = new Set([
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
    jobs: Record<string, Job>;
    variables: Record<string, string>;
}

export function parsePipeline(text: string): Pipeline | string {
    const document = parseDocument(text, { customTags: [referenceTag] });
    if (document.errors.length > 0) return `YAML does not parse: ${document.errors[0].message}`;
    const doc = document.toJS() as Record<string, any>;
    if (!doc || typeof doc !== "object") return "YAML does not parse: not a mapping";
    const raw: Record<string, Job> = Object.fromEntries(
        Object.entries(doc).filter(([k, v]) => !KEYWORDS.has(k) && v && typeof v === "object" && !Array.isArray(v)),
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
    return { doc, jobs, variables };
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

// --- the checks -----------------------------------------------------------------------------------------------------

export const callsCloud = (job: Job) => /(^|\s)(pulumi|aws)\s/m.test(scriptOf(job));
export const changesInfrastructure = (job: Job) => /pulumi (up|destroy)\b|(create|delete)-access-entry/.test(scriptOf(job));
export const runsPulumiUp = (job: Job) => /pulumi up\b/.test(scriptOf(job));

const SECRET_TEXT: [RegExp, string][] = [
    [/\b(AKIA|ASIA)[A-Z0-9]{16}\b/, "an AWS access key id"],
    [/aws_secret_access_key\s*[:=]\s*["']?[A-Za-z0-9/+]{40}/i, "an AWS secret access key"],
    [/glrt-[A-Za-z0-9_.-]+/, "a GitLab runner token (glrt-)"],
    [/\bpul-[0-9a-f]{40}\b/, "a Pulumi access token (pul-)"],
];
const SECRET_NAME = /TOKEN|SECRET|PASSWORD|PASSPHRASE|ACCESS_KEY/;
const LONG_LIVED_KEYS = ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"];

export function checkGitlabCi(text: string): string[] {
    const parsed = parsePipeline(text);
    if (typeof parsed === "string") return [parsed];
    const p = parsed;
    const problems: string[] = [];
    const stages: string[] = p.doc.stages ?? ["build", "test", "deploy"];

    // Every job's stage exists.
    for (const [name, job] of Object.entries(p.jobs)) {
        const stage = job.stage ?? "test";
        if (![".pre", ".post", ...stages].includes(stage))
            problems.push(`job "${name}": stage "${stage}" is not in stages (${stages.join(", ")})`);
        if (job.only !== undefined || job.except !== undefined) problems.push(`job "${name}": uses only/except; use rules`);
    }

    // Variables in rules:if are predefined (allow-listed) or defined.
    const ruleSets: [string, unknown][] = [
        ["workflow", p.doc.workflow?.rules],
        ...Object.entries(p.jobs).map(([n, j]) => [`job "${n}"`, j.rules] as [string, unknown]),
    ];
    for (const [where, rules] of ruleSets) {
        const jobVars = where.startsWith("job") ? Object.keys(p.jobs[where.slice(5, -1)].variables ?? {}) : [];
        for (const rule of (rules as { if?: string }[] | undefined) ?? []) {
            for (const v of variablesIn(rule.if ?? "")) {
                if (!PREDEFINED.has(v) && !(v in p.variables) && !jobVars.includes(v)) {
                    problems.push(
                        `${where}: rules if "${rule.if}" uses $${v}, which is neither an allowed GitLab predefined variable nor defined under variables:`,
                    );
                }
            }
        }
    }

    // No secrets inline.
    text.split("\n").forEach((line, n) => {
        for (const [pattern, what] of SECRET_TEXT) if (pattern.test(line)) problems.push(`line ${n + 1}: contains ${what}`);
    });
    const variableBlocks: [string, Record<string, unknown>][] = [
        ["variables", p.doc.variables ?? {}],
        ...Object.entries(p.jobs).map(
            ([n, j]) => [`job "${n}" variables`, j.variables ?? {}] as [string, Record<string, unknown>],
        ),
    ];
    for (const [where, block] of variableBlocks) {
        for (const [key, raw] of Object.entries(block)) {
            const value = variableValue(raw);
            if (LONG_LIVED_KEYS.includes(key))
                problems.push(`${where}: ${key} is defined; AWS credentials come from id_tokens, never from variables`);
            else if (SECRET_NAME.test(key) && value !== "" && !value.startsWith("$"))
                problems.push(`${where}: ${key} has an inline value; make it a masked, protected CI/CD variable`);
        }
    }

    for (const [name, job] of Object.entries(p.jobs)) {
        const stack = job.variables?.STACK as string | undefined;
        // Infrastructure-changing jobs never overlap: a resource group per stack.
        if (changesInfrastructure(job)) {
            if (!job.resource_group) problems.push(`job "${name}" changes infrastructure but has no resource_group`);
            else if (stack && !String(job.resource_group).includes(stack))
                problems.push(`job "${name}": resource_group "${job.resource_group}" does not name its stack ${stack}`);
            // A cancelled `pulumi up` leaves pending operations and a locked stack behind.
            if (job.interruptible === true) problems.push(`job "${name}" changes infrastructure but is interruptible`);
        }
        // Cloud credentials only through ID tokens, and only on the infra runner.
        if (callsCloud(job)) {
            if (!job.id_tokens || Object.keys(job.id_tokens).length === 0)
                problems.push(`job "${name}" calls pulumi/aws but has no id_tokens`);
            else if (!/assume-role-with-web-identity/.test(scriptOf(job)))
                problems.push(`job "${name}" has id_tokens but never exchanges them (aws sts assume-role-with-web-identity)`);
            if (!lines(job.tags).includes("$INFRA_RUNNER_TAG"))
                problems.push(`job "${name}" calls pulumi/aws but is not pinned to the infra runner (tags: [$INFRA_RUNNER_TAG])`);
        }
        for (const need of ([] as unknown[]).concat(job.needs ?? [])) {
            const needed = typeof need === "string" ? need : (need as { job?: string }).job;
            if (needed && !p.jobs[needed]) problems.push(`job "${name}" needs "${needed}", which does not exist`);
        }
        const onStop = job.environment?.on_stop;
        if (onStop && p.jobs[onStop]?.environment?.action !== "stop")
            problems.push(`job "${name}": on_stop "${onStop}" is not a job with environment action stop`);
    }

    // Which jobs run where.
    let where: Record<string, Record<string, string>>;
    try {
        where = Object.fromEntries(Object.keys(SCENARIOS).map((s) => [s, jobsIn(p, s)]));
    } catch (err) {
        return [...problems, `rules cannot be evaluated: ${(err as Error).message}`];
    }
    for (const [name, job] of Object.entries(p.jobs)) {
        const scenarios = Object.keys(SCENARIOS).filter((s) => name in where[s]);
        const onSchedule = scenarios.filter(isSchedule);
        const elsewhere = scenarios.filter((s) => !isSchedule(s));
        const scheduledJob = lines((job.rules ?? []).map((r: { if?: string }) => r.if ?? "")).some((e) =>
            /CI_PIPELINE_SOURCE == "schedule"/.test(e),
        );
        if (scheduledJob && elsewhere.length > 0)
            problems.push(`job "${name}" is a scheduled job but also runs in: ${elsewhere.join(", ")}`);
        if (/pulumi refresh\b/.test(scriptOf(job)) && onSchedule.length === 0)
            problems.push(`job "${name}" detects drift but never runs on a schedule`);
        if (changesInfrastructure(job) && onSchedule.length > 0 && !scheduledJob)
            problems.push(`job "${name}" changes infrastructure in schedule pipelines without being a scheduled job`);
        if (changesInfrastructure(job) && scenarios.includes("merge request"))
            problems.push(`job "${name}" changes infrastructure from a merge request pipeline`);
        if (runsPulumiUp(job) && job.variables?.STACK === "prod") {
            for (const s of elsewhere)
                if (where[s][name] !== "manual")
                    problems.push(`job "${name}" deploys prod without a person (when: ${where[s][name]}) in: ${s}`);
            if (job.environment?.name !== "prod")
                problems.push(`job "${name}" deploys prod outside the protected environment "prod"`);
        }
    }
    return problems;
}

export const CI_FILE = path.join(ROOT, ".gitlab-ci.yml");
