// Day 2 on real EKS: each finding of the review has its test here, named after it. The runtime pieces (the drain,
// NodeGroupScaling against a fake EKS) are tested in tests/lifecycle*.test.ts; this file holds what the program
// declares for them and the rules the config layer enforces.
import { strict as assert } from "assert";
import { allNodeGroups, parseStackConfig } from "../config";
import { NODE_GROUP_TIMEOUT_MINUTES, patchEstimate } from "../config/patching";
import { scalingUpdate } from "../components/nodegroups/lifecycle/nodeGroupScaling";
import { shippedDeployWindow } from "../scripts/ci/deployWindow";
import { problemsOf, validDocument, withValue } from "./support/fixtures";
import { Recorded, Run, runShippedStacks, SHIPPED_STACKS, stackConfigOf } from "./support/harness";

const T = {
    nodeGroup: "aws:eks/nodeGroup:NodeGroup",
    scaling: "pulumi-nodejs:dynamic/eks-gitlab-runners:NodeGroupScaling",
    asgTag: "aws:autoscaling/tag:Tag",
    ingress: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    release: "kubernetes:helm.sh/v3:Release",
    provider: "pulumi:providers:kubernetes",
};
const names = (deps: unknown) => ([] as unknown[]).concat(deps ?? []).map((d) => (d as { __name?: string }).__name);

