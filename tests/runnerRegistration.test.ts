// `runners.<name>.registration`, `gitlab.apiTokenSsmParameter` and `gitlabApiToken`: schema, defaults and the rules
// across sections, with the exact messages. GitLab's side (owner ids per runner_type, access levels, the 600 s
// minimum of maximum_timeout) is sourced in config/runnerRegistration.ts (lib/api/user_runners.rb,
// app/models/ci/runner.rb in gitlab-org/gitlab).
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { gitlabApiTokenSchema, gitlabSchema } from "../config/gitlab";
import { problemsFromZod } from "../config/problems";
import {
    GITLAB_RUNNER_LIMITS,
    registrationProblems,
    registrationSchema,
    REGISTRATION_DEFAULTS,
    resolveRegistration,
} from "../config/runnerRegistration";

const AT = "runners.amd64.registration";

/** Problems of one registration stanza as `path: message` lines (empty when it is valid). */
function problems(input: unknown): string[] {
    const r = registrationSchema.safeParse(input);
    return r.success ? [] : problemsFromZod(AT, r.error.issues).map((p) => `${p.path}: ${p.message}`);
}

describe("runner registration config", () => {
    it("defaults: not_protected, locked, not paused, no rotation, description '<cluster> <runner>'", () => {
        const parsed = registrationSchema.parse({ scope: "group", groupId: 42 });
        assert.deepEqual(parsed, { scope: "group", groupId: 42, ...REGISTRATION_DEFAULTS });
        assert.deepEqual(resolveRegistration("amd64", parsed, "eks-prod"), {
            scope: "group",
            groupId: 42,
            accessLevel: "not_protected",
            locked: true,
            paused: false,
            description: "eks-prod amd64",
            rotation: "",
        });
        const explicit = registrationSchema.parse({
            scope: "instance",
            description: "eks amd64",
            rotation: "2026-11",
            accessLevel: "ref_protected",
        });
        const resolved = resolveRegistration("amd64", explicit, "eks-prod");
        assert.deepEqual(
            [resolved.description, resolved.rotation, resolved.accessLevel],
            ["eks amd64", "2026-11", "ref_protected"],
        );
        assert.equal("groupId" in resolved || "projectId" in resolved, false);
    });

    it("a stanza with every field set is valid as written", () => {
        const example = {
            scope: "group",
            groupId: 42,
            accessLevel: "not_protected",
            locked: true,
            paused: false,
            description: "eks amd64",
            rotation: "2026-11",
        };
        assert.deepEqual(problems(example), []);
    });

    it("scope ↔ owner id: each scope needs its own id and refuses the other", () => {
        assert.deepEqual(problems({ scope: "group" }), [
            `${AT}.groupId: is required with scope group: the numeric ID of the GitLab group the runner belongs to`,
        ]);
        assert.deepEqual(problems({ scope: "project" }), [
            `${AT}.projectId: is required with scope project: the numeric ID of the GitLab project the runner belongs to`,
        ]);
        assert.deepEqual(problems({ scope: "group", groupId: 42, projectId: 7 }), [
            `${AT}.projectId: applies only to scope project; a runner of scope group belongs to groupId, so remove it`,
        ]);
        assert.deepEqual(problems({ scope: "instance", groupId: 42, projectId: 7 }), [
            `${AT}.groupId: applies only to scope group; a runner of scope instance belongs to the whole instance, so remove it`,
            `${AT}.projectId: applies only to scope project; a runner of scope instance belongs to the whole instance, so remove it`,
        ]);
    });

    it("bad values and unknown keys, each at its own path", () => {
        assert.deepEqual(problems({}), [`${AT}.scope: is required: instance, group or project`]);
        assert.deepEqual(problems({ scope: "shared" }), [
            `${AT}.scope: "shared" is not a runner scope (instance, group or project)`,
        ]);
        assert.deepEqual(problems({ scope: "project", projectId: "web/app" }), [
            `${AT}.projectId: must be the numeric ID of the GitLab project (shown on its overview page), not its path`,
        ]);
        assert.deepEqual(problems({ scope: "group", groupId: 0 }), [
            `${AT}.groupId: must be the numeric ID of the GitLab group (shown on its overview page), not its path`,
        ]);
        assert.deepEqual(problems({ scope: "instance", accessLevel: "protected", locked: "yes", paused: 1 }), [
            `${AT}.accessLevel: "protected" is not an access level (not_protected or ref_protected)`,
            `${AT}.locked: must be true or false`,
            `${AT}.paused: must be true or false`,
        ]);
        assert.deepEqual(problems({ scope: "instance", description: "  " }), [
            `${AT}.description: is empty; omit it to get the default "<cluster> <runner>"`,
        ]);
        assert.deepEqual(problems({ scope: "instance", rotation: 202611 }), [
            `${AT}.rotation: must be a string; quote it (rotation: "2026-11")`,
        ]);
        assert.deepEqual(problems({ scope: "instance", rotation: "next month" }), [
            `${AT}.rotation: must be 1–64 of [A-Za-z0-9._:-], e.g. 2026-11`,
        ]);
        assert.deepEqual(problems({ scope: "instance", token: "glrt-x" }), [
            `${AT}.token: unknown key (allowed: scope, groupId, projectId, accessLevel, locked, paused, description, rotation)`,
        ]);
    });

    it("gitlab.apiTokenSsmParameter is an SSM parameter name; gitlabApiToken a non-empty string, never quoted back", () => {
        const url = "https://gitlab.example.com";
        assert.equal(
            gitlabSchema.parse({ url, apiTokenSsmParameter: "/ci/gitlab/runner-admin-token" }).apiTokenSsmParameter,
            "/ci/gitlab/runner-admin-token",
        );
        assert.equal(gitlabSchema.parse({ url }).apiTokenSsmParameter, undefined);
        const bad = gitlabSchema.safeParse({ url, apiTokenSsmParameter: "ci gitlab token" });
        assert.deepEqual(problemsFromZod("gitlab", bad.error!.issues), [
            {
                path: "gitlab.apiTokenSsmParameter",
                message: '"ci gitlab token" is not an SSM parameter name (e.g. /ci/gitlab/runner-admin-token)',
            },
        ]);
        const empty = gitlabApiTokenSchema.safeParse("");
        assert.deepEqual(problemsFromZod("gitlabApiToken", empty.error!.issues), [
            {
                path: "gitlabApiToken",
                message:
                    "is empty; set the GitLab API token with `pulumi config set --secret gitlabApiToken …` or remove the key",
            },
        ]);
        const notString = gitlabApiTokenSchema.safeParse({ value: "glpat-secret" });
        assert.ok(!JSON.stringify(problemsFromZod("gitlabApiToken", notString.error!.issues)).includes("glpat-secret"));
    });

    it("docs/runner-registration.md documents every key with the defaults and GitLab limits the code uses", () => {
        const doc = fs.readFileSync(path.join(__dirname, "..", "docs", "runner-registration.md"), "utf8");
        const expected = [
            ...Object.keys(registrationSchema.shape).map((key) => `| \`${key}\` |`),
            ...Object.entries(REGISTRATION_DEFAULTS).map(([key, value]) => `| \`${key}\` | \`${value}\` |`),
            `at least ${GITLAB_RUNNER_LIMITS.minMaximumTimeoutSeconds} seconds`,
            `at most ${GITLAB_RUNNER_LIMITS.maintenanceNoteMaxLength} characters`,
        ];
        for (const text of expected)
            assert.ok(doc.includes(text), `docs/runner-registration.md does not say ${JSON.stringify(text)}`);
    });

    describe("rules across sections", () => {
        const runner = { name: "amd64", maxJobTimeoutMinutes: 60, tokenSsmParameter: false, configToken: false };

        it("a registered runner needs an API token source; one is enough, both is an error", () => {
            assert.deepEqual(registrationProblems([runner], { ssmParameter: false }), [
                {
                    path: "runners.amd64.registration",
                    message:
                        "needs a GitLab API token to create the runner: set gitlab.apiTokenSsmParameter (an SSM SecureString) or `pulumi config set --secret gitlabApiToken …`; the token needs the create_runner and manage_runner scopes",
                },
            ]);
            assert.deepEqual(registrationProblems([runner], { ssmParameter: true }), []);
            assert.deepEqual(registrationProblems([runner], { ssmParameter: false, secretConfig: { isSecret: true } }), []);
            assert.deepEqual(registrationProblems([], { ssmParameter: true, secretConfig: { isSecret: true } }), [
                {
                    path: "gitlab.apiTokenSsmParameter",
                    message:
                        "gitlabApiToken is set too; keep one source of the GitLab API token (remove one with `pulumi config rm gitlabApiToken` or drop apiTokenSsmParameter)",
                },
            ]);
        });

        it("gitlabApiToken in clear text is an error (revoke it), not a warning", () => {
            assert.deepEqual(registrationProblems([runner], { ssmParameter: false, secretConfig: { isSecret: false } }), [
                {
                    path: "gitlabApiToken",
                    message:
                        "is not a secret: the GitLab API token is in clear text in the stack file. Revoke it in GitLab, then set a new one with `pulumi config set --secret gitlabApiToken …`",
                },
            ]);
        });

        it("registration and a manual token for one runner is an error at the manual token's path", () => {
            const mixed = registrationProblems([{ ...runner, tokenSsmParameter: true, configToken: true }], {
                ssmParameter: true,
            });
            assert.deepEqual(mixed, [
                {
                    path: "runners.amd64.tokenSsmParameter",
                    message:
                        "the runner has registration, which issues its token through the GitLab API; remove tokenSsmParameter",
                },
                {
                    path: "runnerTokens.amd64",
                    message:
                        "runner \"amd64\" has registration, which issues its token through the GitLab API; remove this one with `pulumi config rm --path 'runnerTokens.amd64'`",
                },
            ]);
        });

        it("GitLab's minimum maximum_timeout (600 s) holds for the runner's maxJobTimeoutMinutes", () => {
            assert.deepEqual(registrationProblems([{ ...runner, maxJobTimeoutMinutes: 9 }], { ssmParameter: true }), [
                {
                    path: "runners.amd64.maxJobTimeoutMinutes",
                    message: "9 is below GitLab's minimum maximum_timeout of 10 minutes (600 s)",
                },
            ]);
            assert.deepEqual(registrationProblems([{ ...runner, maxJobTimeoutMinutes: 10 }], { ssmParameter: true }), []);
        });
    });
});
