// The GitLab runner API client's errors a user can act on, against a local fake GitLab (tests/support/fakeGitlab.ts).
// Field names, error shapes and scopes are GitLab's: doc/api/users.md "Create a runner linked to a user",
// doc/api/runners.md, lib/api/user_runners.rb, lib/api/ci/runners.rb, lib/api/api_guard.rb (gitlab-org/gitlab);
// sources in components/runners/registration/.
import { strict as assert } from "assert";
import { FAKE_TOKENS, FakeGitlab, SAMPLE_SPEC as SPEC } from "./support/fakeGitlab";
import { failure, useFakeGitlab } from "./support/registrationClient";

describe("GitLab runner API client", () => {
    const gl = useFakeGitlab();

    describe("errors a user can act on", () => {
        it("401: the token is invalid, expired or revoked, and which scopes a new one needs", async () => {
            const e = await failure(gl.client("glpat-revoked-000000000000").create(SPEC));
            assert.equal(e.kind, "unauthorized");
            assert.equal(
                e.message,
                `Could not create the runner: GitLab rejected the API token (401 at ${gl.fake.url}/api/v4/user/runners): it is invalid, expired or revoked. Use a token with the create_runner and manage_runner scopes (a GitLab too old to have manage_runner needs api instead), stored in gitlab.apiTokenSsmParameter or the secret config gitlabApiToken.`,
            );
        });

        it("403 insufficient_scope names the missing scope: create_runner to create, manage_runner for the rest", async () => {
            const e = await failure(gl.client(FAKE_TOKENS.readApi.token).create(SPEC));
            assert.equal(e.kind, "missing-scope");
            assert.match(
                e.message,
                /^Could not create the runner: the API token lacks the create_runner scope \(403 insufficient_scope at /,
            );
            const { id } = await gl.client(FAKE_TOKENS.createOnly.token).create(SPEC);
            for (const call of [
                (a = gl.client(FAKE_TOKENS.createOnly.token)) => a.get(id),
                (a = gl.client(FAKE_TOKENS.createOnly.token)) => a.resetToken(id),
            ]) {
                const m = await failure(call());
                assert.equal(m.kind, "missing-scope");
                assert.match(m.message, /the API token lacks the manage_runner scope/);
            }
            // `api` covers both.
            assert.equal((await gl.client(FAKE_TOKENS.api.token).get(id)).id, id);
        });

        it("403 without a scope problem: the user's role, and which role each runner type needs", async () => {
            gl.fake.notOwner.add("group:42");
            const e = await failure(gl.client().create(SPEC));
            assert.equal(e.kind, "forbidden");
            assert.match(
                e.message,
                /the API token's user is not allowed to \(403 at .*: 403 Forbidden - Insufficient permissions\)\. Creating a runner needs an administrator for scope instance, and the Owner role in the group or project otherwise/,
            );
        });

        it("a missing group or project (GitLab's 400 Missing/invalid …) points at registration.groupId / projectId", async () => {
            const g = await failure(gl.client().create({ ...SPEC, groupId: 43 }));
            assert.equal(g.kind, "not-found");
            assert.equal(
                g.message,
                "Could not create the runner: GitLab has no group 43 visible to the API token's user (400 Bad request - Missing/invalid group); check registration.groupId (the numeric ID on the group's overview page).",
            );
            const { groupId: _g, ...rest } = SPEC;
            const p = await failure(gl.client().create({ ...rest, runnerType: "project_type", projectId: 8 }));
            assert.match(p.message, /GitLab has no project 8 visible .* check registration\.projectId/);
        });

        it("404 for a runner names it; 400 and 422 carry GitLab's own message", async () => {
            const missing = await failure(gl.client().get(12345));
            assert.equal(missing.kind, "not-found");
            assert.equal(
                missing.message,
                `Could not read the runner: runner 12345 does not exist in GitLab (404 at ${gl.fake.url}/api/v4/runners/12345).`,
            );
            const { id } = await gl.client().create(SPEC);
            const invalid = await failure(gl.client().update(id, { ...SPEC, maximumTimeout: 300 }));
            assert.equal(invalid.kind, "rejected");
            assert.match(
                invalid.message,
                /GitLab rejected the request \(400 at .*\): maximum_timeout needs to be at least 10 minutes$/,
            );
            gl.fake.inject({ status: 422, body: JSON.stringify({ message: "422 Unprocessable Entity" }) });
            const reset = await failure(gl.client().resetToken(id));
            assert.match(
                reset.message,
                /^Could not reset the runner's authentication token: GitLab rejected the request \(422 at .*\): 422 Unprocessable Entity$/,
            );
        });

        it("no answer: names the URL; for a create, warns that the runner may exist", async () => {
            const url = gl.fake.url;
            await gl.fake.close();
            const e = await failure(gl.client().create(SPEC));
            assert.equal(e.kind, "network");
            assert.ok(
                e.message.startsWith(
                    `Could not create the runner: no answer from ${url}/api/v4/user/runners (fetch failed: connect ECONNREFUSED`,
                ),
                e.message,
            );
            assert.match(e.message, /GitLab may have created the runner all the same/);
            gl.fake = await FakeGitlab.start();
        });

        it("never follows a redirect (the PRIVATE-TOKEN header would go with it)", async () => {
            gl.fake.inject({ status: 302, headers: { Location: "https://elsewhere.example/api/v4/user/runners" } });
            const e = await failure(gl.client().create(SPEC));
            assert.match(
                e.message,
                /redirects \(302\) to https:\/\/elsewhere\.example\/api\/v4\/user\/runners\. Set gitlab\.url/,
            );
            assert.equal(gl.fake.requests.length, 1);
        });

        it("the API token never appears in a message, even when GitLab echoes it; URL credentials neither", async () => {
            const token = FAKE_TOKENS.full.token;
            gl.fake.inject({ status: 400, body: JSON.stringify({ message: `bad token ${token}` }) });
            const echoed = await failure(gl.client().create(SPEC));
            assert.ok(!echoed.message.includes(token), echoed.message);
            assert.match(echoed.message, /bad token \[redacted\]/);
            const withUserInfo = gl.fake.url.replace("http://", "http://admin:hunter2pass@");
            const e = await failure(gl.client("glpat-revoked-000000000000", { url: withUserInfo }).get(1));
            assert.ok(!e.message.includes("hunter2pass") && !e.message.includes("glpat-revoked"), e.message);
        });
    });
});
