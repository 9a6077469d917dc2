// `runnerTokens`: the runner authentication tokens (glrt-…), one per runner, set with
//   pulumi config set --secret --path 'runnerTokens.<runner>' glrt-…
// Validation only ever looks at which runners have one and whether it looks like an authentication token. No
// message quotes a value, and the validated StackConfig never holds a token: components read it separately as a
// Pulumi secret (components/runners/token.ts).
import { z } from "zod";
import { joinPath, Problem } from "./problems";
import { closest } from "./suggest";

// A scalar here (`runnerTokens: glrt-…`) is a common slip: the message says the shape without quoting the value.
export const runnerTokensSchema = z
    .record(z.string(), z.string({ error: "must be a string: the runner authentication token (glrt-…)" }), {
        error: "must be a map of runner name → token, one per runner: `pulumi config set --secret --path 'runnerTokens.<runner>' glrt-…`",
    })
    .default({});

/** A list of names for a message, at most 10 of them. */
const listNames = (names: readonly string[]) =>
    names.length === 0
        ? "none"
        : names.length > 10
          ? `${names.slice(0, 10).join(", ")}, … ${names.length - 10} more`
          : names.join(", ");
export type RunnerTokensInput = z.output<typeof runnerTokensSchema>;

/** Runner authentication tokens start with this; legacy registration tokens (GR1348941…) cannot be used here. */
export const AUTH_TOKEN_PREFIX = "glrt-";

/** The only thing validation keeps of the tokens: which runners have one. */
export interface RunnerTokenPresence {
    readonly names: ReadonlySet<string>;
}

/** Checks the token map against the declared runners; returns problems and the names only. */
export function checkRunnerTokens(
    tokens: RunnerTokensInput,
    runnerNames: readonly string[],
): { presence: RunnerTokenPresence; problems: Problem[] } {
    const problems: Problem[] = [];
    const declared = new Set(runnerNames);
    for (const [name, token] of Object.entries(tokens)) {
        if (!declared.has(name)) {
            const hint = closest(name, runnerNames);
            problems.push({
                path: joinPath("runnerTokens", name),
                message: `there is no runner named "${name}"${hint ? ` (did you mean "${hint}"?)` : ""}; remove it with \`pulumi config rm --path 'runnerTokens.${name}'\`${hint ? "" : ` (runners: ${listNames(runnerNames)})`}`,
            });
        } else if (!token.startsWith(AUTH_TOKEN_PREFIX)) {
            problems.push({
                path: joinPath("runnerTokens", name),
                message: `is not a runner authentication token (they start with "${AUTH_TOKEN_PREFIX}"); create the runner in GitLab (CI/CD → Runners → New runner) and use the token it shows`,
            });
        }
    }
    return { presence: { names: new Set(Object.keys(tokens)) }, problems };
}

/** The two ways to give a runner its token, for error messages and docs. */
export function tokenHowTo(runner: string, section = "runners"): string {
    const registration =
        section === "runners" ? `, or let the stack create the runner in GitLab with runners.${runner}.registration` : "";
    return `set it with \`pulumi config set --secret --path 'runnerTokens.${runner}' glrt-…\` or name an SSM SecureString parameter holding it in ${section}.${runner}.tokenSsmParameter${registration}`;
}

/** Where a runner's token comes from; never the token itself. `registration`: GitLab issues it to the program. */
export type RunnerTokenSource =
    { readonly source: "config" } | { readonly source: "ssm"; readonly parameter: string } | { readonly source: "registration" };

export function tokenSource(ssmParameter: string | undefined): RunnerTokenSource {
    return ssmParameter ? { source: "ssm", parameter: ssmParameter } : { source: "config" };
}

/**
 * Exactly one token source per runner (`section` is `runners` or `vmRunners`): secret config or an SSM parameter.
 * Nothing is checked when `presence` is undefined (runnerTokens itself was invalid and is reported already).
 */
export function tokenSourceProblems(
    section: string,
    name: string,
    ssmParameter: string | undefined,
    presence: RunnerTokenPresence | undefined,
): Problem[] {
    if (!presence) return [];
    const inConfig = presence.names.has(name);
    if (inConfig && ssmParameter) {
        return [
            {
                path: joinPath(section, name, "tokenSsmParameter"),
                message: `runnerTokens.${name} is set too; keep one source of the token (remove it with \`pulumi config rm --path 'runnerTokens.${name}'\` or drop tokenSsmParameter)`,
            },
        ];
    }
    if (!inConfig && !ssmParameter) {
        return [
            {
                path: joinPath("runnerTokens", name),
                message: `runner "${name}" has no runner authentication token: ${tokenHowTo(name, section)}`,
            },
        ];
    }
    return [];
}
