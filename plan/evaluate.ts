/**
 * One offline evaluation of a stack: the stack file's config with stand-ins for what only the Pulumi CLI can
 * decrypt, the program under mocks, and the plan data read from what it registered. The snapshot plan evaluates
 * the working tree; a diff also evaluates another checkout of the repository (its own program and config layer,
 * with this checkout's packages), in the same process.
 */
import * as path from "path";
import { PROJECT, type StackConfig } from "../config";
import { tokenHowTo } from "../config/runnerTokens";
import type { Finding } from "../config/capacity";
import {
    ProgramError,
    programIn,
    Recorded,
    ROOT,
    runProgram,
    standInGitlabApiToken,
    standInRunnerTokens,
    withoutEncryptedValues,
} from "./engine";
import { buildPlan, PlanData } from "./planData";
import { isMap, readStackFile } from "./stackFile";

/** What encrypted values and missing runner tokens become offline: shaped like a token, so validation accepts it. */
export const STAND_IN = "glrt-offline-plan-stand-in";
/** What the GitLab API token of registered runners becomes offline (read from SSM or config at deploy time). */
const API_TOKEN_STAND_IN = "gitlab-api-token-offline-plan-stand-in";

export interface Evaluation {
    readonly plan: PlanData;
    /** Every resource the program registered, with its inputs and options. */
    readonly resources: readonly Recorded[];
}

/** The stack's configuration is invalid: the message is the ConfigError's (the same `pulumi up` would print). */
export class InvalidConfig extends Error {
    constructor(message: string) {
        super(message);
        this.name = "InvalidConfig";
    }
}

export interface EvaluateArgs {
    readonly stack: string;
    /** The stack file (Pulumi.<stack>.yaml of `root` by default). */
    readonly file?: string;
    /** Root of the checkout whose program and config layer are evaluated (default: this one). */
    readonly root?: string;
}

/**
 * Evaluates a stack file; throws InvalidConfig for a ConfigError (of whichever checkout's config layer ran),
 * StackFileError for a file that is not a YAML map, anything else for a crash.
 */
export async function evaluateStack(args: EvaluateArgs): Promise<Evaluation> {
    const root = args.root ?? ROOT;
    const file = args.file ?? path.join(root, `Pulumi.${args.stack}.yaml`);
    // Stack files hold no usable secrets offline: encrypted values and missing runner tokens get stand-ins, noted below.
    const decoded = withoutEncryptedValues(readStackFile(file), () => STAND_IN);
    const tokens = standInRunnerTokens(decoded.config, () => STAND_IN);
    const vmSection = decoded.config[`${PROJECT}:vmRunners`];
    const vmRunners = isMap(vmSection) ? Object.keys(vmSection) : [];
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
    const config = { ...decoded.config, ...tokens.config, ...api.config };
    // The config layer of the checkout that is evaluated: another checkout's StackConfig is read the same way.
    const configLayer = require(root === ROOT ? "../config" : path.join(root, "config")) as {
        loadStackConfig(): StackConfig;
    };
    try {
        const run = await runProgram({
            stack: args.stack,
            config,
            secretKeys,
            secureParameters: api.secureParameters,
            program: root === ROOT ? undefined : programIn(root),
            mode: "plan",
        });
        return { plan: buildPlan(args.stack, configLayer.loadStackConfig(), run, notes), resources: run.inUrnOrder().resources };
    } catch (error) {
        const cause = error instanceof ProgramError ? error.cause : error;
        // By name: another checkout's ConfigError is another class.
        if (cause instanceof Error && cause.name === "ConfigError") throw new InvalidConfig(cause.message);
        throw cause;
    }
}
