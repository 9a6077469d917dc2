import { z } from "zod";

/**
 * SSM parameter names: a path of [A-Za-z0-9_.-] segments, at most 1011 characters (a parameter ARN is accepted too).
 * Shared by every field that names a SecureString read at deploy time.
 */
export const SSM_PARAMETER = /^(arn:aws[a-z-]*:ssm:[a-z0-9-]+:\d{12}:parameter)?\/?[A-Za-z0-9_.\-/]{1,1011}$/;

/** A string field naming an SSM parameter; `example` shows up in the error message. */
export function ssmParameterName(example: string) {
    return z.string().regex(SSM_PARAMETER, {
        error: (iss) => `${JSON.stringify(iss.input)} is not an SSM parameter name (e.g. ${example})`,
    });
}
