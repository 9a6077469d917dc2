// Kubernetes resource quantities, parsed and formatted for validation and reports.
//
// Deliberately a strict subset of the Kubernetes grammar: an unsigned decimal number
// ("2", "1.5", ".5") followed by an optional suffix. Signs, exponents ("1e3"), whitespace and
// unknown suffixes are rejected. For CPU only the "m" suffix is accepted; for memory the binary
// (Ki Mi Gi Ti) and decimal (k M G T) suffixes. A memory "m" (millibytes, so "512m" is half a
// byte) is valid Kubernetes but nearly always a typo for "Mi", so it is rejected here.

const NUMBER = String.raw`(\d+(?:\.\d+)?|\.\d+)`;
const CPU_RE = new RegExp(`^${NUMBER}(m?)$`);
const MEMORY_RE = new RegExp(`^${NUMBER}(Ki|Mi|Gi|Ti|k|M|G|T)?$`);

const BYTES_PER_UNIT: Readonly<Record<string, number>> = {
    "": 1,
    k: 1e3,
    M: 1e6,
    G: 1e9,
    T: 1e12,
    Ki: 2 ** 10,
    Mi: 2 ** 20,
    Gi: 2 ** 30,
    Ti: 2 ** 40,
};

const MIB = 2 ** 20;

/**
 * CPU quantity → millicores, e.g. "500m" → 500, "1.5" → 1500. Like Kubernetes, a value finer
 * than one millicore is rounded up ("0.0001" → 1, "2.5m" → 3). Undefined if malformed.
 */
export function parseCpuMillis(q: string): number | undefined {
    const m = CPU_RE.exec(q);
    if (!m) return undefined;
    const [whole, fraction = ""] = m[1].split(".");
    // Work on the digits so that "1.1" is exactly 1100, not 1100.0000000000002.
    const scale = m[2] === "m" ? 0 : 3;
    const kept = fraction.slice(0, scale).padEnd(scale, "0");
    const dropped = fraction.slice(scale);
    return Number(whole + kept) + (/[1-9]/.test(dropped) ? 1 : 0);
}

/** Memory quantity → MiB (may be fractional), e.g. "1.5Gi" → 1536, "1G" → 953.67…. Undefined if malformed. */
export function parseMemoryMiB(q: string): number | undefined {
    const m = MEMORY_RE.exec(q);
    if (!m) return undefined;
    return (Number(m[1]) * BYTES_PER_UNIT[m[2] ?? ""]) / MIB;
}

/** MiB → short human form: "512Mi" below 1 GiB, otherwise GiB with one decimal ("29.8Gi", "32Gi"). */
export function formatMiB(mib: number): string {
    if (Math.abs(mib) < 1024) return `${Math.round(mib)}Mi`;
    return `${trimZeros((mib / 1024).toFixed(1))}Gi`;
}

/** Millicores → "500m" below one core, otherwise cores with up to two decimals ("3.92", "2"). */
export function formatCpuMillis(millis: number): string {
    if (Math.abs(millis) < 1000) return `${Math.round(millis)}m`;
    return trimZeros((millis / 1000).toFixed(2));
}

function trimZeros(s: string): string {
    return s.includes(".") ? s.replace(/\.?0+$/, "") : s;
}
