import { Taint } from "../model/labels";
import { tolerates, untoleratedTaints } from "../model/placement";
import { strict as assert } from "assert";

import { addonsSchema, resolveAddons } from "../config/addons";
import type { ClusterConfig } from "../config/cluster";
import { clusterAutoscalerValues, discoveryTags } from "../config/addons/clusterAutoscaler";
import { ownedClusterAutoscalerArgs } from "../config/addons/clusterAutoscalerArgs";
import { containerInsightsConfiguration } from "../config/addons/containerInsights";
import { clusterAutoscalerPolicy, CLUSTER_AUTOSCALER_WRITE_ACTIONS } from "../config/addons/clusterAutoscalerIam";
import { PolicyDocument, podIdentityTrustPolicy } from "../model/iam";
import { assertLeastPrivilegeAutoscalerPolicy } from "./support/addonsChecks";
import { metricsServerValues } from "../config/addons/metricsServer";
import {
    EXPENDABLE_PODS_PRIORITY_CUTOFF,
    PRIORITY_CLASS_SPECS,
    PRIORITY_CLASSES,
    SYSTEM_CLUSTER_CRITICAL,
} from "../model/priorityClasses";

import { deepMerge } from "../config/addons/values";
import { autoDiscoveryFlag } from "../model/autoscalerTags";
import type { Toleration } from "../model/placement";

const SCOPE = { partition: "aws", region: "eu-west-1", accountId: "123456789012" };
const MANAGEMENT = {
    labels: { "eks-gitlab-runners/role": "management" },
    taints: [{ key: "eks-gitlab-runners/role", value: "management", effect: "NoSchedule" as const }],
    arch: "amd64" as const,
};

function addons(input: unknown = {}, version = "1.34") {
    return resolveAddons(addonsSchema.parse(input), {
        cluster: { version } as ClusterConfig,
        nodeGroups: { jobs: [] },
        containerInsights: true,
    }).addons;
}

