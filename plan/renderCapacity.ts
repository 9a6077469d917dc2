import { formatCpuMillis, formatMiB } from "../config/quantities";
import { fargateLines } from "./fargateSection";
import { Format, table, usd } from "./format";
import { PlanData } from "./planData";

/**
 * The plan's capacity section: what the fleet holds at full scale and what it costs, per node group, node pool,
 * Fargate runner and runner, the management group's room, warm capacity by the week and the subnets' headroom.
 */
export function capacityLines(plan: PlanData, format: Format): string[] {
    const out: string[] = [];
    const c = plan.capacity;
    // With node pools, full-load and full-scale costs are ranges: Karpenter picks among the allowed shapes.
    const range = (low: number | undefined, high: number | undefined) =>
        low === undefined ? usd(high) : `${usd(low)}–${usd(high)}`;
    const ceiling =
        plan.nodePools.length > 0 ? "every group at maxSize and every pool at its cpuLimit" : "every group at maxSize";
    out.push(
        `Concurrent jobs at default requests: ${c.totalConcurrentJobs}. Idle floor ${usd(c.cost.idleUsdPerMonth)}/month${plan.nodePools.length > 0 ? " (node pools idle at zero nodes)" : ""}, ` +
            `every runner at its concurrent ${range(c.cost.fullLoadLowUsdPerMonth, c.cost.fullLoadUsdPerMonth)}/month, ${ceiling} (the ceiling a rollout or patch run may reach for a while) ${range(c.cost.fullScaleLowUsdPerMonth, c.cost.fullScaleUsdPerMonth)}/month (${c.cost.region} on-demand prices of ${c.cost.pricesAsOf ?? "n/a"}; Spot at the Spot Advisor saving).`,
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
    if (c.nodePools.length > 0) {
        const shape = (x: (typeof c.nodePools)[number]["smallest"]) => `${x.type}: ${x.jobsPerNode} per node × ${x.nodesAtLimit}`;
        out.push(
            "",
            "Node pools at their cpuLimit (Karpenter picks the shapes; each runner is held to the shape that holds fewest of its jobs):",
            "",
            table(
                format,
                [
                    "node pool",
                    "cpuLimit",
                    "smallest shape",
                    "largest shape",
                    "jobs at cpuLimit",
                    "IPs at cpuLimit",
                    "$/month at cpuLimit",
                ],
                c.nodePools.map((p) => [
                    p.name,
                    p.cpuLimit,
                    shape(p.smallest),
                    shape(p.largest),
                    `${p.jobsAtLimit} (${p.boundBy})`,
                    p.ipsAtLimit,
                    p.usdPerMonthAtLimit ? range(p.usdPerMonthAtLimit.low, p.usdPerMonthAtLimit.high) : "n/a",
                ]),
            ),
        );
    }
    if (c.fargate) out.push("", ...fargateLines(c.fargate, format));
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
            c.runners.map((r) => [
                r.name,
                r.nodeGroup ?? (r.nodePool !== undefined ? `pool ${r.nodePool}` : "—"),
                r.jobsPerNode,
                r.concurrent,
                r.maxConcurrentJobs,
                r.rolloutPeakJobs,
            ]),
        ),
    );
    for (const w of c.warm ?? []) {
        out.push(
            "",
            `Warm capacity of runner ${w.runner} on "${w.nodeGroup}": pause pods of ${formatCpuMillis(w.pausePod.cpuMillis)} CPU / ${formatMiB(w.pausePod.memoryMiB)} (the build request), ${w.pausePodsPerNode} per node, at most ${w.maxPausePods}. ` +
                `Over a week ${w.warmNodeHoursPerWeek} warm node-hours, ${usd(w.usdPerWeek)}/week with no jobs running (the last active policy wins; an emptied node stays until Cluster Autoscaler's scale-down-unneeded-time). ` +
                `A job that lands on warm room starts about ${w.coldStartSavedSeconds} s sooner (autoscaler scan interval + node provisioning; its image is pulled either way).`,
            "",
            table(
                format,
                ["policy", "periods", "time zone", "pause pods", "warm nodes", "hours/week it wins"],
                w.policies.map((p) => [
                    p.index < 0 ? "none active" : `#${p.index}`,
                    // Periods are cron text: a code span keeps Markdown from reading the asterisks.
                    p.index < 0 ? "—" : p.periods.map((x) => (format === "markdown" ? `\`${x}\`` : x)).join(", "),
                    p.index < 0 ? "—" : p.timezone,
                    p.pausePods,
                    p.warmNodes,
                    p.hoursPerWeek,
                ]),
            ),
        );
    }
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
    return out;
}
