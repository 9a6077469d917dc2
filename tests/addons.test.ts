import { allNodeGroups } from "../config";
import { untoleratedTaints } from "../model/placement";
import { strict as assert } from "assert";
import { PROJECT, StackConfig } from "../config";
import { CLUSTER_AUTOSCALER } from "../config/addons/clusterAutoscaler";
import { CONTAINER_INSIGHTS, containerInsightsLogGroupName } from "../config/addons/containerInsights";
import { METRICS_SERVER } from "../config/addons/metricsServer";
import { PRIORITY_CLASS_SPECS, SYSTEM_CLUSTER_CRITICAL } from "../model/priorityClasses";
import { platformDaemonSets } from "../model/platformWorkloads";
import { placementOn } from "../model/placement";
import { autoDiscoveryFlag } from "../model/autoscalerTags";
import { clusterAutoscalerFlags } from "../config/clusterAutoscalerFlags";
import { COLLECTED_METRICS } from "../config/observability/metrics";
import { prometheusLogGroupName } from "../config/observability/scrape";
import { assertLeastPrivilegeAutoscalerPolicy } from "./support/addonsChecks";
import {
    fakeRunnerTokens,
    ProgramError,
    Recorded,
    Run,
    runProgram,
    runStackFile,
    stackConfigOf,
    stackFileConfig,
} from "./support/harness";

const T = {
    addons: "eks-gitlab-runners:index:ClusterAddons",
    clusterAutoscaler: "eks-gitlab-runners:index:ClusterAutoscaler",
    metricsServer: "eks-gitlab-runners:index:MetricsServer",
    containerInsights: "eks-gitlab-runners:index:ContainerInsights",
    priorityClasses: "eks-gitlab-runners:index:PriorityClasses",
    release: "kubernetes:helm.sh/v3:Release",
    priorityClass: "kubernetes:scheduling.k8s.io/v1:PriorityClass",
    eksAddon: "aws:eks/addon:Addon",
    role: "aws:iam/role:Role",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
    attachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    association: "aws:eks/podIdentityAssociation:PodIdentityAssociation",
    logGroup: "aws:cloudwatch/logGroup:LogGroup",
    observability: "eks-gitlab-runners:index:FleetObservability",
    alarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
    dashboard: "aws:cloudwatch/dashboard:Dashboard",
};

/**
 * What of the fleet's observability an add-on takes with it: Container Insights all of it (it collects the metrics);
 * Cluster Autoscaler the alarms on its metrics (the engine's set, config/observability/metrics.ts).
 */
function observabilityOf(run: Run, addon: Addon): Recorded[] {
    if (addon === "containerInsights") return run.resources.filter((r) => under(run, r, T.observability));
    if (addon !== "clusterAutoscaler") return [];
    const caMetrics = new Set(COLLECTED_METRICS.filter((m) => m.source === "clusterAutoscaler").map((m) => m.name));
    return run.ofType(T.alarm).filter((a) => caMetrics.has(a.inputs.metricName));
}
const STACKS = ["test", "prod"] as const;
const ADDONS = ["clusterAutoscaler", "metricsServer", "containerInsights"] as const;
type Addon = (typeof ADDONS)[number];
const ADDONS_KEY = `${PROJECT}:addons`;

/** The stack file's addons section with one add-on switched off. */
function withDisabled(stack: string, addon: Addon): Record<string, unknown> {
    const addons = structuredClone((stackFileConfig(stack)[ADDONS_KEY] ?? {}) as Record<string, any>);
    addons[addon] = { ...(addons[addon] ?? {}), enabled: false };
    return { [ADDONS_KEY]: addons };
}

const nameOf = (resource: unknown) => (resource as { __name?: string } | undefined)?.__name;
const dependsOnNames = (r: Recorded) => ([] as unknown[]).concat(r.opts?.dependsOn ?? []).map(nameOf);
/** Whether `r` is `componentType` itself or one of its descendants (walking the recorded parent names). */
function under(run: Run, r: Recorded, componentType: string): boolean {
    for (
        let node: Recorded | undefined = r;
        node;
        node = node.parent ? run.resources.find((x) => !x.custom && x.name === node!.parent) : undefined
    ) {
        if (node.type === componentType) return true;
    }
    return false;
}
const key = (r: Recorded) => `${r.type}::${r.name}`;

