import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { parse as parseToml } from "smol-toml";
import { RunnerConfig } from "../config";
import { warmAutoscaler } from "../config/addons/clusterAutoscaler";
import { ownedClusterAutoscalerArgs } from "../config/addons/clusterAutoscalerArgs";
import type { CapacityReport } from "../config/capacity";
import { DEFAULT_CHART_VERSION, RUNNER_CHARTS } from "../config/runnerCharts";
import { warmCapacityProblems, WARM_CAPACITY_SINCE, warmPolicies } from "../config/warmCapacity";
import { COLD_START_MODEL, planWarmCapacity } from "../config/warmPlan";
import { layOutWeek, MINUTES_PER_WEEK } from "../config/warmSchedule";
import { executorRoleRules } from "../components/runners/rbac";
import {
    EXPENDABLE_PODS_PRIORITY_CUTOFF,
    expendableToClusterAutoscaler,
    PRIORITY_CLASS_SPECS,
    PRIORITY_CLASSES,
} from "../model/priorityClasses";
import { unknownKeys } from "./fixtures/runnerConfigKeys";
import { ROOT, Run, runStackFile, stackConfigOf } from "./support/harness";

const DAY = 24 * 60;
/** A minute of the reference week (Monday 1 June 2026, 00:00 UTC = index 0). */
const minute = (day: number, hour: number, min = 0) => day * DAY + hour * 60 + min;
const policy = (periods: string[], idleCount: number, extra: Record<string, unknown> = {}) => ({
    periods,
    timezone: "UTC",
    idleCount,
    ...extra,
});

