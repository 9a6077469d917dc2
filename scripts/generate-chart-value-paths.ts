// Generator: turns the value-path lists of the charts whose values a stack may set
// (tests/fixtures/upstream/<chart>-chart-values.v<version>.txt, read from upstream by scripts/upstream/helmValuePaths.ts)
// into config/addons/chartValuePaths.data.ts, so each list is written once (the fixture) and the program never reads
// tests/ at run time. tests/chartValuePathsData.test.ts fails when the two disagree.
//
//   npx ts-node --transpile-only scripts/generate-chart-value-paths.ts
//
// The data holds each list as a tree, one string per top-level key: `key(child,child(grandchild))`, `*` marking a
// free-form map. A list is every prefix of every path (the fixtures are written so); a list that is not, or a path
// segment the encoding cannot hold, stops the generator.
import * as fs from "fs";
import * as path from "path";
import { compareVersions } from "./generate-cluster-autoscaler-flags";

export const FIXTURE_DIR = path.join(__dirname, "..", "tests", "fixtures", "upstream");
export const DATA_FILE = path.join(__dirname, "..", "config", "addons", "chartValuePaths.data.ts");

/** The charts whose values a stack sets: the Helm add-ons', and the chart the Container Insights add-on's configuration follows. */
export const CHARTS = ["amazon-cloudwatch-observability", "cluster-autoscaler", "karpenter", "metrics-server"] as const;

const FILE_RE = /^(.+)-chart-values\.v(\d+\.\d+\.\d+)\.txt$/;
const SEGMENT_RE = /^[^(),\s]+$/;

function fail(msg: string): never {
    throw new Error(`generate-chart-value-paths: ${msg}`);
}

export interface ChartValueList {
    readonly chart: string;
    readonly version: string;
    /** The fixture's `#` lines: the upstream source the list was read from. */
    readonly source: readonly string[];
    readonly paths: readonly string[];
}

/** Every fixture of the charts in CHARTS, by chart then ascending version. */
export function readChartValueFixtures(dir = FIXTURE_DIR): ChartValueList[] {
    const lists: ChartValueList[] = [];
    for (const file of fs.readdirSync(dir)) {
        const m = FILE_RE.exec(file);
        if (!m || !(CHARTS as readonly string[]).includes(m[1])) continue;
        const lines = fs
            .readFileSync(path.join(dir, file), "utf8")
            .split("\n")
            .filter((l) => l.trim() !== "");
        const paths = lines.filter((l) => !l.startsWith("#"));
        const known = new Set(paths);
        for (const p of paths) {
            const segments = p.split(".");
            const bad = segments.find((s) => !SEGMENT_RE.test(s));
            if (bad !== undefined) fail(`${file}: "${p}" has a segment the tree encoding cannot hold ("${bad}")`);
            for (let i = 1; i < segments.length; i++)
                if (!known.has(segments.slice(0, i).join("."))) fail(`${file}: "${p}" is listed without its prefix`);
        }
        if (paths.length === 0) fail(`${file}: no paths`);
        lists.push({ chart: m[1], version: m[2], source: lines.filter((l) => l.startsWith("#")), paths });
    }
    return lists.sort((a, b) => a.chart.localeCompare(b.chart) || compareVersions(a.version, b.version));
}

interface Node {
    readonly children: Map<string, Node>;
}

/** A prefix-closed list of dotted paths as trees, one string per top-level key, children in the list's order. */
export function encodeTree(paths: readonly string[]): string[] {
    const root: Node = { children: new Map() };
    for (const p of [...paths].sort()) {
        let node = root;
        for (const segment of p.split(".")) {
            let child = node.children.get(segment);
            if (!child) node.children.set(segment, (child = { children: new Map() }));
            node = child;
        }
    }
    const encode = (name: string, node: Node): string =>
        node.children.size === 0 ? name : `${name}(${[...node.children].map(([k, n]) => encode(k, n)).join(",")})`;
    return [...root.children].map(([k, n]) => encode(k, n));
}

/** The text of config/addons/chartValuePaths.data.ts for these lists. */
export function renderChartValueData(lists: readonly ChartValueList[]): string {
    const key = (l: ChartValueList) => JSON.stringify(`${l.chart}@${l.version}`);
    const sources = lists.flatMap((l) => [
        `// - ${l.chart} ${l.version}:`,
        ...l.source.map((s) => `//   ${s.replace(/^#\s*/, "")}`),
    ]);
    const body = lists
        .map(
            (l) =>
                `    ${key(l)}: [\n${encodeTree(l.paths)
                    .map((t) => `        ${JSON.stringify(t)},`)
                    .join("\n")}\n    ],`,
        )
        .join("\n");
    return `// GENERATED FILE - do not edit by hand.
// Regenerate with: npx ts-node --transpile-only scripts/generate-chart-value-paths.ts
// Source: tests/fixtures/upstream/<chart>-chart-values.v<version>.txt (SOURCES.md there), whose headers say:
${sources.join("\n")}

/** The charts, at each version, whose value paths the program knows (\`<chart>@<version>\`). */
export type ChartValuesKey = ${lists.map(key).join(" | ")};

/**
 * Every value path of each chart as trees, one per top-level key: \`key(child,child(grandchild))\`; a \`*\` child marks a
 * free-form map, below which any key is accepted. Decoded by config/addons/chartValuePaths.ts.
 */
export const CHART_VALUE_TREES: Readonly<Record<ChartValuesKey, readonly string[]>> = {
${body}
};
`;
}

if (require.main === module) {
    const lists = readChartValueFixtures();
    fs.writeFileSync(DATA_FILE, renderChartValueData(lists));
    const summary = lists.map((l) => `${l.chart} ${l.version}: ${l.paths.length}`).join(", ");
    console.log(`wrote ${path.relative(process.cwd(), DATA_FILE)} (${summary})`);
}
