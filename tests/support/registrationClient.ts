// Helpers of the GitLab runner API client tests.
import { strict as assert } from "assert";
import { ClientOptions, gitlabRunnerClient } from "../../components/runners/registration/client";
import { GitlabApiError, isGitlabApiError } from "../../components/runners/registration/errors";
import { FAKE_TOKENS, FakeGitlab } from "./fakeGitlab";

/** The error a promise rejects with (fails the test if it resolves). */
export async function failure(p: Promise<unknown>): Promise<GitlabApiError> {
    try {
        await p;
    } catch (e) {
        assert.ok(isGitlabApiError(e), `not a GitlabApiError: ${e}`);
        return e;
    }
    throw new Error("expected the call to fail");
}

/** A fresh fake GitLab per test, the delays the client slept, and a client of it (no real sleeps, fixed jitter). */
export interface FakeGitlabSuite {
    fake: FakeGitlab;
    slept: number[];
    client(token?: string, extra?: Partial<ClientOptions>): ReturnType<typeof gitlabRunnerClient>;
}

/** Registers the before/after hooks of a suite that talks to a fake GitLab on 127.0.0.1. */
export function useFakeGitlab(): FakeGitlabSuite {
    const suite: FakeGitlabSuite = {
        fake: undefined as unknown as FakeGitlab,
        slept: [],
        client: (token = FAKE_TOKENS.full.token, extra = {}) =>
            gitlabRunnerClient({
                url: suite.fake.url,
                token,
                sleep: async (ms) => void suite.slept.push(ms),
                random: () => 0.5,
                ...extra,
            }),
    };
    beforeEach(async () => {
        suite.fake = await FakeGitlab.start();
        suite.slept = [];
    });
    afterEach(() => suite.fake.close());
    return suite;
}
