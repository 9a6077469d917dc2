// VM runner fixtures: the stack document with the docker-autoscaler VM runner, and a parsed stack with two VM runners.
import { parseStackConfig } from "../../config";
import type { VmRunnerConfig } from "../../config/vmRunners";
import { vmRunnerInput, withValue, withVmRunners } from "./fixtures";

export const REGION = "eu-west-1";

/** The docker-autoscaler VM runner (tests/support/fixtures.ts). */
export const DOCKER_VM = vmRunnerInput();

/** The fixture document plus that VM runner (or another) and its token. */
export const withVm = (vm: Record<string, unknown> = DOCKER_VM, name = "docker-vm") => withVmRunners({ [name]: vm });

/** That document with one setting of the docker-vm runner changed. */
export const at = (path: (string | number)[], value: unknown) => withValue(withVm(), ["vmRunners", "docker-vm", ...path], value);

export const CACHE = { bucketName: "ci-cache", region: REGION };
export const ASG = "ci-fixture-vm-docker-vm";

/** The fixture stack with a docker-autoscaler and an instance VM runner. */
export const config = parseStackConfig(
    withVmRunners({
        "docker-vm": vmRunnerInput(),
        "shell-vm": vmRunnerInput({
            executor: "instance",
            tags: ["vm-shell"],
            instanceTypes: ["c7g.xlarge", "m7g.xlarge"],
            arch: "arm64",
            capacityPerInstance: 2,
            maxUseCount: 10,
            maxInstances: 4,
            policies: [{ idleCount: 1, idleTime: "10m" }],
        }),
    }),
    REGION,
);
export const [dockerVm, shellVm] = config.vmRunners as [VmRunnerConfig, VmRunnerConfig];
