// A VM runner as rendered for its manager: config.toml ([runners.autoscaler]), the VMs' user data, the chart values.
import { strict as assert } from "assert";
import { parse as parseToml } from "smol-toml";
import { FLEETING_PLUGIN_REFERENCE, VM_READY_COMMAND, VM_READY_MARKER } from "../config/vmRunners/fleeting";
import { FLEETING_INSTALL_SCRIPT, GRACEFUL_STOP_SCRIPT, vmRunnerHelmValues } from "../components/runners/helmValues";
import { renderVmRunnerToml } from "../components/runners/vmConfigToml";
import { gitlabRunnerBinaryUrl, vmUserData } from "../components/runners/vmUserData";
import { PRIORITY_CLASSES } from "../model/priorityClasses";
import { unknownKeys } from "./fixtures/runnerConfigKeys";
import { ASG, CACHE, config, dockerVm, REGION, shellVm } from "./support/vmRunners";

const plain = (toml: string) => JSON.parse(JSON.stringify(parseToml(toml)));

describe("VM runner config.toml ([runners.autoscaler])", () => {
    it("renders the autoscaler, its policies in order, the connector, Docker and the shared cache", () => {
        assert.deepEqual(plain(renderVmRunnerToml({ vm: dockerVm, asgName: ASG, cache: CACHE })), {
            runners: [
                {
                    autoscaler: {
                        capacity_per_instance: 1,
                        max_use_count: 1,
                        max_instances: 10,
                        policy: dockerVm.policies.map((p) => ({
                            periods: p.periods,
                            timezone: p.timezone,
                            idle_count: p.idleCount,
                            idle_time: p.idleTime,
                        })),
                        plugin: "aws:1.1.0",
                        instance_ready_command: `timeout 600 sh -c 'until test -e ${VM_READY_MARKER}; do sleep 2; done'`,
                        plugin_config: { name: ASG },
                        connector_config: {
                            os: "linux",
                            arch: "amd64",
                            protocol: "ssh",
                            username: "ec2-user",
                            use_static_credentials: false,
                            use_external_addr: false,
                        },
                    },
                    docker: { image: "ubuntu:24.04", privileged: true },
                    // The queue alarm's counter, as for every runner (RunnerSettings.Monitoring, common/config.go).
                    monitoring: { job_queuing_durations: [{ periods: ["* * * * * * *"], timezone: "UTC", threshold: "300s" }] },
                    cache: {
                        Type: "s3",
                        Shared: true,
                        s3: { AuthenticationType: "iam", BucketName: "ci-cache", BucketLocation: REGION },
                    },
                },
            ],
        });
    });

    it("an instance runner has no [runners.docker]; its packing and lifetime come from the stack file", () => {
        const doc = plain(renderVmRunnerToml({ vm: shellVm, asgName: "a", cache: CACHE })).runners[0];
        assert.equal(doc.docker, undefined);
        assert.deepEqual(
            [
                doc.autoscaler.capacity_per_instance,
                doc.autoscaler.max_use_count,
                doc.autoscaler.max_instances,
                doc.autoscaler.connector_config.arch,
            ],
            [2, 10, 4, "arm64"],
        );
        assert.deepEqual(doc.autoscaler.policy, [{ periods: ["* * * * *"], timezone: "UTC", idle_count: 1, idle_time: "10m" }]);
    });

    for (const runnerVersion of ["18.9.0", "19.3.0"]) {
        it(`every key it renders exists in GitLab Runner ${runnerVersion} (unknown keys are ignored silently upstream)`, () => {
            for (const vm of config.vmRunners)
                assert.deepEqual(unknownKeys(renderVmRunnerToml({ vm, asgName: ASG, cache: CACHE }), runnerVersion), []);
            assert.deepEqual(
                unknownKeys("[[runners]]\n[runners.autoscaler]\nidle_count = 1\n", runnerVersion),
                ["runners.autoscaler.idle_count"],
                "the check can fail",
            );
        });
    }

    it("pins the plugin to an exact version, never latest", () => {
        assert.match(FLEETING_PLUGIN_REFERENCE, /^aws:\d+\.\d+\.\d+$/);
    });

    it("waits for the marker the user data writes last, within a bound, instead of testing it once", () => {
        assert.equal(VM_READY_COMMAND, `timeout 600 sh -c 'until test -e ${VM_READY_MARKER}; do sleep 2; done'`);
        for (const vm of config.vmRunners) {
            const lines = vmUserData(vm).trimEnd().split("\n");
            assert.equal(lines[lines.length - 1], `touch ${VM_READY_MARKER}`);
            assert.ok(lines.includes("set -euo pipefail"), "a failed step never writes the marker");
        }
    });
});