describe("cluster add-ons", () => {
    const runs = {} as Record<(typeof STACKS)[number], Run>;
    const disabled = {} as Record<(typeof STACKS)[number], Record<Addon, Run>>;
    const configs = {} as Record<(typeof STACKS)[number], StackConfig>;
    before(async function () {
        // Eight program runs (each stack, then each add-on disabled in it): ~12 s here, more on a loaded CI machine.
        this.timeout(60_000);
        for (const stack of STACKS) {
            configs[stack] = stackConfigOf(stack);
            runs[stack] = await runStackFile(stack);
            disabled[stack] = {} as Record<Addon, Run>;
            for (const addon of ADDONS) disabled[stack][addon] = await runStackFile(stack, withDisabled(stack, addon));
        }
    });

    for (const stack of STACKS) {
        describe(`stack ${stack}`, () => {
            const run = () => runs[stack];
            const config = () => configs[stack];
            const management = () => config().nodeGroups.management;
            const release = (name: string) =>
                run()
                    .ofType(T.release)
                    .find((r) => r.inputs.name === name)!;
            const caValues = () => release(CLUSTER_AUTOSCALER.releaseName).inputs.values;

            it("the shipped stack enables every add-on", () => {
                assert.deepEqual(
                    ADDONS.map((a) => config().addons[a].enabled),
                    [true, true, true],
                );
            });

            it("Cluster Autoscaler: pinned official chart, 2 replicas with leader election, a PDB, never pre-empted", () => {
                const r = release(CLUSTER_AUTOSCALER.releaseName).inputs;
                assert.deepEqual(
                    [r.chart, r.version, r.repositoryOpts.repo, r.namespace],
                    ["cluster-autoscaler", "9.59.0", "https://kubernetes.github.io/autoscaler", "kube-system"],
                );
                assert.equal(r.version, CLUSTER_AUTOSCALER.chart.version);
                const v = caValues();
                assert.equal(v.replicaCount, 2);
                assert.equal(v.extraArgs["leader-elect"], "true");
                assert.deepEqual(v.podDisruptionBudget, { maxUnavailable: 1 });
                assert.equal(v.priorityClassName, SYSTEM_CLUSTER_CRITICAL.name);
                assert.ok(SYSTEM_CLUSTER_CRITICAL.value > PRIORITY_CLASS_SPECS.jobs.value, "outranks every CI job");
            });

            it("Cluster Autoscaler: only on management nodes (node selector + toleration of their taint)", () => {
                const v = caValues();
                assert.deepEqual(v.nodeSelector, { ...management().labels, "kubernetes.io/arch": management().arch });
                assert.deepEqual(v.tolerations, [
                    { key: "eks-gitlab-runners/role", operator: "Equal", value: "management", effect: "NoSchedule" },
                ]);
                for (const jobs of allNodeGroups(config().nodeGroups).filter((g) => g.role === "jobs")) {
                    assert.ok(
                        Object.entries(v.nodeSelector).some(([k, val]) => jobs.labels[k] !== val),
                        `the selector must not match job group ${jobs.name}`,
                    );
                }
            });

            it("Cluster Autoscaler: region, this cluster's auto-discovery and an image of the cluster's minor", () => {
                const v = caValues();
                assert.equal(v.awsRegion, config().region);
                assert.equal(v.autoDiscovery.clusterName, config().cluster.name);
                assert.equal(`asg:tag=${v.autoDiscovery.tags.join(",")}`, autoDiscoveryFlag(config().cluster.name));
                const [, minor] = /^v(\d+\.\d+)\.\d+$/.exec(v.image.tag) ?? [];
                assert.equal(minor, config().cluster.version);
            });

            it("Cluster Autoscaler: every flag it is given is a flag of the image it runs", () => {
                const flags = Object.keys(caValues().extraArgs);
                assert.ok(flags.length >= 9, flags.join(", "));
                const image = clusterAutoscalerFlags(caValues().image.tag);
                assert.ok(image, `no flag list for image ${caValues().image.tag}`);
                for (const flag of flags)
                    assert.ok(image.flags.has(flag), `--${flag} is not a flag of Cluster Autoscaler ${image.version}`);
                assert.equal(caValues().extraArgs["skip-nodes-with-local-storage"], "false", "job pods use emptyDir");
            });

            it("Cluster Autoscaler: its own role through Pod Identity, writes only on this cluster's job groups", () => {
                const component = run().one(T.clusterAutoscaler).name;
                const role = run().resources.find((r) => r.type === T.role && r.parent === component)!;
                assert.deepEqual(JSON.parse(role.inputs.assumeRolePolicy).Statement[0].Principal, {
                    Service: "pods.eks.amazonaws.com",
                });
                const policy = run().resources.find((r) => r.type === T.rolePolicy && r.parent === component)!;
                assert.equal(policy.inputs.role, `${role.name}-id`);
                assertLeastPrivilegeAutoscalerPolicy(JSON.parse(policy.inputs.policy), config().cluster.name);

                const association = run().resources.find((r) => r.type === T.association && r.parent === component)!;
                assert.deepEqual(
                    [association.inputs.namespace, association.inputs.serviceAccount],
                    [CLUSTER_AUTOSCALER.namespace, caValues().rbac.serviceAccount.name],
                );
                assert.equal(association.inputs.roleArn, `arn:aws:iam::123456789012:role/${role.name}`);
                assert.equal(association.inputs.clusterName, config().cluster.name);
                assert.ok(
                    dependsOnNames(association).includes("runners-pod-identity-agent"),
                    "associations need the pod identity agent",
                );
                const releaseDeps = dependsOnNames(release(CLUSTER_AUTOSCALER.releaseName));
                assert.ok(releaseDeps.includes(association.name), "pods start after the association exists");
                assert.ok(releaseDeps.includes(management().resourceName), "and after the management nodes exist");
            });

            it("metrics-server: pinned official chart, 2 replicas and a PDB on the management nodes", () => {
                const r = release(METRICS_SERVER.releaseName).inputs;
                assert.deepEqual(
                    [r.chart, r.version, r.repositoryOpts.repo, r.namespace],
                    ["metrics-server", "3.13.1", "https://kubernetes-sigs.github.io/metrics-server/", "kube-system"],
                );
                assert.equal(r.values.replicas, 2);
                assert.deepEqual(r.values.podDisruptionBudget, { enabled: true, maxUnavailable: 1 });
                assert.deepEqual(
                    { nodeSelector: r.values.nodeSelector, tolerations: r.values.tolerations },
                    placementOn(management()),
                );
            });

            it("Container Insights: the EKS add-on with its role via Pod Identity and retained log groups", () => {
                const component = run().one(T.containerInsights).name;
                const addon = run()
                    .ofType(T.eksAddon)
                    .find((a) => a.inputs.addonName === CONTAINER_INSIGHTS.addonName)!;
                assert.equal(addon.parent, component);
                assert.equal(addon.inputs.addonVersion, "v1.0.0-eksbuild.1");
                const lookup = run().calls.find(
                    (c) =>
                        c.token === "aws:eks/getAddonVersion:getAddonVersion" &&
                        c.inputs.addonName === CONTAINER_INSIGHTS.addonName,
                )!;
                assert.deepEqual([lookup.inputs.kubernetesVersion, lookup.inputs.mostRecent], [config().cluster.version, true]);

                const role = run().resources.find((r) => r.type === T.role && r.parent === component)!;
                assert.deepEqual(addon.inputs.podIdentityAssociations, [
                    { roleArn: `arn:aws:iam::123456789012:role/${role.name}`, serviceAccount: "cloudwatch-agent" },
                ]);
                assert.deepEqual(JSON.parse(role.inputs.assumeRolePolicy).Statement[0].Action, [
                    "sts:AssumeRole",
                    "sts:TagSession",
                ]);
                const attachment = run().resources.find((r) => r.type === T.attachment && r.parent === component)!;
                assert.deepEqual(
                    [attachment.inputs.role, attachment.inputs.policyArn],
                    [role.name, "arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy"],
                );

                const groups = run().resources.filter((r) => r.type === T.logGroup && r.parent === component);
                // The four Container Insights groups, and the fleet metrics' samples (observability is on in both stacks).
                assert.deepEqual(
                    groups.map((g) => g.inputs.name),
                    [
                        ...CONTAINER_INSIGHTS.logGroups.map((k) => containerInsightsLogGroupName(config().cluster.name, k)),
                        prometheusLogGroupName(config().cluster.name),
                    ],
                );
                for (const g of groups)
                    assert.equal(g.inputs.retentionInDays, config().addons.containerInsights.logRetentionDays);
                const deps = dependsOnNames(addon);
                for (const g of groups) assert.ok(deps.includes(g.name), `${g.name} exists before the add-on writes to it`);
                assert.ok(deps.includes("runners-pod-identity-agent"));
            });

            it("priority classes: created once, with fixed names and the platform > jobs > warm capacity order", () => {
                const classes = run().ofType(T.priorityClass);
                assert.deepEqual(
                    classes.map((c) => [
                        c.inputs.metadata.name,
                        c.inputs.value,
                        c.inputs.preemptionPolicy,
                        c.inputs.globalDefault,
                    ]),
                    Object.values(PRIORITY_CLASS_SPECS).map((s) => [s.name, s.value, s.preemptionPolicy, false]),
                );
                assert.equal(run().ofType(T.priorityClasses).length, 1);
            });

            it("every add-on resource hangs under its component; Kubernetes ones use the cluster's provider", () => {
                const mine = run().resources.filter((r) => under(run(), r, T.addons));
                assert.ok(mine.length >= 20, `${mine.length} add-on resources`);
                for (const r of mine) {
                    assert.ok(r.name.startsWith("addons-") || r.name === "addons", `${r.name} is not named after its component`);
                    if (r.type.startsWith("kubernetes:"))
                        assert.equal(nameOf(r.opts?.provider), "runners-k8s", `${r.name} uses another provider`);
                }
                for (const type of [T.clusterAutoscaler, T.metricsServer, T.containerInsights, T.priorityClasses])
                    assert.equal(run().one(type).parent, "addons");
                const mineByName = [CLUSTER_AUTOSCALER.releaseName, METRICS_SERVER.releaseName].map((n) => release(n));
                for (const r of [...mineByName, ...run().ofType(T.priorityClass)])
                    assert.ok(under(run(), r, T.addons), `${r.name} outside the add-ons`);
            });

            it("every platform DaemonSet tolerates every node group's taints", () => {
                const daemonSets = platformDaemonSets({ containerInsights: config().addons.containerInsights.enabled }).map(
                    (d) => d.daemonSet,
                );
                assert.deepEqual(daemonSets, [
                    "aws-node",
                    "kube-proxy",
                    "eks-pod-identity-agent",
                    "cloudwatch-agent",
                    "fluent-bit",
                ]);
                for (const group of allNodeGroups(config().nodeGroups)) {
                    assert.ok(group.taints.length > 0, `${group.name} is tainted`);
                    for (const ds of platformDaemonSets({ containerInsights: config().addons.containerInsights.enabled })) {
                        assert.deepEqual(
                            untoleratedTaints(ds.tolerations, group.taints),
                            [],
                            `${ds.daemonSet} would not run on ${group.name} (${ds.source})`,
                        );
                    }
                }
                // The table holds upstream defaults: nothing this program deploys may replace them.
                const cluster = run().one("eks:index:Cluster").inputs;
                for (const configured of [
                    cluster.vpcCniOptions?.configurationValues,
                    cluster.kubeProxyAddonOptions?.configurationValues,
                ]) {
                    assert.equal((typeof configured === "string" ? JSON.parse(configured) : configured)?.tolerations, undefined);
                }
                // CoreDNS is a Deployment placed on the management nodes on purpose (tests/cluster.test.ts).
                const addonValues = run()
                    .ofType(T.eksAddon)
                    .filter((a) => a.inputs.addonName !== "coredns")
                    .map((a) => (a.inputs.configurationValues ? JSON.parse(a.inputs.configurationValues) : {}));
                for (const v of addonValues) {
                    assert.equal(v.tolerations, undefined);
                    assert.equal(v.agent?.tolerations, undefined);
                    assert.equal(v.containerLogs?.fluentBit?.tolerations, undefined);
                }
            });

            it("the pods placed on management nodes tolerate exactly what they need there", () => {
                const ci = JSON.parse(
                    run()
                        .ofType(T.eksAddon)
                        .find((a) => a.inputs.addonName === CONTAINER_INSIGHTS.addonName)!.inputs.configurationValues,
                );
                const placed = {
                    "cluster-autoscaler": caValues(),
                    "metrics-server": release(METRICS_SERVER.releaseName).inputs.values,
                    "cloudwatch operator": ci.manager,
                };
                for (const [what, v] of Object.entries(placed)) {
                    assert.deepEqual(
                        untoleratedTaints(v.tolerations, management().taints),
                        [],
                        `${what} cannot run on management nodes`,
                    );
                    for (const [k, val] of Object.entries(v.nodeSelector)) {
                        assert.ok(
                            management().labels[k] === val ||
                                (k === "kubernetes.io/arch" && val === management().arch) ||
                                (k === "kubernetes.io/os" && val === "linux"),
                            `${what} selects ${k}=${val}`,
                        );
                    }
                }
            });

            for (const addon of ADDONS) {
                it(`disabling ${addon} removes exactly its resources (and its part of the alarms) and nothing else`, () => {
                    const componentType = T[addon];
                    const before = new Set(run().resources.map(key));
                    const after = new Set(disabled[stack][addon].resources.map(key));
                    const removed = [...before].filter((k) => !after.has(k)).sort();
                    const own = run()
                        .resources.filter((r) => under(run(), r, componentType))
                        .map(key);
                    const expected = [...own, ...observabilityOf(run(), addon).map(key)].sort();
                    assert.ok(own.length >= 2, `${addon} has resources to remove`);
                    assert.deepEqual(removed, expected);
                    assert.deepEqual(
                        [...after].filter((k) => !before.has(k)),
                        [],
                        "nothing new appears",
                    );
                    if (addon !== "containerInsights") {
                        // Without Container Insights the capacity math (runners) legitimately changes; otherwise only
                        // what reads the add-on's metrics does: the dashboard and the fleet-metrics scrape jobs.
                        const readers = new Set([key(run().one(T.dashboard))]);
                        if (addon === "clusterAutoscaler")
                            readers.add(
                                key(
                                    run()
                                        .ofType(T.eksAddon)
                                        .find((a) => a.inputs.addonName === CONTAINER_INSIGHTS.addonName)!,
                                ),
                            );
                        const inputsOf = (r: Run) => new Map(r.resources.map((x) => [key(x), JSON.stringify(x.inputs)]));
                        const a = inputsOf(run());
                        for (const [k, inputs] of inputsOf(disabled[stack][addon]))
                            if (!(addon === "clusterAutoscaler" && readers.has(k)))
                                assert.equal(inputs, a.get(k), `${k} changed`);
                    }
                });
            }

            it("with Container Insights disabled there is no add-on, role, log group or version lookup for it", () => {
                const off = disabled[stack].containerInsights;
                assert.equal(off.ofType(T.eksAddon).filter((a) => a.inputs.addonName === CONTAINER_INSIGHTS.addonName).length, 0);
                assert.equal(
                    off.ofType(T.logGroup).filter((g) => String(g.inputs.name).startsWith("/aws/containerinsights/")).length,
                    0,
                );
                assert.equal(off.ofType(T.containerInsights).length, 0);
                assert.equal(off.calls.filter((c) => c.inputs?.addonName === CONTAINER_INSIGHTS.addonName).length, 0);
                assert.equal(
                    run()
                        .ofType(T.eksAddon)
                        .filter((a) => a.inputs.addonName === CONTAINER_INSIGHTS.addonName).length,
                    1,
                );
            });
        });
    }

    it("an invalid addons section registers no resource at all", async () => {
        const config = {
            ...stackFileConfig("test"),
            [ADDONS_KEY]: { clusterAutoscaler: { imageTag: "v1.30.7", extraArgs: { turbo: true } } },
        };
        const error = await runProgram({ stack: "test", config: { ...fakeRunnerTokens(config), ...config } }).then(
            () => undefined,
            (e) => e,
        );
        assert.ok(error instanceof ProgramError, `expected the program to throw, got ${error}`);
        assert.match(
            error.message,
            /addons\.clusterAutoscaler\.extraArgs\.turbo: "turbo" is not a flag of Cluster Autoscaler 1\.34\.5/,
        );
        assert.deepEqual(error.resources, []);
    });
});
