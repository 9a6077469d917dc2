// Every IAM name the program renders, held to AWS's own lists (tests/fixtures/upstream/SOURCES.md): actions and
// condition keys against the Service Authorization Reference and the global condition keys, managed policy ARNs
// (with their path) against the AWS managed policies, EKS access policy ARNs against the EKS User Guide, service
// principals against the pages that name them. IAM accepts a misspelt action or condition key without complaint and
// never matches it, so only a list can catch one. Documents come from the cached runs of the shipped and example
// stacks, and from the CI roles' documents (scripts/ci/trust.ts).
import { strict as assert } from "assert";
import { CI_ROLES, previewBackendPolicy, trustPolicy } from "../scripts/ci/trust";
import { EXAMPLE_STACKS, Run, runStackFile, SHIPPED_STACKS } from "./support/harness";
import { FoundDocument, iamFactsOf, IamFacts, statementsOf } from "./support/iamDocuments";
import { iamMentions } from "./support/iamMentions";
import {
    accessPolicyProblem,
    actionsMatching,
    iamReference,
    isKnownConditionKey,
    managedPolicyProblem,
    statementProblems,
} from "./support/iamReference";

const CI_DOCUMENTS: FoundDocument[] = [
    ...CI_ROLES.map((role) => ({
        where: `scripts/ci trust policy of ${role}`,
        document: trustPolicy(role, {
            account: "444455556666",
            gitlabHost: "gitlab.example.com",
            projectPath: "platform/eks-gitlab-runners",
            audience: "https://gitlab.example.com",
        }),
    })),
    {
        where: "scripts/ci preview backend policy",
        document: previewBackendPolicy("arn:aws:kms:eu-west-1:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab"),
    },
];

/** Problems of every document, one line each: `<where>: <problem>`. */
function documentProblems(documents: readonly FoundDocument[]): string[] {
    const ref = iamReference();
    return documents
        .flatMap(statementsOf)
        .flatMap((s) => [
            ...statementProblems(ref, s).map((p) => `${s.where}: ${p}`),
            ...[...s.servicePrincipals, ...s.passedToServices]
                .filter((p) => !ref.servicePrincipals.has(p))
                .map((p) => `${s.where}: service principal ${p} is not in aws-service-principals.tsv`),
        ]);
}

function arnProblems(facts: IamFacts): string[] {
    const ref = iamReference();
    return [
        ...facts.managedPolicyArns.map(({ where, arn }) => [where, managedPolicyProblem(ref, arn)]),
        ...facts.accessPolicyArns.map(({ where, arn }) => [where, accessPolicyProblem(ref, arn)]),
    ]
        .filter(([, p]) => p !== undefined)
        .map(([where, p]) => `${where}: ${p}`);
}

