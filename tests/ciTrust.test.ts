import { strict as assert } from "assert";
import * as fs from "fs";
import { CI_FILE, deployWindow, oidcAudience, shippedDeployWindow, timeoutMinutes } from "../scripts/ci/deployWindow";
import { iamCommand, options } from "../scripts/ci/iam";
import {
    CiRole,
    maxSessionSeconds,
    previewBackendPolicy,
    protectedRefs,
    subject,
    trustedRefs,
    trustPolicy,
    TrustParams,
} from "../scripts/ci/trust";
import { stringLike, trustAccepts, WebIdentity } from "./support/iamTrust";

const PROJECT = "platform/eks-gitlab-runners";
const PARAMS: TrustParams = {
    account: "444455556666",
    gitlabHost: "gitlab.example.com",
    projectPath: PROJECT,
    audience: "sts.amazonaws.com",
};
const token = (sub: string, over: Partial<WebIdentity> = {}): WebIdentity => ({
    provider: "gitlab.example.com",
    account: "444455556666",
    aud: "sts.amazonaws.com",
    sub,
    ...over,
});
const branch = (name: string) => subject(PROJECT, { type: "branch", name });
const tag = (name: string) => subject(PROJECT, { type: "tag", name });
const accepted = (role: CiRole, sub: string, over: Partial<WebIdentity> = {}) =>
    trustAccepts(trustPolicy(role, PARAMS), token(sub, over));

