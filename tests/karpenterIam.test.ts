import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { parse as parseYaml } from "yaml";
import {
    interruptionQueuePolicy,
    KARPENTER_NODE_POLICIES,
    karpenterArns,
    karpenterControllerPolicy,
} from "../config/addons/karpenterIam";
import { INTERRUPTION_QUEUE, INTERRUPTION_RULES, INTERRUPTION_TARGET_ID } from "../config/addons/karpenterInterruption";
import { karpenterNames } from "../model/karpenter";
import { ACCOUNT } from "./support/mocks";
import { ROOT, Run, runStackFile, stackConfigOf } from "./support/harness";

// Karpenter's AWS side against the getting-started CloudFormation template of the pinned release, kept as
// tests/fixtures/upstream/karpenter-cloudformation.v1.14.1.yaml (source on its first line): every statement's actions,
// resources and conditions, the queue and its policy, the EventBridge rules, the node role's policies.
const TEMPLATE = parseYaml(
    fs.readFileSync(path.join(ROOT, "tests/fixtures/upstream/karpenter-cloudformation.v1.14.1.yaml"), "utf8"),
    { logLevel: "silent" }, // `!Sub` / `!GetAtt` are CloudFormation tags: read as their plain strings
).Resources as Record<string, { Type: string; Properties: Record<string, any> }>;

const SCOPE = { partition: "aws", region: "eu-west-1", accountId: ACCOUNT };
const CLUSTER = "ci-runners-karpenter";
const ARNS = karpenterArns(CLUSTER, SCOPE);

/** The template's `!Sub` with this stack's names: partition, region, account, cluster, node role and queue. */
function substitute(text: string): string {
    const values: Record<string, string> = {
        "AWS::Partition": SCOPE.partition,
        "AWS::Region": SCOPE.region,
        "AWS::AccountId": SCOPE.accountId,
        ClusterName: CLUSTER,
        "KarpenterNodeRole.Arn": ARNS.nodeRole,
        "KarpenterInterruptionQueue.Arn": ARNS.queue,
    };
    return text.replace(/\$\{([^}]+)\}/g, (m, key: string) => values[key] ?? assert.fail(`unknown substitution ${m}`));
}

/** A statement with every list sorted and scalars as strings (IAM reads `false` and "false" alike). */
function normal(statement: object): unknown {
    const walk = (v: unknown): unknown =>
        Array.isArray(v)
            ? v.map(walk).sort()
            : v !== null && typeof v === "object"
              ? Object.fromEntries(
                    Object.entries(v)
                        .sort(([a], [b]) => a.localeCompare(b))
                        .map(([k, x]) => [k, walk(x)]),
                )
              : typeof v === "boolean" || typeof v === "number"
                ? String(v)
                : v;
    const s: Record<string, unknown> = { ...statement };
    // A single action or resource is the same grant as a list of one.
    for (const k of ["Action", "Resource"]) if (typeof s[k] === "string") s[k] = [s[k]];
    return walk(s);
}

const CONTROLLER_POLICIES = [
    "NodeLifecyclePolicy",
    "IAMIntegrationPolicy",
    "EKSIntegrationPolicy",
    "InterruptionPolicy",
    "ZonalShiftPolicy",
    "ResourceDiscoveryPolicy",
];

