import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { addonsSchema, addonsSchemaFor, containerInsightsEnabled, RESERVED_VALUES, resolveAddons } from "../config/addons";
import { problemsFromZod } from "../config/problems";
import {
    CLUSTER_AUTOSCALER,
    CLUSTER_AUTOSCALER_DEFAULTS,
    CLUSTER_AUTOSCALER_IMAGES,
    CLUSTER_AUTOSCALER_OWNED_FLAGS,
    imageMinor,
} from "../config/addons/clusterAutoscaler";
import { LOG_RETENTION_DAYS } from "../config/addons/containerInsights";
import { KARPENTER, KARPENTER_MIN_VERSION } from "../config/addons/karpenter";
import { METRICS_SERVER } from "../config/addons/metricsServer";
import { PRIORITY_CLASS_SPECS } from "../model/priorityClasses";
import { clusterAutoscalerFlags } from "../config/clusterAutoscalerFlags";
import type { ClusterConfig } from "../config/cluster";
import { EKS_VERSIONS } from "../config/versions";
import { problemsOf, validDocument, withValue } from "./support/fixtures";

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

    // Each row: an `addons` section, and the exact `path: message` it must produce (within a whole stack document).
    const cases: { name: string; addons: unknown; expect: string }[] = [
        {
            name: "a misspelt add-on",
            addons: { clusterAutoscalar: {} },
            expect: "addons.clusterAutoscalar: unknown key (allowed: nodeAutoscaler, clusterAutoscaler, karpenter, metricsServer, containerInsights)",
        },
        {
            name: "a misspelt add-on key",
            addons: { metricsServer: { enable: false } },
            expect: "addons.metricsServer.enable: unknown key (allowed: enabled, chartVersion, values)",
        },
        {
            name: "enabled as a string",
            addons: { containerInsights: { enabled: "yes" } },
            expect: 'addons.containerInsights.enabled: must be true or false (found the string "yes")',
        },
        {
            name: "a floating chart version",
            addons: { metricsServer: { chartVersion: "latest" } },
            expect: 'addons.metricsServer.chartVersion: "latest" is not a chart version like 3.13.1 (pin an exact version)',
        },
        {
            name: "an image tag without v",
            addons: { clusterAutoscaler: { imageTag: "1.34.5" } },
            expect: 'addons.clusterAutoscaler.imageTag: "1.34.5" is not an autoscaler image tag like v1.34.5',
        },
        {
            name: "an image of another minor",
            addons: { clusterAutoscaler: { imageTag: "v1.35.2" } },
            expect: 'addons.clusterAutoscaler.imageTag: v1.35.2 is Cluster Autoscaler 1.35 but cluster.version is "1.34"',
        },
        {
            name: "a misspelt flag",
            addons: { clusterAutoscaler: { extraArgs: { "scale-down-unneded-time": "20m" } } },
            expect: 'addons.clusterAutoscaler.extraArgs.scale-down-unneded-time: "scale-down-unneded-time" is not a flag of Cluster Autoscaler 1.34.5 (did you mean "scale-down-unneeded-time"?); an unknown flag stops the autoscaler at start-up',
        },
        {
            name: "an invented flag",
            addons: { clusterAutoscaler: { extraArgs: { turbo: true } } },
            expect: 'addons.clusterAutoscaler.extraArgs.turbo: "turbo" is not a flag of Cluster Autoscaler 1.34.5; an unknown flag stops the autoscaler at start-up',
        },
        {
            name: "a flag with dashes",
            addons: { clusterAutoscaler: { extraArgs: { "--expander": "random" } } },
            expect: 'addons.clusterAutoscaler.extraArgs.--expander: write the flag without leading dashes ("expander")',
        },
        {
            name: "an owned flag",
            addons: {
                clusterAutoscaler: { extraArgs: { "node-group-auto-discovery": "asg:tag=k8s.io/cluster-autoscaler/enabled" } },
            },
            expect: "addons.clusterAutoscaler.extraArgs.node-group-auto-discovery: is set by this program: discovery is keyed on this cluster's job-group tags; the management group must stay invisible",
        },
        {
            name: "leader election off",
            addons: { clusterAutoscaler: { extraArgs: { "leader-elect": false } } },
            expect: "addons.clusterAutoscaler.extraArgs.leader-elect: is set by this program: two replicas run",
        },
        {
            name: "a flag value that is an object",
            addons: { clusterAutoscaler: { extraArgs: { expander: { name: "random" } } } },
            expect: "addons.clusterAutoscaler.extraArgs.expander: Invalid input",
        },
        {
            name: "the image tag through values",
            addons: { clusterAutoscaler: { values: { image: { tag: "v1.30.0" } } } },
            expect: "addons.clusterAutoscaler.values.image.tag: is set by this program: use addons.clusterAutoscaler.imageTag, which is checked against cluster.version",
        },
        {
            name: "autoscaler placement through values",
            addons: { clusterAutoscaler: { values: { nodeSelector: {} } } },
            expect: "addons.clusterAutoscaler.values.nodeSelector: is set by this program: the autoscaler runs on the management nodes, which it cannot scale away",
        },
        {
            name: "the service account through values",
            addons: { clusterAutoscaler: { values: { rbac: { serviceAccount: { name: "ca" } } } } },
            expect: "addons.clusterAutoscaler.values.rbac.serviceAccount.name: is set by this program: the Pod Identity association is bound to the program's service account name",
        },
        {
            name: "metrics-server tolerations through values",
            addons: { metricsServer: { values: { tolerations: [] } } },
            expect: "addons.metricsServer.values.tolerations: is set by this program: metrics-server runs on the management nodes",
        },
        {
            name: "a retention CloudWatch does not offer",
            addons: { containerInsights: { logRetentionDays: 45 } },
            expect: `addons.containerInsights.logRetentionDays: 45 is not a CloudWatch Logs retention period (allowed: ${LOG_RETENTION_DAYS.join(", ")})`,
        },
        {
            name: "unlimited retention",
            addons: { containerInsights: { logRetentionDays: 0 } },
            expect: "addons.containerInsights.logRetentionDays: 0 is not a CloudWatch Logs retention period",
        },
        {
            name: "a floating add-on version",
            addons: { containerInsights: { version: "latest" } },
            expect: 'addons.containerInsights.version: "latest" is not an EKS add-on version like v4.5.0-eksbuild.1',
        },
        {
            name: "narrowed agent tolerations",
            addons: { containerInsights: { configurationValues: { agent: { tolerations: [] } } } },
            expect: "addons.containerInsights.configurationValues.agent.tolerations: is set by this program: the CloudWatch agent must run on every node",
        },
        {
            name: "moved operator",
            addons: { containerInsights: { configurationValues: { manager: { nodeSelector: {} } } } },
            expect: "addons.containerInsights.configurationValues.manager.nodeSelector: is set by this program: the add-on's operator runs on the management nodes",
        },
        {
            name: "values that are not a map",
            addons: { metricsServer: { values: ["replicas=3"] } },
            expect: "addons.metricsServer.values: must be a map of keys (found a list of 1)",
        },
    ];
    for (const c of cases) {
        it(`rejects ${c.name} at ${c.expect.split(": ")[0]}`, () => {
            const problems = problemsOf(withValue(validDocument(), ["addons"], c.addons));
            assert.ok(
                problems.some((p) => p.startsWith(c.expect)),
                `no problem starting with\n  ${c.expect}\nin\n  ${problems.join("\n  ")}`,
            );
        });
    }

    it("reports every add-on problem of a document in one error, next to other sections' problems", () => {
        let doc = withValue(validDocument(), ["addons"], {
            clusterAutoscaler: { extraArgs: { turbo: true }, values: { awsRegion: "us-east-1" } },
            metricsServer: { chartVersion: "3" },
            containerInsights: { logRetentionDays: 10, configurationValues: { tolerations: [] } },
        });
        doc = withValue(doc, ["network", "vpcId"], "vpc-x");
        const paths = problemsOf(doc)
            .map((p) => p.split(": ")[0])
            .sort();
        assert.deepEqual(paths, [
            "addons.clusterAutoscaler.extraArgs.turbo",
            "addons.clusterAutoscaler.values.awsRegion",
            "addons.containerInsights.configurationValues.tolerations",
            "addons.containerInsights.logRetentionDays",
            "addons.metricsServer.chartVersion",
            "network.vpcId",
        ]);
    });

    it("checks the image against the cluster version once both sections parse", () => {
        const doc = withValue(validDocument(), ["addons"], { clusterAutoscaler: { imageTag: "v1.30.7" } });
        assert.deepEqual(
            problemsOf(doc).map((p) => p.split(": ")[0]),
            ["addons.clusterAutoscaler.imageTag"],
        );
        // With cluster.version itself invalid there is nothing to compare against: only cluster.version is reported.
        const broken = withValue(doc, ["cluster", "version"], "1.2");
        assert.deepEqual(
            problemsOf(broken).map((p) => p.split(": ")[0]),
            ["cluster.version"],
        );
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
