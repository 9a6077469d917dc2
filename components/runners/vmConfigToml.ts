// A VM runner's `[[runners]]` template (chart value `runners.config`): the fleeting autoscaler
// (`[runners.autoscaler]`, GitLab Runner docs/configuration/advanced-configuration.md at v18.9.0), the Docker
// executor's defaults for docker-autoscaler (it wraps the Docker executor: docs/executors/docker_autoscaler.md) and
// the shared S3 cache. Every key is checked against the runner version's key list in the tests. Pure.
import { stringify } from "smol-toml";
import { tomlOptionsOf } from "../../config/optionTable";
import { RUNNER_OPTIONS } from "../../config/runnerOptions";
import { VM_RUNNER_OPTIONS, VmRunnerConfig } from "../../config/vmRunners";
import { FLEETING_PLUGIN_REFERENCE, VM_OS_USER, VM_READY_COMMAND } from "../../config/vmRunners/fleeting";
import { cacheTable, RunnerTomlInput, setPath } from "./configToml";

export interface VmRunnerTomlInput {
    readonly vm: VmRunnerConfig;
    /** The runner's Auto Scaling group (`[runners.autoscaler.plugin_config] name`). */
    readonly asgName: string;
    readonly cache: RunnerTomlInput["cache"];
}

/** The job image when a job names none: the Kubernetes runners' default (multi-arch). */
const DEFAULT_IMAGE = RUNNER_OPTIONS.image.schema.parse(undefined);

export function vmRunnerTomlDocument(input: VmRunnerTomlInput): { runners: Record<string, unknown>[] } {
    const { vm } = input;
    const entry: Record<string, unknown> = {};
    // capacity_per_instance, max_use_count, max_instances and the policies, at the table's key paths.
    for (const option of tomlOptionsOf(VM_RUNNER_OPTIONS)) {
        const value = vm[option.key as keyof VmRunnerConfig];
        setPath(entry, option.path.replace(/^runners\./, ""), option.render ? option.render(value as never) : value);
    }
    Object.assign(entry.autoscaler as Record<string, unknown>, {
        plugin: FLEETING_PLUGIN_REFERENCE,
        instance_ready_command: VM_READY_COMMAND,
        // The plugin's only required setting: the group it scales (README "Plugin Configuration", `name`). The
        // region comes from AWS_REGION in the manager pod; credentials from its Pod Identity role.
        plugin_config: { name: input.asgName },
        connector_config: {
            os: "linux",
            arch: vm.arch,
            protocol: "ssh",
            username: VM_OS_USER,
            // false: the plugin pushes a throwaway key through EC2 Instance Connect for every connection; no key
            // exists anywhere else (plugin README, "Default connector config").
            use_static_credentials: false,
            // The VMs have private addresses only; the manager reaches them inside the VPC.
            use_external_addr: false,
        },
    });
    if (vm.executor === "docker-autoscaler") {
        // docker-in-docker needs privileged containers; granted only where every job has a fresh VM of its own.
        entry.docker = { image: DEFAULT_IMAGE, privileged: vm.privileged };
    }
    entry.cache = cacheTable(input.cache);
    return { runners: [entry] };
}

/** → chart value `runners.config`. */
export function renderVmRunnerToml(input: VmRunnerTomlInput): string {
    return stringify(vmRunnerTomlDocument(input));
}
