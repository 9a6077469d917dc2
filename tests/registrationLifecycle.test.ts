// The registration provider's steps (create, read, diff, update, rotate, delete, adopt) against the local fake
// GitLab, and its pure check and diff directly. GitLab behaviour encoded here is sourced in components/runners/registration/.
import { strict as assert } from "assert";
import { gitlabRunnerClient, RunnerApi } from "../components/runners/registration/client";
import {
    createRunner,
    deleteRunner,
    GitlabRunnerInputs,
    GitlabRunnerState,
    inputFailures,
    readRunner,
    runnerDiff,
    updateRunner,
} from "../components/runners/registration/lifecycle";
import { FAKE_TOKENS, FakeGitlab, SAMPLE_SPEC as SPEC } from "./support/fakeGitlab";

const rejection = async (p: Promise<unknown>): Promise<Error> => {
    try {
        await p;
    } catch (e) {
        return e as Error;
    }
    throw new Error("expected a rejection");
};

describe("registration provider (fake GitLab)", () => {
    let fake: FakeGitlab;
    let api: RunnerApi;
    let inputs: GitlabRunnerInputs;

    beforeEach(async () => {
        fake = await FakeGitlab.start();
        api = gitlabRunnerClient({ url: fake.url, token: FAKE_TOKENS.full.token, sleep: async () => undefined });
        inputs = { ...SPEC, gitlabUrl: fake.url, apiToken: FAKE_TOKENS.full.token, rotation: "" };
    });
    afterEach(() => fake.close());

    it("create: POST then GET; state holds the id, the glrt- token and GitLab's view of every setting", async () => {
        const { id, outs } = await createRunner(api, inputs);
        assert.equal(id, "9170");
        assert.deepEqual(fake.calls(), ["POST /user/runners", "GET /runners/9170"]);
        assert.deepEqual(outs, {
            ...inputs,
            tagList: ["amd64", "docker"],
            runnerId: 9170,
            token: fake.runners.get(9170)!.token,
            tokenExpiresAt: null,
        });
        assert.match(outs.token, /^glrt-/);
    });

    it("refresh sees a runner edited in the UI; the next up puts the declared settings back with one PUT", async () => {
        const { id, outs } = await createRunner(api, inputs);
        fake.editInUi(9170, { description: "edited by hand", paused: true, tag_list: ["amd64", "docker", "extra"] });
        const read = await readRunner(api, id, outs);
        assert.equal(read.id, id);
        assert.deepEqual(
            [read.props!.description, read.props!.paused, read.props!.tagList],
            ["edited by hand", true, ["amd64", "docker", "extra"]],
        );
        const diff = runnerDiff(read.props!, inputs);
        assert.deepEqual([diff.changes, diff.replaces, diff.updates], [true, [], ["description", "paused", "tagList"]]);
        const after = await updateRunner(api, id, read.props!, inputs);
        assert.deepEqual(fake.calls().slice(-1), ["PUT /runners/9170"]);
        assert.deepEqual([fake.runners.get(9170)!.description, fake.runners.get(9170)!.paused], ["eks-prod amd64", false]);
        assert.equal(after.token, outs.token, "an update without rotation keeps the token");
        assert.equal(runnerDiff(after, inputs).changes, false);
    });

    it("refresh of a runner deleted in the UI reports it gone (empty id); update of one says to refresh", async () => {
        const { id, outs } = await createRunner(api, inputs);
        fake.runners.delete(9170);
        assert.deepEqual(await readRunner(api, id, outs), { id: "" });
        const e = await rejection(updateRunner(api, id, outs, { ...inputs, paused: true }));
        assert.match(
            e.message,
            /^Runner 9170 no longer exists in GitLab: run `pulumi refresh` so the next `pulumi up` creates it again\./,
        );
    });

    it("a new rotation resets the token (the old one stops working) without touching the settings", async () => {
        const { id, outs } = await createRunner(api, inputs);
        const rotated = { ...inputs, rotation: "2026-11" };
        assert.deepEqual(runnerDiff(outs, rotated).updates, ["rotation"]);
        const after = await updateRunner(api, id, outs, rotated);
        assert.deepEqual(fake.calls().slice(2), ["POST /runners/9170/reset_authentication_token"]);
        assert.notEqual(after.token, outs.token);
        assert.equal(fake.runners.get(9170)!.token, after.token);
        assert.equal(after.rotation, "2026-11");
    });

    it("a new API token is an update of state only: no request to GitLab", async () => {
        const { id, outs } = await createRunner(api, inputs);
        const news = { ...inputs, apiToken: FAKE_TOKENS.api.token };
        assert.deepEqual(runnerDiff(outs, news).updates, ["apiToken"]);
        const after = await updateRunner(api, id, outs, news);
        assert.equal(fake.requests.length, 2);
        assert.equal(after.apiToken, FAKE_TOKENS.api.token);
    });

    it("delete removes the runner; deleting one already gone (404) succeeds", async () => {
        const { id } = await createRunner(api, inputs);
        await deleteRunner(api, id);
        assert.equal(fake.runners.size, 0);
        await deleteRunner(api, id);
        assert.deepEqual(fake.calls().slice(-2), ["DELETE /runners/9170", "DELETE /runners/9170"]);
    });

    it("no orphan: a create whose read-back fails deletes the runner again", async () => {
        fake.inject({ status: 503 }, { method: "GET" }, 5);
        const e = await rejection(createRunner(api, inputs));
        assert.match(
            e.message,
            /^Created runner 9170 in GitLab but could not read it back, so it was deleted again: Could not read the runner: GitLab answered 503 after 5 attempts/,
        );
        assert.equal(fake.runners.size, 0);
        assert.deepEqual(fake.calls().slice(-1), ["DELETE /runners/9170"]);
    });

    it("no silent orphan: when the clean-up fails too, the error names the runner to delete", async () => {
        fake.inject({ status: 404, body: JSON.stringify({ message: "404 Runner Not Found" }) }, { method: "GET" });
        fake.inject(
            { status: 403, body: JSON.stringify({ message: "403 Forbidden - No access granted" }) },
            { method: "DELETE" },
        );
        const e = await rejection(createRunner(api, inputs));
        assert.match(
            e.message,
            /^Created runner 9170 in GitLab but could not read it back \(.*\), and deleting it failed too \(.*403 Forbidden - No access granted.*\)\. Delete runner 9170 by hand \(its page in GitLab, or DELETE \/api\/v4\/runners\/9170\) before running again\.$/,
        );
        assert.ok(fake.runners.has(9170));
    });

    it("adopt: takes over an existing runner (settings put back, token reset), and refuses one that belongs elsewhere", async () => {
        const existing = await api.create({ ...SPEC, description: "made by hand", tagList: ["old"] });
        const { id, outs } = await createRunner(api, { ...inputs, adoptRunnerId: existing.id });
        assert.equal(id, String(existing.id));
        assert.deepEqual(fake.calls().slice(1), [
            `GET /runners/${existing.id}`,
            `PUT /runners/${existing.id}`,
            `POST /runners/${existing.id}/reset_authentication_token`,
        ]);
        assert.equal(fake.runners.get(existing.id)!.description, "eks-prod amd64");
        assert.notEqual(outs.token, existing.token);
        assert.equal(fake.runners.size, 1, "nothing new was created");

        fake.groups.add(43);
        const wrongGroup = await rejection(createRunner(api, { ...inputs, groupId: 43, adoptRunnerId: existing.id }));
        assert.equal(
            wrongGroup.message,
            `Cannot adopt runner ${existing.id}: it does not belong to group 43 (GitLab lists 42). Fix the registration or adopt the right runner.`,
        );
        const missing = await rejection(createRunner(api, { ...inputs, adoptRunnerId: 1 }));
        assert.match(missing.message, /^Cannot adopt runner 1: GitLab has no such runner \(adoptRunnerId\)\./);
    });

    it("errors from any step carry no API token", async () => {
        fake.inject(
            { status: 400, body: JSON.stringify({ message: `token ${FAKE_TOKENS.full.token} refused` }) },
            { method: "POST" },
        );
        const e = await rejection(createRunner(api, inputs));
        assert.ok(!e.message.includes(FAKE_TOKENS.full.token), e.message);
    });
});

