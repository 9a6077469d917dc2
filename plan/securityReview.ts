/**
 * The "needs security review" part of a diff: every change, between base and head, to who can reach or act in the
 * cluster and the account. Read from the registered resources of both evaluations, so a change shows whatever
 * config edit or code change caused it. Each item says whether it widens access (what a reviewer must look at
 * first) or narrows or merely changes it.
 */
import { compareDocuments, describeStatement } from "./iamDocuments";
import type { Evaluation } from "./evaluate";
import type { Recorded } from "./engine";
import { apiIngress, type IamDocumentView } from "./planSecurity";
import { sameValue } from "./resourceDiff";

export interface SecurityItem {
    readonly area:
        | "access entry"
        | "API endpoint"
        | "IAM"
        | "bucket"
        | "workload identity"
        | "privileged jobs"
        | "RBAC"
        | "network"
        | "node metadata (IMDS)";
    readonly subject: string;
    readonly change: string;
    readonly widens: boolean;
}

/** Listing every grant of a new document stops here; the rest are counted. */
const MAX_GRANTS = 12;
const PSS = "pod-security.kubernetes.io/enforce";
const PSS_RANK: Record<string, number> = { restricted: 0, baseline: 1, privileged: 2 };
const RBAC = /^kubernetes:rbac\.authorization\.k8s\.io\/v1:(Cluster)?Role(Binding)?$/;
const NETWORK =
    /^(kubernetes:networking\.k8s\.io\/v1:NetworkPolicy|aws:ec2\/securityGroup(Rule)?:|aws:vpc\/securityGroup(Egress|Ingress)Rule:)/;
const PUBLIC_ACCESS_BLOCK = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock";

