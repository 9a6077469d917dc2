// The GitLab runner API client against a local fake GitLab (tests/support/fakeGitlab.ts). Field names, error shapes
// and scopes are GitLab's: doc/api/users.md "Create a runner linked to a user", doc/api/runners.md, lib/api/
// user_runners.rb, lib/api/ci/runners.rb, lib/api/api_guard.rb (gitlab-org/gitlab); sources in components/runners/registration/.
import { strict as assert } from "assert";
import { ClientOptions, gitlabRunnerClient } from "../components/runners/registration/client";
import { GitlabApiError, gitlabMessage, isGitlabApiError } from "../components/runners/registration/errors";
import { backoffDelayMs, DEFAULT_RETRY_POLICY, parseRetryAfter } from "../components/runners/registration/retry";
import { createRunnerBody, parseRunnerDetails } from "../components/runners/registration/api";
import { FAKE_TOKENS, FakeGitlab, SAMPLE_SPEC as SPEC } from "./support/fakeGitlab";

/** The error a promise rejects with (fails the test if it resolves). */
async function failure(p: Promise<unknown>): Promise<GitlabApiError> {
    try {
        await p;
    } catch (e) {
        assert.ok(isGitlabApiError(e), `not a GitlabApiError: ${e}`);
        return e;
    }
    throw new Error("expected the call to fail");
}

