// What a row of an option table is (the runner table, runnerOptions.ts; the VM runner table, vmRunners/options.ts)
// and what a table derives: its strict object schema and the options rendered straight into config.toml.
import { z } from "zod";
import { strictObject } from "./problems";

/** Where an option ends up. `toml` and `chart` targets are rendered from the table; the others by hand (named). */
export type OptionTarget =
    /**
     * A `config.toml` key path under `[[runners]]` (as in the upstream key lists), with an optional value mapping;
     * `table` when the value is a whole TOML table.
     */
    | { readonly toml: string; readonly render?: (value: never) => unknown; readonly table?: true }
    /** A value of the official gitlab-runner chart (dotted path). */
    | { readonly chart: string }
    /** A setting of the runner in GitLab itself (not in config.toml). */
    | { readonly gitlab: string }
    /** Rendered by hand from this and other fields: where to. */
    | { readonly derived: string };

export interface RunnerOption {
    readonly schema: z.ZodType;
    readonly target: OptionTarget;
    /** One line for the reference table. */
    readonly doc: string;
    /** The Default column when the default is computed rather than a schema default. */
    readonly defaultText?: string;
    /** Also listed in the README's short table. */
    readonly summary?: boolean;
    /**
     * The first GitLab Runner version that has the option's key, when older runners this program can deploy lack it:
     * setting the option on a runner whose chart ships an older runner is an error naming the minimum.
     */
    readonly since?: string;
}

/** A whole number within [min, max]; `what` says what it counts in every message. */
export const int = (min: number, max: number, what: string) =>
    z
        .number({ error: (iss) => (iss.input === undefined ? "is required" : `must be a whole number (${what})`) })
        .int({ error: `must be a whole number (${what})` })
        .min(min, { error: `must be at least ${min} (${what})` })
        .max(max, { error: `must be at most ${max} (${what})` });

/** The strict object schema of an option table: one key per row, with the row's schema (unknown keys are errors). */
export function schemaOf<T extends Record<string, RunnerOption>>(table: T) {
    return strictObject(
        Object.fromEntries(Object.entries(table).map(([key, option]) => [key, option.schema])) as {
            [K in keyof T]: T[K]["schema"];
        },
    );
}

/** The options of a table rendered straight into `[[runners]]` of config.toml, with their key paths (under `runners.`). */
export function tomlOptionsOf<K extends string>(
    table: Record<K, RunnerOption>,
): { key: K; path: string; render?: (value: never) => unknown; since?: string }[] {
    return (Object.entries(table) as [K, RunnerOption][]).flatMap(([key, o]) =>
        "toml" in o.target ? [{ key, path: o.target.toml, render: o.target.render, since: o.since }] : [],
    );
}
