import { strict as assert } from "assert";
import { NetworkPolicy } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy";
import { LimitRange } from "kubernetes-models/v1/LimitRange";
import { ResourceQuota } from "kubernetes-models/v1/ResourceQuota";
import { parseStackConfig, RunnerConfig } from "../config";
import {
    defaultDenyPolicy,
    gitlabPort,
    jobPodsPolicy,
    kubernetesServiceIp,
    managersPolicy,
    NetworkPolicyObject,
} from "../components/runners/networkPolicies";
import { jobQuotaObjects } from "../components/runners/quota";
import { jobPodLabels, RUNNER_NAMESPACES } from "../model/labels";
import { egressAllowed, ingressAllowedOnPort } from "./support/networkPolicyEval";
import { validDocument, withValue } from "./support/fixtures";

// The rendered objects are validated against the Kubernetes OpenAPI schema as packaged by kubernetes-models 4.5.1
// (generated from Kubernetes 1.27.1; NetworkPolicy, ResourceQuota and LimitRange are v1 and unchanged since).
const SERVICE_CIDR = "172.20.0.0/16";
const LABELS = { "app.kubernetes.io/managed-by": "pulumi" };

function runnerWith(path: (string | number)[], value: unknown, vpcCidrs?: string[]): RunnerConfig {
    let doc = withValue(validDocument(), ["runners", "amd64", ...path], value);
    if (vpcCidrs) doc = withValue(doc, ["network", "vpcCidrs"], vpcCidrs);
    return parseStackConfig(doc, "eu-west-1").runners[0];
}
const plainRunner = () => parseStackConfig(validDocument(), "eu-west-1").runners[0];

function policiesOf(runner: RunnerConfig): NetworkPolicyObject[] {
    return [
        defaultDenyPolicy(runner.names.jobNamespace, LABELS),
        jobPodsPolicy({ runner, serviceCidr: SERVICE_CIDR, labels: LABELS }),
    ];
}

