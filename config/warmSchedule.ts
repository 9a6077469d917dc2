// A week of warm capacity, minute by minute (pure): which policy is active, how many pause pods the runner keeps, how
// many nodes they hold, and what that costs. The pause-pod count follows the runner's own rules (executors/kubernetes/
// autoscaler at v19.3.0): the last policy whose periods contain the minute wins, none → 0 pods (policy.go
// PolicyList.Active, DefaultPolicy; docs/executors/kubernetes/_index.md "The last matching policy based on the current
// time is used"); the count is min(idle_count, max_pause_pods); a higher count applies at once, a lower one only when
// the last count has been wanted for idle_time (pause_pod_manager.go applyScaleDownCooldown). Scale factors depend on
// load and are left out: the figures are those of a fleet with no jobs running, i.e. what the warm room costs by itself.
import type { CronPeriod, LocalMinute } from "./cron";
import type { WarmPolicy } from "./warmCapacity";

export const MINUTES_PER_WEEK = 7 * 24 * 60;

/**
 * The week the schedule is laid out on: Monday 1 June 2026, 00:00 UTC, seven days. A fixed week keeps the plan
 * reproducible; early June has no daylight-saving change in Europe, the Americas or Australia, so every zone sits at
 * one offset all week. Periods restricted to days of the month or months count as they fall in that week.
 */
export const REFERENCE_WEEK_START_UTC = Date.UTC(2026, 5, 1);

function offsetFormat(timeZone: string): Intl.DateTimeFormat {
    return new Intl.DateTimeFormat("en-US", {
        timeZone,
        hourCycle: "h23",
        year: "numeric",
        month: "numeric",
        day: "numeric",
        hour: "numeric",
        minute: "numeric",
    });
}

/** The zone's offset from UTC at `utcMs`, in minutes. */
function zoneOffsetMinutes(format: Intl.DateTimeFormat, utcMs: number): number {
    const parts = Object.fromEntries(format.formatToParts(new Date(utcMs)).map((p) => [p.type, p.value]));
    const local = Date.UTC(+parts.year, +parts.month - 1, +parts.day, +parts.hour, +parts.minute);
    return Math.round((local - utcMs) / 60_000);
}

/** Local wall-clock fields of consecutive minutes, one typed array per field (index = minute from the start). */
export interface LocalClock {
    readonly minute: Uint8Array;
    readonly hour: Uint8Array;
    readonly dayOfMonth: Uint8Array;
    readonly month: Uint8Array;
    readonly dayOfWeek: Uint8Array;
}

/**
 * The zone's offset for each quarter hour from `startMs`. Zone transitions fall on quarter hours and are at least
 * weeks apart, so the offset is read once a day and, in a day where it changes, the transition is found by bisection.
 */
function quarterOffsets(timeZone: string, startMs: number, quarters: number): Int32Array {
    const format = offsetFormat(timeZone);
    const at = (quarter: number) => zoneOffsetMinutes(format, startMs + quarter * 15 * 60_000);
    const offsets = new Int32Array(quarters);
    const QUARTERS_PER_DAY = 96;
    let from = 0;
    let before = at(0);
    while (from < quarters) {
        const to = Math.min(from + QUARTERS_PER_DAY, quarters - 1);
        const after = at(to);
        let change = to + 1;
        if (after !== before) {
            // The first quarter with the new offset lies in (from, to].
            let lo = from;
            let hi = to;
            while (hi - lo > 1) {
                const mid = (lo + hi) >> 1;
                if (at(mid) === before) lo = mid;
                else hi = mid;
            }
            change = hi;
        }
        for (let q = from; q <= to; q++) offsets[q] = q < change ? before : after;
        from = to + 1;
        before = after;
    }
    return offsets;
}

/** Local clocks are the same for every runner and stack evaluation of a process: computed once per zone and window. */
const clocks = new Map<string, LocalClock>();

/**
 * The local wall-clock minutes of `count` minutes from `startMs` (a whole minute) in `timeZone`; the calendar fields
 * are computed once per local day.
 */
export function localClock(timeZone: string, startMs: number, count: number): LocalClock {
    const key = `${timeZone}@${startMs}+${count}`;
    const known = clocks.get(key);
    if (known) return known;
    const offsets = quarterOffsets(timeZone, startMs, Math.ceil(count / 15));
    const clock = {
        minute: new Uint8Array(count),
        hour: new Uint8Array(count),
        dayOfMonth: new Uint8Array(count),
        month: new Uint8Array(count),
        dayOfWeek: new Uint8Array(count),
    };
    const startMinute = Math.floor(startMs / 60_000);
    let day = NaN;
    let date = new Date(0);
    for (let m = 0; m < count; m++) {
        const local = startMinute + m + offsets[Math.floor(m / 15)];
        const localDay = Math.floor(local / 1440);
        if (localDay !== day) {
            day = localDay;
            date = new Date(localDay * 86_400_000);
        }
        const inDay = local - localDay * 1440;
        clock.minute[m] = inDay % 60;
        clock.hour[m] = Math.floor(inDay / 60);
        clock.dayOfMonth[m] = date.getUTCDate();
        clock.month[m] = date.getUTCMonth() + 1;
        clock.dayOfWeek[m] = date.getUTCDay();
    }
    clocks.set(key, clock);
    return clock;
}

