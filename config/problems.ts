import { z } from "zod";

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

/**
 * The single error the config layer throws: every problem found in the whole document, one per line, so a user
 * fixes everything in one edit instead of one `pulumi up` per typo.
 */
export class ConfigError extends Error {
    constructor(public readonly problems: readonly Problem[]) {
        super(
            `Invalid stack configuration (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n` +
                problems.map((p) => `  - ${p.path}: ${p.message}`).join("\n"),
        );
        this.name = "ConfigError";
    }
}

/** Joins path segments the way users write them in `pulumi config set --path`: `runners.arm64.tags[0]`. */
export function joinPath(...segments: ReadonlyArray<string | number | symbol>): string {
    let out = "";
    for (const s of segments) {
        if (typeof s === "number") out += `[${s}]`;
        else out += out === "" ? String(s) : `.${String(s)}`;
    }
    return out;
}

/** Converts zod issues into problems under `prefix`; an unknown key becomes one problem per key at its own path. */
export function problemsFromZod(prefix: string, issues: readonly z.core.$ZodIssue[]): Problem[] {
    const out: Problem[] = [];
    for (const issue of issues) {
        if (issue.code === "invalid_key") {
            // A bad map key: report the key's own reasons, not zod's generic "Invalid key in record".
            out.push(
                ...problemsFromZod(joinPath(prefix, ...issue.path), issue.issues).map((p) => ({
                    ...p,
                    path: joinPath(prefix, ...issue.path),
                })),
            );
        } else if (issue.code === "unrecognized_keys") {
            for (const key of issue.keys) out.push({ path: joinPath(prefix, ...issue.path, key), message: issue.message });
        } else {
            out.push({ path: joinPath(prefix, ...issue.path) || prefix, message: issue.message });
        }
    }
    return out;
}

/**
 * A strict object schema whose unknown-key message lists the allowed keys: gitlab-runner and Helm ignore unknown
 * keys silently, so this layer must not.
 */
export function strictObject<T extends z.core.$ZodLooseShape>(shape: T) {
    const allowed = Object.keys(shape).join(", ");
    return z.strictObject(shape, {
        error: (issue) => (issue.code === "unrecognized_keys" ? `unknown key (allowed: ${allowed})` : undefined),
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
