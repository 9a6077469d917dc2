// The runner's config.toml as rendered from the stack file: sections, keys per runner version, chart global section.
import { strict as assert } from "assert";
import { parse as parseToml } from "smol-toml";
import { CHART_VERSIONS, ChartVersion, RUNNER_CHARTS, runnerAtLeast } from "../config/runnerCharts";
import { WARM_CAPACITY_SINCE } from "../config/warmCapacity";
import { PRIORITY_CLASSES } from "../model/priorityClasses";
import {
    chartGlobalToml,
    ChartGlobalValues,
    renderRunnerToml,
    runnerTomlDocument,
    tomlTolerations,
} from "../components/runners/configToml";
import { keyPaths, runnerConfigKeys, unknownKeys } from "./fixtures/runnerConfigKeys";
import { validDocument, withValue } from "./support/fixtures";
import { CACHE, groupOf, REGION, stack, valuesOf } from "./support/runnerRender";

/** smol-toml returns null-prototype objects; compare plain data. */
const parse = (toml: string): any => JSON.parse(JSON.stringify(parseToml(toml)));

/** A runner with every optional field set, on the arm64 Spot group, for a given chart version. */
function maximalDocument(chartVersion: string): Record<string, any> {
    const full = (cpu: string, mem: string) => ({
        cpuRequest: cpu,
        cpuLimit: "2",
        memoryRequest: mem,
        memoryLimit: "2Gi",
        cpuRequestMax: "3",
        cpuLimitMax: "4",
        memoryRequestMax: "4Gi",
        memoryLimitMax: "8Gi",
    });
    let doc = withValue(validDocument(), ["runners", "max"], {
        nodeGroup: "arm64-spot",
        tags: ["max", "dind"],
        runUntagged: false,
        concurrent: 12,
        checkInterval: 5,
        requestConcurrency: 4,
        outputLimit: 16384,
        image: "docker:27",
        privileged: true,
        pullPolicy: "always",
        allowedPullPolicies: ["always", "if-not-present", "never"],
        pollTimeout: 900,
        maxJobTimeoutMinutes: 120,
        terminationGracePeriodSeconds: 7500,
        ...full("1", "1Gi"),
        helper: full("200m", "256Mi"),
        services: full("500m", "512Mi"),
        manager: { cpuRequest: "300m", memoryRequest: "384Mi", memoryLimit: "1Gi" },
        chartVersion,
        // Every optional autoscaler key, where the chart's runner has the autoscaler (18.11+).
        ...(runnerAtLeast(RUNNER_CHARTS[chartVersion as ChartVersion].runnerVersion, WARM_CAPACITY_SINCE) && {
            warmCapacity: {
                maxPausePods: 6,
                policies: [
                    { periods: ["* * * * *"], idleCount: 0 },
                    {
                        periods: ["* 8-17 * * mon-fri", "0-29 18 * * fri"],
                        timezone: "America/New_York",
                        idleCount: 2,
                        idleTime: "15m",
                        scaleFactor: 0.5,
                        scaleFactorLimit: 6,
                    },
                ],
            },
        }),
    });
    doc = withValue(doc, ["runnerTokens", "max"], "glrt-fixture-max");
    return doc;
}

