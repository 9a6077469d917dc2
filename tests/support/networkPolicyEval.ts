// A small evaluator of Kubernetes NetworkPolicy egress semantics (concepts/services-networking/network-policies), so
// tests can ask "may this pod reach that address on that port?" of the rendered policies instead of reading their
// shape: a pod selected by no policy with Egress is not isolated; an isolated pod may reach what any rule of any
// selecting policy allows; a rule's ports (none = all) and peers (none = everything) must both match; an ipBlock
// matches inside its cidr and outside every except. Pod peers are matched by namespace and labels, which is how the VPC
// CNI also admits a Service's ClusterIP whose selector matches the peer (components/runners/networkPolicies.ts).
import { cidrContains, parseCidr } from "../../config/cidr";

export interface Policy {
    metadata: { namespace: string };
    spec: {
        podSelector: { matchLabels?: Record<string, string> };
        policyTypes: string[];
        egress?: { to?: any[]; ports?: { protocol?: string; port?: number }[] }[];
        ingress?: { from?: any[]; ports?: { protocol?: string; port?: number }[] }[];
    };
}

export interface Destination {
    /** IPv4 or IPv6 address. */
    readonly ip: string;
    readonly port: number;
    readonly protocol?: "TCP" | "UDP";
    /** When the destination is a pod (or a Service fronting pods): its namespace and labels. */
    readonly pod?: { namespace: string; labels: Record<string, string> };
}

const matches = (selector: { matchLabels?: Record<string, string> } | undefined, labels: Record<string, string>) =>
    Object.entries(selector?.matchLabels ?? {}).every(([k, v]) => labels[k] === v);

function ipInBlock(ip: string, block: { cidr: string; except?: string[] }): boolean {
    const host = parseCidr(`${ip}/32`);
    const cidr = parseCidr(block.cidr);
    // An IPv6 address never matches an IPv4 block (and no IPv6 block is ever rendered).
    if (!host || !cidr) return ip.includes(":") && block.cidr.includes(":");
    return cidrContains(cidr, host) && !(block.except ?? []).some((e) => cidrContains(parseCidr(e)!, host));
}

function peerMatches(peer: any, dest: Destination): boolean {
    if (peer.ipBlock) return ipInBlock(dest.ip, peer.ipBlock);
    if (!dest.pod) return false;
    const nsLabels = { "kubernetes.io/metadata.name": dest.pod.namespace };
    const nsOk = peer.namespaceSelector ? matches(peer.namespaceSelector, nsLabels) : false;
    return nsOk && matches(peer.podSelector, dest.pod.labels);
}

/** Whether a pod (namespace, labels) may open a connection to `dest` under `policies`. */
export function egressAllowed(
    policies: readonly Policy[],
    pod: { namespace: string; labels: Record<string, string> },
    dest: Destination,
): boolean {
    const selecting = policies.filter(
        (p) =>
            p.metadata.namespace === pod.namespace &&
            p.spec.policyTypes.includes("Egress") &&
            matches(p.spec.podSelector, pod.labels),
    );
    if (selecting.length === 0) return true;
    const protocol = dest.protocol ?? "TCP";
    return selecting.some((p) =>
        (p.spec.egress ?? []).some((rule) => {
            const portOk =
                !rule.ports ||
                rule.ports.length === 0 ||
                rule.ports.some((q) => (q.protocol ?? "TCP") === protocol && (q.port === undefined || q.port === dest.port));
            const peerOk = !rule.to || rule.to.length === 0 || rule.to.some((peer) => peerMatches(peer, dest));
            return portOk && peerOk;
        }),
    );
}

/** Whether any source may open a connection to the pod on `port` (ingress), under `policies`. */
export function ingressAllowedOnPort(
    policies: readonly Policy[],
    pod: { namespace: string; labels: Record<string, string> },
    port: number,
): boolean {
    const selecting = policies.filter(
        (p) =>
            p.metadata.namespace === pod.namespace &&
            p.spec.policyTypes.includes("Ingress") &&
            matches(p.spec.podSelector, pod.labels),
    );
    if (selecting.length === 0) return true;
    return selecting.some((p) =>
        (p.spec.ingress ?? []).some((rule) => !rule.ports || rule.ports.length === 0 || rule.ports.some((q) => q.port === port)),
    );
}
