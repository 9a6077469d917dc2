/**
 * Draining a node group that is about to be deleted, as a deterministic loop over a small client interface and an
 * injected clock. No Kubernetes or AWS client, timer or Pulumi API is touched here: adapters (kubeClient.ts,
 * asgClient.ts) and the hook (drainHook.ts) supply them, tests supply fakes.
 *
 * Why it exists: EKS's own in-place node update evicts pods and, when a pod cannot leave within 15 minutes (our
 * `maxUnavailable: 0` PodDisruptionBudget on running CI jobs), fails with `PodEvictionFailure` unless forced, and a
 * forced update deletes the pods (EKS user guide, "Understand each phase of node updates", upgrade phase,
 * https://docs.aws.amazon.com/eks/latest/userguide/managed-node-update-behavior.html; API reference
 * UpdateNodegroupVersion `force`, https://docs.aws.amazon.com/eks/latest/APIReference/API_UpdateNodegroupVersion.html).
 * So node groups are replaced instead (blueGreen.ts), and this drain runs before the old group is deleted:
 *
 * (a) job groups: remove the job-discovery tag from the old ASG first, so Cluster Autoscaler stops scaling it up
 *     (its `--node-group-auto-discovery` requires that tag, asgTags.ts; the new group carries it). The autoscaler
 *     re-reads its ASGs at most once a minute (`refreshInterval`, kubernetes/autoscaler
 *     cluster-autoscaler/cloudprovider/aws/aws_manager.go): a node it still adds to the old group meanwhile is
 *     cordoned when it joins, by (b);
 * (b) cordon every node of the group (label `eks.amazonaws.com/nodegroup=<name>`), and every node that joins later;
 * (c) decide per pod ({@link podAction}): job pods are waited for, never evicted; other pods are evicted through the
 *     policy/v1 Eviction API, which answers 429 while a PodDisruptionBudget forbids it (Kubernetes docs,
 *     "API-initiated Eviction", https://kubernetes.io/docs/concepts/scheduling-eviction/api-eviction/) — retried
 *     every round; then wait until the pods are gone;
 * (d) at the bound, log what is still there and return: the delete goes ahead. A patch must never fail the deploy,
 *     and the bound is the longest job timeout of the group's runners, after which GitLab cancels the job anyway;
 * (e) a node that disappears counts as drained. Failed API calls are retried with exponential backoff. If not one
 *     complete round (list nodes, cordon them, list their pods) ever succeeded before the bound, the drain throws
 *     instead of letting nodes go unobserved: the hook fails, Pulumi keeps the old group (a failing before-delete
 *     hook prevents the delete, Pulumi docs "Resource option: hooks"), nothing running is lost, and the next
 *     deployment retries. The price is a failed deploy and a second, older group left running until then. Once one
 *     round succeeded, later failures do not stop the delete at the bound: every job running at that round has by
 *     then outlived its maximum timeout, and cordoned nodes took no new ones.
 */
import { JOBS_DISCOVERY_TAG } from "../../../model/autoscalerTags";
import { RUNNER_LABELS } from "../../../model/labels";
import type { DrainPlan, NodeGroupRole } from "./drainPlan";

export interface NodeState {
    readonly name: string;
    readonly unschedulable: boolean;
}

export interface PodState {
    readonly namespace: string;
    readonly name: string;
    readonly labels: Readonly<Record<string, string>>;
    readonly annotations: Readonly<Record<string, string>>;
    /** Kind of the controlling owner reference (`DaemonSet`, `ReplicaSet`, …), if any. */
    readonly controllerKind?: string;
    /** `status.phase`: Pending, Running, Succeeded, Failed, Unknown. */
    readonly phase: string;
    /** `metadata.deletionTimestamp` is set: the pod is shutting down within its grace period. */
    readonly terminating: boolean;
}

/** 200 → evicted (the pod now terminates), 429 → blocked by a PodDisruptionBudget, 404 → already gone. */
export type EvictionResult = "evicted" | "blocked" | "gone";

/** The Kubernetes calls a drain makes. A node or pod that no longer exists is not an error (cordon resolves). */
export interface KubernetesDrainApi {
    listNodes(nodeGroupName: string): Promise<NodeState[]>;
    cordon(nodeName: string): Promise<void>;
    listPods(nodeName: string): Promise<PodState[]>;
    evict(namespace: string, name: string): Promise<EvictionResult>;
}

