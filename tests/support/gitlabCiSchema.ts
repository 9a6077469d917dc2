// GitLab's own definition of a CI configuration file: the JSON schema its pipeline editor validates with
// (app/assets/javascripts/editor/schema/ci.json, tests/fixtures/upstream/SOURCES.md), compiled once and applied the two
// ways GitLab reads the file (tests/support/gitlabPipeline.ts parses it):
// - as written, every `!reference` replaced by what it points to: global keywords, workflow, variables, each visible
//   job's own keys;
// - as run: each job after `extends` and `!reference`, against the schema's `#/definitions/job`. This pass is what
//   catches a misspelt keyword in a hidden template (`.infra`, `.deploy-window`, …): the schema accepts anything under a
//   hidden key (`"^[.]"`: a job template *or* "Arbitrary YAML anchor"), and GitLab only validates what a job inherits.
// Three objects the schema leaves open are closed as GitLab's own config entries close them (CLOSED_BY_GITLAB).
// Used by tests/gitlabCiSchema.test.ts on .gitlab-ci.yml, the files it includes and the CI snippets of docs/.
import Ajv, { ErrorObject, ValidateFunction } from "ajv";
import * as fs from "fs";
import * as path from "path";
import { parsePipeline, Pipeline } from "./gitlabPipeline";
import { ROOT } from "./harness";

export const SCHEMA_FILE = path.join(ROOT, "tests/fixtures/upstream/gitlab-ci-schema.0286e4c6.json");
/** The schema's `$id`. */
const SCHEMA_ID = "https://gitlab.com/.gitlab-ci.yml";

/** The fixture below its first line, which names its source. */
export function gitlabCiSchema(): Record<string, any> {
    const text = fs.readFileSync(SCHEMA_FILE, "utf8");
    return JSON.parse(text.slice(text.indexOf("\n") + 1));
}

/**
 * Where the schema admits keys that GitLab refuses: objects with declared properties but no `additionalProperties:
 * false`, although GitLab's config entry validates `allowed_keys` (so a misspelt key fails the pipeline). Each is
 * closed here, with the entry class that refuses unknown keys (gitlabhq/gitlabhq, lib/gitlab/ci/config/entry/):
 * - a cache (`cache.rb` at 3a5eccd3: `ALLOWED_KEYS = %i[key untracked paths when policy unprotect fallback_keys]`,
 *   `validates :config, type: Hash, allowed_keys: ALLOWED_KEYS`), the schema's `cache_item`;
 * - a cache key given as a hash (`key.rb` at 495a5c79, `ComplexKey`: `validates :config, allowed_keys: ALLOWED_KEYS`);
 * - `workflow` (`workflow.rb` at 017a6c12: `ALLOWED_KEYS = %i[rules name auto_cancel]`, `validates :config,
 *   allowed_keys: ALLOWED_KEYS`).
 * tests/gitlabCiSchema.test.ts checks that the schema declares exactly GitLab's keys at each, so closing them refuses
 * nothing GitLab accepts.
 */
export const CLOSED_BY_GITLAB: { pointer: string; entry: string }[] = [
    { pointer: "/definitions/cache_item", entry: "cache.rb (Entry::Cache)" },
    { pointer: "/definitions/cache_item/properties/key/oneOf/1", entry: "key.rb (Entry::Key::ComplexKey)" },
    { pointer: "/properties/workflow", entry: "workflow.rb (Entry::Workflow)" },
];

export function atPointer(schema: Record<string, any>, pointer: string): Record<string, any> {
    const node = pointer
        .split("/")
        .slice(1)
        .reduce<any>((at, key) => at?.[key], schema);
    if (!node || typeof node !== "object") throw new Error(`the schema has nothing at ${pointer}`);
    return node;
}

/** The schema with the objects of CLOSED_BY_GITLAB closed (a copy). */
export function closedSchema(schema = gitlabCiSchema()): Record<string, any> {
    const copy = structuredClone(schema);
    for (const { pointer } of CLOSED_BY_GITLAB) atPointer(copy, pointer).additionalProperties = false;
    return copy;
}

interface Validators {
    document: ValidateFunction;
    job: ValidateFunction;
    /** JSON pointer of every object in the compiled schema, to name where an error comes from. */
    pointers: WeakMap<object, string>;
}
let compiled: Validators | undefined;

/**
 * Compiled once per process. The schema declares draft-07, Ajv's default draft. `strict: false`: it uses keywords Ajv's
 * strict mode refuses (`markdownDescription`). `validateFormats: false`: its formats (uri, uri-reference, regex,
 * date-time) are not checked, for want of a format library among the dependencies; its patterns are. `inlineRefs: false`
 * and no code optimisation cut the compile time from about 700 ms (Ajv's defaults) to about 250 ms; `verbose` gives each
 * error the schema object it failed.
 */
function validators(): Validators {
    if (!compiled) {
        const schema = closedSchema();
        const pointers = new WeakMap<object, string>();
        const walk = (node: unknown, pointer: string) => {
            if (!node || typeof node !== "object") return;
            pointers.set(node, pointer);
            for (const [key, child] of Object.entries(node)) walk(child, `${pointer}/${key}`);
        };
        walk(schema, "#");
        const ajv = new Ajv({
            strict: false,
            allErrors: true,
            validateFormats: false,
            inlineRefs: false,
            code: { optimize: false },
            verbose: true,
        });
        ajv.addSchema(schema);
        compiled = { document: ajv.getSchema(SCHEMA_ID)!, job: ajv.getSchema(`${SCHEMA_ID}#/definitions/job`)!, pointers };
    }
    return compiled;
}

