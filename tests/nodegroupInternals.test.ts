import { strict as assert } from "assert";
import { PROJECT } from "../config";
import { applySuspension, AutoScalingApi, removeSuspension, suspensionDiff } from "../components/nodegroups/azRebalance";
import { launchTemplateArgs, releaseVersionParameter } from "../components/nodegroups/launchTemplate";
import { nodeTemplateTags } from "../model/autoscalerTags";
import { runStackFile, stackFileConfig } from "./support/harness";

/** A fake Auto Scaling API recording every call; `fail` makes resume throw the given message. */
function fakeApi(fail?: string): AutoScalingApi & { calls: string[] } {
    const calls: string[] = [];
    return {
        calls,
        async suspend(name, processes) {
            calls.push(`suspend ${name} ${processes.join(",")}`);
        },
        async resume(name, processes) {
            calls.push(`resume ${name} ${processes.join(",")}`);
            if (fail) throw new Error(fail);
        },
    };
}

describe("AZRebalance suspension", () => {
    const inputs = { asgName: "eks-amd64-asg", region: "eu-west-1", processes: ["AZRebalance"] };

    it("suspends AZRebalance on the ASG (and is safe to repeat)", async () => {
        const api = fakeApi();
        await applySuspension(api, inputs);
        await applySuspension(api, inputs);
        assert.deepEqual(api.calls, ["suspend eks-amd64-asg AZRebalance", "suspend eks-amd64-asg AZRebalance"]);
    });

    it("resumes on removal, and ignores an ASG that is already gone", async () => {
        const api = fakeApi();
        await removeSuspension(api, inputs);
        assert.deepEqual(api.calls, ["resume eks-amd64-asg AZRebalance"]);
        await removeSuspension(fakeApi("AutoScalingGroup name not found - null"), inputs);
        await assert.rejects(removeSuspension(fakeApi("Rate exceeded"), inputs), /Rate exceeded/);
    });

    it("moves to a replaced group's new ASG, and updates in place for other changes", () => {
        assert.deepEqual(suspensionDiff(inputs, { ...inputs, asgName: "eks-amd64-new-asg" }).replaces, ["asgName"]);
        const same = suspensionDiff(inputs, { ...inputs });
        assert.equal(same.changes, false);
        const more = suspensionDiff(inputs, { ...inputs, processes: ["AZRebalance", "ReplaceUnhealthy"] });
        assert.deepEqual([more.changes, more.replaces], [true, []]);
    });
});

describe("node group renderers", () => {
    it("node-template tags: label → value, taint → value:Effect", () => {
        assert.deepEqual(
            nodeTemplateTags({
                labels: { "eks-gitlab-runners/nodegroup": "arm64-spot", team: "web" },
                taints: [{ key: "eks-gitlab-runners/role", value: "jobs", effect: "NoSchedule" }],
            }),
            {
                "k8s.io/cluster-autoscaler/node-template/label/eks-gitlab-runners/nodegroup": "arm64-spot",
                "k8s.io/cluster-autoscaler/node-template/label/team": "web",
                "k8s.io/cluster-autoscaler/node-template/taint/eks-gitlab-runners/role": "jobs:NoSchedule",
            },
        );
    });

    it("Bottlerocket keeps images on its data volume, AL2023 on the root volume", () => {
        const device = (amiType: any) =>
            launchTemplateArgs({ amiType, diskSizeGiB: 120, resourceName: "x" }, "c", {}).blockDeviceMappings[0].deviceName;
        assert.equal(device("BOTTLEROCKET_ARM_64"), "/dev/xvdb");
        assert.equal(device("AL2023_ARM_64_STANDARD"), "/dev/xvda");
    });

    it("SSM parameters for every AMI type", () => {
        assert.equal(
            releaseVersionParameter("AL2023_ARM_64_STANDARD", "1.33"),
            "/aws/service/eks/optimized-ami/1.33/amazon-linux-2023/arm64/standard/recommended/release_version",
        );
        assert.equal(
            releaseVersionParameter("BOTTLEROCKET_x86_64", "1.34"),
            "/aws/service/bottlerocket/aws-k8s-1.34/x86_64/latest/image_version",
        );
    });
});

describe("nothing lost by a typo", () => {
    const GROUPS = `${PROJECT}:nodeGroups`;
    /** Every node-group resource of a run, keyed by type and name, with its inputs (what a diff compares). */
    const snapshot = (resources: { type: string; name: string; inputs: unknown; parent?: string }[], groups: string[]) =>
        new Map(
            resources
                .filter((r) => r.parent !== undefined && groups.includes(r.parent))
                .map((r) => [`${r.type}::${r.name}`, JSON.stringify(r.inputs)]),
        );

    it("renaming or removing one group leaves every other group's resources untouched", async () => {
        const base = await runStackFile("prod");
        const groups = stackFileConfig("prod")[GROUPS] as Record<string, unknown>;
        const { "arm64-spot": arm64, ...others } = groups;
        // Runners on the renamed group follow it; runners on the removed group go with it.
        const runners = stackFileConfig("prod")[`${PROJECT}:runners`] as Record<string, { nodeGroup: string }>;
        const follow = Object.fromEntries(
            Object.entries(runners).map(([k, r]) => [
                k,
                r.nodeGroup === "arm64-spot" ? { ...r, nodeGroup: "arm64-graviton" } : r,
            ]),
        );
        const drop = Object.fromEntries(Object.entries(runners).filter(([, r]) => r.nodeGroup !== "arm64-spot"));
        const renamed = await runStackFile("prod", {
            [GROUPS]: { ...others, "arm64-graviton": arm64 },
            [`${PROJECT}:runners`]: follow,
        });
        // A removed runner's alarm overrides go with it (an override for a runner that is gone is an error).
        const observability = stackFileConfig("prod")[`${PROJECT}:observability`] as {
            alarms: { runners: Record<string, unknown> };
        };
        const overrides = Object.fromEntries(Object.entries(observability.alarms.runners).filter(([k]) => k in drop));
        const removed = await runStackFile("prod", {
            [GROUPS]: others,
            [`${PROJECT}:runners`]: drop,
            [`${PROJECT}:observability`]: { ...observability, alarms: { ...observability.alarms, runners: overrides } },
        });

        const kept = Object.keys(others);
        const before = snapshot(base.resources, kept);
        assert.ok(before.size >= 3 * kept.length, "the snapshot covers every kept group's resources");
        for (const after of [snapshot(renamed.resources, kept), snapshot(removed.resources, kept)]) {
            for (const [key, inputs] of before) assert.equal(after.get(key), inputs, `${key} changed`);
        }
        assert.ok(renamed.resources.some((r) => r.parent === "arm64-graviton" && r.type === "aws:eks/nodeGroup:NodeGroup"));
        assert.equal(removed.resources.filter((r) => r.parent === "arm64-spot").length, 0);
    });

    it("a job group moving between minSize 0 and 1 keeps its URNs through an alias", async () => {
        const run = await runStackFile("test");
        const group = run.resources.find((r) => r.name === "amd64" && r.type.endsWith("NodeGroup"))!;
        assert.equal(group.type, "eks-gitlab-runners:index:ScaleToZeroNodeGroup");
        assert.deepEqual(group.opts?.aliases, [{ type: "eks-gitlab-runners:index:JobNodeGroup" }]);
    });
});
