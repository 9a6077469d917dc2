// The diff as a merge-request comment (Markdown; also what a terminal gets) or as JSON.
import { code, Format, heading, literal, table, tableOr } from "./format";
import type { PlanDiff } from "./planDiff";

const VERB = { add: "add", remove: "remove", replace: "replace", update: "update" } as const;
const shortType = (type: string) => type.split(/[:/]/).pop()!;

export function renderDiff(diff: PlanDiff, format: Format): string {
    if (format === "json") return JSON.stringify(diff, null, 2) + "\n";
    const md: Format = "markdown";
    const out: string[] = [];
    const b = diff.base;
    out.push(heading(md, 2, `Offline plan: what this change does to stack ${diff.stack}`), "");
    const baseText =
        b.state === "absent"
            ? `has no ${literal(md, `Pulumi.${diff.stack}.yaml`)}: everything below is new`
            : b.state === "invalid"
              ? "has an invalid configuration: everything below is compared with nothing"
              : "";
    out.push(
        `Base ${literal(md, b.ref)} (${b.commit.slice(0, 12)})${baseText ? ` ${baseText}` : ""} → this tree. Both evaluated under Pulumi mocks: no cloud was called.`,
    );
    if (b.lockfileDiffers)
        out.push("", "Note: package-lock.json differs from the base; the base was evaluated with this tree's packages.");
    if (b.state === "invalid" && b.message) out.push("", code(md, "", b.message));

    const count = (k: keyof typeof VERB) => diff.resources.filter((r) => r.kind === k).length;
    const widening = diff.security.filter((s) => s.widens).length;
    out.push(
        "",
        `**${count("replace")} to replace, ${count("remove")} to remove, ${count("add")} to add, ${count("update")} to update; ` +
            `${diff.security.length} security-relevant change${diff.security.length === 1 ? "" : "s"}${widening > 0 ? `, ${widening} widening access` : ""}.**`,
    );

    out.push("", heading(md, 3, "Needs security review"), "");
    out.push(
        tableOr(
            md,
            ["", "area", "what", "change"],
            diff.security.map((s) => [s.widens ? "⚠️ widens" : "narrows/changes", s.area, s.subject, s.change]),
            "No change to access entries, the API endpoint, IAM documents, workload identities, privileged jobs, RBAC, network rules, node metadata or bucket policies.",
        ),
    );

    out.push("", heading(md, 3, "Resources"), "");
    if (diff.resources.length === 0) out.push("No resource changes.");
    else {
        out.push(
            table(
                md,
                ["action", "resource", "type", "why"],
                diff.resources.map((r) => [
                    r.kind === "update" && r.unverified ? "update*" : VERB[r.kind],
                    r.parent && r.parent !== r.name ? `${r.parent} / ${r.name}` : r.name,
                    shortType(r.type),
                    r.kind === "replace" ? r.because.join("; ") : r.changed.join(", "),
                ]),
            ),
        );
        if (diff.resources.some((r) => r.unverified))
            out.push(
                "",
                "\\* This plan has no table of immutable inputs for that type: the provider may replace it instead of updating it.",
            );
    }

    const rn = diff.runners;
    out.push("", heading(md, 3, "Runners"), "");
    if (rn.added.length + rn.removed.length + rn.settings.length + rn.configToml.length === 0) out.push("No runner changes.");
    if (rn.added.length > 0) out.push(`New runners: ${rn.added.join(", ")}.`, "");
    if (rn.removed.length > 0) out.push(`Removed runners: ${rn.removed.join(", ")}.`, "");
    if (rn.settings.length > 0)
        out.push(
            table(
                md,
                ["runner", "setting", "before", "after"],
                rn.settings.map((s) => [s.runner, s.setting, s.before, s.after]),
            ),
        );
    for (const t of rn.configToml) {
        out.push("", `<details><summary>${t.runner}: config.toml</summary>`, "", code(md, "diff", t.patch), "", "</details>");
    }

    out.push("", heading(md, 3, "Capacity and cost"), "");
    out.push(
        tableOr(
            md,
            ["", "before", "after"],
            diff.capacity.map((c) => [c.metric, c.before, c.after]),
            "Unchanged.",
        ),
    );

    const f = diff.findings;
    if (f.added.length + f.resolved.length > 0) {
        out.push("", heading(md, 3, "Findings"), "");
        for (const x of f.added) out.push(`- new ${x.severity.toUpperCase()} ${x.subject}: ${x.message}`);
        for (const x of f.resolved) out.push(`- resolved ${x.severity} ${x.subject}: ${x.message}`);
    }
    return out.join("\n").trimEnd() + "\n";
}
