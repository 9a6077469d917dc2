// The pinned pieces of a VM runner that live outside this repository: the fleeting AWS plugin, the VMs' OS user and
// the boot-finished marker that the autoscaler waits for.

/**
 * The fleeting AWS plugin, as `[runners.autoscaler] plugin`. `gitlab-runner fleeting install` (GitLab Runner
 * commands/fleeting/fleeting.go at v18.9.0) reads this reference from config.toml and downloads the plugin from the
 * OCI registry registry.gitlab.com/gitlab-org/fleeting/plugins/aws (docs/fleet_scaling/fleeting.md at v18.9.0:
 * default registry and repository; `<name>:<MAJOR>.<MINOR>.<PATCH>` selects exactly that version, `latest` would
 * follow every release). 1.1.0 is the newest release tag found (v1.1.0, as packaged in NixOS/nixpkgs
 * pkgs/by-name/fl/fleeting-plugin-aws/package.nix at 4c53d514); its presence in the OCI registry under that version
 * is not verified here (docs/runners.md, "What is verified only on AWS").
 */
export const FLEETING_AWS_PLUGIN = { name: "aws", version: "1.1.0" } as const;
export const FLEETING_PLUGIN_REFERENCE = `${FLEETING_AWS_PLUGIN.name}:${FLEETING_AWS_PLUGIN.version}`;

/**
 * The login of Amazon Linux 2023 (its default user), which the plugin connects as and pushes its throwaway SSH key
 * for: the plugin's default username on Linux (provider.go `ConnectInfo`, fleeting-plugin-aws v0.4.0 as imported in
 * hetznercloud/fleeting-plugin-hetzner 5c71bcde), written out so that the IAM condition `ec2:osuser` and the
 * connector agree.
 */
export const VM_OS_USER = "ec2-user";

/** Written by the VM's user data once it has installed everything; the autoscaler waits for it (ready command). */
export const VM_READY_MARKER = "/run/eks-gitlab-runners/ready";

/** How long a booting VM may take to become ready before the autoscaler gives up on it and removes it. */
export const VM_READY_TIMEOUT_SECONDS = 600;

/**
 * → `[runners.autoscaler] instance_ready_command`: run over SSH on every new VM before it gets a job; a failure
 * removes the VM (GitLab Runner docs/configuration/advanced-configuration.md at v18.9.0, `instance_ready_command`).
 * sshd answers long before the user data has installed Docker, so the command waits for the marker rather than
 * testing for it once.
 */
export const VM_READY_COMMAND = `timeout ${VM_READY_TIMEOUT_SECONDS} sh -c 'until test -e ${VM_READY_MARKER}; do sleep 2; done'`;
