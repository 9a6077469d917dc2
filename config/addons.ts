import { z } from "zod";
import { CLUSTER_AUTOSCALER_FLAGS, CLUSTER_AUTOSCALER_FLAGS_VERSION } from "./clusterAutoscalerFlags";
import { StackContext } from "./context";
import { joinPath, Problem, strictObject } from "./problems";
import { ADDON_CHARTS, CLUSTER_AUTOSCALER_IMAGES, imageMinor } from "./versions";

/**
 * `addons`: the cluster add-ons. Each has the same shape — `enabled`, a pinned version, and free-form values merged
 * last over the platform's — like the add-on modules platform teams know (aws-ia eks-blueprints-addons), but typed:
 * a misspelt key is an error here, not a silently ignored Helm value. docs/addons.md explains every default.
 */
export const ADDON_DEFAULTS = {
    clusterAutoscaler: {
        enabled: true,
        chartVersion: ADDON_CHARTS.clusterAutoscaler.version,
        /**
         * Tunable Cluster Autoscaler flags (→ chart `extraArgs`, rendered `--key=value`). Why each value: docs/addons.md.
         * Flags the program owns (discovery, leader election, the expendable-pod cutoff) are not here and cannot be
         * overridden: see CLUSTER_AUTOSCALER_OWNED_FLAGS.
         */
        extraArgs: {
            "balance-similar-node-groups": "true",
            expander: "least-waste",
            "skip-nodes-with-system-pods": "false",
            "skip-nodes-with-local-storage": "false",
            "scale-down-unneeded-time": "10m",
            "scale-down-delay-after-add": "5m",
            "max-node-provision-time": "10m",
        } as Readonly<Record<string, string>>,
    },
    metricsServer: {
        enabled: true,
        chartVersion: ADDON_CHARTS.metricsServer.version,
    },
    containerInsights: {
        enabled: true,
        /** Days CloudWatch keeps Container Insights logs (application, dataplane, host, performance). */
        logRetentionDays: 30,
    },
} as const;

