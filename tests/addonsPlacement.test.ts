// Where the add-ons of both shipped stacks sit: under their component, and tolerating the node groups they run on.
import { allNodeGroups } from "../config";
import { untoleratedTaints } from "../model/placement";
import { strict as assert } from "assert";
import { CLUSTER_AUTOSCALER } from "../config/addons/clusterAutoscaler";
import { CONTAINER_INSIGHTS } from "../config/addons/containerInsights";
import { METRICS_SERVER } from "../config/addons/metricsServer";
import { platformDaemonSets } from "../model/platformWorkloads";
import { describeAddonStacks, nameOf, T, under } from "./support/addonsStack";

describe("cluster add-ons", () => {
    describeAddonStacks((_stack, { run, config, management, release, caValues }) => {
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
            assert.deepEqual(daemonSets, ["aws-node", "kube-proxy", "eks-pod-identity-agent", "cloudwatch-agent", "fluent-bit"]);
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
    });
});
