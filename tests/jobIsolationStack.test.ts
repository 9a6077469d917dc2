// Job identity and isolation of each runner of both shipped stacks under mocks: accounts, network policies, quotas, job roles.
import { strict as assert } from "assert";
import { NetworkPolicy } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy";
import { parse as parseToml } from "smol-toml";
import { RunnerConfig, StackConfig } from "../config";
import { jobPodsPolicy, POLICY_NAMES } from "../components/runners/networkPolicies";
import { jobQuotaObjects } from "../components/runners/quota";
import { podIdentityTrustFor } from "../model/iam";
import { CLUSTER_API_OPT_IN, RUNNER_NAMESPACES } from "../model/labels";
import { Recorded, Run, runStackFile, stackConfigOf } from "./support/harness";
import { ACCOUNT } from "./support/mocks";
import { T } from "./support/jobIsolationStack";

const SERVICE_CIDR = "172.20.0.0/16"; // what the mocks answer for the cluster (plan/mocks.ts)

const depsOf = (r: Recorded) => ((r.opts?.dependsOn as any[]) ?? []).map((d) => d.__name as string);
const tomlOf = (run: Run, r: RunnerConfig) =>
    JSON.parse(JSON.stringify(parseToml(run.one(T.release, `gitlab-${r.name}-release`).inputs.values.runners.config))).runners[0]
        .kubernetes;

/** The checks every runner of every stack must pass. */
function runnerChecks(run: () => Run, config: () => StackConfig, r: RunnerConfig): void {
    const byName = (type: string, name: string) => run().one(type, name);

    // `service_account`, `automount_service_account_token` and `service_account_overwrite_allowed` are
    // [runners.kubernetes] keys of 18.9.0 and 19.3.0 (common/config.go; tests/fixtures/runner-config-keys.v*.txt); the
    // executor only `get`s the account (executors/kubernetes/kubernetes.go v18.9.0, serviceAccountExists).
    it("its own job service account, used by the job pods, token only with allowClusterApi", () => {
        const sa = byName(T.serviceAccount, `gitlab-${r.name}-job-sa`).inputs;
        assert.deepEqual([sa.metadata.name, sa.metadata.namespace], [r.names.jobServiceAccount, r.names.jobNamespace]);
        assert.equal(sa.automountServiceAccountToken, r.network.allowClusterApi);
        assert.equal(sa.metadata.labels[CLUSTER_API_OPT_IN.label] === CLUSTER_API_OPT_IN.value, r.network.allowClusterApi);
        const k = tomlOf(run(), r);
        assert.equal(k.service_account, r.names.jobServiceAccount);
        assert.equal(k.automount_service_account_token, r.network.allowClusterApi);
        assert.ok(!("service_account_overwrite_allowed" in k), "jobs cannot pick another account");
        const saRules = byName(T.role, `gitlab-${r.name}-executor`).inputs.rules.filter((x: any) =>
            x.resources.includes("serviceaccounts"),
        );
        assert.deepEqual(saRules, [
            { apiGroups: [""], resources: ["serviceaccounts"], verbs: ["get"], resourceNames: [sa.metadata.name] },
        ]);
    });

    it("network policies: the default deny and the runner's allow policy, as rendered, valid Kubernetes objects", () => {
        const deny = byName(T.networkPolicy, `gitlab-${r.name}-jobs-deny`).inputs;
        const allow = byName(T.networkPolicy, `gitlab-${r.name}-jobs-allow`).inputs;
        assert.deepEqual([deny.metadata.name, deny.metadata.namespace], [POLICY_NAMES.defaultDeny, r.names.jobNamespace]);
        assert.deepEqual(deny.spec, { podSelector: {}, policyTypes: ["Ingress", "Egress"] });
        const rendered = jobPodsPolicy({ runner: r, serviceCidr: SERVICE_CIDR, labels: allow.metadata.labels });
        assert.deepEqual(allow, rendered);
        for (const p of [deny, allow]) new NetworkPolicy(p).validate();
        // Allow before deny: jobs running when this is first applied keep DNS and their egress.
        assert.ok(depsOf(byName(T.networkPolicy, `gitlab-${r.name}-jobs-deny`)).includes(`gitlab-${r.name}-jobs-allow`));
    });

    it("quota and limit range of the job namespace, as resolved", () => {
        const q = byName(T.quota, `gitlab-${r.name}-jobs-quota`).inputs;
        const l = byName(T.limitRange, `gitlab-${r.name}-jobs-limits`).inputs;
        const rendered = jobQuotaObjects(r, q.metadata.labels);
        assert.deepEqual(q.spec, rendered.resourceQuota.spec);
        assert.deepEqual(l.spec, rendered.limitRange.spec);
        assert.equal(q.metadata.namespace, r.names.jobNamespace);
    });

    it("the manager starts taking jobs only once its job pods are fenced in (and can get their AWS identity)", () => {
        const deps = depsOf(byName(T.release, `gitlab-${r.name}-release`));
        const need = [
            "job-sa",
            "jobs-deny",
            "jobs-allow",
            "jobs-quota",
            "jobs-limits",
            ...(r.jobIdentity ? ["job-identity"] : []),
        ];
        for (const d of need) assert.ok(deps.includes(`gitlab-${r.name}-${d}`), `release waits for ${d}`);
    });

    // Trust as for the cache role: pods.eks.amazonaws.com with the session tags eks-cluster-name, kubernetes-namespace and
    // kubernetes-service-account required (EKS user guide, "Create IAM role with trust policy required by EKS Pod Identity").
    it("a Pod Identity job role exactly when jobIdentity is set: trusted by this cluster's job service account only", () => {
        const roles = run()
            .ofType(T.iamRole)
            .filter((x) => x.name === `gitlab-${r.name}-job-role`);
        const association = run()
            .ofType(T.association)
            .filter((x) => x.name === `gitlab-${r.name}-job-identity`);
        if (!r.jobIdentity) {
            assert.deepEqual([roles.length, association.length], [0, 0]);
            return;
        }
        const role = roles[0].inputs;
        assert.deepEqual(
            JSON.parse(role.assumeRolePolicy),
            podIdentityTrustFor("EksPodIdentityJobs", {
                clusterName: config().cluster.name,
                namespace: r.names.jobNamespace,
                serviceAccounts: [r.names.jobServiceAccount],
            }),
        );
        assert.equal(role.permissionsBoundary, r.jobIdentity.permissionsBoundaryArn);
        const attached = run()
            .ofType(T.attachment)
            .filter((a) => a.name.startsWith(`gitlab-${r.name}-job-policy-`));
        assert.deepEqual(attached.map((a) => a.inputs.policyArn).sort(), [...r.jobIdentity.managedPolicyArns].sort());
        for (const a of attached) assert.equal(a.inputs.role, `gitlab-${r.name}-job-role`);
        const a = association[0];
        assert.deepEqual(
            [a.inputs.namespace, a.inputs.serviceAccount, a.inputs.roleArn, a.inputs.clusterName],
            [
                r.names.jobNamespace,
                r.names.jobServiceAccount,
                `arn:aws:iam::${ACCOUNT}:role/gitlab-${r.name}-job-role`,
                config().cluster.name,
            ],
        );
        assert.ok(depsOf(a).includes("runners-pod-identity-agent"));
    });
}

