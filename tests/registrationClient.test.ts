// The GitLab runner API client against a local fake GitLab (tests/support/fakeGitlab.ts): its calls, and reading the answers.
// Field names, error shapes and scopes are GitLab's: doc/api/users.md "Create a runner linked to a user",
// doc/api/runners.md, lib/api/user_runners.rb, lib/api/ci/runners.rb, lib/api/api_guard.rb (gitlab-org/gitlab);
// sources in components/runners/registration/.
import { strict as assert } from "assert";
import { gitlabMessage } from "../components/runners/registration/errors";
import { backoffDelayMs, DEFAULT_RETRY_POLICY, parseRetryAfter } from "../components/runners/registration/retry";
import { createRunnerBody, parseRunnerDetails } from "../components/runners/registration/api";
import { FAKE_TOKENS, SAMPLE_SPEC as SPEC } from "./support/fakeGitlab";
import { useFakeGitlab } from "./support/registrationClient";

describe("GitLab runner API client", () => {
    const gl = useFakeGitlab();

    it("creates a runner: POST /api/v4/user/runners, GitLab's field names as JSON, the token only in PRIVATE-TOKEN", async () => {
        const created = await gl.client().create(SPEC);
        assert.equal(created.id, 9170);
        assert.match(created.token, /^glrt-/);
        assert.equal(created.tokenExpiresAt, null);
        const [req] = gl.fake.requests;
        assert.equal(`${req.method} ${req.path}`, "POST /api/v4/user/runners");
        assert.equal(req.headers["private-token"], FAKE_TOKENS.full.token);
        assert.equal(req.headers["authorization"], undefined);
        assert.equal(req.headers["content-type"], "application/json");
        assert.deepEqual(req.body, {
            runner_type: "group_type",
            group_id: 42,
            description: "eks-prod amd64",
            paused: false,
            locked: true,
            run_untagged: false,
            tag_list: ["amd64", "docker"],
            access_level: "not_protected",
            maximum_timeout: 3600,
            maintenance_note: "Managed by Pulumi",
        });
    });

    it("sends group_id only for group runners and project_id only for project runners", () => {
        const { groupId: _g, ...instance } = { ...SPEC, runnerType: "instance_type" as const };
        assert.equal("group_id" in createRunnerBody(instance), false);
        assert.equal("project_id" in createRunnerBody(instance), false);
        const project = createRunnerBody({ ...instance, runnerType: "project_type", projectId: 7 });
        assert.deepEqual([project.runner_type, project.project_id, "group_id" in project], ["project_type", 7, false]);
    });

    it("reads, updates (PUT with every setting), resets the token and deletes by id; a second delete finds it absent", async () => {
        const api = gl.client();
        const { id, token } = await api.create(SPEC);
        const read = await api.get(id);
        assert.deepEqual(read, {
            id,
            runnerType: "group_type",
            groupIds: [42],
            projectIds: [],
            settings: {
                description: "eks-prod amd64",
                paused: false,
                locked: true,
                runUntagged: false,
                tagList: ["amd64", "docker"],
                accessLevel: "not_protected",
                maximumTimeout: 3600,
                maintenanceNote: "Managed by Pulumi",
            },
        });
        const updated = await api.update(id, { ...SPEC, paused: true, tagList: ["amd64"] });
        assert.deepEqual([updated.settings.paused, updated.settings.tagList], [true, ["amd64"]]);
        const put = gl.fake.requests.find((r) => r.method === "PUT")!;
        assert.equal(put.path, `/api/v4/runners/${id}`);
        assert.deepEqual(Object.keys(put.body as object).sort(), [
            "access_level",
            "description",
            "locked",
            "maintenance_note",
            "maximum_timeout",
            "paused",
            "run_untagged",
            "tag_list",
        ]);
        const issued = await api.resetToken(id);
        assert.notEqual(issued.token, token);
        assert.equal(gl.fake.runners.get(id)!.token, issued.token);
        assert.equal(await api.remove(id), "deleted");
        assert.equal(await api.remove(id), "absent");
        assert.deepEqual(gl.fake.calls().slice(-3), [
            `POST /runners/${id}/reset_authentication_token`,
            `DELETE /runners/${id}`,
            `DELETE /runners/${id}`,
        ]);
    });

    describe("reading GitLab's answers (pure)", () => {
        it("error bodies: a message string, a field → errors map, an OAuth error, or plain text", () => {
            assert.equal(gitlabMessage({ message: "404 Runner Not Found" }, ""), "404 Runner Not Found");
            assert.equal(
                gitlabMessage(
                    { message: { maximum_timeout: ["needs to be at least 10 minutes"], tags_list: ["can not be empty"] } },
                    "",
                ),
                "maximum_timeout needs to be at least 10 minutes; tags_list can not be empty",
            );
            assert.equal(
                gitlabMessage({ error: "insufficient_scope", error_description: "higher privileges" }, ""),
                "insufficient_scope: higher privileges",
            );
            assert.equal(gitlabMessage(undefined, "Retry later\n"), "Retry later");
        });

        it("runner details: paused from the deprecated active on older GitLab; fields GitLab leaves out stay unknown", () => {
            const old = parseRunnerDetails({
                id: 6,
                runner_type: "project_type",
                active: false,
                tag_list: ["ruby"],
                projects: [{ id: 1 }],
            });
            assert.deepEqual(old, {
                id: 6,
                runnerType: "project_type",
                groupIds: [],
                projectIds: [1],
                settings: { paused: true, tagList: ["ruby"] },
            });
            assert.equal(parseRunnerDetails({ id: 6, runner_type: "shared" }), undefined);
        });

        it("Retry-After: seconds or an HTTP date, else exponential backoff capped at maxDelayMs", () => {
            assert.equal(parseRetryAfter("30", 0), 30_000);
            assert.equal(parseRetryAfter("Thu, 01 Jan 1970 00:00:05 GMT", 1000), 4000);
            assert.equal(parseRetryAfter("soon", 0), undefined);
            assert.equal(
                backoffDelayMs(10, DEFAULT_RETRY_POLICY, () => 1),
                DEFAULT_RETRY_POLICY.maxDelayMs,
            );
            assert.equal(
                backoffDelayMs(1, DEFAULT_RETRY_POLICY, () => 0),
                500,
            );
        });
    });
});
