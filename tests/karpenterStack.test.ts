import { strict as assert } from "assert";
import { parse as parseToml } from "smol-toml";
import { StackConfig } from "../config";
import { KARPENTER } from "../config/addons/karpenter";
import { DRAIN_MARGIN_SECONDS } from "../config/patching";
import { durationSeconds } from "../config/nodePools";
import { managementPods } from "../config/managementCapacity";
import { al2023ReleaseParameter } from "../model/amis";
import { JOBS_DISCOVERY_TAG } from "../model/autoscalerTags";
import { DO_NOT_DISRUPT, KARPENTER_DISCOVERY_TAG, KARPENTER_LABELS, KARPENTER_VERSION } from "../model/karpenter";
import { RUNNER_LABELS, roleTaint } from "../model/labels";
import { tolerates, untoleratedTaints } from "../model/placement";
import { PLATFORM_DEPLOYMENTS, platformDaemonSets, resourcesOf } from "../model/platformWorkloads";
import { unknownKeys } from "./fixtures/runnerConfigKeys";
import { discoveryTargets } from "../components/karpenter/discovery";
import { Recorded, Run, runShippedStacks, runStackFile, stackConfigOf } from "./support/harness";

const T = {
    release: "kubernetes:helm.sh/v3:Release",
    nodePool: "kubernetes:karpenter.sh/v1:NodePool",
    nodeClass: "kubernetes:karpenter.k8s.aws/v1:EC2NodeClass",
    nodeGroup: "aws:eks/nodeGroup:NodeGroup",
    ec2Tag: "aws:ec2/tag:Tag",
    subnet: "aws:ec2/subnet:Subnet",
    asgTag: "aws:autoscaling/tag:Tag",
    pdb: "kubernetes:policy/v1:PodDisruptionBudget",
};
const nameOf = (resource: unknown) => (resource as { __name?: string } | undefined)?.__name;
const dependsOn = (r: Recorded) => ([] as unknown[]).concat(r.opts?.dependsOn ?? []).map(nameOf);
const taintsOf = (pool: Recorded) =>
    (pool.inputs.spec.template.spec.taints as { key: string; value: string; effect: "NoSchedule" }[]).map((t) => ({ ...t }));
const requirement = (pool: Recorded, key: string) =>
    pool.inputs.spec.template.spec.requirements.find((r: { key: string }) => r.key === key)?.values as string[];

