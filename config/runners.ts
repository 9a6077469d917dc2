import { z } from "zod";
import { joinPath, Problem, strictObject } from "./problems";
import { StackContext } from "./context";

/** One entry of `runners`: a GitLab runner manager (one Helm release) and the job pods it starts. */
export const runnerSchema = strictObject({
    /** The `jobs` node group this runner's job pods run on. */
    nodeGroup: z.string().min(1),
    /** Job tags this runner serves (the source of truth for where jobs land; mirror them on the runner in GitLab). */
    tags: z.array(z.string().min(1)).default([]),
    /** Also pick up jobs without tags. */
    runUntagged: z.boolean().default(false),
    /** → `concurrent`: jobs this manager runs at once; must be ≥ the largest `parallel:` it is expected to take. */
    concurrent: z.number().int().min(1),
});
type RunnerInput = z.output<typeof runnerSchema>;

export interface RunnerConfig extends RunnerInput {
    readonly name: string;
}

export function resolveRunners(runners: Record<string, RunnerInput>, ctx: StackContext): { runners: RunnerConfig[]; problems: Problem[] } {
    const problems: Problem[] = [];
    const out: RunnerConfig[] = [];
    const groups = ctx.nodeGroups;
    for (const [name, r] of Object.entries(runners)) {
        const group = groups.find((g) => g.name === r.nodeGroup);
        if (!group) {
            problems.push({ path: joinPath("runners", name, "nodeGroup"), message: `"${r.nodeGroup}" is not a node group (declared: ${groups.map((g) => g.name).join(", ") || "none"})` });
        } else if (group.role !== "jobs") {
            problems.push({ path: joinPath("runners", name, "nodeGroup"), message: `"${r.nodeGroup}" is the management group; job pods must run on a jobs group` });
        }
        if (r.tags.length === 0 && !r.runUntagged) {
            problems.push({ path: joinPath("runners", name, "tags"), message: "no tags and runUntagged is false: this runner could never pick up a job" });
        }
        out.push({ ...r, name });
    }
    return { runners: out, problems };
}
