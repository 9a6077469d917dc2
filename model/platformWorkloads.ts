// The platform-workload catalogue: every pod the platform itself runs, with the replicas and requests the capacity
// model counts, the placement and tolerations the placement checks read, and where each figure comes from. The
// add-on renderers take replicas and requests from here, so what is deployed and what is planned are one fact.
import type { Toleration } from "./placement";

/**
 * Which add-on switch a workload follows (`addons.<key>.enabled`); `always` for what every cluster runs;
 * `fleetMetrics` for the fleet-metrics scraper (`observability.enabled` with Container Insights).
 */
export type WorkloadSwitch =
    "always" | "clusterAutoscaler" | "karpenter" | "metricsServer" | "containerInsights" | "fleetMetrics";

/** A Deployment of the platform. Every one of them runs on the management nodes. */
export interface PlatformDeployment {
    readonly name: string;
    readonly namespace: string;
    readonly replicas: number;
    readonly cpuMillis: number;
    readonly memoryMiB: number;
    /** A memory limit, where the program sets one. */
    readonly memoryLimitMiB?: number;
    /** A CPU limit, where upstream prescribes one. */
    readonly cpuLimitMillis?: number;
    /** Whether this program renders replicas and requests into the add-on's values, or the add-on's defaults apply. */
    readonly rendered: boolean;
    readonly enabledBy: WorkloadSwitch;
    readonly source: string;
}

export const PLATFORM_DEPLOYMENTS = {
    coreDns: {
        name: "coredns",
        namespace: "kube-system",
        replicas: 2,
        cpuMillis: 100,
        memoryMiB: 70,
        rendered: false,
        enabledBy: "always",
        source: "replicaCount rendered into the EKS add-on's configurationValues; requests are the add-on's defaults (kubernetes/kubernetes cluster/addons/dns/coredns/coredns.yaml.base: cpu 100m, memory 70Mi)",
    },
    clusterAutoscaler: {
        name: "cluster-autoscaler",
        namespace: "kube-system",
        replicas: 2,
        cpuMillis: 100,
        memoryMiB: 300,
        memoryLimitMiB: 600,
        rendered: true,
        enabledBy: "clusterAutoscaler",
        source: "set by this program: the chart sets no requests; two replicas with leader election survive a lost node; ~300Mi covers a few hundred nodes (CA FAQ, scalability)",
    },
    karpenter: {
        name: "karpenter",
        namespace: "kube-system",
        replicas: 2,
        cpuMillis: 1000,
        memoryMiB: 1024,
        memoryLimitMiB: 1024,
        cpuLimitMillis: 1000,
        rendered: true,
        enabledBy: "karpenter",
        source: "set by this program as the getting-started guide installs the chart (aws/karpenter-provider-aws website/content/en/v1.14/getting-started/getting-started-with-karpenter/scripts/step08-apply-helm-chart.sh: controller requests and limits cpu 1, memory 1Gi); two replicas with leader election are the chart's default (values.yaml `replicas: 2`)",
    },
    metricsServer: {
        name: "metrics-server",
        namespace: "kube-system",
        replicas: 2,
        cpuMillis: 100,
        memoryMiB: 200,
        rendered: true,
        enabledBy: "metricsServer",
        source: "set by this program at the metrics-server chart 3.13.1 defaults (values.yaml resources.requests cpu 100m, memory 200Mi); two replicas and a PDB keep the metrics API up through a node update",
    },
    containerInsightsOperator: {
        name: "amazon-cloudwatch-observability-controller-manager",
        namespace: "amazon-cloudwatch",
        replicas: 1,
        cpuMillis: 100,
        memoryMiB: 64,
        rendered: false,
        enabledBy: "containerInsights",
        source: "the add-on's defaults: aws-observability/helm-charts amazon-cloudwatch-observability 6.4.0 values.yaml manager.resources.requests",
    },
    fleetMetricsAgent: {
        name: "cloudwatch-agent-fleet-metrics",
        namespace: "amazon-cloudwatch",
        replicas: 1,
        cpuMillis: 100,
        memoryMiB: 128,
        memoryLimitMiB: 512,
        rendered: true,
        enabledBy: "fleetMetrics",
        source: "set by this program (config/observability/scrape.ts): one replica scrapes a handful of pods once a minute; memory request and limit are the add-on's agent defaults (amazon-cloudwatch-observability 6.4.0 values.yaml agent.resources), CPU request below its 250m (no per-node work)",
    },
} as const satisfies Record<string, PlatformDeployment>;

/** A DaemonSet that must run on every node, with the tolerations it gets and its per-container requests. */
export interface PlatformDaemonSet {
    readonly daemonSet: string;
    /** The EKS add-on that installs it. */
    readonly addon: "vpc-cni" | "kube-proxy" | "eks-pod-identity-agent" | "amazon-cloudwatch-observability";
    readonly enabledBy: WorkloadSwitch;
    /** Upstream default tolerations. This program sets none of these DaemonSets' tolerations (config rejects overrides). */
    readonly tolerations: readonly Toleration[];
    /** Container requests; memory 0 where the container sets no memory request. */
    readonly containers: readonly { readonly name: string; readonly cpuMillis: number; readonly memoryMiB: number }[];
    /** Whether its pod takes a VPC address (false for host-network pods). */
    readonly podIp: boolean;
    readonly source: string;
}

