import { strict as assert } from "assert";
import {
    applyScaling,
    EksScalingApi,
    LiveScaling,
    ScalingConfig,
    scalingDiff,
    scalingUpdate,
    sdkEksApi,
} from "../components/nodegroups/lifecycle/nodeGroupScaling";

// EKS API reference: UpdateNodegroupConfig returns an update id tracked with DescribeUpdate (status InProgress, Failed,
// Cancelled, Successful; errors with errorCode/errorMessage); NodegroupScalingConfig may be partial on update;
// ResourceInUseException while another update runs (@aws-sdk/client-eks 3.1169.0 UpdateNodegroupConfigCommand).
/**
 * A fake EKS node group: live sizes, UpdateNodegroupConfig validated the way EKS validates it (min ≤ desired ≤ max;
 * messages as reported in terraform-aws-modules/terraform-aws-eks#748 and ministryofjustice/cloud-platform-infrastructure#4595),
 * and updates that stay InProgress for a number of polls.
 */
class FakeEks implements EksScalingApi {
    public readonly calls: string[] = [];
    public readonly sleeps: number[] = [];
    public inUse = 0;
    public pollsInProgress = 1;
    public failWith?: { code: string; message: string };
    private updates = new Map<string, { polls: number; apply: () => void }>();

    constructor(public live: LiveScaling) {}

    clock = { sleep: async (ms: number) => void this.sleeps.push(ms) };

    async describeScaling(cluster: string, group: string): Promise<LiveScaling> {
        this.calls.push(`DescribeNodegroup ${cluster}/${group}`);
        return { ...this.live };
    }
    async updateScaling(_cluster: string, _group: string, s: ScalingConfig): Promise<string> {
        this.calls.push(`UpdateNodegroupConfig ${JSON.stringify(s)}`);
        if (this.inUse > 0) {
            this.inUse -= 1;
            throw Object.assign(new Error("Nodegroup amd64 is currently being updated"), { name: "ResourceInUseException" });
        }
        const next = { ...this.live, ...s };
        if (next.minSize > next.desiredSize) {
            throw Object.assign(
                new Error(`Minimum capacity ${next.minSize} can't be greater than desired size ${next.desiredSize}`),
                {
                    name: "InvalidParameterException",
                },
            );
        }
        if (next.desiredSize > next.maxSize) {
            throw Object.assign(new Error("desiredSize can't be greater than maxSize"), {
                name: "InvalidParameterException",
            });
        }
        const id = `update-${this.updates.size + 1}`;
        this.updates.set(id, { polls: this.pollsInProgress, apply: () => (this.live = next) });
        return id;
    }
    async describeUpdate(_cluster: string, _group: string, id: string) {
        this.calls.push(`DescribeUpdate ${id}`);
        const u = this.updates.get(id)!;
        if (u.polls > 0) {
            u.polls -= 1;
            return { status: "InProgress", errors: [] };
        }
        if (this.failWith) return { status: "Failed", errors: [this.failWith] };
        u.apply();
        return { status: "Successful", errors: [] };
    }
}

const inputs = (minSize: number, maxSize: number) => ({
    region: "eu-west-1",
    clusterName: "runners-prod",
    nodeGroupName: "management-nodegroup-81c2",
    minSize,
    maxSize,
});

