import { strict as assert } from "assert";
import { drainNodeGroup, podAction, PodState } from "../components/nodegroups/lifecycle/drain";
import { JOBS_DISCOVERY_TAG } from "../model/autoscalerTags";
import { RUNNER_LABELS } from "../model/labels";
import { FakeClock, FakeCluster, RecordingLogger } from "./support/lifecycleFakes";

const JOB = { labels: { [RUNNER_LABELS.runner]: "amd64", [RUNNER_LABELS.nodeGroup]: "amd64" } };
const MANAGER = {
    labels: { [RUNNER_LABELS.runner]: "amd64", [RUNNER_LABELS.component]: "manager" },
    controllerKind: "ReplicaSet",
};
const DAEMON = { controllerKind: "DaemonSet" };

function setup(role: "jobs" | "management", boundSeconds = 3900) {
    const clock = new FakeClock();
    const cluster = new FakeCluster(clock);
    const log = new RecordingLogger();
    const plan = { nodeGroupName: "amd64-3f2a", role, asgName: "eks-amd64-3f2a-asg", boundSeconds };
    cluster.asgTags.set(plan.asgName, new Set([JOBS_DISCOVERY_TAG, "k8s.io/cluster-autoscaler/enabled"]));
    return { clock, cluster, log, plan, run: () => drainNodeGroup(plan, cluster, clock, log) };
}

const evictions = (cluster: FakeCluster) => cluster.calls.filter((c) => c.startsWith("evict")).map((c) => c.slice(6));

// Upstream behaviour these tests encode (cited at the code in drain.ts):
// - kubectl drain skips DaemonSet, mirror and finished pods: kubernetes/kubernetes staging/src/k8s.io/kubectl/pkg/drain/filters.go;
// - a terminating pod no longer counts for its ReplicaSet, which starts a replacement at once: IsPodActive,
//   pkg/controller/controller_utils.go; Kubernetes docs "Pod Lifecycle", termination;
// - the Eviction API answers 429 while a PodDisruptionBudget forbids it, 500 when several select the pod: Kubernetes
//   docs "API-initiated Eviction", https://kubernetes.io/docs/concepts/scheduling-eviction/api-eviction/;
// - a before-delete hook that throws prevents the delete and fails the deployment: Pulumi docs "Resource option: hooks".
describe("drain: which pods go, which are waited for", () => {
    const pod = (p: Partial<PodState>): PodState => ({
        namespace: "ns",
        name: "p",
        labels: {},
        annotations: {},
        phase: "Running",
        terminating: false,
        ...p,
    });

    it("job groups wait for CI job pods and evict everything else that can move", () => {
        assert.equal(podAction(pod(JOB), "jobs"), "wait");
        assert.equal(podAction(pod({ controllerKind: "ReplicaSet" }), "jobs"), "evict");
        // Warm-capacity pause pods carry the runner's label but belong to a Deployment: they never finish by themselves.
        assert.equal(podAction(pod({ ...JOB, controllerKind: "ReplicaSet" }), "jobs"), "evict");
        assert.equal(podAction(pod({}), "jobs"), "evict", "an unmanaged non-job pod would die with the node anyway");
    });

    it("the management group evicts runner managers too (their ReplicaSet replaces them at once)", () => {
        assert.equal(podAction(pod(MANAGER), "management"), "evict");
        assert.equal(podAction(pod({ ...MANAGER, terminating: true }), "management"), "wait");
    });

    it("like kubectl drain, DaemonSet, mirror and finished pods are left alone", () => {
        for (const role of ["jobs", "management"] as const) {
            assert.equal(podAction(pod(DAEMON), role), "ignore");
            assert.equal(podAction(pod({ annotations: { "kubernetes.io/config.mirror": "abc" } }), role), "ignore");
            assert.equal(podAction(pod({ ...JOB, phase: "Succeeded" }), role), "ignore");
            assert.equal(podAction(pod({ phase: "Failed" }), role), "ignore");
        }
    });
});

