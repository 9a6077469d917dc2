// The stack's configuration warnings are what `pulumi preview` / `up` print (index.ts logs them through pulumi.log),
// the same list the offline plan shows; under the offline engine they are recorded, not printed (plan/programLog.ts).
import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { stackFindings } from "../config";
import { EXAMPLE_STACKS, Run, runStackFile, SHIPPED_STACKS, stackConfigOf } from "./support/harness";

describe("configuration warnings at deploy time", () => {
    const runs: Record<string, Run> = {};
    before(async () => {
        for (const stack of [...SHIPPED_STACKS, ...EXAMPLE_STACKS]) runs[stack] = await runStackFile(stack);
    });

    it("the program logs every warning finding of the stack, once, and nothing else", () => {
        for (const stack of [...SHIPPED_STACKS, ...EXAMPLE_STACKS]) {
            const expected = stackFindings(stackConfigOf(stack))
                .filter((f) => f.severity === "warning")
                .map((f) => `${f.subject}: ${f.message}`);
            assert.deepEqual(
                runs[stack].logs,
                expected.map((message) => ({ severity: "warning", message })),
                stack,
            );
        }
        // The test stack has warnings (free subnet addresses unknown): the check above compares something.
        assert.ok(runs.test.logs.some((l) => l.message.startsWith("network.subnetIds: ")));
    });

    it("the SDK's own log functions are back once a run is over", () => {
        const log = require("@pulumi/pulumi/log") as typeof pulumi.log;
        assert.equal(pulumi.log.warn, log.warn);
        assert.match(String(log.warn), /getEngine/);
        assert.match(String(log.info), /getEngine/);
    });
});
