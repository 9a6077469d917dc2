import { strict as assert } from "assert";
import { PROJECT } from "../config";
import { instanceFacts } from "../config/instanceTypes";
import { autoDiscoveryTags, NODE_TEMPLATE_PREFIX } from "../model/autoscalerTags";
import { NODE_POLICIES } from "../components/nodegroups/nodeRole";
import { Recorded, Run, stackFileConfig, runShippedStacks, SHIPPED_STACKS } from "./support/harness";

const NODEGROUP = "aws:eks/nodeGroup:NodeGroup";
const ASG_TAG = "aws:autoscaling/tag:Tag";
const SUSPENSION = "pulumi-nodejs:dynamic/eks-gitlab-runners:AsgProcessSuspension";
const SCALING = "pulumi-nodejs:dynamic/eks-gitlab-runners:NodeGroupScaling";
const ROLE = "eks-gitlab-runners/role";

/** The groups of a stack file, as written there. */
function groupsOf(stack: string): Record<string, any> {
    return stackFileConfig(stack)[`${PROJECT}:nodeGroups`] as Record<string, any>;
}

function childrenOf(run: Run, group: string, type: string): Recorded[] {
    return run.resources.filter((r) => r.type === type && r.parent === group);
}

function asgTags(run: Run, group: string): Record<string, string> {
    const tags: Record<string, string> = {};
    for (const t of childrenOf(run, group, ASG_TAG)) {
        assert.equal(t.inputs.autoscalingGroupName, `eks-${group}-nodegroup-0ac9a1b2-asg`, "tags go on the group's own ASG");
        assert.equal(t.inputs.tag.propagateAtLaunch, false);
        tags[t.inputs.tag.key] = t.inputs.tag.value;
    }
    return tags;
}

