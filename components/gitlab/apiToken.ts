import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { PROJECT } from "../../config";
import { GITLAB_API_TOKEN_KEY, GitlabConfig } from "../../config/gitlab";
import type { ApiTokenSources } from "../../config/runnerRegistration";

/** Where the API token comes from, as registrationProblems needs it: presence and secrecy, never the value. */
export function apiTokenSources(gitlab: Pick<GitlabConfig, "apiTokenSsmParameter">): ApiTokenSources {
    const key = `${PROJECT}:${GITLAB_API_TOKEN_KEY}`;
    const runtime = pulumi.runtime as unknown as { isConfigSecret?: (key: string) => boolean };
    const present = key in pulumi.runtime.allConfig();
    return {
        ssmParameter: gitlab.apiTokenSsmParameter !== undefined,
        ...(present ? { secretConfig: { isSecret: runtime.isConfigSecret?.(key) } } : {}),
    };
}

/**
 * The GitLab API token as a Pulumi secret: an SSM SecureString read at deploy time, or the secret stack config
 * `gitlabApiToken`. Validation has made sure exactly one exists; the value only travels inside this Output, into
 * the GitlabRunner resources.
 */
export function gitlabApiTokenOutput(
    gitlab: Pick<GitlabConfig, "apiTokenSsmParameter">,
    opts: pulumi.InvokeOutputOptions,
): pulumi.Output<string> {
    if (gitlab.apiTokenSsmParameter !== undefined) {
        return pulumi.secret(aws.ssm.getParameterOutput({ name: gitlab.apiTokenSsmParameter, withDecryption: true }, opts).value);
    }
    return new pulumi.Config(PROJECT).requireSecret(GITLAB_API_TOKEN_KEY);
}
