import { ROLE_KEY } from "../model/labels";
import { strict as assert } from "assert";
import { parse as parseToml, stringify as stringifyToml } from "smol-toml";
import { JOBS_DISCOVERY_TAG } from "../model/autoscalerTags";

import {
    contextFor,
    coverage,
    evaluate,
    isSecretValue,
    PolicyResource,
    Rule,
    RuleContext,
    RULES,
    TYPES,
    UNKNOWN,
    Violation,
} from "../policies";
import { isWildcardWrite } from "../policies/iam";
import { PRIVILEGED_OPT_IN } from "../policies/runners";
import { runStackFile } from "./support/harness";
import { policyResources } from "./support/policyResources";

const SECRET = { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270" };

const REGION = "eu-west-1";
const ruleById = (id: string): Rule => RULES.find((r) => r.id === id) ?? assert.fail(`no rule ${id}`);
const run1 = (id: string, resources: readonly PolicyResource[], ctx: RuleContext): Violation[] =>
    evaluate(resources, ctx, [ruleById(id)]);
const ctxOf = (stack: string, secretsVisible = true): RuleContext => ({ stack, productionStacks: ["prod"], secretsVisible });

/** A bare fixture resource. */
function res(type: string, name: string, inputs: Record<string, unknown>, extra: Partial<PolicyResource> = {}): PolicyResource {
    return { type, name, inputs, ...extra };
}

/** A copy of `resources` with the one matching `pick` replaced by `change(copy)` (or dropped when it returns undefined). */
function mutate(
    resources: readonly PolicyResource[],
    pick: (r: PolicyResource) => boolean,
    change: (r: PolicyResource & { inputs: any }) => PolicyResource | undefined,
): PolicyResource[] {
    const index = resources.findIndex(pick);
    assert.ok(index >= 0, "the fixture to mutate exists in the recorded stack");
    const copy = { ...resources[index], inputs: structuredClone(resources[index].inputs), opts: { ...resources[index].opts } };
    const changed = change(copy);
    return [...resources.slice(0, index), ...(changed ? [changed] : []), ...resources.slice(index + 1)];
}

function assertFires(violations: Violation[], rule: string, pattern: RegExp): void {
    const hits = violations.filter((v) => v.rule === rule && pattern.test(v.message));
    assert.ok(hits.length > 0, `expected ${rule} to report ${pattern}; got ${JSON.stringify(violations, null, 1)}`);
}

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
    const stacks: Record<string, PolicyResource[]> = {};
    before(async () => {
        // Each shipped stack runs once; every rule below is evaluated over these recordings.
        stacks.test = policyResources(await runStackFile("test"), REGION);
        stacks.prod = policyResources(await runStackFile("prod"), REGION);
    });
    const ctx = (stack: string) => contextFor(stacks[stack]);

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

    describe("imdsv2-hop-limit-1", () => {
        const lt = (metadataOptions: unknown) =>
            res(TYPES.launchTemplate, "bad-lt", metadataOptions === undefined ? {} : { metadataOptions });

        it("fires on IMDSv1 and on a hop limit of 2, each with its own message", () => {
            const v = run1(
                "imdsv2-hop-limit-1",
                [lt({ httpEndpoint: "enabled", httpTokens: "optional", httpPutResponseHopLimit: 2 })],
                ctxOf("test"),
            );
            assert.deepEqual(
                v.map((x) => x.message),
                [
                    'launch template bad-lt allows IMDSv1 (metadataOptions.httpTokens is "optional"); set httpTokens: "required"',
                    "launch template bad-lt has metadataOptions.httpPutResponseHopLimit 2; set it to 1 so pods cannot reach the node role's credentials",
                ],
            );
        });

        it("fires on a template that leaves metadata options to the defaults, and on a node group without a template", () => {
            assert.equal(run1("imdsv2-hop-limit-1", [lt(undefined)], ctxOf("test")).length, 2);
            const v = run1("imdsv2-hop-limit-1", [res(TYPES.nodeGroup, "bare-ng", { clusterName: "c" })], ctxOf("test"));
            assert.match(v[0].message, /node group bare-ng has no launch template/);
        });

        it("passes metadata switched off, and values a preview cannot know yet", () => {
            assert.deepEqual(run1("imdsv2-hop-limit-1", [lt({ httpEndpoint: "disabled" })], ctxOf("test")), []);
            assert.deepEqual(run1("imdsv2-hop-limit-1", [lt(UNKNOWN)], ctxOf("test")), []);
        });

        it("fires when a real node group's launch template is loosened", () => {
            const bad = mutate(
                stacks.prod,
                (r) => r.type === TYPES.launchTemplate && r.parent === "arm64-spot",
                (r) => {
                    r.inputs.metadataOptions.httpPutResponseHopLimit = 2;
                    return r;
                },
            );
            const v = run1("imdsv2-hop-limit-1", bad, ctx("prod"));
            assert.equal(v.length, 1);
            assert.equal(v[0].target, `${TYPES.launchTemplate}::arm64-spot-lt`);
        });
    });

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

    describe("s3-bucket-private-encrypted", () => {
        const bucket = (inputs: Record<string, unknown> = {}) =>
            res(TYPES.bucket, "cache", { bucket: "cache-bucket", ...inputs }, { parent: "c" });
        const block = (flags: Record<string, unknown>) =>
            res(
                TYPES.bucketPublicAccessBlock,
                "cache-pab",
                {
                    bucket: "cache-bucket",
                    blockPublicAcls: true,
                    blockPublicPolicy: true,
                    ignorePublicAcls: true,
                    restrictPublicBuckets: true,
                    ...flags,
                },
                { parent: "c" },
            );
        const sse = res(
            TYPES.bucketEncryption,
            "cache-sse",
            { bucket: "cache-bucket", rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" } }] },
            { parent: "c" },
        );
        const check = (resources: PolicyResource[], stack = "test") =>
            run1("s3-bucket-private-encrypted", resources, ctxOf(stack)).map((v) => v.message);

        it("fires on a bucket with neither a public access block nor encryption", () => {
            assert.deepEqual(check([bucket()]), [
                "bucket cache has no BucketPublicAccessBlock; add one with blockPublicAcls, blockPublicPolicy, ignorePublicAcls, restrictPublicBuckets all true",
                "bucket cache has no default encryption; add a BucketServerSideEncryptionConfiguration (sseAlgorithm AES256 or aws:kms)",
            ]);
        });

        it("fires on a half-open access block and on a public ACL; passes a private, encrypted bucket", () => {
            assert.deepEqual(check([bucket(), block({ restrictPublicBuckets: false }), sse]), [
                "public access block of bucket cache does not set restrictPublicBuckets to true",
            ]);
            assert.deepEqual(check([bucket({ acl: "public-read" }), block({}), sse]), [
                "bucket cache has the public ACL public-read",
            ]);
            assert.deepEqual(check([bucket(), block({}), sse]), []);
            // Inline encryption counts too.
            assert.deepEqual(
                check([
                    bucket({
                        serverSideEncryptionConfiguration: {
                            rule: { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } },
                        },
                    }),
                    block({}),
                ]),
                [],
            );
        });

        it("does not pair another bucket's access block; pairs by parent when the bucket is not known yet", () => {
            const other = { ...block({}), inputs: { ...block({}).inputs, bucket: "someone-elses" } };
            assert.equal(check([bucket(), other, sse]).length, 1);
            const previewed = { ...block({}), inputs: { ...block({}).inputs, bucket: UNKNOWN } };
            assert.deepEqual(check([bucket(), previewed, sse]), []);
        });

        it("fires on forceDestroy in production only", () => {
            const resources = [bucket({ forceDestroy: true }), block({}), sse];
            assert.deepEqual(check(resources, "test"), []);
            assert.match(check(resources, "prod")[0], /bucket cache has forceDestroy in production stack prod/);
        });

        it("fires when the real prod cache loses its access block or becomes force-destroyed", () => {
            const noBlock = mutate(
                stacks.prod,
                (r) => r.type === TYPES.bucketPublicAccessBlock,
                () => undefined,
            );
            assertFires(
                run1("s3-bucket-private-encrypted", noBlock, ctx("prod")),
                "s3-bucket-private-encrypted",
                /bucket gitlab-cache-bucket has no BucketPublicAccessBlock/,
            );
            const forced = mutate(
                stacks.prod,
                (r) => r.type === TYPES.bucket,
                (r) => ({ ...r, inputs: { ...r.inputs, forceDestroy: true } }),
            );
            assertFires(
                run1("s3-bucket-private-encrypted", forced, ctx("prod")),
                "s3-bucket-private-encrypted",
                /forceDestroy in production stack prod/,
            );
        });
    });

    describe("runner-privileged-opt-in", () => {
        const runnerRelease = (resources: readonly PolicyResource[]) => (r: PolicyResource) =>
            r.type === TYPES.helmRelease &&
            (r.inputs as any).chart === "gitlab-runner" &&
            r === resources.find((x) => x.type === TYPES.helmRelease && x.name === "gitlab-amd64-release");
        const privileged = (resources: readonly PolicyResource[]) =>
            mutate(resources, runnerRelease(resources), (r) => {
                const doc = parseToml(r.inputs.values.runners.config) as any;
                doc.runners[0].kubernetes.privileged = true;
                r.inputs.values.runners.config = stringifyToml(doc);
                return r;
            });

        it("fires when a runner renders privileged = true without its namespace opting in", () => {
            const v = run1("runner-privileged-opt-in", privileged(stacks.test), ctx("test"));
            assert.equal(v.length, 1);
            assert.match(
                v[0].message,
                /renders runners\[0\]\.kubernetes\.privileged = true but job namespace gitlab-jobs-amd64 is labelled pod-security\.kubernetes\.io\/enforce=baseline/,
            );
        });

        it("passes once the job namespace opts in (what runners.<name>.privileged: true renders)", () => {
            const optedIn = mutate(
                privileged(stacks.test),
                (r) => r.type === TYPES.namespace && (r.inputs as any).metadata.name === "gitlab-jobs-amd64",
                (r) => {
                    r.inputs.metadata.labels[PRIVILEGED_OPT_IN.label] = PRIVILEGED_OPT_IN.value;
                    return r;
                },
            );
            assert.deepEqual(run1("runner-privileged-opt-in", optedIn, ctx("test")), []);
        });

        it("accepts privileged containers of a VM runner only where every job gets a fresh VM (prod's docker-vm)", () => {
            const vmRelease = (r: PolicyResource) => r.type === TYPES.helmRelease && r.name === "gitlab-vm-docker-vm-release";
            const toml = (r: PolicyResource) => parseToml((r.inputs as any).values.runners.config) as any;
            const entry = toml(stacks.prod.find(vmRelease)!).runners[0];
            assert.deepEqual(
                [entry.docker.privileged, entry.autoscaler.capacity_per_instance, entry.autoscaler.max_use_count],
                [true, 1, 1],
            );
            assert.deepEqual(run1("runner-privileged-opt-in", stacks.prod, ctx("prod")), []);
            const reused = mutate(stacks.prod, vmRelease, (r) => {
                const doc = toml(r);
                doc.runners[0].autoscaler.max_use_count = 5;
                r.inputs.values.runners.config = stringifyToml(doc);
                return r;
            });
            const v = run1("runner-privileged-opt-in", reused, ctx("prod"));
            assert.equal(v.length, 1);
            assert.match(v[0].message, /renders runners\[0\]\.docker\.privileged = true but its job namespace \(none set\)/);
        });

        it("fires on privileged build-container security contexts, the chart's legacy key, and a privileged manager", () => {
            const toml =
                'concurrent = 1\n[[runners]]\n[runners.kubernetes]\nnamespace = "jobs"\n[runners.kubernetes.build_container_security_context]\nprivileged = true\n';
            const release = (values: Record<string, unknown>) =>
                res(TYPES.helmRelease, "r", { chart: "gitlab-runner", namespace: "gitlab-runner", values });
            const v1 = run1("runner-privileged-opt-in", [release({ runners: { config: toml } })], ctxOf("test"));
            assert.match(
                v1[0].message,
                /runners\[0\]\.kubernetes\.build_container_security_context\.privileged = true but job namespace jobs is not a Namespace of this stack/,
            );
            const legacy = 'concurrent = 1\n[[runners]]\n[runners.kubernetes]\nnamespace = "jobs"\n';
            assert.match(
                run1("runner-privileged-opt-in", [release({ runners: { config: legacy, privileged: true } })], ctxOf("test"))[0]
                    .message,
                /values\.runners\.privileged = true/,
            );
            assert.match(
                run1("runner-privileged-opt-in", [release({ securityContext: { privileged: true } })], ctxOf("test"))[0].message,
                /manager pod privileged/,
            );
            assert.match(
                run1(
                    "runner-privileged-opt-in",
                    [release({ runners: { config: "[[runners]\nprivileged = true" } })],
                    ctxOf("test"),
                )[0].message,
                /not valid TOML.*cannot confirm the opt-in/,
            );
        });
    });

    describe("runner-token-not-plaintext", () => {
        it("the shipped stacks do carry tokens, only inside Pulumi secrets (so the scan has something to find)", () => {
            const secrets = stacks.prod.filter((r) => r.type === TYPES.secret && r.name.endsWith("-token"));
            assert.ok(secrets.length > 0);
            for (const s of secrets) {
                assert.ok(isSecretValue(s.inputs.stringData), s.name);
                assert.match(JSON.stringify(s.inputs.stringData), /glrt-/);
            }
        });

        it("fires when a real token Secret's data is no longer a Pulumi secret", () => {
            const leaked = mutate(
                stacks.prod,
                (r) => r.type === TYPES.secret && r.name === "gitlab-amd64-token",
                (r) => ({ ...r, inputs: { ...r.inputs, stringData: (r.inputs.stringData as { value: unknown }).value } }),
            );
            const v = run1("runner-token-not-plaintext", leaked, ctx("prod"));
            assert.equal(v.length, 1);
            assert.match(
                v[0].message,
                /kubernetes:core\/v1:Secret::gitlab-amd64-token has a runner token in plaintext input stringData\.runner-token/,
            );
        });

        it("fires on a token in Helm values or a label, in any resource; passes prose placeholders", () => {
            const release = res(TYPES.helmRelease, "r", { values: { runners: { config: 'token = "glrt-abc123XYZ"' } } });
            assert.match(
                run1("runner-token-not-plaintext", [release], ctxOf("test"))[0].message,
                /plaintext input values\.runners\.config/,
            );
            const tagged = res("aws:s3/bucket:Bucket", "b", { tags: { note: "glrt-t3_Zx9" } });
            assert.equal(run1("runner-token-not-plaintext", [tagged], ctxOf("test")).length, 1);
            assert.deepEqual(
                run1(
                    "runner-token-not-plaintext",
                    [
                        res(TYPES.namespace, "n", {
                            metadata: { annotations: { help: "set glrt-… with pulumi config set --secret" } },
                        }),
                    ],
                    ctxOf("test"),
                ),
                [],
            );
        });

        it("in the pack (secrets unwrapped) trusts only what the resource declares secret", () => {
            const secret = res(
                TYPES.secret,
                "s",
                { stringData: { "runner-token": "glrt-abc123" } },
                { opts: { additionalSecretOutputs: ["data", "stringData"] } },
            );
            assert.deepEqual(run1("runner-token-not-plaintext", [secret], ctxOf("test", false)), []);
            assert.equal(run1("runner-token-not-plaintext", [{ ...secret, opts: {} }], ctxOf("test", false)).length, 1);
            // Offline, a declaration alone is not enough: the input itself must be a secret.
            assert.equal(run1("runner-token-not-plaintext", [secret], ctxOf("test", true)).length, 1);
            assert.deepEqual(
                run1(
                    "runner-token-not-plaintext",
                    [{ ...secret, inputs: { stringData: { ...SECRET, value: { "runner-token": "glrt-abc123" } } } }],
                    ctxOf("test", true),
                ),
                [],
            );
        });
    });

    describe("management-nodegroup-isolated", () => {
        const isManagementGroup = (r: PolicyResource) =>
            r.type === TYPES.nodeGroup && (r.inputs as any).labels?.[ROLE_KEY] === "management";
        const check = (resources: PolicyResource[]) => run1("management-nodegroup-isolated", resources, ctx("prod"));

        it("fires when the management group loses its taint or its fixed size", () => {
            const untainted = mutate(stacks.prod, isManagementGroup, (r) => {
                r.inputs.taints = [];
                return r;
            });
            assertFires(
                check(untainted),
                "management-nodegroup-isolated",
                /management node group management-nodegroup is not tainted eks-gitlab-runners\/role=management:NoSchedule/,
            );
            const elastic = mutate(stacks.prod, isManagementGroup, (r) => {
                r.inputs.scalingConfig.maxSize = 6;
                return r;
            });
            assertFires(check(elastic), "management-nodegroup-isolated", /minSize 3 ≠ maxSize 6/);
        });

        it("fires on a Cluster Autoscaler tag on the management group's ASG, however it is paired", () => {
            const asg = "eks-management-nodegroup-0ac9a1b2-asg";
            const byName = res(TYPES.asgTag, "management-asg-tag-x", {
                autoscalingGroupName: asg,
                tag: { key: JOBS_DISCOVERY_TAG, value: "ci-runners-prod", propagateAtLaunch: false },
            });
            assertFires(
                check([...stacks.prod, byName]),
                "management-nodegroup-isolated",
                new RegExp(`ASG tag ${JOBS_DISCOVERY_TAG} on management node group management-nodegroup`),
            );
            const byParent = res(
                TYPES.asgTag,
                "management-asg-tag-y",
                { autoscalingGroupName: UNKNOWN, tag: { key: "k8s.io/cluster-autoscaler/enabled", value: "true" } },
                { parent: "management" },
            );
            assertFires(
                check([...stacks.prod, byParent]),
                "management-nodegroup-isolated",
                /ASG tag k8s\.io\/cluster-autoscaler\/enabled/,
            );
            // A job group's tags are not the management group's business.
            const jobTag = res(
                TYPES.asgTag,
                "amd64-asg-tag-z",
                { autoscalingGroupName: "eks-amd64-nodegroup-0ac9a1b2-asg", tag: { key: JOBS_DISCOVERY_TAG, value: "x" } },
                { parent: "amd64" },
            );
            assert.deepEqual(check([...stacks.prod, jobTag]), []);
        });

        it("fires when no group is labelled management", () => {
            const none = mutate(stacks.prod, isManagementGroup, (r) => {
                r.inputs.labels = {};
                return r;
            });
            const v = check(none);
            assert.ok(
                v.some(
                    (x) =>
                        x.target === "stack" && /no node group is labelled eks-gitlab-runners\/role=management/.test(x.message),
                ),
                JSON.stringify(v),
            );
        });

        it("fires when the autoscaler's discovery is not keyed on the jobs-only tag", () => {
            const loose = mutate(
                stacks.prod,
                (r) => r.type === TYPES.helmRelease && (r.inputs as any).chart === "cluster-autoscaler",
                (r) => {
                    r.inputs.values.autoDiscovery.tags = r.inputs.values.autoDiscovery.tags.filter(
                        (t: string) => !t.startsWith(JOBS_DISCOVERY_TAG),
                    );
                    return r;
                },
            );
            assertFires(
                check(loose),
                "management-nodegroup-isolated",
                /does not key auto-discovery on eks-gitlab-runners\/autoscaled/,
            );
        });
    });

    describe("job-nodegroup-azrebalance-suspended", () => {
        const check = (resources: PolicyResource[]) => run1("job-nodegroup-azrebalance-suspended", resources, ctx("prod"));

        it("fires for a job group whose suspension is gone, naming that group only", () => {
            const missing = mutate(
                stacks.prod,
                (r) => r.type === TYPES.asgProcessSuspension && r.parent === "arm64-spot",
                () => undefined,
            );
            const v = check(missing);
            assert.equal(v.length, 1);
            assert.match(v[0].message, /^job node group arm64-spot-nodegroup .* has no AsgProcessSuspension of AZRebalance/);
        });

        it("fires when the suspension suspends something else, or sits on another group's ASG", () => {
            const other = mutate(
                stacks.prod,
                (r) => r.type === TYPES.asgProcessSuspension && r.parent === "amd64",
                (r) => {
                    r.inputs.processes = ["ReplaceUnhealthy"];
                    return r;
                },
            );
            assert.equal(check(other).length, 1);
            const elsewhere = mutate(
                stacks.prod,
                (r) => r.type === TYPES.asgProcessSuspension && r.parent === "amd64",
                (r) => {
                    r.inputs.asgName = "eks-someone-else-asg";
                    return r;
                },
            );
            assert.equal(check(elsewhere).length, 1);
        });

        it("treats an unlabelled node group as a job group", () => {
            assert.equal(check([res(TYPES.nodeGroup, "mystery", { launchTemplate: { id: "lt" } })]).length, 1);
        });
    });

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

    describe("runner-rbac-namespace-scoped", () => {
        const check = (resources: PolicyResource[]) => run1("runner-rbac-namespace-scoped", resources, ctx("test"));

        it("fires on '*' verbs or resources in any role, including the runner's own", () => {
            const wide = mutate(
                stacks.test,
                (r) => r.type === TYPES.role && r.name === "gitlab-amd64-executor",
                (r) => {
                    r.inputs.rules[0].verbs = ["*"];
                    r.inputs.rules[1].resources = ["*"];
                    return r;
                },
            );
            assert.deepEqual(
                check(wide).map((v) => v.message),
                [
                    'Role gitlab-amd64-executor rule #0 grants "*" verbs; list exactly the verbs the executor needs',
                    'Role gitlab-amd64-executor rule #1 grants "*" resources; list exactly the resources the executor needs',
                ],
            );
        });

        it("fires on cluster-scoped RBAC for a runner: by component, by label, by binding a runner namespace", () => {
            const underRunner = res(
                TYPES.clusterRole,
                "gitlab-amd64-wide",
                { rules: [] },
                {
                    urn: "urn:pulumi:test::p::eks-gitlab-runners:index:RunnerFleet$eks-gitlab-runners:index:GitlabRunner$kubernetes:rbac.authorization.k8s.io/v1:ClusterRole::gitlab-amd64-wide",
                },
            );
            assertFires(
                check([...stacks.test, underRunner]),
                "runner-rbac-namespace-scoped",
                /ClusterRole::gitlab-amd64-wide gives a runner cluster-wide rights/,
            );
            const labelled = res(TYPES.clusterRoleBinding, "crb", {
                metadata: { labels: { "eks-gitlab-runners/runner": "amd64" } },
                roleRef: { kind: "ClusterRole", name: "view" },
            });
            assert.equal(check([labelled]).length, 1);
            const binding = res(TYPES.clusterRoleBinding, "crb2", {
                roleRef: { kind: "ClusterRole", name: "view" },
                subjects: [{ kind: "ServiceAccount", name: "x", namespace: "gitlab-jobs-amd64" }],
            });
            assertFires(
                check([...stacks.test, binding]),
                "runner-rbac-namespace-scoped",
                /ClusterRoleBinding::crb2 gives a runner cluster-wide rights/,
            );
            // The same binding for a namespace that is not a runner's is none of this rule's business.
            assert.deepEqual(
                check([
                    ...stacks.test,
                    {
                        ...binding,
                        inputs: { ...binding.inputs, subjects: [{ kind: "ServiceAccount", name: "x", namespace: "monitoring" }] },
                    },
                ]),
                [],
            );
        });

        it("fires on cluster-admin bindings and on the chart's own cluster-wide or wildcard RBAC", () => {
            assert.match(
                check([res(TYPES.roleBinding, "rb", { roleRef: { kind: "ClusterRole", name: "cluster-admin" } })])[0].message,
                /binds cluster-admin/,
            );
            const wideChart = mutate(
                stacks.test,
                (r) => r.type === TYPES.helmRelease && (r.inputs as any).chart === "gitlab-runner",
                (r) => {
                    r.inputs.values.rbac = { create: true, clusterWideAccess: true };
                    return r;
                },
            );
            const messages = check(wideChart).map((v) => v.message);
            assert.equal(messages.length, 2);
            assert.match(messages[0], /sets rbac\.clusterWideAccess/);
            assert.match(messages[1], /sets rbac\.create without rbac\.rules: the chart's default role grants "\*"/);
        });
    });
});
