// Turning GitLab's answers into errors a person can act on. GitLab's shapes (gitlab-org/gitlab):
//   - 401: `{"message":"401 Unauthorized"}`, or for a revoked/expired token `{"error":"invalid_token",…}`
//     (lib/api/api_guard.rb).
//   - 403 for a token without the endpoint's scope: `{"error":"insufficient_scope","error_description":…,
//     "scope":"create_runner api read_api"}` (lib/api/api_guard.rb, Rack::OAuth2 Bearer::Forbidden; example in
//     MR 124074).
//   - 403 for a role that may not act: `{"message":"403 Forbidden - Insufficient permissions"}` (create,
//     app/services/ci/runners/create_runner_service.rb) or `"403 Forbidden - No access granted"` (runner endpoints).
//   - 400 from parameter validation: `{"error":"group_id is missing"}` (Grape); from the create service:
//     `{"message":"400 Bad request - Missing/invalid group"}` (runner_creation_strategies/group_runner_strategy.rb;
//     GitLab answers a missing group with 400, not 404); from model validation on update:
//     `{"message":{"maximum_timeout":["needs to be at least 10 minutes"]}}` (render_validation_error!).
//   - 404: `{"message":"404 Runner Not Found"}` (lib/api/ci/runners.rb `not_found!('Runner')`). The runner endpoints
//     document no 422 (lib/api/ci/runners.rb, read at gitlabhq/gitlabhq 034daf00); a 422 from a proxy or a later
//     GitLab is reported with its message like a 400.
// Scopes: `POST /user/runners` accepts `create_runner` (lib/api/user_runners.rb `allow_access_with_scope
// :create_runner`, MR 124074); `/runners/:id…` accept `manage_runner` (lib/api/ci/runners.rb, added by MR 153285
// in mid-2024: the first release that has it is not verified here); `api` covers both. Role prerequisites are those
// of doc/api/users.md and doc/api/runners.md.
import type { RunnerType } from "./api";

/** The calls this project makes, each with the scope a token needs for it and what it does, for messages. */
export const OPERATIONS = {
    create: { scope: "create_runner", does: "create the runner" },
    get: { scope: "manage_runner", does: "read the runner" },
    update: { scope: "manage_runner", does: "update the runner" },
    delete: { scope: "manage_runner", does: "delete the runner" },
    resetToken: { scope: "manage_runner", does: "reset the runner's authentication token" },
} as const;
export type Operation = keyof typeof OPERATIONS;

/** What went wrong, for callers that react to it (a 404 on delete is success; a 429 is retried). */
export type FailureKind =
    | "unauthorized"
    | "missing-scope"
    | "forbidden"
    | "not-found"
    | "rejected"
    | "rate-limited"
    | "server"
    | "network"
    | "unexpected";

/** An Error with what went wrong, for callers that react to it. */
export interface GitlabApiError extends Error {
    readonly kind: FailureKind;
    readonly operation: Operation;
    readonly status?: number;
}

/**
 * A plain Error with fields, not a subclass: the provider runs from Pulumi's serialized closure, which turns a
 * `class … extends Error` into a function calling `Error` without `new`, and that leaves `message` unset.
 */
export function gitlabApiError(message: string, kind: FailureKind, operation: Operation, status?: number): GitlabApiError {
    return Object.assign(new Error(message), {
        name: "GitlabApiError",
        kind,
        operation,
        ...(status !== undefined ? { status } : {}),
    });
}

export const isGitlabApiError = (e: unknown): e is GitlabApiError =>
    e instanceof Error && e.name === "GitlabApiError" && typeof (e as Partial<GitlabApiError>).kind === "string";

/** What the request was about, for messages that name the group, project or runner. */
export interface RequestContext {
    readonly operation: Operation;
    /** The URL as shown to people: no credentials in it. */
    readonly url: string;
    readonly runnerId?: number;
    readonly runnerType?: RunnerType;
    readonly groupId?: number;
    readonly projectId?: number;
}

/** GitLab's own words from an error body: `message` (a string or a field → errors map), else `error` (+ description). */
export function gitlabMessage(body: unknown, text: string): string {
    if (typeof body === "object" && body !== null) {
        const b = body as Record<string, unknown>;
        const message = b.message;
        if (typeof message === "string") return message;
        if (typeof message === "object" && message !== null) {
            return Object.entries(message as Record<string, unknown>)
                .map(
                    ([field, v]) => `${field} ${Array.isArray(v) ? v.join(", ") : typeof v === "string" ? v : JSON.stringify(v)}`,
                )
                .join("; ");
        }
        if (typeof b.error === "string")
            return typeof b.error_description === "string" ? `${b.error}: ${b.error_description}` : b.error;
    }
    const trimmed = text.trim().replace(/\s+/g, " ");
    return trimmed.length > 200 ? `${trimmed.slice(0, 200)}…` : trimmed;
}

const TOKEN_HOWTO =
    "Use a token with the create_runner and manage_runner scopes (a GitLab too old to have manage_runner needs api instead), stored in gitlab.apiTokenSsmParameter or the secret config gitlabApiToken";

