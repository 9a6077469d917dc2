// The offline plan's Fargate lines: per Fargate runner the pod size its default job and a job at every ceiling round
// to (and what that pays for beyond the request), the vCPU quota it takes at `concurrent`, and the cost per job-hour.
import type { FargatePlan } from "../config/fargate";
import { FARGATE_PRICES_AS_OF } from "../config/fargateFacts";
import { describeSize } from "../config/fargateSizing";
import { formatCpuMillis, formatMiB } from "../config/quantities";
import { Format, table } from "./format";

const money = (v: number | undefined) => (v === undefined ? "n/a" : `$${v.toFixed(4)}`);

/** What the rounding adds to a default job: e.g. 1 CPU build + 100m helper = 1.1 vCPU, which Fargate bills as 2. */
export function roundingNote(r: FargatePlan["runners"][number]): string {
    const { cpuMillis, memoryMiB } = r.defaultRequest;
    const paid = r.defaultPod;
    const extraCpu = paid.vcpu * 1000 - cpuMillis;
    const extraMem = paid.memoryGiB * 1024 - memoryMiB;
    return `requests ${formatCpuMillis(cpuMillis)} CPU / ${formatMiB(memoryMiB)} (with the 256 MiB Fargate adds) → pays for ${describeSize(paid)}${extraCpu > 0 || extraMem > 0 ? ` (+${formatCpuMillis(extraCpu)} CPU, +${formatMiB(extraMem)} unused)` : " (no slack)"}`;
}

export function fargateLines(f: FargatePlan, format: Format): string[] {
    const lines = [
        `Fargate runners: one VM per job pod, sized by Fargate from the pod's requests (build + helper + services, + 256 MiB, rounded up to an allowed vCPU/memory pair). At concurrent they take ${f.vcpuAtConcurrent} of the ${f.vcpuQuota} vCPUs of the account's "Fargate On-Demand vCPU resource count" quota. Billing per second from the image pull, at least ${f.minimumBilledSeconds} s per pod; prices as of ${FARGATE_PRICES_AS_OF}${f.pricesKnown ? "" : " (none for this region: cost n/a)"}${f.pricesKnown && !f.storagePriceKnown ? "; storage above 20 GiB not priced for this region" : ""}.`,
        "",
        table(
            format,
            [
                "runner",
                "concurrent",
                "default job pod",
                "ceiling job pod",
                "vCPU at concurrent",
                "ephemeral storage",
                "$/job-hour",
                "$/job-hour at ceiling",
            ],
            f.runners.map((r) => [
                r.name,
                r.concurrent,
                describeSize(r.defaultPod),
                describeSize(r.ceilingPod),
                r.vcpuAtConcurrent,
                r.ephemeralStorageGiB === undefined ? "20 GiB (included)" : `${r.ephemeralStorageGiB} GiB`,
                money(r.usdPerJobHour),
                money(r.usdPerJobHourAtCeiling),
            ]),
        ),
        "",
    ];
    for (const r of f.runners) lines.push(`- ${r.name}: ${roundingNote(r)}.`);
    lines.push(
        "",
        "A runner's concurrent must cover the largest `parallel:` its pipelines use: GitLab hands out the parallel jobs at once, and those beyond concurrent wait (or time out) while the rest run.",
    );
    return lines;
}
