import { RUNNER_NAMESPACES } from "../../model/labels";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "../../config";

import { GitlabRunner } from "./gitlabRunner";
import { RunnerCache } from "./runnerCache";

export interface RunnerFleetArgs {
    readonly config: Pick<StackConfig, "region" | "gitlab" | "cluster" | "nodeGroups" | "nodePools" | "runners" | "cache">;
    readonly cluster: {
        readonly clusterName: pulumi.Input<string>;
        readonly provider: k8s.Provider;
        readonly podIdentityAgent: pulumi.Resource;
    };
    readonly tags: Record<string, string>;
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
    readonly jobNamespace: string;
    readonly configToml: pulumi.Output<string>;
}

/**
 * Everything GitLab-runner of a stack: the managers' namespace (shared by all runner managers), the shared S3
 * cache with its Pod Identity role, and one GitlabRunner per entry of `runners`, named by its stable key.
 */
export class RunnerFleet extends pulumi.ComponentResource {
    /** Undefined when the stack declares no runner (nothing would use it, and a trust policy needs a principal). */
    public readonly cache?: RunnerCache;
    public readonly runners: readonly GitlabRunner[];
    public readonly summary: Record<string, RunnerSummary>;

    constructor(name: string, args: RunnerFleetArgs, opts?: pulumi.ComponentResourceOptions) {
        super("eks-gitlab-runners:index:RunnerFleet", name, {}, opts);
        const { config, cluster, tags } = args;
        const management = config.nodeGroups.management;
        if (config.runners.length === 0) {
            this.runners = [];
            this.summary = {};
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

        this.runners = config.runners.map(
            (runner) =>
                new GitlabRunner(
                    `${name}-${runner.name}`,
                    {
                        runner,
                        group:
                            runner.nodePool !== undefined
                                ? config.nodePools.find((p) => p.name === runner.nodePool)!
                                : config.nodeGroups.jobs.find((g) => g.name === runner.nodeGroup)!,
                        management,
                        gitlabUrl: config.gitlab.url,
                        clusterName: config.cluster.name,
                        cluster,
                        managerNamespace: managers,
                        cache: { bucketName: cache.bucketName, region: cache.region, roleArn: cache.roleArn },
                        tags,
                    },
                    { parent: this },
                ),
        );

        this.summary = Object.fromEntries(
            config.runners.map((runner, i) => [
                runner.name,
                {
                    release: runner.names.release,
                    chartVersion: runner.chart.version,
                    runnerVersion: runner.chart.runnerVersion,
                    ...(runner.nodePool !== undefined ? { nodePool: runner.nodePool } : { nodeGroup: runner.nodeGroup }),
                    jobNamespace: runner.names.jobNamespace,
                    configToml: this.runners[i].configToml,
                },
            ]),
        );
        this.cache = cache;
        this.registerOutputs({ cacheBucket: cache.bucketName, runners: this.summary });
    }
}
