import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse, stringify } from "yaml";
import { CONTROL_PLANE_USD_PER_HOUR, HOURS_PER_MONTH, MIN_IP_HEADROOM } from "../config/capacity";
import { onDemandPrice } from "../config/instanceTypes";
import { CliResult, parseArgs, runPlan } from "../plan/cli";
import { COLLECTED_METRICS } from "../config/observability";
import { buildPlan, MISSING, PlanData, RegistrationPlan } from "../plan/planData";
import { Format, renderPlan } from "../plan/render";
import { evaluationOf, ROOT, Run, runStackFile, stackConfigOf } from "./support/harness";
import { assertTablesWellFormed } from "./support/markdown";

describe("offline plan (npm run plan)", () => {
    const results: Record<string, CliResult> = {};
    // Rendered from the evaluations the other plan suites share (each costs a whole program run); the command
    // itself is exercised by the exit-code cases below and by the --base suite.
    before(async () => {
        const render = async (stack: "test" | "prod", format: Format): Promise<CliResult> => ({
            code: 0,
            stdout: renderPlan((await evaluationOf(stack)).plan, format),
            stderr: "",
        });
        results.testText = await render("test", "text");
        results.prodMarkdown = await render("prod", "markdown");
        results.prodJson = await render("prod", "json");
    });

    it("prints the test stack's full picture and exits 0", () => {
        const r = results.testText;
        assert.equal(r.code, 0, r.stderr);
        for (const section of ["Findings", "Capacity", "Node groups", "Access and identity", "Runners", "Resources"])
            assert.match(r.stdout, new RegExp(`^${section}\\n-+$`, "m"));
        assert.match(r.stdout, /\[runners\.kubernetes\]/, "the rendered config.toml is shown");
        assert.match(r.stdout, /eks-gitlab-runners\/role=management:NO_SCHEDULE/);
        assert.match(r.stdout, /k8s\.io\/cluster-autoscaler\/node-template\/taint\/eks-gitlab-runners\/role\s+jobs:NoSchedule/);
        assert.match(
            r.stdout,
            /WARNING runnerTokens\.amd64: not in Pulumi\.test\.yaml/,
            "offline stand-in tokens are called out",
        );
        assert.doesNotMatch(r.stdout, /glrt-[A-Za-z0-9]/, "no token, not even a stand-in, is printed");
        assert.match(r.stdout, /^Token: set by hand \(runnerTokens or tokenSsmParameter\)/m);
    });

    it("shows access entries, the API endpoint, every IAM document, workload identities and chart versions, as registered", () => {
        const data = JSON.parse(results.prodJson.stdout) as PlanData;
        const s = data.security;
        assert.deepEqual(
            s.accessEntries.map((e) => `${e.key}: ${e.policies.join(", ")}`),
            [
                "admin-444455556666-AWSReservedSSO_PlatformAdmin_2c3d4e5f6a7b8c9d: AmazonEKSClusterAdminPolicy (cluster)",
                "deploy-444455556666-gitlab-ci-deploy: AmazonEKSClusterAdminPolicy (cluster)",
                "viewer-444455556666-AWSReservedSSO_ReadOnly_3d4e5f6a7b8c9d0e: AmazonEKSViewPolicy (cluster)",
                "viewer-444455556666-gitlab-ci-preview: AmazonEKSViewPolicy (cluster)",
            ],
        );
        assert.deepEqual(s.endpoint, {
            privateAccess: true,
            publicAccess: false,
            publicAccessCidrs: [],
            ingress: [
                {
                    source: "sg-0c1d2e3f4a5b6c7d8",
                    ports: "tcp/443",
                    description: "Kubernetes API (private endpoint) from sg-0c1d2e3f4a5b6c7d8",
                },
            ],
        });
        const autoscaler = s.iam.find((d) => d.resource === "addons-cluster-autoscaler-policy")!;
        assert.ok(
            autoscaler.statements.some(
                (st) => st.actions.includes("autoscaling:SetDesiredCapacity") && st.conditions.length === 2,
            ),
        );
        assert.ok(s.iam.some((d) => d.kind === "bucket policy" && d.statements[0].effect === "Deny"));
        assert.ok(s.identities.some((i) => i.serviceAccount === "gitlab-runner/gitlab-runner-amd64"));
        for (const r of stackConfigOf("prod").runners)
            assert.ok(
                s.versions.some((v) => v.name === "gitlab-runner" && v.version === r.chart.version),
                r.name,
            );
        assert.ok(s.versions.some((v) => v.name === "cluster-autoscaler" && v.kind === "helm chart"));
        for (const g of data.nodeGroups)
            assert.deepEqual(
                g.metadataOptions,
                { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1, instanceMetadataTags: "disabled" },
                g.name,
            );
        assert.match(results.prodMarkdown.stdout, /^### Access entries$/m);
        assert.match(results.prodMarkdown.stdout, /\| v2 only, hop limit 1 \|/);
    });

    it("renders Markdown with well-formed tables and the TOML in a collapsible block", () => {
        const md = results.prodMarkdown.stdout;
        assert.equal(results.prodMarkdown.code, 0);
        assert.ok(assertTablesWellFormed(md) >= 10);
        // One config.toml per prod runner and VM runner.
        const runners = stackConfigOf("prod").runners.length + stackConfigOf("prod").vmRunners.length;
        assert.equal((md.match(/<details><summary>config\.toml<\/summary>/g) ?? []).length, runners);
        assert.equal((md.match(/^```toml$/gm) ?? []).length, runners);
        assert.match(md, /^# Offline plan: stack prod$/m);
        // Warm capacity: its policy table, cron text in code spans (asterisks are not emphasis), the weekly cost.
        // 2 nodes × (5 days × 13 h + 5 × 19 min until the autoscaler removes an emptied node) = 133.17 h.
        assert.match(md, /^\| #1 \| `\* 5-17 \* \* mon-fri` \| UTC \| 30 \| 2 \| 65 \|$/m);
        assert.match(md, /Over a week 133\.17 warm node-hours, \$120\/week with no jobs running/);
    });

    it("lists every alarm with its condition, every scraped metric, and the metrics' count and monthly cost", () => {
        const data = JSON.parse(results.prodJson.stdout) as PlanData;
        const o = data.observability!;
        const md = results.prodMarkdown.stdout;
        assert.match(md, /^## Observability$/m);
        assert.equal(o.alarms.length, 42, "4 runners × 7, 1 VM runner × 4, autoscaler 3, node groups 4, nodes, managers, Spot");
        for (const a of o.alarms) {
            assert.ok(md.includes(`| ${a.name} | ${a.condition.replace(/\|/g, "\\|")} | ${a.window} |`), a.name);
            assert.match(a.condition, / (>|≥|<) \d/);
        }
        // Cluster Autoscaler's stack: every metric but Karpenter's (examples/Pulumi.karpenter.yaml shows those).
        for (const m of COLLECTED_METRICS) assert.equal(md.includes(`| ${m.name} |`), m.source !== "karpenter", m.name);
        // 4 runners × (6 scraped + 2 from the managers' log) + the VM runner's 6 scraped + 4 cluster-wide autoscaler
        // metrics + 1 per job group (4).
        assert.equal(o.cost.metrics, 46);
        assert.ok(Math.abs(o.cost.usdPerMonth - (46 * 0.3 + (42 - 4) * 0.1 + 3)) < 0.005, String(o.cost.usdPerMonth));
        assert.equal(o.cost.insightsAlarms, 4, "the pending-pods alarms, one per Kubernetes runner");
        assert.match(md, /Custom metrics: 46 — each of the 11 scraped metrics below/);
        assert.match(
            results.testText.stdout,
            /^Observability\n-+\n\nDashboard ci-runners-test\. 20 alarms notify the stack's SNS topic → ci-platform-test@example\.com\./m,
        );
        assert.match(results.testText.stdout, /Custom metrics: 21 /);
    });

    describe("prod is proven on paper", () => {
        const plan = () => JSON.parse(results.prodJson.stdout) as PlanData;

        it("holds at least 1000 concurrent jobs at default requests", () => {
            assert.ok(plan().capacity.totalConcurrentJobs >= 1000, String(plan().capacity.totalConcurrentJobs));
            for (const r of plan().capacity.runners)
                assert.equal(r.maxConcurrentJobs, r.concurrent, `${r.name} is fully backed by nodes`);
        });

        it("keeps at least 20 % pod-IP headroom in every subnet pool at full scale", () => {
            for (const p of plan().capacity.pools) {
                assert.ok(p.freeIps !== undefined, `${p.name}: free addresses known`);
                assert.ok(
                    p.freeIps! - p.ipsAtFullScale >= MIN_IP_HEADROOM * p.freeIps!,
                    `${p.name}: ${p.ipsAtFullScale} of ${p.freeIps}`,
                );
            }
        });

        it("idles at control plane + management nodes + zero job nodes", () => {
            const data = plan();
            for (const g of data.nodeGroups.filter((x) => x.role === "jobs")) assert.equal(g.minSize, 0, g.name);
            const management = data.nodeGroups.find((g) => g.role === "management")!;
            const expected =
                HOURS_PER_MONTH *
                (CONTROL_PLANE_USD_PER_HOUR +
                    (management.minSize as number) * onDemandPrice((management.instanceTypes as string[])[0], data.region)!);
            assert.ok(
                Math.abs(data.capacity.cost.idleUsdPerMonth! - expected) < 0.01,
                `${data.capacity.cost.idleUsdPerMonth} vs ${expected}`,
            );
        });

        it("shows each runner's registration scope and the GitLab settings the deployment enforces", () => {
            const config = stackConfigOf("prod");
            for (const r of plan().runners) {
                const runner = config.runners.find((x) => x.name === r.name)!;
                assert.ok(r.registration !== "manual" && r.registration !== MISSING, r.name);
                const reg = r.registration as RegistrationPlan;
                assert.equal(reg.scope, `group ${runner.registration!.groupId}`);
                assert.deepEqual(
                    [reg.enforces.tag_list, reg.enforces.run_untagged, reg.enforces.maximum_timeout, reg.enforces.access_level],
                    [runner.tags, runner.runUntagged, runner.maxJobTimeoutMinutes * 60, "not_protected"],
                );
            }
            assert.match(
                results.prodMarkdown.stdout,
                /^Registration: group 1234 runner created through the GitLab API; .* Every deployment sets in GitLab: description "ci-runners-prod amd64", paused false, locked true, run_untagged true, tag_list \[eks, amd64\], access_level not_protected, maximum_timeout 3600 \(maximum_timeout in seconds\)\.$/m,
            );
            assert.doesNotMatch(results.prodMarkdown.stdout, /glpat-|api-token-offline-plan-stand-in/, "no API token is printed");
        });

        it("shows the VM runner: its group as registered, the idle schedule of a week and the cost", () => {
            const [v] = plan().vmRunners;
            assert.deepEqual(
                [
                    v.name,
                    v.autoScalingGroup,
                    v.minSize,
                    v.maxSize,
                    v.protectFromScaleIn,
                    v.suspendedProcesses,
                    v.capacityRebalance,
                ],
                ["docker-vm", "ci-runners-prod-vm-docker-vm", 0, 10, true, ["AZRebalance"], false],
            );
            assert.deepEqual([v.scalingPolicies, v.plugin, v.deploymentStrategy], [0, "aws:1.1.0", "Recreate"]);
            const [c] = plan().capacity.vmRunners;
            assert.deepEqual(
                c.idle.map((p) => [p.timezone, p.idleInstances, p.hoursPerWeek]),
                [
                    ["UTC", 0, 103],
                    ["UTC", 2, 65], // 13 hours (05:00–17:59) × 5 weekdays
                ],
            );
            const md = results.prodMarkdown.stdout;
            assert.match(md, /^## VM runners$/m);
            assert.match(md, /^### docker-vm \(docker-autoscaler\) → ci-runners-prod-vm-docker-vm$/m);
            // 2 VMs × 65 h/week × 730/168 weeks/month × $0.4405/h (c7a.2xlarge) ≈ $249.
            assert.match(md, /^\| 2 \| \* 5-17 \* \* mon-fri \| UTC \| 2 \| 2 \| 65 \| \$249 \|$/m);
            assert.match(md, /^Idle floor \$249\/month; every VM running \$3,216\/month\.$/m);
        });

        it("has no warnings or errors", () => {
            assert.deepEqual(
                plan().findings.filter((f) => !f.subject.startsWith("runnerTokens.")),
                [],
            );
        });
    });

    describe("exit codes", () => {
        const write = (doc: unknown) => {
            const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "plan-")), "Pulumi.x.yaml");
            fs.writeFileSync(file, stringify(doc));
            return file;
        };
        const testDoc = () => parse(fs.readFileSync(path.join(ROOT, "Pulumi.test.yaml"), "utf8"));

        it("1 with the validation error when the config is invalid", async () => {
            const doc = testDoc();
            doc.config["eks-gitlab-runners:cluster"].version = "1.2";
            const r = await runPlan(["x", "--stack-file", write(doc)]);
            assert.equal(r.code, 1);
            assert.match(r.stderr, /cluster\.version: "1\.2" is not a supported EKS version/);
            assert.equal(r.stdout, "");
        });

        it("1 when capacity is over-committed (a runner beyond its group)", async () => {
            const doc = testDoc();
            doc.config["eks-gitlab-runners:runners"].amd64.concurrent = 500;
            const r = await runPlan(["x", "--stack-file", write(doc)]);
            assert.equal(r.code, 1);
            assert.match(r.stderr, /runners\.amd64\.concurrent: 500 jobs cannot run at once: "amd64" holds 18/);
        });

        it("0 for a stack file with encrypted values, which get stand-ins", async () => {
            const doc = testDoc();
            doc.config["eks-gitlab-runners:runnerTokens"] = { amd64: { secure: "v1:AAAA" }, isolated: { secure: "v1:BBBB" } };
            const r = await runPlan(["x", "--stack-file", write(doc), "--format", "json"]);
            assert.equal(r.code, 0, r.stderr);
            assert.deepEqual(
                (JSON.parse(r.stdout) as PlanData).findings.filter((f) => f.subject.startsWith("runnerTokens")),
                [],
            );
        });

        it("2 for usage errors", async () => {
            for (const argv of [[], ["nope"], ["test", "--format", "xml"], ["test", "prod"], ["test", "--verbose"]]) {
                const r = await runPlan(argv);
                assert.equal(r.code, 2, argv.join(" "));
                assert.match(r.stderr, /usage: npm run plan -- <stack>/);
            }
            assert.deepEqual(parseArgs(["prod", "--format=markdown"]), {
                stack: "prod",
                format: "markdown",
                stackFile: undefined,
            });
            assert.deepEqual(parseArgs(["prod", "--base=main"]), {
                stack: "prod",
                format: "text",
                stackFile: undefined,
                base: "main",
            });
        });
    });
});

describe("plan data reads only what the program registered", () => {
    it("a node group or runner release the program did not register shows as missing, not as a config value", async () => {
        const run = await runStackFile("test");
        const config = stackConfigOf("test");
        const pruned = new Run(
            run.resources.filter((r) => r.type !== "aws:eks/nodeGroup:NodeGroup" && r.type !== "kubernetes:helm.sh/v3:Release"),
            run.outputs,
            run.calls,
        );
        const data = buildPlan("test", config, pruned);
        for (const g of data.nodeGroups) {
            assert.deepEqual(
                [g.capacityType, g.instanceTypes, g.minSize, g.maxSize],
                [MISSING, MISSING, MISSING, MISSING],
                g.name,
            );
        }
        for (const r of data.runners)
            assert.deepEqual([r.chartVersion, r.runnerVersion, r.configToml], [MISSING, MISSING, MISSING], r.name);
    });

    it("is the same whatever order the runtime registered the resources in (registration order is promise timing)", async () => {
        for (const stack of ["test", "prod"] as const) {
            const run = await runStackFile(stack);
            const reversed = new Run([...run.resources].reverse(), run.outputs, run.calls);
            const [plan, fromReversed] = [run, reversed].map((r) =>
                renderPlan(buildPlan(stack, stackConfigOf(stack), r), "json"),
            );
            assert.equal(fromReversed, plan, stack);
            assert.notDeepEqual(reversed.resources, run.resources, "the order differs");
        }
    });

    it("a registered runner without a recorded registration resource shows its registration as missing", async () => {
        const run = await runStackFile("prod");
        const pruned = new Run(
            run.resources.filter((r) => !r.type.endsWith(":RunnerRegistration")),
            run.outputs,
            run.calls,
        );
        const data = buildPlan("prod", stackConfigOf("prod"), pruned);
        assert.deepEqual(
            data.runners.map((r) => r.registration),
            data.runners.map(() => MISSING),
        );
    });
});
