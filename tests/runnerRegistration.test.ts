// `runners.<name>.registration`, `gitlab.apiTokenSsmParameter` and `gitlabApiToken`: schema, defaults and the rules
// across sections, with the exact messages. GitLab's side (owner ids per runner_type, access levels, the 600 s
// minimum of maximum_timeout, 1024-character description, 50 tags) is sourced in config/runnerRegistration.ts
// (lib/api/user_runners.rb, app/models/ci/runner.rb in gitlab-org/gitlab).
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { ConfigError, parseStackConfig } from "../config";
import { gitlabApiTokenSchema, gitlabSchema } from "../config/gitlab";
import { problemsFromZod } from "../config/problems";
import {
    GITLAB_RUNNER_LIMITS,
    maximumTimeoutSeconds,
    registrationSchema,
    REGISTRATION_DEFAULTS,
    resolveRegistration,
} from "../config/runnerRegistration";
import { problemsOf, validDocument, withValue } from "./support/fixtures";

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
            adoptRunnerId: 9170,
        };
        assert.deepEqual(problems(example), []);
        assert.equal(resolveRegistration("amd64", registrationSchema.parse(example), "eks").adoptRunnerId, 9170);
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
        assert.deepEqual(problems({ scope: "instance", description: "d".repeat(1025) }), [
            `${AT}.description: is longer than GitLab's 1024 characters`,
        ]);
        assert.deepEqual(problems({ scope: "instance", description: "d".repeat(1024) }), []);
        assert.deepEqual(problems({ scope: "instance", adoptRunnerId: "#1234" }), [
            `${AT}.adoptRunnerId: must be the numeric ID of an existing runner (shown on its page in GitLab, #1234)`,
        ]);
        assert.deepEqual(problems({ scope: "instance", token: "glrt-x" }), [
            `${AT}.token: unknown key (allowed: scope, groupId, projectId, accessLevel, locked, paused, description, rotation, adoptRunnerId)`,
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
            `description of at most ${GITLAB_RUNNER_LIMITS.descriptionMaxLength} characters`,
            `maintenance note of at most ${GITLAB_RUNNER_LIMITS.maintenanceNoteMaxLength} characters`,
            `at most ${GITLAB_RUNNER_LIMITS.maxTags} tags`,
        ];
        for (const text of expected)
            assert.ok(doc.includes(text), `docs/runner-registration.md does not say ${JSON.stringify(text)}`);
    });

    describe("rules across sections (whole documents)", () => {
        /** The fixture with its runner registered (no manual token) and the API token in SSM. */
        const registered = (registration: Record<string, unknown> = { scope: "group", groupId: 42 }) => {
            let doc = withValue(validDocument(), ["runners", "amd64", "registration"], registration);
            doc = withValue(doc, ["runnerTokens"], undefined);
            return withValue(doc, ["gitlab", "apiTokenSsmParameter"], "/ci/gitlab/runner-admin-token");
        };

        it("a registered runner: token from GitLab, registration resolved with the cluster's name, nothing secret in StackConfig", () => {
            const doc = withValue(registered(), ["gitlab", "apiTokenSsmParameter"], undefined);
            doc.gitlabApiToken = "glpat-never-in-stack-config";
            const cfg = parseStackConfig(doc, "eu-west-1", { secretKeys: new Set(["gitlabApiToken"]) });
            const r = cfg.runners[0];
            assert.deepEqual(r.token, { source: "registration" });
            assert.deepEqual(r.registration, {
                scope: "group",
                groupId: 42,
                accessLevel: "not_protected",
                locked: true,
                paused: false,
                description: "ci-fixture amd64",
                rotation: "",
            });
            assert.ok(!JSON.stringify(cfg).includes("glpat-"), "the API token reached StackConfig");
            assert.equal("gitlabApiToken" in cfg, false);
        });

        it("a registered runner needs an API token source; one is enough, both is an error", () => {
            const none = withValue(registered(), ["gitlab", "apiTokenSsmParameter"], undefined);
            assert.deepEqual(problemsOf(none), [
                "runners.amd64.registration: needs a GitLab API token to create the runner: set gitlab.apiTokenSsmParameter (an SSM SecureString) or `pulumi config set --secret gitlabApiToken …`; the token needs the create_runner and manage_runner scopes",
            ]);
            assert.equal(parseStackConfig(registered(), "eu-west-1").runners.length, 1);
            const both = { ...registered(), gitlabApiToken: "glpat-x" };
            assert.deepEqual(problemsOf(both), [
                "gitlab.apiTokenSsmParameter: gitlabApiToken is set too; keep one source of the GitLab API token (remove one with `pulumi config rm gitlabApiToken` or drop apiTokenSsmParameter)",
            ]);
        });

        it("gitlabApiToken in clear text is an error (revoke it); a wrong shape is named without its value", () => {
            const doc = { ...withValue(registered(), ["gitlab", "apiTokenSsmParameter"], undefined), gitlabApiToken: "glpat-x" };
            assert.throws(
                () => parseStackConfig(doc, "eu-west-1", { secretKeys: new Set() }),
                (e: ConfigError) =>
                    e.problems.length === 1 &&
                    e.problems[0].path === "gitlabApiToken" &&
                    e.problems[0].message ===
                        "is not a secret: the GitLab API token is in clear text in the stack file. Revoke it in GitLab, then set a new one with `pulumi config set --secret gitlabApiToken …`",
            );
            const shaped = problemsOf({ ...doc, gitlabApiToken: { token: "glpat-do-not-echo" } });
            assert.deepEqual(shaped, [
                "gitlabApiToken: must be a string: the GitLab API token (set it with `pulumi config set --secret gitlabApiToken …`)",
            ]);
            assert.ok(!shaped.join("").includes("glpat-do-not-echo"));
        });

        it("registration and a manual token for one runner is an error at the manual token's path", () => {
            let doc = withValue(registered(), ["runnerTokens"], { amd64: "glrt-fixture-amd64" });
            doc = withValue(doc, ["runners", "amd64", "tokenSsmParameter"], "/ci/runners/amd64/token");
            assert.deepEqual(problemsOf(doc), [
                "runners.amd64.tokenSsmParameter: the runner has registration, which issues its token through the GitLab API; remove tokenSsmParameter",
                "runnerTokens.amd64: runner \"amd64\" has registration, which issues its token through the GitLab API; remove this one with `pulumi config rm --path 'runnerTokens.amd64'`",
            ]);
        });

        it("GitLab's limits: maximum_timeout ≥ 600 s through maxJobTimeoutMinutes, at most 50 tags", () => {
            const shortJobs = withValue(registered(), ["runners", "amd64", "maxJobTimeoutMinutes"], 9);
            assert.deepEqual(problemsOf(shortJobs), ["runners.amd64.maxJobTimeoutMinutes: must be at least 10 (minutes)"]);
            assert.equal(
                maximumTimeoutSeconds(10),
                GITLAB_RUNNER_LIMITS.minMaximumTimeoutSeconds,
                "the option's minimum is GitLab's",
            );
            const tags = Array.from({ length: 51 }, (_, i) => `t${i}`);
            assert.deepEqual(problemsOf(withValue(registered(), ["runners", "amd64", "tags"], tags)), [
                "runners.amd64.tags: 51 tags; GitLab accepts at most 50 per runner",
            ]);
        });
    });
});
