// Who may become which AWS identity of the pipeline, as data: the refs each role trusts, the trust policies and role
// settings built from them. The runbook prints these documents through scripts/ci/iam.ts; tests/ciTrust.test.ts
// evaluates them against the ID token of every kind of pipeline (tests/gitlabCiPipelines.test.ts).
import { PolicyDocument } from "../../model/iam";

/**
 * The CI roles of each account. `preview` runs `pulumi preview` (ReadOnlyAccess + kms:Decrypt of the stack secrets:
 * it can read every runner token, so it is as sensitive as the tokens); `deploy` runs `pulumi up`, drift checks and
 * break-glass (AdministratorAccess in its own account, and cluster admin through `cluster.deployRoleArn`).
 */
export type CiRole = "preview" | "deploy";
export const CI_ROLES: readonly CiRole[] = ["preview", "deploy"];
export const ROLE_NAMES: Record<CiRole, string> = { preview: "gitlab-ci-preview", deploy: "gitlab-ci-deploy" };

export interface RefPattern {
    readonly type: "branch" | "tag";
    /** A GitLab protected-ref pattern, also an IAM StringLike pattern: `*` matches any characters in both. */
    readonly pattern: string;
}

/**
 * The refs the project protects (docs/runbook/first-deployment.md, step 1), and the only refs any role trusts.
 * For a self-managed GitLab, IAM cannot tell a protected ref from an unprotected one: AssumeRoleWithWebIdentity offers
 * an OIDC provider's standard claims `aud` and `sub` as `<provider>:<claim>` condition keys (`amr` and `oaud` for
 * Amazon Cognito and Google only; "Available keys for AWS web identity federation", IAM User Guide,
 * reference_policies_iam-condition-keys), and GitLab's own claims (`ref_protected`, `environment_protected`,
 * `deployment_tier`) are invisible to it. Only for the provider `gitlab.com` does the Service Authorization Reference
 * for AWS STS list some of them as keys of AssumeRoleWithWebIdentity (`gitlab.com:ref_protected`,
 * `gitlab.com:project_id`, `gitlab.com:namespace_id`, `gitlab.com:pipeline_source`, `gitlab.com:user_*`,
 * `gitlab.com:runner_environment`; in its 2026-08 scrape, not its 2026-03 one:
 * tests/fixtures/upstream/iam-service-authorization.tsv); these documents do not use them. GitLab's `sub` is
 * `project_path:<group/project>:ref_type:<branch|tag>:ref:<name>` (gitlab-org/gitlab lib/gitlab/ci/jwt_v2.rb; only
 * project_path, ref_type and ref can be put into it: gitlab-org/gitlab#477260). So the trust names ref patterns, and
 * GitLab's protection of exactly those patterns decides who can produce such a token.
 */
export function protectedRefs(defaultBranch = "main"): Record<"main" | "previewBranches" | "releaseTags", RefPattern> {
    return {
        main: { type: "branch", pattern: defaultBranch },
        // Maintainers push reviewed merge-request code here to get real previews (docs/runbook/threat-model.md).
        previewBranches: { type: "branch", pattern: "preview/*" },
        // Broader than the pipeline's vX.Y.Z rule on purpose: every tag the role trusts is protected.
        releaseTags: { type: "tag", pattern: "v*" },
    };
}

/** Which protected refs each role trusts: previews also from preview/* branches, changes only from main and v* tags. */
export function trustedRefs(role: CiRole, defaultBranch = "main"): RefPattern[] {
    const refs = protectedRefs(defaultBranch);
    return role === "deploy" ? [refs.main, refs.releaseTags] : [refs.main, refs.previewBranches, refs.releaseTags];
}

/** GitLab's `sub` claim for a ref (jwt_v2.rb); for a merge-request pipeline the ref is the source branch. */
export const subject = (projectPath: string, ref: { type: "branch" | "tag"; name: string }) =>
    `project_path:${projectPath}:ref_type:${ref.type}:ref:${ref.name}`;

export interface TrustParams {
    readonly account: string;
    /** GitLab host as in the OIDC provider URL without https:// (a path is kept: gitlab.example.com/gitlab). */
    readonly gitlabHost: string;
    /** group/project as GitLab spells it (`CI_PROJECT_PATH`). */
    readonly projectPath: string;
    /** The `aud` the jobs request (`AWS_OIDC_AUDIENCE` in .gitlab-ci.yml). */
    readonly audience: string;
    readonly partition?: "aws" | "aws-cn" | "aws-us-gov";
    readonly defaultBranch?: string;
}

