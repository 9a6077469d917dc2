// Every value the program gives an add-on exists in that add-on's chart (or EKS add-on schema) at the version the
// program installs. Helm ignores a value its chart does not know: a misspelt or renamed key is a PodDisruptionBudget,
// a priority class or a placement that silently never happens, and no mock shows it. Checked for what every shipped
// and example stack renders (their cached runs), the reserved value paths and the docs' example overrides.
import { strict as assert } from "assert";
import Ajv from "ajv";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { ADDON_SPECS, RESERVED_VALUES } from "../config/addons";
import type { HelmInstall } from "../config/addons/spec";
import { CONTAINER_INSIGHTS } from "../config/addons/containerInsights";
import { chartValuesOf, hasChartValues } from "./fixtures/chartValues";
import { ArrayEntries, unknownPaths } from "./support/chartPaths";
import { EXAMPLE_STACKS, ROOT, Run, runStackFile, SHIPPED_STACKS } from "./support/harness";

const STACKS = [...SHIPPED_STACKS, ...EXAMPLE_STACKS];
const RELEASE = "kubernetes:helm.sh/v3:Release";
const EKS_ADDON = "aws:eks/addon:Addon";
/** `oci://public.ecr.aws/karpenter/karpenter` → `karpenter`; a repository chart is named as it is. */
const chartName = (chart: string) => chart.split("/").pop()!;

const HELM_ADDONS = Object.entries(ADDON_SPECS)
    .filter(([, spec]) => spec.install.kind === "helm")
    .map(([key, spec]) => ({ key, install: spec.install as HelmInstall }));

/**
 * The chart each EKS add-on's configurationValues configure, at the version read. The amazon-cloudwatch-observability
 * add-on's version is resolved at deploy time (the newest for the cluster minor); its values are this chart's
 * (aws-observability/helm-charts), read at 6.4.0, the chart of the agent 1.300070.0 the Container Insights fixtures
 * name. The chart merges every `agents` entry over `agent` (templates/linux/cloudwatch-agent-custom-resource.yaml,
 * `mergeOverwrite (deepCopy $.Values.agent) .`), so an entry's keys are `agent`'s.
 */
const EKS_ADDON_CHARTS: Readonly<Record<string, { chart: string; version: string; entries: ArrayEntries }>> = {
    [CONTAINER_INSIGHTS.addonName]: {
        chart: CONTAINER_INSIGHTS.chart.name,
        version: CONTAINER_INSIGHTS.chart.version,
        entries: { agents: "agent" },
    },
};

/**
 * EKS validates coredns configurationValues against the add-on's JSON schema (`additionalProperties: false`). The
 * schema read is that of v1.10.1-eksbuild.11 (tests/fixtures/upstream/SOURCES.md); v1.11.1-eksbuild.8 has the same
 * properties but autoScaling. No schema of a newer build was found; the program uses only properties both have.
 */
let compiledCorednsSchema: ReturnType<Ajv["compile"]> | undefined;
function corednsSchema() {
    if (compiledCorednsSchema) return compiledCorednsSchema;
    const file = path.join(ROOT, "tests/fixtures/upstream/coredns-addon-configuration-schema.v1.10.1-eksbuild.11.yaml");
    const doc = parse(fs.readFileSync(file, "utf8")) as { configurationSchema: string };
    const ajv = new Ajv({ strict: false, allErrors: true });
    ajv.addMetaSchema(require("ajv/dist/refs/json-schema-draft-06.json"));
    compiledCorednsSchema = ajv.compile(JSON.parse(doc.configurationSchema));
    return compiledCorednsSchema;
}

/**
 * What @pulumi/eks v4.3.0 (pulumi/pulumi-eks nodejs/eks/addons/cni-addon.ts) makes of `vpcCniOptions`: `addonVersion`
 * and `resolveConflictsOn*` are arguments of the vpc-cni aws.eks.Addon; `enableNetworkPolicy` becomes the
 * configuration value `enableNetworkPolicy`, a string (mergeConfigurationValues, stringifyBool). An option not in
 * either list fails the test until its configuration path is written here.
 */
