import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import { parse as parseYaml } from "yaml";
import { stackFileConfig } from "./support/harness";
import { callsCloud, checkGitlabCi, CI_FILE, evaluateIf, jobsIn, parsePipeline, Pipeline, scriptOf } from "./support/gitlabCi";

/** A small pipeline that passes every check; each bad case below changes one thing. */
const GOOD = `
stages: [verify, deploy, operate]
variables:
  SCHEDULED_TASK: ""
  INFRA_RUNNER_TAG: infra
.infra:
  tags: [$INFRA_RUNNER_TAG]
  id_tokens:
    AWS_ID_TOKEN:
      aud: sts.amazonaws.com
  before_script:
    - aws sts assume-role-with-web-identity --web-identity-token "$AWS_ID_TOKEN" --role-arn "$AWS_ROLE_ARN" --role-session-name x
test:
  stage: verify
  rules:
    - if: $CI_PIPELINE_SOURCE == "merge_request_event"
  script: [npm ci, npm test]
deploy:prod:
  extends: .infra
  stage: deploy
  variables: { STACK: prod }
  resource_group: pulumi-prod
  environment: { name: prod }
  rules:
    - if: $CI_PIPELINE_SOURCE == "push" && $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH
      when: manual
  script: [pulumi up --yes --stack prod]
drift:prod:
  extends: .infra
  stage: operate
  variables: { STACK: prod }
  rules:
    - if: $CI_PIPELINE_SOURCE == "schedule" && $SCHEDULED_TASK == "drift"
  script: [pulumi refresh --preview-only --expect-no-changes --stack prod]
`;
const bad = (from: string, to: string) => {
    assert.ok(GOOD.includes(from), `fixture edit: ${from}`);
    return GOOD.replace(from, to);
};

