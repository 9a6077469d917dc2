// Which changes of the program's own resources the offline diff calls replacements: every type the stacks register
// is known, and a handful of changes a reviewer relies on come out as the providers decide them. The AWS rules are
// hashicorp/terraform-provider-aws's schemas (ForceNew / RequiresReplace), each cited with the file and commit it was
// read from in plan/awsImmutableInputs.ts; the ConfigMap rule is pulumi/pulumi-kubernetes
// provider/pkg/provider/diff.go forceNewProperties (commit cafe8c4).
import { strict as assert } from "assert";
import type { Recorded } from "../plan/engine";
import { diffResources } from "../plan/resourceDiff";
import {
    configMapImmutableInputs,
    IMMUTABLE_INPUTS,
    immutableHits,
    knowsReplacement,
    PROGRAM_K8S_PROVIDER,
    replacementReasons,
} from "../plan/replacement";
import { evaluationOf, EXAMPLE_STACKS, runStackFile, SHIPPED_STACKS } from "./support/harness";

/** The changed paths that replace a resource of `type` (the reasons' leading paths). */
const replacing = (type: string, changed: string[], olds: object = {}, news: object = {}) =>
    replacementReasons(type, changed, [], olds as Record<string, unknown>, news as Record<string, unknown>).map(
        (r) => r.split(" ")[0],
    );

describe("replacement rules: coverage of the program's resource types", () => {
    const registered = new Map<string, Set<string>>();
    before(async function () {
        this.timeout(60_000);
        // The cached evaluations: the plan suites' shipped stacks, the example stacks' harness runs.
        const runs: [string, readonly Recorded[]][] = [];
        for (const stack of SHIPPED_STACKS) runs.push([stack, (await evaluationOf(stack)).resources]);
        for (const stack of EXAMPLE_STACKS) runs.push([stack, (await runStackFile(stack)).resources]);
        for (const [stack, resources] of runs)
            for (const r of resources) if (r.custom) registered.set(r.type, (registered.get(r.type) ?? new Set()).add(stack));
    });

    it("knows every custom resource type the shipped and example stacks register (no diff shows update*)", () => {
        assert.ok(registered.size > 40, `only ${registered.size} types recorded`);
        const unknown = [...registered].filter(([type]) => !knowsReplacement(type)).map(([t, s]) => `${t} (${[...s]})`);
        assert.deepEqual(unknown, []);
    });

    it("every entry names its upstream source and at least one replacing input", () => {
        for (const [type, entry] of Object.entries(IMMUTABLE_INPUTS)) {
            assert.ok(entry.paths.length > 0, type);
            assert.match(
                entry.source,
                /^(hashicorp\/terraform-provider-aws|pulumi\/pulumi-kubernetes) \S+.*commit [0-9a-f]{7}/,
                type,
            );
        }
    });

    it("the program's Kubernetes provider leaves ConfigMaps and Secrets immutable, as the table assumes", async () => {
        for (const stack of SHIPPED_STACKS) {
            const providers = (await evaluationOf(stack)).resources.filter((r) => r.type === "pulumi:providers:kubernetes");
            assert.ok(providers.length > 0, stack);
            for (const p of providers)
                for (const key of Object.keys(PROGRAM_K8S_PROVIDER) as (keyof typeof PROGRAM_K8S_PROVIDER)[])
                    assert.equal(String(p.inputs[key] ?? false), String(PROGRAM_K8S_PROVIDER[key]), `${stack} ${p.name} ${key}`);
        }
    });
});

