// A small typed client for the five runner endpoints this project uses, over Node's global fetch.
//
// Why not @gitbeaker/rest (43.8.0, the newest on the npm registry): it has POST /user/runners
// (`Users.createCIRunner`) and GET/PUT/DELETE /runners/:id, but no POST /runners/:id/reset_authentication_token
// (only the deprecated reset_registration_token), and its request loop retries only 429 and 502, waits
// `2 ** i * 0.25` milliseconds (under 0.3 s in all), ignores Retry-After and cannot be given a clock, so the retry
// rules of this project could not be kept or tested without real waiting. A Pulumi GitLab provider (`@pulumi/gitlab`)
// is not on the npm registry this project installs from (404). Five endpoints do not justify either.
//
// The API token travels only in the PRIVATE-TOKEN header (doc/api/rest/authentication.md), is held only by this
// closure, and is scrubbed from every error message. Redirects are not followed: on a cross-origin redirect fetch
// drops only `Authorization` (Fetch standard, "HTTP-redirect fetch", whatwg/fetch PR 1544), so a PRIVATE-TOKEN
// header would be sent on to the new host.
import {
    failureFor,
    GitlabApiError,
    gitlabApiError,
    isGitlabApiError,
    MAYBE_CREATED,
    networkFailure,
    Operation,
    redact,
    RequestContext,
} from "./errors";
import { DEFAULT_RETRY_POLICY, isRetryableStatus, nextDelay, parseRetryAfter, RetryPolicy } from "./retry";
import {
    CreatedRunner,
    createRunnerBody,
    IssuedToken,
    ObservedRunner,
    parseCreatedRunner,
    parseIssuedToken,
    parseRunnerDetails,
    RunnerSettings,
    RunnerSpec,
    updateRunnerBody,
} from "./api";

/** The runner endpoints, as the provider logic uses them (a fake in tests, this client in deployments). */
export interface RunnerApi {
    /** `POST /user/runners`. */
    create(spec: RunnerSpec): Promise<CreatedRunner>;
    /** `GET /runners/:id`; a missing runner is a GitlabApiError of kind "not-found". */
    get(id: number): Promise<ObservedRunner>;
    /** `PUT /runners/:id` with every managed setting. */
    update(id: number, settings: RunnerSettings): Promise<ObservedRunner>;
    /** `DELETE /runners/:id`; a runner that is already gone is "absent", not an error. */
    remove(id: number): Promise<"deleted" | "absent">;
    /** `POST /runners/:id/reset_authentication_token`: the old token stops working at once. */
    resetToken(id: number): Promise<IssuedToken>;
}

export interface ClientOptions {
    /** The GitLab root as in `gitlab.url` (https://gitlab.example.com, or with a relative path). */
    readonly url: string;
    /** The API token (scopes create_runner and manage_runner). */
    readonly token: string;
    readonly fetch?: typeof fetch;
    readonly sleep?: (ms: number) => Promise<void>;
    readonly random?: () => number;
    readonly now?: () => number;
    readonly retry?: Partial<RetryPolicy>;
    /** Per request; a request that takes longer fails as a network error. */
    readonly timeoutMs?: number;
}

