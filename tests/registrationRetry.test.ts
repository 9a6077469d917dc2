// The GitLab runner API client's retries (429 and 5xx, bounded, honouring Retry-After) against a local fake GitLab.
// Field names, error shapes and scopes are GitLab's: doc/api/users.md "Create a runner linked to a user",
// doc/api/runners.md, lib/api/user_runners.rb, lib/api/ci/runners.rb, lib/api/api_guard.rb (gitlab-org/gitlab);
// sources in components/runners/registration/.
import { strict as assert } from "assert";
import { SAMPLE_SPEC as SPEC } from "./support/fakeGitlab";
import { failure, useFakeGitlab } from "./support/registrationClient";

describe("GitLab runner API client", () => {
    const gl = useFakeGitlab();

    describe("retries: only 429 and 5xx, bounded, honouring Retry-After", () => {
        it("waits what Retry-After says (seconds or an HTTP date), then succeeds", async () => {
            const { id } = await gl.client().create(SPEC);
            gl.fake.inject({ status: 429, headers: { "Retry-After": "7" }, body: "Retry later" }, { method: "GET" });
            const now = Date.parse("Wed, 21 Oct 2026 07:28:00 GMT");
            gl.fake.inject({ status: 429, headers: { "Retry-After": "Wed, 21 Oct 2026 07:28:03 GMT" } }, { method: "GET" });
            assert.equal((await gl.client(undefined, { now: () => now }).get(id)).id, id);
            assert.deepEqual(gl.slept, [7000, 3000]);
        });

        it("backs off exponentially on 5xx (with jitter, capped) and gives up after maxAttempts", async () => {
            const { id } = await gl.client().create(SPEC);
            gl.fake.inject({ status: 502, body: "<html>Bad Gateway</html>" }, { method: "PUT" }, 3);
            await gl.client().update(id, SPEC);
            // 1 s, 2 s, 4 s backoff; random 0.5 → ¾ of each.
            assert.deepEqual(gl.slept, [750, 1500, 3000]);
            gl.slept = [];
            gl.fake.inject({ status: 503 }, { method: "GET" }, 5);
            const e = await failure(gl.client().get(id));
            assert.equal(e.kind, "server");
            assert.match(e.message, /GitLab answered 503 after 5 attempts .*\(gave up after 5 attempts\)$/);
            assert.deepEqual(gl.slept, [750, 1500, 3000, 6000]);
        });

        it("does not wait for a Retry-After longer than the policy allows", async () => {
            gl.fake.inject({ status: 429, headers: { "Retry-After": "600" } }, { method: "GET" });
            const e = await failure(gl.client().get(1));
            assert.equal(e.kind, "rate-limited");
            assert.match(e.message, /GitLab asked to retry after 600 s, longer than this deployment waits/);
            assert.deepEqual(gl.slept, []);
        });

        it("a create is retried after 429 but not after 5xx (GitLab may have created it), and no call is retried after 4xx or a dropped connection", async () => {
            gl.fake.inject({ status: 429 }, { method: "POST" });
            await gl.client().create(SPEC);
            assert.equal(gl.fake.requests.length, 2);
            gl.fake.inject({ status: 500 }, { method: "POST" });
            const e = await failure(gl.client().create(SPEC));
            assert.match(e.message, /GitLab answered 500 .*GitLab may have created the runner all the same/);
            assert.equal(gl.fake.requests.length, 3);
            await failure(gl.client().update(9170, { ...SPEC, maximumTimeout: 1 }));
            gl.fake.inject("network", { method: "GET" });
            const dropped = await failure(gl.client().get(9170));
            assert.equal(dropped.kind, "network");
            assert.equal(gl.fake.requests.length, 5);
            assert.deepEqual(gl.slept, [750]);
        });
    });
});
