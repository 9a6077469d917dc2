import { strict as assert } from "assert";
import { ONDEMAND_USD_PER_HOUR, SPOT_SAVINGS } from "../config/instanceFacts.data";
import {
    InstanceFacts,
    PRICES_AS_OF,
    PRICE_REGIONS,
    SUPPORTED_FAMILIES,
    SUPPORTED_INSTANCE_TYPES,
    instanceFacts,
    onDemandPrice,
    spotSavings,
} from "../config/instanceTypes";
import {
    daemonSetRequests,
    EVICTION_HARD_MEMORY_MIB,
    kubeReserved,
    kubeletAllocatable,
    nodeAllocatable,
} from "../config/nodeAllocatable";
import { formatCpuMillis, formatMiB, parseCpuMillis, parseMemoryMiB } from "../config/quantities";

function facts(name: string): InstanceFacts {
    const f = instanceFacts(name);
    assert.ok(f, `${name} should be a supported type`);
    return f;
}

const ALL = SUPPORTED_INSTANCE_TYPES.map(facts);

describe("quantities", () => {
    describe("parseCpuMillis", () => {
        const valid: [string, number][] = [
            ["500m", 500],
            ["1", 1000],
            ["1.5", 1500],
            ["2", 2000],
            ["0", 0],
            ["0.25", 250],
            [".5", 500],
            ["1.1", 1100], // exact, not 1100.0000000000002
            ["3.92", 3920],
            ["0.0001", 1], // below a millicore rounds up, as in Kubernetes
            ["2.5m", 3],
            ["250m", 250],
        ];
        for (const [q, want] of valid) {
            it(`"${q}" → ${want}`, () => assert.equal(parseCpuMillis(q), want));
        }
        const invalid = [
            "",
            " ",
            "-1",
            "-500m",
            "+1",
            "abc",
            "1e3",
            "1.",
            "1..5",
            "500 m",
            " 500m",
            "1Gi",
            "1k",
            "m",
            "1mm",
            "0x10",
            "NaN",
            "Infinity",
        ];
        for (const q of invalid) {
            it(`rejects "${q}"`, () => assert.equal(parseCpuMillis(q), undefined));
        }
    });

    describe("parseMemoryMiB", () => {
        const valid: [string, number][] = [
            ["512Mi", 512],
            ["1Gi", 1024],
            ["1.5Gi", 1536],
            ["2048Ki", 2],
            ["1Ti", 1024 * 1024],
            ["1048576", 1],
            ["0", 0],
            ["1k", 1000 / 1048576],
            ["1M", 1e6 / 1048576],
            ["1G", 1e9 / 1048576],
            ["1T", 1e12 / 1048576],
            ["0.5Mi", 0.5],
        ];
        for (const [q, want] of valid) {
            it(`"${q}" → ${want}`, () => assert.ok(Math.abs(parseMemoryMiB(q)! - want) < 1e-9, `got ${parseMemoryMiB(q)}`));
        }
        const invalid = [
            "",
            "-1Gi",
            "+1Gi",
            "Gi",
            "1gi",
            "1GB",
            "1 Gi",
            "1Gi ",
            "1.Gi",
            "512m",
            "1K",
            "1e9",
            "1Pi",
            "lots",
            "1.5.Gi",
        ];
        for (const q of invalid) {
            it(`rejects "${q}"`, () => assert.equal(parseMemoryMiB(q), undefined));
        }
    });

    it("formatMiB", () => {
        assert.equal(formatMiB(512), "512Mi");
        assert.equal(formatMiB(0), "0Mi");
        assert.equal(formatMiB(1024), "1Gi");
        assert.equal(formatMiB(30520), "29.8Gi"); // 30520 / 1024 = 29.80…
        assert.equal(formatMiB(32768), "32Gi");
        assert.equal(formatMiB(15391), "15Gi"); // 15.03 → one decimal "15.0" → "15"
    });

    it("formatCpuMillis", () => {
        assert.equal(formatCpuMillis(500), "500m");
        assert.equal(formatCpuMillis(3920), "3.92");
        assert.equal(formatCpuMillis(2000), "2");
        assert.equal(formatCpuMillis(1930), "1.93");
        assert.equal(formatCpuMillis(1500), "1.5");
        assert.equal(formatCpuMillis(0), "0m");
    });

    it("formatted values parse back", () => {
        for (const m of [250, 1500, 3920, 15890]) assert.equal(parseCpuMillis(formatCpuMillis(m)), m);
        for (const mib of [512, 1024, 1536, 32768]) assert.equal(parseMemoryMiB(formatMiB(mib)), mib);
    });
});