describe("day 2 on real EKS", () => {
    const runs: Record<string, Run> = {};
    before(() => runShippedStacks(runs));

    describe("1. a patch never fails on a running job and never kills one: blue/green node groups, drained first", () => {
        for (const stack of SHIPPED_STACKS) {
            it(`${stack}: every node group is replaced (not updated in place) when its nodes roll, after a drain`, () => {
                for (const ng of runs[stack].ofType(T.nodeGroup)) {
                    assert.deepEqual(ng.opts?.replaceOnChanges, ["releaseVersion", "version", "launchTemplate.version"], ng.name);
                    assert.equal(ng.opts?.deleteBeforeReplace, false, "the new group exists before the old one is drained");
                    assert.deepEqual(names((ng.opts?.hooks as { beforeDelete?: unknown[] })?.beforeDelete).length, 1);
                }
            });
        }

        it("the drain bound of a job group is its longest runner job timeout plus the margin; management: the managers' grace", () => {
            const doc = withValue(validDocument(), ["runners", "amd64", "maxJobTimeoutMinutes"], 180);
            const config = parseStackConfig(doc, "eu-west-1");
            const amd64 = config.nodeGroups.jobs.find((g) => g.name === "amd64")!;
            assert.equal(patchEstimate(amd64, config.runners).drainBoundSeconds, 180 * 60 + 300);
            assert.equal(patchEstimate(config.nodeGroups.management, config.runners).drainBoundSeconds, 180 * 60 + 300 + 300);
            const unused = config.nodeGroups.jobs.find((g) => g.name === "arm64-spot")!;
            assert.equal(patchEstimate(unused, config.runners).drainBoundSeconds, 300, "no runner: nothing to wait for");
        });
    });

    describe("2. every valid size edit applies: min/max owned by NodeGroupScaling, desired clamped as EKS requires", () => {
        it("management 3 → 4 and back, and a job group's minSize 0 → 2, send scaling configs EKS accepts", () => {
            // The exact NodegroupScalingConfig sent (UpdateNodegroupConfig); desired only when the live one is out of range.
            assert.deepEqual(scalingUpdate({ minSize: 3, maxSize: 3, desiredSize: 3 }, { minSize: 4, maxSize: 4 }), {
                minSize: 4,
                maxSize: 4,
                desiredSize: 4,
            });
            assert.deepEqual(scalingUpdate({ minSize: 4, maxSize: 4, desiredSize: 4 }, { minSize: 3, maxSize: 3 }), {
                minSize: 3,
                maxSize: 3,
                desiredSize: 3,
            });
            assert.deepEqual(scalingUpdate({ minSize: 0, maxSize: 80, desiredSize: 1 }, { minSize: 2, maxSize: 80 }), {
                minSize: 2,
                maxSize: 80,
                desiredSize: 2,
            });
            assert.deepEqual(scalingUpdate({ minSize: 0, maxSize: 80, desiredSize: 5 }, { minSize: 2, maxSize: 80 }), {
                minSize: 2,
                maxSize: 80,
            });
        });

        for (const stack of SHIPPED_STACKS) {
            it(`${stack}: the node group ignores its whole scalingConfig after creation; NodeGroupScaling carries min/max`, () => {
                for (const ng of runs[stack].ofType(T.nodeGroup)) {
                    assert.deepEqual(ng.opts?.ignoreChanges, ["scalingConfig"], ng.name);
                    const scaling = runs[stack].ofType(T.scaling).find((s) => s.parent === ng.parent)!;
                    assert.deepEqual(
                        [scaling.inputs.minSize, scaling.inputs.maxSize],
                        [ng.inputs.scalingConfig.minSize, ng.inputs.scalingConfig.maxSize],
                    );
                }
            });
        }
    });

    describe("3. management nodes are replaced too: managers hand over, the drain waits for their jobs", () => {
        it("the management group's drain bound covers the longest manager grace period", () => {
            const config = parseStackConfig(validDocument(), "eu-west-1");
            const longest = Math.max(...config.runners.map((r) => r.terminationGracePeriodSeconds));
            assert.ok(patchEstimate(config.nodeGroups.management, config.runners).drainBoundSeconds > longest);
        });
    });

    describe("4. a rollout does not over-commit: 2 × concurrent must fit the group at maxSize", () => {
        it("a runner that fits only without a rollout is an error naming both remedies", () => {
            const doc = withValue(validDocument(), ["nodeGroups", "amd64", "maxSize"], 5); // 5 × 6 = 30 jobs; 2 × 20 = 40
            assert.ok(
                problemsOf(doc).some((p) =>
                    /^runners\.amd64\.concurrent: 20 jobs fit "amd64" \(30: .*40 job pods.*maxSize to 7 .*lower concurrent to 15$/.test(
                        p,
                    ),
                ),
            );
        });
    });

    describe("5. a private-only endpoint is reachable by the deploy runner", () => {
        it("a private-only cluster without an allowed API source is a config error at its path", () => {
            const doc = withValue(validDocument(), ["cluster", "endpoint"], { privateAccess: true, publicAccess: false });
            assert.ok(problemsOf(doc).some((p) => p.startsWith("cluster.endpoint.privateAccessCidrs: the API is private-only")));
        });

        it("prod sets one source; the ingress rule on 443 is declared and the Kubernetes provider waits for it", () => {
            const [rule] = runs.prod.ofType(T.ingress);
            assert.ok(rule, "prod has an ingress rule");
            assert.deepEqual([rule.inputs.ipProtocol, rule.inputs.fromPort, rule.inputs.toPort], ["tcp", 443, 443]);
            assert.equal(rule.inputs.securityGroupId, "sg-0c1a55e7c1a55e7c1", "the EKS-created cluster security group");
            assert.match(rule.inputs.referencedSecurityGroupId, /^sg-/);
            const provider = runs.prod.ofType(T.provider).find((p) => p.name === "runners-k8s")!;
            assert.deepEqual(names(provider.opts?.dependsOn), [rule.name]);
        });
    });

    describe("7. Helm releases wait for CoreDNS", () => {
        for (const stack of SHIPPED_STACKS) {
            it(`${stack}: every add-on release and the runner fleet (all runner releases) depend on the CoreDNS add-on`, () => {
                const addonReleases = runs[stack].ofType(T.release).filter((r) => r.parent?.startsWith("addons-"));
                assert.ok(addonReleases.length >= 2);
                for (const release of addonReleases) assert.ok(names(release.opts?.dependsOn).includes("coredns"), release.name);
                const fleet = runs[stack].one("eks-gitlab-runners:index:RunnerFleet");
                assert.ok(names(fleet.opts?.dependsOn).includes("coredns"), "runner fleet");
            });
        }
    });

    describe("8. the program never deletes the autoscaler tags EKS itself owns", () => {
        for (const stack of SHIPPED_STACKS) {
            it(`${stack}: tag resources for k8s.io/cluster-autoscaler/enabled and …/<cluster> are retained on delete`, () => {
                const tags: Recorded[] = runs[stack].ofType(T.asgTag);
                for (const t of tags) {
                    const eksOwned =
                        t.inputs.tag.key === "k8s.io/cluster-autoscaler/enabled" ||
                        /^k8s\.io\/cluster-autoscaler\/[^/]+$/.test(t.inputs.tag.key);
                    assert.equal(t.opts?.retainOnDelete ?? false, eksOwned, `${t.name}`);
                }
            });
        }
    });

    describe("a patch run fits the deploy window (.gitlab-ci.yml)", () => {
        for (const stack of SHIPPED_STACKS) {
            it(`${stack}: create + longest drain + delete of a node group < the deploy job timeout and the AWS session`, () => {
                const config = stackConfigOf(stack);
                const worst = Math.max(
                    ...allNodeGroups(config.nodeGroups).map((g) => patchEstimate(g, config.runners).maxMinutes),
                );
                const window = shippedDeployWindow();
                assert.ok(worst < window.timeoutMinutes, `${worst} min vs ${window.timeoutMinutes}`);
                assert.ok(worst * 60 < window.sessionSeconds);
                assert.equal(NODE_GROUP_TIMEOUT_MINUTES.create + NODE_GROUP_TIMEOUT_MINUTES.delete, 120);
            });
        }
    });
});
