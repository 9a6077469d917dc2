// Fargate runners in the config layer: exactly one place for jobs, what Fargate cannot run, storage and ceilings, the
// `fargate` section and the vCPU quota (facts: EKS user guide "Fargate Pod configuration", "cni-network-policy"
// Considerations, "Amazon EKS Pod execution IAM role"; see config/fargateFacts.ts).
import { strict as assert } from "assert";
import { parseStackConfig } from "../config";
import { fargateJobPods } from "../config/fargate";
import { problemsOf, validDocument, withValue } from "./support/fixtures";

/** validDocument() plus a Fargate runner `isolated` and the `fargate` section. */
function fargateDocument(runner: Record<string, unknown> = {}, fargate: Record<string, unknown> = { vcpuQuota: 400 }) {
    const doc = validDocument();
    doc.runners.isolated = {
        fargate: true,
        tags: ["fargate"],
        concurrent: 200,
        cpuRequest: "900m",
        memoryRequest: "2Gi",
        ...runner,
    };
    doc.runnerTokens.isolated = "glrt-fixture-isolated";
    doc.fargate = fargate;
    return doc;
}
const runnerOf = (doc: Record<string, unknown>) => parseStackConfig(doc, "eu-west-1").runners.find((r) => r.name === "isolated")!;

describe("Fargate runners: config", () => {
    it("the issue's example is accepted: 900m + 100m helper = 1 vCPU, 2Gi + 128Mi + 256Mi rounds to 3 GB", () => {
        const config = parseStackConfig(fargateDocument({ ephemeralStorage: "30Gi" }), "eu-west-1");
        const r = config.runners.find((x) => x.name === "isolated")!;
        assert.deepEqual(fargateJobPods(r.resources).default, { vcpu: 1, memoryGiB: 3 });
        assert.equal(config.capacity.fargate!.vcpuAtConcurrent, 200);
        assert.deepEqual(config.fargate, { vcpuQuota: 400, logRetentionDays: 30 });
    });

    it("memory limits follow the requests (Guaranteed QoS) and a job at every ceiling still fits 16 vCPU / 120 GB", () => {
        const r = runnerOf(fargateDocument());
        for (const kind of ["build", "helper", "services"] as const) {
            assert.equal(r.resources[kind].memoryLimit, r.resources[kind].memoryRequest, kind);
            assert.equal(r.resources[kind].memoryLimitMax, r.resources[kind].memoryRequestMax, kind);
            assert.equal(r.resources[kind].cpuLimit, undefined, kind);
        }
        assert.deepEqual([r.resources.helper.cpuRequestMax, r.resources.services.cpuRequestMax], ["100m", "250m"]);
        assert.deepEqual(
            [r.resources.build.cpuRequestMax, r.resources.build.memoryRequestMax],
            ["15650m", `${120 * 1024 - 256 - 128 - 256}Mi`],
        );
        assert.deepEqual(fargateJobPods(r.resources).ceiling, { vcpu: 16, memoryGiB: 120 });
    });

    const rejected: [string, Record<string, unknown>, string][] = [
        [
            "nodeGroup as well",
            { nodeGroup: "amd64" },
            "runners.isolated.nodeGroup: set exactly one of nodeGroup, nodePool and fargate",
        ],
        ["privileged", { privileged: true }, "runners.isolated.privileged: Fargate runs no privileged containers"],
        [
            "warm capacity",
            { warmCapacity: { maxPausePods: 1, policies: [{ periods: ["* * * * *"], idleCount: 1 }] } },
            "runners.isolated.warmCapacity: Fargate has no nodes to keep warm",
        ],
        [
            "a job identity (Pod Identity)",
            { jobIdentity: { managedPolicyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess"] } },
            "runners.isolated.jobIdentity: EKS Pod Identity does not work on Fargate",
        ],
        [
            "network policies",
            { network: { egress: ["internet", "vpc"] } },
            "runners.isolated.network: Kubernetes network policies are enforced on EC2 Linux nodes only",
        ],
        [
            "a memory limit above the request",
            { memoryLimit: "4Gi" },
            "runners.isolated.memoryLimit: 4Gi differs from memoryRequest 2Gi",
        ],
        ["a CPU limit other than the request", { cpuLimit: "2" }, "runners.isolated.cpuLimit: 2 differs from cpuRequest"],
        ["storage below 20 GiB", { ephemeralStorage: "10Gi" }, "runners.isolated.ephemeralStorage: 10Gi is outside 20–175 GiB"],
        [
            "storage above 175 GiB",
            { ephemeralStorage: "176Gi" },
            "runners.isolated.ephemeralStorage: 176Gi is outside 20–175 GiB",
        ],
        [
            "a build ceiling beyond the largest Fargate pod",
            { cpuRequestMax: "15900m" },
            "runners.isolated.cpuRequestMax: a job at every request ceiling (build + helper + one service, + 256 MiB) would be larger than the largest Fargate pod",
        ],
        [
            "a memory ceiling beyond 120 GB",
            { memoryRequestMax: "120Gi" },
            "runners.isolated.memoryRequestMax: 120Gi exceeds the allocatable memory of a Fargate pod",
        ],
    ];
    for (const [what, extra, message] of rejected) {
        it(`rejects ${what}, at its path`, () => {
            const problems = problemsOf(fargateDocument(extra));
            assert.ok(
                problems.some((p) => p.startsWith(message)),
                `no problem starting with\n  ${message}\nin\n  ${problems.join("\n  ")}`,
            );
        });
    }

    it("rejects ephemeralStorage on a node-group runner", () => {
        assert.ok(
            problemsOf(withValue(validDocument(), ["runners", "amd64", "ephemeralStorage"], "30Gi")).includes(
                "runners.amd64.ephemeralStorage: is for Fargate runners (fargate: true); on nodes a job's storage is the node's disk",
            ),
        );
    });

    it("requires the fargate section once a runner has fargate: true", () => {
        const doc = fargateDocument();
        delete doc.fargate;
        assert.deepEqual(
            problemsOf(doc).filter((p) => p.startsWith("fargate")),
            [
                `fargate: is required when a runner has fargate: true (runners.isolated): set vcpuQuota to the account's "Fargate On-Demand vCPU resource count" in eu-west-1`,
            ],
        );
    });

    it("rejects concurrent × rounded vCPU above the quota, naming the quota and every Fargate runner", () => {
        const problems = problemsOf(fargateDocument({}, { vcpuQuota: 199 }));
        assert.deepEqual(
            problems.filter((p) => p.startsWith("fargate.vcpuQuota")),
            [
                'fargate.vcpuQuota: 199 vCPUs, but the Fargate runners at concurrent need 200 (isolated: 200 × 1 vCPU; each default job pod rounds to isolated 1 vCPU / 3 GB): jobs over the quota fail to start. Lower concurrent or raise the quota "Fargate On-Demand vCPU resource count" (docs/runbook/fargate.md)',
            ],
        );
        // The rounding counts: the node defaults (1 CPU + 100m) take 2 vCPUs a job, so 200 jobs need 400.
        const defaults = problemsOf(fargateDocument({ cpuRequest: undefined, memoryRequest: undefined }, { vcpuQuota: 399 }));
        assert.ok(
            defaults.some((p) =>
                p.startsWith(
                    "fargate.vcpuQuota: 399 vCPUs, but the Fargate runners at concurrent need 400 (isolated: 200 × 2 vCPU",
                ),
            ),
        );
    });

    it("rejects a log retention CloudWatch does not offer", () => {
        assert.ok(
            problemsOf(fargateDocument({}, { vcpuQuota: 400, logRetentionDays: 10 })).some((p) =>
                p.startsWith("fargate.logRetentionDays: 10 is not a CloudWatch Logs retention"),
            ),
        );
    });

    it("its jobs' pod IPs count against the profile's subnets when their free addresses are known", () => {
        const doc = fargateDocument();
        delete doc.network.podSubnets;
        doc.network.freeIpAddresses = 300;
        doc.nodeGroups.amd64.subnets = "cluster";
        const problems = problemsOf(doc);
        assert.ok(
            problems.some((p) => p.startsWith("network.freeIpAddresses: the Fargate runners' 400 job pods at a rollout")),
            problems.join("\n"),
        );
    });
});
