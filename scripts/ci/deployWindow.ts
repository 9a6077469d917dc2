// The deploy window: how long a job that runs `pulumi up` may run (GitLab job timeout) and how long its AWS
// credentials last. Both are declared once, in .gitlab-ci.yml (`.deploy-window` and `DEPLOY_SESSION_SECONDS`); this
// module reads them for the IAM role settings (scripts/ci/iam.ts) and for tests.
import * as fs from "fs";
import * as path from "path";
import { parseDocument } from "yaml";

export const CI_FILE = path.join(__dirname, "..", "..", ".gitlab-ci.yml");

/** GitLab's job `timeout` in minutes, for the forms this project writes: `4h`, `90m`, `3h 30m`, `4 hours`, `15 minutes`. */
export function timeoutMinutes(value: unknown): number {
    const text = String(value ?? "").trim();
    const parts = [...text.matchAll(/(\d+)\s*(h|hours?|m|min|minutes?)\b\s*/g)];
    if (parts.length === 0 || parts.map((m) => m[0]).join("") !== text.replace(/^\s+/, ""))
        throw new Error(`timeout "${text}" is not of the form "4h", "3h 30m" or "15 minutes"`);
    return parts.reduce((sum, [, n, unit]) => sum + Number(n) * (unit.startsWith("h") ? 60 : 1), 0);
}

export interface DeployWindow {
    /** `.deploy-window` timeout, the timeout of every job that runs `pulumi up`. */
    readonly timeoutMinutes: number;
    /** `DEPLOY_SESSION_SECONDS`, the AWS session of those jobs and the deploy role's MaxSessionDuration. */
    readonly sessionSeconds: number;
}

/** Reads the deploy window from the text of .gitlab-ci.yml; throws naming the key when it is missing or malformed. */
export function deployWindow(ciText: string): DeployWindow {
    // GitLab's !reference tag is left unresolved here (a warning, not an error): only plain keys are read.
    const doc = parseDocument(ciText).toJS() as Record<string, any> | null;
    const window = doc?.[".deploy-window"];
    if (!window?.timeout) throw new Error(".gitlab-ci.yml: .deploy-window.timeout is missing");
    const raw = doc?.variables?.DEPLOY_SESSION_SECONDS;
    const session = Number(typeof raw === "object" && raw !== null ? raw.value : raw);
    if (!Number.isInteger(session) || session <= 0)
        throw new Error(`.gitlab-ci.yml: variables.DEPLOY_SESSION_SECONDS "${raw}" is not a number of seconds`);
    if (window.variables?.AWS_SESSION_SECONDS !== "$DEPLOY_SESSION_SECONDS")
        throw new Error(".gitlab-ci.yml: .deploy-window must set AWS_SESSION_SECONDS: $DEPLOY_SESSION_SECONDS");
    return { timeoutMinutes: timeoutMinutes(window.timeout), sessionSeconds: session };
}

export const shippedDeployWindow = () => deployWindow(fs.readFileSync(CI_FILE, "utf8"));

/** The `aud` the pipeline's ID tokens request (`AWS_OIDC_AUDIENCE`). */
export function oidcAudience(ciText: string): string {
    const raw = (parseDocument(ciText).toJS() as Record<string, any> | null)?.variables?.AWS_OIDC_AUDIENCE;
    const value = typeof raw === "object" && raw !== null ? raw.value : raw;
    if (typeof value !== "string" || value === "") throw new Error(".gitlab-ci.yml: variables.AWS_OIDC_AUDIENCE is missing");
    return value;
}
