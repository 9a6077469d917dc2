// The RunnerRegistration resource as a program registers it (Pulumi mocks): the API token only as a secret input, the
// runner token and API token marked additionalSecretOutputs, and a serialized provider (stored in state as
// `__provider`) that carries code and no token (pulumi/pulumi#8265). Plus the arguments derived from a runner's
// stack config, and where the API token is read from.
import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { gitlabApiTokenOutput } from "../components/runners/registration/apiToken";
import { RunnerRegistration, SECRET_OUTPUTS } from "../components/runners/registration/resource";
import { maintenanceNote, registrationArgs, tokenGeneration } from "../components/runners/registration/args";
import { PROJECT } from "../config";
import { resolveRegistration } from "../config/runnerRegistration";
import { FAKE_TOKENS, FakeGitlab } from "./support/fakeGitlab";
import { isSecretInput, valueOf } from "./support/harness";

const { waitForRPCs } = require("@pulumi/pulumi/runtime/settings") as { waitForRPCs(): Promise<void> };
const { runInPulumiStack } = require("@pulumi/pulumi/runtime/stack") as {
    runInPulumiStack(init: () => Promise<unknown>): Promise<unknown>;
};

const API_TOKEN = "glpat-never-in-clear-0123456789";
const RUNNER = {
    name: "amd64",
    tags: ["amd64", "docker"],
    runUntagged: false,
    maxJobTimeoutMinutes: 60,
    registration: resolveRegistration(
        "amd64",
        { scope: "group", groupId: 42, accessLevel: "not_protected", locked: true, paused: false },
        "eks-prod",
    ),
};

interface Registered {
    inputs?: Record<string, any>;
    opts?: pulumi.CustomResourceOptions;
}

/** Runs `body` under fresh mocks with `config`; each resource by `type::name`, with its inputs and its options. */
async function underMocks(
    config: Record<string, string>,
    secretKeys: string[],
    body: () => void,
): Promise<Map<string, Registered>> {
    const recorded = new Map<string, Registered>();
    const entry = (type: string, name: string) =>
        recorded.get(`${type}::${name}`) ?? recorded.set(`${type}::${name}`, {}).get(`${type}::${name}`)!;
    pulumi.runtime.setAllConfig(config, secretKeys);
    await pulumi.runtime.setMocks(
        {
            newResource: (args) => {
                entry(args.type, args.name).inputs = args.inputs;
                return { id: "9170", state: { ...args.inputs, runnerId: 9170, token: "glrt-mock", tokenExpiresAt: null } };
            },
            call: () => ({}),
        },
        PROJECT,
        "test",
        false,
    );
    await runInPulumiStack(async () => {
        pulumi.runtime.registerStackTransformation((args) => {
            entry(args.type, args.name).opts = args.opts as pulumi.CustomResourceOptions;
            return undefined;
        });
        body();
        return {};
    });
    await waitForRPCs();
    return recorded;
}