const VPC_CNI_ADDON_ARGUMENTS = new Set(["addonVersion", "resolveConflictsOnCreate", "resolveConflictsOnUpdate"]);
const VPC_CNI_CONFIGURATION: Readonly<Record<string, (value: unknown) => Record<string, unknown>>> = {
    enableNetworkPolicy: (on) => ({ enableNetworkPolicy: on ? "true" : "false" }),
};
/** The env values computeEnv writes whatever the options (its defaults); configuration paths `env.*`, `init.env.*`. */
const VPC_CNI_PULUMI_EKS_DEFAULTS = {
    env: Object.fromEntries(
        [
            "WARM_ENI_TARGET",
            "AWS_VPC_K8S_CNI_LOGLEVEL",
            "AWS_VPC_K8S_CNI_LOG_FILE",
            "AWS_VPC_K8S_CNI_VETHPREFIX",
            "AWS_VPC_ENI_MTU",
            "AWS_VPC_K8S_PLUGIN_LOG_LEVEL",
            "AWS_VPC_K8S_PLUGIN_LOG_FILE",
            "ENABLE_POD_ENI",
            "AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG",
            "AWS_VPC_K8S_CNI_EXTERNALSNAT",
        ].map((k) => [k, "x"]),
    ),
    init: { env: { DISABLE_TCP_EARLY_DEMUX: "false" } },
};

