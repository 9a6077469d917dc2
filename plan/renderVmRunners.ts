// The plan's "VM runners" section: each VM runner's Auto Scaling group as registered, the idle schedule a week of its
// policies gives, and the cost.
import { Format, heading, list, table, usd } from "./format";
import type { PlanData } from "./planData";

const hours = (h: number) => (Number.isInteger(h) ? `${h}` : h.toFixed(1));
const recordedFlag = (v: boolean | "missing", on: string, off: string) => (v === "missing" ? v : v ? on : off);

/** VM runners: their Auto Scaling groups as registered, the idle schedule a week of policies gives, and the cost. */
export function renderVmRunners(
    plan: PlanData,
    format: Format,
    out: string[],
    code: (lang: string, body: string) => string,
): void {
    out.push("", heading(format, 2, "VM runners"), "");
    out.push(
        "Each VM runner's manager runs on the management nodes and scales an Auto Scaling group of its own through the fleeting AWS plugin. " +
            "Idle VMs follow the policies (the last matching period wins; idle counts are jobs, ⌈idle jobs / jobs per VM⌉ VMs wait); the cost is that floor over a reference week, scaled to a month, and every VM running all month at full scale. " +
            "Neither is in the node-group figures above.",
        "",
    );
    for (const v of plan.vmRunners) {
        const c = plan.capacity.vmRunners.find((x) => x.name === v.name)!;
        out.push(heading(format, 3, `${v.name} (${v.executor}) → ${v.autoScalingGroup}`), "");
        out.push(
            `Tags ${list(v.tags)} (never untagged jobs); up to ${c.maxInstances} VMs × ${c.capacityPerInstance} jobs = ${c.concurrency} jobs at once on ${list(v.instanceTypes)} ` +
                `(${c.usdPerHourPerInstance === undefined ? "price n/a" : `$${c.usdPerHourPerInstance.toFixed(4)}/h per VM`}); plugin ${v.plugin}; chart ${v.chartVersion}; manager rollout ${v.deploymentStrategy}.`,
            "",
        );
        out.push(
            table(
                format,
                ["min–max", "scale-in protection", "suspended processes", "capacity rebalance", "scaling policies"],
                [
                    [
                        `${v.minSize}–${v.maxSize}`,
                        recordedFlag(v.protectFromScaleIn, "on", "OFF"),
                        list(v.suspendedProcesses),
                        recordedFlag(v.capacityRebalance, "ON", "off"),
                        v.scalingPolicies,
                    ],
                ],
            ),
            "",
        );
        const rows: (string | number)[][] = c.idle.map((p) => [
            p.policy + 1,
            list(p.periods),
            p.timezone,
            p.idleCount,
            p.idleInstances,
            hours(p.hoursPerWeek),
            usd(p.usdPerMonth),
        ]);
        if (c.uncoveredHoursPerWeek > 0) rows.push(["none", "—", "—", 0, 0, hours(c.uncoveredHoursPerWeek), usd(0)]);
        out.push(
            table(format, ["policy", "periods", "time zone", "idle jobs", "idle VMs", "hours/week", "$/month"], rows),
            "",
            `Idle floor ${usd(c.idleUsdPerMonth)}/month; every VM running ${usd(c.fullScaleUsdPerMonth)}/month.`,
            "",
        );
        if (format === "markdown") out.push("<details><summary>config.toml</summary>", "");
        else out.push("config.toml:");
        out.push(code("toml", v.configToml));
        if (format === "markdown") out.push("", "</details>");
        out.push("");
    }
}
