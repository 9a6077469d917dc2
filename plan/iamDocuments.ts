/**
 * IAM policy documents (identity, trust and bucket policies) as a reviewer reads them: per statement the effect,
 * who (principals), what (actions), on what (resources) and when (conditions), and between two versions of a
 * document what was granted or taken away. Element names are those of the IAM JSON policy reference
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements.html): Effect, Principal /
 * NotPrincipal, Action / NotAction, Resource / NotResource, Condition; single values may be strings or lists.
 */

export interface StatementSummary {
    readonly sid?: string;
    readonly effect: string;
    /** `Service:pods.eks.amazonaws.com`, `AWS:arn:…`, `*`; prefixed `not ` for NotPrincipal. */
    readonly principals: readonly string[];
    /** Actions; prefixed `not ` for NotAction. */
    readonly actions: readonly string[];
    /** Resources; prefixed `not ` for NotResource. */
    readonly resources: readonly string[];
    /** `StringEquals aws:ResourceTag/x = owned`, one per key. */
    readonly conditions: readonly string[];
}

const list = (v: unknown): string[] => (v === undefined || v === null ? [] : Array.isArray(v) ? v.map(String) : [String(v)]);

function principals(p: unknown, prefix = ""): string[] {
    if (p === undefined) return [];
    if (typeof p === "string") return [`${prefix}${p}`];
    if (p && typeof p === "object")
        return Object.entries(p as Record<string, unknown>).flatMap(([kind, v]) => list(v).map((x) => `${prefix}${kind}:${x}`));
    return [`${prefix}${String(p)}`];
}

/** The statements of a policy document (a JSON string or an object); an unreadable document is one marked entry. */
export function policyStatements(document: unknown): StatementSummary[] {
    let parsed: unknown = document;
    if (typeof document === "string") {
        try {
            parsed = JSON.parse(document);
        } catch {
            return [{ effect: "unreadable", principals: [], actions: [], resources: [], conditions: [document.slice(0, 80)] }];
        }
    }
    const statements = (parsed as { Statement?: unknown } | undefined)?.Statement;
    return (Array.isArray(statements) ? statements : statements ? [statements] : []).map((s: Record<string, unknown>) => ({
        sid: typeof s.Sid === "string" ? s.Sid : undefined,
        effect: String(s.Effect ?? "missing"),
        principals: [...principals(s.Principal), ...principals(s.NotPrincipal, "not ")],
        actions: [...list(s.Action), ...list(s.NotAction).map((a) => `not ${a}`)],
        resources: [...list(s.Resource), ...list(s.NotResource).map((r) => `not ${r}`)],
        conditions: Object.entries((s.Condition ?? {}) as Record<string, Record<string, unknown>>).flatMap(([op, keys]) =>
            Object.entries(keys ?? {}).map(([key, value]) => `${op} ${key} = ${list(value).join(" | ")}`),
        ),
    }));
}

/** One line per statement: `Allow s3:GetObject, s3:PutObject on arn:aws:s3:::b/* when …`. */
export function describeStatement(s: StatementSummary): string {
    const who = s.principals.length > 0 ? ` for ${s.principals.join(", ")}` : "";
    const what = s.actions.length > 0 ? ` ${s.actions.join(", ")}` : "";
    const on = s.resources.length > 0 ? ` on ${s.resources.join(", ")}` : "";
    const when = s.conditions.length > 0 ? ` when ${s.conditions.join(" and ")}` : "";
    return `${s.effect}${who}${what}${on}${when}`;
}

export interface DocumentChange {
    /** Grants that are new: an Allow gained actions, resources or principals, or lost or changed a condition; a Deny was removed. */
    readonly widened: readonly string[];
    /** Everything else that differs (narrowed grants, new Denies, added conditions). */
    readonly narrowed: readonly string[];
}

/**
 * What changed between two versions of a document, as sentences. Allow statements are compared as one set of
 * (principal, action, resource) grants, with the conditions attached to each: a grant present only in `after`, or
 * one that lost a condition, widens access. Deny statements are compared whole.
 */
export function compareDocuments(before: readonly StatementSummary[], after: readonly StatementSummary[]): DocumentChange {
    const grants = (ss: readonly StatementSummary[]) => {
        const out = new Map<string, readonly string[]>();
        for (const s of ss.filter((x) => x.effect === "Allow")) {
            for (const who of s.principals.length > 0 ? s.principals : ["(the holder)"])
                for (const action of s.actions)
                    for (const resource of s.resources.length > 0 ? s.resources : ["(any)"])
                        out.set(`${who} → ${action} on ${resource}`, s.conditions);
        }
        return out;
    };
    const text = (conditions: readonly string[] | undefined) => conditions?.join(" and ") ?? "";
    const denies = (ss: readonly StatementSummary[]) => new Set(ss.filter((x) => x.effect !== "Allow").map(describeStatement));
    const [b, a] = [grants(before), grants(after)];
    const widened: string[] = [];
    const narrowed: string[] = [];
    for (const [grant, conditions] of a) {
        const when = text(conditions);
        const was = b.get(grant);
        if (!was) widened.push(`allows ${grant}${when ? ` when ${when}` : ""}`);
        else if (text(was) !== when) {
            // Only added conditions narrow a grant for sure; a condition dropped or with other values (another
            // service account in a trust policy's StringEquals) may let someone new in, so it is reviewed as widening.
            (was.every((c) => conditions.includes(c)) ? narrowed : widened).push(
                `${grant}: conditions ${text(was) || "none"} → ${when || "none"}`,
            );
        }
    }
    for (const grant of b.keys()) if (!a.has(grant)) narrowed.push(`no longer allows ${grant}`);
    const [bd, ad] = [denies(before), denies(after)];
    for (const d of bd) if (!ad.has(d)) widened.push(`removed ${d}`);
    for (const d of ad) if (!bd.has(d)) narrowed.push(`added ${d}`);
    return { widened, narrowed };
}
