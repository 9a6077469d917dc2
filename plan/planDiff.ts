/**
 * What a merge request changes, as plain data (also the `--base … --format json` document): the resources `pulumi up`
 * would add, replace, update or remove, the security review, each runner's settings and rendered config.toml, and
 * capacity and cost, each before → after.
 */
import { createTwoFilesPatch } from "diff";
import type { Finding } from "../config/capacity";
import type { Evaluation } from "./evaluate";
import type { PlanData, RunnerPlan, VmRunnerPlan } from "./planData";
import { diffResources, ResourceChange } from "./resourceDiff";
import { SecurityItem, securityReview } from "./securityReview";

export interface BaseState {
    /** The git ref as given and the commit it resolved to. */
    readonly ref: string;
    readonly commit: string;
    /** `evaluated`; `absent` (no such stack file at the base: everything is new); `invalid` (its config was rejected). */
    readonly state: "evaluated" | "absent" | "invalid";
    readonly message?: string;
    /** The base's package-lock.json differs: it was evaluated with this checkout's packages. */
    readonly lockfileDiffers: boolean;
}

export interface SettingChange {
    readonly runner: string;
    readonly setting: string;
    readonly before: string;
    readonly after: string;
}

export interface PlanDiff {
    readonly stack: string;
    readonly base: BaseState;
    readonly resources: readonly ResourceChange[];
    readonly security: readonly SecurityItem[];
    readonly runners: {
        readonly added: readonly string[];
        readonly removed: readonly string[];
        readonly settings: readonly SettingChange[];
        /** Unified diffs of each changed runner's rendered config.toml. */
        readonly configToml: readonly { readonly runner: string; readonly patch: string }[];
    };
    readonly capacity: readonly { readonly metric: string; readonly before: string; readonly after: string }[];
    readonly findings: { readonly added: readonly Finding[]; readonly resolved: readonly Finding[] };
}

const text = (v: unknown) => (v === undefined ? "—" : Array.isArray(v) ? v.join(", ") || "—" : String(v));

/** The runner fields compared, flattened: resources as `build.cpuRequest` … */
function runnerSettings(r: RunnerPlan): Record<string, string> {
    const flat: Record<string, string> = {
        nodeGroup: text(r.nodeGroup),
        nodePool: text(r.nodePool),
        fargate: text(r.fargate),
        tags: text(r.tags),
        runUntagged: text(r.runUntagged),
        concurrent: text(r.concurrent),
        chartVersion: text(r.chartVersion),
        runnerVersion: text(r.runnerVersion),
        privileged: text(r.privileged),
    };
    for (const [kind, values] of Object.entries(r.resources ?? {}))
        for (const [key, value] of Object.entries(values ?? {})) flat[`${kind}.${key}`] = text(value);
    return flat;
}

/** A VM runner's compared fields: its executor, tags, group and manager. */
function vmRunnerSettings(v: VmRunnerPlan): Record<string, string> {
    return {
        executor: v.executor,
        tags: text(v.tags),
        instanceTypes: text(v.instanceTypes),
        minSize: text(v.minSize),
        maxSize: text(v.maxSize),
        chartVersion: text(v.chartVersion),
        plugin: text(v.plugin),
        privileged: text(v.privileged),
    };
}

/** A runner or VM runner as the diff compares it (the two share one name space). */
interface Compared {
    readonly name: string;
    readonly settings: Record<string, string>;
    readonly configToml: string;
}

const comparedRunners = (plan: PlanData | undefined): Compared[] => [
    ...(plan?.runners ?? []).map((r) => ({ name: r.name, settings: runnerSettings(r), configToml: r.configToml })),
    // A base from before VM runners existed has none.
    ...(plan?.vmRunners ?? []).map((v) => ({ name: v.name, settings: vmRunnerSettings(v), configToml: v.configToml })),
];