describe("CI identities: trust policies (scripts/ci/trust.ts)", () => {
    it("the evaluator follows IAM's StringLike: * any run (none included), ? one character, case-sensitive", () => {
        assert.ok(stringLike("ref:v*", "ref:v") && stringLike("ref:v*", "ref:v1.2.3") && stringLike("a/*", "a/b/c"));
        assert.ok(stringLike("v?", "v1") && !stringLike("v?", "v12"));
        assert.ok(!stringLike("ref:main", "ref:mainx") && !stringLike("ref:main", "ref:Main") && !stringLike("a.b", "axb"));
    });

    it("GitLab's sub claim: project_path, ref_type and ref (gitlab-org/gitlab lib/gitlab/ci/jwt_v2.rb)", () => {
        assert.equal(branch("main"), "project_path:platform/eks-gitlab-runners:ref_type:branch:ref:main");
        assert.equal(tag("v1.4.0"), "project_path:platform/eks-gitlab-runners:ref_type:tag:ref:v1.4.0");
    });

    it("deploy roles trust main and v* tags only; preview roles also preview/* branches", () => {
        const patterns = (role: CiRole) => trustedRefs(role).map((r) => `${r.type}:${r.pattern}`);
        assert.deepEqual(patterns("deploy"), ["branch:main", "tag:v*"]);
        assert.deepEqual(patterns("preview"), ["branch:main", "branch:preview/*", "tag:v*"]);
        const protectedPatterns = Object.values(protectedRefs()).map((r) => `${r.type}:${r.pattern}`);
        for (const role of ["preview", "deploy"] as const)
            for (const p of patterns(role))
                assert.ok(protectedPatterns.includes(p), `${role} trusts ${p}, which is not protected`);
    });

    it("accepts the protected refs it names", () => {
        for (const role of ["preview", "deploy"] as const) {
            assert.ok(accepted(role, branch("main")), `${role}: main`);
            assert.ok(accepted(role, tag("v1.4.0")), `${role}: release tag`);
        }
        assert.ok(accepted("preview", branch("preview/mr-42")));
        assert.ok(!accepted("deploy", branch("preview/mr-42")), "a preview branch never deploys");
    });

    it("no role trusts a ref any Developer can create: unprotected branches (merge-request sources), tags, look-alikes", () => {
        // A merge-request pipeline's token carries its source branch (jwt_v2.rb: ref = pipeline.source_ref).
        const attacker = [
            branch("feature/faster-builds"),
            branch("v1.4.0"),
            branch("mainline"),
            branch("Main"),
            branch("preview"),
            branch("previews/x"),
            tag("x1"),
            tag("release-1"),
            tag("main"),
            subject("platform/eks-gitlab-runners-fork", { type: "branch", name: "main" }),
            subject("other/eks-gitlab-runners", { type: "tag", name: "v1.0.0" }),
        ];
        for (const role of ["preview", "deploy"] as const)
            for (const sub of attacker) assert.ok(!accepted(role, sub), `${role} must reject ${sub}`);
    });

    it("rejects another audience, another GitLab, another account", () => {
        assert.ok(!accepted("deploy", branch("main"), { aud: "https://gitlab.example.com" }));
        assert.ok(!accepted("deploy", branch("main"), { provider: "gitlab.evil.example" }));
        assert.ok(!accepted("deploy", branch("main"), { account: "111122223333" }));
    });

    it("refuses parameters that would produce a wrong or open document, naming each", () => {
        assert.throws(
            () =>
                trustPolicy("deploy", { ...PARAMS, account: "4444", gitlabHost: "https://gitlab.example.com", projectPath: "*" }),
            /account "4444" is not a 12-digit.*must be a host name.*project path "\*" must look like group\/project/,
        );
        assert.throws(() => trustPolicy("preview", { ...PARAMS, audience: "" }), /audience is empty/);
    });

    it("session limits: previews 1 h, deploys the pipeline's deploy window, within IAM's 1–12 h (no role chaining)", () => {
        assert.equal(maxSessionSeconds("preview", 14400), 3600);
        assert.equal(maxSessionSeconds("deploy", 14400), 14400);
        assert.throws(() => maxSessionSeconds("deploy", 50000), /outside IAM's 3600–43200/);
    });

    it("the preview role decrypts stack secrets with the stack's key only (no alias, no wildcard)", () => {
        const key = "arn:aws:kms:eu-west-1:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab";
        assert.deepEqual(previewBackendPolicy(key).Statement, [
            { Sid: "DecryptStackSecrets", Effect: "Allow", Action: "kms:Decrypt", Resource: key },
        ]);
        assert.throws(
            () => previewBackendPolicy("arn:aws:kms:eu-west-1:444455556666:alias/eks-gitlab-runners"),
            /not a KMS key ARN/,
        );
        assert.throws(() => previewBackendPolicy("*"), /not a KMS key ARN/);
    });
});

describe("the deploy window (.gitlab-ci.yml) and scripts/ci/iam.ts", () => {
    const ci = fs.readFileSync(CI_FILE, "utf8");

    it("reads GitLab timeouts: 4h, 3h 30m, 90m, 15 minutes; refuses anything else", () => {
        assert.equal(timeoutMinutes("4h"), 240);
        assert.equal(timeoutMinutes("3h 30m"), 210);
        assert.equal(timeoutMinutes("90m"), 90);
        assert.equal(timeoutMinutes("15 minutes"), 15);
        assert.equal(timeoutMinutes("4 hours"), 240);
        assert.throws(() => timeoutMinutes("4 days"), /not of the form/);
        assert.throws(() => timeoutMinutes("soon"), /not of the form/);
    });

    it("the shipped window: a 4-hour job timeout and AWS session, declared once each", () => {
        assert.deepEqual(shippedDeployWindow(), { timeoutMinutes: 240, sessionSeconds: 14400 });
        const text = (timeout: string, seconds: string, session = "$DEPLOY_SESSION_SECONDS") =>
            `variables:\n  DEPLOY_SESSION_SECONDS: "${seconds}"\n.deploy-window:\n  timeout: ${timeout}\n  variables:\n    AWS_SESSION_SECONDS: ${session}\n`;
        assert.deepEqual(deployWindow(text("3h 30m", "12600")), { timeoutMinutes: 210, sessionSeconds: 12600 });
        assert.throws(() => deployWindow(text("4h", "four")), /DEPLOY_SESSION_SECONDS "four" is not a number/);
        assert.throws(
            () => deployWindow(text("4h", "14400", '"14400"')),
            /must set AWS_SESSION_SECONDS: \$DEPLOY_SESSION_SECONDS/,
        );
        assert.throws(() => deployWindow("variables: {}\n"), /\.deploy-window\.timeout is missing/);
    });

    it("prints the trust policy with the pipeline's audience, and the roles' session limits from the window", () => {
        const doc = JSON.parse(
            iamCommand(
                [
                    "trust-policy",
                    "deploy",
                    "--account",
                    "444455556666",
                    "--gitlab-host",
                    "gitlab.example.com",
                    "--project",
                    PROJECT,
                ],
                ci,
            ),
        );
        assert.deepEqual(doc, trustPolicy("deploy", { ...PARAMS, audience: oidcAudience(ci) }));
        assert.equal(oidcAudience(ci), "sts.amazonaws.com");
        assert.equal(iamCommand(["max-session-duration", "deploy"], ci), String(shippedDeployWindow().sessionSeconds));
        assert.equal(iamCommand(["max-session-duration", "preview"], ci), "3600");
    });

    it("bad command lines are errors that name the option", () => {
        assert.throws(() => iamCommand(["trust-policy", "admin"], ci), /role "admin" is not one of preview, deploy/);
        assert.throws(
            () => iamCommand(["trust-policy", "deploy", "--account", "444455556666"], ci),
            /missing --gitlab-host, --project/,
        );
        assert.throws(() => iamCommand(["trust-policy", "deploy", "--acount", "1"], ci), /unknown option "--acount"/);
        assert.throws(() => options(["--account"], ["account"]), /--account needs a value/);
        assert.throws(() => iamCommand(["grant"], ci), /unknown command "grant"/);
    });
});