/** The local minute at index `m` of a clock. */
export function minuteAt(clock: LocalClock, m: number): LocalMinute {
    return {
        minute: clock.minute[m],
        hour: clock.hour[m],
        dayOfMonth: clock.dayOfMonth[m],
        month: clock.month[m],
        dayOfWeek: clock.dayOfWeek[m],
    };
}

/**
 * Per minute of `count` minutes from `startMs`: the index of the policy in force, the last one with an active period
 * (GitLab Runner's rule for Kubernetes warm capacity and the fleeting autoscaler alike), or -1 when none is.
 */
export function winningPolicyByMinute(
    policies: readonly { readonly periods: readonly CronPeriod[]; readonly timezone: string }[],
    startMs: number,
    count: number,
): Int16Array {
    const out = new Int16Array(count).fill(-1);
    policies.forEach((p, i) => {
        const active = activeMinutes(p.periods, localClock(p.timezone, startMs, count));
        for (let m = 0; m < count; m++) if (active[m]) out[m] = i; // later policies overwrite: the last match wins
    });
    return out;
}

/** Per minute of the clock: whether any of the periods is active. */
function activeMinutes(periods: readonly CronPeriod[], c: LocalClock): Uint8Array {
    const out = new Uint8Array(c.minute.length);
    for (const p of periods)
        for (let m = 0; m < out.length; m++)
            if (
                p.minutes[c.minute[m]] &&
                p.hours[c.hour[m]] &&
                p.daysOfMonth[c.dayOfMonth[m]] &&
                p.months[c.month[m]] &&
                p.daysOfWeek[c.dayOfWeek[m]]
            )
                out[m] = 1;
    return out;
}

export interface WeekLayout {
    /** Per minute of the week: the index of the winning policy, or -1 when none is active. */
    readonly activePolicy: Int16Array;
    /** Per minute of the week: pause pods the runner keeps. */
    readonly pausePods: Int32Array;
}

/**
 * Lays the policies out over the reference week. The week before it is run first, so a count carried over from
 * Sunday night (idle_time) is in place on Monday morning.
 */
export function layOutWeek(
    policies: readonly WarmPolicy[],
    maxPausePods: number,
    startMs = REFERENCE_WEEK_START_UTC,
): WeekLayout {
    const total = 2 * MINUTES_PER_WEEK;
    const from = startMs - MINUTES_PER_WEEK * 60_000;
    const winners = winningPolicyByMinute(policies, from, total);
    const activePolicy = new Int16Array(MINUTES_PER_WEEK);
    const pausePods = new Int32Array(MINUTES_PER_WEEK);
    let current = 0;
    let scaleDownAt = -Infinity;
    for (let m = 0; m < total; m++) {
        const winner = winners[m];
        // No active policy: the runner's DefaultPolicy, 0 pods after 5 minutes (policy.go).
        const policy = winner >= 0 ? policies[winner] : { idleCount: 0, idleTimeMs: 5 * 60_000 };
        const desired = Math.min(policy.idleCount, maxPausePods);
        const now = m * 60_000;
        if (desired >= current || now >= scaleDownAt) {
            current = desired;
            scaleDownAt = now + policy.idleTimeMs;
        }
        if (m >= MINUTES_PER_WEEK) {
            activePolicy[m - MINUTES_PER_WEEK] = winner;
            pausePods[m - MINUTES_PER_WEEK] = current;
        }
    }
    return { activePolicy, pausePods };
}

/**
 * Nodes the pause pods hold, minute by minute: ⌈pods / pods per node⌉, and a node emptied by a lower count stays
 * until Cluster Autoscaler has seen it unneeded for `lingerMinutes` (`--scale-down-unneeded-time`).
 */
export function warmNodesByMinute(pausePods: Int32Array, podsPerNode: number, lingerMinutes: number): Int32Array {
    const needed = pausePods.map((p) => Math.ceil(p / podsPerNode));
    const out = new Int32Array(needed.length);
    for (let m = 0; m < needed.length; m++) {
        let most = 0;
        // The week wraps: Sunday night's nodes linger into Monday morning.
        for (let k = 0; k <= lingerMinutes; k++) most = Math.max(most, needed[(m - k + needed.length) % needed.length]);
        out[m] = most;
    }
    return out;
}