/** The trust policy of a CI role: the project's GitLab ID tokens, for the trusted refs only, with the pipeline's `aud`. */
export function trustPolicy(role: CiRole, p: TrustParams): PolicyDocument {
    const problems = [
        !/^\d{12}$/.test(p.account) && `account "${p.account}" is not a 12-digit AWS account id`,
        !/^[a-z0-9.-]+(:\d+)?(\/[\w.-]+)*$/i.test(p.gitlabHost) &&
            `GitLab host "${p.gitlabHost}" must be a host name (and path), without https://`,
        !/^[\w.-]+(\/[\w.-]+)+$/.test(p.projectPath) && `project path "${p.projectPath}" must look like group/project`,
        !p.audience && "the audience is empty",
    ].filter((x): x is string => typeof x === "string");
    if (problems.length > 0) throw new Error(`trust policy for ${ROLE_NAMES[role]}: ${problems.join("; ")}`);
    const partition = p.partition ?? "aws";
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "GitLabProtectedRefs",
                Effect: "Allow",
                Principal: { Federated: `arn:${partition}:iam::${p.account}:oidc-provider/${p.gitlabHost}` },
                Action: "sts:AssumeRoleWithWebIdentity",
                Condition: {
                    StringEquals: { [`${p.gitlabHost}:aud`]: p.audience },
                    StringLike: {
                        [`${p.gitlabHost}:sub`]: trustedRefs(role, p.defaultBranch).map((r) =>
                            subject(p.projectPath, { type: r.type, name: r.pattern }),
                        ),
                    },
                },
            },
        ],
    };
}

/** One hour: the IAM default and the longest a preview or drift job needs. */
export const PREVIEW_SESSION_SECONDS = 3600;
/** IAM's bounds for a role's MaxSessionDuration (1–12 hours; IAM User Guide, id_roles_update-role-settings). */
export const MAX_SESSION_BOUNDS = { min: 3600, max: 43200 } as const;

/**
 * MaxSessionDuration of each role. The deploy role's must allow the pipeline's deploy window
 * (`DEPLOY_SESSION_SECONDS` in .gitlab-ci.yml): AssumeRoleWithWebIdentity fails when DurationSeconds exceeds it
 * (STS API reference). The credentials come straight from the web identity, never through role chaining, which would
 * cap them at one hour.
 */
export function maxSessionSeconds(role: CiRole, deploySessionSeconds: number): number {
    const seconds = role === "deploy" ? deploySessionSeconds : PREVIEW_SESSION_SECONDS;
    if (!Number.isInteger(seconds) || seconds < MAX_SESSION_BOUNDS.min || seconds > MAX_SESSION_BOUNDS.max)
        throw new Error(`${ROLE_NAMES[role]}: a session of ${seconds} s is outside IAM's 3600–43200 s`);
    return seconds;
}

/**
 * Inline policy of the preview role with a self-managed backend: decrypt the stack's secrets. ReadOnlyAccess already
 * reads the state bucket; `pulumi preview` takes no lock (pulumi/pulumi pkg/backend/diy/backend.go: only update,
 * refresh, import and destroy do), and the awskms secrets manager only decrypts the data key kept in the stack file
 * (pkg/secrets/cloud/manager.go; `pulumi stack init` needed kms:Encrypt once, from a person). Same-account key: its
 * default key policy lets IAM policies grant this (AWS KMS Developer Guide, key-policy-default).
 */
export function previewBackendPolicy(keyArn: string): PolicyDocument {
    if (!/^arn:aws(-cn|-us-gov)?:kms:[a-z0-9-]+:\d{12}:key\/[\w-]+$/.test(keyArn))
        throw new Error(`"${keyArn}" is not a KMS key ARN (arn:aws:kms:<region>:<account>:key/<key id>; not an alias)`);
    return {
        Version: "2012-10-17",
        Statement: [{ Sid: "DecryptStackSecrets", Effect: "Allow", Action: "kms:Decrypt", Resource: keyArn }],
    };
}
