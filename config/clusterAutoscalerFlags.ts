import { CLUSTER_AUTOSCALER_FLAG_LISTS, ClusterAutoscalerFlagVersion } from "./clusterAutoscalerFlags.data";
import type { CLUSTER_AUTOSCALER_IMAGES } from "./addons/clusterAutoscaler";
import type { EksVersion } from "./versions";

/**
 * Command-line flags of each Cluster Autoscaler image the program deploys. `addons.clusterAutoscaler.extraArgs` keys
 * become `--key=value` (chart templates/deployment.yaml), and the binary exits at start-up on a flag it does not
 * define, after `pulumi up` has already succeeded; so keys must be checked against the flags of the image actually
 * deployed. Flags differ between minors and even between patches of one minor (force-delete-failed-nodes arrived in
 * 1.31.5, 1.32.3 and 1.33.1; max-empty-bulk-delete and three more were removed in 1.33.0).
 *
 * The lists live in tests/fixtures/cluster-autoscaler-flags/v<version>.txt (config/clusterAutoscalerFlags.data.ts is
 * generated from them); each was read from kubernetes/autoscaler at tag cluster-autoscaler-<version>: the
 * autoscaler's own flags (`main.go` up to 1.32, `config/flags/flags.go` from 1.33), plus what `main.go` binds from
 * klog, component-base (leader election, logging, feature gates) and the linked GCE provider, at the module
 * versions that tag's go.mod pins. Not from the FAQ's parameter table: it is generated from `--help` by
 * hack/update-faq-flags.sh at some past commit, and at 1.35.2 it still lists four flags the binary lost in 1.33.
 */

type TagVersion<T> = T extends `v${infer V}` ? V : never;
/** The versions of the pinned images (`v1.35.2` → `1.35.2`). */
type PinnedVersion = TagVersion<(typeof CLUSTER_AUTOSCALER_IMAGES)[EksVersion]>;

/**
 * Flags per pinned image version. Typed on the pinned tags of CLUSTER_AUTOSCALER_IMAGES: bumping a pin to a tag that
 * has no list, or adding a minor without one, does not compile.
 */
export const CLUSTER_AUTOSCALER_FLAGS_BY_VERSION: Readonly<Record<PinnedVersion, readonly string[]>> =
    CLUSTER_AUTOSCALER_FLAG_LISTS;

const SETS = new Map<string, ReadonlySet<string>>(
    Object.entries(CLUSTER_AUTOSCALER_FLAG_LISTS).map(([version, flags]) => [version, new Set(flags)]),
);

/**
 * The flags of the image with this tag (`v1.34.5`), or undefined when there is no list for exactly that tag: a
 * malformed tag, or an override patch the program has not read (patches of one minor do not share a flag set).
 */
export function clusterAutoscalerFlags(imageTag: string): { version: string; flags: ReadonlySet<string> } | undefined {
    const version = /^v(\d+\.\d+\.\d+)$/.exec(imageTag)?.[1];
    const flags = version === undefined ? undefined : SETS.get(version);
    return flags && version ? { version, flags } : undefined;
}

/** Versions that have a list, ascending. */
export const CLUSTER_AUTOSCALER_FLAG_VERSIONS: readonly ClusterAutoscalerFlagVersion[] = Object.keys(
    CLUSTER_AUTOSCALER_FLAG_LISTS,
) as ClusterAutoscalerFlagVersion[];

/**
 * Flags chart cluster-autoscaler 9.59.0 (CLUSTER_AUTOSCALER.chart) puts on the command line by itself for the values the program
 * sets (cloudProvider aws, autoDiscovery.clusterName): `--cloud-provider`, `--namespace` and
 * `--node-group-auto-discovery` from templates/deployment.yaml, and its default `extraArgs` (`logtostderr`,
 * `stderrthreshold`, `v`) from values.yaml, which Helm keeps when the program's extraArgs are merged over them
 * (kubernetes/autoscaler tag cluster-autoscaler-chart-9.59.0, cluster-autoscaler/charts/cluster-autoscaler/).
 */
export const CHART_RENDERED_FLAGS = [
    "cloud-provider",
    "namespace",
    "node-group-auto-discovery",
    "logtostderr",
    "stderrthreshold",
    "v",
] as const;
