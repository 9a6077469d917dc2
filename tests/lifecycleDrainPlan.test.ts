import { strict as assert } from "assert";
import {
    DEFAULT_DRAIN_BOUND_SECONDS,
    DRAIN_BOUND_TAG,
    drainTags,
    MAX_DRAIN_BOUND_SECONDS,
    readDrainPlan,
} from "../components/nodegroups/lifecycle/drainPlan";

/** A job group's recorded state as @pulumi/aws 7 stores an aws.eks.NodeGroup (camelCase property names). */
function recorded(
    overrides: { tags?: Record<string, unknown>; labels?: Record<string, unknown>; outputs?: Record<string, unknown> } = {},
) {
    const tags = overrides.tags ?? { "managed-by": "pulumi", "eks-gitlab-runners/nodegroup": "amd64", ...drainTags(4200) };
    const labels = overrides.labels ?? { "eks-gitlab-runners/role": "jobs", "eks-gitlab-runners/nodegroup": "amd64" };
    const oldInputs = { clusterName: "runners-prod", nodeGroupName: "amd64-nodegroup-3f2a9c1", labels, tags };
    const oldOutputs = {
        ...oldInputs,
        arn: "arn:aws:eks:eu-west-1:111122223333:nodegroup/runners-prod/amd64-nodegroup-3f2a9c1/5ec9a1b2-0000-1111-2222-333344445555",
        resources: [{ autoscalingGroups: [{ name: "eks-amd64-nodegroup-3f2a9c1-5ec9a1b2" }], remoteAccessSecurityGroupId: "" }],
        tagsAll: tags,
        ...overrides.outputs,
    };
    return { oldInputs, oldOutputs };
}

describe("drain plan: the tag the component sets", () => {
    it("carries the bound as whole seconds under one key", () => {
        assert.deepEqual(drainTags(3900), { [DRAIN_BOUND_TAG]: "3900" });
        assert.equal(DRAIN_BOUND_TAG, "eks-gitlab-runners/drain-bound-seconds");
    });

    it("rejects bounds that are not whole seconds from 1 s to 8 days", () => {
        for (const bad of [0, -5, 1.5, NaN, MAX_DRAIN_BOUND_SECONDS + 1]) {
            assert.throws(() => drainTags(bad), /boundSeconds must be a whole number of seconds from 1 to 691200/);
        }
        assert.deepEqual(drainTags(MAX_DRAIN_BOUND_SECONDS), { [DRAIN_BOUND_TAG]: "691200" });
    });
});

describe("drain plan: read from the node group's recorded state", () => {
    it("a job group: names, ASG, region from the ARN, role and bound", () => {
        const { oldInputs, oldOutputs } = recorded();
        assert.deepEqual(readDrainPlan(oldInputs, oldOutputs), {
            region: "eu-west-1",
            clusterName: "runners-prod",
            nodeGroupName: "amd64-nodegroup-3f2a9c1",
            role: "jobs",
            asgName: "eks-amd64-nodegroup-3f2a9c1-5ec9a1b2",
            boundSeconds: 4200,
            boundDefaulted: false,
            groupKey: "amd64",
        });
    });

    it("prefers the region output of @pulumi/aws 7 over the ARN", () => {
        const { oldInputs, oldOutputs } = recorded({ outputs: { region: "us-east-2" } });
        assert.equal(readDrainPlan(oldInputs, oldOutputs).region, "us-east-2");
    });

    it("a management group", () => {
        const { oldInputs, oldOutputs } = recorded({ labels: { "eks-gitlab-runners/role": "management" } });
        assert.equal(readDrainPlan(oldInputs, oldOutputs).role, "management");
    });

    it("a group created before the tag existed falls back to the documented default, and says so", () => {
        const { oldInputs, oldOutputs } = recorded({ tags: { "managed-by": "pulumi" } });
        const plan = readDrainPlan(oldInputs, oldOutputs);
        assert.deepEqual([plan.boundSeconds, plan.boundDefaulted], [DEFAULT_DRAIN_BOUND_SECONDS, true]);
        assert.equal(DEFAULT_DRAIN_BOUND_SECONDS, 3900, "60 min default job timeout + 300 s margin");
    });

    it("a garbled bound is an error naming the path and the way out", () => {
        for (const value of ["soon", "-1", "0", "1e3", "", 3900]) {
            const { oldInputs, oldOutputs } = recorded({ tags: { [DRAIN_BOUND_TAG]: value } });
            assert.throws(
                () => readDrainPlan(oldInputs, oldOutputs),
                /oldInputs\.tags\["eks-gitlab-runners\/drain-bound-seconds"\] is .*expected whole seconds from 1 to 691200\. Nothing was drained or deleted/,
                JSON.stringify(value),
            );
        }
    });

    it("missing or wrong identity fields are errors naming their path, never a TypeError", () => {
        const { oldInputs, oldOutputs } = recorded();
        assert.throws(
            () => readDrainPlan(oldInputs, { ...oldOutputs, resources: [] }),
            /oldOutputs\.resources\[0\]\.autoscalingGroups\[0\]\.name is missing/,
        );
        assert.throws(
            () => readDrainPlan({ ...oldInputs, nodeGroupName: undefined }, { ...oldOutputs, nodeGroupName: 42 }),
            /oldOutputs\.nodeGroupName must be a non-empty string/,
        );
        assert.throws(
            () => readDrainPlan(undefined, { ...oldOutputs, arn: "not-an-arn" }),
            /oldOutputs\.arn "not-an-arn" is not an EKS ARN/,
        );
        assert.throws(() => readDrainPlan(undefined, undefined), /oldOutputs\.clusterName \/ oldInputs\.clusterName is missing/);
        const noRole = recorded({ labels: { team: "web" } });
        assert.throws(
            () => readDrainPlan(noRole.oldInputs, noRole.oldOutputs),
            /oldOutputs\.labels\["eks-gitlab-runners\/role"\] \/ oldInputs\.labels\["eks-gitlab-runners\/role"\] is missing/,
        );
        const odd = recorded({ labels: { "eks-gitlab-runners/role": "gpu" } });
        assert.throws(() => readDrainPlan(odd.oldInputs, odd.oldOutputs), /is "gpu"; expected "management" or "jobs"/);
    });
});