describe("VM runner user data (AL2023, no Packer)", () => {
    it("docker-autoscaler: installs and starts Docker and lets the login user use it", () => {
        assert.equal(
            vmUserData(dockerVm),
            [
                "#!/bin/bash",
                "# VM runner docker-vm (docker-autoscaler), written by eks-gitlab-runners: install what the executor needs, then",
                "# signal the runner manager that this VM may take jobs.",
                "set -euo pipefail",
                "dnf install -y docker",
                "systemctl enable --now docker",
                "usermod -aG docker ec2-user",
                "mkdir -p /run/eks-gitlab-runners",
                "touch /run/eks-gitlab-runners/ready",
                "",
            ].join("\n"),
        );
    });

    it("instance: installs git and the manager's own gitlab-runner version for the VM's architecture", () => {
        assert.equal(
            vmUserData(shellVm),
            [
                "#!/bin/bash",
                "# VM runner shell-vm (instance), written by eks-gitlab-runners: install what the executor needs, then",
                "# signal the runner manager that this VM may take jobs.",
                "set -euo pipefail",
                "dnf install -y git",
                "curl --fail --silent --show-error --location --retry 5 --output /usr/local/bin/gitlab-runner https://s3.dualstack.us-east-1.amazonaws.com/gitlab-runner-downloads/v19.3.0/binaries/gitlab-runner-linux-arm64",
                "chmod 0755 /usr/local/bin/gitlab-runner",
                "mkdir -p /run/eks-gitlab-runners",
                "touch /run/eks-gitlab-runners/ready",
                "",
            ].join("\n"),
        );
        assert.equal(
            gitlabRunnerBinaryUrl("19.3.0", "amd64"),
            "https://s3.dualstack.us-east-1.amazonaws.com/gitlab-runner-downloads/v19.3.0/binaries/gitlab-runner-linux-amd64",
        );
    });
});

describe("VM runner manager chart values", () => {
    const values = vmRunnerHelmValues({
        vm: dockerVm,
        region: REGION,
        gitlabUrl: config.gitlab.url,
        clusterName: config.cluster.name,
        management: config.nodeGroups.management,
        runnersConfig: "[[runners]]",
    }) as Record<string, any>;

    it("installs the pinned plugin before the runner starts, sets the region and never runs two managers at once", () => {
        assert.equal(values.preEntrypointScript, FLEETING_INSTALL_SCRIPT);
        assert.equal(FLEETING_INSTALL_SCRIPT, "set -euo pipefail\ngitlab-runner fleeting install");
        assert.deepEqual(values.envVars, [{ name: "AWS_REGION", value: REGION }]);
        assert.deepEqual(values.strategy, { type: "Recreate" });
    });

    it("is a manager like any other: the executor, concurrency, the management nodes, the graceful stop, the token Secret", () => {
        assert.equal(values.runners.executor, "docker-autoscaler");
        assert.equal(values.runners.secret, "gitlab-runner-docker-vm-token");
        assert.equal(values.runners.name, "ci-fixture-docker-vm");
        assert.equal(values.concurrent, 10);
        assert.equal(values.checkInterval, 3);
        assert.equal(values.terminationGracePeriodSeconds, 3900);
        assert.deepEqual(values.nodeSelector, { "eks-gitlab-runners/role": "management", "kubernetes.io/arch": "amd64" });
        assert.deepEqual(values.tolerations, [
            { key: "eks-gitlab-runners/role", operator: "Equal", value: "management", effect: "NoSchedule" },
        ]);
        assert.equal(values.priorityClassName, PRIORITY_CLASSES.platform);
        assert.deepEqual(values.deploymentLifecycle.preStop.exec.command, ["/bin/bash", "-c", GRACEFUL_STOP_SCRIPT]);
        assert.deepEqual(values.serviceAccount, { create: false, name: "gitlab-runner-docker-vm" });
        assert.equal(values.securityContext.privileged, false);
    });
});
