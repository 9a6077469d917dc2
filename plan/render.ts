import { code as codeBlock, Format, heading, list, pairs, table } from "./format";
import { capacityLines } from "./renderCapacity";
import { observabilityLines } from "./observability";
import { PlanData } from "./planData";
import { renderSecurity } from "./renderSecurity";
import { renderVmRunners } from "./renderVmRunners";

export { Format, FORMATS } from "./format";

/** A launch template's metadata options in a few words (`v2 only, hop limit 1`). */
function imds(options: PlanData["nodeGroups"][number]["metadataOptions"]): string {
    if (typeof options === "string") return options;
    if (options.httpEndpoint === "disabled") return "off";
    return `${options.httpTokens === "required" ? "v2 only" : "v1 and v2"}, hop limit ${options.httpPutResponseHopLimit ?? "default"}`;
}

/** How a runner gets its token, and for a registered one what the deployment enforces in GitLab. */
function registrationLine(reg: PlanData["runners"][number]["registration"]): string {
    if (reg === "manual")
        return "Token: set by hand (runnerTokens or tokenSsmParameter); GitLab's settings of this runner are not managed.";
    if (reg === "missing") return "Registration: missing (no registration resource was recorded).";
    const shown = Object.entries(reg.enforces)
        .filter(([field]) => field !== "maintenance_note")
        .map(
            ([field, v]) =>
                `${field} ${Array.isArray(v) ? `[${v.join(", ")}]` : field === "description" ? JSON.stringify(v) : String(v)}`,
        );
    const adopt = reg.adoptRunnerId !== undefined ? `, adopting runner ${reg.adoptRunnerId}` : "";
    return (
        `Registration: ${reg.scope} runner created through the GitLab API${adopt}; its token goes straight into the manager's Secret ` +
        `(rotation ${reg.rotation === "" ? "none yet" : JSON.stringify(reg.rotation)}). Every deployment sets in GitLab: ${shown.join(", ")} (maximum_timeout in seconds).`
    );
}

