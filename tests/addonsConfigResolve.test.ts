// The addons section alone, parsed and resolved for a cluster version: every default, the Cluster Autoscaler image of
// the cluster's minor and its flags, docs/addons.md stating the same (whole-document errors: addonsConfigRejections.test.ts).
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { addonsSchema, addonsSchemaFor, containerInsightsEnabled, RESERVED_VALUES, resolveAddons } from "../config/addons";
import { problemsFromZod } from "../config/problems";
import {
    CLUSTER_AUTOSCALER,
    CLUSTER_AUTOSCALER_DEFAULTS,
    CLUSTER_AUTOSCALER_IMAGES,
    imageMinor,
} from "../config/addons/clusterAutoscaler";
import { CLUSTER_AUTOSCALER_OWNED_FLAGS } from "../config/addons/clusterAutoscalerArgs";
import { LOG_RETENTION_DAYS } from "../config/addons/containerInsights";
import { KARPENTER, KARPENTER_MIN_VERSION } from "../config/addons/karpenter";
import { METRICS_SERVER } from "../config/addons/metricsServer";
import { PRIORITY_CLASS_SPECS } from "../model/priorityClasses";
import { clusterAutoscalerFlags } from "../config/clusterAutoscalerFlags";
import type { ClusterConfig } from "../config/cluster";
import { EKS_VERSIONS } from "../config/versions";

/** Parses and resolves only the `addons` section, for a cluster of `version`. */
function resolve(input: unknown, version = "1.34") {
    const result = addonsSchemaFor({ kubernetesVersion: version }).safeParse(input);
    if (!result.success) return { addons: undefined as never, problems: problemsFromZod("addons", result.error.issues) };
    return resolveAddons(result.data, {
        cluster: { version } as ClusterConfig,
        nodeGroups: { jobs: [] },
        containerInsights: containerInsightsEnabled(result.data),
    });
}

