// What the registration provider does at each step of a resource's life, over the RunnerApi interface (a local fake
// GitLab in tests, the fetch client in deployments). Pulumi hands a dynamic provider plain values: old *outputs*
// (state) to diff, update, read and delete, new *inputs* to check, diff, create and update
// (@pulumi/pulumi cmd/dynamic-provider/index.js), so the state below carries everything a later step needs,
// the API token included (kept secret in state, see gitlabRunner.ts).
import { GITLAB_RUNNER_LIMITS } from "../../../config/runnerRegistration";
import type { RunnerApi } from "./client";
import { isGitlabApiError } from "./errors";
import { ObservedRunner, RUNNER_TYPES, RunnerOwner, RunnerSettings, SETTING_KEYS, settingsDrift } from "./api";

/** The resource's inputs as the provider receives them. */
export interface GitlabRunnerInputs extends RunnerOwner, RunnerSettings {
    readonly gitlabUrl: string;
    readonly apiToken: string;
    /** Changing it resets the authentication token; "" before the first rotation. */
    readonly rotation: string;
    /** Take over this existing runner instead of creating one (dynamic resources cannot be `import`ed). */
    readonly adoptRunnerId?: number;
}

/** The resource's state: inputs with GitLab's view of the settings, the runner id and its token. */
export interface GitlabRunnerState extends GitlabRunnerInputs {
    readonly runnerId: number;
    /** The runner authentication token; secret. */
    readonly token: string;
    readonly tokenExpiresAt: string | null;
}

/** Pulumi's stand-in for a value not known during preview (`unknownValue` in @pulumi/pulumi runtime/rpc). */
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export interface CheckFailure {
    readonly property: string;
    readonly reason: string;
}

const isInt = (v: unknown, min: number) => typeof v === "number" && Number.isInteger(v) && v >= min;

/**
 * What GitLab would refuse, found before any request (so nothing is half-created): the owner id each runner type
 * requires (lib/api/user_runners.rb), the model's limits in GITLAB_RUNNER_LIMITS (maximum_timeout ≥ 600, description
 * and maintenance_note ≤ 1024 characters, at most 50 tags; app/models/ci/runner.rb), and tags or run_untagged (the
 * model's tag_constraints: "can not be empty when runner is not allowed to pick untagged jobs"). Values still unknown
 * during preview are not judged.
 */
export function inputFailures(news: Record<string, unknown>): CheckFailure[] {
    const out: CheckFailure[] = [];
    const bad = (property: string, reason: string) => {
        if (news[property] !== UNKNOWN) out.push({ property, reason });
    };
    if (!gitlabUrlOk(news.gitlabUrl)) {
        bad("gitlabUrl", "must be an https:// URL without user or password (http:// only for a GitLab on this machine)");
    }
    if (typeof news.apiToken !== "string" || news.apiToken === "") bad("apiToken", "must be a non-empty string");
    const type = RUNNER_TYPES.find((t) => t === news.runnerType);
    if (!type) bad("runnerType", `must be one of ${RUNNER_TYPES.join(", ")}`);
    for (const [key, owner] of [
        ["groupId", "group_type"],
        ["projectId", "project_type"],
    ] as const) {
        if (type === owner && !isInt(news[key], 1)) bad(key, `is required for ${owner}: a GitLab ${key.replace("Id", "")} ID`);
        if (type && type !== owner && news[key] !== undefined) bad(key, `is only for ${owner}`);
    }
    if (typeof news.description !== "string" || news.description.length > GITLAB_RUNNER_LIMITS.descriptionMaxLength) {
        bad("description", `must be a string of at most ${GITLAB_RUNNER_LIMITS.descriptionMaxLength} characters`);
    }
    for (const key of ["paused", "locked", "runUntagged"] as const)
        if (typeof news[key] !== "boolean") bad(key, "must be true or false");
    const tags = news.tagList;
    if (!Array.isArray(tags) || !tags.every((t) => typeof t === "string" && t !== "")) bad("tagList", "must be a list of tags");
    else if (tags.length > GITLAB_RUNNER_LIMITS.maxTags)
        bad("tagList", `has more than GitLab's ${GITLAB_RUNNER_LIMITS.maxTags} tags`);
    else if (tags.length === 0 && news.runUntagged === false)
        bad("tagList", "is empty and runUntagged is false: GitLab refuses a runner that can take no job");
    if (news.accessLevel !== "not_protected" && news.accessLevel !== "ref_protected")
        bad("accessLevel", "must be not_protected or ref_protected");
    if (!isInt(news.maximumTimeout, GITLAB_RUNNER_LIMITS.minMaximumTimeoutSeconds)) {
        bad(
            "maximumTimeout",
            `must be whole seconds, at least ${GITLAB_RUNNER_LIMITS.minMaximumTimeoutSeconds} (GitLab's minimum)`,
        );
    }
    const note = news.maintenanceNote;
    if (typeof note !== "string" || note.length > GITLAB_RUNNER_LIMITS.maintenanceNoteMaxLength) {
        bad("maintenanceNote", `must be a string of at most ${GITLAB_RUNNER_LIMITS.maintenanceNoteMaxLength} characters`);
    }
    if (typeof news.rotation !== "string") bad("rotation", "must be a string");
    if (news.adoptRunnerId !== undefined && !isInt(news.adoptRunnerId, 1)) bad("adoptRunnerId", "must be a runner ID");
    return out;
}

