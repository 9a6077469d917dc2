import { strict as assert } from "assert";
import { parseStackConfig, StackConfig } from "../config";
import { CONTROL_PLANE_USD_PER_HOUR, HOURS_PER_MONTH, ipsPerNode, jobsPerNode } from "../config/capacity";
import { instanceFacts, onDemandPrice, spotSavings } from "../config/instanceTypes";
import { nodeAllocatable } from "../config/nodeAllocatable";
import { KARPENTER_VM_MEMORY_OVERHEAD, karpenterRoom } from "../config/nodePools";
import { karpenterDocument, withValue } from "./support/fixtures";

// The capacity model of node pools (config/poolCapacity.ts): the figures worked out by hand from the instance facts.
// Upstream facts it encodes (aws/karpenter-provider-aws @v1.14.1): the memory Karpenter believes an instance has,
// pkg/providers/instancetype/types.go memory() (64 MiB less on arm64, then less ceil(vmMemoryOverheadPercent ×
// memory)), with charts/karpenter/values.yaml `settings.vmMemoryOverheadPercent: 0.075`; the limit counts node
// capacity, kubernetes-sigs/karpenter pkg/controllers/state/cluster.go updateNodePoolResources @v1.14.1.
const JOB = { cpuMillis: 1100, memoryMiB: 2048 + 128 }; // build 1 CPU / 2Gi + helper 100m / 128Mi
const room = (type: string) => karpenterRoom(instanceFacts(type)!, true);
const per = (type: string) => jobsPerNode(room(type), JOB);

