import { strict as assert } from "assert";
import { parse as parseToml } from "smol-toml";
import { FLEETING_PLUGIN_REFERENCE } from "../config/vmRunners/fleeting";
import { vmUserData } from "../components/runners/vmUserData";
import { Recorded, Run, runStackFile, stackConfigOf, valueOf } from "./support/harness";
import { ACCOUNT } from "./support/mocks";

// The prod stack's VM runner (Pulumi.prod.yaml `vmRunners.docker-vm`), as the real program registers it under mocks:
// the settings the fleeting AWS plugin needs, IAM scoped to its own group and VMs, the manager's placement and region.
const T = {
    component: "eks-gitlab-runners:index:VmRunner",
    group: "aws:autoscaling/group:Group",
    scalingPolicy: "aws:autoscaling/policy:Policy",
    launchTemplate: "aws:ec2/launchTemplate:LaunchTemplate",
    securityGroup: "aws:ec2/securityGroup:SecurityGroup",
    ingress: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    egress: "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
    role: "aws:iam/role:Role",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
    association: "aws:eks/podIdentityAssociation:PodIdentityAssociation",
    release: "kubernetes:helm.sh/v3:Release",
} as const;
const NAME = "gitlab-vm-docker-vm";
const ASG = "ci-runners-prod-vm-docker-vm";
const CLUSTER_SG = "sg-0c1a55e7c1a55e7c1"; // the mocked cluster security group (plan/mocks.ts)