describe("replacement rules: changes a reviewer relies on", () => {
    it("a subnet's CIDR, zone or VPC replaces it; its public-IP switch and tags update in place", () => {
        // internal/service/ec2/vpc_subnet.go (commit 00cda12): cidr_block, availability_zone, vpc_id ForceNew.
        const SUBNET = "aws:ec2/subnet:Subnet";
        assert.deepEqual(replacing(SUBNET, ["cidrBlock"]), ["cidrBlock"]);
        assert.deepEqual(replacing(SUBNET, ["availabilityZone", "vpcId"]), ["availabilityZone", "vpcId"]);
        assert.deepEqual(replacing(SUBNET, ["mapPublicIpOnLaunch", "tags.Name"]), []);
        // ForceNewIf("ipv6_cidr_block"): only for a subnet that assigned IPv6 addresses on creation.
        assert.deepEqual(replacing(SUBNET, ["ipv6CidrBlock"], { assignIpv6AddressOnCreation: true }), ["ipv6CidrBlock"]);
        assert.deepEqual(replacing(SUBNET, ["ipv6CidrBlock"], { assignIpv6AddressOnCreation: false }), []);
    });

    it("a launch template's image, user data or metadata options make a new version; only its name replaces it", () => {
        // internal/service/ec2/ec2_launch_template.go (commit 025e4f8): name, name_prefix ForceNew.
        const LT = "aws:ec2/launchTemplate:LaunchTemplate";
        assert.deepEqual(replacing(LT, ["imageId", "userData", "metadataOptions.httpPutResponseHopLimit"]), []);
        assert.deepEqual(replacing(LT, ["name"]), ["name"]);
    });

    it("a security group's description replaces it; an ingress rule's peer type replaces the rule, its CIDR does not", () => {
        // internal/service/ec2/vpc_security_group.go (commit 0160692): description ForceNew.
        assert.deepEqual(replacing("aws:ec2/securityGroup:SecurityGroup", ["description"]), ["description"]);
        assert.deepEqual(replacing("aws:ec2/securityGroup:SecurityGroup", ["tags.Name"]), []);
        // internal/service/ec2/vpc_security_group_ingress_rule.go (commit d2b7f56): security_group_id RequiresReplace;
        // ModifyPlan replaces a rule whose source type changes.
        const RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
        const cidr = { securityGroupId: "sg-1", cidrIpv4: "10.0.0.0/16", fromPort: 443 };
        assert.deepEqual(replacing(RULE, ["cidrIpv4"], cidr, { ...cidr, cidrIpv4: "10.1.0.0/16" }), []);
        assert.deepEqual(replacing(RULE, ["fromPort"], cidr, { ...cidr, fromPort: 22 }), []);
        const peer = { securityGroupId: "sg-1", referencedSecurityGroupId: "sg-2", fromPort: 443 };
        assert.deepEqual(replacing(RULE, ["cidrIpv4", "referencedSecurityGroupId"], cidr, peer), ["referencedSecurityGroupId"]);
        assert.deepEqual(replacing(RULE, ["securityGroupId"], cidr, { ...cidr, securityGroupId: "sg-3" }), ["securityGroupId"]);
    });

    it("an access entry's principal replaces it; its groups and tags update in place", () => {
        // internal/service/eks/access_entry.go (commit 01f4311): cluster_name, principal_arn, type ForceNew.
        const ENTRY = "aws:eks/accessEntry:AccessEntry";
        assert.deepEqual(replacing(ENTRY, ["principalArn"]), ["principalArn"]);
        assert.deepEqual(replacing(ENTRY, ["kubernetesGroups", "tags.team"]), []);
    });

    it("inputs the bridge renames are matched by their Pulumi names", () => {
        // internal/service/cloudwatch/metric_alarm.go (commit 055611a): alarm_name ForceNew → `name`;
        // internal/service/sns/topic_subscription.go (commit 04a2e6e): topic_arn ForceNew → `topic`.
        assert.deepEqual(replacing("aws:cloudwatch/metricAlarm:MetricAlarm", ["name"]), ["name"]);
        assert.deepEqual(replacing("aws:cloudwatch/metricAlarm:MetricAlarm", ["threshold", "alarmActions"]), []);
        assert.deepEqual(replacing("aws:sns/topicSubscription:TopicSubscription", ["topic"]), ["topic"]);
    });

    it("a ConfigMap's data replaces it under this program's provider, and updates in place with enableConfigMapMutable", () => {
        // diff.go forceNewProperties: .binaryData and .data unless enableConfigMapMutable and the object is not
        // immutable; provider.go Diff passes the new inputs.
        assert.deepEqual(replacing("kubernetes:core/v1:ConfigMap", ["data.output.conf"]), ["data.output.conf"]);
        assert.deepEqual(replacing("kubernetes:core/v1:ConfigMap", ["metadata.labels.app"]), []);
        const mutable = configMapImmutableInputs({ enableConfigMapMutable: true });
        assert.deepEqual(immutableHits(mutable, ["data.output.conf"], {}, {}), []);
        assert.deepEqual(immutableHits(mutable, ["data.output.conf"], {}, { immutable: true }), ["data.output.conf"]);
        assert.deepEqual(immutableHits(mutable, ["metadata.name"], {}, {}), ["metadata.name"]);
    });

    it("in a diff of recorded resources: a changed subnet CIDR is a replacement citing the schema, a type without rules an update*", () => {
        const subnet: Recorded = {
            type: "aws:ec2/subnet:Subnet",
            name: "pods-a",
            custom: true,
            inputs: { cidrBlock: "100.64.0.0/18", vpcId: "vpc-1", mapPublicIpOnLaunch: false },
        };
        const other: Recorded = { type: "aws:example/unknown:Thing", name: "thing", custom: true, inputs: { size: 1 } };
        const changes = diffResources(
            [subnet, other],
            [
                { ...subnet, inputs: { ...subnet.inputs, cidrBlock: "100.64.64.0/18" } },
                { ...other, inputs: { size: 2 } },
            ],
        );
        const replaced = changes.find((c) => c.name === "pods-a")!;
        assert.equal(replaced.kind, "replace");
        assert.match(
            replaced.because[0],
            /^cidrBlock \(immutable: hashicorp\/terraform-provider-aws internal\/service\/ec2\/vpc_subnet\.go/,
        );
        const unknown = changes.find((c) => c.name === "thing")!;
        assert.deepEqual([unknown.kind, unknown.unverified], ["update", true], "never a silent update");
    });
});
