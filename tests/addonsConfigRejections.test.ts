// Every wrong addons section of a stack document is rejected at its path with a message that says what to do, all of
// them in one error next to other sections' problems.
import { strict as assert } from "assert";
import { LOG_RETENTION_DAYS } from "../config/addons/containerInsights";
import { problemsOf, validDocument, withValue } from "./support/fixtures";

describe("addons config", () => {
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
        // Chart cluster-autoscaler 9.59.0 templates/deployment.yaml renders `--{{ $key | mustRegexFind "^[^_]+" }}`: a key
        // is cut at its first "_", so these would render --leader-elect (an owned flag) and --scale.
        {
            name: "an owned flag behind the chart's _suffix",
            addons: { clusterAutoscaler: { extraArgs: { "leader-elect_2": "false" } } },
            expect: 'addons.clusterAutoscaler.extraArgs.leader-elect_2: the chart passes a key only up to its first "_" (this one as --leader-elect): write flag names with dashes, one key per flag',
        },
        {
            name: "a flag written with underscores",
            addons: { clusterAutoscaler: { extraArgs: { scale_down_enabled: "true" } } },
            expect: 'addons.clusterAutoscaler.extraArgs.scale_down_enabled: the chart passes a key only up to its first "_" (this one as --scale): write flag names with dashes, one key per flag',
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
});
