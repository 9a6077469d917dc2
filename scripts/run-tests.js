// `npm test`: the type check, the formatter check and the mocha suites, run side by side (the machine has two
// cores and the three are independent), each one's output printed whole and in a fixed order once it is done.
// Fails if any of them fails.
"use strict";
const { spawn } = require("child_process");
const path = require("path");

const bin = (name) => path.join(__dirname, "..", "node_modules", ".bin", name);
const steps = [
    { name: "typecheck", command: bin("tsc"), args: ["--noEmit", "-p", "."] },
    { name: "format", command: bin("prettier"), args: ["--check", "--log-level", "warn", "."] },
    { name: "unit", command: bin("mocha"), args: process.argv.slice(2) },
];

function run(step) {
    return new Promise((resolve) => {
        const started = Date.now();
        const child = spawn(step.command, step.args, { cwd: path.join(__dirname, ".."), env: process.env });
        const chunks = [];
        child.stdout.on("data", (c) => chunks.push(c));
        child.stderr.on("data", (c) => chunks.push(c));
        child.on("error", (error) => resolve({ step, code: 1, output: `${error.message}\n`, seconds: 0 }));
        child.on("close", (code) =>
            resolve({ step, code: code ?? 1, output: Buffer.concat(chunks).toString(), seconds: (Date.now() - started) / 1000 }),
        );
    });
}

Promise.all(steps.map(run)).then((results) => {
    for (const r of results) {
        process.stdout.write(
            `\n=== ${r.step.name}: ${r.code === 0 ? "ok" : `failed (exit ${r.code})`} in ${r.seconds.toFixed(1)} s\n`,
        );
        process.stdout.write(r.output);
    }
    const failed = results.filter((r) => r.code !== 0).map((r) => r.step.name);
    process.stdout.write(failed.length ? `\nnpm test failed: ${failed.join(", ")}\n` : "\nnpm test passed\n");
    process.exitCode = failed.length ? 1 : 0;
});
