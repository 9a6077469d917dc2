// Policy rule iam-no-wildcard-writes: no wildcard write actions, capacity writes scoped by resource tag.
import { strict as assert } from "assert";
import { PolicyResource, TYPES } from "../policies";
import { isWildcardWrite } from "../policies/iam";
import { ctxOf, mutate, res, run1, shippedPolicyStacks } from "./support/policyRules";

describe("policy rules", () => {
    const { stacks, ctx } = shippedPolicyStacks();

    describe("iam-no-wildcard-writes", () => {
        const policy = (statement: Record<string, unknown>, type: string = TYPES.iamRolePolicy) =>
            res(type, "bad-policy", {
                policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Resource: "*", ...statement }] }),
            });
        const check = (r: PolicyResource) => run1("iam-no-wildcard-writes", [r], ctxOf("test")).map((v) => v.message);

        it("tells wildcard writes from wildcard reads", () => {
            const table: [string, boolean][] = [
                ["*", true],
                ["s3:*", true],
                ["s3:Put*", true],
                ["iam:*Role", true],
                ["autoscaling:Set*", true],
                ["ec2:Describe*", false],
                ["s3:Get*", false],
                ["s3:List*", false],
                ["s3:GetObject", false],
                ["autoscaling:SetDesiredCapacity", false],
            ];
            for (const [action, write] of table) assert.equal(isWildcardWrite(action), write, action);
        });

        it("fires on a wildcard write action, on NotAction, in trust and inline policies", () => {
            assert.match(
                check(policy({ Sid: "Everything", Action: "*" }))[0],
                /statement "Everything" allows wildcard action "\*"/,
            );
            assert.match(
                check(policy({ Action: ["s3:GetObject", "s3:Put*"] }, TYPES.iamPolicy))[0],
                /allows wildcard action "s3:Put\*"/,
            );
            assert.match(check(policy({ NotAction: "iam:*" }))[0], /allows NotAction/);
            const role = res(TYPES.iamRole, "bad-role", {
                assumeRolePolicy: JSON.stringify({
                    Version: "2012-10-17",
                    Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:*" }],
                }),
                inlinePolicies: [
                    {
                        name: "cache",
                        policy: JSON.stringify({
                            Version: "2012-10-17",
                            Statement: { Effect: "Allow", Action: "s3:*", Resource: "*" },
                        }),
                    },
                ],
            });
            const messages = check(role);
            assert.equal(messages.length, 2);
            assert.match(messages[0], /trust policy of role bad-role .* "sts:\*"/);
            assert.match(messages[1], /inline policy cache of role bad-role .* "s3:\*"/);
        });

        it("fires on capacity writes without an aws:ResourceTag condition, and accepts them with one", () => {
            const unscoped = check(
                policy({ Action: ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"] }),
            );
            assert.equal(unscoped.length, 1);
            assert.match(
                unscoped[0],
                /SetDesiredCapacity, autoscaling:TerminateInstanceInAutoScalingGroup without an aws:ResourceTag\/… condition/,
            );
            assert.deepEqual(
                check(
                    policy({
                        Action: "autoscaling:SetDesiredCapacity",
                        Condition: { StringEquals: { "aws:ResourceTag/k8s.io/cluster-autoscaler/c": "owned" } },
                    }),
                ),
                [],
            );
            assert.deepEqual(
                check(
                    policy({
                        Action: "autoscaling:SetDesiredCapacity",
                        Condition: { StringEquals: { "aws:RequestedRegion": "eu-west-1" } },
                    }),
                ).length,
                1,
            );
        });

        it("ignores Deny statements and reports a document it cannot read", () => {
            assert.deepEqual(
                check(
                    res(TYPES.iamRolePolicy, "deny", {
                        policy: { Version: "2012-10-17", Statement: [{ Effect: "Deny", Action: "*", Resource: "*" }] },
                    }),
                ),
                [],
            );
            assert.match(
                check(res(TYPES.iamRolePolicy, "junk", { policy: "{not json" }))[0],
                /policy of junk cannot be reviewed: not valid JSON/,
            );
        });

        it("fires when the real autoscaler policy loses its tag condition", () => {
            const bad = mutate(
                stacks.prod,
                (r) => r.type === TYPES.iamRolePolicy && r.name === "addons-cluster-autoscaler-policy",
                (r) => {
                    const doc = JSON.parse(r.inputs.policy);
                    for (const s of doc.Statement) delete s.Condition;
                    r.inputs.policy = JSON.stringify(doc);
                    return r;
                },
            );
            const v = run1("iam-no-wildcard-writes", bad, ctx("prod"));
            assert.equal(v.length, 1);
            assert.match(v[0].message, /statement "ScaleThisClustersJobGroups" allows autoscaling:SetDesiredCapacity/);
        });
    });
});
