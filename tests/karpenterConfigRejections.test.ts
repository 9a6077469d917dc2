// What a Karpenter stack document may not say, each rejected at its path with a message naming the fix: node pools
// without Karpenter, runners on the wrong capacity, pool shapes, durations and limits, and the cpuLimit that would hold.
import { strict as assert } from "assert";
import { SUPPORTED_FAMILIES, SUPPORTED_SIZES } from "../config/instanceTypes";
import { karpenterDocument, problemsOf, rejects, validDocument, withValue } from "./support/fixtures";

// The rules' upstream facts: durations as the NodePool CRD of v1.14.1 accepts them (pkg/apis/crds/karpenter.sh_nodepools.yaml
// patterns); `spec.limits.cpu` counts node capacity (kubernetes-sigs/karpenter pkg/controllers/state/cluster.go
// updateNodePoolResources @v1.14.1), so a limit below one node of the largest shape can never launch it; the node role's
// name must fit IAM's 64 characters.
describe("Karpenter configuration (addons.nodeAutoscaler: karpenter, nodePools)", () => {
    describe("rejects", () => {
        const cases: { name: string; doc: () => Record<string, unknown>; expect: string }[] = [
            {
                name: "node pools without Karpenter",
                doc: () => ({ ...validDocument(), nodePools: karpenterDocument().nodePools }),
                expect: "nodePools: node pools are Karpenter's: set addons.nodeAutoscaler: karpenter",
            },
            {
                name: "a jobs node group under Karpenter",
                doc: () =>
                    withValue(karpenterDocument(), ["nodeGroups", "amd64"], {
                        role: "jobs",
                        instanceTypes: ["m7i.2xlarge"],
                        minSize: 0,
                        maxSize: 4,
                    }),
                expect: "nodeGroups.amd64.role: role: jobs groups are scaled by Cluster Autoscaler, which is not deployed with addons.nodeAutoscaler: karpenter",
            },
            {
                name: "no node pool under Karpenter",
                doc: () => withValue(karpenterDocument(), ["nodePools"], {}),
                expect: "nodePools: declare at least one node pool, or no CI job can run",
            },
            {
                name: "a runner with both nodeGroup and nodePool",
                doc: () => withValue(karpenterDocument(), ["runners", "arm64", "nodeGroup"], "management"),
                expect: "runners.arm64.nodePool: set either nodeGroup or nodePool, not both",
            },
            {
                name: "a runner with neither",
                doc: () => withValue(karpenterDocument(), ["runners", "arm64", "nodePool"], undefined),
                expect: "runners.arm64.nodePool: is required: name the node pool its jobs run on (pools: amd64-spot, arm64)",
            },
            {
                name: "a runner with neither, under Cluster Autoscaler",
                doc: () => withValue(validDocument(), ["runners", "amd64", "nodeGroup"], undefined),
                expect: "runners.amd64.nodeGroup: is required: name the jobs node group its jobs run on (jobs groups: amd64, arm64-spot)",
            },
            {
                name: "an unknown node pool",
                doc: () => withValue(karpenterDocument(), ["runners", "arm64", "nodePool"], "arm"),
                expect: 'runners.arm64.nodePool: "arm" is not a node pool (pools: amd64-spot, arm64)',
            },
            {
                name: "a node pool under Cluster Autoscaler",
                doc: () =>
                    withValue(
                        withValue(validDocument(), ["runners", "amd64", "nodeGroup"], undefined),
                        ["runners", "amd64", "nodePool"],
                        "x",
                    ),
                expect: 'runners.amd64.nodePool: "x": node pools need addons.nodeAutoscaler: karpenter',
            },
            {
                name: "a runner on a node group under Karpenter",
                doc: () =>
                    withValue(
                        withValue(karpenterDocument(), ["runners", "arm64", "nodePool"], undefined),
                        ["runners", "arm64", "nodeGroup"],
                        "management",
                    ),
                expect: "runners.arm64.nodeGroup: with addons.nodeAutoscaler: karpenter jobs run on node pools: use nodePool",
            },
            {
                name: "warm capacity on a pool's runner (its pause pods would take cpuLimit the plan does not count)",
                doc: () =>
                    withValue(karpenterDocument(), ["runners", "arm64", "warmCapacity"], {
                        maxPausePods: 2,
                        policies: [{ periods: ["* * * * *"], idleCount: 2 }],
                    }),
                expect: 'runners.arm64.warmCapacity: is planned for runners on node groups (Cluster Autoscaler) only: on node pool "arm64"',
            },
            {
                name: "Cluster Autoscaler extraArgs under Karpenter",
                doc: () =>
                    withValue(karpenterDocument(), ["addons", "clusterAutoscaler"], {
                        extraArgs: { "scale-down-unneeded-time": "5m" },
                    }),
                expect: "addons.clusterAutoscaler.extraArgs: Cluster Autoscaler is not deployed with addons.nodeAutoscaler: karpenter (its flags would do nothing)",
            },
            {
                name: "Cluster Autoscaler switched on under Karpenter",
                doc: () => withValue(karpenterDocument(), ["addons", "clusterAutoscaler"], { enabled: true }),
                expect: "addons.clusterAutoscaler.enabled: Cluster Autoscaler is not deployed with addons.nodeAutoscaler: karpenter",
            },
            {
                name: "Karpenter settings without Karpenter",
                doc: () => withValue(validDocument(), ["addons"], { karpenter: { chartVersion: "1.14.0" } }),
                expect: "addons.karpenter: is only used with addons.nodeAutoscaler: karpenter",
            },
            {
                name: "an unknown engine",
                doc: () => withValue(karpenterDocument(), ["addons", "nodeAutoscaler"], "keda"),
                expect: 'addons.nodeAutoscaler: must be one of clusterAutoscaler, karpenter (found the string "keda")',
            },
            {
                name: "a Karpenter release too old for the cluster version",
                doc: () => withValue(karpenterDocument(), ["addons", "karpenter"], { chartVersion: "1.5.2" }),
                expect: "addons.karpenter.chartVersion: Karpenter 1.5.2 does not support Kubernetes 1.34 (it needs 1.6.0 or newer)",
            },
            {
                name: "a reserved Karpenter chart value",
                doc: () =>
                    withValue(karpenterDocument(), ["addons", "karpenter"], { values: { settings: { clusterName: "x" } } }),
                expect: "addons.karpenter.values.settings.clusterName: is set by this program",
            },
            {
                name: "an unknown instance family, with the known list",
                doc: () => withValue(karpenterDocument(), ["nodePools", "arm64", "instanceFamilies"], ["m7gd"]),
                expect: `nodePools.arm64.instanceFamilies[0]: "m7gd" is not a known instance family (known: ${SUPPORTED_FAMILIES.join(", ")})`,
            },
            {
                name: "an unknown instance size, with the known list",
                doc: () => withValue(karpenterDocument(), ["nodePools", "arm64", "instanceSizes"], ["2xl"]),
                expect: `nodePools.arm64.instanceSizes[0]: "2xl" is not a known instance size (known: ${SUPPORTED_SIZES.join(", ")})`,
            },
            {
                name: "mixed architectures in one pool",
                doc: () => withValue(karpenterDocument(), ["nodePools", "amd64-spot", "instanceFamilies"], ["m7i", "m7g"]),
                expect: "nodePools.amd64-spot.instanceFamilies[1]: m7g is arm64 but the pool is amd64: one pool has one architecture",
            },
            {
                name: "a family listed twice",
                doc: () => withValue(karpenterDocument(), ["nodePools", "arm64", "instanceFamilies"], ["m7g", "m7g"]),
                expect: 'nodePools.arm64.instanceFamilies[1]: "m7g" is listed twice',
            },
            {
                name: "families and sizes no type has",
                doc: () =>
                    withValue(
                        withValue(karpenterDocument(), ["nodePools", "amd64-spot", "instanceFamilies"], ["c6i"]),
                        ["nodePools", "amd64-spot", "instanceSizes"],
                        ["medium"],
                    ),
                expect: "nodePools.amd64-spot.instanceSizes: no instance type is both of c6i and of size medium",
            },
            {
                name: "a grace period shorter than a runner's job timeout",
                doc: () => withValue(karpenterDocument(), ["nodePools", "amd64-spot", "terminationGracePeriod"], "1h"),
                expect: "nodePools.amd64-spot.terminationGracePeriod: 1h is shorter than runners.amd64.maxJobTimeoutMinutes (90 min)",
            },
            {
                name: "a duration in days",
                doc: () => withValue(karpenterDocument(), ["nodePools", "arm64", "expireAfter"], "14d"),
                expect: 'nodePools.arm64.expireAfter: "14d" is not a duration like 10m, 1h30m or 336h (or Never)',
            },
            {
                name: "a cpuLimit below the largest shape",
                doc: () => withValue(karpenterDocument(), ["nodePools", "arm64", "cpuLimit"], 4),
                expect: "nodePools.arm64.cpuLimit: 4 is below one m7g.2xlarge (8 vCPU)",
            },
            {
                name: "an unknown pool key",
                doc: () => withValue(karpenterDocument(), ["nodePools", "arm64", "maxSize"], 10),
                expect: "nodePools.arm64.maxSize: unknown key (allowed: arch, capacityTypes, instanceFamilies, instanceSizes, cpuLimit,",
            },
            {
                name: "a pool name that is no DNS label",
                doc: () => withValue(karpenterDocument(), ["nodePools", "Arm_64"], karpenterDocument().nodePools.arm64),
                expect: 'nodePools.Arm_64: "Arm_64" is not a valid node pool name',
            },
            {
                name: "a pool named like a node group",
                doc: () => withValue(karpenterDocument(), ["nodePools", "management"], karpenterDocument().nodePools.arm64),
                expect: 'nodePools.management: "management" is also a node group',
            },
            {
                name: "a cluster name too long for the node role's name",
                doc: () => withValue(karpenterDocument(), ["cluster", "name"], "c".repeat(50)),
                expect: 'cluster.name: "' + "c".repeat(50) + '" has 50 characters; with Karpenter it may have at most 49',
            },
            {
                name: "more concurrent jobs than fit the pool's cpuLimit",
                doc: () => withValue(karpenterDocument(), ["runners", "arm64", "concurrent"], 61),
                expect: 'runners.arm64.concurrent: 61 jobs cannot run at once: node pool "arm64" holds 60 at its cpuLimit 80 (10 × m7g.2xlarge × 6 jobs, the allowed shape that holds fewest)',
            },
            {
                name: "concurrent jobs that fit, but not twice over during a rollout",
                doc: () => withValue(karpenterDocument(), ["runners", "arm64", "concurrent"], 40),
                expect: 'runners.arm64.concurrent: 40 jobs fit node pool "arm64" (60 at cpuLimit 80: 10 × m7g.2xlarge × 6), but while the runner\'s manager is replaced',
            },
        ];
        for (const c of cases) it(c.name, () => rejects(c.doc(), c.expect));
    });

    it("suggests the cpuLimit that holds a rollout", () => {
        const problems = problemsOf(withValue(karpenterDocument(), ["runners", "arm64", "concurrent"], 40));
        // 80 jobs at 6 per m7g.2xlarge: 14 nodes of 8 vCPU.
        assert.ok(
            problems.some((p) => p.includes("Raise nodePools.arm64.cpuLimit to 112")),
            problems.join("\n"),
        );
    });
});
