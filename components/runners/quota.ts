// ResourceQuota and LimitRange of a runner's job namespace, as plain `v1` objects (tested against the Kubernetes
// schema). The numbers come from config/jobQuota.ts.
import type { RunnerConfig } from "../../config";
import { parseMemoryMiB } from "../../config/quantities";

export interface QuotaObjects {
    readonly resourceQuota: {
        apiVersion: "v1";
        kind: "ResourceQuota";
        metadata: { name: string; namespace: string; labels: Record<string, string> };
        spec: { hard: Record<string, string> };
    };
    readonly limitRange: {
        apiVersion: "v1";
        kind: "LimitRange";
        metadata: { name: string; namespace: string; labels: Record<string, string> };
        spec: {
            limits: {
                type: "Container";
                defaultRequest: Record<string, string>;
                default: Record<string, string>;
                max: Record<string, string>;
            }[];
        };
    };
}

/**
 * The job namespace's quota (pods, requests.cpu, requests.memory) and container defaults. A compute quota makes the
 * API server reject a container without requests for those resources (Kubernetes "Resource Quotas": use a LimitRange
 * to default them), so the LimitRange gives any container the runner does not size itself (every build, helper and
 * service container it does size) the helper's requests and memory limit. It sets no default CPU limit (jobs run
 * without one, see config/runnerResources.ts) and no CPU max, because a LimitRange `max` without a `default` becomes
 * the default limit (kubernetes pkg/apis/core/v1/defaults.go, SetDefaults_LimitRangeItem). Its memory max is the
 * largest memory ceiling of the runner's containers: a container above it could never be scheduled anyway.
 */
export function jobQuotaObjects(
    runner: Pick<RunnerConfig, "names" | "quota" | "resources">,
    labels: Record<string, string>,
): QuotaObjects {
    const namespace = runner.names.jobNamespace;
    const { helper } = runner.resources;
    const maxMemory = Object.values(runner.resources)
        .map((r) => r.memoryLimitMax)
        .reduce((a, b) => (parseMemoryMiB(b)! > parseMemoryMiB(a)! ? b : a));
    return {
        resourceQuota: {
            apiVersion: "v1",
            kind: "ResourceQuota",
            metadata: { name: "job-pods", namespace, labels },
            spec: {
                hard: {
                    pods: String(runner.quota.pods),
                    "requests.cpu": runner.quota.cpu,
                    "requests.memory": runner.quota.memory,
                },
            },
        },
        limitRange: {
            apiVersion: "v1",
            kind: "LimitRange",
            metadata: { name: "job-containers", namespace, labels },
            spec: {
                limits: [
                    {
                        type: "Container",
                        defaultRequest: { cpu: helper.cpuRequest, memory: helper.memoryRequest },
                        default: { memory: helper.memoryLimit },
                        max: { memory: maxMemory },
                    },
                ],
            },
        },
    };
}
