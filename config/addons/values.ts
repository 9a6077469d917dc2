/**
 * Helpers shared by the add-on value renderers. Pure: plain objects in, plain objects out.
 */

const isPlainObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/**
 * Merges `override` over `base` the way Helm merges a values file over a chart's: objects key by key, recursively;
 * arrays and scalars replaced whole. Returns a new object and never mutates (inputs may be frozen config).
 */
export function deepMerge(
    base: Readonly<Record<string, unknown>>,
    override: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
    const out: Record<string, unknown> = { ...base };
    for (const [key, value] of Object.entries(override)) {
        const current = out[key];
        out[key] = isPlainObject(current) && isPlainObject(value) ? deepMerge(current, value) : value;
    }
    return out;
}

/**
 * Spread the replicas of one release over zones, then nodes. `ScheduleAnyway`: with one management node left (the
 * other being replaced during an AMI update) both replicas may share it rather than one staying Pending.
 */
export function spreadAcrossZonesAndNodes(matchLabels: Readonly<Record<string, string>>) {
    return ["topology.kubernetes.io/zone", "kubernetes.io/hostname"].map((topologyKey) => ({
        maxSkew: 1,
        topologyKey,
        whenUnsatisfiable: "ScheduleAnyway",
        labelSelector: { matchLabels: { ...matchLabels } },
    }));
}
