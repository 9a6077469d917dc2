// Reads the Prometheus metric definitions out of Go sources at a git tag, so the metric fixtures under
// tests/fixtures/upstream/ can be regenerated and diffed when a pinned version changes:
//
//   npx ts-node --transpile-only scripts/upstream/goMetrics.ts <git-dir> <tag> <repo-name> <path>...
//
// <git-dir> is a (bare) clone of the upstream repository, <path> a file or folder inside it (test files and
// vendor/ are skipped). It understands the constructor forms gitlab-runner, Cluster Autoscaler and Karpenter use:
// `prometheus.NewCounterVec(prometheus.CounterOpts{…}, []string{…})`, `k8smetrics.NewGaugeVec(&k8smetrics.GaugeOpts{…},
// labels)`, `…Func(opts, fn)`, `prometheus.NewDesc(name, help, labels, constLabels)` (its type is read from the
// `MustNewConstMetric(desc, prometheus.XValue, …)` that emits it) and operatorpkg's
// `opmetrics.NewPrometheusCounter(registry, prometheus.CounterOpts{…}, []string{…})`. Names and label lists may be
// string constants, `[]string` variables and `append(…)` of them in the same package; a qualified constant
// (`metrics.Namespace`) is looked up among the constants of the packages named with `--scope <git-dir>@<rev>:<dir>`
// (repeatable; e.g. the kubernetes-sigs/karpenter `pkg/metrics` package a karpenter-provider-aws tag depends on). What
// it cannot resolve it prints as `?expr`, and such rows are fixed by hand (FIXES below).
import { execFileSync } from "child_process";

export interface Metric {
    name: string;
    type: string;
    labels: string[];
    constLabels: string[];
    file: string;
}

const git = (dir: string, ...args: string[]) =>
    execFileSync("git", ["-C", dir, ...args], { encoding: "utf8", maxBuffer: 1 << 28 });

/** The text inside the parentheses/braces that open at `open` (index of the opening character). */
function balanced(src: string, open: number): string {
    const close: Record<string, string> = { "(": ")", "{": "}", "[": "]" };
    const stack: string[] = [];
    for (let i = open; i < src.length; i++) {
        const c = src[i];
        if (c === '"' || c === "`") {
            const end = src.indexOf(c, i + 1);
            i = c === '"' ? skipString(src, i) : end;
            continue;
        }
        if (c in close) stack.push(close[c]);
        else if (c === stack[stack.length - 1]) {
            stack.pop();
            if (stack.length === 0) return src.slice(open + 1, i);
        }
    }
    throw new Error(`unbalanced expression at ${open}`);
}

function skipString(src: string, i: number): number {
    for (let j = i + 1; j < src.length; j++) {
        if (src[j] === "\\") j++;
        else if (src[j] === '"') return j;
    }
    return src.length;
}

/** Splits a Go argument list at its top-level commas. */
function splitArgs(args: string): string[] {
    const out: string[] = [];
    let depth = 0;
    let cur = "";
    for (let i = 0; i < args.length; i++) {
        const c = args[i];
        if (c === "/" && args[i + 1] === "/") {
            // A line comment may hold commas (karpenter's bucket comments do): skip it whole.
            const end = args.indexOf("\n", i);
            i = end === -1 ? args.length : end;
            continue;
        }
        if (c === '"') {
            const end = skipString(args, i);
            cur += args.slice(i, end + 1);
            i = end;
            continue;
        }
        if ("({[".includes(c)) depth++;
        if (")}]".includes(c)) depth--;
        if (c === "," && depth === 0) {
            out.push(cur.trim());
            cur = "";
        } else cur += c;
    }
    if (cur.trim() !== "") out.push(cur.trim());
    return out.map((a) => a.replace(/\/\/[^\n]*/g, "").trim()).filter((a) => a !== "");
}

interface Scope {
    strings: Map<string, string>;
    lists: Map<string, string>;
}