/** Who may do what (doc/api/users.md, doc/api/runners.md prerequisites). */
function rolesNeeded(ctx: RequestContext): string {
    if (ctx.operation === "create") {
        return "Creating a runner needs an administrator for scope instance, and the Owner role in the group or project otherwise (an administrator can also restrict runner registration to administrators)";
    }
    return "Managing a runner needs an administrator for instance runners, the Owner role in the group for group runners, and at least the Maintainer role in the project for project runners";
}

/** The error for a GitLab answer that is not a success (after any retries). Pure: tested directly. */
export function failureFor(ctx: RequestContext, status: number, body: unknown, text: string, attempts = 1): GitlabApiError {
    const op = OPERATIONS[ctx.operation];
    const said = gitlabMessage(body, text);
    const at = `${ctx.url}`;
    const tried = attempts > 1 ? ` after ${attempts} attempts` : "";
    const error = (message: string, kind: FailureKind) =>
        gitlabApiError(`Could not ${op.does}: ${message}`, kind, ctx.operation, status);
    const errorField = typeof body === "object" && body !== null ? (body as Record<string, unknown>).error : undefined;

    if (status === 401) {
        return error(
            `GitLab rejected the API token (401 at ${at}): it is invalid, expired or revoked. ${TOKEN_HOWTO}.`,
            "unauthorized",
        );
    }
    if (status === 403 && errorField === "insufficient_scope") {
        return error(
            `the API token lacks the ${op.scope} scope (403 insufficient_scope at ${at}). ${TOKEN_HOWTO}.`,
            "missing-scope",
        );
    }
    if (status === 403) {
        return error(`the API token's user is not allowed to (403 at ${at}: ${said}). ${rolesNeeded(ctx)}.`, "forbidden");
    }
    const owner = ctx.operation === "create" ? missingOwner(ctx, said) : undefined;
    if (owner) return error(owner, "not-found");
    if (status === 404) {
        if (ctx.operation === "create") {
            return error(
                `${at} does not exist (404): check gitlab.url (the GitLab root, without /api/v4) and that this GitLab has POST /user/runners.`,
                "not-found",
            );
        }
        return error(`runner ${ctx.runnerId} does not exist in GitLab (404 at ${at}).`, "not-found");
    }
    if (status === 400 || status === 422) return error(`GitLab rejected the request (${status} at ${at}): ${said}`, "rejected");
    if (status === 429) {
        return error(
            `GitLab kept answering 429 Too Many Requests${tried} (${at}): ${said}. Run again later, or ask the GitLab administrators about the API rate limits.`,
            "rate-limited",
        );
    }
    if (status >= 500) {
        // Not retried for create: a proxy's 502 can come after GitLab created the runner, and a retry would make two.
        const maybe = ctx.operation === "create" ? `. ${MAYBE_CREATED}` : "";
        return error(`GitLab answered ${status}${tried} (${at}): ${said}${maybe}`, "server");
    }
    return error(`unexpected answer ${status} from ${at}: ${said}`, "unexpected");
}

/** A missing group or project on create: GitLab says "Missing/invalid group|project" (400) or, on older versions, 404. */
function missingOwner(ctx: RequestContext, said: string): string | undefined {
    const kind = ctx.runnerType === "group_type" ? "group" : ctx.runnerType === "project_type" ? "project" : undefined;
    if (!kind || !new RegExp(`missing/invalid ${kind}|${kind} not found`, "i").test(said)) return undefined;
    const id = kind === "group" ? ctx.groupId : ctx.projectId;
    return `GitLab has no ${kind} ${id} visible to the API token's user (${said}); check registration.${kind}Id (the numeric ID on the ${kind}'s overview page).`;
}

/** When a create got no clear answer, GitLab may still have created the runner; nobody knows its id. */
export const MAYBE_CREATED =
    "GitLab may have created the runner all the same: look for it (by its description) among the runners of its group, project or instance and delete it before running again";

/** The error for a request that never got an answer (DNS, TLS, refused, timed out). */
export function networkFailure(ctx: RequestContext, cause: unknown): GitlabApiError {
    const reason = describeCause(cause);
    const maybe = ctx.operation === "create" ? ` ${MAYBE_CREATED}` : "";
    return gitlabApiError(
        `Could not ${OPERATIONS[ctx.operation].does}: no answer from ${ctx.url} (${reason}).${maybe}`,
        "network",
        ctx.operation,
    );
}

function describeCause(cause: unknown): string {
    if (!(cause instanceof Error)) return String(cause);
    if (cause.name === "TimeoutError" || cause.name === "AbortError") return "timed out";
    // fetch wraps the socket error: `TypeError: fetch failed` with `cause: Error: connect ECONNREFUSED …`.
    const inner = (cause as Error & { cause?: unknown }).cause;
    return inner instanceof Error ? `${cause.message}: ${inner.message}` : cause.message;
}

/** Removes a secret from text that is about to leave this module (GitLab could echo a header back in an error). */
export function redact(text: string, secret: string): string {
    return secret.length >= 8 ? text.split(secret).join("[redacted]") : text;
}