describe("drain: job groups", () => {
    it("no jobs: stops the autoscaler first, cordons, evicts the rest and is done within a round", async () => {
        const { cluster, log, plan, run } = setup("jobs");
        cluster.addNode("n1", plan.nodeGroupName).addNode("n2", plan.nodeGroupName).addNode("other", "arm64-77aa");
        cluster.addPod("n1", "kube-system/aws-node-1", DAEMON).addPod("n2", "kube-system/kube-proxy-2", DAEMON);
        cluster.addPod("n2", "gitlab-jobs-amd64/warm-pause-1", { controllerKind: "ReplicaSet" });

        const report = await run();

        assert.deepEqual(report, { outcome: "drained", elapsedSeconds: 15, remaining: [] });
        assert.deepEqual(cluster.calls.slice(0, 4), [
            `removeAsgTag ${plan.asgName} ${JOBS_DISCOVERY_TAG}`,
            `listNodes ${plan.nodeGroupName}`,
            "cordon n1",
            "cordon n2",
        ]);
        assert.deepEqual(cluster.asgTags.get(plan.asgName), new Set(["k8s.io/cluster-autoscaler/enabled"]));
        assert.deepEqual(evictions(cluster), ["gitlab-jobs-amd64/warm-pause-1"]);
        assert.equal(cluster.isCordoned("other"), false, "another group's node is untouched");
        assert.ok(log.has("info", /drained after 15 s/));
    });

    it("a job finishing in time: waited for, never evicted, delete proceeds right after", async () => {
        const { clock, cluster, plan, run } = setup("jobs");
        cluster.addNode("n1", plan.nodeGroupName).addPod("n1", "gitlab-jobs-amd64/runner-abc-project-1-concurrent-0", JOB);
        clock.at(600, () => cluster.finish("gitlab-jobs-amd64/runner-abc-project-1-concurrent-0"));

        const report = await run();

        assert.equal(report.outcome, "drained");
        assert.ok(report.elapsedSeconds >= 600 && report.elapsedSeconds <= 615, `${report.elapsedSeconds}`);
        assert.deepEqual(evictions(cluster), []);
        assert.equal(cluster.isCordoned("n1"), true);
    });

    it("a job outliving the bound: logged, not evicted, and the delete proceeds at exactly the bound", async () => {
        const { clock, cluster, log, plan, run } = setup("jobs", 3900);
        cluster.addNode("n1", plan.nodeGroupName).addPod("n1", "gitlab-jobs-amd64/runner-abc-project-2-concurrent-0", JOB);

        const report = await run();

        assert.deepEqual(report, {
            outcome: "bound-reached",
            elapsedSeconds: 3900,
            remaining: ["gitlab-jobs-amd64/runner-abc-project-2-concurrent-0 on n1"],
        });
        assert.equal(clock.t, 3900 * 1000, "never sleeps past the bound");
        assert.deepEqual(evictions(cluster), []);
        assert.ok(log.has("warn", /bound of 3900 s reached.*runner-abc-project-2-concurrent-0 on n1/));
        const progress = log.lines.filter((l) => /waiting for 1 pod/.test(l));
        assert.ok(progress.length >= 13 && progress.length <= 14, `a progress line every 5 minutes, got ${progress.length}`);
    });

    it("a node that disappears mid-wait counts as drained", async () => {
        const { clock, cluster, plan, run } = setup("jobs");
        cluster.addNode("n1", plan.nodeGroupName).addNode("n2", plan.nodeGroupName);
        cluster.addPod("n1", "gitlab-jobs-amd64/runner-long", JOB);
        clock.at(300, () => cluster.removeNode("n1"));

        const report = await run();

        assert.equal(report.outcome, "drained");
        assert.ok(report.elapsedSeconds >= 300 && report.elapsedSeconds <= 315);
    });

    it("a node joining during the wait is cordoned, and its job is waited for too", async () => {
        const { clock, cluster, log, plan, run } = setup("jobs");
        cluster.addNode("n1", plan.nodeGroupName).addPod("n1", "gitlab-jobs-amd64/job-1", JOB);
        clock.at(120, () => cluster.addNode("n3", plan.nodeGroupName).addPod("n3", "gitlab-jobs-amd64/job-2", JOB));
        clock.at(900, () => cluster.finish("gitlab-jobs-amd64/job-1"));
        clock.at(1800, () => cluster.finish("gitlab-jobs-amd64/job-2"));

        const report = await run();

        assert.equal(report.outcome, "drained");
        assert.ok(report.elapsedSeconds >= 1800 && report.elapsedSeconds <= 1815);
        assert.equal(cluster.isCordoned("n3"), true);
        assert.ok(log.has("info", /cordoned node n3 \(joined during the drain\)/));
        assert.ok(!log.has("info", /cordoned node n1 \(joined/));
        assert.deepEqual(evictions(cluster), []);
    });

    it("PodDisruptionBudget 429s are retried each round until the eviction is allowed", async () => {
        const { cluster, log, plan, run } = setup("jobs");
        cluster.addNode("n1", plan.nodeGroupName);
        cluster.addPod("n1", "gitlab-jobs-amd64/warm-pause-1", { controllerKind: "ReplicaSet", pdbRefusals: 2 });

        const report = await run();

        assert.equal(report.outcome, "drained");
        assert.deepEqual(evictions(cluster), [
            "gitlab-jobs-amd64/warm-pause-1",
            "gitlab-jobs-amd64/warm-pause-1",
            "gitlab-jobs-amd64/warm-pause-1",
        ]);
        assert.equal(log.lines.filter((l) => /refused by a PodDisruptionBudget \(429\)/.test(l)).length, 1, "logged once");
    });

    it("an eviction failing otherwise (500) or a failed tag removal is retried next round", async () => {
        const { cluster, log, plan, run } = setup("jobs");
        cluster.failRemoveTag = 1;
        cluster.addNode("n1", plan.nodeGroupName).addPod("n1", "default/stray", { controllerKind: "ReplicaSet" });
        let failed = false;
        const evict = cluster.evict.bind(cluster);
        cluster.evict = async (ns, name) => {
            if (!failed) {
                failed = true;
                throw new Error("Internal error occurred: This pod has more than one PodDisruptionBudget");
            }
            return evict(ns, name);
        };

        const report = await run();

        assert.equal(report.outcome, "drained");
        assert.ok(log.has("warn", /could not remove eks-gitlab-runners\/autoscaled.*Rate exceeded/));
        assert.ok(log.has("warn", /eviction of default\/stray failed.*more than one PodDisruptionBudget/));
        assert.equal(cluster.calls.filter((c) => c.startsWith("removeAsgTag")).length, 2);
        assert.ok(
            cluster.calls.indexOf("cordon n1") < cluster.calls.lastIndexOf(`removeAsgTag ${plan.asgName} ${JOBS_DISCOVERY_TAG}`),
        );
    });
});

describe("drain: API errors", () => {
    it("transient errors are retried with exponential backoff", async () => {
        const { clock, cluster, log, plan, run } = setup("jobs");
        cluster.failListNodes = 3;
        cluster.addNode("n1", plan.nodeGroupName);

        const report = await run();

        assert.equal(report.outcome, "drained");
        assert.deepEqual(clock.sleeps, [5000, 10000, 20000]);
        assert.equal(log.lines.filter((l) => /Kubernetes API call failed \(attempt \d/.test(l)).length, 3);
    });

    it("an API never observed before the bound fails the hook (the old group is kept) without touching a node", async () => {
        const { clock, cluster, plan, run } = setup("jobs", 600);
        cluster.failListNodes = Infinity;
        cluster.addNode("n1", plan.nodeGroupName).addPod("n1", "gitlab-jobs-amd64/job-1", JOB);

        await assert.rejects(run(), /could not be observed once in 600 s \(\d+ failed attempts\); the node group is kept/);

        assert.equal(clock.t, 600 * 1000);
        assert.ok(
            clock.sleeps.every((ms) => ms <= 120_000),
            "backoff is capped at 2 minutes",
        );
        assert.equal(cluster.isCordoned("n1"), false);
        assert.deepEqual(evictions(cluster), []);
    });

    it("an API lost after one full observation still lets the delete proceed at the bound, naming what was last seen", async () => {
        const { clock, cluster, log, plan, run } = setup("jobs", 1200);
        cluster.addNode("n1", plan.nodeGroupName).addPod("n1", "gitlab-jobs-amd64/job-1", JOB);
        clock.at(60, () => (cluster.failListNodes = Infinity));

        const report = await run();

        assert.deepEqual([report.outcome, report.remaining], ["bound-reached", ["gitlab-jobs-amd64/job-1 on n1"]]);
        assert.ok(log.has("warn", /as last seen/));
    });
});

describe("drain: the management group", () => {
    it("evicts runner managers and platform pods, retries PDB refusals, and waits for the managers' preStop", async () => {
        const { cluster, plan, run } = setup("management", 3900);
        cluster.addNode("m1", plan.nodeGroupName).addNode("m2", plan.nodeGroupName);
        cluster.addPod("m1", "gitlab-runner/amd64-gitlab-runner-7d9f-abcde", { ...MANAGER, graceSeconds: 2400 });
        cluster.addPod("m1", "kube-system/coredns-1", { controllerKind: "ReplicaSet", pdbRefusals: 1, graceSeconds: 30 });
        cluster.addPod("m2", "kube-system/metrics-server-1", { controllerKind: "ReplicaSet", graceSeconds: 30 });
        cluster.addPod("m1", "kube-system/aws-node-1", DAEMON).addPod("m2", "amazon-cloudwatch/fluent-bit-2", DAEMON);

        const report = await run();

        assert.equal(report.outcome, "drained");
        assert.ok(report.elapsedSeconds >= 2400 && report.elapsedSeconds <= 2415, `${report.elapsedSeconds}`);
        assert.deepEqual(evictions(cluster).slice(0, 3), [
            "gitlab-runner/amd64-gitlab-runner-7d9f-abcde",
            "kube-system/coredns-1",
            "kube-system/metrics-server-1",
        ]);
        assert.equal(
            evictions(cluster).filter((e) => e.includes("amd64-gitlab-runner")).length,
            1,
            "evicted once, then waited for",
        );
        assert.equal(evictions(cluster).filter((e) => e === "kube-system/coredns-1").length, 2);
        assert.ok(!cluster.calls.some((c) => c.startsWith("removeAsgTag")), "the management ASG is never discoverable");
        assert.deepEqual(cluster.podIds(), ["amazon-cloudwatch/fluent-bit-2", "kube-system/aws-node-1"]);
    });
});
