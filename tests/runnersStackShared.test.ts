// What the runners of a shipped stack share under mocks: releases, cache bucket and role, namespaces, exports, no clear tokens.
import { allNodeGroups } from "../config";
import { RUNNER_NAMESPACES } from "../model/labels";
import { strict as assert } from "assert";
import { RunnerConfig } from "../config";
import { smallestNode } from "../config/runnerResources";
import { parseCpuMillis, parseMemoryMiB } from "../config/quantities";
import { FAKE_GITLAB_API_TOKEN, Recorded } from "./support/harness";
import { REGISTRATION_RESOURCE } from "./support/mocks";
import { strings, T } from "./support/runnerStack";
import { describeShippedStacks } from "./support/stackSuites";

describe("gitlab runners (program under mocks)", () => {
    describeShippedStacks((_stack, run, config) => {
        const byName = (type: string, name: string) => run().one(type, name);
        const release = (r: RunnerConfig) => byName(T.release, `gitlab-${r.name}-release`).inputs;

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
            for (const { s } of strings(run().outputs)) if (s.includes(FAKE_GITLAB_API_TOKEN)) found.push("LEAK stack output");
            const registered = [...config.runners, ...config.vmRunners].filter((r) => r.registration).length;
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
                assert.deepEqual([out[r.name].chartVersion, out[r.name].runnerVersion], [r.chart.version, r.chart.runnerVersion]);
            }
        });

        it("every node-group runner's concurrent fits its group at maxSize with default-sized jobs", () => {
            for (const r of config.runners.filter((x) => !x.fargate)) {
                const group = allNodeGroups(config.nodeGroups).find((g) => g.name === r.nodeGroup)!;
                const node = smallestNode(group, config.addons.containerInsights.enabled)!;
                const cpu = parseCpuMillis(r.resources.build.cpuRequest)! + parseCpuMillis(r.resources.helper.cpuRequest)!;
                const mem = parseMemoryMiB(r.resources.build.memoryRequest)! + parseMemoryMiB(r.resources.helper.memoryRequest)!;
                const perNode = Math.min(Math.floor(node.cpuMillis / cpu), Math.floor(node.memoryMiB / mem), node.pods);
                assert.ok(
                    r.concurrent <= perNode * group.maxSize,
                    `${r.name}: concurrent ${r.concurrent} > ${group.maxSize} × ${perNode}`,
                );
            }
        });
    });
});