describe("job identity and isolation (program under mocks)", () => {
    const runs: Record<string, Run> = {};
    before(async () => {
        runs.test = await runStackFile("test");
        runs.prod = await runStackFile("prod");
    });

    for (const stack of ["test", "prod"]) {
        describe(`stack ${stack}`, () => {
            const config = stackConfigOf(stack);
            for (const r of config.runners)
                describe(`runner ${r.name}`, () =>
                    runnerChecks(
                        () => runs[stack],
                        () => config,
                        r,
                    ));

            // @pulumi/eks v4.3.0 turns vpcCniOptions.enableNetworkPolicy into the vpc-cni add-on's configuration value
            // {"enableNetworkPolicy": "true"} (nodejs/eks/addons/cni-addon.ts; the value is a string in
            // aws/amazon-vpc-cni-k8s v1.23.0 charts/aws-vpc-cni/values.yaml), updated in place by UpdateAddon
            // (terraform-provider-aws internal/service/eks/addon.go). tests/urns.test.ts shows no URN changed.
            it("the VPC CNI enforces network policies (its add-on's configuration value, on the existing cluster)", () => {
                const cni = runs[stack].one("eks:index:Cluster").inputs.vpcCniOptions;
                assert.equal(cni.enableNetworkPolicy, true);
                assert.equal(cni.addonVersion, "v1.0.0-eksbuild.1", "the add-on version is still resolved at deploy time");
            });

            it("the managers' namespace: a default deny and the managers' own policy", () => {
                const deny = runs[stack].one(T.networkPolicy, "gitlab-managers-deny").inputs;
                const allow = runs[stack].one(T.networkPolicy, "gitlab-managers-allow").inputs;
                assert.equal(deny.metadata.namespace, RUNNER_NAMESPACES.managers);
                assert.deepEqual(deny.spec.podSelector, {});
                assert.equal(allow.metadata.namespace, RUNNER_NAMESPACES.managers);
                assert.deepEqual(allow.spec.podSelector, { matchLabels: { "eks-gitlab-runners/component": "manager" } });
                assert.ok(depsOf(runs[stack].one(T.networkPolicy, "gitlab-managers-deny")).includes("gitlab-managers-allow"));
            });

            // S3 User Guide, "Enabling Amazon S3 server access logging": with bucket-owner-enforced ownership the target's
            // bucket policy grants logging.s3.amazonaws.com s3:PutObject on <bucket>/<prefix>*, conditioned on
            // aws:SourceArn and aws:SourceAccount; a target's default encryption must be SSE-S3.
            it("cache access logs: into a private, encrypted, expiring log bucket kept like the cache; delivery allowed first", () => {
                const run = runs[stack];
                const logs = run.one(T.bucket, "gitlab-cache-logs-bucket");
                const cache = run.one(T.bucket, "gitlab-cache-bucket");
                assert.equal(logs.opts?.retainOnDelete, config.cache.retainOnDestroy);
                assert.equal(logs.inputs.forceDestroy, !config.cache.retainOnDestroy);
                const logName = `${logs.name}-a1b2c3d`;
                const part = (type: string, suffix: string) => run.one(type, `gitlab-cache-logs-${suffix}`);
                assert.deepEqual(part("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "public-access").inputs, {
                    bucket: logName,
                    blockPublicAcls: true,
                    blockPublicPolicy: true,
                    ignorePublicAcls: true,
                    restrictPublicBuckets: true,
                });
                assert.equal(
                    part("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "encryption")
                        .inputs.rules[0].applyServerSideEncryptionByDefault.sseAlgorithm,
                    "AES256",
                    "SSE-S3: the only default encryption a log target may have",
                );
                assert.equal(
                    part("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "lifecycle").inputs.rules[0]
                        .expiration.days,
                    config.cache.accessLogs.expirationDays,
                );
                const policy = JSON.parse(part(T.bucketPolicy, "policy").inputs.policy);
                const delivery = policy.Statement.find((s: any) => s.Sid === "S3ServerAccessLogDelivery");
                assert.deepEqual(delivery, {
                    Sid: "S3ServerAccessLogDelivery",
                    Effect: "Allow",
                    Principal: { Service: "logging.s3.amazonaws.com" },
                    Action: "s3:PutObject",
                    Resource: `arn:aws:s3:::${logName}/${config.cache.accessLogs.prefix}*`,
                    Condition: {
                        ArnLike: { "aws:SourceArn": `arn:aws:s3:::${cache.name}-a1b2c3d` },
                        StringEquals: { "aws:SourceAccount": ACCOUNT },
                    },
                });
                assert.ok(policy.Statement.some((s: any) => s.Sid === "DenyInsecureTransport"));
                const logging = run.one(T.bucketLogging, "gitlab-cache-access-logging");
                assert.deepEqual(
                    [logging.inputs.bucket, logging.inputs.targetBucket, logging.inputs.targetPrefix],
                    [`${cache.name}-a1b2c3d`, logName, config.cache.accessLogs.prefix],
                );
                assert.ok(depsOf(logging).includes("gitlab-cache-logs-policy"));
            });
        });
    }

    describe("prod: the deploy runner", () => {
        const config = stackConfigOf("prod");
        const deploy = config.runners.find((r) => r.name === "deploy")!;

        it("has a job identity, its own tag and node group, and room for 2 × concurrent at maxSize", () => {
            assert.deepEqual(deploy.jobIdentity?.managedPolicyArns, ["arn:aws:iam::444455556666:policy/ci-deploy"]);
            assert.deepEqual(deploy.tags, ["deploy"]);
            for (const other of config.runners.filter((r) => r !== deploy)) {
                assert.ok(!other.tags.includes("deploy"), other.name);
                assert.notEqual(other.nodeGroup, deploy.nodeGroup, "no other job shares a node with deploy credentials");
                assert.equal(other.jobIdentity, undefined, `${other.name} has no AWS identity`);
            }
            const capacity = config.capacity.runners.find((r) => r.name === "deploy")!;
            const group = config.nodeGroups.jobs.find((g) => g.name === deploy.nodeGroup)!;
            assert.ok(capacity.rolloutPeakJobs <= capacity.jobsPerNode * group.maxSize);
        });
    });
});
