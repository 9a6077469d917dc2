/**
 * Reading a stack file (`Pulumi.<stack>.yaml`) for the offline plan. A file that is not YAML, or whose `config:` is
 * not a map, is the user's to fix, like an invalid value: a StackFileError naming the file, line and column (the
 * plan exits 1 with it), never a crash. What the values mean is the config layer's business.
 */
import * as fs from "fs";
import * as path from "path";
import { LineCounter, parseDocument } from "yaml";
import { PROJECT } from "../config";

/** The `config:` section of a stack file: `namespace:key` → value (as the Pulumi engine hands it to a program). */
export type ConfigMap = Record<string, unknown>;

export class StackFileError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "StackFileError";
    }
}

/** At most this many YAML errors are listed (the first one usually explains the rest). */
const MAX_YAML_ERRORS = 5;

/** The `config:` map of the stack file at `file`; throws a StackFileError for anything that is not one. */
export function readStackFile(file: string): ConfigMap {
    const name = path.basename(file);
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch (error) {
        throw new StackFileError(`${name}: cannot be read (${(error as Error).message})`);
    }
    const lineCounter = new LineCounter();
    const doc = parseDocument(text, { prettyErrors: false, lineCounter });
    if (doc.errors.length > 0) {
        const lines = doc.errors.slice(0, MAX_YAML_ERRORS).map((e) => {
            const at = e.pos ? lineCounter.linePos(e.pos[0]) : undefined;
            // yaml's message may end with its own " at line L, column C"; the position leads here instead.
            const reason = e.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "");
            return `${name}${at ? `:${at.line}:${at.col}` : ""}: ${reason}`;
        });
        const more = doc.errors.length > MAX_YAML_ERRORS ? [`… and ${doc.errors.length - MAX_YAML_ERRORS} more YAML errors`] : [];
        throw new StackFileError(`${name} is not valid YAML:\n${[...lines, ...more].map((l) => `  - ${l}`).join("\n")}`);
    }
    let root: unknown;
    try {
        root = doc.toJS(); // yaml refuses documents that expand aliases excessively ("billion laughs")
    } catch (error) {
        throw new StackFileError(`${name}: ${(error as Error).message}`);
    }
    if (root === null || root === undefined) return {};
    if (!isMap(root)) throw new StackFileError(`${name}: the file must be a map with a \`config:\` key, found ${kind(root)}`);
    const config = root.config;
    if (config === undefined || config === null) return {};
    if (!isMap(config)) throw new StackFileError(`${name}: \`config:\` must be a map of keys, found ${kind(config)}`);
    return { ...config };
}

/** A YAML/JSON mapping (not a list, not a scalar). */
export function isMap(value: unknown): value is Record<string, unknown> {
    return value !== null && typeof value === "object" && !Array.isArray(value);
}

const kind = (value: unknown) => (Array.isArray(value) ? "a list" : `a ${typeof value}`);

/** The project's keys of a config map (`eks-gitlab-runners:cluster` → `cluster`), as the config layer reads them. */
export function projectKeys(config: ConfigMap): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(config)) if (k.startsWith(`${PROJECT}:`)) out[k.slice(PROJECT.length + 1)] = v;
    return out;
}