describe("node-group scaling: what EKS is sent (pure)", () => {
    it("management 3 → 4: min, max and desired move together", () => {
        assert.deepEqual(scalingUpdate({ minSize: 3, maxSize: 3, desiredSize: 3 }, { minSize: 4, maxSize: 4 }), {
            minSize: 4,
            maxSize: 4,
            desiredSize: 4,
        });
    });

    it("management 4 → 3: desired comes down to the new max", () => {
        assert.deepEqual(scalingUpdate({ minSize: 4, maxSize: 4, desiredSize: 4 }, { minSize: 3, maxSize: 3 }), {
            minSize: 3,
            maxSize: 3,
            desiredSize: 3,
        });
    });

    it("a job group's minSize 0 → 2 with 1 node running: desired raised to 2", () => {
        assert.deepEqual(scalingUpdate({ minSize: 0, maxSize: 10, desiredSize: 1 }, { minSize: 2, maxSize: 10 }), {
            minSize: 2,
            maxSize: 10,
            desiredSize: 2,
        });
    });

    it("maxSize lowered below the live desired size: desired clamped to the new max", () => {
        assert.deepEqual(scalingUpdate({ minSize: 0, maxSize: 10, desiredSize: 8 }, { minSize: 0, maxSize: 5 }), {
            minSize: 0,
            maxSize: 5,
            desiredSize: 5,
        });
    });

    it("a desired size already inside the new range is left to Cluster Autoscaler (not sent)", () => {
        assert.deepEqual(scalingUpdate({ minSize: 0, maxSize: 10, desiredSize: 4 }, { minSize: 1, maxSize: 20 }), {
            minSize: 1,
            maxSize: 20,
        });
    });

    it("unchanged min and max: nothing to send, whatever the autoscaler did to desired", () => {
        assert.equal(scalingUpdate({ minSize: 0, maxSize: 10, desiredSize: 7 }, { minSize: 0, maxSize: 10 }), undefined);
    });

    it("an impossible range is a clear error", () => {
        assert.throws(
            () => scalingUpdate({ minSize: 0, maxSize: 1, desiredSize: 0 }, { minSize: 5, maxSize: 0 }),
            /NodeGroupScaling: maxSize must be a whole number ≥ 1, got 0; minSize 5 is greater than maxSize 0/,
        );
        assert.throws(
            () => scalingUpdate({ minSize: 0, maxSize: 1, desiredSize: 0 }, { minSize: -1, maxSize: 2.5 }),
            /minSize must be/,
        );
    });
});

