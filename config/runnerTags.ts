// Tag rules across runners. The stack's `tags` are the source of truth for where jobs land, and GitLab routes a job
// to any runner whose tags include all of the job's tags (untagged jobs: any runner with run-untagged). So two
// runners that can both take a job make its placement a coin toss, which the rules below refuse where it matters:
//   - identical tag sets: every job of one can land on the other, so one of them is pointless or misrouted;
//   - more than one runner with runUntagged: untagged jobs land on either;
//   - a shared tag between runners whose job nodes differ in CPU architecture (an amd64 image on arm64 fails with
//     "exec format error") or in capacity type (a job that never opted into Spot could be interrupted).
// Overlap between runners on equivalent nodes (same arch and capacity type) is allowed: both places are fine.
import type { NodeGroupConfig } from "./nodeGroups";
import { joinPath, Problem } from "./problems";

export interface TaggedRunner {
    readonly name: string;
    readonly tags: readonly string[];
    readonly runUntagged: boolean;
    /** The runner's job node group, when it resolved. */
    readonly group?: Pick<NodeGroupConfig, "name" | "arch" | "capacityType">;
}

/** GitLab tags are comma-separated on the wire: a comma inside one would split it. */
const TAG = /^[^,\s](?:[^,]{0,253}[^,\s])?$/;

/** Problems of one runner's own tag list. */
export function tagListProblems(r: TaggedRunner): Problem[] {
    const problems: Problem[] = [];
    r.tags.forEach((t, i) => {
        if (!TAG.test(t))
            problems.push({
                path: joinPath("runners", r.name, "tags", i),
                message: `${JSON.stringify(t)} is not a valid GitLab tag (no commas, no leading or trailing spaces, ≤ 255 characters)`,
            });
        else if (r.tags.indexOf(t) !== i)
            problems.push({ path: joinPath("runners", r.name, "tags", i), message: `"${t}" is listed twice` });
    });
    if (r.tags.length === 0 && !r.runUntagged) {
        problems.push({
            path: joinPath("runners", r.name, "tags"),
            message:
                "no tags and runUntagged is false: this runner could never pick up a job; list its tags or set runUntagged: true",
        });
    }
    return problems;
}

const describe = (g: TaggedRunner["group"]) => (g ? `${g.capacityType} ${g.arch}` : "unknown");
const list = (tags: Iterable<string>) => `[${[...tags].join(", ")}]`;

/** Problems between runners (each reported on the later runner of a pair, in stack-file order). */
export function tagOverlapProblems(runners: readonly TaggedRunner[]): Problem[] {
    const problems: Problem[] = [];
    runners.forEach((b, j) => {
        for (const a of runners.slice(0, j)) {
            const aTags = new Set(a.tags);
            const same = aTags.size === new Set(b.tags).size && b.tags.every((t) => aTags.has(t));
            if (same && b.tags.length > 0) {
                problems.push({
                    path: joinPath("runners", b.name, "tags"),
                    message: `same tags as runners.${a.name} (${list(aTags)}): GitLab would hand their jobs to either at random, so the stack no longer decides where jobs land; give each runner a tag of its own`,
                });
                continue;
            }
            if (a.runUntagged && b.runUntagged) {
                problems.push({
                    path: joinPath("runners", b.name, "runUntagged"),
                    message: `runners.${a.name} already runs untagged jobs; with two, an untagged job lands on either at random. Keep runUntagged on one runner`,
                });
            }
            const shared = b.tags.filter((t) => aTags.has(t));
            const differ = a.group && b.group && (a.group.arch !== b.group.arch || a.group.capacityType !== b.group.capacityType);
            if (shared.length > 0 && differ) {
                problems.push({
                    path: joinPath("runners", b.name, "tags"),
                    message: `shares ${list(shared)} with runners.${a.name}, whose jobs run on ${describe(a.group)} nodes while these run on ${describe(b.group)} nodes: a job tagged only ${list(shared)} could land on either. Give the two runners disjoint tags`,
                });
            }
        }
    });
    return problems;
}
