// Each runner of both shipped stacks under mocks: release, manager pod, token, config.toml, job pods, RBAC, cache.
import { RUNNER_NAMESPACES } from "../model/labels";
import { strict as assert } from "assert";
import { parse as parseToml } from "smol-toml";
import { RunnerConfig } from "../config";
import { RUNNER_CHART_NAME, RUNNER_CHART_REPO } from "../config/runnerCharts";
import { PRIORITY_CLASSES } from "../model/priorityClasses";
import { chartGlobalToml, ChartGlobalValues } from "../components/runners/configToml";
import { unknownKeys } from "./fixtures/runnerConfigKeys";
import { fakeRunnerToken, isSecretInput } from "./support/harness";
import { ACCOUNT, registeredRunnerToken } from "./support/mocks";
import { T } from "./support/runnerStack";
import { describeShippedStacks } from "./support/stackSuites";

const EKS_EFFECT: Record<string, string> = {
    NO_SCHEDULE: "NoSchedule",
    NO_EXECUTE: "NoExecute",
    PREFER_NO_SCHEDULE: "PreferNoSchedule",
};
const ARCH_OF_AMI: Record<string, string> = {
    AL2023_x86_64_STANDARD: "amd64",
    AL2023_ARM_64_STANDARD: "arm64",
    BOTTLEROCKET_x86_64: "amd64",
    BOTTLEROCKET_ARM_64: "arm64",
};

