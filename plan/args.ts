// The command line of `npm run plan`.
import * as path from "path";
import { Format, FORMATS } from "./format";

export interface PlanArgs {
    readonly stack: string;
    readonly format: Format;
    /** Another file than Pulumi.<stack>.yaml (e.g. a generated stack). */
    readonly stackFile?: string;
    /** A git ref to diff against: the plan then shows what changes from that commit to this tree. */
    readonly base?: string;
}

export const usage = (stacks: readonly string[]) =>
    `usage: npm run plan -- <stack> [--format ${FORMATS.join("|")}] [--stack-file <path>] [--base <git-ref>]   (stacks: ${stacks.join(", ")}; with --stack-file Pulumi.<stack>.yaml the stack name may be left out)`;

export function parseArgs(argv: readonly string[]): PlanArgs | { error: string } {
    let stack: string | undefined;
    let format: Format = "text";
    let stackFile: string | undefined;
    let base: string | undefined;
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        const option = (name: string) =>
            arg.startsWith(`${name}=`) ? arg.slice(name.length + 1) : arg === name ? argv[++i] : undefined;
        if (arg === "--format" || arg.startsWith("--format=")) {
            const value = option("--format");
            if (!FORMATS.includes(value as Format)) return { error: `--format must be one of ${FORMATS.join(", ")}` };
            format = value as Format;
        } else if (arg === "--stack-file" || arg.startsWith("--stack-file=")) {
            stackFile = option("--stack-file");
            if (!stackFile) return { error: "--stack-file needs a path" };
        } else if (arg === "--base" || arg.startsWith("--base=")) {
            base = option("--base");
            if (!base || base.startsWith("-")) return { error: "--base needs a git ref (a branch, tag or commit)" };
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
    if (stack === undefined) return { error: "name a stack" };
    return base === undefined ? { stack, format, stackFile } : { stack, format, stackFile, base };
}
