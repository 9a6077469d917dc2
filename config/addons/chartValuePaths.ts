// The value paths of the charts whose values a stack sets, at the versions the program has read (generated from the
// upstream fixtures into chartValuePaths.data.ts; that file's header names each chart's upstream tag). Decoded on first
// use: most stacks set no values and never pay for it.
import { CHART_VALUE_TREES, ChartValuesKey } from "./chartValuePaths.data";

/** Dotted paths of trees written `key(child,child(grandchild))`, every prefix included, in the order written. */
export function decodeTree(trees: readonly string[]): string[] {
    const out: string[] = [];
    for (const tree of trees) {
        const parents: string[] = [];
        let name = "";
        const emit = () => {
            if (name !== "") out.push([...parents, name].join("."));
        };
        for (const ch of tree) {
            if (ch === "(") {
                emit();
                parents.push(name);
                name = "";
            } else if (ch === ")" || ch === ",") {
                emit();
                name = "";
                if (ch === ")") parents.pop();
            } else name += ch;
        }
        emit();
    }
    return out;
}

const decoded = new Map<string, ReadonlySet<string>>();

/**
 * Every value path of `chart` at `version` (`x.*` marks a free-form map), or undefined when the program has no list
 * for exactly that version: a chart's values change between versions, so another version's list would mislead.
 */
export function chartValuePaths(chart: string, version: string): ReadonlySet<string> | undefined {
    const key = `${chart}@${version}`;
    if (!(key in CHART_VALUE_TREES)) return undefined;
    let paths = decoded.get(key);
    if (!paths) decoded.set(key, (paths = new Set(decodeTree(CHART_VALUE_TREES[key as ChartValuesKey]))));
    return paths;
}

/** The versions of `chart` that have a list, as written in the data (ascending). */
export function chartValueVersions(chart: string): string[] {
    return Object.keys(CHART_VALUE_TREES)
        .filter((key) => key.startsWith(`${chart}@`))
        .map((key) => key.slice(chart.length + 1));
}
