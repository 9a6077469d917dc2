// Lists every value path a Helm chart knows, one dotted path per line, so tests can check that each value this program
// sets exists in the pinned chart version:
//
//   npx ts-node --transpile-only scripts/upstream/helmValuePaths.ts <chart.tgz | chart-dir> "<source line>"
//
// A path is known when values.yaml has it or a template reads it (`.Values.a.b`). Every prefix of a path is listed
// too. `x.*` marks a free-form map: an empty map in values.yaml (`podAnnotations: {}`) or a value the templates pass
// on whole (`toYaml .Values.resources`), below which any key is accepted.
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

/** Paths the templates read, and those they pass on whole. */
export function templatePaths(templates: string[]): { read: string[]; whole: string[] } {
    const read = new Set<string>();
    const whole = new Set<string>();
    for (const t of templates) {
        for (const m of t.matchAll(/\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)+)/g)) read.add(m[1].slice(1));
        for (const m of t.matchAll(/\b(?:toYaml|toJson|toPrettyJson)\s+\(?\s*\$?\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)+)/g)) {
            whole.add(m[1].slice(1));
        }
    }
    return { read: [...read], whole: [...whole] };
}

export function chartValuePaths(dir: string): string[] {
    const out = new Set<string>();
    for (const p of valuesPaths(parse(fs.readFileSync(path.join(dir, "values.yaml"), "utf8")))) addWithPrefixes(out, p);
    const tplDir = path.join(dir, "templates");
    const templates = fs
        .readdirSync(tplDir)
        .filter((f) => /\.(ya?ml|tpl|txt)$/.test(f))
        .map((f) => fs.readFileSync(path.join(tplDir, f), "utf8"));
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
