// A small evaluator of the trust policies in scripts/ci/trust.ts, so tests can ask "would STS let this ID token in?".
// It implements only what those documents use, with IAM's semantics (IAM User Guide, reference_policies_elements_
// condition_operators): StringEquals / StringLike, case-sensitive; in StringLike `*` matches any run of characters
// (none included) and `?` one character; several values of one key match if any does; several keys and operators
// must all match.
import { PolicyDocument } from "../../model/iam";

export function stringLike(pattern: string, value: string): boolean {
    const regex = pattern
        .replace(/[.+^${}()|[\]\\]/g, "\\$&")
        .replace(/\*/g, "[\\s\\S]*")
        .replace(/\?/g, "[\\s\\S]");
    return new RegExp(`^${regex}$`).test(value);
}

export interface WebIdentity {
    /** The OIDC provider's host (and path), as in the role's Federated principal. */
    readonly provider: string;
    readonly account: string;
    readonly aud: string;
    readonly sub: string;
}

/** Whether AssumeRoleWithWebIdentity with this token would pass the trust policy. */
export function trustAccepts(doc: PolicyDocument, token: WebIdentity): boolean {
    return doc.Statement.some((s) => {
        const principal = (s.Principal as { Federated?: string } | undefined)?.Federated;
        if (s.Effect !== "Allow" || ![s.Action].flat().includes("sts:AssumeRoleWithWebIdentity")) return false;
        if (!principal || !/^arn:aws(-cn|-us-gov)?:iam::/.test(principal)) return false;
        if (principal.split(":")[4] !== token.account || principal.split(":oidc-provider/")[1] !== token.provider) return false;
        const claims: Record<string, string> = { [`${token.provider}:aud`]: token.aud, [`${token.provider}:sub`]: token.sub };
        return Object.entries(s.Condition ?? {}).every(([operator, keys]) =>
            Object.entries(keys).every(([key, expected]) => {
                const actual = claims[key];
                if (actual === undefined) return false; // a key the request does not carry never matches
                const values = [expected].flat();
                if (operator === "StringEquals") return values.includes(actual);
                if (operator === "StringLike") return values.some((p) => stringLike(p, actual));
                throw new Error(`operator ${operator} is not modelled here`);
            }),
        );
    });
}
