/**
 * Prints the IAM documents and settings of the pipeline's roles, so the runbook never carries a hand-written copy
 * (docs/runbook/first-deployment.md shows their output and tests/runbook.test.ts compares it):
 *   node -r ts-node/register/transpile-only scripts/ci/iam.ts trust-policy deploy --account 444455556666 \
 *     --gitlab-host gitlab.example.com --project platform/eks-gitlab-runners
 *   … max-session-duration deploy
 *   … preview-backend-policy --key-arn arn:aws:kms:eu-west-1:444455556666:key/…
 * The audience and the deploy session come from .gitlab-ci.yml (AWS_OIDC_AUDIENCE, DEPLOY_SESSION_SECONDS).
 */
import * as fs from "fs";
import { CI_FILE, deployWindow, oidcAudience } from "./deployWindow";
import { CI_ROLES, CiRole, maxSessionSeconds, previewBackendPolicy, trustPolicy } from "./trust";

const USAGE = `usage: iam.ts trust-policy <preview|deploy> --account <id> --gitlab-host <host> --project <group/project> [--partition aws] [--default-branch main]
       iam.ts max-session-duration <preview|deploy>
       iam.ts preview-backend-policy --key-arn <arn>`;

/** Parses `--name value` pairs after the positional arguments; unknown or valueless options are errors. */
export function options(args: readonly string[], allowed: readonly string[]): Record<string, string> {
    const out: Record<string, string> = {};
    for (let i = 0; i < args.length; i += 2) {
        const name = args[i].replace(/^--/, "");
        if (!args[i].startsWith("--") || !allowed.includes(name)) throw new Error(`unknown option "${args[i]}"`);
        if (args[i + 1] === undefined || args[i + 1].startsWith("--")) throw new Error(`option --${name} needs a value`);
        out[name] = args[i + 1];
    }
    return out;
}

const role = (value: string | undefined): CiRole => {
    if (!CI_ROLES.includes(value as CiRole)) throw new Error(`role "${value ?? ""}" is not one of ${CI_ROLES.join(", ")}`);
    return value as CiRole;
};

const required = (opts: Record<string, string>, ...names: string[]) => {
    const missing = names.filter((n) => !opts[n]);
    if (missing.length > 0) throw new Error(`missing ${missing.map((n) => `--${n}`).join(", ")}`);
};

/** The command's output, given the text of .gitlab-ci.yml; throws with a message for the user on bad input. */
export function iamCommand(argv: readonly string[], ciText: string): string {
    const [command, ...rest] = argv;
    switch (command) {
        case "trust-policy": {
            const r = role(rest[0]);
            const o = options(rest.slice(1), ["account", "gitlab-host", "project", "partition", "default-branch"]);
            required(o, "account", "gitlab-host", "project");
            const partition = (o.partition ?? "aws") as "aws" | "aws-cn" | "aws-us-gov";
            if (!["aws", "aws-cn", "aws-us-gov"].includes(partition)) throw new Error(`unknown partition "${partition}"`);
            const doc = trustPolicy(r, {
                account: o.account,
                gitlabHost: o["gitlab-host"],
                projectPath: o.project,
                audience: oidcAudience(ciText),
                partition,
                defaultBranch: o["default-branch"],
            });
            return JSON.stringify(doc, null, 2);
        }
        case "max-session-duration":
            options(rest.slice(1), []);
            return String(maxSessionSeconds(role(rest[0]), deployWindow(ciText).sessionSeconds));
        case "preview-backend-policy": {
            const o = options(rest, ["key-arn"]);
            required(o, "key-arn");
            return JSON.stringify(previewBackendPolicy(o["key-arn"]), null, 2);
        }
        default:
            throw new Error(`unknown command "${command ?? ""}"`);
    }
}

if (require.main === module) {
    try {
        console.log(iamCommand(process.argv.slice(2), fs.readFileSync(CI_FILE, "utf8")));
    } catch (e) {
        console.error(`iam.ts: ${(e as Error).message}\n${USAGE}`);
        process.exit(2);
    }
}
