import { strict as assert } from "assert";
import { parseStackConfig } from "../config";
import { cronMatches, parseCron } from "../config/cron";
import { parseGoDuration } from "../config/goDuration";
import { TIME_ZONES } from "../config/policySchedule";
import { problemsOf, validDocument, withValue } from "./support/fixtures";

// Warm capacity's stack-file interface: periods, zones, durations and counts are checked before anything is deployed,
// each problem at its own path (GitLab Runner would fail to load a bad duration, and ignore a bad period's policy).
const WORKING_HOURS = {
    maxPausePods: 8,
    policies: [
        { periods: ["* * * * *"], idleCount: 0 },
        { periods: ["* 7-18 * * mon-fri"], timezone: "Europe/Berlin", idleCount: 8, idleTime: "10m" },
    ],
};
const withWarm = (warm: unknown, doc = validDocument()) => withValue(doc, ["runners", "amd64", "warmCapacity"], warm);
const policy = (i: number, field: string, value: unknown) => {
    const warm = structuredClone(WORKING_HOURS) as any;
    warm.policies[i][field] = value;
    return withWarm(warm);
};

describe("warm capacity: stack-file validation", () => {
    describe("cron periods (runner docs v19.3.0, Periods syntax)", () => {
        const at = (hour: number, dayOfWeek: number, minute = 0) => ({ minute, hour, dayOfMonth: 1, month: 6, dayOfWeek });

        it("working hours: 07:00–18:59 on weekdays, names in any case", () => {
            for (const text of ["* 7-18 * * mon-fri", "* 7-18 * * MON-FRI", "0-59 7-18 * * 1-5"]) {
                const p = parseCron(text);
                assert.ok(typeof p !== "string", `${text}: ${p}`);
                assert.equal(cronMatches(p, at(7, 1)), true, text);
                assert.equal(cronMatches(p, at(18, 5, 59)), true, text);
                assert.equal(cronMatches(p, at(19, 5)), false, text);
                assert.equal(cronMatches(p, at(6, 3, 59)), false, text);
                assert.equal(cronMatches(p, at(12, 6)), false, `${text} on Saturday`);
            }
        });

        it("steps, lists, and 7 as well as 0 for Sunday", () => {
            const p = parseCron("*/15 0-12/6,20 * jan,jun 7") as Exclude<ReturnType<typeof parseCron>, string>;
            assert.deepEqual(
                [0, 15, 30, 45, 59].map((m) => p.minutes[m]),
                [true, true, true, true, false],
            );
            assert.deepEqual(
                [0, 6, 12, 13, 20].map((h) => p.hours[h]),
                [true, true, true, false, true],
            );
            assert.equal(cronMatches(p, { minute: 30, hour: 20, dayOfMonth: 7, month: 6, dayOfWeek: 0 }), true);
            assert.equal(cronMatches(p, { minute: 30, hour: 20, dayOfMonth: 7, month: 7, dayOfWeek: 0 }), false);
        });

        it("rejects what the runner does not document, saying why", () => {
            assert.deepEqual(
                [
                    "* 7-18 * *",
                    "* 7-25 * * *",
                    "* 18-7 * * *",
                    "5/15 * * * *",
                    "* * L * *",
                    "* * * * mon-fry",
                    "* * 1 * mon",
                    "@hourly",
                ].map((t) => parseCron(t)),
                [
                    '"* 7-18 * *" has 4 fields; a period has 5: minute hour day-of-month month day-of-week (e.g. "* 7-18 * * mon-fri")',
                    '"* 7-25 * * *": hour: 25 is outside 0–23',
                    '"* 18-7 * * *": hour: the range 18-7 runs backwards',
                    '"5/15 * * * *": minute: "5/15": a step needs * or a range before it (write 5-59/15)',
                    '"* * L * *": day of month: "L" is not a number',
                    '"* * * * mon-fry": day of week: "fry" is not a number or a name (sun, mon, tue, wed, thu, fri, sat)',
                    '"* * 1 * mon" restricts both day of month and day of week; cron implementations differ on whether both or either must match, so restrict one of them (use two policies for both)',
                    '"@hourly" has 1 field; a period has 5: minute hour day-of-month month day-of-week (e.g. "* 7-18 * * mon-fri")',
                ],
            );
        });
    });

    it("Go durations as time.ParseDuration reads them", () => {
        const valid: [string, number][] = [
            ["10m", 600_000],
            ["1h30m", 5_400_000],
            ["1.5h", 5_400_000],
            [".5s", 500],
            ["300ms", 300],
            ["1500µs", 1.5],
            ["0", 0],
            ["0s", 0],
            ["-5m", -300_000],
        ];
        for (const [text, ms] of valid) assert.equal(parseGoDuration(text), ms, text);
        for (const text of ["10", "1d", "", "m", "1h 30m", "-", "1.2.3s", "10 m", "1H"])
            assert.equal(parseGoDuration(text), undefined, JSON.stringify(text));
    });

    it("time zones: IANA names from Intl.supportedValuesOf, plus UTC", () => {
        assert.ok(TIME_ZONES.has("Europe/Berlin") && TIME_ZONES.has("America/New_York") && TIME_ZONES.has("UTC"));
        assert.ok(!TIME_ZONES.has("CEST") && !TIME_ZONES.has("Berlin"));
    });

    it("a valid working-hours pool is accepted, UTC filled in where no zone is given", () => {
        const runner = parseStackConfig(withWarm(WORKING_HOURS), "eu-west-1").runners[0];
        assert.equal(runner.warmCapacity!.policies[0].timezone, "UTC");
        assert.equal(runner.warmCapacity!.policies[1].timezone, "Europe/Berlin");
    });

    const at = "runners.amd64.warmCapacity";
    const rejections: [string, () => Record<string, any>, string[]][] = [
        [
            "a period with four fields",
            () => policy(1, "periods", ["* 7-18 * *"]),
            [
                `${at}.policies[1].periods[0]: "* 7-18 * *" has 4 fields; a period has 5: minute hour day-of-month month day-of-week (e.g. "* 7-18 * * mon-fri")`,
            ],
        ],
        [
            "a misspelt time zone",
            () => policy(1, "timezone", "Europe/Berln"),
            [`${at}.policies[1].timezone: "Europe/Berln" is not an IANA time zone name (did you mean "Europe/Berlin"?)`],
        ],
        [
            "an abbreviation instead of a zone",
            () => policy(1, "timezone", "CEST"),
            [`${at}.policies[1].timezone: "CEST" is not an IANA time zone name like Europe/Berlin, America/New_York or UTC`],
        ],
        [
            "a duration without a unit",
            () => policy(1, "idleTime", "10"),
            [
                `${at}.policies[1].idleTime: "10" is not a Go duration like 10m, 90s or 1h30m; the runner would fail to load config.toml`,
            ],
        ],
        ["a negative duration", () => policy(1, "idleTime", "-1m"), [`${at}.policies[1].idleTime: "-1m" is negative`]],
        [
            "a number where a duration belongs (YAML `idleTime: 600`)",
            () => policy(1, "idleTime", 600),
            [`${at}.policies[1].idleTime: must be a Go duration string like 10m (a bare number has no unit)`],
        ],
        [
            "idleCount above maxPausePods",
            () => policy(1, "idleCount", 9),
            [`${at}.policies[1].idleCount: 9 is above maxPausePods 8; the runner would keep only 8`],
        ],
        [
            "maxPausePods above concurrent",
            () => withWarm({ ...WORKING_HOURS, maxPausePods: 21 }),
            [
                `${at}.maxPausePods: 21 is above concurrent 20: more warm room than the runner can ever fill with jobs; use at most 20`,
            ],
        ],
        ["no policies", () => withWarm({ maxPausePods: 8, policies: [] }), [`${at}.policies: needs at least one policy`]],
        [
            "a key the runner has but this program does not offer",
            () => policy(1, "preemptiveMode", true),
            [
                `${at}.policies[1].preemptiveMode: unknown key (allowed: periods, timezone, idleCount, idleTime, scaleFactor, scaleFactorLimit)`,
            ],
        ],
        [
            "a scale-factor limit without a scale factor",
            () => policy(1, "scaleFactorLimit", 4),
            [`${at}.policies[1].scaleFactorLimit: has no effect without scaleFactor`],
        ],
        [
            "a chart whose runner predates the autoscaler",
            () => withValue(withWarm(WORKING_HOURS), ["runners", "amd64", "chartVersion"], "0.86.0"),
            [
                `${at}: needs GitLab Runner 18.11.0 or later, but chartVersion 0.86.0 ships 18.9.0; use chartVersion 0.92.0 (the default), or drop warmCapacity`,
            ],
        ],
        [
            "more pause pods than the group holds beside the runner's jobs",
            // m7i.2xlarge: 6 default jobs (1.1 CPU) or 7 pause pods (1 CPU) per node. 20 jobs fill 4 of the 5 nodes.
            () =>
                withWarm(
                    { ...WORKING_HOURS, maxPausePods: 8 },
                    withValue(validDocument(), ["nodeGroups", "amd64", "maxSize"], 5),
                ),
            [
                `${at}.maxPausePods: 8 pause pods (1 CPU / 2Gi each, 7 per m7i.2xlarge node) need 2 nodes of "amd64" beside the 4 that concurrent 20 fills, but maxSize is 5: lower maxPausePods to 7 or raise nodeGroups.amd64.maxSize to 6`,
                // The rollout rule fails too: two managers' worth of jobs (40) do not fit 5 × 6.
                'runners.amd64.concurrent: 20 jobs fit "amd64" (30: 5 × 6 per m7i.2xlarge), but while the runner\'s manager is replaced (a chart or config change, a management node patch) the old one finishes up to 20 running jobs as the new one takes 20 more: 40 job pods, and the excess would fail after poll_timeout. Raise nodeGroups.amd64.maxSize to 7 (a ceiling, paid only when used) or lower concurrent to 15',
            ],
        ],
    ];
    for (const [what, doc, expected] of rejections) {
        it(`rejects ${what}`, () => assert.deepEqual(problemsOf(doc()).sort(), [...expected].sort()));
    }
});
