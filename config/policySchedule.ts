// The "when" of GitLab Runner's autoscaler policies, shared by Kubernetes warm capacity
// (`[[runners.kubernetes.autoscaler.policy]]`) and VM runners (`[[runners.autoscaler.policy]]`): both take a list of
// five-field cron `periods` (config/cron.ts) read in an IANA `timezone`. One validation for both sections.
import { z } from "zod";
import { parseCron } from "./cron";
import { closest } from "./suggest";

/**
 * IANA zone names this program accepts: the runtime's canonical list (ICU, Intl.supportedValuesOf) plus "UTC", which
 * it omits and Go's time.LoadLocation always accepts without a zone database (Go `time` package docs, LoadLocation:
 * "If the name is "" or "UTC", LoadLocation returns UTC"). A named zone also needs tzdata where the runner manager runs
 * (docs/runners.md, "Warm capacity"): the shipped stacks therefore write their hours in UTC.
 */
export const TIME_ZONES: ReadonlySet<string> = new Set([...Intl.supportedValuesOf("timeZone"), "UTC"]);

/** One period, rejected with the field that is wrong. */
export const cronPeriodSchema = z.string().superRefine((text, ctx) => {
    const parsed = parseCron(text);
    if (typeof parsed === "string") ctx.addIssue({ code: "custom", message: parsed });
});

/** A zone name, with the closest known name suggested. */
export const timeZoneSchema = z.string().superRefine((tz, ctx) => {
    if (TIME_ZONES.has(tz)) return;
    const guess = closest(tz, TIME_ZONES);
    ctx.addIssue({
        code: "custom",
        message: `${JSON.stringify(tz)} is not an IANA time zone name${guess ? ` (did you mean "${guess}"?)` : " like Europe/Berlin, America/New_York or UTC"}`,
    });
});