describe("node groups", () => {
    const runs: Record<string, Run> = {};
    before(() => runShippedStacks(runs));

    for (const stack of SHIPPED_STACKS) {
        describe(`stack ${stack}`, () => {
            const groups = () => Object.entries(groupsOf(stack));
            const clusterName = () => (stackFileConfig(stack)[`${PROJECT}:cluster`] as any).name;
            const nodeGroup = (name: string) => childrenOf(runs[stack], name, NODEGROUP)[0].inputs;

            it("creates one managed node group with a launch template per configured group", () => {
                assert.equal(runs[stack].ofType(NODEGROUP).length, groups().length);
                for (const [name] of groups()) {
                    const ng = childrenOf(runs[stack], name, NODEGROUP);
                    const lt = childrenOf(runs[stack], name, "aws:ec2/launchTemplate:LaunchTemplate");
                    assert.equal(ng.length, 1, name);
                    assert.equal(lt.length, 1, name);
                    assert.equal(ng[0].inputs.launchTemplate.id, `${lt[0].name}-id`);
                }
            });

            it("management group: labelled, tainted, on-demand, fixed size, and not discoverable by Cluster Autoscaler", () => {
                const [[name, cfg]] = groups().filter(([, g]) => g.role === "management");
                const ng = nodeGroup(name);
                assert.equal(ng.labels[ROLE], "management");
                assert.deepEqual(ng.taints, [{ key: ROLE, value: "management", effect: "NO_SCHEDULE" }]);
                assert.equal(ng.capacityType, "ON_DEMAND");
                assert.ok(ng.scalingConfig.minSize >= 2);
                assert.equal(ng.scalingConfig.minSize, ng.scalingConfig.maxSize);
                assert.equal(ng.scalingConfig.minSize, cfg.minSize);
                assert.deepEqual(
                    ng.subnetIds,
                    (stackFileConfig(stack)[`${PROJECT}:network`] as any).subnetIds,
                    "spread over the cluster's subnets (≥ 2 AZs)",
                );
                assert.deepEqual(asgTags(runs[stack], name), {}, "no discovery or node-template tags");
                assert.equal(childrenOf(runs[stack], name, SUSPENSION).length, 0);
                assert.equal(runs[stack].one("eks-gitlab-runners:index:ManagementNodeGroup").name, name);
            });

            it("job groups: group label, job taint, discovery tags and AZRebalance suspended on their ASG", () => {
                for (const [name, cfg] of groups().filter(([, g]) => g.role === "jobs")) {
                    const ng = nodeGroup(name);
                    assert.equal(ng.labels[ROLE], "jobs");
                    assert.equal(ng.labels["eks-gitlab-runners/nodegroup"], name);
                    assert.ok(
                        ng.taints.some((t: any) => t.key === ROLE && t.value === "jobs" && t.effect === "NO_SCHEDULE"),
                        name,
                    );
                    assert.equal(ng.capacityType, cfg.capacityType ?? "ON_DEMAND");
                    const tags = asgTags(runs[stack], name);
                    for (const [key, value] of Object.entries(autoDiscoveryTags(clusterName())))
                        assert.equal(tags[key], value, `${name}: ${key}`);
                    const suspensions = childrenOf(runs[stack], name, SUSPENSION);
                    assert.equal(suspensions.length, 1, name);
                    assert.equal(suspensions[0].inputs.asgName, `eks-${name}-nodegroup-0ac9a1b2-asg`);
                    assert.deepEqual(suspensions[0].inputs.processes, ["AZRebalance"]);
                    assert.equal(suspensions[0].inputs.region, stackFileConfig(stack)["aws:region"]);
                }
            });

            it("scale-to-zero groups: node-template tags match exactly the group's labels and taints", () => {
                const zero = groups().filter(([, g]) => g.role === "jobs" && g.minSize === 0);
                assert.ok(zero.length > 0, "each shipped stack has a group that scales to zero");
                for (const [name] of zero) {
                    const ng = nodeGroup(name);
                    const expected: Record<string, string> = {};
                    for (const [k, v] of Object.entries(ng.labels as Record<string, string>))
                        expected[`${NODE_TEMPLATE_PREFIX}/label/${k}`] = v;
                    const effects: Record<string, string> = {
                        NO_SCHEDULE: "NoSchedule",
                        PREFER_NO_SCHEDULE: "PreferNoSchedule",
                        NO_EXECUTE: "NoExecute",
                    };
                    for (const t of ng.taints)
                        expected[`${NODE_TEMPLATE_PREFIX}/taint/${t.key}`] = `${t.value}:${effects[t.effect]}`;
                    const templates = Object.fromEntries(
                        Object.entries(asgTags(runs[stack], name)).filter(([k]) => k.startsWith(NODE_TEMPLATE_PREFIX)),
                    );
                    assert.deepEqual(templates, expected, name);
                }
            });

            it("every launch template: IMDSv2 only with hop limit 1, encrypted gp3 of the configured size", () => {
                for (const [name, cfg] of groups()) {
                    const lt = childrenOf(runs[stack], name, "aws:ec2/launchTemplate:LaunchTemplate")[0].inputs;
                    assert.equal(lt.metadataOptions.httpTokens, "required", name);
                    assert.equal(lt.metadataOptions.httpPutResponseHopLimit, 1, name);
                    const [disk] = lt.blockDeviceMappings;
                    assert.equal(disk.ebs.volumeType, "gp3");
                    assert.equal(disk.ebs.encrypted, "true");
                    assert.equal(disk.ebs.volumeSize, cfg.diskSizeGiB ?? (cfg.role === "management" ? 50 : 100));
                    assert.ok(cfg.role === "management" || disk.ebs.volumeSize >= 100, "job nodes hold the image cache");
                    assert.ok(
                        lt.tagSpecifications.some(
                            (s: any) => s.resourceType === "instance" && s.tags.Name === `${clusterName()}-${name}`,
                        ),
                    );
                }
            });

            it("Spot groups have at least two instance types of equal vCPU and memory, of one architecture", () => {
                for (const [name] of groups()) {
                    const ng = nodeGroup(name);
                    const facts = ng.instanceTypes.map((t: string) => instanceFacts(t)!);
                    assert.equal(new Set(facts.map((f: any) => f.arch)).size, 1, name);
                    if (ng.capacityType !== "SPOT") continue;
                    assert.ok(ng.instanceTypes.length >= 2, name);
                    assert.equal(new Set(facts.map((f: any) => `${f.vcpu}/${f.memoryMiB}`)).size, 1, name);
                }
            });

            it("AMI release comes from the public SSM parameter for the cluster version and AMI type", () => {
                const version = (stackFileConfig(stack)[`${PROJECT}:cluster`] as any).version;
                const lookups = runs[stack].calls
                    .filter((c) => c.token === "aws:ssm/getParameter:getParameter")
                    .map((c) => c.inputs.name);
                for (const [name] of groups()) {
                    const ng = nodeGroup(name);
                    assert.equal(ng.releaseVersion, "1.34.2-20251112", name);
                    const arch = ng.amiType === "AL2023_ARM_64_STANDARD" ? "arm64" : "x86_64";
                    assert.ok(
                        lookups.includes(
                            `/aws/service/eks/optimized-ami/${version}/amazon-linux-2023/${arch}/standard/recommended/release_version`,
                        ),
                        name,
                    );
                }
            });

            it("sizes: the configured ones at creation, then min/max owned by NodeGroupScaling (EKS accepts every edit)", () => {
                for (const [name, cfg] of groups()) {
                    const ng = childrenOf(runs[stack], name, NODEGROUP)[0];
                    assert.deepEqual(ng.opts?.ignoreChanges, ["scalingConfig"], name);
                    assert.equal(ng.inputs.updateConfig.maxUnavailable, cfg.maxUnavailable ?? 1);
                    assert.equal(ng.inputs.scalingConfig.desiredSize, cfg.desiredSize ?? cfg.minSize);
                    const [scaling] = childrenOf(runs[stack], name, SCALING);
                    assert.equal(scaling.name, `${name}-scaling`);
                    assert.deepEqual([scaling.inputs.minSize, scaling.inputs.maxSize], [cfg.minSize, cfg.maxSize], name);
                    assert.equal(scaling.inputs.nodeGroupName, `${name}-nodegroup-20260101`, "the physical name EKS reports");
                }
            });

            it("a node roll replaces the group blue/green and the stack's one drain hook runs before the old one goes", () => {
                for (const [name] of groups()) {
                    const ng = childrenOf(runs[stack], name, NODEGROUP)[0];
                    assert.deepEqual(ng.opts?.replaceOnChanges, ["releaseVersion", "version", "launchTemplate.version"], name);
                    assert.equal(ng.opts?.deleteBeforeReplace, false);
                    assert.equal(ng.inputs.nodeGroupName, undefined, "auto-named, so the new group can exist beside the old");
                    const hooks = (ng.opts?.hooks?.beforeDelete ?? []) as { name: string }[];
                    assert.deepEqual(
                        hooks.map((h) => h.name),
                        ["eks-gitlab-runners-drain-node-group"],
                    );
                    assert.deepEqual(ng.opts?.customTimeouts, { create: "60m", update: "60m", delete: "60m" });
                    assert.match(ng.inputs.tags["eks-gitlab-runners/drain-bound-seconds"], /^\d+$/);
                }
            });

            it("nodes share one role with only the worker, CNI and ECR read-only policies", () => {
                const attachments = runs[stack]
                    .ofType("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
                    .filter((a) => a.parent === "nodes");
                assert.deepEqual(attachments.map((a) => a.inputs.policyArn.split("/").pop()).sort(), [...NODE_POLICIES].sort());
                const trust = JSON.parse(runs[stack].one("aws:iam/role:Role", "nodes-role").inputs.assumeRolePolicy);
                assert.deepEqual(trust.Statement[0].Principal, { Service: "ec2.amazonaws.com" });
                for (const [name] of groups())
                    assert.equal(nodeGroup(name).nodeRoleArn, "arn:aws:iam::123456789012:role/nodes-role");
            });
        });
    }

    it("prod job groups launch in the pod subnets; the management group does not", () => {
        const podSubnetIds = runs.prod.ofType("aws:ec2/subnet:Subnet").map((s) => `${s.name}-id`);
        for (const [name, cfg] of Object.entries(groupsOf("prod"))) {
            const ng = childrenOf(runs.prod, name, NODEGROUP)[0].inputs;
            if (cfg.role === "jobs") assert.deepEqual(ng.subnetIds, podSubnetIds, name);
            else
                assert.ok(
                    ng.subnetIds.every((s: string) => !podSubnetIds.includes(s)),
                    name,
                );
        }
    });

    it("prod's arm64 Spot group runs Graviton on the AL2023 ARM AMI and scales to zero", () => {
        const ng = childrenOf(runs.prod, "arm64-spot", NODEGROUP)[0].inputs;
        assert.equal(ng.amiType, "AL2023_ARM_64_STANDARD");
        assert.equal(ng.capacityType, "SPOT");
        assert.equal(ng.scalingConfig.minSize, 0);
        assert.equal(
            runs.prod.one("eks-gitlab-runners:index:ScaleToZeroNodeGroup", "arm64-spot").type,
            "eks-gitlab-runners:index:ScaleToZeroNodeGroup",
        );
    });
});
