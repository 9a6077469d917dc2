import * as pulumi from "@pulumi/pulumi";
import type { RunnerConfig } from "../../config";
import { RegisteredRunner, registrationArgs, TOKEN_GENERATION_ANNOTATION, tokenGeneration } from "./registration/args";
import { RunnerRegistration } from "./registration/resource";
import { runnerTokenOutput } from "./token";

/** A runner manager's token: the registration's (a runner created through the GitLab API) or one set by hand. */
export interface ManagerToken {
    readonly token: pulumi.Output<string>;
    /** The runner in GitLab, for a runner with `registration` (docs/runner-registration.md). */
    readonly registration?: RunnerRegistration;
    /** Manager pod annotations that roll the pod when GitLab issues a new token (none for a manual token). */
    readonly podAnnotations: pulumi.Output<Record<string, string> | undefined>;
}

/**
 * The token of a Kubernetes or VM runner's manager. A registered runner is created in GitLab by the program, which
 * receives its token (a secret output) and the runner's id; tags, run-untagged and the job timeout come from the same
 * fields the stack's own rules read. The manager reads its token only at start, so a registered runner's pod carries
 * the token generation (registration/args.ts) and rolls when GitLab issues a new one.
 */
export function managerToken(
    parent: pulumi.Resource,
    name: string,
    runner: Pick<RunnerConfig, "name" | "token"> &
        Omit<RegisteredRunner, "registration"> & { readonly registration?: RegisteredRunner["registration"] },
    ctx: { readonly gitlabUrl: string; readonly apiToken?: pulumi.Output<string> },
): ManagerToken {
    const registered = runner.registration;
    if (!registered) return { token: runnerTokenOutput(runner, { parent }), podAnnotations: pulumi.output(undefined) };
    if (!ctx.apiToken) throw new Error(`runner ${runner.name} has registration but no GitLab API token`);
    const registration = new RunnerRegistration(
        `${name}-registration`,
        registrationArgs(
            { ...runner, registration: registered },
            { gitlabUrl: ctx.gitlabUrl, apiToken: ctx.apiToken, project: pulumi.getProject(), stack: pulumi.getStack() },
        ),
        { parent },
    );
    return {
        token: pulumi.secret(registration.token),
        registration,
        podAnnotations: tokenGeneration(registration.runnerId, registered.rotation).apply((gen) => ({
            [TOKEN_GENERATION_ANNOTATION]: gen,
        })),
    };
}