function compareRunners(before: readonly Compared[], after: readonly Compared[]): PlanDiff["runners"] {
    const old = new Map(before.map((r) => [r.name, r]));
    const now = new Set(after.map((r) => r.name));
    const settings: SettingChange[] = [];
    const configToml: { runner: string; patch: string }[] = [];
    for (const r of after) {
        const was = old.get(r.name);
        const [b, a] = [was?.settings ?? {}, r.settings];
        for (const key of new Set([...Object.keys(b), ...Object.keys(a)]))
            if (b[key] !== a[key]) settings.push({ runner: r.name, setting: key, before: b[key] ?? "—", after: a[key] ?? "—" });
        const [bt, at] = [was?.configToml ?? "", r.configToml];
        if (bt !== at) {
            const patch = createTwoFilesPatch(`a/${r.name}/config.toml`, `b/${r.name}/config.toml`, bt, at, "", "", {
                context: 3,
            });
            configToml.push({ runner: r.name, patch: patch.replace(/^=+\n/, "") }); // the library's separator line
        }
    }
    return {
        added: after.filter((r) => !old.has(r.name)).map((r) => r.name),
        removed: before.filter((r) => !now.has(r.name)).map((r) => r.name),
        settings,
        configToml,
    };
}

const money = (v: number | undefined) => (v === undefined ? "n/a" : `$${Math.round(v).toLocaleString("en-US")}/month`);

function compareCapacity(before: PlanData | undefined, after: PlanData): PlanDiff["capacity"] {
    const rows: { metric: string; before: string; after: string }[] = [];
    const row = (metric: string, b: string, a: string) => {
        if (b !== a) rows.push({ metric, before: b, after: a });
    };
    const [bc, ac] = [before?.capacity, after.capacity];
    row("concurrent jobs at default requests", text(bc?.totalConcurrentJobs), text(ac.totalConcurrentJobs));
    row("idle floor", money(bc?.cost.idleUsdPerMonth), money(ac.cost.idleUsdPerMonth));
    row("every runner at its concurrent", money(bc?.cost.fullLoadUsdPerMonth), money(ac.cost.fullLoadUsdPerMonth));
    row("every group at maxSize", money(bc?.cost.fullScaleUsdPerMonth), money(ac.cost.fullScaleUsdPerMonth));
    const groups = new Map((bc?.groups ?? []).map((g) => [g.name, g]));
    for (const g of ac.groups) {
        const was = groups.get(g.name);
        row(`${g.name}: nodes`, was ? `${was.minSize}–${was.maxSize}` : "—", `${g.minSize}–${g.maxSize}`);
        if (g.role === "jobs") row(`${g.name}: jobs at full scale`, text(was?.jobsAtFullScale), text(g.jobsAtFullScale));
    }
    for (const g of bc?.groups ?? [])
        if (!ac.groups.some((x) => x.name === g.name)) row(`${g.name}: nodes`, `${g.minSize}–${g.maxSize}`, "—");
    const pools = new Map((bc?.pools ?? []).map((p) => [p.name, p]));
    for (const p of ac.pools)
        row(`${p.name} subnets: addresses at full scale`, text(pools.get(p.name)?.ipsAtFullScale), text(p.ipsAtFullScale));
    const vms = new Map((bc?.vmRunners ?? []).map((v) => [v.name, v]));
    for (const v of ac.vmRunners ?? []) {
        const was = vms.get(v.name);
        row(`${v.name}: jobs at full scale (VMs)`, text(was?.concurrency), text(v.concurrency));
        row(`${v.name}: idle VMs`, money(was?.idleUsdPerMonth), money(v.idleUsdPerMonth));
        row(`${v.name}: every VM running`, money(was?.fullScaleUsdPerMonth), money(v.fullScaleUsdPerMonth));
    }
    for (const v of bc?.vmRunners ?? [])
        if (!(ac.vmRunners ?? []).some((x) => x.name === v.name))
            row(`${v.name}: jobs at full scale (VMs)`, text(v.concurrency), "—");
    return rows;
}

/** The diff from `base` (undefined: no base stack, or an invalid one) to `head`. */
export function buildDiff(stack: string, baseState: BaseState, base: Evaluation | undefined, head: Evaluation): PlanDiff {
    const key = (f: Finding) => `${f.severity} ${f.subject}: ${f.message}`;
    const [bf, af] = [new Set((base?.plan.findings ?? []).map(key)), new Set(head.plan.findings.map(key))];
    return {
        stack,
        base: baseState,
        resources: diffResources(base?.resources ?? [], head.resources),
        security: securityReview(base, head),
        runners: compareRunners(comparedRunners(base?.plan), comparedRunners(head.plan)),
        capacity: compareCapacity(base?.plan, head.plan),
        findings: {
            added: head.plan.findings.filter((f) => !bf.has(key(f))),
            resolved: (base?.plan.findings ?? []).filter((f) => !af.has(key(f))),
        },
    };
}