/** The AWS call a drain makes. An ASG that no longer exists is not an error. */
export interface AsgTagApi {
    removeAsgTag(asgName: string, key: string): Promise<void>;
}

export type DrainApi = KubernetesDrainApi & AsgTagApi;

export interface Clock {
    /** Milliseconds, monotonic enough for deadlines. */
    now(): number;
    sleep(ms: number): Promise<void>;
}

export interface DrainLogger {
    info(message: string): void;
    warn(message: string): void;
}

export const DRAIN_TIMING = {
    /** Between rounds while pods are still there. */
    pollSeconds: 15,
    /** After a failed round: 5, 10, 20, … seconds, at most backoffMaxSeconds. */
    backoffBaseSeconds: 5,
    backoffMaxSeconds: 120,
    /** A progress line at least this often while waiting (and whenever the set of pods waited for changes). */
    progressEverySeconds: 300,
};
export type DrainTiming = typeof DRAIN_TIMING;

export type PodAction = "ignore" | "wait" | "evict";

/** Annotation of mirror pods (static pods): the API cannot evict them (kubectl drain skips them too). */
export const MIRROR_POD_ANNOTATION = "kubernetes.io/config.mirror";

/**
 * What the drain does with one pod (pure). Skipped like `kubectl drain` does (k8s.io/kubectl/pkg/drain/filters.go):
 * DaemonSet pods (recreated on every node and tolerant of cordons), mirror pods, and finished pods. On a job group,
 * bare pods labelled `eks-gitlab-runners/runner` are CI jobs: waited for, never evicted. (Manager pods carry that label
 * too, but run only on the management group.) On the management group every other pod is evicted, runner managers
 * included: the eviction marks the pod terminating, and a ReplicaSet counts only pods without a deletion timestamp
 * (`IsPodActive`, kubernetes/kubernetes pkg/controller/controller_utils.go; Kubernetes docs "Pod Lifecycle",
 * termination: workload resources "no longer treat the shutting-down Pod as a valid, in-service replica"), so a new
 * manager starts on the new group at once while the old one's preStop finishes its jobs within its grace period.
 * A pod already terminating is only waited for.
 */
export function podAction(pod: PodState, role: NodeGroupRole): PodAction {
    if (pod.phase === "Succeeded" || pod.phase === "Failed") return "ignore";
    if (pod.controllerKind === "DaemonSet" || MIRROR_POD_ANNOTATION in pod.annotations) return "ignore";
    if (pod.terminating) return "wait";
    // A CI job pod is a bare pod the runner created; a labelled pod that a controller owns (e.g. the runner's
    // warm-capacity pause pods, a Deployment) is a placeholder that would never finish: it moves like any other.
    if (role === "jobs" && RUNNER_LABELS.runner in pod.labels && pod.controllerKind === undefined) return "wait";
    return "evict";
}

export interface DrainReport {
    readonly outcome: "drained" | "bound-reached";
    readonly elapsedSeconds: number;
    /** `namespace/name on node` of the pods still there at the bound (as last seen). */
    readonly remaining: readonly string[];
}

type DrainTarget = Pick<DrainPlan, "nodeGroupName" | "role" | "asgName" | "boundSeconds">;

