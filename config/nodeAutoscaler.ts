// One job-capacity engine per stack (`addons.nodeAutoscaler`): Cluster Autoscaler with `role: jobs` node groups, or
// Karpenter with `nodePools`. The settings of the engine that is not deployed are errors, not silently ignored.
import { KARPENTER_CLUSTER_NAME_MAX } from "../model/karpenter";
import type { NodeAutoscaler } from "./addons";
import { joinPath, Problem } from "./problems";

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/**
 * Problems of the document as written (`raw`, before defaults) that depend on the engine: what is set for the other
 * engine, and the cluster name's length under Karpenter (its node role is named after the cluster).
 */
export function nodeAutoscalerProblems(raw: Readonly<Record<string, unknown>>, engine: NodeAutoscaler): Problem[] {
    const problems: Problem[] = [];
    const addons = isObject(raw.addons) ? raw.addons : {};
    if (engine === "karpenter") {
        const ca = isObject(addons.clusterAutoscaler) ? addons.clusterAutoscaler : {};
        for (const [key, value] of Object.entries(ca)) {
            if (key === "enabled" && value === false) continue;
            problems.push({
                path: joinPath("addons", "clusterAutoscaler", key),
                message: `Cluster Autoscaler is not deployed with addons.nodeAutoscaler: karpenter${key === "extraArgs" ? " (its flags would do nothing)" : ""}; remove addons.clusterAutoscaler${key === "extraArgs" ? ".extraArgs" : ""} or switch back to clusterAutoscaler`,
            });
        }
        const cluster = isObject(raw.cluster) ? raw.cluster : {};
        if (typeof cluster.name === "string" && cluster.name.length > KARPENTER_CLUSTER_NAME_MAX)
            problems.push({
                path: "cluster.name",
                message: `"${cluster.name}" has ${cluster.name.length} characters; with Karpenter it may have at most ${KARPENTER_CLUSTER_NAME_MAX}, because the node role "${cluster.name}-karpenter-node" must fit IAM's 64`,
            });
    } else {
        if (isObject(addons.karpenter) && Object.keys(addons.karpenter).length > 0)
            problems.push({
                path: "addons.karpenter",
                message: "is only used with addons.nodeAutoscaler: karpenter; set that or remove the section",
            });
        if (isObject(raw.nodePools) && Object.keys(raw.nodePools).length > 0)
            problems.push({
                path: "nodePools",
                message:
                    "node pools are Karpenter's: set addons.nodeAutoscaler: karpenter, or declare the job capacity as role: jobs node groups for Cluster Autoscaler",
            });
    }
    return problems;
}
