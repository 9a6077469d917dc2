import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { JOBS_DISCOVERY_TAG } from "../model/autoscalerTags";
import { DRAIN_TIMING } from "../components/nodegroups/lifecycle/drain";
import {
    captureKubeconfig,
    DRAIN_HOOK_NAME,
    drainHookCallback,
    KubeconfigHolder,
} from "../components/nodegroups/lifecycle/drainHook";
import { DRAIN_BOUND_TAG, drainTags } from "../components/nodegroups/lifecycle/drainPlan";
import { RUNNER_LABELS } from "../model/labels";
import { FakeClock, FakeCluster, RecordingLogger } from "./support/lifecycleFakes";

const KUBECONFIG = '{"apiVersion":"v1","kind":"Config"}';

// Pulumi docs "Resource option: hooks": a before-delete hook receives the resource's old inputs and old outputs only
// (hence the kubeconfig holder), must be a named ResourceHook, and prevents the delete when it throws.
/** What the engine passes a before-delete hook for a replaced job group (Pulumi docs: old inputs and old outputs only). */
function beforeDeleteArgs(tags: Record<string, string> = drainTags(1800)): pulumi.ResourceHookArgs {
    const oldInputs = {
        clusterName: "runners-prod",
        nodeGroupName: "amd64-nodegroup-3f2a9c1",
        labels: { "eks-gitlab-runners/role": "jobs", "eks-gitlab-runners/nodegroup": "amd64" },
        tags,
    };
    return {
        urn: "urn:pulumi:prod::eks-gitlab-runners::eks-gitlab-runners:index:JobNodeGroup$aws:eks/nodeGroup:NodeGroup::amd64-nodegroup",
        id: "runners-prod:amd64-nodegroup-3f2a9c1",
        name: "amd64-nodegroup",
        type: "aws:eks/nodeGroup:NodeGroup",
        oldInputs,
        oldOutputs: {
            ...oldInputs,
            arn: "arn:aws:eks:eu-west-1:111122223333:nodegroup/runners-prod/amd64-nodegroup-3f2a9c1/5ec9a1b2",
            resources: [{ autoscalingGroups: [{ name: "eks-amd64-nodegroup-3f2a9c1-5ec9a1b2" }] }],
        },
    };
}

function setup(
    holder: KubeconfigHolder = { current: () => KUBECONFIG },
    currentBoundSeconds?: (groupKey: string) => number | undefined,
) {
    const clock = new FakeClock();
    const cluster = new FakeCluster(clock);
    const log = new RecordingLogger();
    const made: string[] = [];
    const callback = drainHookCallback(holder, {
        kubernetes: (kubeconfig) => (made.push(`kubernetes ${kubeconfig}`), cluster),
        autoScaling: (region) => (made.push(`autoScaling ${region}`), cluster),
        clock,
        log,
        timing: DRAIN_TIMING,
        kubeconfigWaitSeconds: 300,
        currentBoundSeconds,
    });
    return { clock, cluster, log, made, callback };
}

