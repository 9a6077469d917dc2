// Holds values to a chart's value paths (a set of dotted paths, `x.*` marking a free-form map, as
// scripts/upstream/helmValuePaths.ts lists them): which paths of the values the chart does not know, and the known
// path a misspelt one was probably meant to be. Helm ignores a value its chart does not know, so a misspelt or
// misplaced key is otherwise a setting that silently does nothing. Used for the stack's own values (valueFindings.ts)
// and, by the tests, for every value the program renders.
import { joinPath } from "../problems";
import { closest } from "../suggest";

/**
 * How the chart reads an array: `{ agents: "agent" }` says each entry of `agents` is read like the values at `agent`
 * (amazon-cloudwatch-observability merges every `agents` entry over `agent`). Any other array is a value of its own,
 * passed on whole (tolerations, topologySpreadConstraints): the path ends there.
 */
export type ArrayEntries = Readonly<Record<string, string>>;

/** A value at a path the chart does not know. */
export interface UnknownValue {
    /** Where it is in the values as written (array entries by index). */
    readonly at: readonly (string | number)[];
    /** The path the chart would read it at (an array entry's keys are those of the path it is read like). */
    readonly chartPath: string;
    /** The path of its parent in the chart ("" at the top). */
    readonly parent: string;
    readonly key: string;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);
const child = (parent: string, key: string) => (parent === "" ? key : `${parent}.${key}`);

/**
 * The values the chart does not know, each at the shallowest such path: below an unknown key nothing more is
 * reported, and below a free-form map (`x.*`) anything goes. Objects are walked key by key; scalars and arrays end a
 * path, but for the arrays in `entries`, whose entries are walked like the path they map to.
 */
export function unknownValues(values: unknown, known: ReadonlySet<string>, entries: ArrayEntries = {}): UnknownValue[] {
    const out: UnknownValue[] = [];
    const walk = (node: Record<string, unknown>, parent: string, at: readonly (string | number)[]) => {
        if (parent !== "" && known.has(`${parent}.*`)) return;
        for (const [key, value] of Object.entries(node)) {
            const chartPath = child(parent, key);
            const here = [...at, key];
            if (!known.has(chartPath)) out.push({ at: here, chartPath, parent, key });
            else if (isObject(value)) walk(value, chartPath, here);
            else if (Array.isArray(value) && chartPath in entries)
                value.forEach((entry, i) => isObject(entry) && walk(entry, entries[chartPath], [...here, i]));
        }
    };
    if (isObject(values)) walk(values, "", []);
    return out;
}

/**
 * The known path a value was probably meant for, written where the user would write it, or undefined: the closest
 * key beside it (a misspelling: `podDisruptionBudget.maxUnavailabe` → `podDisruptionBudget.maxUnavailable`), else
 * the only known path that ends in the same key (a wrong nesting: `maxUnavailable` → `podDisruptionBudget.maxUnavailable`).
 */
export function suggestedPath(known: ReadonlySet<string>, value: UnknownValue): string | undefined {
    const prefix = value.parent === "" ? "" : `${value.parent}.`;
    const siblings: string[] = [];
    const sameKey: string[] = [];
    for (const path of known) {
        if (path.startsWith(prefix) && !path.slice(prefix.length).includes(".") && path !== `${prefix}*`)
            siblings.push(path.slice(prefix.length));
        if (path.endsWith(`.${value.key}`)) sameKey.push(path);
    }
    const guess = closest(value.key, siblings);
    if (guess !== undefined) return joinPath(...value.at.slice(0, -1), guess);
    return sameKey.length === 1 ? sameKey[0] : undefined;
}