const TOLERATE_EVERYTHING: readonly Toleration[] = [{ operator: "Exists" }];

/**
 * Every per-node DaemonSet. Left out on purpose: the aws-vpc-cni-init init container (init requests are not added
 * to the running containers'), node-exporter (only with otelContainerInsights, off by default), dcgm-exporter and
 * neuron-monitor (GPU/Neuron nodes only). If an upstream default ever narrows its tolerations, update the row: the
 * placement test then shows which node groups would lose the DaemonSet.
 */
export const PLATFORM_DAEMONSETS: readonly PlatformDaemonSet[] = [
    {
        daemonSet: "aws-node",
        addon: "vpc-cni",
        enabledBy: "always",
        tolerations: TOLERATE_EVERYTHING,
        containers: [
            { name: "aws-node", cpuMillis: 25, memoryMiB: 0 },
            { name: "aws-eks-nodeagent", cpuMillis: 25, memoryMiB: 0 },
        ],
        podIp: false,
        source: "aws/amazon-vpc-cni-k8s config/master/aws-k8s-cni.yaml and charts/aws-vpc-cni/values.yaml `tolerations: [{operator: Exists}]`, requests 25m per container @b52188387f2e2f10bf289ace929d6a63b176a4fa (v1.23.1); hostNetwork",
    },
    {
        daemonSet: "kube-proxy",
        addon: "kube-proxy",
        enabledBy: "always",
        tolerations: TOLERATE_EVERYTHING,
        containers: [{ name: "kube-proxy", cpuMillis: 100, memoryMiB: 0 }],
        podIp: false,
        source: "EKS kube-proxy add-on DaemonSet as read from a cluster (AWS publishes no manifest repo): eksctl-io/eksctl pkg/addons/default/testdata/sample-1.25.json @16f64c8b64f79f07c4dc070c166324447e953372; hostNetwork",
    },
    {
        daemonSet: "eks-pod-identity-agent",
        addon: "eks-pod-identity-agent",
        enabledBy: "always",
        tolerations: TOLERATE_EVERYTHING,
        containers: [{ name: "eks-pod-identity-agent", cpuMillis: 0, memoryMiB: 0 }],
        podIp: false,
        source: "aws/eks-pod-identity-agent charts/eks-pod-identity-agent/values.yaml `tolerations: [{operator: Exists}]`, `resources: {}` @00bc058131a7f1ee0291375e9b2c6cdd2d980829; hostNetwork",
    },
    {
        daemonSet: "cloudwatch-agent",
        addon: "amazon-cloudwatch-observability",
        enabledBy: "containerInsights",
        tolerations: TOLERATE_EVERYTHING,
        containers: [{ name: "cloudwatch-agent", cpuMillis: 250, memoryMiB: 128 }],
        podIp: true,
        source: "aws-observability/helm-charts charts/amazon-cloudwatch-observability/values.yaml root `tolerations: [{operator: Exists}]`, used by the agent when `agent.tolerations` is unset (templates/_helpers.tpl common.tolerations) @71a298ffdebe9d4e13ac709d24398062a2afe8ca; default since add-on v1.7.0 (aws/containers-roadmap#2195); requests from the 6.4.0 chart defaults",
    },
    {
        daemonSet: "fluent-bit",
        addon: "amazon-cloudwatch-observability",
        enabledBy: "containerInsights",
        tolerations: TOLERATE_EVERYTHING,
        containers: [{ name: "fluent-bit", cpuMillis: 50, memoryMiB: 25 }],
        podIp: true,
        source: "same values.yaml: root tolerations, used when `containerLogs.fluentBit.tolerations` is unset (templates/linux/fluent-bit-daemonset.yaml) @71a298ffdebe9d4e13ac709d24398062a2afe8ca; requests from the 6.4.0 chart defaults",
    },
];

/** Which add-on switches are on: the catalogue's rows follow them. */
export type EnabledSwitches = Readonly<Record<Exclude<WorkloadSwitch, "always">, boolean>>;

const isOn = (w: { enabledBy: WorkloadSwitch }, on: EnabledSwitches) => w.enabledBy === "always" || on[w.enabledBy];

/** The DaemonSets that run on every node with these add-ons. */
export function platformDaemonSets(on: Pick<EnabledSwitches, "containerInsights">): readonly PlatformDaemonSet[] {
    return PLATFORM_DAEMONSETS.filter(
        (d) => d.enabledBy === "always" || (d.enabledBy === "containerInsights" && on.containerInsights),
    );
}

/** The platform Deployments that run on the management nodes with these add-ons. */
export function platformDeployments(on: EnabledSwitches): readonly PlatformDeployment[] {
    return Object.values(PLATFORM_DEPLOYMENTS).filter((d) => isOn(d, on));
}

/** A platform pod's requests as a Kubernetes `resources` block, for the add-ons whose values this program renders. */
export function resourcesOf(d: PlatformDeployment) {
    return {
        requests: { cpu: `${d.cpuMillis}m`, memory: `${d.memoryMiB}Mi` },
        ...(d.memoryLimitMiB !== undefined
            ? {
                  limits: {
                      ...(d.cpuLimitMillis !== undefined ? { cpu: `${d.cpuLimitMillis}m` } : {}),
                      memory: `${d.memoryLimitMiB}Mi`,
                  },
              }
            : {}),
    };
}