describe("instance facts", () => {
    it("hand-checked types", () => {
        assert.deepEqual(facts("m7g.2xlarge"), {
            name: "m7g.2xlarge",
            vcpu: 8,
            memoryMiB: 32768,
            arch: "arm64",
            maxEnis: 4,
            ipv4PerEni: 15,
            maxPods: 58,
        });
        assert.equal(facts("m5.xlarge").maxPods, 58);
        assert.equal(facts("m5.xlarge").arch, "amd64");
        assert.equal(facts("t3.medium").maxPods, 17); // 3 × (6 − 1) + 2
        assert.equal(facts("c7g.xlarge").memoryMiB, 8192);
        assert.equal(facts("r6i.2xlarge").memoryMiB, 65536);
    });

    it("includes the extra sizes of supported families up to 8xlarge", () => {
        for (const name of ["c6i.large", "r6i.4xlarge", "m7g.8xlarge", "m6g.medium", "t3.xlarge", "c7a.8xlarge"]) {
            assert.ok(instanceFacts(name), name);
        }
    });

    it("excludes larger, metal, unsupported and nonsense names", () => {
        for (const name of [
            "m5.12xlarge",
            "m7g.16xlarge",
            "m5.metal",
            "c7i.metal-24xl",
            "c7i.32xlarge",
            "a1.large",
            "p3.2xlarge",
            "m7i-flex.large",
            "",
            "M5.LARGE",
            "constructor",
            "__proto__",
            "toString",
        ]) {
            assert.equal(instanceFacts(name), undefined, name);
        }
    });

    it("supported families", () => {
        assert.deepEqual(SUPPORTED_FAMILIES, [
            "c6i",
            "c7a",
            "c7g",
            "c7i",
            "m5",
            "m6g",
            "m6i",
            "m7a",
            "m7g",
            "m7i",
            "m8g",
            "r6i",
            "t3",
        ]);
    });

    it("supported types are sorted by family, then size, without duplicates", () => {
        assert.equal(new Set(SUPPORTED_INSTANCE_TYPES).size, SUPPORTED_INSTANCE_TYPES.length);
        assert.equal(SUPPORTED_INSTANCE_TYPES.length, 70);
        for (let i = 1; i < ALL.length; i++) {
            const [a, b] = [ALL[i - 1], ALL[i]];
            const [fa, fb] = [a.name.split(".")[0], b.name.split(".")[0]];
            assert.ok(
                fa < fb || (fa === fb && (a.vcpu < b.vcpu || (a.vcpu === b.vcpu && a.memoryMiB < b.memoryMiB))),
                `${a.name} before ${b.name}`,
            );
        }
        assert.deepEqual(
            SUPPORTED_INSTANCE_TYPES.filter((t) => t.startsWith("t3.")),
            ["t3.medium", "t3.large", "t3.xlarge", "t3.2xlarge"],
        );
    });

    it("every type: sane facts, arch, size at most 8xlarge", () => {
        for (const f of ALL) {
            assert.ok(f.arch === "amd64" || f.arch === "arm64", f.name);
            assert.ok(/^[a-z0-9]+\.(medium|large|xlarge|[2-8]xlarge)$/.test(f.name), f.name);
            assert.ok(f.vcpu >= 1 && f.vcpu <= 32, f.name);
            assert.ok(f.memoryMiB >= 512 && f.memoryMiB % 512 === 0, f.name);
            assert.ok(f.maxEnis >= 2 && f.ipv4PerEni >= 2, f.name);
        }
    });

    it("Graviton families are arm64, the others amd64", () => {
        for (const f of ALL) {
            assert.equal(f.arch, /^[a-z]\dg\./.test(f.name) ? "arm64" : "amd64", f.name);
        }
    });

    it("maxPods = ENIs × (IPv4 per ENI − 1) + 2 (no supported type is capped)", () => {
        for (const f of ALL) {
            const formula = f.maxEnis * (f.ipv4PerEni - 1) + 2;
            const capped = (f.maxPods === 110 || f.maxPods === 250) && formula > f.maxPods;
            assert.ok(!capped, `${f.name} is capped; this test assumes none is`);
            assert.equal(f.maxPods, formula, f.name);
        }
    });
});

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

