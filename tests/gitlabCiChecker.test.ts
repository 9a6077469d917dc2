import { strict as assert } from "assert";
import { checkGitlabCi, evaluateIf } from "./support/gitlabCi";

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
    - if: $CI_PIPELINE_SOURCE == "push" && $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH
  script: [npm ci, npm test]
deploy:test:
  extends: .infra
  stage: deploy
  needs: [test]
  variables: { STACK: test }
  resource_group: pulumi-test
  rules:
    - if: $CI_PIPELINE_SOURCE == "push" && $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH
  script: [pulumi up --yes --stack test]
deploy:prod:
  extends: .infra
  stage: deploy
  needs: [deploy:test]
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
const MAIN_PUSH = '- if: $CI_PIPELINE_SOURCE == "push" && $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH\n      when: manual';

describe(".gitlab-ci.yml checker (each check proven on a bad file)", () => {
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
            "line 18: contains a GitLab runner token (glrt-)",
            'job "deploy:prod" deploys prod without first waiting (needs) for npm test',
        ]);
        assert.deepEqual(
            checkGitlabCi(bad("INFRA_RUNNER_TAG: infra", "INFRA_RUNNER_TAG: infra\n  PULUMI_ACCESS_TOKEN: not-really-secret")),
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
        assert.deepEqual(checkGitlabCi(bad(MAIN_PUSH, MAIN_PUSH.replace("\n      when: manual", ""))), [
            'job "deploy:prod" deploys prod without a person (when: on_success) in: push to the default branch',
        ]);
        assert.deepEqual(checkGitlabCi(bad("environment: { name: prod }", "environment: { name: production }")), [
            'job "deploy:prod" deploys prod outside the protected environment "prod"',
        ]);
    });

    it("a prod deploy that does not wait for tests and test, or whose need is optional (GitLab docs, needs:optional)", () => {
        assert.deepEqual(checkGitlabCi(bad("  needs: [deploy:test]\n", "")), [
            'job "deploy:prod" deploys prod without first waiting (needs) for npm test and a deploy of test',
        ]);
        // The case: in a tag pipeline deploy:test does not exist, so an optional need is dropped and
        // GitLab starts deploy:prod at once (gitlab-org/gitlab#354849).
        const tagged = bad(MAIN_PUSH, `${MAIN_PUSH}\n    - if: $CI_COMMIT_TAG =~ /^v\\d+/\n      when: manual`).replace(
            "needs: [deploy:test]",
            "needs: [{ job: deploy:test, optional: true }]",
        );
        assert.deepEqual(checkGitlabCi(tagged), [
            'job "deploy:prod" deploys prod without first waiting (needs) for npm test and a deploy of test',
            'job "deploy:prod" changes infrastructure and its optional need "deploy:test" is absent in: release tag (it starts without waiting)',
        ]);
        const required = tagged.replace("needs: [{ job: deploy:test, optional: true }]", "needs: [deploy:test]");
        assert.deepEqual(checkGitlabCi(required), [
            'job "deploy:prod" needs "deploy:test", which is not in the pipeline: release tag',
        ]);
    });

    it("cloud credentials in a merge request pipeline or for an unprotected ref", () => {
        const fromMr = bad(
            '- if: $CI_PIPELINE_SOURCE == "schedule" && $SCHEDULED_TASK == "drift"',
            '- if: $CI_PIPELINE_SOURCE == "schedule" && $SCHEDULED_TASK == "drift"\n    - if: $CI_PIPELINE_SOURCE == "merge_request_event"',
        );
        assert.deepEqual(checkGitlabCi(fromMr), [
            'job "drift:prod" is a scheduled job but also runs in: merge request from an unprotected branch, merge request from a protected branch',
            'job "drift:prod" gets cloud credentials in: merge request from an unprotected branch',
            'job "drift:prod" gets cloud credentials in: merge request from a protected branch',
        ]);
        const anyBranch = bad(
            '- if: $CI_PIPELINE_SOURCE == "schedule" && $SCHEDULED_TASK == "drift"',
            '- if: $CI_PIPELINE_SOURCE == "schedule" && $SCHEDULED_TASK == "drift"\n    - if: $CI_PIPELINE_SOURCE == "web"',
        );
        assert.ok(
            checkGitlabCi(anyBranch).includes('job "drift:prod" gets cloud credentials in: Run pipeline on another branch'),
        );
    });

    it("a scheduled job that also runs elsewhere, and infrastructure changes on schedules or merge requests", () => {
        const onSchedule = bad(MAIN_PUSH, "- if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH\n      when: manual");
        assert.ok(
            checkGitlabCi(onSchedule).includes(
                'job "deploy:prod" changes infrastructure in schedule pipelines without being a scheduled job',
            ),
        );
        const fromMr = bad(MAIN_PUSH, '- if: $CI_PIPELINE_SOURCE == "merge_request_event"\n      when: manual');
        assert.ok(checkGitlabCi(fromMr).includes('job "deploy:prod" changes infrastructure from a merge request pipeline'));
    });

    it("a job that calls pulumi/aws without id_tokens, off the infra runner, or ignoring a failed call", () => {
        const noToken = bad("  id_tokens:\n    AWS_ID_TOKEN:\n      aud: sts.amazonaws.com\n", "");
        assert.deepEqual(checkGitlabCi(noToken), [
            'job "deploy:test" calls pulumi/aws but has no id_tokens',
            'job "deploy:prod" calls pulumi/aws but has no id_tokens',
            'job "drift:prod" calls pulumi/aws but has no id_tokens',
        ]);
        assert.equal(checkGitlabCi(bad("tags: [$INFRA_RUNNER_TAG]", "tags: [eks]")).length, 3);
        // The old revoke job: any error reading the entry became "missing", and the job reported success.
        const swallow = bad(
            "script: [pulumi refresh",
            "script: ['aws eks describe-access-entry 2>/dev/null || echo missing', pulumi refresh",
        );
        assert.deepEqual(checkGitlabCi(swallow), [
            'job "drift:prod" ignores a failed command: aws eks describe-access-entry 2>/dev/null || echo missing',
        ]);
    });

    it("the expression evaluator follows GitLab's operators", () => {
        const vars = { A: "x", B: "x", E: "", T: "v1.2.3", P: "preview/x" };
        assert.equal(evaluateIf("$A == $B", vars), true);
        assert.equal(evaluateIf('$A != "x" || ($E && $A)', vars), false);
        assert.equal(evaluateIf("$T =~ /^v\\d+\\.\\d+\\.\\d+$/", vars), true);
        assert.equal(evaluateIf("$P =~ /^preview\\//", vars), true);
        assert.equal(evaluateIf("$MISSING == null && $A", vars), true);
        assert.throws(() => evaluateIf("$A ==", vars), /unexpected end/);
    });
});