/** Renders the plan for a terminal, for a merge request (Markdown) or for machines (JSON). */
export function renderPlan(plan: PlanData, format: Format): string {
    if (format === "json") return JSON.stringify(plan, null, 2);
    const out: string[] = [];
    const section = (title: string) => out.push("", heading(format, 2, title), "");
    const code = (lang: string, body: string) => codeBlock(format, lang, body);

    out.push(heading(format, 1, `Offline plan: stack ${plan.stack}`), "");
    out.push(
        `Cluster ${plan.cluster.name}, Kubernetes ${plan.cluster.version}, region ${plan.region}${plan.cluster.protect ? ", protected" : ""}. ` +
            `${plan.resources.total} resources. Evaluated under Pulumi mocks: no cloud was called.`,
    );

    const errors = plan.findings.filter((f) => f.severity === "error");
    const warnings = plan.findings.filter((f) => f.severity === "warning");
    section("Findings");
    if (plan.findings.length === 0) out.push("No errors or warnings.");
    for (const f of [...errors, ...warnings]) out.push(`- ${f.severity.toUpperCase()} ${f.subject}: ${f.message}`);

    section("Capacity");
    out.push(...capacityLines(plan, format));

    section("Node groups");
    out.push(
        table(
            format,
            ["name", "role", "arch", "capacity", "instance types", "min–max", "labels", "taints", "AZRebalance", "IMDS"],
            plan.nodeGroups.map((g) => [
                g.name,
                g.role,
                g.arch,
                g.capacityType,
                list(g.instanceTypes),
                `${g.minSize}–${g.maxSize}`,
                pairs(g.labels),
                list(g.taints),
                g.azRebalanceSuspended ? "suspended" : "on",
                imds(g.metadataOptions),
            ]),
        ),
    );
    out.push("", "Tags this program puts on each group's ASG (a group without any is invisible to Cluster Autoscaler):", "");
    out.push(
        table(
            format,
            ["node group", "ASG tag", "value"],
            plan.nodeGroups.flatMap((g) =>
                Object.keys(g.asgTags).length === 0
                    ? [[g.name, "none", "—"]]
                    : Object.entries(g.asgTags).map(([k, v]) => [g.name, k, v]),
            ),
        ),
    );

    out.push(
        "",
        "A patch run (new AMI release, Kubernetes minor, launch-template change) replaces each group blue/green: the new group is created, the old one cordoned and drained for at most the drain bound (job pods are never evicted: they finish; runner managers hand over to new ones on the new nodes and finish theirs), then deleted (docs/runbook/upgrades.md):",
        "",
    );
    out.push(
        table(
            format,
            ["node group", "drain bound", "patch run at most"],
            plan.nodeGroups.map((g) => [
                g.name,
                typeof g.patch.drainBoundSeconds === "number"
                    ? `${Math.ceil(g.patch.drainBoundSeconds / 60)} min`
                    : g.patch.drainBoundSeconds,
                typeof g.patch.maxMinutes === "number" ? `${g.patch.maxMinutes} min` : g.patch.maxMinutes,
            ]),
        ),
    );

    if (plan.nodePools.length > 0) {
        section("Node pools");
        out.push(
            "Karpenter launches nodes for pending job pods from these pools; the management group above is not Karpenter's. A new AMI release (read at each deploy) or a pool change drifts the nodes: Karpenter replaces them within the budgets, never removing a node while a job runs on it until the pool's terminationGracePeriod ends.",
            "",
        );
        out.push(
            table(
                format,
                [
                    "name",
                    "requirements",
                    "cpuLimit",
                    "labels",
                    "taints",
                    "disruption",
                    "expireAfter",
                    "terminationGracePeriod",
                    "AMI",
                ],
                plan.nodePools.map((p) => [
                    p.name,
                    list(p.requirements),
                    p.cpuLimit,
                    pairs(p.labels),
                    list(p.taints),
                    p.disruption,
                    p.expireAfter,
                    p.terminationGracePeriod,
                    p.ami,
                ]),
            ),
        );
    }

    section("Access and identity");
    out.push(...renderSecurity(plan.security, format));

    section("Runners");
    for (const r of plan.runners) {
        out.push(heading(format, 3, `${r.name} → ${r.fargate ? "Fargate" : (r.nodeGroup ?? `node pool ${r.nodePool}`)}`), "");
        out.push(
            `Tags ${list(r.tags)}${r.runUntagged ? " (+ untagged jobs)" : ""}; concurrent ${r.concurrent}; chart ${r.chartVersion} (GitLab Runner ${r.runnerVersion}); privileged ${r.privileged}.`,
            "",
            registrationLine(r.registration),
            "",
        );
        out.push(
            table(
                format,
                [
                    "container",
                    "CPU request",
                    "CPU limit",
                    "memory request",
                    "memory limit",
                    "max CPU request",
                    "max memory request",
                    "max memory limit",
                ],
                (["build", "helper", "services"] as const).map((k) => {
                    const x = r.resources[k];
                    return [
                        k,
                        x.cpuRequest,
                        x.cpuLimit ?? "none",
                        x.memoryRequest,
                        x.memoryLimit,
                        x.cpuRequestMax,
                        x.memoryRequestMax,
                        x.memoryLimitMax,
                    ];
                }),
            ),
        );
        out.push("");
        if (format === "markdown") out.push("<details><summary>config.toml</summary>", "");
        else out.push("config.toml:");
        out.push(code("toml", r.configToml));
        if (format === "markdown") out.push("", "</details>");
        out.push("");
    }

    if (plan.vmRunners.length > 0) renderVmRunners(plan, format, out, code);

    out.push(...observabilityLines(plan.observability, format));

    section("Resources");
    out.push(
        table(
            format,
            ["type", "count"],
            plan.resources.byType.map((t) => [t.type, t.count]),
        ),
    );
    out.push(
        "",
        table(
            format,
            ["component", "type", "children"],
            plan.resources.components.map((c) => [
                c.name,
                c.type,
                list(Object.entries(c.children).map(([t, n]) => `${n} × ${t.split(/[:/]/).pop()}`)),
            ]),
        ),
    );
    return out.join("\n").trimEnd() + "\n";
}