/** Security-relevant changes from `base` (undefined: the stack is new) to `head`. */
export function securityReview(base: Evaluation | undefined, head: Evaluation): SecurityItem[] {
    const items: SecurityItem[] = [];
    const add = (area: SecurityItem["area"], subject: string, change: string, widens: boolean) =>
        items.push({ area, subject, change, widens });
    const before = base?.plan.security;
    const after = head.plan.security;

    // Access entries, by principal.
    const entries = (list: typeof after.accessEntries = []) => new Map(list.map((e) => [e.principalArn, e]));
    const [be, ae] = [entries(before?.accessEntries), entries(after.accessEntries)];
    const accounts = new Set([...be.values()].map((e) => e.account));
    for (const [principal, e] of ae) {
        const was = be.get(principal);
        const foreign = base && !accounts.has(e.account) ? ` — account ${e.account} has no other access entry` : "";
        if (!was) add("access entry", principal, `added with ${e.policies.join(", ")}${foreign}`, true);
        else if (!sameValue([...was.policies].sort(), [...e.policies].sort()))
            add(
                "access entry",
                principal,
                `policies ${was.policies.join(", ")} → ${e.policies.join(", ")}`,
                e.policies.some((p) => !was.policies.includes(p)),
            );
    }
    for (const [principal, e] of be)
        if (!ae.has(principal)) add("access entry", principal, `removed (had ${e.policies.join(", ")})`, false);

    // The API endpoint.
    const [bp, ap] = [before?.endpoint, after.endpoint];
    for (const key of ["publicAccess", "privateAccess"] as const) {
        if (bp && bp[key] !== ap[key])
            add("API endpoint", key, `${bp[key]} → ${ap[key]}`, key === "publicAccess" && ap[key] === true);
    }
    if (ap.publicAccess === true) {
        const who = (e: typeof ap | undefined) =>
            e?.publicAccess === true ? (e.publicAccessCidrs.length > 0 ? e.publicAccessCidrs : ["0.0.0.0/0"]) : [];
        const [bw, aw] = [new Set(who(bp)), who(ap)];
        for (const cidr of aw) {
            if (bw.has(cidr)) continue;
            const prefix = Number(cidr.split("/")[1]);
            const note =
                cidr === "0.0.0.0/0"
                    ? " — the whole internet"
                    : prefix < 16
                      ? ` — a /${prefix}: ${2 ** (32 - prefix)} addresses`
                      : "";
            add("API endpoint", "public access from", `${cidr} added${note}`, true);
        }
        for (const cidr of bw) if (!aw.includes(cidr)) add("API endpoint", "public access from", `${cidr} removed`, false);
    }
    const sources = (e: typeof ap | undefined) => new Set((e?.ingress ?? []).map((r) => `${r.source} on ${r.ports}`));
    const [bs, as] = [sources(bp), sources(ap)];
    for (const s of as) if (!bs.has(s)) add("API endpoint", "private endpoint reachable from", `${s} added`, true);
    for (const s of bs) if (!as.has(s)) add("API endpoint", "private endpoint reachable from", `${s} removed`, false);

    // IAM documents (identity, trust and bucket policies), by the resource that holds them.
    const docs = (list: readonly IamDocumentView[] = []) => new Map(list.map((d) => [`${d.kind} ${d.resource}`, d]));
    const [bd, ad] = [docs(before?.iam), docs(after.iam)];
    for (const [key, d] of ad) {
        const area = d.kind === "bucket policy" ? "bucket" : "IAM";
        const subject = `${d.owner}: ${key}`;
        const was = bd.get(key);
        if (d.policyArn !== undefined) {
            if (!was) add(area, subject, `attaches ${d.policyArn}`, true);
            else if (was.policyArn !== d.policyArn) add(area, subject, `${was.policyArn} → ${d.policyArn}`, true);
            continue;
        }
        const change = compareDocuments(was?.statements ?? [], d.statements);
        if (!was) {
            const lines = d.statements.map(describeStatement);
            const shown =
                lines.slice(0, MAX_GRANTS).join("; ") +
                (lines.length > MAX_GRANTS ? `; … ${lines.length - MAX_GRANTS} more` : "");
            add(
                area,
                subject,
                `new document: ${shown}`,
                d.statements.some((s) => s.effect === "Allow"),
            );
            continue;
        }
        for (const w of change.widened) add(area, subject, w, true);
        for (const n of change.narrowed) add(area, subject, n, false);
    }
    for (const [key, d] of bd)
        if (!ad.has(key)) add(d.kind === "bucket policy" ? "bucket" : "IAM", `${d.owner}: ${key}`, "removed", false);

    // Which service account gets which role (Pod Identity).
    const ids = (list: typeof after.identities = []) => new Map(list.map((i) => [i.serviceAccount, i.roleArn]));
    const [bi, ai] = [ids(before?.identities), ids(after.identities)];
    for (const [sa, role] of ai) {
        if (bi.get(sa) !== role)
            add("workload identity", sa, bi.has(sa) ? `role ${bi.get(sa)} → ${role}` : `gets role ${role}`, true);
    }
    for (const [sa, role] of bi) if (!ai.has(sa)) add("workload identity", sa, `no longer gets role ${role}`, false);

    // Privileged jobs: the runner option and the Pod Security level of the namespaces.
    const privileged = (plan: Evaluation["plan"] | undefined) => [
        ...(plan?.runners ?? []).map((r) => ({ key: `runners.${r.name}`, privileged: r.privileged })),
        ...(plan?.vmRunners ?? []).map((v) => ({ key: `vmRunners.${v.name}`, privileged: v.privileged })),
    ];
    const runners = new Map(privileged(base?.plan).map((r) => [r.key, r.privileged]));
    for (const r of privileged(head.plan)) {
        const was = runners.get(r.key);
        if (r.privileged && was !== true)
            add("privileged jobs", r.key, was === undefined ? "new privileged runner" : "privileged: false → true", true);
        else if (!r.privileged && was === true) add("privileged jobs", r.key, "privileged: true → false", false);
    }
    compareResources(
        base?.resources ?? [],
        head.resources,
        (r) => r.type === "kubernetes:core/v1:Namespace",
        (name, b, h) => {
            const level = (r?: Recorded) => r?.inputs.metadata?.labels?.[PSS] as string | undefined;
            const [was, is] = [level(b), level(h)];
            if (was !== is && (was || is))
                add(
                    "privileged jobs",
                    `namespace ${name}`,
                    `Pod Security ${was ?? "none"} → ${is ?? "none"}`,
                    (PSS_RANK[is ?? "privileged"] ?? 2) > (PSS_RANK[was ?? "privileged"] ?? 2) ||
                        (b === undefined && is === "privileged"),
                );
        },
    );

    // RBAC, network rules and the bucket's public access block: any change, whole.
    compareResources(
        base?.resources ?? [],
        head.resources,
        (r) => RBAC.test(r.type),
        (name, b, h) =>
            add(
                "RBAC",
                `${h?.type.split(":").pop() ?? b!.type.split(":").pop()} ${name}`,
                change(b, h, ["rules", "subjects", "roleRef"]),
                h !== undefined,
            ),
    );
    // The endpoint's own ingress rules are reviewed above, as "API endpoint".
    const endpointRules = new Set([...apiIngress(base?.resources ?? []), ...apiIngress(head.resources)]);
    compareResources(
        base?.resources ?? [],
        head.resources,
        (r) => NETWORK.test(r.type) && !endpointRules.has(r),
        (name, b, h) => add("network", `${(h ?? b)!.type.split(":").pop()} ${name}`, change(b, h), h !== undefined),
    );
    compareResources(
        base?.resources ?? [],
        head.resources,
        (r) => r.type === PUBLIC_ACCESS_BLOCK,
        (name, b, h) => {
            const off = h ? Object.entries(h.inputs).filter(([k, v]) => /^(block|ignore|restrict)/.test(k) && v !== true) : [];
            if (b || off.length > 0)
                add("bucket", `public access block ${name}`, change(b, h), off.length > 0 || h === undefined);
        },
    );

    // Instance metadata of every node group's nodes, every VM runner's VMs and every node pool's nodes.
    const machines = (plan: Evaluation["plan"] | undefined) => [
        ...(plan?.nodeGroups ?? []).map((g) => ({ key: `nodeGroups.${g.name}`, metadataOptions: g.metadataOptions })),
        // A base from before VM runners or node pools existed has no such list.
        ...(plan?.vmRunners ?? []).map((v) => ({ key: `vmRunners.${v.name}`, metadataOptions: v.metadataOptions })),
        ...(plan?.nodePools ?? []).map((p) => ({ key: `nodePools.${p.name}`, metadataOptions: p.metadataOptions })),
    ];
    const imds = new Map(machines(base?.plan).map((g) => [g.key, g.metadataOptions]));
    for (const g of machines(head.plan)) {
        const [was, is] = [imds.get(g.key), g.metadataOptions];
        if (typeof is === "string" || (was !== undefined && sameValue(was, is))) continue;
        const weak = is.httpTokens !== "required" || Number(is.httpPutResponseHopLimit ?? 2) > 1;
        if (was === undefined && !weak) continue;
        add("node metadata (IMDS)", g.key, `${was === undefined ? "new" : JSON.stringify(was)} → ${JSON.stringify(is)}`, weak);
    }
    return items.sort((x, y) => Number(y.widens) - Number(x.widens));
}

/** Calls `report` for every resource matching `select` that was added, removed or changed, by name. */
function compareResources(
    base: readonly Recorded[],
    head: readonly Recorded[],
    select: (r: Recorded) => boolean,
    report: (name: string, before: Recorded | undefined, after: Recorded | undefined) => void,
): void {
    const key = (r: Recorded) => `${r.type}::${r.name}`;
    const b = new Map(base.filter(select).map((r) => [key(r), r]));
    const h = new Map(head.filter(select).map((r) => [key(r), r]));
    for (const [k, r] of h) if (!b.has(k) || !sameValue(b.get(k)!.inputs, r.inputs)) report(r.name, b.get(k), r);
    for (const [k, r] of b) if (!h.has(k)) report(r.name, r, undefined);
}

/** A short description of a whole-resource change, naming the fields that changed. */
function change(before: Recorded | undefined, after: Recorded | undefined, fields?: string[]): string {
    if (!before) return "added";
    if (!after) return "removed";
    const keys = (fields ?? Object.keys({ ...before.inputs, ...after.inputs })).filter(
        (k) => !sameValue(before.inputs[k], after.inputs[k]),
    );
    return `changed: ${keys.join(", ") || "inputs"}`;
}
