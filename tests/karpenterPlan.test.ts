import { strict as assert } from "assert";
import { parseArgs } from "../plan/cli";
import { buildPlan, PlanData } from "../plan/planData";
import { renderPlan } from "../plan/render";
import { runStackFile, stackConfigOf } from "./support/harness";

// The example's offline plan (`npm run plan -- --stack-file examples/Pulumi.karpenter.yaml`), built from the shared
// evaluation of the example: the CLI around it (stand-in tokens, exit codes) is tested on the shipped stacks in
// plan.test.ts, and another evaluation would cost the suite a second.
describe("offline plan of the Karpenter example", () => {
    let plan: PlanData;
    let text: string;
    before(async () => {
        plan = buildPlan("karpenter", stackConfigOf("karpenter"), await runStackFile("karpenter"));
        text = renderPlan(plan, "text");
    });

    it("a stack file names its stack", () => {
        assert.deepEqual(parseArgs(["--stack-file", "examples/Pulumi.karpenter.yaml"]), {
            stack: "karpenter",
            format: "text",
            stackFile: "examples/Pulumi.karpenter.yaml",
        });
        assert.deepEqual(parseArgs(["--stack-file", "examples/karpenter.yaml"]), { error: "name a stack" });
    });

    it("prints the plan without errors, node pools included", () => {
        assert.match(text, /^Offline plan: stack karpenter$/m);
        assert.doesNotMatch(text, /^- ERROR/m);
        for (const section of ["Capacity", "Node pools", "Runners"]) assert.match(text, new RegExp(`^${section}\\n-+$`, "m"));
        assert.match(text, /Node pools at their cpuLimit/);
        assert.match(text, /\[runners\.kubernetes\.pod_annotations\]\n\s+"karpenter\.sh\/do-not-disrupt" = "true"/);
        assert.match(text, /Idle floor \$[\d,]+\/month \(node pools idle at zero nodes\)/);
        assert.match(text, /every pool at its cpuLimit .* \$[\d,]+–\$[\d,]+\/month/);
    });

    it("holds more than 1000 concurrent jobs on paper, and twice each runner's while its manager is replaced", () => {
        const c = plan.capacity;
        assert.ok(c.totalConcurrentJobs >= 1000, String(c.totalConcurrentJobs));
        assert.deepEqual(
            c.groups.map((g) => g.role),
            ["management"],
        );
        for (const r of c.runners) {
            const pool = c.nodePools.find((p) => p.name === r.nodePool)!;
            assert.equal(r.maxConcurrentJobs, r.concurrent, r.name);
            assert.ok(r.rolloutPeakJobs <= pool.jobsAtLimit, `${r.name}: ${r.rolloutPeakJobs} > ${pool.jobsAtLimit}`);
        }
        assert.deepEqual(
            plan.findings.filter((f) => f.severity === "error"),
            [],
        );
    });

    it("reads the pools back from the registered NodePools and EC2NodeClasses", () => {
        assert.deepEqual(
            plan.nodePools.map((p) => [p.name, p.cpuLimit, p.ami, p.terminationGracePeriod]),
            [
                ["amd64", "1280", "al2023@v20251112", "65m"],
                ["amd64-spot", "1120", "al2023@v20251112", "65m"],
                ["arm64-spot", "160", "al2023@v20251112", "125m"],
            ],
        );
        assert.equal(plan.nodePools[1].disruption, "WhenEmpty after 10m; budgets 100% Empty, 10% Drifted");
        assert.deepEqual(
            plan.runners.map((r) => [r.name, r.nodeGroup, r.nodePool]),
            [
                ["amd64", undefined, "amd64"],
                ["amd64-spot", undefined, "amd64-spot"],
                ["arm64", undefined, "arm64-spot"],
            ],
        );
        const md = renderPlan(plan, "markdown");
        assert.match(md, /^## Node pools$/m);
        assert.match(md, /^\| amd64-spot \| kubernetes\.io\/arch In \[amd64\], .* \| 1120 \|/m);
    });
});
