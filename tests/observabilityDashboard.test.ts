import { strict as assert } from "assert";
import { COLLECTED_METRICS, FLEET_METRIC_NAMESPACE, LOG_METRIC, LOG_METRICS, OTHER_METRICS } from "../config/observability";
import { dashboardBody, DashboardInput } from "../components/observability/dashboard";
import { dashboardInput, hasSpotGroup } from "../components/observability/inputs";
import { Run, runShippedStacks, stackConfigOf } from "./support/harness";

// The dashboard JSON reads only metrics that exist: the ones the stack collects (with exactly their dimensions), the
// killed-jobs metric, and the few AWS publishes (Container Insights, EventBridge).
type Entry = unknown[];
const inputOf = (stack: string): DashboardInput => {
    const cfg = stackConfigOf(stack);
    const asg = Object.fromEntries(cfg.nodeGroups.jobs.map((g) => [g.name, `asg-${g.name}`]));
    return dashboardInput(cfg, asg, hasSpotGroup(cfg) ? "spot-rule" : undefined);
};
const metricWidgets = (body: ReturnType<typeof dashboardBody>) =>
    body.widgets
        .filter((w) => w.type === "metric")
        .map((w) => w.properties as { title: string; metrics: Entry[]; [k: string]: unknown });

/** Every metric a widget entry names: `[namespace, name, dim, value, …, {options}]`, or a Metrics Insights query. */
function referenced(entry: Entry): { namespace: string; name: string; dimensions: string[] }[] {
    if (typeof entry[0] === "string") {
        const parts = entry.filter((x) => typeof x === "string") as string[];
        const [namespace, name, ...pairs] = parts;
        return [{ namespace, name, dimensions: pairs.filter((_, i) => i % 2 === 0) }];
    }
    const { expression } = entry[0] as { expression: string };
    const query = /\((\w+)\) FROM SCHEMA\("([^"]+)", ([^)]+)\)/.exec(expression);
    return query ? [{ namespace: query[2], name: query[1], dimensions: query[3].split(", ") }] : [];
}

function exists(m: { namespace: string; name: string; dimensions: string[] }): boolean {
    const same = (a: readonly string[]) => [...a].sort().join() === [...m.dimensions].sort().join();
    if (m.namespace === FLEET_METRIC_NAMESPACE) return COLLECTED_METRICS.some((c) => c.name === m.name && same(c.dimensions));
    if (m.namespace === LOG_METRIC.namespace)
        return Object.values(LOG_METRICS).some((l) => l.name === m.name) && same([LOG_METRIC.dimension]);
    return OTHER_METRICS.some((o) => o.namespace === m.namespace && o.name === m.name && same(o.dimensions));
}

