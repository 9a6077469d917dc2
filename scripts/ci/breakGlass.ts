/**
 * Break-glass cluster admin through an EKS access entry, outside Pulumi, audited and failing loudly:
 *   breakGlass.ts grant   --cluster C --region R --role-arn A --reason "INC-42 …" --hours 4 --by alice --pipeline <url>
 *   breakGlass.ts revoke  --cluster C --region R --role-arn A --by alice --pipeline <url>
 *   breakGlass.ts expired --cluster C --region R          (exit 1 if a grant outlived its expiry; the drift job runs it)
 * The pipeline's break-glass jobs run it; so does an account administrator when GitLab is down (docs/runbook/
 * break-glass.md). It needs the AWS CLI v2 and Node.js only (no GNU date).
 */
import { spawnSync } from "child_process";
import { iamRoleArn } from "../../config/cluster";

export interface AwsResult {
    status: number;
    stdout: string;
    stderr: string;
}
export type Aws = (args: string[]) => AwsResult;
export interface Deps {
    aws: Aws;
    now: () => Date;
    out: (line: string) => void;
    err: (line: string) => void;
}

/** Tags on the access entry: who granted it, until when, from which pipeline. Only entries with them are revoked. */
export const TAGS = {
    grantedBy: "eks-gitlab-runners/break-glass",
    expires: "eks-gitlab-runners/break-glass-expires",
    pipeline: "eks-gitlab-runners/break-glass-pipeline",
} as const;
/** The longest grant the script accepts; longer access is a merge request to `cluster.adminRoleArns`. */
export const MAX_HOURS = 12;
/**
 * GitLab stops environments (and so runs the revoke job) from a worker that runs once an hour, so a grant ends up to
 * an hour after `auto_stop_in` (GitLab docs, environments: "auto_stop_in"; gitlab-org/gitlab#240886). `expired`
 * reports a grant only after that hour, and then it is a failure.
 */
export const AUTO_STOP_WORKER_MINUTES = 60;

/** The AWS CLI's error code, e.g. "ResourceNotFoundException" from "An error occurred (ResourceNotFoundException) …". */
export const errorCode = (stderr: string) => /An error occurred \((\w+)\)/.exec(stderr)?.[1];

class Failure extends Error {}

const adminPolicyArn = (roleArn: string) =>
    `arn:${roleArn.split(":")[1]}:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy`;

/** Expiry as "2026-05-01T14:30Z": minute precision, sortable, valid in EKS tag values. */
export const expiryTag = (d: Date) => `${d.toISOString().slice(0, 16)}Z`;

interface Options {
    cluster: string;
    region: string;
    roleArn: string;
    reason: string;
    hours: number;
    by: string;
    pipeline: string;
}

function call(deps: Deps, o: Pick<Options, "cluster" | "region">, args: string[]): AwsResult {
    return deps.aws(["eks", ...args, "--cluster-name", o.cluster, "--region", o.region, "--output", "json"]);
}

function fail(what: string, r: AwsResult): never {
    throw new Failure(`${what} failed (exit ${r.status}): ${r.stderr.trim() || r.stdout.trim() || "no output"}`);
}

/** The entry's tags, or undefined when the principal has no access entry; any other error is a failure. */
function describeEntry(deps: Deps, o: Pick<Options, "cluster" | "region">, arn: string): Record<string, string> | undefined {
    const r = call(deps, o, ["describe-access-entry", "--principal-arn", arn]);
    if (r.status !== 0) {
        if (errorCode(r.stderr) === "ResourceNotFoundException") return undefined;
        fail(`describe-access-entry for ${arn}`, r);
    }
    return (JSON.parse(r.stdout).accessEntry?.tags ?? {}) as Record<string, string>;
}

/** One access entry per principal: CreateAccessEntry fails with ResourceInUseException otherwise (EKS API reference). */
export function grant(o: Options, deps: Deps): void {
    if (describeEntry(deps, o, o.roleArn) !== undefined)
        throw new Failure(
            `${o.roleArn} already has an access entry: it is the deploy role, an admin or viewer of the stack ` +
                `(cluster.deployRoleArn / adminRoleArns / viewerRoleArns) or holds an earlier grant. EKS allows one entry per ` +
                `principal: grant a dedicated break-glass role that is in none of those lists.`,
        );
    const expires = expiryTag(new Date(deps.now().getTime() + o.hours * 3600_000));
    deps.out(
        `AUDIT break-glass GRANT cluster=${o.cluster} role=${o.roleArn} by=${o.by} reason="${o.reason}" expires=${expires} pipeline=${o.pipeline}`,
    );
    const tags = { [TAGS.grantedBy]: o.by, [TAGS.expires]: expires, [TAGS.pipeline]: o.pipeline };
    const created = call(deps, o, ["create-access-entry", "--principal-arn", o.roleArn, "--tags", JSON.stringify(tags)]);
    if (created.status !== 0) fail("create-access-entry", created);
    const associated = call(deps, o, [
        "associate-access-policy",
        "--principal-arn",
        o.roleArn,
        "--policy-arn",
        adminPolicyArn(o.roleArn),
        "--access-scope",
        "type=cluster",
    ]);
    if (associated.status !== 0) {
        // Half a grant is an entry without rights that still blocks the next attempt: take it back, loudly.
        const undone = call(deps, o, ["delete-access-entry", "--principal-arn", o.roleArn]);
        const rollback =
            undone.status === 0
                ? "the access entry was deleted again"
                : `deleting the access entry failed too (${undone.stderr.trim()}); delete it by hand: breakGlass.ts revoke`;
        fail(`associate-access-policy (${rollback})`, associated);
    }
    deps.out(`Granted until ${expires}. As that role: aws eks update-kubeconfig --name ${o.cluster} --region ${o.region}`);
}

