import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { PROJECT, RunnerConfig } from "../../config";

/** The stack config key of the tokens (`pulumi config set --secret --path 'runnerTokens.<runner>' glrt-…`). */
export const RUNNER_TOKENS_CONFIG_KEY = "runnerTokens";

/**
 * A runner's authentication token as a Pulumi secret: from secret stack config, or from an SSM SecureString read
 * at deploy time. Validation already made sure exactly one source exists; the value itself only ever travels
 * inside this Output, into the Kubernetes Secret.
 */
export function runnerTokenOutput(
    runner: Pick<RunnerConfig, "name" | "token">,
    opts: pulumi.InvokeOutputOptions,
): pulumi.Output<string> {
    if (runner.token.source === "ssm") {
        const parameter = aws.ssm.getParameterOutput({ name: runner.token.parameter, withDecryption: true }, opts);
        return pulumi.secret(parameter.value);
    }
    warnIfPlaintext();
    const tokens = new pulumi.Config(PROJECT).requireSecretObject<Record<string, string>>(RUNNER_TOKENS_CONFIG_KEY);
    return pulumi.secret(tokens.apply((t) => t[runner.name]));
}

let warned = false;
/**
 * A token set without --secret sits in clear text in Pulumi.<stack>.yaml (and so in Git). Pulumi still keeps it
 * secret in state because it is read with requireSecretObject, but the file is the leak: say so on every preview.
 */
function warnIfPlaintext(): void {
    const runtime = pulumi.runtime as unknown as { isConfigSecret?: (key: string) => boolean };
    const key = `${PROJECT}:${RUNNER_TOKENS_CONFIG_KEY}`;
    if (!warned && runtime.isConfigSecret && !runtime.isConfigSecret(key)) {
        warned = true;
        pulumi.log.warn(
            `${key} is not a secret: the runner tokens are in clear text in the stack file. Re-set each with \`pulumi config set --secret --path '${RUNNER_TOKENS_CONFIG_KEY}.<runner>' glrt-…\` and rotate them in GitLab.`,
        );
    }
}
