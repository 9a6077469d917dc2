// Each add-on of both shipped stacks under mocks: Cluster Autoscaler, metrics-server, Container Insights, priority classes.
import { allNodeGroups } from "../config";
import { strict as assert } from "assert";
import { CLUSTER_AUTOSCALER } from "../config/addons/clusterAutoscaler";
import { CONTAINER_INSIGHTS, containerInsightsLogGroupName } from "../config/addons/containerInsights";
import { METRICS_SERVER } from "../config/addons/metricsServer";
import { PRIORITY_CLASS_SPECS, SYSTEM_CLUSTER_CRITICAL } from "../model/priorityClasses";
import { placementOn } from "../model/placement";
import { autoDiscoveryFlag } from "../model/autoscalerTags";
import { clusterAutoscalerFlags } from "../config/clusterAutoscalerFlags";
import { prometheusLogGroupName } from "../config/observability/scrape";
import { assertLeastPrivilegeAutoscalerPolicy } from "./support/addonsChecks";
import { ADDONS, dependsOnNames, describeAddonStacks, T } from "./support/addonsStack";

describe("cluster add-ons", () => {
    describeAddonStacks((_stack, { run, config, management, release, caValues }) => {
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
                    c.token === "aws:eks/getAddonVersion:getAddonVersion" && c.inputs.addonName === CONTAINER_INSIGHTS.addonName,
            )!;
            assert.deepEqual([lookup.inputs.kubernetesVersion, lookup.inputs.mostRecent], [config().cluster.version, true]);

            const role = run().resources.find((r) => r.type === T.role && r.parent === component)!;
            assert.deepEqual(addon.inputs.podIdentityAssociations, [
                { roleArn: `arn:aws:iam::123456789012:role/${role.name}`, serviceAccount: "cloudwatch-agent" },
            ]);
            assert.deepEqual(JSON.parse(role.inputs.assumeRolePolicy).Statement[0].Action, ["sts:AssumeRole", "sts:TagSession"]);
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
            for (const g of groups) assert.equal(g.inputs.retentionInDays, config().addons.containerInsights.logRetentionDays);
            const deps = dependsOnNames(addon);
            for (const g of groups) assert.ok(deps.includes(g.name), `${g.name} exists before the add-on writes to it`);
            assert.ok(deps.includes("runners-pod-identity-agent"));
            // Its fleet-metrics agent runs at the platform class (config/observability/scrape.ts): created first.
            assert.ok(
                deps.includes(run().one(T.priorityClasses).name),
                "the priority classes exist before the add-on's pods name one",
            );
        });

        it("priority classes: created once, with fixed names and the platform > jobs > warm capacity order", () => {
            const classes = run().ofType(T.priorityClass);
            assert.deepEqual(
                classes.map((c) => [c.inputs.metadata.name, c.inputs.value, c.inputs.preemptionPolicy, c.inputs.globalDefault]),
                Object.values(PRIORITY_CLASS_SPECS).map((s) => [s.name, s.value, s.preemptionPolicy, false]),
            );
            assert.equal(run().ofType(T.priorityClasses).length, 1);
        });
    });
});
