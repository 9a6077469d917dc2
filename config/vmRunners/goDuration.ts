// Go durations (`time.ParseDuration`), as GitLab Runner reads `idle_time` and the other duration keys of
// `[runners.autoscaler]` (common/config.go at v18.9.0: `time.Duration` fields, written "20m0s" in its docs): a
// sequence of decimal numbers, each with a unit ns, us (or µs), ms, s, m, h, such as "300ms", "1.5h" or "2h45m".
// A bare "0" is also valid Go; a sign is refused here (no negative idle time makes sense).

const UNIT_MS: Readonly<Record<string, number>> = {
    ns: 1e-6,
    us: 1e-3,
    µs: 1e-3,
    μs: 1e-3,
    ms: 1,
    s: 1000,
    m: 60_000,
    h: 3_600_000,
};

const PART = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y;

/** Milliseconds of a Go duration string, or undefined when Go would not parse it. */
export function parseGoDurationMs(text: string): number | undefined {
    if (text === "0") return 0;
    if (text === "") return undefined;
    PART.lastIndex = 0;
    let total = 0;
    while (PART.lastIndex < text.length) {
        const start = PART.lastIndex;
        const m = PART.exec(text);
        if (!m || m.index !== start) return undefined;
        total += Number(m[1]) * UNIT_MS[m[2]];
    }
    return total;
}
