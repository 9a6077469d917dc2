import { strict as assert } from "assert";
import { KARPENTER_METRICS } from "../config/observability";
import { parseArgs } from "../plan/cli";
import { buildPlan, PlanData } from "../plan/planData";
import { renderPlan } from "../plan/render";
import { runStackFile, stackConfigOf } from "./support/harness";

// The example's offline plan (`npm run plan -- --stack-file examples/Pulumi.karpenter.yaml`), built from the shared
// evaluation of the example: the CLI around it (stand-in tokens, exit codes) is tested on the shipped stacks in
// planExitCodes.test.ts, and another evaluation would cost the suite a second.
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

    it("lists Karpenter's alarms with their thresholds, its scraped metrics, and what they cost a month", () => {
        const o = plan.observability!;
        const condition = (name: string) => o.alarms.find((a) => a.name === `ci-runners-karpenter-${name}`)?.condition;
        const fleet = "ContainerInsights/Prometheus";
        assert.deepEqual(
            [
                condition("karpenter-silent"),
                condition("karpenter-failed-launches"),
                condition("runner-amd64-pods-unbound"),
                condition("nodepool-amd64-at-limit"),
                condition("nodepool-amd64-spot-at-limit"),
                condition("nodepool-arm64-spot-at-limit"),
                condition("karpenter-interruption-backlog"),
            ],
            [
                `Maximum ${fleet}/karpenter_cluster_state_synced{ClusterName=ci-runners-karpenter} < 1`,
                `Sum ${fleet}/karpenter_nodeclaims_disrupted_total{ClusterName=ci-runners-karpenter} ≥ 3`,
                // pollTimeout 600 s × 50 % = 5 minutes.
                `Maximum ${fleet}/karpenter_pods_unbound_time_seconds{ClusterName=ci-runners-karpenter,namespace=gitlab-jobs-amd64} ≥ 300`,
                // cpuLimit − the smallest allowed node: 4xlarge (16 vCPU), 2xlarge (8), 2xlarge (8).
                `Maximum ${fleet}/karpenter_nodepools_usage{ClusterName=ci-runners-karpenter,nodepool=amd64} > 1264`,
                `Maximum ${fleet}/karpenter_nodepools_usage{ClusterName=ci-runners-karpenter,nodepool=amd64-spot} > 1112`,
                `Maximum ${fleet}/karpenter_nodepools_usage{ClusterName=ci-runners-karpenter,nodepool=arm64-spot} > 152`,
                "Maximum AWS/SQS/ApproximateAgeOfOldestMessage{QueueName=ci-runners-karpenter-karpenter} > 120",
            ],
        );
        assert.equal(o.alarms.filter((a) => /autoscaler|nodegroup/.test(a.name)).length, 0, "no Cluster Autoscaler alarm");
        // 3 runners × 7, Karpenter 2 + 3 runners' unbound pods + 3 pools + the queue, nodes, managers, Spot.
        assert.equal(o.alarms.length, 33);
        assert.deepEqual(
            o.metrics.filter((m) => m.source === "karpenter").map((m) => m.name),
            KARPENTER_METRICS.map((m) => m.name),
        );
        // 3 runners × (6 scraped + 2 from the log) + Karpenter: 6 cluster-wide, 1 per job namespace (3), 2 per pool (6).
        assert.equal(o.cost.metrics, 39);
        assert.equal(o.cost.insightsAlarms, 3);
        assert.equal(o.cost.usdPerMonth, 17.7, "39 × $0.30 + 30 × $0.10 + $3");
        for (const m of KARPENTER_METRICS) assert.match(text, new RegExp(`^karpenter +${m.name} `, "m"));
        assert.match(text, /Custom metrics: 39 — .* About \$17\.70\/month/);
        assert.doesNotMatch(text, /Karpenter's metrics are not collected/);
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
