// Cluster Autoscaler's command-line flags as the stack sets them (`addons.clusterAutoscaler.extraArgs`, docs/addons.md):
// the tunable defaults, the flags the program owns, and the rules a flag name must meet before the image-specific
// check (config/clusterAutoscalerFlags.ts) runs.
import { z } from "zod";
import { EXPENDABLE_PODS_PRIORITY_CUTOFF } from "../../model/priorityClasses";
import { closest } from "../suggest";

/**
 * Tunable flags (→ chart `extraArgs`, rendered `--key=value`). Why each value: docs/addons.md. Flags the program owns
 * (discovery, leader election, the expendable-pod cutoff) are not here and cannot be overridden.
 */
export const CLUSTER_AUTOSCALER_DEFAULT_ARGS: Readonly<Record<string, string>> = {
    "balance-similar-node-groups": "true",
    expander: "least-waste",
    "skip-nodes-with-system-pods": "false",
    "skip-nodes-with-local-storage": "false",
    "scale-down-unneeded-time": "10m",
    "scale-down-delay-after-add": "5m",
    "max-node-provision-time": "10m",
};

/** Flags the program sets itself; an `extraArgs` entry for one of them is an error, with the reason. */
export const CLUSTER_AUTOSCALER_OWNED_FLAGS: Readonly<Record<string, string>> = {
    "cloud-provider": "the chart sets it from cloudProvider (aws)",
    namespace: "the chart sets it to the release namespace",
    "node-group-auto-discovery": "discovery is keyed on this cluster's job-group tags; the management group must stay invisible",
    nodes: "node groups are auto-discovered, never listed",
    "leader-elect": "two replicas run; without leader election both would scale the cluster",
    "expendable-pods-priority-cutoff": "it is coupled to the warm-capacity priority class value (model/priorityClasses.ts)",
    "emit-per-nodegroup-metrics":
        "the node-group alarms and dashboard (observability) read cluster_autoscaler_node_group_target_count and …_backoff_status, which exist only with it",
};

/**
 * The values of those owned flags. `emit-per-nodegroup-metrics` (default false at every pinned tag) makes the autoscaler
 * register the node_group_* metrics (`metrics.RegisterAll(emitPerNodeGroupMetrics)`: cluster-autoscaler main.go, flag
 * in main.go up to 1.32 and config/flags/flags.go from 1.33, kubernetes/autoscaler tags cluster-autoscaler-1.30.7 …
 * 1.35.2); it is in every pinned image's flag list (tests/fixtures/cluster-autoscaler-flags/).
 */
export function ownedClusterAutoscalerArgs(): Record<string, string> {
    return {
        "leader-elect": "true",
        "expendable-pods-priority-cutoff": String(EXPENDABLE_PODS_PRIORITY_CUTOFF),
        "emit-per-nodegroup-metrics": "true",
    };
}

/**
 * Why a flag name can never be used in extraArgs (whatever the image), or undefined. The chart renders a key only up
 * to its first "_" (`--{{ $key | mustRegexFind "^[^_]+" }}`, chart 9.59.0 templates/deployment.yaml; values.yaml:
 * "Everything after the first _ will be ignored", its way to repeat a flag): `leader-elect_2` would slip
 * `--leader-elect` past the owned-flag check, and `scale_down_enabled` would become `--scale`.
 */
export function flagNameProblem(flag: string): string | undefined {
    if (flag.startsWith("-")) return `write the flag without leading dashes ("${flag.replace(/^-+/, "")}")`;
    if (flag.includes("_")) {
        const rendered = flag.slice(0, flag.indexOf("_"));
        return `the chart passes a key only up to its first "_" (this one as --${rendered}): write flag names with dashes, one key per flag`;
    }
    if (flag in CLUSTER_AUTOSCALER_OWNED_FLAGS) return `is set by this program: ${CLUSTER_AUTOSCALER_OWNED_FLAGS[flag]}`;
    return undefined;
}

/**
 * extraArgs keys the image about to run does not define. The chart renders each key as `--key=value`
 * (templates/deployment.yaml; keys with "_" are refused above) and the binary exits at start-up on an unknown flag,
 * after `pulumi up` succeeded; flags differ between minors and patches, so the check uses the deployed image's own
 * list (config/clusterAutoscalerFlags.ts).
 */
export function unknownFlags(args: Readonly<Record<string, unknown>>, flags: ReadonlySet<string>, version: string) {
    return Object.keys({ ...CLUSTER_AUTOSCALER_DEFAULT_ARGS, ...args })
        .filter((flag) => flagNameProblem(flag) === undefined && !flags.has(flag))
        .map((flag) => {
            const guess = closest(flag, flags);
            return {
                flag,
                message: `"${flag}" is not a flag of Cluster Autoscaler ${version}${guess ? ` (did you mean "${guess}"?)` : ""}; an unknown flag stops the autoscaler at start-up`,
            };
        });
}

export const extraArgsSchema = z
    .record(z.string(), z.union([z.string(), z.number(), z.boolean()]))
    .superRefine((args, ctx) => {
        for (const flag of Object.keys(args)) {
            const why = flagNameProblem(flag);
            if (why) ctx.addIssue({ code: "custom", path: [flag], message: why });
        }
    })
    .default(() => ({}));
