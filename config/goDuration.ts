// Go duration strings, as `time.ParseDuration` reads them (Go's time/format.go): an optional sign, then one or more
// decimal numbers each with a unit, "1h30m", "90s", "1.5h"; units ns, us, µs, μs, ms, s, m, h; "0" alone is zero.
// GitLab Runner decodes `time.Duration` keys of config.toml from such strings (BurntSushi/toml; for example
// `cleanup_resources_timeout = "3m"` in common/config_test.go TestConfig_GetCleanupResourcesTimeout at v19.3.0) and a
// string it cannot parse fails the whole file, so every duration this program renders is checked first.

const UNIT_MS: Readonly<Record<string, number>> = {
    ns: 1e-6,
    us: 1e-3,
    µs: 1e-3, // U+00B5 micro sign
    μs: 1e-3, // U+03BC Greek mu
    ms: 1,
    s: 1000,
    m: 60_000,
    h: 3_600_000,
};

const TERM = /(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y;

/** Milliseconds of a Go duration string, or undefined when Go would reject it. */
export function parseGoDuration(text: string): number | undefined {
    if (text === "0" || text === "+0" || text === "-0") return 0;
    const sign = text.startsWith("-") ? -1 : 1;
    const body = text.replace(/^[-+]/, "");
    if (body === "") return undefined;
    TERM.lastIndex = 0;
    let total = 0;
    while (TERM.lastIndex < body.length) {
        const start = TERM.lastIndex;
        const m = TERM.exec(body);
        if (!m || m.index !== start) return undefined;
        total += Number(m[1]) * UNIT_MS[m[2]];
    }
    return sign * total;
}
