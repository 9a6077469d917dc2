// Policy rules on runners: privileged jobs only with an opt-in, no plaintext runner token, namespace-scoped RBAC.
import { strict as assert } from "assert";
import { parse as parseToml, stringify as stringifyToml } from "smol-toml";
import { isSecretValue, PolicyResource, TYPES } from "../policies";
import { PRIVILEGED_OPT_IN } from "../policies/runners";
import { assertFires, ctxOf, mutate, res, run1, shippedPolicyStacks } from "./support/policyRules";

const SECRET = { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270" };

describe("policy rules", () => {
    const { stacks, ctx } = shippedPolicyStacks();

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
