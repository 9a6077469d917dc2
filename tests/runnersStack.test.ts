import { allNodeGroups } from "../config";
import { RUNNER_NAMESPACES } from "../model/labels";
import { strict as assert } from "assert";
import { parse as parseToml } from "smol-toml";
import { PROJECT, RunnerConfig, StackConfig } from "../config";
import { RUNNER_CHART_NAME, RUNNER_CHART_REPO } from "../config/runnerCharts";

import { smallestNode } from "../config/runnerResources";
import { parseCpuMillis, parseMemoryMiB } from "../config/quantities";
import { PRIORITY_CLASSES } from "../model/priorityClasses";
import { chartGlobalToml, ChartGlobalValues, renderRunnerToml } from "../components/runners/configToml";
import { unknownKeys } from "./fixtures/runnerConfigKeys";
import {
    FAKE_GITLAB_API_TOKEN,
    fakeRunnerToken,
    isSecretInput,
    Recorded,
    Run,
    runStackFile,
    stackConfigOf,
    stackFileConfig,
} from "./support/harness";
import { ACCOUNT, REGISTRATION_RESOURCE, registeredRunnerToken, ssmRunnerToken } from "./support/mocks";

const T = {
    release: "kubernetes:helm.sh/v3:Release",
    secret: "kubernetes:core/v1:Secret",
    namespace: "kubernetes:core/v1:Namespace",
    serviceAccount: "kubernetes:core/v1:ServiceAccount",
    role: "kubernetes:rbac.authorization.k8s.io/v1:Role",
    roleBinding: "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding",
    pdb: "kubernetes:policy/v1:PodDisruptionBudget",
    nodeGroup: "aws:eks/nodeGroup:NodeGroup",
    bucket: "aws:s3/bucket:Bucket",
    association: "aws:eks/podIdentityAssociation:PodIdentityAssociation",
    iamRole: "aws:iam/role:Role",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
} as const;
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
const SSM_PARAMETER = "/ci/runners/amd64/token";

const stackConfig: (stack: string, overrides?: Record<string, unknown>) => StackConfig = stackConfigOf;

/** Every string in a value, with whether it sits inside a Pulumi secret envelope. */
function strings(value: unknown, inSecret = false, out: { s: string; secret: boolean }[] = []): { s: string; secret: boolean }[] {
    if (typeof value === "string") out.push({ s: value, secret: inSecret });
    else if (isSecretInput(value)) strings(value.value, true, out);
    else if (Array.isArray(value)) value.forEach((v) => strings(v, inSecret, out));
    else if (value !== null && typeof value === "object") Object.values(value).forEach((v) => strings(v, inSecret, out));
    return out;
}

const SSM_OVERRIDES = (() => {
    const runners = stackFileConfig("test")[`${PROJECT}:runners`] as Record<string, object>;
    return { [`${PROJECT}:runners`]: { ...runners, amd64: { ...runners.amd64, tokenSsmParameter: SSM_PARAMETER } } };
})();

