// A small model of Prometheus target discovery and relabelling, enough to run a rendered scrape job against a list of
// pods: kubernetes_sd_configs role pod (one target per declared container port, namespaces filter, meta labels) and
// relabel_configs keep / drop / replace (prometheus.io/docs/prometheus/latest/configuration/configuration/: source
// labels joined with ";", the regex anchored at both ends, replacement "$1" by default).

export interface FakePod {
    readonly namespace: string;
    readonly name: string;
    readonly labels: Readonly<Record<string, string>>;
    /** Declared container ports (a pod without any still yields one target without a port). */
    readonly ports: readonly number[];
}

interface Relabel {
    source_labels?: string[];
    separator?: string;
    regex?: string;
    target_label?: string;
    replacement?: string;
    action?: string;
}

interface ScrapeJob {
    job_name: string;
    kubernetes_sd_configs: { role: string; namespaces?: { names: string[] } }[];
    relabel_configs?: Relabel[];
}

const meta = (key: string) => `__meta_kubernetes_pod_label_${key.replace(/[^a-zA-Z0-9_]/g, "_")}`;

/** The targets discovery yields for the pods, as label sets. */
function discover(job: ScrapeJob, pods: readonly FakePod[]): Record<string, string>[] {
    const out: Record<string, string>[] = [];
    for (const sd of job.kubernetes_sd_configs) {
        if (sd.role !== "pod") throw new Error(`role ${sd.role} is not modelled`);
        for (const pod of pods) {
            if (sd.namespaces && !sd.namespaces.names.includes(pod.namespace)) continue;
            const base: Record<string, string> = {
                job: job.job_name,
                __meta_kubernetes_namespace: pod.namespace,
                __meta_kubernetes_pod_name: pod.name,
            };
            for (const [k, v] of Object.entries(pod.labels)) base[meta(k)] = v;
            const ports = pod.ports.length > 0 ? pod.ports : [undefined];
            for (const port of ports)
                out.push(
                    port === undefined ? { ...base } : { ...base, __meta_kubernetes_pod_container_port_number: String(port) },
                );
        }
    }
    return out;
}

function relabel(target: Record<string, string>, rules: readonly Relabel[]): Record<string, string> | undefined {
    let labels = { ...target };
    for (const rule of rules) {
        const value = (rule.source_labels ?? []).map((l) => labels[l] ?? "").join(rule.separator ?? ";");
        const match = new RegExp(`^(?:${rule.regex ?? "(.*)"})$`).exec(value);
        const action = rule.action ?? "replace";
        if (action === "keep" && !match) return undefined;
        if (action === "drop" && match) return undefined;
        if (action === "replace" && match && rule.target_label) {
            const replaced = (rule.replacement ?? "$1").replace(/\$(\d+)/g, (_, i) => match[Number(i)] ?? "");
            labels = { ...labels, [rule.target_label]: replaced };
        } else if (!["keep", "drop", "replace"].includes(action)) {
            throw new Error(`action ${action} is not modelled`);
        }
    }
    return labels;
}

/** The targets a job scrapes among the pods: discovered, then relabelled; labels starting with __ dropped. */
export function scrapedTargets(job: ScrapeJob, pods: readonly FakePod[]): Record<string, string>[] {
    return discover(job, pods)
        .map((t) => relabel(t, job.relabel_configs ?? []))
        .filter((t): t is Record<string, string> => t !== undefined)
        .map((t) => ({
            ...Object.fromEntries(Object.entries(t).filter(([k]) => !k.startsWith("__"))),
            pod: t.__meta_kubernetes_pod_name,
            port: t.__meta_kubernetes_pod_container_port_number ?? "",
        }));
}

/** Whether a metric name survives the job's metric_relabel_configs. */
export function keepsMetric(rules: readonly Relabel[], name: string): boolean {
    return relabel({ __name__: name }, rules) !== undefined;
}
