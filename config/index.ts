import * as pulumi from "@pulumi/pulumi";
import { parseStackConfig, StackConfig } from "./stack";

export { ConfigError, Problem } from "./problems";
export { parseStackConfig, StackConfig, stackFindings } from "./stack";
export type { ClusterConfig } from "./cluster";
export type { NetworkConfig, PodSubnetsConfig } from "./network";
export { allNodeGroups } from "./nodeGroups";
export type { NodeGroupConfig, NodeGroups } from "./nodeGroups";
export type { RunnerConfig } from "./runners";
export type { FargateConfig } from "./fargate";

/** The Pulumi project name, which is also the config namespace (`eks-gitlab-runners:cluster`, …). */
export const PROJECT = "eks-gitlab-runners";

/**
 * Every `eks-gitlab-runners:*` key of the stack, decoded. Reads the whole map (not key by key) so that a misspelt
 * top-level key is seen and rejected rather than silently ignored.
 */
export function readProjectConfig(): Record<string, unknown> {
    const prefix = `${PROJECT}:`;
    const raw: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(pulumi.runtime.allConfig())) {
        if (!key.startsWith(prefix)) continue;
        raw[key.slice(prefix.length)] = decode(value);
    }
    return raw;
}

// Structured values arrive JSON-encoded; plain strings arrive as they are.
function decode(value: string): unknown {
    try {
        return JSON.parse(value);
    } catch {
        return value;
    }
}

/** Reads and validates the stack configuration once; throws a ConfigError before any resource is declared. */
export function loadStackConfig(): StackConfig {
    const raw = readProjectConfig();
    // `isConfigSecret` is exported by @pulumi/pulumi's runtime (runtime/config.js) but missing from its typings.
    const runtime = pulumi.runtime as unknown as { isConfigSecret?: (key: string) => boolean };
    const isSecret = runtime.isConfigSecret;
    const secretKeys = isSecret && new Set(Object.keys(raw).filter((key) => isSecret(`${PROJECT}:${key}`)));
    return parseStackConfig(raw, pulumi.runtime.allConfig()["aws:region"], { secretKeys: secretKeys || undefined });
}
