// The GitLab REST API's view of a runner: the request bodies this project sends and the responses it reads, as pure
// functions. Field names and values are GitLab's own (gitlab-org/gitlab, doc/api/users.md "Create a runner linked to
// a user" and doc/api/runners.md "Get runner's details" / "Update runner's details" /
// "Reset runner's authentication token by using the runner ID"; https://docs.gitlab.com/api/users/ and
// https://docs.gitlab.com/api/runners/). Requests are JSON: the endpoints are Grape APIs that read JSON bodies, as in
// the request of gitlab-org/gitlab MR 124074 (`-H 'content-type: application/json' -d '{"runner_type":…}'`).
import type { AccessLevel } from "../../../config/runnerRegistration";

/** → `runner_type` (lib/api/user_runners.rb: `values: ::Ci::Runner.runner_types.keys`). */
export const RUNNER_TYPES = ["instance_type", "group_type", "project_type"] as const;
export type RunnerType = (typeof RUNNER_TYPES)[number];

/**
 * What this project keeps equal between the stack and GitLab: every field both `POST /user/runners` and
 * `PUT /runners/:id` accept, so each one is set at creation and updated in place afterwards.
 */
export interface RunnerSettings {
    readonly description: string;
    readonly paused: boolean;
    readonly locked: boolean;
    readonly runUntagged: boolean;
    readonly tagList: readonly string[];
    readonly accessLevel: AccessLevel;
    /** Seconds; GitLab's minimum is 600. */
    readonly maximumTimeout: number;
    /** Free text, at most 1024 characters. `GET` and `PUT /runners/:id` gained it with gitlab-org/gitlab MR 144482
     * (issue 438199, scheduled for 16.10); on an older GitLab it is set at creation only and never seen as drift. */
    readonly maintenanceNote: string;
}

/** One row per setting: its API field. Request builders, response parsing and the diff all read this table. */
export const SETTING_FIELDS = {
    description: "description",
    paused: "paused",
    locked: "locked",
    runUntagged: "run_untagged",
    tagList: "tag_list",
    accessLevel: "access_level",
    maximumTimeout: "maximum_timeout",
    maintenanceNote: "maintenance_note",
} as const satisfies Record<keyof RunnerSettings, string>;
export const SETTING_KEYS = Object.keys(SETTING_FIELDS) as (keyof RunnerSettings)[];

/** Where a runner belongs; changing any of it means a different runner (replacement), never an update. */
export interface RunnerOwner {
    readonly runnerType: RunnerType;
    readonly groupId?: number;
    readonly projectId?: number;
}

/** Everything `POST /user/runners` needs. */
export type RunnerSpec = RunnerOwner & RunnerSettings;

/** The body of `POST /user/runners`: group_id only for group_type, project_id only for project_type. */
export function createRunnerBody(spec: RunnerSpec): Record<string, unknown> {
    return {
        runner_type: spec.runnerType,
        ...(spec.runnerType === "group_type" ? { group_id: spec.groupId } : {}),
        ...(spec.runnerType === "project_type" ? { project_id: spec.projectId } : {}),
        ...updateRunnerBody(spec),
    };
}

/** The body of `PUT /runners/:id`: every managed setting, so GitLab ends up exactly as declared (`paused`, not the
 * deprecated `active`, which the endpoint rejects together with `paused`: `mutually_exclusive :active, :paused`). */
export function updateRunnerBody(settings: RunnerSettings): Record<string, unknown> {
    const body: Record<string, unknown> = {};
    for (const key of SETTING_KEYS) body[SETTING_FIELDS[key]] = key === "tagList" ? [...settings.tagList] : settings[key];
    return body;
}

/** `POST /user/runners` → `{ id, token, token_expires_at }` (the token is shown this once). */
export interface CreatedRunner {
    readonly id: number;
    readonly token: string;
    readonly tokenExpiresAt: string | null;
}

/** `POST /runners/:id/reset_authentication_token` → `{ token, token_expires_at }`. */
export interface IssuedToken {
    readonly token: string;
    readonly tokenExpiresAt: string | null;
}