export function revoke(o: Options, deps: Deps): void {
    const tags = describeEntry(deps, o, o.roleArn);
    if (tags === undefined) {
        deps.out(`No access entry for ${o.roleArn} in ${o.cluster}: nothing to revoke`);
        return;
    }
    const grantedBy = tags[TAGS.grantedBy];
    if (!grantedBy)
        throw new Failure(
            `${o.roleArn} has an access entry that break-glass did not make (no ${TAGS.grantedBy} tag): it belongs to the stack ` +
                `(deployRoleArn / adminRoleArns / viewerRoleArns); not touching it`,
        );
    deps.out(
        `AUDIT break-glass REVOKE cluster=${o.cluster} role=${o.roleArn} granted-by=${grantedBy} by=${o.by} pipeline=${o.pipeline}`,
    );
    const deleted = call(deps, o, ["delete-access-entry", "--principal-arn", o.roleArn]);
    if (deleted.status !== 0) fail("delete-access-entry", deleted);
    if (describeEntry(deps, o, o.roleArn) !== undefined)
        throw new Failure(`${o.roleArn} still has an access entry after delete-access-entry`);
    deps.out(`Revoked: ${o.roleArn} has no access entry in ${o.cluster}`);
}

/** Break-glass entries whose expiry (plus GitLab's auto-stop delay) has passed; each is a failure. */
export function expired(o: Pick<Options, "cluster" | "region">, deps: Deps): string[] {
    const listed = call(deps, o, ["list-access-entries"]);
    if (listed.status !== 0) fail("list-access-entries", listed);
    const late: string[] = [];
    const cutoff = deps.now().getTime() - AUTO_STOP_WORKER_MINUTES * 60_000;
    for (const arn of JSON.parse(listed.stdout).accessEntries as string[]) {
        const tags = describeEntry(deps, o, arn) ?? {};
        const expires = tags[TAGS.expires];
        if (expires === undefined) continue;
        const at = Date.parse(expires);
        if (Number.isNaN(at) || at < cutoff) late.push(`${arn} (granted by ${tags[TAGS.grantedBy] ?? "?"}, expired ${expires})`);
    }
    return late;
}

const FLAGS: Record<string, keyof Options> = {
    "--cluster": "cluster",
    "--region": "region",
    "--role-arn": "roleArn",
    "--reason": "reason",
    "--hours": "hours",
    "--by": "by",
    "--pipeline": "pipeline",
};
const NEEDS: Record<string, (keyof Options)[]> = {
    grant: ["cluster", "region", "roleArn", "reason", "hours", "by", "pipeline"],
    revoke: ["cluster", "region", "roleArn", "by", "pipeline"],
    expired: ["cluster", "region"],
};

/** Parses and validates the command line; every problem is named with its flag. */
export function parseArgs(argv: readonly string[]): { command: string; options: Options } {
    const [command, ...rest] = argv;
    if (!NEEDS[command]) throw new Failure(`unknown command "${command ?? ""}": grant, revoke or expired`);
    const raw: Record<string, string> = {};
    for (let i = 0; i < rest.length; i += 2) {
        const key = FLAGS[rest[i]];
        if (!key || !NEEDS[command].includes(key)) throw new Failure(`${command}: unknown option "${rest[i]}"`);
        raw[key] = rest[i + 1] ?? "";
    }
    const flag = (k: keyof Options) => Object.keys(FLAGS).find((f) => FLAGS[f] === k);
    const problems = NEEDS[command].filter((k) => !raw[k]?.trim()).map((k) => `${flag(k)} is required (empty or missing)`);
    const hours = Number(raw.hours ?? 0);
    if (raw.roleArn && !iamRoleArn.safeParse(raw.roleArn).success)
        problems.push(`--role-arn "${raw.roleArn}" is not an IAM role ARN (arn:aws:iam::<account>:role/<name>)`);
    if (raw.cluster && !/^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/.test(raw.cluster))
        problems.push(`--cluster "${raw.cluster}" is not an EKS cluster name`);
    if (raw.region && !/^[a-z]{2}(-[a-z]+)+-\d$/.test(raw.region)) problems.push(`--region "${raw.region}" is not an AWS region`);
    if (raw.hours && !(Number.isInteger(hours) && hours >= 1 && hours <= MAX_HOURS))
        problems.push(`--hours "${raw.hours}" must be a whole number of hours from 1 to ${MAX_HOURS}`);
    if (problems.length > 0) throw new Failure(`${command}: ${problems.join("; ")}`);
    return { command, options: { ...(raw as unknown as Options), hours } };
}

/** Runs a command; the exit code is 0 only when it did what it says (or found nothing to do). */
export function run(argv: readonly string[], deps: Deps): number {
    try {
        const { command, options } = parseArgs(argv);
        if (command === "grant") grant(options, deps);
        else if (command === "revoke") revoke(options, deps);
        else {
            const late = expired(options, deps);
            for (const l of late)
                deps.err(`DRIFT: break-glass grant still active after its expiry: ${l}; run breakGlass.ts revoke`);
            return late.length > 0 ? 1 : 0;
        }
        return 0;
    } catch (e) {
        if (!(e instanceof Failure || e instanceof SyntaxError)) throw e;
        deps.err(`break-glass: ${e.message}`);
        return 1;
    }
}

if (require.main === module) {
    const aws: Aws = (args) => {
        const r = spawnSync("aws", args, { encoding: "utf8" });
        return { status: r.status ?? 1, stdout: r.stdout ?? "", stderr: r.stderr ?? String(r.error ?? "") };
    };
    process.exit(run(process.argv.slice(2), { aws, now: () => new Date(), out: console.log, err: console.error }));
}
