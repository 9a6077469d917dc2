import { z } from "zod";
import { strictObject } from "./problems";
import { ssmParameterName } from "./ssmParameter";

/** `gitlab`: the GitLab instance every runner registers with. */
export const gitlabSchema = strictObject({
    /** → the chart's `gitlabUrl`, and the base of the REST API (`<url>/api/v4`). Must be https: tokens travel to it. */
    url: z.string().refine((u) => /^https:\/\/[^\s/]+(\/[^\s]*)?$/.test(u), {
        error: (iss) => `${JSON.stringify(iss.input)} is not an https:// URL (e.g. https://gitlab.example.com/)`,
    }),
    /**
     * SSM SecureString parameter holding the GitLab API token that creates and manages runners declared with
     * `registration` (scopes `create_runner` and `manage_runner`). The alternative is the secret stack config
     * `gitlabApiToken`; one of the two is needed as soon as one runner has `registration`.
     */
    apiTokenSsmParameter: ssmParameterName("/ci/gitlab/runner-admin-token").optional(),
});

export type GitlabConfig = z.output<typeof gitlabSchema>;

/** The secret stack config key of the GitLab API token (`pulumi config set --secret gitlabApiToken glpat-…`). */
export const GITLAB_API_TOKEN_KEY = "gitlabApiToken";

/**
 * `gitlabApiToken` (secret): only its presence and type are validated, never its value (GitLab lets an administrator
 * change the token prefix, so `glpat-` is not a rule). No message quotes it, and it never enters StackConfig: the
 * program reads it separately as a Pulumi secret (components/runners/registration/apiToken.ts).
 */
export const gitlabApiTokenSchema = z
    .string({ error: "must be a string: the GitLab API token (set it with `pulumi config set --secret gitlabApiToken …`)" })
    .min(1, { error: "is empty; set the GitLab API token with `pulumi config set --secret gitlabApiToken …` or remove the key" })
    .optional();