describe("registration provider diff and check (pure)", () => {
    const state: GitlabRunnerState = {
        ...SPEC,
        gitlabUrl: "https://gitlab.example.com",
        apiToken: "glpat-x",
        rotation: "",
        runnerId: 1,
        token: "glrt-x",
        tokenExpiresAt: null,
    };
    const { runnerId: _r, token: _t, tokenExpiresAt: _e, ...declared } = state;

    it("owner or instance changes replace (new runner first); settings, rotation and API token update in place", () => {
        assert.deepEqual(runnerDiff(state, declared), { changes: false, replaces: [], updates: [], deleteBeforeReplace: false });
        assert.deepEqual(runnerDiff(state, { ...declared, groupId: 43 }).replaces, ["groupId"]);
        const { groupId: _g, ...noGroup } = declared;
        assert.deepEqual(runnerDiff(state, { ...noGroup, runnerType: "project_type", projectId: 7 }).replaces, [
            "runnerType",
            "groupId",
            "projectId",
        ]);
        assert.deepEqual(runnerDiff(state, { ...declared, gitlabUrl: "https://gitlab2.example.com" }).replaces, ["gitlabUrl"]);
        // adoptRunnerId: the adopted runner (still named after the adoption) changes nothing; another one replaces.
        assert.equal(runnerDiff({ ...state, adoptRunnerId: 1 }, { ...declared, adoptRunnerId: 1 }).changes, false);
        assert.deepEqual(runnerDiff(state, { ...declared, adoptRunnerId: 77 }).replaces, ["adoptRunnerId"]);
        for (const [key, value] of Object.entries({
            description: "x",
            paused: true,
            locked: false,
            runUntagged: true,
            tagList: ["amd64"],
            accessLevel: "ref_protected",
            maximumTimeout: 7200,
            maintenanceNote: "y",
        })) {
            const d = runnerDiff(state, { ...declared, [key]: value });
            assert.deepEqual([d.changes, d.replaces, d.updates], [true, [], [key]], key);
        }
        assert.equal(
            runnerDiff(state, { ...declared, tagList: ["docker", "amd64"] }).changes,
            false,
            "tag order is not a change",
        );
    });

    it("check refuses what GitLab would refuse, before any request", () => {
        assert.deepEqual(inputFailures({ ...declared }), []);
        const { groupId: _g, ...noGroup } = declared;
        const failures = (news: Record<string, unknown>) => inputFailures(news).map((f) => `${f.property}: ${f.reason}`);
        assert.deepEqual(failures(noGroup), ["groupId: is required for group_type: a GitLab group ID"]);
        assert.deepEqual(failures({ ...declared, projectId: 7 }), ["projectId: is only for project_type"]);
        assert.deepEqual(failures({ ...declared, maximumTimeout: 599 }), [
            "maximumTimeout: must be whole seconds, at least 600 (GitLab's minimum)",
        ]);
        assert.deepEqual(failures({ ...declared, maintenanceNote: "n".repeat(1025) }), [
            "maintenanceNote: must be a string of at most 1024 characters",
        ]);
        assert.deepEqual(failures({ ...declared, description: "d".repeat(1025) }), [
            "description: must be a string of at most 1024 characters",
        ]);
        assert.deepEqual(failures({ ...declared, tagList: Array.from({ length: 51 }, (_, i) => `t${i}`) }), [
            "tagList: has more than GitLab's 50 tags",
        ]);
        assert.deepEqual(failures({ ...declared, tagList: [], runUntagged: false }), [
            "tagList: is empty and runUntagged is false: GitLab refuses a runner that can take no job",
        ]);
        assert.deepEqual(failures({ ...declared, gitlabUrl: "http://gitlab.example.com" }), [
            "gitlabUrl: must be an https:// URL without user or password (http:// only for a GitLab on this machine)",
        ]);
        assert.equal(failures({ ...declared, gitlabUrl: "https://u:p@gitlab.example.com" }).length, 1);
        // During preview a value may be unknown; it is judged when known.
        assert.deepEqual(failures({ ...declared, maximumTimeout: "04da6b54-80e4-46f7-96ec-b56ff0331ba9" }), []);
    });
});
