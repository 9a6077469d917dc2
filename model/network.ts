// Addresses and selectors the network policies of job and manager pods are built from. Nothing here depends on the
// stack config; each value names where it comes from.

/** The EC2 instance metadata service (IMDS), IPv4 and IPv6 (EC2 user guide, "Access instance metadata"). */
export const INSTANCE_METADATA = { ipv4: "169.254.169.254", ipv6: "fd00:ec2::254" } as const;

/**
 * The EKS Pod Identity Agent on every node: the webhook sets `AWS_CONTAINER_CREDENTIALS_FULL_URI` to
 * `http://169.254.170.23/v1/credentials` (so TCP 80) in pods whose service account has an association
 * (EKS user guide, "Set up the Amazon EKS Pod Identity Agent": the agent listens on 169.254.170.23 and [fd00:ec2::23];
 * aws/amazon-eks-pod-identity-webhook v0.6.17 main.go, flag `container-credentials-full-uri`).
 */
export const POD_IDENTITY_AGENT = { ipv4: "169.254.170.23", port: 80 } as const;

/**
 * Address space that is never "the internet": RFC 1918 private ranges (which also hold every EKS service CIDR: the
 * EKS API accepts `serviceIpv4Cidr` only inside 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16, API reference
 * KubernetesNetworkConfigRequest), RFC 6598 shared space 100.64.0.0/10 (the usual pod-subnet block) and RFC 3927
 * link-local 169.254.0.0/16 (instance metadata, the Pod Identity Agent, the Amazon DNS link-local address).
 */
export const NON_INTERNET_IPV4 = ["10.0.0.0/8", "100.64.0.0/10", "169.254.0.0/16", "172.16.0.0/12", "192.168.0.0/16"] as const;

/**
 * CoreDNS as EKS runs it: pods labelled `k8s-app=kube-dns` in `kube-system` behind the `kube-dns` Service
 * (EKS user guide, "Manage CoreDNS": `kubectl get pod -n kube-system -l k8s-app=kube-dns`). A NetworkPolicy peer must
 * use exactly this selector: the VPC CNI enforces egress before kube-proxy's DNAT, so it sees the Service's ClusterIP,
 * and its controller adds a Service's ClusterIP to a policy only when the peer's pod selector matches the Service's
 * selector (aws/amazon-network-policy-controller-k8s v1.1.7 pkg/resolvers/endpoints.go, getMatchingServiceClusterIPs).
 */
export const COREDNS = {
    namespace: "kube-system",
    podLabels: { "k8s-app": "kube-dns" },
    port: 53,
} as const;

/** The label every namespace carries with its own name (Kubernetes 1.22+, "Well-Known Labels": kubernetes.io/metadata.name). */
export const NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";

/** Port of the `kubernetes` Service that fronts the API server (EKS serves the API on 443). */
export const KUBERNETES_API_PORT = 443;