export const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * `<gitlab url>/api/v4/`, keeping a relative URL root (https://example.com/gitlab → …/gitlab/api/v4/). User info in
 * the URL is dropped: fetch refuses such URLs (and would quote them, password included, in its error).
 */
export function apiBase(url: string): string {
    return displayUrl(new URL("api/v4/", url.endsWith("/") ? url : `${url}/`).toString());
}

/** A URL as it may appear in a message: no user info, no query. */
export function displayUrl(url: string): string {
    const u = new URL(url);
    u.username = "";
    u.password = "";
    u.search = "";
    return u.toString();
}

export function gitlabRunnerClient(options: ClientOptions): RunnerApi {
    const base = apiBase(options.url);
    const token = options.token;
    const doFetch = options.fetch ?? fetch;
    const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
    const random = options.random ?? Math.random;
    const now = options.now ?? Date.now;
    const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;

    const scrub = (e: GitlabApiError) => gitlabApiError(redact(e.message, token), e.kind, e.operation, e.status);

    /** One call with its retries; resolves to the parsed JSON body (undefined for 204) or throws a GitlabApiError. */
    async function call(
        ctx: Omit<RequestContext, "url">,
        method: string,
        path: string,
        body: unknown,
        retryable: (status: number) => boolean,
    ): Promise<{ status: number; json: unknown }> {
        const url = new URL(path, base).toString();
        const full: RequestContext = { ...ctx, url: displayUrl(url) };
        for (let attempt = 1; ; attempt++) {
            let response: Response;
            let text: string;
            try {
                response = await doFetch(url, {
                    method,
                    headers: {
                        "PRIVATE-TOKEN": token,
                        Accept: "application/json",
                        ...(body === undefined ? {} : { "Content-Type": "application/json" }),
                    },
                    body: body === undefined ? undefined : JSON.stringify(body),
                    redirect: "manual",
                    signal: AbortSignal.timeout(timeoutMs),
                });
                text = await response.text();
            } catch (cause) {
                throw scrub(networkFailure(full, cause));
            }
            const json = parseJson(text);
            if (response.status >= 200 && response.status < 300) return { status: response.status, json };
            if (response.status >= 300 && response.status < 400) {
                const to = response.headers.get("location");
                throw scrub(
                    gitlabApiError(
                        `Could not reach the GitLab API: ${full.url} redirects (${response.status}) to ${to ? displayUrl(new URL(to, url).toString()) : "another address"}. Set gitlab.url to the address GitLab answers on; the API token is never sent after a redirect.`,
                        "unexpected",
                        ctx.operation,
                        response.status,
                    ),
                );
            }
            if (retryable(response.status)) {
                const next = nextDelay(attempt, parseRetryAfter(response.headers.get("retry-after"), now()), policy, random);
                if ("wait" in next) {
                    await sleep(next.wait);
                    continue;
                }
                const failure = failureFor(full, response.status, json, text, attempt);
                throw scrub(
                    gitlabApiError(`${failure.message} (${next.giveUp})`, failure.kind, failure.operation, failure.status),
                );
            }
            throw scrub(failureFor(full, response.status, json, text, attempt));
        }
    }

    const unexpected = (op: Operation, what: string, more = "") =>
        scrub(gitlabApiError(`GitLab's answer to ${op} is not ${what}; is gitlab.url the GitLab root?${more}`, "unexpected", op));
    const runnerPath = (id: number) => `runners/${encodeURIComponent(String(id))}`;

    return {
        async create(spec) {
            const ctx = {
                operation: "create" as const,
                runnerType: spec.runnerType,
                groupId: spec.groupId,
                projectId: spec.projectId,
            };
            // Only 429 is retried: GitLab turned the request away before acting on it (see MAYBE_CREATED for 5xx).
            const { json } = await call(ctx, "POST", "user/runners", createRunnerBody(spec), (s) => s === 429);
            const created = parseCreatedRunner(json);
            if (!created) throw unexpected("create", "a created runner ({id, token})", ` ${MAYBE_CREATED}.`);
            return created;
        },
        async get(id) {
            const { json } = await call({ operation: "get", runnerId: id }, "GET", runnerPath(id), undefined, isRetryableStatus);
            return parseRunnerDetails(json) ?? Promise.reject(unexpected("get", "a runner"));
        },
        async update(id, settings) {
            const { json } = await call(
                { operation: "update", runnerId: id },
                "PUT",
                runnerPath(id),
                updateRunnerBody(settings),
                isRetryableStatus,
            );
            return parseRunnerDetails(json) ?? Promise.reject(unexpected("update", "a runner"));
        },
        async remove(id) {
            try {
                await call({ operation: "delete", runnerId: id }, "DELETE", runnerPath(id), undefined, isRetryableStatus);
                return "deleted";
            } catch (e) {
                if (isGitlabApiError(e) && e.kind === "not-found") return "absent";
                throw e;
            }
        },
        async resetToken(id) {
            // Retrying is harmless: each reset replaces the previous token, and the last answer is the one kept.
            const ctx = { operation: "resetToken" as const, runnerId: id };
            const { json } = await call(
                ctx,
                "POST",
                `${runnerPath(id)}/reset_authentication_token`,
                undefined,
                isRetryableStatus,
            );
            const issued = parseIssuedToken(json);
            if (!issued) throw unexpected("resetToken", "a token ({token})");
            return issued;
        },
    };
}

function parseJson(text: string): unknown {
    if (text.trim() === "") return undefined;
    try {
        return JSON.parse(text);
    } catch {
        return undefined;
    }
}
