// Tag rules across runners. The stack's `tags` are the source of truth for where jobs land, and GitLab routes a job
// to any runner whose tags include all of the job's tags (untagged jobs: any runner with run-untagged). So two
// runners that can both take a job make its placement a coin toss, which the rules below refuse where it matters:
//   - identical tag sets: every job of one can land on the other, so one of them is pointless or misrouted;
//   - more than one runner with runUntagged: untagged jobs land on either;
//   - a shared tag between runners whose job nodes differ in CPU architecture (an amd64 image on arm64 fails with
//     "exec format error") or in capacity type (a job that never opted into Spot could be interrupted).
// Overlap between runners on equivalent nodes (same arch and capacity type) is allowed: both places are fine.
// A VM runner (`vmRunners`) runs its jobs on VMs of its own, unlike any other runner, so any tag it shares with
// another runner is refused: a job tagged only with it could land on a VM or in a pod.
import type { NodeGroupConfig } from "./nodeGroups";
import { joinPath, Problem } from "./problems";

export interface TaggedRunner {
    readonly name: string;
    /** The stack section it is declared in: `runners` (default) or `vmRunners`. */
    readonly section?: "runners" | "vmRunners";
    readonly tags: readonly string[];
    readonly runUntagged: boolean;
    /** Where its jobs run, when that resolved: a Kubernetes runner's job node group, or a VM runner's own VMs. */
    readonly group?: Pick<NodeGroupConfig, "name" | "arch" | "capacityType"> | { readonly vm: string; readonly arch: string };
}

const pathOf = (r: TaggedRunner, ...rest: (string | number)[]) => joinPath(r.section ?? "runners", r.name, ...rest);
const refOf = (r: TaggedRunner) => `${r.section ?? "runners"}.${r.name}`;

/** GitLab tags are comma-separated on the wire: a comma inside one would split it. */
const TAG = /^[^,\s](?:[^,]{0,253}[^,\s])?$/;

/** Problems of one runner's own tag list. */
export function tagListProblems(r: TaggedRunner): Problem[] {
    const problems: Problem[] = [];
    const seen = new Set<string>();
    r.tags.forEach((t, i) => {
        if (!TAG.test(t))
            problems.push({
                path: pathOf(r, "tags", i),
                message: `${JSON.stringify(t)} is not a valid GitLab tag (no commas, no leading or trailing spaces, ≤ 255 characters)`,
            });
        else if (seen.has(t)) problems.push({ path: pathOf(r, "tags", i), message: `"${t}" is listed twice` });
        seen.add(t);
    });
    if (r.tags.length === 0 && !r.runUntagged) {
        problems.push({
            path: pathOf(r, "tags"),
            message:
                "no tags and runUntagged is false: this runner could never pick up a job; list its tags or set runUntagged: true",
        });
    }
    return problems;
}

const describe = (g: TaggedRunner["group"]) =>
    !g ? "unknown nodes" : "vm" in g ? `VMs of its own (${g.arch})` : `${g.capacityType} ${g.arch} nodes`;
const list = (tags: Iterable<string>) => `[${[...tags].join(", ")}]`;

/**
 * Problems between runners, each reported on the later runner of a pair (stack-file order). Linear in the number of
 * tags: runners are indexed by their tag set, by each tag and the kind of node their jobs run on, so a stack of many
 * runners costs no comparison of every pair. Per later runner: its first twin (same tags), the first earlier runner
 * of untagged jobs, and each earlier runner on another kind of node that shares a tag with it (the first per kind).
 */
export function tagOverlapProblems(runners: readonly TaggedRunner[]): Problem[] {
    const problems: Problem[] = [];
    const bySet = new Map<string, TaggedRunner>();
    /** tag → node kind → first runner holding the tag there. */
    const byTag = new Map<string, Map<string, TaggedRunner>>();
    let untagged: TaggedRunner | undefined;
    for (const b of runners) {
        const tags = new Set(b.tags);
        const key = JSON.stringify([...tags].sort());
        const twin = tags.size > 0 ? bySet.get(key) : undefined;
        if (twin) {
            problems.push({
                path: pathOf(b, "tags"),
                message: `same tags as ${refOf(twin)} (${list(twin.tags)}): GitLab would hand their jobs to either at random, so the stack no longer decides where jobs land; give each runner a tag of its own`,
            });
        }
        if (b.runUntagged && untagged && untagged !== twin) {
            problems.push({
                path: pathOf(b, "runUntagged"),
                message: `${refOf(untagged)} already runs untagged jobs; with two, an untagged job lands on either at random. Keep runUntagged on one runner`,
            });
        }
        const kind = kindOf(b.group);
        const others = new Map<TaggedRunner, string[]>();
        if (kind !== undefined) {
            for (const t of tags) {
                for (const [k, a] of byTag.get(t) ?? []) {
                    if (k === kind || a === twin) continue;
                    const shared = others.get(a);
                    if (shared) shared.push(t);
                    else others.set(a, [t]);
                }
            }
        }
        for (const [a, shared] of others) {
            problems.push({
                path: pathOf(b, "tags"),
                message: `shares ${list(shared)} with ${refOf(a)}, whose jobs run on ${describe(a.group)} while these run on ${describe(b.group)}: a job tagged only ${list(shared)} could land on either. Give the two runners disjoint tags`,
            });
        }
        if (!bySet.has(key)) bySet.set(key, b);
        if (b.runUntagged) untagged ??= b;
        if (kind === undefined) continue;
        for (const t of tags) {
            const kinds = byTag.get(t) ?? new Map<string, TaggedRunner>();
            if (!kinds.has(kind)) kinds.set(kind, b);
            byTag.set(t, kinds);
        }
    }
    return problems;
}

/**
 * Runners whose jobs run on the same kind of node (arch and capacity type) may share tags; a VM runner's VMs are a
 * kind of their own, so a tag it shares with any other runner is reported.
 */
const kindOf = (g: TaggedRunner["group"]) => (!g ? undefined : "vm" in g ? `vm/${g.vm}` : `${g.arch}/${g.capacityType}`);
