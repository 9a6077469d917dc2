// VM runners registered through the GitLab API (`vmRunners.<name>.registration`): the same rules as a runner's, at
// the VM runner's paths, and what GitLab is told (its tags, never untagged jobs, its job timeout).
import { strict as assert } from "assert";
import { parseStackConfig } from "../config";
import { registrationArgs } from "../components/runners/registration/args";
import { problemsOf, withValue } from "./support/fixtures";
import { REGION, withVm } from "./support/vmRunners";
import { runStackFile, stackConfigOf } from "./support/harness";
import { REGISTRATION_RESOURCE } from "./support/mocks";

const REGISTRATION = { scope: "group", groupId: 1234 };
/** The fixture's VM runner with registration, its manual token removed and an API token named in SSM. */
const registered = () => {
    let doc = withValue(withVm(), ["vmRunners", "docker-vm", "registration"], REGISTRATION);
    doc = withValue(doc, ["runnerTokens", "docker-vm"], undefined);
    return withValue(doc, ["gitlab", "apiTokenSsmParameter"], "/ci/gitlab/runner-admin-token");
};

describe("VM runner registration", () => {
    it("takes its token from GitLab and tells GitLab its tags, run-untagged false and its job timeout", () => {
        const [vm] = parseStackConfig(registered(), REGION).vmRunners;
        assert.deepEqual(vm.token, { source: "registration" });
        assert.equal(vm.registration?.scope, "group");
        const args = registrationArgs(
            { ...vm, registration: vm.registration! },
            {
                gitlabUrl: "https://gitlab.example.com",
                apiToken: "secret",
                project: "p",
                stack: "s",
            },
        );
        assert.deepEqual(
            [args.runnerType, args.groupId, args.tagList, args.runUntagged, args.maximumTimeout],
            ["group_type", 1234, ["vm-docker"], false, 3600],
        );
    });

    it("rejects a manual token beside it and a missing API token, at the VM runner's paths", () => {
        const twoSources = withValue(
            withValue(registered(), ["runnerTokens", "docker-vm"], "glrt-x"),
            ["vmRunners", "docker-vm", "tokenSsmParameter"],
            "/ci/runners/docker-vm/token",
        );
        const problems = problemsOf(twoSources);
        assert.ok(problems.some((p) => p.startsWith("vmRunners.docker-vm.tokenSsmParameter: the runner has registration")));
        assert.ok(problems.some((p) => p.startsWith('runnerTokens.docker-vm: runner "docker-vm" has registration')));
        const noApiToken = withValue(registered(), ["gitlab", "apiTokenSsmParameter"], undefined);
        assert.ok(
            problemsOf(noApiToken).some((p) => p.startsWith("vmRunners.docker-vm.registration: needs a GitLab API token")),
            problemsOf(noApiToken).join("\n"),
        );
    });

    it("prod's VM runner is registered: one registration resource under its VmRunner, its token only as a secret", async () => {
        const run = await runStackFile("prod");
        const [vm] = stackConfigOf("prod").vmRunners;
        assert.equal(vm.registration?.scope, "group");
        const reg = run.resources.find((r) => r.type === REGISTRATION_RESOURCE && r.name === `gitlab-vm-${vm.name}-registration`);
        assert.ok(reg, "no registration resource for the VM runner");
        assert.deepEqual(reg.inputs.tagList, ["vm-docker"]);
        assert.equal(reg.inputs.runUntagged, false);
        // The manager pod carries the token generation, so it restarts when GitLab issues a new token.
        const release = run.resources.find(
            (r) => r.type === "kubernetes:helm.sh/v3:Release" && r.name === `gitlab-vm-${vm.name}-release`,
        )!;
        assert.match(String(Object.values(release.inputs.values.podAnnotations ?? {})[0]), /\/initial$/);
    });
});
