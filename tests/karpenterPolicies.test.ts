import { strict as assert } from "assert";
import { contextFor, coverage, evaluate, PolicyResource, RULES, TYPES, Violation } from "../policies";
import { karpenterStatementProblems } from "../policies/karpenter";
import { karpenterControllerPolicy } from "../config/addons/karpenterIam";
import { runStackFile } from "./support/harness";
import { policyResources } from "./support/policyResources";

// The policy rules over the Karpenter example, and each Karpenter rule made to fire on a loosened copy of what the
// program really registers.
const rule = (id: string) => RULES.find((r) => r.id === id) ?? assert.fail(`no rule ${id}`);

/** The recorded resources with one of them changed by `change` (on a deep copy). */
function mutate(resources: readonly PolicyResource[], pick: (r: PolicyResource) => boolean, change: (inputs: any) => void) {
    const i = resources.findIndex(pick);
    assert.ok(i >= 0, "the resource to loosen exists");
    const inputs = structuredClone(resources[i].inputs);
    change(inputs);
    return [...resources.slice(0, i), { ...resources[i], inputs }, ...resources.slice(i + 1)];
}

describe("policy rules over the Karpenter example", () => {
    let resources: PolicyResource[];
    before(async () => {
        resources = policyResources(await runStackFile("karpenter"), "eu-west-1");
    });
    const run = (id: string, rs: readonly PolicyResource[]): Violation[] => evaluate(rs, contextFor(rs), [rule(id)]);

    it("no rule fires, and the Karpenter rules and the IMDS rule inspect its resources", () => {
        assert.deepEqual(evaluate(resources, contextFor(resources)), []);
        for (const id of [
            "karpenter-controller-iam-scoped",
            "karpenter-spot-pool-diversified",
            "karpenter-jobs-not-disrupted",
            "imdsv2-hop-limit-1",
        ])
            assert.ok(coverage(rule(id), resources) > 0, id);
    });

    it("imdsv2-hop-limit-1 fires on a node class with hop limit 2", () => {
        const bad = mutate(
            resources,
            (r) => r.type === TYPES.ec2NodeClass,
            (i) => (i.spec.metadataOptions.httpPutResponseHopLimit = 2),
        );
        assert.match(
            run("imdsv2-hop-limit-1", bad)[0].message,
            /^EC2NodeClass karpenter-pools-amd64-nodeclass has metadataOptions\.httpPutResponseHopLimit 2/,
        );
    });

    describe("karpenter-controller-iam-scoped", () => {
        const policyOf = (r: PolicyResource) => r.type === TYPES.iamRolePolicy && r.name === "addons-karpenter-policy";
        const loosen = (sid: string, change: (s: any) => void) =>
            mutate(resources, policyOf, (inputs) => {
                const doc = JSON.parse(inputs.policy);
                change(doc.Statement.find((s: { Sid: string }) => s.Sid === sid));
                inputs.policy = JSON.stringify(doc);
            });

        it("fires when launches, deletions or instance-profile writes lose their cluster condition", () => {
            const v = run(
                "karpenter-controller-iam-scoped",
                loosen("AllowScopedDeletion", (s) => delete s.Condition),
            );
            assert.match(
                v[0].message,
                /"AllowScopedDeletion" allows ec2:TerminateInstances, ec2:DeleteLaunchTemplate without a kubernetes\.io\/cluster/,
            );
            const profiles = run(
                "karpenter-controller-iam-scoped",
                loosen("AllowScopedInstanceProfileActions", (s) => delete s.Condition),
            );
            assert.match(profiles[0].message, /iam:AddRoleToInstanceProfile.* without a kubernetes\.io\/cluster/);
        });

        it("fires on PassRole to any role and on reading every queue", () => {
            assert.match(
                run(
                    "karpenter-controller-iam-scoped",
                    loosen("AllowPassingInstanceRole", (s) => (s.Resource = "*")),
                )[0].message,
                /iam:PassRole on "\*"/,
            );
            assert.match(
                run(
                    "karpenter-controller-iam-scoped",
                    loosen("AllowInterruptionQueueActions", (s) => (s.Resource = "*")),
                )[0].message,
                /sqs:DeleteMessage, sqs:ReceiveMessage on every queue/,
            );
        });

        it("lets the launch-input statement through without a condition, and nothing more", () => {
            const doc = karpenterControllerPolicy("c", { partition: "aws", region: "eu-west-1", accountId: "123456789012" });
            assert.deepEqual(karpenterStatementProblems(doc as unknown as Record<string, unknown>, "p"), []);
            const widened = structuredClone(doc) as any;
            widened.Statement[0].Resource.push("arn:aws:ec2:eu-west-1:*:instance/*");
            assert.match(karpenterStatementProblems(widened, "p")[0], /AllowScopedEC2InstanceAccessActions/);
        });
    });

    it("karpenter-spot-pool-diversified fires on a Spot-only pool of two families and one size", () => {
        const bad = mutate(
            resources,
            (r) => r.type === TYPES.nodePool && (r.inputs as any).metadata.name === "arm64-spot",
            (i) =>
                (i.spec.template.spec.requirements.find(
                    (q: { key: string }) => q.key === "karpenter.k8s.aws/instance-family",
                ).values = ["m7g", "m6g"]),
        );
        assert.deepEqual(
            run("karpenter-spot-pool-diversified", bad).map((v) => v.message),
            [
                "NodePool karpenter-pools-arm64-spot-nodepool launches only Spot from 2 families (m7g, m6g) and 1 size (2xlarge); a shortage of those leaves jobs Pending",
            ],
        );
    });

    describe("karpenter-jobs-not-disrupted", () => {
        it("fires on underutilized consolidation and on a pool without a grace period", () => {
            const bad = mutate(
                resources,
                (r) => r.type === TYPES.nodePool && (r.inputs as any).metadata.name === "amd64",
                (i) => {
                    i.spec.disruption.consolidationPolicy = "WhenEmptyOrUnderutilized";
                    delete i.spec.template.spec.terminationGracePeriod;
                },
            );
            const messages = run("karpenter-jobs-not-disrupted", bad).map((v) => v.message);
            assert.equal(messages.length, 2);
            assert.match(messages[0], /consolidates with "WhenEmptyOrUnderutilized"/);
            assert.match(messages[1], /has no terminationGracePeriod/);
        });

        it("fires on a runner whose job pods on a pool lack the do-not-disrupt annotation", () => {
            const bad = mutate(
                resources,
                (r) => r.type === TYPES.helmRelease && r.name === "gitlab-arm64-release",
                (i) =>
                    (i.values.runners.config = i.values.runners.config.replace(
                        '"karpenter.sh/do-not-disrupt" = "true"',
                        '"other" = "x"',
                    )),
            );
            assert.match(
                run("karpenter-jobs-not-disrupted", bad)[0].message,
                /gitlab-arm64-release runs jobs on NodePool arm64-spot without the pod annotation karpenter\.sh\/do-not-disrupt/,
            );
        });

        it("fires when a Cluster Autoscaler release sits beside the NodePools", () => {
            const ca: PolicyResource = {
                type: TYPES.helmRelease,
                name: "ca",
                inputs: { chart: "cluster-autoscaler", values: {} },
            };
            assert.match(run("karpenter-jobs-not-disrupted", [...resources, ca])[0].message, /runs beside Karpenter's NodePools/);
        });
    });
});
