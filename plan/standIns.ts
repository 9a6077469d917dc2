/**
 * Stand-ins for what only the Pulumi CLI has: runner tokens (never in a stack file) and encrypted values (only the
 * CLI can decrypt them). Read before validation, so they accept any shape and leave it to validation to report.
 */
import { PROJECT } from "../config";
import { ConfigMap, isMap } from "./stackFile";

/** The secret config key holding runner authentication tokens (`pulumi config set --secret --path 'runnerTokens.<runner>'`). */
export const RUNNER_TOKENS_KEY = `${PROJECT}:runnerTokens`;

/**
 * Stand-in tokens for the runners and VM runners of `config` that have none in it and do not read theirs from SSM, so that a
 * stack file (which never holds real tokens) evaluates offline. Returns the config key to merge and the runners
 * that got a stand-in.
 */
export function standInRunnerTokens(
    config: ConfigMap,
    token: (runner: string) => string,
): { config: ConfigMap; runners: string[] } {
    // Read before validation: whatever shape the sections have, validation reports it; this only adds what is missing.
    // Runners and VM runners both need a token (config/runnerTokens.ts).
    const sections = [config[`${PROJECT}:runners`] ?? {}, config[`${PROJECT}:vmRunners`] ?? {}];
    const existing = config[RUNNER_TOKENS_KEY] ?? {};
    if (!sections.every(isMap) || !isMap(existing)) return { config: {}, runners: [] };
    const runners = Object.assign({}, ...sections) as Record<string, unknown>;
    // Registered runners get their token from GitLab (the registration resource), never from config.
    const missing = Object.entries(runners)
        .filter(
            ([name, r]) =>
                !(isMap(r) && (r.tokenSsmParameter || r.registration !== undefined)) &&
                !Object.prototype.hasOwnProperty.call(existing, name),
        )
        .map(([name]) => name);
    if (missing.length === 0) return { config: {}, runners: [] };
    return {
        config: { [RUNNER_TOKENS_KEY]: { ...existing, ...Object.fromEntries(missing.map((n) => [n, token(n)])) } },
        runners: missing,
    };
}

/** The secret config key of the GitLab API token (`pulumi config set --secret gitlabApiToken …`). */
export const GITLAB_API_TOKEN_CONFIG_KEY = `${PROJECT}:gitlabApiToken`;

/**
 * A stand-in GitLab API token for a stack whose runners are registered through the API, so that it evaluates
 * offline: the answer to the SSM lookup of `gitlab.apiTokenSsmParameter`, or a secret `gitlabApiToken` when the file
 * names neither source (`missing` then says so). Nothing for a stack without registered runners. Any shape is read.
 */
export function standInGitlabApiToken(
    config: ConfigMap,
    token: string,
): { config: ConfigMap; secureParameters: Record<string, string>; missing: boolean } {
    const none = { config: {}, secureParameters: {}, missing: false };
    // Runners and VM runners alike may be registered through the GitLab API.
    const registered = [`${PROJECT}:runners`, `${PROJECT}:vmRunners`].some((key) => {
        const section = config[key];
        return isMap(section) && Object.values(section).some((r) => isMap(r) && r.registration !== undefined);
    });
    if (!registered) return none;
    const gitlab = config[`${PROJECT}:gitlab`];
    const parameter = isMap(gitlab) ? gitlab.apiTokenSsmParameter : undefined;
    if (typeof parameter === "string") return { ...none, secureParameters: { [parameter]: token } };
    if (GITLAB_API_TOKEN_CONFIG_KEY in config) return none;
    return { config: { [GITLAB_API_TOKEN_CONFIG_KEY]: token }, secureParameters: {}, missing: true };
}

/**
 * Replaces encrypted values of a stack file (`{secure: v1:…}`, which only the Pulumi CLI can decrypt) with
 * stand-ins, and names the keys that held them so they are registered as secrets.
 */
export function withoutEncryptedValues(
    config: ConfigMap,
    standIn: (path: string) => string,
): { config: ConfigMap; secretKeys: string[] } {
    const secretKeys = new Set<string>();
    const walk = (value: unknown, key: string, path: string): unknown => {
        if (value && typeof value === "object" && !Array.isArray(value)) {
            const entries = Object.entries(value as Record<string, unknown>);
            if (entries.length === 1 && entries[0][0] === "secure") {
                secretKeys.add(key);
                return standIn(path);
            }
            return Object.fromEntries(entries.map(([k, v]) => [k, walk(v, key, `${path}.${k}`)]));
        }
        return value;
    };
    const out = Object.fromEntries(Object.entries(config).map(([k, v]) => [k, walk(v, k, k)]));
    return { config: out, secretKeys: [...secretKeys] };
}
