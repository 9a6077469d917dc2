import { formatCpuMillis, formatMiB } from "../config/quantities";
import { Format, heading, table } from "./markup";
import { observabilityLines } from "./observability";
import { PlanData } from "./planData";

export { FORMATS } from "./markup";
export type { Format } from "./markup";

const usd = (v: number | undefined) => (v === undefined ? "n/a" : `$${Math.round(v).toLocaleString("en-US")}`);
const list = (items: readonly string[] | "missing") =>
    typeof items === "string" ? items : items.length === 0 ? "—" : items.join(", ");
const pairs = (record: Record<string, string>) => list(Object.entries(record).map(([k, v]) => `${k}=${v}`));

/** Renders the plan for a terminal, for a merge request (Markdown) or for machines (JSON). */
export function renderPlan(plan: PlanData, format: Format): string {
    if (format === "json") return JSON.stringify(plan, null, 2);
    const out: string[] = [];
    const section = (title: string) => out.push("", heading(format, 2, title), "");
    const code = (lang: string, body: string) =>
        format === "markdown"
            ? `\`\`\`${lang}\n${body.trimEnd()}\n\`\`\``
            : body
                  .trimEnd()
                  .split("\n")
                  .map((l) => `    ${l}`)
                  .join("\n");

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
    const c = plan.capacity;
    out.push(
        `Concurrent jobs at default requests: ${c.totalConcurrentJobs}. Idle floor ${usd(c.cost.idleUsdPerMonth)}/month, ` +
            `every runner at its concurrent ${usd(c.cost.fullLoadUsdPerMonth)}/month, every group at maxSize (the ceiling a rollout or patch run may reach for a while) ${usd(c.cost.fullScaleUsdPerMonth)}/month (${c.cost.region} on-demand prices of ${c.cost.pricesAsOf ?? "n/a"}; Spot at the Spot Advisor saving).`,
        "",
    );
    out.push(
        table(
            format,
            [
                "node group",
                "bound by",
                "room per node (CPU / memory / pods)",
                "nodes",
                "jobs at full scale",
                "IPs per node",
                "IPs at full scale",
                "$/h per node",
            ],
            c.groups.map((g) => [
                g.name,
                g.boundBy,
                `${formatCpuMillis(g.room.cpuMillis)} / ${formatMiB(g.room.memoryMiB)} / ${g.room.pods}`,
                `${g.minSize}–${g.maxSize}`,
                g.role === "management" ? "—" : g.jobsAtFullScale,
                g.ipsPerNode,
                g.ipsAtFullScale,
                g.usdPerHourPerNode === undefined ? "n/a" : g.usdPerHourPerNode.toFixed(4),
            ]),
        ),
    );
    if (c.management) {
        const m = c.management;
        const fmt = (r: { cpuMillis: number; memoryMiB: number; pods: number }) =>
            `${formatCpuMillis(r.cpuMillis)} CPU / ${formatMiB(r.memoryMiB)} / ${r.pods} pods`;
        out.push(
            "",
            `Management group: platform pods and runner managers request ${fmt(m.demand)}; room ${fmt(m.room)}, ${fmt(m.roomLessOneNode)} with one node gone.`,
        );
    }
    out.push(
        "",
        table(
            format,
            ["runner", "node group", "jobs per node", "concurrent", "max concurrent jobs", "while its manager is replaced"],
            c.runners.map((r) => [r.name, r.nodeGroup, r.jobsPerNode, r.concurrent, r.maxConcurrentJobs, r.rolloutPeakJobs]),
        ),
    );
    if (c.pools.length > 0) {
        out.push(
            "",
            table(
                format,
                ["subnets", "free IPs", "needed at full scale", "headroom"],
                c.pools.map((p) => [
                    p.name,
                    p.freeIps ?? "unknown",
                    p.ipsAtFullScale,
                    p.freeIps === undefined ? "unknown" : `${Math.round(100 * (1 - p.ipsAtFullScale / p.freeIps))}%`,
                ]),
            ),
        );
    }

    section("Node groups");
    out.push(
        table(
            format,
            ["name", "role", "arch", "capacity", "instance types", "min–max", "labels", "taints", "AZRebalance"],
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

    section("Runners");
    for (const r of plan.runners) {
        out.push(heading(format, 3, `${r.name} → ${r.nodeGroup}`), "");
        out.push(
            `Tags ${list(r.tags)}${r.runUntagged ? " (+ untagged jobs)" : ""}; concurrent ${r.concurrent}; chart ${r.chartVersion} (GitLab Runner ${r.runnerVersion}); privileged ${r.privileged}.`,
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