describe("GitLab runner API client", () => {
    let fake: FakeGitlab;
    let slept: number[];
    const client = (token: string = FAKE_TOKENS.full.token, extra: Partial<ClientOptions> = {}) =>
        gitlabRunnerClient({ url: fake.url, token, sleep: async (ms) => void slept.push(ms), random: () => 0.5, ...extra });

    beforeEach(async () => {
        fake = await FakeGitlab.start();
        slept = [];
    });
    afterEach(() => fake.close());

    it("creates a runner: POST /api/v4/user/runners, GitLab's field names as JSON, the token only in PRIVATE-TOKEN", async () => {
        const created = await client().create(SPEC);
        assert.equal(created.id, 9170);
        assert.match(created.token, /^glrt-/);
        assert.equal(created.tokenExpiresAt, null);
        const [req] = fake.requests;
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
        const api = client();
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
        const put = fake.requests.find((r) => r.method === "PUT")!;
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
        assert.equal(fake.runners.get(id)!.token, issued.token);
        assert.equal(await api.remove(id), "deleted");
        assert.equal(await api.remove(id), "absent");
        assert.deepEqual(fake.calls().slice(-3), [
            `POST /runners/${id}/reset_authentication_token`,
            `DELETE /runners/${id}`,
            `DELETE /runners/${id}`,
        ]);
    });

    describe("errors a user can act on", () => {
        it("401: the token is invalid, expired or revoked, and which scopes a new one needs", async () => {
            const e = await failure(client("glpat-revoked-000000000000").create(SPEC));
            assert.equal(e.kind, "unauthorized");
            assert.equal(
                e.message,
                `Could not create the runner: GitLab rejected the API token (401 at ${fake.url}/api/v4/user/runners): it is invalid, expired or revoked. Use a token with the create_runner and manage_runner scopes (a GitLab too old to have manage_runner needs api instead), stored in gitlab.apiTokenSsmParameter or the secret config gitlabApiToken.`,
            );
        });

        it("403 insufficient_scope names the missing scope: create_runner to create, manage_runner for the rest", async () => {
            const e = await failure(client(FAKE_TOKENS.readApi.token).create(SPEC));
            assert.equal(e.kind, "missing-scope");
            assert.match(
                e.message,
                /^Could not create the runner: the API token lacks the create_runner scope \(403 insufficient_scope at /,
            );
            const { id } = await client(FAKE_TOKENS.createOnly.token).create(SPEC);
            for (const call of [
                (a = client(FAKE_TOKENS.createOnly.token)) => a.get(id),
                (a = client(FAKE_TOKENS.createOnly.token)) => a.resetToken(id),
            ]) {
                const m = await failure(call());
                assert.equal(m.kind, "missing-scope");
                assert.match(m.message, /the API token lacks the manage_runner scope/);
            }
            // `api` covers both.
            assert.equal((await client(FAKE_TOKENS.api.token).get(id)).id, id);
        });

        it("403 without a scope problem: the user's role, and which role each runner type needs", async () => {
            fake.notOwner.add("group:42");
            const e = await failure(client().create(SPEC));
            assert.equal(e.kind, "forbidden");
            assert.match(
                e.message,
                /the API token's user is not allowed to \(403 at .*: 403 Forbidden - Insufficient permissions\)\. Creating a runner needs an administrator for scope instance, and the Owner role in the group or project otherwise/,
            );
        });

        it("a missing group or project (GitLab's 400 Missing/invalid …) points at registration.groupId / projectId", async () => {
            const g = await failure(client().create({ ...SPEC, groupId: 43 }));
            assert.equal(g.kind, "not-found");
            assert.equal(
                g.message,
                "Could not create the runner: GitLab has no group 43 visible to the API token's user (400 Bad request - Missing/invalid group); check registration.groupId (the numeric ID on the group's overview page).",
            );
            const { groupId: _g, ...rest } = SPEC;
            const p = await failure(client().create({ ...rest, runnerType: "project_type", projectId: 8 }));
            assert.match(p.message, /GitLab has no project 8 visible .* check registration\.projectId/);
        });

        it("404 for a runner names it; 400 and 422 carry GitLab's own message", async () => {
            const missing = await failure(client().get(12345));
            assert.equal(missing.kind, "not-found");
            assert.equal(
                missing.message,
                `Could not read the runner: runner 12345 does not exist in GitLab (404 at ${fake.url}/api/v4/runners/12345).`,
            );
            const { id } = await client().create(SPEC);
            const invalid = await failure(client().update(id, { ...SPEC, maximumTimeout: 300 }));
            assert.equal(invalid.kind, "rejected");
            assert.match(
                invalid.message,
                /GitLab rejected the request \(400 at .*\): maximum_timeout needs to be at least 10 minutes$/,
            );
            fake.inject({ status: 422, body: JSON.stringify({ message: "422 Unprocessable Entity" }) });
            const reset = await failure(client().resetToken(id));
            assert.match(
                reset.message,
                /^Could not reset the runner's authentication token: GitLab rejected the request \(422 at .*\): 422 Unprocessable Entity$/,
            );
        });

        it("no answer: names the URL; for a create, warns that the runner may exist", async () => {
            const url = fake.url;
            await fake.close();
            const e = await failure(client().create(SPEC));
            assert.equal(e.kind, "network");
            assert.ok(
                e.message.startsWith(
                    `Could not create the runner: no answer from ${url}/api/v4/user/runners (fetch failed: connect ECONNREFUSED`,
                ),
                e.message,
            );
            assert.match(e.message, /GitLab may have created the runner all the same/);
            fake = await FakeGitlab.start();
        });

        it("never follows a redirect (the PRIVATE-TOKEN header would go with it)", async () => {
            fake.inject({ status: 302, headers: { Location: "https://elsewhere.example/api/v4/user/runners" } });
            const e = await failure(client().create(SPEC));
            assert.match(
                e.message,
                /redirects \(302\) to https:\/\/elsewhere\.example\/api\/v4\/user\/runners\. Set gitlab\.url/,
            );
            assert.equal(fake.requests.length, 1);
        });

        it("the API token never appears in a message, even when GitLab echoes it; URL credentials neither", async () => {
            const token = FAKE_TOKENS.full.token;
            fake.inject({ status: 400, body: JSON.stringify({ message: `bad token ${token}` }) });
            const echoed = await failure(client().create(SPEC));
            assert.ok(!echoed.message.includes(token), echoed.message);
            assert.match(echoed.message, /bad token \[redacted\]/);
            const withUserInfo = fake.url.replace("http://", "http://admin:hunter2pass@");
            const e = await failure(client("glpat-revoked-000000000000", { url: withUserInfo }).get(1));
            assert.ok(!e.message.includes("hunter2pass") && !e.message.includes("glpat-revoked"), e.message);
        });
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

    describe("retries: only 429 and 5xx, bounded, honouring Retry-After", () => {
        it("waits what Retry-After says (seconds or an HTTP date), then succeeds", async () => {
            const { id } = await client().create(SPEC);
            fake.inject({ status: 429, headers: { "Retry-After": "7" }, body: "Retry later" }, { method: "GET" });
            const now = Date.parse("Wed, 21 Oct 2026 07:28:00 GMT");
            fake.inject({ status: 429, headers: { "Retry-After": "Wed, 21 Oct 2026 07:28:03 GMT" } }, { method: "GET" });
            assert.equal((await client(undefined, { now: () => now }).get(id)).id, id);
            assert.deepEqual(slept, [7000, 3000]);
        });

        it("backs off exponentially on 5xx (with jitter, capped) and gives up after maxAttempts", async () => {
            const { id } = await client().create(SPEC);
            fake.inject({ status: 502, body: "<html>Bad Gateway</html>" }, { method: "PUT" }, 3);
            await client().update(id, SPEC);
            // 1 s, 2 s, 4 s backoff; random 0.5 → ¾ of each.
            assert.deepEqual(slept, [750, 1500, 3000]);
            slept = [];
            fake.inject({ status: 503 }, { method: "GET" }, 5);
            const e = await failure(client().get(id));
            assert.equal(e.kind, "server");
            assert.match(e.message, /GitLab answered 503 after 5 attempts .*\(gave up after 5 attempts\)$/);
            assert.deepEqual(slept, [750, 1500, 3000, 6000]);
        });

        it("does not wait for a Retry-After longer than the policy allows", async () => {
            fake.inject({ status: 429, headers: { "Retry-After": "600" } }, { method: "GET" });
            const e = await failure(client().get(1));
            assert.equal(e.kind, "rate-limited");
            assert.match(e.message, /GitLab asked to retry after 600 s, longer than this deployment waits/);
            assert.deepEqual(slept, []);
        });

        it("a create is retried after 429 but not after 5xx (GitLab may have created it), and no call is retried after 4xx or a dropped connection", async () => {
            fake.inject({ status: 429 }, { method: "POST" });
            await client().create(SPEC);
            assert.equal(fake.requests.length, 2);
            fake.inject({ status: 500 }, { method: "POST" });
            const e = await failure(client().create(SPEC));
            assert.match(e.message, /GitLab answered 500 .*GitLab may have created the runner all the same/);
            assert.equal(fake.requests.length, 3);
            await failure(client().update(9170, { ...SPEC, maximumTimeout: 1 }));
            fake.inject("network", { method: "GET" });
            const dropped = await failure(client().get(9170));
            assert.equal(dropped.kind, "network");
            assert.equal(fake.requests.length, 5);
            assert.deepEqual(slept, [750]);
        });
    });
});
