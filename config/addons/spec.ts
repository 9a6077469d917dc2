// The shape every platform add-on shares (STYLE.md 4, after aws-ia eks-blueprints-addons, but typed): how it is
// installed (a Helm chart or an EKS add-on), its namespace and identity, the IAM it needs, the values the platform
// sets, the value paths a stack may not override, the platform pods it runs, and its config section. One spec file
// per add-on; config/addons/index.ts assembles the `addons` section from the specs and components/addons builds each
// enabled one with the same component. A new add-on is one spec file plus its docs.
import { z } from "zod";
import type { AwsScope, PolicyDocument } from "../../model/iam";
import type { PlacementTarget } from "../../model/placement";
import type { PlatformDeployment } from "../../model/platformWorkloads";
import type { FleetMetricCollection } from "../observability/scrape";

/** A Helm chart from a repository, at a pinned version (overridable per stack as `chartVersion`). */
export interface HelmInstall {
    readonly kind: "helm";
    /** The chart repository; absent for a chart in an OCI registry, whose `chart` is then the full `oci://` reference. */
    readonly repo?: string;
    readonly chart: string;
    /**
     * A chart of the same version that installs and upgrades the add-on's CRDs. Helm installs a chart's own `crds/`
     * only on first install and never upgrades them (Helm docs, "Custom Resource Definitions"), so where upstream
     * publishes such a chart it is released first and the main chart is installed with `skipCrds`.
     */
    readonly crdChart?: string;
    /** The pinned chart version, with the upstream tag it was read at. */
    readonly version: string;
    readonly releaseName: string;
}

/** An EKS managed add-on; its version is the newest for the cluster's minor unless the stack pins one. */
export interface EksAddonInstall {
    readonly kind: "eks-addon";
    readonly addonName: string;
}

/** The IAM role an add-on's pods get through EKS Pod Identity (the node role never carries add-on permissions). */
export interface AddonIdentity {
    /** Service account the Pod Identity association names. */
    readonly serviceAccount: string;
    /** An inline policy built for this cluster, or AWS-managed policies by name. */
    readonly policy: { readonly inline: (ctx: AddonContext, scope: AwsScope) => PolicyDocument } | { readonly managed: string };
    readonly description: string;
}

/** What the renderers of an add-on may read about the stack. */
export interface AddonContext {
    readonly clusterName: string;
    readonly kubernetesVersion: string;
    readonly region: string;
    /** The management group: platform pods are placed there. */
    readonly management: PlacementTarget;
    /** The fleet metrics Container Insights' agent collects (`observability`); absent: none. */
    readonly fleetMetrics?: FleetMetricCollection;
}

/** What an add-on's config rules may read about the rest of the document (only what parsed). */
export interface AddonRuleContext {
    readonly kubernetesVersion?: string;
    /** `addons.nodeAutoscaler`: which engine scales job capacity (the other one is not deployed). */
    readonly nodeAutoscaler?: NodeAutoscaler;
}

/** The engines that can scale job capacity (`addons.nodeAutoscaler`). */
export const NODE_AUTOSCALERS = ["clusterAutoscaler", "karpenter"] as const;
export type NodeAutoscaler = (typeof NODE_AUTOSCALERS)[number];

/** Every resolved add-on section has these. */
export interface AddonConfigBase {
    readonly enabled: boolean;
}

/** Methods (not function properties) so that a spec of any config type is an AddonSpec<any, AddonConfigBase>. */
export interface AddonSpec<Input = unknown, Config extends AddonConfigBase = AddonConfigBase> {
    /** Key under `addons` in the stack file; undefined for add-ons every cluster runs (no config section). */
    readonly key?: string;
    /** Component type token: part of every child's URN, never changed. */
    readonly type: string;
    /** Child-name suffix of the component under its parent (`addons-<name>`); stable. */
    readonly name: string;
    readonly install: HelmInstall | EksAddonInstall;
    readonly namespace: string;
    readonly identity?: AddonIdentity;
    /** CloudWatch log groups the add-on writes to, created with retention (key → name). */
    readonly logGroups?: (ctx: AddonContext) => Readonly<Record<string, string>>;
    /** The platform Deployments it runs on the management nodes (model/platformWorkloads.ts). */
    readonly platformPods: readonly PlatformDeployment[];
    /** Value paths the platform owns, each with what to do instead; the stack's overrides may not touch them. */
    readonly reservedValues: Readonly<Record<string, string>>;
    /** The add-on's `addons.<key>` section, for a cluster of this version (rules that need it check in the schema, so
     * their problems are reported next to the section's other problems). */
    schema(ctx: AddonRuleContext): z.ZodType<Input, any>;
    /** Defaults and cross-section rules: the resolved section and every problem, each at its own path (none: the parsed section as it is). */
    resolve?(input: Input, ctx: AddonRuleContext): { config: Config; problems: { path: string; message: string }[] };
    /** Helm values, or the EKS add-on's configurationValues: the platform's first, the stack's merged last. */
    values(config: Config, ctx: AddonContext): Record<string, unknown>;
    /** Log retention, for add-ons with log groups. */
    logRetentionDays?(config: Config): number;
    /** A pinned EKS add-on version, for add-ons that allow one. */
    addonVersion?(config: Config): string | undefined;
    /** The chart version to install, for Helm add-ons. */
    chartVersion?(config: Config): string;
    /** The stack's own free-form values and the chart they are checked against (valueFindings.ts); none: nothing to check. */
    checkedValues?(config: Config): CheckedValues;
}

/** The stack's free-form values of an add-on, and the chart whose value paths they must be (valueFindings.ts). */
export interface CheckedValues {
    /** The key that holds them in the add-on's section: `values`, or `configurationValues` of an EKS add-on. */
    readonly field: string;
    readonly values: Readonly<Record<string, unknown>>;
    /** The chart that reads them, by name, at the version that will be deployed. */
    readonly chart: string;
    readonly version: string;
}

const SEMVER = /^\d+\.\d+\.\d+$/;

/** `chartVersion` of a Helm add-on: an exact version, the pinned one by default. */
export const chartVersionField = (pinned: string) =>
    z
        .string()
        .regex(SEMVER, {
            error: (iss) => `${JSON.stringify(iss.input)} is not a chart version like ${pinned} (pin an exact version)`,
        })
        .default(pinned);

/**
 * Free-form values merged last, minus the paths in `reserved`. Checked on the field itself (not in resolve) so the
 * problems are reported even when a sibling field of the add-on is invalid.
 */
export const valuesExcept = (reserved: Readonly<Record<string, string>>) =>
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
