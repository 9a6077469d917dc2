// Switching an add-on off removes exactly its resources; an invalid addons section registers nothing.
import { strict as assert } from "assert";
import { PROJECT } from "../config";
import { CONTAINER_INSIGHTS } from "../config/addons/containerInsights";
import { COLLECTED_METRICS } from "../config/observability/metrics";
import {
    fakeRunnerTokens,
    ProgramError,
    Recorded,
    Run,
    runProgram,
    runStackFile,
    SHIPPED_STACKS,
    stackFileConfig,
} from "./support/harness";
import { Addon, ADDONS, T, under } from "./support/addonsStack";

/**
 * What of the fleet's observability an add-on takes with it: Container Insights all of it (it collects the metrics);
 * Cluster Autoscaler the alarms on its metrics (the engine's set, config/observability/metrics.ts).
 */
function observabilityOf(run: Run, addon: Addon): Recorded[] {
    if (addon === "containerInsights") return run.resources.filter((r) => under(run, r, T.observability));
    if (addon !== "clusterAutoscaler") return [];
    const caMetrics = new Set(COLLECTED_METRICS.filter((m) => m.source === "clusterAutoscaler").map((m) => m.name));
    return run.ofType(T.alarm).filter((a) => caMetrics.has(a.inputs.metricName));
}
const ADDONS_KEY = `${PROJECT}:addons`;

/** The stack file's addons section with one add-on switched off. */
function withDisabled(stack: string, addon: Addon): Record<string, unknown> {
    const addons = structuredClone((stackFileConfig(stack)[ADDONS_KEY] ?? {}) as Record<string, any>);
    addons[addon] = { ...(addons[addon] ?? {}), enabled: false };
    return { [ADDONS_KEY]: addons };
}

const key = (r: Recorded) => `${r.type}::${r.name}`;

describe("cluster add-ons", () => {
    const runs = {} as Record<(typeof SHIPPED_STACKS)[number], Run>;
    const disabled = {} as Record<(typeof SHIPPED_STACKS)[number], Record<Addon, Run>>;
    before(async function () {
        // Eight program runs (each stack, then each add-on disabled in it): ~12 s here, more on a loaded CI machine.
        this.timeout(60_000);
        for (const stack of SHIPPED_STACKS) {
            runs[stack] = await runStackFile(stack);
            disabled[stack] = {} as Record<Addon, Run>;
            for (const addon of ADDONS) disabled[stack][addon] = await runStackFile(stack, withDisabled(stack, addon));
        }
    });

    for (const stack of SHIPPED_STACKS) {
        describe(`stack ${stack}`, () => {
            const run = () => runs[stack];

            for (const addon of ADDONS) {
                it(`disabling ${addon} removes exactly its resources (and its part of the alarms) and nothing else`, () => {
                    const componentType = T[addon];
                    const before = new Set(run().resources.map(key));
                    const after = new Set(disabled[stack][addon].resources.map(key));
                    const removed = [...before].filter((k) => !after.has(k)).sort();
                    const own = run()
                        .resources.filter((r) => under(run(), r, componentType))
                        .map(key);
                    const expected = [...own, ...observabilityOf(run(), addon).map(key)].sort();
                    assert.ok(own.length >= 2, `${addon} has resources to remove`);
                    assert.deepEqual(removed, expected);
                    assert.deepEqual(
                        [...after].filter((k) => !before.has(k)),
                        [],
                        "nothing new appears",
                    );
                    if (addon !== "containerInsights") {
                        // Without Container Insights the capacity math (runners) legitimately changes; otherwise only
                        // what reads the add-on's metrics does: the dashboard and the fleet-metrics scrape jobs.
                        const readers = new Set([key(run().one(T.dashboard))]);
                        if (addon === "clusterAutoscaler")
                            readers.add(
                                key(
                                    run()
                                        .ofType(T.eksAddon)
                                        .find((a) => a.inputs.addonName === CONTAINER_INSIGHTS.addonName)!,
                                ),
                            );
                        const inputsOf = (r: Run) => new Map(r.resources.map((x) => [key(x), JSON.stringify(x.inputs)]));
                        const a = inputsOf(run());
                        for (const [k, inputs] of inputsOf(disabled[stack][addon]))
                            if (!(addon === "clusterAutoscaler" && readers.has(k)))
                                assert.equal(inputs, a.get(k), `${k} changed`);
                    }
                });
            }

            it("with Container Insights disabled there is no add-on, role, log group or version lookup for it", () => {
                const off = disabled[stack].containerInsights;
                assert.equal(off.ofType(T.eksAddon).filter((a) => a.inputs.addonName === CONTAINER_INSIGHTS.addonName).length, 0);
                assert.equal(
                    off.ofType(T.logGroup).filter((g) => String(g.inputs.name).startsWith("/aws/containerinsights/")).length,
                    0,
                );
                assert.equal(off.ofType(T.containerInsights).length, 0);
                assert.equal(off.calls.filter((c) => c.inputs?.addonName === CONTAINER_INSIGHTS.addonName).length, 0);
                assert.equal(
                    run()
                        .ofType(T.eksAddon)
                        .filter((a) => a.inputs.addonName === CONTAINER_INSIGHTS.addonName).length,
                    1,
                );
            });
        });
    }

    it("an invalid addons section registers no resource at all", async () => {
        const config = {
            ...stackFileConfig("test"),
            [ADDONS_KEY]: { clusterAutoscaler: { imageTag: "v1.30.7", extraArgs: { turbo: true } } },
        };
        const error = await runProgram({ stack: "test", config: { ...fakeRunnerTokens(config), ...config } }).then(
            () => undefined,
            (e) => e,
        );
        assert.ok(error instanceof ProgramError, `expected the program to throw, got ${error}`);
        assert.match(
            error.message,
            /addons\.clusterAutoscaler\.extraArgs\.turbo: "turbo" is not a flag of Cluster Autoscaler 1\.34\.5/,
        );
        assert.deepEqual(error.resources, []);
    });
});
