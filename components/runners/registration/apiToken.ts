import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { PROJECT } from "../../../config";
import { GITLAB_API_TOKEN_KEY, GitlabConfig } from "../../../config/gitlab";

/**
 * The GitLab API token as a Pulumi secret: an SSM SecureString read (decrypted) at deploy time, or the secret stack
 * config `gitlabApiToken`. Validation has made sure exactly one exists and that the config value is a secret; the
 * value only travels inside this Output, into the registration resources' `apiToken` input.
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
