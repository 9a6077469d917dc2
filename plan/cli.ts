/**
 * `npm run plan -- <stack> [--format text|markdown|json] [--stack-file <path>] [--base <git-ref>]`: the offline plan.
 * Evaluates the real program for Pulumi.<stack>.yaml under Pulumi mocks (no AWS account, Pulumi CLI or plugins) and
 * prints its resources, node groups, runners with their rendered config.toml, access and identity, and capacity;
 * with `--base`, what changes from that git ref to this tree (plan/planDiff.ts).
 * Exit codes: 0 printed (warnings allowed); 1 the configuration is invalid (the message `pulumi up` would give) or
 * the stack file is not YAML (with line and column); 2 usage error (also an unknown --base ref); 3 a crash (a bug:
 * PLAN_DEBUG=1 shows the stack trace).
 */
import * as fs from "fs";
import * as path from "path";
import { parseArgs, PlanArgs, usage } from "./args";
import { BaseRefError, checkoutBase } from "./baseCheckout";
import { ROOT } from "./engine";
import { Evaluation, evaluateStack, InvalidConfig } from "./evaluate";
import { exitWith } from "./exit";
import { BaseState, buildDiff } from "./planDiff";
import { renderPlan } from "./render";
import { renderDiff } from "./renderDiff";
import { StackFileError } from "./stackFile";

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

export { parseArgs } from "./args";

const failure = (code: number, stderr: string): CliResult => ({
    code,
    stdout: "",
    stderr: stderr.endsWith("\n") ? stderr : `${stderr}\n`,
});

/** Runs the plan; returns what to print and the exit code (the process wrapper below prints and exits). */
export async function runPlan(argv: readonly string[]): Promise<CliResult> {
    const args = parseArgs(argv);
    if ("error" in args) return failure(2, `${args.error}\n${usage(listStacks())}`);
    const file = path.resolve(args.stackFile ?? path.join(ROOT, `Pulumi.${args.stack}.yaml`));
    if (!fs.existsSync(file)) return failure(2, `no stack file ${file}\n${usage(listStacks())}`);
    try {
        if (args.base !== undefined) return await runDiff({ ...args, base: args.base }, file);
        const head = await evaluateStack({ stack: args.stack, file });
        return { code: 0, stdout: renderPlan(head.plan, args.format), stderr: "" };
    } catch (error) {
        if (error instanceof InvalidConfig || error instanceof StackFileError) return failure(1, error.message);
        if (error instanceof BaseRefError) return failure(2, error.message);
        throw error;
    }
}

/**
 * The diff: the base ref's tree is checked out beside this one and both are evaluated in this process. The base uses
 * the same stack file path inside its tree (a stack file outside the repository is evaluated by both programs).
 */
async function runDiff(args: PlanArgs & { base: string }, file: string): Promise<CliResult> {
    const checkout = checkoutBase(ROOT, args.base); // first: an unknown ref fails before any evaluation
    try {
        const head = await evaluateStack({ stack: args.stack, file });
        const relative = path.relative(ROOT, file);
        const inside = !relative.startsWith("..") && !path.isAbsolute(relative);
        const baseFile = inside ? path.join(checkout.root, relative) : file;
        const state = { ref: args.base, commit: checkout.commit, lockfileDiffers: checkout.lockfileDiffers };
        let base: Evaluation | undefined;
        let baseState: BaseState;
        if (!fs.existsSync(baseFile)) baseState = { ...state, state: "absent" };
        else {
            try {
                base = await evaluateStack({ stack: args.stack, file: baseFile, root: checkout.root });
                baseState = { ...state, state: "evaluated" };
            } catch (error) {
                if (!(error instanceof InvalidConfig || error instanceof StackFileError)) throw error;
                baseState = { ...state, state: "invalid", message: error.message };
            }
        }
        return { code: 0, stdout: renderDiff(buildDiff(args.stack, baseState, base, head), args.format), stderr: "" };
    } finally {
        checkout.dispose();
    }
}

/** Runs the plan for the process's arguments, prints it and exits with its code once the output is written. */
export function main(): void {
    runPlan(process.argv.slice(2)).then(exitWith, (error) =>
        exitWith({
            code: 3,
            stdout: "",
            stderr: `${error instanceof Error ? error.stack : error}\n${process.env.PLAN_DEBUG ? "" : "(a bug in the plan: run with PLAN_DEBUG=1 for the stack trace and report it)\n"}`,
        }),
    );
}
