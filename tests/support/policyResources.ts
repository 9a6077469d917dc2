// What the policy rules (policies/) see of a run recorded by the mock harness: the same view the CrossGuard pack builds
// from the engine (policy-pack/adapter.ts).
import type { PolicyResource } from "../../policies";
import type { Run } from "./harness";
import { mockState } from "./mocks";

/** Inputs as the program gave them (secret wrappers kept), outputs as the mocks answer them, options, parent, URN. */
export function policyResources(run: Run, region: string): PolicyResource[] {
    return run.resources.map((r) => ({
        type: r.type,
        name: r.name,
        inputs: r.inputs,
        outputs: r.custom ? mockState(r.type, r.name, r.inputs, region) : undefined,
        opts: r.opts ? { protect: r.opts.protect, additionalSecretOutputs: r.opts.additionalSecretOutputs } : undefined,
        parent: r.parent,
        urn: r.urn,
    }));
}
