/**
 * The Kubernetes half of the drain's client interface, over the official JavaScript client (@kubernetes/client-node,
 * pinned in package.json). Thin on purpose: every decision lives in drain.ts.
 *
 * Authentication is whatever the kubeconfig says. The one @pulumi/eks produces runs `aws eks get-token` through the
 * kubeconfig `exec` mechanism (pulumi/pulumi-eks nodejs/eks/cluster/cluster.ts `generateKubeconfig`), which the client
 * runs itself and caches until the token's `expirationTimestamp` (client-node dist/exec_auth.js) — so a drain longer
 * than a token's life keeps working. The client is loaded when a drain runs, never when the program is evaluated.
 *
 * client-node 1.x is published as ES modules only; this CommonJS program loads it with `require`, which Node supports
 * without a flag from 20.19.0 (Node.js 20.19.0 release notes, "require(esm) is now enabled by default") — hence
 * `engines.node` ">=20.19" in package.json. (client-node 2.x needs Node 22.19: its `undici` dependency says so.)
 */
import type * as k8sTypes from "@kubernetes/client-node";
import { EKS_NODEGROUP_LABEL } from "./drainPlan";
import type { EvictionResult, KubernetesDrainApi, NodeState, PodState } from "./drain";

/** HTTP status of a failed client call (client-node 1.x throws ApiException with `code`), if it has one. */
export function httpStatus(err: unknown): number | undefined {
    const code = (err as { code?: unknown } | null)?.code;
    return typeof code === "number" ? code : undefined;
}

export function toNodeState(node: k8sTypes.V1Node): NodeState {
    return { name: node.metadata?.name ?? "", unschedulable: node.spec?.unschedulable === true };
}

export function toPodState(pod: k8sTypes.V1Pod): PodState {
    const controller = pod.metadata?.ownerReferences?.find((o) => o.controller === true);
    return {
        namespace: pod.metadata?.namespace ?? "",
        name: pod.metadata?.name ?? "",
        labels: pod.metadata?.labels ?? {},
        annotations: pod.metadata?.annotations ?? {},
        controllerKind: controller?.kind,
        phase: pod.status?.phase ?? "Unknown",
        terminating: pod.metadata?.deletionTimestamp != null,
    };
}

/** A drain client for the cluster the kubeconfig (YAML or JSON text) points at. */
export function kubeDrainApi(kubeconfig: string): KubernetesDrainApi {
    const k8s: typeof k8sTypes = require("@kubernetes/client-node");
    const config = new k8s.KubeConfig();
    config.loadFromString(kubeconfig);
    const core = config.makeApiClient(k8s.CoreV1Api);
    // `kubectl cordon` sets spec.unschedulable (Kubernetes docs, "Nodes", manual node administration). A JSON merge
    // patch says exactly that; the client would otherwise default to JSON Patch (first media type it supports).
    const mergePatch = k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch);

    return {
        async listNodes(nodeGroupName) {
            const list = await core.listNode({ labelSelector: `${EKS_NODEGROUP_LABEL}=${nodeGroupName}` });
            return list.items.map(toNodeState);
        },
        async cordon(nodeName) {
            try {
                await core.patchNode({ name: nodeName, body: { spec: { unschedulable: true } } }, mergePatch);
            } catch (err) {
                if (httpStatus(err) !== 404) throw err; // a node already gone needs no cordon
            }
        },
        async listPods(nodeName) {
            const list = await core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${nodeName}` });
            return list.items.map(toPodState);
        },
        async evict(namespace, name): Promise<EvictionResult> {
            // policy/v1 Eviction (Kubernetes docs, "API-initiated Eviction"): 200 allowed, 429 refused by a
            // PodDisruptionBudget (try again later), 404 the pod is gone; anything else is thrown.
            const body = { apiVersion: "policy/v1", kind: "Eviction", metadata: { name, namespace } };
            try {
                await core.createNamespacedPodEviction({ name, namespace, body });
                return "evicted";
            } catch (err) {
                const status = httpStatus(err);
                if (status === 429) return "blocked";
                if (status === 404) return "gone";
                throw err;
            }
        },
    };
}
