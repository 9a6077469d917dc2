// The job-group capacity model: jobs and IPs per node, room per group, over-commit and subnet findings.
import { strict as assert } from "assert";
import { groupRoom, ipsPerNode, jobsPerNode, planCapacity, RunnerDemand } from "../config/capacity";
import { instanceFacts } from "../config/instanceTypes";
import { NodeGroupConfig } from "../config";

/** A node group as the config layer returns it (hand-made here to reach cases validation would refuse). */
function group(name: string, over: Partial<NodeGroupConfig>): NodeGroupConfig {
    return {
        name,
        resourceName: name,
        role: "jobs",
        instanceTypes: ["m7i.xlarge"],
        capacityType: "ON_DEMAND",
        arch: "amd64",
        amiType: "AL2023_x86_64_STANDARD",
        minSize: 0,
        maxSize: 10,
        desiredSize: 0,
        diskSizeGiB: 100,
        labels: {},
        taints: [],
        maxUnavailable: 1,
        subnets: "pod",
        scalesToZero: true,
        ...over,
    };
}
const runner = (name: string, nodeGroup: string, concurrent: number, cpuMillis = 1100, memoryMiB = 2176): RunnerDemand => ({
    name,
    nodeGroup,
    concurrent,
    jobPod: { cpuMillis, memoryMiB },
});
const near = (a: number | undefined, b: number) => assert.ok(a !== undefined && Math.abs(a - b) < 0.01, `${a} ≉ ${b}`);

