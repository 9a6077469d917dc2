import * as pulumi from "@pulumi/pulumi";
import { ClusterAddons } from "./components/addons/clusterAddons";
import { PlatformAddon } from "./components/addons/platformAddon";
import { RunnerCluster } from "./components/cluster/runnerCluster";
import { discoveryTargets } from "./components/karpenter/discovery";
import { KarpenterInterruption } from "./components/karpenter/interruption";
import { KarpenterNodePools } from "./components/karpenter/nodePools";
import { KarpenterNodeRole } from "./components/karpenter/nodeRole";
import { FargateJobs } from "./components/fargate/fargateJobs";
import { drainHook } from "./components/nodegroups/lifecycle/drainHook";
import { NodeGroup } from "./components/nodegroups/nodeGroup";
import { NodeRole } from "./components/nodegroups/nodeRole";
import { FleetObservability } from "./components/observability/fleetObservability";
import { RunnerFleet } from "./components/runners/runnerFleet";
import { allNodeGroups, loadStackConfig, stackFindings } from "./config";
import { coreDnsAddon } from "./config/addons";
import { drainBoundSeconds } from "./config/patching";

/**
 * The whole fleet for one stack. Exported as a function: Pulumi calls it, and tests and the offline plan call it
 * under mocks, once per stack file. Configuration is validated before the first resource is declared.
 */
