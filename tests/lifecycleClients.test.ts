import { strict as assert } from "assert";
import { readFileSync } from "fs";
import * as https from "https";
import { AddressInfo } from "net";
import * as path from "path";
import { asgTagApi } from "../components/nodegroups/lifecycle/asgClient";
import { kubeDrainApi } from "../components/nodegroups/lifecycle/kubeClient";

// Upstream behaviour encoded here (cited at the code in kubeClient.ts / asgClient.ts):
// - cordon = spec.unschedulable true (Kubernetes docs "Nodes", manual node administration);
// - policy/v1 Eviction at /api/v1/namespaces/{ns}/pods/{name}/eviction: 200/201 allowed, 429 PodDisruptionBudget,
//   404 pod gone, 500 misconfiguration (Kubernetes docs "API-initiated Eviction");
// - nodes of a managed node group carry eks.amazonaws.com/nodegroup=<name> (EKS user guide, managed node update behavior);
// - @pulumi/eks kubeconfigs authenticate with an exec credential (pulumi-eks generateKubeconfig), which client-node runs;
// - ASG DeleteTags identifies a tag by ResourceId, ResourceType "auto-scaling-group" and Key (AWS API reference DeleteTags).
interface Seen {
    method: string;
    url: string;
    auth?: string;
    contentType?: string;
    body: string;
}

/** Test-only TLS material: a CA and a certificate for 127.0.0.1 it signed (tests/fixtures/tls, never used elsewhere). */
const tls = (file: string) => readFileSync(path.join(__dirname, "fixtures", "tls", file), "utf8");