function gitlabUrlOk(v: unknown): boolean {
    if (typeof v !== "string") return false;
    try {
        const u = new URL(v);
        if (u.username !== "" || u.password !== "") return false;
        return u.protocol === "https:" || (u.protocol === "http:" && ["127.0.0.1", "localhost", "[::1]"].includes(u.hostname));
    } catch {
        return false;
    }
}

/** Fields that name a different runner when they change: GitLab cannot move a runner between owners or instances. */
export const REPLACE_ON_CHANGE = ["gitlabUrl", "runnerType", "groupId", "projectId"] as const;

/**
 * Replace for a new owner or instance, or an `adoptRunnerId` naming another runner than the one in state; update in
 * place for any setting (compared with what GitLab reported at the last create, update or refresh, so a UI edit shows
 * up as a change), a new rotation, or a new API token (state only). A replacement is created (or adopted) before the
 * old runner is deleted, so the manager always has a valid token. An `adoptRunnerId` equal to the runner in state, or
 * removed after the adoption, changes nothing.
 */
export function runnerDiff(olds: GitlabRunnerState, news: GitlabRunnerInputs) {
    const replaces: string[] = REPLACE_ON_CHANGE.filter((k) => olds[k] !== news[k]);
    if (news.adoptRunnerId !== undefined && news.adoptRunnerId !== olds.runnerId) replaces.push("adoptRunnerId");
    const updates = [
        ...settingsDrift(olds, news),
        ...(olds.rotation !== news.rotation ? ["rotation"] : []),
        ...(olds.apiToken !== news.apiToken ? ["apiToken"] : []),
    ];
    return { changes: replaces.length > 0 || updates.length > 0, replaces, updates, deleteBeforeReplace: false };
}

/** State from inputs plus what GitLab reported: reported settings win, so the state is GitLab's truth. */
export function stateOf(
    inputs: GitlabRunnerInputs,
    runner: { runnerId: number; token: string; tokenExpiresAt: string | null },
    observed?: ObservedRunner,
): GitlabRunnerState {
    const settings: Partial<RunnerSettings> = {};
    for (const k of SETTING_KEYS)
        if (observed?.settings[k] !== undefined) (settings as Record<string, unknown>)[k] = observed.settings[k];
    const owner: { -readonly [K in keyof RunnerOwner]?: RunnerOwner[K] } = {};
    if (observed) {
        owner.runnerType = observed.runnerType;
        // GitLab lists only the groups and projects the caller may see; an empty list says nothing.
        if (observed.groupIds.length > 0 && !observed.groupIds.includes(inputs.groupId as number))
            owner.groupId = observed.groupIds[0];
        if (observed.projectIds.length > 0 && !observed.projectIds.includes(inputs.projectId as number))
            owner.projectId = observed.projectIds[0];
    }
    return withoutUndefined({ ...inputs, ...settings, ...owner, ...runner });
}