describe("IAM names against AWS's lists", () => {
    const runs: Record<string, Run> = {};
    let facts: IamFacts;

    before(async () => {
        for (const stack of [...SHIPPED_STACKS, ...EXAMPLE_STACKS]) runs[stack] = await runStackFile(stack);
        facts = iamFactsOf(runs);
    });

    it("finds the documents and ARNs of every stack (trust, inline, bucket, topic and queue policies)", () => {
        for (const stack of Object.keys(runs)) {
            const types = new Set(
                facts.documents.filter((d) => d.where.startsWith(`${stack} `)).map((d) => d.where.split(" ")[1]),
            );
            for (const t of ["aws:iam/role:Role", "aws:iam/rolePolicy:RolePolicy", "aws:s3/bucketPolicy:BucketPolicy"]) {
                assert.ok(types.has(t), `${stack}: no ${t} document found`);
            }
            assert.ok(
                facts.managedPolicyArns.some((a) => a.where.startsWith(`${stack} `)),
                `${stack}: no managed policy ARN`,
            );
            assert.ok(
                facts.accessPolicyArns.some((a) => a.where.startsWith(`${stack} `)),
                `${stack}: no access policy ARN`,
            );
        }
        assert.ok(facts.documents.some((d) => d.where.includes("aws:sns/topicPolicy:TopicPolicy")));
        assert.ok(facts.documents.some((d) => d.where.includes("aws:sqs/queuePolicy:QueuePolicy")));
    });

    it("every action, condition key and service principal of every rendered document is AWS's", () => {
        assert.deepEqual(documentProblems([...facts.documents, ...CI_DOCUMENTS]), []);
    });

    it("every AWS managed policy ARN (with its path) and EKS access policy ARN exists", () => {
        assert.deepEqual(arnProblems(facts), []);
    });

    it("every IAM action, managed policy and access policy the code, docs and stack files name exists", () => {
        const ref = iamReference();
        const mentions = iamMentions([...ref.services.keys()]);
        assert.ok(mentions.actions.length > 50 && mentions.managedPolicies.length >= 2 && mentions.accessPolicies.length >= 1);
        const problems = [
            ...mentions.actions
                .filter((m) => !isKnownConditionKey(ref, m.name)) // prose names condition keys the same way
                .map((m) => [m.file, actionsMatching(ref, m.name).problem]),
            // `${policy}`: a name the code fills in; the rendered stacks check those.
            ...mentions.managedPolicies
                .filter((m) => !m.name.startsWith("$"))
                .map((m) => [m.file, managedPolicyProblem(ref, `arn:aws:iam::aws:policy/${m.name}`)]),
            ...mentions.accessPolicies
                .filter((m) => !m.name.startsWith("$"))
                .map((m) => [m.file, accessPolicyProblem(ref, `arn:aws:eks::aws:cluster-access-policy/${m.name}`)]),
        ].filter(([, p]) => p !== undefined);
        assert.deepEqual(problems, []);
    });

    it("the CI trust's premise: a self-managed GitLab's own claims are no condition keys, gitlab.com's are", () => {
        // scripts/ci/trust.ts protectedRefs and docs/runbook/threat-model.md rest on this.
        const ref = iamReference();
        const trust = (provider: string, key: string) =>
            statementProblems(ref, {
                effect: "Allow",
                actions: ["sts:AssumeRoleWithWebIdentity"],
                notActions: [],
                conditionKeys: [key],
                requiredConditionKeys: [key],
                oidcProviders: [provider],
            });
        assert.deepEqual(trust("gitlab.example.com", "gitlab.example.com:sub"), []);
        assert.equal(trust("gitlab.example.com", "gitlab.example.com:ref_protected").length, 1);
        assert.deepEqual(trust("gitlab.com", "gitlab.com:ref_protected"), []);
    });

    describe("the checks fail on what IAM would silently accept", () => {
        const doc = (statement: Record<string, unknown>): FoundDocument[] => [
            {
                where: "bad",
                document: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Resource: "*", ...statement }] } as never,
            },
        ];

        it("a misspelt action, a wildcard that matches nothing, an unknown service", () => {
            assert.deepEqual(documentProblems(doc({ Action: ["ec2:DescribeInstance", "ec2:Descibe*", "ecs2:RunTask"] })), [
                'bad statement #0: "ec2:DescribeInstance" names no ec2 action of the Service Authorization Reference',
                'bad statement #0: "ec2:Descibe*" names no ec2 action of the Service Authorization Reference',
                'bad statement #0: service prefix "ecs2" (in "ecs2:RunTask") is not in iam-service-authorization.tsv: regenerate it with this prefix (scripts/upstream/iamServiceReference.ts)',
            ]);
            assert.deepEqual(actionsMatching(iamReference(), "autoscaling:Describe*").actions.length > 5, true);
        });

        it("a misspelt condition key, a key of another action, a tag key the action does not take", () => {
            assert.deepEqual(
                documentProblems(
                    doc({
                        Action: "sns:Publish",
                        Condition: { ArnLike: { "aws:SourceArm": "x" }, StringEquals: { "ec2:osuser": "ec2-user" } },
                    }),
                ),
                [
                    'bad statement #0: condition key "aws:SourceArm" is supported by none of sns:Publish',
                    'bad statement #0: condition key "ec2:osuser" is supported by none of sns:Publish',
                ],
            );
            assert.deepEqual(
                documentProblems(
                    doc({
                        Action: ["autoscaling:SetDesiredCapacity", "autoscaling:DescribeAutoScalingGroups"],
                        Condition: { StringEquals: { "aws:ResourceTag/team": "ci" } },
                    }),
                ),
                [
                    'bad statement #0: condition key "aws:ResourceTag/team" is not supported by autoscaling:DescribeAutoScalingGroups: the statement never allows them',
                ],
            );
            // Under …IfExists the condition holds when the request has no such key: the statement does allow both.
            assert.deepEqual(
                documentProblems(
                    doc({
                        Action: ["autoscaling:SetDesiredCapacity", "autoscaling:DescribeAutoScalingGroups"],
                        Condition: { StringEqualsIfExists: { "aws:ResourceTag/team": "ci" } },
                    }),
                ),
                [],
            );
        });

        it("a trust policy's web identity key names its own provider only, and an unknown service principal", () => {
            const trust = (provider: string, principal: Record<string, unknown>) =>
                documentProblems(
                    doc({
                        Principal: principal,
                        Action: "sts:AssumeRoleWithWebIdentity",
                        Condition: { StringEquals: { [`${provider}:aud`]: "x" } },
                    }),
                );
            assert.deepEqual(trust("gitlab.example.com", { Federated: "arn:aws:iam::1:oidc-provider/gitlab.example.com" }), []);
            assert.equal(trust("gitlab.other.com", { Federated: "arn:aws:iam::1:oidc-provider/gitlab.example.com" }).length, 1);
            assert.deepEqual(
                documentProblems(doc({ Principal: { Service: "pod.eks.amazonaws.com" }, Action: "sts:AssumeRole" })),
                ["bad statement #0: service principal pod.eks.amazonaws.com is not in aws-service-principals.tsv"],
            );
        });

        it("a misspelt managed policy, a wrong path, a misspelt access policy", () => {
            const bad: IamFacts = {
                documents: [],
                managedPolicyArns: [
                    { where: "a", arn: "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicyy" },
                    { where: "b", arn: "arn:aws:iam::aws:policy/AmazonEKSForFargateServiceRolePolicy" },
                    { where: "c", arn: "arn:aws-cn:iam::aws:policy/AmazonEKS_CNI_Policy" },
                ],
                accessPolicyArns: [{ where: "d", arn: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdmin" }],
            };
            assert.deepEqual(arnProblems(bad), [
                "a: arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicyy is not an AWS managed policy",
                "b: arn:aws:iam::aws:policy/AmazonEKSForFargateServiceRolePolicy is not an AWS managed policy (AWS publishes arn:aws:iam::aws:policy/aws-service-role/AmazonEKSForFargateServiceRolePolicy)",
                "d: arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdmin is not an EKS access policy",
            ]);
        });
    });
});
