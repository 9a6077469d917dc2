// The build container's eight resource options of the runner option table (runnerOptions.ts): their rows, generated
// from one line of documentation each, with the defaults the reference tables show.
import { RunnerOption } from "./optionTable";
import { containerResourcesShape, RESOURCE_DEFAULTS } from "./runnerResources";

const RESOURCE_ROWS = {
    cpuRequest: "build container CPU request",
    memoryRequest: "build container memory request",
    memoryLimit: "build container memory limit (exceeding it = OOMKilled)",
    cpuLimit: "no CPU limit unless set: throttling slows builds (JVMs especially)",
    cpuRequestMax: "most a job may ask with `KUBERNETES_CPU_REQUEST`",
    memoryRequestMax: "most a job may ask with `KUBERNETES_MEMORY_REQUEST`",
    memoryLimitMax: "most a job may ask with `KUBERNETES_MEMORY_LIMIT`",
    cpuLimitMax: "without it `KUBERNETES_CPU_LIMIT` is ignored",
} as const satisfies Record<keyof typeof containerResourcesShape, string>;

const RESOURCE_DEFAULT_TEXT: Partial<Record<keyof typeof RESOURCE_ROWS, string>> = {
    cpuRequest: `\`${RESOURCE_DEFAULTS.build.cpuRequest}\``,
    memoryRequest: `\`${RESOURCE_DEFAULTS.build.memoryRequest}\``,
    memoryLimit: `\`${RESOURCE_DEFAULTS.build.memoryLimit}\``,
    cpuRequestMax: "smallest node's room (pool: largest shape's)",
    memoryRequestMax: "smallest node's room (pool: largest shape's)",
    memoryLimitMax: "smallest node's allocatable memory (pool: largest shape's)",
    cpuLimitMax: "node's CPU if `cpuLimit` is set, else none",
};

/** The build container's eight resource options: rendered with their helper_/service_ siblings by configToml.ts. */
export const resourceOptions = Object.fromEntries(
    Object.entries(RESOURCE_ROWS).map(([key, doc]) => [
        key,
        {
            schema: containerResourcesShape[key as keyof typeof RESOURCE_ROWS],
            target: { derived: `\`${snake(key)}\`` },
            doc,
            defaultText: RESOURCE_DEFAULT_TEXT[key as keyof typeof RESOURCE_ROWS],
            summary: [
                "cpuRequest",
                "memoryRequest",
                "memoryLimit",
                "cpuRequestMax",
                "memoryRequestMax",
                "memoryLimitMax",
            ].includes(key),
        },
    ]),
) as { [K in keyof typeof RESOURCE_ROWS]: RunnerOption & { schema: (typeof containerResourcesShape)[K] } };

function snake(camel: string): string {
    return camel.replace(/Max$/, "_overwrite_max_allowed").replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}
