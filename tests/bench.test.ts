// The bench plans stacks a user could run: its generated stacks pass validation as they are (validation only, no
// program evaluation).
import { strict as assert } from "assert";
import { parseStackConfig } from "../config";
import { projectKeys } from "../plan/stackFile";
import { standInRunnerTokens } from "../plan/engine";
import { BENCH_STACKS, benchStackConfig } from "../scripts/benchStacks";

describe("bench stacks", () => {
    for (const [name, size] of Object.entries(BENCH_STACKS)) {
        it(`${name}: ${size.runners} runners on ${size.groups} node groups pass validation, capacity check included`, () => {
            const config = benchStackConfig(size);
            const withTokens = { ...config, ...standInRunnerTokens(config, () => "glrt-bench").config };
            const stack = parseStackConfig(projectKeys(withTokens), String(config["aws:region"]));
            assert.equal(stack.runners.length, size.runners);
            assert.equal(stack.nodeGroups.jobs.length + 1, size.groups);
            assert.deepEqual(
                stack.capacity.findings.filter((f) => f.severity === "error"),
                [],
            );
            for (const r of stack.capacity.runners) assert.ok(r.rolloutPeakJobs <= r.jobsPerNode * 10, r.name);
        });
    }
});
