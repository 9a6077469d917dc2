/**
 * Kubernetes minors this program supports for the EKS control plane. Each later pinned component (Cluster
 * Autoscaler image, add-on versions) is keyed by these same minors, so adding one here is the start of a version
 * bump, not the whole of it.
 */
export const EKS_VERSIONS = ["1.30", "1.31", "1.32", "1.33", "1.34", "1.35"] as const;
export type EksVersion = (typeof EKS_VERSIONS)[number];

export const EKS_VERSION_RANGE = `${EKS_VERSIONS[0]}–${EKS_VERSIONS[EKS_VERSIONS.length - 1]}`;

export function isEksVersion(v: string): v is EksVersion {
    return (EKS_VERSIONS as readonly string[]).includes(v);
}

/**
 * The oldest Pulumi CLI that can deploy this program: node-group replacement drains the old group in a before-delete
 * resource hook (components/nodegroups/lifecycle/drainHook.ts), and resource hooks need an engine that implements them,
 * first released in v3.182.0 (its release notes: "[engine] Implement ResourceHooks in the engine", pulumi/pulumi#19874;
 * the same release has the Node.js SDK's hooks, #19946). The engine's SignalAndWaitForShutdown, which keeps the program
 * running until delete steps (and their hooks) are done, predates it (pulumi/pulumi#19837, merged 2025-06-12). An older
 * CLI fails the deployment when the first node group registers its hook (@pulumi/pulumi 3.248.0 runtime/resource.js
 * checks the engine's `resourceHooks` support). README and the runbook state this version; a test keeps them in step.
 */
export const MIN_PULUMI_CLI_VERSION = "3.182.0";
