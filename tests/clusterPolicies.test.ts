// Policy rule prod-cluster-protected: a production cluster is protected from deletion.
import { strict as assert } from "assert";
import { evaluate, PolicyResource, TYPES } from "../policies";
import { ctxOf, mutate, res, run1, ruleById, shippedPolicyStacks } from "./support/policyRules";

describe("policy rules", () => {
    const { stacks, ctx } = shippedPolicyStacks();

    describe("prod-cluster-protected", () => {
        const isCluster = (r: PolicyResource) => r.type === TYPES.eksComponentCluster;
        const check = (resources: PolicyResource[], stack = "prod") =>
            run1("prod-cluster-protected", resources, stack === "prod" ? ctx("prod") : ctxOf(stack));

        it("fires when the prod cluster loses protect or deletion protection", () => {
            const unprotected = mutate(stacks.prod, isCluster, (r) => ({ ...r, opts: { ...r.opts, protect: false } }));
            assert.deepEqual(
                check(unprotected).map((v) => v.message),
                ["eks:index:Cluster::runners-eks in production stack prod is not protected (resource option protect: true)"],
            );
            const deletable = mutate(stacks.prod, isCluster, (r) => {
                r.inputs.deletionProtection = false;
                return r;
            });
            assert.match(check(deletable)[0].message, /has no EKS deletion protection/);
        });

        it("applies to the provider's own cluster resource, to production stacks only, and needs a cluster to exist", () => {
            const raw = res(TYPES.eksCluster, "raw", { deletionProtection: true }, { opts: { protect: false } });
            assert.equal(check([raw]).length, 1);
            assert.deepEqual(check([raw], "test"), []);
            assert.deepEqual(
                evaluate([raw], { ...ctxOf("staging"), productionStacks: ["staging"] }, [ruleById("prod-cluster-protected")])
                    .length,
                1,
            );
            const noCluster = stacks.prod.filter((r) => !isCluster(r));
            assert.match(check(noCluster)[0].message, /production stack prod declares no EKS cluster/);
        });
    });
});
