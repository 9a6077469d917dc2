// When to try a GitLab request again, and after how long. Only answers that say "not now" are retried: 429 (rate
// limited: a plain-text "Retry later" with a Retry-After header, "User and IP rate limits",
// https://docs.gitlab.com/administration/settings/user_and_ip_rate_limits/, and gitlab-org/gitlab MR 206603)
// and 5xx (the instance or its proxy is failing). Everything else is an answer about the request itself, and asking
// again would get the same one. Retries are bounded in count and in total waiting, so a deployment fails with a
// clear message instead of hanging.

export interface RetryPolicy {
    /** Tries in all, the first included. */
    readonly maxAttempts: number;
    /** Backoff before the second try; doubled before each further one. */
    readonly baseDelayMs: number;
    /** No single wait is longer than this. */
    readonly maxDelayMs: number;
    /** A Retry-After longer than this is not waited for: the request fails and says when GitLab will take it. */
    readonly maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
    maxAttempts: 5,
    baseDelayMs: 1000,
    maxDelayMs: 30_000,
    maxRetryAfterMs: 120_000,
};

/** 429 and 5xx, the answers that mean "try later". */
export const isRetryableStatus = (status: number) => status === 429 || (status >= 500 && status <= 599);

/**
 * `Retry-After` in milliseconds: delay-seconds or an HTTP date (RFC 9110 §10.2.3). Undefined when absent or
 * unreadable; a date in the past means "now".
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
    if (value === null || value === undefined || value.trim() === "") return undefined;
    const v = value.trim();
    if (/^\d+$/.test(v)) return Number(v) * 1000;
    const date = Date.parse(v);
    return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

/**
 * The wait before try number `attempt + 1` (attempt counts from 1): exponential backoff with equal jitter (half
 * fixed, half random, so runners retrying together spread out), capped at maxDelayMs.
 */
export function backoffDelayMs(attempt: number, policy: RetryPolicy, random: () => number): number {
    const exp = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
    return Math.round(exp / 2 + random() * (exp / 2));
}

/**
 * Whether and how long to wait after a retryable answer to try `attempt`: "give-up" once the tries are spent or
 * GitLab asks for a longer pause than the policy allows; otherwise the wait, Retry-After first.
 */
export function nextDelay(
    attempt: number,
    retryAfterMs: number | undefined,
    policy: RetryPolicy,
    random: () => number,
): { wait: number } | { giveUp: string } {
    if (attempt >= policy.maxAttempts) return { giveUp: `gave up after ${attempt} attempts` };
    if (retryAfterMs !== undefined) {
        if (retryAfterMs > policy.maxRetryAfterMs) {
            return {
                giveUp: `GitLab asked to retry after ${Math.ceil(retryAfterMs / 1000)} s, longer than this deployment waits`,
            };
        }
        return { wait: retryAfterMs };
    }
    return { wait: backoffDelayMs(attempt, policy, random) };
}