/** What `GET /runners/:id` (Entities::Ci::RunnerDetails) says about a runner, in this project's terms. */
export interface ObservedRunner {
    readonly id: number;
    readonly runnerType: RunnerType;
    /** `groups[].id` (group runners have exactly one); only those the caller may see. */
    readonly groupIds: readonly number[];
    /** `projects[].id`: a project runner can be enabled in several projects; only those the caller may see. */
    readonly projectIds: readonly number[];
    /** Settings GitLab reported; a field it left out (e.g. `maintenance_note`, shown only to users who may update
     * the runner) is absent rather than guessed. */
    readonly settings: Partial<RunnerSettings>;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Reads `POST /user/runners`'s answer; a body without a numeric id and a token is not a created runner. */
export function parseCreatedRunner(body: unknown): CreatedRunner | undefined {
    if (!isRecord(body) || typeof body.id !== "number" || typeof body.token !== "string") return undefined;
    return {
        id: body.id,
        token: body.token,
        tokenExpiresAt: typeof body.token_expires_at === "string" ? body.token_expires_at : null,
    };
}

/** Reads the reset endpoint's answer. */
export function parseIssuedToken(body: unknown): IssuedToken | undefined {
    if (!isRecord(body) || typeof body.token !== "string") return undefined;
    return { token: body.token, tokenExpiresAt: typeof body.token_expires_at === "string" ? body.token_expires_at : null };
}

/**
 * Reads `GET /runners/:id` (or the `PUT` answer, the same entity). `paused` is derived from the deprecated `active`
 * on GitLab versions that do not return `paused` yet (doc/api/runners.md: "`active` … is replaced by the `paused`
 * attribute").
 */
export function parseRunnerDetails(body: unknown): ObservedRunner | undefined {
    if (!isRecord(body) || typeof body.id !== "number") return undefined;
    const runnerType = RUNNER_TYPES.find((t) => t === body.runner_type);
    if (!runnerType) return undefined;
    const ids = (list: unknown) =>
        Array.isArray(list) ? list.filter(isRecord).flatMap((x) => (typeof x.id === "number" ? [x.id] : [])) : [];
    const settings: Partial<Record<keyof RunnerSettings, unknown>> = {};
    const take = (key: keyof RunnerSettings, ok: (v: unknown) => boolean) => {
        const v = body[SETTING_FIELDS[key]];
        if (ok(v)) settings[key] = v;
    };
    const str = (v: unknown) => typeof v === "string";
    const bool = (v: unknown) => typeof v === "boolean";
    take("description", str);
    take("paused", bool);
    if (settings.paused === undefined && typeof body.active === "boolean") settings.paused = !body.active;
    take("locked", bool);
    take("runUntagged", bool);
    take("tagList", (v) => Array.isArray(v) && v.every(str));
    take("accessLevel", (v) => v === "not_protected" || v === "ref_protected");
    take("maximumTimeout", (v) => typeof v === "number");
    take("maintenanceNote", str);
    return {
        id: body.id,
        runnerType,
        groupIds: ids(body.groups),
        projectIds: ids(body.projects),
        settings: settings as Partial<RunnerSettings>,
    };
}

/** Two settings are equal; tags compare as sets (GitLab does not promise to keep their order). */
export function sameSetting<K extends keyof RunnerSettings>(
    key: K,
    a: RunnerSettings[K] | undefined,
    b: RunnerSettings[K] | undefined,
): boolean {
    if (key === "tagList") {
        const x = new Set((a as readonly string[] | undefined) ?? []);
        const y = new Set((b as readonly string[] | undefined) ?? []);
        return x.size === y.size && [...x].every((t) => y.has(t));
    }
    return a === b;
}

/** The settings of `desired` that differ from `actual` (a setting GitLab did not report is not a difference). */
export function settingsDrift(actual: Partial<RunnerSettings>, desired: RunnerSettings): (keyof RunnerSettings)[] {
    return SETTING_KEYS.filter((k) => actual[k] !== undefined && !sameSetting(k, actual[k], desired[k]));
}
