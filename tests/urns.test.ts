import { strict as assert } from "assert";
import * as fs from "fs";
import { urnFixture } from "../scripts/record-urns";
import { Run, runShippedStacks, SHIPPED_STACKS } from "./support/harness";

// A changed URN makes Pulumi delete the old resource and create a new one: for a node group, a cache bucket or the
// cluster that is an outage or data loss. The recorded lists (scripts/record-urns.ts) are the contract.
describe("resource URNs of the shipped stacks", () => {
    const runs: Record<string, Run> = {};
    before(() => runShippedStacks(runs));

    for (const stack of SHIPPED_STACKS) {
        it(`${stack}: every URN equals the recorded one (nothing renamed, nothing replaced by a refactor)`, () => {
            const recorded = fs.readFileSync(urnFixture(stack), "utf8").trim().split("\n");
            const now = runs[stack].resources.map((r) => r.urn ?? `missing URN: ${r.type} ${r.name}`).sort();
            assert.deepEqual(
                now.filter((u) => !recorded.includes(u)),
                [],
                "URNs that are new",
            );
            assert.deepEqual(
                recorded.filter((u) => !now.includes(u)),
                [],
                "URNs that are gone",
            );
        });
    }
});