describe(".gitlab-ci.yml", () => {
    const text = fs.readFileSync(CI_FILE, "utf8");
    const pipeline = parsePipeline(text) as Pipeline;
    const jobs = (scenario: string) => jobsIn(pipeline, scenario);
    const job = (name: string) => pipeline.jobs[name] ?? assert.fail(`no job ${name}`);

    describe("the checker (each check proven on a bad file)", () => {
        it("passes a good pipeline", () => assert.deepEqual(checkGitlabCi(GOOD), []));

        it("YAML that does not parse", () => {
            assert.match(checkGitlabCi("stages: [verify\njob: {")[0], /^YAML does not parse/);
        });

        it("a job whose stage is not declared", () => {
            assert.deepEqual(checkGitlabCi(bad("stage: verify", "stage: tests")), [
                'job "test": stage "tests" is not in stages (verify, deploy, operate)',
            ]);
        });

        it("a rules variable that is neither predefined nor defined", () => {
            assert.deepEqual(checkGitlabCi(bad('$SCHEDULED_TASK == "drift"', '$SCHEDULE_TASK == "drift"')), [
                'job "drift:prod": rules if "$CI_PIPELINE_SOURCE == "schedule" && $SCHEDULE_TASK == "drift"" uses $SCHEDULE_TASK, which is neither an allowed GitLab predefined variable nor defined under variables:',
                'job "drift:prod" detects drift but never runs on a schedule',
            ]);
        });

        it("secrets inline: AWS keys, runner tokens, a PULUMI_ACCESS_TOKEN value", () => {
            const keys = checkGitlabCi(
                bad("INFRA_RUNNER_TAG: infra", "INFRA_RUNNER_TAG: infra\n  AWS_ACCESS_KEY_ID: AKIAIOSFODNN7EXAMPLE"),
            );
            assert.deepEqual(keys, [
                "line 6: contains an AWS access key id",
                "variables: AWS_ACCESS_KEY_ID is defined; AWS credentials come from id_tokens, never from variables",
            ]);
            assert.deepEqual(checkGitlabCi(bad("script: [npm ci, npm test]", "script: [npm ci, 'echo glrt-abcdef123']")), [
                "line 17: contains a GitLab runner token (glrt-)",
            ]);
            assert.deepEqual(
                checkGitlabCi(
                    bad("INFRA_RUNNER_TAG: infra", "INFRA_RUNNER_TAG: infra\n  PULUMI_ACCESS_TOKEN: not-really-secret"),
                ),
                ["variables: PULUMI_ACCESS_TOKEN has an inline value; make it a masked, protected CI/CD variable"],
            );
        });

        it("a deploy job without a resource_group, with another stack's, or interruptible", () => {
            assert.deepEqual(checkGitlabCi(bad("  resource_group: pulumi-prod\n", "")), [
                'job "deploy:prod" changes infrastructure but has no resource_group',
            ]);
            assert.deepEqual(checkGitlabCi(bad("resource_group: pulumi-prod", "resource_group: pulumi-test")), [
                'job "deploy:prod": resource_group "pulumi-test" does not name its stack prod',
            ]);
            assert.deepEqual(
                checkGitlabCi(bad("resource_group: pulumi-prod", "resource_group: pulumi-prod\n  interruptible: true")),
                ['job "deploy:prod" changes infrastructure but is interruptible'],
            );
        });

        it("a prod deploy that runs without a person, or outside the protected environment", () => {
            assert.deepEqual(checkGitlabCi(bad("      when: manual\n", "")), [
                'job "deploy:prod" deploys prod without a person (when: on_success) in: push to the default branch',
            ]);
            assert.deepEqual(checkGitlabCi(bad("environment: { name: prod }", "environment: { name: production }")), [
                'job "deploy:prod" deploys prod outside the protected environment "prod"',
            ]);
        });

        it("a scheduled job that also runs elsewhere, and infrastructure changes on schedules or merge requests", () => {
            const leaky = bad(
                '- if: $CI_PIPELINE_SOURCE == "schedule" && $SCHEDULED_TASK == "drift"',
                '- if: $CI_PIPELINE_SOURCE == "schedule" || $SCHEDULED_TASK == "drift"\n    - if: $CI_PIPELINE_SOURCE == "merge_request_event"',
            );
            assert.deepEqual(checkGitlabCi(leaky), ['job "drift:prod" is a scheduled job but also runs in: merge request']);
            const onSchedule = bad(
                '- if: $CI_PIPELINE_SOURCE == "push" && $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH',
                "- if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH",
            );
            assert.deepEqual(checkGitlabCi(onSchedule), [
                'job "deploy:prod" changes infrastructure in schedule pipelines without being a scheduled job',
            ]);
            const fromMr = bad(
                '- if: $CI_PIPELINE_SOURCE == "push" && $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH',
                '- if: $CI_PIPELINE_SOURCE == "merge_request_event"',
            );
            assert.deepEqual(checkGitlabCi(fromMr), ['job "deploy:prod" changes infrastructure from a merge request pipeline']);
        });

        it("a job that calls pulumi/aws without id_tokens, or off the infra runner", () => {
            const noToken = bad("  id_tokens:\n    AWS_ID_TOKEN:\n      aud: sts.amazonaws.com\n", "");
            assert.deepEqual(checkGitlabCi(noToken), [
                'job "deploy:prod" calls pulumi/aws but has no id_tokens',
                'job "drift:prod" calls pulumi/aws but has no id_tokens',
            ]);
            assert.deepEqual(checkGitlabCi(bad("tags: [$INFRA_RUNNER_TAG]", "tags: [eks]")).length, 2);
        });

        it("the expression evaluator follows GitLab's operators", () => {
            const vars = { A: "x", B: "x", E: "", T: "v1.2.3" };
            assert.equal(evaluateIf("$A == $B", vars), true);
            assert.equal(evaluateIf('$A != "x" || ($E && $A)', vars), false);
            assert.equal(evaluateIf("$T =~ /^v\\d+\\.\\d+\\.\\d+$/", vars), true);
            assert.equal(evaluateIf("$MISSING == null && $A", vars), true);
            assert.throws(() => evaluateIf("$A ==", vars), /unexpected end/);
        });
    });

    describe("the shipped file", () => {
        it("passes every check", () => assert.deepEqual(checkGitlabCi(text), []));

        it("merge requests: npm ci + npm test, the offline plan of both stacks as artifacts, previews of test and prod with the policy pack", () => {
            assert.deepEqual(Object.keys(jobs("merge request")).sort(), [
                "npm-test",
                "offline-plan",
                "preview:prod",
                "preview:test",
            ]);
            assert.match(scriptOf(job("npm-test")), /npm ci[\s\S]*npm test/);
            const plan = scriptOf(job("offline-plan"));
            for (const stack of ["test", "prod"]) {
                assert.ok(plan.includes(`npm run plan -- ${stack} --format markdown > plan-${stack}.md`), stack);
                assert.ok(job("offline-plan").artifacts.paths.includes(`plan-${stack}.md`), stack);
                const preview = job(`preview:${stack}`);
                assert.equal(preview.variables.STACK, stack);
                assert.match(scriptOf(preview), /pulumi preview --stack "\$STACK_REF" --diff .*--policy-pack policy-pack/);
                assert.equal(
                    preview.variables.AWS_ROLE_ARN,
                    `$${stack.toUpperCase()}_PREVIEW_ROLE_ARN`,
                    "previews assume the read-only role",
                );
            }
        });

        it("default branch: test deploys on merge, prod waits for a person; a release tag offers prod too", () => {
            assert.deepEqual(jobs("push to the default branch"), {
                "npm-test": "on_success",
                "deploy:test": "on_success",
                "deploy:prod": "manual",
            });
            assert.deepEqual(jobs("release tag"), { "npm-test": "on_success", "deploy:prod": "manual" });
            assert.deepEqual(jobs("push to a branch with an MR"), {}, "no duplicate branch pipeline next to the MR pipeline");
            for (const stack of ["test", "prod"]) {
                const deploy = job(`deploy:${stack}`);
                assert.match(scriptOf(deploy), /pulumi up --stack "\$STACK_REF" --yes .*--policy-pack policy-pack/);
                assert.equal(deploy.resource_group, `pulumi-${stack}`);
                assert.equal(deploy.environment.name, stack);
                assert.equal(deploy.variables.AWS_ROLE_ARN, `$${stack.toUpperCase()}_DEPLOY_ROLE_ARN`);
            }
            assert.equal(job("deploy:prod").allow_failure, false, "the pipeline shows prod as pending, not passed");
        });

        it("schedules: drift runs refresh --preview-only --expect-no-changes per stack; patch re-runs pulumi up, test first", () => {
            assert.deepEqual(Object.keys(jobs("drift schedule")).sort(), ["drift:prod", "drift:test"]);
            assert.deepEqual(Object.keys(jobs("patch schedule")).sort(), ["patch:prod", "patch:test"]);
            for (const stack of ["test", "prod"]) {
                assert.match(
                    scriptOf(job(`drift:${stack}`)),
                    /pulumi refresh --stack "\$STACK_REF" --preview-only --expect-no-changes/,
                );
                assert.match(scriptOf(job(`drift:${stack}`)), /exit "\$status"/, "the job fails when drift is found");
                assert.match(scriptOf(job(`patch:${stack}`)), /pulumi up --stack "\$STACK_REF" --yes/);
                assert.equal(job(`patch:${stack}`).resource_group, `pulumi-${stack}`);
            }
            assert.deepEqual(job("patch:prod").needs, ["patch:test"]);
            assert.match(
                scriptOf(job("patch:prod")),
                /aws:eks\/nodeGroup:NodeGroup[\s\S]*\$TARGETS/,
                "prod patch touches node groups only",
            );
        });

        it("break-glass: manual, on the default branch only, grants admin through an access entry, audited, revoked by a stop job", () => {
            const web = jobs("Run pipeline on the default branch");
            assert.deepEqual(Object.keys(web).sort(), [
                "break-glass:grant:prod",
                "break-glass:grant:test",
                "break-glass:revoke:prod",
                "break-glass:revoke:test",
            ]);
            assert.ok(Object.values(web).every((w) => w === "manual"));
            for (const stack of ["test", "prod"]) {
                const grant = job(`break-glass:grant:${stack}`);
                const grantScript = scriptOf(grant);
                assert.match(
                    grantScript,
                    /aws eks create-access-entry --cluster-name "\$CLUSTER_NAME" --principal-arn "\$BREAK_GLASS_ROLE_ARN"/,
                );
                assert.match(
                    grantScript,
                    /aws eks associate-access-policy [\s\S]*AmazonEKSClusterAdminPolicy" --access-scope type=cluster/,
                );
                assert.match(grantScript, /AUDIT break-glass GRANT .*by=\$\{GITLAB_USER_LOGIN\} reason=/);
                assert.equal(grant.environment.on_stop, `break-glass:revoke:${stack}`);
                assert.equal(grant.environment.auto_stop_in, "4 hours", "a forgotten grant revokes itself");
                const revoke = job(`break-glass:revoke:${stack}`);
                assert.match(
                    scriptOf(revoke),
                    /aws eks delete-access-entry --cluster-name "\$CLUSTER_NAME" --principal-arn "\$BREAK_GLASS_ROLE_ARN"/,
                );
                assert.equal(revoke.environment.action, "stop");
            }
            assert.ok("BREAK_GLASS_ROLE_ARN" in pipeline.variables && "BREAK_GLASS_REASON" in pipeline.variables);
        });

        it("credentials: an ID token exchanged with assume-role-with-web-identity; preview roles are the stacks' read-only CI roles", () => {
            const infra = pipeline.doc[".infra"];
            assert.deepEqual(Object.keys(infra.id_tokens), ["AWS_ID_TOKEN"]);
            assert.match(
                scriptOf(job("deploy:test")),
                /aws sts assume-role-with-web-identity --role-arn "\$AWS_ROLE_ARN" .*--web-identity-token "\$AWS_ID_TOKEN"/s,
            );
            for (const stack of ["test", "prod"]) {
                const viewers = (stackFileConfig(stack)["eks-gitlab-runners:cluster"] as { viewerRoleArns: string[] })
                    .viewerRoleArns;
                assert.ok(
                    viewers.includes(pipeline.variables[`${stack.toUpperCase()}_PREVIEW_ROLE_ARN`]),
                    `${stack}: the preview role has a viewer access entry`,
                );
                const account = viewers[0].split(":")[4];
                assert.equal(
                    pipeline.variables[`${stack.toUpperCase()}_DEPLOY_ROLE_ARN`].split(":")[4],
                    account,
                    `${stack}: deploy role in the stack's account`,
                );
            }
        });

        it("backend: Pulumi Cloud (token from a masked variable, never in the file) or s3:// chosen by PULUMI_BACKEND_URL", () => {
            const login = scriptOf(job("deploy:prod"));
            assert.match(login, /if \[ -n "\$\{PULUMI_BACKEND_URL:-\}" \]; then\s+pulumi login "\$PULUMI_BACKEND_URL"/);
            assert.match(login, /elif \[ -n "\$\{PULUMI_ACCESS_TOKEN:-\}" \]; then\s+pulumi login/);
            assert.ok(!("PULUMI_ACCESS_TOKEN" in pipeline.variables));
            assert.equal(pipeline.variables.PULUMI_BACKEND_URL, "");
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
