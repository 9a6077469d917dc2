// The `periods` of `[[runners.autoscaler.policy]]`: 5-field unix-cron strings (GitLab Runner
// docs/configuration/advanced-configuration.md at v18.9.0, "Periods syntax": minute, hour, day of month, month, day
// of week; `-` ranges, `*`, `/` steps, `,` lists). Each names a range of time: "* 7-18 * * mon-fri" is every minute
// from 07:00 to 18:59 on weekdays. GitLab Runner 18.9.0 parses such periods with github.com/gorhill/cronexpr
// (go.mod, helpers/timeperiod/period.go); its rules are followed here: names of months and weekdays in any case
// (three letters or in full), day of week 0–7 with 7 = Sunday, `?` as a wildcard, and when both day fields are
// restricted a day matches if either does (cronexpr_next.go, calculateActualDaysOfMonth). Its extensions (`L`, `W`,
// `#`, a sixth or seventh field) are refused: the cost model below could not evaluate them.

export interface CronField {
    /** mask[v] is 1 when value v is in the field (day of week: 0–6, Sunday 0). */
    readonly mask: Uint8Array;
    /** False for `*` / `?`: matters for the day fields only (see dayMatches). */
    readonly restricted: boolean;
}

export interface CronSchedule {
    readonly minute: CronField;
    readonly hour: CronField;
    readonly dayOfMonth: CronField;
    readonly month: CronField;
    readonly dayOfWeek: CronField;
}

/** A moment as the fields of a cron line see it, in the policy's time zone; dayOfWeek 0 = Sunday. */
export interface CronMoment {
    readonly minute: number;
    readonly hour: number;
    readonly dayOfMonth: number;
    readonly month: number;
    readonly dayOfWeek: number;
}

const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const MONTH_NAMES = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october"].concat([
    "november",
    "december",
]);
const DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
const DAY_NAMES = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"];

interface FieldSpec {
    readonly name: string;
    readonly min: number;
    readonly max: number;
    readonly names?: readonly string[];
    readonly fullNames?: readonly string[];
    /** Offset of names[0] (months start at 1). */
    readonly nameBase?: number;
}

const FIELDS: readonly FieldSpec[] = [
    { name: "minute", min: 0, max: 59 },
    { name: "hour", min: 0, max: 23 },
    { name: "day of month", min: 1, max: 31 },
    { name: "month", min: 1, max: 12, names: MONTHS, fullNames: MONTH_NAMES, nameBase: 1 },
    // 7 is accepted and means Sunday; values are stored 0–6.
    { name: "day of week", min: 0, max: 7, names: DAYS, fullNames: DAY_NAMES, nameBase: 0 },
];

function value(token: string, spec: FieldSpec): number | string {
    const t = token.toLowerCase();
    if (/^\d{1,2}$/.test(t)) {
        const n = Number(t);
        return n >= spec.min && n <= spec.max ? n : `${token} is outside ${spec.min}–${spec.max}`;
    }
    const index = [spec.names ?? [], spec.fullNames ?? []].map((list) => list.indexOf(t)).find((i) => i >= 0);
    if (index !== undefined) return index + spec.nameBase!;
    return spec.names ? `"${token}" is neither a number nor a name (${spec.names.join(", ")})` : `"${token}" is not a number`;
}

function parseField(text: string, spec: FieldSpec): CronField | string {
    const mask = new Uint8Array(spec.max + 1);
    let restricted = true;
    for (const entry of text.split(",")) {
        const m = /^([^/-]+)(?:-([^/]+))?(?:\/(.+))?$/.exec(entry);
        if (!m) return `"${entry}" is not a value, a range or a step`;
        const [, from, to, step] = m;
        const wildcard = from === "*" || from === "?";
        let first: number | string = spec.min;
        let last: number | string = spec.name === "day of week" ? 6 : spec.max;
        if (!wildcard) first = value(from, spec);
        if (typeof first === "string") return first;
        if (to !== undefined) last = wildcard ? "a wildcard cannot start a range" : value(to, spec);
        else if (!wildcard && step === undefined) last = first;
        if (typeof last === "string") return last;
        if (first > last) return `${entry} is an empty range (${first} > ${last})`;
        let stride = 1;
        if (step !== undefined) {
            if (!/^\d+$/.test(step) || Number(step) < 1 || Number(step) > spec.max) return `step /${step} must be 1–${spec.max}`;
            stride = Number(step);
        }
        if (wildcard && step === undefined) restricted = false;
        for (let v = first; v <= last; v += stride) mask[spec.name === "day of week" ? v % 7 : v] = 1;
    }
    return { mask, restricted };
}

/** Parses one period; a string is the reason it is not one. */
export function parseCron(text: string): CronSchedule | string {
    const fields = text.trim().split(/\s+/);
    if (fields.length !== 5 || text.trim() === "")
        return `has ${text.trim() === "" ? 0 : fields.length} fields; a period has 5: minute hour day-of-month month day-of-week`;
    const parsed: CronField[] = [];
    for (let i = 0; i < 5; i++) {
        const field = parseField(fields[i], FIELDS[i]);
        if (typeof field === "string") return `${FIELDS[i].name} field: ${field}`;
        parsed.push(field);
    }
    const [minute, hour, dayOfMonth, month, dayOfWeek] = parsed;
    return { minute, hour, dayOfMonth, month, dayOfWeek };
}

/** Vixie-cron day rule, as cronexpr has it: with both day fields restricted, either may match. */
function dayMatches(s: CronSchedule, t: CronMoment): boolean {
    const dom = s.dayOfMonth.mask[t.dayOfMonth] === 1;
    const dow = s.dayOfWeek.mask[t.dayOfWeek] === 1;
    if (s.dayOfMonth.restricted && s.dayOfWeek.restricted) return dom || dow;
    return dom && dow;
}

export function cronMatches(s: CronSchedule, t: CronMoment): boolean {
    return s.minute.mask[t.minute] === 1 && s.hour.mask[t.hour] === 1 && s.month.mask[t.month] === 1 && dayMatches(s, t);
}
