// The test stack's Fargate runner as the program registers it (cached shipped-stack run): its profile selects exactly
// its job namespace and runner label, the pod execution role's trust and policies are exact (EKS user guide "Amazon
// EKS Pod execution IAM role", "Start AWS Fargate logging"), its TOML has no node placement and only keys of the
// pinned runner (tests/fixtures/runner-config-keys.v*.txt), and the plan shows its Fargate section.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { parse as parseToml } from "smol-toml";
import { unknownKeys } from "./fixtures/runnerConfigKeys";
import { publicSubnetProblems } from "../components/fargate/privateSubnets";
import { runPlan } from "../plan/cli";
import { policyResources } from "./support/policyResources";
import { contextFor, evaluate } from "../policies";
import { configOfStack, Run, runStackFile, stackConfigOf } from "./support/harness";

describe("Fargate runner of the test stack", () => {
    let run: Run;
    const config = stackConfigOf("test");
    const runner = config.runners.find((r) => r.fargate)!;
    before(async () => {
        run = await runStackFile("test");
    });

    it("one profile, selecting exactly the runner's job namespace and runner label, on the cluster subnets", () => {
        const profiles = run.ofType("aws:eks/fargateProfile:FargateProfile");
        assert.equal(profiles.length, 1);
        const p = profiles[0].inputs;
        assert.equal(p.fargateProfileName, "gitlab-jobs-isolated");
        assert.deepEqual(p.selectors, [
            { namespace: "gitlab-jobs-isolated", labels: { "eks-gitlab-runners/runner": "isolated" } },
        ]);
        assert.deepEqual(p.subnetIds, config.network.subnetIds);
        // The label is one GitLab Runner puts on every job pod of this runner.
        const toml = parseToml(
            run.one("kubernetes:helm.sh/v3:Release", "gitlab-isolated-release").inputs.values.runners.config,
        ) as any;
        assert.equal(toml.runners[0].kubernetes.namespace, "gitlab-jobs-isolated");
        assert.equal(toml.runners[0].kubernetes.pod_labels["eks-gitlab-runners/runner"], "isolated");
    });

    it("the pod execution role: trusted by eks-fargate-pods for this cluster's profiles only, managed policy, log streams of its group", () => {
        const role = run.one("aws:iam/role:Role", "fargate-pod-execution").inputs;
        assert.deepEqual(JSON.parse(role.assumeRolePolicy), {
            Version: "2012-10-17",
            Statement: [
                {
                    Sid: "EksFargatePods",
                    Effect: "Allow",
                    Principal: { Service: "eks-fargate-pods.amazonaws.com" },
                    Action: "sts:AssumeRole",
                    Condition: {
                        ArnLike: { "aws:SourceArn": "arn:aws:eks:eu-west-1:123456789012:fargateprofile/ci-runners-test/*" },
                    },
                },
            ],
        });
        assert.deepEqual(
            run
                .ofType("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
                .filter((a) => a.parent === "fargate")
                .map((a) => a.inputs.policyArn),
            ["arn:aws:iam::aws:policy/AmazonEKSFargatePodExecutionRolePolicy"],
        );
        const group = run.one("aws:cloudwatch/logGroup:LogGroup", "fargate-logs").inputs;
        assert.deepEqual([group.name, group.retentionInDays], ["/eks-gitlab-runners/ci-runners-test/fargate-jobs", 7]);
        const arn = "arn:aws:logs:eu-west-1:123456789012:log-group:/eks-gitlab-runners/ci-runners-test/fargate-jobs";
        assert.deepEqual(JSON.parse(run.one("aws:iam/rolePolicy:RolePolicy", "fargate-logs").inputs.policy).Statement, [
            {
                Sid: "FargateJobLogs",
                Effect: "Allow",
                Action: ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"],
                Resource: [arn, `${arn}:log-stream:*`],
            },
        ]);
    });

    it("log routing: the aws-observability namespace (labelled) and the aws-logging ConfigMap with only the allowed keys", () => {
        const ns = run.one("kubernetes:core/v1:Namespace", "fargate-observability").inputs.metadata;
        assert.deepEqual([ns.name, ns.labels], ["aws-observability", { "aws-observability": "enabled" }]);
        const cm = run.one("kubernetes:core/v1:ConfigMap", "fargate-logging").inputs;
        assert.deepEqual([cm.metadata.name, cm.metadata.namespace], ["aws-logging", "aws-observability"]);
        assert.deepEqual(Object.keys(cm.data).sort(), ["filters.conf", "flb_log_cw", "output.conf", "parsers.conf"]);
        assert.ok(Object.values(cm.data).join("").length <= 5300, "the router rejects a ConfigMap over 5300 characters");
        assert.match(
            cm.data["output.conf"],
            /Name cloudwatch_logs\n\s+Match kube\.\*\n\s+region eu-west-1\n\s+log_group_name \/eks-gitlab-runners\/ci-runners-test\/fargate-jobs/,
        );
        assert.doesNotMatch(Object.values(cm.data).join(""), /\$\{/, "no environment variables");
    });

    it("TOML: no node placement or node annotations, ephemeral storage per container, every key valid for the pinned runner", () => {
        const text = run.one("kubernetes:helm.sh/v3:Release", "gitlab-isolated-release").inputs.values.runners.config;
        const k = (parseToml(text) as any).runners[0].kubernetes;
        for (const key of ["node_selector", "node_tolerations", "pod_annotations"]) assert.equal(k[key], undefined, key);
        assert.equal(k.privileged, false);
        assert.deepEqual(
            [k.ephemeral_storage_request, k.helper_ephemeral_storage_request, k.service_ephemeral_storage_request],
            ["28672Mi", "1Gi", "1Gi"],
        );
        assert.deepEqual([k.cpu_request, k.memory_request, k.memory_limit], ["900m", "1536Mi", "1536Mi"]);
        assert.deepEqual(unknownKeys(text, runner.chart.runnerVersion), []);
    });

    it("job pods wait for the profile: the runner fleet depends on the Fargate component", () => {
        const fleet = run.one("eks-gitlab-runners:index:RunnerFleet");
        const deps = ([] as unknown[]).concat(fleet.opts?.dependsOn ?? []).map((d) => (d as { __name?: string }).__name);
        assert.ok(deps.includes("fargate"), deps.join(", "));
    });

    it("policy rules pass, and fire on a profile selecting a platform namespace or a runner rendering node placement", () => {
        const resources = policyResources(run, "eu-west-1");
        assert.deepEqual(
            evaluate(resources, contextFor(resources)).filter((v) => v.rule.startsWith("fargate")),
            [],
        );
        const broken = resources.map((r) =>
            r.type === "aws:eks/fargateProfile:FargateProfile"
                ? {
                      ...r,
                      inputs: { ...r.inputs, selectors: [{ namespace: "kube-system" }, { namespace: "gitlab-jobs-isolated" }] },
                  }
                : r,
        );
        assert.deepEqual(
            evaluate(broken, contextFor(broken))
                .filter((v) => v.rule === "fargate-profile-jobs-only")
                .map((v) => v.message),
            [
                "Fargate profile fargate-isolated selects namespace kube-system: only runners' job namespaces (gitlab-jobs-*) may run on Fargate",
                "Fargate profile fargate-isolated selects all of gitlab-jobs-isolated: add the eks-gitlab-runners/runner label so only that runner's job pods go to Fargate",
            ],
        );
    });

    it("the plan's Fargate section: default and ceiling pod, quota use, cost per job-hour, the parallel: lesson", async () => {
        const r = await runPlan(["test"]);
        assert.equal(r.code, 0, r.stderr);
        assert.match(
            r.stdout,
            /At concurrent they take 4 of the 10 vCPUs of the account's "Fargate On-Demand vCPU resource count" quota/,
        );
        assert.match(r.stdout, /isolated +4 +1 vCPU \/ 2 GB +16 vCPU \/ 120 GB +4 +30 GiB +\$0\.0494 +\$1\.1811/);
        assert.match(r.stdout, /isolated: requests 1 CPU \/ 1\.9Gi \(with the 256 MiB Fargate adds\) → pays for 1 vCPU \/ 2 GB/);
        assert.match(r.stdout, /concurrent must cover the largest `parallel:`/);
        assert.match(r.stdout, /storage above 20 GiB not priced for this region/);
        assert.match(r.stdout, /### isolated → Fargate|isolated → Fargate/);
    });
});

describe("Fargate runbook", () => {
    const file = path.join(__dirname, "..", "docs", "runbook", "fargate.md");
    const page = fs.readFileSync(file, "utf8").replace(/\s+/g, " ");
    it("says when to choose Fargate, its limits and how to raise the quota", () => {
        for (const needle of [
            "## When to choose Fargate",
            "No docker-in-docker",
            "every job pulls its images",
            "Slower starts",
            "Fargate On-Demand vCPU resource count",
            "aws service-quotas request-service-quota-increase --service-code fargate",
            "fargate.vcpuQuota",
        ])
            assert.ok(page.includes(needle), needle);
    });
});

describe("Fargate runners and node capacity", () => {
    it("a Fargate runner adds no node, no DaemonSet pod and no job-node capacity: only its manager on the management group", () => {
        const withFargate = stackConfigOf("test");
        const file = configOfStack("test");
        const runners = { ...(file["eks-gitlab-runners:runners"] as Record<string, unknown>) };
        delete runners.isolated;
        const without = stackConfigOf("test", { "eks-gitlab-runners:runners": runners, "eks-gitlab-runners:fargate": undefined });
        assert.equal(without.runners.length, withFargate.runners.length - 1);
        assert.deepEqual(withFargate.capacity.groups, without.capacity.groups);
        assert.deepEqual(withFargate.capacity.runners, without.capacity.runners);
        assert.deepEqual(withFargate.capacity.pools, without.capacity.pools);
        assert.equal(withFargate.capacity.management!.demand.pods, without.capacity.management!.demand.pods + 1);
    });
});

describe("Fargate subnets are private (EKS user guide, AWS Fargate considerations)", () => {
    it("a subnet whose route table has a direct route to an Internet Gateway is refused, naming subnet, table and route", () => {
        assert.deepEqual(
            publicSubnetProblems([
                { subnetId: "subnet-a", routeTableId: "rtb-a", routes: [{ cidrBlock: "0.0.0.0/0", gatewayId: "" }] },
                {
                    subnetId: "subnet-b",
                    routeTableId: "rtb-b",
                    routes: [
                        { cidrBlock: "10.0.0.0/16", gatewayId: "local" },
                        { cidrBlock: "0.0.0.0/0", gatewayId: "igw-0abc" },
                    ],
                },
                { subnetId: "subnet-c", routeTableId: "rtb-c", routes: [{ ipv6CidrBlock: "::/0", gatewayId: "igw-0def" }] },
            ]),
            [
                "subnet subnet-b is public (route table rtb-b sends 0.0.0.0/0 to igw-0abc): Fargate pods run in private subnets only; give the stack pod subnets (network.podSubnets) or private network.subnetIds",
                "subnet subnet-c is public (route table rtb-c sends ::/0 to igw-0def): Fargate pods run in private subnets only; give the stack pod subnets (network.podSubnets) or private network.subnetIds",
            ],
        );
    });

    it("the test stack reads each cluster subnet's route table before its profile is created", async () => {
        const run = await runStackFile("test");
        const lookups = run.calls.filter((c) => c.token === "aws:ec2/getRouteTables:getRouteTables");
        assert.deepEqual(lookups.map((c) => c.inputs.filters[0].values[0]).sort(), [
            "subnet-0a1b2c3d4e5f60718",
            "subnet-1b2c3d4e5f607182a",
        ]);
        assert.deepEqual(
            run.calls
                .filter((c) => c.token === "aws:ec2/getRouteTable:getRouteTable")
                .map((c) => c.inputs.routeTableId)
                .sort(),
            ["rtb-0a1b2c3d4e5f60718", "rtb-1b2c3d4e5f607182a"],
        );
    });
});