describe("drain hook", () => {
    it("has one stable name (the engine finds delete hooks by name)", () => {
        assert.equal(DRAIN_HOOK_NAME, "eks-gitlab-runners-drain-node-group");
    });

    it("drains the group described by the deleted NodeGroup's old state, with the captured kubeconfig", async () => {
        const { clock, cluster, made, callback } = setup();
        cluster.addNode("n1", "amd64-nodegroup-3f2a9c1").addPod("n1", "gitlab-jobs-amd64/job-1", {
            labels: { [RUNNER_LABELS.runner]: "amd64" },
        });
        clock.at(120, () => cluster.finish("gitlab-jobs-amd64/job-1"));

        const report = await callback(beforeDeleteArgs());

        assert.equal(report.outcome, "drained");
        assert.deepEqual(made, [`kubernetes ${KUBECONFIG}`, "autoScaling eu-west-1"]);
        assert.equal(cluster.calls[0], `removeAsgTag eks-amd64-nodegroup-3f2a9c1-5ec9a1b2 ${JOBS_DISCOVERY_TAG}`);
        assert.ok(cluster.isCordoned("n1"));
    });

    it("uses the bound from the node group's tag", async () => {
        const { cluster, callback } = setup();
        cluster.addNode("n1", "amd64-nodegroup-3f2a9c1").addPod("n1", "gitlab-jobs-amd64/job-1", {
            labels: { [RUNNER_LABELS.runner]: "amd64" },
        });
        const report = await callback(beforeDeleteArgs(drainTags(1800)));
        assert.deepEqual([report.outcome, report.elapsedSeconds], ["bound-reached", 1800]);
    });

    it("a longer bound of the running program for the same group wins (a job timeout raised in this deployment)", async () => {
        const job = (c: ReturnType<typeof setup>) =>
            c.cluster.addNode("n1", "amd64-nodegroup-3f2a9c1").addPod("n1", "gitlab-jobs-amd64/job-1", {
                labels: { [RUNNER_LABELS.runner]: "amd64" },
            });
        const tags = { ...drainTags(1800), "eks-gitlab-runners/nodegroup": "amd64" };
        const longer = setup(undefined, (key) => (key === "amd64" ? 7500 : undefined));
        job(longer);
        assert.deepEqual([(await longer.callback(beforeDeleteArgs(tags))).elapsedSeconds], [7500]);
        // A shorter current bound, or a group the program no longer has, keeps the recorded one.
        const shorter = setup(undefined, () => 600);
        job(shorter);
        assert.equal((await shorter.callback(beforeDeleteArgs(tags))).elapsedSeconds, 1800);
        const gone = setup(undefined, () => undefined);
        job(gone);
        assert.equal((await gone.callback(beforeDeleteArgs(tags))).elapsedSeconds, 1800);
    });

    it("a group without the tag drains for the default bound and says so", async () => {
        const { log, callback } = setup();
        const report = await callback(beforeDeleteArgs({ "managed-by": "pulumi" }));
        assert.equal(report.outcome, "drained");
        assert.ok(log.has("warn", /no drain bound tag on the node group; using 3900 s/));
    });

    it("a garbled tag fails the hook before anything is touched (the old group is kept)", async () => {
        const { cluster, made, callback } = setup();
        await assert.rejects(callback(beforeDeleteArgs({ [DRAIN_BOUND_TAG]: "an hour" })), /drain-bound-seconds"\] is "an hour"/);
        assert.deepEqual([made, cluster.calls], [[], []]);
    });

    it("waits briefly for a kubeconfig not yet resolved, and fails (keeping the group) if it never is", async () => {
        let value: string | undefined;
        const late = setup({ current: () => value });
        late.clock.at(3, () => (value = KUBECONFIG));
        assert.equal((await late.callback(beforeDeleteArgs())).outcome, "drained");
        assert.equal(late.clock.sleeps.slice(0, 3).join(","), "1000,1000,1000");

        const never = setup({ current: () => undefined });
        await assert.rejects(never.callback(beforeDeleteArgs()), /kubeconfig was not known after 300 s; the node group is kept/);
        assert.equal(never.clock.t, 300_000);
        assert.deepEqual(never.made, []);
    });

    it("refuses to run for anything but an EKS node group", async () => {
        const { callback } = setup();
        const args = { ...beforeDeleteArgs(), type: "aws:autoscaling/tag:Tag" };
        await assert.rejects(callback(args), /drains only aws:eks\/nodeGroup:NodeGroup resources/);
    });
});

describe("drain hook: kubeconfig capture", () => {
    const settled = async (holder: KubeconfigHolder) => {
        for (let i = 0; i < 100 && holder.current() === undefined; i++) await new Promise((r) => setImmediate(r));
        return holder.current();
    };

    it("keeps the resolved value of an Output, also a secret one, as text", async () => {
        assert.equal(await settled(captureKubeconfig(pulumi.secret(KUBECONFIG))), KUBECONFIG);
        assert.equal(await settled(captureKubeconfig(pulumi.output({ apiVersion: "v1", kind: "Config" }))), KUBECONFIG);
    });
});
