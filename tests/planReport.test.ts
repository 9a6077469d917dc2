// What the offline plan (npm run plan) prints for the shipped stacks: every section, access and IAM as registered,
// Markdown tables and config.toml, every alarm and scraped metric with their cost (prod's claims: planProdOnPaper.test.ts).
import { strict as assert } from "assert";
import { COLLECTED_METRICS } from "../config/observability";
import { PlanData } from "../plan/planData";
import { stackConfigOf } from "./support/harness";
import { assertTablesWellFormed } from "./support/markdown";
import { renderedPlans, RenderedPlans } from "./support/planRenders";

describe("offline plan (npm run plan)", () => {
    const results = {} as RenderedPlans;
    // Rendered from the evaluations the other plan suites share (each costs a whole program run); the command
    // itself is exercised by the exit-code cases (planExitCodes.test.ts) and by the --base suite.
    before(async () => Object.assign(results, await renderedPlans()));

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
});
