// One `describe("stack <name>")` per shipped stack, each evaluated once per process (runStackFile caches it) before
// the suite's tests run: the shape every per-stack suite shares.
import type { StackConfig } from "../../config";
import { Run, runStackFile, SHIPPED_STACKS, stackConfigOf } from "./harness";

export type ShippedStack = (typeof SHIPPED_STACKS)[number];

export function describeShippedStacks(body: (stack: ShippedStack, run: () => Run, config: StackConfig) => void): void {
    const runs = {} as Record<ShippedStack, Run>;
    before(async function () {
        for (const stack of SHIPPED_STACKS) runs[stack] = await runStackFile(stack);
    });
    for (const stack of SHIPPED_STACKS) describe(`stack ${stack}`, () => body(stack, () => runs[stack], stackConfigOf(stack)));
}
