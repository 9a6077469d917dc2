// A plan field the program registered nothing for: shown as such, never guessed.
/** Shown where the program registered no resource (or no input) a plan field is read from: a gap, never a guess. */
export const MISSING = "missing";
export type OrMissing<T> = T | typeof MISSING;

/** A recorded value, or MISSING. */
export const recorded = <T>(value: T | undefined): OrMissing<T> => (value === undefined ? MISSING : value);