describe("VM runners (prod stack under mocks)", () => {
    let run: Run;
    before(async () => {
        run = await runStackFile("prod");
    });
    const config = stackConfigOf("prod");
    const vm = config.vmRunners[0];
    const child = (type: string, name = type === T.group ? `${NAME}-asg` : "") =>
        run.ofType(type).filter((r) => r.parent === NAME && (name === "" || r.name === name));
    const only = (type: string): Recorded => {
        const found = child(type);
        assert.equal(found.length, 1, `${type} under ${NAME}`);
        return found[0];
    };
    const names = (deps: unknown) => ([] as { __name?: string }[]).concat((deps ?? []) as never).map((d) => d.__name);

    it("prod declares one small docker-autoscaler VM runner with a working-hours policy", () => {
        assert.deepEqual(
            config.vmRunners.map((v) => [v.name, v.executor, v.maxInstances, v.policies.length]),
            [["docker-vm", "docker-autoscaler", 10, 2]],
        );
        assert.deepEqual(
            run.ofType(T.component).map((c) => c.name),
            [NAME],
        );
    });

    it("its Auto Scaling group: 0 to maxInstances, scale-in protection, AZRebalance suspended, capacity rebalance off", () => {
        const group = only(T.group);
        assert.equal(group.inputs.name, ASG);
        assert.deepEqual([group.inputs.minSize, group.inputs.maxSize, group.inputs.desiredCapacity], [0, vm.maxInstances, 0]);
        assert.equal(group.inputs.protectFromScaleIn, true);
        assert.deepEqual(group.inputs.suspendedProcesses, ["AZRebalance"]);
        assert.equal(group.inputs.capacityRebalance, false);
        assert.deepEqual(group.opts?.ignoreChanges, ["desiredCapacity"], "the plugin owns the desired capacity");
        assert.deepEqual(group.inputs.vpcZoneIdentifiers, config.network.subnetIds, "the private subnets behind the NAT");
        const lt = only(T.launchTemplate);
        assert.deepEqual(group.inputs.mixedInstancesPolicy.launchTemplate, {
            launchTemplateSpecification: { launchTemplateId: `${lt.name}-id`, version: "1" },
            overrides: [{ instanceType: "c7a.2xlarge" }],
        });
        assert.equal(group.inputs.mixedInstancesPolicy.instancesDistribution.onDemandPercentageAboveBaseCapacity, 100);
    });

    it("no scaling policy anywhere in the stack: the runner alone decides capacity", () => {
        assert.deepEqual(run.ofType(T.scalingPolicy), []);
    });

    it("its launch template boots AL2023 from the public SSM parameter, hardened, with the executor's user data", () => {
        const lt = only(T.launchTemplate).inputs;
        const call = run.calls.find(
            (c) =>
                c.token === "aws:ssm/getParameter:getParameter" &&
                c.inputs.name === "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64",
        );
        assert.ok(call, "the AMI is read from AWS's public parameter at deploy time");
        assert.equal(lt.imageId, "ami-0a1b2c3d4e5f60718");
        assert.deepEqual([lt.metadataOptions.httpTokens, lt.metadataOptions.httpPutResponseHopLimit], ["required", 1]);
        assert.deepEqual(lt.blockDeviceMappings[0].ebs, {
            volumeSize: 100,
            volumeType: "gp3",
            encrypted: "true",
            deleteOnTermination: "true",
        });
        assert.equal(Buffer.from(lt.userData, "base64").toString(), vmUserData(vm));
        assert.deepEqual(lt.vpcSecurityGroupIds, [`${NAME}-sg-id`]);
        assert.equal(lt.iamInstanceProfile, undefined, "the VMs have no AWS identity");
    });

    it("its security group admits SSH from the cluster security group only", () => {
        const sg = only(T.securityGroup);
        assert.equal(sg.inputs.vpcId, config.network.vpcId);
        const ingress = child(T.ingress);
        assert.deepEqual(
            ingress.map((r) => [
                r.inputs.securityGroupId,
                r.inputs.ipProtocol,
                r.inputs.fromPort,
                r.inputs.toPort,
                r.inputs.referencedSecurityGroupId,
                r.inputs.cidrIpv4,
            ]),
            [[`${NAME}-sg-id`, "tcp", 22, 22, CLUSTER_SG, undefined]],
        );
        assert.deepEqual(
            child(T.egress).map((r) => [r.inputs.ipProtocol, r.inputs.cidrIpv4]),
            [["-1", "0.0.0.0/0"]],
        );
    });

    it("its manager's role: writes on its own tagged group, SSH keys to its own VMs' ec2-user, through Pod Identity", () => {
        const group = only(T.group);
        const policy = JSON.parse(only(T.rolePolicy).inputs.policy);
        const sid = (s: string) => policy.Statement.find((x: { Sid: string }) => x.Sid === s);
        const asgArn = `arn:aws:autoscaling:${config.region}:${ACCOUNT}:autoScalingGroup:6d3f2a90-1c2b-4e5f-8a9b-0c1d2e3f4a5b:autoScalingGroupName/${ASG}`;
        assert.equal(sid("ScaleOwnGroup").Resource, asgArn);
        const tag = group.inputs.tags.find((t: { key: string }) => t.key === "eks-gitlab-runners/vm-runner");
        assert.deepEqual(sid("ScaleOwnGroup").Condition, {
            StringEquals: { "aws:ResourceTag/eks-gitlab-runners/vm-runner": tag.value },
        });
        assert.equal(tag.value, "ci-runners-prod/docker-vm");
        assert.deepEqual(sid("PushThrowawaySshKeyToOwnVms").Condition, {
            StringEquals: { "ec2:ResourceTag/aws:autoscaling:groupName": ASG, "ec2:osuser": "ec2-user" },
        });
        assert.equal(sid("PushThrowawaySshKeyToOwnVms").Resource, `arn:aws:ec2:${config.region}:${ACCOUNT}:instance/*`);
        const role = only(T.role);
        const trust = JSON.parse(role.inputs.assumeRolePolicy);
        assert.deepEqual(trust.Statement[0].Condition.StringEquals["aws:RequestTag/kubernetes-service-account"], [
            vm.names.serviceAccount,
        ]);
        const association = only(T.association);
        assert.deepEqual(
            [association.inputs.namespace, association.inputs.serviceAccount, association.inputs.roleArn],
            ["gitlab-runner", "gitlab-runner-docker-vm", `arn:aws:iam::${ACCOUNT}:role/${role.name}`],
        );
        // The shared cache role stays with the Kubernetes runners' managers: the VM manager's own role has the cache access.
        const cacheTrust = JSON.parse(run.one(T.role, "gitlab-cache-role").inputs.assumeRolePolicy);
        assert.ok(
            !cacheTrust.Statement[0].Condition.StringEquals["aws:RequestTag/kubernetes-service-account"].includes(
                vm.names.serviceAccount,
            ),
        );
    });

    it("its manager: on the management nodes, region set, plugin pinned and installed first, Recreate, after its identity", () => {
        const release = only(T.release);
        const values = release.inputs.values;
        assert.equal(release.inputs.name, "gitlab-runner-docker-vm");
        assert.equal(release.inputs.namespace, "gitlab-runner");
        assert.deepEqual(values.nodeSelector, {
            "eks-gitlab-runners/role": "management",
            "kubernetes.io/arch": config.nodeGroups.management.arch,
        });
        assert.deepEqual(values.envVars, [{ name: "AWS_REGION", value: "eu-west-1" }]);
        assert.match(values.preEntrypointScript, /^gitlab-runner fleeting install$/m);
        assert.deepEqual(values.strategy, { type: "Recreate" });
        const toml = JSON.parse(JSON.stringify(parseToml(values.runners.config))).runners[0];
        assert.equal(toml.autoscaler.plugin, FLEETING_PLUGIN_REFERENCE);
        assert.deepEqual(toml.autoscaler.plugin_config, { name: ASG });
        const k8sToml = parseToml(run.one(T.release, "gitlab-amd64-release").inputs.values.runners.config) as any;
        assert.deepEqual(toml.cache, JSON.parse(JSON.stringify(k8sToml.runners[0].cache)), "the one shared cache");
        const deps = names(release.opts?.dependsOn);
        for (const d of [`${NAME}-identity`, `${NAME}-token`, `${NAME}-sa`, `${NAME}-access`, `${NAME}-asg`])
            assert.ok(deps.includes(d), d);
    });

    it("exports the group and the rendered config.toml per VM runner", async () => {
        const out = (await valueOf(run.outputs.vmRunners as never)) as Record<
            string,
            { autoScalingGroup: string; configToml: string }
        >;
        assert.deepEqual(Object.keys(out), ["docker-vm"]);
        assert.equal(out["docker-vm"].autoScalingGroup, ASG);
        assert.equal(out["docker-vm"].configToml, only(T.release).inputs.values.runners.config);
    });
});
