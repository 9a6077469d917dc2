// What a runner may do: the executor's Kubernetes Role rules and the cache bucket's IAM policies.
import { strict as assert } from "assert";
import { cacheAccessPolicy, cacheBucketPolicy, cacheRoleTrustPolicy } from "../components/runners/cachePolicies";
import { executorRoleRules } from "../components/runners/rbac";

describe("runner renderers", () => {
    describe("RBAC", () => {
        it("exactly the executor's verbs, core API group, no wildcard, no PDBs (the runner creates none)", () => {
            const rules = executorRoleRules({
                jobServiceAccount: "gitlab-job-x",
                warmCapacity: false,
            });
            assert.deepEqual(
                rules.map((r) => [r.apiGroups.join(), r.resources.join(), r.verbs.join()]),
                [
                    ["", "pods", "create,delete,get,list,watch"],
                    ["", "pods/attach", "create,delete,get,patch"],
                    ["", "pods/exec", "create,delete,get,patch"],
                    ["", "pods/log", "get,list"],
                    ["", "secrets", "create,delete,get,update"],
                    ["", "serviceaccounts", "get"],
                    ["", "services", "create,get"],
                    ["", "events", "list,watch"],
                ],
            );
            // Only the runner's own job service account may be looked up (kubernetes.go v18.9.0 serviceAccountExists).
            assert.deepEqual(
                rules.filter((r) => r.resourceNames).map((r) => [r.resources.join(), r.resourceNames!.join()]),
                [["serviceaccounts", "gitlab-job-x"]],
            );
            for (const r of rules)
                for (const s of [...r.apiGroups, ...r.resources, ...r.verbs]) assert.ok(!s.includes("*"), JSON.stringify(r));
        });
    });

    describe("cache policies", () => {
        const arn = "arn:aws:s3:::ci-cache-bucket";
        it("the role may only read, write, delete and list the cache bucket's objects", () => {
            assert.deepEqual(cacheAccessPolicy(arn), {
                Version: "2012-10-17",
                Statement: [
                    {
                        Sid: "CacheObjects",
                        Effect: "Allow",
                        Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
                        Resource: `${arn}/*`,
                    },
                    { Sid: "CacheList", Effect: "Allow", Action: "s3:ListBucket", Resource: arn },
                ],
            });
        });
        it("only EKS Pod Identity, for this cluster's runner managers, may assume it", () => {
            const trust = cacheRoleTrustPolicy({
                clusterName: "ci",
                namespace: "gitlab-runner",
                serviceAccounts: ["gitlab-runner-b", "gitlab-runner-a"],
            });
            assert.deepEqual(trust.Statement, [
                {
                    Sid: "EksPodIdentityRunnerManagers",
                    Effect: "Allow",
                    Principal: { Service: "pods.eks.amazonaws.com" },
                    Action: ["sts:AssumeRole", "sts:TagSession"],
                    Condition: {
                        StringEquals: {
                            "aws:RequestTag/eks-cluster-name": "ci",
                            "aws:RequestTag/kubernetes-namespace": "gitlab-runner",
                            "aws:RequestTag/kubernetes-service-account": ["gitlab-runner-a", "gitlab-runner-b"],
                        },
                    },
                },
            ]);
        });
        it("the bucket refuses plain HTTP", () => {
            assert.deepEqual(cacheBucketPolicy(arn).Statement[0].Condition, { Bool: { "aws:SecureTransport": "false" } });
            assert.equal(cacheBucketPolicy(arn).Statement[0].Effect, "Deny");
        });
    });
});
