// The policy rule catalogue, and every rule passing on both shipped stacks.
import { strict as assert } from "assert";
import { coverage, evaluate, RULES } from "../policies";
import { shippedPolicyStacks } from "./support/policyRules";

/** Rules that must inspect something in every shipped stack (they guard resources that exist today). */
const MUST_APPLY = [
    "imdsv2-hop-limit-1",
    "iam-no-wildcard-writes",
    "management-nodegroup-isolated",
    "job-nodegroup-azrebalance-suspended",
    "prod-cluster-protected",
    "runner-token-not-plaintext",
    "job-namespace-default-deny",
    "job-sa-token-not-mounted",
];

describe("policy rules", () => {
    const { stacks, ctx } = shippedPolicyStacks();

    describe("catalogue", () => {
        it("every rule has a unique kebab-case id, a description, the lesson behind it and a remediation", () => {
            assert.equal(new Set(RULES.map((r) => r.id)).size, RULES.length);
            for (const rule of RULES) {
                assert.match(rule.id, /^[a-z0-9]+(-[a-z0-9]+)*$/, rule.id);
                assert.ok(rule.description.length > 20, rule.id);
                assert.match(rule.why, /seed|DESIGN/i, `${rule.id}: why names the seed lesson or design note`);
                assert.ok(rule.remediation.length > 20, rule.id);
                assert.ok(rule.checkResource || rule.checkStack, rule.id);
            }
        });

        it("covers every check the delivery issue asks for", () => {
            assert.deepEqual(
                RULES.map((r) => r.id),
                [
                    "imdsv2-hop-limit-1",
                    "iam-no-wildcard-writes",
                    "s3-bucket-private-encrypted",
                    "runner-privileged-opt-in",
                    "runner-token-not-plaintext",
                    "management-nodegroup-isolated",
                    "job-nodegroup-azrebalance-suspended",
                    "prod-cluster-protected",
                    "runner-rbac-namespace-scoped",
                    "karpenter-controller-iam-scoped",
                    "karpenter-spot-pool-diversified",
                    "karpenter-jobs-not-disrupted",
                    "job-role-no-full-wildcard",
                    "job-namespace-default-deny",
                    "job-sa-token-not-mounted",
                    "fargate-profile-jobs-only",
                    "fargate-jobs-without-nodes",
                ],
            );
        });
    });

    for (const stack of ["test", "prod"]) {
        describe(`shipped stack ${stack}`, () => {
            it("the stack name comes from the recorded URNs", () => {
                assert.equal(ctx(stack).stack, stack);
                assert.equal(ctx(stack).secretsVisible, true);
            });

            for (const rule of RULES) {
                it(`${rule.id}: no violation`, () => {
                    assert.deepEqual(evaluate(stacks[stack], ctx(stack), [rule]), []);
                    if (MUST_APPLY.includes(rule.id))
                        assert.ok(coverage(rule, stacks[stack]) > 0, `${rule.id} inspects something in ${stack}`);
                });
            }
        });
    }
});
