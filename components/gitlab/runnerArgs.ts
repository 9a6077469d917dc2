import * as pulumi from "@pulumi/pulumi";
import { maximumTimeoutSeconds, RegistrationScope, RunnerRegistration } from "../../config/runnerRegistration";
import type { GitlabRunnerArgs } from "./gitlabRunner";
import type { RunnerType } from "./runnerApi";

/** `registration.scope` → GitLab's `runner_type`. */
export const RUNNER_TYPE_OF_SCOPE: Record<RegistrationScope, RunnerType> = {
    instance: "instance_type",
    group: "group_type",
    project: "project_type",
};

/** The fields of a runner that GitLab enforces too: one definition for GitLab and for this stack's own checks. */
export interface RegisteredRunner {
    readonly name: string;
    /** → `tag_list`. */
    readonly tags: readonly string[];
    /** → `run_untagged`. */
    readonly runUntagged: boolean;
    /** → `maximum_timeout` (× 60). */
    readonly maxJobTimeoutMinutes: number;
    readonly registration: RunnerRegistration;
}

/** The note GitLab shows on the runner's page (≤ 1024 characters), so nobody edits it there by mistake. */
export function maintenanceNote(project: string, stack: string): string {
    return `Managed by Pulumi (project ${project}, stack ${stack}): change the stack file, not this page; a deployment puts these settings back.`;
}

/** The GitlabRunner arguments of a runner with `registration`. Pure: the API token passes through as given. */
export function gitlabRunnerArgs(
    runner: RegisteredRunner,
    ctx: { gitlabUrl: string; apiToken: pulumi.Input<string>; project: string; stack: string; adoptRunnerId?: number },
): GitlabRunnerArgs {
    const r = runner.registration;
    return {
        gitlabUrl: ctx.gitlabUrl,
        apiToken: ctx.apiToken,
        runnerType: RUNNER_TYPE_OF_SCOPE[r.scope],
        ...(r.groupId !== undefined ? { groupId: r.groupId } : {}),
        ...(r.projectId !== undefined ? { projectId: r.projectId } : {}),
        description: r.description,
        paused: r.paused,
        locked: r.locked,
        runUntagged: runner.runUntagged,
        tagList: [...runner.tags],
        accessLevel: r.accessLevel,
        maximumTimeout: maximumTimeoutSeconds(runner.maxJobTimeoutMinutes),
        maintenanceNote: maintenanceNote(ctx.project, ctx.stack),
        rotation: r.rotation,
        ...(ctx.adoptRunnerId !== undefined ? { adoptRunnerId: ctx.adoptRunnerId } : {}),
    };
}

/**
 * A manager pod annotation (chart value `podAnnotations`) that changes whenever the runner's token does: a new
 * runner (replacement) or a new rotation. The chart rolls its pod on `checksum/secrets` only for a Secret it renders
 * itself (templates/deployment.yaml of the gitlab-runner chart); the token Secret here is named in `runners.secret`,
 * and the manager reads the token only when it starts, so without this a reset token would leave it with a dead one.
 */
export const TOKEN_GENERATION_ANNOTATION = "eks-gitlab-runners/runner-token-generation";

export function tokenGeneration(runnerId: pulumi.Input<number>, rotation: string): pulumi.Output<string> {
    return pulumi.interpolate`${runnerId}/${rotation === "" ? "initial" : rotation}`;
}
