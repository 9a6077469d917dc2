// NetworkPolicies of the job namespaces and of the managers' namespace, as plain `networking.k8s.io/v1` objects (tested
// against the Kubernetes schema). The VPC CNI enforces them once its add-on has `enableNetworkPolicy`
// (components/cluster/runnerCluster.ts). Kubernetes semantics (concepts/services-networking/network-policies): a pod
// selected by any policy of a direction allows only what the union of those policies allows; a policy with a
// policyType and no rules for it selects and allows nothing.
//
// How the VPC CNI reads them (aws/amazon-network-policy-controller-k8s v1.1.7 pkg/resolvers/endpoints.go and
// aws/amazon-vpc-cni-k8s v1.23.0 docs/network-policy-faq.md):
//   - egress is enforced on the pod's veth before kube-proxy's DNAT, so a Service is matched by its ClusterIP: the
//     controller adds it only for a peer whose pod selector matches the Service's selector (CoreDNS below), and the
//     selector-less `kubernetes` Service needs its ClusterIP as an ipBlock;
//   - an egress rule without `to` means 0.0.0.0/0 and ::/0: every rule here names its peers, so no IPv6 destination
//     (the IPv6 metadata endpoint fd00:ec2::254 included) is ever allowed;
//   - `except` is honoured since network policy agent v1.0.4 (VPC CNI v1.15.1, aws/aws-network-policy-agent#92); the
//     add-on version is the latest for the cluster's minor at each deploy.
import { cidrContains, parseCidr } from "../../config/cidr";
import type { RunnerConfig } from "../../config";
import { jobPodLabels, RUNNER_LABELS, RUNNER_METRICS_PORT } from "../../model/labels";
import { COREDNS, KUBERNETES_API_PORT, NAMESPACE_NAME_LABEL, NON_INTERNET_IPV4, POD_IDENTITY_AGENT } from "../../model/network";

type Port = { protocol: "TCP" | "UDP"; port: number };
type Peer =
    | { ipBlock: { cidr: string; except?: string[] } }
    | { namespaceSelector: { matchLabels: Record<string, string> }; podSelector: { matchLabels: Record<string, string> } };
export interface EgressRule {
    to: Peer[];
    ports?: Port[];
}
export interface IngressRule {
    ports: Port[];
}
export interface NetworkPolicyObject {
    apiVersion: "networking.k8s.io/v1";
    kind: "NetworkPolicy";
    metadata: { name: string; namespace: string; labels: Record<string, string> };
    spec: {
        podSelector: { matchLabels?: Record<string, string> };
        policyTypes: ("Ingress" | "Egress")[];
        ingress?: IngressRule[];
        egress?: EgressRule[];
    };
}

/** Names of the policies, by role (stable: renaming one replaces it). */
export const POLICY_NAMES = { defaultDeny: "default-deny", jobs: "job-pods", managers: "runner-managers" } as const;

const tcp = (port: number): Port => ({ protocol: "TCP", port });

/** DNS to CoreDNS, UDP and TCP 53 (TCP for answers that do not fit a UDP datagram). */
export function dnsEgress(): EgressRule {
    return {
        to: [
            {
                namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: COREDNS.namespace } },
                podSelector: { matchLabels: { ...COREDNS.podLabels } },
            },
        ],
        ports: [
            { protocol: "UDP", port: COREDNS.port },
            { protocol: "TCP", port: COREDNS.port },
        ],
    };
}

/** Every IPv4 address outside private, shared and link-local space (so never metadata, a pod, a Service or the VPC). */
export function internetPeer(extraExcept: readonly string[] = []): Peer {
    const covered = (c: string) => {
        const inner = parseCidr(c);
        return inner !== undefined && NON_INTERNET_IPV4.some((n) => cidrContains(parseCidr(n)!, inner));
    };
    const except = [...NON_INTERNET_IPV4, ...extraExcept.filter((c) => !covered(c))];
    return { ipBlock: { cidr: "0.0.0.0/0", except: [...new Set(except)].sort() } };
}

/** The `kubernetes` Service's ClusterIP: the first address of the service CIDR (kubernetes pkg/controlplane/services.go, ServiceIPRange: GetIndexedIP(range, 1)). */
export function kubernetesServiceIp(serviceCidr: string): string {
    const c = parseCidr(serviceCidr);
    if (!c || c.prefix > 29) throw new Error(`"${serviceCidr}" is not the cluster's IPv4 service CIDR`);
    const ip = c.base + 1;
    return [24, 16, 8, 0].map((shift) => Math.floor(ip / 2 ** shift) % 256).join(".");
}

const meta = (name: string, namespace: string, labels: Record<string, string>) => ({ name, namespace, labels });