/** A stand-in API server on https://127.0.0.1 answering the few calls a drain makes, recording every request. */
async function fakeApiServer(): Promise<{ url: string; seen: Seen[]; close: () => Promise<void> }> {
    const seen: Seen[] = [];
    const status = (code: number, reason: string, message: string) => ({
        kind: "Status",
        apiVersion: "v1",
        status: "Failure",
        code,
        reason,
        message,
    });
    const server = https.createServer({ key: tls("server-key.pem"), cert: tls("server.pem") }, (req, res) => {
        let body = "";
        req.on("data", (c) => (body += c));
        req.on("end", () => {
            seen.push({
                method: req.method!,
                url: req.url!,
                auth: req.headers.authorization,
                contentType: req.headers["content-type"],
                body,
            });
            const reply = (code: number, payload: object) => {
                res.writeHead(code, { "Content-Type": "application/json" });
                res.end(JSON.stringify(payload));
            };
            const url = new URL(req.url!, "http://x");
            if (req.method === "GET" && url.pathname === "/api/v1/nodes") {
                return reply(200, {
                    kind: "NodeList",
                    apiVersion: "v1",
                    items: [
                        { metadata: { name: "ip-10-0-1-5.ec2.internal" }, spec: {} },
                        { metadata: { name: "ip-10-0-2-9.ec2.internal" }, spec: { unschedulable: true } },
                    ],
                });
            }
            if (req.method === "PATCH" && url.pathname.startsWith("/api/v1/nodes/")) {
                if (url.pathname.endsWith("/gone")) return reply(404, status(404, "NotFound", 'nodes "gone" not found'));
                return reply(200, { kind: "Node", apiVersion: "v1", metadata: { name: url.pathname.split("/").pop() } });
            }
            if (req.method === "GET" && url.pathname === "/api/v1/pods") {
                return reply(200, {
                    kind: "PodList",
                    apiVersion: "v1",
                    items: [
                        {
                            metadata: {
                                namespace: "kube-system",
                                name: "aws-node-x1",
                                labels: { "k8s-app": "aws-node" },
                                ownerReferences: [
                                    { apiVersion: "apps/v1", kind: "DaemonSet", name: "aws-node", uid: "u1", controller: true },
                                ],
                            },
                            status: { phase: "Running" },
                        },
                        {
                            metadata: {
                                namespace: "gitlab-jobs-amd64",
                                name: "runner-abc-project-1-concurrent-0",
                                labels: { "eks-gitlab-runners/runner": "amd64" },
                                deletionTimestamp: "2026-01-01T00:00:00Z",
                            },
                            status: { phase: "Running" },
                        },
                    ],
                });
            }
            const eviction = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/eviction$/.exec(url.pathname);
            if (req.method === "POST" && eviction) {
                const name = eviction[2];
                if (name === "guarded")
                    return reply(
                        429,
                        status(429, "TooManyRequests", "Cannot evict pod as it would violate the pod's disruption budget."),
                    );
                if (name === "vanished") return reply(404, status(404, "NotFound", 'pods "vanished" not found'));
                if (name === "doubly-guarded")
                    return reply(500, status(500, "InternalError", "This pod has more than one PodDisruptionBudget"));
                return reply(201, JSON.parse(body));
            }
            reply(404, status(404, "NotFound", "no route"));
        });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    return { url: `https://127.0.0.1:${port}`, seen, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/**
 * A kubeconfig shaped like the one @pulumi/eks generates (exec `aws eks get-token`, pulumi-eks
 * nodejs/eks/cluster/cluster.ts generateKubeconfig), with node standing in for the aws CLI.
 */
function kubeconfigFor(server: string, ca: string | null = tls("ca.pem")): string {
    const token = `k8s-aws-v1.fake-\${process.env.KUBERNETES_EXEC_INFO ? "with-exec-info" : "without"}`;
    const script = `console.log(JSON.stringify({ kind: "ExecCredential", apiVersion: "client.authentication.k8s.io/v1beta1", status: { expirationTimestamp: "2999-01-01T00:00:00Z", token: \`${token}\` } }))`;
    return JSON.stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [
            {
                name: "kubernetes",
                cluster: { server, ...(ca ? { "certificate-authority-data": Buffer.from(ca).toString("base64") } : {}) },
            },
        ],
        contexts: [{ name: "aws", context: { cluster: "kubernetes", user: "aws" } }],
        "current-context": "aws",
        users: [
            {
                name: "aws",
                user: {
                    exec: {
                        apiVersion: "client.authentication.k8s.io/v1beta1",
                        command: process.execPath,
                        args: ["-e", script],
                        env: [{ name: "KUBERNETES_EXEC_INFO", value: '{"apiVersion": "client.authentication.k8s.io/v1beta1"}' }],
                    },
                },
            },
        ],
    });
}

describe("drain clients: Kubernetes (@kubernetes/client-node against a local API server)", function () {
    this.timeout(10000);
    let api: Awaited<ReturnType<typeof fakeApiServer>>;
    let client: ReturnType<typeof kubeDrainApi>;
    before(async () => {
        api = await fakeApiServer();
        client = kubeDrainApi(kubeconfigFor(api.url)); // one client: the exec token is fetched once and cached
    });
    after(() => api.close());

    it("lists a node group's nodes by the EKS label, authenticated by the kubeconfig's exec token", async () => {
        const nodes = await client.listNodes("amd64-nodegroup-3f2a9c1");
        assert.deepEqual(nodes, [
            { name: "ip-10-0-1-5.ec2.internal", unschedulable: false },
            { name: "ip-10-0-2-9.ec2.internal", unschedulable: true },
        ]);
        const req = api.seen.at(-1)!;
        assert.equal(
            decodeURIComponent(new URL(req.url, "http://x").searchParams.get("labelSelector")!),
            "eks.amazonaws.com/nodegroup=amd64-nodegroup-3f2a9c1",
        );
        assert.equal(req.auth, "Bearer k8s-aws-v1.fake-with-exec-info");
    });

    it("trusts only the kubeconfig's CA: without it the server's certificate is refused", async () => {
        const before = api.seen.length;
        const withoutCa = JSON.parse(kubeconfigFor(api.url, null));
        withoutCa.users[0].user = { token: "static" };
        await assert.rejects(kubeDrainApi(JSON.stringify(withoutCa)).listNodes("x"), /unable to verify|self.signed|certificate/i);
        assert.equal(api.seen.length, before, "no request reached the server");
    });

    it("cordons with a merge patch of spec.unschedulable; a node already gone is fine", async () => {
        await client.cordon("ip-10-0-1-5.ec2.internal");
        const req = api.seen.at(-1)!;
        assert.deepEqual(
            [req.method, req.url, req.contentType],
            ["PATCH", "/api/v1/nodes/ip-10-0-1-5.ec2.internal", "application/merge-patch+json"],
        );
        assert.deepEqual(JSON.parse(req.body), { spec: { unschedulable: true } });
        await client.cordon("gone");
    });

    it("lists a node's pods by field selector, with owner kind, labels and termination", async () => {
        const pods = await client.listPods("ip-10-0-1-5.ec2.internal");
        assert.equal(
            new URL(api.seen.at(-1)!.url, "http://x").searchParams.get("fieldSelector"),
            "spec.nodeName=ip-10-0-1-5.ec2.internal",
        );
        assert.deepEqual(pods, [
            {
                namespace: "kube-system",
                name: "aws-node-x1",
                labels: { "k8s-app": "aws-node" },
                annotations: {},
                controllerKind: "DaemonSet",
                phase: "Running",
                terminating: false,
            },
            {
                namespace: "gitlab-jobs-amd64",
                name: "runner-abc-project-1-concurrent-0",
                labels: { "eks-gitlab-runners/runner": "amd64" },
                annotations: {},
                controllerKind: undefined,
                phase: "Running",
                terminating: true,
            },
        ]);
    });

    it("evicts through policy/v1: 2xx evicted, 429 blocked, 404 gone, anything else thrown", async () => {
        assert.equal(await client.evict("kube-system", "coredns-5d8f"), "evicted");
        const req = api.seen.at(-1)!;
        assert.equal(req.url, "/api/v1/namespaces/kube-system/pods/coredns-5d8f/eviction");
        assert.deepEqual(JSON.parse(req.body), {
            apiVersion: "policy/v1",
            kind: "Eviction",
            metadata: { name: "coredns-5d8f", namespace: "kube-system" },
        });
        assert.equal(await client.evict("kube-system", "guarded"), "blocked");
        assert.equal(await client.evict("kube-system", "vanished"), "gone");
        await assert.rejects(client.evict("kube-system", "doubly-guarded"), (err: { code?: number }) => err.code === 500);
    });
});

describe("drain clients: Auto Scaling tag removal", () => {
    const sender = (fail?: string) => {
        const sent: { name: string; input: unknown }[] = [];
        return {
            sent,
            async send(command: object) {
                sent.push({ name: command.constructor.name, input: (command as { input: unknown }).input });
                if (fail) throw new Error(fail);
                return {};
            },
        };
    };

    it("sends DeleteTags for exactly that key on that ASG", async () => {
        const s = sender();
        await asgTagApi("eu-west-1", s).removeAsgTag("eks-amd64-3f2a", "eks-gitlab-runners/autoscaled");
        assert.deepEqual(s.sent, [
            {
                name: "DeleteTagsCommand",
                input: {
                    Tags: [
                        {
                            ResourceId: "eks-amd64-3f2a",
                            ResourceType: "auto-scaling-group",
                            Key: "eks-gitlab-runners/autoscaled",
                        },
                    ],
                },
            },
        ]);
    });

    it("an ASG already gone is not an error; other failures are thrown for the drain to retry", async () => {
        await asgTagApi("eu-west-1", sender("AutoScalingGroup name not found - eks-amd64-3f2a")).removeAsgTag(
            "eks-amd64-3f2a",
            "k",
        );
        await assert.rejects(
            asgTagApi("eu-west-1", sender("Rate exceeded")).removeAsgTag("eks-amd64-3f2a", "k"),
            /Rate exceeded/,
        );
    });
});
