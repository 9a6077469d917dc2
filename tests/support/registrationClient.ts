// Helpers of the GitLab runner API client tests.
import { strict as assert } from "assert";
import { GitlabApiError, isGitlabApiError } from "../../components/runners/registration/errors";

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
