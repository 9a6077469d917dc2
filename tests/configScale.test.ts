// Pairwise rules are linear: a document with thousands of repeated entries gets one problem per repeat, quickly,
// and never a RangeError. And nothing but a ConfigError leaves validation, even when a rule itself throws.
import { strict as assert } from "assert";
import { ConfigError, parseStackConfig } from "../config";
import { overlappingPairs, repeats } from "../config/network";
import { parseCidr } from "../config/cidr";
import { tagOverlapProblems } from "../config/runnerTags";
import { problemsOf, validDocument, withValue } from "./support/fixtures";

/** Problems of a document and how long validation took. */
function timed(doc: Record<string, unknown>): { problems: string[]; ms: number } {
    const start = process.hrtime.bigint();
    const problems = problemsOf(doc);
    return { problems, ms: Number(process.hrtime.bigint() - start) / 1e6 };
}

describe("validation at scale", () => {
    it("N copies of one pod subnet: N − 1 problems each, in time linear in N", () => {
        const subnet = validDocument().network.podSubnets.subnets[0];
        const run = (n: number) =>
            timed(
                withValue(
                    validDocument(),
                    ["network", "podSubnets", "subnets"],
                    Array.from({ length: n }, () => ({ ...subnet })),
                ),
            );
        run(500); // warm-up
        const small = run(2_000);
        const large = run(8_000);
        for (const [n, r] of [
            [2_000, small],
            [8_000, large],
        ] as const) {
            assert.equal(
                r.problems.filter((p) => p.endsWith("cidrBlock: 100.64.0.0/18 overlaps subnets[0] (100.64.0.0/18)")).length,
                n - 1,
            );
            assert.equal(
                r.problems.filter((p) => p.endsWith("is already used by subnets[0]; use one subnet per AZ")).length,
                n - 1,
            );
        }
        // Quadratic rules would take 16× as long for 4× the subnets; linear ones about 4×.
        assert.ok(large.ms < 10 * small.ms + 200, `2,000: ${small.ms.toFixed(0)} ms, 8,000: ${large.ms.toFixed(0)} ms`);
    });

    it("the overlap sweep finds every layout with an overlap and reports each block at most once", () => {
        const blocks = ["10.0.0.0/24", "10.0.1.0/24", "10.0.0.128/25", "10.0.0.0/16", "10.1.0.0/24"].map(parseCidr);
        // 3 covers all of 0 and 2: reported once; 2 then shows after 3 is fixed.
        assert.deepEqual(overlappingPairs(blocks), [[3, 0]]);
        assert.deepEqual(overlappingPairs(["10.0.0.0/24", "10.0.0.0/25", "10.0.0.128/25"].map(parseCidr)), [
            [1, 0],
            [2, 0],
        ]);
        assert.deepEqual(overlappingPairs(["10.0.0.0/24", "10.0.1.0/24", "10.0.2.0/23"].map(parseCidr)), []);
        assert.deepEqual(repeats(["a", "b", "a", "a"]), [
            [2, 0],
            [3, 0],
        ]);
    });

    it("thousands of repeated subnet ids, instance types and tags: one problem per repeat", () => {
        const ids = Array.from({ length: 5_000 }, () => "subnet-0a1b2c3d4e5f60718");
        assert.equal(
            problemsOf(withValue(validDocument(), ["network", "subnetIds"], ids)).filter((p) => p.endsWith("is listed twice"))
                .length,
            4_999,
        );
        const types = Array.from({ length: 3_000 }, () => "m7i.2xlarge");
        assert.equal(
            problemsOf(withValue(validDocument(), ["nodeGroups", "amd64", "instanceTypes"], types)).filter((p) =>
                p.endsWith('"m7i.2xlarge" is listed twice'),
            ).length,
            2_999,
        );
        const tags = Array.from({ length: 3_000 }, () => "amd64");
        assert.equal(
            problemsOf(withValue(validDocument(), ["runners", "amd64", "tags"], tags)).filter((p) =>
                p.endsWith('"amd64" is listed twice'),
            ).length,
            2_999,
        );
    });

    it("2,000 runners with the same tags: one problem each, not one per pair", () => {
        const group = { name: "amd64", arch: "amd64" as const, capacityType: "ON_DEMAND" as const };
        const runners = Array.from({ length: 2_000 }, (_, i) => ({ name: `r${i}`, tags: ["a", "b"], runUntagged: false, group }));
        assert.equal(tagOverlapProblems(runners).filter((p) => p.message.startsWith("same tags as runners.r0")).length, 1_999);
        const untagged = Array.from({ length: 2_000 }, (_, i) => ({ name: `u${i}`, tags: [`t${i}`], runUntagged: true, group }));
        assert.equal(
            tagOverlapProblems(untagged).filter((p) => p.message.startsWith("runners.u0 already runs untagged jobs")).length,
            1_999,
        );
        // A shared tag between runners on different kinds of node: reported once per later runner and earlier kind.
        const spot = { ...group, name: "spot", capacityType: "SPOT" as const };
        const mixed = tagOverlapProblems([
            { name: "a", tags: ["x"], runUntagged: false, group },
            { name: "b", tags: ["x", "y"], runUntagged: false, group: spot },
            { name: "c", tags: ["y"], runUntagged: false, group },
        ]);
        assert.deepEqual(
            mixed.map((p) => `${p.path}: ${p.message.split(":")[0]}`),
            [
                "runners.b.tags: shares [x] with runners.a, whose jobs run on ON_DEMAND amd64 nodes while these run on SPOT amd64 nodes",
                "runners.c.tags: shares [y] with runners.b, whose jobs run on SPOT amd64 nodes while these run on ON_DEMAND amd64 nodes",
            ],
        );
    });

    it("an exception inside a validation step becomes a ConfigError naming the section, with the exception as its cause", () => {
        const doc = withValue(validDocument(), ["gitlab", "url"], "http://insecure");
        Object.defineProperty(doc, "cluster", {
            enumerable: true,
            get() {
                throw new TypeError("boom");
            },
        });
        try {
            parseStackConfig(doc, "eu-west-1");
            assert.fail("accepted");
        } catch (e) {
            assert.ok(e instanceof ConfigError, String(e));
            const own = e.problems.find((p) => p.path === "cluster");
            assert.match(own!.message, /^could not be checked because of a bug in eks-gitlab-runners \(TypeError: boom\)/);
            assert.ok(e.cause instanceof TypeError && e.cause.stack, "the original exception and its stack are kept");
            assert.ok(
                e.problems.some((p) => p.path === "gitlab.url"),
                "the other sections are still checked",
            );
        }
    });
});