/** Retention periods CloudWatch Logs accepts (PutRetentionPolicy `retentionInDays`). */
export const LOG_RETENTION_DAYS = [
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** Flags the program sets itself; an `extraArgs` entry for one of them is an error, with the reason. */
export const CLUSTER_AUTOSCALER_OWNED_FLAGS: Readonly<Record<string, string>> = {
    "cloud-provider": "the chart sets it from cloudProvider (aws)",
    namespace: "the chart sets it to the release namespace",
    "node-group-auto-discovery": "discovery is keyed on this cluster's job-group tags; the management group must stay invisible",
    nodes: "node groups are auto-discovered, never listed",
    "leader-elect": "two replicas run; without leader election both would scale the cluster",
    "expendable-pods-priority-cutoff":
        "it is coupled to the warm-capacity priority class value (components/addons/priorityClasses.ts)",
};

/**
 * Values paths the program owns, per add-on: overriding them through `values`/`configurationValues` would undo
 * placement, discovery or identity. Each maps to what to do instead.
 */
export const RESERVED_VALUES: Readonly<
    Record<"clusterAutoscaler" | "metricsServer" | "containerInsights", Readonly<Record<string, string>>>
> = {
    clusterAutoscaler: {
        "image.tag": "use addons.clusterAutoscaler.imageTag, which is checked against cluster.version",
        extraArgs: "use addons.clusterAutoscaler.extraArgs, which is checked against the autoscaler's flags",
        autoDiscovery: "discovery is keyed on this cluster's job-group tags",
        awsRegion: "it is the stack's aws:region",
        cloudProvider: "this program runs on AWS only",
        "rbac.serviceAccount.name": "the Pod Identity association is bound to the program's service account name",
        nodeSelector: "the autoscaler runs on the management nodes, which it cannot scale away",
        tolerations: "the autoscaler runs on the management nodes, which it cannot scale away",
    },
    metricsServer: {
        nodeSelector: "metrics-server runs on the management nodes",
        tolerations: "metrics-server runs on the management nodes",
    },
    containerInsights: {
        tolerations: "the CloudWatch agent and Fluent Bit must run on every node; their default tolerates every taint",
        "agent.tolerations": "the CloudWatch agent must run on every node",
        "containerLogs.fluentBit.tolerations": "Fluent Bit must run on every node",
        "manager.nodeSelector": "the add-on's operator runs on the management nodes",
        "manager.tolerations": "the add-on's operator runs on the management nodes",
    },
};

const SEMVER = /^\d+\.\d+\.\d+$/;
const chartVersion = (fallback: string) =>
    z
        .string()
        .regex(SEMVER, {
            error: (iss) => `${JSON.stringify(iss.input)} is not a chart version like ${fallback} (pin an exact version)`,
        })
        .default(fallback);
const flagValue = z.union([z.string(), z.number(), z.boolean()]);

/**
 * Free-form values merged last, minus the paths in `reserved`. Checked on the field itself (not in resolveAddons)
 * so the problems are reported even when a sibling field of the add-on is invalid.
 */
const valuesExcept = (reserved: Readonly<Record<string, string>>) =>
    z
        .record(z.string(), z.unknown())
        .superRefine((values, ctx) => {
            for (const [dotted, why] of Object.entries(reserved)) {
                let node: unknown = values;
                for (const key of dotted.split("."))
                    node = node !== null && typeof node === "object" ? (node as Record<string, unknown>)[key] : undefined;
                if (node !== undefined)
                    ctx.addIssue({ code: "custom", path: dotted.split("."), message: `is set by this program: ${why}` });
            }
        })
        .default(() => ({}));

/** Why a Cluster Autoscaler flag name cannot be used in extraArgs, or undefined if it can. */
function flagProblem(flag: string): string | undefined {
    if (flag.startsWith("-")) return `write the flag without leading dashes ("${flag.replace(/^-+/, "")}")`;
    if (flag in CLUSTER_AUTOSCALER_OWNED_FLAGS) return `is set by this program: ${CLUSTER_AUTOSCALER_OWNED_FLAGS[flag]}`;
    if (CLUSTER_AUTOSCALER_FLAGS.has(flag)) return undefined;
    const guess = closest(flag, CLUSTER_AUTOSCALER_FLAGS);
    return `"${flag}" is not a flag of Cluster Autoscaler ${CLUSTER_AUTOSCALER_FLAGS_VERSION}${guess ? ` (did you mean "${guess}"?)` : ""}; an unknown flag stops the autoscaler at start-up`;
}

const extraArgsSchema = z
    .record(z.string(), flagValue)
    .superRefine((args, ctx) => {
        for (const flag of Object.keys(args)) {
            const why = flagProblem(flag);
            if (why) ctx.addIssue({ code: "custom", path: [flag], message: why });
        }
    })
    .default(() => ({}));

const clusterAutoscalerSchema = strictObject({
    enabled: z.boolean().default(ADDON_DEFAULTS.clusterAutoscaler.enabled),
    /** → Helm chart `cluster-autoscaler` version. */
    chartVersion: chartVersion(ADDON_DEFAULTS.clusterAutoscaler.chartVersion),
    /** → chart `image.tag`. Default: CLUSTER_AUTOSCALER_IMAGES[cluster.version]; an override must be of the same minor. */
    imageTag: z
        .string()
        .regex(/^v\d+\.\d+\.\d+$/, { error: (iss) => `${JSON.stringify(iss.input)} is not an autoscaler image tag like v1.34.5` })
        .optional(),
    /** Flags merged over ADDON_DEFAULTS.clusterAutoscaler.extraArgs (→ chart `extraArgs`); names without leading dashes. */
    extraArgs: extraArgsSchema,
    /** Extra chart values, merged last (except RESERVED_VALUES.clusterAutoscaler). */
    values: valuesExcept(RESERVED_VALUES.clusterAutoscaler),
});

const metricsServerSchema = strictObject({
    enabled: z.boolean().default(ADDON_DEFAULTS.metricsServer.enabled),
    /** → Helm chart `metrics-server` version. */
    chartVersion: chartVersion(ADDON_DEFAULTS.metricsServer.chartVersion),
    /** Extra chart values, merged last (except RESERVED_VALUES.metricsServer). */
    values: valuesExcept(RESERVED_VALUES.metricsServer),
});

const containerInsightsSchema = strictObject({
    enabled: z.boolean().default(ADDON_DEFAULTS.containerInsights.enabled),
    /** → `amazon-cloudwatch-observability` add-on version; default: the newest for cluster.version, resolved at deploy. */
    version: z
        .string()
        .regex(/^v\d+\.\d+\.\d+-eksbuild\.\d+$/, {
            error: (iss) => `${JSON.stringify(iss.input)} is not an EKS add-on version like v4.5.0-eksbuild.1`,
        })
        .optional(),
    /** Retention of the four Container Insights log groups. */
    logRetentionDays: z
        .number()
        .refine((d) => (LOG_RETENTION_DAYS as readonly number[]).includes(d), {
            error: (iss) =>
                `${JSON.stringify(iss.input)} is not a CloudWatch Logs retention period (allowed: ${LOG_RETENTION_DAYS.join(", ")})`,
        })
        .default(ADDON_DEFAULTS.containerInsights.logRetentionDays),
    /** Extra add-on configurationValues, merged last (except RESERVED_VALUES.containerInsights). */
    configurationValues: valuesExcept(RESERVED_VALUES.containerInsights),
});

export const addonsSchema = strictObject({
    clusterAutoscaler: clusterAutoscalerSchema.prefault({}),
    metricsServer: metricsServerSchema.prefault({}),
    containerInsights: containerInsightsSchema.prefault({}),
}).prefault({});
type AddonsInput = z.output<typeof addonsSchema>;

export interface ClusterAutoscalerConfig {
    readonly enabled: boolean;
    readonly chartVersion: string;
    /** The image tag to run: the override or the pinned tag for cluster.version ("" only when disabled and unknown). */
    readonly imageTag: string;
    /** ADDON_DEFAULTS.clusterAutoscaler.extraArgs with the stack's extraArgs merged over them, values as strings. */
    readonly extraArgs: Readonly<Record<string, string>>;
    readonly values: Readonly<Record<string, unknown>>;
}
export interface MetricsServerConfig {
    readonly enabled: boolean;
    readonly chartVersion: string;
    readonly values: Readonly<Record<string, unknown>>;
}
export interface ContainerInsightsConfig {
    readonly enabled: boolean;
    readonly version?: string;
    readonly logRetentionDays: number;
    readonly configurationValues: Readonly<Record<string, unknown>>;
}
export interface AddonsConfig {
    readonly clusterAutoscaler: ClusterAutoscalerConfig;
    readonly metricsServer: MetricsServerConfig;
    readonly containerInsights: ContainerInsightsConfig;
}

/** Whether the Container Insights add-on (and its per-node DaemonSets) is enabled; the default when `addons` did not parse. */
export function containerInsightsEnabled(addons: AddonsInput | undefined): boolean {
    return addons?.containerInsights.enabled ?? ADDON_DEFAULTS.containerInsights.enabled;
}

/**
 * Cross-section rule of the add-ons (the autoscaler image for the cluster version) and the merge of extraArgs over
 * the defaults. Flag names and reserved values are checked by the schema itself.
 * `images` is the version table (a parameter so tests can prove the unsupported-version path).
 */
export function resolveAddons(
    addons: AddonsInput,
    ctx: StackContext,
    images: Readonly<Partial<Record<string, string>>> = CLUSTER_AUTOSCALER_IMAGES,
): { addons: AddonsConfig; problems: Problem[] } {
    const problems: Problem[] = [];
    const ca = addons.clusterAutoscaler;

    const version = ctx.cluster?.version;
    const pinned = version === undefined ? undefined : images[version];
    if (ca.enabled && version !== undefined) {
        const overrideMinor = ca.imageTag === undefined ? undefined : imageMinor(ca.imageTag);
        if (overrideMinor !== undefined && overrideMinor !== version) {
            problems.push({
                path: joinPath("addons", "clusterAutoscaler", "imageTag"),
                message: `${ca.imageTag} is Cluster Autoscaler ${overrideMinor} but cluster.version is "${version}"; the autoscaler's minor must match the cluster's (${pinned ? `remove imageTag to run the pinned ${pinned}` : `use a v${version}.x tag`})`,
            });
        } else if (ca.imageTag === undefined && pinned === undefined) {
            const known = Object.keys(images).sort();
            problems.push({
                path: "cluster.version",
                message: `"${version}" has no pinned Cluster Autoscaler image (pinned: ${known.length ? `${known[0]}–${known[known.length - 1]}` : "none"}); add it to CLUSTER_AUTOSCALER_IMAGES in config/versions.ts, set addons.clusterAutoscaler.imageTag to a v${version}.x tag, or set addons.clusterAutoscaler.enabled: false`,
            });
        }
    }

    const userArgs = Object.fromEntries(Object.entries(ca.extraArgs).map(([k, v]) => [k, String(v)]));
    return {
        addons: {
            clusterAutoscaler: {
                enabled: ca.enabled,
                chartVersion: ca.chartVersion,
                imageTag: ca.imageTag ?? pinned ?? "",
                extraArgs: { ...ADDON_DEFAULTS.clusterAutoscaler.extraArgs, ...userArgs },
                values: ca.values,
            },
            metricsServer: addons.metricsServer,
            containerInsights: addons.containerInsights,
        },
        problems,
    };
}

/** The candidate nearest to `word` by edit distance, if it is close enough to be a typo. */
function closest(word: string, candidates: Iterable<string>): string | undefined {
    let best: string | undefined;
    let bestDistance = Math.max(2, Math.floor(word.length / 4)) + 1;
    for (const c of candidates) {
        const d = editDistance(word, c);
        if (d < bestDistance) [best, bestDistance] = [c, d];
    }
    return best;
}

function editDistance(a: string, b: string): number {
    let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
        const current = [i];
        for (let j = 1; j <= b.length; j++) {
            current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
        }
        previous = current;
    }
    return previous[b.length];
}