/** Pulumi's wire format (protobuf Struct) has no `undefined`. */
function withoutUndefined<T extends object>(o: T): T {
    return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

const isNotFound = (e: unknown) => isGitlabApiError(e) && e.kind === "not-found";

/**
 * Creates the runner, then reads it back. If anything fails after GitLab created it, the runner is deleted again
 * so no orphan holds a live token; if even that fails, the error names its id for a manual clean-up.
 */
export async function createRunner(api: RunnerApi, inputs: GitlabRunnerInputs): Promise<{ id: string; outs: GitlabRunnerState }> {
    if (inputs.adoptRunnerId !== undefined) return adoptRunner(api, inputs, inputs.adoptRunnerId);
    const created = await api.create(inputs);
    try {
        const observed = await api.get(created.id);
        const issued = { runnerId: created.id, token: created.token, tokenExpiresAt: created.tokenExpiresAt };
        return { id: String(created.id), outs: stateOf(inputs, issued, observed) };
    } catch (error) {
        const why = (error as Error).message;
        try {
            await api.remove(created.id);
        } catch (cleanup) {
            throw new Error(
                `Created runner ${created.id} in GitLab but could not read it back (${why}), and deleting it failed too (${(cleanup as Error).message}). Delete runner ${created.id} by hand (its page in GitLab, or DELETE /api/v4/runners/${created.id}) before running again.`,
            );
        }
        throw new Error(`Created runner ${created.id} in GitLab but could not read it back, so it was deleted again: ${why}`);
    }
}

/**
 * Takes over an existing runner (the migration path from a manual token): checks it belongs where the stack says,
 * applies the declared settings and resets its token, so the token is known and flows to the manager. The runner
 * keeps its id, jobs history and ownership; its old token stops working.
 */
async function adoptRunner(
    api: RunnerApi,
    inputs: GitlabRunnerInputs,
    id: number,
): Promise<{ id: string; outs: GitlabRunnerState }> {
    let observed: ObservedRunner;
    try {
        observed = await api.get(id);
    } catch (error) {
        if (isNotFound(error))
            throw new Error(`Cannot adopt runner ${id}: GitLab has no such runner (adoptRunnerId). ${(error as Error).message}`);
        throw error;
    }
    const where = ownerMismatch(observed, inputs);
    if (where) throw new Error(`Cannot adopt runner ${id}: ${where}. Fix the registration or adopt the right runner.`);
    const updated = await api.update(id, inputs);
    const issued = await api.resetToken(id);
    return {
        id: String(id),
        outs: stateOf(inputs, { runnerId: id, token: issued.token, tokenExpiresAt: issued.tokenExpiresAt }, updated),
    };
}

function ownerMismatch(observed: ObservedRunner, inputs: GitlabRunnerInputs): string | undefined {
    if (observed.runnerType !== inputs.runnerType)
        return `it is a ${observed.runnerType} runner, the stack declares ${inputs.runnerType}`;
    if (inputs.runnerType === "group_type" && !observed.groupIds.includes(inputs.groupId as number)) {
        return `it does not belong to group ${inputs.groupId} (GitLab lists ${observed.groupIds.join(", ") || "no group visible to the token"})`;
    }
    if (inputs.runnerType === "project_type" && !observed.projectIds.includes(inputs.projectId as number)) {
        return `it is not a runner of project ${inputs.projectId} (GitLab lists ${observed.projectIds.join(", ") || "no project visible to the token"})`;
    }
    return undefined;
}

/**
 * Refresh: GitLab's current view (a UI edit becomes a diff on the next `pulumi up`). A runner deleted in GitLab
 * answers with an empty id, which the engine takes as "no longer exists" (pulumi/pulumi proto/pulumi/provider.proto,
 * ReadResponse.id: "the ID of the resource read back (or empty if missing)").
 */
export async function readRunner(
    api: RunnerApi,
    id: string,
    state: GitlabRunnerState,
): Promise<{ id: string; props?: GitlabRunnerState }> {
    try {
        const observed = await api.get(Number(id));
        const issued = { runnerId: state.runnerId, token: state.token, tokenExpiresAt: state.tokenExpiresAt };
        return { id, props: stateOf(state, issued, observed) };
    } catch (error) {
        if (isNotFound(error)) return { id: "" };
        throw error;
    }
}

/** Puts the declared settings back when any differ, then resets the token if `rotation` changed (last: nothing after it can fail and lose the new token). */
export async function updateRunner(
    api: RunnerApi,
    id: string,
    olds: GitlabRunnerState,
    news: GitlabRunnerInputs,
): Promise<GitlabRunnerState> {
    const runnerId = Number(id);
    const gone = (error: unknown): never => {
        if (isNotFound(error)) {
            throw new Error(
                `Runner ${runnerId} no longer exists in GitLab: run \`pulumi refresh\` so the next \`pulumi up\` creates it again. ${(error as Error).message}`,
            );
        }
        throw error;
    };
    let observed: ObservedRunner | undefined;
    if (settingsDrift(olds, news).length > 0) observed = await api.update(runnerId, news).catch(gone);
    let issued = { token: olds.token, tokenExpiresAt: olds.tokenExpiresAt };
    if (olds.rotation !== news.rotation) issued = await api.resetToken(runnerId).catch(gone);
    return stateOf(news, { runnerId, token: issued.token, tokenExpiresAt: issued.tokenExpiresAt }, observed);
}

/** Deletes the runner; one that is already gone counts as deleted. */
export async function deleteRunner(api: RunnerApi, id: string): Promise<void> {
    await api.remove(Number(id));
}
