// `runners.<name>.jobIdentity`: the AWS identity of a runner's job pods, without keys. With it, the runner's job
// service account gets an IAM role through EKS Pod Identity (trust exactly as for the cache role: this cluster, the
// job namespace, that one service account), the managed policies listed and an inline policy from `statements`.
// Validation here is path-precise: ARNs well formed and in the stack's partition, actions as `service:Action`, no
// wildcard write action in an Allow (the stack's policy rule iam-no-wildcard-writes would refuse it at preview).
import { z } from "zod";
import { inlinePolicyDocument, isWildcardWrite } from "../model/iam";
import { joinPath, Problem, strictObject } from "./problems";

/** `arn:<partition>:iam::<account or "aws">:policy/<path/name>` (IAM User Guide, "IAM identifiers"). */
const POLICY_ARN = /^arn:(aws|aws-cn|aws-us-gov):iam::(\d{12}|aws):policy\/[\w+=,.@\-/]{1,512}$/;
/** Any resource ARN: `arn:<partition>:<service>:<region>:<account>:<resource>` (region and account may be empty, as for S3). */
const RESOURCE_ARN = /^arn:(aws|aws-cn|aws-us-gov):([a-z0-9-]+):([a-z0-9-]*):(\d{12}|aws)?:(\S+)$/;
/** An IAM action: `service:Action`, the action part possibly with `*`/`?` wildcards (IAM JSON policy reference, "Action"). */
const ACTION = /^[a-z0-9-]+:[A-Za-z0-9*?]+$/;

/**
 * IAM's limit on the inline policies of a role, characters without white space (IAM User Guide, "IAM and AWS STS
 * quotas": role policy size 10,240). Not adjustable, so a larger document fails at deploy time.
 */
export const INLINE_POLICY_MAX_CHARS = 10240;

const policyArn = z.string().regex(POLICY_ARN, {
    error: (iss) =>
        `${JSON.stringify(iss.input)} is not an IAM policy ARN (arn:aws:iam::<12-digit account>:policy/<name>, or arn:aws:iam::aws:policy/<name> for an AWS managed policy)`,
});

const statementSchema = strictObject({
    effect: z.enum(["Allow", "Deny"], { error: (iss) => `${JSON.stringify(iss.input)} is not Allow or Deny` }),
    actions: z
        .array(
            z.string().regex(ACTION, {
                error: (iss) => `${JSON.stringify(iss.input)} is not an IAM action as service:Action (e.g. s3:PutObject)`,
            }),
        )
        .min(1, { error: "list at least one action" }),
    resources: z
        .array(
            z.string().refine((r) => r === "*" || RESOURCE_ARN.test(r), {
                error: (iss) =>
                    `${JSON.stringify(iss.input)} is not a resource ARN (arn:<partition>:<service>:<region>:<account>:<resource>) or "*"`,
            }),
        )
        .min(1, { error: "list at least one resource" }),
});

/** The schema of `jobIdentity` (a row of the runner option table). */
export const jobIdentitySchema = strictObject({
    /** IAM policies (customer or AWS managed) attached to the job role. */
    managedPolicyArns: z.array(policyArn).default([]),
    /** An inline policy of the job role, statement by statement. */
    statements: z.array(statementSchema).default([]),
    /** A permissions boundary for the job role, for teams whose account requires one on every role. */
    permissionsBoundaryArn: policyArn.optional(),
});
export type JobIdentityConfig = Readonly<z.output<typeof jobIdentitySchema>>;

const partitionOf = (arn: string) => arn.split(":")[1];

/** Rules of one runner's `jobIdentity` that a schema cannot state: partitions, duplicates, wildcard writes, size. */
export function jobIdentityProblems(identity: JobIdentityConfig, partition: string | undefined, runner: string): Problem[] {
    const problems: Problem[] = [];
    const at = (...rest: (string | number)[]) => joinPath("runners", runner, "jobIdentity", ...rest);
    const inPartition = (arn: string, path: string) => {
        if (partition && partitionOf(arn) !== partition)
            problems.push({
                path,
                message: `${arn} is in partition ${partitionOf(arn)}, but the stack's region is in ${partition}; use arn:${partition}:…`,
            });
    };
    if (identity.managedPolicyArns.length === 0 && identity.statements.length === 0) {
        problems.push({
            path: at(),
            message:
                "grants nothing: list managedPolicyArns or statements (or remove jobIdentity: jobs then have no AWS identity)",
        });
    }
    identity.managedPolicyArns.forEach((arn, i) => {
        if (identity.managedPolicyArns.indexOf(arn) !== i)
            problems.push({ path: at("managedPolicyArns", i), message: `${arn} is listed twice` });
        inPartition(arn, at("managedPolicyArns", i));
    });
    if (identity.permissionsBoundaryArn) inPartition(identity.permissionsBoundaryArn, at("permissionsBoundaryArn"));
    identity.statements.forEach((s, i) => {
        s.resources.forEach((r, j) => {
            if (r !== "*") inPartition(r, at("statements", i, "resources", j));
        });
        if (s.effect !== "Allow") return;
        s.actions.forEach((a, j) => {
            if (isWildcardWrite(a))
                problems.push({
                    path: at("statements", i, "actions", j),
                    message: `${a} is a wildcard that includes write actions; list the actions the jobs need (the stack's policy rule iam-no-wildcard-writes refuses it)`,
                });
        });
    });
    const size = JSON.stringify(inlinePolicyDocument(identity.statements, "Job")).length;
    if (identity.statements.length > 0 && size > INLINE_POLICY_MAX_CHARS) {
        problems.push({
            path: at("statements"),
            message: `the inline policy has ${size} characters; IAM allows ${INLINE_POLICY_MAX_CHARS} per role. Move statements into a managed policy (managedPolicyArns)`,
        });
    }
    return problems;
}