describe("capacity model", () => {
    it("amd64 on-demand group (m7i.xlarge), hand-computed", () => {
        // Room: CPU 4000 − 80 kube-reserved − 150 DaemonSets = 3770m; memory 16384 − 893 − 100 = 15391Mi; pods 58 − 3 = 55.
        // Job pod 1100m / 2176Mi → min(⌊3770/1100⌋ = 3, ⌊15391/2176⌋ = 7, 55) = 3 per node; 10 nodes → 30.
        const report = planCapacity({
            region: "eu-west-1",
            containerInsights: false,
            podSubnetFreeIps: 16379,
            nodeGroups: { jobs: [group("amd64", {})] },
            runners: [runner("amd64", "amd64", 15)],
        });
        assert.deepEqual(report.groups[0].room, { cpuMillis: 3770, memoryMiB: 15391, pods: 55 });
        // 15 jobs, 30 while the manager is replaced: exactly the group at maxSize.
        assert.deepEqual(report.runners, [
            { name: "amd64", nodeGroup: "amd64", jobsPerNode: 3, concurrent: 15, maxConcurrentJobs: 15, rolloutPeakJobs: 30 },
        ]);
        assert.equal(report.groups[0].jobsAtFullScale, 30);
        // IPs: 3 pods → ⌈3/14⌉ + 1 warm = 2 ENIs × 15 = 30 per node, 300 for 10 nodes.
        assert.equal(report.groups[0].ipsPerNode, 30);
        assert.deepEqual(report.pools, [{ name: "pod", freeIps: 16379, ipsAtFullScale: 300 }]);
        // Cost: idle = control plane only (0.10 × 730 = 73); full = 73 + 10 × 0.2247 × 730 = 1713.31.
        near(report.cost.idleUsdPerMonth, 73);
        near(report.cost.fullScaleUsdPerMonth, 73 + 10 * 0.2247 * 730);
        near(report.cost.fullLoadUsdPerMonth, 73 + 5 * 0.2247 * 730); // 15 jobs / 3 per node = 5 nodes
        assert.deepEqual(report.findings, []);
    });

    it("Spot group of mixed types: the smallest type bounds every node", () => {
        // c7i.2xlarge: memory 16384 − 893 − 100 = 15391Mi → ⌊15391/4096⌋ = 3 pods of 4Gi;
        // m7i.2xlarge would hold 7. CPU 8000 − 90 − 150 = 7760m → 15 pods of 500m. So 3 per node.
        const spot = group("spot", { capacityType: "SPOT", instanceTypes: ["m7i.2xlarge", "c7i.2xlarge"], maxSize: 20 });
        const { room, boundBy } = groupRoom(spot, false);
        assert.equal(boundBy, "m7i.2xlarge/c7i.2xlarge", "equal CPU room (first type), memory bound by c7i");
        assert.deepEqual(room, { cpuMillis: 7760, memoryMiB: 15391, pods: 55 });
        const report = planCapacity({
            region: "eu-west-1",
            containerInsights: false,
            podSubnetFreeIps: 16379,
            nodeGroups: { jobs: [spot] },
            runners: [runner("spot", "spot", 60, 500, 4096)],
        });
        assert.equal(report.runners[0].jobsPerNode, 3);
        assert.equal(report.runners[0].maxConcurrentJobs, 60);
        // Priced at the dearer type after its Spot saving: m7i.2xlarge 0.4494 × (1 − 0.55) = 0.20223/h.
        near(report.groups[0].usdPerHourPerNode, 0.4494 * 0.45);
    });

    it("arm64 scale-to-zero group with Container Insights, hand-computed", () => {
        // m7g.2xlarge: CPU 8000 − 90 − 450 = 7460m; memory 32768 − 893 − 100 − 153 = 31622Mi; pods 58 − 5 = 53.
        // 1100m / 2176Mi → min(6, 14, 53) = 6 per node; 10 nodes → 60.
        const arm = group("arm64-spot", {
            capacityType: "SPOT",
            instanceTypes: ["m7g.2xlarge"],
            arch: "arm64",
            amiType: "AL2023_ARM_64_STANDARD",
        });
        const report = planCapacity({
            region: "eu-west-1",
            containerInsights: true,
            podSubnetFreeIps: 16379,
            nodeGroups: { jobs: [arm] },
            runners: [runner("arm64", "arm64-spot", 60)],
        });
        assert.deepEqual(report.groups[0].room, { cpuMillis: 7460, memoryMiB: 31622, pods: 53 });
        assert.equal(report.runners[0].jobsPerNode, 6);
        assert.equal(report.totalConcurrentJobs, 60);
        near(report.cost.idleUsdPerMonth, 73); // zero nodes when idle
        // IPs: 6 jobs + 2 Container Insights pods = 8 → 2 ENIs × 15 = 30 per node.
        assert.equal(report.groups[0].ipsPerNode, 30);
    });

    it("an IP-starved subnet is an error; thin headroom is a warning", () => {
        const input = {
            region: "eu-west-1",
            containerInsights: false,
            nodeGroups: { jobs: [group("amd64", {})] },
            runners: [runner("amd64", "amd64", 15)],
        };
        const starved = planCapacity({ ...input, podSubnetFreeIps: 200 });
        assert.deepEqual(starved.findings, [
            {
                severity: "error",
                subject: "network.podSubnets",
                message:
                    "300 addresses needed at full scale but only 200 are free: nodes would start without pod IPs. Add pod subnets or lower maxSize",
            },
        ]);
        const tight = planCapacity({ ...input, podSubnetFreeIps: 350 });
        assert.deepEqual(
            tight.findings.map((f) => [f.severity, f.subject]),
            [["warning", "network.podSubnets"]],
        );
        const unknown = planCapacity({ ...input, nodeGroups: { jobs: [group("amd64", { subnets: "cluster" })] } });
        assert.match(unknown.findings[0].message, /free addresses unknown, since validation does not call AWS/);
    });

    it("over-commit: one runner beyond its group is an error, shared contention a warning, a pod that fits nowhere an error", () => {
        const base = {
            region: "eu-west-1",
            containerInsights: false,
            podSubnetFreeIps: 16379,
            nodeGroups: { jobs: [group("amd64", {})] },
        };
        const over = planCapacity({ ...base, runners: [runner("amd64", "amd64", 31)] });
        assert.deepEqual(
            over.findings.map((f) => [f.severity, f.subject]),
            [["error", "runners.amd64.concurrent"]],
        );
        assert.match(
            over.findings[0].message,
            /31 jobs cannot run at once: "amd64" holds 30 \(10 × 3 per m7i.xlarge\).*raise nodeGroups.amd64.maxSize to 21 \(room for a rollout too\)/,
        );
        const rollout = planCapacity({ ...base, runners: [runner("amd64", "amd64", 16)] });
        assert.deepEqual(
            rollout.findings.map((f) => [f.severity, f.subject]),
            [["error", "runners.amd64.concurrent"]],
        );
        assert.match(
            rollout.findings[0].message,
            /16 jobs fit "amd64" \(30: .*the old one finishes up to 16 running jobs as the new one takes 16 more: 32 job pods.*maxSize to 11 .*or lower concurrent to 15/,
        );
        const shared = planCapacity({
            ...base,
            runners: [runner("a", "amd64", 15), runner("b", "amd64", 15), runner("c", "amd64", 15)],
        });
        assert.deepEqual(
            shared.findings.map((f) => [f.severity, f.subject]),
            [["warning", "nodeGroups.amd64"]],
        );
        const huge = planCapacity({ ...base, runners: [runner("big", "amd64", 1, 1000, 20000)] });
        assert.deepEqual(
            huge.findings.map((f) => [f.severity, f.subject]),
            [["error", "runners.big"]],
        );
    });

    it("building blocks", () => {
        assert.equal(
            jobsPerNode({ cpuMillis: 3770, memoryMiB: 15391, pods: 2 }, { cpuMillis: 100, memoryMiB: 100 }),
            2,
            "pod slots bound",
        );
        const m7i4 = instanceFacts("m7i.4xlarge")!; // 8 ENIs × 30
        assert.equal(ipsPerNode(m7i4, 15), 60); // ⌈15/29⌉ + 1 = 2 ENIs
        assert.equal(ipsPerNode(m7i4, 234), 240); // capped at 8 ENIs
        const noPrice = planCapacity({
            region: "ap-south-1",
            containerInsights: false,
            nodeGroups: { jobs: [group("amd64", {})] },
            runners: [runner("amd64", "amd64", 1)],
        });
        assert.equal(noPrice.cost.idleUsdPerMonth, undefined);
        assert.ok(noPrice.findings.some((f) => f.subject === "cost"));
    });
});
