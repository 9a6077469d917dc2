import { strict as assert } from "assert";
import { deployedCommit, requireDeployed } from "../scripts/ci/stackHistory";

// Entries shaped like `pulumi stack history --json` (pulumi/pulumi pkg/cmd/pulumi/stack/stack_history.go,
// updateInfoJSON), newest first; `environment` carries the git metadata the CLI records (pkg/backend/updates.go).
const SHA_A = "a".repeat(40);
const SHA_B = "b".repeat(40);
const update = (version: number, result: string, sha?: string, kind = "update", extra: Record<string, string> = {}) => ({
    version,
    kind,
    startTime: `2026-05-${String(version).padStart(2, "0")}T03:00:00Z`,
    message: "",
    result,
    environment: { ...(sha ? { "git.head": sha } : {}), "git.dirty": "false", ...extra },
});

describe("stack history: what is deployed (scripts/ci/stackHistory.ts)", () => {
    it("the commit of the newest successful update, refreshes ignored", () => {
        const history = [
            update(7, "succeeded", undefined, "refresh"),
            update(6, "succeeded", SHA_B),
            update(5, "succeeded", SHA_A),
        ];
        assert.deepEqual(deployedCommit(history, "prod"), { sha: SHA_B, version: 6, dirty: false });
    });

    it("orders by update number when every entry has one, whatever the list order", () => {
        assert.equal(deployedCommit([update(5, "succeeded", SHA_A), update(6, "succeeded", SHA_B)], "prod").sha, SHA_B);
    });

    it("refuses to pick a commit when the newest update failed or is running: part of it may be live", () => {
        const history = [update(6, "failed", SHA_B), update(5, "succeeded", SHA_A)];
        assert.throws(() => deployedCommit(history, "prod"), /last update 6 .* of stack prod failed: .* no single commit/);
        assert.throws(() => deployedCommit([update(6, "in-progress", SHA_B)], "prod"), /in-progress/);
    });

    it("refuses a destroyed stack, an empty history and an update without a recorded commit", () => {
        assert.throws(
            () => deployedCommit([update(3, "succeeded", undefined, "destroy")], "test"),
            /is a destroy: nothing to patch/,
        );
        assert.throws(() => deployedCommit([], "test"), /no update in the history read/);
        assert.throws(() => deployedCommit([update(2, "succeeded")], "test"), /recorded no git commit/);
        assert.throws(
            () => deployedCommit([update(2, "succeeded", "main")], "test"),
            /recorded no git commit \(git.head "main"\)/,
        );
    });

    it("reports an update that ran with uncommitted changes, which the patch does not carry", () => {
        assert.equal(deployedCommit([update(4, "succeeded", SHA_A, "update", { "git.dirty": "true" })], "test").dirty, true);
    });

    it("input that is not the CLI's JSON array is an error, not a TypeError", () => {
        assert.throws(() => deployedCommit({ updates: [] }, "test"), /expected the JSON array/);
        assert.throws(() => deployedCommit([null], "test"), /expected the JSON array/);
    });

    it("the first deploy of a stack is a person's: CI refuses a stack that was never deployed", () => {
        assert.throws(() => requireDeployed([], "prod"), /stack prod has never been deployed.*cluster.deployRoleArn/s);
        assert.throws(() => requireDeployed([update(1, "succeeded", undefined, "refresh")], "prod"), /never been deployed/);
        assert.doesNotThrow(
            () => requireDeployed([update(1, "failed", SHA_A)], "prod"),
            "a person's first run, even a failed one",
        );
    });
});
