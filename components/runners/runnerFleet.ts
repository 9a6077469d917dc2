import { RUNNER_NAMESPACES } from "../../model/labels";
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "../../config";

import type { AwsScope } from "../../model/iam";
import { GitlabRunner } from "./gitlabRunner";
import { defaultDenyPolicy, gitlabPort, managersPolicy } from "./networkPolicies";
import { gitlabApiTokenOutput } from "./registration/apiToken";
import { RunnerCache } from "./runnerCache";
import { VmRunner } from "./vmRunner";
import type { ClusterHandles } from "./clusterHandles";

export interface RunnerFleetArgs {
    readonly config: Pick<
        StackConfig,
        "region" | "gitlab" | "cluster" | "network" | "nodeGroups" | "nodePools" | "runners" | "vmRunners" | "cache"
    >;
    readonly cluster: ClusterHandles;
    readonly tags: Record<string, string>;
}

/** What the stack exports per VM runner. */
export interface VmRunnerSummary {
    readonly release: string;
    readonly executor: string;
    readonly runnerVersion: string;
    readonly autoScalingGroup: pulumi.Output<string>;
    readonly configToml: pulumi.Output<string>;
}

/** What the stack exports per runner: enough for a reviewer to see a tuning MR's effect without credentials. */
export interface RunnerSummary {
    readonly release: string;
    readonly chartVersion: string;
    readonly runnerVersion: string;
    /** The jobs node group its job pods run on (Cluster Autoscaler stacks). */
    readonly nodeGroup?: string;
    /** The node pool its job pods run on (Karpenter stacks). */
    readonly nodePool?: string;
    /** True when its job pods run on AWS Fargate. */
    readonly fargate?: boolean;
    readonly jobNamespace: string;
    readonly configToml: pulumi.Output<string>;
    /** The runner's ID in GitLab, for a runner with `registration`. */
    readonly gitlabRunnerId?: pulumi.Output<number>;
}

/**
 * Everything GitLab-runner of a stack: the managers' namespace (shared by all runner managers), the shared S3
 * cache with its Pod Identity role, one GitlabRunner per entry of `runners` and one VmRunner per entry of
 * `vmRunners`, each named by its stable key.
 */
export class RunnerFleet extends pulumi.ComponentResource {
    /** Undefined when the stack declares no runner (nothing would use it, and a trust policy needs a principal). */
    public readonly cache?: RunnerCache;
    public readonly runners: readonly GitlabRunner[];
    public readonly vmRunners: readonly VmRunner[];
    public readonly summary: Record<string, RunnerSummary>;
    public readonly vmSummary: Record<string, VmRunnerSummary>;