export = () => {
    const config = loadStackConfig();
    // The warnings the offline plan lists, in `pulumi preview` / `up` output too (errors were thrown above).
    for (const f of stackFindings(config)) if (f.severity === "warning") void pulumi.log.warn(`${f.subject}: ${f.message}`);
    const tags = { ...config.cluster.tags, "eks-gitlab-runners/stack": pulumi.getStack(), "managed-by": "pulumi" };
    const management = config.nodeGroups.management;

    // Karpenter (addons.nodeAutoscaler: karpenter, docs/addons.md) finds its nodes' subnets and security group by a tag.
    const karpenter = config.addons.nodeAutoscaler === "karpenter";
    const discovery = discoveryTargets(config);
    const cluster = new RunnerCluster("runners", {
        config,
        tags,
        ...(discovery.podSubnetTags ? { podSubnetTags: discovery.podSubnetTags } : {}),
    });
    const karpenterNodeRole = karpenter
        ? new KarpenterNodeRole("karpenter-nodes", { clusterName: config.cluster.name, cluster: cluster.clusterName, tags })
        : undefined;

    const nodeRole = new NodeRole("nodes", { tags });
    // Node groups are replaced blue/green when their nodes roll; this one hook drains an old group before it goes
    // (docs/runbook/upgrades.md). It knows today's bounds too, for a group whose runners' timeouts just went up.
    const boundOf = (name: string) => {
        const group = allNodeGroups(config.nodeGroups).find((g) => g.name === name);
        return group && drainBoundSeconds(group, [...config.runners, ...config.vmRunners]);
    };
    const hook = drainHook(cluster.eks.kubeconfigJson, { currentBoundSeconds: boundOf });
    const nodeGroups = allNodeGroups(config.nodeGroups).map(
        (group) =>
            new NodeGroup(
                group.resourceName,
                {
                    group,
                    clusterName: cluster.clusterName,
                    clusterNameTag: config.cluster.name,
                    kubernetesVersion: config.cluster.version,
                    region: config.region,
                    nodeRoleArn: nodeRole.role.arn,
                    subnetIds: group.subnets === "pod" ? cluster.subnetIds.pod! : cluster.subnetIds.cluster,
                    tags,
                    drainBoundSeconds: boundOf(group.name)!,
                    drainHook: hook,
                },
                { dependsOn: [cluster, nodeRole] }, // nodes join only once the role has its policies
            ),
    );

    // CoreDNS and the cluster add-ons (docs/addons.md) run on the management nodes, so they wait for that group.
    const managementNodes = nodeGroups[0];
    const coreDns = new PlatformAddon(
        "coredns",
        {
            spec: coreDnsAddon,
            config: { enabled: true },
            context: {
                clusterName: config.cluster.name,
                kubernetesVersion: config.cluster.version,
                region: config.region,
                management,
            },
            clusterName: cluster.clusterName,
            tags,
        },
        { dependsOn: [managementNodes] },
    );
    // Helm waits for Ready pods, and pods that resolve names need CoreDNS: every release waits for it (a first deploy
    // must not depend on timing).
    const interruption = karpenter
        ? new KarpenterInterruption("karpenter-interruption", { clusterName: config.cluster.name, tags })
        : undefined;
    const addons = new ClusterAddons("addons", {
        config,
        cluster,
        management,
        tags,
        dependsOn: [managementNodes, coreDns],
        ...(interruption ? { addonDependsOn: { karpenter: [interruption.queue] } } : {}),
    });
    // Karpenter's NodePools and EC2NodeClasses, once its chart (and so its CRDs) is in and its nodes can join. They
    // depend on those resources themselves (not their components), so leaving Karpenter deletes them first: their
    // deletion waits for Karpenter to drain its nodes (components/karpenter/nodePools.ts).
    const nodePools = karpenter
        ? new KarpenterNodePools("karpenter-pools", {
              pools: config.nodePools,
              clusterName: config.cluster.name,
              kubernetesVersion: config.cluster.version,
              clusterSecurityGroupId: cluster.clusterSecurityGroupId,
              subnetIdsToTag: discovery.subnetIdsToTag,
              provider: cluster.provider,
              tags,
              after: [addons.addons.karpenter!.release!, ...karpenterNodeRole!.joinPrerequisites],
          })
        : undefined;

    // Fargate runners (docs/runners.md#fargate-runners): their profiles, pod execution role and log routing, in place
    // before their managers start asking for jobs (a job pod created before its profile would wait for a node).
    const fargate =
        config.fargate && config.runners.some((r) => r.fargate)
            ? new FargateJobs(
                  "fargate",
                  {
                      runners: config.runners,
                      fargate: config.fargate,
                      clusterName: config.cluster.name,
                      region: config.region,
                      cluster: cluster.clusterName,
                      subnetIds: cluster.subnetIds.pod ?? cluster.subnetIds.cluster,
                      vpcId: config.network.vpcId,
                      ...(config.network.podSubnets
                          ? { routeTableIds: config.network.podSubnets.subnets.map((s) => s.routeTableId) }
                          : {}),
                      provider: cluster.provider,
                      tags,
                  },
                  { dependsOn: [cluster] },
              )
            : undefined;

    // GitLab runners (docs/runners.md): the shared S3 cache, one gitlab-runner Helm release per runner, and per VM
    // runner an Auto Scaling group with its manager. Managers need the management nodes and the add-ons'
    // PriorityClasses; job pods reach their groups through the autoscaler.
    const fleet = new RunnerFleet(
        "gitlab",
        { config, cluster, tags },
        {
            dependsOn: [
                managementNodes,
                coreDns,
                addons.priorityClasses,
                ...(nodePools ? [nodePools] : []),
                ...(fargate ? [fargate] : []),
            ],
        },
    );

    // The fleet's dashboard and alarms (docs/runbook/monitoring.md); Container Insights' agent collects the metrics.
    const observability = config.observability.enabled
        ? new FleetObservability("observability", {
              config,
              asgNames: Object.fromEntries(
                  nodeGroups.filter((g) => g.config.role === "jobs").map((g) => [g.config.name, g.asgName]),
              ),
              tags,
              dependsOn: [addons],
          })
        : undefined;

    return {
        clusterName: cluster.clusterName,
        kubernetesVersion: cluster.version,
        oidcProviderArn: cluster.oidcProviderArn,
        nodeGroups: pulumi.output(Object.fromEntries(nodeGroups.map((g) => [g.config.name, g.nodeGroup.nodeGroupName]))),
        ...(karpenter ? { nodePools: config.nodePools.map((p) => p.name) } : {}),
        kubeconfig: pulumi.secret(cluster.eks.kubeconfigJson),
        runnerCacheBucket: fleet.cache?.bucketName,
        runners: fleet.summary,
        vmRunners: fleet.vmSummary,
        dashboardName: observability?.dashboardName,
        alarmTopicArn: observability?.topicArn,
    };
};