describe("add-on values against their charts", () => {
    const runs: Record<string, Run> = {};
    before(async () => {
        for (const stack of STACKS) runs[stack] = await runStackFile(stack); // cached: each stack is evaluated once per process
    });
    const releases = (stack: string) => runs[stack].ofType(RELEASE);
    const eksAddon = (stack: string, name: string) => runs[stack].ofType(EKS_ADDON).find((a) => a.inputs.addonName === name);

    it("every add-on chart the program pins has a values fixture at exactly that version", () => {
        for (const { key, install } of HELM_ADDONS)
            assert.ok(hasChartValues(chartName(install.chart), install.version), `${key}: ${install.chart} ${install.version}`);
    });

    it("every value each stack gives an add-on chart is a value of that chart at the installed version", () => {
        const checked = new Set<string>();
        for (const stack of STACKS) {
            for (const { key, install } of HELM_ADDONS) {
                const release = releases(stack).find((r) => r.inputs.chart === install.chart);
                if (!release) continue;
                const name = chartName(install.chart);
                assert.ok(
                    hasChartValues(name, release.inputs.version),
                    `${stack}: no fixture for ${name} ${release.inputs.version}`,
                );
                const unknown = unknownPaths(release.inputs.values, chartValuesOf(name, release.inputs.version));
                assert.deepEqual(unknown, [], `${stack}: ${key} values unknown to chart ${name} ${release.inputs.version}`);
                checked.add(key);
            }
        }
        assert.deepEqual(
            [...checked].sort(),
            HELM_ADDONS.map((a) => a.key).sort(),
            "every Helm add-on is rendered by some stack",
        );
    });

    // karpenter-crd ships only CRDs: its values.yaml has no value a template reads but additionalAnnotations.
    it("the CRD chart is given no values", () => {
        const crdCharts = HELM_ADDONS.flatMap((a) => (a.install.crdChart ? [a.install.crdChart] : []));
        assert.ok(crdCharts.length > 0);
        for (const stack of STACKS)
            for (const r of releases(stack).filter((x) => crdCharts.includes(x.inputs.chart)))
                assert.equal(r.inputs.values, undefined);
    });

    it("every configuration value of the Container Insights add-on is a value of its chart", () => {
        for (const stack of STACKS) {
            for (const [addonName, { chart, version, entries }] of Object.entries(EKS_ADDON_CHARTS)) {
                const addon = eksAddon(stack, addonName);
                if (!addon) continue;
                const values = JSON.parse(addon.inputs.configurationValues);
                assert.ok(Array.isArray(values.agents), `${stack}: the fleet-metrics agent list is checked`);
                assert.deepEqual(unknownPaths(values, chartValuesOf(chart, version), entries), [], `${stack}: ${addonName}`);
            }
        }
    });

    it("the CoreDNS configuration values are valid for the add-on's configuration schema", () => {
        const validate = corednsSchema();
        for (const stack of STACKS) {
            const values = JSON.parse(eksAddon(stack, "coredns")!.inputs.configurationValues);
            assert.ok(validate(values), `${stack}: ${JSON.stringify(validate.errors)}`);
        }
    });

    it("the eks-pod-identity-agent add-on gets no configuration", () => {
        for (const stack of STACKS)
            assert.equal(eksAddon(stack, "eks-pod-identity-agent")!.inputs.configurationValues, undefined);
    });

    // aws/amazon-vpc-cni-k8s v1.23.0 charts/aws-vpc-cni: values.yaml `enableNetworkPolicy: "false"`, rendered as
    // `--enable-network-policy={{ .Values.enableNetworkPolicy }}` (templates/daemonset.yaml) and
    // `enable-network-policy-controller` (templates/configmap.yaml); the EKS user guide configures the add-on with
    // `{"enableNetworkPolicy": "true"}` (latest/ug/networking/eks-networking-add-ons.adoc, awsdocs/amazon-eks-user-guide).
    it("the VPC CNI options become configuration values of the aws-vpc-cni chart", () => {
        const known = chartValuesOf("aws-vpc-cni", "1.23.0");
        assert.deepEqual(unknownPaths(VPC_CNI_PULUMI_EKS_DEFAULTS, known), []);
        for (const stack of STACKS) {
            const options: Record<string, unknown> = runs[stack].one("eks:index:Cluster").inputs.vpcCniOptions;
            const configuration: Record<string, unknown> = {};
            for (const [option, value] of Object.entries(options)) {
                if (VPC_CNI_ADDON_ARGUMENTS.has(option)) continue;
                assert.ok(option in VPC_CNI_CONFIGURATION, `${stack}: vpcCniOptions.${option} has no known configuration path`);
                Object.assign(configuration, VPC_CNI_CONFIGURATION[option](value));
            }
            assert.deepEqual(configuration, { enableNetworkPolicy: "true" }, stack);
            assert.deepEqual(unknownPaths(configuration, known), [], stack);
        }
    });

    it("every reserved value path is a value of its chart", () => {
        const known = (key: string) => {
            const helm = HELM_ADDONS.find((a) => a.key === key);
            if (helm) return { values: chartValuesOf(chartName(helm.install.chart), helm.install.version), entries: {} };
            const eks =
                EKS_ADDON_CHARTS[(ADDON_SPECS as Record<string, { install: { addonName?: string } }>)[key].install.addonName!];
            return { values: chartValuesOf(eks.chart, eks.version), entries: eks.entries };
        };
        for (const [key, reserved] of Object.entries(RESERVED_VALUES)) {
            const { values, entries } = known(key);
            for (const dotted of Object.keys(reserved)) {
                const asValues = dotted.split(".").reduceRight<unknown>((inner, k) => ({ [k]: inner }), "x");
                assert.deepEqual(unknownPaths(asValues, values, entries), [], `addons.${key} reserves ${dotted}`);
            }
        }
    });

    it("the override examples of docs/addons.md are values of their charts", () => {
        const doc = fs.readFileSync(path.join(ROOT, "docs/addons.md"), "utf8");
        const blocks = [...doc.matchAll(/```yaml\n(eks-gitlab-runners:addons:\n[\s\S]*?)```/g)].map((m) => parse(m[1]));
        let examples = 0;
        for (const block of blocks) {
            for (const { key, install } of HELM_ADDONS) {
                const values = block["eks-gitlab-runners:addons"]?.[key]?.values;
                if (values === undefined) continue;
                examples++;
                assert.deepEqual(unknownPaths(values, chartValuesOf(chartName(install.chart), install.version)), [], key);
            }
        }
        assert.ok(examples >= 1, "docs/addons.md shows a values override");
    });

    // Shapes the templates depend on. cluster-autoscaler 9.59.0 templates/deployment.yaml: `--{{ $key | mustRegexFind
    // "^[^_]+" }}={{ $value }}` (a key is cut at its first "_"; a map value would print as map[…]) and `replicas: {{
    // .Values.replicaCount }}`. amazon-cloudwatch-observability 6.4.0: an agent's `config` is the reserved string
    // "default" or the agent's JSON config as a map (`.Config | toJson`, _helpers.tpl cloudwatch-agent.modify-config),
    // `prometheus.config` is written out with toYaml, `replicas` and `hostNetwork` are printed as they are.
    it("the values have the shapes the charts' templates expect", () => {
        const isInteger = (v: unknown) => Number.isInteger(v);
        for (const stack of STACKS) {
            const values = (chart: string) => releases(stack).find((r) => r.inputs.chart === chart)?.inputs.values;
            const ca = values("cluster-autoscaler");
            if (ca) {
                for (const [flag, value] of Object.entries(ca.extraArgs)) {
                    assert.equal(typeof value, "string", `${stack}: extraArgs.${flag}`);
                    assert.ok(!flag.includes("_"), `${stack}: extraArgs.${flag} would be cut at "_"`);
                }
                assert.ok(isInteger(ca.replicaCount) && isInteger(ca.podDisruptionBudget.maxUnavailable), stack);
            }
            const ms = values("metrics-server");
            assert.ok(isInteger(ms.replicas) && ms.podDisruptionBudget.enabled === true, stack);
            const karpenter = values("oci://public.ecr.aws/karpenter/karpenter");
            if (karpenter)
                assert.ok(isInteger(karpenter.replicas) && isInteger(karpenter.podDisruptionBudget.maxUnavailable), stack);
            const agents = JSON.parse(eksAddon(stack, CONTAINER_INSIGHTS.addonName)!.inputs.configurationValues).agents ?? [];
            for (const agent of agents) {
                assert.ok(
                    agent.config === undefined || agent.config === "default" || typeof agent.config === "object",
                    agent.name,
                );
                if (agent.prometheus) assert.equal(typeof agent.prometheus.config, "object", agent.name);
                if (agent.replicas !== undefined) assert.ok(isInteger(agent.replicas), agent.name);
                if (agent.hostNetwork !== undefined) assert.equal(typeof agent.hostNetwork, "boolean", agent.name);
            }
        }
    });

    it("the check finds a misspelt value, a wrong nesting and an unknown CoreDNS key", () => {
        const metricsServer = chartValuesOf("metrics-server", "3.13.1");
        assert.deepEqual(unknownPaths({ podDisruptionBudget: { enabled: true, maxUnavailabe: 1 } }, metricsServer), [
            "podDisruptionBudget.maxUnavailabe",
        ]);
        assert.deepEqual(unknownPaths({ maxUnavailable: 1 }, metricsServer), ["maxUnavailable"]);
        // Below a free-form map anything goes; an array ends the path unless the chart reads its entries.
        assert.deepEqual(unknownPaths({ nodeSelector: { "any.key/x": "y" }, tolerations: [{ any: 1 }] }, metricsServer), []);
        const cwo = chartValuesOf("amazon-cloudwatch-observability", "6.4.0");
        assert.deepEqual(unknownPaths({ agents: [{ name: "a", replica: 2 }] }, cwo, { agents: "agent" }), ["agent.replica"]);
        assert.equal(corednsSchema()({ replicaCounts: 2 }), false);
        assert.equal(corednsSchema()({ replicaCount: "2" }), false, "an integer, not a string");
    });
});