describe("capacity of Karpenter node pools", () => {
    it("counts memory as Karpenter does: less 7.5 % for the VM, less 64 MiB on Graviton", () => {
        for (const [type, graviton] of [
            ["m7i.4xlarge", 0],
            ["m7g.2xlarge", 64],
        ] as const) {
            const facts = instanceFacts(type)!;
            const seen = facts.memoryMiB - graviton;
            const kubelet = nodeAllocatable(facts, { containerInsights: true });
            assert.equal(
                karpenterRoom(facts, true).memoryMiB,
                kubelet.memoryMiB - graviton - Math.ceil(seen * KARPENTER_VM_MEMORY_OVERHEAD),
                type,
            );
            assert.equal(karpenterRoom(facts, true).cpuMillis, kubelet.cpuMillis);
        }
    });

    let config: StackConfig;
    before(() => {
        config = parseStackConfig(karpenterDocument(), "eu-west-1");
    });
    const pool = (name: string) => config.capacity.nodePools.find((p) => p.name === name)!;

    it("jobs per node for the smallest and the largest allowed shape, nodes at the cpuLimit", () => {
        const spot = pool("amd64-spot"); // m6i/m7a/m7i × 2xlarge/4xlarge, cpuLimit 400
        assert.equal(spot.smallest.vcpu, 8);
        assert.equal(spot.largest.vcpu, 16);
        assert.equal(spot.smallest.jobsPerNode, per("m6i.2xlarge"));
        assert.equal(spot.largest.jobsPerNode, per("m7i.4xlarge"));
        assert.deepEqual(
            [spot.smallest.jobsPerNode, spot.largest.jobsPerNode],
            [6, 14],
            "as the shipped prod stack's comments say",
        );
        assert.equal(spot.smallest.nodesAtLimit, 50);
        assert.equal(spot.largest.nodesAtLimit, 25);
    });

    it("promises the jobs of the shape that holds fewest at the limit, and checks runners against it", () => {
        const spot = pool("amd64-spot");
        assert.equal(spot.jobsAtLimit, 50 * 6, "300 on 2xlarge nodes, against 350 on 4xlarge ones");
        assert.match(spot.boundBy, /\.2xlarge$/);
        const runner = config.capacity.runners.find((r) => r.name === "amd64")!;
        assert.deepEqual(
            { pool: runner.nodePool, group: runner.nodeGroup, perNode: runner.jobsPerNode, max: runner.maxConcurrentJobs },
            { pool: "amd64-spot", group: undefined, perNode: 6, max: 20 },
        );
        assert.equal(runner.rolloutPeakJobs, 40);
    });

    it("pod IPs at the limit: the shape whose nodes take the most addresses", () => {
        const spot = pool("amd64-spot");
        const ips = (type: string, nodes: number, jobs: number) => nodes * ipsPerNode(instanceFacts(type)!, jobs + 2); // + agent, Fluent Bit
        assert.equal(spot.ipsAtLimit, Math.max(ips("m6i.2xlarge", 50, 6), ips("m7i.4xlarge", 25, 14)));
        const podSubnets = config.capacity.pools.find((p) => p.name === "pod")!;
        assert.equal(podSubnets.ipsAtFullScale, spot.ipsAtLimit + pool("arm64").ipsAtLimit, "both pools live in the pod subnets");
    });

    // Nodes marked for deletion leave the limit (kubernetes-sigs/karpenter pkg/controllers/state/cluster.go
    // updateNodePoolResources @v1.14.1): while drifted nodes drain, their replacements may fill cpuLimit again.
    it("warns when the pod subnets hold the pools at their limit but not twice over during a drift", () => {
        // 1800 addresses at the limit; a /21 and a /22 give 2043 + 1019 = 3062 free: enough, with headroom, but < 3600.
        const small = withValue(
            karpenterDocument(),
            ["network", "podSubnets", "subnets"],
            [
                { availabilityZone: "eu-west-1a", cidrBlock: "100.64.0.0/21", routeTableId: "rtb-0a1b2c3d4e5f60718" },
                { availabilityZone: "eu-west-1b", cidrBlock: "100.64.8.0/22", routeTableId: "rtb-1b2c3d4e5f607182a" },
            ],
        );
        const findings = parseStackConfig(small, "eu-west-1").capacity.findings.map((f) => f.message);
        assert.ok(
            findings.some((m) =>
                m.includes(
                    "a node pool's drifted nodes leave its cpuLimit while they drain, so it may fill the limit again beside them: at full scale 3600 addresses, more than the 3062 free",
                ),
            ),
            findings.join("\n"),
        );
    });

    it("cost: nothing when idle; at the limit from the cheapest shape and capacity type to the dearest", () => {
        const management = onDemandPrice("m7i.xlarge", "eu-west-1")!;
        assert.equal(config.capacity.cost.idleUsdPerMonth, HOURS_PER_MONTH * (CONTROL_PLANE_USD_PER_HOUR + 2 * management));
        // arm64: one on-demand shape, so the range is one number.
        const arm = pool("arm64");
        const armMonthly = 10 * onDemandPrice("m7g.2xlarge", "eu-west-1")! * HOURS_PER_MONTH;
        assert.deepEqual(arm.usdPerMonthAtLimit, { low: armMonthly, high: armMonthly });
        // amd64-spot: Spot at the Advisor's saving is the low end, on-demand the high end.
        const spot = pool("amd64-spot");
        const types = ["m6i", "m7a", "m7i"].flatMap((f) => [`${f}.2xlarge`, `${f}.4xlarge`]);
        const nodes = (t: string) => 400 / instanceFacts(t)!.vcpu;
        const spotPrice = (t: string) => onDemandPrice(t, "eu-west-1")! * (1 - spotSavings(t, "eu-west-1")!.savingsPct / 100);
        const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-6, `${a} ≠ ${b}`);
        close(spot.usdPerMonthAtLimit!.low, Math.min(...types.map((t) => nodes(t) * spotPrice(t) * HOURS_PER_MONTH)));
        close(
            spot.usdPerMonthAtLimit!.high,
            Math.max(...types.map((t) => nodes(t) * onDemandPrice(t, "eu-west-1")! * HOURS_PER_MONTH)),
        );
        const ceiling = HOURS_PER_MONTH * (CONTROL_PLANE_USD_PER_HOUR + 2 * management);
        close(config.capacity.cost.fullScaleUsdPerMonth!, ceiling + spot.usdPerMonthAtLimit!.high + arm.usdPerMonthAtLimit!.high);
        close(
            config.capacity.cost.fullScaleLowUsdPerMonth!,
            ceiling + spot.usdPerMonthAtLimit!.low + arm.usdPerMonthAtLimit!.low,
        );
    });

    it("totals the pools' runners with the groups' and warns about a pool no runner uses", () => {
        assert.equal(config.capacity.totalConcurrentJobs, 30);
        const spare = parseStackConfig(
            withValue(karpenterDocument(), ["nodePools", "spare"], {
                arch: "amd64",
                instanceFamilies: ["c7i"],
                instanceSizes: ["xlarge"],
                cpuLimit: 8,
            }),
            "eu-west-1",
        );
        assert.deepEqual(
            spare.capacity.findings.filter((f) => f.subject === "nodePools.spare").map((f) => [f.severity, f.message]),
            [["warning", "no runner uses this pool"]],
        );
        assert.equal(spare.nodePools.find((p) => p.name === "spare")!.terminationGracePeriod, "5m", "only the margin");
    });

    it("warns when runners sharing a pool cannot all start their jobs at once", () => {
        const doc = karpenterDocument();
        doc.runners.arm64.nodePool = "amd64-spot";
        doc.runners.extra = { nodePool: "amd64-spot", tags: ["extra"], concurrent: 140 };
        doc.runnerTokens.extra = "glrt-fixture-extra";
        for (const r of ["amd64", "arm64"]) doc.runners[r].concurrent = 140;
        const findings = parseStackConfig(doc, "eu-west-1").capacity.findings.filter((f) => f.subject === "nodePools.amd64-spot");
        assert.deepEqual(
            findings.map((f) => f.message),
            ["its runners may start 420 jobs together but it holds 300 at its cpuLimit; at peak they wait for each other"],
        );
    });
});