    constructor(name: string, args: RunnerFleetArgs, opts?: pulumi.ComponentResourceOptions) {
        super("eks-gitlab-runners:index:RunnerFleet", name, {}, opts);
        const { config, cluster, tags } = args;
        const management = config.nodeGroups.management;
        if (config.runners.length === 0 && config.vmRunners.length === 0) {
            this.runners = [];
            this.vmRunners = [];
            this.summary = {};
            this.vmSummary = {};
            this.registerOutputs({ runners: {} });
            return;
        }

        const managers = new k8s.core.v1.Namespace(
            `${name}-managers`,
            {
                metadata: {
                    name: RUNNER_NAMESPACES.managers,
                    labels: {
                        "app.kubernetes.io/managed-by": "pulumi",
                        // The manager pods meet the restricted profile; enforce baseline, warn on anything less than restricted.
                        "pod-security.kubernetes.io/enforce": "baseline",
                        "pod-security.kubernetes.io/warn": "restricted",
                    },
                },
            },
            { parent: this, provider: cluster.provider },
        );

        // The managers' network: default deny, then GitLab, the Kubernetes API, S3 and DNS out, metrics in
        // (components/runners/networkPolicies.ts says why each is needed).
        // The allow policy comes first, so running managers never lose GitLab while this is first applied.
        const policyLabels = { "app.kubernetes.io/managed-by": "pulumi" };
        let previous: pulumi.Resource = managers;
        for (const [suffix, object] of [
            [
                "managers-allow",
                managersPolicy({
                    namespace: RUNNER_NAMESPACES.managers,
                    gitlabPort: gitlabPort(config.gitlab.url),
                    labels: policyLabels,
                }),
            ],
            ["managers-deny", defaultDenyPolicy(RUNNER_NAMESPACES.managers, policyLabels)],
        ] as const) {
            previous = new k8s.networking.v1.NetworkPolicy(
                `${name}-${suffix}`,
                { metadata: object.metadata, spec: object.spec },
                { parent: this, provider: cluster.provider, dependsOn: [managers, previous] },
            );
        }

        const cache = new RunnerCache(
            `${name}-cache`,
            {
                settings: config.cache,
                clusterName: config.cluster.name,
                region: config.region,
                managerNamespace: RUNNER_NAMESPACES.managers,
                serviceAccounts: config.runners.map((r) => r.names.serviceAccount),
                tags,
            },
            { parent: this },
        );

        // Read once per stack (one SSM lookup), only when some runner is registered through the GitLab API.
        const gitlabApiToken = [...config.runners, ...config.vmRunners].some((r) => r.registration)
            ? gitlabApiTokenOutput(config.gitlab, { parent: this })
            : undefined;
        this.runners = config.runners.map(
            (runner) =>
                new GitlabRunner(
                    `${name}-${runner.name}`,
                    {
                        runner,
                        group: runner.fargate
                            ? undefined
                            : runner.nodePool !== undefined
                              ? config.nodePools.find((p) => p.name === runner.nodePool)!
                              : config.nodeGroups.jobs.find((g) => g.name === runner.nodeGroup)!,
                        management,
                        gitlabUrl: config.gitlab.url,
                        clusterName: config.cluster.name,
                        cluster,
                        managerNamespace: managers,
                        cache: { bucketName: cache.bucketName, region: cache.region, roleArn: cache.roleArn! },
                        tags,
                        gitlabApiToken,
                    },
                    { parent: this },
                ),
        );

        // VM runners (config/vmRunners/): each with its own Auto Scaling group and a manager with its own role.
        const scope: pulumi.Output<AwsScope> = pulumi
            .all([
                aws.getPartitionOutput({}, { parent: this }).partition,
                aws.getCallerIdentityOutput({}, { parent: this }).accountId,
            ])
            .apply(([partition, accountId]) => ({ partition, accountId, region: config.region }));
        this.vmRunners = config.vmRunners.map(
            (vm) =>
                new VmRunner(
                    `${name}-vm-${vm.name}`,
                    {
                        vm,
                        management,
                        gitlabUrl: config.gitlab.url,
                        clusterName: config.cluster.name,
                        region: config.region,
                        scope,
                        cluster,
                        network: { vpcId: config.network.vpcId, subnetIds: config.network.subnetIds },
                        managerNamespace: managers,
                        cache: { bucketName: cache.bucketName, bucketArn: cache.bucketArn, region: cache.region },
                        tags,
                        gitlabApiToken,
                    },
                    { parent: this },
                ),
        );
        this.vmSummary = Object.fromEntries(
            config.vmRunners.map((vm, i) => [
                vm.name,
                {
                    release: vm.names.release,
                    executor: vm.executor,
                    runnerVersion: vm.chart.runnerVersion,
                    autoScalingGroup: this.vmRunners[i].group.name,
                    configToml: this.vmRunners[i].configToml,
                },
            ]),
        );

        this.summary = Object.fromEntries(
            config.runners.map((runner, i) => [
                runner.name,
                {
                    release: runner.names.release,
                    chartVersion: runner.chart.version,
                    runnerVersion: runner.chart.runnerVersion,
                    ...(runner.fargate
                        ? { fargate: true }
                        : runner.nodePool !== undefined
                          ? { nodePool: runner.nodePool }
                          : { nodeGroup: runner.nodeGroup }),
                    jobNamespace: runner.names.jobNamespace,
                    configToml: this.runners[i].configToml,
                    ...(this.runners[i].registration ? { gitlabRunnerId: this.runners[i].registration!.runnerId } : {}),
                },
            ]),
        );
        this.cache = cache;
        this.registerOutputs({ cacheBucket: cache.bucketName, runners: this.summary, vmRunners: this.vmSummary });
    }
}
