// Values AWS refuses are refused before `pulumi up` starts: tag limits (AWS tagging docs; EKS TagResource) counting
// the tags this program adds, and the EKS service quotas that bound node groups and public endpoint CIDRs.
import { strict as assert } from "assert";
import { AWS_TAG_LIMITS, MAX_STACK_TAGS, PROGRAM_TAGS_PER_RESOURCE } from "../config/tags";
import { EKS_DEFAULT_QUOTAS } from "../config/quotas";
import { parseStackConfig } from "../config";
import { problemsOf, validDocument, withValue } from "./support/fixtures";
import { Run, runShippedStacks, stackConfigOf } from "./support/harness";

const tags = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`team-${i}`, "ci"]));

describe("AWS limits", () => {
    describe("tags (AWS: 50 per resource, key ≤ 128, value ≤ 256, no aws: prefix)", () => {
        it("accepts as many stack tags as fit beside the program's own, and refuses one more", () => {
            assert.equal(MAX_STACK_TAGS, AWS_TAG_LIMITS.perResource - PROGRAM_TAGS_PER_RESOURCE);
            parseStackConfig(withValue(validDocument(), ["cluster", "tags"], tags(MAX_STACK_TAGS)), "eu-west-1");
            assert.ok(
                problemsOf(withValue(validDocument(), ["cluster", "tags"], tags(60))).includes(
                    `cluster.tags: 60 tags, but AWS allows 50 per resource and this program adds up to ${PROGRAM_TAGS_PER_RESOURCE} of its own (node groups, pod subnets): keep at most ${MAX_STACK_TAGS}`,
                ),
            );
        });

        it("refuses reserved prefixes, over-long keys and values, characters AWS does not take, and keys the program sets", () => {
            const cases: [Record<string, string>, string][] = [
                [{ "aws:cost": "x" }, 'cluster.tags.aws:cost: keys starting with "aws:" are reserved for AWS'],
                [{ "AWS:cost": "x" }, 'cluster.tags.AWS:cost: keys starting with "aws:" are reserved for AWS'],
                [{ team: "aws:ci" }, 'cluster.tags.team: values starting with "aws:" are reserved for AWS'],
                [{ ["k".repeat(129)]: "x" }, `cluster.tags.${"k".repeat(129)}: a tag key must be 1–128 characters long`],
                [{ team: "v".repeat(257) }, "cluster.tags.team: the value is 257 characters; AWS allows 256"],
                [
                    { team: "a;b" },
                    "cluster.tags.team: the value has characters AWS tags do not allow (letters, digits, spaces and + - = . _ : / @ only)",
                ],
                [
                    { "managed-by": "me" },
                    'cluster.tags.managed-by: "managed-by" is set by this program on the resources that carry it; choose another key',
                ],
            ];
            for (const [value, expected] of cases) {
                const problems = problemsOf(withValue(validDocument(), ["cluster", "tags"], value));
                assert.ok(problems.includes(expected), `${expected}\nnot in\n${problems.join("\n")}`);
            }
            // Unicode letters count as one character each, as AWS counts them.
            parseStackConfig(withValue(validDocument(), ["cluster", "tags"], { équipe: "é".repeat(256) }), "eu-west-1");
        });

        describe("the program adds at most PROGRAM_TAGS_PER_RESOURCE tags to any resource", () => {
            const runs: Record<string, Run> = {};
            before(() => runShippedStacks(runs));

            it("counted over every tag map each shipped stack registers (resource tags and launch-template tag specifications)", () => {
                let checked = 0;
                for (const [stack, run] of Object.entries(runs)) {
                    const stackTags = new Set(Object.keys(stackConfigOf(stack).cluster.tags));
                    for (const r of run.resources) {
                        const maps = [
                            r.inputs.tags,
                            ...((r.inputs.tagSpecifications ?? []) as { tags?: unknown }[]).map((t) => t.tags),
                        ];
                        for (const m of maps.filter((x): x is object => !!x && typeof x === "object")) {
                            // An Auto Scaling group (a VM runner's) lists its tags as { key, value, propagateAtLaunch }.
                            const keys = Array.isArray(m) ? m.map((t: { key: string }) => t.key) : Object.keys(m);
                            const added = keys.filter((k) => !stackTags.has(k));
                            assert.ok(
                                added.length <= PROGRAM_TAGS_PER_RESOURCE,
                                `${stack} ${r.type} ${r.name}: ${added.join(", ")}`,
                            );
                            checked++;
                        }
                    }
                    // The node groups are the largest set: the bound is tight, not a guess.
                    const group = run.resources.find((r) => r.type === "aws:eks/nodeGroup:NodeGroup")!;
                    assert.equal(
                        Object.keys(group.inputs.tags).filter((k) => !stackTags.has(k)).length,
                        PROGRAM_TAGS_PER_RESOURCE,
                    );
                }
                assert.ok(checked > 50, String(checked));
            });
        });
    });

    describe("EKS service quotas", () => {
        it("refuses a maxSize above the 450 nodes a managed node group may have, unless the account's quota says more", () => {
            const big = withValue(validDocument(), ["nodeGroups", "amd64", "maxSize"], 1_000_000);
            assert.ok(
                problemsOf(big).includes(
                    "nodeGroups.amd64.maxSize: 1000000 is above the EKS quota of 450 nodes per managed node group: the group could never grow that far (if your account's quota was raised, state it in cluster.quotas.nodesPerNodeGroup)",
                ),
            );
            const raised = withValue(withValue(validDocument(), ["nodeGroups", "amd64", "maxSize"], 600), ["cluster", "quotas"], {
                nodesPerNodeGroup: 600,
            });
            assert.ok(
                !problemsOf(withValue(raised, ["runners", "amd64", "concurrent"], 10_001)).some((p) => p.includes("quota")),
            );
        });

        it("refuses more node groups than fit twice (a patch run's two generations) in the 30 per cluster", () => {
            const groups = { ...validDocument().nodeGroups };
            for (let i = 0; i < 14; i++)
                groups[`extra-${i}`] = { role: "jobs", instanceTypes: ["m7i.large"], minSize: 0, maxSize: 1 };
            const problems = problemsOf(withValue(validDocument(), ["nodeGroups"], groups));
            assert.ok(
                problems.includes(
                    `nodeGroups: 17 node groups: a patch run creates each one's replacement before deleting it, so 34 exist at once, above the EKS quota of ${EKS_DEFAULT_QUOTAS.nodeGroupsPerCluster} managed node groups per cluster; the run would fail half way (merge groups, or if your account's quota was raised, state it in cluster.quotas.nodeGroupsPerCluster)`,
                ),
                problems.join("\n"),
            );
        });

        it("refuses more than 40 public access CIDRs (not adjustable)", () => {
            const cidrs = Array.from({ length: 41 }, (_, i) => `198.51.${i}.0/24`);
            const doc = withValue(validDocument(), ["cluster", "endpoint"], {
                publicAccess: true,
                publicAccessCidrs: cidrs,
                privateAccessCidrs: ["10.0.0.0/16"],
            });
            assert.ok(
                problemsOf(doc).some((p) =>
                    p.startsWith("cluster.endpoint.publicAccessCidrs: EKS accepts at most 40 public access CIDRs"),
                ),
            );
        });
    });
});
