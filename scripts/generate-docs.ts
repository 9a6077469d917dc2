/**
 * `npm run docs`: writes the reference tables that are derived from code into the Markdown files, between
 * `<!-- generated:<name> -->` and `<!-- /generated:<name> -->` markers. tests/generatedDocs.test.ts fails when a
 * file is stale, so a new option never ships undocumented.
 */
import * as fs from "fs";
import * as path from "path";
import { RunnerOption } from "../config/optionTable";
import { RUNNER_OPTIONS } from "../config/runnerOptions";
import { WARM_CAPACITY_FIELDS } from "../config/warmCapacity";
import { VM_POLICY_OPTIONS, VM_RUNNER_OPTIONS } from "../config/vmRunners";

const ROOT = path.resolve(__dirname, "..");

/** Arrays of tables in config.toml (`[[…]]`): `[[runners]]` and its autoscaler policies. */
const TABLE_ARRAYS = ["runners", "runners.autoscaler.policy"];

/**
 * `runners.kubernetes.image` → `[runners.kubernetes] image`; `runners.output_limit` → `[[runners]] output_limit`;
 * `runners.autoscaler.policy` → `[[runners.autoscaler.policy]]`.
 */
function tomlKey(dotted: string): string {
    if (TABLE_ARRAYS.includes(dotted)) return `\`[[${dotted}]]\``;
    const parts = dotted.split(".");
    const key = parts.pop()!;
    const table = parts.join(".");
    return TABLE_ARRAYS.includes(table) ? `\`[[${table}]] ${key}\`` : `\`[${table}] ${key}\``;
}

function becomes(o: RunnerOption): string {
    const t = o.target;
    if ("toml" in t) return t.table ? `\`[${t.toml}]\`` : tomlKey(t.toml);
    if ("chart" in t) return `chart \`${t.chart}\``;
    if ("gitlab" in t) return `GitLab runner setting \`${t.gitlab}\``;
    return t.derived;
}

function formatDefault(value: unknown): string {
    return Array.isArray(value) ? `\`[${value.join(", ")}]\`` : `\`${String(value)}\``;
}

/** The Default column: a computed default's text, the schema's default, "required" or "none". */
export function defaultCell(o: RunnerOption): string {
    if (o.defaultText) return o.defaultText;
    const parsed = o.schema.safeParse(undefined);
    if (!parsed.success) return "required";
    return parsed.data === undefined ? "none" : formatDefault(parsed.data);
}

const keyCell = (key: string) =>
    key === "helper" || key === "services" ? `\`${key}.*\`` : key === "policies" ? `\`${key}[]\`` : `\`${key}\``;
const rows = (table: Record<string, RunnerOption>) => Object.entries(table) as [string, RunnerOption][];

/** The full reference table of an option table: key, default, upstream target, meaning. */
function fullTable(table: Record<string, RunnerOption>): string {
    const lines = rows(table).map(([key, o]) => `| ${keyCell(key)} | ${defaultCell(o)} | ${becomes(o)} | ${o.doc} |`);
    return ["| Key | Default | Becomes | Meaning |", "|---|---|---|---|", ...lines].join("\n");
}

/** Every generated block, by marker name. */
export function generatedBlocks(): Record<string, string> {
    const summary = rows(RUNNER_OPTIONS)
        .filter(([, o]) => o.summary)
        .map(([key, o]) => `| ${keyCell(key)} | ${defaultCell(o)} | ${o.doc} |`);
    return {
        "runner-options": fullTable(RUNNER_OPTIONS),
        "runner-options-summary": ["| Key | Default | Meaning |", "|---|---|---|", ...summary].join("\n"),
        "warm-capacity-fields": [
            "| Key (under `warmCapacity`) | Default | `[runners.kubernetes.autoscaler]` key | Meaning |",
            "|---|---|---|---|",
            ...WARM_CAPACITY_FIELDS.map(
                ([key, def, toml, doc]) => `| ${key.startsWith("(") ? key : `\`${key}\``} | ${def} | ${toml} | ${doc} |`,
            ),
        ].join("\n"),
        "vm-runner-options": fullTable(VM_RUNNER_OPTIONS),
        "vm-runner-policy-options": fullTable(VM_POLICY_OPTIONS),
    };
}

/** The files that carry generated blocks. */
export const GENERATED_FILES = ["README.md", "docs/runners.md"];

/** `text` with every generated block it contains replaced by its current content. */
export function withGeneratedBlocks(text: string): string {
    let out = text;
    for (const [name, block] of Object.entries(generatedBlocks())) {
        const pattern = new RegExp(`(<!-- generated:${name} -->\\n)[\\s\\S]*?(\\n<!-- /generated:${name} -->)`);
        out = out.replace(pattern, (_m, open: string, close: string) => `${open}${block}${close}`);
    }
    return out;
}

if (require.main === module) {
    for (const file of GENERATED_FILES) {
        const full = path.join(ROOT, file);
        const text = fs.readFileSync(full, "utf8");
        const next = withGeneratedBlocks(text);
        if (next !== text) {
            fs.writeFileSync(full, next);
            console.log(`updated ${file}`);
        }
    }
}