describe("network policies (renderers)", () => {
    const runner = plainRunner();
    const jobPod = { namespace: runner.names.jobNamespace, labels: jobPodLabels(runner) };
    const may = (r: RunnerConfig, ip: string, port: number, protocol: "TCP" | "UDP" = "TCP") =>
        egressAllowed(policiesOf(r), { namespace: r.names.jobNamespace, labels: jobPodLabels(r) }, { ip, port, protocol });

    it("every rendered object is valid against the Kubernetes schema", () => {
        const full = runnerWith(["network"], { egress: ["internet", "vpc"], cidrs: ["192.168.10.0/24"], allowClusterApi: true }, [
            "10.0.0.0/16",
        ]);
        const objects = [
            ...policiesOf(runner),
            ...policiesOf(full),
            managersPolicy({ namespace: RUNNER_NAMESPACES.managers, gitlabPort: 443, labels: LABELS }),
        ];
        for (const o of objects) assert.doesNotThrow(() => new NetworkPolicy(o as any).validate(), o.metadata.name);
        const { resourceQuota, limitRange } = jobQuotaObjects(runner, LABELS);
        new ResourceQuota(resourceQuota as any).validate();
        new LimitRange(limitRange as any).validate();
        // The validator does catch a malformed object (so the checks above can fail).
        assert.throws(() => new NetworkPolicy({ ...objects[0], spec: { policyTypes: ["Sideways"] } } as any).validate());
    });

    it("the default deny selects every pod of the job namespace and allows nothing", () => {
        const deny = defaultDenyPolicy(runner.names.jobNamespace, LABELS);
        assert.deepEqual(deny.spec, { podSelector: {}, policyTypes: ["Ingress", "Egress"] });
        assert.equal(
            egressAllowed([deny], { namespace: deny.metadata.namespace, labels: {} }, { ip: "1.1.1.1", port: 443 }),
            false,
        );
        assert.equal(ingressAllowedOnPort([deny], { namespace: deny.metadata.namespace, labels: {} }, 80), false);
    });

    it("the allow policy selects exactly the runner's job pods (the label the runner puts on them)", () => {
        const allow = jobPodsPolicy({ runner, labels: LABELS });
        assert.equal(allow.metadata.namespace, runner.names.jobNamespace);
        assert.deepEqual(allow.spec.podSelector, { matchLabels: { "eks-gitlab-runners/runner": "amd64" } });
        for (const [k, v] of Object.entries(allow.spec.podSelector.matchLabels!)) assert.equal(jobPodLabels(runner)[k], v);
        // A pod of another runner, or one without the label, gets nothing from it (the default deny still holds).
        assert.equal(
            egressAllowed(policiesOf(runner), { namespace: runner.names.jobNamespace, labels: {} }, { ip: "1.1.1.1", port: 443 }),
            false,
        );
    });

    // CoreDNS on EKS: k8s-app=kube-dns in kube-system (EKS user guide, "Manage CoreDNS"); the VPC CNI admits the kube-dns
    // ClusterIP only for a peer whose pod selector matches the Service's (amazon-network-policy-controller-k8s v1.1.7
    // pkg/resolvers/endpoints.go, getMatchingServiceClusterIPs), which the evaluator models as the pod peer.
    it("DNS: UDP and TCP 53 to CoreDNS (kube-system, k8s-app=kube-dns) only", () => {
        const coredns = { namespace: "kube-system", labels: { "k8s-app": "kube-dns" } };
        const policies = policiesOf(runner);
        for (const protocol of ["UDP", "TCP"] as const)
            assert.ok(egressAllowed(policies, jobPod, { ip: "172.20.0.10", port: 53, protocol, pod: coredns }), protocol);
        assert.equal(egressAllowed(policies, jobPod, { ip: "172.20.0.10", port: 80, pod: coredns }), false);
        assert.equal(
            egressAllowed(policies, jobPod, {
                ip: "10.0.5.5",
                port: 53,
                protocol: "UDP",
                pod: { namespace: "other", labels: coredns.labels },
            }),
            false,
            "a look-alike in another namespace",
        );
    });

    // IMDS at 169.254.169.254 and fd00:ec2::254 (EC2 user guide, "Access instance metadata"); an egress rule without
    // peers is 0.0.0.0/0 plus ::/0 on the VPC CNI (amazon-network-policy-controller-k8s v1.1.7, buildAllowAllEgress).
    it("the instance metadata service is never reachable, whatever the runner allows (IPv4 and IPv6)", () => {
        const widest = runnerWith(
            ["network"],
            { egress: ["internet", "vpc"], cidrs: ["192.168.0.0/16"], allowClusterApi: true },
            ["10.0.0.0/8"],
        );
        const identity = runnerWith(["jobIdentity"], { managedPolicyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess"] });
        for (const r of [runner, widest, identity]) {
            for (const port of [80, 443]) {
                assert.equal(may(r, "169.254.169.254", port), false, `${r.name}:${port}`);
                assert.equal(may(r, "fd00:ec2::254", port), false, `${r.name} IPv6:${port}`);
            }
            // No rule without peers: one would allow ::/0 on the VPC CNI (controller buildAllowAllEgress).
            for (const p of policiesOf(r)) for (const rule of p.spec.egress ?? []) assert.ok(rule.to.length > 0);
        }
    });

    it("egress internet (the default): public addresses only, no private, shared or link-local space", () => {
        assert.deepEqual(runner.network.egress, ["internet"]);
        assert.ok(may(runner, "140.82.112.3", 443));
        assert.ok(may(runner, "8.8.8.8", 22));
        for (const ip of ["10.0.1.5", "100.64.3.4", "172.20.0.1", "192.168.1.1", "169.254.170.23"])
            assert.equal(may(runner, ip, 443), false, ip);
    });

    it("egress vpc and cidrs: exactly the VPC's blocks (with the pod subnets) and the listed ones", () => {
        const r = runnerWith(["network"], { egress: ["vpc"], cidrs: ["192.168.10.0/24"] }, ["10.0.0.0/16"]);
        assert.deepEqual(r.network.vpcCidrs, ["10.0.0.0/16", "100.64.0.0/16"]);
        assert.ok(may(r, "10.0.44.2", 5432));
        assert.ok(may(r, "100.64.70.1", 443), "pod subnets are part of the VPC");
        assert.ok(may(r, "192.168.10.7", 8081));
        assert.equal(may(r, "192.168.11.7", 8081), false);
        assert.equal(may(r, "140.82.112.3", 443), false, "no internet without asking");
        const none = runnerWith(["network"], { egress: [] });
        assert.equal(may(none, "140.82.112.3", 443), false, "egress: [] leaves DNS only");
    });

    // The `kubernetes` Service takes the first address of the service range (kubernetes pkg/controlplane/services.go,
    // ServiceIPRange: GetIndexedIP(range, 1)); the VPC CNI matches egress before kube-proxy's DNAT, so that ClusterIP.
    it("the cluster API only when allowed: the kubernetes Service's ClusterIP on 443", () => {
        assert.equal(kubernetesServiceIp(SERVICE_CIDR), "172.20.0.1");
        assert.equal(kubernetesServiceIp("10.100.0.0/16"), "10.100.0.1");
        assert.throws(() => kubernetesServiceIp("not-a-cidr"), /service CIDR/);
        assert.equal(may(runner, "172.20.0.1", 443), false);
        const api = runnerWith(["network"], { allowClusterApi: true });
        assert.ok(may(api, "172.20.0.1", 443));
        assert.equal(may(api, "172.20.0.2", 443), false, "not other Services");
        assert.throws(() => jobPodsPolicy({ runner: api, labels: LABELS }), /service CIDR/);
    });

    // The agent listens on 169.254.170.23 (EKS user guide, "Set up the Amazon EKS Pod Identity Agent"); pods get
    // AWS_CONTAINER_CREDENTIALS_FULL_URI=http://169.254.170.23/v1/credentials (amazon-eks-pod-identity-webhook v0.6.17 main.go).
    it("the Pod Identity Agent (169.254.170.23, TCP 80) only for runners with a job identity", () => {
        assert.equal(may(runner, "169.254.170.23", 80), false);
        const identity = runnerWith(["jobIdentity"], { managedPolicyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess"] });
        assert.ok(may(identity, "169.254.170.23", 80));
        assert.equal(may(identity, "169.254.170.23", 2703), false);
    });

    // API server → kubelet carries logs, attach, exec and port-forward (Kubernetes "Communication between Nodes and the
    // Control Plane"); `services:` aliases are host aliases of the job pod itself (gitlab-runner v18.9.0
    // executors/kubernetes/kubernetes.go, getHostAliases), and no session server proxies into job pods.
    it("no ingress to job pods: attach, exec and logs go through the API server and kubelet", () => {
        for (const port of [22, 80, 443, 8080, 9252]) assert.equal(ingressAllowedOnPort(policiesOf(runner), jobPod, port), false);
    });

    // The chart's liveness and readiness probes are exec probes (gitlab-runner chart 0.86.0 templates/deployment.yaml):
    // only Prometheus scrapes need to reach a manager.
    it("managers: DNS, GitLab/API/S3 ports and the Pod Identity Agent out, metrics in, nothing else", () => {
        const policies = [
            defaultDenyPolicy(RUNNER_NAMESPACES.managers, LABELS),
            managersPolicy({ namespace: RUNNER_NAMESPACES.managers, gitlabPort: 8443, labels: LABELS }),
        ];
        const manager = { namespace: RUNNER_NAMESPACES.managers, labels: { "eks-gitlab-runners/component": "manager" } };
        const may = (ip: string, port: number) => egressAllowed(policies, manager, { ip, port });
        assert.ok(may("172.20.0.1", 443), "the kubernetes Service");
        assert.ok(may("52.218.1.1", 443), "S3");
        assert.ok(may("10.1.2.3", 8443), "a GitLab on its own port");
        assert.ok(may("169.254.170.23", 80), "cache credentials");
        assert.equal(may("169.254.169.254", 80), false);
        assert.equal(may("169.254.169.254", 443), false);
        assert.equal(may("10.1.2.3", 22), false);
        assert.ok(ingressAllowedOnPort(policies, manager, 9252));
        assert.equal(ingressAllowedOnPort(policies, manager, 8093), false, "no session server");
        assert.equal(gitlabPort("https://gitlab.example.com/"), 443);
        assert.equal(gitlabPort("https://gitlab.example.com:8443/x"), 8443);
    });
});

describe("job namespace quota (renderer)", () => {
    it("ResourceQuota from the resolved quota; LimitRange defaults without a CPU limit or CPU max", () => {
        const runner = parseStackConfig(validDocument(), "eu-west-1").runners[0];
        const { resourceQuota, limitRange } = jobQuotaObjects(runner, LABELS);
        assert.equal(resourceQuota.metadata.namespace, runner.names.jobNamespace);
        assert.deepEqual(resourceQuota.spec.hard, {
            pods: String(runner.quota.pods),
            "requests.cpu": runner.quota.cpu,
            "requests.memory": runner.quota.memory,
        });
        const [limits] = limitRange.spec.limits;
        assert.deepEqual(limits.defaultRequest, { cpu: "100m", memory: "128Mi" });
        assert.deepEqual(limits.default, { memory: "512Mi" });
        // A max without a default would become the default limit (SetDefaults_LimitRangeItem): never for CPU.
        assert.ok(!("cpu" in limits.default) && !("cpu" in limits.max));
        assert.equal(limits.max.memory, runner.resources.build.memoryLimitMax);
    });
});
