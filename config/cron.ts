// The five-field cron periods of GitLab Runner's autoscaler policies (`[[runners.kubernetes.autoscaler.policy]]
// periods`), parsed and matched here so that the stack is validated before deploy and the planner can lay a week of
// periods out. The syntax is what the runner documents at v19.3.0 (docs/configuration/advanced-configuration.md
// "Periods syntax" and docs/executors/kubernetes/_index.md "Cron syntax"): minute, hour, day of month, month, day of
// week; `*`, `a-b`, `*/n`, `a-b/n` and comma lists; month names JAN–DEC and day names SUN–SAT in any case; 0 and 7
// are Sunday. A period is a range of time: `* 8-17 * * mon-fri` is active from 08:00 to 17:59 on weekdays.
//
// The runner parses periods with gitlab.com/gitlab-org/fleeting/taskscaler/cron, whose source this program could not
// read. So anything the documentation does not promise (`?`, `L`, `W`, `#`, `@hourly`, a bare `a/n`) is rejected
// rather than guessed at, and so is restricting both day of month and day of week: cron implementations disagree on
// whether such a period needs both to match or either, and the planner would have to guess which.

export interface CronField {
    readonly name: string;
    readonly min: number;
    readonly max: number;
    readonly names?: readonly string[];
}

export const CRON_FIELDS: readonly CronField[] = [
    { name: "minute", min: 0, max: 59 },
    { name: "hour", min: 0, max: 23 },
    { name: "day of month", min: 1, max: 31 },
    {
        name: "month",
        min: 1,
        max: 12,
        names: ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"],
    },
    // 7 is Sunday too; names map SUN=0 … SAT=6.
    { name: "day of week", min: 0, max: 7, names: ["sun", "mon", "tue", "wed", "thu", "fri", "sat"] },
];

/** A parsed period: for each field, whether it is active at each value (indexed by value; day of week 0–6). */
export interface CronPeriod {
    readonly minutes: readonly boolean[];
    readonly hours: readonly boolean[];
    readonly daysOfMonth: readonly boolean[];
    readonly months: readonly boolean[];
    readonly daysOfWeek: readonly boolean[];
}

/** Local wall-clock fields of one minute (month 1–12, day of week 0 = Sunday). */
export interface LocalMinute {
    readonly minute: number;
    readonly hour: number;
    readonly dayOfMonth: number;
    readonly month: number;
    readonly dayOfWeek: number;
}

function value(text: string, field: CronField): number | string {
    const lower = text.toLowerCase();
    const named = field.names?.indexOf(lower) ?? -1;
    if (named >= 0) return named + (field.names!.length === 12 ? 1 : 0);
    if (!/^\d+$/.test(text))
        return `"${text}" is not a number${field.names ? " or a name (" + field.names.join(", ") + ")" : ""}`;
    const n = Number(text);
    return n < field.min || n > field.max ? `${n} is outside ${field.min}–${field.max}` : n;
}

/** The values one field expression selects, or why it is not valid. */
function parseField(expr: string, field: CronField): Set<number> | string {
    const out = new Set<number>();
    for (const item of expr.split(",")) {
        const m = /^(\*|[^-/*]+(?:-[^-/*]+)?)(?:\/(\d+))?$/.exec(item);
        if (!m) return `"${item}" is not *, a value, a range a-b or a step */n or a-b/n`;
        const [, range, stepText] = m;
        let from = field.min;
        let to = field.max;
        if (range !== "*") {
            const [a, b] = range.split("-");
            const start = value(a, field);
            if (typeof start === "string") return start;
            if (b === undefined) {
                if (stepText !== undefined)
                    return `"${item}": a step needs * or a range before it (write ${a}-${field.max}/${stepText})`;
                from = to = start;
            } else {
                const end = value(b, field);
                if (typeof end === "string") return end;
                if (end < start) return `the range ${a}-${b} runs backwards`;
                from = start;
                to = end;
            }
        }
        const step = stepText === undefined ? 1 : Number(stepText);
        if (step < 1) return `"${item}": the step must be at least 1`;
        for (let v = from; v <= to; v += step) out.add(v);
    }
    return out;
}

/** Parses a period, or returns why it is not one (the message names the field). */
export function parseCron(text: string): CronPeriod | string {
    const parts = text.trim().split(/\s+/);
    if (parts.length !== 5)
        return `"${text}" has ${parts.length} field${parts.length === 1 ? "" : "s"}; a period has 5: minute hour day-of-month month day-of-week (e.g. "* 7-18 * * mon-fri")`;
    const sets: Set<number>[] = [];
    for (const [i, field] of CRON_FIELDS.entries()) {
        const parsed = parseField(parts[i], field);
        if (typeof parsed === "string") return `"${text}": ${field.name}: ${parsed}`;
        sets.push(parsed);
    }
    if (parts[2] !== "*" && parts[4] !== "*")
        return `"${text}" restricts both day of month and day of week; cron implementations differ on whether both or either must match, so restrict one of them (use two policies for both)`;
    const flags = (values: Iterable<number>, size: number) => {
        const out: boolean[] = new Array(size).fill(false);
        for (const v of values) out[v] = true;
        return out;
    };
    return {
        minutes: flags(sets[0], 60),
        hours: flags(sets[1], 24),
        daysOfMonth: flags(sets[2], 32),
        months: flags(sets[3], 13),
        daysOfWeek: flags(
            [...sets[4]].map((d) => d % 7),
            7,
        ),
    };
}

/** Whether the period is active during the given local minute. */
export function cronMatches(p: CronPeriod, t: LocalMinute): boolean {
    return (
        p.minutes[t.minute] && p.hours[t.hour] && p.daysOfMonth[t.dayOfMonth] && p.months[t.month] && p.daysOfWeek[t.dayOfWeek]
    );
}
