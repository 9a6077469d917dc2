import { strict as assert } from "assert";
import { CORE_ADDONS } from "../components/cluster/runnerCluster";
import { PROJECT } from "../config";
import { ProgramError, Run, runProgram, stackFileConfig, runShippedStacks, SHIPPED_STACKS } from "./support/harness";

describe("cluster component", () => {
    const runs: Record<string, Run> = {};
    before(() => runShippedStacks(runs));

    for (const stack of SHIPPED_STACKS) {
        describe(`stack ${stack}`, () => {
            const file = () => stackFileConfig(stack)[`${PROJECT}:cluster`] as any;
            const cluster = () => runs[stack].one("eks:index:Cluster").inputs;

            it("builds one EKS cluster with API auth, STANDARD support, no default node group and the pinned version", () => {
                const c = cluster();
                assert.equal(c.name, file().name);
                assert.equal(c.version, file().version);
                assert.equal(c.authenticationMode, "API");
                assert.deepEqual(c.upgradePolicy, { supportType: "STANDARD" });
                assert.equal(c.skipDefaultNodeGroup, true);
                assert.equal(c.createOidcProvider, true);
                assert.deepEqual(c.enabledClusterLogTypes, file().logTypes ?? ["api", "audit", "authenticator"]);
            });

            it("grants admin and view policies through one access entry per role", () => {
                const entries = Object.values(cluster().accessEntries) as any[];
                const byPolicy = (suffix: string) =>
                    entries
                        .filter((e) => Object.values(e.accessPolicies).some((p: any) => p.policyArn.endsWith(suffix)))
                        .map((e) => e.principalArn);
                // The CI deploy role is admin through its own entry (not the creator's, which EKS gives whoever runs
                // the first `pulumi up`): without it every deploy after a person's bootstrap fails on Kubernetes.
                assert.ok(file().deployRoleArn, "the shipped stacks name their CI deploy role");
                assert.deepEqual(
                    byPolicy("/AmazonEKSClusterAdminPolicy").sort(),
                    [file().deployRoleArn, ...file().adminRoleArns].sort(),
                );
                assert.deepEqual(byPolicy("/AmazonEKSViewPolicy"), file().viewerRoleArns);
                const [, , , , account] = file().deployRoleArn.split(":");
                assert.equal(cluster().accessEntries[`deploy-${account}-gitlab-ci-deploy`].principalArn, file().deployRoleArn);
                for (const e of entries) {
                    assert.equal(e.type, "STANDARD");
                    for (const p of Object.values(e.accessPolicies) as any[])
                        assert.deepEqual(p.accessScope, { type: "cluster" });
                }
            });

            it("runs in the existing VPC and private subnets", () => {
                const network = stackFileConfig(stack)[`${PROJECT}:network`] as any;
                assert.equal(cluster().vpcId, network.vpcId);
                assert.deepEqual(cluster().subnetIds, network.subnetIds);
                assert.equal(runs[stack].ofType("aws:ec2/vpc:Vpc").length, 0, "the VPC is reused, never created");
            });

            it("protects the control plane exactly when the stack says so", () => {
                const eks = runs[stack].one("eks:index:Cluster");
                assert.equal(eks.inputs.deletionProtection, file().protect);
                assert.equal(eks.opts?.protect, file().protect);
                for (const s of runs[stack].ofType("aws:ec2/subnet:Subnet")) assert.equal(s.opts?.protect, file().protect);
            });

            it("installs the core add-ons at versions resolved for the cluster version", () => {
                const c = cluster();
                assert.equal(c.vpcCniOptions.addonVersion, "v1.0.0-eksbuild.1");
                assert.equal(c.corednsAddonOptions.enabled, false, "CoreDNS comes later, once nodes exist");
                assert.equal(c.kubeProxyAddonOptions.version, "v1.0.0-eksbuild.1");
                const agent = runs[stack].one("aws:eks/addon:Addon", "runners-pod-identity-agent").inputs;
                assert.equal(agent.addonName, "eks-pod-identity-agent");
                const lookups = runs[stack].calls.filter(
                    (x) =>
                        x.token === "aws:eks/getAddonVersion:getAddonVersion" &&
                        (CORE_ADDONS as readonly string[]).includes(x.inputs.addonName),
                );
                assert.deepEqual(lookups.map((x) => x.inputs.addonName).sort(), [...CORE_ADDONS].sort());
                for (const l of lookups) assert.equal(l.inputs.kubernetesVersion, file().version);
            });

            it("installs CoreDNS after the management nodes, pinned to them and tolerating their taint", () => {
                const coredns = runs[stack].ofType("aws:eks/addon:Addon").filter((a) => a.inputs.addonName === "coredns");
                assert.equal(coredns.length, 1);
                const addon = coredns[0];
                assert.equal(addon.parent, "coredns");
                assert.equal(addon.inputs.addonVersion, "v1.0.0-eksbuild.1");
                assert.equal(addon.inputs.resolveConflictsOnCreate, "OVERWRITE", "replaces EKS's bootstrap CoreDNS");
                const values = JSON.parse(addon.inputs.configurationValues);
                assert.equal(values.nodeSelector["eks-gitlab-runners/role"], "management");
                assert.ok(
                    values.tolerations.some(
                        (t: any) => t.key === "eks-gitlab-runners/role" && t.value === "management" && t.effect === "NoSchedule",
                    ),
                );
                assert.ok(
                    values.tolerations.some((t: any) => t.key === "CriticalAddonsOnly" && t.operator === "Exists"),
                    "keeps the add-on's default toleration",
                );
                const component = runs[stack].one("eks-gitlab-runners:index:CoreDns");
                const waitsFor = ((component.opts?.dependsOn as { __name?: string }[] | undefined) ?? []).map((d) => d.__name);
                assert.deepEqual(waitsFor, ["management"], "created once the management node group exists");
            });

            it("exports the cluster name and a secret kubeconfig", async () => {
                assert.equal(runs[stack].outputs.clusterName, file().name);
                assert.equal(typeof runs[stack].outputs.kubeconfig, "string");
            });
        });
    }

    it("test stack has no pod subnets; prod adds the secondary block, one subnet per AZ and its route table", () => {
        assert.equal(runs.test.ofType("aws:ec2/subnet:Subnet").length, 0);
        const pod = (stackFileConfig("prod")[`${PROJECT}:network`] as any).podSubnets;
        const assoc = runs.prod.one("aws:ec2/vpcIpv4CidrBlockAssociation:VpcIpv4CidrBlockAssociation").inputs;
        assert.equal(assoc.cidrBlock, pod.cidrBlock);
        const subnets = runs.prod.ofType("aws:ec2/subnet:Subnet");
        assert.deepEqual(
            subnets.map((s) => [s.inputs.availabilityZone, s.inputs.cidrBlock]),
            pod.subnets.map((s: any) => [s.availabilityZone, s.cidrBlock]),
        );
        for (const s of subnets) assert.equal(s.inputs.mapPublicIpOnLaunch, false);
        const routes = runs.prod.ofType("aws:ec2/routeTableAssociation:RouteTableAssociation");
        assert.deepEqual(
            routes.map((r) => r.inputs.routeTableId),
            pod.subnets.map((s: any) => s.routeTableId),
        );
        assert.deepEqual(
            routes.map((r) => r.inputs.subnetId),
            subnets.map((s) => `${s.name}-id`),
        );
    });

    it("registers no resource at all when the config is invalid", async () => {
        const config = stackFileConfig("test");
        const broken = { ...config, [`${PROJECT}:cluster`]: { ...(config[`${PROJECT}:cluster`] as object), version: "1.2" } };
        const error = await runProgram({ stack: "test", config: broken }).then(
            () => undefined,
            (e) => e,
        );
        assert.ok(error instanceof ProgramError, `expected the program to throw, got ${error}`);
        assert.match(error.message, /cluster\.version: "1\.2" is not a supported EKS version/);
        assert.deepEqual(error.resources, []);
    });
});
