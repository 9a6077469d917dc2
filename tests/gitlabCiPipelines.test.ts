// The shipped .gitlab-ci.yml for every kind of pipeline: which jobs it creates, which AWS role each job assumes and
// whether that role's trust lets it in, and where the cloud jobs run and log in (what each job does: gitlabCiJobs.test.ts).
import { strict as assert } from "assert";
import { CiRole, subject, trustPolicy } from "../scripts/ci/trust";
import { stackFileConfig } from "./support/harness";
import { trustAccepts } from "./support/iamTrust";
import {
    callsCloud,
    checkGitlabCi,
    identitiesIn,
    isMergeRequest,
    jobsIn,
    refProtected,
    SCENARIOS,
    scriptOf,
    shippedPipeline,
    tokenRef,
} from "./support/gitlabCi";

describe(".gitlab-ci.yml", () => {
    const { text, pipeline, job } = shippedPipeline();
    const jobs = (scenario: string) => jobsIn(pipeline, scenario);

    describe("the shipped file", () => {
        it("passes every check", () => assert.deepEqual(checkGitlabCi(text), []));

        it("the jobs of every kind of pipeline", () => {
            const release = {
                "npm-test": "on_success",
                "preview:prod": "on_success",
                "deploy:test": "on_success",
                "deploy:prod": "manual",
            };
            const expected: Record<string, Record<string, string>> = {
                "merge request from an unprotected branch": { "npm-test": "on_success", "offline-plan": "on_success" },
                "merge request from a protected branch": { "npm-test": "on_success", "offline-plan": "on_success" },
                "push to a branch with an MR": {},
                "push to an unprotected branch": {},
                "push to a preview/ branch": {
                    "npm-test": "on_success",
                    "preview:test": "on_success",
                    "preview:prod": "on_success",
                },
                "push to the default branch": release,
                "release tag": release,
                "other tag": {},
                "drift schedule": { "drift:test": "on_success", "drift:prod": "on_success" },
                "patch schedule": { "patch:test": "on_success", "patch:prod": "on_success" },
                "Run pipeline on the default branch, break-glass prod": {
                    "break-glass:grant:prod": "manual",
                    "break-glass:revoke:prod": "manual",
                },
                "Run pipeline on the default branch, break-glass test": {
                    "break-glass:grant:test": "manual",
                    "break-glass:revoke:test": "manual",
                },
                "Run pipeline on another branch": {},
            };
            assert.deepEqual(Object.keys(expected), Object.keys(SCENARIOS));
            for (const s of Object.keys(SCENARIOS)) assert.deepEqual(jobs(s), expected[s], s);
        });

        it("who can reach which identity: each pipeline, its jobs' roles, and the trust that lets them in", () => {
            const reached = Object.fromEntries(
                Object.keys(SCENARIOS).map((s) => [s, [...new Set(Object.values(identitiesIn(pipeline, s)))].sort()]),
            );
            assert.deepEqual(reached, {
                "merge request from an unprotected branch": [],
                "merge request from a protected branch": [],
                "push to a branch with an MR": [],
                "push to an unprotected branch": [],
                "push to a preview/ branch": ["PROD_PREVIEW_ROLE_ARN", "TEST_PREVIEW_ROLE_ARN"],
                "push to the default branch": ["PROD_DEPLOY_ROLE_ARN", "PROD_PREVIEW_ROLE_ARN", "TEST_DEPLOY_ROLE_ARN"],
                "release tag": ["PROD_DEPLOY_ROLE_ARN", "PROD_PREVIEW_ROLE_ARN", "TEST_DEPLOY_ROLE_ARN"],
                "other tag": [],
                "drift schedule": ["PROD_DEPLOY_ROLE_ARN", "TEST_DEPLOY_ROLE_ARN"],
                "patch schedule": ["PROD_DEPLOY_ROLE_ARN", "TEST_DEPLOY_ROLE_ARN"],
                "Run pipeline on the default branch, break-glass prod": ["PROD_DEPLOY_ROLE_ARN"],
                "Run pipeline on the default branch, break-glass test": ["TEST_DEPLOY_ROLE_ARN"],
                "Run pipeline on another branch": [],
            });
            // Every role a job assumes trusts that pipeline's ID token (else the job fails), and only protected refs get one.
            const project = "platform/eks-gitlab-runners";
            for (const s of Object.keys(SCENARIOS)) {
                const sub = subject(project, tokenRef(s));
                for (const [name, variable] of Object.entries(identitiesIn(pipeline, s))) {
                    assert.ok(refProtected(s) && !isMergeRequest(s), `${name} in ${s}`);
                    const arn = pipeline.variables[variable];
                    const role = arn.split("/").pop() === "gitlab-ci-deploy" ? "deploy" : "preview";
                    const doc = trustPolicy(role, {
                        account: arn.split(":")[4],
                        gitlabHost: "gitlab.example.com",
                        projectPath: project,
                        audience: pipeline.variables.AWS_OIDC_AUDIENCE,
                    });
                    const token = {
                        provider: "gitlab.example.com",
                        account: arn.split(":")[4],
                        aud: pipeline.variables.AWS_OIDC_AUDIENCE,
                        sub,
                    };
                    assert.ok(trustAccepts(doc, token), `${variable} must trust ${sub} (${name} in ${s})`);
                }
            }
        });

        it("no identity at all for a merge request or an unprotected ref: the trust refuses their tokens whatever the YAML", () => {
            const project = "platform/eks-gitlab-runners";
            for (const s of Object.keys(SCENARIOS).filter((s) => isMergeRequest(s) || !refProtected(s))) {
                const ref = tokenRef(s);
                if (ref.name?.startsWith("preview/")) continue; // a protected source branch; its MR pipeline still gets no job
                for (const role of ["preview", "deploy"] as CiRole[]) {
                    const doc = trustPolicy(role, {
                        account: "444455556666",
                        gitlabHost: "gitlab.example.com",
                        projectPath: project,
                        audience: "sts.amazonaws.com",
                    });
                    const token = {
                        provider: "gitlab.example.com",
                        account: "444455556666",
                        aud: "sts.amazonaws.com",
                        sub: subject(project, ref),
                    };
                    assert.ok(!trustAccepts(doc, token), `${role} must refuse ${s}`);
                }
            }
        });

        it("credentials: an ID token exchanged with assume-role-with-web-identity, for protected refs only", () => {
            const infra = pipeline.doc[".infra"];
            assert.deepEqual(Object.keys(infra.id_tokens), ["AWS_ID_TOKEN"]);
            const script = scriptOf(job("deploy:test"));
            assert.match(script, /CI_COMMIT_REF_PROTECTED:-false\}" != "true" \][\s\S]*exit 1/);
            assert.match(
                script,
                /aws sts assume-role-with-web-identity --role-arn "\$AWS_ROLE_ARN" .*--web-identity-token "\$AWS_ID_TOKEN" --duration-seconds "\$AWS_SESSION_SECONDS"/s,
            );
        });

        it("each stack's roles: its deploy role is cluster.deployRoleArn, its preview role a viewer, in the stack's account", () => {
            for (const stack of ["test", "prod"]) {
                const cluster = stackFileConfig(stack)["eks-gitlab-runners:cluster"] as {
                    viewerRoleArns: string[];
                    deployRoleArn: string;
                };
                const upper = stack.toUpperCase();
                assert.equal(pipeline.variables[`${upper}_DEPLOY_ROLE_ARN`], cluster.deployRoleArn, stack);
                assert.ok(cluster.viewerRoleArns.includes(pipeline.variables[`${upper}_PREVIEW_ROLE_ARN`]), stack);
                assert.equal(
                    pipeline.variables[`${upper}_PREVIEW_ROLE_ARN`].split(":")[4],
                    cluster.deployRoleArn.split(":")[4],
                    stack,
                );
            }
        });

        it("backend: one per stack (and account), checked to be that account's bucket; Pulumi Cloud tokens never in the file", () => {
            for (const stack of ["test", "prod"])
                assert.equal(job(`deploy:${stack}`).variables.STACK_BACKEND_URL, `$${stack.toUpperCase()}_PULUMI_BACKEND_URL`);
            const login = scriptOf(job("deploy:prod"));
            assert.match(
                login,
                /aws s3api head-bucket --bucket "\$BUCKET" --expected-bucket-owner "\$AWS_ACCOUNT_ID"[\s\S]*exit 1; \}\n[\s\S]*export PULUMI_BACKEND_URL="\$STACK_BACKEND_URL"\n\s*pulumi login "\$STACK_BACKEND_URL"/,
            );
            assert.match(login, /elif \[ -n "\$\{PULUMI_ACCESS_TOKEN:-\}" \]; then\s+unset PULUMI_BACKEND_URL\s+pulumi login/);
            assert.ok(!("PULUMI_ACCESS_TOKEN" in pipeline.variables) && !("PULUMI_BACKEND_URL" in pipeline.variables));
        });

        it("every job that touches AWS or Pulumi runs on the infra runner named by a variable", () => {
            assert.equal(pipeline.variables.INFRA_RUNNER_TAG, "infra");
            const cloudJobs = Object.entries(pipeline.jobs)
                .filter(([, j]) => callsCloud(j))
                .map(([n]) => n);
            assert.equal(cloudJobs.length, 12, "previews, deploys, drift and patch per stack, four break-glass jobs");
            for (const name of cloudJobs) assert.deepEqual(job(name).tags, ["$INFRA_RUNNER_TAG"], name);
        });
    });
});