describe("gitlab runners (program under mocks)", () => {
    describeShippedStacks((_stack, run, config) => {
        const management = config.nodeGroups.management;
        const byName = (type: string, name: string) => run().one(type, name);
        const release = (r: RunnerConfig) => byName(T.release, `gitlab-${r.name}-release`).inputs;
        // smol-toml returns null-prototype objects: compare plain data.
        const toml = (r: RunnerConfig) => JSON.parse(JSON.stringify(parseToml(release(r).values.runners.config)));
        const recordedGroup = (groupName: string) =>
            run()
                .ofType(T.nodeGroup)
                .find(
                    (g) =>
                        g.inputs.labels["eks-gitlab-runners/nodegroup"] === groupName ||
                        (groupName === management.name && g.inputs.labels["eks-gitlab-runners/role"] === "management"),
                )!;

        for (const r of config.runners) {
            describe(`runner ${r.name}`, () => {
                it("release: the official chart at the pinned version, in the managers' namespace", () => {
                    const rel = release(r);
                    assert.deepEqual(
                        [rel.chart, rel.version, rel.repositoryOpts.repo, rel.name, rel.namespace],
                        [RUNNER_CHART_NAME, r.chart.version, RUNNER_CHART_REPO, r.names.release, RUNNER_NAMESPACES.managers],
                    );
                    assert.equal(rel.values.gitlabUrl, config.gitlab.url);
                    assert.equal(rel.values.concurrent, r.concurrent);
                    assert.equal(rel.values.unregisterRunners, true);
                    assert.deepEqual(rel.values.metrics, { enabled: true, portName: "metrics", port: 9252 });
                    assert.ok(
                        rel.values.terminationGracePeriodSeconds >= r.maxJobTimeoutMinutes * 60,
                        "grace period shorter than the longest job",
                    );
                });

                it("manager pod: selects the management group's recorded labels and tolerates its taints, platform priority", () => {
                    const v = release(r).values;
                    const group = recordedGroup(management.name).inputs;
                    assert.deepEqual(v.nodeSelector, { ...group.labels, "kubernetes.io/arch": ARCH_OF_AMI[group.amiType] });
                    assert.deepEqual(
                        v.tolerations,
                        group.taints.map((t: any) => ({
                            key: t.key,
                            operator: "Equal",
                            value: t.value,
                            effect: EKS_EFFECT[t.effect],
                        })),
                    );
                    assert.equal(v.priorityClassName, PRIORITY_CLASSES.platform);
                });

                it("token: only in the Secret the chart reads, as a Pulumi secret with both keys", () => {
                    const v = release(r).values;
                    const secret = byName(T.secret, `gitlab-${r.name}-token`).inputs;
                    assert.equal(v.runners.secret, secret.metadata.name);
                    assert.equal(secret.metadata.namespace, release(r).namespace);
                    assert.ok(isSecretInput(secret.stringData), "stringData is not a Pulumi secret");
                    // A registered runner's token is the one GitLab issued to its registration resource.
                    const token = r.registration
                        ? registeredRunnerToken(`gitlab-${r.name}-registration`)
                        : fakeRunnerToken(r.name);
                    assert.deepEqual(secret.stringData.value, { "runner-token": token, "runner-registration-token": "" });
                    assert.ok(!JSON.stringify(v).includes("glrt-"), "a token in the Helm values");
                });

                it("config.toml: parses, and every key (runner template and chart global section) exists in the runner version", () => {
                    assert.deepEqual(unknownKeys(release(r).values.runners.config, r.chart.runnerVersion), []);
                    assert.deepEqual(
                        unknownKeys(chartGlobalToml(release(r).values as ChartGlobalValues), r.chart.runnerVersion),
                        [],
                    );
                    assert.equal(toml(r).runners.length, 1);
                });

                // Fargate runners' job pods have no node: tests/fargateStack.test.ts holds them to that instead.
                if (r.fargate) return;
                it("job pods: selector and tolerations match the recorded node group's labels, arch and taints", () => {
                    const k = toml(r).runners[0].kubernetes;
                    const group = recordedGroup(r.nodeGroup!).inputs;
                    assert.deepEqual(k.node_selector, { ...group.labels, "kubernetes.io/arch": ARCH_OF_AMI[group.amiType] });
                    assert.deepEqual(
                        k.node_tolerations,
                        Object.fromEntries(group.taints.map((t: any) => [`${t.key}=${t.value}`, EKS_EFFECT[t.effect]])),
                    );
                    assert.equal(k.priority_class_name, PRIORITY_CLASSES.jobs);
                    assert.equal(k.pull_policy[0], "if-not-present");
                    assert.ok(!("cpu_limit" in k), "no CPU limit by default");
                });

                it("job protection: safe-to-evict false, and a maxUnavailable 0 PDB whose selector the pod labels satisfy", () => {
                    const k = toml(r).runners[0].kubernetes;
                    assert.equal(k.pod_annotations["cluster-autoscaler.kubernetes.io/safe-to-evict"], "false");
                    const pdb = byName(T.pdb, `gitlab-${r.name}-jobs`).inputs;
                    assert.equal(pdb.metadata.namespace, k.namespace);
                    assert.equal(pdb.spec.maxUnavailable, 0);
                    const selector = pdb.spec.selector.matchLabels;
                    assert.ok(Object.keys(selector).length > 0);
                    for (const [key, value] of Object.entries(selector))
                        assert.equal(k.pod_labels[key], value, `pod label ${key}`);
                    assert.ok(!("pod_disruption_budget" in k), "one PDB per job pod: the stack's");
                });

                it("RBAC: own service account, a Role in the job namespace only, no wildcard, chart RBAC off", () => {
                    const v = release(r).values;
                    const k = toml(r).runners[0].kubernetes;
                    const sa = byName(T.serviceAccount, `gitlab-${r.name}-sa`).inputs.metadata;
                    assert.deepEqual(v.rbac, { create: false });
                    assert.deepEqual(v.serviceAccount, { create: false, name: sa.name });
                    assert.equal(sa.namespace, RUNNER_NAMESPACES.managers);
                    const role = byName(T.role, `gitlab-${r.name}-executor`).inputs;
                    const binding = byName(T.roleBinding, `gitlab-${r.name}-executor`).inputs;
                    assert.equal(role.metadata.namespace, k.namespace);
                    assert.notEqual(k.namespace, RUNNER_NAMESPACES.managers, "jobs run apart from managers");
                    assert.equal(binding.metadata.namespace, k.namespace);
                    assert.deepEqual(binding.roleRef, {
                        apiGroup: "rbac.authorization.k8s.io",
                        kind: "Role",
                        name: role.metadata.name,
                    });
                    assert.deepEqual(binding.subjects, [{ kind: "ServiceAccount", name: sa.name, namespace: sa.namespace }]);
                    for (const rule of role.rules)
                        for (const s of [...rule.apiGroups, ...rule.resources, ...rule.verbs])
                            assert.ok(!s.includes("*"), JSON.stringify(rule));
                    const jobs = byName(T.namespace, `gitlab-${r.name}-jobs`).inputs.metadata;
                    assert.equal(jobs.name, k.namespace);
                    assert.equal(jobs.labels["pod-security.kubernetes.io/enforce"], r.privileged ? "privileged" : "baseline");
                });

                it("cache: TOML, Pod Identity association and role agree, IAM auth, no keys", () => {
                    const cache = toml(r).runners[0].cache;
                    const bucket = byName(T.bucket, "gitlab-cache-bucket");
                    assert.deepEqual(cache, {
                        Type: "s3",
                        Shared: true,
                        s3: {
                            AuthenticationType: "iam",
                            BucketName: `${bucket.name}-a1b2c3d`,
                            BucketLocation: config.region,
                        },
                    });
                    const association = byName(T.association, `gitlab-${r.name}-cache-access`);
                    assert.deepEqual(
                        [association.inputs.namespace, association.inputs.serviceAccount, association.inputs.roleArn],
                        [RUNNER_NAMESPACES.managers, r.names.serviceAccount, `arn:aws:iam::${ACCOUNT}:role/gitlab-cache-role`],
                    );
                    assert.equal(association.inputs.clusterName, config.cluster.name);
                    assert.ok(
                        (association.opts?.dependsOn as any[]).some((d) => d.__name === "runners-pod-identity-agent"),
                        "association before the agent",
                    );
                    const deps = (byName(T.release, `gitlab-${r.name}-release`).opts?.dependsOn as any[]).map((d) => d.__name);
                    for (const d of [`gitlab-${r.name}-cache-access`, `gitlab-${r.name}-token`, `gitlab-${r.name}-executor`])
                        assert.ok(deps.includes(d), `release waits for ${d}`);
                });
            });
        }
    });
});
