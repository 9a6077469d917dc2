// The snapshot plan's "Access and identity" section: what plan/planSecurity.ts read from the registered resources.
import { describeStatement } from "./iamDocuments";
import { Format, heading, list, table, tableOr } from "./format";
import type { SecurityView } from "./planSecurity";

export function renderSecurity(view: SecurityView, format: Format): string[] {
    const out: string[] = [];
    out.push(heading(format, 3, "Access entries"), "");
    out.push(
        tableOr(
            format,
            ["entry", "principal", "account", "access policies"],
            view.accessEntries.map((e) => [e.key, e.principalArn, e.account, list(e.policies)]),
            "None registered: only the cluster's creator has access.",
        ),
    );

    const e = view.endpoint;
    out.push("", heading(format, 3, "API endpoint"), "");
    const publicWho = e.publicAccessCidrs.length > 0 ? e.publicAccessCidrs.join(", ") : "anyone (0.0.0.0/0: EKS's default)";
    out.push(
        `Private endpoint: ${e.privateAccess === true ? "on" : e.privateAccess === false ? "off" : "missing"}. ` +
            `Public endpoint: ${e.publicAccess === true ? `on, from ${publicWho}` : e.publicAccess === false ? "off" : "missing"}.`,
    );
    out.push(
        "",
        tableOr(
            format,
            ["private endpoint reachable from", "port", "rule"],
            e.ingress.map((r) => [r.source, r.ports, r.description]),
            "No ingress rule on the cluster security group: only its members reach the private endpoint.",
        ),
    );

    out.push("", heading(format, 3, "IAM documents"), "");
    out.push(
        table(
            format,
            ["owner", "document", "statements"],
            view.iam.map((d) => [
                d.owner,
                `${d.kind} ${d.resource}`,
                d.policyArn ?? (d.statements.length === 0 ? "none" : d.statements.map(describeStatement).join("; ")),
            ]),
        ),
    );
    out.push(
        "",
        table(
            format,
            ["service account (Pod Identity)", "role"],
            view.identities.map((i) => [i.serviceAccount, i.roleArn]),
        ),
    );

    out.push("", heading(format, 3, "Charts and add-ons"), "");
    out.push(
        table(
            format,
            ["name", "kind", "for", "version"],
            view.versions.map((v) => [v.name, v.kind, v.component, v.version]),
        ),
    );
    return out;
}
