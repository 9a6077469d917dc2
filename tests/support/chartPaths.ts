// Holds rendered chart values to a chart's value paths with the program's own check (config/addons/valuePaths.ts,
// which also checks a stack's values): every path of the values must be one the chart knows, or lie below a
// free-form map (`x.*`) of it.
import { ArrayEntries, unknownValues } from "../../config/addons/valuePaths";

export type { ArrayEntries } from "../../config/addons/valuePaths";

/** The chart paths of `values` the chart does not know (the shallowest of each branch), each once. */
export function unknownPaths(values: unknown, known: ReadonlySet<string>, entries: ArrayEntries = {}): string[] {
    return [...new Set(unknownValues(values, known, entries).map((v) => v.chartPath))];
}