describe("prices and spot savings", () => {
    it("every type with a price or spot data is a supported type", () => {
        for (const table of [ONDEMAND_USD_PER_HOUR, SPOT_SAVINGS]) {
            for (const [region, byType] of Object.entries(table)) {
                for (const type of Object.keys(byType)) assert.ok(instanceFacts(type), `${type} in ${region}`);
            }
        }
    });

    it("regions and dates", () => {
        assert.deepEqual([...PRICE_REGIONS].sort(), ["eu-west-1", "us-east-1"]);
        for (const region of PRICE_REGIONS) {
            assert.match((PRICES_AS_OF as Record<string, string>)[region] ?? "", /^\d{4}-\d{2}-\d{2}$/, region);
        }
        assert.equal(PRICES_AS_OF["us-east-1"], "2026-07-20");
        assert.equal(PRICES_AS_OF["eu-west-1"], "2026-09-04");
    });

    it("lookups", () => {
        assert.equal(onDemandPrice("m5.large", "us-east-1"), 0.096);
        assert.equal(onDemandPrice("m7g.2xlarge", "eu-west-1"), 0.3638);
        assert.equal(onDemandPrice("m5.large", "ap-south-1"), undefined);
        assert.equal(onDemandPrice("m5.8xlarge", "us-east-1"), undefined); // supported, but not priced
        assert.equal(onDemandPrice("toString", "us-east-1"), undefined);
        assert.deepEqual(spotSavings("c7g.4xlarge", "us-east-1"), { savingsPct: 71, interruptionBand: "<5%" });
        assert.equal(spotSavings("m5.large", "ap-south-1"), undefined);
    });

    it("prices are positive and double with each size step (x86 and Graviton alike)", () => {
        for (const region of PRICE_REGIONS) {
            for (const f of ALL) {
                const price = onDemandPrice(f.name, region);
                if (price === undefined) continue;
                assert.ok(price > 0 && price < 5, `${f.name} ${region}`);
                const [fam, size] = f.name.split(".");
                const m = /^(\d*)xlarge$/.exec(size);
                const half = m
                    ? `${fam}.${m[1] === "" ? "large" : m[1] === "2" ? "xlarge" : `${Number(m[1]) / 2}xlarge`}`
                    : undefined;
                const halfPrice = half === undefined ? undefined : onDemandPrice(half, region);
                if (halfPrice !== undefined)
                    assert.ok(Math.abs(price - 2 * halfPrice) < 0.0015, `${f.name} vs ${half} in ${region}`);
            }
        }
    });

    it("spot savings are percentages", () => {
        for (const region of Object.keys(SPOT_SAVINGS)) {
            for (const f of ALL) {
                const s = spotSavings(f.name, region);
                if (s) assert.ok(Number.isInteger(s.savingsPct) && s.savingsPct > 0 && s.savingsPct < 100, `${f.name} ${region}`);
            }
        }
    });
});