describe("Karpenter IAM and interruption handling against the upstream template (v1.14.1)", () => {
    it("the template's managed policies are exactly the six the controller policy joins", () => {
        const managed = Object.entries(TEMPLATE)
            .filter(([, r]) => r.Type === "AWS::IAM::ManagedPolicy")
            .map(([k]) => k)
            .sort();
        assert.deepEqual(managed, [...CONTROLLER_POLICIES].sort());
    });

    it("the controller policy has every upstream statement, with the same actions, resources and conditions, and no other", () => {
        const upstream = CONTROLLER_POLICIES.flatMap(
            (key) => JSON.parse(substitute(TEMPLATE[key].Properties.PolicyDocument)).Statement as Record<string, unknown>[],
        );
        const ours = karpenterControllerPolicy(CLUSTER, SCOPE).Statement;
        assert.equal(ours.length, upstream.length);
        assert.deepEqual(
            ours.map((s) => s.Sid),
            upstream.map((s) => s.Sid),
        );
        for (const [i, statement] of upstream.entries())
            assert.deepEqual(normal(ours[i]), normal(statement), String(statement.Sid));
    });

    it("names only this stack's node role, queue and cluster", () => {
        const text = JSON.stringify(karpenterControllerPolicy(CLUSTER, SCOPE));
        assert.ok(text.includes(`role/${karpenterNames(CLUSTER).nodeRole}"`));
        assert.ok(text.includes(`:sqs:eu-west-1:${ACCOUNT}:${karpenterNames(CLUSTER).queue}"`));
        assert.ok(!text.includes("${"), "no unresolved substitution");
        // The comparison above would not notice a wrong cluster everywhere: check one condition value directly.
        const passRole = karpenterControllerPolicy("other", SCOPE).Statement.find((s) => s.Sid === "AllowPassingInstanceRole")!;
        assert.equal(passRole.Resource, `arn:aws:iam::${ACCOUNT}:role/other-karpenter-node`);
    });

    it("fits IAM's 10,240-character limit for a role's inline policies", () => {
        // The whole document as it is sent (JSON.stringify has no whitespace); IAM quota "Role policy size".
        const size = JSON.stringify(karpenterControllerPolicy("c".repeat(49), { ...SCOPE, partition: "aws-us-gov" })).length;
        assert.ok(size < 10_240, `${size} characters`);
    });

    it("the queue, its policy and the rules are the template's", () => {
        const queue = TEMPLATE.KarpenterInterruptionQueue.Properties;
        assert.equal(INTERRUPTION_QUEUE.messageRetentionSeconds, queue.MessageRetentionPeriod);
        assert.equal(INTERRUPTION_QUEUE.sqsManagedSseEnabled, queue.SqsManagedSseEnabled);
        const upstreamPolicy = TEMPLATE.KarpenterInterruptionQueuePolicy.Properties.PolicyDocument.Statement.map(
            (s: Record<string, unknown>) => ({ ...s, Resource: ARNS.queue }), // !GetAtt KarpenterInterruptionQueue.Arn
        );
        assert.deepEqual(
            interruptionQueuePolicy(ARNS.queue).Statement.map((x) => normal(x)),
            upstreamPolicy.map(normal),
        );

        const rules = Object.values(TEMPLATE).filter((r) => r.Type === "AWS::Events::Rule");
        assert.deepEqual(
            INTERRUPTION_RULES.map((r) => [r.source, r.detailType]).sort(),
            rules.map((r) => [r.Properties.EventPattern.source[0], r.Properties.EventPattern["detail-type"][0]]).sort(),
        );
        for (const r of rules) {
            assert.equal(r.Properties.EventPattern.source.length, 1);
            assert.deepEqual(
                r.Properties.Targets.map((t: { Id: string }) => t.Id),
                [INTERRUPTION_TARGET_ID],
            );
        }
    });

    it("the node role's managed policies are the template's", () => {
        const arns: string[] = TEMPLATE.KarpenterNodeRole.Properties.ManagedPolicyArns;
        assert.deepEqual([...KARPENTER_NODE_POLICIES].sort(), arns.map((a) => a.split("/").pop()!).sort());
    });

    describe("as deployed by the example stack", () => {
        let run: Run;
        before(async () => {
            run = await runStackFile("karpenter");
        });
        const cluster = () => stackConfigOf("karpenter").cluster.name;

        it("gives the controller exactly that policy, through Pod Identity for kube-system/karpenter", () => {
            const policy = run.one("aws:iam/rolePolicy:RolePolicy", "addons-karpenter-policy");
            assert.deepEqual(
                JSON.parse(policy.inputs.policy),
                karpenterControllerPolicy(cluster(), { partition: "aws", region: "eu-west-1", accountId: ACCOUNT }),
            );
            const association = run.one("aws:eks/podIdentityAssociation:PodIdentityAssociation", "addons-karpenter-pod-identity");
            assert.equal(association.inputs.namespace, "kube-system");
            assert.equal(association.inputs.serviceAccount, "karpenter");
            const role = run.one("aws:iam/role:Role", "addons-karpenter-role");
            assert.equal(JSON.parse(role.inputs.assumeRolePolicy).Statement[0].Principal.Service, "pods.eks.amazonaws.com");
        });

        it("every EventBridge rule targets the interruption queue, which the controller's policy and chart name", () => {
            const queue = run.one("aws:sqs/queue:Queue");
            assert.equal(queue.inputs.name, karpenterNames(cluster()).queue);
            assert.equal(queue.inputs.messageRetentionSeconds, 300);
            assert.equal(queue.inputs.sqsManagedSseEnabled, true);
            const queueArn = `arn:aws:sqs:eu-west-1:${ACCOUNT}:${queue.inputs.name}`;
            const targets = run.ofType("aws:cloudwatch/eventTarget:EventTarget");
            // Karpenter's rules; the stack's observability adds a target-less rule that only counts Spot warnings.
            const rules = run
                .ofType("aws:cloudwatch/eventRule:EventRule")
                .filter((r) => r.urn?.includes("index:KarpenterInterruption$"));
            assert.equal(run.ofType("aws:cloudwatch/eventRule:EventRule").length, rules.length + 1);
            assert.equal(rules.length, INTERRUPTION_RULES.length);
            assert.equal(targets.length, rules.length);
            for (const rule of rules) {
                const target = targets.find((t) => t.inputs.rule === rule.name + "-a1b2c3d");
                assert.ok(target, `a target for ${rule.name}`);
                assert.equal(target.inputs.arn, queueArn);
                assert.equal(target.inputs.targetId, INTERRUPTION_TARGET_ID);
            }
            const queuePolicy = JSON.parse(run.one("aws:sqs/queuePolicy:QueuePolicy").inputs.policy);
            assert.deepEqual(queuePolicy, interruptionQueuePolicy(queueArn));
            const release = run.one("kubernetes:helm.sh/v3:Release", "addons-karpenter-release");
            assert.equal(release.inputs.values.settings.interruptionQueue, queue.inputs.name);
        });

        it("the node role is the one the controller may pass, with the template's policies and an EC2_LINUX access entry", () => {
            const role = run.one("aws:iam/role:Role", "karpenter-nodes-role");
            assert.equal(role.inputs.name, karpenterNames(cluster()).nodeRole);
            assert.deepEqual(JSON.parse(role.inputs.assumeRolePolicy).Statement, [
                { Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: ["sts:AssumeRole"] },
            ]);
            const attached = run
                .ofType("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
                .filter((a) => a.parent === "karpenter-nodes")
                .map((a) => a.inputs.policyArn);
            assert.deepEqual(attached.sort(), KARPENTER_NODE_POLICIES.map((p) => `arn:aws:iam::aws:policy/${p}`).sort());
            const entry = run.one("aws:eks/accessEntry:AccessEntry", "karpenter-nodes-access").inputs;
            assert.equal(entry.principalArn, `arn:aws:iam::${ACCOUNT}:role/${karpenterNames(cluster()).nodeRole}`);
            assert.equal(entry.type, "EC2_LINUX");
            assert.equal(entry.clusterName, cluster());
        });
    });
});
