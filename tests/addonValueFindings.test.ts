// A stack's own add-on values held to the value paths of the chart version it deploys (config/addons/valueFindings.ts):
// each value the chart does not know is one warning in the plan, with the closest known path; a chart version without
// a list is one warning per add-on. Why they matter: Helm checks values only against a chart's values.schema.json
// (Helm docs, "Charts" → "Schema Files"), which none of the pinned charts ships, so an unknown value is silently
// ignored; EKS checks configurationValues against the add-on version's schema (EKS API reference,
// DescribeAddonConfiguration `configurationSchema`) only at deploy. Pure config tests (milliseconds), plus the plan's
// three formats rendered from the shared run of the test stack (no extra program evaluation).
import { strict as assert } from "assert";
import { addonsSchemaFor, containerInsightsEnabled, resolveAddons } from "../config/addons";
import type { ClusterConfig } from "../config/cluster";
import type { Finding } from "../config/problems";
import { problemsFromZod } from "../config/problems";
import { buildPlan } from "../plan/planData";
import { renderPlan } from "../plan/render";
import { EXAMPLE_STACKS, runStackFile, SHIPPED_STACKS, stackConfigOf } from "./support/harness";

/** The warnings of an `addons` section alone (for a 1.34 cluster), or its problems when it is invalid. */
function check(input: unknown): { findings: readonly Finding[]; problems: { path: string; message: string }[] } {
    const result = addonsSchemaFor({ kubernetesVersion: "1.34" }).safeParse(input);
    if (!result.success) return { findings: [], problems: problemsFromZod("addons", result.error.issues) };
    const { addons, problems } = resolveAddons(result.data, {
        cluster: { version: "1.34" } as ClusterConfig,
        nodeGroups: { jobs: [] },
        containerInsights: containerInsightsEnabled(result.data),
    });
    return { findings: addons.findings, problems };
}
const findingsOf = (input: unknown) => {
    const { findings, problems } = check(input);
    assert.deepEqual(problems, []);
    return findings;
};

const HELM_IGNORES = "Helm ignores a value its chart does not know, so this one would do nothing";
const EKS_CHECKS =
    "EKS checks configurationValues against the add-on's own schema only at deploy, where a key it rejects fails `pulumi up` after earlier resources have changed";
const warning = (subject: string, message: string): Finding => ({ severity: "warning", subject, message });

