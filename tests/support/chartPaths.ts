// Holds rendered chart values to a chart's value paths (tests/fixtures/chartValues.ts): every dotted path of the values
// must be one the chart knows, or lie below a free-form map (`x.*`) of it. Helm ignores a value it does not know, so a
// misspelt or renamed key is otherwise a setting that silently does nothing.

/**
 * How the chart reads an array: `{ agents: "agent" }` says each entry of `agents` is read like the values at `agent`
 * (amazon-cloudwatch-observability merges every `agents` entry over `agent`). Any other array is a value of its own,
 * passed on whole (tolerations, topologySpreadConstraints): the path ends there.
 */
export type ArrayEntries = Readonly<Record<string, string>>;

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/** Every dotted path of `values`: objects walked key by key; scalars and arrays end a path, but for `entries`. */
export function valuePaths(values: unknown, entries: ArrayEntries = {}, prefix = ""): string[] {
    if (Array.isArray(values) && prefix in entries) {
        const each = values.flatMap((entry) => valuePaths(entry, entries, entries[prefix]).filter((p) => p !== entries[prefix]));
        return [prefix, ...each];
    }
    if (!isObject(values)) return prefix === "" ? [] : [prefix];
    const below = Object.entries(values).flatMap(([key, v]) => valuePaths(v, entries, prefix === "" ? key : `${prefix}.${key}`));
    return prefix === "" ? below : [prefix, ...below];
}

/** Whether the chart knows a dotted path: listed itself, or below a free-form map. */
export function knownPath(known: ReadonlySet<string>, dotted: string): boolean {
    if (known.has(dotted)) return true;
    const segments = dotted.split(".");
    return segments.some((_, i) => i > 0 && known.has(`${segments.slice(0, i).join(".")}.*`));
}

/** The paths of `values` the chart does not know, each once. */
export function unknownPaths(values: unknown, known: ReadonlySet<string>, entries: ArrayEntries = {}): string[] {
    return [...new Set(valuePaths(values, entries).filter((p) => !knownPath(known, p)))];
}