describe("warm capacity: schedule, plan, rendering and permissions", () => {
    describe("the week laid out with the runner's rules (policy.go, pause_pod_manager.go at v19.3.0)", () => {
        it("the last active policy wins, even when it asks for fewer pods", () => {
            const w = { maxPausePods: 10, policies: [policy(["* 8-17 * * *"], 4), policy(["* 12-13 * * *"], 1)] };
            const { activePolicy, pausePods } = layOutWeek(warmPolicies(w), w.maxPausePods);
            assert.deepEqual(
                [minute(0, 7, 59), minute(0, 8), minute(0, 11, 59), minute(0, 12), minute(0, 14)].map((m) => [
                    activePolicy[m],
                    pausePods[m],
                ]),
                [
                    [-1, 0],
                    [0, 4],
                    [0, 4],
                    [1, 1],
                    [0, 4],
                ],
            );
        });

        it("periods are read in the policy's zone: Berlin working hours are 07:00–16:59 UTC in June (UTC+2)", () => {
            const w = {
                maxPausePods: 3,
                policies: [{ ...policy(["* 9-18 * * mon-fri"], 3), timezone: "Europe/Berlin" }],
            };
            const { pausePods } = layOutWeek(warmPolicies(w), w.maxPausePods);
            assert.deepEqual(
                [minute(0, 6, 59), minute(0, 7), minute(0, 16, 59), minute(0, 17), minute(5, 10)].map((m) => pausePods[m]),
                [0, 3, 3, 0, 0],
            );
        });

        it("idleTime holds a lower count back, across the week's end too; maxPausePods caps idleCount", () => {
            const w = { maxPausePods: 2, policies: [policy(["* 23 * * sun"], 5, { idleTime: "1h" })] };
            const { pausePods } = layOutWeek(warmPolicies(w), w.maxPausePods);
            // Sunday 23:00–23:59, then held until 00:59 on Monday (the week before sets Monday morning's state).
            assert.deepEqual(
                [minute(0, 0), minute(0, 0, 58), minute(0, 0, 59), minute(6, 22, 59), minute(6, 23)].map((m) => pausePods[m]),
                [2, 2, 0, 0, 2],
            );
        });
    });

    describe("planner: warm nodes and cost per week, computed by hand for one case", () => {
        // A group whose nodes have room for 4 CPU / 16000 MiB: 4 pause pods of 1 CPU / 2Gi per node (CPU-bound).
        const capacity = {
            groups: [
                {
                    name: "g",
                    boundBy: "x.large",
                    room: { cpuMillis: 4000, memoryMiB: 16000, pods: 50 },
                    maxSize: 10,
                    usdPerHourPerNode: 0.5,
                },
            ],
            runners: [{ name: "r", nodeGroup: "g", jobsPerNode: 3 }],
        } as unknown as Pick<CapacityReport, "groups" | "runners">;
        const runner = (warm: object, concurrent = 9) =>
            ({
                name: "r",
                nodeGroup: "g",
                concurrent,
                resources: { build: { cpuRequest: "1", memoryRequest: "2Gi" } },
                warmCapacity: warm,
            }) as unknown as RunnerConfig;
        const warm = {
            maxPausePods: 6,
            policies: [policy(["* * * * *"], 0), policy(["* 9-16 * * mon-fri"], 6, { idleTime: "30m" })],
        };
        const autoscaler = { enabled: true, scanIntervalSeconds: 10, scaleDownUnneededMinutes: 10 };

        it("6 pause pods = 2 nodes for 40 h a week, plus 29 min of idleTime and 10 min of scale-down delay each weekday", () => {
            const { plans, findings } = planWarmCapacity({ runners: [runner(warm)], capacity, autoscaler });
            assert.deepEqual(findings, []);
            const [p] = plans;
            assert.equal(p.pausePodsPerNode, 4);
            assert.deepEqual(
                p.policies.map((x) => [x.index, x.pausePods, x.warmNodes, x.hoursPerWeek]),
                [
                    [0, 0, 0, 168 - 40],
                    [1, 6, 2, 40],
                ],
            );
            // Per weekday: 09:00–16:59 (480 min), the count held until the minute at 16:59 + 30 min (17:00–17:28, 29
            // min), then the emptied nodes for 10 more minutes: 519 min × 2 nodes × 5 days = 5190 node-minutes.
            assert.equal(p.warmNodeHoursPerWeek, 86.5);
            assert.equal(p.usdPerWeek, 43.25, "86.5 node-hours × 0.5 USD");
            assert.equal(p.coldStartSavedSeconds, 10 + COLD_START_MODEL.nodeProvisioningSeconds);
        });

        it("the warm pods must fit beside the runner's jobs at maxSize", () => {
            // concurrent 27 fills 9 nodes (3 per node); 6 pause pods need 2 more: 11 > 10.
            const { findings } = planWarmCapacity({ runners: [runner(warm, 27)], capacity, autoscaler });
            assert.deepEqual(findings, [
                {
                    severity: "error",
                    subject: "runners.r.warmCapacity.maxPausePods",
                    message:
                        '6 pause pods (1 CPU / 2Gi each, 4 per x.large node) need 2 nodes of "g" beside the 9 that concurrent 27 fills, but maxSize is 10: lower maxPausePods to 4 or raise nodeGroups.g.maxSize to 11',
                },
            ]);
        });

        it("the stack's autoscaler flags feed the model; a disabled autoscaler is a warning", () => {
            const tuned = warmAutoscaler({
                enabled: true,
                extraArgs: { "scan-interval": "30s", "scale-down-unneeded-time": "20m" },
            });
            assert.deepEqual(tuned, { enabled: true, scanIntervalSeconds: 30, scaleDownUnneededMinutes: 20 });
            assert.deepEqual(warmAutoscaler({ enabled: true, extraArgs: {} }), {
                enabled: true,
                scanIntervalSeconds: 10,
                scaleDownUnneededMinutes: 10,
            });
            const { plans, findings } = planWarmCapacity({
                runners: [runner(warm)],
                capacity,
                autoscaler: { ...tuned, enabled: false },
            });
            assert.equal(plans[0].coldStartSavedSeconds, 30 + 180);
            assert.deepEqual(
                findings.map((f) => [f.severity, f.subject]),
                [["warning", "runners.r.warmCapacity"]],
            );
        });
    });

    describe("the priority coupling with Cluster Autoscaler", () => {
        it("pause pods sit exactly at the autoscaler's cutoff: not expendable (CA compares priority < cutoff), below every job", () => {
            const warm = PRIORITY_CLASS_SPECS.warmCapacity;
            assert.equal(ownedClusterAutoscalerArgs()["expendable-pods-priority-cutoff"], String(warm.value));
            assert.equal(expendableToClusterAutoscaler(warm.value), false, "CA would not scale up for pause pods");
            assert.equal(expendableToClusterAutoscaler(warm.value - 1), true, "one lower and CA ignores them");
            assert.equal(EXPENDABLE_PODS_PRIORITY_CUTOFF, -10, "CA FAQ: -10 is the lowest priority that triggers scaling");
            assert.ok(warm.value < 0 && 0 < PRIORITY_CLASS_SPECS.jobs.value, "any job (and any unclassed pod) preempts them");
            assert.equal(PRIORITY_CLASS_SPECS.jobs.preemptionPolicy, "PreemptLowerPriority");
            assert.equal(warm.preemptionPolicy, "Never");
        });
    });

    it("the executor Role gains exactly the pause-pod manager's Deployment verbs, only with warm capacity", () => {
        const off = executorRoleRules({ jobServiceAccount: "gitlab-job-x", warmCapacity: false });
        const on = executorRoleRules({ jobServiceAccount: "gitlab-job-x", warmCapacity: true });
        assert.deepEqual(on.slice(0, off.length), off);
        assert.deepEqual(on.slice(off.length), [
            { apiGroups: ["apps"], resources: ["deployments"], verbs: ["create", "delete", "get", "list", "update"] },
        ]);
        assert.ok(!JSON.stringify(on).includes("priorityclasses"), "no cluster-scoped grant");
    });

    it("the version facts behind the default chart and the minimum runner come from the upstream fixtures", () => {
        const tsv = (file: string) =>
            fs
                .readFileSync(path.join(ROOT, "tests/fixtures/upstream", file), "utf8")
                .split("\n")
                .filter((l) => l && !l.startsWith("#"))
                .slice(1)
                .map((l) => l.split("\t"));
        const chartRow = tsv("gitlab-runner-chart-versions.tsv").find((r) => r[0] === DEFAULT_CHART_VERSION)!;
        assert.equal(chartRow[1], RUNNER_CHARTS[DEFAULT_CHART_VERSION].runnerVersion);
        assert.match(chartRow[2], /Update GitLab Runner version to v19\.3\.0/);
        assert.match(chartRow[3], /gitlab-org\/charts\/gitlab\/-\/merge_requests\/5276$/);
        const feature = (prefix: string) => tsv("runner-feature-versions.tsv").find((r) => r[0].startsWith(prefix))!;
        assert.equal(feature("runners.kubernetes.autoscaler (")[1], `v${WARM_CAPACITY_SINCE}`);
    });

    describe("shipped stacks", () => {
        const runs: Record<string, Run> = {};
        before(async () => {
            runs.test = await runStackFile("test");
            runs.prod = await runStackFile("prod");
        });
        const expected = {
            test: { max: 3, idle: 3 },
            prod: { max: 30, idle: 30 },
        };
        for (const stack of ["test", "prod"] as const) {
            it(`${stack}: amd64 renders its working-hours pool, valid for its runner, with a Role to match`, () => {
                const config = stackConfigOf(stack);
                for (const r of config.runners) {
                    const release = runs[stack].one("kubernetes:helm.sh/v3:Release", `gitlab-${r.name}-release`).inputs;
                    const toml = release.values.runners.config as string;
                    assert.deepEqual(unknownKeys(toml, r.chart.runnerVersion), []);
                    const autoscaler = JSON.parse(JSON.stringify(parseToml(toml))).runners[0].kubernetes.autoscaler;
                    const rules = runs[stack].one("kubernetes:rbac.authorization.k8s.io/v1:Role", `gitlab-${r.name}-executor`)
                        .inputs.rules as { apiGroups: string[] }[];
                    const deployments = rules.filter((x) => x.apiGroups.includes("apps"));
                    if (r.name !== "amd64") {
                        assert.equal(autoscaler, undefined, `${r.name} has no warm capacity`);
                        assert.deepEqual(deployments, [], `${r.name}: no Deployment verbs without warm capacity`);
                        continue;
                    }
                    assert.deepEqual(autoscaler, {
                        max_pause_pods: expected[stack].max,
                        pause_pod_priority_class_name: PRIORITY_CLASSES.warmCapacity,
                        policy: [
                            { periods: ["* * * * *"], timezone: "UTC", idle_count: 0 },
                            {
                                periods: ["* 5-17 * * mon-fri"],
                                timezone: "UTC",
                                idle_count: expected[stack].idle,
                                idle_time: "10m",
                            },
                        ],
                    });
                    assert.deepEqual(
                        deployments,
                        executorRoleRules({
                            jobServiceAccount: "gitlab-job-x",
                            warmCapacity: true,
                        }).slice(-1),
                    );
                    assert.deepEqual(warmCapacityProblems(r.name, r.warmCapacity!, r.concurrent), []);
                }
                // The plan: 60 working hours a week, plus the idleTime tail and CA's scale-down delay.
                const [plan] = config.capacity.warm!;
                assert.equal(plan.policies[1].hoursPerWeek, 65);
                assert.ok(plan.warmNodeHoursPerWeek > 60 * plan.policies[1].warmNodes);
                assert.equal(MINUTES_PER_WEEK / 60, 168);
            });
        }
    });
});
