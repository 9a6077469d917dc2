/**
 * `npm run plan -- <stack> [--format text|markdown|json]`: the offline plan. Evaluates the real program for
 * Pulumi.<stack>.yaml under Pulumi mocks (no AWS account, Pulumi CLI or plugins) and prints its resources, node
 * groups, runners with their rendered config.toml, and the capacity report.
 * Exit codes: 0 plan printed (warnings allowed); 1 the configuration is invalid (the same error `pulumi up` gives);
 * 2 usage error.
 */
import * as fs from "fs";
import * as path from "path";
import { ConfigError, loadStackConfig, PROJECT } from "../config";
import { tokenHowTo } from "../config/runnerTokens";
import { Finding } from "../config/capacity";
import {
    ProgramError,
    ROOT,
    runProgram,
    stackFileConfig,
    standInGitlabApiToken,
    standInRunnerTokens,
    withoutEncryptedValues,
} from "./engine";
import { buildPlan } from "./planData";
import { Format, FORMATS, renderPlan } from "./render";

/** What encrypted values and missing runner tokens become offline: shaped like a token, so validation accepts it. */
const STAND_IN = "glrt-offline-plan-stand-in";
/** What the GitLab API token of registered runners becomes offline (read from SSM or config at deploy time). */
const API_TOKEN_STAND_IN = "gitlab-api-token-offline-plan-stand-in";

const USAGE = `usage: npm run plan -- <stack> [--format ${FORMATS.join("|")}] [--stack-file <path>]   (stacks: ${listStacks().join(", ")}; with --stack-file Pulumi.<stack>.yaml the stack name may be left out)`;

function listStacks(): string[] {
    return fs
        .readdirSync(ROOT)
        .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
        .filter((s): s is string => s !== undefined)
        .sort();
}

export interface CliResult {
    readonly code: number;
    readonly stdout: string;
    readonly stderr: string;
}

export interface PlanArgs {
    readonly stack: string;
    readonly format: Format;
    /** Another file than Pulumi.<stack>.yaml (e.g. a generated stack). */
    readonly stackFile?: string;
}

export function parseArgs(argv: readonly string[]): PlanArgs | { error: string } {
    let stack: string | undefined;
    let format: Format = "text";
    let stackFile: string | undefined;
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        const option = (name: string) =>
            arg.startsWith(`${name}=`) ? arg.slice(name.length + 1) : arg === name ? argv[++i] : undefined;
        if (arg.startsWith("--format")) {
            const value = option("--format");
            if (!FORMATS.includes(value as Format)) return { error: `--format must be one of ${FORMATS.join(", ")}` };
            format = value as Format;
        } else if (arg.startsWith("--stack-file")) {
            stackFile = option("--stack-file");
            if (!stackFile) return { error: "--stack-file needs a path" };
        } else if (arg.startsWith("-")) {
            return { error: `unknown option ${arg}` };
        } else if (stack === undefined) {
            stack = arg;
        } else {
            return { error: `one stack at a time (got ${stack} and ${arg})` };
        }
    }
    // A stack file alone names its stack: `Pulumi.<stack>.yaml`.
    stack ??= stackFile === undefined ? undefined : /^Pulumi\.(.+)\.ya?ml$/.exec(path.basename(stackFile))?.[1];
    return stack === undefined ? { error: "name a stack" } : { stack, format, stackFile };
}

/** Runs the plan; returns what to print and the exit code (the process wrapper below prints and exits). */
export async function runPlan(argv: readonly string[]): Promise<CliResult> {
    const args = parseArgs(argv);
    if ("error" in args) return { code: 2, stdout: "", stderr: `${args.error}\n${USAGE}\n` };
    const file = args.stackFile ?? path.join(ROOT, `Pulumi.${args.stack}.yaml`);
    if (!fs.existsSync(file)) return { code: 2, stdout: "", stderr: `no stack file ${file}\n${USAGE}\n` };

    // Stack files hold no usable secrets offline: encrypted values and missing runner tokens get stand-ins, noted below.
    const decoded = withoutEncryptedValues(stackFileConfig(args.stack, file), () => STAND_IN);
    const tokens = standInRunnerTokens(decoded.config, () => STAND_IN);
    const vmRunners = Object.keys((decoded.config[`${PROJECT}:vmRunners`] ?? {}) as object);
    const notes: Finding[] = tokens.runners.map((r) => ({
        severity: "warning",
        subject: `runnerTokens.${r}`,
        message: `not in ${path.basename(file)}; \`pulumi up\` fails until you ${tokenHowTo(r, vmRunners.includes(r) ? "vmRunners" : "runners")}`,
    }));
    const api = standInGitlabApiToken(decoded.config, API_TOKEN_STAND_IN);
    if (api.missing) {
        notes.push({
            severity: "warning",
            subject: "gitlabApiToken",
            message: `not in ${path.basename(file)} and gitlab.apiTokenSsmParameter is not set; \`pulumi up\` fails until the registered runners have a GitLab API token (docs/runner-registration.md)`,
        });
    }
    const secretKeys = [...new Set([...decoded.secretKeys, ...Object.keys(tokens.config), ...Object.keys(api.config)])];

    try {
        const run = await runProgram({
            stack: args.stack,
            config: { ...decoded.config, ...tokens.config, ...api.config },
            secretKeys,
            secureParameters: api.secureParameters,
        });
        const plan = buildPlan(args.stack, loadStackConfig(), run, notes);
        return { code: 0, stdout: renderPlan(plan, args.format), stderr: "" };
    } catch (error) {
        const cause = error instanceof ProgramError ? error.cause : error;
        if (cause instanceof ConfigError) return { code: 1, stdout: "", stderr: `${cause.message}\n` };
        throw error;
    }
}

/** Runs the plan for the process's arguments, prints it and exits with its code. */
export function main(): void {
    runPlan(process.argv.slice(2)).then(
        (r) => {
            process.stdout.write(r.stdout);
            process.stderr.write(r.stderr);
            process.exit(r.code);
        },
        (error) => {
            process.stderr.write(
                `${error instanceof Error ? error.stack : error}\n${process.env.PLAN_DEBUG ? "" : "(run with PLAN_DEBUG=1 for stack traces)\n"}`,
            );
            process.exit(3);
        },
    );
}
