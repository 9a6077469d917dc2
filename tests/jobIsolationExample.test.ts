// Job identity and isolation in the example stack examples/Pulumi.isolation.yaml under mocks.
import { strict as assert } from "assert";
import { PROJECT } from "../config";
import { CLUSTER_API_OPT_IN } from "../model/labels";
import { configOfStack, Run, runStackFile } from "./support/harness";
import { T } from "./support/jobIsolationStack";

describe("job identity and isolation (program under mocks)", () => {
    const runs: Record<string, Run> = {};
    before(async () => {
        runs.example = await runStackFile("isolation"); // the harness runs it once per test process
    });

    describe("example stack examples/Pulumi.isolation.yaml", () => {
        const file = configOfStack("isolation");
        const runners = file[`${PROJECT}:runners`] as Record<string, any>;
        const byName = (type: string, name: string) => runs.example.one(type, name);

        it("inline statements and the permissions boundary reach the job role", () => {
            const role = byName(T.iamRole, "gitlab-platform-job-role").inputs;
            assert.equal(role.permissionsBoundary, runners.platform.jobIdentity.permissionsBoundaryArn);
            const inline = JSON.parse(byName(T.rolePolicy, "gitlab-platform-job-inline").inputs.policy);
            assert.deepEqual(
                inline.Statement.map((s: any) => [s.Effect, s.Action, s.Resource]),
                runners.platform.jobIdentity.statements.map((s: any) => [s.effect, s.actions, s.resources]),
            );
            assert.ok(runs.example.ofType(T.attachment).some((a) => a.name === "gitlab-platform-job-policy-aws-readonlyaccess"));
        });

        it("allowClusterApi: the token is mounted, the account opted in, the API's ClusterIP allowed on 443", () => {
            const sa = byName(T.serviceAccount, "gitlab-platform-job-sa").inputs;
            assert.equal(sa.automountServiceAccountToken, true);
            assert.equal(sa.metadata.labels[CLUSTER_API_OPT_IN.label], CLUSTER_API_OPT_IN.value);
            const egress = byName(T.networkPolicy, "gitlab-platform-jobs-allow").inputs.spec.egress;
            assert.ok(egress.some((r: any) => r.to[0].ipBlock?.cidr === "172.20.0.1/32" && r.ports[0].port === 443));
            assert.ok(
                egress.some((r: any) => r.to.some((p: any) => p.ipBlock?.cidr === "10.0.0.0/16")),
                "vpc",
            );
            assert.ok(
                egress.some((r: any) => r.to.some((p: any) => p.ipBlock?.cidr === "192.168.10.0/24")),
                "cidrs",
            );
        });

        it("the explicit quota is the namespace's ResourceQuota", () => {
            assert.deepEqual(byName(T.quota, "gitlab-platform-jobs-quota").inputs.spec.hard, {
                pods: "24",
                "requests.cpu": "20",
                "requests.memory": "80Gi",
            });
        });

        it("access logs into an existing bucket: none is created", () => {
            assert.deepEqual(
                runs.example.ofType(T.bucket).map((b) => b.name),
                ["gitlab-cache-bucket"],
            );
            const logging = byName(T.bucketLogging, "gitlab-cache-access-logging").inputs;
            assert.equal(logging.targetBucket, "central-s3-access-logs-111122223333");
            assert.equal(logging.targetPrefix, "ci-runners-isolation/cache/");
        });
    });
});
