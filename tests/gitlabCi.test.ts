import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import { parse as parseYaml } from "yaml";
import { shippedDeployWindow, timeoutMinutes } from "../scripts/ci/deployWindow";
import { CiRole, subject, trustPolicy } from "../scripts/ci/trust";
import { stackFileConfig } from "./support/harness";
import { trustAccepts } from "./support/iamTrust";
import {
    callsCloud,
    checkGitlabCi,
    CI_FILE,
    identitiesIn,
    isMergeRequest,
    jobsIn,
    needsOf,
    parsePipeline,
    Pipeline,
    refProtected,
    runsPulumiUp,
    SCENARIOS,
    scriptOf,
    tokenRef,
} from "./support/gitlabCi";

describe(".gitlab-ci.yml", () => {
    const text = fs.readFileSync(CI_FILE, "utf8");
    const pipeline = parsePipeline(text) as Pipeline;
    const jobs = (scenario: string) => jobsIn(pipeline, scenario);
    const job = (name: string) => pipeline.jobs[name] ?? assert.fail(`no job ${name}`);

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

        it("merge requests: npm test, and the offline plan and its diff from the merge request's base for both stacks, nothing with credentials", () => {
            assert.match(scriptOf(job("npm-test")), /npm ci[\s\S]*npm test/);
            const plan = scriptOf(job("offline-plan"));
            assert.match(plan, /for STACK in test prod; do/);
            assert.match(plan, /npm run --silent plan -- "\$STACK" --format markdown > "plan-\$\{STACK\}\.md"/);
            assert.match(
                plan,
                /npm run --silent plan -- "\$STACK" --base "\$BASE" --format markdown > "plan-diff-\$\{STACK\}\.md"/,
            );
            assert.match(plan, /BASE="\$\{CI_MERGE_REQUEST_DIFF_BASE_SHA:\?/);
            assert.equal(job("offline-plan").variables.GIT_DEPTH, "0");
            for (const stack of ["test", "prod"])
                for (const file of [`plan-${stack}.md`, `plan-diff-${stack}.md`])
                    assert.ok(job("offline-plan").artifacts.paths.includes(file), file);
            // The note goes to this merge request only, with a token the job reads from a variable, never one in the file.
            assert.match(plan, /if \[ -n "\$\{PLAN_NOTE_TOKEN:-\}" \]/);
            assert.match(plan, /curl [^\n]*--header "PRIVATE-TOKEN: \$\{PLAN_NOTE_TOKEN\}"/);
            assert.match(
                plan,
                /"\$\{CI_API_V4_URL\}\/projects\/\$\{CI_PROJECT_ID\}\/merge_requests\/\$\{CI_MERGE_REQUEST_IID\}\/notes"/,
            );
            assert.ok(!callsCloud(job("npm-test")) && !callsCloud(job("offline-plan")) && !job("offline-plan").id_tokens);
        });

        it("previews: the read-only role of each stack with the policy pack, in environment readonly/<stack>", () => {
            for (const stack of ["test", "prod"]) {
                const preview = job(`preview:${stack}`);
                assert.equal(preview.variables.STACK, stack);
                assert.match(scriptOf(preview), /pulumi preview --stack "\$STACK_REF" --diff .*--policy-pack policy-pack/);
                assert.equal(preview.variables.AWS_ROLE_ARN, `$${stack.toUpperCase()}_PREVIEW_ROLE_ARN`);
                assert.deepEqual(preview.environment, { name: "readonly/$STACK", action: "prepare" });
            }
            // On main and tags the prod preview informs the person who presses play; it gates nothing.
            assert.deepEqual(
                job("preview:prod").rules.map((r: { allow_failure?: boolean }) => r.allow_failure ?? false),
                [false, true, true],
            );
            assert.ok(!needsOf(job("deploy:prod")).some((n) => n.job === "preview:prod"));
        });

        it("deploys: test, then prod by a person after npm test and deploy:test of the same commit; a first deploy is refused", () => {
            assert.deepEqual(needsOf(job("deploy:prod")), [
                { job: "npm-test", optional: false },
                { job: "deploy:test", optional: false },
            ]);
            for (const stack of ["test", "prod"]) {
                const deploy = job(`deploy:${stack}`);
                const script = scriptOf(deploy);
                assert.match(
                    script,
                    /stackHistory\.ts require-deployed \|\| exit 1\n\s*pulumi up --stack "\$STACK_REF" --yes .*--policy-pack policy-pack/,
                );
                assert.equal(deploy.resource_group, `pulumi-${stack}`);
                assert.equal(deploy.environment.name, stack);
                assert.equal(deploy.variables.AWS_ROLE_ARN, `$${stack.toUpperCase()}_DEPLOY_ROLE_ARN`);
            }
            assert.equal(job("deploy:prod").allow_failure, false, "the pipeline shows prod as pending, not passed");
        });

        it("the deploy window: every `pulumi up` job has the 4-hour timeout and session; short jobs keep one hour", () => {
            // Credentials must outlive the job; a role's MaxSessionDuration is at most 12 h and AssumeRoleWithWebIdentity
            // fails above it (STS API reference, DurationSeconds). Node group create/delete default to 60 min each in the
            // AWS provider (terraform-provider-aws internal/service/eks/node_group.go); the arithmetic is in docs/runbook.md.
            const window = shippedDeployWindow();
            assert.ok(window.sessionSeconds >= window.timeoutMinutes * 60, "credentials outlive the job");
            assert.ok(window.sessionSeconds <= 43200, "within IAM's 12-hour MaxSessionDuration");
            for (const [name, j] of Object.entries(pipeline.jobs).filter(([, j]) => runsPulumiUp(j))) {
                assert.equal(timeoutMinutes(j.timeout), window.timeoutMinutes, name);
                assert.equal(j.variables.AWS_SESSION_SECONDS, "$DEPLOY_SESSION_SECONDS", name);
            }
            for (const [name, j] of Object.entries(pipeline.jobs).filter(([, j]) => callsCloud(j) && !runsPulumiUp(j))) {
                assert.equal(j.variables.AWS_SESSION_SECONDS ?? pipeline.variables.AWS_SESSION_SECONDS, "3600", name);
                assert.ok(timeoutMinutes(j.timeout) <= 60, name);
            }
        });

        it("schedules: drift per stack; patch runs `pulumi up` (no --target) at the commit each stack last deployed, test first", () => {
            for (const stack of ["test", "prod"]) {
                const drift = scriptOf(job(`drift:${stack}`));
                assert.match(drift, /pulumi refresh --stack "\$STACK_REF" --preview-only --expect-no-changes/);
                assert.match(drift, /breakGlass\.ts expired --cluster "\$CLUSTER_NAME" --region "\$AWS_REGION" \|\| status=1/);
                assert.match(drift, /exit "\$status"/, "the job fails when drift is found");
                const patch = job(`patch:${stack}`);
                const script = scriptOf(patch);
                const order = [
                    "stackHistory.ts deployed-commit",
                    'git checkout --quiet --detach "$DEPLOYED"',
                    "npm ci",
                    "pulumi up --stack",
                ].map((s) => script.lastIndexOf(s));
                assert.ok(
                    order.every((at, i) => at > 0 && (i === 0 || at > order[i - 1])),
                    `${stack}: ${order}`,
                );
                assert.doesNotMatch(script, /--target/);
                assert.equal(patch.variables.GIT_DEPTH, "0");
                assert.deepEqual(patch.environment, { name: stack, action: "access" }, "no deployment record for main's HEAD");
                assert.equal(patch.resource_group, `pulumi-${stack}`);
            }
            assert.deepEqual(job("patch:prod").needs, ["patch:test"]);
        });

        it("break-glass: one stack per Run pipeline, through scripts/ci/breakGlass.ts, revoked by a stop job that may not fail", () => {
            for (const stack of ["test", "prod"]) {
                const grant = job(`break-glass:grant:${stack}`);
                assert.match(
                    scriptOf(grant),
                    /breakGlass\.ts grant --cluster "\$CLUSTER_NAME" .*--hours "\$BREAK_GLASS_HOURS" --by "\$GITLAB_USER_LOGIN"/,
                );
                assert.equal(grant.environment.on_stop, `break-glass:revoke:${stack}`);
                const [hours] = String(grant.environment.auto_stop_in).split(" ");
                assert.equal(
                    grant.environment.auto_stop_in,
                    `${pipeline.variables.BREAK_GLASS_HOURS} hours`,
                    "expiry tag = auto-stop",
                );
                assert.equal(hours, pipeline.variables.BREAK_GLASS_HOURS);
                const revoke = job(`break-glass:revoke:${stack}`);
                assert.match(
                    scriptOf(revoke),
                    /breakGlass\.ts revoke --cluster "\$CLUSTER_NAME" .*--role-arn "\$BREAK_GLASS_ROLE_ARN"/,
                );
                assert.equal(revoke.environment.action, "stop");
                assert.equal(revoke.allow_failure, false, "a failed revoke fails the pipeline");
                assert.equal(grant.variables.AWS_ROLE_ARN, `$${stack.toUpperCase()}_DEPLOY_ROLE_ARN`);
            }
            assert.ok(["BREAK_GLASS_ROLE_ARN", "BREAK_GLASS_REASON", "BREAK_GLASS_STACK"].every((v) => v in pipeline.variables));
            assert.deepEqual(pipeline.doc.variables.BREAK_GLASS_STACK.options, ["none", "test", "prod"]);
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

        it("caches npm and the Pulumi plugins between jobs, never PULUMI_HOME's credentials", () => {
            const paths = (job("deploy:test").cache as { paths: string[] }[]).flatMap((c) => c.paths);
            assert.deepEqual(paths, [".npm/", ".pulumi-home/plugins/"]);
            assert.equal(pipeline.variables.PULUMI_HOME, "${CI_PROJECT_DIR}/.pulumi-home");
            assert.equal(pipeline.variables.npm_config_cache, "${CI_PROJECT_DIR}/.npm");
        });

        it("every job that touches AWS or Pulumi runs on the infra runner named by a variable", () => {
            assert.equal(pipeline.variables.INFRA_RUNNER_TAG, "infra");
            const cloudJobs = Object.entries(pipeline.jobs)
                .filter(([, j]) => callsCloud(j))
                .map(([n]) => n);
            assert.equal(cloudJobs.length, 12, "previews, deploys, drift and patch per stack, four break-glass jobs");
            for (const name of cloudJobs) assert.deepEqual(job(name).tags, ["$INFRA_RUNNER_TAG"], name);
        });

        it("every job's shell script is valid bash (bash -n)", () => {
            for (const [name, j] of Object.entries(pipeline.jobs)) {
                const result = spawnSync("bash", ["-n"], { input: scriptOf(j), encoding: "utf8" });
                assert.equal(result.status, 0, `${name}: ${result.stderr}`);
            }
            assert.notEqual(
                spawnSync("bash", ["-n"], { input: 'echo "${X:?it\'s broken}"\nif true; then', encoding: "utf8" }).status,
                0,
                "bash -n does catch broken scripts",
            );
        });

        it("is plain YAML apart from GitLab's !reference tag", () => {
            assert.doesNotThrow(() => parseYaml(text.replace(/!reference /g, "")));
        });
    });
});
