// Test harness: the offline engine (plan/engine.ts) plus what only tests need, fake runner tokens above all.
import * as fs from "fs";
import * as path from "path";
import { parseStackConfig, PROJECT, StackConfig } from "../../config";
import {
    ConfigMap,
    ROOT,
    Run,
    runProgram,
    RUNNER_TOKENS_KEY,
    stackFileConfig,
    standInGitlabApiToken,
    standInRunnerTokens,
} from "../../plan/engine";
import { Evaluation, evaluateStack } from "../../plan/evaluate";

export * from "../../plan/engine";

const baseline = new Map<string, Promise<Run>>();

/** Runs a shipped stack file, with fake runner tokens for every runner it declares (tokens are never in the repo). */
export function runStackFile(stack: string, overrides: ConfigMap = {}): Promise<Run> {
    // A shipped stack without overrides evaluates the same every time: run it once per process and share the result.
    if (Object.keys(overrides).length === 0) {
        if (!baseline.has(stack)) baseline.set(stack, evaluate(stack, {}));
        return baseline.get(stack)!;
    }
    return evaluate(stack, overrides);
}

/** Example stacks (every examples/Pulumi.<name>.yaml): capabilities the shipped stacks cannot show, run like them. */
export const EXAMPLE_STACKS: readonly string[] = fs
    .readdirSync(path.join(ROOT, "examples"))
    .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
    .filter((name): name is string => name !== undefined)
    .sort();

/** The `config:` section of a shipped stack file, or of an example stack's file. */
export function configOfStack(stack: string): ConfigMap {
    const example = EXAMPLE_STACKS.includes(stack);
    return stackFileConfig(stack, example ? path.join(ROOT, "examples", `Pulumi.${stack}.yaml`) : undefined);
}

function evaluate(stack: string, overrides: ConfigMap): Promise<Run> {
    const config = { ...configOfStack(stack), ...overrides };
    const api = standInGitlabApiToken(config, FAKE_GITLAB_API_TOKEN);
    const withTokens = { ...config, ...fakeRunnerTokens(config), ...api.config };
    const secretKeys = Object.keys(withTokens).filter((k) => [RUNNER_TOKENS_KEY, ...Object.keys(api.config)].includes(k));
    return runProgram({ stack, config: withTokens, secretKeys, secureParameters: api.secureParameters });
}

/** Fake token of a runner in tests: recognisable, so a scan for "glrt-" finds any leak. */
export const fakeRunnerToken = (runner: string) => `glrt-test-${runner}`;

/** Fake GitLab API token in tests (from SSM or secret config): recognisable, so a scan finds any leak. */
export const FAKE_GITLAB_API_TOKEN = "glpat-test-runner-admin-api-token";

/** `runnerTokens` with a fake token for every runner of `config` that does not read its token from SSM. */
export function fakeRunnerTokens(config: ConfigMap): ConfigMap {
    return standInRunnerTokens(config, fakeRunnerToken).config;
}

/** Whether a recorded input is a Pulumi secret (the mock monitor keeps the secret envelope of inputs). */
export function isSecretInput(value: unknown): value is { value: unknown } {
    const { specialSigKey, specialSecretSig } = require("@pulumi/pulumi/runtime/rpc") as {
        specialSigKey: string;
        specialSecretSig: string;
    };
    return typeof value === "object" && value !== null && (value as Record<string, unknown>)[specialSigKey] === specialSecretSig;
}

/** The shipped stacks, each evaluated once per process (cached by runStackFile). */
export const SHIPPED_STACKS = ["test", "prod"] as const;

/** Evaluates every shipped stack file; for a suite's `before()`. */
export async function runShippedStacks(into: Record<string, Run>): Promise<void> {
    for (const stack of SHIPPED_STACKS) into[stack] = await runStackFile(stack);
}

/** The validated config of a shipped stack file (with overrides), as the program sees it, with fake tokens. */
export function stackConfigOf(stack: string, overrides: ConfigMap = {}): StackConfig {
    const file = { ...configOfStack(stack), ...overrides };
    const withTokens = { ...fakeRunnerTokens(file), ...standInGitlabApiToken(file, FAKE_GITLAB_API_TOKEN).config, ...file };
    const raw: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(withTokens)) if (k.startsWith(`${PROJECT}:`)) raw[k.slice(PROJECT.length + 1)] = v;
    return parseStackConfig(raw, String(file["aws:region"]));
}

const evaluations = new Map<string, Promise<Evaluation>>();

/** The offline plan's evaluation of a shipped stack file (stand-in tokens, as `npm run plan`), once per process. */
export function evaluationOf(stack: (typeof SHIPPED_STACKS)[number]): Promise<Evaluation> {
    if (!evaluations.has(stack)) evaluations.set(stack, evaluateStack({ stack }));
    return evaluations.get(stack)!;
}
