/**
 * Ending the plan process without losing output. Node writes process.stdout asynchronously when it is a pipe on
 * POSIX (Node.js API docs, process, "A note on process I/O": "Pipes (and sockets): synchronous on Windows,
 * asynchronous on POSIX", and output is "not written at all if process.exit() is called before an asynchronous write
 * completes"): what does not fit the pipe's buffer (64 KiB) waits in the process, and `process.exit` right after
 * `write` drops it (a 180 KB plan piped to a file stopped at 128 KiB, with exit code 0). Both streams are written, and the process exits only
 * once each write has been handed to the operating system.
 */
export function exitWith(result: { code: number; stdout: string; stderr: string }): void {
    process.exitCode = result.code;
    const write = (stream: NodeJS.WriteStream, text: string) =>
        new Promise<void>((resolve) => (text === "" ? resolve() : stream.write(text, () => resolve())));
    write(process.stdout, result.stdout)
        .then(() => write(process.stderr, result.stderr))
        .then(() => process.exit(result.code));
}