/** String constants and `[]string{…}` variables of a package (all its files together). */
function scopeOf(sources: string[]): Scope {
    const strings = new Map<string, string>();
    const lists = new Map<string, string>();
    for (const src of sources) {
        for (const m of src.matchAll(/(\w+)\s*(?:string\s*)?(?::=|=)\s*"([^"]*)"/g)) strings.set(m[1], m[2]);
        for (const m of src.matchAll(/(\w+)\s*(?::=|=)\s*\[\]string\{/g)) {
            lists.set(m[1], `[]string{${balanced(src, src.indexOf("{", m.index! + m[0].length - 1))}}`);
        }
    }
    return { strings, lists };
}

function str(expr: string, scope: Scope): string {
    const e = expr.trim();
    const lit = /^"([^"]*)"$/.exec(e);
    if (lit) return lit[1];
    const concat = e.split("+").map((p) => p.trim());
    if (concat.length > 1) return concat.map((p) => str(p, scope)).join("");
    const fq = /^(?:\w+\.)?BuildFQName\(([\s\S]*)\)$/.exec(e);
    if (fq)
        return splitArgs(fq[1])
            .map((a) => str(a, scope))
            .filter((s) => s !== "")
            .join("_");
    const qualified = /^\w+\.(\w+)$/.exec(e);
    if (qualified && IMPORTED.has(qualified[1])) return IMPORTED.get(qualified[1])!;
    return scope.strings.get(e) ?? `?${e}`;
}

/** String constants of other packages (`--scope`), by unqualified name. */
const IMPORTED = new Map<string, string>();

function list(expr: string, scope: Scope): string[] {
    const e = expr.trim().replace(/\.\.\.$/, "");
    if (e === "nil") return [];
    const lit = /^\[\]string\{([\s\S]*)\}$/.exec(e);
    if (lit) return splitArgs(lit[1]).map((a) => str(a, scope));
    const app = /^append\(([\s\S]*)\)$/.exec(e);
    if (app) {
        const [first, ...rest] = splitArgs(app[1]);
        return [...list(first, scope), ...rest.flatMap((r) => (r.endsWith("...") ? list(r, scope) : [str(r, scope)]))];
    }
    const known = scope.lists.get(e);
    return known ? list(known, scope) : [`?${e}`];
}

function optsField(opts: string, field: string): string | undefined {
    return splitArgs(opts)
        .map((f) => /^(\w+)\s*:\s*([\s\S]*)$/.exec(f))
        .find((m) => m?.[1] === field)?.[2];
}

function mapKeys(expr: string | undefined, scope: Scope): string[] {
    if (!expr || expr === "nil") return [];
    const body = /\{([\s\S]*)\}$/.exec(expr.trim())?.[1] ?? "";
    return splitArgs(body).map((kv) => str(kv.split(":")[0], scope));
}