/** Runs the drain until nothing is left to wait for or the bound is reached; see the file comment. */
export async function drainNodeGroup(
    plan: DrainTarget,
    api: DrainApi,
    clock: Clock,
    log: DrainLogger,
    timing: DrainTiming = DRAIN_TIMING,
): Promise<DrainReport> {
    const tag = `[drain ${plan.nodeGroupName}]`;
    const start = clock.now();
    const deadline = start + plan.boundSeconds * 1000;
    const elapsed = () => Math.round((clock.now() - start) / 1000);
    log.info(`${tag} ${plan.role} group: draining before deletion, for at most ${plan.boundSeconds} s`);

    let tagRemoved = plan.role !== "jobs";
    const cordoned = new Set<string>();
    const blockedOnce = new Set<string>();
    let observed = false;
    let failures = 0;
    let lastSeen: string[] = [];
    let lastProgress = { at: -Infinity, key: "" };

    for (;;) {
        if (!tagRemoved) {
            try {
                await api.removeAsgTag(plan.asgName, JOBS_DISCOVERY_TAG);
                tagRemoved = true;
                log.info(`${tag} removed ${JOBS_DISCOVERY_TAG} from ASG ${plan.asgName}: Cluster Autoscaler no longer scales it`);
            } catch (err) {
                log.warn(`${tag} could not remove ${JOBS_DISCOVERY_TAG} from ASG ${plan.asgName} (retrying): ${message(err)}`);
            }
        }

        let waiting: string[] | undefined;
        try {
            waiting = await round(plan, api, tag, log, cordoned, blockedOnce);
            observed = true;
            failures = 0;
            lastSeen = waiting;
        } catch (err) {
            failures += 1;
            log.warn(`${tag} Kubernetes API call failed (attempt ${failures}, retrying with backoff): ${message(err)}`);
        }

        if (waiting !== undefined && waiting.length === 0) {
            log.info(`${tag} drained after ${elapsed()} s: no pod left to wait for`);
            return { outcome: "drained", elapsedSeconds: elapsed(), remaining: [] };
        }

        const now = clock.now();
        if (now >= deadline) {
            if (!observed) {
                throw new Error(
                    `${tag} the Kubernetes API could not be observed once in ${plan.boundSeconds} s (${failures} failed attempts); ` +
                        `the node group is kept, nothing was deleted. Check the cluster endpoint and credentials, then run the deployment again.`,
                );
            }
            log.warn(
                `${tag} bound of ${plan.boundSeconds} s reached; deleting the group with ${lastSeen.length} pod(s) still there ` +
                    `(as last seen): ${lastSeen.join(", ")}`,
            );
            return { outcome: "bound-reached", elapsedSeconds: elapsed(), remaining: lastSeen };
        }

        if (waiting !== undefined) {
            const key = waiting.join(",");
            if (key !== lastProgress.key || now - lastProgress.at >= timing.progressEverySeconds * 1000) {
                const left = Math.ceil((deadline - now) / 1000);
                log.info(`${tag} waiting for ${waiting.length} pod(s), ${left} s left: ${waiting.join(", ")}`);
                lastProgress = { at: now, key };
            }
        }

        const delaySeconds =
            waiting !== undefined
                ? timing.pollSeconds
                : Math.min(timing.backoffMaxSeconds, timing.backoffBaseSeconds * 2 ** (failures - 1));
        await clock.sleep(Math.min(delaySeconds * 1000, deadline - now));
    }
}

/** One observation: cordon every node, evict what may go, and return the pods still to wait for. Throws on API errors. */
async function round(
    plan: DrainTarget,
    api: KubernetesDrainApi,
    tag: string,
    log: DrainLogger,
    cordoned: Set<string>,
    blockedOnce: Set<string>,
): Promise<string[]> {
    const nodes = await api.listNodes(plan.nodeGroupName);
    const seenBefore = cordoned.size > 0;
    for (const node of nodes) {
        if (!node.unschedulable) {
            await api.cordon(node.name);
            const joined = seenBefore && !cordoned.has(node.name);
            log.info(`${tag} cordoned node ${node.name}${joined ? " (joined during the drain)" : ""}`);
        }
        cordoned.add(node.name);
    }

    const waiting: string[] = [];
    for (const node of nodes) {
        for (const pod of await api.listPods(node.name)) {
            const id = `${pod.namespace}/${pod.name}`;
            const action = podAction(pod, plan.role);
            if (action === "ignore") continue;
            if (action === "evict") {
                const result = await evictQuietly(api, pod, tag, log);
                if (result === "gone") continue;
                if (result === "evicted") log.info(`${tag} evicted ${id} from ${node.name}`);
                if (result === "blocked" && !blockedOnce.has(id)) {
                    blockedOnce.add(id);
                    log.info(`${tag} eviction of ${id} refused by a PodDisruptionBudget (429); retrying every round`);
                }
            }
            waiting.push(`${id} on ${node.name}`);
        }
    }
    return waiting.sort();
}

/** An eviction that fails for another reason (e.g. 500: several PodDisruptionBudgets select the pod) is retried next round. */
async function evictQuietly(
    api: KubernetesDrainApi,
    pod: PodState,
    tag: string,
    log: DrainLogger,
): Promise<EvictionResult | "failed"> {
    try {
        return await api.evict(pod.namespace, pod.name);
    } catch (err) {
        log.warn(`${tag} eviction of ${pod.namespace}/${pod.name} failed (retrying next round): ${message(err)}`);
        return "failed";
    }
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));