describe("runner renderers", () => {
    describe("config.toml", () => {
        it("renders the fixture runner's [[runners]] section exactly", () => {
            const cfg = stack();
            const r = cfg.runners[0];
            assert.deepEqual(parse(renderRunnerToml({ runner: r, group: groupOf(cfg, r), cache: CACHE })), {
                runners: [
                    {
                        output_limit: 4096,
                        request_concurrency: 1,
                        // Every job counts; the runner increments its exceeded counter past 300 s in GitLab's queue.
                        monitoring: {
                            job_queuing_durations: [{ periods: ["* * * * * * *"], timezone: "UTC", threshold: "300s" }],
                        },
                        kubernetes: {
                            namespace: "gitlab-jobs-amd64",
                            image: "ubuntu:24.04",
                            privileged: false,
                            pull_policy: ["if-not-present"],
                            allowed_pull_policies: ["always", "if-not-present"],
                            poll_timeout: 600,
                            cpu_request: "1",
                            cpu_request_overwrite_max_allowed: "7360m",
                            memory_request: "2Gi",
                            memory_request_overwrite_max_allowed: "31494Mi",
                            memory_limit: "4Gi",
                            memory_limit_overwrite_max_allowed: "31622Mi",
                            helper_cpu_request: "100m",
                            helper_cpu_request_overwrite_max_allowed: "6460m",
                            helper_memory_request: "128Mi",
                            helper_memory_request_overwrite_max_allowed: "29574Mi",
                            helper_memory_limit: "512Mi",
                            helper_memory_limit_overwrite_max_allowed: "31622Mi",
                            service_cpu_request: "250m",
                            service_cpu_request_overwrite_max_allowed: "6360m",
                            service_memory_request: "256Mi",
                            service_memory_request_overwrite_max_allowed: "29446Mi",
                            service_memory_limit: "1Gi",
                            service_memory_limit_overwrite_max_allowed: "31622Mi",
                            priority_class_name: PRIORITY_CLASSES.jobs,
                            node_selector: {
                                "eks-gitlab-runners/role": "jobs",
                                "eks-gitlab-runners/nodegroup": "amd64",
                                "kubernetes.io/arch": "amd64",
                            },
                            node_tolerations: { "eks-gitlab-runners/role=jobs": "NoSchedule" },
                            pod_labels: {
                                "eks-gitlab-runners/runner": "amd64",
                                "eks-gitlab-runners/nodegroup": "amd64",
                                "eks-gitlab-runners/project": "$CI_PROJECT_PATH_SLUG",
                                "eks-gitlab-runners/pipeline": "$CI_PIPELINE_ID",
                            },
                            pod_annotations: { "cluster-autoscaler.kubernetes.io/safe-to-evict": "false" },
                            service_account: "gitlab-job-amd64",
                            automount_service_account_token: false,
                        },
                        cache: {
                            Type: "s3",
                            Shared: true,
                            s3: { AuthenticationType: "iam", BucketName: "ci-cache-bucket", BucketLocation: REGION },
                        },
                    },
                ],
            });
        });

        it("the key checker can fail: a misspelt key and an unknown table are reported", () => {
            const toml =
                '[[runners]]\n[runners.kubernetes]\nmemory_limt = "1Gi"\n[runners.kubernetes.node_selector]\n"a.b/c" = "d"\n[runners.kubrnetes]\nimage = "x"\n';
            assert.deepEqual(unknownKeys(toml, "18.9.0"), [
                "runners.kubernetes.memory_limt",
                "runners.kubrnetes",
                "runners.kubrnetes.image",
            ]);
            assert.deepEqual(keyPaths({ a: [{ b: 1 }, { c: { "x.y": 2 } }] }), [
                ["a"],
                ["a", "b"],
                ["a", "c"],
                ["a", "c", "x.y"],
            ]);
        });

        it("the two upstream key lists differ where the design says (pod_disruption_budget arrived after 18.9)", () => {
            assert.ok(!runnerConfigKeys("18.9.0").has("runners.kubernetes.pod_disruption_budget"));
            assert.ok(runnerConfigKeys("19.3.0").has("runners.kubernetes.pod_disruption_budget"));
            for (const v of CHART_VERSIONS)
                assert.ok(runnerConfigKeys(RUNNER_CHARTS[v].runnerVersion).size > 600, `key list for chart ${v}`);
        });

        for (const version of CHART_VERSIONS) {
            const runnerVersion = RUNNER_CHARTS[version].runnerVersion;
            it(`a maximal runner on chart ${version}: every rendered key exists in GitLab Runner ${runnerVersion}`, () => {
                const cfg = stack(maximalDocument(version));
                const r = cfg.runners.find((x) => x.name === "max")!;
                assert.equal(r.chart.runnerVersion, runnerVersion);
                const toml = renderRunnerToml({ runner: r, group: groupOf(cfg, r), cache: CACHE });
                assert.deepEqual(unknownKeys(toml, runnerVersion), []);
                const values = valuesOf(cfg, r) as unknown as ChartGlobalValues;
                assert.deepEqual(unknownKeys(chartGlobalToml(values), runnerVersion), []);
                // Every optional key the renderer knows is present, so the check above covered all of them.
                const k = (parse(toml) as any).runners[0].kubernetes;
                for (const prefix of ["", "helper_", "service_"]) {
                    for (const key of [
                        "cpu_limit",
                        "cpu_limit_overwrite_max_allowed",
                        "cpu_request_overwrite_max_allowed",
                        "memory_limit_overwrite_max_allowed",
                    ]) {
                        assert.ok(`${prefix}${key}` in k, `${prefix}${key} missing from the maximal render`);
                    }
                }
                assert.equal(k.privileged, true);
                assert.deepEqual(k.pull_policy, ["always"]);
                assert.ok(!("pod_disruption_budget" in k), "the stack's PDB is the only one (two make eviction fail)");
                if (r.warmCapacity)
                    assert.deepEqual(Object.keys(k.autoscaler.policy[1]).sort(), [
                        "idle_count",
                        "idle_time",
                        "periods",
                        "scale_factor",
                        "scale_factor_limit",
                        "timezone",
                    ]);
                assert.equal(r.warmCapacity !== undefined, runnerAtLeast(runnerVersion, WARM_CAPACITY_SINCE));
            });
        }

        it("no per-job PDB from the runner, even where the runner version has one (18.11+): the stack's is the only one", () => {
            // A pod two PDBs select cannot be evicted: the API answers 500 "more than one PodDisruptionBudget"
            // (kubernetes pkg/registry/core/pod/storage/eviction.go) instead of the 429 drains retry.
            assert.ok(runnerConfigKeys("19.3.0").has("runners.kubernetes.pod_disruption_budget"));
            for (const chartVersion of ["0.86.0", "0.92.0"]) {
                const cfg = stack(withValue(validDocument(), ["runners", "amd64", "chartVersion"], chartVersion));
                const runner = cfg.runners[0];
                const k = runnerTomlDocument({ runner, group: groupOf(cfg, runner), cache: CACHE }).runners[0].kubernetes as any;
                assert.equal(k.pod_disruption_budget, undefined, chartVersion);
            }
        });

        it("tolerations: Equal becomes key=value, Exists the bare key", () => {
            assert.deepEqual(
                tomlTolerations([
                    { key: "eks-gitlab-runners/role", operator: "Equal", value: "jobs", effect: "NoSchedule" },
                    { key: "dedicated", operator: "Equal", value: "", effect: "NoExecute" },
                    { key: "gpu", operator: "Exists", effect: "NoSchedule" },
                ]),
                { "eks-gitlab-runners/role=jobs": "NoSchedule", "dedicated=": "NoExecute", gpu: "NoSchedule" },
            );
        });

        it("the chart's global section: concurrent, check_interval and the metrics listener on :9252", () => {
            const cfg = stack();
            const values = valuesOf(cfg, cfg.runners[0]) as unknown as ChartGlobalValues;
            assert.deepEqual(parse(chartGlobalToml(values)), {
                shutdown_timeout: 0,
                concurrent: 20,
                check_interval: 3,
                log_level: "info",
                log_format: "json",
                listen_address: ":9252",
            });
        });
    });
});
