// What each job of the shipped .gitlab-ci.yml does: the merge-request checks, previews, deploys and their time window,
// the schedules, break-glass, caches, and that every script is valid bash (who gets which job: gitlabCiPipelines.test.ts).
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import { parse as parseYaml } from "yaml";
import { shippedDeployWindow, timeoutMinutes } from "../scripts/ci/deployWindow";
import { callsCloud, needsOf, runsPulumiUp, scriptOf, shippedPipeline } from "./support/gitlabCi";

describe(".gitlab-ci.yml", () => {
    const { text, pipeline, job } = shippedPipeline();

    describe("the shipped file", () => {
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

        it("caches npm and the Pulumi plugins between jobs, never PULUMI_HOME's credentials", () => {
            const paths = (job("deploy:test").cache as { paths: string[] }[]).flatMap((c) => c.paths);
            assert.deepEqual(paths, [".npm/", ".pulumi-home/plugins/"]);
            assert.equal(pipeline.variables.PULUMI_HOME, "${CI_PROJECT_DIR}/.pulumi-home");
            assert.equal(pipeline.variables.npm_config_cache, "${CI_PROJECT_DIR}/.npm");
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