/** Keywords that only say that no alternative matched: left out where a more precise error explains why. */
const SUMMARY = new Set(["oneOf", "anyOf", "type", "if"]);

function explain(where: string, errors: ErrorObject[] | null | undefined, pointers: WeakMap<object, string>): string[] {
    const all = errors ?? [];
    const precise = all.filter((e) => !SUMMARY.has(e.keyword));
    const shown = all.filter(
        (e) =>
            !SUMMARY.has(e.keyword) ||
            !precise.some((p) => p.instancePath === e.instancePath || p.instancePath.startsWith(`${e.instancePath}/`)),
    );
    const lines = shown.map((e) => {
        const p = e.params as Record<string, unknown>;
        const detail =
            e.keyword === "additionalProperties"
                ? `: "${p.additionalProperty}"`
                : e.keyword === "enum"
                  ? `: ${JSON.stringify(p.allowedValues)}`
                  : "";
        const at = (e.parentSchema && pointers.get(e.parentSchema)) ?? "";
        return `${where} ${e.instancePath || "/"} ${e.message}${detail} (schema ${at}/${e.keyword})`;
    });
    return [...new Set(lines)];
}

/** Schema errors of one CI configuration file's text, each naming `file`, the path in the file and the schema path. */
export const schemaErrors = (text: string, file: string): string[] => check(text, file).errors;

function check(text: string, file: string): { errors: string[]; pipeline?: Pipeline } {
    let pipeline;
    try {
        pipeline = parsePipeline(text);
    } catch (err) {
        return { errors: [`${file}: ${(err as Error).message}`] };
    }
    if (typeof pipeline === "string") return { errors: [`${file}: ${pipeline}`] };
    const { document, job, pointers } = validators();
    const errors = document(pipeline.written) ? [] : explain(`${file} (as written)`, document.errors, pointers);
    for (const [name, resolved] of Object.entries(pipeline.jobs)) {
        if (!job(resolved)) errors.push(...explain(`${file} job "${name}" (after extends and !reference)`, job.errors, pointers));
    }
    return { errors, pipeline };
}

/**
 * The files a pipeline includes (GitLab CI/CD YAML reference, `include`: a string or an entry, or a list of them; a
 * string that is not a URL is `include:local`). Local paths are relative to the repository root, with or without a
 * leading `/`; anything else (remote, project, template, component) lives outside the repository.
 */
export function includesOf(written: Record<string, any>): { local: string[]; elsewhere: string[] } {
    const entries: unknown[] = ([] as unknown[]).concat(written.include ?? []);
    const local: string[] = [];
    const elsewhere: string[] = [];
    for (const entry of entries) {
        const file = typeof entry === "string" ? (/^https?:\/\//.test(entry) ? undefined : entry) : (entry as any)?.local;
        if (typeof file === "string") local.push(file.replace(/^\//, ""));
        else elsewhere.push(JSON.stringify(entry));
    }
    return { local, elsewhere };
}

/**
 * Schema errors of a pipeline file and, recursively, of every local file it includes (as written: included jobs are
 * not merged with the including file's templates, which tests/support/gitlabPipeline.ts does not do either). An
 * include from outside the repository is an error: it cannot be validated offline.
 */
export function pipelineSchemaErrors(file: string, read: (file: string) => string, seen = new Set<string>()): string[] {
    if (seen.has(file)) return [];
    seen.add(file);
    const { errors, pipeline } = check(read(file), file);
    if (!pipeline) return errors;
    const { local, elsewhere } = includesOf(pipeline.written);
    for (const entry of elsewhere)
        errors.push(`${file}: include ${entry} is outside the repository and cannot be validated offline`);
    for (const included of local) errors.push(...pipelineSchemaErrors(included, read, seen));
    return errors;
}

/** Reads a repository file, for pipelineSchemaErrors. */
export const readRepositoryFile = (file: string) => fs.readFileSync(path.join(ROOT, file), "utf8");

export interface YamlBlock {
    file: string;
    line: number;
    code: string;
}

/** Every ```yaml block of the Markdown files under docs/ and of README.md, de-indented (fences inside list items). */
export function docsYamlBlocks(): YamlBlock[] {
    const walk = (dir: string): string[] =>
        fs
            .readdirSync(path.join(ROOT, dir), { withFileTypes: true })
            .flatMap((e) => (e.isDirectory() ? walk(`${dir}/${e.name}`) : e.name.endsWith(".md") ? [`${dir}/${e.name}`] : []));
    const blocks: YamlBlock[] = [];
    for (const file of [...walk("docs"), "README.md"]) {
        const text = fs.readFileSync(path.join(ROOT, file), "utf8");
        for (const m of text.matchAll(/^( *)```ya?ml\n([\s\S]*?)^\1```/gm)) {
            const code = m[2]
                .split("\n")
                .map((l) => (l.startsWith(m[1]) ? l.slice(m[1].length) : l))
                .join("\n");
            blocks.push({ file, line: text.slice(0, m.index).split("\n").length, code });
        }
    }
    return blocks;
}
