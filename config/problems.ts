import { z } from "zod";
import { issueMessage, lookup, unknownKeyMessage, withSuggestion } from "./issueMessages";

/** One thing wrong with the stack configuration, at a dotted path such as `nodeGroups.arm64.maxSize`. */
export interface Problem {
    readonly path: string;
    readonly message: string;
}

/** A capacity finding: errors block `pulumi up` like any config problem; warnings are shown in the plan. */
export interface Finding {
    readonly severity: "error" | "warning";
    readonly subject: string;
    readonly message: string;
}

/** Problems listed in a ConfigError's message; the rest are counted (all stay in `problems`). */
export const MAX_LISTED_PROBLEMS = 200;

/**
 * The single error the config layer throws: every problem found in the whole document, one per line, so a user
 * fixes everything in one edit instead of one `pulumi up` per typo. `cause` keeps an unexpected exception that a
 * validation step turned into a problem (a bug), with its stack.
 */
export class ConfigError extends Error {
    constructor(
        public readonly problems: readonly Problem[],
        options?: { cause?: unknown },
    ) {
        const listed = problems.slice(0, MAX_LISTED_PROBLEMS).map((p) => `  - ${p.path}: ${p.message}`);
        if (problems.length > MAX_LISTED_PROBLEMS) listed.push(`  … and ${problems.length - MAX_LISTED_PROBLEMS} more`);
        super(
            `Invalid stack configuration (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n${listed.join("\n")}`,
            options,
        );
        this.name = "ConfigError";
    }
}

/** Appends without spreading: a spread of tens of thousands of problems overflows the call stack (RangeError). */
export function pushAll<T>(into: T[], items: Iterable<T>): void {
    for (const item of items) into.push(item);
}

/** A key that can stand bare in a dotted path (others are written `["…"]`, as `pulumi config set --path` spells them). */
const BARE_KEY = /^[A-Za-z0-9_\-/:@]+$/;

/** Joins path segments the way users write them in `pulumi config set --path`: `runners.arm64.tags[0]`, `labels["a.b"]`. */
export function joinPath(...segments: ReadonlyArray<string | number | symbol>): string {
    let out = "";
    for (const s of segments) {
        if (typeof s === "number") out += `[${s}]`;
        else if (typeof s === "string" && !BARE_KEY.test(s)) out += `[${JSON.stringify(s)}]`;
        else out += out === "" ? String(s) : `.${String(s)}`;
    }
    return out;
}

/** A path that is already written (`runners.amd64`) extended by raw segments, quoted as joinPath quotes them. */
export function extendPath(prefix: string, ...segments: ReadonlyArray<string | number | symbol>): string {
    const rest = joinPath(...segments);
    if (prefix === "" || rest === "") return prefix + rest;
    return rest.startsWith("[") ? prefix + rest : `${prefix}.${rest}`;
}

/**
 * Converts zod issues into problems under `prefix` (a path as written); an unknown key becomes one problem per key at its own path, with
 * the closest allowed key. `input` is the value that was parsed: a key absent from it reads "is required", and a
 * value of the wrong type is quoted next to what was expected (config/issueMessages.ts).
 */
export function problemsFromZod(prefix: string, issues: readonly z.core.$ZodIssue[], input?: unknown): Problem[] {
    const out: Problem[] = [];
    for (const issue of issues) {
        if (issue.code === "invalid_key") {
            // A bad map key: report the key's own reasons, not zod's generic "Invalid key in record".
            const path = extendPath(prefix, ...issue.path);
            for (const p of problemsFromZod(path, issue.issues)) out.push({ ...p, path });
        } else if (issue.code === "unrecognized_keys") {
            for (const key of issue.keys)
                out.push({ path: extendPath(prefix, ...issue.path, key), message: withSuggestion(key, issue.message) });
        } else {
            out.push({
                path: extendPath(prefix, ...issue.path),
                message: issueMessage(issue, lookup(input, issue.path)),
            });
        }
    }
    return out;
}

/**
 * A strict object schema whose unknown-key message lists the allowed keys: gitlab-runner and Helm ignore unknown
 * keys silently, so this layer must not.
 */
export function strictObject<T extends z.core.$ZodLooseShape>(shape: T) {
    const message = unknownKeyMessage(Object.keys(shape));
    return z.strictObject(shape, {
        error: (issue) => (issue.code === "unrecognized_keys" ? message : undefined),
    });
}

/** Freezes a parsed config tree so no later layer can mutate what validation approved. */
export function deepFreeze<T>(value: T): T {
    if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
        Object.freeze(value);
        for (const child of Object.values(value as object)) deepFreeze(child);
    }
    return value;
}
