import * as pulumi from "@pulumi/pulumi";
import { maximumTimeoutSeconds, RegistrationScope, RunnerRegistration } from "../../../config/runnerRegistration";
import type { RunnerType } from "./api";
import type { RunnerRegistrationArgs } from "./resource";

/** `registration.scope` → GitLab's `runner_type`. */
export const RUNNER_TYPE_OF_SCOPE: Record<RegistrationScope, RunnerType> = {
    instance: "instance_type",
    group: "group_type",
    project: "project_type",
};

/**
 * The fields of a runner that GitLab enforces: `tags`, `runUntagged` and `maxJobTimeoutMinutes` are the same fields
 * the capacity, tag-overlap and grace-period rules read, so GitLab and the stack cannot disagree.
 */
export interface RegisteredRunner {
    readonly name: string;
    readonly tags: readonly string[];
    readonly runUntagged: boolean;
    readonly maxJobTimeoutMinutes: number;
    readonly registration: RunnerRegistration;
}

/** The note GitLab shows on the runner's page (≤ 1024 characters), so nobody edits it there by mistake. */
export function maintenanceNote(project: string, stack: string): string {
    return `Managed by Pulumi (project ${project}, stack ${stack}): change the stack file, not this page; a deployment puts these settings back.`;
}

/** The registration resource's arguments for a runner. Pure: the API token passes through as given. */
export function registrationArgs(
    runner: RegisteredRunner,
    ctx: { gitlabUrl: string; apiToken: pulumi.Input<string>; project: string; stack: string },
): RunnerRegistrationArgs {
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
        ...(r.adoptRunnerId !== undefined ? { adoptRunnerId: r.adoptRunnerId } : {}),
    };
}

/**
 * A manager pod annotation (chart value `podAnnotations`) that changes whenever the runner's token does: a new
 * runner (replacement or adoption) or a new rotation. The gitlab-runner chart (0.86.0 templates/deployment.yaml)
 * rolls its pod on `checksum/secrets`, but that is the checksum of templates/secrets.yaml, which renders nothing when
 * the token comes from our own Secret named in `runners.secret`; and the manager reads `/secrets/runner-token` only
 * when it starts (templates/configmap.yaml, `CI_SERVER_TOKEN=$(cat /secrets/runner-token)`). Without this, a reset
 * token would leave the running manager with a dead one. Built from the runner id and the rotation label, never from
 * the token, so the annotation carries nothing secret.
 */
export const TOKEN_GENERATION_ANNOTATION = "eks-gitlab-runners/runner-token-generation";

export function tokenGeneration(runnerId: pulumi.Input<number>, rotation: string): pulumi.Output<string> {
    return pulumi.interpolate`${runnerId}/${rotation === "" ? "initial" : rotation}`;
}
