// User data of a VM runner's VMs: what the executor needs on a stock Amazon Linux 2023 image, installed at boot
// instead of baked into an AMI (no Packer, no image pipeline: the AMI is AWS's, resolved at deploy time). cloud-init
// runs a `#!` script as root once, late in the first boot. Everything comes from AL2023's own repositories (locked
// to the AMI's release: AL2023 user guide, "Deterministic upgrades through versioned repositories"; Docker is one of
// its packages, as the Amazon ECS developer guide's "Creating a container image" installs it) except gitlab-runner,
// which comes pinned from GitLab's release bucket. The VM reaches both through the NAT gateway. The last line writes the marker the autoscaler's ready command waits for; with
// `set -euo pipefail` a failed step never writes it, the ready command times out and the VM is replaced. Pure.
import type { VmRunnerConfig } from "../../config/vmRunners";
import { VM_OS_USER, VM_READY_MARKER } from "../../config/vmRunners/fleeting";

/** gitlab-runner's binary for an architecture (docs/install/bleeding-edge.md at v18.9.0, "Download any other tagged release"). */
export function gitlabRunnerBinaryUrl(runnerVersion: string, arch: VmRunnerConfig["arch"]): string {
    return `https://s3.dualstack.us-east-1.amazonaws.com/gitlab-runner-downloads/v${runnerVersion}/binaries/gitlab-runner-linux-${arch}`;
}

/** The install steps of one executor. */
function executorSteps(vm: Pick<VmRunnerConfig, "executor" | "arch" | "chart">): string[] {
    if (vm.executor === "docker-autoscaler") {
        // The runner manager drives Docker through the SSH tunnel as the login user, which must be in the docker
        // group (docs/executors/docker_autoscaler.md at v18.9.0, prerequisites).
        return ["dnf install -y docker", "systemctl enable --now docker", `usermod -aG docker ${VM_OS_USER}`];
    }
    // The instance executor runs jobs in a shell on the VM and needs git and the gitlab-runner binary in the default
    // path for artifacts and cache (docs/executors/instance.md at v18.9.0); the manager's own version.
    return [
        "dnf install -y git",
        `curl --fail --silent --show-error --location --retry 5 --output /usr/local/bin/gitlab-runner ${gitlabRunnerBinaryUrl(vm.chart.runnerVersion, vm.arch)}`,
        "chmod 0755 /usr/local/bin/gitlab-runner",
    ];
}

/** The user data script (plain text; the launch template takes it base64-encoded). */
export function vmUserData(vm: Pick<VmRunnerConfig, "name" | "executor" | "arch" | "chart">): string {
    return [
        "#!/bin/bash",
        `# VM runner ${vm.name} (${vm.executor}), written by eks-gitlab-runners: install what the executor needs, then`,
        "# signal the runner manager that this VM may take jobs.",
        "set -euo pipefail",
        ...executorSteps(vm),
        `mkdir -p ${VM_READY_MARKER.slice(0, VM_READY_MARKER.lastIndexOf("/"))}`,
        `touch ${VM_READY_MARKER}`,
        "",
    ].join("\n");
}
