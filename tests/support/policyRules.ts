// Helpers of the policy-rule tests: fixture resources, changed copies of a recorded stack, one-rule evaluation.
import { strict as assert } from "assert";
import { contextFor, evaluate, PolicyResource, Rule, RuleContext, RULES, Violation } from "../../policies";
import { runStackFile } from "./harness";
import { policyResources } from "./policyResources";

const REGION = "eu-west-1";
export const ruleById = (id: string): Rule => RULES.find((r) => r.id === id) ?? assert.fail(`no rule ${id}`);
export const run1 = (id: string, resources: readonly PolicyResource[], ctx: RuleContext): Violation[] =>
    evaluate(resources, ctx, [ruleById(id)]);
export const ctxOf = (stack: string, secretsVisible = true): RuleContext => ({
    stack,
    productionStacks: ["prod"],
    secretsVisible,
});

/** A bare fixture resource. */
export function res(
    type: string,
    name: string,
    inputs: Record<string, unknown>,
    extra: Partial<PolicyResource> = {},
): PolicyResource {
    return { type, name, inputs, ...extra };
}

/** A copy of `resources` with the one matching `pick` replaced by `change(copy)` (or dropped when it returns undefined). */
export function mutate(
    resources: readonly PolicyResource[],
    pick: (r: PolicyResource) => boolean,
    change: (r: PolicyResource & { inputs: any }) => PolicyResource | undefined,
): PolicyResource[] {
    const index = resources.findIndex(pick);
    assert.ok(index >= 0, "the fixture to mutate exists in the recorded stack");
    const copy = { ...resources[index], inputs: structuredClone(resources[index].inputs), opts: { ...resources[index].opts } };
    const changed = change(copy);
    return [...resources.slice(0, index), ...(changed ? [changed] : []), ...resources.slice(index + 1)];
}

export function assertFires(violations: Violation[], rule: string, pattern: RegExp): void {
    const hits = violations.filter((v) => v.rule === rule && pattern.test(v.message));
    assert.ok(hits.length > 0, `expected ${rule} to report ${pattern}; got ${JSON.stringify(violations, null, 1)}`);
}

/** The shipped stacks as the rules see them, filled by a `before` hook of the calling suite. */
export function shippedPolicyStacks(): { stacks: Record<string, PolicyResource[]>; ctx: (stack: string) => RuleContext } {
    const stacks: Record<string, PolicyResource[]> = {};
    before(async () => {
        // Each shipped stack runs once; the rules are evaluated over these recordings.
        stacks.test = policyResources(await runStackFile("test"), REGION);
        stacks.prod = policyResources(await runStackFile("prod"), REGION);
    });
    return { stacks, ctx: (stack: string) => contextFor(stacks[stack]) };
}
