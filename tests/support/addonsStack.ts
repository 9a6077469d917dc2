// What the add-on stack tests share: the stacks and add-ons, the recorded resource types, walks over options and parents.
import type { StackConfig } from "../../config";
import { CLUSTER_AUTOSCALER } from "../../config/addons/clusterAutoscaler";
import { Recorded, Run } from "./harness";
import { describeShippedStacks, ShippedStack } from "./stackSuites";

export const ADDONS = ["clusterAutoscaler", "metricsServer", "containerInsights"] as const;
export type Addon = (typeof ADDONS)[number];

export const T = {
    addons: "eks-gitlab-runners:index:ClusterAddons",
    clusterAutoscaler: "eks-gitlab-runners:index:ClusterAutoscaler",
    metricsServer: "eks-gitlab-runners:index:MetricsServer",
    containerInsights: "eks-gitlab-runners:index:ContainerInsights",
    priorityClasses: "eks-gitlab-runners:index:PriorityClasses",
    release: "kubernetes:helm.sh/v3:Release",
    priorityClass: "kubernetes:scheduling.k8s.io/v1:PriorityClass",
    eksAddon: "aws:eks/addon:Addon",
    role: "aws:iam/role:Role",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
    attachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    association: "aws:eks/podIdentityAssociation:PodIdentityAssociation",
    logGroup: "aws:cloudwatch/logGroup:LogGroup",
    observability: "eks-gitlab-runners:index:FleetObservability",
    alarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
    dashboard: "aws:cloudwatch/dashboard:Dashboard",
};

export const nameOf = (resource: unknown) => (resource as { __name?: string } | undefined)?.__name;
export const dependsOnNames = (r: Recorded) => ([] as unknown[]).concat(r.opts?.dependsOn ?? []).map(nameOf);
/** Whether `r` is `componentType` itself or one of its descendants (walking the recorded parent names). */
export function under(run: Run, r: Recorded, componentType: string): boolean {
    for (
        let node: Recorded | undefined = r;
        node;
        node = node.parent ? run.resources.find((x) => !x.custom && x.name === node!.parent) : undefined
    ) {
        if (node.type === componentType) return true;
    }
    return false;
}

/** What a per-stack add-on suite reads: the stack's run and config, and its add-on releases. */
export interface AddonStackView {
    readonly run: () => Run;
    readonly config: () => StackConfig;
    readonly management: () => StackConfig["nodeGroups"]["management"];
    /** The Helm release with this release name. */
    readonly release: (name: string) => Recorded;
    /** Cluster Autoscaler's chart values. */
    readonly caValues: () => Record<string, any>;
}

/** One `describe("stack <name>")` per shipped stack (stackSuites.ts), with the add-on suites' accessors. */
export function describeAddonStacks(body: (stack: ShippedStack, view: AddonStackView) => void): void {
    describeShippedStacks((stack, run, config) => {
        const release = (name: string) =>
            run()
                .ofType(T.release)
                .find((r) => r.inputs.name === name)!;
        body(stack, {
            run,
            config: () => config,
            management: () => config.nodeGroups.management,
            release,
            caValues: () => release(CLUSTER_AUTOSCALER.releaseName).inputs.values,
        });
    });
}