describe("gitlab runners (program under mocks)", () => {
    const runs: Record<string, Run> = {};
    before(async () => {
        runs.test = await runStackFile("test");
        runs.prod = await runStackFile("prod");
        runs.ssm = await runStackFile("test", SSM_OVERRIDES);
        runs.none = await runStackFile("test", { [`${PROJECT}:runners`]: {} });
    });

    for (const stack of ["test", "prod"]) {
        describe(`stack ${stack}`, () => {
            const run = () => runs[stack];
            const config = stackConfig(stack);
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

            it("declares one Helm release per runner and VM runner, nothing else", () => {
                assert.deepEqual(
                    run()
                        .ofType("eks-gitlab-runners:index:GitlabRunner")
                        .map((c) => c.name),
                    config.runners.map((r) => `gitlab-${r.name}`),
                );
                assert.deepEqual(
                    run()
                        .ofType(T.release)
                        .filter((r) => r.name.startsWith("gitlab-"))
                        .map((r) => r.name)
                        .sort(),
                    [
                        ...config.runners.map((r) => `gitlab-${r.name}-release`),
                        ...config.vmRunners.map((v) => `gitlab-vm-${v.name}-release`),
                    ].sort(),
                );
            });

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
                            [
                                RUNNER_NAMESPACES.managers,
                                r.names.serviceAccount,
                                `arn:aws:iam::${ACCOUNT}:role/gitlab-cache-role`,
                            ],
                        );
                        assert.equal(association.inputs.clusterName, config.cluster.name);
                        assert.ok(
                            (association.opts?.dependsOn as any[]).some((d) => d.__name === "runners-pod-identity-agent"),
                            "association before the agent",
                        );
                        const deps = (byName(T.release, `gitlab-${r.name}-release`).opts?.dependsOn as any[]).map(
                            (d) => d.__name,
                        );
                        for (const d of [`gitlab-${r.name}-cache-access`, `gitlab-${r.name}-token`, `gitlab-${r.name}-executor`])
                            assert.ok(deps.includes(d), `release waits for ${d}`);
                    });
                });
            }

            it("one cache bucket per stack: private, encrypted, unversioned, expiring, retained as configured", () => {
                // The cache bucket, and its access-log bucket (tests/cacheAccessLogs.test.ts).
                const bucket = run()
                    .ofType(T.bucket)
                    .filter((b) => b.name !== "gitlab-cache-logs-bucket");
                assert.equal(bucket.length, 1);
                assert.equal(bucket[0].opts?.retainOnDelete, config.cache.retainOnDestroy);
                assert.equal(bucket[0].inputs.forceDestroy, !config.cache.retainOnDestroy);
                const name = `${bucket[0].name}-a1b2c3d`;
                const pab = byName("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "gitlab-cache-public-access");
                assert.deepEqual(pab.inputs, {
                    bucket: name,
                    blockPublicAcls: true,
                    blockPublicPolicy: true,
                    ignorePublicAcls: true,
                    restrictPublicBuckets: true,
                });
                assert.equal(
                    pab.opts?.retainOnDelete,
                    config.cache.retainOnDestroy,
                    "the public access block stays with a retained bucket",
                );
                assert.equal(
                    byName(
                        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
                        "gitlab-cache-encryption",
                    ).inputs.rules[0].applyServerSideEncryptionByDefault.sseAlgorithm,
                    "AES256",
                );
                assert.equal(
                    byName("aws:s3/bucketVersioning:BucketVersioning", "gitlab-cache-versioning").inputs.versioningConfiguration
                        .status,
                    "Disabled",
                );
                assert.equal(
                    byName("aws:s3/bucketOwnershipControls:BucketOwnershipControls", "gitlab-cache-ownership").inputs.rule
                        .objectOwnership,
                    "BucketOwnerEnforced",
                );
                assert.equal(
                    byName("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "gitlab-cache-lifecycle").inputs
                        .rules[0].expiration.days,
                    config.cache.expirationDays,
                );
                assert.equal(run().outputs.runnerCacheBucket, name);
            });

            it("one cache role: trusted by Pod Identity for exactly the runner managers, object access on the bucket only", () => {
                const bucket = `arn:aws:s3:::${run().one(T.bucket, "gitlab-cache-bucket").name}-a1b2c3d`;
                const trust = JSON.parse(byName(T.iamRole, "gitlab-cache-role").inputs.assumeRolePolicy);
                assert.deepEqual(trust.Statement[0].Principal, { Service: "pods.eks.amazonaws.com" });
                assert.deepEqual(
                    trust.Statement[0].Condition.StringEquals["aws:RequestTag/kubernetes-service-account"],
                    config.runners.map((r) => r.names.serviceAccount).sort(),
                );
                assert.equal(trust.Statement[0].Condition.StringEquals["aws:RequestTag/eks-cluster-name"], config.cluster.name);
                const policy = JSON.parse(byName(T.rolePolicy, "gitlab-cache-access").inputs.policy);
                assert.deepEqual(
                    policy.Statement.map((s: any) => s.Resource),
                    [`${bucket}/*`, bucket],
                );
                assert.equal(run().ofType("aws:iam/accessKey:AccessKey").length, 0, "no static keys");
                assert.equal(run().ofType("aws:iam/user:User").length, 0, "no IAM users");
            });

            it("no GitLab API token in clear: only inside the registration resources' secret apiToken input", () => {
                const found: string[] = [];
                for (const r of run().resources) {
                    for (const { s, secret } of strings(r.inputs)) {
                        if (!s.includes(FAKE_GITLAB_API_TOKEN)) continue;
                        found.push(secret && r.type === REGISTRATION_RESOURCE ? "registration" : `LEAK ${r.type} ${r.name}`);
                    }
                }
                for (const c of run().calls)
                    for (const { s } of strings(c.inputs))
                        if (s.includes(FAKE_GITLAB_API_TOKEN)) found.push(`LEAK invoke ${c.token}`);
                for (const { s } of strings(run().outputs))
                    if (s.includes(FAKE_GITLAB_API_TOKEN)) found.push("LEAK stack output");
                const registered = config.runners.filter((r) => r.registration).length;
                assert.deepEqual(found, Array(registered).fill("registration"));
            });

            it("no runner token in clear: every recorded input, invoke and stack output scanned for glrt-", () => {
                const leaks: string[] = [];
                const allowed = (r: Recorded) => r.type === T.secret && r.name.endsWith("-token");
                for (const r of run().resources) {
                    for (const { s, secret } of strings(r.inputs))
                        if (s.includes("glrt-") && !(secret && allowed(r))) leaks.push(`${r.type} ${r.name}`);
                }
                for (const c of run().calls)
                    for (const { s } of strings(c.inputs)) if (s.includes("glrt-")) leaks.push(`invoke ${c.token}`);
                for (const { s } of strings(run().outputs)) if (s.includes("glrt-")) leaks.push("stack output");
                assert.deepEqual(leaks, []);
                // And the scan sees tokens where they are: one per runner and VM runner, inside a secret.
                const found = run()
                    .ofType(T.secret)
                    .flatMap((r) => strings(r.inputs).filter((x) => x.s.startsWith("glrt-")));
                assert.equal(found.length, config.runners.length + config.vmRunners.length);
                assert.ok(found.every((x) => x.secret));
            });

            it("managers share one namespace; each runner's jobs get their own", () => {
                const namespaces = run()
                    .ofType(T.namespace)
                    .filter((n) => n.name.startsWith("gitlab-"))
                    .map((n) => n.inputs.metadata.name);
                assert.deepEqual(
                    namespaces.sort(),
                    [RUNNER_NAMESPACES.managers, ...config.runners.map((r) => r.names.jobNamespace)].sort(),
                );
                assert.equal(
                    run().resources.filter((r) => /ClusterRole/.test(r.type) && r.name.startsWith("gitlab-")).length,
                    0,
                    "no cluster-wide RBAC for runners",
                );
            });

            it("exports each runner's rendered config.toml and versions for the offline plan", () => {
                const out = run().outputs.runners as Record<string, any>;
                assert.deepEqual(
                    Object.keys(out),
                    config.runners.map((r) => r.name),
                );
                for (const r of config.runners) {
                    assert.equal(out[r.name].configToml, release(r).values.runners.config);
                    assert.deepEqual(
                        [out[r.name].chartVersion, out[r.name].runnerVersion],
                        [r.chart.version, r.chart.runnerVersion],
                    );
                }
            });

            it("every node-group runner's concurrent fits its group at maxSize with default-sized jobs", () => {
                for (const r of config.runners.filter((x) => !x.fargate)) {
                    const group = allNodeGroups(config.nodeGroups).find((g) => g.name === r.nodeGroup)!;
                    const node = smallestNode(group, config.addons.containerInsights.enabled)!;
                    const cpu = parseCpuMillis(r.resources.build.cpuRequest)! + parseCpuMillis(r.resources.helper.cpuRequest)!;
                    const mem =
                        parseMemoryMiB(r.resources.build.memoryRequest)! + parseMemoryMiB(r.resources.helper.memoryRequest)!;
                    const perNode = Math.min(Math.floor(node.cpuMillis / cpu), Math.floor(node.memoryMiB / mem), node.pods);
                    assert.ok(
                        r.concurrent <= perNode * group.maxSize,
                        `${r.name}: concurrent ${r.concurrent} > ${group.maxSize} × ${perNode}`,
                    );
                }
            });
        });
    }

    it("test stack: one amd64 runner on nodes and one Fargate runner", () => {
        const config = stackConfig("test");
        assert.deepEqual(
            config.runners.map((r) => [r.name, r.fargate === true]),
            [
                ["amd64", false],
                ["isolated", true],
            ],
        );
        assert.equal(allNodeGroups(config.nodeGroups).find((g) => g.name === config.runners[0].nodeGroup)!.arch, "amd64");
    });

    it("prod stack: on-demand amd64, Spot amd64 (tag spot), arm64 Spot from zero (tag arm64), ≥ 1000 jobs together", () => {
        const config = stackConfig("prod");
        const groupOf = (r: RunnerConfig) => allNodeGroups(config.nodeGroups).find((g) => g.name === r.nodeGroup)!;
        const find = (pred: (r: RunnerConfig) => boolean) => config.runners.filter(pred);
        // Build runners; the deploy runner (on-demand amd64 too, its own group) is checked in jobIsolationStack.test.ts.
        assert.equal(
            find((r) => groupOf(r).arch === "amd64" && groupOf(r).capacityType === "ON_DEMAND" && !r.jobIdentity).length,
            1,
        );
        const spot = find((r) => groupOf(r).arch === "amd64" && groupOf(r).capacityType === "SPOT");
        assert.equal(spot.length, 1);
        assert.ok(spot[0].tags.includes("spot"));
        const arm = find((r) => groupOf(r).arch === "arm64");
        assert.equal(arm.length, 1);
        assert.ok(arm[0].tags.includes("arm64"));
        assert.equal(groupOf(arm[0]).capacityType, "SPOT");
        assert.ok(groupOf(arm[0]).scalesToZero);
        assert.ok(config.runners.reduce((sum, r) => sum + r.concurrent, 0) >= 1000);
    });

    it("the tuning walkthrough (docs/runners.md): raising arm64's memory ceilings changes exactly those two lines", () => {
        const runners = stackFileConfig("prod")[`${PROJECT}:runners`] as Record<string, Record<string, unknown>>;
        const edited = (extra: Record<string, unknown>) => ({
            [`${PROJECT}:runners`]: { ...runners, arm64: { ...runners.arm64, ...extra } },
        });
        const render = (cfg: StackConfig) =>
            Object.fromEntries(
                cfg.runners.map((r) => [
                    r.name,
                    renderRunnerToml({
                        runner: r,
                        group: allNodeGroups(cfg.nodeGroups).find((g) => g.name === r.nodeGroup)!,
                        cache: { bucketName: "cache", region: cfg.region },
                    }).split("\n"),
                ]),
            );
        const before = render(stackConfig("prod"));
        const after = render(stackConfig("prod", edited({ memoryRequestMax: "24Gi", memoryLimitMax: "24Gi" })));
        for (const name of Object.keys(before)) {
            const removed = before[name].filter((l) => !after[name].includes(l));
            const added = after[name].filter((l) => !before[name].includes(l));
            if (name !== "arm64") assert.deepEqual([removed, added], [[], []], name);
            else {
                assert.deepEqual(removed, [
                    'memory_request_overwrite_max_allowed = "31494Mi"',
                    'memory_limit_overwrite_max_allowed = "31622Mi"',
                ]);
                assert.deepEqual(added, [
                    'memory_request_overwrite_max_allowed = "24Gi"',
                    'memory_limit_overwrite_max_allowed = "24Gi"',
                ]);
            }
        }
        assert.throws(
            () => stackConfig("prod", edited({ memoryLimitMax: "64Gi" })),
            /runners\.arm64\.memoryLimitMax: 64Gi exceeds the allocatable memory of m7g\.2xlarge \(≈ 30\.9Gi\) in node group "arm64-spot"; no job can use more than 31622Mi there/,
        );
    });

    it("a stack without runners deploys no runner, cache or manager namespace", () => {
        const mine = runs.none.resources.filter((r) => r.name.startsWith("gitlab"));
        assert.deepEqual(
            mine.map((r) => r.type),
            ["eks-gitlab-runners:index:RunnerFleet"],
        );
        assert.deepEqual(runs.none.outputs.runners, {});
        assert.equal(runs.none.outputs.runnerCacheBucket, undefined);
    });

    it("SSM token source: read as a decrypted SecureString at deploy time, kept secret, never in clear", () => {
        const run = runs.ssm;
        const lookups = run.calls.filter((c) => c.token === "aws:ssm/getParameter:getParameter" && c.inputs.withDecryption);
        assert.deepEqual(
            lookups.map((c) => c.inputs.name),
            [SSM_PARAMETER],
        );
        const secret = run.one(T.secret, "gitlab-amd64-token").inputs;
        const data: unknown = secret.stringData;
        assert.ok(isSecretInput(data));
        assert.equal((data.value as Record<string, string>)["runner-token"], ssmRunnerToken(SSM_PARAMETER));
        for (const r of run.resources) {
            for (const { s, secret: inSecret } of strings(r.inputs))
                assert.ok(!s.includes("glrt-") || inSecret, `${r.type} ${r.name}`);
        }
    });
});
