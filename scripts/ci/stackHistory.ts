/**
 * Reads `pulumi stack history --json` on stdin and answers the pipeline's two questions about a stack:
 *   stackHistory.ts deployed-commit    prints the commit of the stack's last update (the scheduled patch runs it again)
 *   stackHistory.ts require-deployed   fails unless the stack was deployed before (the first deploy is a person's)
 * Both backends keep this history. The commit is the `git.head` the Pulumi CLI records with every update it runs in a
 * git checkout (pulumi/pulumi pkg/backend/updates.go, GitHead = "git.head"; shown by `pulumi stack history --json` as
 * `environment`, pkg/cmd/pulumi/stack/stack_history.go). Stack tags would be the other record, but the S3 backend has
 * none (pkg/backend/diy/backend.go: UpdateStackTags → "stack tags not supported in diy mode").
 */

export interface HistoryEntry {
    version?: number;
    kind: string;
    startTime?: string;
    result?: string;
    message?: string;
    environment?: Record<string, string>;
}

export interface DeployedCommit {
    readonly sha: string;
    readonly version?: number;
    /** The update ran with uncommitted changes (`git.dirty`): those changes are not in `sha` and are not patched. */
    readonly dirty: boolean;
}

/** The updates that change what is deployed; refreshes and previews do not. */
const DEPLOYING_KINDS = new Set(["update", "destroy"]);

function entries(history: unknown): HistoryEntry[] {
    if (!Array.isArray(history) || !history.every((e) => e && typeof e === "object" && typeof e.kind === "string"))
        throw new Error("stack history: expected the JSON array of `pulumi stack history --json`");
    const list = history as HistoryEntry[];
    // Newest first, as the CLI prints it; the update number orders it when every entry has one (CLI ≥ 3.x "version").
    return list.every((e) => typeof e.version === "number" && e.version > 0)
        ? [...list].sort((a, b) => b.version! - a.version!)
        : list;
}

/** The stack has at least one update (of any result) in its history. */
export function requireDeployed(history: unknown, stack: string): void {
    if (!entries(history).some((e) => DEPLOYING_KINDS.has(e.kind)))
        throw new Error(
            `stack ${stack} has never been deployed. Its first \`pulumi up\` is run by a person with an admin role that is in no ` +
                `access-entry list (docs/runbook/first-deployment.md, step 6): EKS makes the cluster's creator admin, and this ` +
                `pipeline's deploy role has its own access entry (cluster.deployRoleArn); one principal cannot have both.`,
        );
}

/** The commit of the newest update; throws when that update failed, was a destroy, or recorded no commit. */
export function deployedCommit(history: unknown, stack: string): DeployedCommit {
    const last = entries(history).find((e) => DEPLOYING_KINDS.has(e.kind));
    const which = (e: HistoryEntry) => `update ${e.version ?? "?"} (${e.startTime ?? "time unknown"})`;
    if (!last)
        throw new Error(
            `stack ${stack} has no update in the history read (pulumi stack history --page-size 100): nothing to patch`,
        );
    if (last.kind !== "update") throw new Error(`the newest operation on stack ${stack} is a ${last.kind}: nothing to patch`);
    if (last.result !== "succeeded")
        throw new Error(
            `the last ${which(last)} of stack ${stack} ${last.result ?? "has no result"}: part of it may be deployed, so there ` +
                `is no single commit to patch. Deploy the stack successfully first, then re-run the patch.`,
        );
    const sha = last.environment?.["git.head"] ?? "";
    if (!/^[0-9a-f]{40}$/.test(sha))
        throw new Error(
            `the last ${which(last)} of stack ${stack} recorded no git commit (git.head "${sha}"): it ran outside a git checkout; ` +
                `deploy it from the pipeline or a clean checkout first`,
        );
    return { sha, version: last.version, dirty: last.environment?.["git.dirty"] === "true" };
}

function readStdin(): Promise<string> {
    return new Promise((resolve, reject) => {
        let text = "";
        process.stdin.setEncoding("utf8");
        process.stdin
            .on("data", (d) => (text += d))
            .on("end", () => resolve(text))
            .on("error", reject);
    });
}

if (require.main === module) {
    const [command] = process.argv.slice(2);
    const stack = process.env.STACK ?? "(STACK unset)";
    readStdin()
        .then((text) => {
            let history: unknown;
            try {
                history = JSON.parse(text);
            } catch {
                throw new Error("stack history: stdin is not JSON (did `pulumi stack history --json` fail above?)");
            }
            if (command === "require-deployed") requireDeployed(history, stack);
            else if (command === "deployed-commit") {
                const deployed = deployedCommit(history, stack);
                if (deployed.dirty)
                    console.error(
                        `warning: update ${deployed.version} of ${stack} ran with uncommitted changes; patching ${deployed.sha} as committed`,
                    );
                console.log(deployed.sha);
            } else throw new Error(`unknown command "${command ?? ""}" (deployed-commit or require-deployed)`);
        })
        .catch((e: Error) => {
            console.error(`stackHistory.ts: ${e.message}`);
            process.exit(1);
        });
}