/** Selects every pod of its namespace and allows nothing in either direction: what no other policy allows is denied. */
export function defaultDenyPolicy(namespace: string, labels: Record<string, string>): NetworkPolicyObject {
    return {
        apiVersion: "networking.k8s.io/v1",
        kind: "NetworkPolicy",
        metadata: meta(POLICY_NAMES.defaultDeny, namespace, labels),
        spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
    };
}

export interface JobPolicyInput {
    readonly runner: Pick<RunnerConfig, "name" | "nodeGroup" | "network" | "jobIdentity" | "names">;
    /** The cluster's service CIDR (`kubernetesNetworkConfig.serviceIpv4Cidr`); read only when the API is allowed. */
    readonly serviceCidr?: string;
    readonly labels: Record<string, string>;
}

/**
 * What a runner's job pods may do besides nothing: no ingress at all (attach, exec and logs reach a pod through the
 * API server and the kubelet, not over the pod network: Kubernetes "Communication between Nodes and the Control
 * Plane", API server to kubelet; `services:` containers share the job pod's network and their aliases are host aliases
 * of it, gitlab-runner v18.9.0 executors/kubernetes/kubernetes.go getHostAliases), and egress to DNS plus the
 * runner's `network` settings.
 */
export function jobPodsPolicy(input: JobPolicyInput): NetworkPolicyObject {
    const { runner } = input;
    const net = runner.network;
    const egress: EgressRule[] = [dnsEgress()];
    if (net.egress.includes("internet")) egress.push({ to: [internetPeer(net.vpcCidrs)] });
    const cidrs = [...(net.egress.includes("vpc") ? net.vpcCidrs : []), ...net.cidrs];
    if (cidrs.length > 0) egress.push({ to: [...new Set(cidrs)].map((cidr) => ({ ipBlock: { cidr } })) });
    // The job role's credentials come from the node's Pod Identity Agent (link-local, so outside every rule above).
    if (runner.jobIdentity)
        egress.push({ to: [{ ipBlock: { cidr: `${POD_IDENTITY_AGENT.ipv4}/32` } }], ports: [tcp(POD_IDENTITY_AGENT.port)] });
    if (net.allowClusterApi) {
        if (!input.serviceCidr) throw new Error(`runner ${runner.name}: allowClusterApi needs the cluster's service CIDR`);
        egress.push({
            to: [{ ipBlock: { cidr: `${kubernetesServiceIp(input.serviceCidr)}/32` } }],
            ports: [tcp(KUBERNETES_API_PORT)],
        });
    }
    return {
        apiVersion: "networking.k8s.io/v1",
        kind: "NetworkPolicy",
        metadata: meta(POLICY_NAMES.jobs, runner.names.jobNamespace, input.labels),
        spec: {
            // Exactly the runner's job pods (the label the runner puts on each, config.toml pod_labels).
            podSelector: { matchLabels: { [RUNNER_LABELS.runner]: jobPodLabels(runner)[RUNNER_LABELS.runner] } },
            policyTypes: ["Ingress", "Egress"],
            ingress: [],
            egress,
        },
    };
}

/**
 * What runner managers may do. Egress: DNS; TCP 443 (and GitLab's port if it differs) to any IPv4 address outside
 * link-local space, for GitLab (its address is not known to this program, so the rule is by port), the Kubernetes API
 * (the `kubernetes` Service, 443) and S3 (the cache: the manager presigns URLs with credentials from the Pod Identity
 * Agent, allowed on its own); nothing else. Ingress: only the Prometheus port (`listen_address`); the chart's probes
 * are exec probes (gitlab-runner chart 0.86.0 templates/deployment.yaml), and no session server is configured.
 */
export function managersPolicy(input: {
    namespace: string;
    gitlabPort: number;
    labels: Record<string, string>;
}): NetworkPolicyObject {
    const ports = [...new Set([KUBERNETES_API_PORT, input.gitlabPort])].map(tcp);
    return {
        apiVersion: "networking.k8s.io/v1",
        kind: "NetworkPolicy",
        metadata: meta(POLICY_NAMES.managers, input.namespace, input.labels),
        spec: {
            podSelector: { matchLabels: { [RUNNER_LABELS.component]: "manager" } },
            policyTypes: ["Ingress", "Egress"],
            ingress: [{ ports: [tcp(RUNNER_METRICS_PORT)] }],
            egress: [
                dnsEgress(),
                { to: [{ ipBlock: { cidr: "0.0.0.0/0", except: ["169.254.0.0/16"] } }], ports },
                { to: [{ ipBlock: { cidr: `${POD_IDENTITY_AGENT.ipv4}/32` } }], ports: [tcp(POD_IDENTITY_AGENT.port)] },
            ],
        },
    };
}

/** The TCP port of GitLab's URL (443 for https unless the URL names one). */
export function gitlabPort(url: string): number {
    const u = new URL(url);
    return u.port ? Number(u.port) : 443;
}
