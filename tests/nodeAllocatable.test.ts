// The node capacity model: kube-reserved, kubelet allocatable and what DaemonSets leave to pods.
import { strict as assert } from "assert";
import { InstanceFacts } from "../config/instanceTypes";
import {
    daemonSetRequests,
    EVICTION_HARD_MEMORY_MIB,
    kubeReserved,
    kubeletAllocatable,
    nodeAllocatable,
} from "../config/nodeAllocatable";
import { ALL, facts } from "./support/instanceFacts";

describe("node capacity model", () => {
    it("kubeReserved, hand-computed", () => {
        // m5.xlarge, 4 vCPU, maxPods 58: CPU 60 + 10 + 2×5 = 80m; memory 11 × 58 + 255 = 893 MiB
        assert.deepEqual(kubeReserved(facts("m5.xlarge")), { cpuMillis: 80, memoryMiB: 893 });
        // m7g.medium, 1 vCPU, maxPods 8: CPU 60m (first core only); memory 11 × 8 + 255 = 343 MiB
        assert.deepEqual(kubeReserved(facts("m7g.medium")), { cpuMillis: 60, memoryMiB: 343 });
        // m7g.8xlarge, 32 vCPU, maxPods 234: CPU 60 + 10 + 10 + 28 × 2.5 = 150m; memory 11 × 234 + 255 = 2829 MiB
        assert.deepEqual(kubeReserved(facts("m7g.8xlarge")), { cpuMillis: 150, memoryMiB: 2829 });
        // a t3.nano-like node (not supported: too small), 2 vCPU, maxPods 4: CPU 60 + 10 = 70m; memory 11 × 4 + 255 = 299 MiB
        assert.deepEqual(kubeReserved(TINY), { cpuMillis: 70, memoryMiB: 299 });
    });

    it("kubeReserved rounds each CPU band down like nodeadm's integer arithmetic", () => {
        // A hypothetical 5-vCPU type: 60 + 10 + 10 + floor(1000 × 25 / 10000 = 2.5) = 82m
        const five: InstanceFacts = { ...facts("m5.xlarge"), name: "x.5cpu", vcpu: 5 };
        assert.equal(kubeReserved(five).cpuMillis, 82);
    });

    it("nodeAllocatable for m5.xlarge, hand-computed", () => {
        // kubelet: CPU 4000 − 80 = 3920m; memory 16384 − 893 − 100 = 15391 MiB; 58 pods
        assert.deepEqual(kubeletAllocatable(facts("m5.xlarge")), { cpuMillis: 3920, memoryMiB: 15391, pods: 58 });
        // base DaemonSets: aws-node 25 + 25, kube-proxy 100, pod identity 0 = 150m, no memory; 3 pods
        // → 3920 − 150 = 3770m; 15391 MiB; 58 − 3 = 55 pods
        assert.deepEqual(nodeAllocatable(facts("m5.xlarge"), { containerInsights: false }), {
            cpuMillis: 3770,
            memoryMiB: 15391,
            pods: 55,
        });
        // + Container Insights: cloudwatch-agent 250m/128Mi, fluent-bit 50m/25Mi; 2 more pods
        // → 3770 − 300 = 3470m; 15391 − 153 = 15238 MiB; 55 − 2 = 53 pods
        assert.deepEqual(nodeAllocatable(facts("m5.xlarge"), { containerInsights: true }), {
            cpuMillis: 3470,
            memoryMiB: 15238,
            pods: 53,
        });
    });

    it("nodeAllocatable for m7g.medium, hand-computed", () => {
        // CPU 1000 − 60 − 150 = 790m; memory 4096 − 343 − 100 = 3653 MiB; 8 − 3 = 5 pods
        assert.deepEqual(nodeAllocatable(facts("m7g.medium"), { containerInsights: false }), {
            cpuMillis: 790,
            memoryMiB: 3653,
            pods: 5,
        });
    });

    const TINY: InstanceFacts = { ...facts("t3.medium"), name: "x.nano", memoryMiB: 512, maxEnis: 2, ipv4PerEni: 2, maxPods: 4 };

    it("nodeAllocatable clamps at zero on a node too small for its add-ons", () => {
        // the t3.nano-like node with Container Insights: memory 512 − 299 − 100 − 153 = −40 → 0; pods 4 − 5 = −1 → 0;
        // CPU 2000 − 70 − 450 = 1480m
        assert.deepEqual(nodeAllocatable(TINY, { containerInsights: true }), { cpuMillis: 1480, memoryMiB: 0, pods: 0 });
    });

    it("DaemonSet requests: base and Container Insights sets", () => {
        const base = daemonSetRequests({ containerInsights: false });
        const withInsights = daemonSetRequests({ containerInsights: true });
        const containerInsightsOnly = withInsights.filter((r) => !base.some((b) => b.daemonSet === r.daemonSet));
        const total = (rs: typeof base) => rs.reduce((s, r) => [s[0] + r.cpuMillis, s[1] + r.memoryMiB], [0, 0]);
        assert.deepEqual(total(base), [150, 0]);
        assert.deepEqual(total(containerInsightsOnly), [300, 153]);
        assert.deepEqual([...new Set(base.map((r) => r.daemonSet))], ["aws-node", "kube-proxy", "eks-pod-identity-agent"]);
        assert.deepEqual([...new Set(containerInsightsOnly.map((r) => r.daemonSet))], ["cloudwatch-agent", "fluent-bit"]);
    });

    it("kubelet allocatable matches the EKS AMI node-overhead table", () => {
        // From node-overhead-by-type.tsv (awslabs/amazon-eks-ami nodeadm):
        // [type, kube_reserved_cpu_m, kube_reserved_mem_Mi, allocatable_cpu_m, allocatable_mem_Mi_upper_bound, maxpods_eni_mode]
        const expected: [string, number, number, number, number, number][] = [
            ["t3.medium", 70, 442, 1930, 3554, 17],
            ["t3.large", 70, 640, 1930, 7452, 35],
            ["m5.4xlarge", 110, 2829, 15890, 62607, 234],
            ["c7g.xlarge", 80, 893, 3920, 7199, 58],
            ["m8g.2xlarge", 90, 893, 7910, 31775, 58],
            ["r6i.2xlarge", 90, 893, 7910, 64543, 58],
            ["c7a.4xlarge", 110, 2829, 15890, 29839, 234],
        ];
        for (const [name, resCpu, resMem, allocCpu, allocMem, maxPods] of expected) {
            const f = facts(name);
            assert.deepEqual(kubeReserved(f), { cpuMillis: resCpu, memoryMiB: resMem }, name);
            assert.deepEqual(kubeletAllocatable(f), { cpuMillis: allocCpu, memoryMiB: allocMem, pods: maxPods }, name);
        }
    });

    it("every type: allocatable below capacity, shrinking as add-ons are added", () => {
        for (const f of ALL) {
            const kubelet = kubeletAllocatable(f);
            const base = nodeAllocatable(f, { containerInsights: false });
            const withCi = nodeAllocatable(f, { containerInsights: true });
            assert.ok(kubelet.cpuMillis < f.vcpu * 1000 && kubelet.memoryMiB < f.memoryMiB - EVICTION_HARD_MEMORY_MIB, f.name);
            assert.ok(
                base.cpuMillis < kubelet.cpuMillis && base.pods < kubelet.pods && base.memoryMiB <= kubelet.memoryMiB,
                f.name,
            );
            assert.ok(
                withCi.cpuMillis < base.cpuMillis && withCi.pods <= base.pods && withCi.memoryMiB <= base.memoryMiB,
                f.name,
            );
            assert.ok(withCi.cpuMillis >= 0 && withCi.memoryMiB >= 0 && withCi.pods >= 0, f.name);
        }
    });

    it("kube-reserved grows with size within a family", () => {
        for (let i = 1; i < ALL.length; i++) {
            const [a, b] = [ALL[i - 1], ALL[i]];
            if (a.name.split(".")[0] !== b.name.split(".")[0]) continue;
            assert.ok(kubeReserved(a).cpuMillis <= kubeReserved(b).cpuMillis, `${a.name} vs ${b.name}`);
            assert.ok(kubeletAllocatable(a).cpuMillis <= kubeletAllocatable(b).cpuMillis, `${a.name} vs ${b.name}`);
        }
    });
});
