// Lists every value path a Helm chart knows, one dotted path per line, so tests can check that each value this program
// sets exists in the pinned chart version:
//
//   npx ts-node --transpile-only scripts/upstream/helmValuePaths.ts <chart.tgz | chart-dir> "<source line>"
//
// A path is known when values.yaml has it or a template reads it (`.Values.a.b`, `index .Values.a "b"`). Every prefix
// of a path is listed too. `x.*` marks a free-form map, below which any key is accepted: an empty map in values.yaml
// (`podAnnotations: {}`), a value the templates pass on whole (`toYaml .Values.resources`, or `with .Values.resources`
// then `toYaml .`), iterate (`range $k, $v := .Values.extraArgs`) or look up by a computed key (`index .Values.a $k`).
// Templates are read in every folder under templates/.
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";

function chartDir(input: string): string {
    if (fs.statSync(input).isDirectory()) return input;
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "chart-"));
    execFileSync("tar", ["-xzf", input, "-C", tmp]);
    const [top] = fs.readdirSync(tmp);
    return path.join(tmp, top);
}

function addWithPrefixes(out: Set<string>, dotted: string): void {
    const parts = dotted.split(".");
    for (let i = 1; i <= parts.length; i++) out.add(parts.slice(0, i).join("."));
}

/** Paths of a parsed values document. */
export function valuesPaths(doc: unknown, prefix = ""): string[] {
    if (doc === null || typeof doc !== "object" || Array.isArray(doc)) return [];
    const entries = Object.entries(doc as Record<string, unknown>);
    if (entries.length === 0 && prefix !== "") return [`${prefix}.*`];
    return entries.flatMap(([k, v]) => {
        const p = prefix === "" ? k : `${prefix}.${k}`;
        return [p, ...valuesPaths(v, p)];
    });
}

const PATH = String.raw`\$?\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)+)`;
const dotted = (m: string) => m.slice(1);

