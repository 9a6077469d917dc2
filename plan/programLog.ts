/**
 * What the program logs through `pulumi.log` while the offline engine evaluates it: what `pulumi preview` / `up` would
 * print (the program logs its configuration warnings, index.ts). Without an engine the SDK writes such messages to
 * stdout and stderr (@pulumi/pulumi 3.248.0 log/index.js `info`, `warn`), where they would interleave with the plan's
 * output and the test reporter; they are recorded instead. `pulumi.log` is that module object and its functions are
 * read at call time, so swapping them is enough. `debug` (silent without an engine) and `error` (which also counts
 * errors for the runtime) are left alone.
 */

/** A message the program logged. */
export interface Logged {
    readonly severity: "info" | "warning";
    readonly message: string;
}

/** Records `pulumi.log.info` and `warn` into `logs` until the returned function is called. */
export function captureLog(logs: Logged[]): () => void {
    const log = require("@pulumi/pulumi/log") as Record<"info" | "warn", (message: string) => Promise<void>>;
    const originals = { info: log.info, warn: log.warn };
    const record = (severity: Logged["severity"]) => (message: string) => {
        logs.push({ severity, message });
        return Promise.resolve();
    };
    log.info = record("info");
    log.warn = record("warning");
    return () => Object.assign(log, originals);
}