describe("add-on renderers", () => {
    describe("IAM", () => {
        it("scopes the autoscaler's writes to this cluster's job groups and grants nothing else that writes", () => {
            const policy = clusterAutoscalerPolicy("ci-fixture", SCOPE);
            assertLeastPrivilegeAutoscalerPolicy(policy, "ci-fixture");
            const write = policy.Statement.find((s) => s.Action.includes("autoscaling:SetDesiredCapacity"))!;
            assert.equal(write.Resource, "arn:aws:autoscaling:eu-west-1:123456789012:autoScalingGroup:*:autoScalingGroupName/*");
            const reads = policy.Statement.find((s) => s.Resource === "*")!;
            assert.ok(
                reads.Action.includes("autoscaling:DescribeAutoScalingGroups") &&
                    reads.Action.includes("ec2:DescribeInstanceTypes"),
            );
        });

        it("the invariant check fails for the upstream example's unscoped writes and for a wildcard", () => {
            const unscoped: PolicyDocument = {
                Version: "2012-10-17",
                Statement: [
                    ...clusterAutoscalerPolicy("c", SCOPE).Statement.filter((s) => !s.Condition),
                    { Effect: "Allow", Action: [...CLUSTER_AUTOSCALER_WRITE_ACTIONS], Resource: "*" },
                ],
            };
            assert.throws(() => assertLeastPrivilegeAutoscalerPolicy(unscoped, "c"), /on every resource/);
            const wildcard: PolicyDocument = {
                Version: "2012-10-17",
                Statement: [
                    ...clusterAutoscalerPolicy("c", SCOPE).Statement,
                    { Effect: "Allow", Action: ["autoscaling:*"], Resource: "*" },
                ],
            };
            assert.throws(() => assertLeastPrivilegeAutoscalerPolicy(wildcard, "c"), /wildcard action/);
            assert.throws(
                () => assertLeastPrivilegeAutoscalerPolicy(clusterAutoscalerPolicy("other", SCOPE), "c"),
                /this cluster's job groups/,
            );
        });

        it("roles are assumable only by EKS Pod Identity, with session tags", () => {
            assert.deepEqual(podIdentityTrustPolicy().Statement, [
                {
                    Sid: "EksPodIdentity",
                    Effect: "Allow",
                    Principal: { Service: "pods.eks.amazonaws.com" },
                    Action: ["sts:AssumeRole", "sts:TagSession"],
                },
            ]);
        });
    });

    describe("tolerations", () => {
        const taint: Taint = { key: "eks-gitlab-runners/role", value: "jobs", effect: "NoSchedule" };
        const rows: [string, Toleration, boolean][] = [
            ["Exists without key tolerates everything", { operator: "Exists" }, true],
            ["Exists on the key", { key: "eks-gitlab-runners/role", operator: "Exists" }, true],
            ["Equal on key and value", { key: "eks-gitlab-runners/role", operator: "Equal", value: "jobs" }, true],
            [
                "Equal on key, value and effect",
                { key: "eks-gitlab-runners/role", operator: "Equal", value: "jobs", effect: "NoSchedule" },
                true,
            ],
            ["Equal on another value", { key: "eks-gitlab-runners/role", operator: "Equal", value: "management" }, false],
            ["another effect", { key: "eks-gitlab-runners/role", operator: "Exists", effect: "NoExecute" }, false],
            ["another key", { key: "CriticalAddonsOnly", operator: "Exists" }, false],
            ["Exists without key but another effect", { operator: "Exists", effect: "NoExecute" }, false],
        ];
        for (const [name, toleration, expected] of rows) {
            it(`${name}: ${expected ? "tolerates" : "does not tolerate"}`, () =>
                assert.equal(tolerates(toleration, taint), expected));
        }

        it("only hard taints (NoSchedule, NoExecute) must be tolerated", () => {
            const soft: Taint = { key: "x", value: "", effect: "PreferNoSchedule" };
            const hard: Taint = { key: "y", value: "", effect: "NoExecute" };
            assert.deepEqual(untoleratedTaints([], [soft, hard]), [hard]);
            assert.deepEqual(untoleratedTaints([{ operator: "Exists" }], [soft, hard]), []);
        });
    });

    describe("priority classes", () => {
        it("orders platform > jobs > default > warm capacity, and warm capacity still triggers scale-up", () => {
            const { platform, jobs, warmCapacity } = PRIORITY_CLASS_SPECS;
            assert.deepEqual(
                [platform.name, jobs.name, warmCapacity.name],
                [PRIORITY_CLASSES.platform, PRIORITY_CLASSES.jobs, PRIORITY_CLASSES.warmCapacity],
            );
            assert.ok(
                SYSTEM_CLUSTER_CRITICAL.value > platform.value &&
                    platform.value > jobs.value &&
                    jobs.value > 0 &&
                    warmCapacity.value < 0,
            );
            assert.ok(platform.value <= 1_000_000_000, "user-defined classes must stay ≤ 1e9");
            assert.ok(
                warmCapacity.value >= EXPENDABLE_PODS_PRIORITY_CUTOFF,
                "below the cutoff the autoscaler would ignore warm-capacity pods",
            );
            assert.equal(
                ownedClusterAutoscalerArgs()["expendable-pods-priority-cutoff"],
                String(EXPENDABLE_PODS_PRIORITY_CUTOFF),
            );
        });

        it("jobs preempt; warm-capacity placeholders never do", () => {
            assert.equal(PRIORITY_CLASS_SPECS.jobs.preemptionPolicy, "PreemptLowerPriority");
            assert.equal(PRIORITY_CLASS_SPECS.warmCapacity.preemptionPolicy, "Never");
        });
    });

    describe("values", () => {
        it("merges the stack's values last: objects by key, arrays and scalars whole, inputs untouched", () => {
            const base = Object.freeze({ a: Object.freeze({ b: 1, c: [1, 2] }), d: "x" });
            assert.deepEqual(deepMerge(base, { a: { c: [3] }, e: true }), { a: { b: 1, c: [3] }, d: "x", e: true });
            assert.deepEqual(base, { a: { b: 1, c: [1, 2] }, d: "x" });
        });

        it("the chart renders exactly the auto-discovery flag the job groups are tagged for", () => {
            assert.equal(`asg:tag=${discoveryTags("ci-fixture").join(",")}`, autoDiscoveryFlag("ci-fixture"));
            assert.equal(discoveryTags("ci-fixture").length, 3);
        });

        it("autoscaler values: stack values win, owned flags cannot be overridden", () => {
            const defaults = addons().clusterAutoscaler;
            // Config rejects owned flags; the renderer still puts its own last, so even a bypassed check cannot turn them off.
            const config = {
                ...defaults,
                extraArgs: { ...defaults.extraArgs, "leader-elect": "false" },
                values: { replicaCount: 3, podAnnotations: { team: "platform" } },
            };
            const values = clusterAutoscalerValues({
                config,
                clusterName: "ci-fixture",
                region: "eu-west-1",
                management: MANAGEMENT,
            }) as any;
            assert.equal(values.replicaCount, 3);
            assert.deepEqual(values.podAnnotations, { team: "platform" });
            assert.equal(values.extraArgs["leader-elect"], "true");
            assert.equal(values.awsRegion, "eu-west-1");
        });

        it("metrics-server and the Container Insights operator sit on the management nodes", () => {
            const ms = metricsServerValues(addons().metricsServer, MANAGEMENT) as any;
            assert.deepEqual(ms.nodeSelector, { "eks-gitlab-runners/role": "management", "kubernetes.io/arch": "amd64" });
            assert.deepEqual(untoleratedTaints(ms.tolerations, MANAGEMENT.taints), []);
            const ci = containerInsightsConfiguration(
                { ...addons().containerInsights, configurationValues: { containerLogs: { enabled: false } } },
                MANAGEMENT,
            ) as any;
            assert.deepEqual(ci.manager.nodeSelector, {
                "kubernetes.io/os": "linux",
                "eks-gitlab-runners/role": "management",
                "kubernetes.io/arch": "amd64",
            });
            assert.deepEqual(untoleratedTaints(ci.manager.tolerations, MANAGEMENT.taints), []);
            assert.deepEqual(ci.containerLogs, { enabled: false });
            assert.equal(ci.tolerations, undefined, "the DaemonSets keep the add-on's tolerate-everything default");
        });
    });
});
