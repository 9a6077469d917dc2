/**
 * The base of a diff: the repository's tree at a git ref, written to a temporary directory with git's own plumbing
 * (a throw-away index: `git read-tree <ref>` then `git checkout-index -a --prefix=<dir>/`), which touches neither
 * the working tree, nor the real index, nor the list of worktrees. Measured against `git worktree add` (which also
 * registers and must unregister a worktree) and `git archive | tar -x`: the fastest of the three, and it needs
 * nothing but git. The checkout uses this checkout's node_modules through a symlink (the same package instances,
 * so one Pulumi runtime evaluates both trees); a base whose package-lock.json differs is still evaluated with these
 * packages, and the diff says so.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

export class BaseRefError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "BaseRefError";
    }
}

export interface BaseCheckout {
    /** Root of the checked-out tree. */
    readonly root: string;
    /** The commit the ref resolved to. */
    readonly commit: string;
    /** Whether the base's package-lock.json differs from this checkout's (its packages were not installed). */
    readonly lockfileDiffers: boolean;
    /** Removes the temporary directory. */
    dispose(): void;
}

function git(repo: string, args: string[], env: NodeJS.ProcessEnv = process.env): string {
    return execFileSync("git", args, { cwd: repo, env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
}

/** Checks out `ref` of the repository at `repo` into a new temporary directory; BaseRefError when it is no commit. */
export function checkoutBase(repo: string, ref: string): BaseCheckout {
    let commit: string;
    try {
        commit = git(repo, ["rev-parse", "--verify", "--quiet", "--end-of-options", `${ref}^{commit}`]);
    } catch (error) {
        const why = (error as { stderr?: string }).stderr?.trim();
        throw new BaseRefError(
            `--base ${ref}: not a commit of the repository at ${repo}${why ? ` (${why})` : ""}; in CI fetch it first (git fetch origin <branch>)`,
        );
    }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plan-base-"));
    const dispose = () => fs.rmSync(dir, { recursive: true, force: true });
    try {
        const env = { ...process.env, GIT_INDEX_FILE: path.join(dir, "index") };
        const root = path.join(dir, "tree");
        git(repo, ["read-tree", commit], env);
        git(repo, ["checkout-index", "--all", `--prefix=${root}${path.sep}`], env);
        fs.symlinkSync(path.join(repo, "node_modules"), path.join(root, "node_modules"), "dir");
        const lock = (dirname: string) => {
            try {
                return fs.readFileSync(path.join(dirname, "package-lock.json"), "utf8");
            } catch {
                return undefined;
            }
        };
        return { root, commit, lockfileDiffers: lock(repo) !== lock(root), dispose };
    } catch (error) {
        dispose();
        throw error;
    }
}
