// Policy rules on node groups: IMDSv2 hop limit, the isolated management group, AZRebalance suspended on job groups.
import { ROLE_KEY } from "../model/labels";
import { strict as assert } from "assert";
import { JOBS_DISCOVERY_TAG } from "../model/autoscalerTags";
import { PolicyResource, TYPES, UNKNOWN } from "../policies";
import { assertFires, ctxOf, mutate, res, run1, shippedPolicyStacks } from "./support/policyRules";

describe("policy rules", () => {
    const { stacks, ctx } = shippedPolicyStacks();

    describe("imdsv2-hop-limit-1", () => {
        const lt = (metadataOptions: unknown) =>
            res(TYPES.launchTemplate, "bad-lt", metadataOptions === undefined ? {} : { metadataOptions });

        it("fires on IMDSv1 and on a hop limit of 2, each with its own message", () => {
            const v = run1(
                "imdsv2-hop-limit-1",
                [lt({ httpEndpoint: "enabled", httpTokens: "optional", httpPutResponseHopLimit: 2 })],
                ctxOf("test"),
            );
            assert.deepEqual(
                v.map((x) => x.message),
                [
                    'launch template bad-lt allows IMDSv1 (metadataOptions.httpTokens is "optional"); set httpTokens: "required"',
                    "launch template bad-lt has metadataOptions.httpPutResponseHopLimit 2; set it to 1 so pods cannot reach the node role's credentials",
                ],
            );
        });

        it("fires on a template that leaves metadata options to the defaults, and on a node group without a template", () => {
            assert.equal(run1("imdsv2-hop-limit-1", [lt(undefined)], ctxOf("test")).length, 2);
            const v = run1("imdsv2-hop-limit-1", [res(TYPES.nodeGroup, "bare-ng", { clusterName: "c" })], ctxOf("test"));
            assert.match(v[0].message, /node group bare-ng has no launch template/);
        });

        it("passes metadata switched off, and values a preview cannot know yet", () => {
            assert.deepEqual(run1("imdsv2-hop-limit-1", [lt({ httpEndpoint: "disabled" })], ctxOf("test")), []);
            assert.deepEqual(run1("imdsv2-hop-limit-1", [lt(UNKNOWN)], ctxOf("test")), []);
        });

        it("fires when a real node group's launch template is loosened", () => {
            const bad = mutate(
                stacks.prod,
                (r) => r.type === TYPES.launchTemplate && r.parent === "arm64-spot",
                (r) => {
                    r.inputs.metadataOptions.httpPutResponseHopLimit = 2;
                    return r;
                },
            );
            const v = run1("imdsv2-hop-limit-1", bad, ctx("prod"));
            assert.equal(v.length, 1);
            assert.equal(v[0].target, `${TYPES.launchTemplate}::arm64-spot-lt`);
        });
    });

    describe("management-nodegroup-isolated", () => {
        const isManagementGroup = (r: PolicyResource) =>
            r.type === TYPES.nodeGroup && (r.inputs as any).labels?.[ROLE_KEY] === "management";
        const check = (resources: PolicyResource[]) => run1("management-nodegroup-isolated", resources, ctx("prod"));

        it("fires when the management group loses its taint or its fixed size", () => {
            const untainted = mutate(stacks.prod, isManagementGroup, (r) => {
                r.inputs.taints = [];
                return r;
            });
            assertFires(
                check(untainted),
                "management-nodegroup-isolated",
                /management node group management-nodegroup is not tainted eks-gitlab-runners\/role=management:NoSchedule/,
            );
            const elastic = mutate(stacks.prod, isManagementGroup, (r) => {
                r.inputs.scalingConfig.maxSize = 6;
                return r;
            });
            assertFires(check(elastic), "management-nodegroup-isolated", /minSize 3 ≠ maxSize 6/);
        });

        it("fires on a Cluster Autoscaler tag on the management group's ASG, however it is paired", () => {
            const asg = "eks-management-nodegroup-0ac9a1b2-asg";
            const byName = res(TYPES.asgTag, "management-asg-tag-x", {
                autoscalingGroupName: asg,
                tag: { key: JOBS_DISCOVERY_TAG, value: "ci-runners-prod", propagateAtLaunch: false },
            });
            assertFires(
                check([...stacks.prod, byName]),
                "management-nodegroup-isolated",
                new RegExp(`ASG tag ${JOBS_DISCOVERY_TAG} on management node group management-nodegroup`),
            );
            const byParent = res(
                TYPES.asgTag,
                "management-asg-tag-y",
                { autoscalingGroupName: UNKNOWN, tag: { key: "k8s.io/cluster-autoscaler/enabled", value: "true" } },
                { parent: "management" },
            );
            assertFires(
                check([...stacks.prod, byParent]),
                "management-nodegroup-isolated",
                /ASG tag k8s\.io\/cluster-autoscaler\/enabled/,
            );
            // A job group's tags are not the management group's business.
            const jobTag = res(
                TYPES.asgTag,
                "amd64-asg-tag-z",
                { autoscalingGroupName: "eks-amd64-nodegroup-0ac9a1b2-asg", tag: { key: JOBS_DISCOVERY_TAG, value: "x" } },
                { parent: "amd64" },
            );
            assert.deepEqual(check([...stacks.prod, jobTag]), []);
        });

        it("fires when no group is labelled management", () => {
            const none = mutate(stacks.prod, isManagementGroup, (r) => {
                r.inputs.labels = {};
                return r;
            });
            const v = check(none);
            assert.ok(
                v.some(
                    (x) =>
                        x.target === "stack" && /no node group is labelled eks-gitlab-runners\/role=management/.test(x.message),
                ),
                JSON.stringify(v),
            );
        });

        it("fires when the autoscaler's discovery is not keyed on the jobs-only tag", () => {
            const loose = mutate(
                stacks.prod,
                (r) => r.type === TYPES.helmRelease && (r.inputs as any).chart === "cluster-autoscaler",
                (r) => {
                    r.inputs.values.autoDiscovery.tags = r.inputs.values.autoDiscovery.tags.filter(
                        (t: string) => !t.startsWith(JOBS_DISCOVERY_TAG),
                    );
                    return r;
                },
            );
            assertFires(
                check(loose),
                "management-nodegroup-isolated",
                /does not key auto-discovery on eks-gitlab-runners\/autoscaled/,
            );
        });
    });

    describe("job-nodegroup-azrebalance-suspended", () => {
        const check = (resources: PolicyResource[]) => run1("job-nodegroup-azrebalance-suspended", resources, ctx("prod"));

        it("fires for a job group whose suspension is gone, naming that group only", () => {
            const missing = mutate(
                stacks.prod,
                (r) => r.type === TYPES.asgProcessSuspension && r.parent === "arm64-spot",
                () => undefined,
            );
            const v = check(missing);
            assert.equal(v.length, 1);
            assert.match(v[0].message, /^job node group arm64-spot-nodegroup .* has no AsgProcessSuspension of AZRebalance/);
        });

        it("fires when the suspension suspends something else, or sits on another group's ASG", () => {
            const other = mutate(
                stacks.prod,
                (r) => r.type === TYPES.asgProcessSuspension && r.parent === "amd64",
                (r) => {
                    r.inputs.processes = ["ReplaceUnhealthy"];
                    return r;
                },
            );
            assert.equal(check(other).length, 1);
            const elsewhere = mutate(
                stacks.prod,
                (r) => r.type === TYPES.asgProcessSuspension && r.parent === "amd64",
                (r) => {
                    r.inputs.asgName = "eks-someone-else-asg";
                    return r;
                },
            );
            assert.equal(check(elsewhere).length, 1);
        });

        it("treats an unlabelled node group as a job group", () => {
            assert.equal(check([res(TYPES.nodeGroup, "mystery", { launchTemplate: { id: "lt" } })]).length, 1);
        });
    });
});