const CTOR = /\b(?:\w+)\.New(Prometheus)?(Counter|Gauge|Histogram|Summary)(Vec|Func)?\(/g;
const DESC = /\b(?:\w+)\.NewDesc\(/g;

/** Every metric defined in one package (its files' texts keyed by path). */
export function packageMetrics(files: Map<string, string>): Metric[] {
    const sources = [...files.values()];
    const scope = scopeOf(sources);
    const out: Metric[] = [];
    for (const [file, src] of files) {
        for (const m of src.matchAll(CTOR)) {
            // operatorpkg's NewPrometheusX(registry, opts, labels) is always a vector.
            const operatorpkg = m[1] !== undefined;
            const [optsArg, labelsArg] = splitArgs(balanced(src, m.index! + m[0].length - 1)).slice(operatorpkg ? 1 : 0);
            const opts = /\{([\s\S]*)\}$/.exec(optsArg ?? "")?.[1];
            if (!opts || !/Opts\{/.test(optsArg)) continue; // e.g. a helper with the same name
            const parts = ["Namespace", "Subsystem", "Name"].map((f) => optsField(opts, f)).filter((x) => x !== undefined);
            const name = parts
                .map((p) => str(p!, scope))
                .filter((s) => s !== "")
                .join("_");
            const labels = operatorpkg || m[3] === "Vec" ? list(labelsArg ?? "nil", scope) : [];
            out.push({
                name,
                type: m[2].toLowerCase(),
                labels,
                constLabels: mapKeys(optsField(opts, "ConstLabels"), scope),
                file,
            });
        }
        for (const m of src.matchAll(DESC)) {
            const args = splitArgs(balanced(src, m.index! + m[0].length - 1));
            const before = src.slice(Math.max(0, m.index! - 120), m.index!);
            const holder = /(\w+)\s*(?::|=)\s*$/.exec(before)?.[1];
            out.push({
                name: str(args[0], scope),
                type: holder ? constMetricType(holder, sources) : "?",
                labels: list(args[2] ?? "nil", scope),
                constLabels: mapKeys(args[3], scope),
                file,
            });
        }
    }
    return out;
}

/** The value type a Desc is emitted with: `MustNewConstMetric(x.holder, prometheus.GaugeValue, …)`. */
function constMetricType(holder: string, sources: string[]): string {
    const re = new RegExp(`(?:MustNewConstMetric|NewConstMetric)\\(\\s*(?:[\\w.]+\\.)?${holder}\\s*,\\s*\\w+\\.(\\w+)Value`);
    const hist = new RegExp(`(?:MustNewConstHistogram|NewConstHistogram)\\(\\s*(?:[\\w.]+\\.)?${holder}\\s*,`);
    for (const src of sources) {
        const m = re.exec(src);
        if (m) return m[1].toLowerCase();
        if (hist.test(src)) return "histogram";
    }
    return "?";
}

/** Metrics under `paths` at `tag`, one package (folder) at a time, with FIXES applied. */
export function metricsAt(gitDir: string, tag: string, paths: string[]): Metric[] {
    const goFile = (f: string) => f.endsWith(".go") && !f.endsWith("_test.go") && !/(^|\/)(vendor|testdata)\//.test(f);
    const defining = git(gitDir, "grep", "-lE", "\\.New(Prometheus)?(Desc|Counter|Gauge|Histogram|Summary)", tag, "--", ...paths)
        .split("\n")
        .map((l) => l.slice(tag.length + 1))
        .filter(goFile);
    const dirs = [...new Set(defining.map((f) => f.slice(0, f.lastIndexOf("/") + 1)))];
    const all: Metric[] = [];
    for (const dir of dirs) {
        // The whole package: a Desc is often emitted (and so typed) in another file than the one defining it.
        const files = new Map<string, string>();
        for (const f of git(gitDir, "ls-tree", "--name-only", tag, dir === "" ? "." : dir)
            .split("\n")
            .filter(goFile)) {
            files.set(f, git(gitDir, "show", `${tag}:${f}`));
        }
        all.push(...packageMetrics(files));
    }
    return all
        .filter((m) => m.name !== "")
        .map((m) => ({ ...m, ...FIXES[m.name] }))
        .sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * Rows the reader cannot resolve, fixed by hand after reading the source (same at every tag read so far):
 * - gitlab-runner helpers/circuitbreaker: namespace and subsystem are parameters; the one caller,
 *   router/client.go, passes `WithMetrics("gitlab_runner", "job_router" + "_circuit_breaker")`.
 * - gitlab-runner common/version.go: the label names are the keys of the `labels` map built just above.
 * - kubernetes-sigs/karpenter pkg/controllers/metrics/pod/controller.go: `karpenter_pods_state` takes its labels from
 *   `labelNames()`, which returns these constants in this order (v1.14.1).
 */
const FIXES: Record<string, Partial<Metric>> = {
    "?namespace_?subsystem_state": { name: "gitlab_runner_job_router_circuit_breaker_state" },
    "?namespace_?subsystem_trips_total": { name: "gitlab_runner_job_router_circuit_breaker_trips_total" },
    karpenter_pods_state: {
        labels: [
            "name",
            "namespace",
            "owner",
            "node",
            "scheduled",
            "nodepool",
            "zone",
            "arch",
            "capacity_type",
            "instance_type",
            "phase",
            "ready",
            "managed",
        ],
    },
    gitlab_runner_version_info: {
        labels: ["name", "version", "revision", "branch", "go_version", "built_at", "os", "architecture"],
    },
};

if (require.main === module) {
    const argv = process.argv.slice(2);
    while (argv[0] === "--scope") {
        const [dir, rest] = argv[1].split("@");
        const [rev, pkg] = rest.split(":");
        const files = git(dir, "ls-tree", "--name-only", rev, `${pkg}/`)
            .split("\n")
            .filter((f) => f.endsWith(".go") && !f.endsWith("_test.go"));
        const scope = scopeOf(files.map((f) => git(dir, "show", `${rev}:${f}`)));
        for (const [k, v] of scope.strings) IMPORTED.set(k, v);
        argv.splice(0, 2);
    }
    const [gitDir, tag, repo, ...paths] = argv;
    if (!gitDir || !tag || !repo || paths.length === 0) {
        console.error("usage: goMetrics.ts <git-dir> <tag> <repo-name> <path>...");
        process.exit(2);
    }
    const commit = git(gitDir, "rev-parse", `${tag}^{commit}`).trim();
    const where = paths.join(" ") === "." ? "the whole tree (non-test .go files outside vendor/)" : paths.join(", ");
    console.log(`# ${repo} tag ${tag} (commit ${commit}), Prometheus metrics defined in ${where}`);
    console.log("name\ttype\tlabels\tconst_labels\tfile");
    for (const m of metricsAt(gitDir, tag, paths)) {
        console.log([m.name, m.type, m.labels.join(","), m.constLabels.join(","), m.file].join("\t"));
    }
}
