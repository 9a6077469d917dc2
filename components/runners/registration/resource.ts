import * as pulumi from "@pulumi/pulumi";
import type { AccessLevel } from "../../../config/runnerRegistration";
import { gitlabRunnerClient } from "./client";
import {
    createRunner,
    deleteRunner,
    GitlabRunnerInputs,
    GitlabRunnerState,
    inputFailures,
    readRunner,
    runnerDiff,
    updateRunner,
} from "./lifecycle";
import type { RunnerType } from "./api";

/**
 * Outputs kept secret in state: the runner's authentication token, and the API token carried in state so that
 * update, refresh and delete can authenticate. `additionalSecretOutputs` rather than returning `pulumi.secret()`
 * from the provider, which dynamic providers cannot do (pulumi/pulumi#3012); the engine would also keep `apiToken`
 * secret as its input is (pulumi/pulumi#13260), this says so explicitly.
 */
export const SECRET_OUTPUTS = ["token", "apiToken"];

/**
 * The provider holds no secret and no client: each call builds its client from the inputs or state it is handed,
 * so the serialized provider (the `__provider` input, which Pulumi stores in state) carries code only. A provider
 * that captured a token would write it into that string (pulumi/pulumi#8265).
 */
export const registrationProvider: pulumi.dynamic.ResourceProvider = {
    async check(_olds: unknown, news: Record<string, unknown>) {
        return { inputs: news, failures: inputFailures(news) };
    },
    async diff(_id: string, olds: GitlabRunnerState, news: GitlabRunnerInputs) {
        return runnerDiff(olds, news);
    },
    async create(inputs: GitlabRunnerInputs) {
        return createRunner(gitlabRunnerClient({ url: inputs.gitlabUrl, token: inputs.apiToken }), inputs);
    },
    async read(id: string, state: GitlabRunnerState) {
        return readRunner(gitlabRunnerClient({ url: state.gitlabUrl, token: state.apiToken }), id, state);
    },
    async update(id: string, olds: GitlabRunnerState, news: GitlabRunnerInputs) {
        return { outs: await updateRunner(gitlabRunnerClient({ url: news.gitlabUrl, token: news.apiToken }), id, olds, news) };
    },
    async delete(id: string, state: GitlabRunnerState) {
        // The API token from state: after a token rotation, one `pulumi up` (an in-place update) stores the new one.
        await deleteRunner(gitlabRunnerClient({ url: state.gitlabUrl, token: state.apiToken }), id);
    },
};

export interface RunnerRegistrationArgs {
    /** The GitLab root (`gitlab.url`). Changing it replaces the runner. */
    readonly gitlabUrl: pulumi.Input<string>;
    /** API token with the create_runner and manage_runner scopes; made secret here whatever the caller passes. */
    readonly apiToken: pulumi.Input<string>;
    /** → `runner_type`; changing it (or the group or project) replaces the runner. */
    readonly runnerType: pulumi.Input<RunnerType>;
    readonly groupId?: pulumi.Input<number>;
    readonly projectId?: pulumi.Input<number>;
    readonly description: pulumi.Input<string>;
    readonly paused: pulumi.Input<boolean>;
    readonly locked: pulumi.Input<boolean>;
    readonly runUntagged: pulumi.Input<boolean>;
    readonly tagList: pulumi.Input<pulumi.Input<string>[]>;
    readonly accessLevel: pulumi.Input<AccessLevel>;
    /** Seconds, ≥ 600. */
    readonly maximumTimeout: pulumi.Input<number>;
    readonly maintenanceNote?: pulumi.Input<string>;
    /** Change it to reset the authentication token. */
    readonly rotation?: pulumi.Input<string>;
    /** Take over this existing runner instead of creating one; read at creation only. */
    readonly adoptRunnerId?: pulumi.Input<number>;
}

/** The resource type's name: `pulumi-nodejs:dynamic/eks-gitlab-runners:RunnerRegistration` in URNs. */
export const REGISTRATION_TYPE = "RunnerRegistration";

/**
 * A runner in GitLab, created through `POST /api/v4/user/runners` and kept equal to its arguments: `pulumi refresh`
 * reads it back (`GET /runners/:id`), `pulumi up` puts the settings back (`PUT`), a new `rotation` resets its token,
 * and deleting the resource deletes the runner. `token` is the runner authentication token (glrt-…), secret.
 */
export class RunnerRegistration extends pulumi.dynamic.Resource {
    // `declare`, not `!:`: with target ES2022 a class field is defined (as undefined) after super() returns, which
    // would overwrite the outputs the base constructor has just set (TypeScript useDefineForClassFields).
    declare public readonly runnerId: pulumi.Output<number>;
    declare public readonly token: pulumi.Output<string>;
    declare public readonly tokenExpiresAt: pulumi.Output<string | null>;

    constructor(name: string, args: RunnerRegistrationArgs, opts?: pulumi.CustomResourceOptions) {
        super(
            registrationProvider,
            name,
            {
                ...args,
                apiToken: pulumi.secret(args.apiToken),
                maintenanceNote: args.maintenanceNote ?? "",
                rotation: args.rotation ?? "",
                runnerId: undefined,
                token: undefined,
                tokenExpiresAt: undefined,
            },
            { ...opts, additionalSecretOutputs: [...(opts?.additionalSecretOutputs ?? []), ...SECRET_OUTPUTS] },
            "eks-gitlab-runners",
            REGISTRATION_TYPE,
        );
    }
}