describe("Karpenter as the job-capacity engine (examples/Pulumi.karpenter.yaml)", () => {
    let run: Run;
    let config: StackConfig;
    const shipped: Record<string, Run> = {};
    before(async () => {
        config = stackConfigOf("karpenter");
        run = await runStackFile("karpenter");
        await runShippedStacks(shipped);
    });
    const release = (name: string) => run.one(T.release, name);
    const controller = () => release("addons-karpenter-release");

    it("deploys no Cluster Autoscaler and no autoscaled node group: only the management group stays", () => {
        assert.deepEqual(
            run.ofType(T.release).filter((r) => r.inputs.chart === "cluster-autoscaler"),
            [],
        );
        assert.equal(run.ofType("eks-gitlab-runners:index:ClusterAutoscaler").length, 0);
        assert.equal(run.resources.filter((r) => r.name.startsWith("addons-cluster-autoscaler")).length, 0);
        assert.deepEqual(
            run.ofType(T.nodeGroup).map((g) => g.inputs.labels["eks-gitlab-runners/role"]),
            ["management"],
        );
        assert.equal(run.ofType(T.asgTag).filter((t) => t.inputs.tag.key === JOBS_DISCOVERY_TAG).length, 0);
    });

    // Chart and CRD chart: aws/karpenter-provider-aws website/content/en/v1.14/getting-started/getting-started-with-karpenter/
    // scripts/step08-apply-helm-chart.sh (oci://public.ecr.aws/karpenter/karpenter) and upgrading/upgrade-guide.md "CRD
    // Upgrades" (Helm never upgrades a chart's crds/; the karpenter-crd chart does). AWS_REGION: pkg/operator/operator.go
    // @v1.14.1 asks instance metadata for the region when it is unset, which pods cannot reach with hop limit 1.
    it("installs the pinned chart from its OCI registry, its CRDs from karpenter-crd first", () => {
        const crds = release("addons-karpenter-crds");
        assert.equal(crds.inputs.chart, KARPENTER.chart.crdChart);
        assert.equal(crds.inputs.version, KARPENTER_VERSION);
        assert.equal(crds.inputs.name, "karpenter-crd");
        const r = controller();
        assert.equal(r.inputs.chart, "oci://public.ecr.aws/karpenter/karpenter");
        assert.equal(r.inputs.version, KARPENTER_VERSION);
        assert.equal(r.inputs.repositoryOpts, undefined, "an OCI chart has no repository");
        assert.equal(r.inputs.skipCrds, true, "the CRD chart owns the CRDs (and upgrades them)");
        assert.equal(r.inputs.namespace, "kube-system");
        assert.ok(dependsOn(r).includes("addons-karpenter-crds"));
        assert.ok(dependsOn(r).includes("addons-karpenter-pod-identity"), "credentials before the first pod");
        assert.ok(dependsOn(r).includes("karpenter-interruption-queue"), "the queue before the controller reads it");
        const v = r.inputs.values;
        // disableClusterStateObservability stays off: the fleet alarms read Karpenter's pod and node pool metrics
        // (kubernetes-sigs/karpenter pkg/controllers/controllers.go @v1.14.1 starts those controllers only without it).
        assert.deepEqual(v.settings, {
            clusterName: config.cluster.name,
            interruptionQueue: `${config.cluster.name}-karpenter`,
            disableClusterStateObservability: false,
        });
        assert.deepEqual(v.controller.env, [{ name: "AWS_REGION", value: "eu-west-1" }]);
        assert.deepEqual(v.controller.resources, resourcesOf(PLATFORM_DEPLOYMENTS.karpenter));
        assert.equal(v.replicas, 2);
        assert.deepEqual(v.podDisruptionBudget, { maxUnavailable: 1 });
        assert.deepEqual(v.serviceAccount, { create: true, name: "karpenter" });
    });

    // The chart's own default affinity keeps it off nodes carrying karpenter.sh/nodepool (charts/karpenter/values.yaml @v1.14.1).
    it("runs the controller on the management nodes only, never on a node it launched", () => {
        const v = controller().inputs.values;
        const management = run.one(T.nodeGroup).inputs;
        const managementTaints = management.taints.map((t: { key: string; value: string }) => ({
            ...t,
            effect: "NoSchedule" as const,
        }));
        const selectedByManagement = Object.entries(v.nodeSelector).every(
            ([k, value]) =>
                management.labels[k] === value || (k === "kubernetes.io/arch" && value === "amd64") || k === "kubernetes.io/os",
        );
        assert.ok(selectedByManagement, JSON.stringify(v.nodeSelector));
        assert.deepEqual(untoleratedTaints(v.tolerations, managementTaints), []);
        for (const pool of run.ofType(T.nodePool)) {
            const labels = pool.inputs.spec.template.metadata.labels;
            assert.ok(
                Object.entries(v.nodeSelector).some(
                    ([k, value]) => k !== "kubernetes.io/os" && labels[k] !== undefined && labels[k] !== value,
                ),
                `the selector excludes ${pool.name}`,
            );
            assert.notDeepEqual(untoleratedTaints(v.tolerations, taintsOf(pool)), [], `does not tolerate ${pool.name}'s taint`);
        }
        assert.deepEqual(v.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms, [
            { matchExpressions: [{ key: KARPENTER_LABELS.nodePool, operator: "DoesNotExist" }] },
        ]);
        assert.ok(
            managementPods(config.addons, config.runners).some((p) => p.name === "karpenter" && p.replicas === 2),
            "the management capacity counts both replicas",
        );
    });

    it("creates one NodePool and EC2NodeClass per pool, after the controller, its CRDs and what its nodes need to join", () => {
        for (const pool of config.nodePools) {
            const np = run.one(T.nodePool, `karpenter-pools-${pool.name}-nodepool`);
            const nc = run.one(T.nodeClass, `karpenter-pools-${pool.name}-nodeclass`);
            assert.equal(np.parent, "karpenter-pools");
            assert.ok(dependsOn(np).includes(nc.name));
            // On the objects themselves: leaving Karpenter deletes them (draining its nodes) before the controller,
            // and before the access entry that lets those nodes' kubelets in.
            for (const r of [np, nc])
                for (const needed of ["addons-karpenter-release", "karpenter-nodes-role", "karpenter-nodes-access"])
                    assert.ok(dependsOn(r).includes(needed), `${r.name} after ${needed}`);
            const delay = `${Math.ceil(durationSeconds(pool.terminationGracePeriod)! / 60) + 15}m`;
            assert.deepEqual(np.opts?.customTimeouts, { delete: delay }, "deleting waits out the drain");
            assert.deepEqual(nc.opts?.customTimeouts, { delete: delay });
            assert.equal(np.inputs.spec.template.spec.nodeClassRef.name, nc.inputs.metadata.name);
            assert.deepEqual(requirement(np, KARPENTER_LABELS.arch), [pool.arch]);
            assert.deepEqual(requirement(np, KARPENTER_LABELS.capacityType), pool.capacityTypes);
            assert.deepEqual(requirement(np, KARPENTER_LABELS.instanceFamily), pool.instanceFamilies);
            assert.deepEqual(requirement(np, KARPENTER_LABELS.instanceSize), pool.instanceSizes);
            assert.deepEqual(np.inputs.spec.limits, { cpu: String(pool.cpuLimit) });
            assert.equal(np.inputs.spec.disruption.consolidationPolicy, "WhenEmpty");
            assert.equal(np.inputs.spec.disruption.consolidateAfter, pool.consolidateAfter);
            assert.equal(np.inputs.spec.template.spec.expireAfter, pool.expireAfter);
            assert.deepEqual(taintsOf(np), [roleTaint("jobs")]);
        }
    });

    // disruption.md (v1.14), "TerminationGracePeriod": pods still running when it elapses are deleted, do-not-disrupt or not.
    it("bounds draining by the longest job of each pool, with the margin", () => {
        for (const np of run.ofType(T.nodePool)) {
            const own = config.runners.filter((r) => r.nodePool === np.inputs.metadata.name);
            const longest = Math.max(...own.map((r) => r.maxJobTimeoutMinutes * 60));
            const grace = durationSeconds(np.inputs.spec.template.spec.terminationGracePeriod)!;
            assert.equal(grace, longest + DRAIN_MARGIN_SECONDS, np.name);
        }
    });

    // nodeclasses.md (v1.14): metadataOptions, the AL2023 root device /dev/xvda, `alias: al2023@v<date>`; the subnet and
    // security-group tag of getting-started/migrating-from-cas/scripts/step05-tag-subnets.sh and step06-tag-security-groups.sh.
    it("node classes: IMDSv2 with hop limit 1, encrypted gp3, the AMI release read at this deploy, tagged subnets and security group", () => {
        for (const nc of run.ofType(T.nodeClass)) {
            const spec = nc.inputs.spec;
            assert.deepEqual(spec.metadataOptions, {
                httpEndpoint: "enabled",
                httpProtocolIPv6: "disabled",
                httpPutResponseHopLimit: 1,
                httpTokens: "required",
            });
            assert.deepEqual(spec.blockDeviceMappings[0].ebs, {
                volumeSize: "100Gi",
                volumeType: "gp3",
                encrypted: true,
                deleteOnTermination: true,
            });
            assert.deepEqual(spec.amiSelectorTerms, [{ alias: "al2023@v20251112" }], "the mocked SSM release 1.34.2-20251112");
            assert.equal(spec.role, `${config.cluster.name}-karpenter-node`);
            assert.deepEqual(spec.subnetSelectorTerms, [{ tags: { [KARPENTER_DISCOVERY_TAG]: config.cluster.name } }]);
            assert.deepEqual(spec.securityGroupSelectorTerms, spec.subnetSelectorTerms);
        }
        const read = run.calls.filter((c) => c.token === "aws:ssm/getParameter:getParameter").map((c) => c.inputs.name);
        for (const arch of ["amd64", "arm64"] as const) assert.ok(read.includes(al2023ReleaseParameter(arch, "1.34")), arch);
        // The pod subnets carry the tag from creation; the cluster security group gets it from a tag resource; the
        // cluster subnets (management nodes) do not.
        for (const s of run.ofType(T.subnet)) assert.equal(s.inputs.tags[KARPENTER_DISCOVERY_TAG], config.cluster.name);
        const tags = run.ofType(T.ec2Tag);
        assert.deepEqual(
            tags.map((t) => [t.inputs.resourceId, t.inputs.key, t.inputs.value]),
            [["sg-0c1a55e7c1a55e7c1", KARPENTER_DISCOVERY_TAG, config.cluster.name]],
        );
    });

    // disruption.md (v1.14), "Pod-Level Controls": `karpenter.sh/do-not-disrupt: "true"` keeps the pod's node from voluntary
    // disruption and the pod from eviction while its node drains.
    it("every job pod's selector, tolerations, labels and annotation agree with its pool", () => {
        for (const r of config.runners) {
            const text = release(`gitlab-${r.name}-release`).inputs.values.runners.config;
            assert.deepEqual(unknownKeys(text, r.chart.runnerVersion), []);
            const toml = parseToml(text) as any;
            const k = toml.runners[0].kubernetes;
            const np = run.one(T.nodePool, `karpenter-pools-${r.nodePool}-nodepool`);
            assert.deepEqual(
                { ...k.node_selector },
                {
                    ...np.inputs.spec.template.metadata.labels,
                    "kubernetes.io/arch": requirement(np, KARPENTER_LABELS.arch)[0],
                },
            );
            const tolerations = Object.entries(k.node_tolerations as Record<string, string>).map(([kv, effect]) => {
                const [key, value] = kv.split("=");
                return { key, value, operator: "Equal" as const, effect: effect as "NoSchedule" };
            });
            assert.deepEqual(untoleratedTaints(tolerations, taintsOf(np)), []);
            assert.deepEqual({ ...k.pod_annotations }, DO_NOT_DISRUPT);
            assert.equal(k.pod_labels[RUNNER_LABELS.nodeGroup], r.nodePool);
            // No other pool matches the selector: the jobs land on their own pool only.
            for (const other of run.ofType(T.nodePool).filter((p) => p !== np))
                assert.ok(
                    Object.entries(k.node_selector).some(([key, value]) => {
                        const labels = {
                            ...other.inputs.spec.template.metadata.labels,
                            "kubernetes.io/arch": requirement(other, KARPENTER_LABELS.arch)[0],
                        };
                        return labels[key] !== value;
                    }),
                );
            // The PodDisruptionBudget of seed 000 stays.
            assert.equal(run.one(T.pdb, `gitlab-${r.name}-jobs`).inputs.spec.maxUnavailable, 0);
        }
    });

    it("every per-node DaemonSet tolerates the pools' taints", () => {
        for (const d of platformDaemonSets({ containerInsights: config.addons.containerInsights.enabled }))
            for (const np of run.ofType(T.nodePool))
                for (const taint of taintsOf(np))
                    assert.ok(
                        d.tolerations.some((t) => tolerates(t, taint)),
                        `${d.daemonSet} on ${np.name}`,
                    );
    });

    it("exports the pools", () => {
        assert.deepEqual(run.outputs.nodePools, ["amd64", "amd64-spot", "arm64-spot"]);
    });

    it("the shipped stacks stay on Cluster Autoscaler, with no Karpenter resource and their pod subnets' tags as before", () => {
        for (const [stack, r] of Object.entries(shipped)) {
            assert.equal(r.resources.filter((x) => /karpenter/i.test(x.type) || /karpenter/.test(x.name)).length, 0, stack);
            assert.equal(r.ofType(T.release).filter((x) => x.inputs.chart === "cluster-autoscaler").length, 1, stack);
            assert.equal(r.ofType("aws:eks/accessEntry:AccessEntry").length, 0, "managed node groups need no entry of their own");
            for (const s of r.ofType(T.subnet)) assert.equal(s.inputs.tags[KARPENTER_DISCOVERY_TAG], undefined);
        }
    });

    it("without pod subnets, tags the cluster subnets by tag resources (they are not this program's); nothing on Cluster Autoscaler", () => {
        const network = { ...config.network, podSubnets: undefined };
        assert.deepEqual(discoveryTargets({ ...config, network }), { subnetIdsToTag: config.network.subnetIds });
        assert.deepEqual(discoveryTargets(config), {
            podSubnetTags: { [KARPENTER_DISCOVERY_TAG]: config.cluster.name },
            subnetIdsToTag: [],
        });
        assert.deepEqual(discoveryTargets(stackConfigOf("prod")), { subnetIdsToTag: [] });
    });
});
