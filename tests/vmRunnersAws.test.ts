// A VM runner's AWS side: launch template, Auto Scaling group, security group, and the manager's IAM via Pod Identity.
import { strict as assert } from "assert";
import { VM_RUNNER_TAG, vmManagerPolicy, vmManagerTrustPolicy } from "../components/runners/vmPolicies";
import {
    VM_GROUP_OPTIONS,
    vmAmiParameter,
    vmGroupArgs,
    vmLaunchTemplateArgs,
    vmSecurityRules,
} from "../components/runners/vmSpec";
import { vmUserData } from "../components/runners/vmUserData";
import { ASG, dockerVm, REGION, shellVm } from "./support/vmRunners";

describe("VM runner EC2 side (launch template, Auto Scaling group, security group)", () => {
    const ctx = { clusterName: "ci-fixture", tags: { team: "ci" } };

    it("boots the newest AL2023 of the runner's architecture from its public SSM parameter", () => {
        assert.equal(vmAmiParameter("amd64"), "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64");
        assert.equal(vmAmiParameter("arm64"), "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64");
    });

    it("launch template: IMDSv2 with hop limit 1, one encrypted gp3 root volume, the user data, no role and no key", () => {
        const lt = vmLaunchTemplateArgs(dockerVm, ctx);
        assert.deepEqual(lt.metadataOptions, {
            httpEndpoint: "enabled",
            httpTokens: "required",
            httpPutResponseHopLimit: 1,
            instanceMetadataTags: "disabled",
        });
        assert.deepEqual(lt.blockDeviceMappings, [
            {
                deviceName: "/dev/xvda",
                ebs: { volumeSize: 100, volumeType: "gp3", encrypted: "true", deleteOnTermination: "true" },
            },
        ]);
        assert.equal(Buffer.from(lt.userData, "base64").toString(), vmUserData(dockerVm));
        assert.ok(!("iamInstanceProfile" in lt) && !("keyName" in lt));
        assert.deepEqual(lt.tagSpecifications, [
            { resourceType: "instance", tags: { team: "ci", Name: ASG } },
            { resourceType: "volume", tags: { team: "ci", Name: ASG } },
        ]);
    });

    it("group: the plugin's requirements (0 to maxInstances, scale-in protection, AZRebalance suspended, no capacity rebalance)", () => {
        const group = vmGroupArgs(shellVm, ctx, { id: "lt-1", version: "3" }, ["subnet-a", "subnet-b"]);
        assert.deepEqual([group.name, group.minSize, group.maxSize, group.desiredCapacity], ["ci-fixture-vm-shell-vm", 0, 4, 0]);
        assert.equal(group.protectFromScaleIn, true);
        assert.deepEqual(group.suspendedProcesses, ["AZRebalance"]);
        assert.equal(group.capacityRebalance, false);
        assert.equal(group.forceDelete, true, "deleting the runner takes its protected VMs with it");
        assert.deepEqual(group.vpcZoneIdentifiers, ["subnet-a", "subnet-b"]);
        const { instancesDistribution: spread, launchTemplate: lt } = group.mixedInstancesPolicy;
        assert.equal(spread.onDemandPercentageAboveBaseCapacity, 100, "on-demand only");
        assert.equal(spread.onDemandAllocationStrategy, "prioritized", "the listed order");
        assert.deepEqual(lt.launchTemplateSpecification, { launchTemplateId: "lt-1", version: "3" });
        assert.deepEqual(
            lt.overrides.map((o) => o.instanceType),
            shellVm.instanceTypes,
        );
        assert.deepEqual(
            group.tags.map((t) => `${t.key}=${t.value}${t.propagateAtLaunch ? " (VMs too)" : ""}`),
            ["team=ci (VMs too)", `${VM_RUNNER_TAG}=ci-fixture/shell-vm (VMs too)`, "Name=ci-fixture-vm-shell-vm (VMs too)"],
        );
        // The plugin owns the desired capacity once the group exists: a deploy must not reset it.
        assert.deepEqual(VM_GROUP_OPTIONS, { ignoreChanges: ["desiredCapacity"] });
    });

    it("security group: SSH from the cluster security group only, everything out", () => {
        assert.deepEqual(vmSecurityRules("sg-cluster"), {
            ingress: { ipProtocol: "tcp", fromPort: 22, toPort: 22, referencedSecurityGroupId: "sg-cluster" },
            egress: { ipProtocol: "-1", cidrIpv4: "0.0.0.0/0" },
        });
    });
});

describe("VM runner manager IAM (Pod Identity)", () => {
    const scope = { partition: "aws", region: REGION, accountId: "123456789012" };
    const asgArn = `arn:aws:autoscaling:${REGION}:123456789012:autoScalingGroup:uuid:autoScalingGroupName/${ASG}`;

    it("scales its own group only, reads groups and instances, pushes SSH keys to its own VMs' ec2-user only, uses the cache", () => {
        assert.deepEqual(
            vmManagerPolicy({
                scope,
                asgArn,
                asgName: ASG,
                tagValue: "ci-fixture/docker-vm",
                bucketArn: "arn:aws:s3:::ci-cache",
            }),
            {
                Version: "2012-10-17",
                Statement: [
                    {
                        Sid: "ScaleOwnGroup",
                        Effect: "Allow",
                        Action: ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"],
                        Resource: asgArn,
                        Condition: { StringEquals: { "aws:ResourceTag/eks-gitlab-runners/vm-runner": "ci-fixture/docker-vm" } },
                    },
                    {
                        Sid: "DescribeGroupAndInstances",
                        Effect: "Allow",
                        Action: ["autoscaling:DescribeAutoScalingGroups", "ec2:DescribeInstances"],
                        Resource: "*",
                    },
                    {
                        Sid: "PushThrowawaySshKeyToOwnVms",
                        Effect: "Allow",
                        Action: ["ec2-instance-connect:SendSSHPublicKey"],
                        Resource: `arn:aws:ec2:${REGION}:123456789012:instance/*`,
                        Condition: {
                            StringEquals: { "ec2:ResourceTag/aws:autoscaling:groupName": ASG, "ec2:osuser": "ec2-user" },
                        },
                    },
                    {
                        Sid: "CacheObjects",
                        Effect: "Allow",
                        Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
                        Resource: "arn:aws:s3:::ci-cache/*",
                    },
                    { Sid: "CacheList", Effect: "Allow", Action: "s3:ListBucket", Resource: "arn:aws:s3:::ci-cache" },
                ],
            },
        );
    });

    it("is assumed through EKS Pod Identity by this cluster's manager service account of this runner only", () => {
        const trust = vmManagerTrustPolicy({
            clusterName: "ci-fixture",
            namespace: "gitlab-runner",
            serviceAccount: "gitlab-runner-docker-vm",
        });
        assert.deepEqual(trust.Statement[0].Principal, { Service: "pods.eks.amazonaws.com" });
        assert.deepEqual(trust.Statement[0].Action, ["sts:AssumeRole", "sts:TagSession"]);
        assert.deepEqual(trust.Statement[0].Condition, {
            StringEquals: {
                "aws:RequestTag/eks-cluster-name": "ci-fixture",
                "aws:RequestTag/kubernetes-namespace": "gitlab-runner",
                "aws:RequestTag/kubernetes-service-account": ["gitlab-runner-docker-vm"],
            },
        });
    });
});