describe("dashboard", () => {
    for (const stack of ["test", "prod", "karpenter"]) {
        it(`${stack}: every metric the JSON references is collected (exact dimensions) or published by AWS`, () => {
            const body = dashboardBody(inputOf(stack));
            let count = 0;
            for (const w of metricWidgets(body)) {
                const ids = new Set(w.metrics.map((e) => (e[e.length - 1] as { id?: string }).id).filter(Boolean));
                for (const entry of w.metrics) {
                    for (const m of referenced(entry)) {
                        count++;
                        assert.ok(exists(m), `${w.title}: ${m.namespace} ${m.name} {${m.dimensions}}`);
                    }
                    // Metric math may only refer to ids of its own widget.
                    const expr = (entry[0] as { expression?: string }).expression;
                    if (expr && !expr.startsWith("SELECT"))
                        for (const id of expr.match(/\b[a-z]+\d+(_\d+)?\b/g) ?? []) assert.ok(ids.has(id), `${w.title}: ${id}`);
                }
            }
            assert.ok(count >= 10, `${count} references`);
        });
    }

    it("the check can fail: a metric the agent drops is refused", () => {
        assert.equal(
            exists({
                namespace: FLEET_METRIC_NAMESPACE,
                name: "gitlab_runner_job_queue_duration_seconds",
                dimensions: ["ClusterName", "Runner"],
            }),
            false,
        );
        assert.equal(
            exists({ namespace: FLEET_METRIC_NAMESPACE, name: "gitlab_runner_jobs", dimensions: ["ClusterName"] }),
            false,
        );
    });

    it("shows per runner jobs vs concurrent, queue time, pending pods, killed jobs; nodes, autoscaler, Spot, idle cost", () => {
        const titles = metricWidgets(dashboardBody(inputOf("prod"))).map((w) => w.title);
        for (const runner of ["amd64", "amd64-spot", "arm64", "deploy", "docker-vm"])
            assert.ok(titles.includes(`${runner}: jobs running vs concurrent`), runner);
        for (const title of [
            "Queue time",
            "Pending job pods",
            "Jobs lost",
            "Runner health",
            "Nodes per job group",
            "Autoscaler health",
            "Spot interruption",
            "Idle job-node cost",
        ])
            assert.ok(
                titles.some((t) => t.startsWith(title)),
                title,
            );
    });

    it("with Karpenter: node pools' vCPU vs cpuLimit, pods waiting per runner, Karpenter health, interruption queue", () => {
        const input = inputOf("karpenter");
        assert.deepEqual(input.engines, ["karpenter"]);
        const widgets = metricWidgets(dashboardBody(input));
        const titles = widgets.map((w) => w.title);
        assert.ok(!titles.some((t) => /Nodes per job group|Autoscaler health|Idle/.test(t)), titles.join(" | "));
        const named = (title: string) => widgets.find((w) => w.title.startsWith(title)) ?? assert.fail(title);
        const names = (title: string) =>
            named(title).metrics.map((e) => (typeof e[0] === "string" ? `${e[1]}{${e[3]},${e[5] ?? ""}}` : "expr"));
        assert.deepEqual(names("Node pools"), [
            "karpenter_nodepools_usage{ci-runners-karpenter,amd64}",
            "karpenter_nodepools_limit{ci-runners-karpenter,amd64}",
            "karpenter_nodepools_usage{ci-runners-karpenter,amd64-spot}",
            "karpenter_nodepools_limit{ci-runners-karpenter,amd64-spot}",
            "karpenter_nodepools_usage{ci-runners-karpenter,arm64-spot}",
            "karpenter_nodepools_limit{ci-runners-karpenter,arm64-spot}",
            "cluster_node_count{ci-runners-karpenter,}",
        ]);
        assert.deepEqual(names("Job pods waiting for a node"), [
            "karpenter_pods_unbound_time_seconds{ci-runners-karpenter,gitlab-jobs-amd64}",
            "karpenter_pods_unbound_time_seconds{ci-runners-karpenter,gitlab-jobs-amd64-spot}",
            "karpenter_pods_unbound_time_seconds{ci-runners-karpenter,gitlab-jobs-arm64}",
            "karpenter_scheduler_unschedulable_pods_count{ci-runners-karpenter,}",
        ]);
        assert.ok(named("Karpenter health"));
        assert.ok(names("Interruption queue").includes("ApproximateAgeOfOldestMessage{ci-runners-karpenter-karpenter,}"));
        assert.ok(
            titles.some((t) => t.startsWith("Spot interruption")),
            "a pool allowed Spot",
        );
        // Not without: Cluster Autoscaler's stack draws nothing of Karpenter.
        assert.ok(!JSON.stringify(dashboardBody(inputOf("prod"))).includes("karpenter"));
    });

    it("without an autoscaling engine the node, autoscaler and idle-cost widgets are left out, and it says so", () => {
        const body = dashboardBody({ ...inputOf("prod"), engines: [] });
        const titles = metricWidgets(body).map((w) => w.title);
        assert.ok(!titles.some((t) => /Nodes per|Autoscaler|Idle/.test(t)), titles.join(" | "));
        assert.ok(
            body.widgets.some(
                (w) =>
                    w.type === "text" &&
                    String((w.properties as { markdown: string }).markdown).includes(
                        "No node-scaling engine whose metrics are collected",
                    ),
            ),
        );
    });

    it("idle cost: (node-minutes − job-minutes ÷ jobs per node) × hourly price ÷ 60, over the last 24 hours", () => {
        const input = inputOf("prod");
        const w = metricWidgets(dashboardBody(input)).find((x) => x.title.startsWith("Idle"))!;
        assert.deepEqual([w.view, w.setPeriodToTimeRange, w.start], ["singleValue", true, "-PT24H"]);
        const amd64 = input.groups.find((g) => g.name === "amd64")!;
        const runner = input.runners.find((r) => r.name === "amd64")!;
        const exprs = w.metrics.filter((e) => typeof e[0] !== "string").map((e) => e[0] as { expression: string; id: string });
        const idle0 = exprs.find((e) => e.id === "idle0")!.expression;
        // 24 h of 40 nodes while 14 jobs per node ran 300 jobs on average: 40 − 300/14 idle nodes, priced per hour.
        const nodeMinutes = 40 * 1440;
        const jobMinutes = 300 * 1440;
        const value = Function("n0", "j0_0", `return ${idle0}`)(nodeMinutes, jobMinutes) as number;
        const expected = (40 - 300 / runner.jobsPerNode) * 24 * amd64.usdPerHourPerNode!;
        assert.ok(Math.abs(value - expected) < 0.01 * expected, `${value} vs ${expected}`);
        const groups = input.groups.map((_, i) => `idle${i}`).join(" + ");
        assert.equal(exprs.find((e) => e.id === "idleTotal")!.expression, groups);
        assert.equal(input.groups.length, 4, "every prod job group is priced");
    });

    it("a VM runner: jobs vs concurrent, queue and health like any runner; no pod widgets, not in the job-node idle cost", () => {
        const input = inputOf("prod");
        const vm = stackConfigOf("prod").vmRunners[0].name;
        const widgets = metricWidgets(dashboardBody(input));
        const names = (title: string) =>
            JSON.stringify(widgets.find((w) => w.title.startsWith(title))!.metrics).includes(`"${vm}`);
        assert.ok(widgets.some((w) => w.title === `${vm}: jobs running vs concurrent`));
        assert.deepEqual(["Queue time", "Runner health", "Pending job pods", "Jobs lost", "Idle job-node cost"].map(names), [
            true,
            true,
            false,
            false,
            false,
        ]);
    });
});

describe("dashboard in the shipped stacks", () => {
    const runs = {} as Record<string, Run>;
    before(async () => runShippedStacks(runs));

    it("one dashboard per stack, named after the cluster, its body the renderer's with the groups' real ASG names", () => {
        for (const stack of ["test", "prod"]) {
            const d = runs[stack].one("aws:cloudwatch/dashboard:Dashboard");
            const cfg = stackConfigOf(stack);
            assert.equal(d.inputs.dashboardName, cfg.cluster.name);
            const asg = Object.fromEntries(cfg.nodeGroups.jobs.map((g) => [g.name, `eks-${g.name}-nodegroup-0ac9a1b2-asg`]));
            const rule = hasSpotGroup(cfg) ? `${cfg.cluster.name}-spot-interruptions` : undefined;
            assert.deepEqual(JSON.parse(d.inputs.dashboardBody), dashboardBody(dashboardInput(cfg, asg, rule)));
        }
    });
});
