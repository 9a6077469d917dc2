// The offline plan evaluates the program in `plan` mode (plan/engine.ts RunOptions.mode): the Pulumi runtime with the
// parts only the real engine needs left out and with cheaper stand-ins for some of its bookkeeping. Whatever the mode
// changes, the plan must record what `pulumi up` would register: the same resources, URNs, parents, inputs, options
// and stack outputs as the faithful runtime, for both shipped stacks and every example stack. The only difference
// allowed is the text of a dynamic provider's serialized code (`__provider`), which plan mode fingerprints (@pulumi/pulumi
// 3.248.0 dynamic/index.js caches a provider's text per process, so here both modes may show the faithful text).
import * as pulumi from "@pulumi/pulumi";
import { strict as assert } from "assert";
import { Recorded, Run, runProgram } from "../plan/engine";
import { configOfStack, EXAMPLE_STACKS, fakeRunnerTokens, RUNNER_TOKENS_KEY, SHIPPED_STACKS } from "./support/harness";

const EVERY_STACK = [...SHIPPED_STACKS, ...EXAMPLE_STACKS];

/** What a recorded resource says about the deployment, with a dynamic provider's code reduced to "present". */
function comparable(r: Recorded) {
    const { __provider, ...inputs } = r.inputs;
    return {
        urn: r.urn,
        type: r.type,
        name: r.name,
        custom: r.custom,
        parent: r.parent,
        provider: __provider === undefined ? undefined : typeof __provider,
        inputs,
        opts: described(r.opts),
    };
}

/** Resource options with every resource named by its URN-to-be (type and name) and every Output as such. */
function described(value: unknown): unknown {
    if (pulumi.Resource.isInstance(value)) return `resource ${(value as unknown as { __name: string }).__name}`;
    if (pulumi.Output.isInstance(value)) return "output";
    if (typeof value === "function") return "function";
    if (Array.isArray(value)) return value.map(described);
    if (typeof value === "object" && value !== null) {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, described(v)]));
    }
    return value;
}

function byUrn(run: Run): Map<string, Recorded> {
    const resources = new Map(run.resources.map((r) => [r.urn!, r]));
    assert.equal(resources.size, run.resources.length, "every resource has its own URN");
    return resources;
}

describe("plan mode records what the faithful runtime records", function () {
    this.timeout(60_000);
    const runs: Record<string, { faithful: Run; plan: Run }> = {};
    before(async () => {
        for (const stack of EVERY_STACK) {
            const file = configOfStack(stack);
            const options = { stack, config: { ...file, ...fakeRunnerTokens(file) }, secretKeys: [RUNNER_TOKENS_KEY] };
            runs[stack] = {
                faithful: await runProgram({ ...options, mode: "faithful" }),
                plan: await runProgram({ ...options, mode: "plan" }),
            };
        }
    });

    for (const stack of EVERY_STACK) {
        // Registration order follows promise timing, which the modes change; URNs are unique within a stack.
        it(`${stack}: the same resources, with the same URNs, parents, inputs and options`, () => {
            const [faithful, plan] = [runs[stack].faithful, runs[stack].plan].map(byUrn);
            assert.ok(faithful.size > 50, "the stack registers its resources");
            assert.deepEqual([...plan.keys()].sort(), [...faithful.keys()].sort());
            for (const [urn, r] of faithful) assert.deepEqual(comparable(plan.get(urn)!), comparable(r), urn);
        });

        it(`${stack}: the same stack outputs, provider calls and logged messages`, () => {
            const { faithful, plan } = runs[stack];
            assert.deepEqual(plan.outputs, faithful.outputs);
            assert.deepEqual(plan.calls, faithful.calls);
            assert.deepEqual(plan.logs, faithful.logs);
        });
    }
});