describe("addons config", () => {
    it("fills every default when the section is absent", () => {
        const { addons, problems } = resolve(undefined);
        assert.deepEqual(problems, []);
        assert.deepEqual(addons, {
            clusterAutoscaler: {
                enabled: true,
                chartVersion: CLUSTER_AUTOSCALER.chart.version,
                imageTag: CLUSTER_AUTOSCALER_IMAGES["1.34"],
                extraArgs: CLUSTER_AUTOSCALER_DEFAULTS.extraArgs,
                values: {},
            },
            karpenter: { enabled: false, chartVersion: KARPENTER.chart.version, values: {} },
            metricsServer: { enabled: true, chartVersion: METRICS_SERVER.chart.version, values: {} },
            containerInsights: { enabled: true, logRetentionDays: 30, configurationValues: {} },
            nodeAutoscaler: "clusterAutoscaler",
            findings: [],
        });
    });

    it("pins an autoscaler image of the cluster's own minor for every supported cluster version", () => {
        assert.deepEqual(Object.keys(CLUSTER_AUTOSCALER_IMAGES).sort(), [...EKS_VERSIONS]);
        for (const version of EKS_VERSIONS) {
            assert.equal(imageMinor(CLUSTER_AUTOSCALER_IMAGES[version]), version);
            assert.equal(resolve({}, version).addons.clusterAutoscaler.imageTag, CLUSTER_AUTOSCALER_IMAGES[version]);
        }
    });

    it("defaults and owned flags are flags of every pinned image", () => {
        for (const tag of Object.values(CLUSTER_AUTOSCALER_IMAGES)) {
            const { flags } = clusterAutoscalerFlags(tag)!;
            for (const flag of [
                ...Object.keys(CLUSTER_AUTOSCALER_DEFAULTS.extraArgs),
                ...Object.keys(CLUSTER_AUTOSCALER_OWNED_FLAGS),
            ])
                assert.ok(flags.has(flag), `${flag} is not a flag of Cluster Autoscaler ${tag}`);
        }
    });

    it("merges the stack's extraArgs over the defaults, as strings", () => {
        const { addons, problems } = resolve({
            clusterAutoscaler: {
                extraArgs: { "scale-down-unneeded-time": "20m", "max-nodes-total": 150, "scale-down-enabled": true },
            },
        });
        assert.deepEqual(problems, []);
        assert.deepEqual(addons.clusterAutoscaler.extraArgs, {
            ...CLUSTER_AUTOSCALER_DEFAULTS.extraArgs,
            "scale-down-unneeded-time": "20m",
            "max-nodes-total": "150",
            "scale-down-enabled": "true",
        });
    });

    it("accepts an image override of the cluster's minor that has a flag list, and rejects one without", () => {
        const { addons, problems } = resolve({ clusterAutoscaler: { imageTag: "v1.34.5" } });
        assert.deepEqual(problems, []);
        assert.equal(addons.clusterAutoscaler.imageTag, "v1.34.5");
        assert.deepEqual(
            resolve({ clusterAutoscaler: { imageTag: "v1.34.1" } }).problems.map((p) => p.path),
            ["addons.clusterAutoscaler.imageTag"],
        );
    });

    it("checks extraArgs against the flags of the image that runs, not the newest one", () => {
        // enable-csi-node-aware-scheduling is a flag of 1.35.2 and not of 1.34.5 (tests/fixtures/cluster-autoscaler-flags/).
        const args = { clusterAutoscaler: { extraArgs: { "enable-csi-node-aware-scheduling": true } } };
        assert.deepEqual(resolve(args, "1.35").problems, []);
        assert.deepEqual(resolve(args, "1.34").problems, [
            {
                path: "addons.clusterAutoscaler.extraArgs.enable-csi-node-aware-scheduling",
                message:
                    '"enable-csi-node-aware-scheduling" is not a flag of Cluster Autoscaler 1.34.5; an unknown flag stops the autoscaler at start-up',
            },
        ]);
        // max-empty-bulk-delete was removed in 1.33: fine on 1.32, an error on 1.33.
        const removed = { clusterAutoscaler: { extraArgs: { "max-empty-bulk-delete": 10 } } };
        assert.deepEqual(resolve(removed, "1.32").problems, []);
        assert.equal(resolve(removed, "1.33").problems.length, 1);
    });

    it("rejects a cluster version the autoscaler table does not cover, at cluster.version", () => {
        assert.deepEqual(resolve({}, "1.29").problems, [
            {
                path: "cluster.version",
                message:
                    '"1.29" has no pinned Cluster Autoscaler image (pinned: 1.30–1.35); add it to CLUSTER_AUTOSCALER_IMAGES in config/addons/clusterAutoscaler.ts, set addons.clusterAutoscaler.imageTag to a v1.29.x tag, or set addons.clusterAutoscaler.enabled: false',
            },
        ]);
        // A disabled autoscaler needs no table entry; an explicit tag needs a flag list.
        assert.deepEqual(
            resolve({ clusterAutoscaler: { imageTag: "v1.29.0" } }, "1.29").problems.map((p) => p.path),
            ["addons.clusterAutoscaler.imageTag"],
        );
        assert.deepEqual(resolve({ clusterAutoscaler: { enabled: false } }, "1.29").problems, []);
    });

    it("rejects an image override of another minor, at addons.clusterAutoscaler.imageTag", () => {
        assert.deepEqual(resolve({ clusterAutoscaler: { imageTag: "v1.33.6" } }).problems, [
            {
                path: "addons.clusterAutoscaler.imageTag",
                message:
                    "v1.33.6 is Cluster Autoscaler 1.33 but cluster.version is \"1.34\"; the autoscaler's minor must match the cluster's (remove imageTag to run the pinned v1.34.5)",
            },
        ]);
    });

    it("says whether Container Insights runs, defaulting to on", () => {
        assert.equal(containerInsightsEnabled(undefined), true);
        assert.equal(containerInsightsEnabled(addonsSchema.parse({})), true);
        assert.equal(containerInsightsEnabled(addonsSchema.parse({ containerInsights: { enabled: false } })), false);
    });
    it("docs/addons.md states exactly the defaults the code uses", () => {
        const doc = fs.readFileSync(path.join(__dirname, "..", "docs", "addons.md"), "utf8");
        const expected = [
            ...Object.entries(CLUSTER_AUTOSCALER_DEFAULTS.extraArgs).map(([flag, value]) => `| \`${flag}\` | \`${value}\` |`),
            ...Object.keys(CLUSTER_AUTOSCALER_OWNED_FLAGS).map((flag) => `\`${flag}\``),
            ...Object.entries(CLUSTER_AUTOSCALER_IMAGES).map(([version, tag]) => `| ${version} | \`${tag}\` |`),
            `chart **${CLUSTER_AUTOSCALER.chart.version}**`,
            `chart\n**${METRICS_SERVER.chart.version}**`,
            `version **${KARPENTER.chart.version}**`,
            ...Object.entries(KARPENTER_MIN_VERSION).map(([version, minimum]) => `| ${version} | ${minimum} |`),
            `| \`logRetentionDays\` | \`${addonsSchema.parse({}).containerInsights.logRetentionDays}\` |`,
            LOG_RETENTION_DAYS.join(", "),
            ...Object.values(RESERVED_VALUES).flatMap((paths) => Object.keys(paths).map((p) => `\`${p}\``)),
            ...Object.values(PRIORITY_CLASS_SPECS).map((c) => `| \`${c.name}\` | ${c.value} |`),
        ];
        for (const text of expected) assert.ok(doc.includes(text), `docs/addons.md does not say ${JSON.stringify(text)}`);
    });
});
