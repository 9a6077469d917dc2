// Preloaded into every process `npm run bench` times: writes the process's CPU time (user + system, ms) to
// $BENCH_CPU_FILE when it exits. On a busy machine wall time measures the neighbours too; CPU time does not.
"use strict";
const fs = require("fs");
process.on("exit", () => {
    const { user, system } = process.cpuUsage();
    fs.writeFileSync(process.env.BENCH_CPU_FILE, String((user + system) / 1000));
});
