// A Karpenter stack document (addons.nodeAutoscaler: karpenter, nodePools) as parsed: its defaults, the job ceilings and
// quota a pool's runner gets, the pinned release, stacks without it (what is rejected: karpenterConfigRejections.test.ts).
import { strict as assert } from "assert";
import { parseStackConfig } from "../config";
import { KARPENTER_MIN_VERSION } from "../config/addons/karpenter";
import { instanceFacts } from "../config/instanceTypes";
import { karpenterRoom, NODE_POOL_DEFAULTS } from "../config/nodePools";
import { EKS_VERSIONS } from "../config/versions";
import { KARPENTER_VERSION } from "../model/karpenter";
import { roleLabels, roleTaint } from "../model/labels";
import { karpenterDocument, rejects, validDocument, withValue } from "./support/fixtures";

describe("Karpenter configuration (addons.nodeAutoscaler: karpenter, nodePools)", () => {
    it("accepts the document and fills every default", () => {
        const config = parseStackConfig(karpenterDocument(), "eu-west-1");
        assert.equal(config.addons.nodeAutoscaler, "karpenter");
        assert.equal(config.addons.karpenter.enabled, true);
        assert.equal(config.addons.clusterAutoscaler.enabled, false, "no Cluster Autoscaler beside Karpenter");
        assert.deepEqual(config.nodeGroups.jobs, []);
        const [spot, arm] = config.nodePools;
        assert.deepEqual(spot.instanceTypes, [
            "m6i.2xlarge",
            "m6i.4xlarge",
            "m7a.2xlarge",
            "m7a.4xlarge",
            "m7i.2xlarge",
            "m7i.4xlarge",
        ]);
        assert.deepEqual(spot.labels, roleLabels("jobs", "amd64-spot"));
        assert.deepEqual(spot.taints, [roleTaint("jobs")]);
        assert.equal(spot.subnets, "pod", "pod subnets exist in the fixture");
        assert.equal(spot.terminationGracePeriod, "95m", "the runner's 90-minute timeout plus 5 minutes");
        assert.equal(arm.terminationGracePeriod, "65m", "the default 60-minute timeout plus 5 minutes");
        assert.deepEqual(arm.capacityTypes, NODE_POOL_DEFAULTS.capacityTypes);
        assert.equal(arm.consolidateAfter, NODE_POOL_DEFAULTS.consolidateAfter);
        assert.equal(arm.expireAfter, NODE_POOL_DEFAULTS.expireAfter);
        assert.equal(arm.diskSizeGiB, NODE_POOL_DEFAULTS.diskSizeGiB);
        assert.deepEqual(
            config.runners.map((r) => [r.name, r.nodeGroup, r.nodePool]),
            [
                ["amd64", undefined, "amd64-spot"],
                ["arm64", undefined, "arm64"],
            ],
        );
    });

    it("a pool's runner gets the ceilings of the pool's largest shape (Karpenter launches one that fits)", () => {
        const config = parseStackConfig(karpenterDocument(), "eu-west-1");
        const amd64 = config.runners.find((r) => r.name === "amd64")!;
        // m7i.4xlarge (16 vCPU, 64 GiB) less kube-reserved and the DaemonSets, less the helper's 100m.
        assert.equal(amd64.resources.build.cpuRequestMax, "15340m");
        // Memory as Karpenter counts it (less the VM overhead): a job asking more would get no node from it.
        const largest = karpenterRoom(instanceFacts("m6i.4xlarge")!, true);
        assert.equal(amd64.resources.build.memoryLimitMax, `${largest.memoryMiB}Mi`);
        const tooBig = withValue(karpenterDocument(), ["runners", "amd64", "cpuRequestMax"], "20");
        rejects(
            tooBig,
            'runners.amd64.cpuRequestMax: 20 exceeds the allocatable CPU of m6i.4xlarge (≈ 15.44) in node pool "amd64-spot" (its largest shape) less the helper container\'s request (100m)',
        );
    });

    // NodePool spec.limits.cpu counts node capacity, but not that of nodes marked for deletion (kubernetes-sigs/karpenter
    // pkg/controllers/state/cluster.go updateNodePoolResources @v1.14.1): while drifted nodes drain, replacements may
    // fill the limit again, so a pool holds at most twice cpuLimit vCPUs of nodes, whatever the mix of shapes.
    it("a pool's runner gets a job-namespace quota bounded by what twice cpuLimit vCPUs of its shapes can hold", () => {
        // arm64: 2 × concurrent 10 = 20 pods, each at its ceilings a whole m7g.2xlarge (7460m, 31622Mi with Container
        // Insights): 20 nodes' worth, as much as 2 × 80 vCPUs hold.
        const arm64 = parseStackConfig(karpenterDocument(), "eu-west-1").runners[1];
        assert.deepEqual(
            { pods: arm64.quota.pods, cpu: arm64.quota.cpu, memory: arm64.quota.memory },
            { pods: 20, cpu: `${20 * 7460}m`, memory: `${20 * 31622}Mi` },
        );
        // amd64-spot mixes 2xlarge and 4xlarge; at concurrent 100 (200 pods at their ceilings, a 4xlarge each) the pool
        // term binds: 2 × 400 vCPUs at the best room per vCPU of either shape, CPU from a 4xlarge (15440m / 16) and
        // memory from a 2xlarge (31622Mi / 8).
        const doc = withValue(karpenterDocument(), ["runners", "amd64", "concurrent"], 100);
        const amd64 = parseStackConfig(doc, "eu-west-1").runners[0];
        assert.deepEqual(
            { pods: amd64.quota.pods, cpu: amd64.quota.cpu, memory: amd64.quota.memory },
            { pods: 200, cpu: String((2 * 400 * 15440) / 16 / 1000), memory: `${(2 * 400 * 31622) / 8}Mi` },
        );
        assert.deepEqual(amd64.quota.derived, ["pods", "cpu", "memory"]);
    });

    it("pins a release that supports every cluster version this program does", () => {
        assert.deepEqual(Object.keys(KARPENTER_MIN_VERSION).sort(), [...EKS_VERSIONS]);
        for (const version of EKS_VERSIONS) {
            const doc = withValue(karpenterDocument(), ["cluster", "version"], version);
            assert.equal(parseStackConfig(doc, "eu-west-1").addons.karpenter.chartVersion, KARPENTER_VERSION, version);
        }
    });

    it("keeps stacks without the switch on Cluster Autoscaler", () => {
        const config = parseStackConfig(validDocument(), "eu-west-1");
        assert.equal(config.addons.nodeAutoscaler, "clusterAutoscaler");
        assert.equal(config.addons.karpenter.enabled, false);
        assert.equal(config.addons.clusterAutoscaler.enabled, true);
        assert.deepEqual(config.nodePools, []);
    });
});