describe("add-on values the chart does not know", () => {
    it("each add-on: a misspelt value is one warning at its stack path, with the known path meant", () => {
        const cases: [unknown, Finding][] = [
            [
                { clusterAutoscaler: { values: { replicaCont: 3 } } },
                warning(
                    "addons.clusterAutoscaler.values.replicaCont",
                    `not a value of chart cluster-autoscaler 9.59.0 (did you mean replicaCount?); ${HELM_IGNORES}`,
                ),
            ],
            [
                { metricsServer: { values: { podDisruptionBudget: { enabled: true, maxUnavailabe: 1 } } } },
                warning(
                    "addons.metricsServer.values.podDisruptionBudget.maxUnavailabe",
                    `not a value of chart metrics-server 3.13.1 (did you mean podDisruptionBudget.maxUnavailable?); ${HELM_IGNORES}`,
                ),
            ],
            [
                { nodeAutoscaler: "karpenter", karpenter: { values: { logLevle: "debug" } } },
                warning(
                    "addons.karpenter.values.logLevle",
                    `not a value of chart karpenter 1.14.1 (did you mean logLevel?); ${HELM_IGNORES}`,
                ),
            ],
            [
                { containerInsights: { configurationValues: { containerLogs: { enabld: false } } } },
                warning(
                    "addons.containerInsights.configurationValues.containerLogs.enabld",
                    `not a value of chart amazon-cloudwatch-observability 6.4.0, which the add-on's configuration follows (did you mean containerLogs.enabled?); ${EKS_CHECKS}`,
                ),
            ],
        ];
        for (const [input, expected] of cases) assert.deepEqual(findingsOf(input), [expected]);
    });

    it("a key at the wrong level points to the one known path with that key; an unknown branch is one warning at its root", () => {
        assert.deepEqual(
            findingsOf({ metricsServer: { values: { maxUnavailable: 1, podDisruptionBudgt: { enabled: true, x: { y: 1 } } } } }),
            [
                warning(
                    "addons.metricsServer.values.maxUnavailable",
                    `not a value of chart metrics-server 3.13.1 (did you mean podDisruptionBudget.maxUnavailable?); ${HELM_IGNORES}`,
                ),
                warning(
                    "addons.metricsServer.values.podDisruptionBudgt",
                    `not a value of chart metrics-server 3.13.1 (did you mean podDisruptionBudget?); ${HELM_IGNORES}`,
                ),
            ],
        );
        // Nothing close, and a key that is no bare word: no guess, and the path quoted as `pulumi config set --path` writes it.
        assert.deepEqual(findingsOf({ clusterAutoscaler: { values: { "team.example.com/x": 1 } } }), [
            warning(
                'addons.clusterAutoscaler.values["team.example.com/x"]',
                `not a value of chart cluster-autoscaler 9.59.0; ${HELM_IGNORES}`,
            ),
        ]);
    });

    it("below a free-form map anything goes, at any depth; arrays are values of their own", () => {
        const findings = findingsOf({
            clusterAutoscaler: { values: { podAnnotations: { "example.com/team": "ci" }, extraEnv: { A: { deep: 1 } } } },
            metricsServer: {
                values: { resources: { limits: { "hugepages-2Mi": "64Mi" } }, args: [{ any: { thing: 1 } }], replicas: 3 },
            },
            containerInsights: {
                configurationValues: {
                    agent: { config: { logs: { metrics_collected: { kubernetes: { enhanced_container_insights: true } } } } },
                },
            },
        });
        assert.deepEqual(findings, []);
    });

    it("reserved paths are still errors, with their reason", () => {
        const { problems } = check({ metricsServer: { values: { nodeSelector: { a: "b" }, replicaCont: 2 } } });
        assert.deepEqual(problems, [
            {
                path: "addons.metricsServer.values.nodeSelector",
                message: "is set by this program: metrics-server runs on the management nodes",
            },
        ]);
    });

    it("a chart version without a list: one warning per add-on that its values are not checked", () => {
        assert.deepEqual(findingsOf({ metricsServer: { chartVersion: "3.14.0", values: { replicaCont: 3, foo: { bar: 1 } } } }), [
            warning(
                "addons.metricsServer.values",
                "not checked: this program has no value list of chart metrics-server 3.14.0 (it has 3.13.1); Helm ignores values a chart does not know, so compare them with that version's values.yaml",
            ),
        ]);
        assert.deepEqual(
            findingsOf({ containerInsights: { version: "v6.6.0-eksbuild.1", configurationValues: { a: 1, b: 2 } } }),
            [
                warning(
                    "addons.containerInsights.configurationValues",
                    "not checked: this program has no value list of chart amazon-cloudwatch-observability 6.6.0 (it has 6.4.0), the chart of add-on version v6.6.0-eksbuild.1; compare them with `aws eks describe-addon-configuration --addon-name amazon-cloudwatch-observability --addon-version v6.6.0-eksbuild.1`",
                ),
            ],
        );
        // A pinned add-on version of the chart read is checked path by path.
        assert.deepEqual(
            findingsOf({
                containerInsights: { version: "v6.4.0-eksbuild.1", configurationValues: { containerLogs: { enabld: false } } },
            }).length,
            1,
        );
    });

    it("nothing to say without values, or for an add-on that is not deployed", () => {
        assert.deepEqual(findingsOf({ metricsServer: { chartVersion: "3.14.0" } }), []);
        assert.deepEqual(findingsOf({ metricsServer: { enabled: false, values: { replicaCont: 3 } } }), []);
        assert.deepEqual(findingsOf({ containerInsights: { enabled: false, configurationValues: { nope: 1 } } }), []);
    });

    it("the shipped and example stacks get no such warning", () => {
        for (const stack of [...SHIPPED_STACKS, ...EXAMPLE_STACKS])
            assert.deepEqual(stackConfigOf(stack).addons.findings, [], stack);
    });

    it("the plan lists the warnings under Findings, as text, Markdown and JSON", async () => {
        const config = stackConfigOf("test", {
            "eks-gitlab-runners:addons": {
                containerInsights: { logRetentionDays: 7 },
                metricsServer: { values: { podDisruptionBudget: { maxUnavailabe: 1 } } },
            },
        });
        const plan = buildPlan("test", config, await runStackFile("test")); // the shared run: only the config differs
        const line = `WARNING addons.metricsServer.values.podDisruptionBudget.maxUnavailabe: not a value of chart metrics-server 3.13.1 (did you mean podDisruptionBudget.maxUnavailable?); ${HELM_IGNORES}`;
        for (const format of ["text", "markdown"] as const) {
            const out = renderPlan(plan, format);
            const findings = out.slice(out.indexOf("Findings"), out.indexOf("Capacity"));
            assert.ok(findings.split("\n").includes(`- ${line}`), `${format}:\n${findings}`);
        }
        const json = JSON.parse(renderPlan(plan, "json")) as { findings: Finding[] };
        assert.deepEqual(
            json.findings.filter((f) => f.subject.startsWith("addons.")),
            [
                warning(
                    "addons.metricsServer.values.podDisruptionBudget.maxUnavailabe",
                    `not a value of chart metrics-server 3.13.1 (did you mean podDisruptionBudget.maxUnavailable?); ${HELM_IGNORES}`,
                ),
            ],
        );
    });
});
