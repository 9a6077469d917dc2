// How a zod issue reads to someone editing a stack file. zod's own wording ("Invalid input: expected number, received
// undefined") describes the validator, not the document: a missing key must say it is required, a wrong type what
// was expected and what was found, an unknown key which allowed key was probably meant. Messages a schema wrote
// itself (they never start with zod's "Invalid input"/"Invalid option"/"Too small"/"Too big") are kept as they are,
// except that a missing key always reads "is required".
import type { z } from "zod";
import { closest } from "./suggest";

/** What sits at `path` inside `root`: `missing` when the key is absent from an object (or the value is null). */
export function lookup(root: unknown, path: readonly PropertyKey[]): { missing: boolean; value: unknown } {
    let node: unknown = root;
    for (const key of path) {
        if (node === null || typeof node !== "object") return { missing: false, value: undefined };
        const holder = node as Record<PropertyKey, unknown>;
        if (!Object.prototype.hasOwnProperty.call(holder, key)) return { missing: !Array.isArray(node), value: undefined };
        node = holder[key];
    }
    return { missing: node === null || node === undefined, value: node };
}

/** A value as a message quotes it: short, and never a whole nested structure. */
export function describeValue(value: unknown): string {
    if (value === null || value === undefined) return "nothing";
    if (typeof value === "string") return value.length > 60 ? `the string "${value.slice(0, 57)}…"` : `the string "${value}"`;
    if (Array.isArray(value)) return `a list of ${value.length}`;
    if (typeof value === "object") return "a map";
    return String(value);
}

const EXPECTED: Record<string, string> = {
    number: "a number",
    int: "a whole number",
    boolean: "true or false",
    string: "a string",
    array: "a list",
    tuple: "a list",
    object: "a map of keys",
    record: "a map of keys",
    map: "a map of keys",
};

const ZOD_DEFAULT = /^(Invalid input|Invalid option|Too small|Too big)/;

/** The message of one issue, given what the document holds at the issue's path. */
export function issueMessage(issue: z.core.$ZodIssue, at: { missing: boolean; value: unknown }): string {
    const missingCodes = ["invalid_type", "invalid_value", "invalid_union"];
    if (at.missing && missingCodes.includes(issue.code))
        return at.value === null ? "is required (the key is there but has no value)" : "is required";
    if (!ZOD_DEFAULT.test(issue.message)) return issue.message;
    switch (issue.code) {
        case "invalid_type":
            return `must be ${EXPECTED[issue.expected] ?? issue.expected} (found ${describeValue(at.value)})`;
        case "invalid_value": {
            const allowed = issue.values.map((v) => String(v));
            const hint = typeof at.value === "string" ? closest(at.value, allowed) : undefined;
            return `must be one of ${allowed.join(", ")} (found ${describeValue(at.value)})${hint ? `; did you mean "${hint}"?` : ""}`;
        }
        case "too_small":
            if (issue.origin === "string" && Number(issue.minimum) === 1) return "must not be empty";
            if (issue.origin === "array" || issue.origin === "set") return `must list at least ${issue.minimum}`;
            if (issue.origin === "string") return `must be at least ${issue.minimum} characters long`;
            return `must be at least ${issue.minimum}`;
        case "too_big":
            if (issue.origin === "array" || issue.origin === "set") return `must list at most ${issue.maximum}`;
            if (issue.origin === "string") return `must be at most ${issue.maximum} characters long`;
            return `must be at most ${issue.maximum}`;
        default:
            return issue.message;
    }
}

/** The unknown-key message every strict object of the config layer uses; the allowed keys are read back for hints. */
export function unknownKeyMessage(allowed: readonly string[]): string {
    return `unknown key (allowed: ${allowed.join(", ")})`;
}

const UNKNOWN_KEY = /^unknown key \(allowed: (.*)\)$/;

/** `message` for the unknown `key`, with the closest allowed key when one is near enough to be a typo. */
export function withSuggestion(key: string, message: string): string {
    const allowed = UNKNOWN_KEY.exec(message)?.[1].split(", ");
    const hint = allowed && closest(key, allowed);
    return hint ? `${message}; did you mean "${hint}"?` : message;
}