describe("node-group scaling: the provider's calls against a fake EKS", () => {
    it("management 3 → 4 and back to 3, each waited for until Successful", async () => {
        const eks = new FakeEks({ minSize: 3, maxSize: 3, desiredSize: 3 });
        assert.deepEqual(await applyScaling(eks, inputs(4, 4), eks.clock), { minSize: 4, maxSize: 4, desiredSize: 4 });
        assert.deepEqual(eks.live, { minSize: 4, maxSize: 4, desiredSize: 4 });
        assert.deepEqual(eks.calls, [
            "DescribeNodegroup runners-prod/management-nodegroup-81c2",
            'UpdateNodegroupConfig {"minSize":4,"maxSize":4,"desiredSize":4}',
            "DescribeUpdate update-1",
            "DescribeUpdate update-1",
        ]);
        assert.deepEqual(eks.sleeps, [10_000]);

        await applyScaling(eks, inputs(3, 3), eks.clock);
        assert.deepEqual(eks.live, { minSize: 3, maxSize: 3, desiredSize: 3 });
    });

    it("what the old ignoreChanges design sent is what EKS rejects (the fake enforces EKS's rule)", async () => {
        const eks = new FakeEks({ minSize: 3, maxSize: 3, desiredSize: 3 });
        await assert.rejects(
            eks.updateScaling("c", "g", { minSize: 4, maxSize: 4, desiredSize: 3 }),
            /Minimum capacity 4 can't be greater than desired size 3/,
        );
    });

    it("a job group's minSize 0 → 2 with live desired 1, and maxSize lowered below live desired", async () => {
        const eks = new FakeEks({ minSize: 0, maxSize: 10, desiredSize: 1 });
        await applyScaling(eks, inputs(2, 10), eks.clock);
        assert.deepEqual(eks.live, { minSize: 2, maxSize: 10, desiredSize: 2 });
        eks.live = { minSize: 2, maxSize: 10, desiredSize: 9 };
        await applyScaling(eks, inputs(2, 6), eks.clock);
        assert.deepEqual(eks.live, { minSize: 2, maxSize: 6, desiredSize: 6 });
    });

    it("unchanged: one read, no update call", async () => {
        const eks = new FakeEks({ minSize: 0, maxSize: 10, desiredSize: 7 });
        assert.equal(await applyScaling(eks, inputs(0, 10), eks.clock), undefined);
        assert.deepEqual(eks.calls, ["DescribeNodegroup runners-prod/management-nodegroup-81c2"]);
    });

    it("an update already in progress (ResourceInUseException) is retried with backoff, re-reading the live sizes", async () => {
        const eks = new FakeEks({ minSize: 3, maxSize: 3, desiredSize: 3 });
        eks.inUse = 2;
        eks.pollsInProgress = 0;
        await applyScaling(eks, inputs(4, 4), eks.clock);
        assert.deepEqual(eks.sleeps, [15_000, 30_000]);
        assert.equal(eks.calls.filter((c) => c.startsWith("DescribeNodegroup")).length, 3);
        assert.deepEqual(eks.live, { minSize: 4, maxSize: 4, desiredSize: 4 });
    });

    it("a group that stays in use gives up after the configured attempts with EKS's error", async () => {
        const eks = new FakeEks({ minSize: 3, maxSize: 3, desiredSize: 3 });
        eks.inUse = Infinity;
        await assert.rejects(applyScaling(eks, inputs(4, 4), eks.clock), { name: "ResourceInUseException" });
        assert.equal(eks.calls.filter((c) => c.startsWith("UpdateNodegroupConfig")).length, 35);
        assert.ok(eks.sleeps.every((ms) => ms <= 120_000));
    });

    it("a failed update is reported with EKS's error code and message", async () => {
        const eks = new FakeEks({ minSize: 3, maxSize: 3, desiredSize: 3 });
        eks.failWith = { code: "NodeCreationFailure", message: "Instances failed to join the kubernetes cluster" };
        await assert.rejects(
            applyScaling(eks, inputs(4, 4), eks.clock),
            /EKS scaling update update-1 of node group management-nodegroup-81c2 of cluster runners-prod ended Failed: NodeCreationFailure: Instances failed to join the kubernetes cluster/,
        );
    });

    it("other errors (e.g. InvalidParameterException) are not retried", async () => {
        const eks = new FakeEks({ minSize: 3, maxSize: 3, desiredSize: 3 });
        eks.updateScaling = async () => {
            throw Object.assign(new Error("maxSize can't be greater than 450"), { name: "InvalidParameterException" });
        };
        await assert.rejects(applyScaling(eks, inputs(4, 4), eks.clock), /maxSize can't be greater than 450/);
        assert.deepEqual(eks.sleeps, []);
    });
});

describe("node-group scaling: diff and SDK adapter", () => {
    it("a replaced node group (new name) re-applies as a new resource; a range change updates; nothing else does", () => {
        const old = inputs(3, 3);
        assert.deepEqual(scalingDiff(old, { ...old, nodeGroupName: "management-nodegroup-9d01" }), {
            changes: true,
            replaces: ["nodeGroupName"],
            deleteBeforeReplace: false,
        });
        assert.deepEqual(scalingDiff(old, inputs(4, 4)), { changes: true, replaces: [], deleteBeforeReplace: false });
        assert.equal(scalingDiff(old, { ...old }).changes, false);
    });

    it("sends DescribeNodegroup, UpdateNodegroupConfig and DescribeUpdate with the API's field names", async () => {
        const sent: { name: string; input: unknown }[] = [];
        const replies: Record<string, unknown> = {
            DescribeNodegroupCommand: { nodegroup: { scalingConfig: { minSize: 0, maxSize: 10, desiredSize: 1 } } },
            UpdateNodegroupConfigCommand: { update: { id: "u-1", status: "InProgress" } },
            DescribeUpdateCommand: {
                update: { id: "u-1", status: "Failed", errors: [{ errorCode: "AccessDenied", errorMessage: "denied" }] },
            },
        };
        const api = sdkEksApi("eu-west-1", {
            async send(command: object) {
                sent.push({ name: command.constructor.name, input: (command as { input: unknown }).input });
                return replies[command.constructor.name];
            },
        });
        assert.deepEqual(await api.describeScaling("c", "g"), { minSize: 0, maxSize: 10, desiredSize: 1 });
        assert.equal(await api.updateScaling("c", "g", { minSize: 2, maxSize: 10, desiredSize: 2 }), "u-1");
        assert.deepEqual(await api.describeUpdate("c", "g", "u-1"), {
            status: "Failed",
            errors: [{ code: "AccessDenied", message: "denied" }],
        });
        assert.deepEqual(sent, [
            { name: "DescribeNodegroupCommand", input: { clusterName: "c", nodegroupName: "g" } },
            {
                name: "UpdateNodegroupConfigCommand",
                input: { clusterName: "c", nodegroupName: "g", scalingConfig: { minSize: 2, maxSize: 10, desiredSize: 2 } },
            },
            { name: "DescribeUpdateCommand", input: { name: "c", nodegroupName: "g", updateId: "u-1" } },
        ]);
    });
});
