import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import {
    ADDON_DEFAULTS,
    addonsSchema,
    CLUSTER_AUTOSCALER_OWNED_FLAGS,
    containerInsightsEnabled,
    LOG_RETENTION_DAYS,
    RESERVED_VALUES,
    resolveAddons,
} from "../config/addons";
import { PRIORITY_CLASS_SPECS } from "../components/addons/priorityClasses";
import { CLUSTER_AUTOSCALER_FLAGS, CLUSTER_AUTOSCALER_FLAGS_VERSION } from "../config/clusterAutoscalerFlags";
import type { ClusterConfig } from "../config/cluster";
import { ADDON_CHARTS, CLUSTER_AUTOSCALER_IMAGES, EKS_VERSIONS, imageMinor } from "../config/versions";
import { readFlagFixtures } from "../scripts/generate-cluster-autoscaler-flags";
import { problemsOf, validDocument, withValue } from "./support/fixtures";

/** Parses and resolves only the `addons` section, for a cluster of `version`. */
function resolve(input: unknown, version = "1.34", images?: Readonly<Record<string, string>>) {
    const parsed = addonsSchema.parse(input);
    return resolveAddons(
        parsed,
        { cluster: { version } as ClusterConfig, nodeGroups: [], containerInsights: containerInsightsEnabled(parsed) },
        images,
    );
}

describe("addons config", () => {
    it("fills every default when the section is absent", () => {
        const { addons, problems } = resolve(undefined);
        assert.deepEqual(problems, []);
        assert.deepEqual(addons, {
            clusterAutoscaler: {
                enabled: true,
                chartVersion: ADDON_CHARTS.clusterAutoscaler.version,
                imageTag: CLUSTER_AUTOSCALER_IMAGES["1.34"],
                extraArgs: ADDON_DEFAULTS.clusterAutoscaler.extraArgs,
                values: {},
            },
            metricsServer: { enabled: true, chartVersion: ADDON_CHARTS.metricsServer.version, values: {} },
            containerInsights: { enabled: true, logRetentionDays: 30, configurationValues: {} },
        });
    });

    it("pins an autoscaler image of the cluster's own minor for every supported cluster version", () => {
        assert.deepEqual(Object.keys(CLUSTER_AUTOSCALER_IMAGES).sort(), [...EKS_VERSIONS]);
        for (const version of EKS_VERSIONS) {
            assert.equal(imageMinor(CLUSTER_AUTOSCALER_IMAGES[version]), version);
            assert.equal(resolve({}, version).addons.clusterAutoscaler.imageTag, CLUSTER_AUTOSCALER_IMAGES[version]);
        }
    });

    it("checks extraArgs against the flags of the newest pinned image until validation follows the deployed image", () => {
        const newest = CLUSTER_AUTOSCALER_IMAGES[EKS_VERSIONS[EKS_VERSIONS.length - 1]];
        assert.equal(`v${CLUSTER_AUTOSCALER_FLAGS_VERSION}`, newest);
        assert.deepEqual([...CLUSTER_AUTOSCALER_FLAGS], readFlagFixtures().get(CLUSTER_AUTOSCALER_FLAGS_VERSION));
    });

    it("merges the stack's extraArgs over the defaults, as strings", () => {
        const { addons, problems } = resolve({
            clusterAutoscaler: {
                extraArgs: { "scale-down-unneeded-time": "20m", "max-nodes-total": 150, "scale-down-enabled": true },
            },
        });
        assert.deepEqual(problems, []);
        assert.deepEqual(addons.clusterAutoscaler.extraArgs, {
            ...ADDON_DEFAULTS.clusterAutoscaler.extraArgs,
            "scale-down-unneeded-time": "20m",
            "max-nodes-total": "150",
            "scale-down-enabled": "true",
        });
    });

    it("accepts an image override of the cluster's minor", () => {
        const { addons, problems } = resolve({ clusterAutoscaler: { imageTag: "v1.34.1" } });
        assert.deepEqual(problems, []);
        assert.equal(addons.clusterAutoscaler.imageTag, "v1.34.1");
    });

    it("rejects a cluster version the autoscaler table does not cover, at cluster.version", () => {
        const { "1.34": _dropped, ...withoutCurrent } = CLUSTER_AUTOSCALER_IMAGES;
        assert.deepEqual(resolve({}, "1.34", withoutCurrent).problems, [
            {
                path: "cluster.version",
                message:
                    '"1.34" has no pinned Cluster Autoscaler image (pinned: 1.30–1.35); add it to CLUSTER_AUTOSCALER_IMAGES in config/versions.ts, set addons.clusterAutoscaler.imageTag to a v1.34.x tag, or set addons.clusterAutoscaler.enabled: false',
            },
        ]);
        // An explicit tag of the right minor, or a disabled autoscaler, needs no table entry.
        assert.deepEqual(resolve({ clusterAutoscaler: { imageTag: "v1.34.0" } }, "1.34", withoutCurrent).problems, []);
        assert.deepEqual(resolve({ clusterAutoscaler: { enabled: false } }, "1.34", withoutCurrent).problems, []);
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
            expect: "addons.clusterAutoscalar: unknown key (allowed: clusterAutoscaler, metricsServer, containerInsights)",
        },
        {
            name: "a misspelt add-on key",
            addons: { metricsServer: { enable: false } },
            expect: "addons.metricsServer.enable: unknown key (allowed: enabled, chartVersion, values)",
        },
        {
            name: "enabled as a string",
            addons: { containerInsights: { enabled: "yes" } },
            expect: "addons.containerInsights.enabled: Invalid input: expected boolean, received string",
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
            expect: 'addons.clusterAutoscaler.extraArgs.scale-down-unneded-time: "scale-down-unneded-time" is not a flag of Cluster Autoscaler 1.35.2 (did you mean "scale-down-unneeded-time"?); an unknown flag stops the autoscaler at start-up',
        },
        {
            name: "an invented flag",
            addons: { clusterAutoscaler: { extraArgs: { turbo: true } } },
            expect: 'addons.clusterAutoscaler.extraArgs.turbo: "turbo" is not a flag of Cluster Autoscaler 1.35.2; an unknown flag stops the autoscaler at start-up',
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
            expect: "addons.metricsServer.values: Invalid input: expected record, received array",
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
            ...Object.entries(ADDON_DEFAULTS.clusterAutoscaler.extraArgs).map(
                ([flag, value]) => `| \`${flag}\` | \`${value}\` |`,
            ),
            ...Object.keys(CLUSTER_AUTOSCALER_OWNED_FLAGS).map((flag) => `\`${flag}\``),
            ...Object.entries(CLUSTER_AUTOSCALER_IMAGES).map(([version, tag]) => `| ${version} | \`${tag}\` |`),
            `chart **${ADDON_CHARTS.clusterAutoscaler.version}**`,
            `chart\n**${ADDON_CHARTS.metricsServer.version}**`,
            `| \`logRetentionDays\` | \`${ADDON_DEFAULTS.containerInsights.logRetentionDays}\` |`,
            LOG_RETENTION_DAYS.join(", "),
            ...Object.values(RESERVED_VALUES).flatMap((paths) => Object.keys(paths).map((p) => `\`${p}\``)),
            ...Object.values(PRIORITY_CLASS_SPECS).map((c) => `| \`${c.name}\` | ${c.value} |`),
        ];
        for (const text of expected) assert.ok(doc.includes(text), `docs/addons.md does not say ${JSON.stringify(text)}`);
    });
});