/** A template file cut at each `define`, so that a variable is only followed inside the block that sets it. */
const blocks = (template: string): string[] => template.split(/(?=\{\{-?\s*define\s)/);

/**
 * A block with its variables that stand for a values path written as that path: after `$agent := mergeOverwrite
 * (deepCopy $.Values.agent) .`, every `$agent.x` reads `agent.x`.
 */
function resolveAliases(block: string): string {
    const alias = new RegExp(String.raw`\$(\w+)\s*:=\s*(?:mergeOverwrite|merge)\s*\(\s*deepCopy\s+${PATH}\s*\)`);
    const m = alias.exec(block);
    if (!m) return block;
    const after = block.slice(m.index + m[0].length);
    return block.slice(0, m.index) + resolveAliases(after.replace(new RegExp(String.raw`\$${m[1]}\b`, "g"), `$.Values${m[2]}`));
}

/**
 * What named templates do with a dict parameter, applied to the values path each caller passes as that parameter
 * (`dict "component" .Values.manager | include "…"`, `include "…" (merge (dict "Config" .Values.x) $)`): a key dug out
 * of it (`dig "tolerations" nil .component`) is read; a parameter turned to JSON or YAML (`.Config | toJson`) is
 * passed on whole.
 */
function helperPaths(templates: string[]): { read: string[]; whole: string[] } {
    const uses: { name: string; param: string; keys?: string[] }[] = [];
    for (const block of templates.flatMap(blocks)) {
        const name = /^\{\{-?\s*define\s+"([^"]+)"/.exec(block)?.[1];
        if (!name) continue;
        for (const m of block.matchAll(/\bdig\s+((?:"[^"]*"\s+)+)\S+\s+\.(\w+)\b/g)) {
            uses.push({ name, param: m[2], keys: [...m[1].matchAll(/"([^"]*)"/g)].map((k) => k[1]) });
        }
        for (const m of block.matchAll(/\.([A-Z]\w*)\s*\|\s*(?:toJson|toYaml)\b|\b(?:toJson|toYaml)\s+\.([A-Z]\w*)\b/g)) {
            uses.push({ name, param: m[1] ?? m[2] });
        }
    }
    const read: string[] = [];
    const whole: string[] = [];
    for (const t of templates) {
        for (const use of uses) {
            const name = use.name.replace(/[.]/g, "\\.");
            const calls = new RegExp(
                String.raw`dict\s+([^|}]*?)\|\s*include\s+"${name}"|include\s+"${name}"\s+\((?:merge\s+)?\(?\s*dict\s+([^)]*)\)`,
                "g",
            );
            for (const m of t.matchAll(calls)) {
                const arg = new RegExp(String.raw`"${use.param}"\s+${PATH}`).exec(m[1] ?? m[2]);
                if (!arg) continue;
                if (use.keys) read.push([dotted(arg[1]), ...use.keys].join("."));
                else whole.push(dotted(arg[1]));
            }
        }
    }
    return { read, whole };
}

/** Paths the templates read, and those they pass on whole (free-form below). */
export function templatePaths(raw: string[]): { read: string[]; whole: string[] } {
    const read = new Set<string>();
    const whole = new Set<string>();
    const templates = raw.map((t) => blocks(t).map(resolveAliases).join(""));
    const helpers = helperPaths(templates);
    for (const p of helpers.read) read.add(p);
    for (const p of helpers.whole) whole.add(p);
    for (const t of templates) {
        for (const m of t.matchAll(new RegExp(PATH, "g"))) read.add(dotted(m[1]));
        // Passed on whole: toYaml .Values.x
        for (const m of t.matchAll(new RegExp(String.raw`\b(?:toYaml|toJson|toPrettyJson)\s+\(?\s*${PATH}`, "g"))) {
            whole.add(dotted(m[1]));
        }
        // Passed on whole: {{ with .Values.x }} … toYaml . (before the block ends, turns to else or another opens).
        const withBlock = String.raw`\{\{-?\s*with\s+([^}]*?)\s*-?\}\}((?:(?!\{\{-?\s*(?:end|else|with|range|define)\b)[\s\S])*?)`;
        for (const m of t.matchAll(new RegExp(`${withBlock}\\b(?:toYaml|toJson|toPrettyJson)\\s+\\.\\s*[|)}-]`, "g"))) {
            for (const p of m[1].matchAll(new RegExp(PATH, "g"))) whole.add(dotted(p[1]));
        }
        // Any key: {{ range $k, $v := .Values.x }}
        for (const m of t.matchAll(new RegExp(String.raw`range\s+\$\w+\s*,\s*\$\w+\s*:=\s*\(?\s*${PATH}`, "g"))) {
            whole.add(dotted(m[1]));
        }
        // index .Values.x "a" "b" reads x.a.b; index .Values.x $k (a computed key) reads any key of x.
        for (const m of t.matchAll(new RegExp(String.raw`\bindex\s+${PATH}((?:\s+(?:"[^"]*"|[$.][\w.$]*))+)`, "g"))) {
            const keys = [...m[2].matchAll(/"([^"]*)"|([$.][\w.$]*)/g)];
            const literal: string[] = [];
            for (const k of keys) {
                if (k[1] === undefined) {
                    whole.add([dotted(m[1]), ...literal].join("."));
                    break;
                }
                literal.push(k[1]);
            }
            if (literal.length === keys.length) read.add([dotted(m[1]), ...literal].join("."));
        }
    }
    return { read: [...read], whole: [...whole] };
}

/** Every template file under dir, in any folder. */
function templateFiles(dir: string): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
        const file = path.join(dir, e.name);
        if (e.isDirectory()) return templateFiles(file);
        return /\.(ya?ml|tpl|txt)$/.test(e.name) ? [file] : [];
    });
}

export function chartValuePaths(dir: string): string[] {
    const out = new Set<string>();
    for (const p of valuesPaths(parse(fs.readFileSync(path.join(dir, "values.yaml"), "utf8")))) addWithPrefixes(out, p);
    const templates = templateFiles(path.join(dir, "templates")).map((f) => fs.readFileSync(f, "utf8"));
    const { read, whole } = templatePaths(templates);
    for (const p of read) addWithPrefixes(out, p);
    for (const p of whole) {
        addWithPrefixes(out, p);
        out.add(`${p}.*`);
    }
    return [...out].sort();
}

if (require.main === module) {
    const [input, source] = process.argv.slice(2);
    if (!input || !source) {
        console.error('usage: helmValuePaths.ts <chart.tgz | chart-dir> "<source line>"');
        process.exit(2);
    }
    const dir = chartDir(input);
    const chart = parse(fs.readFileSync(path.join(dir, "Chart.yaml"), "utf8")) as {
        name: string;
        version: string;
        appVersion: string;
    };
    console.log(`# ${source}`);
    console.log(
        `# chart ${chart.name} ${chart.version} (appVersion ${chart.appVersion}): values.yaml keys and .Values paths read by templates/`,
    );
    for (const p of chartValuePaths(dir)) console.log(p);
}
