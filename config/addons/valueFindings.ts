// The stack's own add-on values held to the value paths of the chart that reads them: each path the chart does not
// know is a warning in the plan (docs/addons.md "Values the chart does not know"). Helm renders a chart with values
// it does not know without a word (`replicaCont: 3` deploys and does nothing): it checks values only against a chart's
// values.schema.json (Helm docs, "Charts" → "Schema Files", https://helm.sh/docs/topics/charts/#schema-files), and
// none of the four charts ships one (their directories at the tags of tests/fixtures/upstream/SOURCES.md hold
// Chart.yaml, values.yaml and templates/). An EKS add-on checks configurationValues against its own schema only when
// `pulumi up` creates or updates it, after earlier resources have changed.
//
// A warning, not an error: the lists are read from values.yaml and the templates by scripts/upstream/helmValuePaths.ts,
// which does not follow every way a template can read a value (`tpl` of a string, a variable it does not resolve; see
// tests/fixtures/upstream/SOURCES.md). A value such a template reads would be reported though the chart uses it, and a
// rare false alarm must not block a deploy. The reserved paths (spec.ts valuesExcept) stay errors.
import type { Finding } from "../problems";
import { extendPath } from "../problems";
import { chartValuePaths, chartValueVersions } from "./chartValuePaths";
import type { AddonSpec, AddonConfigBase, CheckedValues } from "./spec";
import { suggestedPath, unknownValues } from "./valuePaths";

/** What a value its chart does not know does, by how the add-on is installed. */
const CONSEQUENCE = {
    helm: "Helm ignores a value its chart does not know, so this one would do nothing",
    // EKS API reference, DescribeAddonConfiguration: `configurationSchema` is "a JSON schema that's used to validate the
    // configuration values you provide when an add-on is created or updated".
    "eks-addon":
        "EKS checks configurationValues against the add-on's own schema only at deploy, where a key it rejects fails `pulumi up` after earlier resources have changed",
} as const;

/**
 * Warnings for the values an enabled add-on's section sets (`addons.<key>`): one per value its chart does not know,
 * at the path where it is written, with the closest known path; or, when the program has no value list of the chart
 * version that will be deployed, one saying that the values are not checked.
 */
export function valueFindings<C extends AddonConfigBase>(key: string, spec: AddonSpec<unknown, C>, config: C): Finding[] {
    const checked = config.enabled ? spec.checkedValues?.(config) : undefined;
    if (!checked || Object.keys(checked.values).length === 0) return [];
    const section = `addons.${key}.${checked.field}`;
    const install = spec.install;
    const known = chartValuePaths(checked.chart, checked.version);
    if (!known) return [{ severity: "warning", subject: section, message: notCheckedMessage(checked, spec, config) }];
    const chart = `chart ${checked.chart} ${checked.version}${install.kind === "eks-addon" ? ", which the add-on's configuration follows" : ""}`;
    return unknownValues(checked.values, known).map((value) => {
        const guess = suggestedPath(known, value);
        return {
            severity: "warning",
            subject: extendPath(section, ...value.at),
            message: `not a value of ${chart}${guess ? ` (did you mean ${guess}?)` : ""}; ${CONSEQUENCE[install.kind]}`,
        };
    });
}

/** The single warning for values whose chart version has no list: say which versions do, and where to look instead. */
function notCheckedMessage<C extends AddonConfigBase>(checked: CheckedValues, spec: AddonSpec<unknown, C>, config: C): string {
    const listed = chartValueVersions(checked.chart).join(", ");
    const head = `not checked: this program has no value list of chart ${checked.chart} ${checked.version} (it has ${listed})`;
    if (spec.install.kind === "helm")
        return `${head}; Helm ignores values a chart does not know, so compare them with that version's values.yaml`;
    const version = spec.addonVersion?.(config);
    return `${head}, the chart of add-on version ${version}; compare them with \`aws eks describe-addon-configuration --addon-name ${spec.install.addonName} --addon-version ${version}\``;
}
