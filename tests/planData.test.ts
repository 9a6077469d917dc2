// The plan's data (plan/planData.ts buildPlan) comes from the resources the program registered, never from the config:
// what was not registered shows as missing, and the order of registration changes nothing.
import { strict as assert } from "assert";
import { buildPlan, MISSING } from "../plan/planData";
import { renderPlan } from "../plan/render";
import { Run, runStackFile, stackConfigOf } from "./support/harness";

describe("plan data reads only what the program registered", () => {
    it("a node group or runner release the program did not register shows as missing, not as a config value", async () => {
        const run = await runStackFile("test");
        const config = stackConfigOf("test");
        const pruned = new Run(
            run.resources.filter((r) => r.type !== "aws:eks/nodeGroup:NodeGroup" && r.type !== "kubernetes:helm.sh/v3:Release"),
            run.outputs,
            run.calls,
        );
        const data = buildPlan("test", config, pruned);
        for (const g of data.nodeGroups) {
            assert.deepEqual(
                [g.capacityType, g.instanceTypes, g.minSize, g.maxSize],
                [MISSING, MISSING, MISSING, MISSING],
                g.name,
            );
        }
        for (const r of data.runners)
            assert.deepEqual([r.chartVersion, r.runnerVersion, r.configToml], [MISSING, MISSING, MISSING], r.name);
    });

    it("is the same whatever order the runtime registered the resources in (registration order is promise timing)", async () => {
        for (const stack of ["test", "prod"] as const) {
            const run = await runStackFile(stack);
            const reversed = new Run([...run.resources].reverse(), run.outputs, run.calls);
            const [plan, fromReversed] = [run, reversed].map((r) =>
                renderPlan(buildPlan(stack, stackConfigOf(stack), r), "json"),
            );
            assert.equal(fromReversed, plan, stack);
            assert.notDeepEqual(reversed.resources, run.resources, "the order differs");
        }
    });

    it("a registered runner without a recorded registration resource shows its registration as missing", async () => {
        const run = await runStackFile("prod");
        const pruned = new Run(
            run.resources.filter((r) => !r.type.endsWith(":RunnerRegistration")),
            run.outputs,
            run.calls,
        );
        const data = buildPlan("prod", stackConfigOf("prod"), pruned);
        assert.deepEqual(
            data.runners.map((r) => r.registration),
            data.runners.map(() => MISSING),
        );
    });
});
