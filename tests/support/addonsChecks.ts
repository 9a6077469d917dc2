import { strict as assert } from "assert";
import { CLUSTER_AUTOSCALER_WRITE_ACTIONS } from "../../config/addons/clusterAutoscalerIam";
import { PolicyDocument } from "../../model/iam";

/** Checks shared by the add-on test files. */

/**
 * Invariants every Cluster Autoscaler policy must keep, as a reusable check (also applied to the policies the
 * program renders for the shipped stacks): no wildcard action; every action that is not a read is one of the two
 * scaling calls and carries both cluster tag conditions; DescribeNodegroup only on this cluster's groups.
 */
export function assertLeastPrivilegeAutoscalerPolicy(policy: PolicyDocument, clusterName: string): void {
    const isRead = (a: string) => /^[a-z0-9-]+:(Describe|Get|List)[A-Za-z]*$/.test(a);
    const writes = new Set<string>();
    for (const s of policy.Statement) {
        assert.equal(s.Effect, "Allow");
        for (const action of s.Action) {
            assert.ok(!action.includes("*"), `wildcard action ${action}`);
            if (isRead(action)) continue;
            writes.add(action);
            assert.ok(
                (CLUSTER_AUTOSCALER_WRITE_ACTIONS as readonly string[]).includes(action),
                `unexpected write action ${action}`,
            );
            assert.notEqual(s.Resource, "*", `${action} on every resource`);
            assert.deepEqual(
                s.Condition,
                {
                    StringEquals: {
                        [`aws:ResourceTag/k8s.io/cluster-autoscaler/${clusterName}`]: "owned",
                        "aws:ResourceTag/eks-gitlab-runners/autoscaled": clusterName,
                    },
                },
                `${action} must be limited to this cluster's job groups`,
            );
        }
    }
    assert.deepEqual([...writes].sort(), [...CLUSTER_AUTOSCALER_WRITE_ACTIONS].sort());
    const describe = policy.Statement.find((s) => s.Action.includes("eks:DescribeNodegroup"));
    assert.ok(describe, "eks:DescribeNodegroup is granted");
    assert.match(String(describe.Resource), new RegExp(`:nodegroup/${clusterName}/\\*$`));
}
