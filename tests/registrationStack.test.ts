// Runners registered through the GitLab API, as the program wires them (the shipped stacks under mocks: prod registers
// every runner, test keeps one manual token). GitLab's fields and the chart's podAnnotations are sourced in
// components/runners/registration/ (args.ts for the pod annotation: chart 0.86.0 templates/deployment.yaml).
import { strict as assert } from "assert";
import { TOKEN_GENERATION_ANNOTATION, maintenanceNote } from "../components/runners/registration/args";
import { SECRET_OUTPUTS } from "../components/runners/registration/resource";
import { PROJECT, StackConfig } from "../config";
import { GITLAB_API_TOKEN_CONFIG_KEY, standInGitlabApiToken, standInRunnerTokens } from "../plan/engine";
import { Run, runStackFile, stackConfigOf } from "./support/harness";
import { mockRunnerId, REGISTRATION_RESOURCE } from "./support/mocks";

const RELEASE = "kubernetes:helm.sh/v3:Release";
const SSM = "aws:ssm/getParameter:getParameter";

describe("registered runners in the shipped stacks", () => {
    const runs: Record<string, Run> = {};
    const configs: Record<string, StackConfig> = {};
    before(async () => {
        for (const stack of ["test", "prod"]) {
            runs[stack] = await runStackFile(stack);
            configs[stack] = stackConfigOf(stack);
        }
    });

    it("prod registers every runner at group scope; test keeps manual tokens", () => {
        assert.deepEqual(
            configs.prod.runners.map((r) => [r.name, r.registration?.scope, r.token.source]),
            configs.prod.runners.map((r) => [r.name, "group", "registration"]),
        );
        assert.deepEqual(
            configs.test.runners.map((r) => [r.registration, r.token.source]),
            [
                [undefined, "config"],
                [undefined, "config"],
            ],
        );
        assert.equal(runs.test.ofType(REGISTRATION_RESOURCE).length, 0);
    });

    it("one registration per runner, a child of its runner, carrying the runner's own tags, run-untagged and job timeout", () => {
        for (const r of configs.prod.runners) {
            const reg = runs.prod.one(REGISTRATION_RESOURCE, `gitlab-${r.name}-registration`);
            assert.equal(reg.parent, `gitlab-${r.name}`);
            const { __provider, apiToken: _secret, ...declared } = reg.inputs;
            assert.equal(typeof __provider, "string");
            assert.deepEqual(declared, {
                gitlabUrl: configs.prod.gitlab.url,
                runnerType: "group_type",
                groupId: r.registration!.groupId,
                description: `${configs.prod.cluster.name} ${r.name}`,
                paused: false,
                locked: true,
                runUntagged: r.runUntagged,
                tagList: r.tags,
                accessLevel: "not_protected",
                maximumTimeout: r.maxJobTimeoutMinutes * 60,
                maintenanceNote: maintenanceNote(PROJECT, "prod"),
                rotation: "",
            });
            assert.deepEqual(reg.opts?.additionalSecretOutputs, SECRET_OUTPUTS);
        }
    });

    it("the API token is read once per stack, decrypted, from gitlab.apiTokenSsmParameter", () => {
        const lookups = runs.prod.calls.filter((c) => c.token === SSM && c.inputs.withDecryption).map((c) => c.inputs.name);
        assert.deepEqual(lookups, [configs.prod.gitlab.apiTokenSsmParameter]);
        assert.deepEqual(
            runs.test.calls.filter((c) => c.token === SSM && c.inputs.withDecryption),
            [],
        );
    });

    it("a registered manager's pod carries the token generation (runner id / rotation); a manual one has no annotation", () => {
        for (const r of configs.prod.runners) {
            const values = runs.prod.one(RELEASE, `gitlab-${r.name}-release`).inputs.values;
            assert.deepEqual(values.podAnnotations, {
                [TOKEN_GENERATION_ANNOTATION]: `${mockRunnerId(`gitlab-${r.name}-registration`)}/initial`,
            });
        }
        assert.equal("podAnnotations" in runs.test.one(RELEASE, "gitlab-amd64-release").inputs.values, false);
    });

    it("the stack exports each registered runner's GitLab id, and only theirs", () => {
        const prod = runs.prod.outputs.runners as Record<string, { gitlabRunnerId?: number }>;
        for (const r of configs.prod.runners)
            assert.equal(prod[r.name].gitlabRunnerId, mockRunnerId(`gitlab-${r.name}-registration`));
        const test = runs.test.outputs.runners as Record<string, object>;
        assert.equal("gitlabRunnerId" in test.amd64, false);
    });

    it("offline stand-ins: no runner token for a registered runner; the API token answers its SSM lookup or becomes secret config", () => {
        const runners = {
            manual: { nodeGroup: "amd64" },
            registered: { nodeGroup: "amd64", registration: { scope: "instance" } },
        };
        const config = { [`${PROJECT}:runners`]: runners, [`${PROJECT}:gitlab`]: { url: "https://gitlab.example.com" } };
        assert.deepEqual(standInRunnerTokens(config, (r) => `glrt-${r}`).runners, ["manual"]);
        assert.deepEqual(standInGitlabApiToken(config, "api"), {
            config: { [GITLAB_API_TOKEN_CONFIG_KEY]: "api" },
            secureParameters: {},
            missing: true,
        });
        const ssm = { ...config, [`${PROJECT}:gitlab`]: { url: "https://g", apiTokenSsmParameter: "/ci/gitlab/t" } };
        assert.deepEqual(standInGitlabApiToken(ssm, "api"), {
            config: {},
            secureParameters: { "/ci/gitlab/t": "api" },
            missing: false,
        });
        assert.deepEqual(standInGitlabApiToken({ ...config, [GITLAB_API_TOKEN_CONFIG_KEY]: "set" }, "api").missing, false);
        assert.deepEqual(standInGitlabApiToken({ [`${PROJECT}:runners`]: { manual: runners.manual } }, "api"), {
            config: {},
            secureParameters: {},
            missing: false,
        });
    });
});
