// What a VM runner's EC2 side is, as plain data: the launch template and the Auto Scaling group the fleeting AWS
// plugin scales, the security group's rules, the AMI parameter. The VmRunner component only creates resources from it.
//
// The group follows the plugin's documented setup (README "Autoscaling Group Setup" at v0.4.0; GitLab Runner
// docs/executors/docker_autoscaler.md at v18.9.0): desired and minimum capacity 0, maximum ≥ max_instances, no scaling
// policy (the runner alone decides capacity; this program creates none), AZRebalance suspended, instance scale-in
// protection on (the plugin logs "new instances are not protected from scale in and should be" otherwise: provider.go).
// Capacity rebalancing stays off: it replaces Spot instances at risk of interruption (EC2 Auto Scaling user guide,
// "Capacity Rebalancing"), i.e. terminates VMs behind the plugin's back — cattle-ops/terraform-aws-gitlab-runner
// docker_autoscaler.tf sets `capacity_rebalance = false` for the same reason. One group per VM runner: the docs'
// "Dedicated autoscaling groups for each runner configuration".
import type { VmRunnerConfig } from "../../config/vmRunners";
import { encryptedGp3Volume, HARDENED_METADATA_OPTIONS, instanceTagSpecifications, SUSPENDED_PROCESSES } from "../../model/ec2";
import { VM_RUNNER_TAG, vmRunnerTagValue } from "./vmPolicies";
import { vmUserData } from "./vmUserData";

/**
 * The public SSM parameter of the newest Amazon Linux 2023 AMI (standard edition, default kernel), read at every
 * deploy: a scheduled `pulumi up` moves new VMs onto the newest image, and maxUseCount bounds how long an old VM
 * lives. Names as aws/aws-cdk packages/aws-cdk-lib/aws-ec2/lib/machine-image/amazon-linux-2023.ts lists them (015bad15).
 * Plain AL2023, not the ECS-optimized image: that one has Docker but not EC2 Instance Connect (aws/amazon-ecs-ami#170),
 * which the plugin needs; AL2023 comes with it (EC2 user guide, "Install EC2 Instance Connect").
 */
export function vmAmiParameter(arch: VmRunnerConfig["arch"]): string {
    return `/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-${arch === "amd64" ? "x86_64" : "arm64"}`;
}

/** AL2023's root volume: the one whose size diskSizeGiB sets. */
export const VM_ROOT_DEVICE = "/dev/xvda";

export interface VmSpecContext {
    /** The cluster's static name (tags, names). */
    readonly clusterName: string;
    readonly tags: Readonly<Record<string, string>>;
}

/** Name of the runner's Auto Scaling group (unique per cluster and runner; the plugin finds the group by it). */
export const vmAsgName = (clusterName: string, runner: string) => `${clusterName}-vm-${runner}`;

/** aws.ec2.LaunchTemplate inputs, less the AMI and security group (resolved and created at deploy time). */
export function vmLaunchTemplateArgs(vm: VmRunnerConfig, ctx: VmSpecContext) {
    const name = vmAsgName(ctx.clusterName, vm.name);
    return {
        description: `VMs of ${ctx.clusterName} VM runner ${vm.name} (${vm.executor})`,
        updateDefaultVersion: true,
        metadataOptions: { ...HARDENED_METADATA_OPTIONS },
        blockDeviceMappings: [encryptedGp3Volume(VM_ROOT_DEVICE, vm.diskSizeGiB)],
        // No instance profile: the VMs call no AWS API (the manager signs cache URLs, pulls nothing for them), so a
        // job that takes over its VM finds no credentials. No key pair: keys are pushed per connection.
        userData: Buffer.from(vmUserData(vm)).toString("base64"),
        tagSpecifications: instanceTagSpecifications({ ...ctx.tags, Name: name }),
        tags: { ...ctx.tags },
    };
}

/** aws.autoscaling.Group inputs: `launchTemplate` and `subnetIds` are passed through (resources of the component). */
export function vmGroupArgs<T, S>(
    vm: VmRunnerConfig,
    ctx: VmSpecContext,
    launchTemplate: { id: T; version: T },
    subnetIds: readonly S[],
) {
    const name = vmAsgName(ctx.clusterName, vm.name);
    const tags: Record<string, string> = { ...ctx.tags, [VM_RUNNER_TAG]: vmRunnerTagValue(ctx.clusterName, vm.name), Name: name };
    return {
        name,
        minSize: 0,
        maxSize: vm.maxInstances,
        // Only at creation: afterwards the plugin owns it (ignoreChanges in VM_GROUP_OPTIONS).
        desiredCapacity: 0,
        protectFromScaleIn: true,
        suspendedProcesses: [...SUSPENDED_PROCESSES],
        capacityRebalance: false,
        // Deleting the runner deletes its VMs: scale-in protection would otherwise hold the deletion up forever.
        forceDelete: true,
        vpcZoneIdentifiers: [...subnetIds],
        mixedInstancesPolicy: {
            // On-demand only, in the listed order: a VM runner's jobs did not opt into Spot interruptions.
            instancesDistribution: {
                onDemandBaseCapacity: 0,
                onDemandPercentageAboveBaseCapacity: 100,
                onDemandAllocationStrategy: "prioritized",
            },
            launchTemplate: {
                launchTemplateSpecification: { launchTemplateId: launchTemplate.id, version: launchTemplate.version },
                overrides: vm.instanceTypes.map((instanceType) => ({ instanceType })),
            },
        },
        // On the group (the IAM condition of its manager) and on every VM (Name, cost allocation).
        tags: Object.entries(tags).map(([key, value]) => ({ key, value, propagateAtLaunch: true })),
    };
}

/**
 * Resource options of the group: the plugin sets the desired capacity at run time, so a deploy must not reset it (a
 * reset to 0 would terminate VMs with running jobs).
 */
export const VM_GROUP_OPTIONS = { ignoreChanges: ["desiredCapacity"] };

/**
 * The VMs' security group: SSH in from the cluster security group only, which every node and, through the VPC
 * CNI's ENIs, every pod carries (the manager connects from a pod on a management node); everything out, through
 * the NAT (packages, images, GitLab, the cache's signed URLs). Reachable by any pod, usable only with a key the
 * manager pushed for 60 seconds through EC2 Instance Connect.
 */
export function vmSecurityRules<T>(clusterSecurityGroupId: T) {
    return {
        ingress: { ipProtocol: "tcp", fromPort: 22, toPort: 22, referencedSecurityGroupId: clusterSecurityGroupId },
        egress: { ipProtocol: "-1", cidrIpv4: "0.0.0.0/0" },
    };
}