describe("RunnerRegistration resource", () => {
    let runner: Registered;
    let resource: RunnerRegistration;
    before(async () => {
        const resources = await underMocks({}, [], () => {
            resource = new RunnerRegistration(
                "amd64-registration",
                registrationArgs(RUNNER, {
                    gitlabUrl: "https://gitlab.example.com",
                    apiToken: API_TOKEN,
                    project: PROJECT,
                    stack: "prod",
                }),
            );
        });
        runner = resources.get("pulumi-nodejs:dynamic/eks-gitlab-runners:RunnerRegistration::amd64-registration")!;
    });

    it("its outputs are the provider's (runnerId, token), not shadowed by class fields", async () => {
        assert.deepEqual(await Promise.all([valueOf(resource.runnerId), valueOf(resource.token)]), [9170, "glrt-mock"]);
    });

    it("API token: a secret input, never in the serialized provider; token and apiToken are secret outputs", () => {
        assert.ok(isSecretInput(runner.inputs!.apiToken), "apiToken is recorded as a secret even though it was passed in clear");
        assert.deepEqual(runner.opts?.additionalSecretOutputs, SECRET_OUTPUTS);
        assert.deepEqual(SECRET_OUTPUTS, ["token", "apiToken"]);
        const provider = runner.inputs!.__provider;
        assert.equal(typeof provider, "string");
        assert.match(provider, /reset_authentication_token/, "the serialized provider carries the client code");
        const everything = JSON.stringify(runner.inputs, (k, v) => (k === "apiToken" ? undefined : v));
        assert.ok(!everything.includes(API_TOKEN), "the token appears nowhere but in its secret input");
    });

    it("the serialized provider, loaded the way Pulumi loads it, creates, refreshes, rotates and deletes a runner", async () => {
        // @pulumi/pulumi cmd/dynamic-provider/index.js: `requireFromString(props.__provider).handler()`.
        const requireFromString = require("require-from-string") as (code: string) => {
            handler(): pulumi.dynamic.ResourceProvider;
        };
        const provider = requireFromString(runner.inputs!.__provider).handler();
        const fake = await FakeGitlab.start();
        try {
            const { __provider: _p, apiToken: _t, ...declared } = runner.inputs!;
            const inputs = { ...declared, gitlabUrl: fake.url, apiToken: FAKE_TOKENS.full.token };
            assert.deepEqual((await provider.check!({}, inputs)).failures, []);
            const created = await provider.create(inputs);
            assert.equal(fake.runners.get(Number(created.id))!.description, "eks-prod amd64");
            fake.editInUi(Number(created.id), { paused: true });
            const read = await provider.read!(created.id, created.outs);
            assert.equal(read.props.paused, true);
            assert.deepEqual((await provider.diff!(created.id, read.props, inputs)).replaces, []);
            const updated = await provider.update!(created.id, read.props, { ...inputs, rotation: "2026-11" });
            assert.equal(fake.runners.get(Number(created.id))!.paused, false);
            assert.notEqual(updated.outs.token, created.outs.token);
            await provider.delete!(created.id, updated.outs);
            assert.equal(fake.runners.size, 0);
            // Errors keep their message once serialized (a class extending Error would lose it).
            await assert.rejects(
                provider.create({ ...inputs, apiToken: FAKE_TOKENS.readApi.token }),
                /the API token lacks the create_runner scope/,
            );
        } finally {
            await fake.close();
        }
    });

    it("arguments: scope → runner_type, the runner's tags, run-untagged and job timeout, defaults, and a maintenance note", () => {
        const args = registrationArgs(RUNNER, {
            gitlabUrl: "https://gitlab.example.com",
            apiToken: "t",
            project: PROJECT,
            stack: "prod",
        });
        assert.deepEqual(args, {
            gitlabUrl: "https://gitlab.example.com",
            apiToken: "t",
            runnerType: "group_type",
            groupId: 42,
            description: "eks-prod amd64",
            paused: false,
            locked: true,
            runUntagged: false,
            tagList: ["amd64", "docker"],
            accessLevel: "not_protected",
            maximumTimeout: 3600,
            maintenanceNote: maintenanceNote(PROJECT, "prod"),
            rotation: "",
        });
        assert.ok(maintenanceNote(PROJECT, "a".repeat(200)).length <= 1024);
        const adopting = { ...RUNNER, registration: { ...RUNNER.registration, adoptRunnerId: 9170 } };
        assert.equal(
            registrationArgs(adopting, { gitlabUrl: "https://g", apiToken: "t", project: PROJECT, stack: "prod" }).adoptRunnerId,
            9170,
        );
    });

    it("the manager's token-generation annotation changes with a new runner or a new rotation, and only then", async () => {
        const values = await Promise.all(
            [
                tokenGeneration(9170, ""),
                tokenGeneration(9170, ""),
                tokenGeneration(9171, ""),
                tokenGeneration(9170, "2026-11"),
            ].map(valueOf),
        );
        assert.deepEqual(values, ["9170/initial", "9170/initial", "9171/initial", "9170/2026-11"]);
    });

    it("API token from the secret config gitlabApiToken: a secret Output (the SSM source is covered by the prod stack)", async () => {
        const key = `${PROJECT}:gitlabApiToken`;
        let token: pulumi.Output<string> | undefined;
        await underMocks({ [key]: API_TOKEN }, [key], () => {
            token = gitlabApiTokenOutput({}, {});
        });
        assert.equal(await valueOf(token!), API_TOKEN);
        assert.equal(await pulumi.isSecret(token!), true);
    });
});
